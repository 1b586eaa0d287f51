//! Sign in and out, who am I, passwords.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};

use crate::storage::accounts::{self, SignedIn};
use crate::storage::org;
use crate::web::AppState;
use crate::web::auth::{self, ApiUser, Via};
use crate::web::error::{ApiError, ApiJson, ApiPath};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    /// The person's name; the username for accounts without a person.
    pub name: String,
    pub role: crate::domain::role::Role,
    pub employee_no: Option<String>,
    /// Unit code.
    pub unit: Option<String>,
    /// Send as `X-CSRF-Token` on writes made with the session cookie;
    /// `null` for bearer-token callers, who need none.
    pub csrf_token: Option<String>,
}

async fn me_of(state: &AppState, s: &SignedIn) -> Result<Me, ApiError> {
    let person = org::own_person(&state.db, &s.actor).await?;
    Ok(Me {
        username: s.user.username.clone(),
        name: person
            .as_ref()
            .map_or_else(|| s.user.username.clone(), |p| p.name.clone()),
        role: s.actor.role,
        employee_no: person.as_ref().map(|p| p.employee_no.clone()),
        unit: person.map(|p| p.unit),
        csrf_token: s.csrf_token.clone(),
    })
}

/// Signs in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/login", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, body = Me, description = "Signed in; the session cookie is set"),
        (status = 401, body = crate::web::error::ErrorBody, description = "Wrong username or password"),
        (status = 429, body = crate::web::error::ErrorBody, description = "Too many failed logins"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<Me>), ApiError> {
    let s = accounts::login(&state.db, &req.username, &req.password).await?;
    let secure = auth::is_https(&state, &headers);
    let me = me_of(&state, &s.signed_in).await?;
    Ok((jar.add(auth::session_cookie(s.token, secure)), Json(me)))
}

/// Signs out: ends the session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "session",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiUser(a): ApiUser,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if let Via::Cookie(token) = &a.via {
        accounts::logout(&state.db, token).await?;
    }
    Ok((
        jar.add(auth::clear_session_cookie()),
        StatusCode::NO_CONTENT,
    ))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn me(State(state): State<AppState>, ApiUser(a): ApiUser) -> Result<Json<Me>, ApiError> {
    Ok(Json(me_of(&state, &a.signed_in).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Changes one's own password.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "session",
    request_body = PasswordChange,
    responses((status = 204), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    accounts::set_password(
        &state.db,
        Some(a.actor()),
        &a.signed_in.user.username,
        Some(&req.old_password),
        &req.new_password,
    )
    .await?;
    let keep = match &a.via {
        Via::Cookie(token) => Some(token.as_str()),
        Via::Bearer => None,
    };
    accounts::end_other_sessions(&state.db, a.actor().user_id, keep).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub new_password: String,
}

/// Admin: sets a user's password and ends their sessions.
#[utoipa::path(put, path = "/api/v1/users/{username}/password", tag = "session",
    params(("username" = String, Path)),
    request_body = PasswordReset,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(username): ApiPath<String>,
    ApiJson(req): ApiJson<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    if !a.actor().may_manage_accounts() {
        return Err(ApiError::not_found());
    }
    accounts::set_password(
        &state.db,
        Some(a.actor()),
        &username,
        None,
        &req.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
