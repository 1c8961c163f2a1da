//! The counter's "similar answers" panel (Jawaban serupa): while a visit is in service, the
//! answers of the five most similar archived visits, as an HTML fragment that `suggestions.js`
//! loads into the counter page (signed in by the page's cookie; the same use case as
//! `GET /api/v1/visits/{id}/suggestions`). Without the script, the panel's link opens it alone.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use loket_domain::auth::Permission;

use super::session::PageStaff;
use super::{PageError, PageResult};
use crate::AppState;
use loket_app::archive::suggest;

pub struct SuggestionView {
    pub number: String,
    pub subject: String,
    pub problem: String,
    pub answer: String,
    pub day: String,
    pub pdf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "counter_suggestions.html")]
pub struct SuggestionsFragment {
    pub t: super::i18n::Tr,
    pub items: Vec<SuggestionView>,
}

pub async fn fragment(State(state): State<AppState>, staff: PageStaff, Path(id): Path<String>) -> PageResult {
    staff.require(Permission::Helpdesk)?;
    let t = staff.tr();
    let items = suggest(&state.app, &staff.user, &id).await.map_err(|e| PageError::from(e).for_staff(&staff))?;
    let items = items
        .into_iter()
        .map(|s| SuggestionView {
            number: s.archive_number,
            subject: s.subject.unwrap_or_default(),
            problem: s.problem.unwrap_or_default(),
            answer: s.answer,
            day: loket_domain::format::long_date(t.lang, s.day),
            pdf: format!("/visits/{}/form.pdf", s.id),
        })
        .collect();
    Ok(SuggestionsFragment { t, items }.into_response())
}
