//! Reports: the registrations of a site with their dates (registered,
//! verified, approved, last connection) and expiries (account, password).

use gatehouse_domain::Permission;
use gatehouse_store::AccountFilter;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::portal::load_site;
use crate::staff_auth::StaffCaller;
use crate::{App, AppResult};

/// One registration in the report.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationRow {
    /// Account.
    pub id: Uuid,
    /// Login ID.
    pub login_id: String,
    /// E-mail address.
    pub email: String,
    /// Status now.
    pub status: String,
    /// Registered at.
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    /// E-mail verified at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub verified_at: Option<OffsetDateTime>,
    /// Approved (or activated) at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    /// Last sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// Access ends at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub access_expires_at: Option<OffsetDateTime>,
    /// Password must be changed after.
    #[serde(with = "time::serde::rfc3339::option")]
    pub password_expires_at: Option<OffsetDateTime>,
}

/// The registrations of a site, newest first (at most `limit`).
pub async fn registrations(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    limit: i64,
) -> AppResult<Vec<RegistrationRow>> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let site = load_site(tx.as_mut(), site_key).await?;
    let filter = AccountFilter {
        site_id: Some(site.id),
        ..AccountFilter::default()
    };
    let accounts = tx
        .list_accounts(&filter, now, limit.clamp(1, 100_000), 0)
        .await?;
    Ok(accounts
        .into_iter()
        .map(|a| RegistrationRow {
            id: a.id,
            status: a.state.status(now).as_str().to_string(),
            login_id: a.login_id,
            email: a.email,
            registered_at: a.registered_at,
            verified_at: a.verified_at,
            approved_at: a.approved_at,
            last_login_at: a.last_login_at,
            access_expires_at: a.state.access_expires_at,
            password_expires_at: a.state.password_expires_at,
        })
        .collect())
}
