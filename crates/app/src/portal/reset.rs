//! Forgotten password: a reset link by mail (same answer for every address),
//! and setting the new password through it. A reset lifts a temporary lock
//! and resets the counter, never a block or a permanent lock; it validates the
//! e-mail address and ends every session.

use gatehouse_domain::{Event, NewPassword};
use gatehouse_store::{LinkPurpose, Site, Tx};
use time::OffsetDateTime;

use super::{mail_link_by_address, record_new_password};
use crate::account_mail::LinkMail;
use crate::{App, AppError, AppResult, secrets};

fn offered(settings: &gatehouse_domain::SiteSettings) -> AppResult<()> {
    if settings.forgot_password_enabled {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            code: "password_reset_disabled",
            message: "this portal does not offer password resets; contact support".into(),
        })
    }
}

/// Mails a reset link to the account with this address, if there is one the
/// lifecycle lets reset. Answers `Ok` whatever the address.
#[tracing::instrument(name = "app.portal.reset.request_reset", level = "debug", skip_all)]
pub async fn request_reset(app: &App, site: &Site, email: &str) -> AppResult<()> {
    mail_link_by_address(app, site, email, LinkMail::PASSWORD_RESET, offered).await
}

/// Whether a reset link can still be used (for showing the form).
#[tracing::instrument(name = "app.portal.reset.reset_link_valid", level = "debug", skip_all)]
pub async fn reset_link_valid(app: &App, token: &str) -> AppResult<bool> {
    let mut tx = app.store.read().await?;
    Ok(
        peek_either(tx.as_mut(), &secrets::token_hash(token), app.clock.now())
            .await?
            .is_some(),
    )
}

/// The purposes a set-password link may have: a reset, or the invitation of
/// an account staff created (a welcome mail).
const SET_PASSWORD: [LinkPurpose; 2] = [LinkPurpose::PasswordReset, LinkPurpose::Invitation];

async fn peek_either(
    tx: &mut dyn Tx,
    hash: &[u8],
    now: OffsetDateTime,
) -> AppResult<Option<gatehouse_store::LinkToken>> {
    for purpose in SET_PASSWORD {
        if let Some(found) = tx.peek_link_token(hash, purpose, now).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Sets a new password through a reset link. A password the policy refuses
/// leaves the link usable.
#[tracing::instrument(name = "app.portal.reset.reset_password", level = "debug", skip_all)]
pub async fn reset_password(
    app: &App,
    site: &Site,
    token: &str,
    new_password: &str,
) -> AppResult<()> {
    let hash_of_token = secrets::token_hash(token);
    let mut tx = app.store.read().await?;
    let peek = peek_either(tx.as_mut(), &hash_of_token, app.clock.now())
        .await?
        .ok_or(AppError::LinkInvalid)?;
    // An invitation sets the first password even where resets are not offered.
    if peek.purpose == LinkPurpose::PasswordReset {
        offered(&site.settings)?;
    }
    let account = match peek.account_id {
        Some(id) => tx.account_by_id(id).await?,
        None => None,
    }
    .filter(|a| a.site_id == site.id)
    .ok_or(AppError::LinkInvalid)?;
    drop(tx);
    let inputs = [
        account.email.as_str(),
        account.login_id.as_str(),
        account.first_name.as_str(),
        account.last_name.as_str(),
        site.name.as_str(),
        site.settings.brand_name.as_deref().unwrap_or(""),
    ];
    let password = NewPassword::parse(new_password, site.settings.password_min_length, &inputs)
        .map_err(|e| AppError::policy("new_password", e))?;
    let password_hash = app.hasher.hash(password.expose()).await?;

    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    tx.consume_link_token(&hash_of_token, peek.purpose, now)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let mut account = tx
        .account_by_id(account.id)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    record_new_password(
        app,
        tx.as_mut(),
        site,
        &mut account,
        password_hash,
        Event::PasswordReset,
        now,
    )
    .await?;
    tx.void_link_tokens(Some(account.id), LinkPurpose::PasswordReset, now)
        .await?;
    tx.commit().await?;
    Ok(())
}
