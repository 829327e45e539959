//! The OpenID Connect provider's rules, without I/O: what a client may be
//! registered with, which redirect URIs count, what an authorization request
//! may be ([`validate_authorize`]), which scopes a request may ask for, what
//! PKCE demands, and what a refresh token's second use means.
//!
//! Invariants owned here:
//! - A redirect URI is compared exactly as registered, but for a loopback
//!   address, whose port may be any (RFC 8252 §7.3); it is absolute, has no
//!   fragment and no user name or password, and uses `https`, or `http`
//!   only towards the machine itself (`127.0.0.1`, `[::1]`, `localhost`), or
//!   a private-use scheme of a native app in reverse-domain form followed by
//!   a path (`com.example.app:/callback`, RFC 8252 §7.1).
//! - Public clients must use PKCE; the only method is `S256` (`plain` is
//!   refused for every client).
//! - A rotated refresh token used again within [`REFRESH_GRACE`] gets the
//!   successor it already had; after that, its use is a replay and revokes
//!   the family.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How long an authorization code may be redeemed.
pub const CODE_TTL: Duration = Duration::seconds(60);
/// How long an access token (and an ID token) is valid.
pub const ACCESS_TTL: Duration = Duration::minutes(10);
/// How long a refresh token is valid if never used.
pub const REFRESH_TTL: Duration = Duration::days(30);

/// How long an expired code is kept (a late second use is told it expired).
pub const CODE_KEPT: Duration = Duration::hours(1);
/// How long a revoked grant is kept before the purge forgets it.
pub const REVOKED_GRANT_KEPT: Duration = Duration::days(1);
/// How long a grant without a refresh token is kept at most: longer than
/// any portal session can last (its single logout needs it until then).
pub const GRANT_KEPT_AT_MOST: Duration = Duration::days(366);

/// How long before it signs a key made by the schedule is published: apps
/// that cache the JWKS for up to a day have it before they see a token.
pub const SCHEDULED_PUBLISH_AHEAD: Duration = Duration::days(1);

/// Whether the schedule makes a new signing key now: the newest key (the
/// one that signs, or will) began or begins signing `every` or longer ago;
/// with no key at all, yes.
pub fn key_rotation_due(
    newest_signs_from: Option<OffsetDateTime>,
    every: Duration,
    now: OffsetDateTime,
) -> bool {
    newest_signs_from.is_none_or(|from| now - from >= every)
}
/// How long after a rotation the old refresh token still gets the same
/// successor: parallel refreshes of one token (two tabs, a retry after a
/// lost answer) must not sign the customer out.
pub const REFRESH_GRACE: Duration = Duration::seconds(10);

/// The scopes the provider knows.
pub const KNOWN_SCOPES: [&str; 5] = ["openid", "profile", "email", "offline_access", "gatehouse"];

/// Whether a client can keep a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    /// A server-side app: it authenticates with its secret.
    Confidential,
    /// A browser or native app: no secret, PKCE required.
    Public,
}

impl ClientType {
    /// Lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientType::Confidential => "confidential",
            ClientType::Public => "public",
        }
    }

    /// The type a stored name names.
    pub fn parse(raw: &str) -> Option<ClientType> {
        match raw {
            "confidential" => Some(ClientType::Confidential),
            "public" => Some(ClientType::Public),
            _ => None,
        }
    }
}

/// The algorithm a client's ID and access tokens are signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum SigningAlg {
    /// ECDSA with P-256 and SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// RSA PKCS#1 v1.5 with SHA-256, for older libraries.
    #[serde(rename = "RS256")]
    Rs256,
}

impl SigningAlg {
    /// Every algorithm offered; a key of each is kept.
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Es256, SigningAlg::Rs256];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Es256 => "ES256",
            SigningAlg::Rs256 => "RS256",
        }
    }

    /// The algorithm a JOSE name names.
    pub fn parse(raw: &str) -> Option<SigningAlg> {
        match raw {
            "ES256" => Some(SigningAlg::Es256),
            "RS256" => Some(SigningAlg::Rs256),
            _ => None,
        }
    }
}

/// A way an app may get tokens at the token endpoint (RFC 6749 §4), chosen
/// per app when it is registered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A code from the authorization endpoint (a customer signs in).
    AuthorizationCode,
    /// A refresh token for fresh tokens.
    RefreshToken,
    /// The app's own credentials, for an access token about the app itself
    /// (a machine calling an API); confidential apps only.
    ClientCredentials,
}

impl GrantType {
    /// The `grant_type` value, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    /// The grant type a `grant_type` value names.
    pub fn parse(raw: &str) -> Option<GrantType> {
        match raw {
            "authorization_code" => Some(GrantType::AuthorizationCode),
            "refresh_token" => Some(GrantType::RefreshToken),
            "client_credentials" => Some(GrantType::ClientCredentials),
            _ => None,
        }
    }

    /// What an app is registered with when nobody chooses: the customer's
    /// sign-in and its refresh. `client_credentials` lets an app get tokens
    /// with no customer present, so only an admin's choice turns it on.
    pub const DEFAULT: [GrantType; 2] = [GrantType::AuthorizationCode, GrantType::RefreshToken];
}

/// Why an app's grant types cannot be registered.
pub fn check_grant_types(
    client_type: ClientType,
    grants: &[GrantType],
) -> Result<(), crate::FieldError> {
    let refused = |id: &'static str, english: &str| {
        Err(crate::FieldError::said(
            "grant_types",
            crate::Words::id(id),
            english,
        ))
    };
    if grants.is_empty() {
        return refused("app-no-grant-type", "an app needs at least one grant type");
    }
    if client_type == ClientType::Public && grants.contains(&GrantType::ClientCredentials) {
        return refused(
            "app-machine-needs-secret",
            "client_credentials needs a secret: only a confidential app may use it",
        );
    }
    Ok(())
}

/// Checks an API address an app may ask tokens for (an RFC 8707 resource
/// indicator): absolute, without a fragment, `https` (or `http` on
/// loopback).
pub fn check_resource(raw: &str) -> Result<(), UriRefusal> {
    let uri = registrable(raw)?;
    match uri.scheme() {
        "https" if uri.host_str().is_some() => Ok(()),
        "http" if loopback(&uri) => Ok(()),
        "http" => Err(UriRefusal::PlainHttp(raw.to_string())),
        _ => Err(UriRefusal::Scheme(raw.to_string())),
    }
}

/// The audience of an access token: the API the token request named as its
/// `resource` (RFC 8707), which must be one the app was registered for, or
/// else the app itself.
pub fn access_audience(
    resource: Option<&str>,
    registered: &[String],
    client_id: &str,
) -> Result<String, OAuthError> {
    match resource {
        None => Ok(client_id.to_string()),
        Some(r) if registered.iter().any(|known| known == r) => Ok(r.to_string()),
        Some(r) => Err(OAuthError::new(
            "invalid_target",
            format!("'{r}' is not an API this app may ask tokens for"),
        )),
    }
}

/// Why a redirect URI cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriRefusal {
    /// Not an absolute URI.
    #[error("'{0}' is not an absolute address (it must start with https://)")]
    NotAbsolute(String),
    /// It has a `#fragment`.
    #[error("'{0}' has a #fragment, which a registered address may not have")]
    Fragment(String),
    /// `http` towards another machine.
    #[error(
        "'{0}' uses http towards another machine; use https (http is allowed only for 127.0.0.1, [::1] and localhost)"
    )]
    PlainHttp(String),
    /// A scheme that is neither web nor a native app's.
    #[error(
        "'{0}' uses a scheme an app cannot receive (use https, or a private-use scheme like com.example.app:/callback)"
    )]
    Scheme(String),
    /// A user name or password in the address.
    #[error("'{0}' carries a user name or password, which a registered address may not have")]
    Credentials(String),
}

impl UriRefusal {
    /// The same by message ID, for the pages' languages.
    pub fn words(&self) -> crate::Words {
        let (id, address) = match self {
            UriRefusal::NotAbsolute(a) => ("uri-not-absolute", a),
            UriRefusal::Fragment(a) => ("uri-fragment", a),
            UriRefusal::PlainHttp(a) => ("uri-plain-http", a),
            UriRefusal::Scheme(a) => ("uri-scheme", a),
            UriRefusal::Credentials(a) => ("uri-credentials", a),
        };
        crate::Words::id(id).arg("address", address)
    }
}

/// Whether a scheme is a native app's private-use scheme in the
/// reverse-domain form RFC 8252 §7.1 asks for (`com.example.app`): at least
/// two labels of letters, digits and hyphens.
fn private_use_scheme(scheme: &str) -> bool {
    let labels: Vec<&str> = scheme.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Whether an `http` address goes to the machine itself.
fn loopback(uri: &url::Url) -> bool {
    uri.scheme() == "http"
        && match uri.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        }
}

/// Whether a redirect URI of a request is the registered one: exactly, or,
/// for a loopback address, on any port (a native app listens on whichever
/// port is free, RFC 8252 §7.3).
pub fn redirect_matches(registered: &str, asked: &str) -> bool {
    if registered == asked {
        return true;
    }
    match (url::Url::parse(registered), url::Url::parse(asked)) {
        (Ok(mut r), Ok(mut a)) if loopback(&r) && loopback(&a) && !asked.contains('#') => {
            let _ = r.set_port(None);
            let _ = a.set_port(None);
            r == a
        }
        _ => false,
    }
}

/// An address an app registers, parsed: absolute, without a fragment or
/// credentials (what every registered address shares).
fn registrable(raw: &str) -> Result<url::Url, UriRefusal> {
    let uri = url::Url::parse(raw).map_err(|_| UriRefusal::NotAbsolute(raw.to_string()))?;
    if uri.fragment().is_some() || raw.contains('#') {
        return Err(UriRefusal::Fragment(raw.to_string()));
    }
    if !uri.username().is_empty() || uri.password().is_some() {
        return Err(UriRefusal::Credentials(raw.to_string()));
    }
    Ok(uri)
}

/// Checks a redirect (or post-logout redirect) URI for registration.
pub fn check_redirect_uri(raw: &str) -> Result<(), UriRefusal> {
    let uri = registrable(raw)?;
    match uri.scheme() {
        "https" if uri.host_str().is_some() => Ok(()),
        "http" if loopback(&uri) => Ok(()),
        "http" => Err(UriRefusal::PlainHttp(raw.to_string())),
        // RFC 8252 §7.1: a reverse domain name, then a path
        // (`com.example.app:/callback`), not data after the colon.
        scheme if private_use_scheme(scheme) && raw[scheme.len() + 1..].starts_with('/') => Ok(()),
        _ => Err(UriRefusal::Scheme(raw.to_string())),
    }
}

/// An error of the OAuth 2.0 / OpenID Connect protocol, with the code the
/// RFCs give it and a sentence for the developer of the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, …
    pub code: &'static str,
    /// What was wrong.
    pub description: String,
}

impl OAuthError {
    /// An error with this code and description.
    pub fn new(code: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            code,
            description: description.into(),
        }
    }
}

/// The scopes of a request's `scope` parameter, each one known and allowed
/// to the client. `needs_openid` requires `openid` (an authentication
/// request); without it an empty parameter means every allowed scope.
pub fn requested_scopes(
    raw: Option<&str>,
    allowed: &BTreeSet<String>,
    needs_openid: bool,
) -> Result<BTreeSet<String>, OAuthError> {
    let asked: BTreeSet<String> = raw
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if asked.is_empty() && !needs_openid {
        return Ok(allowed.clone());
    }
    if needs_openid && !asked.contains("openid") {
        return Err(OAuthError::new(
            "invalid_scope",
            "the scope must include openid",
        ));
    }
    for scope in &asked {
        if !KNOWN_SCOPES.contains(&scope.as_str()) {
            return Err(OAuthError::new(
                "invalid_scope",
                format!("the scope '{scope}' is not offered"),
            ));
        }
        if !allowed.contains(scope) {
            return Err(OAuthError::new(
                "invalid_scope",
                format!("this client may not ask for the scope '{scope}'"),
            ));
        }
    }
    Ok(asked)
}

/// Checks a PKCE challenge of an authorization request: `S256` only, and
/// required from public clients.
pub fn check_pkce(
    client: ClientType,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<(), OAuthError> {
    match (challenge, method) {
        (None, None) if client == ClientType::Public => Err(OAuthError::new(
            "invalid_request",
            "a public client must send a PKCE code_challenge (method S256)",
        )),
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::new(
            "invalid_request",
            "code_challenge_method without code_challenge",
        )),
        (Some(c), Some("S256")) => {
            let ok = c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if ok {
                Ok(())
            } else {
                Err(OAuthError::new(
                    "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
                ))
            }
        }
        (Some(_), _) => Err(OAuthError::new(
            "invalid_request",
            "code_challenge_method must be S256 (plain is not accepted)",
        )),
    }
}

/// The longest `state` an app may send (it comes back in every answer).
pub const MAX_STATE_CHARS: usize = 1024;
/// The longest `nonce` an app may send (it is stored with the code).
pub const MAX_NONCE_CHARS: usize = 512;

/// An authorization request's parameters as they came (each optional; the
/// client was found by its `client_id` already).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthorizeParams<'a> {
    /// Where to send the answer.
    pub redirect_uri: Option<&'a str>,
    /// Must be `code`.
    pub response_type: Option<&'a str>,
    /// Space-separated scopes.
    pub scope: Option<&'a str>,
    /// Returned unchanged.
    pub state: Option<&'a str>,
    /// Put into the ID token.
    pub nonce: Option<&'a str>,
    /// PKCE challenge.
    pub code_challenge: Option<&'a str>,
    /// PKCE method.
    pub code_challenge_method: Option<&'a str>,
    /// Space-separated: `none`, `login`, `consent` (others are ignored).
    pub prompt: Option<&'a str>,
    /// Seconds.
    pub max_age: Option<&'a str>,
    /// A request object (not supported).
    pub request: Option<&'a str>,
    /// A request object by reference (not supported).
    pub request_uri: Option<&'a str>,
}

/// What the authorization endpoint knows of the client.
#[derive(Debug, Clone, Copy)]
pub struct ClientRules<'a> {
    /// Its redirect URIs, compared exactly.
    pub redirect_uris: &'a [String],
    /// The scopes it may ask for.
    pub scopes: &'a [String],
    /// Confidential or public.
    pub client_type: ClientType,
}

/// What the customer is asked, from `prompt`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompts {
    /// `none`: nothing may be shown; an answer or an error at once.
    pub none: bool,
    /// `login`: a fresh sign-in.
    pub login: bool,
    /// `consent`: ask again even if allowed before.
    pub consent: bool,
}

/// A request that passed every check: what the decision needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAuthorize<'a> {
    /// The registered redirect URI the answer goes to.
    pub redirect_uri: &'a str,
    /// The scopes asked for (all offered to the client, `openid` among them).
    pub scopes: BTreeSet<String>,
    /// The prompts.
    pub prompts: Prompts,
    /// The longest time since the sign-in the app accepts.
    pub max_age: Option<Duration>,
    /// The customer must act on a page before a code is issued, whatever
    /// was allowed before: a public app whose redirect is not an `https`
    /// address another app cannot claim (a private-use scheme or loopback,
    /// RFC 8252 §8.6).
    pub needs_interaction: bool,
}

/// Why an authorization request is refused, and how the refusal is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    /// On a page: the redirect URI (or `state`) cannot be trusted with an
    /// answer.
    Page(OAuthError),
    /// Back to the app's redirect URI.
    Redirect(OAuthError),
}

/// Checks an authorization request against the client it names: the one
/// place that decides what a request may be (RFC 6749 §4.1.1, OpenID
/// Connect Core §3.1.2.1, RFC 7636, RFC 8252 §8.6).
pub fn validate_authorize<'a>(
    p: &AuthorizeParams<'a>,
    client: &ClientRules<'_>,
) -> Result<ValidAuthorize<'a>, AuthorizeRefusal> {
    use AuthorizeRefusal::{Page, Redirect};
    let Some(redirect_uri) = p.redirect_uri else {
        return Err(Page(OAuthError::new(
            "invalid_request",
            "redirect_uri is missing",
        )));
    };
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, redirect_uri))
    {
        return Err(Page(OAuthError::new(
            "invalid_request",
            "this redirect_uri is not registered for the app (it must match exactly)",
        )));
    }
    if p.state.is_some_and(|s| s.chars().count() > MAX_STATE_CHARS) {
        return Err(Page(OAuthError::new(
            "invalid_request",
            format!("state is longer than {MAX_STATE_CHARS} characters"),
        )));
    }
    if p.response_type != Some("code") {
        return Err(Redirect(OAuthError::new(
            "unsupported_response_type",
            "only response_type=code is offered",
        )));
    }
    if p.request.is_some() {
        return Err(Redirect(OAuthError::new(
            "request_not_supported",
            "request objects are not supported; send the parameters in the query",
        )));
    }
    if p.request_uri.is_some() {
        return Err(Redirect(OAuthError::new(
            "request_uri_not_supported",
            "request_uri is not supported; send the parameters in the query",
        )));
    }
    let allowed: BTreeSet<String> = client.scopes.iter().cloned().collect();
    let scopes = requested_scopes(p.scope, &allowed, true).map_err(Redirect)?;
    check_pkce(
        client.client_type,
        p.code_challenge,
        p.code_challenge_method,
    )
    .map_err(Redirect)?;
    if p.nonce.is_some_and(|n| n.chars().count() > MAX_NONCE_CHARS) {
        return Err(Redirect(OAuthError::new(
            "invalid_request",
            format!("nonce is longer than {MAX_NONCE_CHARS} characters"),
        )));
    }
    let asked: Vec<&str> = p
        .prompt
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    let prompts = Prompts {
        none: asked.contains(&"none"),
        login: asked.contains(&"login"),
        consent: asked.contains(&"consent"),
    };
    if prompts.none && asked.len() > 1 {
        return Err(Redirect(OAuthError::new(
            "invalid_request",
            "prompt=none cannot be combined",
        )));
    }
    let max_age = match p.max_age.map(str::parse::<i64>) {
        None => None,
        Some(Ok(s)) if s >= 0 => Some(Duration::seconds(s)),
        Some(_) => {
            return Err(Redirect(OAuthError::new(
                "invalid_request",
                "max_age must be a whole number of seconds",
            )));
        }
    };
    Ok(ValidAuthorize {
        redirect_uri,
        scopes,
        prompts,
        max_age,
        needs_interaction: client.client_type == ClientType::Public
            && !redirect_uri.starts_with("https://"),
    })
}

/// What a presented refresh token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshUse {
    /// Not used before: rotate it.
    Fresh,
    /// Rotated a moment ago (inside the grace window): answer with the
    /// successor it already has.
    Repeated,
    /// Rotated before the grace window: a stolen copy, or a client gone
    /// wrong; the whole family is revoked.
    Replayed,
    /// Past its lifetime.
    Expired,
}

/// Classifies a refresh token's use at `now`.
pub fn refresh_use(
    expires_at: OffsetDateTime,
    rotated_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> RefreshUse {
    match rotated_at {
        Some(at) if now - at <= REFRESH_GRACE => RefreshUse::Repeated,
        Some(_) => RefreshUse::Replayed,
        None if now >= expires_at => RefreshUse::Expired,
        None => RefreshUse::Fresh,
    }
}

/// Whether an authorization request's `acr_values` (space-separated, in
/// order of preference) ask for a sign-in of two steps (`2`) and accept no
/// less: a list that also names `1` is answered by the password alone.
/// Values Gatehouse does not know are passed over.
pub fn asks_two_steps(acr_values: Option<&str>) -> bool {
    let values: Vec<&str> = acr_values.unwrap_or("").split_whitespace().collect();
    values.contains(&"2") && !values.contains(&"1")
}

#[cfg(test)]
mod tests;
