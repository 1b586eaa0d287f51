//! Projects and opportunities (项目/商机): the stage set-up, projects,
//! their follow-ups and linked orders, and the overdue list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::storage::projects::{
    self, NewFollowup, NewProject, OverdueList, ProjectDetail, ProjectFilter, ProjectPatch,
    ProjectView, StageInput, StageView, Today,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

fn today(state: &AppState) -> Today {
    Today::now(state.settings.time_zone)
}

/// The stages projects go through, in order, with their follow-up cadence
/// and how many projects each holds.
#[utoipa::path(get, path = "/api/v1/project-stages", tag = "projects",
    responses((status = 200, body = Vec<StageView>), (status = 401, body = ErrorBody)))]
pub async fn list_stages(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<StageView>>, ApiError> {
    Ok(Json(projects::list_stages(&state.db).await?))
}

/// Replaces the stage set (admin): names, order (as given), cadence in
/// days, active. A stage left out is removed — refused while projects are
/// in it (deactivate it instead).
#[utoipa::path(put, path = "/api/v1/project-stages", tag = "projects",
    request_body = Vec<StageInput>,
    responses(
        (status = 200, body = Vec<StageView>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad field (`items[1].cadence_days`), or a stage in use left out"),
    ))]
pub async fn put_stages(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(items): ApiJson<Vec<StageInput>>,
) -> Result<Json<Vec<StageView>>, ApiError> {
    Ok(Json(
        projects::put_stages(&state.db, a.actor(), &items).await?,
    ))
}

/// The projects the caller reads (a salesperson their own, a manager
/// their team's), newest first.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    params(ProjectFilter),
    responses((status = 200, body = Vec<ProjectView>), (status = 422, body = ErrorBody)))]
pub async fn list_projects(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(filter): ApiQuery<ProjectFilter>,
) -> Result<Json<Vec<ProjectView>>, ApiError> {
    Ok(Json(
        projects::list(&state.db, a.actor(), &filter, &today(&state)).await?,
    ))
}

/// Adds a project; the owner is the caller unless another 工号 is given.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects",
    request_body = NewProject,
    responses(
        (status = 201, body = ProjectDetail),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_project(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let p = projects::create(&state.db, a.actor(), &new, &today(&state)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Open projects not followed up within their stage's cadence, most
/// overdue first: the caller's own, or a manager's team's.
#[utoipa::path(get, path = "/api/v1/projects/overdue", tag = "projects",
    responses((status = 200, body = OverdueList), (status = 401, body = ErrorBody)))]
pub async fn overdue_projects(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<OverdueList>, ApiError> {
    Ok(Json(
        projects::overdue(&state.db, a.actor(), &today(&state)).await?,
    ))
}

/// One project with its follow-ups and linked orders.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProjectDetail>, ApiError> {
    Ok(Json(
        projects::get(&state.db, a.actor(), id, &today(&state)).await?,
    ))
}

/// Changes a project: any field, a stage move (audited as such), won or
/// lost.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path)),
    request_body = ProjectPatch,
    responses(
        (status = 200, body = ProjectDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad field, e.g. an unknown stage"),
    ))]
pub async fn update_project(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> Result<Json<ProjectDetail>, ApiError> {
    Ok(Json(
        projects::update(&state.db, a.actor(), id, &patch, &today(&state)).await?,
    ))
}

/// Deletes a project with its follow-ups and order links.
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path)),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn delete_project(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    projects::delete(&state.db, a.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a follow-up (today unless `followed_on` is given); the
/// project's next follow-up is then due one cadence later.
#[utoipa::path(post, path = "/api/v1/projects/{id}/followups", tag = "projects",
    params(("id" = i64, Path)),
    request_body = NewFollowup,
    responses(
        (status = 201, body = ProjectDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn add_followup(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewFollowup>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let p = projects::add_followup(&state.db, a.actor(), id, &new, &today(&state)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// The body of a link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The order number, e.g. `SO-2026-0001`.
    pub order_no: String,
}

/// Links a won project to one of its orders.
#[utoipa::path(post, path = "/api/v1/projects/{id}/orders", tag = "projects",
    params(("id" = i64, Path)),
    request_body = LinkRequest,
    responses(
        (status = 200, body = ProjectDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown order, another customer's, or the project is not won"),
    ))]
pub async fn link_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<Json<ProjectDetail>, ApiError> {
    Ok(Json(
        projects::link_order(&state.db, a.actor(), id, &req.order_no, &today(&state)).await?,
    ))
}

/// Removes a project's link to an order.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/orders/{order_no}", tag = "projects",
    params(("id" = i64, Path), ("order_no" = String, Path)),
    responses(
        (status = 200, body = ProjectDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn unlink_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, order_no)): ApiPath<(i64, String)>,
) -> Result<Json<ProjectDetail>, ApiError> {
    Ok(Json(
        projects::unlink_order(&state.db, a.actor(), id, &order_no, &today(&state)).await?,
    ))
}
