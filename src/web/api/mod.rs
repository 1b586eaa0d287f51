//! The JSON API under `/api/v1`, described by the OpenAPI document that
//! utoipa builds from the handlers themselves, so the two cannot drift.

mod activities;
mod audit;
pub(crate) mod customers;
mod metrics;
mod orders;
mod org;
mod plans;
mod projects;
mod session;
mod submissions;
mod table_files;
mod targets;
mod tokens;
mod work;

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
        .routes(routes!(
            customers::list_customers,
            customers::create_customer
        ))
        .routes(routes!(customers::get_customer, customers::update_customer))
        .routes(routes!(customers::create_contact))
        .routes(routes!(
            customers::update_contact,
            customers::delete_contact
        ))
        .routes(routes!(customers::list_notes, customers::create_note))
        .routes(routes!(customers::list_reminders))
        .routes(routes!(orders::list_orders, orders::create_order))
        .routes(routes!(orders::get_order, orders::update_order))
        .routes(routes!(orders::step_order))
        .routes(routes!(orders::cancel_order))
        .routes(routes!(orders::add_collection))
        .routes(routes!(orders::delete_collection))
        .routes(routes!(
            activities::list_activities,
            activities::create_activity
        ))
        .routes(routes!(
            activities::get_activity,
            activities::update_activity,
            activities::delete_activity
        ))
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
        .routes(routes!(projects::list_stages, projects::put_stages))
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(projects::overdue_projects))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(projects::add_followup))
        .routes(routes!(projects::link_order))
        .routes(routes!(projects::unlink_order))
        .routes(routes!(work::list_daily_plans))
        .routes(routes!(work::get_daily_plan, work::put_daily_plan))
        .routes(routes!(work::comment_daily_plan))
        .routes(routes!(work::list_weekly_reports))
        .routes(routes!(work::get_weekly_report, work::put_weekly_report))
        .routes(routes!(work::comment_weekly_report))
}

/// Routes that take file uploads; they get the configured upload limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(org::import_people))
        .routes(routes!(orders::import_orders))
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
