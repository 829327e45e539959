//! Staff users: adding one (the CLI's `staff add`, and later the console).

use gatehouse_domain::{Email, NewPassword, StaffRole};
use gatehouse_store::{Actor, StaffUser, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit};

/// Staff passwords guard every customer's data: longer than customers'.
pub const STAFF_PASSWORD_MIN_LENGTH: u32 = 12;

/// Adds a staff user with a password they chose.
pub async fn add_staff(
    app: &App,
    actor: &Actor,
    email: &str,
    role: StaffRole,
    password: &str,
) -> AppResult<StaffUser> {
    let email = Email::parse(email).map_err(|e| AppError::policy("email", e))?;
    let password = NewPassword::parse(password, STAFF_PASSWORD_MIN_LENGTH, &[email.as_str()])
        .map_err(|e| AppError::policy("password", e))?;
    let password_hash = app.hasher.hash(password.expose()).await?;
    let now = app.clock.now();
    let staff = StaffUser {
        id: Uuid::now_v7(),
        email: email.as_str().to_string(),
        password_hash,
        role,
        totp_secret: None,
        active: true,
        created_at: now,
        last_login_at: None,
    };
    let mut tx = app.store.begin().await?;
    match tx.insert_staff(&staff).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(format!(
                "a staff user with the e-mail address {email} exists already"
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
        json!({"email": staff.email, "role": role.as_str()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(staff)
}
