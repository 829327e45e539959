//! The records the store keeps, as the rest of Gatehouse sees them, and their
//! mapping to and from table rows. Times are kept as milliseconds since the
//! epoch in both engines; this module is the one place that converts them
//! (`Ms`, `MsOpt`: a record whose columns read directly derives
//! `sqlx::FromRow` with them; a `…Row` mirror remains only where a record
//! is built from its columns by a rule of the domain: an account's state,
//! a session's owner, an app's closed sets, a site's settings).

use gatehouse_domain::{
    AccountRole, AccountState, DeleteReason, Lock, SiteSettings, StaffRole, Stage,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};

mod access;

pub use access::*;

/// Milliseconds since the epoch, as stored.
pub fn to_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The time a stored millisecond count stands for.
pub fn from_ms(ms: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| StoreError::Corrupt(format!("time {ms}: {e}")))
}

pub(crate) fn opt_from_ms(ms: Option<i64>) -> StoreResult<Option<OffsetDateTime>> {
    ms.map(from_ms).transpose()
}

/// A time column as read: records that derive `sqlx::FromRow` mark their
/// times `#[sqlx(try_from = "Ms")]` and get an [`OffsetDateTime`] (a count
/// out of range is a [`StoreError::Corrupt`]).
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct Ms(i64);

impl TryFrom<Ms> for OffsetDateTime {
    type Error = StoreError;
    fn try_from(ms: Ms) -> StoreResult<OffsetDateTime> {
        from_ms(ms.0)
    }
}

/// A time column that may be empty, as read (see [`Ms`]).
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct MsOpt(Option<i64>);

impl TryFrom<MsOpt> for Option<OffsetDateTime> {
    type Error = StoreError;
    fn try_from(ms: MsOpt) -> StoreResult<Option<OffsetDateTime>> {
        opt_from_ms(ms.0)
    }
}

/// A list column (JSON text), as read: `#[sqlx(try_from = "JsonList")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct JsonList(String);

impl TryFrom<JsonList> for Vec<String> {
    type Error = StoreError;
    fn try_from(raw: JsonList) -> StoreResult<Vec<String>> {
        parse_list(&raw.0)
    }
}

/// A list stored as JSON text.
pub(crate) fn parse_list(raw: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("a stored list: {e}")))
}

/// A portal site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Identity.
    pub id: Uuid,
    /// URL key (`/s/{key}`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Its settings.
    pub settings: SiteSettings,
    /// Created at.
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    id: Uuid,
    key: String,
    name: String,
    settings: String,
    created_at: i64,
}

impl TryFrom<SiteRow> for Site {
    type Error = StoreError;
    fn try_from(r: SiteRow) -> StoreResult<Site> {
        Ok(Site {
            id: r.id,
            settings: serde_json::from_str(&r.settings)
                .map_err(|e| StoreError::Corrupt(format!("settings of site {}: {e}", r.key)))?,
            key: r.key,
            name: r.name,
            created_at: from_ms(r.created_at)?,
        })
    }
}

/// A named set of customers.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Group {
    /// Identity.
    pub id: Uuid,
    /// Name, unique without regard to case.
    pub name: String,
    /// Description.
    pub description: String,
    /// Inactive groups are hidden from pickers.
    pub active: bool,
    /// Created at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
}

/// A client company: the customers who work there belong to it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Company {
    /// Identity.
    pub id: Uuid,
    /// Name, as spelled.
    pub name: String,
    /// The ERP's key (unique when given).
    pub external_id: Option<String>,
    /// Postal address, as written.
    pub address: Option<String>,
    /// Staff notes.
    pub notes: String,
    /// Created at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub updated_at: OffsetDateTime,
}

impl Company {
    /// A new company with only its name.
    pub fn named(name: String, now: OffsetDateTime) -> Company {
        Company {
            id: Uuid::now_v7(),
            name,
            external_id: None,
            address: None,
            notes: String::new(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// A company with how many customers belong to it and how many portal
/// accounts they have.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CompanyListed {
    /// The company.
    #[sqlx(flatten)]
    pub company: Company,
    /// Customers in it.
    pub customers: i64,
    /// Portal accounts of those customers (deleted ones not counted).
    pub accounts: i64,
}

/// A console import: its file and choices, its progress, and its outcome
/// once it has ended.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ImportRun {
    pub id: Uuid,
    /// The uploaded file's name.
    pub file: String,
    pub dry_run: bool,
    pub skip_bad_rows: bool,
    /// The file's size in bytes.
    pub size: i64,
    /// Rows and bytes read when the running node last wrote.
    pub rows_read: i64,
    pub bytes_read: i64,
    /// The outcome as JSON, once the import has ended.
    pub outcome: Option<String>,
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// When the running node last wrote: its heartbeat.
    #[sqlx(try_from = "crate::model::Ms")]
    pub updated_at: OffsetDateTime,
}

/// The editable data of a customer (the CRM contact).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerFields {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// The company's name (kept in step with the company record by the
    /// store; answers and CSV keep it for integrations that read names).
    pub company: Option<String>,
    /// The company the customer belongs to.
    pub company_id: Option<Uuid>,
    /// Web address.
    pub url: Option<String>,
    /// Landline.
    pub phone: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ID in another system.
    pub external_id: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Avatar picture.
    pub avatar_url: Option<String>,
    /// Wants notifications.
    pub notifications: bool,
    /// Staff notes.
    pub notes: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
}

/// A customer record.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Customer {
    /// Identity.
    pub id: Uuid,
    /// Its data.
    #[sqlx(flatten)]
    pub fields: CustomerFields,
    /// Created at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub updated_at: OffsetDateTime,
}

/// A customer's login to one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Identity.
    pub id: Uuid,
    /// The site it signs in to.
    pub site_id: Uuid,
    /// The customer it belongs to, once assigned.
    pub customer_id: Option<Uuid>,
    /// Login ID (unique per site without regard to case).
    pub login_id: String,
    /// E-mail address mail goes to.
    pub email: String,
    /// PHC string of the password hash; `None` until a password is set.
    pub password_hash: Option<String>,
    /// Role on the site.
    pub role: AccountRole,
    /// Lifecycle facts (`has_customer` mirrors `customer_id`).
    pub state: AccountState,
    /// When it was deleted, if it is.
    pub deleted_at: Option<OffsetDateTime>,
    /// Name given at registration.
    pub first_name: String,
    /// Name given at registration.
    pub last_name: String,
    /// Company given at registration.
    pub company: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// Registered at.
    pub registered_at: OffsetDateTime,
    /// E-mail verified at.
    pub verified_at: Option<OffsetDateTime>,
    /// Approved (or activated) at.
    pub approved_at: Option<OffsetDateTime>,
    /// Last successful sign-in.
    pub last_login_at: Option<OffsetDateTime>,
    /// Optimistic-locking version, bumped by every state write.
    pub version: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    site_id: Uuid,
    customer_id: Option<Uuid>,
    login_id: String,
    email: String,
    password_hash: Option<String>,
    role: String,
    stage: String,
    lock_until: Option<i64>,
    lock_permanent: bool,
    failed_attempts: i64,
    blocked: bool,
    deleted_reason: Option<String>,
    deleted_at: Option<i64>,
    email_validated: bool,
    access_granted: bool,
    access_expires_at: Option<i64>,
    password_expires_at: Option<i64>,
    first_name: String,
    last_name: String,
    company: Option<String>,
    language: Option<String>,
    registered_at: i64,
    verified_at: Option<i64>,
    approved_at: Option<i64>,
    last_login_at: Option<i64>,
    version: i64,
}

pub(crate) fn stage_str(stage: Stage) -> &'static str {
    match stage {
        Stage::Unverified => "unverified",
        Stage::Pending => "pending",
        Stage::Active => "active",
    }
}

fn parse_stage(raw: &str) -> StoreResult<Stage> {
    match raw {
        "unverified" => Ok(Stage::Unverified),
        "pending" => Ok(Stage::Pending),
        "active" => Ok(Stage::Active),
        other => Err(StoreError::Corrupt(format!("stage '{other}'"))),
    }
}

fn parse_delete_reason(raw: &str) -> StoreResult<DeleteReason> {
    match raw {
        "deleted" => Ok(DeleteReason::Deleted),
        "disapproved" => Ok(DeleteReason::Disapproved),
        other => Err(StoreError::Corrupt(format!("delete reason '{other}'"))),
    }
}

/// The lock as its two stored columns: `(lock_until, lock_permanent)`.
pub(crate) fn lock_columns(lock: Option<Lock>) -> (Option<i64>, bool) {
    match lock {
        None => (None, false),
        Some(Lock::Permanent) => (None, true),
        Some(Lock::Temporary { until }) => (Some(to_ms(until)), false),
    }
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> StoreResult<Account> {
        let lock = match (r.lock_permanent, r.lock_until) {
            (true, _) => Some(Lock::Permanent),
            (false, Some(ms)) => Some(Lock::Temporary {
                until: from_ms(ms)?,
            }),
            (false, None) => None,
        };
        let state = AccountState {
            stage: parse_stage(&r.stage)?,
            lock,
            failed_attempts: u32::try_from(r.failed_attempts).unwrap_or(0),
            blocked: r.blocked,
            deleted: r
                .deleted_reason
                .as_deref()
                .map(parse_delete_reason)
                .transpose()?,
            email_validated: r.email_validated,
            has_customer: r.customer_id.is_some(),
            access_granted: r.access_granted,
            access_expires_at: opt_from_ms(r.access_expires_at)?,
            password_expires_at: opt_from_ms(r.password_expires_at)?,
        };
        Ok(Account {
            id: r.id,
            site_id: r.site_id,
            customer_id: r.customer_id,
            login_id: r.login_id,
            email: r.email,
            password_hash: r.password_hash,
            role: AccountRole::parse(&r.role).map_err(StoreError::Corrupt)?,
            state,
            deleted_at: opt_from_ms(r.deleted_at)?,
            first_name: r.first_name,
            last_name: r.last_name,
            company: r.company,
            language: r.language,
            registered_at: from_ms(r.registered_at)?,
            verified_at: opt_from_ms(r.verified_at)?,
            approved_at: opt_from_ms(r.approved_at)?,
            last_login_at: opt_from_ms(r.last_login_at)?,
            version: r.version,
        })
    }
}

/// A rendered e-mail to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMail {
    /// The site it is about.
    pub site_id: Option<Uuid>,
    /// Recipient address.
    pub recipient: String,
    /// Template key it was rendered from.
    pub template_key: String,
    /// Language it was rendered in.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Plain-text part.
    pub body_text: String,
    /// HTML part.
    pub body_html: String,
}

/// An outbox message and its delivery state.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    /// Identity.
    pub id: Uuid,
    /// The message.
    pub mail: NewMail,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Not tried again before this.
    pub next_attempt_at: OffsetDateTime,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: OffsetDateTime,
    /// Delivered at.
    pub sent_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: Uuid,
    site_id: Option<Uuid>,
    recipient: String,
    template_key: String,
    language: String,
    subject: String,
    body_text: String,
    body_html: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = StoreError;
    fn try_from(r: OutboxRow) -> StoreResult<OutboxMessage> {
        Ok(OutboxMessage {
            id: r.id,
            mail: NewMail {
                site_id: r.site_id,
                recipient: r.recipient,
                template_key: r.template_key,
                language: r.language,
                subject: r.subject,
                body_text: r.body_text,
                body_html: r.body_html,
            },
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: from_ms(r.next_attempt_at)?,
            last_error: r.last_error,
            created_at: from_ms(r.created_at)?,
            sent_at: opt_from_ms(r.sent_at)?,
        })
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `staff`, `customer`, `api` or `system`.
    pub kind: String,
    /// The staff user or account.
    pub id: Option<Uuid>,
    /// A readable name (an e-mail address, or "system").
    pub label: String,
    /// The client address the action came from, when known (kept on the
    /// audit event, not in the actor's own record).
    pub ip: Option<String>,
}

impl Actor {
    /// Gatehouse itself (start-up, jobs, the CLI run by an operator).
    pub fn system(label: &str) -> Actor {
        Actor {
            kind: "system".into(),
            id: None,
            label: label.into(),
            ip: None,
        }
    }
}

/// An append-only record of a staff action or security event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Identity (time-ordered).
    pub id: Uuid,
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// What, as a dotted word (`account.block`, `staff.create`).
    pub action: String,
    /// Kind of thing acted on.
    pub target_kind: Option<String>,
    /// The thing acted on.
    pub target_id: Option<Uuid>,
    /// The site concerned.
    pub site_id: Option<Uuid>,
    /// Anything else worth keeping (never a secret).
    pub details: serde_json::Value,
    /// Client address.
    pub ip: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: Uuid,
    at: i64,
    actor_kind: String,
    actor_id: Option<Uuid>,
    actor_label: String,
    action: String,
    target_kind: Option<String>,
    target_id: Option<Uuid>,
    site_id: Option<Uuid>,
    details: String,
    ip: Option<String>,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<AuditEvent> {
        Ok(AuditEvent {
            id: r.id,
            at: from_ms(r.at)?,
            actor: Actor {
                kind: r.actor_kind,
                id: r.actor_id,
                label: r.actor_label,
                ip: None,
            },
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            site_id: r.site_id,
            details: serde_json::from_str(&r.details)
                .map_err(|e| StoreError::Corrupt(format!("audit details: {e}")))?,
            ip: r.ip,
        })
    }
}

/// An admin's override of an e-mail template for one site and language.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmailTemplate {
    /// The site.
    pub site_id: Uuid,
    /// Message key (`activation`, `password_reset`, …).
    pub key: String,
    /// Language tag.
    pub language: String,
    /// Subject template.
    pub subject: String,
    /// Plain-text template.
    pub body_text: String,
    /// HTML template.
    pub body_html: String,
    /// Changed at (ms).
    pub updated_at: i64,
}

/// Which accounts a staff list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// Only this derived status.
    pub status: Option<gatehouse_domain::Status>,
    /// Only this site.
    pub site_id: Option<Uuid>,
    /// Login ID, e-mail address, name or company containing this (any case).
    pub search: Option<String>,
}

/// Which page of the customer list, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerPage {
    /// Sort column (ties are broken by ID, in the same direction).
    pub sort: CustomerSort,
    /// Largest first.
    pub descending: bool,
    /// Rows on the page.
    pub limit: i64,
    /// Rows before the page.
    pub offset: i64,
}

/// Which audit events a staff list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Actions starting with this (`account.`, `staff.sign_in`).
    pub action: Option<String>,
    /// Actors whose name contains this (any case).
    pub actor: Option<String>,
    /// Events about this target.
    pub target_id: Option<Uuid>,
    /// Events at or after this time.
    pub since: Option<OffsetDateTime>,
}

/// The lowercase text the customer search matches inside: names, e-mail
/// address and company.
pub fn search_text(f: &CustomerFields) -> String {
    format!(
        "{} {} {} {}",
        f.first_name,
        f.last_name,
        f.email.as_deref().unwrap_or(""),
        f.company.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

/// A way of signing in besides the password that an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFactor {
    /// Two-step sign-in (the authenticator app) is on.
    TwoStep,
    /// At least one passkey.
    Passkey,
}

impl SignInFactor {
    /// The word of the list's query (`two_step`, `passkey`).
    pub fn as_str(self) -> &'static str {
        match self {
            SignInFactor::TwoStep => "two_step",
            SignInFactor::Passkey => "passkey",
        }
    }

    /// The factor a word names.
    pub fn parse(raw: &str) -> Option<SignInFactor> {
        [SignInFactor::TwoStep, SignInFactor::Passkey]
            .into_iter()
            .find(|f| f.as_str() == raw)
    }
}

/// Which customers a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    /// With an account on this site.
    pub site_id: Option<Uuid>,
    /// In this group.
    pub group_id: Option<Uuid>,
    /// With an account of this role.
    pub role: Option<gatehouse_domain::AccountRole>,
    /// With an account of this status.
    pub status: Option<gatehouse_domain::Status>,
    /// Belonging to a company whose name contains this (any case).
    pub company: Option<String>,
    /// Belonging to this company.
    pub company_id: Option<Uuid>,
    /// This country (any case).
    pub country: Option<String>,
    /// Name, e-mail address or company containing this (any case, literally).
    pub search: Option<String>,
    /// With an account that has this way of signing in.
    pub factor: Option<SignInFactor>,
}

/// A column the customer list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerSort {
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// E-mail address.
    Email,
    /// Company.
    Company,
    /// Country.
    Country,
    /// City.
    City,
    /// Created at.
    CreatedAt,
    /// Last changed at.
    UpdatedAt,
}

impl CustomerSort {
    /// Every column, with its name in the API.
    pub const ALL: [(CustomerSort, &'static str); 8] = [
        (CustomerSort::FirstName, "first_name"),
        (CustomerSort::LastName, "last_name"),
        (CustomerSort::Email, "email"),
        (CustomerSort::Company, "company"),
        (CustomerSort::Country, "country"),
        (CustomerSort::City, "city"),
        (CustomerSort::CreatedAt, "created_at"),
        (CustomerSort::UpdatedAt, "updated_at"),
    ];

    /// The SQL it orders by (text without regard to case; missing values
    /// first, as the empty text).
    /// Whether the column is a time (stored as integer milliseconds).
    pub(crate) fn is_time(self) -> bool {
        matches!(self, CustomerSort::CreatedAt | CustomerSort::UpdatedAt)
    }

    /// [`Self::sql`] in a form that orders alike but that no index serves.
    pub(crate) fn unindexed_sql(self) -> String {
        if self.is_time() {
            format!("{} + 0", self.sql())
        } else {
            format!("{} || ''", self.sql())
        }
    }

    pub(crate) fn sql(self) -> &'static str {
        match self {
            CustomerSort::FirstName => "lower(c.first_name)",
            CustomerSort::LastName => "lower(c.last_name)",
            CustomerSort::Email => "lower(coalesce(c.email, ''))",
            CustomerSort::Company => "lower(coalesce(c.company, ''))",
            CustomerSort::Country => "lower(coalesce(c.country, ''))",
            CustomerSort::City => "lower(coalesce(c.city, ''))",
            CustomerSort::CreatedAt => "c.created_at",
            CustomerSort::UpdatedAt => "c.updated_at",
        }
    }
}
