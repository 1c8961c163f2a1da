//! Who serves a visit once it is called: the agent who called it (or called it again, or started
//! it), or the colleague a transfer named. Only they act on it as its server; a supervisor may
//! act for them (the history names the supervisor). Before a call, and after a transfer to a
//! counter without a colleague named, any helpdesk agent may.

use super::Visit;
use crate::errors::Refused;
use crate::history::EventKind;

impl Visit {
    /// The agent who serves the visit now; none before a call, or after a transfer that named a
    /// counter only.
    pub fn serving_agent(&self) -> Option<&str> {
        let mut agent = None;
        for e in &self.history {
            match e.kind {
                EventKind::Called | EventKind::Recalled | EventKind::Started => agent = Some(e.by.as_str()),
                EventKind::Transferred => agent = e.data.get("agent").and_then(|a| a.as_str()),
                // Skipped back into the line: the next call names its server.
                EventKind::Skipped => agent = None,
                _ => {}
            }
        }
        agent
    }

    /// Refuses `who` acting as the visit's server when another agent serves it, unless `who` may
    /// act for any agent (a supervisor).
    pub fn check_server(&self, who: &str, for_anyone: bool) -> Result<(), Refused> {
        match self.serving_agent() {
            Some(agent) if agent != who && !for_anyone => Err(Refused::ServedByAnother { agent: agent.to_owned() }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use crate::errors::Refused;
    use crate::history::{Event, EventKind};
    use crate::visit::Status;
    use crate::visit::tests::waiting;

    fn event(kind: EventKind, by: &str, data: serde_json::Value) -> Event {
        Event {
            kind,
            at: Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap(),
            by: by.to_owned(),
            from: None,
            to: Status::Called,
            data,
        }
    }

    #[test]
    fn the_caller_serves_and_a_transfer_names_the_next() {
        let mut v = waiting();
        assert_eq!(v.serving_agent(), None, "in line: nobody yet");
        assert!(v.check_server("hd2", false).is_ok());
        v.history.push(event(EventKind::Called, "hd1", json!({})));
        assert_eq!(v.serving_agent(), Some("hd1"));
        assert!(v.check_server("hd1", false).is_ok());
        assert_eq!(v.check_server("hd2", false), Err(Refused::ServedByAnother { agent: "hd1".into() }));
        assert!(v.check_server("sup", true).is_ok(), "a supervisor acts for the agent");
        v.history.push(event(EventKind::Transferred, "hd1", json!({"counter": "2", "agent": "rina"})));
        assert_eq!(v.serving_agent(), Some("rina"));
        assert!(v.check_server("hd1", false).is_err(), "the old agent no more");
        v.history.push(event(EventKind::Transferred, "rina", json!({"counter": "3", "agent": null})));
        assert_eq!(v.serving_agent(), None, "a counter without a colleague named: whoever is there");
        v.history.push(event(EventKind::Started, "budi", json!({})));
        assert_eq!(v.serving_agent(), Some("budi"), "who starts it serves it");
        v.history.push(event(EventKind::Answered, "budi", json!({})));
        v.history.push(event(EventKind::CopyGiven, "budi", json!({})));
        assert_eq!(v.serving_agent(), Some("budi"), "the answer and the copy change nothing");
    }

    #[test]
    fn a_skipped_number_is_served_by_whoever_calls_it_next() {
        let mut v = waiting();
        v.history.push(event(EventKind::Called, "hd1", json!({})));
        v.history.push(event(EventKind::Skipped, "hd1", json!({})));
        assert_eq!(v.serving_agent(), None);
        v.history.push(event(EventKind::Called, "hd2", json!({})));
        assert_eq!(v.serving_agent(), Some("hd2"));
    }
}
