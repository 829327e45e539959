//! The API's error body and the mapping of every failure to a status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_domain::{FieldError, SignInRefusal};
use gatehouse_store::StoreError;
use serde_json::json;

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

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let message = e.to_string();
        match e {
            AppError::Invalid { field, .. } => ApiError {
                field,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
            },
            AppError::Fields(fields) => ApiError {
                fields,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
            },
            AppError::Forbidden { code, .. } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            AppError::SignIn(SignInRefusal::InvalidCredentials) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", message)
            }
            AppError::SignIn(r) => ApiError::new(StatusCode::FORBIDDEN, r.code(), message),
            AppError::LinkInvalid => {
                ApiError::new(StatusCode::BAD_REQUEST, "link_invalid", message)
            }
            AppError::PasswordChangeRequired => {
                ApiError::new(StatusCode::FORBIDDEN, "password_change_required", message)
            }
            AppError::Busy => ApiError {
                retry_after: Some(1),
                ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message)
            },
            AppError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            AppError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            AppError::Refused(r) => ApiError::new(StatusCode::FORBIDDEN, r.code(), message),
            AppError::Store(StoreError::Stale) => {
                ApiError::new(StatusCode::CONFLICT, "stale", message)
            }
            AppError::Store(StoreError::BadText(_)) => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
            }
            AppError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %message, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database cannot be reached; try again shortly",
                )
            }
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %message, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

/// The answer for a path nobody serves.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is nothing at this address",
    )
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

/// A JSON body whose rejection (not JSON, wrong shape, wrong content type)
/// answers in the API's error body.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    Json<T>: axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let status = rejection.status();
                let code = match status {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                    StatusCode::PAYLOAD_TOO_LARGE => "too_large",
                    _ => "bad_request",
                };
                Err(ApiError::new(status, code, rejection.body_text()))
            }
        }
    }
}

/// An extractor of request parts wrapping axum's own, whose rejection
/// answers 400 in the API's error body instead of plain text.
macro_rules! api_parts_extractor {
    ($(#[$doc:meta])* $name:ident wraps $inner:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name<T>(pub T);

        impl<S, T> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                match axum::extract::$inner::<T>::from_request_parts(parts, state).await {
                    Ok(axum::extract::$inner(value)) => Ok($name(value)),
                    Err(rejection) => Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        rejection.body_text(),
                    )),
                }
            }
        }
    };
}

api_parts_extractor!(
    /// Path parameters; an ID that is not a UUID is a 400 in the error body.
    ApiPath wraps Path
);
api_parts_extractor!(
    /// Query parameters; a page that is not a number is a 400 in the error body.
    ApiQuery wraps Query
);
