//! The staff and public pages: server-rendered (askama), one module per screen, each calling the
//! same use cases of the application ([`loket_app`]) as the API. Text comes from the catalogue ([`i18n`]); sign-in is a
//! cookie session with a CSRF token on every form ([`session`]).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use loket_domain::Refused;
use loket_domain::auth::Permission;

use crate::AppState;
use loket_app::AppError;
use loket_app::error::Cause;

pub mod admin;
pub mod admin_user;
pub mod archive;
pub mod assets;
pub mod calendar;
pub mod changes;
pub mod counter;
pub mod dates;
pub mod display;
pub mod documents;
pub mod front_office;
pub use loket_app::i18n;
pub mod ikm;
pub mod kiosk;
pub mod login;
pub mod mail_settings;
pub mod office_logo;
pub mod office_settings;
pub mod report;
pub mod report_files;
pub mod report_tables;
pub mod reports;
pub mod session;
pub mod setting_forms;
pub mod setting_lists;
pub mod settings;
pub mod status;
pub mod suggestions;
pub mod supervisor;
pub mod survey;
pub mod ticket;
pub mod unmatched_mail;
pub mod visit;
pub mod visit_view;

use i18n::{Lang, Tr};
use session::PageStaff;

/// The pages and their assets, with the security headers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/password", get(login::password_form).post(login::password_submit))
        .route("/language/{code}", get(login::language).post(login::set_language))
        .route("/front-office", get(front_office::page))
        .route("/front-office/visits", post(front_office::open))
        .route("/front-office/visits/{id}", get(front_office::visit).post(front_office::check))
        .route("/front-office/visits/{id}/cancel", post(front_office::cancel))
        .route("/counter", get(counter::page))
        .route("/counter/call-next", post(counter::call_next))
        .route("/counter/visits/{id}/{action}", post(counter::act))
        .route("/counter/visits/{id}/suggestions", get(suggestions::fragment))
        .route("/visits/{id}", get(visit::page))
        .route("/visits/{id}/form.pdf", get(documents::form_pdf))
        .route("/archive", get(archive::page))
        .route("/supervisor", get(supervisor::page))
        .route("/supervisor/mail", get(unmatched_mail::page))
        .route(changes::CHANGES, get(changes::page))
        .route("/supervisor/mail/confirm", post(unmatched_mail::confirm))
        .route("/supervisor/mail/dismiss", post(unmatched_mail::dismiss))
        .route("/supervisor/report", get(report::page))
        .route("/supervisor/ikm", get(ikm::page))
        .route("/supervisor/reports", get(reports::page))
        .route("/supervisor/time-standards", get(settings::page).post(settings::save))
        .route("/supervisor/settings/office", get(office_settings::office).post(office_settings::save_office))
        .route(office_logo::LOGO, get(office_logo::image).post(office_logo::upload))
        .route("/supervisor/settings/office/logo/delete", post(office_logo::remove))
        .route(
            "/supervisor/settings/form-fields",
            get(office_settings::form_fields).post(office_settings::save_form_fields),
        )
        .route("/supervisor/settings/priorities", get(setting_lists::priorities).post(setting_lists::save_priorities))
        .route("/supervisor/settings/desks", get(setting_lists::desks).post(setting_lists::save_desks))
        .route("/supervisor/settings/calendar", get(calendar::page).post(calendar::save_hours))
        .route("/supervisor/settings/calendar/days-off", post(calendar::add_day_off))
        .route("/supervisor/settings/calendar/days-off/delete", post(calendar::delete_day_off))
        .route("/supervisor/settings/calendar/import", post(calendar::import))
        .route(mail_settings::MAIL, get(mail_settings::page).post(mail_settings::save))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::create))
        .route("/admin/users/{username}", get(admin_user::page).post(admin_user::save))
        .route("/admin/users/{username}/password", post(admin::reset_password))
        .route("/admin/users/{username}/disabled", post(admin::set_disabled))
        .route("/assets/{name}", get(assets::serve))
        .route("/assets/voice/{file}", get(assets::voice))
        .route("/display", get(display::page))
        .route("/kiosk", get(kiosk::form).post(kiosk::submit))
        .route("/status/{token}", get(status::page))
        .route("/survey/{token}", get(survey::page).post(survey::submit))
        .route("/front-office/visits/{id}/ticket", get(ticket::page).post(ticket::print_page))
        .layer(axum::middleware::from_fn(security_headers))
}

/// Content-Security-Policy: everything from Loket itself, no inline script, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // `nosniff` and `no-store` are on every answer (crate::middleware).
    res
}

/// A link of the navigation bar.
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What the base layout shows around every page: language, office name, who is signed in, the
/// navigation and the CSRF token for the sign-out form.
pub struct Frame {
    pub t: Tr,
    pub lang: &'static str,
    pub title: String,
    pub office_name: String,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavLink>,
    /// The page's address, to come back to after switching the language.
    pub here: String,
    /// Today in the office's zone (`Sabtu, 28 November 2026`), for staff pages.
    pub today: String,
    /// The screen's scripts, in order (`/assets/live.js`, `/assets/counter.js`).
    pub scripts: Vec<&'static str>,
    /// Whether the signed-in staff member may change the settings: a settings page without it
    /// (an auditor's) is shown read-only, with no form to send.
    pub may_change_settings: bool,
}

impl Frame {
    /// The frame of a page for a signed-in staff member; `here` is the page's address.
    pub async fn staff(state: &AppState, staff: &PageStaff, title_key: &str, here: &str) -> Result<Frame, PageError> {
        let t = staff.tr();
        let settings = state.store.settings().await?;
        let office_name = settings.office.office_name.clone();
        let today =
            loket_domain::format::long_date(t.lang, loket_domain::office::office_day(state.now(), settings.zone()));
        let screens = [
            ("/front-office", "nav-front-office", Permission::FrontOffice),
            ("/counter", "nav-counter", Permission::Helpdesk),
            ("/supervisor", "nav-supervisor", Permission::Supervise),
            ("/archive", "nav-archive", Permission::ReadVisits),
            (changes::CHANGES, "nav-changes", Permission::ReadSettings),
            ("/admin", "nav-admin", Permission::ManageUsers),
        ];
        let mut nav: Vec<NavLink> = screens
            .into_iter()
            .filter(|(_, _, p)| staff.may(*p))
            .map(|(href, key, _)| NavLink { href, label: t.get(key), current: href == here })
            .collect();
        nav.push(NavLink { href: "/password", label: t.get("nav-password"), current: here == "/password" });
        Ok(Frame {
            t,
            lang: staff.lang.code(),
            title: t.get(title_key),
            office_name,
            user_name: Some(staff.user.full_name.clone()),
            csrf: staff.csrf.clone(),
            nav,
            here: here.to_owned(),
            today,
            scripts: Vec::new(),
            may_change_settings: staff.may(Permission::ChangeSettings),
        })
    }

    /// The frame of a page for someone not signed in.
    pub async fn public(state: &AppState, lang: Lang, title_key: &str) -> Frame {
        let t = Tr::new(lang);
        Frame {
            t,
            lang: lang.code(),
            title: t.get(title_key),
            office_name: office_name(state).await,
            user_name: None,
            csrf: String::new(),
            nav: Vec::new(),
            here: "/".to_owned(),
            today: String::new(),
            scripts: Vec::new(),
            may_change_settings: false,
        }
    }

    pub fn with_script(mut self, script: &'static str) -> Frame {
        self.scripts.push(script);
        self
    }

    /// The language to switch to, for the link in the header.
    pub fn other_lang(&self) -> &'static str {
        if self.lang == "id" { "en" } else { "id" }
    }
}

async fn office_name(state: &AppState) -> String {
    state.store.settings().await.map(|s| s.office.office_name.clone()).unwrap_or_default()
}

/// The catalogue key of a refusal of the SOP, as a sentence for the page.
pub fn refusal_key(r: &Refused) -> &'static str {
    match r {
        Refused::InvalidTransition { .. } => "error-invalid-transition",
        Refused::CallLimitReached => "error-call-limit",
        Refused::CallsRemaining { .. } => "error-calls-remaining",
        Refused::CounterBusy => "error-counter-busy",
        Refused::CopyMissing => "error-copy-missing",
        Refused::CopyPending => "error-copy-pending",
        Refused::FormIncomplete(_) => "error-form-incomplete",
        Refused::Validation(_) => "error-validation",
        Refused::InUse(_) => "error-in-use",
        Refused::LastAdmin => "error-last-admin",
        Refused::SurveyAnswered => "error-survey-answered",
        Refused::ServedByAnother { .. } => "error-served-by-another",
        Refused::AlreadyDecided => "error-already-decided",
        Refused::OfficeClosed => "error-office-closed",
        Refused::CallTooSoon { .. } => "error-call-too-soon",
    }
}

/// The catalogue key of a field's problem (`field-missing`, `field-invalid`, `field-too_long`).
pub fn field_reason_key(reason: &str) -> &'static str {
    match reason {
        "missing" => "field-missing",
        "too_long" => "field-too-long",
        _ => "field-invalid",
    }
}

/// What is wrong with a field, in the page's language: the field's own sentence when the
/// catalogue has one (`field-visitor-email-invalid`: what a good one looks like), else the
/// general one of its problem (`Tidak valid`).
pub fn field_message(t: Tr, field: &str, reason: &str) -> String {
    let own = format!("field-{}-{}", field.replace(['.', '_'], "-"), reason.replace('_', "-"));
    if t.has(&own) { t.get(&own) } else { t.get(field_reason_key(reason)) }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in: to `/login`.
    SignIn,
    /// Signed in with a password someone else chose: to `/password`, before anything else.
    PasswordChange,
    /// The role may not see this page: 403 with a page that says so, and a link to the user's
    /// own screen.
    Forbidden {
        lang: Lang,
        home: &'static str,
    },
    /// A form without its CSRF token, or with a wrong one: 403.
    Csrf(Lang),
    /// A form body that does not parse: 400.
    BadForm(Lang),
    NotFound(Lang),
    /// A rule of the SOP refused what a page asked, where the page has no form to show it next
    /// to: 409 (422 for a field) with the catalogue's sentence.
    Refused(Lang, Refused),
    /// 500: logged with its causes and the request id, never shown in detail.
    Internal(Cause),
}

impl std::fmt::Debug for PageStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStaff").field("username", &self.user.username).finish_non_exhaustive()
    }
}

/// The application's error as a page: the one mapping of the pages' door. A page that shows a
/// refusal next to its form matches [`AppError::Refused`] before it gets here.
impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        let lang = Lang::default();
        match e {
            AppError::Forbidden => PageError::Forbidden { lang, home: "/" },
            AppError::NotFound => PageError::NotFound(lang),
            AppError::Refused(r) => PageError::Refused(lang, r),
            AppError::InvalidLogo(p) => {
                PageError::Refused(lang, Refused::Validation(loket_domain::FieldErrors::one("logo", p.as_str())))
            }
            AppError::PrinterUnreachable(reason) => PageError::Internal(reason.into()),
            AppError::Internal(cause) => PageError::Internal(cause),
        }
    }
}

impl From<loket_store::StoreError> for PageError {
    fn from(e: loket_store::StoreError) -> Self {
        PageError::from(AppError::from(e))
    }
}

impl PageError {
    /// The same error, its page in the staff member's language and with their home screen.
    pub fn for_staff(self, staff: &PageStaff) -> PageError {
        match self {
            PageError::Forbidden { .. } => PageError::Forbidden { lang: staff.lang, home: staff.home() },
            PageError::NotFound(_) => PageError::NotFound(staff.lang),
            PageError::Refused(_, r) => PageError::Refused(staff.lang, r),
            other => other,
        }
    }
}

/// A page that only says what went wrong (403, 404, 400, 500).
#[derive(Template, WebTemplate)]
#[template(path = "problem.html")]
pub struct ProblemPage {
    pub t: Tr,
    pub lang: &'static str,
    pub title: String,
    pub message: String,
    pub home: &'static str,
}

impl ProblemPage {
    fn new(lang: Lang, title_key: &str, message_key: &str, home: &'static str) -> ProblemPage {
        let t = Tr::new(lang);
        ProblemPage { t, lang: lang.code(), title: t.get(title_key), message: t.get(message_key), home }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, page) = match self {
            PageError::SignIn => return Redirect::to("/login").into_response(),
            PageError::PasswordChange => return Redirect::to("/password").into_response(),
            PageError::Forbidden { lang, home } => {
                (StatusCode::FORBIDDEN, ProblemPage::new(lang, "forbidden-title", "forbidden-text", home))
            }
            PageError::Csrf(lang) => (StatusCode::FORBIDDEN, ProblemPage::new(lang, "csrf-title", "csrf-text", "/")),
            PageError::BadForm(lang) => {
                (StatusCode::BAD_REQUEST, ProblemPage::new(lang, "bad-form-title", "bad-form-text", "/"))
            }
            PageError::NotFound(lang) => {
                (StatusCode::NOT_FOUND, ProblemPage::new(lang, "not-found-title", "not-found-text", "/"))
            }
            PageError::Refused(lang, refused) => {
                let status = match refused {
                    Refused::Validation(_) | Refused::FormIncomplete(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::CONFLICT,
                };
                (status, ProblemPage::new(lang, "refused-title", refusal_key(&refused), "/"))
            }
            PageError::Internal(cause) => {
                crate::error::log_internal(cause.as_ref());
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ProblemPage::new(Lang::default(), "internal-title", "internal-text", "/"),
                )
            }
        };
        (status, page).into_response()
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// After a form that worked: back to a page with GET (post/redirect/get).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
