//! What live clients must hear about a write, gathered while it runs and told after its commit.

use loket_domain::history::{Event, EventKind};
use loket_domain::{Status, Visit};

use crate::LiveEvent;

#[derive(Debug, Default)]
pub struct Announcements {
    pub(crate) live: Vec<LiveEvent>,
    /// Services whose waiting count changed.
    pub(crate) waiting_changed: Vec<String>,
    /// The office settings changed: other instances must drop what they cached.
    pub(crate) settings_changed: bool,
    /// The office's logo changed: other instances must drop the one they kept.
    pub(crate) logo_changed: bool,
}

impl Announcements {
    /// Notes what live clients must hear about these events of `visit`, which is as the last of
    /// them left it.
    pub(crate) fn observe(&mut self, visit: &Visit, events: &[Event]) {
        for e in events {
            // A call is the last change of a write that makes it: the visit's queue is as called.
            // A transferred visit is announced at its new counter, where the visitor goes.
            if matches!(e.kind, EventKind::Called | EventKind::Recalled | EventKind::Transferred) {
                let q = &visit.queue;
                self.live.push(LiveEvent::Called {
                    number: q.number.clone().unwrap_or_default(),
                    counter: q.counter.clone().unwrap_or_default(),
                    call_count: q.call_count,
                });
            }
            // A form handed in, or leaving the forms handed in: the front office's list changed.
            let forms_changed = (e.from == Some(Status::FormSubmitted)) != (e.to == Status::FormSubmitted);
            if forms_changed && !self.live.contains(&LiveEvent::Forms) {
                self.live.push(LiveEvent::Forms);
            }
            let waiting_changed = (e.from == Some(Status::Waiting)) != (e.to == Status::Waiting);
            if waiting_changed && !self.waiting_changed.contains(&visit.service) {
                self.waiting_changed.push(visit.service.clone());
            }
        }
    }
}
