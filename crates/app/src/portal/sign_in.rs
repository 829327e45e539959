//! Sign-in. Unknown login IDs, wrong passwords and deleted accounts all get
//! `InvalidCredentials` after the same work (an Argon2 verification against a
//! dummy hash when there is no account). Only after the right password does
//! the answer name the reason the account may not sign in. A password
//! verified against an imported hash replaces it with ours.

use gatehouse_domain::{
    LoginId, LoginIdMode, SecondStep, SignInOutcome, SignInRefusal, Status, second_step,
    sign_in_gate,
};
use gatehouse_store::Site;

use super::sessions::{Amr, Browser, Current, Earned, NewSession, save_bookkeeping, start_session};
use super::two_step::PendingStep;

use super::{RequestMeta, count_refused_attempt};
use crate::{App, AppError, AppResult};

/// The login ID as the store compares it, without refusing anything: a
/// malformed ID simply matches no account.
fn normalise(raw: &str, mode: LoginIdMode) -> String {
    LoginId::parse(raw, mode).map_or_else(|_| raw.trim().to_string(), |id| id.as_str().to_string())
}

/// What a right password leads to.
#[derive(Debug)]
pub enum SignedIn {
    /// A new session: nothing more is asked.
    Session(NewSession),
    /// The second step comes first (a code, or setting one up).
    SecondStep(PendingStep),
}

/// Signs a customer in to `site` (as the request resolved it); on success a
/// new session (a new token every time), or the second step still to come
/// (see [`super::two_step`]).
///
/// `replacing` is the session this browser had, if any: it ends only once
/// the new sign-in succeeded (a wrong password changes nothing). A sign-in
/// of the same customer continues its single sign-on session (the apps it
/// signed in stay signed in, under the same `sid`: asking for the password
/// again is not a sign-out); another customer's ends it, and its apps are
/// told.
#[tracing::instrument(name = "app.portal.sign_in.sign_in", level = "debug", skip_all)]
pub async fn sign_in(
    app: &App,
    site: &Site,
    login_id: &str,
    password: &str,
    meta: &RequestMeta,
    replacing: Option<&Current>,
) -> AppResult<SignedIn> {
    // A place in the hashing queue first: in a storm beyond it the answer is
    // "busy" before any database work.
    let slot = app.hasher.reserve()?;
    let mut tx = app.store.read().await?;
    let now = app.clock.now();
    let account = tx
        .account_by_login_id(site.id, &normalise(login_id, site.settings.login_id_mode))
        .await?
        .filter(|a| a.state.status(now) != Status::Deleted);
    drop(tx);
    // Passwords past the policy's maximum were never set: refuse them before
    // spending a hash, with the same answer.
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let right = password.chars().count() <= gatehouse_domain::policy::PASSWORD_MAX_CHARS
        && app.hasher.verify_in(slot, password, hash).await?;
    let Some(mut account) = account else {
        return Err(SignInRefusal::InvalidCredentials.into());
    };
    let now = app.clock.now();
    if !right {
        count_refused_attempt(app, site, account.id).await?;
        return Err(SignInRefusal::InvalidCredentials.into());
    }
    let outcome = sign_in_gate(&account.state, now)?;
    // An imported hash (bcrypt, PBKDF2, …) did its job: ours replaces it,
    // now that the password is known.
    let rehashed = account
        .password_hash
        .as_deref()
        .is_some_and(crate::passwords::needs_rehash);
    if rehashed {
        account.password_hash = Some(app.hasher.hash(password).await?);
    }
    let mut tx = app.store.begin().await?;
    let turned_on = tx
        .second_step(account.id)
        .await?
        .is_some_and(|s| s.totp_secret.is_some());
    match second_step(site.settings.two_step, account.role, turned_on) {
        SecondStep::None => {
            let browser = Browser { meta, replacing };
            let earned = Earned {
                amr: Amr::Password,
                must_change_password: outcome == SignInOutcome::MustChangePassword,
            };
            let session =
                start_session(app, tx.as_mut(), site, account, earned, browser, now).await?;
            tx.commit().await.map_err(AppError::from)?;
            Ok(SignedIn::Session(session))
        }
        asked => {
            if rehashed {
                // Only the new hash: the sign-in itself is recorded when
                // the second step is done.
                save_bookkeeping(tx.as_mut(), &account).await?;
            }
            let step = super::two_step::begin(tx.as_mut(), &account, asked, now).await?;
            tx.commit().await.map_err(AppError::from)?;
            Ok(SignedIn::SecondStep(step))
        }
    }
}
