//! Who a request comes from and what it carries, as axum extractors, so a
//! handler names what it needs in its arguments and never checks by hand:
//!
//! - [`ApiCaller`]: a staff user of the JSON API (a bearer token, or a
//!   console session cookie); 401 in the API's error body otherwise.
//! - [`ConsoleCaller`]: a signed-in console user who has what the
//!   installation requires (a second factor); [`EnrollingCaller`] also lets
//!   through one who must still enrol it (the security page only).
//! - [`ConsoleForm`]: a console form post: the caller, then its CSRF token
//!   (one constant-time comparison, [`crate::csrf::same`]), then the typed
//!   body (`ids=a&ids=b` fills a `Vec`).
//! - [`PortalCaller`] / [`FreshPortalCaller`]: the signed-in customer of a
//!   portal JSON call (the site from the path, the site's session cookie).
//! - [`ClientMeta`]: the client address and user agent a use case records.
//! - [`ApiJson`], [`ApiPath`], [`ApiQuery`] (`body.rs`): a JSON body, path
//!   and query whose refusals answer in the API's error body.
//! - [`SiteInPath`] (`site.rs`): the site named in the path, resolved once
//!   and passed down as a value.
//! - [`visit::Visit`], [`visit::SignedIn`], [`visit::SignedInForm`]
//!   (`visit.rs`): one portal page view, its signed-in customer, and a
//!   signed-in form post whose token matched.
//! - [`ClientCall`] (`app_client.rs`): an app calling the provider's token,
//!   introspection or revocation endpoint, with its credentials.
//!
//! No extractor imports a page: what a page answers to a refusal is a typed
//! rejection the page's module turns into a response.
//!
//! Invariants: the caller is established from the request's parts before
//! the body is read, so an anonymous request is refused without its body
//! being parsed; a form is parsed only after its CSRF token matched.

mod app_client;
mod body;
pub(crate) mod site;
pub(crate) mod visit;

pub(crate) use app_client::{ClientCall, ClientCallRefused};
pub(crate) use body::{ApiJson, ApiPath, ApiQuery};
pub(crate) use site::SiteInPath;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use gatehouse_app::AppError;
use gatehouse_app::portal::RequestMeta;
use gatehouse_app::portal::sessions::{self, Current};
use gatehouse_app::staff_auth::{self, StaffCaller};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::console::ConsoleError;
use crate::error::ApiError;
use crate::staff::{CONSOLE_COOKIE, bearer};
use crate::state::AppState;
use crate::{client, cookies, csrf};

/// The client address and user agent of a request.
#[derive(Debug, Clone)]
pub(crate) struct ClientMeta(pub RequestMeta);

impl ClientMeta {
    /// Reads them from the headers (the stamped client address) and peer.
    pub(crate) fn of(headers: &HeaderMap, peer: Option<SocketAddr>) -> ClientMeta {
        ClientMeta(RequestMeta {
            ip: client::ip(headers).or_else(|| peer.map(|p| p.ip().to_string())),
            user_agent: headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientMeta::of(&parts.headers, peer))
    }
}

/// The caller with the request's client address, for the audit trail.
fn with_ip(caller: StaffCaller, headers: &HeaderMap) -> StaffCaller {
    StaffCaller {
        ip: client::ip(headers),
        ..caller
    }
}

/// A staff user calling the JSON API.
#[derive(Debug, Clone)]
pub(crate) struct ApiCaller(pub StaffCaller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let found = if let Some(token) = bearer(headers) {
            staff_auth::by_token(&state.app, token)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "the API token is unknown, revoked or expired",
                    )
                })?
        } else {
            match cookies::get(headers, CONSOLE_COOKIE) {
                Some(token) => staff_auth::by_session(&state.app, &token)
                    .await?
                    .ok_or_else(ApiError::not_signed_in)?,
                None => return Err(ApiError::not_signed_in()),
            }
        };
        Ok(ApiCaller(with_ip(found, headers)))
    }
}

/// The console session's staff user, whatever they must still do.
async fn console_session(parts: &Parts, state: &AppState) -> Result<StaffCaller, ConsoleError> {
    // A page asked for without a session is shown after signing in.
    let sign_in = || {
        let next = (parts.method == axum::http::Method::GET)
            .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_string()))
            .flatten();
        ConsoleError::SignIn(next)
    };
    let token = cookies::get(&parts.headers, CONSOLE_COOKIE).ok_or_else(sign_in)?;
    let found = staff_auth::by_session(&state.app, &token)
        .await
        .map_err(ConsoleError::Failed)?
        .ok_or_else(sign_in)?;
    Ok(with_ip(found, &parts.headers))
}

/// A signed-in console user; one who must enrol a second factor first is
/// sent to the security page.
#[derive(Debug, Clone)]
pub(crate) struct ConsoleCaller(pub StaffCaller);

impl FromRequestParts<AppState> for ConsoleCaller {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = console_session(parts, state).await?;
        if caller.must_enrol_totp() {
            return Err(ConsoleError::EnrolTotp);
        }
        Ok(ConsoleCaller(caller))
    }
}

/// A signed-in console user who may still have to enrol a second factor.
#[derive(Debug, Clone)]
pub(crate) struct EnrollingCaller(pub StaffCaller);

impl FromRequestParts<AppState> for EnrollingCaller {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(EnrollingCaller(console_session(parts, state).await?))
    }
}

impl From<ConsoleCaller> for StaffCaller {
    fn from(c: ConsoleCaller) -> StaffCaller {
        c.0
    }
}

impl From<EnrollingCaller> for StaffCaller {
    fn from(c: EnrollingCaller) -> StaffCaller {
        c.0
    }
}

/// The CSRF field every console form carries.
#[derive(Debug, Default, Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Parses a URL-encoded form; repeated keys fill a `Vec`.
pub(crate) fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_html_form::from_bytes(body).map_err(|e| format!("the form could not be read: {e}"))
}

/// A console form post from a signed-in staff user whose CSRF token matched:
/// the caller (`G` says which guard: [`ConsoleCaller`] by default) and the
/// typed form.
#[derive(Debug)]
pub(crate) struct ConsoleForm<T, G = ConsoleCaller> {
    /// Who posted it.
    pub caller: StaffCaller,
    /// What was posted.
    pub form: T,
    guard: std::marker::PhantomData<G>,
}

impl<T, G> FromRequest<AppState> for ConsoleForm<T, G>
where
    T: DeserializeOwned,
    G: FromRequestParts<AppState, Rejection = ConsoleError> + Into<StaffCaller>,
{
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let guard: Result<StaffCaller, ConsoleError> = G::from_request_parts(&mut parts, state)
            .await
            .map(Into::into);
        let action = parts.uri.path().to_string();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ConsoleError::Failed(AppError::invalid("form", e.body_text())))?;
        let caller: StaffCaller = match guard {
            Ok(caller) => caller,
            // The session ended while the form was being filled in: keep
            // what was typed for after the sign-in (never the old token).
            Err(ConsoleError::SignIn(_)) => {
                let pairs: Vec<(String, String)> = parse_form(&bytes).unwrap_or_default();
                let mut resume = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs.iter().filter(|(k, _)| k != "csrf") {
                    resume.append_pair(k, v);
                }
                return Err(ConsoleError::SessionEnded {
                    action,
                    resume: resume.finish(),
                    cookies: state.cookies,
                });
            }
            Err(e) => return Err(e),
        };
        let token: CsrfField = parse_form(&bytes).unwrap_or_default();
        let expected = caller.csrf_token().unwrap_or("");
        if !csrf::same(expected, &token.csrf) {
            return Err(ConsoleError::Expired(Box::new(caller)));
        }
        match parse_form(&bytes) {
            Ok(form) => Ok(ConsoleForm {
                caller,
                form,
                guard: std::marker::PhantomData,
            }),
            Err(message) => Err(ConsoleError::Refused(
                Box::new(caller),
                AppError::invalid("form", message),
            )),
        }
    }
}

/// The customer signed in to the site of a portal JSON call (the site's own
/// session cookie); 401 otherwise.
#[derive(Debug, Clone)]
pub(crate) struct PortalCaller(pub Current);

impl FromRequestParts<AppState> for PortalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_signed_in())?;
        let site = site::key_in_path(&params).ok_or_else(ApiError::not_signed_in)?;
        let token = cookies::get(&parts.headers, &cookies::portal_session_name(&site))
            .ok_or_else(ApiError::not_signed_in)?;
        sessions::authenticate(&state.app, &site, &token)
            .await?
            .map(PortalCaller)
            .ok_or_else(ApiError::not_signed_in)
    }
}

/// A signed-in customer who is not bound to change an expired or temporary
/// password first (everything but the password change needs this).
#[derive(Debug, Clone)]
pub(crate) struct FreshPortalCaller(pub Current);

impl FromRequestParts<AppState> for FreshPortalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PortalCaller(current) = PortalCaller::from_request_parts(parts, state).await?;
        if current.must_change_password {
            return Err(AppError::PasswordChangeRequired.into());
        }
        Ok(FreshPortalCaller(current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Picked {
        #[serde(default)]
        ids: Vec<String>,
        action: String,
    }

    #[test]
    fn repeated_form_keys_fill_a_list_and_a_missing_field_is_named() {
        let picked: Picked = parse_form(b"ids=a&action=approve&ids=b&csrf=x").unwrap();
        assert_eq!(picked.ids, ["a", "b"]);
        assert_eq!(picked.action, "approve");
        let none: Picked = parse_form(b"action=block").unwrap();
        assert!(none.ids.is_empty());
        let err = parse_form::<Picked>(b"ids=a").unwrap_err();
        assert!(err.contains("action"), "{err}");
    }
}

/// An extractor of request parts for console pages, wrapping axum's own:
/// an address it cannot read is answered with the console's page saying
/// what was wrong (or the sign-in page), never plain text.
macro_rules! console_parts_extractor {
    ($(#[$doc:meta])* $name:ident wraps $inner:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub(crate) struct $name<T>(pub T);

        impl<T> FromRequestParts<AppState> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
        {
            type Rejection = ConsoleError;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                match axum::extract::$inner::<T>::from_request_parts(parts, state).await {
                    Ok(axum::extract::$inner(value)) => Ok($name(value)),
                    Err(rejection) => {
                        let caller = console_session(parts, state).await?;
                        Err(ConsoleError::BadAddress(
                            Box::new(caller),
                            rejection.body_text(),
                        ))
                    }
                }
            }
        }
    };
}

console_parts_extractor!(
    /// Path parameters of a console page.
    ConsolePath wraps Path
);
console_parts_extractor!(
    /// Query parameters of a console page.
    ConsoleQuery wraps Query
);
