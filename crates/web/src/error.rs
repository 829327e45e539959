//! The API's error body, the mapping of every use case failure to a status
//! ([`classify`], which the console and portal pages answer by too), and the
//! API's body, path and query extractors whose rejections answer in that body.

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

/// The answer for a path nobody serves: the API's error body under
/// `/api/`, else a page in the visitor's language (the landing page at
/// `/`, which links the console and each site's portal).
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path.starts_with("/api/") {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is nothing at this address",
        )
        .into_response();
    }
    let lang = crate::pages::visitor_lang(&headers);
    if path == "/" {
        let sites = match state.app.store.read().await {
            Ok(mut tx) => tx.list_sites().await.unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let sites: Vec<minijinja::Value> = sites
            .iter()
            .map(|s| {
                let name = s
                    .settings
                    .brand_name
                    .clone()
                    .unwrap_or_else(|| s.name.clone());
                minijinja::context! { key => s.key.clone(), name }
            })
            .collect();
        return crate::pages::render(
            StatusCode::OK,
            "landing.html",
            minijinja::context! { lang => lang.as_str(), sites },
        );
    }
    crate::pages::said(
        StatusCode::NOT_FOUND,
        lang,
        "not-found-title",
        &[crate::i18n::word(lang, "not-found-text")],
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
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON, with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "too_large"
                } else {
                    "bad_request"
                };
                ApiError::new(r.status(), code, r.body_text())
            })?;
        // JSON is UTF-8 (RFC 8259 §8.1). serde_json checks it only in
        // strings it keeps, so a body it would skip unchecked is refused
        // here as the text that is not JSON it is.
        if let Err(e) = std::str::from_utf8(&bytes) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!(
                    "the body is not JSON: it is not UTF-8 text (byte {} is not valid)",
                    e.valid_up_to() + 1
                ),
            ));
        }
        // Every body of the API is an object; serde would also read a
        // struct from an array, which no client means.
        let object = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        if !object && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "the body must be a JSON object",
            ));
        }
        match serde_json::from_slice::<T>(&bytes) {
            Ok(value) => Ok(ApiJson(value)),
            // Text that is not JSON at all is a bad request (400); JSON of
            // the wrong shape is understood but refused (422).
            Err(e) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() => {
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the body is not JSON: {e}"),
                ))
            }
            Err(e) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("the body does not have the expected shape: {e}"),
            )),
        }
    }
}

/// The refusal of text with the NUL character, the same on both engines.
fn nul_refused() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "text may not contain the NUL character (\\0)",
    )
}

pub(crate) use gatehouse_domain::policy::whole_number;

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
                let raw = parts.uri.path_and_query().map_or("", |p| p.as_str());
                if raw.to_ascii_lowercase().contains("%00") {
                    return Err(nul_refused());
                }
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
