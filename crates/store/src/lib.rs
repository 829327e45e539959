//! Gatehouse's storage: one [`Store`] interface over SQLite (the embedded
//! default) and PostgreSQL (the scale-out engine).
//!
//! Invariants owned here:
//! - Every read and write happens inside a [`Tx`]; a use case's state change,
//!   audit event and outbox mail commit together or not at all.
//! - The interface is cut by entity ([`Sites`], [`Accounts`], …, see
//!   `tx.rs`); [`Tx`] is a transaction that has every part.
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
mod metrics;
pub mod model;
pub mod oidc;
pub mod recent;
mod sql;
mod tx;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

pub use error::{StoreError, StoreResult};
pub use model::{
    Account, AccountFilter, Actor, ApiToken, AuditEvent, AuditFilter, Ceremony, Company,
    CompanyListed, Customer, CustomerFields, CustomerFilter, CustomerPage, CustomerSort,
    EmailTemplate, Group, ImportRun, LinkPurpose, LinkToken, NewMail, OutboxMessage, PasskeyRecord,
    SecondStepRecord, Session, SessionOwner, SignInFactor, SignInStep, Site, StaffUser,
};
pub use oidc::{AuthCode, Client, Consent, Grant, RefreshToken, SigningKey};
pub use recent::Recent;
pub use sql::{
    BROAD_MATCHES, ConnectOptions, check_file, connect, session_subject, sqlite_schema_version,
};
pub use tx::{
    Accounts, ApiTokens, Audit, Clients, Companies, Consents, Customers, Grants, Groups, Imports,
    Installation, Links, Outbox, Passkeys, Privacy, SecondSteps, Sessions, SigningKeys, Sites,
    Staff, Templates, Tx,
};

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
    /// Copies the whole database as it is at one moment into a new file at
    /// `path` while others keep reading and writing (SQLite; PostgreSQL is
    /// [`StoreError::Unsupported`], its own tools do it). The copy is made
    /// under a temporary name beside `path`, checked, and only then given
    /// its name: a file at `path` is always a whole, checked copy. A file
    /// already at `path` is refused ([`StoreError::Conflict`]).
    async fn backup_into(&self, path: &std::path::Path) -> StoreResult<Backup>;
    /// A transaction for reading and writing. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so writers queue instead of failing.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
    /// A transaction for reading only.
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// How many transactions (reading and writing) were begun through this
    /// handle since it connected: what a request costs the database is the
    /// difference around it (the benchmark and a test read it).
    fn transactions(&self) -> u64;
    /// How many changes this node has seen: write transactions committed
    /// through this handle, and on PostgreSQL every change another node
    /// announced ([`Tx::announce`], [`Tx::announce_about`]). A copy of a
    /// read is tagged with this number as it was before the read, and is good
    /// while [`Store::unchanged_since`] says so. `None` while this node
    /// cannot hear the others (its listening connection is lost and not yet
    /// back): no copy of a read may be used or kept then. Writes that nobody
    /// announces (the CLI on the same SQLite file) are not counted.
    fn changes_seen(&self) -> Option<u64>;
    /// Whether nothing about any of `subjects` (accounts, customers, grants,
    /// sessions by [`session_subject`]), nor anything announced about
    /// everything, was seen since [`Store::changes_seen`] was `seen`; false
    /// while this node cannot hear the others. A change to one account
    /// leaves the copies of every other account good.
    fn unchanged_since(&self, seen: u64, subjects: &[Uuid]) -> bool;
    /// How many changes to sites (their settings) and their apps this node
    /// has seen, counted as [`Store::changes_seen`] counts all changes (each
    /// of them is counted there too): a copy of a site or an app read when
    /// it was `n` is good while it stays `n`. `None` while this node cannot
    /// hear the others.
    fn site_changes_seen(&self) -> Option<u64>;
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

/// The records [`Imports::existing_ids`] looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Customers.
    Customer,
    /// Accounts.
    Account,
}

/// What [`Privacy::erase_person`] removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    /// The customer records that go too (after their accounts).
    pub customer_ids: Vec<Uuid>,
    /// The accounts.
    pub account_ids: Vec<Uuid>,
    /// Their e-mail addresses (mail to them, and audit details naming them).
    pub addresses: Vec<String>,
}

/// A copy of the database made by [`Store::backup_into`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backup {
    /// The newest migration the copy has (what `gatehouse migrate` names
    /// as its version).
    pub schema_version: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What [`Privacy::erase_person`] removed.
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
