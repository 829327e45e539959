//! Every site is an OpenID Connect provider: its issuer is the site's portal
//! address, its apps are registered by admins (`clients`), tokens are signed
//! with keys shared by every node (`keys`), and the sign-in is the portal's
//! own (`authorize`), with every gate of the account lifecycle. Codes and
//! refresh tokens are exchanged at the token endpoint (`token`); apps read
//! the customer's claims from `userinfo`, and ask about or revoke their
//! tokens (`introspect`).
//!
//! Invariants owned here:
//! - A customer gets a code only through a live portal session, so only an
//!   account the lifecycle lets sign in ever gets one; every later exchange
//!   and every userinfo call checks the account and the grant again.
//! - Ending an account's sessions (block, delete, lock, password change or
//!   reset, "sign out everywhere") revokes its grants in the same
//!   transaction ([`end_grants`]): refresh tokens stop working and userinfo
//!   answers 401 at once, on every node, and every app that held a grant
//!   is sent a back-channel logout through the outbox (`backchannel`).
//! - A grant remembers the portal session it was made in; ID tokens,
//!   access tokens and logout tokens name that session as `sid`
//!   ([`session_sid`]). When the session ends (sign-out, logout from an
//!   app, staff ending it), every app it signed in is told, and its grants
//!   end but those with `offline_access` after a plain sign-out
//!   ([`end_session_grants`]).

pub mod authorize;
pub mod backchannel;
pub mod clients;
pub mod connected;
pub mod introspect;
pub mod keys;
pub mod logout;
pub mod token;
pub mod userinfo;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::oidc::KNOWN_SCOPES;
use gatehouse_store::{Account, Site, Tx};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{App, AppResult};

/// The claims of ID tokens and userinfo, by scope (a schema for the API
/// document; the answers are built by [`claims`]).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Claims {
    /// The account's stable ID on this site (`openid`).
    pub sub: String,
    /// Its e-mail address (`email`).
    pub email: Option<String>,
    /// Whether the address was confirmed (`email`).
    pub email_verified: Option<bool>,
    /// First name (`profile`).
    pub given_name: Option<String>,
    /// Last name (`profile`).
    pub family_name: Option<String>,
    /// Full name (`profile`).
    pub name: Option<String>,
    /// Language, `en` or `de` (`profile`).
    pub locale: Option<String>,
    /// The customer record's ID (`gatehouse`).
    pub customer_id: Option<String>,
    /// The name of the company the customer belongs to (`gatehouse`).
    pub company: Option<String>,
    /// That company's ID (`gatehouse`).
    pub company_id: Option<String>,
    /// `customer` or `customer_manager` (`gatehouse`).
    pub role: Option<String>,
    /// The customer's groups (`gatehouse`).
    pub groups: Option<Vec<String>>,
    /// The site's key (`gatehouse`).
    pub site: Option<String>,
}

/// The issuer of a site: its portal address.
pub fn issuer(app: &App, site: &Site) -> String {
    app.links.site_base(site)
}

/// The discovery document of a site (OpenID Connect Discovery 1.0).
pub fn discovery(app: &App, site: &Site) -> Value {
    let issuer = issuer(app, site);
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
        "token_endpoint": format!("{issuer}/oauth2/token"),
        "userinfo_endpoint": format!("{issuer}/oauth2/userinfo"),
        "jwks_uri": format!("{issuer}/oauth2/jwks"),
        "introspection_endpoint": format!("{issuer}/oauth2/introspect"),
        "end_session_endpoint": format!("{issuer}/oauth2/logout"),
        "revocation_endpoint": format!("{issuer}/oauth2/revoke"),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": KNOWN_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash", "acr", "amr",
            "email", "email_verified", "given_name", "family_name", "name", "locale",
            "customer_id", "company", "company_id", "role", "groups", "site"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "ui_locales_supported": ["en", "de"],
        "acr_values_supported": ["1", "2"],
    })
}

/// Revokes every grant of an account and queues a back-channel logout to
/// each app that held one: the other half of ending its sessions, called
/// wherever those end. Answers how many notices were queued.
#[tracing::instrument(name = "app.oidc.end_grants", level = "debug", skip_all)]
pub async fn end_grants(
    tx: &mut dyn Tx,
    account_id: Uuid,
    now: OffsetDateTime,
) -> AppResult<usize> {
    let grants = tx.revoke_account_grants(account_id, now).await?;
    backchannel::queue(tx, &grants, now).await
}

/// Forgets the codes, refresh tokens and grants that can serve nobody any
/// more (the purge job's share of the provider); answers how many rows.
#[tracing::instrument(name = "app.oidc.forget_ended_grants", level = "debug", skip_all)]
pub async fn forget_ended_grants(app: &App) -> AppResult<u64> {
    use gatehouse_domain::oidc::{CODE_KEPT, GRANT_KEPT_AT_MOST, REVOKED_GRANT_KEPT};
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let gone = tx
        .forget_ended_grants(
            now - CODE_KEPT,
            now - REVOKED_GRANT_KEPT,
            now - GRANT_KEPT_AT_MOST,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(gone)
}

/// The `sid` of a portal session: the one it was given (and kept through a
/// sign-in of the same customer that replaced an earlier session), else
/// derived from the hash of its token.
pub fn session_sid(session: &gatehouse_store::Session) -> String {
    session
        .sid
        .clone()
        .unwrap_or_else(|| derived_sid(&session.token_hash))
}

/// A new session's `sid`: derived from the hash of its token, so that it
/// names the session to apps without revealing anything that could find or
/// use it.
pub(crate) fn derived_sid(token_hash: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"gatehouse sid\0");
    h.update(token_hash);
    URL_SAFE_NO_PAD.encode(&h.finalize()[..16])
}

/// Single logout: the portal session known to apps as `sid` ended. Every app it
/// signed in is sent a back-channel logout for its `sid`, and the grants
/// made in it end, in the caller's transaction. After a plain sign-out
/// (`keep_offline`) grants with `offline_access` stay: the app asked for
/// them to act while the customer is away. Answers how many notices were
/// queued.
pub(crate) async fn end_session_grants(
    tx: &mut dyn Tx,
    sid: &str,
    keep_offline: bool,
    now: OffsetDateTime,
) -> AppResult<usize> {
    let grants = tx.live_session_grants(sid).await?;
    for grant in &grants {
        let offline = grant.scopes.iter().any(|s| s == "offline_access");
        if !(keep_offline && offline) {
            tx.revoke_grant(grant.id, now).await?;
        }
    }
    backchannel::queue(tx, &grants, now).await
}

/// The claims about an account that the scopes allow.
pub(crate) async fn claims(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    scopes: &[String],
) -> AppResult<Map<String, Value>> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut out = Map::new();
    out.insert("sub".into(), json!(account.id.to_string()));
    if has("email") {
        out.insert("email".into(), json!(account.email));
        out.insert(
            "email_verified".into(),
            json!(account.state.email_validated),
        );
    }
    if has("profile") {
        let name = format!("{} {}", account.first_name, account.last_name);
        out.insert("given_name".into(), json!(account.first_name));
        out.insert("family_name".into(), json!(account.last_name));
        out.insert("name".into(), json!(name.trim()));
        let locale = account
            .language
            .clone()
            .unwrap_or_else(|| site.settings.default_language.as_str().to_string());
        out.insert("locale".into(), json!(locale));
    }
    if has("gatehouse") {
        let mut groups = Vec::new();
        let customer = match account.customer_id {
            Some(id) => tx.customer_by_id(id).await?,
            None => None,
        };
        if let Some(group_id) = customer.as_ref().and_then(|c| c.fields.group_id) {
            let all = tx.list_groups().await?;
            groups.extend(all.into_iter().filter(|g| g.id == group_id).map(|g| g.name));
        }
        out.insert(
            "customer_id".into(),
            json!(account.customer_id.map(|c| c.to_string())),
        );
        // The company record the customer belongs to (staff set it); what
        // was typed at registration is no proof of belonging.
        let fields = customer.as_ref().map(|c| &c.fields);
        out.insert(
            "company".into(),
            json!(fields.and_then(|f| f.company.clone())),
        );
        out.insert(
            "company_id".into(),
            json!(fields.and_then(|f| f.company_id).map(|id| id.to_string())),
        );
        out.insert("role".into(), json!(account.role.as_str()));
        out.insert("groups".into(), json!(groups));
        out.insert("site".into(), json!(site.key));
    }
    Ok(out)
}
