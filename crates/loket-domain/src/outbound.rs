//! Where Loket may connect out to: the desks' ticket printers, the SMTP server, the mailbox. An
//! address typed into the settings is not to be trusted with the server's own network: a
//! printer at `169.254.169.254:80` or `127.0.0.1:5432` would make Loket a port scanner (an open
//! port prints, a closed one fails) that sends its bytes wherever it is told.
//!
//! The rule, checked on every address a name resolves to, just before connecting:
//! - never a link-local address (`169.254.0.0/16`, where clouds answer with their metadata, and
//!   `fe80::/10`), the unspecified address, a multicast or broadcast one, or the IPv6 metadata
//!   address `fd00:ec2::254`, for anything;
//! - for a printer, also never the server itself (loopback) and only the raw printing ports
//!   9100-9109, unless the server was started allowing any printer address (a printer served
//!   through a local spooler, or a test).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// What the connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Printer,
    Mail,
}

/// Which printer addresses the server was started to allow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrinterAddresses {
    /// Not the server itself, ports 9100-9109 only.
    #[default]
    Network,
    /// Any port, loopback included (never link-local or metadata).
    Any,
}

/// The raw printing ports (JetDirect, `9100` and its neighbours for a printer's other inputs).
pub const PRINTER_PORTS: std::ops::RangeInclusive<u16> = 9100..=9109;

/// Why an address is refused; `code` is the short reason staff see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Link-local, metadata, unspecified, multicast or broadcast.
    NotAHost,
    /// The server itself, for a printer.
    Loopback,
    /// A port outside [`PRINTER_PORTS`], for a printer.
    NotAPrinterPort,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotAHost => "address_not_allowed",
            Refusal::Loopback => "loopback_not_allowed",
            Refusal::NotAPrinterPort => "port_not_allowed",
        }
    }
}

/// Whether Loket may connect to `address` for `purpose`.
pub fn check(address: SocketAddr, purpose: Purpose, printers: PrinterAddresses) -> Result<(), Refusal> {
    let ip = canonical(address.ip());
    if never(ip) {
        return Err(Refusal::NotAHost);
    }
    if purpose == Purpose::Printer && printers == PrinterAddresses::Network {
        if ip.is_loopback() {
            return Err(Refusal::Loopback);
        }
        if !PRINTER_PORTS.contains(&address.port()) {
            return Err(Refusal::NotAPrinterPort);
        }
    }
    Ok(())
}

/// The addresses a name resolved to that Loket may connect to, in their order; when none may,
/// the first one's refusal (a name that resolves to nothing is the caller's error).
pub fn allowed(
    resolved: impl IntoIterator<Item = SocketAddr>,
    purpose: Purpose,
    printers: PrinterAddresses,
) -> Result<Vec<SocketAddr>, Refusal> {
    let mut first = None;
    let mut ok = Vec::new();
    for address in resolved {
        match check(address, purpose, printers) {
            Ok(()) => ok.push(address),
            Err(refusal) => {
                first.get_or_insert(refusal);
            }
        }
    }
    match first {
        Some(refusal) if ok.is_empty() => Err(refusal),
        _ => Ok(ok),
    }
}

/// An address typed in, as far as it can be judged before it is resolved: an IP literal that
/// is never a host is refused at once (the settings' check); a name is judged once resolved.
pub fn typed_host_allowed(host: &str) -> bool {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().map_or(true, |ip| !never(canonical(ip)))
}

/// An IPv4 address written as IPv6 (`::ffff:169.254.169.254`) is judged as itself.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn never(ip: IpAddr) -> bool {
    const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);
    match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast(),
        IpAddr::V6(v6) => {
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80 || v6 == AWS_METADATA_V6
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn link_local_and_metadata_are_refused_for_everything() {
        for bad in [
            "169.254.169.254:80",
            "[fe80::1]:25",
            "0.0.0.0:9100",
            "[::]:9100",
            "224.0.0.1:9100",
            "255.255.255.255:9100",
            "[fd00:ec2::254]:80",
            "[::ffff:169.254.169.254]:80",
        ] {
            for purpose in [Purpose::Printer, Purpose::Mail] {
                assert_eq!(check(at(bad), purpose, PrinterAddresses::Any), Err(Refusal::NotAHost), "{bad}");
            }
        }
        assert!(!typed_host_allowed("169.254.169.254"));
        assert!(!typed_host_allowed("[fe80::1]"));
        assert!(typed_host_allowed("printer.lan"), "a name is judged once resolved");
        assert!(typed_host_allowed("192.168.1.50"));
    }

    #[test]
    fn a_printer_is_on_the_network_at_a_printing_port_unless_allowed() {
        let network = PrinterAddresses::Network;
        assert_eq!(check(at("192.168.1.50:9100"), Purpose::Printer, network), Ok(()));
        assert_eq!(check(at("192.168.1.50:9109"), Purpose::Printer, network), Ok(()));
        assert_eq!(check(at("192.168.1.50:80"), Purpose::Printer, network), Err(Refusal::NotAPrinterPort));
        assert_eq!(check(at("127.0.0.1:9100"), Purpose::Printer, network), Err(Refusal::Loopback));
        assert_eq!(check(at("[::1]:9100"), Purpose::Printer, network), Err(Refusal::Loopback));
        assert_eq!(check(at("127.0.0.1:5432"), Purpose::Printer, PrinterAddresses::Any), Ok(()));
        assert_eq!(check(at("127.0.0.1:25"), Purpose::Mail, network), Ok(()), "a local mail relay is common");
        // A name that resolves to a forbidden address and a good one: only the good one is used.
        let resolved = [at("169.254.169.254:9100"), at("10.0.0.9:9100")];
        assert_eq!(allowed(resolved, Purpose::Printer, network), Ok(vec![at("10.0.0.9:9100")]));
        assert_eq!(allowed([at("127.0.0.1:9100")], Purpose::Printer, network), Err(Refusal::Loopback));
    }
}
