//! What wraps every request: an id to find it by, the headers every answer carries, one
//! access-log line, and a panic turned into the API's 500 answer.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request: in the answer's `x-request-id` header, on every log line about the
/// request, and in the body of a 500, so that a report from a desk leads to the log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    static CURRENT: RequestId;
}

impl RequestId {
    fn new() -> RequestId {
        RequestId(hex::encode(rand::random::<[u8; 8]>()))
    }

    /// An id a proxy in front of Loket gave, when it is a plain token.
    fn given(value: &HeaderValue) -> Option<RequestId> {
        let s = value.to_str().ok()?;
        let plain = (1..=64).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        plain.then(|| RequestId(s.to_owned()))
    }

    /// The id of the request being answered, if any.
    pub fn current() -> Option<String> {
        CURRENT.try_with(|id| id.0.clone()).ok()
    }
}

async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req.headers().get(&REQUEST_ID_HEADER).and_then(RequestId::given).unwrap_or_else(RequestId::new);
    req.extensions_mut().insert(id.clone());
    let header = HeaderValue::from_str(&id.0).ok();
    let mut res = CURRENT.scope(id, next.run(req)).await;
    if let Some(value) = header {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    every_answer(res.headers_mut());
    res
}

/// What every answer says, the API's and the pages' alike: its content type is not to be
/// guessed (`nosniff`: a visitor's name in JSON is never run as a page), and nothing is kept by a
/// browser or a proxy (`no-store`: answers hold visitors' personal data) unless the handler said
/// otherwise (the pages' scripts and styles may be cached).
fn every_answer(headers: &mut HeaderMap) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The span of a request: its method, its route as declared (`/api/v1/visits/{id}`, never the
/// address as sent, which may hold a token or a query with personal data) and its id.
fn span(req: &Request) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("-", MatchedPath::as_str);
    let id = req.extensions().get::<RequestId>().map_or("-", |id| id.0.as_str());
    tracing::info_span!("request", method = %req.method(), route, id)
}

/// One access-log line per request, when its answer starts.
fn access_log<B>(res: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    let status = res.status().as_u16();
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(target: "loket::access", status, latency_ms, "answered");
}

fn panic_answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    ApiError::internal(format!("panic: {text}")).into_response()
}

/// Wraps the routes: the request id (and the headers of every answer) outside everything, then the access log, then the panic
/// guard, so that a panic's answer is logged and carries the id.
///
/// The three are one layer: axum boxes each route once per `layer` call and clones those boxes
/// on every request, so three calls would cost three allocations more per request.
pub fn around(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(request_id))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(span)
                    .on_request(())
                    .on_response(access_log)
                    .on_body_chunk(())
                    .on_eos(())
                    .on_failure(()),
            )
            .layer(CatchPanicLayer::custom(panic_answer)),
    )
}
