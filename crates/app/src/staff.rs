//! Staff users: adding one (the CLI's `staff add`, the first-admin setup
//! link, the console's invitation), and the way back for one who lost a
//! password or a phone: a single-use link to choose a new password, from
//! the server's command line, an admin (for a colleague, mailed to them
//! too) or "forgot password" (mailed only, the same answer for anyone).
//!
//! Invariant owned here: a staff user has at most one unused link to
//! choose a password; making a new one voids the older ones.

use gatehouse_domain::{Email, StaffRole};
use gatehouse_store::{Actor, StaffUser, StoreError, Tx};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit};

/// How long a link to choose a password works (the first admin's, an
/// invitation, a reset).
pub const LINK_TTL: Duration = Duration::hours(24);

/// The stored hash of a staff user who has not chosen a password yet: not
/// a hash of anything, so no password verifies against it.
pub const NO_PASSWORD: &str = "!";

pub use crate::staff_auth::STAFF_PASSWORD_MIN_LENGTH;

/// Checks the input and hashes the password; nothing is stored yet.
#[tracing::instrument(name = "app.staff.new_staff", level = "debug", skip_all)]
pub async fn new_staff(
    app: &App,
    email: &str,
    role: StaffRole,
    password: &str,
) -> AppResult<StaffUser> {
    let email = Email::parse(email).map_err(|e| AppError::policy("email", e))?;
    let password_hash =
        crate::staff_auth::password_hash(app, email.as_str(), password, "password").await?;
    Ok(StaffUser {
        id: Uuid::now_v7(),
        email: email.as_str().to_string(),
        password_hash,
        role,
        totp_secret: None,
        active: true,
        created_at: app.clock.now(),
        last_login_at: None,
    })
}

/// Stores a staff user made by [`new_staff`] with its audit event.
#[tracing::instrument(name = "app.staff.insert_staff", level = "debug", skip_all)]
pub async fn insert_staff(
    tx: &mut dyn Tx,
    actor: &Actor,
    staff: &StaffUser,
    now: OffsetDateTime,
) -> AppResult<()> {
    match tx.insert_staff(staff).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(format!(
                "a staff user with the e-mail address {} exists already",
                staff.email
            )));
        }
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        actor,
        "staff.create",
        Some(("staff", staff.id)),
        None,
        json!({"email": staff.email, "role": staff.role.as_str()}),
    ))
    .await?;
    Ok(())
}

/// Adds a staff user with a password they chose.
#[tracing::instrument(name = "app.staff.add_staff", level = "debug", skip_all)]
pub async fn add_staff(
    app: &App,
    actor: &Actor,
    email: &str,
    role: StaffRole,
    password: &str,
) -> AppResult<StaffUser> {
    let staff = new_staff(app, email, role, password).await?;
    let mut tx = app.store.begin().await?;
    insert_staff(tx.as_mut(), actor, &staff, app.clock.now()).await?;
    tx.commit().await?;
    Ok(staff)
}

/// A staff user as the staff page lists them (no secrets).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StaffView {
    /// Identity.
    pub id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: StaffRole,
    /// May sign in.
    pub active: bool,
    /// Uses a second factor.
    pub totp: bool,
    /// Last sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

fn staff_view(s: &StaffUser) -> StaffView {
    StaffView {
        id: s.id,
        email: s.email.clone(),
        role: s.role,
        active: s.active,
        totp: s.totp_secret.is_some(),
        last_login_at: s.last_login_at,
    }
}

/// Every staff user (admins only).
#[tracing::instrument(name = "app.staff.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &crate::staff_auth::StaffCaller) -> AppResult<Vec<StaffView>> {
    caller.require(gatehouse_domain::Permission::ManageStaff)?;
    let mut tx = app.store.read().await?;
    Ok(tx.list_staff().await?.iter().map(staff_view).collect())
}

/// An invitation just made: the link lets the new staff user choose a password.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StaffInvitation {
    /// The staff user.
    pub staff: StaffView,
    /// The single-use link (valid 24 hours) to hand to them.
    pub link: String,
}

/// A way back for a staff user: made on the server's command line, or by
/// an admin for a colleague.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Reset {
    /// Whom it is for.
    pub email: String,
    /// The single-use link (valid 24 hours) to choose a new password.
    pub link: String,
    /// Their authenticator app was turned off (they lost the phone).
    pub second_factor_removed: bool,
}

/// Makes a single-use link through which the staff user `email` chooses a
/// new password (older links of theirs stop working), and with
/// `remove_second_factor` turns their authenticator app off, so that they
/// can sign in and set it up again. Their sessions end when the new
/// password is set, or at once when the second factor goes. Audited.
#[tracing::instrument(name = "app.staff.reset_link", level = "debug", skip_all)]
pub async fn reset_link(
    app: &App,
    actor: &Actor,
    email: &str,
    remove_second_factor: bool,
) -> AppResult<Reset> {
    let mut tx = app.store.begin().await?;
    let staff = tx
        .staff_by_email(email.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("staff user {}", email.trim())))?;
    issue_reset(app, tx, actor, staff, remove_second_factor, None).await
}

/// "Forgot password" on the console's sign-in page: an active staff user
/// with this address is mailed a single-use link (in `lang`) to choose a
/// new password; anyone else, nothing. The caller answers the same either
/// way, so that nobody learns whether an address is staff.
#[tracing::instrument(name = "app.staff.forgot_password", level = "debug", skip_all)]
pub async fn forgot_password(
    app: &App,
    email: &str,
    lang: gatehouse_domain::Language,
    ip: Option<String>,
) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    let Some(staff) = tx.staff_by_email(email.trim()).await?.filter(|s| s.active) else {
        return Ok(());
    };
    let actor = Actor {
        kind: "forgot_password".into(),
        id: Some(staff.id),
        label: staff.email.clone(),
        ip,
    };
    issue_reset(app, tx, &actor, staff, false, Some(lang)).await?;
    Ok(())
}

/// [`reset_link`] by an admin for a colleague (by ID): shown to the admin
/// to hand on, as an invitation is, and mailed to the colleague in `lang`.
#[tracing::instrument(name = "app.staff.reset_colleague", level = "debug", skip_all)]
pub async fn reset_colleague(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    id: Uuid,
    remove_second_factor: bool,
    lang: gatehouse_domain::Language,
) -> AppResult<Reset> {
    caller.require(gatehouse_domain::Permission::ManageStaff)?;
    let mut tx = app.store.begin().await?;
    let staff = tx
        .staff_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("staff user".into()))?;
    // The colleague hears of it from us too (a link they did not ask for
    // is worth knowing about).
    issue_reset(
        app,
        tx,
        &caller.actor(),
        staff,
        remove_second_factor,
        Some(lang),
    )
    .await
}

/// Issues the link (voiding older ones), turns the authenticator off when
/// asked, audits, and with `mail_in` mails the link to the staff user in
/// that language; all in one transaction.
async fn issue_reset(
    app: &App,
    mut tx: Box<dyn Tx>,
    actor: &Actor,
    staff: StaffUser,
    remove_second_factor: bool,
    mail_in: Option<gatehouse_domain::Language>,
) -> AppResult<Reset> {
    let now = app.clock.now();
    let purpose = gatehouse_store::LinkPurpose::StaffSetup;
    tx.void_staff_link_tokens(staff.id, purpose, now).await?;
    let token = crate::secrets::new_token("");
    tx.insert_link_token(&gatehouse_store::LinkToken {
        token_hash: crate::secrets::token_hash(&token),
        purpose,
        account_id: None,
        staff_id: Some(staff.id),
        created_at: now,
        expires_at: now + LINK_TTL,
    })
    .await?;
    let second_factor_removed = remove_second_factor && staff.totp_secret.is_some();
    if second_factor_removed {
        tx.set_staff_totp(staff.id, None).await?;
        tx.replace_staff_recovery_codes(staff.id, &[], now).await?;
        tx.delete_staff_sessions(staff.id).await?;
    }
    tx.append_audit(&audit::event(
        now,
        actor,
        "staff.reset_link_issued",
        Some(("staff", staff.id)),
        None,
        json!({"email": staff.email, "second_factor_removed": second_factor_removed}),
    ))
    .await?;
    let link = format!("{}/admin/setup/{token}", app.links.origin());
    if let Some(lang) = mail_in {
        tx.enqueue_mail(
            Uuid::now_v7(),
            &reset_mail(&staff.email, &link, second_factor_removed, lang),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Reset {
        email: staff.email,
        link,
        second_factor_removed,
    })
}

/// The mail that carries a staff user's link to choose a new password.
/// Staff mail is the installation's, not a site's: its words are fixed
/// here in both languages rather than in a site's editable templates.
fn reset_mail(
    recipient: &str,
    link: &str,
    second_factor_removed: bool,
    lang: gatehouse_domain::Language,
) -> gatehouse_store::NewMail {
    use gatehouse_domain::Language;
    let (subject, lead, phone, ignore) = match lang {
        Language::De => (
            "Neues Passwort für die Gatehouse-Konsole",
            "Für Ihr Konto in der Gatehouse-Konsole wurde ein neues Passwort angefordert. Wählen Sie es mit diesem Link (24 Stunden gültig, einmal verwendbar):",
            "Ihre Authenticator-App ist ausgeschaltet; richten Sie sie nach der Anmeldung neu ein.",
            "Wenn Sie das nicht waren, ignorieren Sie diese Nachricht: Ihr Passwort bleibt, wie es ist.",
        ),
        Language::En => (
            "A new password for the Gatehouse console",
            "A new password was asked for your Gatehouse console account. Choose it with this link (valid 24 hours, works once):",
            "Your authenticator app is turned off; set it up again after signing in.",
            "If this was not you, ignore this message: your password stays as it is.",
        ),
    };
    let phone = if second_factor_removed { phone } else { "" };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    gatehouse_store::NewMail {
        site_id: None,
        recipient: recipient.to_string(),
        template_key: "staff_password_reset".into(),
        language: lang.as_str().into(),
        subject: subject.into(),
        body_text: format!("{lead}\n\n{link}\n\n{phone}\n\n{ignore}\n"),
        body_html: format!(
            "<p>{}</p><p><a href=\"{}\">{}</a></p><p>{}</p><p>{}</p>",
            escape(lead),
            escape(link),
            escape(link),
            escape(phone),
            escape(ignore)
        ),
    }
}

/// Adds a staff user who chooses their own password through a single-use link
/// (admins only). Until then the account has no usable password.
#[tracing::instrument(name = "app.staff.invite", level = "debug", skip_all)]
pub async fn invite(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    email: &str,
    role: StaffRole,
) -> AppResult<StaffInvitation> {
    caller.require(gatehouse_domain::Permission::ManageStaff)?;
    let email = Email::parse(email).map_err(|e| AppError::policy("email", e))?;
    let now = app.clock.now();
    let staff = StaffUser {
        id: Uuid::now_v7(),
        email: email.as_str().to_string(),
        password_hash: NO_PASSWORD.into(),
        role,
        totp_secret: None,
        active: true,
        created_at: now,
        last_login_at: None,
    };
    let token = crate::secrets::new_token("");
    let mut tx = app.store.begin().await?;
    insert_staff(tx.as_mut(), &caller.actor(), &staff, now).await?;
    tx.insert_link_token(&gatehouse_store::LinkToken {
        token_hash: crate::secrets::token_hash(&token),
        purpose: gatehouse_store::LinkPurpose::StaffSetup,
        account_id: None,
        staff_id: Some(staff.id),
        created_at: now,
        expires_at: now + LINK_TTL,
    })
    .await?;
    tx.commit().await?;
    Ok(StaffInvitation {
        staff: staff_view(&staff),
        link: format!("{}/admin/setup/{token}", app.links.origin()),
    })
}

/// Changes a staff user's role or active flag (admins only). Nobody can
/// deactivate or demote themselves, so an installation keeps an admin.
#[tracing::instrument(name = "app.staff.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    id: Uuid,
    role: StaffRole,
    active: bool,
) -> AppResult<StaffView> {
    caller.require(gatehouse_domain::Permission::ManageStaff)?;
    if id == caller.staff.id && (!active || role != caller.staff.role) {
        return Err(AppError::Conflict(
            "you cannot deactivate or demote yourself; ask another admin".into(),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let before = tx
        .staff_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("staff user".into()))?;
    tx.update_staff(id, role, active).await?;
    if !active {
        tx.delete_staff_sessions(id).await?;
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "staff.update",
        Some(("staff", id)),
        None,
        json!({"before": {"role": before.role.as_str(), "active": before.active}, "after": {"role": role.as_str(), "active": active}}),
    ))
    .await?;
    let after = tx
        .staff_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("staff user".into()))?;
    tx.commit().await?;
    Ok(staff_view(&after))
}
