//! Staff users: adding one (the CLI's `staff add`, the first-admin setup
//! link, and later the console).

use gatehouse_domain::{Email, NewPassword, StaffRole};
use gatehouse_store::{Actor, StaffUser, StoreError, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit};

/// Staff passwords guard every customer's data: longer than customers'.
pub const STAFF_PASSWORD_MIN_LENGTH: u32 = 12;

/// Checks the input and hashes the password; nothing is stored yet.
pub async fn new_staff(
    app: &App,
    email: &str,
    role: StaffRole,
    password: &str,
) -> AppResult<StaffUser> {
    let email = Email::parse(email).map_err(|e| AppError::policy("email", e))?;
    let password = NewPassword::parse(password, STAFF_PASSWORD_MIN_LENGTH, &[email.as_str()])
        .map_err(|e| AppError::policy("password", e))?;
    let password_hash = app.hasher.hash(password.expose()).await?;
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
