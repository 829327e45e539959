//! API tokens: created for a staff user, shown once, stored hashed. Calls
//! made with one act as that staff user, limited to its scopes.

use gatehouse_domain::StaffRole;
use gatehouse_store::{Actor, ApiToken};
use serde_json::json;
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit, secrets};

/// Scopes a token may carry.
pub const SCOPES: [&str; 3] = ["read", "write", "admin"];

/// A token just made: the secret exists only here and is never shown again.
#[derive(Debug)]
pub struct CreatedToken {
    /// The stored record.
    pub token: ApiToken,
    /// The secret to hand to the integration.
    pub secret: String,
}

/// Creates an API token for the staff user with this e-mail address. Without
/// scopes it gets every scope the staff user's role allows.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    staff_email: &str,
    name: &str,
    scopes: &[String],
) -> AppResult<CreatedToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "the token name must be 1 to 100 characters",
        ));
    }
    let mut tx = app.store.begin().await?;
    let staff = tx
        .staff_by_email(staff_email.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("staff user {}", staff_email.trim())))?;
    let allowed: &[&str] = match staff.role {
        StaffRole::Admin => &SCOPES,
        StaffRole::Support => &SCOPES[..2],
    };
    let mut chosen: Vec<&str> = Vec::new();
    for scope in scopes {
        let scope = scope.trim();
        if !SCOPES.contains(&scope) {
            return Err(AppError::invalid(
                "scope",
                format!("'{scope}' is not a scope; use read, write or admin"),
            ));
        }
        if !allowed.contains(&scope) {
            return Err(AppError::invalid(
                "scope",
                format!("a {} cannot hold the '{scope}' scope", staff.role),
            ));
        }
        if !chosen.contains(&scope) {
            chosen.push(scope);
        }
    }
    if chosen.is_empty() {
        chosen = allowed.to_vec();
    }
    let secret = secrets::new_token("gh_");
    let now = app.clock.now();
    let token = ApiToken {
        id: Uuid::now_v7(),
        staff_id: staff.id,
        name: name.to_string(),
        token_hash: secrets::token_hash(&secret),
        scopes: chosen.join(" "),
        created_at: now,
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
    };
    tx.insert_api_token(&token).await?;
    tx.append_audit(&audit::event(
        now,
        actor,
        "api_token.create",
        Some(("api_token", token.id)),
        None,
        json!({"staff": staff.email, "name": token.name, "scopes": token.scopes}),
    ))
    .await?;
    tx.commit().await?;
    Ok(CreatedToken { token, secret })
}
