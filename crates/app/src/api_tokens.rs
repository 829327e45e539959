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
#[tracing::instrument(name = "app.api_tokens.create_token", level = "debug", skip_all)]
pub async fn create_token(
    app: &App,
    actor: &Actor,
    staff_email: &str,
    name: &str,
    scopes: &[String],
) -> AppResult<CreatedToken> {
    create_token_until(app, actor, staff_email, name, scopes, None).await
}

/// As [`create_token`], void after `expires_at` when given.
#[tracing::instrument(name = "app.api_tokens.create_token_until", level = "debug", skip_all)]
pub async fn create_token_until(
    app: &App,
    actor: &Actor,
    staff_email: &str,
    name: &str,
    scopes: &[String],
    expires_at: Option<time::OffsetDateTime>,
) -> AppResult<CreatedToken> {
    if expires_at.is_some_and(|t| t <= app.clock.now()) {
        return Err(AppError::invalid(
            "expires_at",
            "the expiry must lie in the future",
        ));
    }
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
        expires_at,
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

/// A token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Whose it is.
    pub staff_id: Uuid,
    /// Scopes.
    pub scopes: String,
    /// Made at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// Void after.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<time::OffsetDateTime>,
    /// Last used.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
    /// Revoked at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<time::OffsetDateTime>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> TokenView {
        TokenView {
            id: t.id,
            name: t.name.clone(),
            staff_id: t.staff_id,
            scopes: t.scopes.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// Every token (admins only).
#[tracing::instrument(name = "app.api_tokens.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &crate::staff_auth::StaffCaller) -> AppResult<Vec<TokenView>> {
    caller.require(gatehouse_domain::Permission::ManageTokens)?;
    let mut tx = app.store.read().await?;
    Ok(tx
        .list_api_tokens()
        .await?
        .iter()
        .map(TokenView::from)
        .collect())
}

/// Creates a token for a staff user (admins only); the secret is shown once.
#[tracing::instrument(name = "app.api_tokens.create", level = "debug", skip_all)]
pub async fn create(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    staff_email: &str,
    name: &str,
    scopes: &[String],
    expires_at: Option<time::OffsetDateTime>,
) -> AppResult<CreatedToken> {
    caller.require(gatehouse_domain::Permission::ManageTokens)?;
    create_token_until(app, &caller.actor(), staff_email, name, scopes, expires_at).await
}

/// Revokes a token (admins only); calls with it get 401 from now on.
#[tracing::instrument(name = "app.api_tokens.revoke", level = "debug", skip_all)]
pub async fn revoke(app: &App, caller: &crate::staff_auth::StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(gatehouse_domain::Permission::ManageTokens)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    if !tx.revoke_api_token(id, now).await? {
        return Err(AppError::NotFound("live API token".into()));
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "api_token.revoke",
        Some(("api_token", id)),
        None,
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
