//! The OpenID provider's machine endpoints of each site: discovery, the
//! JWKS, the token endpoint, userinfo, introspection and revocation (the
//! authorization endpoint is a portal page, `portal::oauth`). They answer in the protocols' own error
//! format (`{"error", "error_description"}`), not the API's, and take no
//! cookies, so the cross-site form check does not apply to them; they
//! answer any origin (CORS), for browser apps.
//!
//! Guessing is held back per client address: every refused client secret
//! and every refused bearer token takes one from the address's budget (the
//! portal's per-address rate limit), and an address whose budget is spent
//! gets 429 before anything is checked. Calls that succeed take nothing, so
//! an app's own traffic is never limited.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gatehouse_app::oidc::introspect::TokenForm;
use gatehouse_app::oidc::{self, token::TokenRequest};
use gatehouse_app::{AppError, AppResult};
use gatehouse_domain::oidc::OAuthError;
use serde_json::json;

use crate::error::ApiError;
use crate::extract::{ClientCall, ClientCallRefused, ClientMeta, SiteInPath};
use crate::state::AppState;

/// The paths here that carry no cookie-based authority.
pub(crate) fn cookieless(path: &str) -> bool {
    [
        "/oauth2/token",
        "/oauth2/userinfo",
        "/oauth2/introspect",
        "/oauth2/revoke",
    ]
    .iter()
    .any(|end| path.ends_with(end))
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{site}/.well-known/openid-configuration", get(discovery))
        .route("/s/{site}/oauth2/jwks", get(jwks))
        .route(
            "/s/{site}/oauth2/token",
            axum::routing::post(token).options(preflight),
        )
        .route(
            "/s/{site}/oauth2/userinfo",
            get(userinfo).post(userinfo).options(preflight),
        )
        .route(
            "/s/{site}/oauth2/introspect",
            axum::routing::post(introspect),
        )
        .route("/s/{site}/oauth2/revoke", axum::routing::post(revoke))
        // Every answer here, refusals included, may be read by any origin.
        .layer(axum::middleware::map_response(open))
}

async fn open(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The answer to a browser's CORS preflight: any origin may call with
/// `Authorization` and `Content-Type` (no cookies are involved).
async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn server_error(e: AppError) -> Response {
    let api = ApiError::from(e);
    let body = json!({"error": "server_error", "error_description": api.message});
    no_store((api.status, Json(body)).into_response())
}

fn oauth_error(status: StatusCode, e: &OAuthError) -> Response {
    no_store(
        (
            status,
            Json(json!({"error": e.code, "error_description": e.description})),
        )
            .into_response(),
    )
}

#[utoipa::path(
    get,
    path = "/s/{site}/.well-known/openid-configuration",
    tag = "apps",
    summary = "The site's OpenID Connect discovery document",
    description = "The issuer is the site's portal address; the document names every endpoint (authorization, token, userinfo, JWKS, introspection, revocation, end session), the scopes (openid, profile, email, offline_access, gatehouse) and the claims (see the Claims schema).",
    params(("site" = String, Path, description = "The site's key")),
    responses(
        (status = 200, description = "OpenID Connect Discovery 1.0 metadata", body = Object),
        (status = 404, description = "No such site", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn discovery(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
) -> Response {
    Json(oidc::discovery(&state.app, &site)).into_response()
}

async fn jwks(State(state): State<AppState>, SiteInPath(_site): SiteInPath) -> Response {
    match oidc::keys::jwks(&state.app).await {
        Ok(keys) => Json(keys).into_response(),
        Err(e) => server_error(e),
    }
}

/// The guessing budget of one client address (see the module's header).
struct Guessing<'a> {
    state: &'a AppState,
    key: String,
}

impl<'a> Guessing<'a> {
    /// Lets the call in, or says how many seconds the address must wait
    /// (it has guessed too often).
    fn admit(state: &'a AppState, meta: &gatehouse_app::portal::RequestMeta) -> Result<Self, u64> {
        let key = format!("oidc-failures:{}", meta.ip.as_deref().unwrap_or("unknown"));
        state.limiter.spent(&key, state.limits.per_ip)?;
        Ok(Guessing { state, key })
    }

    /// The 429 of an address that must wait.
    fn wait(seconds: u64) -> Response {
        let e = OAuthError::new(
            "temporarily_unavailable",
            format!(
                "too many refused credentials or tokens from this address; try again in {seconds} seconds"
            ),
        );
        let mut response = oauth_error(StatusCode::TOO_MANY_REQUESTS, &e);
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }

    /// Counts a refused secret or token against the address.
    fn failed(&self) {
        let _ = self
            .state
            .limiter
            .check(&self.key, self.state.limits.per_ip);
    }
}

/// `GET` or `POST`: the access token in the `Authorization` header, or in a
/// POSTed form's `access_token` (RFC 6750 §2.2), not both.
async fn userinfo(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let guessing = match Guessing::admit(&state, &meta) {
        Ok(g) => g,
        Err(wait) => return Guessing::wait(wait),
    };
    let in_header = crate::staff::bearer(&headers).map(str::to_string);
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let in_form = (method == Method::POST && is_form)
        .then(|| {
            url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned())
        })
        .flatten();
    let bearer = match (in_header, in_form) {
        (Some(_), Some(_)) => {
            let e = OAuthError::new(
                "invalid_request",
                "the access token came twice: send it in the Authorization header or in the form, not both",
            );
            return oauth_error(StatusCode::BAD_REQUEST, &e);
        }
        (one, other) => one.or(other),
    };
    let refused = |error: &'static str| {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        let value = format!("Bearer error=\"{error}\"");
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        no_store(response)
    };
    let Some(bearer) = bearer else {
        return refused("invalid_request");
    };
    match oidc::userinfo::userinfo(&state.app, &site, bearer.trim()).await {
        Ok(Some(claims)) => no_store(Json(claims).into_response()),
        Ok(None) => {
            guessing.failed();
            refused("invalid_token")
        }
        Err(e) => server_error(e),
    }
}

/// A refusal of the client's credentials: 401 with a Basic challenge,
/// however they came (a 401 always names a scheme).
fn client_refused(e: &OAuthError) -> Response {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, e);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"token\""),
    );
    response
}

fn not_a_form() -> Response {
    let e = OAuthError::new(
        "invalid_request",
        "the body must be a form (application/x-www-form-urlencoded)",
    );
    oauth_error(StatusCode::BAD_REQUEST, &e)
}

impl IntoResponse for ClientCallRefused {
    fn into_response(self) -> Response {
        match self {
            ClientCallRefused::NoSuchSite(r) => r,
            ClientCallRefused::NotAForm => not_a_form(),
        }
    }
}

/// The answer of a client-authenticated endpoint: its own on success, the
/// protocol's error (401 for the client's credentials, counted as a guess)
/// otherwise.
fn client_answer(guessing: &Guessing, result: AppResult<Result<Response, OAuthError>>) -> Response {
    match result {
        Ok(Ok(answer)) => no_store(answer),
        Ok(Err(e)) if e.code == "invalid_client" => {
            guessing.failed();
            client_refused(&e)
        }
        Ok(Err(e)) => oauth_error(StatusCode::BAD_REQUEST, &e),
        Err(e) => server_error(e),
    }
}

async fn token(State(state): State<AppState>, c: ClientCall<TokenRequest>) -> Response {
    let guessing = match Guessing::admit(&state, &c.meta) {
        Ok(g) => g,
        Err(wait) => return Guessing::wait(wait),
    };
    let result = oidc::token::token(&state.app, &c.site, &c.form, c.basic).await;
    client_answer(
        &guessing,
        result.map(|r| r.map(|t| Json(t).into_response())),
    )
}

async fn introspect(State(state): State<AppState>, c: ClientCall<TokenForm>) -> Response {
    let guessing = match Guessing::admit(&state, &c.meta) {
        Ok(g) => g,
        Err(wait) => return Guessing::wait(wait),
    };
    let result = oidc::introspect::introspect(&state.app, &c.site, &c.form, c.basic).await;
    client_answer(
        &guessing,
        result.map(|r| r.map(|v| Json(v).into_response())),
    )
}

async fn revoke(State(state): State<AppState>, c: ClientCall<TokenForm>) -> Response {
    let guessing = match Guessing::admit(&state, &c.meta) {
        Ok(g) => g,
        Err(wait) => return Guessing::wait(wait),
    };
    let result = oidc::introspect::revoke(&state.app, &c.site, &c.form, c.basic).await;
    client_answer(
        &guessing,
        result.map(|r| r.map(|()| StatusCode::OK.into_response())),
    )
}
