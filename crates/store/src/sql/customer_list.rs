//! The customer list's planner: how a filtered, sorted page of customers is
//! found on each engine, and the queries that run its plans.
//!
//! Invariants owned here:
//! - Every value of a filter is bound, never written into the SQL; the
//!   SQL text is built only from whitelisted fragments.
//! - A plan changes how rows are found, never which: a walk and a set give
//!   the same page (the store contract test runs both), and kept counts and
//!   bounds (30 s) may cost speed when old, never a wrong answer.

use super::*;

/// How many customers' search text holds a trigram (SQLite's FTS5
/// vocabulary), kept a while: the counts only choose which trigrams FTS5 is
/// asked for, and every row is checked against the whole needle, so an old
/// count costs speed at most, never a wrong answer.
pub(super) type TrigramDocs = Recent<String, i64>;

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
pub(super) type WalkBounds = Recent<(CustomerSort, bool, i64), Bind>;

/// How long a walk bound is reused.
pub(super) const BOUND_TTL: Duration = Duration::from_secs(30);

/// The write count walk bounds are kept at: they hold whatever is written.
const ANY_WRITES: u64 = 0;

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(super) enum Bind {
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

/// The columns of a customer record in a list (not the search text: lists read
/// many rows, and each column read costs a copy in the SQLite driver).
const LIST_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.company, c.company_id, c.url, c.phone, c.mobile, \
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
    if filter.site_id.is_some()
        || filter.role.is_some()
        || filter.status.is_some()
        || filter.factor.is_some()
    {
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
        match filter.factor {
            Some(crate::SignInFactor::TwoStep) => inner.push(
                "EXISTS (SELECT 1 FROM account_second_steps s \
                 WHERE s.account_id = a.id AND s.totp_secret IS NOT NULL)"
                    .to_string(),
            ),
            Some(crate::SignInFactor::Passkey) => inner
                .push("EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = a.id)".to_string()),
            None => {}
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

    /// A page of the customer list (see [`crate::Customers::list_customers`]).
    pub(super) async fn list_page(
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
                "SELECT {LIST_COLUMNS} FROM{source} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            let rows: Vec<Customer> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
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
            "SELECT {LIST_COLUMNS} FROM{source} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        );
        let rows: Vec<Customer> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
        convert_all(rows)
    }

    /// How many customers a filter matches (see [`crate::Customers::count_customers`]).
    pub(super) async fn count_matching(
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

    /// The customers after one in ID order (see [`crate::Customers::customers_after`]).
    pub(super) async fn page_after(
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
            "SELECT {LIST_COLUMNS} FROM{source} ORDER BY c.id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows: Vec<Customer> = on!(self, c => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &binds).fetch_all(&mut **c).await)?;
        convert_all(rows)
    }
}
