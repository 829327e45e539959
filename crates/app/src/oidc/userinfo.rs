//! The userinfo endpoint: the claims of the customer an access token was
//! issued for, as its scopes allow, checked against the database: a
//! revoked grant or an account that may no longer sign in answers "invalid
//! token" at once. [`live_access`] is that check, shared with
//! introspection; userinfo keeps its answers in `recent` copies, used only
//! while the store has seen no change since they were read.

use gatehouse_domain::sign_in_gate;
use gatehouse_store::{Account, Grant, Site, Tx};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::recent::UserinfoRead;
use crate::{App, AppResult, secrets};

/// An access token that is good now: its claims, its grant and its account.
pub(crate) struct LiveAccess {
    /// The token's claims.
    pub claims: Value,
    /// Its grant (live).
    pub grant: Grant,
    /// Its account (may sign in).
    pub account: Account,
}

/// The claims of an access token signed here for this site that has not
/// expired (whose ever it is: a customer's or a machine's). The one check
/// of [`live_access`] and of introspection's machine tokens.
pub(crate) async fn access_claims(app: &App, site: &Site, token: &str) -> AppResult<Option<Value>> {
    let Some(claims) = super::keys::verify(app, token).await? else {
        return Ok(None);
    };
    let now = app.clock.now().unix_timestamp();
    let good = claims["iss"].as_str() == Some(super::issuer(app, site).as_str())
        && claims["exp"].as_i64().is_some_and(|exp| exp > now);
    // Issued to one of this site's apps, whatever its issuer says.
    let Some(client_id) = claims["client_id"].as_str().filter(|_| good) else {
        return Ok(None);
    };
    if super::authorize::client_of(app, site, client_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(claims))
}

/// The access token of a customer's grant, if it was signed here for this
/// site, has not expired, and its grant and account are still good.
pub(crate) async fn live_access(
    app: &App,
    site: &Site,
    token: &str,
) -> AppResult<Option<LiveAccess>> {
    let Some(claims) = access_claims(app, site, token).await? else {
        return Ok(None);
    };
    let mut tx = app.store.read().await?;
    live_in(app, tx.as_mut(), claims).await
}

/// The grant and account of an access token's verified claims, read in the
/// caller's transaction, if both are still good.
async fn live_in(app: &App, tx: &mut dyn Tx, claims: Value) -> AppResult<Option<LiveAccess>> {
    let now = app.clock.now();
    // Tokens signed before grants named their session carried the grant
    // as `sid`.
    let grant_id = claims
        .get(super::token::GRANT_CLAIM)
        .or_else(|| claims.get("sid"))
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok());
    let (Some(grant_id), Some(sub)) = (
        grant_id,
        claims["sub"].as_str().and_then(|s| Uuid::parse_str(s).ok()),
    ) else {
        return Ok(None);
    };
    let Some(grant) = tx.grant_by_id(grant_id).await? else {
        return Ok(None);
    };
    if grant.revoked_at.is_some() || grant.account_id != Some(sub) {
        return Ok(None);
    }
    let Some(account) = tx.account_by_id(sub).await? else {
        return Ok(None);
    };
    if sign_in_gate(&account.state, now).is_err() {
        return Ok(None);
    }
    Ok(Some(LiveAccess {
        claims,
        grant,
        account,
    }))
}

/// The claims for a bearer token on `site`, or `None` when the token is not
/// (or no longer) good for them. One read: the grant, the account and what
/// the claims need.
#[tracing::instrument(name = "app.oidc.userinfo.userinfo", level = "debug", skip_all)]
pub async fn userinfo(
    app: &App,
    site: &Site,
    bearer: &str,
) -> AppResult<Option<Map<String, Value>>> {
    // A copy is good while nothing changed since it was read (see
    // `recent`): a revoked grant, a blocked account, a changed site or app
    // is seen at once. The key includes the site: a token is good only
    // where it was issued.
    let key = secrets::token_hash(&format!("{}\n{bearer}", site.key));
    let seen = app.store.changes_seen();
    if let Some(hit) = app.recent.userinfo.get_unchanged(&key, app.store.as_ref())
        && hit.expires_at > app.clock.now().unix_timestamp()
    {
        return Ok(Some(hit.claims.clone()));
    }
    let Some(verified) = access_claims(app, site, bearer).await? else {
        return Ok(None);
    };
    // A token asked for an API (RFC 8707 `resource`) is for that API only.
    if verified["aud"] != verified["client_id"] {
        return Ok(None);
    }
    let mut tx = app.store.read().await?;
    let Some(live) = live_in(app, tx.as_mut(), verified).await? else {
        return Ok(None);
    };
    // What the token was issued for (a refresh may have narrowed it, or the
    // app lost a scope since the grant), never more than the grant.
    let scopes: Vec<String> = live.claims["scope"]
        .as_str()
        .unwrap_or("")
        .split(' ')
        .filter(|s| live.grant.scopes.iter().any(|g| g == s))
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Ok(None);
    }
    let claims = super::claims(tx.as_mut(), site, &live.account, &scopes).await?;
    drop(tx);
    if let Some(expires_at) = live.claims["exp"].as_i64() {
        // The answer changes with the grant, the account and its customer
        // (groups and companies are changes of everything).
        let mut subjects = vec![live.grant.id, live.account.id];
        subjects.extend(live.account.customer_id);
        app.recent.userinfo.put_about(
            key,
            seen,
            subjects,
            std::sync::Arc::new(UserinfoRead {
                expires_at,
                claims: claims.clone(),
            }),
        );
    }
    Ok(Some(claims))
}
