//! The satisfaction survey: a link per served visit (helpdesk, supervisor), and the visitor's
//! answers through it (public: the link's token is the credential, and it works once).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use loket_app::links;
use loket_domain::survey::{Answers, Element, Respondent};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Staff};

#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyLinkResponse {
    /// `/survey/{token}`: valid for 30 days, answered once.
    pub survey_url: String,
}

/// A new survey link for a served visit (answered, escalated or archived), to open on the
/// counter's tablet or give to the visitor. Earlier links of the visit stay valid until its
/// survey is answered.
#[utoipa::path(post, path = "/api/v1/visits/{id}/survey-link", operation_id = "create_survey_link", tag = "survey", security(("bearer" = [])),
    responses((status = 200, body = SurveyLinkResponse), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn survey_link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<SurveyLinkResponse>> {
    let survey_url = links::survey_link(&state.app, &staff.user, &id).await?;
    Ok(Json(SurveyLinkResponse { survey_url }))
}

/// The nine scores, 1 (worst) to 4 (best), by element.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyScores {
    pub requirements: Option<u8>,
    pub procedure: Option<u8>,
    pub completion_time: Option<u8>,
    pub cost: Option<u8>,
    pub product: Option<u8>,
    pub competence: Option<u8>,
    pub conduct: Option<u8>,
    pub complaints: Option<u8>,
    pub facilities: Option<u8>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswersRequest {
    pub scores: SurveyScores,
    pub comment: Option<String>,
    #[serde(default)]
    pub respondent: Respondent,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyRecorded {
    pub recorded: bool,
}

/// The visitor's answers: every element needs a score (422 `validation` names the missing ones);
/// 404 for an unknown or expired link, 409 `survey_answered` when the visit's survey was answered
/// already (through any of its links).
#[utoipa::path(post, path = "/api/v1/surveys/{token}", operation_id = "answer_survey", tag = "survey", request_body = SurveyAnswersRequest,
    responses((status = 201, body = SurveyRecorded), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<SurveyAnswersRequest>,
) -> ApiResult<(StatusCode, Json<SurveyRecorded>)> {
    let s = &req.scores;
    let given = [
        s.requirements,
        s.procedure,
        s.completion_time,
        s.cost,
        s.product,
        s.competence,
        s.conduct,
        s.complaints,
        s.facilities,
    ];
    let scores: Vec<(Element, Option<u8>)> = Element::ALL.into_iter().zip(given).collect();
    let answers = Answers::parse(&scores, req.comment.as_deref(), req.respondent).map_err(ApiError::validation)?;
    links::answer_survey(&state.app, &token, answers).await?;
    Ok((StatusCode::CREATED, Json(SurveyRecorded { recorded: true })))
}
