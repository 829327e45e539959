//! Gatehouse's storage: one [`Store`] interface over SQLite (the embedded
//! default) and PostgreSQL (the scale-out engine).
//!
//! Invariants owned here:
//! - Every read and write happens inside a [`Tx`]; a use case's state change,
//!   audit event and outbox mail commit together or not at all.
//! - Both engines run the same SQL text (see `sql.rs`); the only per-engine
//!   code is connecting, migrating, the outbox claim (`SKIP LOCKED`), and on
//!   PostgreSQL telling other nodes of changes (`NOTIFY` at commit, `LISTEN`
//!   in the background: [`Store::changes_seen`]).
//! - Counters and single-use tokens change atomically in the database
//!   (`UPDATE … RETURNING`), never read-modify-write in the application.
//! - Uniqueness (login ID per site, staff e-mail, group name) is enforced by
//!   the database without regard to case, and reported as
//!   [`StoreError::Conflict`].

mod error;
pub mod model;
pub mod oidc;
pub mod recent;
mod sql;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use gatehouse_domain::{SiteSettings, Status};
use time::OffsetDateTime;
use uuid::Uuid;

pub use error::{StoreError, StoreResult};
pub use model::{
    Account, AccountFilter, Actor, ApiToken, AuditEvent, AuditFilter, Company, CompanyListed,
    Customer, CustomerFields, CustomerFilter, CustomerPage, CustomerSort, EmailTemplate, Group,
    ImportRun, LinkPurpose, LinkToken, NewMail, OutboxMessage, Session, SessionOwner, Site,
    StaffUser,
};
pub use oidc::{AuthCode, Client, Consent, Grant, OidcTx, RefreshToken, SigningKey};
pub use recent::Recent;
pub use sql::{BROAD_MATCHES, ConnectOptions, connect};

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite, a file in the data folder.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Engine {
    /// The engine a database URL names, or a sentence saying why none.
    pub fn of_url(url: &str) -> Result<Engine, String> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(Engine::Sqlite),
            "postgres" | "postgresql" => Ok(Engine::Postgres),
            _ => Err(format!(
                "the database URL must start with sqlite: or postgres:// (got '{}')",
                redact_url(url)
            )),
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A URL with any password replaced, safe to print.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => url.chars().take(80).collect(),
    }
}

/// The database, shared by every request and job as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Which engine this is.
    fn engine(&self) -> Engine;
    /// Brings the schema up to date (safe to run on every start, and from
    /// several nodes at once on PostgreSQL).
    async fn migrate(&self) -> StoreResult<()>;
    /// Succeeds when the database answers a query.
    async fn ping(&self) -> StoreResult<()>;
    /// A transaction for reading and writing. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so writers queue instead of failing.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
    /// A transaction for reading only.
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// How many changes this node has seen: write transactions committed
    /// through this handle, and on PostgreSQL every change another node
    /// announced ([`Tx::announce`]). A reader that sees the same number after
    /// reading as before knows that nothing it read was changed meanwhile by
    /// this node or by an announced change of another. `None` while this
    /// node cannot hear the others (its listening connection is lost and not
    /// yet back): no copy of a read may be used or kept then. Writes that
    /// nobody announces (the CLI on the same SQLite file) are not counted.
    fn changes_seen(&self) -> Option<u64>;
    /// Woken (one permit) each time a transaction that queued an outbox
    /// message, or made one due again, commits through this handle: the
    /// delivery worker waits on it, so that no use case has to remember to
    /// wake it. Other nodes' messages are found by the worker's polling.
    fn outbox_queued(&self) -> std::sync::Arc<tokio::sync::Notify>;
    /// Refreshes the query planner's statistics (after a bulk load, so that
    /// list queries pick their indexes by the real numbers at once instead
    /// of waiting for the engine's own schedule).
    async fn analyze(&self) -> StoreResult<()>;
    /// After an erasure: the planner's statistics of customers and
    /// accounts are gathered again (both engines keep sample values of
    /// indexed columns, a name among them), and on SQLite the write-ahead
    /// log is written back into the file and emptied, so that neither keeps
    /// what was erased.
    async fn forget_erased(&self) -> StoreResult<()>;
    /// Closes every connection.
    async fn close(&self);
}

/// The records [`Tx::existing_ids`] looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Customers.
    Customer,
    /// Accounts.
    Account,
}

/// What [`Tx::erase_person`] removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    /// The customer records that go too (after their accounts).
    pub customer_ids: Vec<Uuid>,
    /// The accounts.
    pub account_ids: Vec<Uuid>,
    /// Their e-mail addresses (mail to them, and audit details naming them).
    pub addresses: Vec<String>,
}

/// What [`Tx::erase_person`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    /// Accounts deleted.
    pub accounts: u64,
    /// Mails deleted.
    pub mails: u64,
    /// Audit events emptied.
    pub audit_events: u64,
}

/// Shared handle to the store.
pub type DynStore = Arc<dyn Store>;

/// One transaction. Dropped without [`Tx::commit`], it rolls back. The
/// OpenID provider's records are its [`OidcTx`] part.
#[async_trait]
pub trait Tx: OidcTx + Send {
    /// Makes every change of this transaction durable.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Tells the other nodes, when this transaction commits, that copies of
    /// reads they hold may be stale. Every write that can end a session or
    /// change what a signed-in request reads (accounts, sessions, customers,
    /// site settings) does it itself; a use case calls it only for a change
    /// of its own kind.
    fn announce(&mut self);

    // ---- sites
    /// Adds a site; a taken key is a conflict.
    async fn insert_site(&mut self, site: &Site) -> StoreResult<()>;
    /// The site with this key.
    async fn site_by_key(&mut self, key: &str) -> StoreResult<Option<Site>>;
    /// The site with this ID.
    async fn site_by_id(&mut self, id: Uuid) -> StoreResult<Option<Site>>;
    /// Every site, by key.
    async fn list_sites(&mut self) -> StoreResult<Vec<Site>>;
    /// Replaces a site's settings.
    async fn update_site_settings(&mut self, id: Uuid, settings: &SiteSettings) -> StoreResult<()>;

    // ---- groups
    /// Adds a group; a taken name (any case) is a conflict.
    async fn insert_group(&mut self, group: &Group) -> StoreResult<()>;
    /// Every group, by name.
    async fn list_groups(&mut self) -> StoreResult<Vec<Group>>;
    /// Replaces a group's name, description and active flag.
    async fn update_group(&mut self, group: &Group) -> StoreResult<()>;
    /// How many customers a group has.
    async fn group_size(&mut self, id: Uuid) -> StoreResult<i64>;
    /// Removes a group; one with members is [`StoreError::Referenced`].
    async fn delete_group(&mut self, id: Uuid) -> StoreResult<()>;

    // ---- companies
    /// Adds a company; a taken name key or external ID is a conflict (the
    /// text names `name_key` or `external_id`).
    async fn insert_company(&mut self, company: &Company) -> StoreResult<()>;
    /// Replaces a company's data; a new name is written into its customers'
    /// records too (their `company` and search text), in the same
    /// transaction.
    async fn update_company(&mut self, company: &Company) -> StoreResult<()>;
    /// The company with this ID.
    async fn company_by_id(&mut self, id: Uuid) -> StoreResult<Option<Company>>;
    /// The company with this name key (see `gatehouse_domain::company_key`).
    async fn company_by_key(&mut self, name_key: &str) -> StoreResult<Option<Company>>;
    /// A page of companies by name, those whose name or external ID
    /// contains `search` (any case) when given, with their counts.
    async fn list_companies(
        &mut self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CompanyListed>>;
    /// The first `limit` company names, by name (for pickers; no counts).
    async fn company_names(&mut self, limit: i64) -> StoreResult<Vec<String>>;
    /// How many companies `list_companies` would list in all.
    async fn count_companies(&mut self, search: Option<&str>) -> StoreResult<i64>;
    /// The live (not deleted) accounts on a site whose customers belong to
    /// a company, by login ID, at most `limit`.
    async fn team_accounts(
        &mut self,
        site_id: Uuid,
        company_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<Account>>;
    /// Removes a company; one with customers is [`StoreError::Referenced`].
    async fn delete_company(&mut self, id: Uuid) -> StoreResult<()>;
    /// Customers with a free-text company (blank ones too) and no company
    /// record (written before companies were records), at most `limit`.
    async fn customers_without_company_record(&mut self, limit: i64) -> StoreResult<Vec<Customer>>;

    // ---- customers
    /// Adds a customer.
    async fn insert_customer(&mut self, customer: &Customer) -> StoreResult<()>;
    /// Adds many customers in few statements (for `gatehouse seed` and imports).
    async fn insert_customers(&mut self, customers: &[Customer]) -> StoreResult<()>;
    /// Adds many accounts in few statements; a login ID taken on its site
    /// (any case) is a conflict and none of the statement's rows is added.
    async fn insert_accounts(&mut self, accounts: &[Account]) -> StoreResult<()>;
    /// Which of these login IDs are taken on the site (compared without
    /// case); answered in lowercase.
    async fn taken_login_ids(
        &mut self,
        site_id: Uuid,
        login_ids: &[String],
    ) -> StoreResult<Vec<String>>;
    /// Which of these IDs a customer or an account has already.
    async fn existing_ids(&mut self, kind: IdKind, ids: &[Uuid]) -> StoreResult<Vec<Uuid>>;
    /// Removes a customer; one with accounts is [`StoreError::Referenced`].
    async fn delete_customer(&mut self, id: Uuid) -> StoreResult<()>;
    /// Replaces a customer's data and `updated_at`.
    async fn update_customer(&mut self, customer: &Customer) -> StoreResult<()>;
    /// A page of the customer list: filtered, sorted (ties by ID), paged.
    /// `broad` says that more than [`BROAD_MATCHES`] customers match (as
    /// `count_customers` found): the page is then looked for first by walking
    /// the sort order, which finds a page of a large match set after a few
    /// hundred rows instead of collecting and sorting every match.
    async fn list_customers(
        &mut self,
        filter: &CustomerFilter,
        page: &CustomerPage,
        broad: bool,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>>;
    /// How many customers a filter matches, counting no further than
    /// `cap` + 1 when a cap is given (so that "more than `cap`" costs what
    /// counting `cap` rows costs, not what counting a million does).
    async fn count_customers(
        &mut self,
        filter: &CustomerFilter,
        now: OffsetDateTime,
        cap: Option<i64>,
    ) -> StoreResult<i64>;
    /// The next customers matching a filter after `after` in ID order (for
    /// streaming an export in constant memory).
    async fn customers_after(
        &mut self,
        filter: &CustomerFilter,
        after: Option<Uuid>,
        limit: i64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>>;
    /// Customers whose name, e-mail address, company or phone contains the
    /// text (any case), at most `limit`.
    async fn search_customers(&mut self, text: &str, limit: i64) -> StoreResult<Vec<Customer>>;
    /// Customers that may be the same person or company as the given data:
    /// the same e-mail address, the same first and last name, the same
    /// company, or the same phone (any case).
    async fn customer_candidates(
        &mut self,
        email: &str,
        first_name: &str,
        last_name: &str,
        company: &str,
        phone: &str,
    ) -> StoreResult<Vec<Customer>>;
    /// The customer with this ID.
    async fn customer_by_id(&mut self, id: Uuid) -> StoreResult<Option<Customer>>;
    /// Several customers (those of a page of accounts) in one query; at most
    /// 500.
    async fn customers_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Customer>>;

    // ---- accounts
    /// Adds an account; a login ID taken on the site (any case) is a conflict.
    async fn insert_account(&mut self, account: &Account) -> StoreResult<()>;
    /// The account with this ID.
    async fn account_by_id(&mut self, id: Uuid) -> StoreResult<Option<Account>>;
    /// The account with this login ID on the site, compared without case.
    async fn account_by_login_id(
        &mut self,
        site_id: Uuid,
        login_id: &str,
    ) -> StoreResult<Option<Account>>;
    /// The account with this e-mail address on the site, compared without
    /// case; a live one before a deleted one.
    async fn account_by_email(
        &mut self,
        site_id: Uuid,
        email: &str,
    ) -> StoreResult<Option<Account>>;
    /// Writes an account back if nobody changed it since it was read
    /// (same `version`), else [`StoreError::Stale`]. Answers the new version.
    async fn save_account(&mut self, account: &Account) -> StoreResult<i64>;
    /// Accounts matching a filter at `now` (the status is derived in SQL),
    /// newest registration first.
    async fn list_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Account>>;
    /// How many accounts match a filter at `now`.
    async fn count_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// How many accounts match a filter (its status aside) in each status at
    /// `now`, one pair per status in `Status::ALL` order, in one query.
    async fn count_accounts_by_status(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Status, i64)>>;
    /// Registrations per UTC day since `since` (on one site, or all): pairs
    /// of (days since 1970-01-01, count), days without one left out.
    async fn registrations_per_day(
        &mut self,
        site_id: Option<Uuid>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// The accounts of a customer.
    async fn accounts_of_customer(&mut self, customer_id: Uuid) -> StoreResult<Vec<Account>>;
    /// The accounts of several customers (a page of the customer list), in
    /// one query; at most 500 customers.
    async fn accounts_of_customers(&mut self, customer_ids: &[Uuid]) -> StoreResult<Vec<Account>>;
    /// Adds one failed attempt atomically; answers the new count, or `None`
    /// when there is no such account.
    async fn record_failed_attempt(&mut self, id: Uuid) -> StoreResult<Option<u32>>;

    // ---- staff
    /// Adds a staff user; a taken e-mail address (any case) is a conflict.
    async fn insert_staff(&mut self, staff: &StaffUser) -> StoreResult<()>;
    /// The staff user with this e-mail address, compared without case.
    async fn staff_by_email(&mut self, email: &str) -> StoreResult<Option<StaffUser>>;
    /// The staff user with this ID.
    async fn staff_by_id(&mut self, id: Uuid) -> StoreResult<Option<StaffUser>>;
    /// Sets a staff user's password hash.
    async fn set_staff_password(&mut self, id: Uuid, password_hash: &str) -> StoreResult<()>;
    /// Sets or clears a staff user's TOTP secret.
    async fn set_staff_totp(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()>;
    /// Every staff user, by e-mail address.
    async fn list_staff(&mut self) -> StoreResult<Vec<StaffUser>>;
    /// Changes a staff user's role and active flag.
    async fn update_staff(
        &mut self,
        id: Uuid,
        role: gatehouse_domain::StaffRole,
        active: bool,
    ) -> StoreResult<()>;
    /// Records a staff user's sign-in.
    async fn record_staff_login(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;
    /// How many staff users exist.
    async fn count_staff(&mut self) -> StoreResult<i64>;

    // ---- sessions
    /// Stores a new session.
    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;
    /// The session whose token hashes to this.
    async fn session_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// The sessions of an account, newest first.
    async fn list_account_sessions(&mut self, account_id: Uuid) -> StoreResult<Vec<Session>>;
    /// Records activity and pushes the idle expiry.
    async fn touch_session(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Sessions of this account opened by this staff user impersonating it.
    async fn delete_impersonations(&mut self, account_id: Uuid, staff_id: Uuid)
    -> StoreResult<u64>;
    /// Ends every console session of a staff user; answers how many.
    async fn delete_staff_sessions(&mut self, staff_id: Uuid) -> StoreResult<u64>;
    /// Ends one session; answers whether it existed.
    async fn delete_session(&mut self, token_hash: &[u8]) -> StoreResult<bool>;
    /// Ends every session of an account but `keep`; answers how many ended.
    async fn delete_account_sessions(
        &mut self,
        account_id: Uuid,
        keep: Option<&[u8]>,
    ) -> StoreResult<u64>;

    // ---- single-use links
    /// Stores a link token.
    async fn insert_link_token(&mut self, token: &LinkToken) -> StoreResult<()>;
    /// Uses a token once: answers it if it exists, has this purpose, is not
    /// used and not expired, and marks it used in the same statement.
    async fn consume_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>>;
    /// The token if it exists, has this purpose, is unused and unexpired;
    /// it stays usable.
    async fn peek_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>>;
    /// The account of a token of this purpose that was used already (to
    /// tell someone who follows their link twice what became of it).
    async fn used_link_account(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>>;
    /// Voids every unused token of this purpose (for this account, or with no
    /// account when `None`); answers how many.
    async fn void_link_tokens(
        &mut self,
        account_id: Option<Uuid>,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;

    // ---- API tokens
    /// Stores an API token.
    async fn insert_api_token(&mut self, token: &ApiToken) -> StoreResult<()>;
    /// The API token whose secret hashes to this.
    async fn api_token_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<ApiToken>>;
    /// Every API token, newest first.
    async fn list_api_tokens(&mut self) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token; answers whether it was live.
    async fn revoke_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;
    /// Records that a token was used now.
    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;

    // ---- outbox
    /// Queues a mail for delivery.
    async fn enqueue_mail(
        &mut self,
        id: Uuid,
        mail: &NewMail,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Claims up to `limit` due mails for delivery until `lease_until`; a
    /// mail claimed by one node is skipped by the others until its lease ends.
    async fn claim_mail(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Gives back claimed mails that were not sent (a node stopping): they
    /// are due again at once for any node, and the claim is not counted as
    /// an attempt.
    async fn release_mail(&mut self, ids: &[Uuid]) -> StoreResult<u64>;
    /// Marks a mail delivered.
    async fn mark_mail_sent(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;
    /// Records a failed delivery: tried again at `retry_at`, or failed for
    /// good when `None`.
    async fn mark_mail_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()>;
    /// The newest outbox messages, of one status when given.
    async fn list_outbox(
        &mut self,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// One outbox message.
    async fn outbox_by_id(&mut self, id: Uuid) -> StoreResult<Option<OutboxMessage>>;
    /// Makes a failed or waiting message due now; answers whether it was one.
    async fn retry_mail(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;

    // ---- audit
    /// Appends an audit event.
    async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<()>;
    /// The newest audit events, newest first.
    async fn list_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditEvent>>;
    /// Audit events matching a filter, newest first.
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// The audit events of one target (an account, a staff user, …), newest first.
    async fn audit_of(&mut self, target_id: Uuid, limit: i64) -> StoreResult<Vec<AuditEvent>>;

    // ---- personal data
    /// The mail queued or sent to any of these addresses (any case),
    /// newest first, at most `limit`.
    async fn outbox_to(
        &mut self,
        addresses: &[String],
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Removes people for good: their accounts (and with them their
    /// sessions, links, app grants and consents), the customer records
    /// given, every mail to their addresses, every console import whose
    /// report names an address of theirs, and the personal data in audit
    /// events about them, by them, or naming an address of theirs (the
    /// events stay, their details emptied and the actor's name replaced by
    /// "erased").
    async fn erase_person(&mut self, erasure: &Erasure) -> StoreResult<Erased>;
    /// Deleted accounts on a site deleted before `before`, oldest first, at
    /// most `limit`.
    async fn deleted_accounts_before(
        &mut self,
        site_id: Uuid,
        before: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Account>>;
    /// Takes the lease on a job for `holder` until `until` if nobody holds
    /// it at `now` (or `holder` does already); answers whether it did.
    async fn claim_job(
        &mut self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<bool>;

    // ---- console imports
    /// Records an import as it starts.
    async fn insert_import_run(&mut self, run: &ImportRun) -> StoreResult<()>;
    /// An import by ID.
    async fn import_run(&mut self, id: Uuid) -> StoreResult<Option<ImportRun>>;
    /// Writes an import's progress and heartbeat (nothing once it has ended).
    async fn record_import_progress(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Writes an import's outcome (JSON) and final progress.
    async fn finish_import_run(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        outcome: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Removes the imports started before `before`; answers how many.
    async fn delete_import_runs_before(&mut self, before: OffsetDateTime) -> StoreResult<u64>;

    // ---- installation settings
    /// A setting of the whole installation (JSON text), if set.
    async fn installation_setting(&mut self, key: &str) -> StoreResult<Option<String>>;
    /// Sets a setting of the whole installation.
    async fn set_installation_setting(&mut self, key: &str, value: &str) -> StoreResult<()>;

    // ---- e-mail templates
    /// Stores an admin's template override.
    async fn upsert_template(&mut self, template: &EmailTemplate) -> StoreResult<()>;
    /// Every override of a site.
    async fn list_templates(&mut self, site_id: Uuid) -> StoreResult<Vec<EmailTemplate>>;
    /// Removes an override (the shipped default applies again); answers
    /// whether there was one.
    async fn delete_template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<bool>;
    /// The override for this site, key and language.
    async fn template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<Option<EmailTemplate>>;
}
