//! LKPP's answer by e-mail (the return of SOP step 11): the office's mailbox is read by IMAP, and
//! a reply to an escalation becomes LKPP's answer on its visit, through the same transition as an
//! answer typed in at the counter ([`crate::visit::Visit::answer_escalation`]).
//!
//! What is decided here: which mailbox is read and how ([`ImapSettings`]), which mail is an
//! auto-reply (never an answer), which visit a reply names (its `In-Reply-To`/`References`, else
//! the bracketed reference in its subject), whether it is LKPP's answer or only claims to be
//! ([`IncomingMail::lkpps_answer`]: LKPP's sender and the escalation's thread, both), what of its
//! text is the answer (quoted lines cut), and LKPP's own ticket number (a pattern the office sets).
//!
//! Anyone can send a mail with `[20261207-0002]` in its subject, and references are counted per
//! day: a mail that names an open escalation but is not plainly LKPP's answer is an *unmatched
//! mail* (surat tak dikenali), kept for a supervisor to confirm or dismiss, never recorded or
//! forwarded to the visitor by itself.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::escalation::EXTERNAL_REFERENCE_MAX;
use crate::mail::SmtpSecurity;
use crate::visit::ANSWER_MAX;

/// What LKPP's ticket numbers look like in a reply, unless the office sets its own: `Tiket`,
/// `Ticket` or `No. Tiket`, then the number (letters, digits, `-`, `/`), e.g. `Nomor tiket:
/// TTS-2026-000123`. The first group, if any, is the number; else the whole match.
pub const DEFAULT_TICKET_PATTERN: &str =
    r"(?i)(?:tiket|ticket)\s*(?:no\.?|nomor|number|id)?\s*[:#]?\s*([A-Z0-9][A-Z0-9/-]{3,})";

/// The longest ticket pattern accepted.
pub const TICKET_PATTERN_MAX: usize = 500;

/// The office's mailbox where LKPP's answers arrive. `password` is write-only: stored, never
/// shown back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ImapSettings {
    /// Off: the mailbox is not read (answers are typed in at the counter).
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    /// `tls` (port 993), `starttls` (143) or `plain` (a test server only).
    pub security: SmtpSecurity,
    pub username: String,
    pub password: Option<String>,
    /// The folder read, `INBOX` unless set.
    pub mailbox: String,
    /// How often the mailbox is read, in seconds (30 to 86400).
    pub poll_seconds: u32,
    /// LKPP's ticket number in a reply: a regular expression; its first group (or the whole match)
    /// is the number. Empty: no number is taken.
    pub ticket_pattern: String,
    /// An extra certificate authority (PEM) trusted for the server's TLS certificate; empty: the
    /// public ones only.
    pub ca_pem: String,
}

impl Default for ImapSettings {
    fn default() -> Self {
        ImapSettings {
            enabled: false,
            host: String::new(),
            port: 993,
            security: SmtpSecurity::Tls,
            username: String::new(),
            password: None,
            mailbox: "INBOX".into(),
            poll_seconds: 300,
            ticket_pattern: DEFAULT_TICKET_PATTERN.into(),
            ca_pem: String::new(),
        }
    }
}

impl ImapSettings {
    /// Checks what an admin gives, field by field. An enabled mailbox needs a host and a user.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let host_ok = self.host.len() <= 253
            && self.host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
            && crate::outbound::typed_host_allowed(&self.host);
        if !host_ok || (self.enabled && self.host.is_empty()) {
            errors.add("host", if host_ok { "missing" } else { "invalid" });
        }
        if self.port == 0 {
            errors.add("port", "invalid");
        }
        if self.username.chars().count() > 254 || self.username.chars().any(char::is_control) {
            errors.add("username", "invalid");
        } else if self.enabled && self.username.trim().is_empty() {
            errors.add("username", "missing");
        }
        if self.password.as_ref().is_some_and(|p| p.chars().count() > 1000 || p.chars().any(char::is_control)) {
            errors.add("password", "invalid");
        }
        let mailbox = self.mailbox.trim();
        if mailbox.is_empty() || mailbox.chars().count() > 200 || mailbox.chars().any(|c| c.is_control() || c == '"') {
            errors.add("mailbox", "invalid");
        }
        if !(30..=86_400).contains(&self.poll_seconds) {
            errors.add("poll_seconds", "invalid");
        }
        if self.ticket_pattern.chars().count() > TICKET_PATTERN_MAX || self.ticket_regex().is_err() {
            errors.add("ticket_pattern", "invalid");
        }
        if !crate::mail::valid_ca_pem(&self.ca_pem) {
            errors.add("ca_pem", "invalid");
        }
        errors.into_result(())
    }

    /// The settings after a change: a change without a password keeps the one stored.
    /// As [`crate::mail::MailSettings::changed_to`]: moving the server (host, port, security or
    /// the extra CA) needs the password again (`password`: `required`).
    pub fn changed_to(&self, mut next: ImapSettings) -> Result<ImapSettings, FieldErrors> {
        if next.password.is_none() && self.password.is_some() {
            let before = (&self.host, self.port, self.security, &self.ca_pem);
            if !crate::mail::same_server(before, (&next.host, next.port, next.security, &next.ca_pem)) {
                return Err(FieldErrors::one("password", "required"));
            }
            next.password = self.password.clone();
        }
        Ok(next)
    }

    /// The ticket pattern compiled; `None` when the office set none.
    pub fn ticket_regex(&self) -> Result<Option<Regex>, regex::Error> {
        if self.ticket_pattern.trim().is_empty() {
            return Ok(None);
        }
        regex::RegexBuilder::new(&self.ticket_pattern).size_limit(1 << 20).build().map(Some)
    }
}

/// A mail read from the mailbox, as the poller parsed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingMail {
    /// What makes the mail one (its `Message-ID`, else the mailbox's own id for it).
    pub key: String,
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, each without its angle brackets.
    pub replies_to: Vec<String>,
    pub subject: String,
    /// The sender's address.
    pub from: Option<String>,
    /// The plain-text body (or the HTML body as text).
    pub text: String,
    /// Every header, its name in lower case.
    pub headers: Vec<(String, String)>,
}

impl IncomingMail {
    fn header(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.trim())
    }

    /// An auto-reply (out of office, a bounce, a list's mail) is never LKPP's answer (RFC 3834:
    /// `Auto-Submitted` other than `no`; the de-facto `X-Autoreply`, `X-Autorespond`,
    /// `Precedence: bulk/junk/list/auto_reply`, `X-Auto-Response-Suppress` of Exchange's own
    /// replies; a delivery report; a mail from the mailer daemon).
    pub fn is_auto_reply(&self) -> bool {
        let lower = |v: &str| v.to_ascii_lowercase();
        self.header("auto-submitted").any(|v| !lower(v).starts_with("no"))
            || self.header("x-autoreply").next().is_some()
            || self.header("x-autorespond").next().is_some()
            || self.header("x-auto-response-suppress").next().is_some()
            || self.header("precedence").any(|v| ["bulk", "junk", "list", "auto_reply"].contains(&lower(v).as_str()))
            || self.header("content-type").any(|v| lower(v).starts_with("multipart/report"))
            || self.header("return-path").any(|v| v == "<>")
            || self.from.as_deref().is_some_and(|f| {
                let f = lower(f);
                f.starts_with("mailer-daemon@") || f.starts_with("postmaster@")
            })
    }

    /// The visit reference our escalation put in brackets in the subject (`[20261128-0007]`).
    pub fn subject_reference(&self) -> Option<String> {
        self.subject.split('[').skip(1).filter_map(|s| s.split_once(']')).map(|(r, _)| r.trim()).find_map(|r| {
            let (day, n) = r.split_once('-')?;
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            (day.len() == 8 && digits(day) && digits(n) && n.len() <= 9).then(|| r.to_owned())
        })
    }

    /// Every `Authentication-Results` header the receiving servers added (SPF, DKIM, DMARC), one a
    /// line, as they came: shown to the supervisor who decides on an unmatched mail. `None`
    /// without any.
    pub fn authentication_results(&self) -> Option<String> {
        let all: Vec<&str> = self.header("authentication-results").collect();
        (!all.is_empty()).then(|| all.join("\n").chars().take(AUTHENTICATION_RESULTS_MAX).collect())
    }

    /// Whether the mail replies in the thread of the escalation mail: its `In-Reply-To` or
    /// `References` names one of `escalation_ids` (the Message-IDs Loket gave the escalation's
    /// mail, with or without angle brackets). Only those who received the escalation know them.
    pub fn in_thread_of(&self, escalation_ids: &[String]) -> bool {
        let bare = |id: &str| id.trim().trim_start_matches('<').trim_end_matches('>').to_ascii_lowercase();
        let ours: Vec<String> = escalation_ids.iter().map(|id| bare(id)).filter(|id| !id.is_empty()).collect();
        self.replies_to.iter().any(|id| ours.contains(&bare(id)))
    }

    /// SOP step 11, the return: a mail is LKPP's answer, to be recorded by itself, only when it
    /// comes from LKPP (the office's LKPP address, or any address of that domain: see
    /// [`from_lkpp`]) *and* replies in the escalation mail's thread. A sender is only a header and
    /// a subject only words anyone can type; the thread is what only LKPP's copy of the
    /// escalation holds. Anything less is [`Doubt`]ful: kept for a supervisor.
    pub fn lkpps_answer(&self, lkpp_email: &str, escalation_ids: &[String]) -> Result<(), Doubt> {
        if !self.from.as_deref().is_some_and(|from| from_lkpp(from, lkpp_email)) {
            return Err(Doubt::Sender);
        }
        if !self.in_thread_of(escalation_ids) {
            return Err(Doubt::Thread);
        }
        Ok(())
    }

    /// The answer in the mail: its text without the quoted mail it replies to, in at most
    /// [`ANSWER_MAX`] characters.
    pub fn answer_text(&self) -> String {
        answer_text(&self.text)
    }

    /// LKPP's ticket number, by the office's pattern: in the subject first, then the answer.
    pub fn lkpp_ticket(&self, pattern: Option<&Regex>) -> Option<String> {
        let pattern = pattern?;
        [self.subject.as_str(), self.text.as_str()].into_iter().find_map(|text| {
            let found = pattern.captures(text)?;
            let m = found.get(1).or_else(|| found.get(0))?;
            let ticket: String = m.as_str().trim().chars().take(EXTERNAL_REFERENCE_MAX).collect();
            (!ticket.is_empty()).then_some(ticket)
        })
    }
}

/// The most of the `Authentication-Results` headers kept.
pub const AUTHENTICATION_RESULTS_MAX: usize = 2000;

/// Why a mail that names an open escalation is not taken as LKPP's answer by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// Its sender is neither LKPP's address nor of LKPP's domain.
    Sender,
    /// From LKPP's address or domain, but not a reply in the escalation mail's thread (it names
    /// the visit by the reference in its subject only).
    Thread,
}

impl Doubt {
    pub fn as_str(self) -> &'static str {
        match self {
            Doubt::Sender => "sender",
            Doubt::Thread => "thread",
        }
    }

    pub fn parse(s: &str) -> Option<Doubt> {
        [Doubt::Sender, Doubt::Thread].into_iter().find(|d| d.as_str() == s)
    }
}

/// Where an unmatched mail stands: waiting for a supervisor, or decided (once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedStatus {
    Pending,
    /// A supervisor recorded it as LKPP's answer on the visit it names.
    Confirmed,
    /// A supervisor judged it not LKPP's answer; it stays, for the auditor.
    Dismissed,
}

impl UnmatchedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UnmatchedStatus::Pending => "pending",
            UnmatchedStatus::Confirmed => "confirmed",
            UnmatchedStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<UnmatchedStatus> {
        [UnmatchedStatus::Pending, UnmatchedStatus::Confirmed, UnmatchedStatus::Dismissed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// A supervisor's decision on a pending mail; a mail is decided once.
    pub fn decide(self, confirm: bool) -> Result<UnmatchedStatus, crate::Refused> {
        match self {
            UnmatchedStatus::Pending if confirm => Ok(UnmatchedStatus::Confirmed),
            UnmatchedStatus::Pending => Ok(UnmatchedStatus::Dismissed),
            _ => Err(crate::Refused::AlreadyDecided),
        }
    }
}

/// Whether `from` is LKPP: the LKPP address the office set (`lkpp_email` of its profile), or an
/// address of exactly its domain (LKPP answers from more than one desk), case-insensitive. Not a
/// subdomain (`x@mail.lkpp.go.id`) and not a look-alike (`x@lkpp.go.id.example`): the part after
/// the last `@` must equal the LKPP address's.
pub fn from_lkpp(from: &str, lkpp_email: &str) -> bool {
    let domain = |address: &str| {
        let (local, domain) = address.trim().rsplit_once('@')?;
        (!local.is_empty() && !domain.is_empty()).then(|| domain.to_ascii_lowercase())
    };
    match (domain(from), domain(lkpp_email)) {
        (Some(from), Some(lkpp)) => from == lkpp,
        _ => false,
    }
}

/// A line where the quoted mail begins: `On … wrote:`, `Pada … menulis:`, Outlook's
/// `-----Original Message-----` and the header block it puts before the quote.
fn starts_quote(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    (l.starts_with("on ") && l.ends_with("wrote:"))
        || (l.starts_with("pada ") && l.ends_with("menulis:"))
        || (l.starts_with("-----") && (l.contains("original message") || l.contains("pesan asli")))
        || l.starts_with("________________________________")
        || ((l.starts_with("from:") || l.starts_with("dari:")) && l.contains('@'))
}

/// The text of a reply without what it quotes: everything from the first quote header on is cut,
/// and lines quoted with `>` are left out. A reply that is only a quote keeps its whole text, so
/// an answer is never lost.
pub fn answer_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut kept = Vec::new();
    for line in text.lines() {
        if starts_quote(line) {
            break;
        }
        if !line.trim_start().starts_with('>') {
            kept.push(line.trim_end());
        }
    }
    let answer = kept.join("\n").trim().to_owned();
    let answer = if answer.is_empty() { text.trim().to_owned() } else { answer };
    let clean: String = answer.chars().filter(|c| *c == '\n' || *c == '\t' || !c.is_control()).collect();
    if clean.chars().count() > ANSWER_MAX {
        let mut cut: String = clean.chars().take(ANSWER_MAX - 2).collect();
        cut.push_str(" …");
        cut
    } else {
        clean
    }
}

/// What became of a mail read from the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReplyOutcome {
    /// LKPP's answer, recorded on the visit.
    Answered { visit_id: String, reference: String },
    /// An auto-reply: ignored.
    AutoReply,
    /// It names no escalation of ours: left in the mailbox for a person to read.
    Unmatched,
    /// It names an open escalation but is not plainly LKPP's answer ([`Doubt`]): kept as an
    /// unmatched mail for a supervisor to confirm or dismiss; nothing recorded, nothing sent.
    Kept { id: String, reference: String, doubt: Doubt },
    /// It names a visit whose escalation is not open (answered already, or no e-mail escalation):
    /// left for a person to read.
    NotOpen { reference: String },
    /// Taken before (by this instance or another): nothing done.
    AlreadyTaken,
}

impl ReplyOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReplyOutcome::Answered { .. } => "answered",
            ReplyOutcome::AutoReply => "auto_reply",
            ReplyOutcome::Unmatched => "unmatched",
            ReplyOutcome::Kept { .. } => "kept",
            ReplyOutcome::NotOpen { .. } => "not_open",
            ReplyOutcome::AlreadyTaken => "already_taken",
        }
    }

    /// Whether the mail may be marked as read in the mailbox: an answer taken, an auto-reply, a
    /// mail kept for a supervisor (Loket holds it now). A mail nobody matched stays unread for a
    /// person; one taken before is left to whoever took it (a mail left unread then stays so).
    pub fn done_with(&self) -> bool {
        matches!(self, ReplyOutcome::Answered { .. } | ReplyOutcome::AutoReply | ReplyOutcome::Kept { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &[(&str, &str)]) -> IncomingMail {
        IncomingMail {
            key: "k".into(),
            subject: "Re: [20261128-0007] Eskalasi LPSE".into(),
            text: "Sudah kami reset.\n\nOn Sat, 28 Nov 2026 Loket wrote:\n> Eskalasi".into(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn auto_replies_are_recognised_by_their_headers() {
        assert!(!mail(&[("auto-submitted", "no")]).is_auto_reply());
        assert!(!mail(&[]).is_auto_reply());
        for h in [
            ("auto-submitted", "auto-replied"),
            ("x-autoreply", "yes"),
            ("precedence", "bulk"),
            ("precedence", "auto_reply"),
            ("x-auto-response-suppress", "All"),
            ("content-type", "multipart/report; report-type=delivery-status"),
            ("return-path", "<>"),
        ] {
            assert!(mail(&[h]).is_auto_reply(), "{h:?}");
        }
        let daemon = IncomingMail { from: Some("MAILER-DAEMON@lkpp.go.id".into()), ..mail(&[]) };
        assert!(daemon.is_auto_reply());
    }

    #[test]
    fn the_bracketed_reference_is_found_in_the_subject() {
        assert_eq!(mail(&[]).subject_reference().as_deref(), Some("20261128-0007"));
        let other = IncomingMail { subject: "[LKPP] Re: [20261128-0012] Eskalasi".into(), ..Default::default() };
        assert_eq!(other.subject_reference().as_deref(), Some("20261128-0012"));
        for s in ["Re: Eskalasi", "[2026112-0007]", "[20261128-]", "[abc]"] {
            let m = IncomingMail { subject: s.into(), ..Default::default() };
            assert_eq!(m.subject_reference(), None, "{s}");
        }
    }

    fn from(address: &str, replies_to: &[&str]) -> IncomingMail {
        IncomingMail {
            from: Some(address.into()),
            replies_to: replies_to.iter().map(|s| s.to_string()).collect(),
            ..mail(&[])
        }
    }

    #[test]
    fn lkpp_is_its_address_or_exactly_its_domain() {
        let lkpp = "helpdesk@lkpp.go.id";
        for yes in ["helpdesk@lkpp.go.id", "HELPDESK@LKPP.GO.ID", "tts@lkpp.go.id", " Rina@Lkpp.Go.Id "] {
            assert!(from_lkpp(yes, lkpp), "{yes}");
        }
        for no in [
            "helpdesk@lkpp.go.id.example.com",
            "helpdesk@mail.lkpp.go.id",
            "helpdesk@lkpp-go.id",
            "lkpp.go.id@example.com",
            "helpdesk@",
            "@lkpp.go.id",
            "",
        ] {
            assert!(!from_lkpp(no, lkpp), "{no}");
        }
        assert!(!from_lkpp("helpdesk@lkpp.go.id", "not an address"));
    }

    #[test]
    fn a_reply_is_lkpps_only_from_lkpp_and_in_the_escalations_thread() {
        let ours = ["<20261207-0002.ab12@loket>".to_owned()];
        let lkpp = "helpdesk@lkpp.go.id";
        assert_eq!(from("helpdesk@lkpp.go.id", &["20261207-0002.ab12@loket"]).lkpps_answer(lkpp, &ours), Ok(()));
        assert_eq!(from("tts@LKPP.go.id", &["x@y", "20261207-0002.AB12@loket"]).lkpps_answer(lkpp, &ours), Ok(()));
        // The subject's `[reference]` alone never makes an answer, whoever sends it.
        assert_eq!(from("helpdesk@lkpp.go.id", &[]).lkpps_answer(lkpp, &ours), Err(Doubt::Thread));
        assert_eq!(from("helpdesk@lkpp.go.id", &["other@loket"]).lkpps_answer(lkpp, &ours), Err(Doubt::Thread));
        assert_eq!(from("phish@evil.example", &[]).lkpps_answer(lkpp, &ours), Err(Doubt::Sender));
        // The thread without LKPP's sender (a forwarded copy, a guessed id) is not enough either.
        assert_eq!(
            from("phish@evil.example", &["20261207-0002.ab12@loket"]).lkpps_answer(lkpp, &ours),
            Err(Doubt::Sender)
        );
        let no_sender = IncomingMail { from: None, ..from("x@lkpp.go.id", &["20261207-0002.ab12@loket"]) };
        assert_eq!(no_sender.lkpps_answer(lkpp, &ours), Err(Doubt::Sender));
        assert_eq!(
            from("helpdesk@lkpp.go.id", &["20261207-0002.ab12@loket"]).lkpps_answer(lkpp, &[]),
            Err(Doubt::Thread)
        );
    }

    #[test]
    fn an_unmatched_mail_is_decided_once() {
        assert_eq!(UnmatchedStatus::Pending.decide(true), Ok(UnmatchedStatus::Confirmed));
        assert_eq!(UnmatchedStatus::Pending.decide(false), Ok(UnmatchedStatus::Dismissed));
        for decided in [UnmatchedStatus::Confirmed, UnmatchedStatus::Dismissed] {
            for confirm in [true, false] {
                assert_eq!(decided.decide(confirm), Err(crate::Refused::AlreadyDecided));
            }
        }
    }

    #[test]
    fn authentication_results_are_kept_as_they_came() {
        assert_eq!(mail(&[]).authentication_results(), None);
        let m = mail(&[
            ("authentication-results", "mx.lpse.go.id; spf=pass smtp.mailfrom=lkpp.go.id"),
            ("authentication-results", "mx.lpse.go.id; dkim=fail; dmarc=fail"),
        ]);
        assert_eq!(
            m.authentication_results().as_deref(),
            Some("mx.lpse.go.id; spf=pass smtp.mailfrom=lkpp.go.id\nmx.lpse.go.id; dkim=fail; dmarc=fail")
        );
    }

    #[test]
    fn the_quoted_mail_is_cut_from_the_answer() {
        assert_eq!(mail(&[]).answer_text(), "Sudah kami reset.");
        let outlook = "Akun dibuka.\r\n\r\n-----Original Message-----\r\nFrom: loket@lpse.go.id\r\nEskalasi";
        assert_eq!(answer_text(outlook), "Akun dibuka.");
        assert_eq!(answer_text("Baik.\n> kutipan\nTerima kasih"), "Baik.\nTerima kasih");
        assert_eq!(answer_text("Pada 28 Nov 2026 Loket menulis:\n> x"), "Pada 28 Nov 2026 Loket menulis:\n> x");
        assert_eq!(answer_text(&"a".repeat(ANSWER_MAX + 5)).chars().count(), ANSWER_MAX);
    }

    #[test]
    fn lkpp_ticket_number_is_taken_by_the_pattern() {
        let settings = ImapSettings::default();
        let pattern = settings.ticket_regex().unwrap();
        let m = IncomingMail { text: "Nomor tiket: TTS-2026-000123\nSudah".into(), ..mail(&[]) };
        assert_eq!(m.lkpp_ticket(pattern.as_ref()).as_deref(), Some("TTS-2026-000123"));
        let subject = IncomingMail { subject: "Re: [20261128-0007] Ticket #88123".into(), ..mail(&[]) };
        assert_eq!(subject.lkpp_ticket(pattern.as_ref()).as_deref(), Some("88123"));
        assert_eq!(mail(&[]).lkpp_ticket(pattern.as_ref()), None);
        let own = ImapSettings { ticket_pattern: r"LKPP-\d+".into(), ..Default::default() };
        let m = IncomingMail { text: "ref LKPP-42 ok".into(), ..mail(&[]) };
        assert_eq!(m.lkpp_ticket(own.ticket_regex().unwrap().as_ref()).as_deref(), Some("LKPP-42"));
        let none = ImapSettings { ticket_pattern: String::new(), ..Default::default() };
        assert!(none.ticket_regex().unwrap().is_none());
    }

    #[test]
    fn imap_settings_name_each_bad_field() {
        assert!(ImapSettings::default().validate().is_ok());
        let bad = ImapSettings {
            enabled: true,
            port: 0,
            poll_seconds: 5,
            ticket_pattern: "(unclosed".into(),
            mailbox: String::new(),
            ..Default::default()
        };
        let names: Vec<String> = bad.validate().unwrap_err().0.into_keys().collect();
        assert_eq!(names, ["host", "mailbox", "poll_seconds", "port", "ticket_pattern", "username"]);
    }

    #[test]
    fn a_change_without_the_imap_password_keeps_the_stored_one() {
        let stored = ImapSettings { password: Some("rahasia".into()), ..Default::default() };
        assert_eq!(
            stored.changed_to(ImapSettings::default()).ok().and_then(|i| i.password).as_deref(),
            Some("rahasia")
        );
        let moved = ImapSettings { host: "evil.example".into(), ..Default::default() };
        assert_eq!(stored.changed_to(moved), Err(FieldErrors::one("password", "required")));
    }
}
