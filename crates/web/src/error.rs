//! The API's error body and the mapping of every use case failure to a
//! status ([`classify`], which the console and portal pages answer by too).
//! It holds no handler and no extractor: the extractors that answer in this
//! body are in `extract/body.rs`, the fallback for unknown paths in
//! `fallback.rs`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_domain::{FieldError, SignInRefusal};
use gatehouse_store::StoreError;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// The error body of every refusal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code (`invalid`, `not_found`,
    /// `invalid_credentials`, `locked`, …).
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault, if one is.
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// Every input field at fault, when several are.
    #[schema(nullable = false)]
    pub fields: Option<Vec<gatehouse_domain::FieldError>>,
}

/// An error answered as `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault, if one is.
    pub field: Option<String>,
    /// Every input field at fault, when several are.
    pub fields: Vec<FieldError>,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            field: None,
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// 401: the request needs a signed-in customer or staff user.
    pub fn not_signed_in() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "not_signed_in", "sign in first")
    }

    /// 429 with the seconds to wait.
    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; try again in {retry_after} seconds"),
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(field) = self.field {
            error["field"] = json!(field);
        }
        if !self.fields.is_empty() {
            error["fields"] = json!(self.fields);
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

/// The status and stable code of a use case failure: the one table every
/// surface (API, console, portal) answers by.
pub fn classify(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Invalid { .. } | AppError::Fields(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
        }
        AppError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
        AppError::SignIn(SignInRefusal::InvalidCredentials) => {
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        }
        AppError::SignIn(r) => (StatusCode::FORBIDDEN, r.code()),
        AppError::LinkInvalid => (StatusCode::BAD_REQUEST, "link_invalid"),
        AppError::SignedOut => (StatusCode::UNAUTHORIZED, "not_signed_in"),
        AppError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
        AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Conflict(_) | AppError::Taken(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::Refused(r) => (StatusCode::FORBIDDEN, r.code()),
        AppError::Store(StoreError::Stale) => (StatusCode::CONFLICT, "stale"),
        AppError::Store(StoreError::BadText(_)) => (StatusCode::BAD_REQUEST, "bad_request"),
        AppError::Store(StoreError::Unavailable(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable")
        }
        AppError::Store(_) | AppError::Internal(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let (status, code) = classify(&e);
        let message = e.to_string();
        match e {
            AppError::Invalid { field, .. } => ApiError {
                field,
                ..ApiError::new(status, code, message)
            },
            AppError::Fields(fields) | AppError::Taken(fields) => ApiError {
                fields,
                ..ApiError::new(status, code, message)
            },
            AppError::Busy => ApiError {
                retry_after: Some(1),
                ..ApiError::new(status, code, message)
            },
            AppError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %message, "database unavailable");
                ApiError::new(
                    status,
                    code,
                    "the database cannot be reached; try again shortly",
                )
            }
            AppError::Store(StoreError::Stale | StoreError::BadText(_)) => {
                ApiError::new(status, code, message)
            }
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %message, "internal error");
                ApiError::new(
                    status,
                    code,
                    "something went wrong on our side; it has been logged",
                )
            }
            _ => ApiError::new(status, code, message),
        }
    }
}

/// The answer when a handler panicked.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side; it has been logged",
    )
    .into_response()
}

/// A use case failure on a page: refusals as a page saying what was wrong,
/// everything else as the API error's status with a plain page.
pub fn page_error(e: AppError) -> Response {
    let api = ApiError::from(e);
    let mut page = crate::pages::message(api.status, "Something went wrong", &[&api.message]);
    if let Some(v) = api
        .retry_after
        .and_then(|s| axum::http::HeaderValue::from_str(&s.to_string()).ok())
    {
        page.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    page
}
