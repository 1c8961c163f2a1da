//! The staff event stream: the public events, plus the warnings and overruns of running steps,
//! which name visits and so are for signed-in staff only.

use std::convert::Infallible;

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
use crate::extract::Staff;

/// Server-Sent Events for staff: `called` and `queue` as on `/api/v1/events`, and `warning`
/// (80% of a running step's standard has passed) and `overrun` (the standard has passed), each
/// once per step, with `{"visit_id", "reference", "number", "step", "standard_minutes",
/// "started_at", "counter"}`.
#[utoipa::path(get, path = "/api/v1/events/staff", tag = "staff events", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "Live events for staff"),
        (status = 401, body = ErrorBody)))]
pub async fn staff_events(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    staff.require(Permission::ReadVisits)?;
    let public = BroadcastStream::new(state.store.subscribe()).filter_map(|item| item.ok().map(|e| Ok(line::sse(&e))));
    let alerts = BroadcastStream::new(state.alerts.subscribe()).filter_map(|item| item.ok().map(|a| Ok(sse(&a))));
    Ok(Sse::new(public.merge(alerts)).keep_alive(KeepAlive::default()))
}

fn sse(alert: &StepAlert) -> SseEvent {
    let name = match alert.level {
        AlertLevel::Warning => "warning",
        AlertLevel::Overrun => "overrun",
    };
    SseEvent::default().event(name).data(serde_json::to_string(alert).unwrap_or_default())
}
