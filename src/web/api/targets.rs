//! Targets, actuals, the target table and month locks.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::storage::figures::{self, FigureInput, Measure, TableQuery, TableView, WriteSummary};
use crate::storage::sources::{self, SourcesQuery, SourcesView};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::web::table_cache::{self, TableKey};

/// Sets targets (目标, with optional 保底 `floor` and 挑战 `stretch`), all or
/// nothing: one bad item rejects the batch with every bad item listed.
#[utoipa::path(put, path = "/api/v1/targets", tag = "targets",
    request_body = Vec<FigureInput>,
    responses(
        (status = 200, body = WriteSummary),
        (status = 403, body = ErrorBody, description = "A subject the caller may see but not set targets for"),
        (status = 422, body = ErrorBody, description = "`details` names every bad item, e.g. `items[3].value`"),
    ))]
pub async fn put_targets(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(items): ApiJson<Vec<FigureInput>>,
) -> Result<Json<WriteSummary>, ApiError> {
    Ok(Json(
        figures::write(
            &state.db,
            a.actor(),
            state.settings.fiscal_year,
            Measure::Target,
            &items,
        )
        .await?,
    ))
}

/// Enters actuals (实际), all or nothing.
#[utoipa::path(put, path = "/api/v1/actuals", tag = "targets",
    request_body = Vec<FigureInput>,
    responses(
        (status = 200, body = WriteSummary),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn put_actuals(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(items): ApiJson<Vec<FigureInput>>,
) -> Result<Json<WriteSummary>, ApiError> {
    Ok(Json(
        figures::write(
            &state.db,
            a.actor(),
            state.settings.fiscal_year,
            Measure::Actual,
            &items,
        )
        .await?,
    ))
}

/// The 目标管理表 of a unit or person for a fiscal year: metric rows × 12
/// months, then 平均/合计, with target, actual, rate and colour per cell.
#[utoipa::path(get, path = "/api/v1/table", tag = "targets",
    params(TableQuery),
    responses(
        (status = 200, body = TableView),
        (status = 404, body = ErrorBody, description = "Unknown subject, or outside the caller's reach"),
    ))]
pub async fn get_table(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(table_cache::accepts_gzip);
    let key = TableKey::new(a.actor(), &q);
    if let Some(gzip) = key.as_ref().and_then(|k| state.tables.get(a.versions, k)) {
        return if gzip_ok {
            Ok(json_answer(gzip, true))
        } else {
            Ok(json_answer(table_cache::gunzip(&gzip)?.into(), false))
        };
    }
    let structure = state.structure.get_at(&state.db, a.versions).await?;
    let view = figures::table_with(
        &state.db,
        &structure,
        &state.marks.get_at(a.versions),
        a.actor(),
        state.settings.fiscal_year,
        &q,
    )
    .await?;
    let json = serde_json::to_vec(&view).map_err(std::io::Error::from)?;
    Ok(match key {
        Some(key) if gzip_ok => json_answer(state.tables.put(a.versions, key, &json)?, true),
        Some(key) => {
            // The caller takes the JSON as it is: it is compressed for the
            // cache beside the answer, without delaying it.
            let json = Bytes::from(json);
            let (tables, versions, kept) = (state.tables.clone(), a.versions, json.clone());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = tables.put(versions, key, &kept) {
                    tracing::warn!(error = %e, "keeping a table answer");
                }
            });
            json_answer(json, false)
        }
        None if gzip_ok => json_answer(table_cache::gzip(&json)?.into(), true),
        None => json_answer(json.into(), false),
    })
}

/// A JSON body, gzip-encoded or not; `Vary` tells caches the answer
/// depends on `Accept-Encoding`.
fn json_answer(body: Bytes, gzip: bool) -> Response {
    let mut headers = vec![
        (header::CONTENT_TYPE, "application/json"),
        (header::VARY, "accept-encoding"),
    ];
    if gzip {
        headers.push((header::CONTENT_ENCODING, "gzip"));
    }
    let mut response = body.into_response();
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockRequest {
    /// Why; required to reopen.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Locks a month (`2026-03`): its figures then change only after reopening.
#[utoipa::path(post, path = "/api/v1/periods/{period}/lock", tag = "targets",
    params(("period" = String, Path, description = "A month, e.g. 2026-03")),
    request_body = LockRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock_period(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(period): ApiPath<String>,
    ApiJson(req): ApiJson<LockRequest>,
) -> Result<StatusCode, ApiError> {
    figures::lock_period(&state.db, a.actor(), &period, req.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a locked month; `reason` is required and audited.
#[utoipa::path(post, path = "/api/v1/periods/{period}/reopen", tag = "targets",
    params(("period" = String, Path, description = "A month, e.g. 2026-03")),
    request_body = LockRequest,
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "The month is not locked"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn reopen_period(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(period): ApiPath<String>,
    ApiJson(req): ApiJson<LockRequest>,
) -> Result<StatusCode, ApiError> {
    figures::reopen_period(
        &state.db,
        a.actor(),
        &period,
        req.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The records a computed figure comes from — orders, collections,
/// customers, activities or daily plans — for a unit or person and a
/// month: what the table's click-through shows.
#[utoipa::path(get, path = "/api/v1/table/sources", tag = "targets",
    params(("metric" = String, Query, description = "Metric code, e.g. sales_amount"),
           ("subject" = String, Query, description = "unit:HD or person:E0007"),
           ("period" = String, Query, description = "A month, e.g. 2026-03")),
    responses(
        (status = 200, body = SourcesView),
        (status = 404, body = ErrorBody, description = "Unknown subject, or outside the caller's reach"),
        (status = 422, body = ErrorBody, description = "A metric that is not computed, or a period that is not a month"),
    ))]
pub async fn get_table_sources(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<SourcesQuery>,
) -> Result<Json<SourcesView>, ApiError> {
    Ok(Json(
        sources::records_behind(&state.db, a.actor(), &q).await?,
    ))
}
