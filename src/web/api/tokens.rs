//! Personal API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::storage::accounts::{self, TokenView};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ErrorBody};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// What the token is for, e.g. "月度报表脚本".
    pub name: String,
}

/// A new token: `token` is shown this once and never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

/// The caller's tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    Ok(Json(accounts::list_tokens(&state.db, a.actor()).await?))
}

/// Creates a token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(req): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (token, info) =
        accounts::create_token(&state.db, Some(a.actor()), a.actor().user_id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_token(&state.db, a.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
