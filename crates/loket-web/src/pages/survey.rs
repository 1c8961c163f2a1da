//! The satisfaction survey (`/survey/{token}`): the visitor rates the nine elements of
//! PermenPANRB 14/2017 on the counter's tablet, or on their phone through the link. No sign-in:
//! the link's token is random and unguessable, only its SHA-256 is stored (as for the status page),
//! and the form is protected by a random value both in a cookie and in the form (double submit),
//! as the kiosk's is. Opening the page records nothing; only a submitted answer counts, once per
//! visit.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use loket_app::{AppError, links};
use loket_domain::survey::{self, AgeGroup, Answers, Education, Element, Occupation, Respondent, Sex};
use loket_domain::{FieldErrors, Refused};

use super::i18n::Tr;
use super::session;
use super::{Frame, PageError, PageResult};
use crate::AppState;

/// The cookie of the survey form's double-submit token.
pub const SURVEY_COOKIE: &str = "loket_survey";

pub struct Choice {
    pub value: u8,
    pub label: String,
    pub checked: bool,
}

pub struct ElementView {
    pub name: &'static str,
    pub code: String,
    pub title: String,
    pub question: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct SelectView {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub page: Frame,
    pub action: String,
    pub token: String,
    pub elements: Vec<ElementView>,
    pub comment: String,
    pub comment_error: Option<String>,
    pub respondent: Vec<SelectView>,
    pub error: Option<String>,
}

/// The thanks, used, unknown and not-yet pages: a title and one sentence.
#[derive(Template, WebTemplate)]
#[template(path = "survey_done.html")]
pub struct SurveyDonePage {
    pub page: Frame,
    pub state: &'static str,
    pub text: String,
}

/// What the visitor chose, as sent.
#[derive(Default)]
struct Typed(BTreeMap<String, String>);

impl Typed {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

fn select<T: Copy + serde::Serialize>(
    t: Tr,
    name: &'static str,
    label_key: &str,
    all: &[T],
    typed: &Typed,
    errors: &BTreeMap<String, String>,
) -> SelectView {
    let chosen = typed.get(name);
    let mut options =
        vec![OptionView { value: String::new(), label: t.get("survey-not-given"), selected: chosen.is_empty() }];
    options.extend(all.iter().map(|v| {
        let code = survey::code_of(v);
        OptionView { label: t.get(&format!("survey-{name}-{code}")), selected: code == chosen, value: code }
    }));
    SelectView {
        name,
        id: name.replace('_', "-"),
        label: t.get(label_key),
        options,
        error: errors.get(name).map(|r| t.get(super::field_reason_key(r))),
    }
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    typed: &Typed,
    errors: &BTreeMap<String, String>,
) -> Result<Response, PageError> {
    let lang = session::lang(headers);
    let t = Tr::new(lang);
    let elements = element_views(t, typed, errors);
    let respondent = vec![
        select(t, "age_group", "survey-age-group", &AgeGroup::ALL, typed, errors),
        select(t, "sex", "survey-sex", &Sex::ALL, typed, errors),
        select(t, "education", "survey-education", &Education::ALL, typed, errors),
        select(t, "occupation", "survey-occupation", &Occupation::ALL, typed, errors),
    ];
    let csrf = loket_store::token::new_token();
    let cookie = session::set_cookie(SURVEY_COOKIE, &csrf, 24 * 3600, session::behind_https(headers));
    let page = SurveyPage {
        page: Frame::public(state, lang, "survey-title").await,
        action: format!("/survey/{token}"),
        token: csrf,
        elements,
        comment: typed.get("comment").to_owned(),
        comment_error: errors.get("comment").map(|r| t.get(super::field_reason_key(r))),
        respondent,
        error: (!errors.is_empty()).then(|| t.get("survey-refused")),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, [cookie], page).into_response())
}

/// The nine elements, each with its question, its four answers (the one typed checked) and its
/// problem.
fn element_views(t: Tr, typed: &Typed, errors: &BTreeMap<String, String>) -> Vec<ElementView> {
    Element::ALL
        .iter()
        .map(|e| {
            let name = e.as_str();
            let chosen = typed.get(name);
            ElementView {
                name,
                code: e.code(),
                title: t.get(&format!("survey-element-{name}")),
                question: t.get(&format!("survey-question-{name}")),
                choices: (1..=4u8)
                    .map(|v| Choice {
                        value: v,
                        label: t.get(&format!("survey-answer-{name}-{v}")),
                        checked: chosen == v.to_string(),
                    })
                    .collect(),
                error: errors
                    .get(name)
                    .map(|r| if r == "missing" { t.get("survey-missing") } else { t.get(super::field_reason_key(r)) }),
            }
        })
        .collect()
}

async fn done(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    which: &'static str,
) -> Result<Response, PageError> {
    let lang = session::lang(headers);
    let t = Tr::new(lang);
    let page = SurveyDonePage {
        page: Frame::public(state, lang, &format!("survey-{which}-title")).await,
        state: which,
        text: t.get(&format!("survey-{which}")),
    };
    Ok((status, page).into_response())
}

/// The survey form; opening it records nothing.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> PageResult {
    let link = links::survey(&state.app, &token).await?;
    match link {
        None => done(&state, &headers, StatusCode::NOT_FOUND, "unknown").await,
        Some(link) if link.answered => done(&state, &headers, StatusCode::GONE, "used").await,
        Some(link) if !survey::can_survey(link.visit.status) => {
            done(&state, &headers, StatusCode::CONFLICT, "not-served").await
        }
        Some(_) => form_page(&state, &headers, &token, &Typed::default(), &BTreeMap::new()).await,
    }
}

/// The answers read from a submitted form, or what is wrong with them.
pub fn read_answers(pairs: &[(String, String)]) -> Result<Answers, FieldErrors> {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut errors = FieldErrors::default();
    let scores: Vec<(Element, Option<u8>)> = Element::ALL
        .iter()
        .map(|e| {
            let given = value(e.as_str()).map(str::trim).filter(|v| !v.is_empty());
            // A value that is not a number is out of range: 0 is refused as `invalid`.
            (*e, given.map(|v| v.parse::<u8>().unwrap_or(0)))
        })
        .collect();
    let respondent = Respondent::parse(value("age_group"), value("sex"), value("education"), value("occupation"))
        .unwrap_or_else(|e| {
            errors.merge(e);
            Respondent::default()
        });
    match Answers::parse(&scores, value("comment"), respondent) {
        Ok(answers) if errors.is_empty() => Ok(answers),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.merge(e);
            Err(errors)
        }
    }
}

/// Records the answers; a missing answer is named next to its element, with every choice kept.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult {
    let lang = session::lang(&headers);
    let expected = session::cookie(&headers, SURVEY_COOKIE).unwrap_or_default();
    if expected.is_empty() || !session::form_token_matches(&body, expected) {
        return Err(PageError::Csrf(lang));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm(lang))?;
    let typed = Typed(pairs.iter().filter(|(k, _)| k != "_csrf").cloned().collect());
    let answers = match read_answers(&pairs) {
        Ok(answers) => answers,
        Err(errors) => return form_page(&state, &headers, &token, &typed, &errors.0).await,
    };
    match links::answer_survey(&state.app, &token, answers).await {
        Ok(()) => {
            let gone = session::set_cookie(SURVEY_COOKIE, "", 0, session::behind_https(&headers));
            let page = done(&state, &headers, StatusCode::OK, "thanks").await?;
            Ok(([gone], page).into_response())
        }
        Err(AppError::NotFound) => done(&state, &headers, StatusCode::NOT_FOUND, "unknown").await,
        Err(AppError::Refused(Refused::SurveyAnswered)) => done(&state, &headers, StatusCode::GONE, "used").await,
        Err(AppError::Refused(Refused::InvalidTransition { .. })) => {
            done(&state, &headers, StatusCode::CONFLICT, "not-served").await
        }
        Err(e) => Err(e.into()),
    }
}
