//! Changing the password while signed in (also the forced change after the
//! password expired). It needs the current password, ends every session and
//! starts a fresh one for the device that changed it, and mails a notice.

use gatehouse_domain::{NewPassword, Words};

use super::sessions::{self, Current, NewSession};
use super::{RequestMeta, record_new_password};
use crate::{App, AppError, AppResult};

/// Changes the password; answers the new session that replaces all others.
#[tracing::instrument(
    name = "app.portal.password.change_password",
    level = "debug",
    skip_all
)]
pub async fn change_password(
    app: &App,
    current: &Current,
    current_password: &str,
    new_password: &str,
    meta: &RequestMeta,
) -> AppResult<NewSession> {
    if current.session.impersonator_id.is_some() {
        return Err(AppError::Forbidden {
            code: "impersonating",
            message: "the password cannot be changed while impersonating a customer".into(),
        });
    }
    let account = &current.account;
    if !app
        .hasher
        .verify(current_password, account.password_hash.as_deref())
        .await?
    {
        return Err(AppError::said(
            "current_password",
            Words::id("password-current-wrong"),
            "the current password is not right",
        ));
    }
    if current_password == new_password {
        return Err(AppError::said(
            "new_password",
            Words::id("password-must-differ"),
            "the new password must differ from the current one",
        ));
    }
    let site = &current.site;
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
    let hash = app.hasher.hash(password.expose()).await?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (mut fresh, _) = sessions::still_signed_in(tx.as_mut(), current, now).await?;
    record_new_password(
        app,
        tx.as_mut(),
        site,
        &mut fresh,
        hash,
        gatehouse_domain::Event::PasswordChanged,
        now,
    )
    .await?;
    // The new session was earned as the old one was: the same steps.
    let earned = sessions::Earned {
        amr: sessions::Amr::of(&current.session),
        must_change_password: false,
    };
    let session = sessions::create(tx.as_mut(), site, &fresh, earned, meta, now, None).await?;
    tx.commit().await?;
    Ok(session)
}
