//! Token introspection (RFC 7662, for confidential apps) and revocation
//! (RFC 7009, for every app), each about its own tokens only: another app's
//! token is inactive to it, and revoking it does nothing.
//!
//! Invariant owned here: revoking either kind of token revokes its grant,
//! so the access token, the refresh token family and userinfo all stop at
//! once.

use gatehouse_domain::oidc::{ClientType, OAuthError, RefreshUse, refresh_use};
use gatehouse_domain::sign_in_gate;
use gatehouse_store::{Client, Grant, Site};
use serde::Deserialize;
use serde_json::{Value, json};

use super::userinfo::live_access;
use crate::{App, AppResult, secrets};

/// The form of an introspection or revocation request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenForm {
    /// The token asked about.
    pub token: Option<String>,
    /// `access_token` or `refresh_token` (a hint; both are tried).
    pub token_type_hint: Option<String>,
    /// The client (when not in the Authorization header).
    pub client_id: Option<String>,
    /// Its secret.
    pub client_secret: Option<String>,
}

async fn confidential(
    app: &App,
    site: &Site,
    form: &TokenForm,
    basic: Option<(String, String)>,
) -> AppResult<Result<Client, OAuthError>> {
    let pair = (form.client_id.clone(), form.client_secret.clone());
    Ok(match super::token::client(app, site, pair, basic).await? {
        Ok(c) if c.client_type == ClientType::Confidential => Ok(c),
        Ok(_) => Err(OAuthError::new(
            "invalid_client",
            "only confidential clients may introspect",
        )),
        Err(e) => Err(e),
    })
}

/// The grant of a refresh token that is good now, if it is this client's.
async fn live_refresh(app: &App, client: &Client, token: &str) -> AppResult<Option<Grant>> {
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let Some(refresh) = tx
        .refresh_token_by_hash(&secrets::token_hash(token))
        .await?
    else {
        return Ok(None);
    };
    if refresh_use(refresh.expires_at, refresh.rotated_at, now) != RefreshUse::Fresh {
        return Ok(None);
    }
    let Some(grant) = tx.grant_by_id(refresh.grant_id).await? else {
        return Ok(None);
    };
    if grant.client_id != client.id || grant.revoked_at.is_some() {
        return Ok(None);
    }
    let account = match grant.account_id {
        Some(id) => tx.account_by_id(id).await?,
        None => None,
    };
    Ok(account
        .filter(|a| sign_in_gate(&a.state, now).is_ok())
        .map(|_| grant))
}

/// The claims of a `client_credentials` access token this client holds,
/// if it was signed here for this site and has not expired. It has no grant
/// (no customer): it lives as long as it lasts, or until the app is
/// deleted (then nobody can ask about it).
async fn live_machine_token(
    app: &App,
    site: &Site,
    client: &Client,
    token: &str,
) -> AppResult<Option<Value>> {
    let Some(claims) = super::userinfo::access_claims(app, site, token).await? else {
        return Ok(None);
    };
    let good = claims.get("sid").is_none()
        && claims["client_id"].as_str() == Some(client.client_id.as_str())
        && claims["sub"] == claims["client_id"];
    Ok(good.then_some(claims))
}

/// Answers whether a token is active, with what it is good for.
#[tracing::instrument(name = "app.oidc.introspect.introspect", level = "debug", skip_all)]
pub async fn introspect(
    app: &App,
    site: &Site,
    form: &TokenForm,
    basic: Option<(String, String)>,
) -> AppResult<Result<Value, OAuthError>> {
    let client = match confidential(app, site, form, basic).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let Some(token) = form.token.as_deref() else {
        return Ok(Err(OAuthError::new("invalid_request", "token is missing")));
    };
    let inactive = json!({"active": false});
    if let Some(live) = live_access(app, site, token).await? {
        if live.grant.client_id != client.id {
            return Ok(Ok(inactive));
        }
        let c = &live.claims;
        return Ok(Ok(json!({
            "active": true, "token_type": "access_token", "client_id": client.client_id,
            "scope": live.grant.scopes.join(" "), "sub": c["sub"], "iss": c["iss"], "aud": c["aud"],
            "exp": c["exp"], "iat": c["iat"], "sid": c["sid"],
        })));
    }
    if let Some(c) = live_machine_token(app, site, &client, token).await? {
        return Ok(Ok(json!({
            "active": true, "token_type": "access_token", "client_id": client.client_id,
            "scope": c["scope"], "sub": c["sub"], "iss": c["iss"], "aud": c["aud"],
            "exp": c["exp"], "iat": c["iat"],
        })));
    }
    if let Some(grant) = live_refresh(app, &client, token).await? {
        return Ok(Ok(json!({
            "active": true, "token_type": "refresh_token", "client_id": client.client_id,
            "scope": grant.scopes.join(" "),
            "sub": grant.account_id.map(|a| a.to_string()),
            "iss": super::issuer(app, site), "sid": grant.session_id(),
        })));
    }
    Ok(Ok(inactive))
}

/// Revokes a token of this client with everything of its sign-in. An
/// unknown or foreign token is no error (RFC 7009 §2.2). A public app may
/// revoke its own tokens too, naming itself by its ID (RFC 7009 §2.1).
#[tracing::instrument(name = "app.oidc.introspect.revoke", level = "debug", skip_all)]
pub async fn revoke(
    app: &App,
    site: &Site,
    form: &TokenForm,
    basic: Option<(String, String)>,
) -> AppResult<Result<(), OAuthError>> {
    let pair = (form.client_id.clone(), form.client_secret.clone());
    let client = match super::token::client(app, site, pair, basic).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let Some(token) = form.token.as_deref() else {
        return Ok(Err(OAuthError::new("invalid_request", "token is missing")));
    };
    let grant = match live_access(app, site, token).await? {
        Some(live) => Some(live.grant),
        None => {
            let mut tx = app.store.read().await?;
            match tx
                .refresh_token_by_hash(&secrets::token_hash(token))
                .await?
            {
                Some(refresh) => tx.grant_by_id(refresh.grant_id).await?,
                None => None,
            }
        }
    };
    if let Some(grant) = grant.filter(|g| g.client_id == client.id) {
        let mut tx = app.store.begin().await?;
        tx.revoke_grant(grant.id, app.clock.now()).await?;
        tx.commit().await?;
    }
    Ok(Ok(()))
}
