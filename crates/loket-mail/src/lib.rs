//! The outbox sender (SOP steps 11 and 12): each due mail of `mail_outbox` is claimed by one
//! instance, sent over SMTP (lettre with rustls: STARTTLS, TLS or plain, as the office set it),
//! with the consultation form attached as PDF, a Message-ID of its own and
//! `Auto-Submitted: auto-generated`. A mail the server takes is `sent` (an escalation's step 11
//! ends); one it does not take stays pending with its error, and is tried again later (backoff).

pub mod imap;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use loket_domain::escalation::MailKind;
use loket_domain::mail::{MailSettings, SmtpSecurity, next_attempt};
use loket_domain::outbound::{self, PrinterAddresses, Purpose};
use loket_store::{OutboxMail, Store};

/// How long a claimed mail is held by its sender before another may take it.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// How many mails one pass claims.
const BATCH: u32 = 20;
/// How often `loket serve` looks for due mail.
pub const EVERY: Duration = Duration::from_secs(5);

/// `Auto-Submitted: auto-generated` (RFC 3834): auto-responders do not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// Why a mail was not sent: `short` in Loket's own words, kept with the mail and shown to staff
/// (`last_error`); `detail` as the system or the server said it, for the log only (a server's
/// reply is its own text, and an address scan's answers must not reach a page).
#[derive(Debug, Clone)]
struct Failure {
    short: String,
    detail: String,
}

impl Failure {
    fn new(short: impl Into<String>, detail: impl std::fmt::Display) -> Failure {
        Failure { short: short.into(), detail: detail.to_string() }
    }

    /// A failure whose text is Loket's own (nothing from outside in it).
    fn own(text: String) -> Failure {
        Failure { short: text.clone(), detail: text }
    }
}

/// The addresses a mail server's name resolves to that Loket may connect to (never link-local
/// or metadata ones: [`loket_domain::outbound`]).
pub async fn resolve(host: &str, port: u16) -> Result<Vec<std::net::SocketAddr>, String> {
    let resolved = tokio::net::lookup_host((host, port)).await.map_err(|e| format!("unknown host ({e})"))?;
    outbound::allowed(resolved, Purpose::Mail, PrinterAddresses::Network)
        .map_err(|refusal| format!("address not allowed ({})", refusal.code()))
}

/// The first words of a resolution error, Loket's own, without the system's text behind them.
fn short_of(error: &str) -> &str {
    error.split(" (").next().unwrap_or(error)
}

/// An SMTP error as staff are told it: what went wrong, and the reply's code, never its text.
fn smtp_short(e: &lettre::transport::smtp::Error) -> String {
    // The causes behind the error: an I/O error, and a TLS error inside one (STARTTLS).
    let mut io = None;
    let mut tls = false;
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(i) = c.downcast_ref::<std::io::Error>() {
            io = io.or(Some(i.kind()));
            tls |= i.get_ref().is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>());
        }
        tls |= c.is::<tokio_rustls::rustls::Error>();
        cause = c.source();
    }
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_tls() || tls {
        "TLS failed".to_owned()
    } else if let Some(code) = e.status() {
        format!("refused by the server ({code})")
    } else if io == Some(std::io::ErrorKind::ConnectionRefused) {
        "connection refused".to_owned()
    } else {
        "connection failed".to_owned()
    };
    format!("SMTP: {what}")
}

/// The SMTP transport the office set, to an address of its server Loket may connect to.
async fn transport(mail: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, Failure> {
    let host = mail.smtp_host.as_str();
    let address =
        resolve(host, mail.smtp_port).await.map_err(|e| Failure::new(format!("SMTP: {}", short_of(&e)), &e))?;
    let tls = || {
        let mut builder = TlsParameters::builder(host.to_owned());
        if !mail.smtp_ca_pem.trim().is_empty() {
            let ca = Certificate::from_pem(mail.smtp_ca_pem.as_bytes())
                .map_err(|e| Failure::new("SMTP: TLS failed (the extra CA)", e))?;
            builder = builder.add_root_certificate(ca);
        }
        builder.build_rustls().map_err(|e| Failure::new("SMTP: TLS failed", e))
    };
    let tls = match mail.smtp_security {
        SmtpSecurity::Starttls => Tls::Required(tls()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls()?),
        SmtpSecurity::Plain => Tls::None,
    };
    // Connected to by its checked address; TLS still checks the certificate against the name.
    let first = address.first().ok_or_else(|| Failure::own("SMTP: unknown host".to_owned()))?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(first.ip().to_string())
        .port(first.port())
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    if !mail.smtp_username.is_empty() {
        let password = mail.smtp_password.clone().unwrap_or_default();
        builder = builder.credentials(Credentials::new(mail.smtp_username.clone(), password));
    }
    Ok(builder.build())
}

/// The message of an outbox mail, with the form attached when it asks for it.
fn message(mail: &OutboxMail, from: &str, form: Option<(String, Vec<u8>)>) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender {from}: {e}"))?;
    let to: Mailbox = mail.to.parse().map_err(|e| format!("recipient {}: {e}", mail.to))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(mail.message_id.clone())
        .header(AutoSubmitted);
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.body.clone());
    let built = match form {
        Some((name, pdf)) => {
            let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(Attachment::new(name).body(pdf, pdf_type)))
        }
        None => builder.singlepart(text),
    };
    built.map_err(|e| format!("the message cannot be made: {e}"))
}

/// The form of the mail's visit as PDF, named for its reference.
async fn form(store: &dyn Store, mail: &OutboxMail, now: DateTime<Utc>) -> Result<Option<(String, Vec<u8>)>, String> {
    let Some(visit_id) = mail.visit_id.as_deref().filter(|_| mail.attach_form) else { return Ok(None) };
    let visit = store.visit(visit_id).await.map_err(|e| e.to_string())?.ok_or("the visit is gone")?;
    let settings = store.settings().await.map_err(|e| e.to_string())?;
    let logo = store.office_logo().await.map_err(|e| e.to_string())?;
    let name = format!("formulir-{}.pdf", visit.reference);
    // The visitor's copy is the document fixed when it was given, byte for byte (its SHA-256 is
    // on the copy's event); the archive keeps the same bytes.
    let given = visit.copy.as_ref().and_then(|c| c.document.as_ref()).filter(|_| mail.kind == MailKind::Copy.as_str());
    if let Some(given) = given {
        let document = store.archived_document(visit_id, Some(given.version)).await.map_err(|e| e.to_string())?;
        let document = document.ok_or("the copy's document is gone")?;
        return Ok(Some((name, document.content)));
    }
    // LKPP gets the original only: the visitor's copy carries their one-time survey link.
    let for_lkpp = mail.kind == MailKind::Escalation.as_str();
    let pdf = tokio::task::spawn_blocking(move || {
        let cx = loket_documents::FormContext { settings: &settings, now, stamp: None, logo: logo.as_deref() };
        if for_lkpp { loket_documents::original_pdf(&visit, &cx) } else { loket_documents::form_pdf(&visit, &cx) }
    })
    .await
    .map_err(|e| e.to_string())??;
    Ok(Some((name, pdf)))
}

/// One pass: every due mail claimed, sent, and marked. Returns how many were sent. Nothing is
/// sent while no SMTP server is set: the mail waits.
pub async fn send_due(store: &dyn Store, now: DateTime<Utc>) -> loket_store::Result<usize> {
    let settings = store.settings().await?;
    if !settings.mail.configured() {
        return Ok(0);
    }
    let claimed = store.claim_mail(now, now + LEASE, BATCH).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let transport = transport(&settings.mail).await;
    let mut sent = 0;
    for mail in claimed {
        let outcome = async {
            let transport = transport.as_ref().map_err(Clone::clone)?;
            let form = form(store, &mail, now).await.map_err(Failure::own)?;
            let message = message(&mail, &settings.mail.from_address, form).map_err(Failure::own)?;
            transport.send(message).await.map_err(|e| Failure::new(smtp_short(&e), format!("SMTP: {e}")))?;
            Ok::<(), Failure>(())
        }
        .await;
        match outcome {
            Ok(()) => {
                store.mail_sent(&mail.id, now).await?;
                sent += 1;
                tracing::info!(mail = ?mail.id, kind = ?mail.kind, "mail sent");
            }
            Err(failure) => {
                let failures = u32::try_from(mail.attempts + 1).unwrap_or(u32::MAX);
                store.mail_failed(&mail.id, &failure.short, next_attempt(failures, now)).await?;
                // The detail quotes the SMTP server's reply, or an address as typed: escaped.
                tracing::warn!(mail = ?mail.id, error = ?failure.detail, "mail not sent; tried again later");
            }
        }
    }
    Ok(sent)
}

/// Sends due mail every `every`, for as long as the app runs.
pub fn spawn(store: Arc<dyn Store>, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = send_due(store.as_ref(), Utc::now()).await {
                tracing::error!(error = ?e.to_string(), "the outbox could not be read");
            }
        }
    });
}
