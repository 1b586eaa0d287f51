//! Who is asking: the session cookie or a bearer token, resolved once per
//! request by [`authenticate`], which also enforces CSRF on every write made
//! with a cookie. Handlers take [`ApiUser`] or [`PageUser`] to require a
//! signed-in user; what that user may reach is decided by
//! [`crate::domain::access`].

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::AppState;
use super::error::ApiError;
use super::i18n::Locale;
use crate::domain::access::Actor;
use crate::storage::accounts::{self, SignedIn};
use crate::storage::cache::Versions;

pub const SESSION_COOKIE: &str = "mubiao_session";
pub const LANG_COOKIE: &str = "mubiao_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// HTML forms carry the CSRF token in their action URL, so one check covers
/// url-encoded and multipart forms alike.
pub const CSRF_QUERY: &str = "_csrf";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; the value is the cookie (needed to log out).
    Cookie(String),
    /// `Authorization: Bearer …`: no CSRF needed, no cookie involved.
    Bearer,
}

/// The caller, once authenticated. Put in the request extensions.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub signed_in: SignedIn,
    pub via: Via,
    /// The change counters read for this request; pass them to
    /// [`crate::storage::cache::StructureCache::get_at`].
    pub versions: Versions,
}

impl Authenticated {
    pub fn actor(&self) -> &Actor {
        &self.signed_in.actor
    }

    /// The token forms must carry; empty for bearer callers.
    pub fn csrf(&self) -> &str {
        self.signed_in.csrf_token.as_deref().unwrap_or_default()
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Login creates a session; there is no session yet to protect.
fn csrf_exempt(path: &str) -> bool {
    matches!(path, "/login" | "/api/v1/login")
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Resolves the caller and checks CSRF; runs before every route.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let jar = CookieJar::from_headers(headers);
    let path = req.uri().path().to_owned();
    let token = bearer(headers);
    let cookie = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    // Every change counter, read after this request arrived (in one query
    // shared with the requests arriving alongside) and before anything they
    // guard: the callers kept in memory now, the org tree later.
    let versions = if token.is_some() || cookie.is_some() {
        match state.counters.read().await {
            Ok(v) => v,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        Versions::default()
    };
    let auth = if let Some(token) = token {
        match state.callers.token(&state.db, versions, token).await {
            Ok(Some(s)) => Some(Authenticated {
                signed_in: s,
                via: Via::Bearer,
                versions,
            }),
            Ok(None) => {
                return ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "the API token is unknown or revoked",
                )
                .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(c) = cookie {
        match state.callers.session(&state.db, versions, &c).await {
            Ok(s) => s.map(|s| Authenticated {
                signed_in: s,
                via: Via::Cookie(c),
                versions,
            }),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    if let Some(a) = &auth {
        tracing::Span::current().record("user", a.actor().username.as_str());
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Cookies are sent by the browser on its own; a write made with one must
    // prove it comes from our page. Bearer tokens are never sent implicitly.
    if let Some(a) = auth.as_ref().filter(|a| matches!(a.via, Via::Cookie(_)))
        && !safe
        && !csrf_exempt(&path)
    {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .or_else(|| query_param(req.uri().query(), CSRF_QUERY));
        if sent.is_none_or(|s| !constant_time_eq(s.as_bytes(), a.csrf().as_bytes())) {
            return if is_api(&path) {
                ApiError::csrf().into_response()
            } else {
                super::pages::forbidden_page(a, &req).into_response()
            };
        }
    }
    if let Some(a) = auth {
        req.extensions_mut().insert(a);
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in API caller; 401 otherwise.
pub struct ApiUser(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Authenticated>()
            .cloned()
            .map(ApiUser)
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// A signed-in page visitor; others are sent to the login page and back.
pub struct PageUser(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authenticated>() {
            Some(a) => Ok(PageUser(a.clone())),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The UI language: the user's choice, else the language cookie, else the
/// browser's Accept-Language, else Chinese.
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let chosen = parts
            .extensions
            .get::<Authenticated>()
            .and_then(|a| a.signed_in.user.locale.as_deref())
            .and_then(Locale::from_code);
        let cookie = CookieJar::from_headers(&parts.headers)
            .get(LANG_COOKIE)
            .and_then(|c| Locale::from_code(c.value()));
        let browser = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language);
        Ok(Lang(chosen.or(cookie).or(browser).unwrap_or(Locale::Zh)))
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure over https.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_days(accounts::SESSION_DAYS))
        .build()
}

/// A cookie that removes the session cookie.
pub fn clear_session_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time_days(0))
        .build()
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

/// True when the request reached us over https (directly configured, or
/// through a proxy that says so).
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_read_from_the_form_action() {
        assert_eq!(query_param(Some("a=1&_csrf=xyz"), CSRF_QUERY), Some("xyz"));
        assert_eq!(query_param(Some("a=1"), CSRF_QUERY), None);
        assert_eq!(query_param(None, CSRF_QUERY), None);
    }

    #[test]
    fn next_parameter_is_encoded() {
        assert_eq!(urlencode("/org?x=1&y=2"), "/org%3Fx%3D1%26y%3D2");
    }

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
