//! Metric set-up (指标设置): `GET/POST /api/v1/metrics`,
//! `PATCH /api/v1/metrics/{code}`. The rules live in
//! [`crate::storage::metrics`]; these handlers only translate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::storage::metrics::{self, MetricPatch, MetricView, NewMetric};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ErrorBody};

/// Every metric, in table order; inactive ones are listed with
/// `active: false`. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "metrics",
    responses(
        (status = 200, body = Vec<MetricView>),
        (status = 401, body = ErrorBody),
    ))]
pub async fn list_metrics(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<MetricView>>, ApiError> {
    Ok(Json(metrics::list(&state.db).await?))
}

/// Adds a metric at the end of the table (admin). Every wrong field is
/// named at once; the change is audited.
#[utoipa::path(post, path = "/api/v1/metrics", tag = "metrics",
    request_body = NewMetric,
    responses(
        (status = 201, body = MetricView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Only admin sets up metrics"),
        (status = 422, body = ErrorBody, description = "`details` names each bad field: code (format, duplicate), name, kind/direction/total/rollup (unknown value, with the allowed ones), numerator/denominator (required for a ratio, must exist, not the metric itself), tolerance, source"),
    ))]
pub async fn create_metric(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewMetric>,
) -> Result<(StatusCode, Json<MetricView>), ApiError> {
    let view = metrics::create(&state.db, a.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Changes a metric (admin); only the fields present change. The kind of
/// a metric with figures cannot change; a new rollup rule recomputes the
/// units' rollups. Audited with before and after.
#[utoipa::path(patch, path = "/api/v1/metrics/{code}", tag = "metrics",
    params(("code" = String, Path, description = "Metric code, e.g. sales_amount")),
    request_body = MetricPatch,
    responses(
        (status = 200, body = MetricView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Only admin sets up metrics"),
        (status = 404, body = ErrorBody, description = "No metric with this code"),
        (status = 422, body = ErrorBody, description = "`details` names each bad field, e.g. `kind` when the metric already has figures"),
    ))]
pub async fn update_metric(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(patch): ApiJson<MetricPatch>,
) -> Result<Json<MetricView>, ApiError> {
    Ok(Json(
        metrics::update(&state.db, a.actor(), &code, &patch).await?,
    ))
}
