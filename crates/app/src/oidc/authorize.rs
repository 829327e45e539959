//! The authorization endpoint: an app sends the customer here; a signed-in
//! customer (the site's own portal session, single sign-on) comes back to
//! the app with a code, anyone else signs in on the portal first. An app
//! that is not the business's own first asks the customer's consent, once
//! per account and app (again when it asks for more, or demands it with
//! `prompt=consent`).
//!
//! Invariants owned here:
//! - Errors go back to the app (RFC 6749 §4.1.2.1) only once the client and
//!   the redirect URI are known to be right; before that, a page says what
//!   was wrong and nobody is redirected anywhere.
//! - A code is 256 random bits, stored hashed, single-use, valid for
//!   [`CODE_TTL`]; it belongs to a new grant of this client and account.
//! - A third-party app gets a code only for scopes the customer consented
//!   to; the consent is recorded with the grant, in one transaction.

use gatehouse_domain::oidc::{CODE_TTL, OAuthError, check_pkce, requested_scopes};
use gatehouse_store::{AuthCode, Client, Consent, Grant, Site};
use serde::Deserialize;
use serde_json::json;
use time::Duration;
use uuid::Uuid;

use crate::portal::customer_actor;
use crate::portal::sessions::Current;
use crate::{App, AppResult, audit, secrets};

/// The query of an authorization request (all optional here: each is
/// checked, with the error the protocol names).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeRequest {
    /// The app.
    pub client_id: Option<String>,
    /// Where to send the answer; must be registered exactly.
    pub redirect_uri: Option<String>,
    /// Must be `code`.
    pub response_type: Option<String>,
    /// Space-separated scopes, `openid` among them.
    pub scope: Option<String>,
    /// Returned to the app unchanged.
    pub state: Option<String>,
    /// Put into the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// `S256`.
    pub code_challenge_method: Option<String>,
    /// `none`, `login` or `consent`.
    pub prompt: Option<String>,
    /// Seconds since the customer signed in, at most.
    pub max_age: Option<String>,
    /// The login ID to put into the sign-in form.
    pub login_hint: Option<String>,
    /// Preferred languages, space-separated.
    pub ui_locales: Option<String>,
}

/// What happens next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Send the browser back to the app: with a code, or with an error.
    Redirect(String),
    /// The customer must sign in first (again, when `fresh`: `prompt=login`
    /// or `max_age` passed), then come back here.
    SignIn {
        /// A sign-in now, even with a live session.
        fresh: bool,
    },
    /// Say on a page what was wrong: the client or its redirect URI cannot
    /// be trusted with an answer.
    Refuse(OAuthError),
    /// Ask the customer whether this app (not the business's own) may see
    /// what it asks for; their answer comes back as a [`Decision`].
    Consent {
        /// The app's name.
        app: String,
        /// The scopes it asks for.
        scopes: Vec<String>,
    },
}

/// The customer's answer on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The app may see what it asked for; remembered for the account.
    Allow,
    /// It may not: the app gets `access_denied`.
    Deny,
}

/// The app's redirect URI with these query parameters added.
pub fn with_query(uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        if let Some(v) = v {
            out.push(sep);
            out.push_str(k);
            out.push('=');
            out.push_str(&crate::links::query_value(v));
            sep = '&';
        }
    }
    out
}

/// The client a request names, if it is one of this site's: a recent copy
/// while no site or app changed since it was read (see [`crate::recent`]).
pub(crate) async fn client_of(
    app: &App,
    site: &Site,
    client_id: &str,
) -> AppResult<Option<Client>> {
    let seen = app.store.site_changes_seen();
    let client = match app.recent.clients.get(&client_id.to_string(), seen) {
        Some(hit) => Some(Client::clone(&hit)),
        None => {
            let mut tx = app.store.read().await?;
            let found = tx.client_by_client_id(client_id).await?;
            drop(tx);
            if let Some(c) = &found {
                app.recent
                    .clients
                    .put(c.client_id.clone(), seen, std::sync::Arc::new(c.clone()));
            }
            found
        }
    };
    Ok(client.filter(|c| c.site_id == site.id))
}

/// Decides an authorization request for the customer signed in (if any),
/// with their answer when it comes from the consent page.
pub async fn authorize(
    app: &App,
    site: &Site,
    req: &AuthorizeRequest,
    current: Option<&Current>,
    decision: Option<Decision>,
) -> AppResult<Next> {
    let Some(client_id) = req.client_id.as_deref() else {
        return Ok(Next::Refuse(OAuthError::new(
            "invalid_request",
            "client_id is missing",
        )));
    };
    let Some(client) = client_of(app, site, client_id).await? else {
        return Ok(Next::Refuse(OAuthError::new(
            "invalid_client",
            format!("no app with client_id '{client_id}' is registered on this site"),
        )));
    };
    let Some(redirect_uri) = req.redirect_uri.as_deref() else {
        return Ok(Next::Refuse(OAuthError::new(
            "invalid_request",
            "redirect_uri is missing",
        )));
    };
    if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Ok(Next::Refuse(OAuthError::new(
            "invalid_request",
            "this redirect_uri is not registered for the app (it must match exactly)",
        )));
    }
    let issuer = super::issuer(app, site);
    let fail = |e: OAuthError| {
        Next::Redirect(with_query(
            redirect_uri,
            &[
                ("error", Some(e.code)),
                ("error_description", Some(&e.description)),
                ("state", req.state.as_deref()),
                ("iss", Some(&issuer)),
            ],
        ))
    };
    if req.response_type.as_deref() != Some("code") {
        return Ok(fail(OAuthError::new(
            "unsupported_response_type",
            "only response_type=code is offered",
        )));
    }
    let allowed = client.scopes.iter().cloned().collect();
    let scopes = match requested_scopes(req.scope.as_deref(), &allowed, true) {
        Ok(s) => s,
        Err(e) => return Ok(fail(e)),
    };
    let client_type = client.client_type;
    if let Err(e) = check_pkce(
        client_type,
        req.code_challenge.as_deref(),
        req.code_challenge_method.as_deref(),
    ) {
        return Ok(fail(e));
    }
    let prompts: Vec<&str> = req
        .prompt
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return Ok(fail(OAuthError::new(
            "invalid_request",
            "prompt=none cannot be combined",
        )));
    }
    let max_age = match req.max_age.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(s)) if s >= 0 => Some(Duration::seconds(s)),
        Some(_) => {
            return Ok(fail(OAuthError::new(
                "invalid_request",
                "max_age must be a whole number of seconds",
            )));
        }
    };
    let now = app.clock.now();
    if current.is_some_and(|c| c.session.impersonator_id.is_some()) {
        // Staff looking at the portal as a customer act for nobody in apps.
        return Ok(fail(OAuthError::new(
            "access_denied",
            "an impersonation session cannot sign in to apps",
        )));
    }
    let Some(current) = current else {
        if prompts.contains(&"none") {
            return Ok(fail(OAuthError::new(
                "login_required",
                "the customer is not signed in",
            )));
        }
        return Ok(Next::SignIn { fresh: false });
    };
    let signed_in_at = current.session.created_at;
    let too_old = max_age.is_some_and(|m| now - signed_in_at > m);
    if prompts.contains(&"login") || too_old {
        if prompts.contains(&"none") {
            return Ok(fail(OAuthError::new(
                "login_required",
                "a fresh sign-in is needed",
            )));
        }
        return Ok(Next::SignIn { fresh: true });
    }
    if current.must_change_password {
        return Ok(fail(OAuthError::new(
            "interaction_required",
            "the customer must change their password first",
        )));
    }
    if decision == Some(Decision::Deny) {
        return Ok(fail(OAuthError::new(
            "access_denied",
            "the customer did not allow the app",
        )));
    }
    // The business's own apps need no consent; another app needs one that
    // covers every scope it asks for, or a new one when it demands it.
    let asks_consent = !client.first_party
        && decision.is_none()
        && (prompts.contains(&"consent") || {
            let mut tx = app.store.read().await?;
            let given = tx.consent(current.account.id, client.id).await?;
            !given.is_some_and(|c| scopes.iter().all(|s| c.scopes.contains(s)))
        });
    if asks_consent {
        if prompts.contains(&"none") {
            return Ok(fail(OAuthError::new(
                "consent_required",
                "the customer has not allowed this app yet",
            )));
        }
        return Ok(Next::Consent {
            app: client.name.clone(),
            scopes: scopes.into_iter().collect(),
        });
    }
    let code = secrets::new_token("");
    let grant = Grant {
        id: Uuid::now_v7(),
        client_id: client.id,
        account_id: Some(current.account.id),
        scopes: scopes.into_iter().collect(),
        auth_time: signed_in_at,
        created_at: now,
        revoked_at: None,
        sid: Some(super::session_sid(&current.session.token_hash)),
    };
    let mut tx = app.store.begin().await?;
    if decision == Some(Decision::Allow) && !client.first_party {
        crate::portal::sessions::still_signed_in(tx.as_mut(), current, now).await?;
        tx.save_consent(&Consent {
            account_id: current.account.id,
            client_id: client.id,
            scopes: grant.scopes.clone(),
            granted_at: now,
        })
        .await?;
        tx.append_audit(&audit::event(
            now,
            &customer_actor(&current.account),
            "oauth.consent",
            Some(("account", current.account.id)),
            Some(site.id),
            json!({"client_id": client.client_id, "app": client.name, "scopes": grant.scopes}),
        ))
        .await?;
    }
    tx.insert_grant(&grant).await?;
    tx.insert_code(&AuthCode {
        code_hash: secrets::token_hash(&code),
        grant_id: grant.id,
        redirect_uri: redirect_uri.to_string(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        created_at: now,
        expires_at: now + CODE_TTL,
        used_at: None,
    })
    .await?;
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&current.account),
        "oauth.authorize",
        Some(("account", current.account.id)),
        Some(site.id),
        json!({"client_id": client.client_id, "app": client.name, "scopes": grant.scopes}),
    ))
    .await?;
    tx.commit().await?;
    Ok(Next::Redirect(with_query(
        redirect_uri,
        &[
            ("code", Some(&code)),
            ("state", req.state.as_deref()),
            ("iss", Some(&issuer)),
        ],
    )))
}
