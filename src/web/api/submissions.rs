//! Monthly submission (数据填报): a unit's submitter submits a month's
//! actuals; the compiling office returns them with a comment or accepts.

use axum::Json;
use axum::extract::State;
use chrono::{Datelike, Utc};
use serde::Deserialize;

use crate::domain::period::Period;
use crate::storage::submissions::{self, SubmissionAction, SubmissionList, SubmissionView};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

/// Narrows `GET /api/v1/submissions`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SubmissionQuery {
    /// A month, e.g. `2026-03`; the current month when left out.
    pub period: Option<String>,
}

/// The body of a step.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// Optional on submit and accept; required on return (what to correct).
    #[serde(default)]
    pub comment: Option<String>,
}

/// The units in the caller's reach with their status for one month, in
/// tree order. Units never submitted are `draft`.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "submissions",
    params(SubmissionQuery),
    responses(
        (status = 200, body = SubmissionList),
        (status = 422, body = ErrorBody, description = "`period` is not a month"),
    ))]
pub async fn list_submissions(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<SubmissionQuery>,
) -> Result<Json<SubmissionList>, ApiError> {
    let period = q.period.unwrap_or_else(|| {
        let today = Utc::now()
            .with_timezone(&state.settings.time_zone)
            .date_naive();
        Period::Month(today.year(), today.month() as u8).to_string()
    });
    Ok(Json(
        submissions::list(&state.db, a.actor(), &period).await?,
    ))
}

/// One unit's month: status, history (who, when, comment for each step)
/// and what the caller may do next.
#[utoipa::path(get, path = "/api/v1/submissions/{unit}/{period}", tag = "submissions",
    params(
        ("unit" = String, Path, description = "Unit code, e.g. HD-SH"),
        ("period" = String, Path, description = "A month, e.g. 2026-03"),
    ),
    responses(
        (status = 200, body = SubmissionView),
        (status = 404, body = ErrorBody, description = "Unknown unit, or outside the caller's reach"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn get_submission(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((unit, period)): ApiPath<(String, String)>,
) -> Result<Json<SubmissionView>, ApiError> {
    Ok(Json(
        submissions::get(&state.db, a.actor(), &unit, &period).await?,
    ))
}

async fn step(
    state: &AppState,
    a: &crate::web::auth::Authenticated,
    unit: &str,
    period: &str,
    action: SubmissionAction,
    req: &StepRequest,
) -> Result<Json<SubmissionView>, ApiError> {
    Ok(Json(
        submissions::act(
            &state.db,
            a.actor(),
            unit,
            period,
            action,
            req.comment.as_deref(),
        )
        .await?,
    ))
}

/// Submits a unit's month (draft or returned → submitted). The submitter
/// is whoever may enter the unit's actuals; afterwards their side can no
/// longer change that month's actuals until it is returned.
#[utoipa::path(post, path = "/api/v1/submissions/{unit}/{period}/submit", tag = "submissions",
    params(
        ("unit" = String, Path, description = "Unit code, e.g. HD-SH"),
        ("period" = String, Path, description = "A month, e.g. 2026-03"),
    ),
    request_body = StepRequest,
    responses(
        (status = 200, body = SubmissionView),
        (status = 403, body = ErrorBody, description = "The caller may not enter this unit's actuals"),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Already submitted or accepted"),
    ))]
pub async fn submit_submission(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((unit, period)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<StepRequest>,
) -> Result<Json<SubmissionView>, ApiError> {
    step(&state, &a, &unit, &period, SubmissionAction::Submit, &req).await
}

/// Returns a submitted or accepted month to its submitter; `comment` is
/// required. The compiling office only (sales admin, GM, admin).
#[utoipa::path(post, path = "/api/v1/submissions/{unit}/{period}/return", tag = "submissions",
    params(
        ("unit" = String, Path, description = "Unit code, e.g. HD-SH"),
        ("period" = String, Path, description = "A month, e.g. 2026-03"),
    ),
    request_body = StepRequest,
    responses(
        (status = 200, body = SubmissionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No comment, or nothing submitted to return"),
    ))]
pub async fn return_submission(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((unit, period)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<StepRequest>,
) -> Result<Json<SubmissionView>, ApiError> {
    step(&state, &a, &unit, &period, SubmissionAction::Return, &req).await
}

/// Accepts a submitted month: its figures are what the GM sees. The
/// compiling office only, and not the person who submitted it.
#[utoipa::path(post, path = "/api/v1/submissions/{unit}/{period}/accept", tag = "submissions",
    params(
        ("unit" = String, Path, description = "Unit code, e.g. HD-SH"),
        ("period" = String, Path, description = "A month, e.g. 2026-03"),
    ),
    request_body = StepRequest,
    responses(
        (status = 200, body = SubmissionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not submitted, or submitted by the caller"),
    ))]
pub async fn accept_submission(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((unit, period)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<StepRequest>,
) -> Result<Json<SubmissionView>, ApiError> {
    step(&state, &a, &unit, &period, SubmissionAction::Accept, &req).await
}
