//! Impersonation: a staff user opens the portal as the account, for a
//! limited time, through a single-use link; the session is marked with the
//! staff user, limited in what it may do, and audited from start to end.

use super::*;

/// The longest impersonation.
pub const MAX_IMPERSONATION_MINUTES: i64 = 60;

/// Starts impersonation: answers a single-use portal link (valid two minutes)
/// that opens a session of the account marked with the staff user.
#[tracing::instrument(
    name = "app.accounts.impersonation.impersonate",
    level = "debug",
    skip_all
)]
pub async fn impersonate(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    reason: &str,
    minutes: Option<i64>,
) -> AppResult<String> {
    caller.require(Permission::Impersonate)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "give a reason (at most 500 characters)",
        ));
    }
    let minutes = minutes.unwrap_or(30);
    if !(1..=MAX_IMPERSONATION_MINUTES).contains(&minutes) {
        return Err(AppError::invalid(
            "minutes",
            format!("between 1 and {MAX_IMPERSONATION_MINUTES} minutes"),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, site) = load(tx.as_mut(), id).await?;
    sign_in_gate(&account.state, now)?;
    let token = secrets::new_token("");
    tx.insert_link_token(&LinkToken {
        token_hash: secrets::token_hash(&token),
        purpose: LinkPurpose::Impersonation,
        account_id: Some(account.id),
        staff_id: Some(caller.staff.id),
        created_at: now,
        expires_at: now + Duration::minutes(2),
    })
    .await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.impersonation_start",
        Some(("account", id)),
        Some(site.id),
        json!({"reason": reason, "minutes": minutes}),
    ))
    .await?;
    tx.commit().await?;
    Ok(app.links.site_page(
        &site,
        &format!("impersonate?token={token}&minutes={minutes}"),
    ))
}

/// Follows an impersonation link: a new session of the account, marked with
/// the staff user, for `minutes` at most.
#[tracing::instrument(
    name = "app.accounts.impersonation.open_impersonation",
    level = "debug",
    skip_all
)]
pub async fn open_impersonation(
    app: &App,
    site_key: &str,
    token: &str,
    minutes: i64,
) -> AppResult<crate::portal::sessions::NewSession> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = sites::load(tx.as_mut(), site_key).await?;
    let link = tx
        .consume_link_token(&secrets::token_hash(token), LinkPurpose::Impersonation, now)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let (Some(account_id), Some(staff_id)) = (link.account_id, link.staff_id) else {
        return Err(AppError::LinkInvalid);
    };
    let (account, account_site) = load(tx.as_mut(), account_id).await?;
    if account_site.id != site.id {
        return Err(AppError::LinkInvalid);
    }
    let minutes = minutes.clamp(1, MAX_IMPERSONATION_MINUTES);
    let session_token = secrets::new_token("");
    let csrf_token = secrets::new_token("");
    let until = now + Duration::minutes(minutes);
    tx.insert_session(&Session {
        token_hash: secrets::token_hash(&session_token),
        owner: gatehouse_store::SessionOwner::Account(account.id),
        impersonator_id: Some(staff_id),
        csrf_token: csrf_token.clone(),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: until,
        absolute_expires_at: until,
        ip: None,
        user_agent: None,
        sid: None,
        amr: None,
    })
    .await?;
    tx.commit().await?;
    Ok(crate::portal::sessions::NewSession {
        token: session_token,
        csrf_token,
        must_change_password: false,
        max_age_seconds: u32::try_from(minutes * 60).unwrap_or(3600),
    })
}

/// Ends an impersonation session; answers the account's ID.
#[tracing::instrument(
    name = "app.accounts.impersonation.end_impersonation",
    level = "debug",
    skip_all
)]
pub async fn end_impersonation(
    app: &App,
    current: &crate::portal::sessions::Current,
) -> AppResult<Uuid> {
    let Some(staff_id) = current.session.impersonator_id else {
        return Err(AppError::Forbidden {
            code: "not_impersonating",
            message: "this session is not an impersonation".into(),
        });
    };
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    tx.delete_impersonations(current.account.id, staff_id)
        .await?;
    let staff = tx.staff_by_id(staff_id).await?;
    let actor = gatehouse_store::Actor {
        kind: "staff".into(),
        id: Some(staff_id),
        label: staff.map(|s| s.email).unwrap_or_default(),
        ip: None,
    };
    tx.append_audit(&audit::event(
        now,
        &actor,
        "account.impersonation_end",
        Some(("account", current.account.id)),
        Some(current.site.id),
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(current.account.id)
}
