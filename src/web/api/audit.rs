//! The audit log, read-only.

use axum::Json;
use axum::extract::State;

use crate::storage::Error;
use crate::storage::audit::{self, AuditFilter, AuditView};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiQuery, ErrorBody};

/// Newest first, 100 per page; admin and gm only (others: 404).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditFilter),
    responses((status = 200, body = Vec<AuditView>), (status = 404, body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    match audit::list(&state.db, a.actor(), &filter).await {
        // The log is not shown to exist for those who may not read it.
        Err(Error::Forbidden) => Err(ApiError::not_found()),
        other => Ok(Json(other?)),
    }
}
