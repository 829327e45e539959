//! The answer for paths nobody serves, and the landing page at `/`.

use axum::http::StatusCode;

use crate::error::ApiError;

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
