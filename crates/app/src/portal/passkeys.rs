//! Passkeys (WebAuthn) for customers: adding one, naming, listing and
//! removing them, and signing in with one without typing a login ID
//! (discoverable credentials).
//!
//! Invariants owned here:
//! - The relying party is the site's public address: its ID is the host of
//!   the site's `base_url` (or of the server's public address), and an
//!   answer made for another origin is refused. An IP address is no
//!   relying party: passkeys need a host name (`localhost` will do).
//! - A ceremony's state lives in the database (any node finishes what
//!   another began), is taken once, and lasts [`CEREMONY_TTL`].
//! - A passkey sign-in passes the same lifecycle gates as a password, and
//!   names the reason only once the passkey was proven; a passkey proven
//!   wrong counts toward the account's lock. It counts as both steps
//!   (`amr` `hwk mfa`): no code is asked after it.
//! - Every passkey added or removed is audited.

use gatehouse_domain::{SignInOutcome, SignInRefusal, Status, Words, sign_in_gate};
use gatehouse_store::{Account, Ceremony, PasskeyRecord, Site, Tx};
use serde::Serialize;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

use super::sessions::{Amr, Browser, Current, Earned, NewSession, start_session};
use super::{RequestMeta, count_refused_attempt, customer_actor};
use crate::{App, AppError, AppResult, audit, secrets};

/// How long a ceremony waits for the browser's answer.
pub const CEREMONY_TTL: Duration = Duration::minutes(5);

/// The longest name of a passkey.
pub const NAME_MAX_CHARS: usize = 60;

const REGISTER: &str = "register";
const SIGN_IN: &str = "sign_in";

/// A ceremony begun: the token the page sends back, and the options for
/// the browser's `navigator.credentials` call (WebAuthn's JSON, binary
/// values in base64url).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Sent back with the browser's answer.
    pub ceremony: String,
    /// `{"publicKey": …}` for `navigator.credentials.create` or `.get`.
    #[schema(value_type = Object)]
    pub options: Value,
}

/// A passkey as its owner (and staff) see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PasskeyView {
    /// Identity (for renaming and removing it).
    pub id: Uuid,
    /// What the customer calls it.
    pub name: String,
    /// Added at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last used to sign in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<PasskeyRecord> for PasskeyView {
    fn from(p: PasskeyRecord) -> Self {
        PasskeyView {
            id: p.id,
            name: p.name,
            created_at: p.created_at,
            last_used_at: p.last_used_at,
        }
    }
}

/// The refusal where passkeys cannot work: the site's address is an IP
/// address, or is not a web address at all.
fn no_relying_party() -> AppError {
    AppError::Forbidden {
        code: "passkeys_need_a_host_name",
        message: "passkeys need the portal at a host name (the site's base_url, or the server's public address), not at an IP address".into(),
    }
}

/// The relying party of a site: its public address's host and origin.
fn relying_party(app: &App, site: &Site) -> AppResult<Webauthn> {
    let base = Url::parse(&app.links.site_base(site)).map_err(|_| no_relying_party())?;
    let host = match base.host() {
        Some(url::Host::Domain(host)) => host.to_string(),
        _ => return Err(no_relying_party()),
    };
    let origin =
        Url::parse(&base.origin().ascii_serialization()).map_err(|_| no_relying_party())?;
    let name = site.settings.brand_name.as_deref().unwrap_or(&site.name);
    WebauthnBuilder::new(&host, &origin)
        .and_then(|b| b.rp_name(name).build())
        .map_err(|_| no_relying_party())
}

/// Whether passkeys work on this site (its public address is a host name).
pub fn available(app: &App, site: &Site) -> bool {
    relying_party(app, site).is_ok()
}

/// The refusal of an answer whose ceremony is unknown, used or expired.
fn try_again() -> AppError {
    AppError::said(
        "ceremony",
        Words::id("passkey-try-again"),
        "that took too long or was answered already; try again",
    )
}

/// Records a ceremony begun, in its own transaction; answers its token.
async fn keep(
    app: &App,
    site: &Site,
    account_id: Option<Uuid>,
    kind: &str,
    state: String,
) -> AppResult<String> {
    let now = app.clock.now();
    let token = secrets::new_token("");
    let mut tx = app.store.begin().await?;
    tx.insert_ceremony(&Ceremony {
        token_hash: secrets::token_hash(&token),
        site_id: site.id,
        account_id,
        kind: kind.to_string(),
        state,
        created_at: now,
        expires_at: now + CEREMONY_TTL,
    })
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Takes a ceremony of this kind and site, once, in its own transaction
/// (a refused answer cannot be tried again with the same challenge).
async fn take(app: &App, site: &Site, token: &str, kind: &str) -> AppResult<Ceremony> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let taken = tx
        .take_ceremony(&secrets::token_hash(token), kind, now)
        .await?;
    tx.commit().await?;
    taken.filter(|c| c.site_id == site.id).ok_or_else(try_again)
}

fn internal(what: &str) -> impl Fn(serde_json::Error) -> AppError + '_ {
    move |e| AppError::Internal(format!("{what}: {e}"))
}

/// Staff looking at the portal as the customer change nothing of their
/// sign-in.
fn not_impersonating(current: &Current) -> AppResult<()> {
    if current.session.impersonator_id.is_some() {
        return Err(AppError::Forbidden {
            code: "impersonating",
            message: "passkeys cannot be changed while impersonating a customer".into(),
        });
    }
    Ok(())
}

/// The passkeys of an account as the relying party reads them.
fn credentials(records: &[PasskeyRecord]) -> AppResult<Vec<Passkey>> {
    records
        .iter()
        .map(|r| serde_json::from_str(&r.credential).map_err(internal("a stored passkey")))
        .collect()
}

/// Begins adding a passkey for the signed-in customer: the options for
/// `navigator.credentials.create` (a discoverable credential, user
/// verification required, the customer's passkeys excluded).
#[tracing::instrument(name = "app.portal.passkeys.begin_adding", level = "debug", skip_all)]
pub async fn begin_adding(app: &App, current: &Current) -> AppResult<Challenge> {
    not_impersonating(current)?;
    let webauthn = relying_party(app, &current.site)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    let existing = credentials(&tx.passkeys_of(account.id).await?)?;
    drop(tx);
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
    let display = format!("{} {}", account.first_name, account.last_name);
    let display = Some(display.trim())
        .filter(|d| !d.is_empty())
        .unwrap_or(&account.login_id);
    let (ccr, registration) = webauthn
        .start_passkey_registration(account.id, &account.login_id, display, Some(exclude))
        .map_err(|e| AppError::Internal(format!("passkey registration: {e}")))?;
    let mut options = serde_json::to_value(&ccr).map_err(internal("passkey options"))?;
    // A passkey is kept on the device (a discoverable credential): that is
    // what signs in without a login ID.
    if let Some(selection) = options
        .pointer_mut("/publicKey/authenticatorSelection")
        .and_then(Value::as_object_mut)
    {
        selection.insert("residentKey".into(), json!("required"));
        selection.insert("requireResidentKey".into(), json!(true));
    }
    let state = serde_json::to_string(&registration).map_err(internal("passkey state"))?;
    let ceremony = keep(app, &current.site, Some(account.id), REGISTER, state).await?;
    Ok(Challenge { ceremony, options })
}

/// A passkey's name as typed: trimmed, 1 to [`NAME_MAX_CHARS`] characters.
fn passkey_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > NAME_MAX_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::said(
            "name",
            Words::id("passkey-name").arg("max", NAME_MAX_CHARS),
            format!("a passkey's name is 1 to {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

/// Finishes adding a passkey with the browser's answer (`credential`, the
/// `PublicKeyCredential` as JSON) and the name the customer gave it.
#[tracing::instrument(name = "app.portal.passkeys.finish_adding", level = "debug", skip_all)]
pub async fn finish_adding(
    app: &App,
    current: &Current,
    ceremony: &str,
    name: &str,
    credential: &Value,
) -> AppResult<PasskeyView> {
    not_impersonating(current)?;
    let name = passkey_name(name)?;
    let webauthn = relying_party(app, &current.site)?;
    let answer: RegisterPublicKeyCredential =
        serde_json::from_value(credential.clone()).map_err(|_| {
            AppError::said(
                "credential",
                Words::id("passkey-unreadable"),
                "the browser's answer cannot be read",
            )
        })?;
    let taken = take(app, &current.site, ceremony, REGISTER).await?;
    if taken.account_id != Some(current.account.id) {
        return Err(try_again());
    }
    let state: PasskeyRegistration =
        serde_json::from_str(&taken.state).map_err(internal("passkey state"))?;
    let passkey = webauthn
        .finish_passkey_registration(&answer, &state)
        .map_err(|e| {
            AppError::said(
                "credential",
                Words::id("passkey-refused"),
                format!("the passkey was not added: {e}"),
            )
        })?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    let record = PasskeyRecord {
        id: Uuid::now_v7(),
        account_id: account.id,
        credential_id: passkey.cred_id().as_ref().to_vec(),
        name,
        credential: serde_json::to_string(&passkey).map_err(internal("a passkey"))?,
        created_at: now,
        last_used_at: None,
    };
    match tx.insert_passkey(&record).await {
        Err(gatehouse_store::StoreError::Conflict(_)) => {
            return Err(AppError::Conflict("this passkey is added already".into()));
        }
        other => other?,
    }
    audit_passkey(
        tx.as_mut(),
        &current.site,
        &account,
        &customer_actor(&account),
        "account.passkey_added",
        &record,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(record.into())
}

/// Audits a passkey added or removed (by the customer, or staff).
pub(crate) async fn audit_passkey(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    actor: &gatehouse_store::Actor,
    action: &str,
    passkey: &PasskeyRecord,
    now: OffsetDateTime,
) -> AppResult<()> {
    tx.append_audit(&audit::event(
        now,
        actor,
        action,
        Some(("account", account.id)),
        Some(site.id),
        json!({"passkey": passkey.id, "name": passkey.name}),
    ))
    .await?;
    Ok(())
}

/// The signed-in customer's passkeys, oldest first.
#[tracing::instrument(name = "app.portal.passkeys.list", level = "debug", skip_all)]
pub async fn list(app: &App, current: &Current) -> AppResult<Vec<PasskeyView>> {
    let mut tx = app.store.read().await?;
    let records = tx.passkeys_of(current.account.id).await?;
    Ok(records.into_iter().map(Into::into).collect())
}

/// Renames one of the signed-in customer's passkeys.
#[tracing::instrument(name = "app.portal.passkeys.rename", level = "debug", skip_all)]
pub async fn rename(app: &App, current: &Current, id: Uuid, name: &str) -> AppResult<()> {
    not_impersonating(current)?;
    let name = passkey_name(name)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    if !tx.rename_passkey(account.id, id, &name).await? {
        return Err(AppError::NotFound("passkey".into()));
    }
    tx.commit().await?;
    Ok(())
}

/// Removes one of an account's passkeys, audited as done by `actor`, in
/// the caller's transaction: what the customer and staff share.
pub(crate) async fn remove_in(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    actor: &gatehouse_store::Actor,
    id: Uuid,
    now: OffsetDateTime,
) -> AppResult<()> {
    let record = tx
        .passkeys_of(account.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::NotFound("passkey".into()))?;
    tx.delete_passkey(account.id, id).await?;
    audit_passkey(
        tx,
        site,
        account,
        actor,
        "account.passkey_removed",
        &record,
        now,
    )
    .await
}

/// Removes one of the signed-in customer's passkeys.
#[tracing::instrument(name = "app.portal.passkeys.remove", level = "debug", skip_all)]
pub async fn remove(app: &App, current: &Current, id: Uuid) -> AppResult<()> {
    not_impersonating(current)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    remove_in(
        tx.as_mut(),
        &current.site,
        &account,
        &customer_actor(&account),
        id,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Begins a sign-in with a passkey on a site: the options for
/// `navigator.credentials.get` (no credentials listed: the device offers
/// the passkeys it keeps for this site).
#[tracing::instrument(name = "app.portal.passkeys.begin_sign_in", level = "debug", skip_all)]
pub async fn begin_sign_in(app: &App, site: &Site) -> AppResult<Challenge> {
    let webauthn = relying_party(app, site)?;
    let (mut rcr, state) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| AppError::Internal(format!("passkey sign-in: {e}")))?;
    // Asked for by a button; the page asks for the browser's autofill
    // (conditional mediation) itself where it offers it.
    rcr.mediation = None;
    let options = serde_json::to_value(&rcr).map_err(internal("passkey options"))?;
    let state = serde_json::to_string(&state).map_err(internal("passkey state"))?;
    let ceremony = keep(app, site, None, SIGN_IN, state).await?;
    Ok(Challenge { ceremony, options })
}

/// Finishes a sign-in with a passkey: the browser's answer names the
/// account (the passkey's user handle) and proves it. Then the session
/// starts as after a password and a second step ([`super::sign_in`] says
/// how `replacing` is treated).
#[tracing::instrument(name = "app.portal.passkeys.finish_sign_in", level = "debug", skip_all)]
pub async fn finish_sign_in(
    app: &App,
    site: &Site,
    ceremony: &str,
    credential: &Value,
    meta: &RequestMeta,
    replacing: Option<&Current>,
) -> AppResult<NewSession> {
    let webauthn = relying_party(app, site)?;
    let answer: PublicKeyCredential = serde_json::from_value(credential.clone())
        .map_err(|_| SignInRefusal::InvalidCredentials)?;
    let taken = take(app, site, ceremony, SIGN_IN).await?;
    let state: DiscoverableAuthentication =
        serde_json::from_str(&taken.state).map_err(internal("passkey state"))?;
    let (user, credential_id) = webauthn
        .identify_discoverable_authentication(&answer)
        .map_err(|_| SignInRefusal::InvalidCredentials)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let record = tx
        .passkey_by_credential_id(credential_id)
        .await?
        .filter(|p| p.account_id == user);
    let account = match &record {
        Some(r) => tx.account_by_id(r.account_id).await?,
        None => None,
    }
    .filter(|a| a.site_id == site.id && a.state.status(now) != Status::Deleted);
    drop(tx);
    let (Some(record), Some(account)) = (record, account) else {
        return Err(SignInRefusal::InvalidCredentials.into());
    };
    let mut passkey: Passkey =
        serde_json::from_str(&record.credential).map_err(internal("a stored passkey"))?;
    let key = DiscoverableKey::from(&passkey);
    let Ok(result) = webauthn.finish_discoverable_authentication(&answer, state, &[key]) else {
        count_refused_attempt(app, site, account.id).await?;
        return Err(SignInRefusal::InvalidCredentials.into());
    };
    passkey.update_credential(&result);
    let outcome = sign_in_gate(&account.state, now)?;
    let mut tx = app.store.begin().await?;
    let stored = serde_json::to_string(&passkey).map_err(internal("a passkey"))?;
    tx.passkey_used(record.id, &stored, now).await?;
    let earned = Earned {
        amr: Amr::Passkey,
        must_change_password: outcome == SignInOutcome::MustChangePassword,
    };
    let browser = Browser { meta, replacing };
    let session = start_session(app, tx.as_mut(), site, account, earned, browser, now).await?;
    tx.commit().await?;
    Ok(session)
}
