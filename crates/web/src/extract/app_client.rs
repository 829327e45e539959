//! Client authentication at the provider's form endpoints (token,
//! introspection, revocation): [`ClientCall`] gives the site, the form and
//! the credentials the app sent by HTTP Basic (`client_secret_basic`); the
//! use case decides whether they are good (one way per request, RFC 6749
//! §2.3). A refusal is a typed [`ClientCallRefused`], answered in the
//! protocol's own words by the OpenID module.

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_store::Site;

use super::{ClientMeta, SiteInPath};
use crate::state::AppState;

/// A call of a form endpoint where the app authenticates: the site, the
/// form and any Basic credentials.
pub(crate) struct ClientCall<F> {
    /// The site (its issuer).
    pub(crate) site: std::sync::Arc<Site>,
    /// The form.
    pub(crate) form: F,
    /// `client_secret_basic` credentials, if sent.
    pub(crate) basic: Option<(String, String)>,
    /// The client's address.
    pub(crate) meta: gatehouse_app::portal::RequestMeta,
}

/// Why a [`ClientCall`] was not read.
pub(crate) enum ClientCallRefused {
    /// No such site (the answer is the site extractor's).
    NoSuchSite(Response),
    /// The body is not a form.
    NotAForm,
}

/// `client_secret_basic`: the client's ID and secret, form-encoded, in Basic.
pub(crate) fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let raw = STANDARD.decode(value.strip_prefix("Basic ")?.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

impl<F: serde::de::DeserializeOwned + Send> FromRequest<AppState> for ClientCall<F> {
    type Rejection = ClientCallRefused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ClientCallRefused> {
        let (mut parts, body) = req.into_parts();
        let SiteInPath(site) = SiteInPath::from_request_parts(&mut parts, state)
            .await
            .map_err(|e| ClientCallRefused::NoSuchSite(e.into_response()))?;
        let basic = basic(&parts.headers);
        let ClientMeta(meta) = match ClientMeta::from_request_parts(&mut parts, state).await {
            Ok(meta) => meta,
            Err(never) => match never {},
        };
        let Ok(Form(form)) = Form::<F>::from_request(Request::from_parts(parts, body), state).await
        else {
            return Err(ClientCallRefused::NotAForm);
        };
        Ok(ClientCall {
            site,
            form,
            basic,
            meta,
        })
    }
}
