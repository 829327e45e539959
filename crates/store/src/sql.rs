//! The SQL behind [`Store`] for both engines.
//!
//! Each operation is written once: the `on!` macro expands its body for the
//! SQLite and the PostgreSQL transaction, and the compiler checks both. The
//! SQL uses `$n` parameters, which both engines accept, and only portable
//! syntax (`RETURNING`, `lower()`, `ON CONFLICT`). Per-engine code is limited
//! to connecting, the migrations folder, and the outbox claim, where
//! PostgreSQL adds `FOR UPDATE SKIP LOCKED` (SQLite has one writer at a time).
//!
//! This file holds the pool, the transaction (`SqlTx`) and the macros every
//! statement uses; what a node has seen change (its own writes, and other
//! nodes' announcements heard) is `sql/changes.rs`; each part of
//! the interface is implemented in `sql/<entity>.rs` beside it, and the
//! customer list's planner in `sql/customer_list.rs`. Every method there
//! opens a `debug` span named `store.<entity>.<method>` that records IDs
//! only, and times itself into `gatehouse_store_operation_seconds`.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use gatehouse_domain::{SiteSettings, Status, company_key};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Connection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{
    AccountRow, ApiTokenRow, AuditRow, OutboxRow, SessionRow, SiteRow, StaffRow, lock_columns,
    stage_str, to_ms,
};
use crate::oidc::{
    AuthCode, Client, ClientRow, Consent, Grant, RefreshToken, SigningKey, grant_types_json,
    list_json,
};
use crate::recent::Recent;
use crate::{
    Account, AccountFilter, ApiToken, AuditEvent, AuditFilter, Company, CompanyListed, Customer,
    CustomerFilter, CustomerPage, CustomerSort, DynStore, EmailTemplate, Engine, Erased, Erasure,
    Group, IdKind, ImportRun, LinkPurpose, LinkToken, NewMail, OutboxMessage, Session,
    SessionOwner, Site, StaffUser, Store, StoreError, StoreResult, Tx,
};
pub use backup::{check_file, sqlite_schema_version};
pub use changes::session_subject;
use changes::{Announced, CHANGES_CHANNEL, Seen, hear_other_nodes};
pub use customer_list::BROAD_MATCHES;
use customer_list::{BOUND_TTL, TrigramDocs, WalkBounds};
use rows::{Cell, account_cells, bind_cells, copy_text, customer_cells};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Most connections in the pool.
    pub max_connections: u32,
    /// How long to wait for a connection before giving up.
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Opens the database a URL names (`sqlite:…` or `postgres://…`). Fails with
/// [`StoreError::Unavailable`] when it cannot be reached.
pub async fn connect(url: &str, options: &ConnectOptions) -> StoreResult<DynStore> {
    let engine = Engine::of_url(url).map_err(StoreError::BadUrl)?;
    let pool = match engine {
        Engine::Sqlite => {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                .create_if_missing(true)
                .foreign_keys(true)
                // Freed pages are zeroed: an erased customer leaves no trace
                // in the file.
                .pragma("secure_delete", "ON")
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                // sqlx would log whole statements (a bulk insert is ~100 KB of
                // text); slow queries are for the metrics, not the log.
                .log_statements(log::LevelFilter::Off)
                .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(1));
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Pool::Sqlite(pool)
        }
        Engine::Postgres => {
            let connect = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                .log_statements(log::LevelFilter::Off)
                .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(1));
            // One direct connection first: a pool only says it timed out,
            // while this says why (refused, unknown host, bad password…).
            let probe = tokio::time::timeout(
                options.acquire_timeout,
                sqlx::PgConnection::connect_with(&connect),
            )
            .await
            .map_err(|_| StoreError::Unavailable("no answer from the server in time".into()))??;
            let _ = probe.close().await;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Pool::Postgres(pool)
        }
    };
    // SQLite has no other nodes to hear; PostgreSQL hears nothing until its
    // listener has said LISTEN.
    let seen = Arc::new(Seen::new(engine == Engine::Sqlite));
    let listener = match &pool {
        Pool::Postgres(p) => Some(tokio::spawn(hear_other_nodes(p.clone(), Arc::clone(&seen)))),
        Pool::Sqlite(_) => None,
    };
    Ok(Arc::new(SqlStore {
        pool,
        seen,
        queued: Arc::new(tokio::sync::Notify::new()),
        listener: std::sync::Mutex::new(listener),
        bounds: Arc::new(Recent::new(BOUND_TTL)),
        trigrams: Arc::new(Recent::new(BOUND_TTL)),
        begun: AtomicU64::new(0),
        writer: (engine == Engine::Sqlite).then(|| Arc::new(tokio::sync::Semaphore::new(1))),
    }))
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug)]
struct SqlStore {
    pool: Pool,
    /// What this node has seen change (see [`Store::changes_seen`]).
    seen: Arc<Seen>,
    /// Woken when a transaction that queued outbox messages commits.
    queued: Arc<tokio::sync::Notify>,
    /// The task that hears other nodes (PostgreSQL).
    listener: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Recent walk bounds of the customer list.
    bounds: Arc<WalkBounds>,
    /// Recent search-vocabulary counts (SQLite).
    trigrams: Arc<TrigramDocs>,
    /// Transactions begun through this handle (see [`Store::transactions`]).
    begun: AtomicU64,
    /// SQLite's one writer, as a queue in this process: a write transaction
    /// waits here, first come first served, instead of in SQLite's busy
    /// handler, which sleeps in growing steps (1, 2, 5 … 100 ms) and let a
    /// few writers wait hundreds of milliseconds under load. `None` on
    /// PostgreSQL. Other processes on the same file still meet SQLite's own
    /// lock (and its busy timeout).
    writer: Option<Arc<tokio::sync::Semaphore>>,
}

/// How long a write waits for SQLite's one writer before it gives up, as
/// the busy timeout did before.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// The newest migration applied to the database of `$pool` (`None`: none
/// yet); `$exists` asks the engine whether the migrations table is there.
macro_rules! newest_migration {
    ($pool:expr, $exists:literal) => {{
        let exists: bool = sqlx::query_scalar($exists).fetch_one($pool).await?;
        if exists {
            sqlx::query_scalar::<_, Option<i64>>("SELECT max(version) FROM _sqlx_migrations")
                .fetch_one($pool)
                .await?
        } else {
            None
        }
    }};
}

#[async_trait]
impl Store for SqlStore {
    fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        // A database a newer binary migrated is left as it is, with words
        // that say so (sqlx would say a migration is "missing").
        let known = |m: &sqlx::migrate::Migrator| m.iter().map(|m| m.version).max().unwrap_or(0);
        match &self.pool {
            Pool::Sqlite(p) => {
                let newest = newest_migration!(
                    p,
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations')"
                );
                backup::not_newer(newest, known(&SQLITE_MIGRATIONS))?;
                SQLITE_MIGRATIONS.run(p).await?
            }
            Pool::Postgres(p) => {
                let newest =
                    newest_migration!(p, "SELECT to_regclass('_sqlx_migrations') IS NOT NULL");
                backup::not_newer(newest, known(&POSTGRES_MIGRATIONS))?;
                POSTGRES_MIGRATIONS.run(p).await?
            }
        }
        Ok(())
    }

    async fn backup_into(&self, path: &std::path::Path) -> StoreResult<crate::Backup> {
        match &self.pool {
            Pool::Sqlite(p) => backup::sqlite_into(p, path).await,
            Pool::Postgres(_) => Err(StoreError::Unsupported(
                "on PostgreSQL, take backups with pg_dump (pg_dump --format=custom --file=gatehouse.dump DATABASE_URL) and restore them with pg_restore; see docs/deploy.md".into(),
            )),
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        self.begun.fetch_add(1, Ordering::Relaxed);
        let turn = match &self.writer {
            Some(writer) => {
                let wait = tokio::time::timeout(WRITER_WAIT, Arc::clone(writer).acquire_owned());
                match wait.await {
                    Ok(Ok(permit)) => Some(permit),
                    Ok(Err(_)) | Err(_) => {
                        return Err(StoreError::Unavailable(
                            "the database is busy with other writes; try again".into(),
                        ));
                    }
                }
            }
            None => None,
        };
        let inner = match &self.pool {
            Pool::Sqlite(p) => Inner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Inner::Postgres(p.begin().await?),
        };
        Ok(Box::new(SqlTx {
            inner,
            seen: Some(Arc::clone(&self.seen)),
            announced: Announced::Nothing,
            queued: Some(Arc::clone(&self.queued)),
            wakes_delivery: false,
            bounds: Arc::clone(&self.bounds),
            trigrams: Arc::clone(&self.trigrams),
            _turn: turn,
        }))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        self.begun.fetch_add(1, Ordering::Relaxed);
        let inner = match &self.pool {
            Pool::Sqlite(p) => Inner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Inner::Postgres(p.begin_with("BEGIN READ ONLY").await?),
        };
        Ok(Box::new(SqlTx {
            inner,
            seen: None,
            announced: Announced::Nothing,
            queued: None,
            wakes_delivery: false,
            bounds: Arc::clone(&self.bounds),
            trigrams: Arc::clone(&self.trigrams),
            _turn: None,
        }))
    }

    async fn analyze(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ())?,
            // VACUUM as well: it sets the visibility map that lets index-only
            // scans skip the table (a bulk load leaves it unset).
            Pool::Postgres(p) => sqlx::query("VACUUM (ANALYZE) customers, accounts")
                .execute(p)
                .await
                .map(|_| ())?,
        }
        Ok(())
    }

    async fn forget_erased(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // Only tables analysed before have samples (sqlite_stat4)
                // to replace.
                let analysed: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
                )
                .fetch_one(p)
                .await?;
                if analysed > 0 {
                    sqlx::query("ANALYZE customers").execute(p).await?;
                    sqlx::query("ANALYZE accounts").execute(p).await?;
                }
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("ANALYZE customers, accounts")
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    fn outbox_queued(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.queued)
    }

    fn transactions(&self) -> u64 {
        self.begun.load(Ordering::Relaxed)
    }

    fn changes_seen(&self) -> Option<u64> {
        self.seen.count()
    }

    fn unchanged_since(&self, seen: u64, subjects: &[Uuid]) -> bool {
        self.seen.unchanged_since(seen, subjects)
    }

    fn site_changes_seen(&self) -> Option<u64> {
        self.seen.sites()
    }

    async fn close(&self) {
        if let Some(listener) = self.listener.lock().ok().and_then(|mut l| l.take()) {
            listener.abort();
        }
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

struct SqlTx {
    inner: Inner,
    /// What the store has seen change, for a write transaction.
    seen: Option<Arc<Seen>>,
    /// What this transaction changed that copies of reads may hold: told
    /// to this node and the others at commit.
    announced: Announced,
    /// The store's outbox wake-up, for a write transaction.
    queued: Option<Arc<tokio::sync::Notify>>,
    /// Whether this transaction made an outbox message due.
    wakes_delivery: bool,
    /// The store's recent walk bounds.
    bounds: Arc<WalkBounds>,
    /// The store's recent search-vocabulary counts.
    trigrams: Arc<TrigramDocs>,
    /// SQLite's writer turn, held until the transaction ends.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl SqlTx {
    /// A site or an app changes: every copy of one goes at commit, on this
    /// node and (announced) on the others.
    fn announce_site_change(&mut self) {
        self.announced.sites();
    }

    fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }
}

/// Runs one body against whichever engine the transaction is on; `$c` is the
/// transaction, so queries take `&mut **$c`.
macro_rules! on {
    ($self:ident, $c:ident => $body:expr) => {
        match &mut $self.inner {
            Inner::Sqlite($c) => $body,
            Inner::Postgres($c) => $body,
        }
    };
}

/// Runs one statement on either engine; answers the rows it changed.
macro_rules! exec {
    ($self:ident, $query:expr) => {
        on!($self, c => $query.execute(&mut **c).await.map(|r| r.rows_affected()))
    };
}

/// Fetches at most one row of `$row` and converts it to its record (a
/// record that derives `FromRow` is its own row).
macro_rules! fetch_optional {
    ($self:ident, $row:ty, $query:expr) => {{
        let row: Option<$row> = on!($self, c => $query.fetch_optional(&mut **c).await)?;
        row.map(|r| TryInto::try_into(r).map_err(StoreError::from)).transpose()
    }};
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `VALUES` list of a multi-row insert: `rows` groups of `columns`
/// placeholders. SQLite looks `$n` names up one by one (quadratic in the
/// number of parameters), so it gets anonymous `?`, which need no lookup.
fn value_rows(engine: Engine, rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        out.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            match engine {
                Engine::Sqlite => out.push('?'),
                Engine::Postgres => out.push_str(&format!("${}", row * columns + column + 1)),
            }
        }
        out.push(')');
    }
    out
}

impl SqlTx {
    /// Inserts whole rows of `table`. On PostgreSQL, many rows go in as
    /// one `COPY … FROM STDIN` (no parameters to bind and no statement to
    /// plan: an import of 100 000 rows took 7.9 s instead of 8.7 s, and 4 MiB
    /// less memory); otherwise as
    /// multi-row `VALUES` lists under both engines' limit on parameters. A
    /// single row keeps one statement text, which stays prepared.
    async fn insert_rows<T: Sync, const N: usize>(
        &mut self,
        table: &str,
        columns: &str,
        rows: &[T],
        cells: for<'a> fn(&'a T) -> [Cell<'a>; N],
    ) -> StoreResult<()> {
        /// From this many rows on, PostgreSQL gets a `COPY`.
        const COPY_FROM: usize = 64;
        /// Bytes sent to the server at a time during a `COPY`.
        const COPY_BUFFER: usize = 1 << 20;
        if let Inner::Postgres(c) = &mut self.inner
            && rows.len() >= COPY_FROM
        {
            let mut copy = c
                .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
                .await?;
            let mut buffer = Vec::with_capacity(COPY_BUFFER + 4096);
            for (i, row) in rows.iter().enumerate() {
                copy_text(&mut buffer, &cells(row));
                if (buffer.len() >= COPY_BUFFER || i + 1 == rows.len())
                    && let Err(e) = copy.send(std::mem::take(&mut buffer)).await
                {
                    // Ends the COPY so that the connection can be used (to
                    // roll back) again; the send's error is the news.
                    let _ = copy.abort("the client could not send a row").await;
                    return Err(e.into());
                }
            }
            copy.finish().await?;
            return Ok(());
        }
        // SQLite takes at most 32 766 parameters a statement, PostgreSQL 65 535.
        for chunk in rows.chunks(32_000 / N) {
            let sql = format!(
                "INSERT INTO {table} ({columns}) VALUES {}",
                value_rows(self.engine(), chunk.len(), N)
            );
            on!(self, c => {
                let q = bind_cells!(
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
                    chunk.iter().flat_map(cells)
                );
                q.execute(&mut **c).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}

/// The rows whose key is one of `ids` (the first 500): `$sql` has `{}`
/// where the `IN` list's placeholders go. No IDs, no query.
macro_rules! fetch_in {
    ($self:ident, $row:ty, $sql:literal, $ids:expr) => {{
        let ids: &[Uuid] = &$ids[..$ids.len().min(500)];
        if ids.is_empty() {
            Ok(Vec::new())
        } else {
            let sql = format!($sql, placeholders(ids.len()));
            let rows: Vec<$row> = on!($self, c => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **c).await
            })?;
            convert_all(rows)
        }
    }};
}

macro_rules! fetch_all {
    ($self:ident, $row:ty, $query:expr) => {{
        let rows: Vec<$row> = on!($self, c => $query.fetch_all(&mut **c).await)?;
        convert_all(rows)
    }};
}

/// The derived status as SQL, `$1` being now in ms (the lifecycle's order: deleted,
/// else blocked, else locked, else the stage). Kept in step with
/// `AccountState::status`; a test compares them.
macro_rules! account_filter_sql {
    () => {
        concat!(
        " WHERE ($2 IS NULL OR site_id = $2) \
          AND ($3 IS NULL OR lower(login_id) LIKE $3 ESCAPE '\\' OR lower(email) LIKE $3 ESCAPE '\\' OR lower(first_name) LIKE $3 ESCAPE '\\' \
               OR lower(last_name) LIKE $3 ESCAPE '\\' OR lower(coalesce(company, '')) LIKE $3 ESCAPE '\\') \
          AND ($4 IS NULL OR $4 = ",
            account_status_sql!(),
            ")"
        )
    };
}

/// An account's derived status at `$1`, in SQL: its stored standing, or
/// locked while a temporary lock runs (`AccountState::standing` in the
/// domain is the rule; the store contract test holds the two to agreeing).
macro_rules! account_status_sql {
    () => {
        "CASE WHEN standing IN ('unverified', 'pending', 'active') AND lock_until > $1 THEN 'locked' \
         ELSE standing END"
    };
}

/// A `LIKE` pattern matching text containing `needle` literally (`%`, `_`
/// and `\` taken as themselves), lowercased.
fn contains_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R>,
    StoreError: From<T::Error>,
{
    rows.into_iter()
        .map(|r| T::try_from(r).map_err(StoreError::from))
        .collect()
}

fn link_token(
    token_hash: &[u8],
    purpose: LinkPurpose,
    (account_id, created_at, expires_at, staff_id): (Option<Uuid>, i64, i64, Option<Uuid>),
) -> StoreResult<LinkToken> {
    Ok(LinkToken {
        token_hash: token_hash.to_vec(),
        purpose,
        account_id,
        staff_id,
        created_at: crate::model::from_ms(created_at)?,
        expires_at: crate::model::from_ms(expires_at)?,
    })
}

fn settings_json(settings: &SiteSettings) -> StoreResult<String> {
    serde_json::to_string(settings).map_err(|e| StoreError::Other(format!("settings: {e}")))
}

/// The claim of due outbox mail; `$lock` is where PostgreSQL adds its row lock.
macro_rules! claim_mail_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 WHERE id IN (",
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ",
            "AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at LIMIT $3",
            $lock,
            ") RETURNING *"
        )
    };
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        match self.inner {
            Inner::Sqlite(t) => t.commit().await?,
            Inner::Postgres(mut t) => {
                // NOTIFY is transactional: the other nodes hear it when, and
                // only if, the change commits.
                if let (true, Some(seen)) = (self.announced.is_news(), &self.seen) {
                    sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANGES_CHANNEL)
                        .bind(self.announced.say(&seen.node))
                        .execute(&mut *t)
                        .await?;
                }
                t.commit().await?
            }
        }
        if let Some(seen) = &self.seen {
            seen.saw(&self.announced);
        }
        if let (true, Some(queued)) = (self.wakes_delivery, self.queued) {
            queued.notify_one();
        }
        Ok(())
    }

    fn announce(&mut self) {
        self.announced.everything();
    }

    fn announce_about(&mut self, subject: Uuid) {
        self.announced.about(subject);
    }
}

mod accounts;
mod api_tokens;
mod audit;
mod backup;
mod changes;
mod clients;
mod companies;
mod consents;
mod customer_list;
mod customers;
mod grants;
mod groups;
mod imports;
mod installation;
mod links;
mod outbox;
mod passkeys;
mod privacy;
mod rows;
mod second_steps;
mod sessions;
mod signing_keys;
mod sites;
mod staff;
mod templates;
