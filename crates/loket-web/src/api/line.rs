//! Step 8 at the counters, the line as staff see it, and the public display board with its
//! live event stream (numbers and counters only, never a name).

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use loket_app::display::{self, DisplayQuery};
use loket_app::visits;
use loket_store::{DisplayBoard, LiveEvent};
use serde::{Deserialize, Serialize};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, ClientIp, OptionalJson, Staff};
use crate::views::VisitView;

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallNextRequest {
    /// Call only from this service; without it, from every service the counter serves,
    /// earliest in line first.
    pub service: Option<String>,
}

/// Step 8: the first waiting visit in line is called at this counter. 204 when nobody waits;
/// 409 `counter_busy` while the counter still has a visit called or in service.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/call-next", tag = "counters", request_body(content = Option<CallNextRequest>),
    security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 204, description = "Nobody waits"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn call_next(
    State(state): State<AppState>,
    staff: Staff,
    Path(counter): Path<String>,
    OptionalJson(req): OptionalJson<CallNextRequest>,
) -> ApiResult<Response> {
    match visits::call_next(&state.app, &staff.user, &counter, req.service.as_deref()).await? {
        Some(visit) => Ok(Json(state.view(visit).await?).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// A service code; every service when absent.
    pub service: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueResponse {
    /// In the order they will be called.
    pub waiting: Vec<VisitView>,
    pub called: Vec<VisitView>,
}

#[utoipa::path(get, path = "/api/v1/queue", tag = "counters", params(ServiceQuery), security(("bearer" = [])),
    responses((status = 200, body = QueueResponse)))]
pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ServiceQuery>,
) -> ApiResult<Json<QueueResponse>> {
    let view = visits::line(&state.app, &staff.user, q.service.as_deref()).await?;
    let mut waiting = Vec::with_capacity(view.waiting.len());
    for v in view.waiting {
        waiting.push(state.view(v).await?);
    }
    let mut called = Vec::with_capacity(view.called.len());
    for v in view.called {
        called.push(state.view(v).await?);
    }
    Ok(Json(QueueResponse { waiting, called }))
}

/// The display board: numbers being called and at which counter, numbers being served, the last
/// five calls of the office day, and how many wait.
#[utoipa::path(get, path = "/api/v1/display", tag = "display", params(DisplayQuery), responses((status = 200, body = DisplayBoard)))]
pub async fn display(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DisplayQuery>,
) -> ApiResult<Json<DisplayBoard>> {
    Ok(Json(display::board(&state.app, q.service(), &q.counters()).await?))
}

/// Server-Sent Events: `called` `{"number", "counter", "call_count", "service", "announcement":
/// {"clips", "text"}}` at every call and re-call (the clips, in order, are served at
/// `/assets/voice/{clip}.opus`),
/// `queue` `{"service", "waiting"}` whenever the waiting count changes. A comment line every 15 s
/// keeps the connection alive; the stream ends when the server shuts down (clients reconnect).
/// Anyone may listen, so streams are bounded per client address and in all: past either, 429
/// `rate_limited` (the board and the status page then read the page again a little later).
#[utoipa::path(get, path = "/api/v1/events", tag = "display",
    responses((status = 200, content_type = "text/event-stream", description = "Live events"),
        (status = 429, body = ErrorBody, description = "Too many streams open from this address, or in all")))]
pub async fn events(State(state): State<AppState>, ClientIp(ip): ClientIp) -> ApiResult<Response> {
    let held = state.public_stream(ip)?;
    // The front office's forms are staff business: the public stream carries calls and counts.
    let stream = BroadcastStream::new(state.store.subscribe())
        .filter_map(|item| item.ok().filter(|e| *e != LiveEvent::Forms).map(|e| Ok(sse(&e))));
    let stream = futures_util::StreamExt::take_until(stream, state.closed());
    // The place is held as long as the stream is.
    let stream = stream.map(move |event: Result<SseEvent, Infallible>| {
        let _ = &held;
        event
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

pub(crate) fn sse(event: &LiveEvent) -> SseEvent {
    let (name, data) = match event {
        LiveEvent::Called { number, counter, call_count } => (
            "called",
            serde_json::json!({
                "number": number, "counter": counter, "call_count": call_count,
                "service": loket_domain::office::service_of(number),
                "announcement": loket_domain::announcement::announce(number, counter),
            }),
        ),
        LiveEvent::Queue { service, waiting } => ("queue", serde_json::json!({"service": service, "waiting": waiting})),
        LiveEvent::Forms => ("forms", serde_json::json!({})),
    };
    SseEvent::default().event(name).data(data.to_string())
}
