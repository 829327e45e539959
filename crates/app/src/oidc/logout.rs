//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an app
//! sends the customer here with the ID token it holds; the portal session
//! ends, the app's grant is revoked (and the app, too, gets a back-channel
//! logout token), and the customer goes back to the app only to an address
//! it registered for that.
//!
//! Invariant owned here: without an ID token this provider signed for one
//! of the site's apps, nothing is ended (a link from anywhere cannot sign a
//! customer out) and nobody is redirected.

use gatehouse_store::Site;
use serde::Deserialize;
use uuid::Uuid;

use super::authorize::with_query;
use crate::portal::sessions::Current;
use crate::{App, AppResult};

/// The query of a logout request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogoutRequest {
    /// An ID token this provider issued to the app (expired is fine).
    pub id_token_hint: Option<String>,
    /// Where to send the customer afterwards; must be registered.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned to the app unchanged.
    pub state: Option<String>,
}

/// What a logout request does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logout {
    /// End this browser's portal session.
    pub end_session: bool,
    /// Send the customer back to the app here; else show a page.
    pub redirect: Option<String>,
}

/// Decides a logout request, revoking the app's grant when the hint is good.
#[tracing::instrument(name = "app.oidc.logout.logout", level = "debug", skip_all)]
pub async fn logout(
    app: &App,
    site: &Site,
    req: &LogoutRequest,
    current: Option<&Current>,
) -> AppResult<Logout> {
    let nothing = Logout {
        end_session: false,
        redirect: None,
    };
    let Some(hint) = req.id_token_hint.as_deref() else {
        return Ok(nothing);
    };
    let Some(claims) = super::keys::verify(app, hint).await? else {
        return Ok(nothing);
    };
    // Only an ID token is a hint: access and machine tokens carry
    // `client_id`, logout tokens `events`.
    if claims.get("client_id").is_some() || claims.get("events").is_some() {
        return Ok(nothing);
    }
    if claims["iss"].as_str() != Some(super::issuer(app, site).as_str()) {
        return Ok(nothing);
    }
    let Some(client_id) = claims["aud"].as_str() else {
        return Ok(nothing);
    };
    let Some(client) = super::authorize::client_of(app, site, client_id).await? else {
        return Ok(nothing);
    };
    let sub = claims["sub"].as_str().and_then(|s| Uuid::parse_str(s).ok());
    // The browser's session ends only if it is the hint's customer's.
    let end_session = current.is_some_and(|c| Some(c.account.id) == sub);
    if let Some(sid) = claims["sid"].as_str() {
        let mut tx = app.store.begin().await?;
        // An ID token signed before grants named their session carries the
        // grant's own ID.
        let grants = match Uuid::parse_str(sid) {
            Ok(id) => tx.grant_by_id(id).await?.into_iter().collect(),
            Err(_) => tx.live_session_grants(sid).await?,
        };
        let now = app.clock.now();
        let mut ended = Vec::new();
        for grant in grants.into_iter().filter(|g| g.client_id == client.id) {
            if tx.revoke_grant(grant.id, now).await? {
                ended.push(grant);
            }
        }
        // The app that asked is told over the back channel as well, like
        // every other app of the session: its other instances (a cluster,
        // a second tab's server session) end by the same token.
        super::backchannel::queue(tx.as_mut(), &ended, now).await?;
        tx.commit().await?;
    }
    let redirect = req
        .post_logout_redirect_uri
        .as_deref()
        .filter(|uri| client.post_logout_redirect_uris.iter().any(|r| r == uri))
        .map(|uri| with_query(uri, &[("state", req.state.as_deref())]));
    Ok(Logout {
        end_session,
        redirect,
    })
}
