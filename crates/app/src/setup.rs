//! First-admin setup: while no staff user exists, a start issues a single-use
//! link (printed on the console of the server) through which the person who
//! started it creates the first admin. Issuing a new link voids the old one;
//! the link stops working as soon as any staff user exists. The same page
//! sets the password of an invited staff user, or a new one for a staff user
//! who lost theirs (`gatehouse staff reset`): setting it voids their other
//! links and ends their sessions.

use gatehouse_domain::StaffRole;
use gatehouse_store::{Actor, LinkPurpose, LinkToken, StaffUser};
use serde_json::json;
use time::Duration;

use crate::{App, AppError, AppResult, audit, secrets, staff};

/// How long a setup link works.
pub const SETUP_LINK_TTL: Duration = staff::LINK_TTL;

/// A new setup link token, or `None` when staff exist already.
#[tracing::instrument(name = "app.setup.issue_setup_token", level = "debug", skip_all)]
pub async fn issue_setup_token(app: &App) -> AppResult<Option<String>> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    if tx.count_staff().await? > 0 {
        return Ok(None);
    }
    tx.void_link_tokens(None, LinkPurpose::StaffSetup, now)
        .await?;
    let token = secrets::new_token("");
    tx.insert_link_token(&LinkToken {
        token_hash: secrets::token_hash(&token),
        purpose: LinkPurpose::StaffSetup,
        account_id: None,
        staff_id: None,
        created_at: now,
        expires_at: now + SETUP_LINK_TTL,
    })
    .await?;
    tx.append_audit(&audit::event(
        now,
        &Actor::system("first start"),
        "staff.setup_link_issued",
        None,
        None,
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// Whether the setup link can still be used: a first-admin link while no
/// staff user exists, or an invitation of a staff user.
#[tracing::instrument(name = "app.setup.setup_token_valid", level = "debug", skip_all)]
pub async fn setup_token_valid(app: &App, token: &str) -> AppResult<bool> {
    let mut tx = app.store.read().await?;
    let found = tx
        .peek_link_token(
            &secrets::token_hash(token),
            LinkPurpose::StaffSetup,
            app.clock.now(),
        )
        .await?;
    Ok(match found {
        Some(link) if link.staff_id.is_some() => true,
        Some(_) => tx.count_staff().await? == 0,
        None => false,
    })
}

/// Whom a staff user's link is for: their address, and whether they had a
/// password before (a reset, not an invitation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHolder {
    /// The staff user's e-mail address.
    pub email: String,
    /// They chose a password before: this link sets a new one.
    pub reset: bool,
}

/// Whom a staff user's link (an invitation or a reset) is for, if the token
/// is one.
#[tracing::instrument(name = "app.setup.link_holder", level = "debug", skip_all)]
pub async fn link_holder(app: &App, token: &str) -> AppResult<Option<LinkHolder>> {
    let mut tx = app.store.read().await?;
    let found = tx
        .peek_link_token(
            &secrets::token_hash(token),
            LinkPurpose::StaffSetup,
            app.clock.now(),
        )
        .await?;
    Ok(match found.and_then(|l| l.staff_id) {
        Some(id) => tx.staff_by_id(id).await?.map(|s| LinkHolder {
            reset: s.password_hash != crate::staff::NO_PASSWORD,
            email: s.email,
        }),
        None => None,
    })
}

/// Creates the first admin through the setup link, or sets an invited staff
/// user's password. Bad input is refused without using up the link.
#[tracing::instrument(name = "app.setup.complete_setup", level = "debug", skip_all)]
pub async fn complete_setup(
    app: &App,
    token: &str,
    email: &str,
    password: &str,
) -> AppResult<StaffUser> {
    let gone = || {
        AppError::invalid(
            "token",
            "this setup link is no longer valid; restart the server for a new one, or use `gatehouse staff add`",
        )
    };
    let hash_of_token = secrets::token_hash(token);
    let mut read = app.store.read().await?;
    let link = read
        .peek_link_token(&hash_of_token, LinkPurpose::StaffSetup, app.clock.now())
        .await?
        .ok_or_else(gone)?;
    let invited = match link.staff_id {
        Some(id) => Some(read.staff_by_id(id).await?.ok_or_else(gone)?),
        None => None,
    };
    drop(read);
    if let Some(mut staff) = invited {
        if !staff.email.eq_ignore_ascii_case(email.trim()) {
            return Err(AppError::invalid(
                "email",
                "this invitation is for another e-mail address",
            ));
        }
        let checked = staff::new_staff(app, &staff.email, staff.role, password).await?;
        let now = app.clock.now();
        let mut tx = app.store.begin().await?;
        tx.consume_link_token(&hash_of_token, LinkPurpose::StaffSetup, now)
            .await?
            .ok_or_else(gone)?;
        tx.set_staff_password(staff.id, &checked.password_hash)
            .await?;
        // A new password: other links of theirs and their sessions end.
        tx.void_staff_link_tokens(staff.id, LinkPurpose::StaffSetup, now)
            .await?;
        tx.delete_staff_sessions(staff.id).await?;
        let actor = Actor {
            kind: "setup_link".into(),
            id: Some(staff.id),
            label: staff.email.clone(),
            ip: None,
        };
        tx.append_audit(&audit::event(
            now,
            &actor,
            "staff.password_set",
            Some(("staff", staff.id)),
            None,
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        staff.password_hash = checked.password_hash;
        return Ok(staff);
    }
    first_admin(app, token, email, password).await
}

async fn first_admin(app: &App, token: &str, email: &str, password: &str) -> AppResult<StaffUser> {
    let admin = staff::new_staff(app, email, StaffRole::Admin, password).await?;
    let now = app.clock.now();
    let gone = || {
        AppError::invalid(
            "token",
            "this setup link is no longer valid; restart the server for a new one, or use `gatehouse staff add`",
        )
    };
    let mut tx = app.store.begin().await?;
    if tx.count_staff().await? > 0 {
        return Err(gone());
    }
    tx.consume_link_token(&secrets::token_hash(token), LinkPurpose::StaffSetup, now)
        .await?
        .ok_or_else(gone)?;
    let actor = Actor {
        kind: "setup_link".into(),
        id: None,
        label: admin.email.clone(),
        ip: None,
    };
    staff::insert_staff(tx.as_mut(), &actor, &admin, now).await?;
    tx.commit().await?;
    Ok(admin)
}
