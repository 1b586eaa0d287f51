//! The one error type of the web layer. Storage and transfer errors are
//! converted here, once; nothing internal reaches the client.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::storage;
use crate::transfer::{CellError, TransferError};

/// An error answered as JSON `{"error", "message", "details"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Value>,
    /// Seconds, for 429 answers.
    pub retry_after: Option<i64>,
}

/// The body of every error answer, as in the OpenAPI document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code: `invalid`, `not_found`, `forbidden`, …
    pub error: String,
    pub message: String,
    /// Field or cell errors: `{"field", "message", "message_zh"}` or
    /// `{"sheet", "row", "column", "message", "message_zh"}`.
    #[schema(value_type = Vec<Object>)]
    pub details: Vec<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first, or send an API token",
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "not found")
    }

    pub fn forbidden() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role does not allow this change",
        )
    }

    pub fn csrf() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "missing or wrong CSRF token: send the X-CSRF-Token header given at login",
        )
    }

    /// A method the path does not have; the `Allow` header lists those it has.
    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this method is not allowed on this path; see the Allow header",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn invalid(message: impl Into<String>, details: Vec<Value>) -> Self {
        ApiError {
            details,
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
        }
    }

    pub fn too_large() -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is larger than allowed",
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }

    pub fn cells(errors: &[CellError]) -> Self {
        let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
        ApiError::invalid(
            format!(
                "the file has {} error(s); nothing was imported. {first}",
                errors.len()
            ),
            errors
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
                .collect(),
        )
    }
}

impl From<storage::Error> for ApiError {
    fn from(e: storage::Error) -> Self {
        match e {
            storage::Error::NotFound => ApiError::not_found(),
            storage::Error::Forbidden => ApiError::forbidden(),
            storage::Error::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "wrong username or password",
            ),
            storage::Error::Throttled(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    format!("too many failed logins; try again in {secs} seconds"),
                )
            },
            storage::Error::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError::invalid(
                    message,
                    fields
                        .iter()
                        .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
                        .collect(),
                )
            }
            storage::Error::Db(db) => match db.sql_err() {
                // A race between two writers on a unique key.
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::invalid(
                    "a record with this key already exists",
                    vec![
                        json!({"field": "code", "message": "already used", "message_zh": "已存在"}),
                    ],
                ),
                _ => {
                    tracing::error!(error = %db, "database error");
                    ApiError::internal()
                }
            },
        }
    }
}

/// Compressing or serialising an answer in memory: not the caller's fault.
impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "building an answer");
        ApiError::internal()
    }
}

impl From<TransferError> for ApiError {
    fn from(e: TransferError) -> Self {
        match e {
            TransferError::File {
                message,
                message_zh,
            } => ApiError::invalid(
                message.clone(),
                vec![json!({"field": "file", "message": message, "message_zh": message_zh})],
            ),
            TransferError::Cells(cells) => ApiError::cells(&cells),
        }
    }
}

impl From<crate::transfer::people::ImportError> for ApiError {
    fn from(e: crate::transfer::people::ImportError) -> Self {
        match e {
            crate::transfer::people::ImportError::File(e) => e.into(),
            crate::transfer::people::ImportError::Storage(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
            details: self.details,
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(v) = self.retry_after.and_then(|s| s.to_string().parse().ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// A JSON body whose rejections answer in the API's error format: 400 for
/// malformed JSON, 422 for a wrong shape (naming the field), 413 when too large.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid(
                e.body_text(),
                vec![
                    json!({"field": "body", "message": e.body_text(), "message_zh": "请求内容的字段或类型不正确"}),
                ],
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::bad_request(e.body_text())),
            Err(JsonRejection::MissingJsonContentType(e)) => {
                Err(ApiError::bad_request(e.body_text()))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::too_large()),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// A rejection of the query string or path parameters as a 400 in the API's
/// error format; a route that does not fit its extractor (a bug, answered
/// 500 by axum) stays an internal error.
fn parameter_rejection(status: StatusCode, text: String) -> ApiError {
    if status.is_server_error() {
        tracing::error!(rejection = %text, "extractor does not fit its route");
        ApiError::internal()
    } else {
        ApiError::bad_request(text)
    }
}

/// Query parameters whose rejections answer in the API's error format: 400
/// `bad_request`, the message naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(parameter_rejection(e.status(), e.body_text())),
        }
    }
}

/// Path parameters whose rejections answer in the API's error format: 400
/// `bad_request`, e.g. for `/api/v1/tokens/abc` where a number is expected.
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(parameter_rejection(e.status(), e.body_text())),
        }
    }
}

/// A `multipart/form-data` rejection (wrong content type, no boundary) in
/// the API's error format: 400, or 413 when the body is too large.
pub fn multipart_rejection(e: axum::extract::multipart::MultipartRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        parameter_rejection(e.status(), e.body_text())
    }
}
