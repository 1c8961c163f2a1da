//! The mailbox reader: LKPP's answers to escalations, read by IMAP (TLS, STARTTLS or plain, as
//! the office set it). Each unread mail is parsed and handed to the store, which takes it once
//! (however many instances read the mailbox) and decides, by the domain's rules, whether it is
//! LKPP's answer, or only names an open escalation (then it is kept as an unmatched mail for a
//! supervisor). An answer, an auto-reply and a kept mail are then marked as read; a mail that
//! names no open escalation stays unread, for a person to look at.
//!
//! Everything a mail or a server says is logged escaped (tracing's `?`, Debug): a subject with a
//! line break or a terminal escape cannot forge a log line or clear a screen.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_imap::Client;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use loket_domain::inbox::{ImapSettings, IncomingMail, ReplyOutcome};
use loket_domain::mail::SmtpSecurity;
use loket_store::Store;
use mail_parser::{HeaderValue, MessageParser};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// How long one step with the server (connecting, a command) may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How many unread mails one poll reads, oldest first; the rest wait for the next poll.
const BATCH: usize = 50;

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Polled {
    /// LKPP's answers recorded.
    pub answered: usize,
    pub auto_replies: usize,
    /// Mails that name an open escalation but are not plainly LKPP's answer: kept as unmatched
    /// mails for a supervisor (marked read).
    pub kept: usize,
    /// Mails that named no open escalation (left unread).
    pub unmatched: usize,
    /// Mails another instance (or an earlier poll) took.
    pub already_taken: usize,
}

/// A mail as read from the server: the mailbox's UID and its bytes.
struct Fetched {
    uid: u32,
    raw: Vec<u8>,
}

/// One poll of the mailbox, when the office enabled it: every unread mail fetched (without
/// marking it), parsed, and taken by the store. Errors of the server or the connection come back
/// as text, for the log.
pub async fn poll(store: &dyn Store, now: DateTime<Utc>) -> Result<Polled, String> {
    let settings = store.settings().await.map_err(|e| e.to_string())?;
    let imap = &settings.imap;
    if !imap.enabled || imap.host.is_empty() {
        return Ok(Polled::default());
    }
    let addresses = within(crate::resolve(imap.host.as_str(), imap.port)).await?;
    let tcp = within(TcpStream::connect(&addresses[..])).await?;
    match imap.security {
        SmtpSecurity::Plain => session(store, imap, greeted(Client::new(tcp)).await?, now).await,
        SmtpSecurity::Tls => {
            let tls = within(tls_connector(imap)?.connect(server_name(imap)?, tcp)).await?;
            session(store, imap, greeted(Client::new(tls)).await?, now).await
        }
        SmtpSecurity::Starttls => {
            let mut client = greeted(Client::new(tcp)).await?;
            within(client.run_command_and_check_ok("STARTTLS", None)).await?;
            let tcp = client.into_inner();
            let tls = within(tls_connector(imap)?.connect(server_name(imap)?, tcp)).await?;
            session(store, imap, Client::new(tls), now).await
        }
    }
}

/// Runs one step with the server, within [`TIMEOUT`].
async fn within<T, E: std::fmt::Display>(step: impl Future<Output = Result<T, E>>) -> Result<T, String> {
    match tokio::time::timeout(TIMEOUT, step).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("IMAP: {e}")),
        Err(_) => Err("IMAP: the server did not answer in time".into()),
    }
}

/// TLS with the public roots, and the office's extra CA when it set one.
fn tls_connector(imap: &ImapSettings) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if !imap.ca_pem.trim().is_empty() {
        for cert in CertificateDer::pem_slice_iter(imap.ca_pem.as_bytes()) {
            let cert = cert.map_err(|e| format!("TLS: the extra CA: {e}"))?;
            roots.add(cert).map_err(|e| format!("TLS: the extra CA: {e}"))?;
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

fn server_name(imap: &ImapSettings) -> Result<ServerName<'static>, String> {
    ServerName::try_from(imap.host.clone()).map_err(|e| format!("TLS: {}: {e}", imap.host))
}

/// The client once the server's greeting is read.
async fn greeted<T: AsyncRead + AsyncWrite + Unpin + Debug + Send>(mut client: Client<T>) -> Result<Client<T>, String> {
    match within(client.read_response()).await? {
        Some(_) => Ok(client),
        None => Err("IMAP: the server closed the connection".into()),
    }
}

async fn session<T: AsyncRead + AsyncWrite + Unpin + Debug + Send>(
    store: &dyn Store,
    imap: &ImapSettings,
    client: Client<T>,
    now: DateTime<Utc>,
) -> Result<Polled, String> {
    let password = imap.password.clone().unwrap_or_default();
    let login = tokio::time::timeout(TIMEOUT, client.login(&imap.username, &password)).await;
    let mut session = match login {
        Ok(Ok(session)) => session,
        Ok(Err((e, _))) => return Err(format!("IMAP login: {e}")),
        Err(_) => return Err("IMAP: the server did not answer in time".into()),
    };
    within(session.select(imap.mailbox.trim())).await?;
    let mut uids: Vec<u32> = within(session.uid_search("UNSEEN")).await?.into_iter().collect();
    uids.sort_unstable();
    uids.truncate(BATCH);
    let mut fetched = Vec::new();
    if !uids.is_empty() {
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let stream = within(session.uid_fetch(&set, "(UID BODY.PEEK[])")).await?;
        let fetches: Vec<_> = within(stream.try_collect::<Vec<_>>()).await?;
        for f in fetches {
            if let (Some(uid), Some(raw)) = (f.uid, f.body()) {
                fetched.push(Fetched { uid, raw: raw.to_vec() });
            }
        }
    }
    let mut polled = Polled::default();
    let mut done = Vec::new();
    for mail in fetched {
        let Some(parsed) = parse(&mail.raw, &format!("uid:{}:{}", imap.mailbox.trim(), mail.uid)) else {
            tracing::warn!(uid = mail.uid, "a mail in the mailbox could not be read; left unread");
            continue;
        };
        let (subject, from) = (parsed.subject.clone(), parsed.from.clone());
        let outcome = store.take_reply(parsed, now).await.map_err(|e| e.to_string())?;
        match &outcome {
            ReplyOutcome::Answered { reference, .. } => {
                polled.answered += 1;
                tracing::info!(reference = ?reference, from = ?from.as_deref().unwrap_or_default(), "LKPP's answer read from the mailbox");
            }
            ReplyOutcome::AutoReply => polled.auto_replies += 1,
            ReplyOutcome::AlreadyTaken => polled.already_taken += 1,
            ReplyOutcome::Kept { reference, doubt, .. } => {
                polled.kept += 1;
                tracing::warn!(
                    uid = mail.uid,
                    reference = ?reference,
                    doubt = doubt.as_str(),
                    from = ?from.as_deref().unwrap_or_default(),
                    subject = ?subject,
                    "a mail names an open escalation but is not plainly LKPP's answer; kept for a supervisor"
                );
            }
            ReplyOutcome::Unmatched | ReplyOutcome::NotOpen { .. } => {
                polled.unmatched += 1;
                tracing::warn!(
                    uid = mail.uid,
                    from = ?from.as_deref().unwrap_or_default(),
                    subject = ?subject,
                    outcome = outcome.as_str(),
                    "a mail names no open escalation; left unread"
                );
            }
        }
        if outcome.done_with() {
            done.push(mail.uid.to_string());
        }
    }
    if !done.is_empty() {
        let stream = within(session.uid_store(done.join(","), "+FLAGS.SILENT (\\Seen)")).await?;
        within(stream.try_collect::<Vec<_>>()).await?;
    }
    let _ = within(session.logout()).await;
    Ok(polled)
}

/// The ids a header names (`In-Reply-To`, `References`), without angle brackets.
fn ids(value: &HeaderValue) -> Vec<String> {
    value.as_text_list().map(|ids| ids.iter().map(|s| s.to_string()).collect()).unwrap_or_default()
}

/// A mail as the domain reads it; `fallback_key` names it when it has no Message-ID.
pub fn parse(raw: &[u8], fallback_key: &str) -> Option<IncomingMail> {
    let message = MessageParser::default().parse(raw)?;
    let message_id = message.message_id().map(|id| format!("<{id}>"));
    let mut replies_to = ids(message.in_reply_to());
    replies_to.extend(ids(message.references()));
    let headers = message
        .headers_raw()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    Some(IncomingMail {
        key: message_id.clone().unwrap_or_else(|| fallback_key.to_owned()),
        message_id,
        replies_to,
        subject: message.subject().unwrap_or_default().to_owned(),
        from: message.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned),
        text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        headers,
    })
}

/// Reads the mailbox every `poll_seconds` of the office's settings (read again each time), for as
/// long as the app runs.
pub fn spawn(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        loop {
            let every = match store.settings().await {
                Ok(s) => u64::from(s.imap.poll_seconds.max(30)),
                Err(_) => 300,
            };
            match poll(store.as_ref(), Utc::now()).await {
                Ok(p) if p != Polled::default() => tracing::info!(?p, "mailbox read"),
                Ok(_) => {}
                // The error may quote the server's reply: escaped.
                Err(error) => tracing::warn!(error = ?error, "the mailbox could not be read; tried again later"),
            }
            tokio::time::sleep(Duration::from_secs(every)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_read_with_its_threading_headers() {
        let raw = b"From: Helpdesk LKPP <helpdesk@lkpp.go.id>\r\nTo: loket@lpse.go.id\r\n\
            Subject: Re: [20261128-0007] Eskalasi\r\nMessage-ID: <r1@lkpp.go.id>\r\n\
            In-Reply-To: <20261128-0007.abc@loket>\r\nReferences: <x@y> <20261128-0007.abc@loket>\r\n\
            Auto-Submitted: no\r\n\r\nSudah dibuka.\r\n";
        let mail = parse(raw, "uid:INBOX:1").unwrap();
        assert_eq!(mail.key, "<r1@lkpp.go.id>");
        assert_eq!(mail.replies_to, ["20261128-0007.abc@loket", "x@y", "20261128-0007.abc@loket"]);
        assert_eq!(mail.from.as_deref(), Some("helpdesk@lkpp.go.id"));
        assert_eq!(mail.subject_reference().as_deref(), Some("20261128-0007"));
        assert!(!mail.is_auto_reply());
        assert_eq!(mail.answer_text(), "Sudah dibuka.");
        let no_id = parse(b"Subject: x\r\n\r\nbody", "uid:INBOX:9").unwrap();
        assert_eq!(no_id.key, "uid:INBOX:9");
    }
}
