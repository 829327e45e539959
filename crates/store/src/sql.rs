//! The SQL behind [`Store`] for both engines.
//!
//! Each operation is written once: the `on!` macro expands its body for the
//! SQLite and the PostgreSQL transaction, and the compiler checks both. The
//! SQL uses `$n` parameters, which both engines accept, and only portable
//! syntax (`RETURNING`, `lower()`, `ON CONFLICT`). Per-engine code is limited
//! to connecting, the migrations folder, and the outbox claim, where
//! PostgreSQL adds `FOR UPDATE SKIP LOCKED` (SQLite has one writer at a time).

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use gatehouse_domain::{SiteSettings, Status, company_key};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Connection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{
    AccountRow, ApiTokenRow, AuditRow, CompanyListedRow, CompanyRow, CustomerRow, ImportRunRow,
    OutboxRow, SessionRow, SiteRow, StaffRow, lock_columns, stage_str, to_ms,
};
use crate::recent::Recent;
use crate::{
    Account, AccountFilter, ApiToken, AuditEvent, AuditFilter, Company, CompanyListed, Customer,
    CustomerFilter, CustomerPage, CustomerSort, DynStore, EmailTemplate, Engine, Erased, Erasure,
    Group, IdKind, ImportRun, LinkPurpose, LinkToken, NewMail, OutboxMessage, Session,
    SessionOwner, Site, StaffUser, Store, StoreError, StoreResult, Tx,
};
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
    let seen = Arc::new(Seen {
        count: AtomicU64::new(0),
        // SQLite has no other nodes to hear; PostgreSQL hears nothing until
        // its listener has said LISTEN.
        listening: AtomicBool::new(engine == Engine::Sqlite),
        node: Uuid::now_v7().to_string(),
    });
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
    }))
}

/// The PostgreSQL channel on which a node announces changes that other
/// nodes' copies of reads may hold (see [`Tx::announce`]).
pub const CHANGES_CHANNEL: &str = "gatehouse_changes";

/// What this node has seen change (see [`Store::changes_seen`]).
#[derive(Debug)]
struct Seen {
    /// Write transactions committed through this handle, plus changes other
    /// nodes announced, plus one each time listening starts again.
    count: AtomicU64,
    /// Whether announcements of other nodes reach this one now.
    listening: AtomicBool,
    /// This handle's name in its own announcements (it has counted its own
    /// writes already).
    node: String,
}

impl Seen {
    fn bump(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// Other nodes cannot be heard: nothing read so far may be used, and
    /// nothing read from now on may be kept, until listening again.
    fn deaf(&self) {
        self.listening.store(false, Ordering::SeqCst);
        self.bump();
    }

    /// Listening again: whatever was announced meanwhile is lost, so every
    /// copy from before is stale.
    fn hearing(&self) {
        self.bump();
        self.listening.store(true, Ordering::SeqCst);
    }
}

/// Listens for other nodes' announcements for as long as the pool is open:
/// each one makes every copy of a read on this node stale. A lost listening
/// connection makes the node deaf (no copies used) until it listens again.
async fn hear_other_nodes(pool: PgPool, seen: Arc<Seen>) {
    let mut pause = Duration::from_millis(100);
    loop {
        let listener = async {
            let mut l = PgListener::connect_with(&pool).await?;
            // A reconnection inside `try_recv` would hide that announcements
            // were missed meanwhile: this loop reconnects itself instead.
            l.eager_reconnect(false);
            l.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match listener.await {
            Ok(mut l) => {
                seen.hearing();
                pause = Duration::from_millis(100);
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) if n.payload() == seen.node => {}
                        Ok(Some(_)) => seen.bump(),
                        Ok(None) => {
                            tracing::warn!(
                                "lost the connection that hears other nodes; reconnecting"
                            );
                            break;
                        }
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot hear other nodes; reconnecting");
                            break;
                        }
                    }
                }
                seen.deaf();
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                seen.deaf();
                tracing::warn!(error = %e, "cannot listen for other nodes' changes; trying again");
            }
        }
        if pool.is_closed() {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
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
}

/// How many customers' search text holds a trigram (SQLite's FTS5
/// vocabulary), kept a while: the counts only choose which trigrams FTS5 is
/// asked for, and every row is checked against the whole needle, so an old
/// count costs speed at most, never a wrong answer.
type TrigramDocs = Recent<String, i64>;

/// What FTS5 is asked for a customer search (SQLite).
struct FtsMatch {
    /// The MATCH of the needle's rarest trigrams.
    expression: String,
    /// How many customers hold the rarest one (as last counted): no more
    /// can match.
    at_most: i64,
}

/// A search that at most this many customers can match is collected
/// through FTS5 at once (a few milliseconds per thousand) rather than
/// walked for: a walk wastes its budget when the matches sort together
/// (a name searched and sorted by name).
const FTS_COLLECT_MAX: i64 = 20_000;

/// The customer list's walk bounds (the sort key a budget of rows down the
/// sort order; see `list_customers`) by sort, direction and budget, kept a
/// while: finding one reads the budget's rows of the sort index, and any
/// bound gives a right page (it only decides how far a walk may go), so a
/// slightly old one does no harm, whatever was written since.
type WalkBounds = Recent<(CustomerSort, bool, i64), Bind>;

/// How long a walk bound is reused.
const BOUND_TTL: Duration = Duration::from_secs(30);

/// The write count walk bounds are kept at: they hold whatever is written.
const ANY_WRITES: u64 = 0;

#[async_trait]
impl Store for SqlStore {
    fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => Inner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Inner::Postgres(p.begin().await?),
        };
        Ok(Box::new(SqlTx {
            inner,
            seen: Some(Arc::clone(&self.seen)),
            announce: false,
            queued: Some(Arc::clone(&self.queued)),
            wakes_delivery: false,
            bounds: Arc::clone(&self.bounds),
            trigrams: Arc::clone(&self.trigrams),
        }))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => Inner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Inner::Postgres(p.begin_with("BEGIN READ ONLY").await?),
        };
        Ok(Box::new(SqlTx {
            inner,
            seen: None,
            announce: false,
            queued: None,
            wakes_delivery: false,
            bounds: Arc::clone(&self.bounds),
            trigrams: Arc::clone(&self.trigrams),
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

    fn changes_seen(&self) -> Option<u64> {
        // Read the flag after the count: a node that turns deaf bumps the
        // count first, so a reader never pairs an old count with "listening".
        let count = self.seen.count.load(Ordering::SeqCst);
        self.seen.listening.load(Ordering::SeqCst).then_some(count)
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
    /// Other nodes are told of this transaction's changes at commit.
    announce: bool,
    /// The store's outbox wake-up, for a write transaction.
    queued: Option<Arc<tokio::sync::Notify>>,
    /// Whether this transaction made an outbox message due.
    wakes_delivery: bool,
    /// The store's recent walk bounds.
    bounds: Arc<WalkBounds>,
    /// The store's recent search-vocabulary counts.
    trigrams: Arc<TrigramDocs>,
}

impl SqlTx {
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

/// Fetches at most one row of `$row` and converts it to its record.
macro_rules! fetch_optional {
    ($self:ident, $row:ty, $query:expr) => {{
        let row: Option<$row> = on!($self, c => $query.fetch_optional(&mut **c).await)?;
        row.map(TryInto::try_into).transpose()
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

impl SqlTx {
    /// For a customer search FTS5 answers (SQLite): the MATCH of the
    /// needle's two rarest trigrams, by the vocabulary's counts, and the
    /// rarest's count. FTS5 then intersects two short lists rather than
    /// every trigram's, and the row's own LIKE keeps the answer exact.
    /// `None` for anything else.
    async fn fts_match(&mut self, filter: &CustomerFilter) -> StoreResult<Option<FtsMatch>> {
        let needle = match filter.search.as_deref().map(str::trim) {
            Some(n) if self.engine() == Engine::Sqlite && fts_indexable(n) => n.to_lowercase(),
            _ => return Ok(None),
        };
        let chars: Vec<char> = needle.chars().collect();
        let mut trigrams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
        trigrams.sort_unstable();
        trigrams.dedup();
        let mut counted = Vec::with_capacity(trigrams.len());
        for trigram in trigrams {
            let docs = match self.trigrams.get(&trigram, Some(ANY_WRITES)) {
                Some(docs) => docs,
                None => {
                    let docs: Option<i64> = on!(self, c => sqlx::query_scalar(
                        "SELECT doc FROM customers_fts_vocab WHERE term = $1")
                        .bind(&trigram).fetch_optional(&mut **c).await)?;
                    let docs = docs.unwrap_or(0);
                    self.trigrams.put(trigram.clone(), Some(ANY_WRITES), docs);
                    docs
                }
            };
            counted.push((docs, trigram));
        }
        counted.sort();
        let rarest: Vec<String> = counted
            .iter()
            .take(2)
            .map(|(_, t)| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        Ok(Some(FtsMatch {
            expression: rarest.join(" AND "),
            at_most: counted.first().map_or(0, |(docs, _)| *docs),
        }))
    }
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

/// Accounts (alias `a`) in `status` at the time bound as `now`, as index
/// ranges on the standing: the same rule as `account_status_sql!`, written so
/// that the planner can use `accounts_standing_idx`.
fn status_predicate(status: Status, now: &str) -> String {
    match status {
        Status::Deleted | Status::Blocked => format!("a.standing = '{}'", status.as_str()),
        Status::Locked => format!(
            "(a.standing = 'locked' OR (a.standing IN ('unverified', 'pending', 'active') AND a.lock_until > {now}))"
        ),
        stage => format!(
            "a.standing = '{}' AND (a.lock_until IS NULL OR a.lock_until <= {now})",
            stage.as_str()
        ),
    }
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

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Uuid(Uuid),
    Int(i64),
}

/// Binds every value in order, on either engine.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Uuid(u) => q.bind(*u),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// How a customer list query finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Collect the matches through indexes, then sort them: the search
    /// through the engine's trigram index (the FTS5 trigram table on SQLite,
    /// for three characters or more without `%`/`_`, which FTS5 cannot take
    /// literally; the `pg_trgm` GIN index on PostgreSQL), the account filters
    /// as a semi-join driven from the accounts' standing index.
    Set,
    /// Test rows one by one as the sort order yields them (the search as a
    /// plain `LIKE`, the account filters as an `EXISTS` probe per customer):
    /// cheap when many rows match, as a page fills after a few rows each.
    Walk,
}

/// More matches than this make a filter "broad": its page is first looked
/// for by walking the sort order (see [`Plan::Walk`]).
pub const BROAD_MATCHES: i64 = 2000;

/// How many rows of the sort order a walk looks at, at least, before it
/// gives up and the page is collected and sorted instead ([`Plan::Set`]). A
/// walk that fails costs its budget in row reads; one that succeeds reads
/// page end ÷ the matching fraction.
const WALK_BUDGET: i64 = 10_000;

/// The walk's budget grows with the page's depth (this many rows per row up
/// to the page's end, so a filter matching 5 % still finds deep pages by
/// walking), up to this many rows.
const WALK_PER_ROW: i64 = 20;
const WALK_MAX: i64 = 40_000;

/// The columns of a customer record (not the search text: lists read
/// many rows, and each column read costs a copy in the SQLite driver).
const CUSTOMER_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.company, c.company_id, c.url, c.phone, c.mobile, \
     c.country, c.region, c.street, c.postcode, c.city, c.external_id, c.group_id, c.avatar_url, \
     c.notifications, c.notes, c.language, c.created_at, c.updated_at";

/// Whether FTS5 can answer a search (see [`Plan::Set`]).
fn fts_indexable(needle: &str) -> bool {
    needle.chars().count() >= 3 && !needle.contains(['%', '_', '\\'])
}

/// The FROM and WHERE of a customer list (customers as `c`), built from
/// whitelisted fragments and `extra` conditions; every value is bound.
///
/// On SQLite a [`Plan::Set`] search drives the query from the FTS5 table
/// (`CROSS JOIN` keeps it the outer loop), so that rows stream and a
/// `LIMIT` stops the search early. In a [`Plan::Walk`] the column filters are
/// written so that no index serves them: the sort order's index must drive.
fn customer_source(
    filter: &CustomerFilter,
    engine: Engine,
    now: OffsetDateTime,
    plan: Plan,
    binds: &mut Vec<Bind>,
    extra: &[String],
    fts_match: Option<&str>,
) -> String {
    let mut from = "customers c";
    let mut clauses: Vec<String> = extra.to_vec();
    // In a walk, `|| ''` and `coalesce(x, x)` hide a column from its index.
    let hide = match plan {
        Plan::Set => "",
        Plan::Walk => " || ''",
    };
    let id_column = |column: &str| match plan {
        Plan::Set => format!("c.{column}"),
        Plan::Walk => format!("coalesce(c.{column}, c.{column})"),
    };
    let arg = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(g) = filter.group_id {
        clauses.push(format!(
            "{} = {}",
            id_column("group_id"),
            arg(Bind::Uuid(g), binds)
        ));
    }
    if let Some(id) = filter.company_id {
        clauses.push(format!(
            "{} = {}",
            id_column("company_id"),
            arg(Bind::Uuid(id), binds)
        ));
    }
    if let Some(company) = filter.company.as_deref() {
        // Few companies: find the matching ones, then their customers.
        clauses.push(format!(
            "{} IN (SELECT co.id FROM companies co WHERE co.name_key LIKE {} ESCAPE '\\')",
            id_column("company_id"),
            arg(Bind::Text(contains_pattern(&company_key(company))), binds)
        ));
    }
    if let Some(country) = filter.country.as_deref() {
        clauses.push(format!(
            "lower(coalesce(c.country, '')){hide} = {}",
            arg(Bind::Text(country.trim().to_lowercase()), binds)
        ));
    }
    if let Some(needle) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let pattern = contains_pattern(needle);
        let p = arg(Bind::Text(pattern), binds);
        clauses.push(match (engine, fts_match) {
            (Engine::Sqlite, Some(m)) if plan == Plan::Set && fts_indexable(needle) => {
                from = "customers_fts f CROSS JOIN customers c ON c.rowid = f.rowid";
                let m = arg(Bind::Text(m.to_string()), binds);
                format!("customers_fts MATCH {m} AND c.search_text LIKE {p} ESCAPE '\\'")
            }
            _ => format!("c.search_text LIKE {p} ESCAPE '\\'"),
        });
    }
    if filter.site_id.is_some() || filter.role.is_some() || filter.status.is_some() {
        let mut inner = vec!["a.customer_id IS NOT NULL".to_string()];
        if let Some(site) = filter.site_id {
            inner.push(format!("a.site_id = {}", arg(Bind::Uuid(site), binds)));
        }
        if let Some(role) = filter.role {
            inner.push(format!(
                "a.role = {}",
                arg(Bind::Text(role.as_str().into()), binds)
            ));
        }
        if let Some(status) = filter.status {
            let now = arg(Bind::Int(to_ms(now)), binds);
            inner.push(status_predicate(status, &now));
        }
        clauses.push(match plan {
            Plan::Set => format!(
                "c.id IN (SELECT a.customer_id FROM accounts a WHERE {})",
                inner.join(" AND ")
            ),
            Plan::Walk => format!(
                "EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = c.id AND {})",
                inner.join(" AND ")
            ),
        });
    }
    if clauses.is_empty() {
        format!(" {from}")
    } else {
        format!(" {from} WHERE {}", clauses.join(" AND "))
    }
}

fn convert_all<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
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
                if let (true, Some(seen)) = (self.announce, &self.seen) {
                    sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANGES_CHANNEL)
                        .bind(&seen.node)
                        .execute(&mut *t)
                        .await?;
                }
                t.commit().await?
            }
        }
        // Counted once the change is visible: a reader that saw the count
        // before it read cannot hold data older than the count says.
        if let Some(seen) = self.seen {
            seen.bump();
        }
        if let (true, Some(queued)) = (self.wakes_delivery, self.queued) {
            queued.notify_one();
        }
        Ok(())
    }

    fn announce(&mut self) {
        self.announce = true;
    }

    // ---- sites

    async fn insert_site(&mut self, site: &Site) -> StoreResult<()> {
        let settings = settings_json(&site.settings)?;
        exec!(self, sqlx::query("INSERT INTO sites (id, key, name, settings, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(site.id).bind(&site.key).bind(&site.name).bind(&settings).bind(to_ms(site.created_at)))?;
        Ok(())
    }

    async fn site_by_key(&mut self, key: &str) -> StoreResult<Option<Site>> {
        fetch_optional!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites WHERE key = $1").bind(key)
        )
    }

    async fn site_by_id(&mut self, id: Uuid) -> StoreResult<Option<Site>> {
        fetch_optional!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites WHERE id = $1").bind(id)
        )
    }

    async fn list_sites(&mut self) -> StoreResult<Vec<Site>> {
        fetch_all!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites ORDER BY key")
        )
    }

    async fn update_site_settings(&mut self, id: Uuid, settings: &SiteSettings) -> StoreResult<()> {
        self.announce();
        let json = settings_json(settings)?;
        let done = exec!(
            self,
            sqlx::query("UPDATE sites SET settings = $2 WHERE id = $1")
                .bind(id)
                .bind(&json)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    // ---- groups

    async fn insert_group(&mut self, g: &Group) -> StoreResult<()> {
        exec!(self, sqlx::query("INSERT INTO customer_groups (id, name, description, active, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(g.id).bind(&g.name).bind(&g.description).bind(g.active).bind(g.created_at))?;
        Ok(())
    }

    async fn list_groups(&mut self) -> StoreResult<Vec<Group>> {
        Ok(
            on!(self, c => sqlx::query_as("SELECT * FROM customer_groups ORDER BY lower(name)")
            .fetch_all(&mut **c).await)?,
        )
    }

    async fn update_group(&mut self, g: &Group) -> StoreResult<()> {
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE customer_groups SET name = $2, description = $3, active = $4 WHERE id = $1"
            )
            .bind(g.id)
            .bind(&g.name)
            .bind(&g.description)
            .bind(g.active)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn group_size(&mut self, id: Uuid) -> StoreResult<i64> {
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE group_id = $1")
            .bind(id).fetch_one(&mut **c).await)?,
        )
    }

    async fn delete_group(&mut self, id: Uuid) -> StoreResult<()> {
        let done = exec!(
            self,
            sqlx::query("DELETE FROM customer_groups WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    // ---- companies

    async fn insert_company(&mut self, co: &Company) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO companies (id, name, name_key, external_id, address, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(co.id).bind(&co.name).bind(company_key(&co.name)).bind(&co.external_id).bind(&co.address)
            .bind(&co.notes).bind(to_ms(co.created_at)).bind(to_ms(co.updated_at)))?;
        Ok(())
    }

    async fn update_company(&mut self, co: &Company) -> StoreResult<()> {
        self.announce();
        let before = self
            .company_by_id(co.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        exec!(self, sqlx::query(
            "UPDATE companies SET name = $2, name_key = $3, external_id = $4, address = $5, notes = $6, \
             updated_at = $7 WHERE id = $1")
            .bind(co.id).bind(&co.name).bind(company_key(&co.name)).bind(&co.external_id).bind(&co.address)
            .bind(&co.notes).bind(to_ms(co.updated_at)))?;
        if before.name != co.name {
            // The search text is lowercased as Rust does it (SQLite's
            // lower() knows ASCII only), so each member is rewritten here.
            let mut after = None;
            loop {
                let members = self
                    .customers_after(
                        &CustomerFilter {
                            company_id: Some(co.id),
                            ..CustomerFilter::default()
                        },
                        after,
                        500,
                        co.updated_at,
                    )
                    .await?;
                let Some(last) = members.last() else { break };
                after = Some(last.id);
                for mut member in members {
                    member.fields.company = Some(co.name.clone());
                    exec!(
                        self,
                        sqlx::query(
                            "UPDATE customers SET company = $2, search_text = $3 WHERE id = $1"
                        )
                        .bind(member.id)
                        .bind(&member.fields.company)
                        .bind(crate::model::search_text(&member.fields))
                    )?;
                }
            }
        }
        Ok(())
    }

    async fn company_by_id(&mut self, id: Uuid) -> StoreResult<Option<Company>> {
        fetch_optional!(self, CompanyRow, sqlx::query_as("SELECT id, name, external_id, address, notes, created_at, updated_at FROM companies WHERE id = $1").bind(id))
    }

    async fn company_by_key(&mut self, name_key: &str) -> StoreResult<Option<Company>> {
        fetch_optional!(self, CompanyRow, sqlx::query_as("SELECT id, name, external_id, address, notes, created_at, updated_at FROM companies WHERE name_key = $1").bind(name_key))
    }

    async fn list_companies(
        &mut self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CompanyListed>> {
        let pattern = search
            .map(company_key)
            .filter(|s| !s.is_empty())
            .map(|s| contains_pattern(&s));
        fetch_all!(self, CompanyListedRow, sqlx::query_as(
            "SELECT co.id, co.name, co.external_id, co.address, co.notes, co.created_at, co.updated_at, \
             (SELECT COUNT(*) FROM customers c WHERE c.company_id = co.id) AS customers, \
             (SELECT COUNT(*) FROM customers c JOIN accounts a ON a.customer_id = c.id \
               WHERE c.company_id = co.id AND a.standing <> 'deleted') AS accounts \
             FROM companies co \
             WHERE ($1 IS NULL OR co.name_key LIKE $1 ESCAPE '\\' OR lower(coalesce(co.external_id, '')) LIKE $1 ESCAPE '\\') \
             ORDER BY co.name_key, co.id LIMIT $2 OFFSET $3")
            .bind(pattern).bind(limit.clamp(0, 10_000)).bind(offset.max(0)))
    }

    async fn company_names(&mut self, limit: i64) -> StoreResult<Vec<String>> {
        Ok(on!(self, c => sqlx::query_scalar(
            "SELECT name FROM companies ORDER BY name_key, id LIMIT $1")
            .bind(limit.clamp(0, 10_000)).fetch_all(&mut **c).await)?)
    }

    async fn count_companies(&mut self, search: Option<&str>) -> StoreResult<i64> {
        let pattern = search
            .map(company_key)
            .filter(|s| !s.is_empty())
            .map(|s| contains_pattern(&s));
        Ok(on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM companies co \
             WHERE ($1 IS NULL OR co.name_key LIKE $1 ESCAPE '\\' OR lower(coalesce(co.external_id, '')) LIKE $1 ESCAPE '\\')")
            .bind(pattern).fetch_one(&mut **c).await)?)
    }

    async fn team_accounts(
        &mut self,
        site_id: Uuid,
        company_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<Account>> {
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT a.* FROM accounts a JOIN customers c ON c.id = a.customer_id \
             WHERE a.site_id = $1 AND c.company_id = $2 AND a.standing <> 'deleted' \
             ORDER BY lower(a.login_id), a.id LIMIT $3"
            )
            .bind(site_id)
            .bind(company_id)
            .bind(limit)
        )
    }

    async fn delete_company(&mut self, id: Uuid) -> StoreResult<()> {
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM companies WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn customers_without_company_record(&mut self, limit: i64) -> StoreResult<Vec<Customer>> {
        fetch_all!(self, CustomerRow, sqlx::query_as(
            "SELECT * FROM customers WHERE company_id IS NULL AND company IS NOT NULL ORDER BY id LIMIT $1")
            .bind(limit))
    }

    // ---- customers

    async fn insert_customer(&mut self, cu: &Customer) -> StoreResult<()> {
        self.insert_customers(std::slice::from_ref(cu)).await
    }

    async fn insert_customers(&mut self, customers: &[Customer]) -> StoreResult<()> {
        self.insert_rows(
            "customers",
            rows::CUSTOMER_COLUMNS,
            customers,
            customer_cells,
        )
        .await
    }

    async fn insert_accounts(&mut self, accounts: &[Account]) -> StoreResult<()> {
        self.insert_rows("accounts", rows::ACCOUNT_COLUMNS, accounts, account_cells)
            .await
    }

    async fn taken_login_ids(
        &mut self,
        site_id: Uuid,
        login_ids: &[String],
    ) -> StoreResult<Vec<String>> {
        // Lowercased here, not in SQL, so that the list is plain values the
        // (site_id, lower(login_id)) index looks up.
        let login_ids: Vec<String> = login_ids.iter().map(|l| l.to_lowercase()).collect();
        let mut taken = Vec::new();
        match &mut self.inner {
            // One look-up per value through the unique index, whatever the
            // statistics say: during an import the table grows from nothing
            // inside one transaction, and an `IN` list planned from stale
            // statistics took the site's rows and compared each with each
            // value (ten times slower at 100 000 rows).
            Inner::Postgres(c) => {
                taken = sqlx::query_scalar(
                    "SELECT x.login FROM unnest($2::text[]) AS x(login) CROSS JOIN LATERAL \
                     (SELECT 1 FROM accounts a WHERE a.site_id = $1 AND lower(a.login_id) = x.login LIMIT 1) AS hit",
                )
                .bind(site_id)
                .bind(&login_ids)
                .fetch_all(&mut **c)
                .await?;
            }
            Inner::Sqlite(c) => {
                for chunk in login_ids.chunks(500) {
                    let sql = format!(
                        "SELECT lower(login_id) FROM accounts WHERE site_id = ? AND lower(login_id) IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    );
                    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(site_id);
                    for id in chunk {
                        q = q.bind(id);
                    }
                    taken.extend(q.fetch_all(&mut **c).await?);
                }
            }
        }
        Ok(taken)
    }

    async fn existing_ids(&mut self, kind: IdKind, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        let table = match kind {
            IdKind::Customer => "customers",
            IdKind::Account => "accounts",
        };
        let mut found = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id FROM {table} WHERE id IN ({})",
                placeholders(chunk.len())
            );
            let some: Vec<Uuid> = on!(self, c => {
                // Planned afresh each time, not kept prepared: a plan cached
                // while an import's table was nearly empty (a scan) would be
                // kept as the table grows inside the import's transaction.
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).persistent(false);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **c).await
            })?;
            found.extend(some);
        }
        Ok(found)
    }

    async fn delete_customer(&mut self, id: Uuid) -> StoreResult<()> {
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM customers WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn update_customer(&mut self, cu: &Customer) -> StoreResult<()> {
        self.announce();
        let f = &cu.fields;
        let done = exec!(self, sqlx::query(
            "UPDATE customers SET first_name = $2, last_name = $3, email = $4, company = $5, url = $6, phone = $7, \
             mobile = $8, country = $9, region = $10, street = $11, postcode = $12, city = $13, external_id = $14, \
             group_id = $15, avatar_url = $16, notifications = $17, notes = $18, language = $19, updated_at = $20, \
             search_text = $21, company_id = $22 WHERE id = $1")
            .bind(cu.id).bind(&f.first_name).bind(&f.last_name).bind(&f.email).bind(&f.company).bind(&f.url)
            .bind(&f.phone).bind(&f.mobile).bind(&f.country).bind(&f.region).bind(&f.street).bind(&f.postcode)
            .bind(&f.city).bind(&f.external_id).bind(f.group_id).bind(&f.avatar_url).bind(f.notifications)
            .bind(&f.notes).bind(&f.language).bind(to_ms(cu.updated_at))
            .bind(crate::model::search_text(f)).bind(f.company_id))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn search_customers(&mut self, text: &str, limit: i64) -> StoreResult<Vec<Customer>> {
        let pattern = contains_pattern(text.trim());
        fetch_all!(
            self,
            CustomerRow,
            sqlx::query_as(
                "SELECT * FROM customers WHERE lower(first_name || ' ' || last_name) LIKE $1 ESCAPE '\\' \
                 OR lower(coalesce(email, '')) LIKE $1 ESCAPE '\\' OR lower(coalesce(company, '')) LIKE $1 ESCAPE '\\' \
                 OR lower(coalesce(phone, '')) LIKE $1 ESCAPE '\\' OR lower(coalesce(mobile, '')) LIKE $1 ESCAPE '\\' \
                 ORDER BY last_name, first_name LIMIT $2"
            )
            .bind(pattern)
            .bind(limit)
        )
    }

    async fn customer_candidates(
        &mut self,
        email: &str,
        first_name: &str,
        last_name: &str,
        company: &str,
        phone: &str,
    ) -> StoreResult<Vec<Customer>> {
        fetch_all!(
            self,
            CustomerRow,
            sqlx::query_as(
                "SELECT * FROM customers WHERE ($1 <> '' AND lower(coalesce(email, '')) = lower($1)) \
                 OR ($2 <> '' AND $3 <> '' AND lower(first_name) = lower($2) AND lower(last_name) = lower($3)) \
                 OR ($3 <> '' AND lower(last_name) = lower($3)) \
                 OR ($4 <> '' AND lower(coalesce(company, '')) = lower($4)) \
                 OR ($5 <> '' AND (coalesce(phone, '') = $5 OR coalesce(mobile, '') = $5)) \
                 LIMIT 50"
            )
            .bind(email)
            .bind(first_name)
            .bind(last_name)
            .bind(company)
            .bind(phone)
        )
    }

    async fn list_customers(
        &mut self,
        filter: &CustomerFilter,
        page: &CustomerPage,
        broad: bool,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>> {
        let engine = self.engine();
        let dir = if page.descending { "DESC" } else { "ASC" };
        let order = format!("{} {dir}, c.id {dir}", page.sort.sql());
        let (limit, offset) = (page.limit.clamp(0, 10_000), page.offset.max(0));
        let filtered = *filter != CustomerFilter::default();
        let end = offset.saturating_add(limit);
        let budget = end
            .saturating_mul(WALK_PER_ROW)
            .clamp(WALK_BUDGET, WALK_MAX);
        let fts = self.fts_match(filter).await?;
        let few = fts.as_ref().is_some_and(|f| f.at_most <= FTS_COLLECT_MAX);
        if broad && end <= budget && filtered && !few {
            // The sort key `budget` rows down (from the sort index alone)
            // bounds the walk as an index range, so a walk that finds too few
            // matches stops there instead of reading the whole table.
            let key = page.sort.sql();
            let bound_key = (page.sort, page.descending, budget);
            let bound: Option<Bind> = match self.bounds.get(&bound_key, Some(ANY_WRITES)) {
                Some(bound) => Some(bound),
                None => {
                    let bound_sql = format!(
                        "SELECT {key} FROM customers c ORDER BY {order} LIMIT 1 OFFSET {budget}"
                    );
                    let bound = if page.sort.is_time() {
                        let v: Option<i64> = on!(self, c => sqlx::query_scalar(sqlx::AssertSqlSafe(bound_sql.clone())).fetch_optional(&mut **c).await)?;
                        v.map(Bind::Int)
                    } else {
                        let v: Option<String> = on!(self, c => sqlx::query_scalar(sqlx::AssertSqlSafe(bound_sql.clone())).fetch_optional(&mut **c).await)?;
                        v.map(Bind::Text)
                    };
                    if let Some(b) = &bound {
                        self.bounds.put(bound_key, Some(ANY_WRITES), b.clone());
                    }
                    bound
                }
            };
            let mut binds = Vec::new();
            let mut extra = Vec::new();
            if let Some(bound) = bound {
                binds.push(bound);
                let cmp = if page.descending { ">=" } else { "<=" };
                extra.push(format!("{key} {cmp} $1"));
            }
            let source = customer_source(filter, engine, now, Plan::Walk, &mut binds, &extra, None);
            let sql = format!(
                "SELECT {CUSTOMER_COLUMNS} FROM{source} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            let rows: Vec<CustomerRow> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
            // A full page from the first rows of the sort order is the page:
            // no row after them can come before it.
            if rows.len() as i64 == limit {
                return convert_all(rows);
            }
        }
        let fts = fts.map(|f| f.expression);
        let mut binds = Vec::new();
        let source = customer_source(
            filter,
            engine,
            now,
            Plan::Set,
            &mut binds,
            &[],
            fts.as_deref(),
        );
        // PostgreSQL, given a LIMIT, may walk the sort index and test each
        // row instead of collecting the matches: ruinous when the matches
        // sit together far down that order (every "Lovelace" under L, after
        // 400 000 rows). A set is collected and sorted, so the sort key is
        // hidden from its index there. (SQLite drives from the FTS5 table or
        // the semi-join as written.)
        let order = if engine == Engine::Postgres && filtered {
            format!("{} {dir}, c.id {dir}", page.sort.unindexed_sql())
        } else {
            order
        };
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM{source} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        );
        let rows: Vec<CustomerRow> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
        convert_all(rows)
    }

    async fn count_customers(
        &mut self,
        filter: &CustomerFilter,
        now: OffsetDateTime,
        cap: Option<i64>,
    ) -> StoreResult<i64> {
        let fts = self.fts_match(filter).await?.map(|f| f.expression);
        let mut binds = Vec::new();
        let engine = self.engine();
        let source = customer_source(
            filter,
            engine,
            now,
            Plan::Set,
            &mut binds,
            &[],
            fts.as_deref(),
        );
        let sql = match cap {
            Some(cap) => format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM{source} LIMIT {}) capped",
                cap.max(0) + 1
            ),
            None => format!("SELECT COUNT(*) FROM{source}"),
        };
        Ok(
            on!(self, c => bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_one(&mut **c).await)?,
        )
    }

    async fn customers_after(
        &mut self,
        filter: &CustomerFilter,
        after: Option<Uuid>,
        limit: i64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>> {
        let fts = self.fts_match(filter).await?.map(|f| f.expression);
        let mut binds = Vec::new();
        let engine = self.engine();
        let mut extra = Vec::new();
        if let Some(after) = after {
            binds.push(Bind::Uuid(after));
            extra.push("c.id > $1".to_string());
        }
        let source = customer_source(
            filter,
            engine,
            now,
            Plan::Set,
            &mut binds,
            &extra,
            fts.as_deref(),
        );
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM{source} ORDER BY c.id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows: Vec<CustomerRow> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
        convert_all(rows)
    }

    async fn customer_by_id(&mut self, id: Uuid) -> StoreResult<Option<Customer>> {
        fetch_optional!(
            self,
            CustomerRow,
            sqlx::query_as("SELECT * FROM customers WHERE id = $1").bind(id)
        )
    }

    // ---- accounts

    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        self.insert_accounts(std::slice::from_ref(a)).await
    }

    async fn account_by_id(&mut self, id: Uuid) -> StoreResult<Option<Account>> {
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as("SELECT * FROM accounts WHERE id = $1").bind(id)
        )
    }

    async fn account_by_login_id(
        &mut self,
        site_id: Uuid,
        login_id: &str,
    ) -> StoreResult<Option<Account>> {
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND lower(login_id) = lower($2)"
            )
            .bind(site_id)
            .bind(login_id)
        )
    }

    async fn account_by_email(
        &mut self,
        site_id: Uuid,
        email: &str,
    ) -> StoreResult<Option<Account>> {
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND lower(email) = lower($2) \
                 ORDER BY (deleted_at IS NOT NULL), registered_at LIMIT 1"
            )
            .bind(site_id)
            .bind(email)
        )
    }

    async fn save_account(&mut self, a: &Account) -> StoreResult<i64> {
        self.announce();
        let s = &a.state;
        let (lock_until, lock_permanent) = lock_columns(s.lock);
        let version: Option<i64> = on!(self, c => sqlx::query_scalar(
            "UPDATE accounts SET customer_id = $3, login_id = $4, email = $5, password_hash = $6, role = $7, stage = $8, \
             lock_until = $9, lock_permanent = $10, failed_attempts = $11, blocked = $12, deleted_reason = $13, \
             deleted_at = $14, email_validated = $15, access_granted = $16, access_expires_at = $17, \
             password_expires_at = $18, first_name = $19, last_name = $20, company = $21, language = $22, \
             verified_at = $23, approved_at = $24, last_login_at = $25, standing = $26, version = version + 1 \
             WHERE id = $1 AND version = $2 RETURNING version")
            .bind(a.id).bind(a.version).bind(a.customer_id).bind(&a.login_id).bind(&a.email).bind(&a.password_hash)
            .bind(a.role.as_str()).bind(stage_str(s.stage)).bind(lock_until).bind(lock_permanent)
            .bind(i64::from(s.failed_attempts)).bind(s.blocked).bind(s.deleted.map(|d| d.as_str()))
            .bind(a.deleted_at.map(to_ms)).bind(s.email_validated).bind(s.access_granted)
            .bind(s.access_expires_at.map(to_ms)).bind(s.password_expires_at.map(to_ms))
            .bind(&a.first_name).bind(&a.last_name).bind(&a.company).bind(&a.language)
            .bind(a.verified_at.map(to_ms)).bind(a.approved_at.map(to_ms)).bind(a.last_login_at.map(to_ms))
            .bind(s.standing().as_str())
            .fetch_optional(&mut **c).await)?;
        version.ok_or(StoreError::Stale)
    }

    async fn list_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Account>> {
        let search = filter.search.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(concat!(
                "SELECT * FROM accounts",
                account_filter_sql!(),
                " ORDER BY registered_at DESC, id DESC LIMIT $5 OFFSET $6"
            ))
            .bind(to_ms(now))
            .bind(filter.site_id)
            .bind(search)
            .bind(status)
            .bind(limit)
            .bind(offset)
        )
    }

    async fn count_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let search = filter.search.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        Ok(
            on!(self, c => sqlx::query_scalar(concat!("SELECT COUNT(*) FROM accounts", account_filter_sql!()))
            .bind(to_ms(now)).bind(filter.site_id).bind(search.clone()).bind(status).fetch_one(&mut **c).await)?,
        )
    }

    async fn count_accounts_by_status(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Status, i64)>> {
        let search = filter.search.as_deref().map(contains_pattern);
        let rows: Vec<(String, i64)> = on!(self, c => sqlx::query_as(concat!(
            "SELECT ", account_status_sql!(), " AS status, COUNT(*) FROM accounts",
            account_filter_sql!(), " GROUP BY 1"))
            .bind(to_ms(now)).bind(filter.site_id).bind(search.clone()).bind(None::<&str>)
            .fetch_all(&mut **c).await)?;
        Ok(Status::ALL
            .into_iter()
            .map(|status| {
                let n = rows
                    .iter()
                    .find(|(s, _)| s == status.as_str())
                    .map_or(0, |(_, n)| *n);
                (status, n)
            })
            .collect())
    }

    async fn registrations_per_day(
        &mut self,
        site_id: Option<Uuid>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(i64, i64)>> {
        // Times are milliseconds in both engines, so integer division by a
        // day's milliseconds is the UTC day in both.
        Ok(on!(self, c => sqlx::query_as(
            "SELECT registered_at / 86400000 AS day, COUNT(*) FROM accounts \
             WHERE registered_at >= $1 AND ($2 IS NULL OR site_id = $2) GROUP BY 1 ORDER BY 1")
            .bind(to_ms(since)).bind(site_id).fetch_all(&mut **c).await)?)
    }

    async fn accounts_of_customer(&mut self, customer_id: Uuid) -> StoreResult<Vec<Account>> {
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as("SELECT * FROM accounts WHERE customer_id = $1 ORDER BY registered_at")
                .bind(customer_id)
        )
    }

    async fn accounts_of_customers(&mut self, customer_ids: &[Uuid]) -> StoreResult<Vec<Account>> {
        fetch_in!(
            self,
            AccountRow,
            "SELECT * FROM accounts WHERE customer_id IN ({}) ORDER BY registered_at",
            customer_ids
        )
    }

    async fn customers_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Customer>> {
        fetch_in!(
            self,
            CustomerRow,
            "SELECT * FROM customers WHERE id IN ({})",
            ids
        )
    }

    async fn record_failed_attempt(&mut self, id: Uuid) -> StoreResult<Option<u32>> {
        let count: Option<i64> = on!(self, c => sqlx::query_scalar(
            "UPDATE accounts SET failed_attempts = failed_attempts + 1, version = version + 1 \
             WHERE id = $1 RETURNING failed_attempts")
            .bind(id).fetch_optional(&mut **c).await)?;
        Ok(count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    // ---- staff

    async fn insert_staff(&mut self, s: &StaffUser) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO staff_users (id, email, password_hash, role, totp_secret, active, created_at, last_login_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(s.id).bind(&s.email).bind(&s.password_hash).bind(s.role.as_str()).bind(&s.totp_secret)
            .bind(s.active).bind(to_ms(s.created_at)).bind(s.last_login_at.map(to_ms)))?;
        Ok(())
    }

    async fn staff_by_email(&mut self, email: &str) -> StoreResult<Option<StaffUser>> {
        fetch_optional!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users WHERE lower(email) = lower($1)").bind(email)
        )
    }

    async fn staff_by_id(&mut self, id: Uuid) -> StoreResult<Option<StaffUser>> {
        fetch_optional!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users WHERE id = $1").bind(id)
        )
    }

    async fn set_staff_password(&mut self, id: Uuid, password_hash: &str) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET password_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(password_hash)
        )?;
        Ok(())
    }

    async fn set_staff_totp(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET totp_secret = $2 WHERE id = $1")
                .bind(id)
                .bind(secret)
        )?;
        Ok(())
    }

    async fn list_staff(&mut self) -> StoreResult<Vec<StaffUser>> {
        fetch_all!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users ORDER BY lower(email)")
        )
    }

    async fn update_staff(
        &mut self,
        id: Uuid,
        role: gatehouse_domain::StaffRole,
        active: bool,
    ) -> StoreResult<()> {
        let done = exec!(
            self,
            sqlx::query("UPDATE staff_users SET role = $2, active = $3 WHERE id = $1")
                .bind(id)
                .bind(role.as_str())
                .bind(active)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn record_staff_login(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET last_login_at = $2 WHERE id = $1")
                .bind(id)
                .bind(to_ms(now))
        )?;
        Ok(())
    }

    async fn count_staff(&mut self) -> StoreResult<i64> {
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM staff_users").fetch_one(&mut **c).await)?,
        )
    }

    // ---- sessions

    async fn insert_session(&mut self, s: &Session) -> StoreResult<()> {
        let (account_id, staff_id) = match s.owner {
            SessionOwner::Account(a) => (Some(a), None),
            SessionOwner::Staff(st) => (None, Some(st)),
        };
        exec!(self, sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, staff_id, impersonator_id, csrf_token, created_at, \
             last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(&s.token_hash).bind(account_id).bind(staff_id).bind(s.impersonator_id).bind(&s.csrf_token)
            .bind(to_ms(s.created_at)).bind(to_ms(s.last_seen_at)).bind(to_ms(s.idle_expires_at))
            .bind(to_ms(s.absolute_expires_at)).bind(&s.ip).bind(&s.user_agent))?;
        Ok(())
    }

    async fn session_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<Session>> {
        fetch_optional!(
            self,
            SessionRow,
            sqlx::query_as("SELECT * FROM sessions WHERE token_hash = $1").bind(token_hash)
        )
    }

    async fn list_account_sessions(&mut self, account_id: Uuid) -> StoreResult<Vec<Session>> {
        fetch_all!(
            self,
            SessionRow,
            sqlx::query_as("SELECT * FROM sessions WHERE account_id = $1 ORDER BY created_at DESC")
                .bind(account_id)
        )
    }

    async fn touch_session(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE token_hash = $1"
            )
            .bind(token_hash)
            .bind(to_ms(now))
            .bind(to_ms(idle_expires_at))
        )?;
        Ok(())
    }

    async fn delete_staff_sessions(&mut self, staff_id: Uuid) -> StoreResult<u64> {
        self.announce();
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(staff_id)
        )?)
    }

    async fn delete_impersonations(
        &mut self,
        account_id: Uuid,
        staff_id: Uuid,
    ) -> StoreResult<u64> {
        self.announce();
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND impersonator_id = $2")
                .bind(account_id)
                .bind(staff_id)
        )?)
    }

    async fn delete_session(&mut self, token_hash: &[u8]) -> StoreResult<bool> {
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)
        )?;
        Ok(done > 0)
    }

    async fn delete_account_sessions(
        &mut self,
        account_id: Uuid,
        keep: Option<&[u8]>,
    ) -> StoreResult<u64> {
        self.announce();
        // An empty hash never matches a stored one (those are 32 bytes).
        let keep = keep.unwrap_or(&[]);
        let done = exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
                .bind(account_id)
                .bind(keep)
        )?;
        Ok(done)
    }

    // ---- single-use links

    async fn insert_link_token(&mut self, t: &LinkToken) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO link_tokens (token_hash, purpose, account_id, created_at, expires_at, staff_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&t.token_hash).bind(t.purpose.as_str()).bind(t.account_id).bind(to_ms(t.created_at))
            .bind(to_ms(t.expires_at)).bind(t.staff_id))?;
        Ok(())
    }

    async fn consume_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>> {
        let row: Option<(Option<Uuid>, i64, i64, Option<Uuid>)> = on!(self, c => sqlx::query_as(
            "UPDATE link_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL \
             AND expires_at > $3 RETURNING account_id, created_at, expires_at, staff_id")
            .bind(token_hash).bind(purpose.as_str()).bind(to_ms(now)).fetch_optional(&mut **c).await)?;
        row.map(|r| link_token(token_hash, purpose, r)).transpose()
    }

    async fn peek_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>> {
        let row: Option<(Option<Uuid>, i64, i64, Option<Uuid>)> = on!(self, c => sqlx::query_as(
            "SELECT account_id, created_at, expires_at, staff_id FROM link_tokens WHERE token_hash = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3")
            .bind(token_hash).bind(purpose.as_str()).bind(to_ms(now)).fetch_optional(&mut **c).await)?;
        row.map(|r| link_token(token_hash, purpose, r)).transpose()
    }

    async fn used_link_account(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>> {
        let row: Option<(Option<Uuid>,)> = on!(self, c => sqlx::query_as(
            "SELECT account_id FROM link_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NOT NULL")
            .bind(token_hash).bind(purpose.as_str()).fetch_optional(&mut **c).await)?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn void_link_tokens(
        &mut self,
        account_id: Option<Uuid>,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE link_tokens SET used_at = $3 WHERE purpose = $2 AND used_at IS NULL \
             AND (account_id = $1 OR ($1 IS NULL AND account_id IS NULL))"
            )
            .bind(account_id)
            .bind(purpose.as_str())
            .bind(to_ms(now))
        )?;
        Ok(done)
    }

    // ---- API tokens

    async fn insert_api_token(&mut self, t: &ApiToken) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO api_tokens (id, staff_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(t.id).bind(t.staff_id).bind(&t.name).bind(&t.token_hash).bind(&t.scopes).bind(to_ms(t.created_at))
            .bind(t.expires_at.map(to_ms)).bind(t.last_used_at.map(to_ms)).bind(t.revoked_at.map(to_ms)))?;
        Ok(())
    }

    async fn api_token_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<ApiToken>> {
        fetch_optional!(
            self,
            ApiTokenRow,
            sqlx::query_as("SELECT * FROM api_tokens WHERE token_hash = $1").bind(token_hash)
        )
    }

    async fn list_api_tokens(&mut self) -> StoreResult<Vec<ApiToken>> {
        fetch_all!(
            self,
            ApiTokenRow,
            sqlx::query_as("SELECT * FROM api_tokens ORDER BY created_at DESC, id DESC")
        )
    }

    async fn revoke_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
            )
            .bind(id)
            .bind(to_ms(now))
        )?;
        Ok(done > 0)
    }

    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(to_ms(now))
        )?;
        Ok(())
    }

    // ---- outbox

    async fn enqueue_mail(
        &mut self,
        id: Uuid,
        m: &NewMail,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.wakes_delivery = true;
        exec!(self, sqlx::query(
            "INSERT INTO outbox (id, site_id, recipient, template_key, language, subject, body_text, body_html, status, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)")
            .bind(id).bind(m.site_id).bind(&m.recipient).bind(&m.template_key).bind(&m.language).bind(&m.subject)
            .bind(&m.body_text).bind(&m.body_html).bind(to_ms(now)))?;
        Ok(())
    }

    async fn claim_mail(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = match &mut self.inner {
            // One writer at a time: the IMMEDIATE transaction already excludes other claimers.
            Inner::Sqlite(c) => {
                const SQL: &str = claim_mail_sql!("");
                sqlx::query_as(SQL)
                    .bind(to_ms(now))
                    .bind(to_ms(lease_until))
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await?
            }
            Inner::Postgres(c) => {
                const SQL: &str = claim_mail_sql!(" FOR UPDATE SKIP LOCKED");
                sqlx::query_as(SQL)
                    .bind(to_ms(now))
                    .bind(to_ms(lease_until))
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await?
            }
        };
        convert_all(rows)
    }

    async fn release_mail(&mut self, ids: &[Uuid]) -> StoreResult<u64> {
        let mut released = 0;
        for id in ids {
            released += exec!(
                self,
                sqlx::query(
                    "UPDATE outbox SET lease_until = NULL, attempts = attempts - 1 \
                 WHERE id = $1 AND status = 'pending' AND lease_until IS NOT NULL"
                )
                .bind(id)
            )?;
        }
        Ok(released)
    }

    async fn mark_mail_sent(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        exec!(self, sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1")
            .bind(id).bind(to_ms(now)))?;
        Ok(())
    }

    async fn mark_mail_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        exec!(self, sqlx::query(
            "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             lease_until = NULL WHERE id = $1")
            .bind(id).bind(status).bind(error).bind(retry_at.map(to_ms)))?;
        Ok(())
    }

    async fn list_outbox(
        &mut self,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        fetch_all!(
            self,
            OutboxRow,
            sqlx::query_as(
                "SELECT * FROM outbox WHERE ($1 IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
            )
            .bind(status)
            .bind(limit)
        )
    }

    async fn outbox_to(
        &mut self,
        addresses: &[String],
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let addresses: Vec<String> = addresses
            .iter()
            .take(100)
            .map(|a| a.to_lowercase())
            .collect();
        if addresses.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM outbox WHERE lower(recipient) IN ({}) ORDER BY created_at DESC, id DESC LIMIT {}",
            placeholders(addresses.len()),
            limit.max(0)
        );
        let rows: Vec<OutboxRow> = on!(self, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for a in &addresses {
                q = q.bind(a);
            }
            q.fetch_all(&mut **c).await
        })?;
        convert_all(rows)
    }

    async fn erase_person(&mut self, erasure: &Erasure) -> StoreResult<Erased> {
        self.announce();
        let mut erased = Erased::default();
        // One statement per chunk of IDs or addresses, not per person: a
        // purge erases a batch with one scan of the audit trail.
        let ids: Vec<Uuid> = erasure
            .account_ids
            .iter()
            .chain(&erasure.customer_ids)
            .copied()
            .collect();
        for chunk in ids.chunks(300) {
            let list = placeholders(chunk.len());
            let sql = format!(
                "UPDATE audit_events SET details = '{{\"erased\":true}}', ip = NULL, \
                 actor_label = CASE WHEN actor_id IN ({list}) THEN 'erased' ELSE actor_label END \
                 WHERE target_id IN ({list}) OR actor_id IN ({list})"
            );
            erased.audit_events += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
        let addresses: Vec<String> = erasure
            .addresses
            .iter()
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        for chunk in addresses.chunks(100) {
            let n = chunk.len();
            let patterns = (1..=n)
                .map(|i| format!("lower(details) LIKE ${i} ESCAPE '\\'"))
                .collect::<Vec<_>>()
                .join(" OR ");
            let list = (n + 1..=2 * n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE audit_events SET details = '{{\"erased\":true}}', ip = NULL, \
                 actor_label = CASE WHEN lower(actor_label) IN ({list}) THEN 'erased' ELSE actor_label END \
                 WHERE {patterns} OR lower(actor_label) IN ({list})"
            );
            erased.audit_events += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(contains_pattern(a));
                }
                for a in chunk {
                    q = q.bind(a);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
            // An import's report names login IDs and addresses of its bad
            // rows: a report naming one of these goes.
            let sql = format!(
                "DELETE FROM import_runs WHERE {}",
                (1..=n)
                    .map(|i| format!("lower(outcome) LIKE ${i} ESCAPE '\\'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            );
            on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(contains_pattern(a));
                }
                q.execute(&mut **c).await.map(|_| ())
            })?;
            let sql = format!(
                "DELETE FROM outbox WHERE lower(recipient) IN ({})",
                placeholders(n)
            );
            erased.mails += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(a);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
        // Sessions, links, grants (their codes and refresh tokens) and
        // consents go with the accounts (ON DELETE CASCADE); the customers
        // after their accounts.
        for (table, ids, count) in [
            ("accounts", &erasure.account_ids, true),
            ("customers", &erasure.customer_ids, false),
        ] {
            for chunk in ids.chunks(300) {
                let sql = format!(
                    "DELETE FROM {table} WHERE id IN ({})",
                    placeholders(chunk.len())
                );
                let n = on!(self, c => {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut **c).await.map(|r| r.rows_affected())
                })?;
                if count {
                    erased.accounts += n;
                }
            }
        }
        Ok(erased)
    }

    async fn deleted_accounts_before(
        &mut self,
        site_id: Uuid,
        before: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Account>> {
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND standing = 'deleted' AND deleted_at < $2 \
                 ORDER BY deleted_at LIMIT $3"
            )
            .bind(site_id)
            .bind(to_ms(before))
            .bind(limit)
        )
    }

    async fn claim_job(
        &mut self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<bool> {
        let claimed: Option<String> = on!(self, c => sqlx::query_scalar(
            "INSERT INTO job_leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE job_leases.until_ms < $4 OR job_leases.holder = excluded.holder RETURNING name")
            .bind(name).bind(holder).bind(to_ms(until)).bind(to_ms(now))
            .fetch_optional(&mut **c).await)?;
        Ok(claimed.is_some())
    }

    async fn insert_import_run(&mut self, run: &ImportRun) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO import_runs (id, file, dry_run, skip_bad_rows, size, rows_read, bytes_read, outcome, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(run.id).bind(&run.file).bind(run.dry_run).bind(run.skip_bad_rows).bind(run.size)
            .bind(run.rows_read).bind(run.bytes_read).bind(&run.outcome)
            .bind(to_ms(run.created_at)).bind(to_ms(run.updated_at)))?;
        Ok(())
    }

    async fn import_run(&mut self, id: Uuid) -> StoreResult<Option<ImportRun>> {
        fetch_optional!(
            self,
            ImportRunRow,
            sqlx::query_as("SELECT * FROM import_runs WHERE id = $1").bind(id)
        )
    }

    async fn record_import_progress(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "UPDATE import_runs SET rows_read = $2, bytes_read = $3, updated_at = $4 \
             WHERE id = $1 AND outcome IS NULL"
            )
            .bind(id)
            .bind(rows_read)
            .bind(bytes_read)
            .bind(to_ms(now))
        )?;
        Ok(())
    }

    async fn finish_import_run(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        outcome: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "UPDATE import_runs SET rows_read = $2, bytes_read = $3, outcome = $4, updated_at = $5 WHERE id = $1")
            .bind(id).bind(rows_read).bind(bytes_read).bind(outcome).bind(to_ms(now)))?;
        Ok(())
    }

    async fn delete_import_runs_before(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM import_runs WHERE created_at < $1").bind(to_ms(before))
        )?)
    }

    async fn outbox_by_id(&mut self, id: Uuid) -> StoreResult<Option<OutboxMessage>> {
        fetch_optional!(
            self,
            OutboxRow,
            sqlx::query_as("SELECT * FROM outbox WHERE id = $1").bind(id)
        )
    }

    async fn retry_mail(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        self.wakes_delivery = true;
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE outbox SET status = 'pending', next_attempt_at = $2, lease_until = NULL \
                 WHERE id = $1 AND status <> 'sent'"
            )
            .bind(id)
            .bind(to_ms(now))
        )?;
        Ok(done > 0)
    }

    // ---- audit

    async fn append_audit(&mut self, e: &AuditEvent) -> StoreResult<()> {
        let details = e.details.to_string();
        exec!(self, sqlx::query(
            "INSERT INTO audit_events (id, at, actor_kind, actor_id, actor_label, action, target_kind, target_id, \
             site_id, details, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(e.id).bind(to_ms(e.at)).bind(&e.actor.kind).bind(e.actor.id).bind(&e.actor.label).bind(&e.action)
            .bind(&e.target_kind).bind(e.target_id).bind(e.site_id).bind(&details).bind(&e.ip))?;
        Ok(())
    }

    async fn list_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as("SELECT * FROM audit_events ORDER BY at DESC, id DESC LIMIT $1")
                .bind(limit)
        )
    }

    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        let action = filter.action.as_deref().map(|a| {
            let mut p = contains_pattern(a);
            p.remove(0);
            p
        });
        let actor = filter.actor.as_deref().map(contains_pattern);
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as(
                "SELECT * FROM audit_events WHERE ($1 IS NULL OR action LIKE $1 ESCAPE '\\') \
                 AND ($2 IS NULL OR lower(actor_label) LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR target_id = $3) \
                 AND ($4 IS NULL OR at >= $4) ORDER BY at DESC, id DESC LIMIT $5"
            )
            .bind(action)
            .bind(actor)
            .bind(filter.target_id)
            .bind(filter.since.map(to_ms))
            .bind(limit)
        )
    }

    async fn audit_of(&mut self, target_id: Uuid, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as(
                "SELECT * FROM audit_events WHERE target_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
            )
            .bind(target_id)
            .bind(limit)
        )
    }

    // ---- e-mail templates

    async fn upsert_template(&mut self, t: &EmailTemplate) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO email_templates (site_id, key, language, subject, body_text, body_html, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, key, language) DO UPDATE SET \
             subject = excluded.subject, body_text = excluded.body_text, body_html = excluded.body_html, \
             updated_at = excluded.updated_at")
            .bind(t.site_id).bind(&t.key).bind(&t.language).bind(&t.subject).bind(&t.body_text).bind(&t.body_html)
            .bind(t.updated_at))?;
        Ok(())
    }

    async fn installation_setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT value FROM installation_settings WHERE key = $1")
            .bind(key).fetch_optional(&mut **c).await)?,
        )
    }

    async fn set_installation_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO installation_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            .bind(key)
            .bind(value)
        )?;
        Ok(())
    }

    async fn list_templates(&mut self, site_id: Uuid) -> StoreResult<Vec<EmailTemplate>> {
        Ok(
            on!(self, c => sqlx::query_as("SELECT * FROM email_templates WHERE site_id = $1 ORDER BY key, language")
            .bind(site_id).fetch_all(&mut **c).await)?,
        )
    }

    async fn delete_template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "DELETE FROM email_templates WHERE site_id = $1 AND key = $2 AND language = $3"
            )
            .bind(site_id)
            .bind(key)
            .bind(language)
        )?;
        Ok(done > 0)
    }

    async fn template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        Ok(
            on!(self, c => sqlx::query_as("SELECT * FROM email_templates WHERE site_id = $1 AND key = $2 AND language = $3")
            .bind(site_id).bind(key).bind(language).fetch_optional(&mut **c).await)?,
        )
    }
}

mod oidc;
mod rows;
