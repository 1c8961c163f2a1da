//! The HTTP server: accepts connections within the limits, serves each with HTTP/1.1, and on
//! shutdown stops accepting, lets the requests in flight finish, then returns.
//!
//! `axum::serve` has no timeouts: a client that never finishes its headers, or opens a
//! connection and says nothing, would hold it for ever. Here hyper closes a connection whose
//! headers do not arrive within `header_timeout` (which also ends idle keep-alive connections),
//! any body (JSON, a form, a file) that does not arrive within `body_timeout` is answered 408
//! and its connection closed, at most `max_connections` are open at once, and at most
//! `max_connections_per_address` of them from one client address (past it: 429, closed).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Sleep;
use tower::ServiceExt;

use crate::error::ApiError;
use crate::limits::{ConnectionLimits, OpenCounts};

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, asks every open
/// connection to close once its current answer is sent, and waits for them at most
/// `shutdown_grace`. Long-lived answers (the event stream) must end by themselves on shutdown.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let open = Arc::new(Semaphore::new(max as usize));
    let per_address = OpenCounts::new(limits.max_connections_per_address.max(1), usize::MAX);
    let body_timeout = limits.body_timeout;
    let (closing, closing_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A permit first: past the limit, new clients wait in the listen queue.
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(held) = per_address.take(peer.ip()) else {
            tracing::warn!(%peer, "connection refused: too many open from this address");
            tokio::spawn(async move {
                let _permit = permit;
                refuse(stream).await;
            });
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let app = app.clone();
            async move { Ok::<_, Infallible>(answer(app, req, body_timeout).await) }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _held = held;
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %peer, "connection ended");
                    }
                }
                _ = async move { closing.wait_for(|c| *c).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a permit until it ends.
    let all_closed = open.acquire_many(max);
    if tokio::time::timeout(limits.shutdown_grace, all_closed).await.is_err() {
        tracing::warn!(
            grace_secs = limits.shutdown_grace.as_secs(),
            "connections still open at the end of the grace time"
        );
    }
    Ok(())
}

/// Serves one request whose body must arrive within `body_timeout` of its headers: if the
/// handler was still waiting for it then, the answer is 408 and the connection is closed,
/// whatever the handler made of the cut body (a form, JSON or a file alike).
async fn answer(app: Router, req: hyper::Request<Incoming>, body_timeout: Duration) -> axum::response::Response {
    let late = Arc::new(AtomicBool::new(false));
    let req = req.map(|body| Body::new(Deadline::new(body, body_timeout, late.clone())));
    let res = app.oneshot(req).await.unwrap_or_else(|e| match e {});
    if !late.load(Ordering::Relaxed) {
        return res;
    }
    tracing::info!("request body did not arrive in time");
    let mut res = ApiError::RequestTimeout.into_response();
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// A connection over its address's limit: a short 429 it may read, then closed. Its permit is
/// held until then (at most two seconds), so that refusing costs no more than a slot.
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = r#"{"error":"rate_limited","message":"too many connections from this address; wait"}"#;
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 10\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// A request body with a deadline: once it passes while the body is still awaited, the body
/// ends in an error and `late` is set.
struct Deadline {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    late: Arc<AtomicBool>,
}

impl Deadline {
    fn new(body: Incoming, within: Duration, late: Arc<AtomicBool>) -> Deadline {
        Deadline { body, deadline: Box::pin(tokio::time::sleep(within)), late }
    }
}

/// The error a late body ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyLate;

impl hyper::body::Body for Deadline {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.late.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(BodyLate.into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
