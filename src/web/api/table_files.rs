//! The target table as files: `GET /api/v1/table.xlsx`,
//! `GET /api/v1/table.csv`, `POST /api/v1/import/{targets|actuals}`.
//! The layouts are described in [`crate::transfer::table`].

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::org::read_upload;
use crate::storage::figures::{self, Measure, TableQuery, TableView};
use crate::transfer::table::{self, FigureImportSummary, ImportError};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiQuery, ErrorBody, multipart_rejection};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

/// `filename*` per RFC 5987/6266: UTF-8, percent-encoded except attr-chars.
fn encode_rfc5987(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file download of `bytes`, named after the table.
fn download(view: &TableView, ext: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let (ascii, full) = table::file_names(view, ext);
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode_rfc5987(&full)
    );
    let mut resp = (StatusCode::OK, bytes).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Only ASCII went into the value, so it is always a valid header.
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    // A person's figures: not for shared caches.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

async fn view(state: &AppState, user: &ApiUser, q: &TableQuery) -> Result<TableView, ApiError> {
    Ok(figures::table(
        &state.db,
        user.0.actor(),
        state.settings.fiscal_year,
        &q.subject,
        q.year,
    )
    .await?)
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "{what}");
    ApiError::internal()
}

/// The table as .xlsx, laid out like the seed's 目标管理表: metric rows
/// (目标 / 实际 / 完成率, and 保底 / 挑战 when set) × the fiscal months,
/// 平均/合计 and 年度目标, with the seed's colour fills, legend and the
/// note naming the compiling unit. Cells A2:D2 (主体, 年度) tell an import
/// which table the file is.
#[utoipa::path(get, path = "/api/v1/table.xlsx", tag = "targets",
    params(TableQuery),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "The workbook, as an attachment"),
        (status = 404, body = ErrorBody, description = "Unknown subject, or outside the caller's reach"),
    ))]
pub async fn table_xlsx(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    let view = view(&state, &user, &q).await?;
    let (view, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = table::to_xlsx(&view);
        (view, bytes)
    })
    .await
    .map_err(|e| internal("xlsx export task", e))?;
    let bytes = bytes.map_err(|e| internal("xlsx export", e))?;
    Ok(download(&view, "xlsx", XLSX, bytes))
}

/// The table as CSV (UTF-8 with BOM): the same grid as the .xlsx, without
/// colours; rates are written `107.64%`.
#[utoipa::path(get, path = "/api/v1/table.csv", tag = "targets",
    params(TableQuery),
    responses(
        (status = 200, content_type = "text/csv", description = "The CSV file, as an attachment"),
        (status = 404, body = ErrorBody, description = "Unknown subject, or outside the caller's reach"),
    ))]
pub async fn table_csv(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    let view = view(&state, &user, &q).await?;
    let bytes = table::to_csv(&view).map_err(|e| internal("csv export", e))?;
    Ok(download(&view, "csv", CSV, bytes))
}

async fn import(
    state: AppState,
    user: ApiUser,
    measure: Measure,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<FigureImportSummary>, ApiError> {
    let actor = user.0.actor();
    if measure.reach(actor) == crate::domain::access::Reach::Nothing {
        return Err(ApiError::forbidden());
    }
    let form = form.map_err(multipart_rejection)?;
    let (name, bytes) = read_upload(form).await?;
    match table::import_file(
        &state.db,
        actor,
        state.settings.fiscal_year,
        measure,
        &name,
        &bytes,
    )
    .await
    {
        Ok(summary) => Ok(Json(summary)),
        Err(ImportError::File(e)) => Err(e.into()),
        Err(ImportError::Storage(e)) => Err(e.into()),
    }
}

/// Imports targets (目标, with 保底 and 挑战) from .xlsx or .csv (multipart
/// field `file`), all or nothing. Two layouts: the table as exported (its
/// 目标, 保底 and 挑战 rows and the 年度目标 column are read; empty cells
/// are skipped, not cleared; values equal to what the table shows are left
/// alone), or a list with the headers 主体/subject, 指标/metric,
/// 期间/period, 值/value, 保底/floor, 挑战/stretch.
#[utoipa::path(post, path = "/api/v1/import/targets", tag = "targets",
    request_body(content_type = "multipart/form-data", description = "field `file`: .xlsx or .csv, the exported table or a list 主体, 指标, 期间, 值 (保底, 挑战)"),
    responses(
        (status = 200, body = FigureImportSummary),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Every error names sheet, row and column; nothing was written"),
    ))]
pub async fn import_targets(
    State(state): State<AppState>,
    user: ApiUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<FigureImportSummary>, ApiError> {
    import(state, user, Measure::Target, form).await
}

/// Imports actuals (实际) from .xlsx or .csv (multipart field `file`), all
/// or nothing: the exported table (its 实际 rows) or a list with the headers
/// 主体/subject, 指标/metric, 期间/period, 值/value.
#[utoipa::path(post, path = "/api/v1/import/actuals", tag = "targets",
    request_body(content_type = "multipart/form-data", description = "field `file`: .xlsx or .csv, the exported table or a list 主体, 指标, 期间, 值"),
    responses(
        (status = 200, body = FigureImportSummary),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Every error names sheet, row and column; nothing was written"),
    ))]
pub async fn import_actuals(
    State(state): State<AppState>,
    user: ApiUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<FigureImportSummary>, ApiError> {
    import(state, user, Measure::Actual, form).await
}

#[cfg(test)]
mod tests {
    use super::encode_rfc5987;

    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(encode_rfc5987("a b.xlsx"), "a%20b.xlsx");
        assert_eq!(encode_rfc5987("目"), "%E7%9B%AE");
    }
}
