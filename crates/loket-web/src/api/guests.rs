//! The guest book across visits: a returning visitor found by the phone or e-mail they give
//! again, so that the front office can take over what they wrote last time.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use loket_app::visits;
use loket_domain::guest_book::{Contact, Visitor};
use loket_domain::{FieldErrors, Visit};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::extract::StreamStaff;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// A phone number (written any way: `0812-3456-7890`, `+62 812 3456 7890`) or an e-mail
    /// address.
    pub contact: String,
}

/// The guest book data of a visitor's latest visit.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReturningVisitor {
    pub visitor: Visitor,
    /// The reference of the visit the data comes from.
    pub reference: String,
    pub visited_at: DateTime<Utc>,
}

impl ReturningVisitor {
    pub fn of(visit: Visit) -> ReturningVisitor {
        ReturningVisitor { visitor: visit.visitor, reference: visit.reference, visited_at: visit.created_at }
    }
}

/// The latest visit of a returning visitor, by phone or e-mail: 404 when nobody gave it before.
/// Takes the bearer token or the pages' sign-in cookie (the front office's script asks it while
/// the clerk types); it changes nothing.
#[utoipa::path(get, path = "/api/v1/guests/lookup", tag = "front office", params(LookupQuery), security(("bearer" = [])),
    responses((status = 200, body = ReturningVisitor), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    StreamStaff(staff): StreamStaff,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> ApiResult<Json<ReturningVisitor>> {
    // Counted per staff member (the pages' cookie and a token alike), before anything is read.
    if let Err(retry_after) = state.limiters.lookup.hit(&staff.user.username, std::time::Instant::now()) {
        return Err(ApiError::RateLimited { retry_after });
    }
    let contact =
        Contact::parse(&q.contact).ok_or_else(|| ApiError::validation(FieldErrors::one("contact", "invalid")))?;
    let visit = visits::returning(&state.app, &staff.user, &contact).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(ReturningVisitor::of(visit)))
}
