//! Activities: calls, visits and meetings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::customers::today;
use crate::storage::activities::{self, ActivityFilter, ActivityPatch, ActivityView, NewActivity};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

/// The activities the caller may read (their own; a manager's team's;
/// gm, admin and sales admins everyone's), newest first.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities",
    params(ActivityFilter),
    responses(
        (status = 200, body = Vec<ActivityView>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad day or kind in the filter"),
    ))]
pub async fn list_activities(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(filter): ApiQuery<ActivityFilter>,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    Ok(Json(activities::list(&state.db, a.actor(), &filter).await?))
}

/// Logs a call, visit or meeting (the caller's own; admin for anyone).
/// The day defaults to today in the company's time zone. The computed
/// actuals (calls, visits) follow at once.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities",
    request_body = NewActivity,
    responses(
        (status = 201, body = ActivityView),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown kind, bad day or time, customer or person outside the caller's reach"),
    ))]
pub async fn create_activity(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewActivity>,
) -> Result<(StatusCode, Json<ActivityView>), ApiError> {
    let v = activities::create(&state.db, a.actor(), &new, today(&state)).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = i64, Path)),
    responses((status = 200, body = ActivityView), (status = 404, body = ErrorBody)))]
pub async fn get_activity(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActivityView>, ApiError> {
    Ok(Json(activities::get(&state.db, a.actor(), id).await?))
}

/// Changes one's own activity (admin: anyone's); audited.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = i64, Path)),
    request_body = ActivityPatch,
    responses(
        (status = 200, body = ActivityView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_activity(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<ActivityPatch>,
) -> Result<Json<ActivityView>, ApiError> {
    Ok(Json(
        activities::update(&state.db, a.actor(), id, &patch).await?,
    ))
}

/// Deletes one's own activity (admin: anyone's); audited.
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = i64, Path)),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn delete_activity(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    activities::delete(&state.db, a.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
