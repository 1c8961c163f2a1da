//! The staff event stream: the public events, plus the warnings and overruns of running steps,
//! which name visits and so are for signed-in staff only.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use loket_domain::auth::Permission;
use loket_domain::standards::watch::{AlertLevel, StepAlert};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;
use crate::api::line;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::StreamStaff;

/// How often a quiet staff stream checks that its sign-in still holds (it also checks before
/// each event).
const SESSION_CHECK: Duration = Duration::from_secs(30);

enum Item {
    Send(SseEvent),
    CheckSession,
}

/// Server-Sent Events for staff: `called` and `queue` as on `/api/v1/events`, and `warning`
/// (80% of a running step's standard has passed) and `overrun` (the standard has passed), each
/// once per step, with `{"visit_id", "reference", "number", "step", "standard_minutes",
/// "started_at", "counter"}`. The stream ends when its sign-in ends (sign-out, expiry, a disabled
/// user). A page opens it with its sign-in cookie instead of a bearer token.
#[utoipa::path(get, path = "/api/v1/events/staff", tag = "staff events", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "Live events for staff"),
        (status = 401, body = ErrorBody)))]
pub async fn staff_events(
    State(state): State<AppState>,
    StreamStaff(staff): StreamStaff,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    // Any staff role, as docs/api.md says: the warnings name a visit by its reference and number,
    // never its visitor, as the supervisor's overview (open to an admin) shows them.
    staff.require(Permission::ReadCounters)?;
    let public =
        BroadcastStream::new(state.store.subscribe()).filter_map(|e| e.ok().map(|e| Item::Send(line::sse(&e))));
    let alerts = BroadcastStream::new(state.alerts.subscribe()).filter_map(|a| a.ok().map(|a| Item::Send(sse(&a))));
    let checks = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(SESSION_CHECK).await;
        Some((Item::CheckSession, ()))
    });
    let token_hash = staff.token_hash;
    let checked = futures_util::StreamExt::then(public.merge(alerts).merge(checks), move |item| {
        let (state, token_hash) = (state.clone(), token_hash.clone());
        async move {
            // A database error does not end the stream; only a sign-in that no longer holds.
            let ended = matches!(state.store.session_user(&token_hash, state.now()).await, Ok(None));
            (ended, item)
        }
    });
    let signed_in = futures_util::StreamExt::take_while(checked, |(ended, _)| std::future::ready(!ended));
    let events = signed_in.filter_map(|(_, item)| match item {
        Item::Send(e) => Some(Ok(e)),
        Item::CheckSession => None,
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

fn sse(alert: &StepAlert) -> SseEvent {
    let name = match alert.level {
        AlertLevel::Warning => "warning",
        AlertLevel::Overrun => "overrun",
    };
    SseEvent::default().event(name).data(serde_json::to_string(alert).unwrap_or_default())
}
