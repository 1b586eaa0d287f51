//! The web layer: HTML pages and the JSON API on one axum router.
//!
//! Every request passes [`auth::authenticate`] (who is asking, CSRF); every
//! handler then asks [`crate::domain::access`] through storage what that
//! caller may reach. Errors are converted once, in [`error`].

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod table_cache;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::storage::Db;

/// Settings the web layer needs at run time.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The company's time zone: timestamps are stored in UTC, shown in this.
    pub time_zone: chrono_tz::Tz,
    /// Always mark cookies Secure (the server sits behind https).
    pub secure_cookies: bool,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Show the demo logins on the login page.
    pub show_demo_logins: bool,
    /// The month the company's year starts in.
    pub fiscal_year: crate::domain::period::FiscalYear,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            time_zone: chrono_tz::Asia::Shanghai,
            secure_cookies: false,
            max_upload_bytes: 10 * 1024 * 1024,
            show_demo_logins: false,
            fiscal_year: crate::domain::period::FiscalYear::default(),
        }
    }
}

/// Shared by all handlers. What it keeps in memory is checked against change
/// counters in the database on every request: several app servers can run
/// side by side on one database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<WebSettings>,
    /// Each request's reading of the change counters, shared between
    /// requests that arrive together.
    pub counters: Arc<crate::storage::cache::CounterReads>,
    /// The org tree and metrics, checked against the database on each use.
    pub structure: Arc<crate::storage::cache::StructureCache>,
    /// Signed-in callers, checked against the database on each use.
    pub callers: Arc<crate::storage::cache::CallerCache>,
    /// Period locks and submission statuses, checked the same way.
    pub marks: Arc<crate::storage::cache::MarksCache>,
    /// Finished table answers, valid under the same counters.
    pub tables: Arc<table_cache::TableCache>,
}

impl AppState {
    pub fn new(db: Db, settings: WebSettings) -> AppState {
        AppState {
            counters: Arc::new(crate::storage::cache::CounterReads::new(db.clone())),
            db,
            settings: Arc::new(settings),
            structure: Arc::default(),
            callers: Arc::default(),
            marks: Arc::default(),
            tables: Arc::default(),
        }
    }
}

/// Largest JSON body, well above any real request of this API.
const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// The Content-Security-Policy of every answer: nothing but our own files,
/// no inline script or style, no framing, forms post only to us.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The security headers set on every answer.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The whole application: pages, API, assets, health check.
pub fn app(state: AppState) -> Router {
    let upload_limit = state.settings.max_upload_bytes;
    let (json_api, _) = api::json_router().split_for_parts();
    let (upload_api, _) = api::upload_router().split_for_parts();
    let router = Router::new()
        // Page forms get a small limit; the upload route of the import page
        // sets the upload limit itself.
        .merge(pages::router(upload_limit))
        .merge(json_api.layer(DefaultBodyLimit::max(MAX_JSON_BYTES)))
        .merge(upload_api.layer(DefaultBodyLimit::max(upload_limit)))
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/healthz", get(healthz))
        .route("/assets/{file}", get(assets::serve))
        // After every route: it is given to the routes there are.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-")
                        .to_owned();
                    // The path only: form actions carry the CSRF token in
                    // their query, which must not reach the log.
                    tracing::info_span!(
                        "request",
                        id = %id,
                        method = %req.method(),
                        path = %req.uri().path(),
                        user = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(
                    |resp: &Response, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(
                            status = resp.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            "response"
                        );
                    },
                ),
        )
        .layer(SetRequestIdLayer::x_request_id(
            SequentialRequestId::default(),
        ));
    // Outermost, so that every answer carries them, the middleware's too.
    SECURITY_HEADERS
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::overriding(
                name,
                HeaderValue::from_static(value),
            ))
        })
        .with_state(state)
}

/// Request ids: a per-process random prefix and a counter, short and unique
/// enough to follow one request through the log.
#[derive(Clone)]
struct SequentialRequestId {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for SequentialRequestId {
    fn default() -> Self {
        let token = crate::storage::accounts::random_token();
        SequentialRequestId {
            prefix: token.chars().take(6).collect::<String>().into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// 405: JSON for the API, a page otherwise. axum adds the `Allow` header.
async fn method_not_allowed(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        error::ApiError::method_not_allowed().into_response()
    } else {
        pages::method_not_allowed_page(&req).into_response()
    }
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        error::ApiError::not_found().into_response()
    } else {
        pages::not_found_page(&req).into_response()
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
