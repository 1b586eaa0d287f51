//! Target decomposition (目标分解): splits, seasonal distributions, and the
//! plans whose versions carry every target change through approval.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::storage::decompose::{
    self, DistributionInput, DistributionView, GrowthRequest, SplitOutcome, SplitRequest,
};
use crate::storage::dimensions::{self, DimensionInput, DimensionQuery, DimensionTable};
use crate::storage::figures::WriteSummary;
use crate::storage::plans::{self, Comparison, PlanView, Step, VersionRef};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

/// Splits a target to a unit's children (sub-units and people) or over
/// time (quarters, months, ISO weeks). Parts sum exactly to the whole in
/// the metric's smallest unit; `took_remainder` marks the parts that got
/// the rounding remainder. With `"preview": false` the parts are written as
/// a plan change: published at once for the GM and admin, into the plan
/// draft for a manager (`applied.pending`).
#[utoipa::path(post, path = "/api/v1/targets/split", tag = "decomposition",
    request_body = SplitRequest,
    responses(
        (status = 200, body = SplitOutcome),
        (status = 403, body = ErrorBody, description = "The caller may not set these targets"),
        (status = 422, body = ErrorBody, description = "`details` names the bad field, e.g. `weights`, `distribution`, `fixed[\"person:E0016\"]`"),
    ))]
pub async fn split(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(req): ApiJson<SplitRequest>,
) -> Result<Json<SplitOutcome>, ApiError> {
    Ok(Json(
        decompose::split(&state.db, a.actor(), state.settings.fiscal_year, &req).await?,
    ))
}

/// Sets year targets from last year's actual × (1 + growth %) — e.g. +20 %
/// on last year — for a subject and, optionally, each of its children.
#[utoipa::path(post, path = "/api/v1/targets/growth", tag = "decomposition",
    request_body = GrowthRequest,
    responses(
        (status = 200, body = SplitOutcome),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn growth(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(req): ApiJson<GrowthRequest>,
) -> Result<Json<SplitOutcome>, ApiError> {
    Ok(Json(
        decompose::growth(&state.db, a.actor(), state.settings.fiscal_year, &req).await?,
    ))
}

/// The seasonal distributions: built-in ones, then the company's own.
#[utoipa::path(get, path = "/api/v1/distributions", tag = "decomposition",
    responses((status = 200, body = Vec<DistributionView>), (status = 403, body = ErrorBody)))]
pub async fn list_distributions(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<DistributionView>>, ApiError> {
    if a.actor().targets_write() == crate::domain::access::Reach::Nothing {
        return Err(crate::storage::Error::Forbidden.into());
    }
    Ok(Json(decompose::list_distributions(&state.db).await?))
}

/// Creates or replaces one of the company's distributions: twelve
/// percentages, January first, totalling exactly 100 (GM and admin).
#[utoipa::path(put, path = "/api/v1/distributions/{code}", tag = "decomposition",
    params(("code" = String, Path, description = "e.g. `spring_fair`")),
    request_body = DistributionInput,
    responses(
        (status = 200, body = DistributionView),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "e.g. the percentages total 99.5"),
    ))]
pub async fn put_distribution(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<DistributionInput>,
) -> Result<Json<DistributionView>, ApiError> {
    Ok(Json(
        decompose::put_distribution(&state.db, a.actor(), &code, &input).await?,
    ))
}

/// Narrows `GET /api/v1/plans`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PlanQuery {
    /// A fiscal year, e.g. 2026.
    pub year: Option<i32>,
}

/// The plans the caller may read, each with its versions (newest first)
/// and what the caller may do next.
#[utoipa::path(get, path = "/api/v1/plans", tag = "decomposition",
    params(PlanQuery),
    responses((status = 200, body = Vec<PlanView>)))]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> Result<Json<Vec<PlanView>>, ApiError> {
    Ok(Json(plans::list(&state.db, a.actor(), q.year).await?))
}

/// One plan with its versions.
#[utoipa::path(get, path = "/api/v1/plans/{plan}", tag = "decomposition",
    params(("plan" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(plan): ApiPath<i64>,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(plans::get(&state.db, a.actor(), plan).await?))
}

/// The body of a workflow step.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanStepRequest {
    /// Required to return a version; kept with approvals too.
    #[serde(default)]
    pub comment: Option<String>,
}

async fn take_step(
    state: AppState,
    a: ApiUser,
    (plan, version): (i64, i32),
    step: Step,
    comment: Option<String>,
) -> Result<Json<VersionRef>, ApiError> {
    Ok(Json(
        plans::step(
            &state.db,
            a.0.actor(),
            plan,
            version,
            step,
            comment.as_deref(),
        )
        .await?,
    ))
}

/// Submits a draft (or returned) version for approval: the plan unit's
/// manager.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/versions/{version}/submit", tag = "decomposition",
    params(("plan" = i64, Path), ("version" = i32, Path)),
    request_body = PlanStepRequest,
    responses((status = 200, body = VersionRef), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_plan(
    State(state): State<AppState>,
    a: ApiUser,
    ApiPath(path): ApiPath<(i64, i32)>,
    ApiJson(req): ApiJson<PlanStepRequest>,
) -> Result<Json<VersionRef>, ApiError> {
    take_step(state, a, path, Step::Submit, req.comment).await
}

/// Approves a submitted version: the next manager up, the GM or admin —
/// never its author.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/versions/{version}/approve", tag = "decomposition",
    params(("plan" = i64, Path), ("version" = i32, Path)),
    request_body = PlanStepRequest,
    responses((status = 200, body = VersionRef), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_plan(
    State(state): State<AppState>,
    a: ApiUser,
    ApiPath(path): ApiPath<(i64, i32)>,
    ApiJson(req): ApiJson<PlanStepRequest>,
) -> Result<Json<VersionRef>, ApiError> {
    take_step(state, a, path, Step::Approve, req.comment).await
}

/// Returns a submitted version to its author with a comment.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/versions/{version}/return", tag = "decomposition",
    params(("plan" = i64, Path), ("version" = i32, Path)),
    request_body = PlanStepRequest,
    responses((status = 200, body = VersionRef), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn return_plan(
    State(state): State<AppState>,
    a: ApiUser,
    ApiPath(path): ApiPath<(i64, i32)>,
    ApiJson(req): ApiJson<PlanStepRequest>,
) -> Result<Json<VersionRef>, ApiError> {
    take_step(state, a, path, Step::Return, req.comment).await
}

/// Publishes an approved version: its targets take effect in the table.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/versions/{version}/publish", tag = "decomposition",
    params(("plan" = i64, Path), ("version" = i32, Path)),
    request_body = PlanStepRequest,
    responses((status = 200, body = VersionRef), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_plan(
    State(state): State<AppState>,
    a: ApiUser,
    ApiPath(path): ApiPath<(i64, i32)>,
    ApiJson(req): ApiJson<PlanStepRequest>,
) -> Result<Json<VersionRef>, ApiError> {
    take_step(state, a, path, Step::Publish, req.comment).await
}

/// Which versions to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// The older version (0: before the plan).
    pub from: i32,
    /// The newer version.
    pub to: i32,
}

/// What changed between two versions: every target set in between, its
/// value in each, and the versions (who, when, why) that changed it.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/compare", tag = "decomposition",
    params(("plan" = i64, Path), CompareQuery),
    responses((status = 200, body = Comparison), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn compare_plan(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(plan): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> Result<Json<Comparison>, ApiError> {
    Ok(Json(
        plans::compare(&state.db, a.actor(), plan, q.from, q.to).await?,
    ))
}

/// Sets targets broken down by customer or product category within a
/// subject's target, all or nothing. A breakdown leaves the subject's own
/// target as it is, so it takes effect at once (audited).
#[utoipa::path(put, path = "/api/v1/targets/dimensions", tag = "decomposition",
    request_body = Vec<DimensionInput>,
    responses(
        (status = 200, body = WriteSummary),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`details` names every bad item"),
    ))]
pub async fn put_dimension_targets(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(items): ApiJson<Vec<DimensionInput>>,
) -> Result<Json<WriteSummary>, ApiError> {
    Ok(Json(dimensions::write(&state.db, a.actor(), &items).await?))
}

/// A subject's breakdown by customer or category for a year: members ×
/// months, and how much of the subject's target no member carries yet.
#[utoipa::path(get, path = "/api/v1/targets/dimensions", tag = "decomposition",
    params(DimensionQuery),
    responses(
        (status = 200, body = DimensionTable),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn get_dimension_targets(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<DimensionQuery>,
) -> Result<Json<DimensionTable>, ApiError> {
    Ok(Json(
        dimensions::table_of(&state.db, a.actor(), state.settings.fiscal_year, &q).await?,
    ))
}
