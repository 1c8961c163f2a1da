//! Loket's HTTP layer: two doors onto the application layer ([`loket_app`]): the v1 JSON API of
//! API.md (`api`), and the staff and public pages (`pages`). The doors never import each other;
//! what both read of a request (the signed-in staff member, cookies, the client's address) lives
//! beside them (`extract`, `request`, `signin`, `limits`, `middleware`).
//! Handlers are thin: read the input, call one use case of the application, render the result.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use loket_domain::Visit;
use loket_store::Store;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod error;
pub mod extract;
pub mod limits;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod request;
pub mod server;
pub mod signin;
mod strict_json;
pub mod views;
pub mod watch;

use clock::Clock;
use error::{ApiError, ApiResult};
use limits::{Limits, RateLimiter};
use loket_app::App;
pub use loket_app::clock;
use views::VisitView;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    /// The application: every use case, called by both doors.
    pub app: App,
    /// The store, for what the doors read themselves: sessions, settings shown around a page.
    pub store: Arc<dyn Store>,
    limiters: Arc<Limiters>,
    /// Warnings and overruns of running steps, for the staff event stream ([`watch`]).
    pub alerts: watch::Alerts,
    limits: Arc<Limits>,
    /// True once the server shuts down: long-lived answers (the event stream) end.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// The public event streams open, per client address and in all.
    public_streams: Arc<limits::OpenCounts>,
}

struct Limiters {
    kiosk: RateLimiter,
    lookup: RateLimiter,
    login: limits::LoginThrottle,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> AppState {
        let limiters = Limiters {
            kiosk: RateLimiter::new(limits.kiosk_per_minute, Duration::from_secs(60)),
            lookup: RateLimiter::new(limits.lookups_per_minute, Duration::from_secs(60)),
            login: limits::LoginThrottle::new(&limits),
        };
        let (closing, _) = tokio::sync::watch::channel(false);
        let public_streams =
            limits::OpenCounts::new(limits.connections.public_streams_per_address, limits.connections.public_streams());
        AppState {
            public_streams,
            app: App::new(store.clone()).with_printer_addresses(limits.printers),
            store,
            limiters: Arc::new(limiters),
            alerts: watch::Alerts::default(),
            limits: Arc::new(limits),
            closing: Arc::new(closing),
        }
    }

    /// The same app on another clock (tests move it forward).
    pub fn with_clock(self, clock: Clock) -> AppState {
        AppState { app: self.app.clone().with_clock(clock), ..self }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A place for one more public event stream from `address`: 429 when that address, or
    /// everyone together, holds as many as the limits allow.
    pub fn public_stream(&self, address: std::net::IpAddr) -> ApiResult<limits::Held> {
        self.public_streams.take(address).map_err(|full| {
            tracing::warn!(%address, ?full, "public event stream refused");
            ApiError::RateLimited { retry_after: Duration::from_secs(30) }
        })
    }

    /// Ends the event streams: the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes when the server shuts down.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static + use<> {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|c| *c).await;
        }
    }

    /// The web layer reads the clock; everything below it is given the time.
    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }

    /// The visit as API.md shows it, with its steps read from its history.
    pub async fn view(&self, visit: Visit) -> ApiResult<VisitView> {
        let settings = self.store.settings().await?;
        Ok(VisitView::new(visit, &settings, self.now()))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Loket API", version = "1", description = "The JSON API of Loket, the LPSE walk-in helpdesk service desk."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Staff sign-in"),
        (name = "front office", description = "SOP steps 1-7: guest book, form, check, queue number"),
        (name = "kiosk", description = "The visitor's own form (public)"),
        (name = "counters", description = "SOP step 8: calling"),
        (name = "helpdesk", description = "SOP steps 9-12: analysis, answer, escalation, archive"),
        (name = "display", description = "Display board and live events (public, no personal data)"),
        (name = "staff events", description = "Live events for signed-in staff, with warnings and overruns of running steps"),
        (name = "settings", description = "Office settings (supervisor, admin)"),
        (name = "reports", description = "Recap, times, time standards, overruns, escalations and the satisfaction index (supervisor, admin)"),
        (name = "survey", description = "The satisfaction survey: a link per served visit, answered once by the visitor (public)"),
        (name = "users", description = "Staff accounts (admin)")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes, each registered together with its OpenAPI description, so that the
/// document and the router cannot drift apart.
fn api_router() -> OpenApiRouter<AppState> {
    use api::{
        archive, auth, calendar, guests, kiosk, line, mail, reports, settings, settings_logo, staff_events, survey,
        users, visits,
    };
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(users::change))
        .routes(routes!(visits::create, visits::list))
        .routes(routes!(visits::get))
        .routes(routes!(visits::save_form))
        .routes(routes!(visits::check))
        .routes(routes!(visits::status_link))
        .routes(routes!(visits::print_ticket))
        .routes(routes!(visits::cancel))
        .routes(routes!(visits::history))
        .routes(routes!(guests::lookup))
        .routes(routes!(kiosk::create))
        .routes(routes!(kiosk::categories))
        .routes(routes!(line::call_next))
        .routes(routes!(line::queue))
        .routes(routes!(visits::recall))
        .routes(routes!(visits::skip))
        .routes(routes!(visits::transfer))
        .routes(routes!(visits::start))
        .routes(routes!(visits::answer))
        .routes(routes!(visits::escalate))
        .routes(routes!(visits::answer_escalation))
        .routes(routes!(visits::copy))
        .routes(routes!(visits::archive, archive::versions))
        .routes(routes!(archive::search))
        .routes(routes!(archive::suggestions))
        .routes(routes!(visits::archived_document))
        .routes(routes!(visits::form_pdf))
        .routes(routes!(line::display))
        .routes(routes!(line::events))
        .routes(routes!(staff_events::staff_events))
        .routes(routes!(settings::get_priorities, settings::put_priorities))
        .routes(routes!(settings::get_time_standards, settings::put_time_standards))
        .routes(routes!(settings::get_counters, settings::put_counters))
        .routes(routes!(settings::get_office, settings::put_office))
        .routes(routes!(settings::changes))
        .routes(routes!(settings_logo::get_logo, settings_logo::put_logo, settings_logo::delete_logo))
        .routes(routes!(calendar::get_calendar, calendar::put_calendar))
        .routes(routes!(calendar::list_days_off))
        .routes(routes!(calendar::put_day_off, calendar::delete_day_off))
        .routes(routes!(calendar::import_days_off))
        .routes(routes!(mail::get_mail, mail::put_mail))
        .routes(routes!(mail::get_imap, mail::put_imap))
        .routes(routes!(mail::outbox))
        .routes(routes!(mail::unmatched))
        .routes(routes!(mail::confirm_unmatched))
        .routes(routes!(mail::dismiss_unmatched))
        .routes(routes!(reports::time_standards))
        .routes(routes!(reports::ikm))
        .routes(routes!(reports::recap))
        .routes(routes!(reports::times))
        .routes(routes!(reports::overruns))
        .routes(routes!(reports::escalations))
        .routes(routes!(survey::survey_link))
        .routes(routes!(survey::answer))
        .routes(routes!(api::health))
}

/// The OpenAPI document of the API, with the codes of a fresh office (the served one names the
/// office's own, see [`openapi::with_settings`]).
pub fn openapi() -> serde_json::Value {
    let doc = serde_json::to_value(api_router().split_for_parts().1).unwrap_or_default();
    openapi::with_settings(openapi::refine(doc), &Default::default())
}

/// The whole app.
pub fn app(state: AppState) -> Router {
    let (router, doc) = api_router().split_for_parts();
    let doc = Arc::new(openapi::refine(serde_json::to_value(&doc).unwrap_or_default()));
    let document = move |State(state): State<AppState>| async move {
        let settings = state.store.settings().await?;
        ApiResult::Ok(Json(openapi::with_settings(doc.as_ref().clone(), &settings)))
    };
    let router = router
        .merge(pages::router())
        .route("/api/openapi.json", get(document))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    middleware::around(router)
}

#[cfg(test)]
mod doors {
    /// Every Rust file under `dir` (relative to this crate's `src`), with its text.
    fn sources(dir: &str) -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).expect("a source folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    out.push((path.display().to_string(), text));
                }
            }
        }
        out
    }

    /// The API and the pages are two doors onto the application layer: neither calls the other.
    /// What both need lives in `loket_app` or beside them (`extract`, `request`, `signin`).
    #[test]
    fn the_api_and_the_pages_never_import_each_other() {
        let mut crossing = Vec::new();
        for (door, other) in [("api", "pages"), ("pages", "api")] {
            for (path, text) in sources(door) {
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    if code.contains(&format!("crate::{other}")) || code.contains(&format!("super::super::{other}")) {
                        crossing.push(format!("{path}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(crossing.is_empty(), "a door imports the other: {crossing:#?}");
    }

    /// A use case is written once, in `loket_app`, with its role check: a door reads the store
    /// itself only for the office's settings, the signed-in session and the live events.
    #[test]
    fn the_doors_leave_the_store_to_the_application_layer() {
        const ALLOWED: [&str; 3] = ["settings", "session_user", "subscribe"];
        let mut direct = Vec::new();
        for door in ["api", "pages"] {
            for (path, text) in sources(door) {
                // Without comments and white space, so that a call split over lines is seen too.
                let code: String = text
                    .lines()
                    .map(|line| line.split("//").next().unwrap_or_default())
                    .flat_map(str::chars)
                    .filter(|c| !c.is_whitespace())
                    .collect();
                for (at, _) in code.match_indices("state.store.") {
                    let rest = &code[at + "state.store.".len()..];
                    let method: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !ALLOWED.contains(&method.as_str()) {
                        direct.push(format!("{path}: state.store.{method}"));
                    }
                }
                if code.contains(".store()") {
                    direct.push(format!("{path}: .store()"));
                }
            }
        }
        assert!(direct.is_empty(), "a door calls the store for a use case: {direct:#?}");
    }
}
