//! Customers (客户档案): files, contacts with the key-customer profile,
//! follow-up records, and birthday and anniversary reminders.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use crate::storage::customers::{
    self, ContactPatch, ContactView, CustomerFile, CustomerFilter, CustomerPatch, CustomerView,
    NewContact, NewCustomer, NewNote, NoteView, Reminder,
};
use crate::storage::{Error, FieldError};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

/// Today in the company's time zone.
pub fn today(state: &AppState) -> NaiveDate {
    Utc::now()
        .with_timezone(&state.settings.time_zone)
        .date_naive()
}

/// The customers the caller may read: by their owner's unit; a customer
/// without owner is seen by admin, gm and sales admins only.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    params(CustomerFilter),
    responses(
        (status = 200, body = Vec<CustomerView>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown status"),
    ))]
pub async fn list_customers(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(filter): ApiQuery<CustomerFilter>,
) -> Result<Json<Vec<CustomerView>>, ApiError> {
    Ok(Json(customers::list(&state.db, a.actor(), &filter).await?))
}

/// Adds a customer. A salesperson or manager naming no owner becomes it.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers",
    request_body = NewCustomer,
    responses(
        (status = 201, body = CustomerView),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid or duplicate name, owner outside the caller's reach, unknown status"),
    ))]
pub async fn create_customer(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(new): ApiJson<NewCustomer>,
) -> Result<(StatusCode, Json<CustomerView>), ApiError> {
    let c = customers::create(&state.db, a.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// A customer's file with its contacts. The key-customer profile fields
/// of the contacts are present only for the owner and the owner's chain
/// of managers (`"private": "shown"`); each such read is audited. For
/// everyone else they are absent (`"private": "hidden"`).
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path)),
    responses((status = 200, body = CustomerFile), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CustomerFile>, ApiError> {
    Ok(Json(customers::get(&state.db, a.actor(), id).await?))
}

/// Changes a customer; a new owner must be within the caller's reach.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path)),
    request_body = CustomerPatch,
    responses(
        (status = 200, body = CustomerView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_customer(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> Result<Json<CustomerView>, ApiError> {
    Ok(Json(
        customers::update(&state.db, a.actor(), id, &patch).await?,
    ))
}

/// Adds a contact. The private profile fields may be given only by those
/// who may read them (403 otherwise).
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "customers",
    params(("id" = i64, Path)),
    request_body = NewContact,
    responses(
        (status = 201, body = ContactView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_contact(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewContact>,
) -> Result<(StatusCode, Json<ContactView>), ApiError> {
    let c = customers::add_contact(&state.db, a.actor(), id, &new).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Changes a contact; null clears a field.
#[utoipa::path(patch, path = "/api/v1/customers/{id}/contacts/{contact}", tag = "customers",
    params(("id" = i64, Path), ("contact" = i64, Path)),
    request_body = ContactPatch,
    responses(
        (status = 200, body = ContactView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_contact(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, contact)): ApiPath<(i64, i64)>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(
        customers::update_contact(&state.db, a.actor(), id, contact, &patch).await?,
    ))
}

/// Removes a contact.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/contacts/{contact}", tag = "customers",
    params(("id" = i64, Path), ("contact" = i64, Path)),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn delete_contact(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, contact)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    customers::delete_contact(&state.db, a.actor(), id, contact).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer's follow-up records (销售过程记录), newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/notes", tag = "customers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NoteView>), (status = 404, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NoteView>>, ApiError> {
    Ok(Json(customers::list_notes(&state.db, a.actor(), id).await?))
}

/// Records a customer's question, suggestion or complaint, or a note.
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "customers",
    params(("id" = i64, Path)),
    request_body = NewNote,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_note(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewNote>,
) -> Result<(StatusCode, Json<NoteView>), ApiError> {
    let n = customers::add_note(&state.db, a.actor(), id, &new, today(&state)).await?;
    Ok((StatusCode::CREATED, Json(n)))
}

/// What `GET /api/v1/reminders` looks at.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ReminderQuery {
    /// Days ahead, 0 to 366 (default 14).
    pub days: Option<String>,
    /// The first day, `YYYY-MM-DD` (default today in the company's time zone).
    pub from: Option<String>,
}

/// Upcoming birthdays and anniversaries of contacts whose private profile
/// the caller may read, soonest first; each read is audited.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "customers",
    params(ReminderQuery),
    responses(
        (status = 200, body = Vec<Reminder>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "days or from is not valid"),
    ))]
pub async fn list_reminders(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<ReminderQuery>,
) -> Result<Json<Vec<Reminder>>, ApiError> {
    let (from, days) = reminder_window(&q, today(&state))?;
    Ok(Json(
        customers::reminders(&state.db, a.actor(), from, days).await?,
    ))
}

/// The first day and the number of days of a reminder query.
pub fn reminder_window(q: &ReminderQuery, today: NaiveDate) -> Result<(NaiveDate, u32), Error> {
    let mut errors = Vec::new();
    let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(14),
        Some(d) => match d.parse::<u32>() {
            Ok(n) if n <= customers::REMINDER_DAYS_MAX => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "days",
                    format!(
                        "\"{d}\" is not a number of days from 0 to {}",
                        customers::REMINDER_DAYS_MAX
                    ),
                    format!(
                        "\"{d}\" 无效，应为 0 到 {} 之间的天数",
                        customers::REMINDER_DAYS_MAX
                    ),
                ));
                None
            }
        },
    };
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Some(today),
        Some(d) => customers::day_text("from", d, &mut errors)
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
    };
    match (from, days) {
        (Some(f), Some(d)) if errors.is_empty() => Ok((f, d)),
        _ => Err(Error::Invalid(errors)),
    }
}
