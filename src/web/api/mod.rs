//! The JSON API under `/api/v1`, described by the OpenAPI document that
//! utoipa builds from the handlers themselves, so the two cannot drift.

mod audit;
mod metrics;
mod org;
mod plans;
mod session;
mod submissions;
mod table_files;
mod targets;
mod tokens;

use axum::Json;
use axum::extract::State;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mubiao API",
        description = "Sales target management. Authenticate with `POST /api/v1/login` (session cookie; send the returned csrf_token as `X-CSRF-Token` on writes) or with a personal API token (`Authorization: Bearer …`). Errors are `{\"error\", \"message\", \"details\"}`.",
    ),
    modifiers(&Security),
    components(schemas(super::error::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                super::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    json_router().merge(upload_router())
}

/// Routes that take JSON bodies (or none).
pub fn json_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(session::change_password))
        .routes(routes!(session::reset_password))
        .routes(routes!(org::list_units, org::create_unit))
        .routes(routes!(org::get_unit, org::update_unit))
        .routes(routes!(org::list_people, org::create_person))
        .routes(routes!(org::get_person, org::update_person))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(audit::list_audit))
        .routes(routes!(targets::put_targets))
        .routes(routes!(targets::put_actuals))
        .routes(routes!(targets::get_table))
        .routes(routes!(targets::get_table_sources))
        .routes(routes!(targets::lock_period))
        .routes(routes!(targets::reopen_period))
        .routes(routes!(submissions::list_submissions))
        .routes(routes!(submissions::get_submission))
        .routes(routes!(submissions::submit_submission))
        .routes(routes!(submissions::return_submission))
        .routes(routes!(submissions::accept_submission))
        .routes(routes!(metrics::list_metrics, metrics::create_metric))
        .routes(routes!(metrics::update_metric))
        .routes(routes!(table_files::table_xlsx))
        .routes(routes!(table_files::table_csv))
        .routes(routes!(plans::split))
        .routes(routes!(plans::growth))
        .routes(routes!(plans::list_distributions))
        .routes(routes!(plans::put_distribution))
        .routes(routes!(plans::list_plans))
        .routes(routes!(plans::get_plan))
        .routes(routes!(plans::submit_plan))
        .routes(routes!(plans::approve_plan))
        .routes(routes!(plans::return_plan))
        .routes(routes!(plans::publish_plan))
        .routes(routes!(plans::compare_plan))
        .routes(routes!(
            plans::put_dimension_targets,
            plans::get_dimension_targets
        ))
}

/// Routes that take file uploads; they get the configured upload limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(org::import_people))
        .routes(routes!(table_files::import_targets))
        .routes(routes!(table_files::import_actuals))
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = router().split_for_parts();
    doc.paths.paths.insert(
        "/api/v1/openapi.json".into(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This document"))
                .response(
                    "200",
                    utoipa::openapi::Response::new("OpenAPI 3.1 document"),
                ),
        ),
    );
    doc
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json(State(_): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
