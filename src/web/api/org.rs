//! Units and people.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::Serialize;

use crate::storage::org::{
    self, NewPerson, NewUnit, PeopleFilter, PersonPatch, PersonView, UnitPatch, UnitView,
};
use crate::transfer;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody, multipart_rejection};

/// Every unit the caller may see, in tree order.
#[utoipa::path(get, path = "/api/v1/units", tag = "org",
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    Ok(Json(org::list_units(&state.db, a.actor()).await?))
}

/// Adds a unit under a parent in the caller's reach.
#[utoipa::path(post, path = "/api/v1/units", tag = "org",
    request_body = NewUnit,
    responses(
        (status = 201, body = UnitView),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid or duplicate code, unknown parent"),
    ))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    let unit = org::create_unit(&state.db, a.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "org",
    params(("code" = String, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(org::get_unit(&state.db, a.actor(), &code).await?))
}

/// Renames, moves (no cycles), sets the head of, or deactivates a unit.
#[utoipa::path(patch, path = "/api/v1/units/{code}", tag = "org",
    params(("code" = String, Path)),
    request_body = UnitPatch,
    responses(
        (status = 200, body = UnitView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_unit(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(patch): ApiJson<UnitPatch>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(
        org::update_unit(&state.db, a.actor(), &code, &patch).await?,
    ))
}

/// Everyone the caller may see.
#[utoipa::path(get, path = "/api/v1/people", tag = "org",
    params(PeopleFilter),
    responses((status = 200, body = Vec<PersonView>), (status = 401, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(filter): ApiQuery<PeopleFilter>,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    Ok(Json(org::list_people(&state.db, a.actor(), &filter).await?))
}

/// Adds a person, optionally with a login account.
#[utoipa::path(post, path = "/api/v1/people", tag = "org",
    request_body = NewPerson,
    responses(
        (status = 201, body = PersonView),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewPerson>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    if !a.actor().may_import_people() {
        return Err(ApiError::forbidden());
    }
    let person = org::create_person(&state.db, a.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{employee_no}", tag = "org",
    params(("employee_no" = String, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(no): ApiPath<String>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(org::get_person(&state.db, a.actor(), &no).await?))
}

/// Changes a person: name, unit, role, manager, contact data, active flag.
#[utoipa::path(patch, path = "/api/v1/people/{employee_no}", tag = "org",
    params(("employee_no" = String, Path)),
    request_body = PersonPatch,
    responses(
        (status = 200, body = PersonView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_person(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(no): ApiPath<String>,
    ApiJson(patch): ApiJson<PersonPatch>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(
        org::update_person(&state.db, a.actor(), &no, &patch).await?,
    ))
}

/// What a people import did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeopleImportResult {
    pub created: usize,
    pub updated: usize,
    pub rows: usize,
}

/// Reads the first file field of a multipart form: (file name, bytes).
pub async fn read_upload(mut form: Multipart) -> Result<(String, Vec<u8>), ApiError> {
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if let Some(name) = field.file_name().map(str::to_owned) {
            let bytes = field.bytes().await.map_err(multipart_error)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(ApiError::invalid(
        "no file in the form: send it as multipart/form-data field \"file\"",
        vec![serde_json::json!({"field": "file", "message": "missing", "message_zh": "缺少文件"})],
    ))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        ApiError::bad_request(e.body_text())
    }
}

/// Imports people from .xlsx or .csv (multipart field `file`); all or nothing.
#[utoipa::path(post, path = "/api/v1/import/people", tag = "org",
    request_body(content_type = "multipart/form-data", description = "field `file`: .xlsx or .csv with headers 工号, 姓名, 部门编码, 角色, 上级工号, 入职日期, 手机, 邮箱 (or employee_no, name, unit, role, manager, hire_date, phone, email)"),
    responses(
        (status = 200, body = PeopleImportResult),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Every error names sheet, row and column; nothing was written"),
    ))]
pub async fn import_people(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<PeopleImportResult>, ApiError> {
    if !a.actor().may_import_people() {
        return Err(ApiError::forbidden());
    }
    let form = form.map_err(multipart_rejection)?;
    let (name, bytes) = read_upload(form).await?;
    let s = transfer::people::import_file(&state.db, a.actor(), &name, &bytes).await?;
    Ok(Json(PeopleImportResult {
        created: s.created,
        updated: s.updated,
        rows: s.created + s.updated,
    }))
}
