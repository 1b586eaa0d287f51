//! Orders (订单), their status steps and cancellation, collections (回款)
//! and the order import.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;

use crate::storage::Error;
use crate::storage::orders::{
    self, Cancel, NewCollection, NewOrder, OrderFilter, OrderList, OrderPatch, OrderView,
    StatusStep,
};
use crate::transfer::orders::{self as import, ImportError, OrderImportSummary};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody, multipart_rejection};

/// Orders the caller reads (by their credited salespeople), newest order
/// date first; `count` and `total` cover every page.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(OrderFilter),
    responses(
        (status = 200, body = OrderList),
        (status = 422, body = ErrorBody, description = "A bad status or date in the filter"),
    ))]
pub async fn list_orders(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(f): ApiQuery<OrderFilter>,
) -> Result<Json<OrderList>, ApiError> {
    Ok(Json(orders::list(&state.db, a.actor(), &f).await?))
}

/// Enters an order (status 录入). Sales admins and admin for anyone; a
/// salesperson only orders credited, at least in part, to themselves.
/// Credit shares are percents with two decimals totalling exactly 100; the
/// order date may be an RFC 3339 date-time, taken in the company's time
/// zone.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body = NewOrder,
    responses(
        (status = 201, body = OrderView),
        (status = 403, body = ErrorBody, description = "Not credited to the caller, or the caller enters no orders"),
        (status = 422, body = ErrorBody, description = "Every bad field named, e.g. `lines[1].amount`, `credits[1].share`"),
    ))]
pub async fn create_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewOrder>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let tz = state.settings.time_zone;
    let view = orders::create(&state.db, &state.structure, a.actor(), &new, tz).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One order with its lines, credits, status steps and collections.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
pub async fn get_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(orders::get(&state.db, a.actor(), id).await?))
}

/// Changes an order; `lines` and `credits`, when given, replace the
/// order's lists. A cancelled order cannot be changed.
#[utoipa::path(patch, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path)),
    request_body = OrderPatch,
    responses(
        (status = 200, body = OrderView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<OrderPatch>,
) -> Result<Json<OrderView>, ApiError> {
    let tz = state.settings.time_zone;
    let view = orders::update(&state.db, a.actor(), id, &patch, tz).await?;
    Ok(Json(view.ok_or(Error::NotFound)?))
}

/// Moves an order forward: 录入 → 确认 → 发货 → 开票 → 回款, with a date
/// for the step (today in the company's time zone when left out). Steps
/// may be skipped forward (the skipped steps get the same date), never
/// back; no date before the order date or an earlier step's.
#[utoipa::path(post, path = "/api/v1/orders/{id}/status", tag = "orders",
    params(("id" = i64, Path)),
    request_body = StatusStep,
    responses(
        (status = 200, body = OrderView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Backwards, unknown status, bad or too early date, cancelled order"),
    ))]
pub async fn step_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(step): ApiJson<StatusStep>,
) -> Result<Json<OrderView>, ApiError> {
    let tz = state.settings.time_zone;
    let view = orders::set_status(&state.db, a.actor(), id, &step, tz).await?;
    Ok(Json(view.ok_or(Error::NotFound)?))
}

/// Cancels an order with a reason. An order with collections is not
/// cancelled: delete them first.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path)),
    request_body = Cancel,
    responses(
        (status = 200, body = OrderView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn cancel_order(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<Cancel>,
) -> Result<Json<OrderView>, ApiError> {
    let tz = state.settings.time_zone;
    let view = orders::cancel(&state.db, a.actor(), id, &req, tz).await?;
    Ok(Json(view.ok_or(Error::NotFound)?))
}

/// Records a collection (回款) against an order, split between the
/// salespeople by the order's shares. Partial collections are fine, also
/// before the invoice; together they may not exceed the order total.
#[utoipa::path(post, path = "/api/v1/orders/{id}/collections", tag = "orders",
    params(("id" = i64, Path)),
    request_body = NewCollection,
    responses(
        (status = 201, body = OrderView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Over the order total, bad amount or date"),
    ))]
pub async fn add_collection(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewCollection>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let tz = state.settings.time_zone;
    orders::add_collection(&state.db, a.actor(), id, &new, tz).await?;
    Ok((
        StatusCode::CREATED,
        Json(orders::get(&state.db, a.actor(), id).await?),
    ))
}

/// Deletes a collection of an order.
#[utoipa::path(delete, path = "/api/v1/orders/{id}/collections/{collection_id}", tag = "orders",
    params(("id" = i64, Path), ("collection_id" = i64, Path)),
    responses(
        (status = 200, body = OrderView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The order is cancelled"),
    ))]
pub async fn delete_collection(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, collection_id)): ApiPath<(i64, i64)>,
) -> Result<Json<OrderView>, ApiError> {
    let view = orders::delete_collection(&state.db, a.actor(), id, collection_id).await?;
    Ok(Json(view.ok_or(Error::NotFound)?))
}

/// An import's failure as an API error.
pub fn import_error(e: ImportError) -> ApiError {
    match e {
        ImportError::File(e) => e.into(),
        ImportError::Storage(e) => e.into(),
    }
}

/// Imports orders from .xlsx or .csv (multipart field `file`), all or
/// nothing; sales admins and admin. Rows with the same order number are
/// the lines of one order. Unknown customers are created and listed in
/// `customers_created`; an order number that exists already is an error.
#[utoipa::path(post, path = "/api/v1/import/orders", tag = "orders",
    request_body(content_type = "multipart/form-data", description = "field `file`: .xlsx or .csv with headers 订单号, 客户, 销售工号, 下单日期, 产品, 类别, 数量, 单价, 金额 (or order_no, customer, employee_no, order_date, product, category, quantity, unit_price, amount), optionally 第二销售工号 and 分成比例 (second_employee_no, share: the first salesperson's percent)"),
    responses(
        (status = 200, body = OrderImportSummary),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Every error names sheet, row and column; nothing was written"),
    ))]
pub async fn import_orders(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<OrderImportSummary>, ApiError> {
    if !a.actor().may_import_orders() {
        return Err(ApiError::forbidden());
    }
    let form = form.map_err(multipart_rejection)?;
    let (name, bytes) = super::org::read_upload(form).await?;
    let summary = import::import_file(
        &state.db,
        Some(a.actor()),
        &name,
        bytes,
        state.settings.time_zone,
        import::no_progress(),
    )
    .await
    .map_err(import_error)?;
    Ok(Json(summary))
}
