//! Reports: the registrations of a site with their dates (registered,
//! verified, approved, last connection) and expiries (account, password).

use gatehouse_domain::Permission;
use gatehouse_store::AccountFilter;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::sites;
use crate::staff_auth::StaffCaller;
use crate::{App, AppResult};

/// One registration in the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistrationRow {
    /// Account.
    pub id: Uuid,
    /// Login ID.
    pub login_id: String,
    /// E-mail address.
    pub email: String,
    /// Status now.
    pub status: String,
    /// `customer` or `customer_manager`.
    pub role: String,
    /// The company the account's customer belongs to.
    pub company: Option<String>,
    /// That company's ID.
    pub company_id: Option<Uuid>,
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
#[tracing::instrument(name = "app.reports.registrations", level = "debug", skip_all)]
pub async fn registrations(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    limit: i64,
) -> AppResult<Vec<RegistrationRow>> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let site = sites::load(tx.as_mut(), site_key).await?;
    let filter = AccountFilter {
        site_id: Some(site.id),
        ..AccountFilter::default()
    };
    let accounts = tx
        .list_accounts(&filter, now, limit.clamp(1, 100_000), 0)
        .await?;
    let mut ids: Vec<Uuid> = accounts.iter().filter_map(|a| a.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut companies = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for c in tx.customers_by_ids(chunk).await? {
            if let Some(id) = c.fields.company_id {
                companies.insert(c.id, (c.fields.company.unwrap_or_default(), id));
            }
        }
    }
    Ok(accounts
        .into_iter()
        .map(|a| {
            let company = a.customer_id.and_then(|c| companies.get(&c)).cloned();
            RegistrationRow {
                id: a.id,
                status: a.state.status(now).as_str().to_string(),
                role: a.role.as_str().to_string(),
                company: company.as_ref().map(|c| c.0.clone()),
                company_id: company.map(|c| c.1),
                login_id: a.login_id,
                email: a.email,
                registered_at: a.registered_at,
                verified_at: a.verified_at,
                approved_at: a.approved_at,
                last_login_at: a.last_login_at,
                access_expires_at: a.state.access_expires_at,
                password_expires_at: a.state.password_expires_at,
            }
        })
        .collect())
}

/// How many days the dashboard's registrations chart covers.
pub const CHART_DAYS: i64 = 90;

/// One site's accounts per status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteCounts {
    /// Site key.
    pub site: String,
    /// (status, count) in `Status::ALL` order.
    pub counts: Vec<(String, i64)>,
    /// All accounts of the site.
    pub total: i64,
}

/// Registrations on one UTC day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayCount {
    /// The day (YYYY-MM-DD).
    pub day: String,
    /// Registrations that day.
    pub count: i64,
}

/// What the console's dashboard shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// Accounts per status, per site.
    pub sites: Vec<SiteCounts>,
    /// Registrations per day for the last [`CHART_DAYS`] days, oldest first,
    /// days without one included (as 0).
    pub per_day: Vec<DayCount>,
}

/// Counts per status per site, and registrations per day (on `site`, or on
/// every site) for the last [`CHART_DAYS`] days up to today (UTC).
#[tracing::instrument(name = "app.reports.dashboard", level = "debug", skip_all)]
pub async fn dashboard(
    app: &App,
    caller: &StaffCaller,
    site_key: Option<&str>,
) -> AppResult<Dashboard> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let chart_site = match site_key {
        Some(key) => Some(sites::load(tx.as_mut(), key).await?.id),
        None => None,
    };
    let mut sites = Vec::new();
    for site in tx.list_sites().await? {
        let filter = AccountFilter {
            site_id: Some(site.id),
            ..AccountFilter::default()
        };
        let counts: Vec<(String, i64)> = tx
            .count_accounts_by_status(&filter, now)
            .await?
            .into_iter()
            .map(|(s, n)| (s.as_str().to_string(), n))
            .collect();
        sites.push(SiteCounts {
            site: site.key,
            total: counts.iter().map(|(_, n)| n).sum(),
            counts,
        });
    }
    let today = now.unix_timestamp().div_euclid(86_400);
    let first = today - (CHART_DAYS - 1);
    let since = OffsetDateTime::from_unix_timestamp(first * 86_400)
        .map_err(|e| crate::AppError::Internal(e.to_string()))?;
    let found = tx.registrations_per_day(chart_site, since).await?;
    let per_day = (first..=today)
        .map(|day| {
            let date = OffsetDateTime::from_unix_timestamp(day * 86_400)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            DayCount {
                day: date,
                count: found.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n),
            }
        })
        .collect();
    Ok(Dashboard { sites, per_day })
}
