//! Staff work on accounts and registrations: the queue by
//! status, bulk lifecycle actions that report per account, the account page's
//! actions (temporary password, login ID, e-mail validated, access switch and
//! expiry, role), assignment to a customer with ranked duplicate suggestions,
//! and impersonation. Each change runs in its own transaction with its audit
//! event and mail; a bulk action never half-applies one account.

use gatehouse_domain::{
    AccountRole, DeleteReason, Event, LoginId, Permission, Status, decide, sign_in_gate,
};
use gatehouse_store::{
    Account, AccountFilter, Customer, LinkPurpose, LinkToken, Session, Site, StoreError, Tx,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::account_mail::{LinkMail, mail_account, send_link};
use crate::lifecycle::{apply, create_customer_from};
use crate::mail::MailKey;
use crate::sites;
use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit, secrets};

mod assignment;
mod factors;
mod impersonation;

pub use assignment::{AssignTo, Candidate, assign, duplicates, search_customers};
pub use factors::{TwoStepSummary, remove_passkey, remove_two_step};
pub use impersonation::{
    MAX_IMPERSONATION_MINUTES, end_impersonation, impersonate, open_impersonation,
};

/// An account as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Identity.
    pub id: Uuid,
    /// Site key.
    pub site: String,
    /// The customer, once assigned.
    pub customer_id: Option<Uuid>,
    /// Login ID.
    pub login_id: String,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: AccountRole,
    /// Derived status.
    pub status: Status,
    /// Why it was deleted, if it is.
    pub deleted_reason: Option<String>,
    /// The address was proven.
    pub email_validated: bool,
    /// The access switch.
    pub access_granted: bool,
    /// Access ends at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub access_expires_at: Option<OffsetDateTime>,
    /// The password must be changed after.
    #[serde(with = "time::serde::rfc3339::option")]
    pub password_expires_at: Option<OffsetDateTime>,
    /// Failed attempts since the last success.
    pub failed_attempts: u32,
    /// Registration data.
    pub first_name: String,
    /// Registration data.
    pub last_name: String,
    /// Registration data.
    pub company: Option<String>,
    /// The assigned customer's name now (first and last), in lists; the
    /// registration data keeps what was typed at registration.
    pub customer_name: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// Registered at.
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    /// Verified at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub verified_at: Option<OffsetDateTime>,
    /// Approved at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    /// Last sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

/// An account as staff see it, on the site with this key, at `now`.
pub fn view_of(a: &Account, site_key: &str, now: OffsetDateTime) -> AccountView {
    AccountView {
        id: a.id,
        site: site_key.to_string(),
        customer_id: a.customer_id,
        login_id: a.login_id.clone(),
        email: a.email.clone(),
        role: a.role,
        status: a.state.status(now),
        deleted_reason: a.state.deleted.map(|d| d.as_str().to_string()),
        email_validated: a.state.email_validated,
        access_granted: a.state.access_granted,
        access_expires_at: a.state.access_expires_at,
        password_expires_at: a.state.password_expires_at,
        failed_attempts: a.state.failed_attempts,
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        company: a.company.clone(),
        customer_name: None,
        language: a.language.clone(),
        registered_at: a.registered_at,
        verified_at: a.verified_at,
        approved_at: a.approved_at,
        last_login_at: a.last_login_at,
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// All rows matching (or, when `total_exact` is false, a lower bound:
    /// more than this many match).
    pub total: i64,
    /// Whether `total` was counted to the end.
    pub total_exact: bool,
    /// This page (from 1).
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The same page with each row made into another type (a record into
    /// its wire form).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            total_exact: self.total_exact,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// The rows before a page (from 1) of `per_page` rows; a page too far to
/// count to starts past every row instead of overflowing.
pub fn page_offset(page: i64, per_page: i64) -> i64 {
    page.max(1).saturating_sub(1).saturating_mul(per_page)
}

/// What the queue shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this status (default: pending).
    #[param(pattern = "^(unverified|pending|active|locked|blocked|deleted)?$")]
    pub status: Option<String>,
    /// Only this site (key).
    pub site: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200).
    pub per_page: Option<i64>,
}

/// Accounts as lists show them, each with its site's key (the sites read
/// once).
pub(crate) async fn views_of(
    tx: &mut dyn Tx,
    accounts: &[Account],
    now: OffsetDateTime,
) -> AppResult<Vec<AccountView>> {
    let sites = tx.list_sites().await?;
    Ok(accounts
        .iter()
        .map(|a| view_of(a, &key_of(&sites, a.site_id), now))
        .collect())
}

async fn site_keys(tx: &mut dyn Tx) -> AppResult<Vec<Site>> {
    Ok(tx.list_sites().await?)
}

/// The key of the site with this ID (empty when there is none).
pub(crate) fn key_of(sites: &[Site], id: Uuid) -> String {
    sites
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.key.clone())
        .unwrap_or_default()
}

async fn filter_of(tx: &mut dyn Tx, q: &ListQuery) -> AppResult<AccountFilter> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Status::parse(s).map_err(|e| AppError::invalid("status", e))?),
        None => None,
    };
    let site_id = match q.site.as_deref().filter(|s| !s.is_empty()) {
        Some(key) => Some(sites::load(tx, key).await?.id),
        None => None,
    };
    let search =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    Ok(AccountFilter {
        status,
        site_id,
        search,
    })
}

/// Accounts by status, site and search, a page at a time.
#[tracing::instrument(name = "app.accounts.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &StaffCaller, q: &ListQuery) -> AppResult<Page<AccountView>> {
    Ok(list_offering(app, caller, q).await?.0)
}

/// A page of accounts and the lifecycle actions that at least one of them
/// allows now (what the queue offers; the domain decides each).
#[tracing::instrument(name = "app.accounts.list_offering", level = "debug", skip_all)]
pub async fn list_offering(
    app: &App,
    caller: &StaffCaller,
    q: &ListQuery,
) -> AppResult<(Page<AccountView>, Vec<BulkAction>)> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let mut tx = app.store.read().await?;
    let filter = filter_of(tx.as_mut(), q).await?;
    let total = tx.count_accounts(&filter, now).await?;
    let rows = tx
        .list_accounts(&filter, now, per_page, page_offset(page, per_page))
        .await?;
    let sites = site_keys(tx.as_mut()).await?;
    let offered = BulkAction::ALL
        .into_iter()
        .filter(|action| {
            rows.iter().any(|a| {
                sites
                    .iter()
                    .find(|s| s.id == a.site_id)
                    .is_some_and(|s| action.allowed(&a.state, &s.settings, now))
            })
        })
        .collect();
    // A list names each assigned account's customer as they are called now,
    // not as they typed it at registration.
    let assigned: Vec<Uuid> = rows.iter().filter_map(|a| a.customer_id).collect();
    let customers = tx.customers_by_ids(&assigned).await?;
    let name_of = |id: Option<Uuid>| {
        let c = customers.iter().find(|c| Some(c.id) == id)?;
        let name = format!("{} {}", c.fields.first_name, c.fields.last_name);
        Some(name.trim().to_string()).filter(|n| !n.is_empty())
    };
    let page = Page {
        total_exact: true,
        items: rows
            .iter()
            .map(|a| AccountView {
                customer_name: name_of(a.customer_id),
                ..view_of(a, &key_of(&sites, a.site_id), now)
            })
            .collect(),
        total,
        page,
        per_page,
    };
    Ok((page, offered))
}

/// How many accounts have each status (for the queue's tabs).
#[tracing::instrument(name = "app.accounts.counts", level = "debug", skip_all)]
pub async fn counts(
    app: &App,
    caller: &StaffCaller,
    site: Option<&str>,
) -> AppResult<Vec<(Status, i64)>> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let base = filter_of(
        tx.as_mut(),
        &ListQuery {
            site: site.map(str::to_string),
            ..ListQuery::default()
        },
    )
    .await?;
    Ok(tx.count_accounts_by_status(&base, now).await?)
}

/// The bulk actions of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Approve pending registrations.
    Approve,
    /// Delete.
    Delete,
    /// Disapprove registrations (a delete; "declined" mail if asked).
    Disapprove,
    /// Undo a delete.
    Undelete,
    /// Block.
    Block,
    /// Unblock.
    Unblock,
    /// Lift a lock.
    Unlock,
    /// Send a new activation link.
    ResendActivation,
    /// Send a password reset link.
    SendPasswordReset,
}

impl BulkAction {
    /// Every action.
    pub const ALL: [BulkAction; 9] = [
        BulkAction::Approve,
        BulkAction::Delete,
        BulkAction::Disapprove,
        BulkAction::Undelete,
        BulkAction::Block,
        BulkAction::Unblock,
        BulkAction::Unlock,
        BulkAction::ResendActivation,
        BulkAction::SendPasswordReset,
    ];

    /// The word used in the API and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            BulkAction::Approve => "approve",
            BulkAction::Delete => "delete",
            BulkAction::Disapprove => "disapprove",
            BulkAction::Undelete => "undelete",
            BulkAction::Block => "block",
            BulkAction::Unblock => "unblock",
            BulkAction::Unlock => "unlock",
            BulkAction::ResendActivation => "resend_activation",
            BulkAction::SendPasswordReset => "send_password_reset",
        }
    }

    /// Parses [`BulkAction::as_str`].
    pub fn parse(raw: &str) -> AppResult<BulkAction> {
        if raw.trim().is_empty() {
            return Err(AppError::invalid("action", "choose an action first"));
        }
        BulkAction::ALL
            .into_iter()
            .find(|a| a.as_str() == raw)
            .ok_or_else(|| AppError::invalid("action", format!("'{raw}' is not an action")))
    }

    /// Whether the lifecycle lets this action be done to an account in
    /// `state` now (what staff are offered; the domain decides).
    pub fn allowed(
        self,
        state: &gatehouse_domain::AccountState,
        settings: &gatehouse_domain::SiteSettings,
        now: OffsetDateTime,
    ) -> bool {
        let event = match self {
            BulkAction::ResendActivation => Event::ResendActivation,
            BulkAction::SendPasswordReset => Event::PasswordReset,
            other => match other.event() {
                Some(e) => e,
                None => return false,
            },
        };
        decide(state, event, settings, now).is_ok()
    }

    fn event(self) -> Option<Event> {
        Some(match self {
            BulkAction::Approve => Event::Approve,
            BulkAction::Delete => Event::Delete {
                reason: DeleteReason::Deleted,
            },
            BulkAction::Disapprove => Event::Delete {
                reason: DeleteReason::Disapproved,
            },
            BulkAction::Undelete => Event::Undelete,
            BulkAction::Block => Event::Block,
            BulkAction::Unblock => Event::Unblock,
            BulkAction::Unlock => Event::Unlock,
            BulkAction::ResendActivation | BulkAction::SendPasswordReset => return None,
        })
    }
}

/// What a bulk action did to one account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    /// The account.
    pub id: Uuid,
    /// It was done.
    pub ok: bool,
    /// Why not, as a code.
    pub code: Option<String>,
    /// What happened, for a person.
    pub message: String,
    /// The status now.
    pub status: Option<Status>,
}

/// Applies an action to each account on its own; answers one result each.
#[tracing::instrument(name = "app.accounts.bulk", level = "debug", skip_all)]
pub async fn bulk(
    app: &App,
    caller: &StaffCaller,
    action: BulkAction,
    ids: &[Uuid],
    reason: Option<&str>,
    notify: bool,
) -> AppResult<Vec<BulkResult>> {
    caller.require(Permission::ManageAccounts)?;
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::invalid(
            "ids",
            "choose between 1 and 500 accounts",
        ));
    }
    let mut results = Vec::with_capacity(ids.len());
    for &id in ids {
        let result = match act(app, caller, action, id, reason, notify).await {
            Ok(status) => BulkResult {
                id,
                ok: true,
                code: None,
                message: format!("{} done", action.as_str().replace('_', " ")),
                status: Some(status),
            },
            Err(AppError::Refused(r)) => BulkResult {
                id,
                ok: false,
                code: Some(r.code().into()),
                message: format!("{r}; left unchanged"),
                status: None,
            },
            Err(AppError::NotFound(what)) => BulkResult {
                id,
                ok: false,
                code: Some("not_found".into()),
                message: format!("{what} not found"),
                status: None,
            },
            Err(e) => return Err(e),
        };
        results.push(result);
    }
    Ok(results)
}

async fn load(tx: &mut dyn Tx, id: Uuid) -> AppResult<(Account, Site)> {
    let account = tx
        .account_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("account {id}")))?;
    let site = tx
        .site_by_id(account.site_id)
        .await?
        .ok_or_else(|| AppError::NotFound("site".into()))?;
    Ok((account, site))
}

async fn act(
    app: &App,
    caller: &StaffCaller,
    action: BulkAction,
    id: Uuid,
    reason: Option<&str>,
    notify: bool,
) -> AppResult<Status> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (mut account, site) = load(tx.as_mut(), id).await?;
    let before = account.state.status(now);
    match action.event() {
        Some(event) => {
            crate::lifecycle::apply(app, tx.as_mut(), &site, &mut account, event, now).await?;
            // The "declined" mail is the staff user's choice, not the
            // lifecycle's: it goes only when asked.
            if event
                == (Event::Delete {
                    reason: DeleteReason::Disapproved,
                })
                && notify
            {
                mail_account(
                    tx.as_mut(),
                    &site,
                    &account,
                    MailKey::Declined,
                    None,
                    None,
                    now,
                )
                .await?;
            }
            tx.save_account(&account).await?;
        }
        None => {
            let kind = if action == BulkAction::ResendActivation {
                LinkMail::ACTIVATION
            } else {
                LinkMail::PASSWORD_RESET
            };
            if !send_link(app, tx.as_mut(), &site, &account, kind, now).await? {
                // Ask the domain for the refusal it gives.
                decide(&account.state, kind.event, &site.settings, now)?;
            }
        }
    }
    let after = account.state.status(now);
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        &format!("account.{}", action.as_str()),
        Some(("account", account.id)),
        Some(site.id),
        json!({"before": {"status": before.as_str()}, "after": {"status": after.as_str()}, "reason": reason}),
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Everything the account page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountDetail {
    /// The account.
    pub account: AccountView,
    /// The lifecycle actions its status allows now.
    pub actions: Vec<BulkAction>,
    /// Its customer.
    pub customer: Option<crate::wire::Customer>,
    /// Its live sessions.
    pub sessions: Vec<SessionSummary>,
    /// Its second step at sign-in, when turned on.
    pub two_step: Option<TwoStepSummary>,
    /// Its passkeys, oldest first.
    pub passkeys: Vec<crate::portal::passkeys::PasskeyView>,
    /// Its audit trail, newest first.
    pub audit: Vec<crate::wire::AuditEvent>,
}

/// A session as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionSummary {
    /// Hex of the stored hash (identifies it for revoking).
    pub id: String,
    /// Signed in at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last request.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// Address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
    /// Opened by a staff user impersonating the customer.
    pub impersonated: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn summary(s: Session) -> SessionSummary {
    SessionSummary {
        id: hex(&s.token_hash),
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        ip: s.ip,
        user_agent: s.user_agent,
        impersonated: s.impersonator_id.is_some(),
    }
}

/// The account page.
#[tracing::instrument(name = "app.accounts.get", level = "debug", skip_all)]
pub async fn get(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<AccountDetail> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let (account, site) = load(tx.as_mut(), id).await?;
    let customer = match account.customer_id {
        Some(c) => tx.customer_by_id(c).await?,
        None => None,
    };
    let sessions = tx
        .list_account_sessions(id)
        .await?
        .into_iter()
        .filter(|s| now < s.idle_expires_at && now < s.absolute_expires_at)
        .map(summary)
        .collect();
    let two_step = factors::two_step_of(tx.as_mut(), id).await?;
    let passkeys = tx
        .passkeys_of(id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let audit = if caller.may(Permission::ViewAudit) {
        tx.audit_of(id, 100).await?
    } else {
        Vec::new()
    };
    let actions = BulkAction::ALL
        .into_iter()
        .filter(|a| a.allowed(&account.state, &site.settings, now))
        .collect();
    Ok(AccountDetail {
        actions,
        account: view_of(&account, &site.key, now),
        customer: customer.map(Into::into),
        sessions,
        two_step,
        passkeys,
        audit: audit.into_iter().map(Into::into).collect(),
    })
}

/// Changes to an account's own fields (absent keys stay as they are).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// New login ID (checked against the site's policy and uniqueness).
    pub login_id: Option<String>,
    /// Mark the address proven or not.
    pub email_validated: Option<bool>,
    /// The access switch.
    pub access_granted: Option<bool>,
    /// Access ends at (`null` clears it).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub access_expires_at: Option<OffsetDateTime>,
    /// Clear the access expiry.
    #[serde(default)]
    pub clear_access_expiry: bool,
    /// Role on the site.
    pub role: Option<AccountRole>,
}

/// Applies an account patch; the audit event keeps each changed field's
/// value before and after.
#[tracing::instrument(name = "app.accounts.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    patch: &AccountPatch,
) -> AppResult<AccountView> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (mut account, site) = load(tx.as_mut(), id).await?;
    if account.state.status(now) == Status::Deleted {
        return Err(AppError::Refused(gatehouse_domain::Refusal::NotAllowed {
            event: "change",
            status: Status::Deleted,
        }));
    }
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    let mut note = |field: &str, old: Value, new: Value| {
        if old != new {
            before.insert(field.into(), old);
            after.insert(field.into(), new);
        }
    };
    if let Some(raw) = &patch.login_id {
        let login = LoginId::parse(raw, site.settings.login_id_mode)
            .map_err(|e| AppError::policy("login_id", e))?;
        note("login_id", json!(account.login_id), json!(login.as_str()));
        account.login_id = login.as_str().to_string();
    }
    // The two switches are lifecycle events: noted as they stand when each
    // is applied, then decided and carried out by the one writer.
    type Switch = (
        &'static str,
        fn(&gatehouse_domain::AccountState) -> bool,
        Option<(bool, Event)>,
    );
    let switches: [Switch; 2] = [
        (
            "email_validated",
            |s| s.email_validated,
            patch
                .email_validated
                .map(|v| (v, Event::SetEmailValidated { validated: v })),
        ),
        (
            "access_granted",
            |s| s.access_granted,
            patch
                .access_granted
                .map(|v| (v, Event::SetAccess { granted: v })),
        ),
    ];
    for (field, current, change) in switches {
        if let Some((v, event)) = change {
            note(field, json!(current(&account.state)), json!(v));
            apply(app, tx.as_mut(), &site, &mut account, event, now).await?;
        }
    }
    let rfc = |t: Option<OffsetDateTime>| {
        json!(t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }))
    };
    if patch.clear_access_expiry || patch.access_expires_at.is_some() {
        let new = if patch.clear_access_expiry {
            None
        } else {
            patch.access_expires_at
        };
        note(
            "access_expires_at",
            rfc(account.state.access_expires_at),
            rfc(new),
        );
        apply(
            app,
            tx.as_mut(),
            &site,
            &mut account,
            Event::SetAccessExpiry { until: new },
            now,
        )
        .await?;
    }
    if let Some(role) = patch.role {
        note("role", json!(account.role.as_str()), json!(role.as_str()));
        account.role = role;
    }
    match tx.save_account(&account).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "that login ID is taken on this site".into(),
            ));
        }
        other => {
            other?;
        }
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.update",
        Some(("account", id)),
        Some(site.id),
        json!({"before": before, "after": after}),
    ))
    .await?;
    tx.commit().await?;
    Ok(view_of(&account, &site.key, now))
}

/// A temporary password just set: shown once to the staff user, never stored
/// in clear, never mailed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemporaryPassword {
    /// The password to hand to the customer.
    pub password: String,
    /// After this the customer must choose a new one before anything else.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Sets a generated temporary password (staff never choose a customer's
/// password, OWASP ASVS 6.4.6). It expires at `expires_at` (default: now,
/// so the first sign-in asks for a new one); every session ends.
#[tracing::instrument(
    name = "app.accounts.set_temporary_password",
    level = "debug",
    skip_all
)]
pub async fn set_temporary_password(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    expires_at: Option<OffsetDateTime>,
) -> AppResult<TemporaryPassword> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let expires_at = expires_at.unwrap_or(now);
    if expires_at > now + Duration::days(30) {
        return Err(AppError::invalid(
            "expires_at",
            "a temporary password must expire within 30 days",
        ));
    }
    let password = temporary_password();
    let hash = app.hasher.hash(&password).await?;
    let mut tx = app.store.begin().await?;
    let (mut account, site) = load(tx.as_mut(), id).await?;
    let event = Event::TemporaryPassword { expires_at };
    apply(app, tx.as_mut(), &site, &mut account, event, now).await?;
    account.password_hash = Some(hash);
    tx.save_account(&account).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.temporary_password",
        Some(("account", id)),
        Some(site.id),
        json!({"expires_at": expires_at.unix_timestamp()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(TemporaryPassword {
        password,
        expires_at,
    })
}

/// 20 characters from an alphabet without look-alikes: about 100 bits.
fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let bytes = secrets::token_hash(&secrets::new_token(""));
    let chars: String = bytes
        .iter()
        .take(20)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!(
        "{}-{}-{}-{}",
        &chars[0..5],
        &chars[5..10],
        &chars[10..15],
        &chars[15..20]
    )
}

/// Ends one session of the account (by the id the page lists).
#[tracing::instrument(name = "app.accounts.revoke_session", level = "debug", skip_all)]
pub async fn revoke_session(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    session_id: &str,
) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (_, site) = load(tx.as_mut(), id).await?;
    let target = tx
        .list_account_sessions(id)
        .await?
        .into_iter()
        .find(|s| hex(&s.token_hash) == session_id);
    let Some(target) = target else {
        return Err(AppError::NotFound("session".into()));
    };
    tx.delete_session(&target.token_hash).await?;
    // Staff end it on purpose: every app it signed in ends too, offline
    // grants included.
    crate::oidc::end_session_grants(tx.as_mut(), &crate::oidc::session_sid(&target), false, now)
        .await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.session_revoke",
        Some(("account", id)),
        Some(site.id),
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Signs the account out everywhere: every portal session ends, every app's
/// grant is revoked and each app is sent a back-channel logout. Answers how
/// many portal sessions ended.
#[tracing::instrument(name = "app.accounts.sign_out_everywhere", level = "debug", skip_all)]
pub async fn sign_out_everywhere(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<u64> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (_, site) = load(tx.as_mut(), id).await?;
    let ended = crate::lifecycle::sign_out_everywhere(tx.as_mut(), id, None, now).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.sign_out_everywhere",
        Some(("account", id)),
        Some(site.id),
        json!({"sessions": ended}),
    ))
    .await?;
    tx.commit().await?;
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::page_offset;

    #[test]
    fn pages_start_where_the_previous_ones_end_and_never_overflow() {
        assert_eq!(page_offset(1, 50), 0);
        assert_eq!(page_offset(3, 50), 100);
        assert_eq!(page_offset(0, 50), 0);
        assert_eq!(page_offset(-7, 50), 0);
        assert_eq!(page_offset(i64::MAX, 500), i64::MAX);
    }
}
