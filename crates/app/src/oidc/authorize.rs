//! The authorization endpoint: an app sends the customer here; a signed-in
//! customer (the site's own portal session, single sign-on) comes back to
//! the app with a code, anyone else signs in on the portal first. An app
//! that is not the business's own first asks the customer's consent, once
//! per account and app (again when it asks for more, or demands it with
//! `prompt=consent`). What a request may be is decided in the domain
//! (`gatehouse_domain::oidc::validate_authorize`); this module decides
//! what happens to a valid one for the customer signed in.
//!
//! Invariants owned here:
//! - A public app whose redirect another app could claim (not `https`)
//!   gets a code only after the customer acts on a page (RFC 8252 §8.6).
//! - Errors go back to the app (RFC 6749 §4.1.2.1) only once the client and
//!   the redirect URI are known to be right; before that, a page says what
//!   was wrong and nobody is redirected anywhere.
//! - A code is 256 random bits, stored hashed, single-use, valid for
//!   [`CODE_TTL`]; it belongs to a new grant of this client and account.
//! - A third-party app gets a code only for scopes the customer consented
//!   to; the consent is recorded with the grant, in one transaction.
//! - An app that asks for two steps (`acr_values=2`), or is registered as
//!   needing them, gets a code only from a session that had them (the ID
//!   token's `acr` is then `2`).

use gatehouse_domain::oidc::{
    AuthorizeParams, AuthorizeRefusal, CODE_TTL, ClientRules, OAuthError, asks_two_steps,
    validate_authorize,
};
use gatehouse_store::{AuthCode, Client, Consent, Grant, Site};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::portal::customer_actor;
use crate::portal::sessions::{Amr, Current};
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
    /// Assurance levels, space-separated in order of preference: `2` alone
    /// asks for a sign-in of two steps.
    pub acr_values: Option<String>,
    /// A request object: refused (`request_not_supported`).
    pub request: Option<String>,
    /// A request object by reference: refused (`request_uri_not_supported`).
    pub request_uri: Option<String>,
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
    /// The app asks for two steps and this session had one: the signed-in
    /// customer gives the second step (sets one up, if they have none) on
    /// the portal, then comes back here.
    SecondStep(crate::portal::two_step::PendingStep),
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
#[tracing::instrument(name = "app.oidc.authorize.authorize", level = "debug", skip_all)]
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
    let params = AuthorizeParams {
        redirect_uri: req.redirect_uri.as_deref(),
        response_type: req.response_type.as_deref(),
        scope: req.scope.as_deref(),
        state: req.state.as_deref(),
        nonce: req.nonce.as_deref(),
        code_challenge: req.code_challenge.as_deref(),
        code_challenge_method: req.code_challenge_method.as_deref(),
        prompt: req.prompt.as_deref(),
        max_age: req.max_age.as_deref(),
        request: req.request.as_deref(),
        request_uri: req.request_uri.as_deref(),
    };
    let rules = ClientRules {
        redirect_uris: &client.redirect_uris,
        scopes: &client.scopes,
        client_type: client.client_type,
    };
    let issuer = super::issuer(app, site);
    let fail_to = |redirect_uri: &str, e: OAuthError| {
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
    let valid = match validate_authorize(&params, &rules) {
        Ok(valid) => valid,
        Err(AuthorizeRefusal::Page(e)) => return Ok(Next::Refuse(e)),
        Err(AuthorizeRefusal::Redirect(e)) => {
            // Only ever to a registered address (checked first).
            return Ok(match params.redirect_uri {
                Some(uri) => fail_to(uri, e),
                None => Next::Refuse(e),
            });
        }
    };
    let redirect_uri = valid.redirect_uri;
    let fail = |e: OAuthError| fail_to(redirect_uri, e);
    let (scopes, prompts, max_age) = (valid.scopes, valid.prompts, valid.max_age);
    let now = app.clock.now();
    if current.is_some_and(|c| c.session.impersonator_id.is_some()) {
        // Staff looking at the portal as a customer act for nobody in apps.
        return Ok(fail(OAuthError::new(
            "access_denied",
            "an impersonation session cannot sign in to apps",
        )));
    }
    let Some(current) = current else {
        if prompts.none {
            return Ok(fail(OAuthError::new(
                "login_required",
                "the customer is not signed in",
            )));
        }
        return Ok(Next::SignIn { fresh: false });
    };
    let signed_in_at = current.session.created_at;
    let too_old = max_age.is_some_and(|m| now - signed_in_at > m);
    if prompts.login || too_old {
        if prompts.none {
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
    // Two steps asked for (`acr_values=2`), one given: the second step
    // comes before any code.
    let two_steps = client.require_two_steps || asks_two_steps(req.acr_values.as_deref());
    if two_steps && Amr::of(&current.session) == Amr::Password {
        if prompts.none {
            return Ok(fail(OAuthError::new(
                "interaction_required",
                "the app needs a sign-in of two steps, and this one had one",
            )));
        }
        let step = crate::portal::two_step::step_up(app, current).await?;
        return Ok(Next::SecondStep(step));
    }
    if decision == Some(Decision::Deny) {
        return Ok(fail(OAuthError::new(
            "access_denied",
            "the customer did not allow the app",
        )));
    }
    // The business's own apps need no consent; another app needs one that
    // covers every scope it asks for, or a new one when it demands it. A
    // public app whose redirect another app could claim is asked about every
    // time: only the customer's click tells it from an impostor.
    let asks_consent = decision.is_none()
        && (valid.needs_interaction
            || !client.first_party
                && (prompts.consent || {
                    let mut tx = app.store.read().await?;
                    let given = tx.consent(current.account.id, client.id).await?;
                    !given.is_some_and(|c| scopes.iter().all(|s| c.scopes.contains(s)))
                }));
    if asks_consent {
        if prompts.none {
            return Ok(fail(if valid.needs_interaction {
                OAuthError::new(
                    "interaction_required",
                    "this app gets a code only after the customer confirms it on a page",
                )
            } else {
                OAuthError::new(
                    "consent_required",
                    "the customer has not allowed this app yet",
                )
            }));
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
        sid: Some(super::session_sid(&current.session)),
        amr: current.session.amr.clone(),
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
