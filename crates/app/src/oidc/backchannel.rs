//! Back-Channel Logout 1.0: when an account's grants end (block, delete,
//! lock, access switched off, a password changed or reset, "sign out
//! everywhere") or a portal session ends (single logout), every app that
//! held one and registered a `backchannel_logout_uri` is told, by a signed
//! logout token POSTed to that address, so that it ends its own session of
//! the customer. The token names the customer (`sub`) and the portal
//! session (`sid`, as the ID tokens of that session carried it): one
//! notice per app and session, since some apps find their session by `sid`
//! alone (mod_auth_openidc before 2.4.20).
//!
//! Invariants owned here:
//! - A notice is queued in the transaction that revokes the grants, as an
//!   outbox message (kind [`KIND`]): it exists if and only if the revocation
//!   committed, and the outbox's claim, lease, retries and give-back on stop
//!   deliver it, never lost and sent by one node at a time.
//! - The token is signed when it is sent (its lifetime starts then, so a
//!   retry an hour later is not stale); its `jti` is the outbox message's ID
//!   on every attempt, so that an app can tell a repeat.
//! - The message holds only IDs, no personal data.

use std::sync::OnceLock;
use std::time::Duration as StdDuration;

use gatehouse_store::{Grant, NewMail, OutboxMessage, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::SendError;
use crate::{App, AppResult};

/// The outbox kind (its `template_key`) of a back-channel logout notice.
pub const KIND: &str = "oidc_backchannel_logout";

/// The event a logout token carries (Back-Channel Logout 1.0 §2.4).
const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token is valid after it is sent.
const TOKEN_TTL: Duration = Duration::minutes(2);

/// What a queued notice is about (the message body).
#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    /// The app (its row ID).
    client: Uuid,
    /// The account signed out: the `sub` the app knows.
    account: Uuid,
    /// The session signed out: the `sid` the app knows (absent in notices
    /// queued before sessions were named).
    #[serde(default)]
    sid: Option<String>,
}

/// Queues a notice for each app and session among `grants` (once each), to
/// the apps that registered a back-channel address, in the caller's
/// transaction; answers how many.
pub(crate) async fn queue(
    tx: &mut dyn Tx,
    grants: &[Grant],
    now: OffsetDateTime,
) -> AppResult<usize> {
    let mut sessions: Vec<(Uuid, Uuid, String)> = grants
        .iter()
        .filter_map(|g| Some((g.client_id, g.account_id?, g.session_id())))
        .collect();
    sessions.sort_unstable();
    sessions.dedup();
    let mut queued = 0;
    for (id, account, sid) in sessions {
        let Some(client) = tx.client_by_id(id).await? else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri else {
            continue;
        };
        let body = serde_json::to_string(&Notice {
            client: id,
            account,
            sid: Some(sid),
        })
        .map_err(|e| crate::AppError::Internal(format!("a logout notice: {e}")))?;
        let notice = NewMail {
            site_id: Some(client.site_id),
            recipient: uri,
            template_key: KIND.to_string(),
            language: String::new(),
            subject: format!("Back-channel logout to {}", client.name),
            body_text: body,
            body_html: String::new(),
        };
        tx.enqueue_mail(Uuid::now_v7(), &notice, now).await?;
        queued += 1;
    }
    Ok(queued)
}

/// One HTTP client for every notice: no redirects followed (a logout
/// token goes to the registered address and nowhere else), a bounded wait.
fn http() -> Result<&'static reqwest::Client, SendError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(StdDuration::from_secs(10))
                .user_agent("Gatehouse back-channel logout")
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| SendError {
            permanent: false,
            message: format!("no HTTP client: {e}"),
        })
}

/// Signs the logout token of a queued notice and POSTs it to the app
/// (§2.5): a 2xx answer is delivery; 4xx (but 408 and 429) is the app
/// refusing the token for good; anything else is tried again later.
#[tracing::instrument(name = "app.oidc.backchannel.deliver", level = "debug", skip_all)]
pub async fn deliver(app: &App, message: &OutboxMessage) -> Result<(), SendError> {
    let permanent = |message: String| SendError {
        permanent: true,
        message,
    };
    let temporary = |message: String| SendError {
        permanent: false,
        message,
    };
    let notice: Notice = serde_json::from_str(&message.mail.body_text)
        .map_err(|e| permanent(format!("the notice cannot be read: {e}")))?;
    let (client, site) = {
        let mut tx = app
            .store
            .read()
            .await
            .map_err(|e| temporary(e.to_string()))?;
        let client = tx
            .client_by_id(notice.client)
            .await
            .map_err(|e| temporary(e.to_string()))?
            .ok_or_else(|| permanent("the app was deleted".into()))?;
        let site = tx
            .site_by_id(client.site_id)
            .await
            .map_err(|e| temporary(e.to_string()))?
            .ok_or_else(|| permanent("the app's site was deleted".into()))?;
        (client, site)
    };
    let now = app.clock.now();
    let mut claims = json!({
        "iss": super::issuer(app, &site),
        "aud": client.client_id,
        "iat": now.unix_timestamp(),
        "exp": (now + TOKEN_TTL).unix_timestamp(),
        "jti": message.id.to_string(),
        "sub": notice.account.to_string(),
        "events": { EVENT: {} },
    });
    if let Some(sid) = notice.sid {
        claims["sid"] = json!(sid);
    }
    let token = super::keys::sign_as(app, super::token::alg_of(&client), "logout+jwt", &claims)
        .await
        .map_err(|e| temporary(e.to_string()))?;
    let answer = http()?
        .post(&message.mail.recipient)
        .form(&[("logout_token", token.as_str())])
        .send()
        .await
        .map_err(|e| temporary(format!("the app did not answer: {e}")))?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else if status.is_client_error()
        && status != reqwest::StatusCode::REQUEST_TIMEOUT
        && status != reqwest::StatusCode::TOO_MANY_REQUESTS
    {
        Err(permanent(format!(
            "the app refused the logout token: {status}"
        )))
    } else {
        Err(temporary(format!("the app answered {status}")))
    }
}
