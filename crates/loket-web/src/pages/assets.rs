//! The pages' style sheet and scripts, compiled into the binary: an office LAN may have no
//! internet, so nothing comes from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: [(&str, &str, &str); 4] = [
    ("loket.css", "text/css; charset=utf-8", include_str!("../../assets/loket.css")),
    ("counter.js", "text/javascript; charset=utf-8", include_str!("../../assets/counter.js")),
    ("live.js", "text/javascript; charset=utf-8", include_str!("../../assets/live.js")),
    ("front-office.js", "text/javascript; charset=utf-8", include_str!("../../assets/front-office.js")),
];

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
