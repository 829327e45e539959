//! The API's body, path and query extractors: a refusal (not JSON, the
//! wrong shape, a value of the wrong type, a NUL character) answers in the
//! API's error body with 400, 415 or 422, never axum's plain text.

use axum::http::StatusCode;

use crate::error::ApiError;

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
