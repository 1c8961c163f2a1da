//! What live clients must hear about a write, gathered while it runs and told after its commit.

use loket_domain::history::{Event, EventKind};
use loket_domain::{Status, Visit};

use crate::LiveEvent;

#[derive(Debug, Default)]
pub struct Told {
    pub(crate) live: Vec<LiveEvent>,
    /// Services whose waiting count changed.
    pub(crate) waiting_changed: Vec<String>,
    /// The office settings changed: other instances must drop what they cached.
    pub(crate) settings_changed: bool,
}

impl Told {
    /// Notes what live clients must hear about these events.
    pub(crate) fn observe(&mut self, visit: &Visit, events: &[Event]) {
        for e in events {
            if matches!(e.kind, EventKind::Called | EventKind::Recalled) {
                let field = |k: &str| e.data.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let call_count = e.data.get("call_count").and_then(|v| v.as_u64()).unwrap_or(1) as u32;
                self.live.push(LiveEvent::Called { number: field("number"), counter: field("counter"), call_count });
            }
            let waiting_changed = (e.from == Some(Status::Waiting)) != (e.to == Status::Waiting);
            if waiting_changed && !self.waiting_changed.contains(&visit.service) {
                self.waiting_changed.push(visit.service.clone());
            }
        }
    }
}
