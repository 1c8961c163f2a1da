//! The queue ticket on an ESC/POS receipt printer on the LAN (raw TCP, port 9100): the few
//! commands a ticket needs, written here (see docs/decisions.md), and sent with a short timeout
//! so that a printer that does not answer never holds the front office up.

use std::io::ErrorKind;
use std::time::Duration;

use loket_domain::outbound::{self, PrinterAddresses, Purpose, Refusal};
use tokio::io::AsyncWriteExt;

/// How long the front office waits for a printer to take a ticket.
pub const TIMEOUT: Duration = Duration::from_secs(3);

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;

/// What a ticket says.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub office_name: String,
    pub service: String,
    pub number: String,
    /// `28-11-2026 09:15`.
    pub issued: String,
    /// "Menunggu di depan Anda: 3".
    pub ahead: String,
    pub instructions: String,
    /// The status page's address on the office's public address, in the QR code; none when the
    /// office has not set its public address.
    pub status_url: Option<String>,
    /// Under the QR code: "scan to see your place", or that the ticket has no link.
    pub scan: String,
}

/// Text the printer's basic code page can print: ASCII, other characters as `?`.
fn ascii(text: &str) -> Vec<u8> {
    text.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c as u8 } else { b'?' }).collect()
}

/// The QR code commands (`GS ( k`, model 2): size, error correction M, store the data, print.
pub fn qr_code(data: &str) -> Vec<u8> {
    let data = ascii(data);
    let len = data.len() + 3;
    let (pl, ph) = ((len % 256) as u8, (len / 256) as u8);
    let mut out = vec![
        GS, b'(', b'k', 4, 0, 0x31, 0x41, 0x32, 0x00, // model 2
        GS, b'(', b'k', 3, 0, 0x31, 0x43, 0x06, // module size 6
        GS, b'(', b'k', 3, 0, 0x31, 0x45, 0x31, // error correction M
        GS, b'(', b'k', pl, ph, 0x31, 0x50, 0x30, // store
    ];
    out.extend(data);
    out.extend([GS, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]); // print
    out
}

/// The bytes of one ticket: centred, the number in large type, the QR code, then a cut.
pub fn ticket_bytes(t: &Ticket) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b'a', 1];
    let line = |out: &mut Vec<u8>, text: &str| {
        out.extend(ascii(text));
        out.push(b'\n');
    };
    out.extend([ESC, b'E', 1]);
    line(&mut out, &t.office_name);
    out.extend([ESC, b'E', 0]);
    line(&mut out, &t.service);
    out.extend([GS, b'!', 0x33]); // four times as wide and high
    line(&mut out, &t.number);
    out.extend([GS, b'!', 0x00]);
    line(&mut out, &t.issued);
    line(&mut out, &t.ahead);
    out.push(b'\n');
    if let Some(url) = &t.status_url {
        out.extend(qr_code(url));
        out.push(b'\n');
    }
    line(&mut out, &t.scan);
    line(&mut out, &t.instructions);
    out.extend([ESC, b'd', 4, GS, b'V', 66, 0]); // feed, then cut
    out
}

/// Why a ticket did not print. Its text is short and Loket's own (staff see it); the system's
/// error behind it goes to the log only.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("timed out")]
    Timeout(Duration),
    /// The address is one Loket does not print to (see [`loket_domain::outbound`]).
    #[error("address not allowed ({})", .0.code())]
    NotAllowed(Refusal),
    #[error("{}", short_io(.0))]
    Io(#[from] std::io::Error),
}

/// An I/O error as staff are told it.
fn short_io(e: &std::io::Error) -> &'static str {
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => "connection closed",
        ErrorKind::TimedOut => "timed out",
        ErrorKind::NotFound | ErrorKind::InvalidInput => "unknown host",
        _ => "connection failed",
    }
}

/// Sends the ticket to the printer at `address` (`host:port`), once the name is resolved and
/// an address it gives is one Loket may print to.
pub async fn print(
    address: &str,
    ticket: &Ticket,
    timeout: Duration,
    printers: PrinterAddresses,
) -> Result<(), PrintError> {
    let bytes = ticket_bytes(ticket);
    let send = async {
        let resolved = tokio::net::lookup_host(address).await?;
        let allowed = outbound::allowed(resolved, Purpose::Printer, printers).map_err(PrintError::NotAllowed)?;
        let mut stream = tokio::net::TcpStream::connect(&allowed[..]).await?;
        stream.write_all(&bytes).await?;
        stream.flush().await?;
        stream.shutdown().await?;
        Ok::<(), PrintError>(())
    };
    match tokio::time::timeout(timeout, send).await {
        Ok(result) => result,
        Err(_) => Err(PrintError::Timeout(timeout)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            office_name: "LPSE Kota".into(),
            service: "Konsultasi".into(),
            number: "A-007".into(),
            issued: "28-11-2026 09:15".into(),
            ahead: "Menunggu di depan Anda: 2".into(),
            instructions: "Silakan menunggu.".into(),
            status_url: Some("http://loket.lan/status/abc".into()),
            scan: "Pindai".into(),
        }
    }

    #[test]
    fn a_ticket_starts_with_init_and_ends_with_a_cut() {
        let b = ticket_bytes(&ticket());
        assert!(b.starts_with(&[ESC, b'@']));
        assert!(b.ends_with(&[GS, b'V', 66, 0]));
        assert!(b.windows(5).any(|w| w == b"A-007"));
    }

    #[test]
    fn the_qr_code_stores_the_address_with_its_length() {
        let q = qr_code("http://x/status/t");
        let store = q.windows(3).position(|w| w == [0x31, 0x50, 0x30]).unwrap();
        let (pl, ph) = (q[store - 2], q[store - 1]);
        assert_eq!(usize::from(pl) + 256 * usize::from(ph), "http://x/status/t".len() + 3);
        assert_eq!(&q[store + 3..store + 3 + 17], b"http://x/status/t");
        assert!(q.ends_with(&[GS, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]));
    }

    #[test]
    fn text_beyond_ascii_is_printed_as_question_marks() {
        assert_eq!(ascii("Loket – 1"), b"Loket ? 1");
    }

    #[tokio::test]
    async fn a_printer_that_refuses_is_an_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let refused = print(&address, &ticket(), Duration::from_millis(500), PrinterAddresses::Any).await;
        assert!(matches!(&refused, Err(PrintError::Io(_))), "{refused:?}");
        assert_eq!(refused.err().map(|e| e.to_string()).as_deref(), Some("connection refused"), "short, Loket's own");
        let local = print(&address, &ticket(), Duration::from_millis(500), PrinterAddresses::Network).await;
        assert_eq!(local.err().map(|e| e.to_string()).as_deref(), Some("address not allowed (loopback_not_allowed)"));
    }

    #[tokio::test]
    async fn a_printer_that_does_not_answer_times_out() {
        // A listener that never accepts, its queue full: new connections get no answer at all,
        // as from a printer that is switched off.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let address = socket.local_addr().unwrap();
        let _listener = socket.listen(0).unwrap();
        let mut held = Vec::new();
        while held.len() < 64 {
            match tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(address)).await {
                Ok(Ok(stream)) => held.push(stream),
                _ => break,
            }
        }
        let started = std::time::Instant::now();
        let r = print(&address.to_string(), &ticket(), Duration::from_millis(300), PrinterAddresses::Any).await;
        assert!(matches!(r, Err(PrintError::Timeout(_))), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
