//! An SMTP server inside the test process for the mail tests: it takes every message sent to it
//! and keeps it as it came, for the test to read. It speaks what a client needs to hand over a
//! mail (RFC 5321): EHLO or HELO, MAIL, RCPT, DATA (the leading dot of a line taken off, 4.5.2),
//! RSET, NOOP and QUIT. Given a certificate it offers STARTTLS (RFC 3207) and takes no mail
//! before it, as a server that requires TLS.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// A message as received: its envelope and its data.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The header and the body, lines ending in CRLF, without the closing dot.
    pub data: String,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// The server on a free port of 127.0.0.1; stopped, with every connection, on drop.
pub struct SmtpSink {
    pub port: u16,
    inbox: Inbox,
    server: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Without TLS.
    pub async fn start() -> SmtpSink {
        SmtpSink::listen(None).await
    }

    /// Offering STARTTLS with `tls`'s certificate, and requiring it before any mail.
    pub async fn start_with_starttls(tls: TlsAcceptor) -> SmtpSink {
        SmtpSink::listen(Some(tls)).await
    }

    async fn listen(tls: Option<TlsAcceptor>) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let inbox = Inbox::default();
        let server = tokio::spawn({
            let inbox = inbox.clone();
            async move {
                // Dropped with the server's task, the set ends every connection still open.
                let mut connections = JoinSet::new();
                while let Ok((tcp, _)) = listener.accept().await {
                    while connections.try_join_next().is_some() {}
                    connections.spawn(serve(tcp, tls.clone(), inbox.clone()));
                }
            }
        });
        SmtpSink { port, inbox, server }
    }

    /// Every message received, in the order received.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").clone()
    }

    /// Every message received, as text.
    pub fn messages(&self) -> Vec<String> {
        self.received().into_iter().map(|m| m.data).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tls {
    /// Not offered.
    None,
    /// Offered, and required before MAIL.
    Offered,
    /// The connection is encrypted.
    Started,
}

/// One client's connection: the conversation, and after STARTTLS the rest of it over TLS.
async fn serve(tcp: TcpStream, acceptor: Option<TlsAcceptor>, inbox: Inbox) {
    let offered = if acceptor.is_some() { Tls::Offered } else { Tls::None };
    let Ok(Some(tcp)) = converse(tcp, offered, &inbox).await else { return };
    let Some(acceptor) = acceptor else { return };
    // A client that does not trust the certificate ends the handshake, and the connection.
    let Ok(tls) = acceptor.accept(tcp).await else { return };
    let _ = converse(tls, Tls::Started, &inbox).await;
}

/// One SMTP conversation on `stream`, until QUIT or the client hangs up; `Some(stream)` when
/// the client is to start TLS on it (the 220 said).
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(stream: S, tls: Tls, inbox: &Inbox) -> std::io::Result<Option<S>> {
    let mut stream = BufReader::new(stream);
    if tls != Tls::Started {
        reply(&mut stream, "220 127.0.0.1 ESMTP ready").await?;
    }
    // After STARTTLS the client starts over with EHLO (RFC 3207, 4.2).
    let mut greeted = false;
    // The sender and the recipients of the mail under way.
    let mut envelope: Option<(String, Vec<String>)> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let command = text.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let verb = verb.to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => {
                greeted = true;
                envelope = None;
                let mut lines = vec!["250-127.0.0.1", "250-8BITMIME", "250-SMTPUTF8"];
                if tls == Tls::Offered {
                    lines.push("250-STARTTLS");
                }
                lines.push("250 HELP");
                lines.join("\r\n")
            }
            "HELO" => {
                greeted = true;
                envelope = None;
                "250 127.0.0.1".to_owned()
            }
            "STARTTLS" if tls == Tls::Offered => {
                if !argument.is_empty() {
                    "501 5.5.4 Syntax: STARTTLS".to_owned()
                } else if !stream.buffer().is_empty() {
                    // Commands sent before the handshake would be lost to it.
                    reply(&mut stream, "554 5.5.0 Pipelining before the TLS handshake").await?;
                    return Ok(None);
                } else {
                    reply(&mut stream, "220 2.0.0 Ready to start TLS").await?;
                    return Ok(Some(stream.into_inner()));
                }
            }
            "MAIL" | "RCPT" | "DATA" if tls == Tls::Offered => {
                "530 5.7.0 Must issue a STARTTLS command first".to_owned()
            }
            "MAIL" if !greeted => "503 5.5.1 Send EHLO first".to_owned(),
            "MAIL" if envelope.is_some() => "503 5.5.1 Nested MAIL command".to_owned(),
            "MAIL" => match address(argument, "FROM:") {
                Some(from) => {
                    envelope = Some((from, Vec::new()));
                    "250 2.1.0 OK".to_owned()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".to_owned(),
            },
            "RCPT" => match (envelope.as_mut(), address(argument, "TO:")) {
                (None, _) => "503 5.5.1 Need MAIL first".to_owned(),
                (Some(_), None) => "501 5.5.4 Syntax: RCPT TO:<address>".to_owned(),
                (Some((_, to)), Some(recipient)) => {
                    to.push(recipient);
                    "250 2.1.5 OK".to_owned()
                }
            },
            "DATA" => match envelope.take() {
                Some((from, to)) if !to.is_empty() => {
                    reply(&mut stream, "354 End data with <CR><LF>.<CR><LF>").await?;
                    let Some(data) = data(&mut stream).await? else { return Ok(None) };
                    inbox.lock().expect("inbox").push(Received { from, to, data });
                    "250 2.0.0 OK: queued".to_owned()
                }
                kept => {
                    envelope = kept;
                    "503 5.5.1 Need RCPT first".to_owned()
                }
            },
            "RSET" => {
                envelope = None;
                "250 2.0.0 OK".to_owned()
            }
            "NOOP" => "250 2.0.0 OK".to_owned(),
            "QUIT" => {
                reply(&mut stream, "221 2.0.0 Bye").await?;
                return Ok(None);
            }
            _ => "500 5.5.2 Command not recognized".to_owned(),
        };
        reply(&mut stream, &answer).await?;
    }
}

/// The address in `<…>` after `keyword` (`FROM:`, `TO:`), parameters after it ignored.
fn address(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = argument[keyword.len()..].trim_start().strip_prefix('<')?;
    let end = path.find('>')?;
    Some(path[..end].to_owned())
}

/// The lines up to the one holding only a dot, each leading dot taken off; `None` when the
/// client hangs up before it.
async fn data<S: AsyncRead + Unpin>(stream: &mut BufReader<S>) -> std::io::Result<Option<String>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&data).into_owned()));
        }
        data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
    }
}

async fn reply<S: AsyncWrite + Unpin>(stream: &mut S, text: &str) -> std::io::Result<()> {
    stream.write_all(format!("{text}\r\n").as_bytes()).await?;
    stream.flush().await
}

/// The server itself, spoken to line by line: the order of the commands is kept, RSET forgets
/// the mail under way, and a line of the data that starts with a dot loses that dot.
pub async fn the_smtp_sink_keeps_a_message_as_it_was_meant() {
    let sink = SmtpSink::start().await;
    let tcp = TcpStream::connect(("127.0.0.1", sink.port)).await.expect("connect");
    let mut client = BufReader::new(tcp);
    assert_eq!(say(&mut client, "").await, "220", "the greeting");
    assert_eq!(say(&mut client, "MAIL FROM:<a@example.go.id>").await, "503", "not before EHLO");
    assert_eq!(say(&mut client, "EHLO client.example.go.id").await, "250");
    assert_eq!(say(&mut client, "NOOP").await, "250");
    assert_eq!(say(&mut client, "RCPT TO:<b@example.go.id>").await, "503", "not before MAIL");
    assert_eq!(say(&mut client, "MAIL FROM:<forgotten@example.go.id>").await, "250");
    assert_eq!(say(&mut client, "RSET").await, "250");
    assert_eq!(say(&mut client, "DATA").await, "503", "RSET forgot the mail");
    assert_eq!(say(&mut client, "mail from:<a@example.go.id> BODY=8BITMIME").await, "250");
    assert_eq!(say(&mut client, "RCPT TO:<b@example.go.id>").await, "250");
    assert_eq!(say(&mut client, "RCPT TO:<c@example.go.id>").await, "250");
    assert_eq!(say(&mut client, "DATA").await, "354");
    assert_eq!(say(&mut client, "Subject: titik\r\n\r\n..awal\r\n.").await, "250");
    assert_eq!(say(&mut client, "STARTTLS").await, "500", "not offered without a certificate");
    assert_eq!(say(&mut client, "QUIT").await, "221");
    let received = sink.received();
    assert_eq!(received.len(), 1, "the mail reset is not kept");
    assert_eq!(received[0].from, "a@example.go.id");
    assert_eq!(received[0].to, ["b@example.go.id", "c@example.go.id"]);
    assert_eq!(received[0].data, "Subject: titik\r\n\r\n.awal\r\n", "the leading dot taken off");
}

/// Sends `line` (nothing when empty) and returns the code of the reply, after its
/// continuation lines.
async fn say(client: &mut BufReader<TcpStream>, line: &str) -> String {
    if !line.is_empty() {
        client.write_all(format!("{line}\r\n").as_bytes()).await.expect("write");
    }
    let mut reply = String::new();
    loop {
        reply.clear();
        client.read_line(&mut reply).await.expect("read");
        if reply.as_bytes().get(3) != Some(&b'-') {
            return reply.get(..3).expect("a reply code").to_owned();
        }
    }
}
