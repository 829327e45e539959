//! The import: customers, their companies and groups, and their portal
//! accounts from a CSV file whose columns are mapped onto ours.
//!
//! Invariants owned here:
//! - Everything happens in one transaction: a dry run is the whole import
//!   rolled back, an all-or-nothing import with a bad row writes nothing,
//!   and an import that is killed leaves nothing half-done.
//! - Every bad row is reported with its line number and every reason, in
//!   the words of the field's own rule; a bad row writes nothing (not even
//!   its company or group).
//! - An existing login ID on the site, customer ID or account ID is
//!   reported, never merged; so is one that appears twice in the file.
//! - A password hash is stored only if `passwords::legacy` can verify it;
//!   no mail is sent unless asked for (then an invitation, through the
//!   outbox, in the same transaction).
//! - Memory stays bounded by a chunk of rows plus about 100 bytes per row
//!   (the customer and account IDs and a 16-byte key of each login ID seen,
//!   in hash sets, to find repeats in the file; BENCHMARKS.md measures it).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use gatehouse_domain::{
    AccountRole, AccountState, Email, FieldError, LoginId, Status, company_key, company_name,
};
use gatehouse_store::{Account, Actor, Customer, CustomerFields, Group, IdKind, Site, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::customer_fields::CustomerPatch;
use crate::passwords::legacy::Scheme;
use crate::{App, AppError, AppResult, audit, companies};

mod columns;

use columns::{Cells, column_map, when, yes_no};

/// Rows checked and written together: the database's checks (taken login
/// IDs, existing IDs) run once a chunk.
const CHUNK: usize = 2000;

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Any bad row: nothing is imported (the default).
    AllOrNothing,
    /// Bad rows are reported and left out; the others are imported.
    SkipBadRows,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to do with bad rows.
    pub mode: Mode,
    /// Check and report only; write nothing.
    pub dry_run: bool,
    /// Mail each new account without a password an invitation to set one.
    pub send_invitations: bool,
    /// The file's header names mapped to our column names; an empty target
    /// leaves the column out. Unmapped headers must be our column names.
    pub mapping: Vec<(String, String)>,
}

impl Options {
    /// The options a person chose: the mode, a dry run, invitations, and
    /// the mapping as `HEADER=COLUMN` lines (`HEADER=` leaves a column out;
    /// blank lines are skipped). Refuses a line without `=`, quoting it.
    pub fn chosen<'a>(
        skip_bad_rows: bool,
        dry_run: bool,
        send_invitations: bool,
        mapping: impl IntoIterator<Item = &'a str>,
    ) -> Result<Options, String> {
        let mut pairs = Vec::new();
        for line in mapping.into_iter().map(str::trim).filter(|l| !l.is_empty()) {
            let (from, to) = line.split_once('=').ok_or_else(|| line.to_string())?;
            pairs.push((from.to_string(), to.to_string()));
        }
        Ok(Options {
            mode: if skip_bad_rows {
                Mode::SkipBadRows
            } else {
                Mode::AllOrNothing
            },
            dry_run,
            send_invitations,
            mapping: pairs,
        })
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::AllOrNothing,
            dry_run: false,
            send_invitations: false,
            mapping: Vec::new(),
        }
    }
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// Every reason, as `field: what is wrong`.
    pub problems: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Rows read (the header aside).
    pub rows: u64,
    /// Customers added.
    pub customers: u64,
    /// Accounts added.
    pub accounts: u64,
    /// Companies made from names.
    pub companies: u64,
    /// Groups made from names.
    pub groups: u64,
    /// Invitations queued.
    pub invitations: u64,
    /// The rows left out, in file order.
    pub bad: Vec<BadRow>,
    /// Whether anything was written (false for a dry run, and for an
    /// all-or-nothing import with a bad row).
    pub written: bool,
}

impl Report {
    /// One paragraph for a person.
    pub fn summary(&self, dry_run: bool) -> String {
        let what = format!(
            "{} customers, {} accounts, {} new companies, {} new groups",
            self.customers, self.accounts, self.companies, self.groups
        );
        let bad = match self.bad.len() {
            0 => "no bad rows".to_string(),
            1 => "1 bad row".to_string(),
            n => format!("{n} bad rows"),
        };
        if dry_run {
            format!(
                "Dry run of {} rows, {bad}: would import {what}. Nothing was written.",
                self.rows
            )
        } else if self.written {
            format!("Imported {what} from {} rows ({bad} left out).", self.rows)
        } else {
            format!(
                "Nothing was imported: {bad} in {} rows (all or nothing).",
                self.rows
            )
        }
    }
}

/// How far an import got.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Rows read.
    pub rows: u64,
    /// Bytes of the file read.
    pub bytes: u64,
}

/// A row read and checked on its own (before the database's checks).
struct Row {
    line: u64,
    problems: Vec<String>,
    customer_id: Uuid,
    /// The file gave the customer's ID, and the account's (IDs made here
    /// are new by construction and need no look-up).
    given_ids: (bool, bool),
    /// Its customer is an earlier row's.
    joins_earlier: bool,
    customer: Option<Customer>,
    company: Option<String>,
    group: Option<String>,
    account: Option<(Account, Site)>,
}

/// What the whole import keeps between chunks.
struct State<'a> {
    app: &'a App,
    actor: &'a Actor,
    now: OffsetDateTime,
    sites: HashMap<String, Option<Site>>,
    groups: HashMap<String, Uuid>,
    group_ids: HashSet<Uuid>,
    companies: HashMap<String, (Uuid, String)>,
    company_ids: HashMap<Uuid, String>,
    /// Customers of this file: their names, for their later rows' accounts.
    customers: HashSet<Uuid>,
    /// (site, lowercase login ID) → line, and account IDs, of this file.
    logins: HashMap<u128, u64>,
    account_ids: HashSet<Uuid>,
    /// Customers the rows of this chunk add (any row, good or not yet
    /// known), by ID, with their line: a later row with the ID joins.
    chunk_customers: HashMap<Uuid, u64>,
}

/// A login ID on a site as the import remembers it: 16 bytes of its
/// SHA-256 instead of the text, so that a million rows' worth stays small
/// (two different IDs share a key with odds of 2^-128).
fn login_key((site, login): &(Uuid, String)) -> u128 {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    hash.update(site.as_bytes());
    hash.update(login.as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
}

fn problem(field: &str, message: impl std::fmt::Display) -> String {
    format!("{field}: {message}")
}

fn field_problems(errors: Vec<FieldError>) -> impl Iterator<Item = String> {
    errors.into_iter().map(|e| problem(&e.field, e.message))
}

impl State<'_> {
    async fn site(&mut self, tx: &mut dyn Tx, key: &str) -> AppResult<Option<Site>> {
        if let Some(site) = self.sites.get(key) {
            return Ok(site.clone());
        }
        let site = tx.site_by_key(key).await?;
        self.sites.insert(key.to_string(), site.clone());
        Ok(site)
    }

    /// Reads one row's cells into a customer and an account, with every
    /// problem the cells alone show.
    async fn read(&mut self, tx: &mut dyn Tx, line: u64, cells: &Cells<'_>) -> AppResult<Row> {
        let mut problems = Vec::new();
        let customer_id = match cells.get("customer_id") {
            None => Uuid::now_v7(),
            Some(v) => v.parse().unwrap_or_else(|_| {
                problems.push(problem("customer_id", "is not an ID (a UUID)"));
                Uuid::nil()
            }),
        };
        let joins_earlier = self.customers.contains(&customer_id)
            || self.chunk_customers.contains_key(&customer_id);
        if !joins_earlier {
            self.chunk_customers.insert(customer_id, line);
        }
        let mut customer = None;
        let (mut company, mut group) = (None, None);
        if !joins_earlier {
            let mut object = Map::new();
            for name in CustomerPatch::FIELDS.iter().map(|f| f.name) {
                let Some(value) = cells.get(name) else {
                    continue;
                };
                let value = if name == "notifications" {
                    match yes_no(value) {
                        Some(b) => Value::Bool(b),
                        None => {
                            problems.push(problem(name, "must be true or false"));
                            continue;
                        }
                    }
                } else {
                    Value::String(value.to_string())
                };
                object.insert(name.to_string(), value);
            }
            // One reading of the whole row; key by key (which names every
            // wrong key) only when that fails.
            let mut patch =
                match serde_json::from_value::<CustomerPatch>(Value::Object(object.clone())) {
                    Ok(patch) => patch,
                    Err(_) => CustomerPatch::from_json(&object),
                };
            // The company by name is decided with the database once the row
            // is known to be good.
            if patch.company_id.is_present() {
                patch.company = crate::customer_fields::Change::Keep;
            }
            let mut fields = CustomerFields {
                notifications: true,
                ..CustomerFields::default()
            };
            let mut errors = Vec::new();
            patch.apply_to(&mut fields, &mut errors);
            problems.extend(field_problems(errors));
            if let Some(id) = fields.company_id {
                match self.company_name_of(tx, id).await? {
                    Some(name) => fields.company = Some(name),
                    None => problems.push(problem("company_id", "there is no such company")),
                }
            } else if let Some(name) = fields.company.take().map(|n| company_name(&n))
                && !company_key(&name).is_empty()
            {
                company = Some(name);
            }
            if let Some(id) = fields.group_id
                && !self.group_ids.contains(&id)
            {
                problems.push(problem("group_id", "there is no such group"));
            }
            group = cells.get("group").map(str::to_string);
            if group.is_some() && fields.group_id.is_some() {
                problems.push(problem("group", "give group or group_id, not both"));
            }
            if fields.first_name.is_empty()
                && fields.last_name.is_empty()
                && company.is_none()
                && fields.company_id.is_none()
            {
                problems.push(problem("last_name", "give a name or a company"));
            }
            let created_at = self
                .time_of(cells, "customer_created_at", &mut problems)
                .unwrap_or(self.now);
            let updated_at = self
                .time_of(cells, "customer_updated_at", &mut problems)
                .unwrap_or(created_at);
            customer = Some(Customer {
                id: customer_id,
                fields,
                created_at,
                updated_at,
            });
        }
        let account = match cells.get("site") {
            None => {
                for column in super::ACCOUNT_COLUMNS.iter().skip(3) {
                    if cells.get(column).is_some() {
                        problems.push(problem(column, "belongs to an account; give its site too"));
                    }
                }
                None
            }
            Some(key) => match self.site(tx, key).await? {
                None => {
                    problems.push(problem("site", format!("there is no site '{key}'")));
                    None
                }
                Some(site) => self
                    .account(cells, &site, customer_id, customer.as_ref(), &mut problems)
                    .map(|a| (a, site)),
            },
        };
        Ok(Row {
            line,
            problems,
            customer_id,
            given_ids: (
                cells.get("customer_id").is_some(),
                cells.get("id").is_some(),
            ),
            joins_earlier,
            customer,
            company,
            group,
            account,
        })
    }

    async fn company_name_of(&mut self, tx: &mut dyn Tx, id: Uuid) -> AppResult<Option<String>> {
        if let Some(name) = self.company_ids.get(&id) {
            return Ok(Some(name.clone()));
        }
        let found = tx.company_by_id(id).await?.map(|c| c.name);
        if let Some(name) = &found {
            self.company_ids.insert(id, name.clone());
        }
        Ok(found)
    }

    fn time_of(
        &self,
        cells: &Cells<'_>,
        column: &str,
        problems: &mut Vec<String>,
    ) -> Option<OffsetDateTime> {
        let value = cells.get(column)?;
        let at = when(value);
        if at.is_none() {
            problems.push(problem(
                column,
                "is not a time (RFC 3339, like 2026-12-04T09:30:00Z, or a date 2026-12-04)",
            ));
        }
        at
    }

    fn account(
        &self,
        cells: &Cells<'_>,
        site: &Site,
        customer_id: Uuid,
        customer: Option<&Customer>,
        problems: &mut Vec<String>,
    ) -> Option<Account> {
        let before = problems.len();
        let raw_email = cells
            .get("account_email")
            .or_else(|| cells.get("email"))
            .unwrap_or_default();
        let email = Email::parse(raw_email)
            .map_err(|e| {
                problems.push(problem(
                    "email",
                    if raw_email.is_empty() {
                        "an account needs an e-mail address".into()
                    } else {
                        e.to_string()
                    },
                ))
            })
            .ok();
        let raw_login = cells
            .get("login_id")
            .map(str::to_string)
            .or_else(|| email.as_ref().map(|e| e.as_str().to_string()))
            .unwrap_or_default();
        let login = LoginId::parse(&raw_login, site.settings.login_id_mode)
            .map_err(|e| problems.push(problem("login_id", e)))
            .ok();
        let role = cells
            .get("role")
            .map_or(Ok(AccountRole::Customer), AccountRole::parse)
            .map_err(|e| problems.push(problem("role", e)))
            .ok();
        let status = cells
            .get("status")
            .map_or(Ok(Status::Active), Status::parse)
            .map_err(|e| problems.push(problem("status", e)))
            .ok();
        let flag = |column: &str, default: bool, problems: &mut Vec<String>| match cells.get(column)
        {
            None => default,
            Some(v) => yes_no(v).unwrap_or_else(|| {
                problems.push(problem(column, "must be true or false"));
                default
            }),
        };
        let email_validated = flag("email_validated", false, problems);
        let access_granted = flag("access_granted", true, problems);
        let failed_attempts = match cells.get("failed_attempts") {
            None => 0,
            Some(v) => v.parse::<u32>().unwrap_or_else(|_| {
                problems.push(problem("failed_attempts", "must be a whole number"));
                0
            }),
        };
        let id = match cells.get("id") {
            None => Uuid::now_v7(),
            Some(v) => v.parse().unwrap_or_else(|_| {
                problems.push(problem("id", "is not an ID (a UUID)"));
                Uuid::nil()
            }),
        };
        let password_hash = cells.get("password_hash").map(str::to_string);
        if let Some(hash) = &password_hash
            && let Err(why) = Scheme::parse(hash)
        {
            problems.push(problem("password_hash", why));
        }
        // Without the column the account speaks the customer's language;
        // with it, an empty cell means none of its own (as exported).
        let language = match cells.get("account_language") {
            Some(l) if matches!(l, "en" | "de") => Some(l.to_string()),
            Some(_) => {
                problems.push(problem("account_language", "must be en or de"));
                None
            }
            None if cells.has("account_language") => None,
            None => customer.and_then(|c| c.fields.language.clone()),
        };
        let times: Vec<Option<OffsetDateTime>> = [
            "access_expires_at",
            "password_expires_at",
            "registered_at",
            "verified_at",
            "approved_at",
            "last_login_at",
            "deleted_at",
        ]
        .iter()
        .map(|c| self.time_of(cells, c, problems))
        .collect();
        let (Some(email), Some(login), Some(role), Some(status)) = (email, login, role, status)
        else {
            return None;
        };
        if problems.len() > before {
            return None;
        }
        let mut state = AccountState::imported(status, email_validated, failed_attempts);
        state.access_granted = access_granted;
        state.access_expires_at = times[0];
        state.password_expires_at = times[1];
        let (first_name, last_name, company) = match customer {
            Some(c) => (
                c.fields.first_name.clone(),
                c.fields.last_name.clone(),
                c.fields.company.clone(),
            ),
            // Its customer is an earlier row's: `write_chunk` names it.
            None => Default::default(),
        };
        let registered_at = times[2].unwrap_or(self.now);
        Some(Account {
            id,
            site_id: site.id,
            customer_id: Some(customer_id),
            login_id: login.as_str().to_string(),
            email: email.as_str().to_string(),
            password_hash,
            role,
            deleted_at: state.deleted.map(|_| times[6].unwrap_or(self.now)),
            state,
            first_name,
            last_name,
            company,
            language,
            registered_at,
            verified_at: times[3],
            approved_at: times[4],
            last_login_at: times[5],
            version: 1,
        })
    }

    /// The database's and the file's checks of a chunk's rows: taken login
    /// IDs, existing IDs, repeats within the file.
    async fn check(&mut self, tx: &mut dyn Tx, rows: &mut [Row]) -> AppResult<()> {
        let customer_ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.customer.is_some() && r.given_ids.0)
            .map(|r| r.customer_id)
            .collect();
        let existing: HashSet<Uuid> = tx
            .existing_ids(IdKind::Customer, &customer_ids)
            .await?
            .into_iter()
            .collect();
        let account_ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.given_ids.1)
            .filter_map(|r| r.account.as_ref().map(|(a, _)| a.id))
            .collect();
        let existing_accounts: HashSet<Uuid> = tx
            .existing_ids(IdKind::Account, &account_ids)
            .await?
            .into_iter()
            .collect();
        let mut by_site: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (a, _) in rows.iter().filter_map(|r| r.account.as_ref()) {
            by_site
                .entry(a.site_id)
                .or_default()
                .push(a.login_id.to_lowercase());
        }
        let mut taken: HashSet<(Uuid, String)> = HashSet::new();
        for (site, logins) in by_site {
            for login in tx.taken_login_ids(site, &logins).await? {
                taken.insert((site, login));
            }
        }
        // This chunk's good new customers, for its later rows to join.
        let mut in_file: HashSet<Uuid> = HashSet::new();
        for row in rows.iter_mut() {
            if row.customer.is_some() {
                if existing.contains(&row.customer_id) {
                    row.problems.push(problem(
                        "customer_id",
                        "a customer with this ID exists already (an import adds customers, it does not change them)",
                    ));
                }
            } else if row.joins_earlier
                && !self.customers.contains(&row.customer_id)
                && !in_file.contains(&row.customer_id)
            {
                let first = self
                    .chunk_customers
                    .get(&row.customer_id)
                    .copied()
                    .unwrap_or_default();
                row.problems.push(problem(
                    "customer_id",
                    format!("the line that adds this customer (line {first}) is not imported"),
                ));
            }
            if row.joins_earlier && row.account.is_none() && row.problems.is_empty() {
                row.problems.push(problem(
                    "customer_id",
                    "this customer is on an earlier line already, and this line adds no account",
                ));
            }
            if let Some((a, site)) = &row.account {
                let key = (a.site_id, a.login_id.to_lowercase());
                if taken.contains(&key) {
                    row.problems.push(problem(
                        "login_id",
                        format!(
                            "an account with login ID '{}' exists on site '{}' already; it is not merged",
                            a.login_id, site.key
                        ),
                    ));
                } else if let Some(first) = self.logins.get(&login_key(&key)) {
                    row.problems.push(problem(
                        "login_id",
                        format!("'{}' is on line {first} already", a.login_id),
                    ));
                }
                if existing_accounts.contains(&a.id) {
                    row.problems
                        .push(problem("id", "an account with this ID exists already"));
                } else if self.account_ids.contains(&a.id) {
                    row.problems.push(problem(
                        "id",
                        "this account ID is on an earlier line already",
                    ));
                }
            }
            // Only a good row claims its IDs: a repeat of a bad row is not
            // reported as a repeat.
            if row.problems.is_empty() {
                if row.customer.is_some() {
                    in_file.insert(row.customer_id);
                }
                if let Some((a, _)) = &row.account {
                    self.logins
                        .insert(login_key(&(a.site_id, a.login_id.to_lowercase())), row.line);
                    self.account_ids.insert(a.id);
                }
            }
        }
        Ok(())
    }
}

/// Imports the CSV `reader` gives, as `actor` (the caller has checked that
/// they may). Refuses the whole file, writing nothing, when its header
/// cannot be mapped; otherwise answers the report, bad rows included.
#[tracing::instrument(name = "app.transfer.import.import", level = "debug", skip_all)]
pub async fn import<R: Read + Send>(
    app: &App,
    actor: &Actor,
    reader: R,
    options: &Options,
    mut progress: impl FnMut(Progress) + Send,
) -> AppResult<Report> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| AppError::invalid("file", format!("the first line is not a CSV header: {e}")))?
        .clone();
    let columns = column_map(&headers, &options.mapping)?;
    let positions: HashMap<&'static str, usize> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (c, i)))
        .collect();
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let groups = tx.list_groups().await?;
    let mut state = State {
        app,
        actor,
        now,
        sites: HashMap::new(),
        group_ids: groups.iter().map(|g| g.id).collect(),
        groups: groups
            .into_iter()
            .map(|g| (g.name.to_lowercase(), g.id))
            .collect(),
        companies: HashMap::new(),
        company_ids: HashMap::new(),
        customers: HashSet::new(),
        logins: HashMap::new(),
        account_ids: HashSet::new(),
        chunk_customers: HashMap::new(),
    };
    let mut report = Report::default();
    let mut record = csv::StringRecord::new();
    let mut done = false;
    while !done {
        let mut rows = Vec::with_capacity(CHUNK);
        while rows.len() < CHUNK {
            let line = csv.position().line();
            match csv.read_record(&mut record) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => {}
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                    // The file itself could not be read: nothing is kept.
                    return Err(AppError::invalid(
                        "file",
                        format!("the file could not be read after line {line}: {e}"),
                    ));
                }
                Err(e) => {
                    // A broken line (not UTF-8, say): reported, and the
                    // reader goes on with the next.
                    report.rows += 1;
                    report.bad.push(BadRow {
                        line: e.position().map_or(line, |p| p.line()),
                        problems: vec![format!("the line cannot be read: {e}")],
                    });
                    continue;
                }
            }
            report.rows += 1;
            let cells = Cells {
                record: &record,
                positions: &positions,
            };
            let mut row = state.read(tx.as_mut(), line, &cells).await?;
            if record.len() != headers.len() {
                row.problems.push(format!(
                    "the line has {} cells where the header has {}",
                    record.len(),
                    headers.len()
                ));
            }
            rows.push(row);
        }
        state.check(tx.as_mut(), &mut rows).await?;
        state.chunk_customers.clear();
        let writing = !(options.mode == Mode::AllOrNothing
            && (!report.bad.is_empty() || rows.iter().any(|r| !r.problems.is_empty())));
        write_chunk(&mut state, tx.as_mut(), rows, writing, options, &mut report).await?;
        progress(Progress {
            rows: report.rows,
            bytes: csv.position().byte(),
        });
    }
    report.bad.sort_by_key(|b| b.line);
    let keep = !options.dry_run && (options.mode == Mode::SkipBadRows || report.bad.is_empty());
    if !keep {
        report.written = false;
        return Ok(report);
    }
    tx.append_audit(&audit::event(
        now,
        actor,
        "customers.import",
        None,
        None,
        json!({
            "rows": report.rows, "customers": report.customers, "accounts": report.accounts,
            "companies": report.companies, "groups": report.groups,
            "invitations": report.invitations, "bad_rows": report.bad.len(),
        }),
    ))
    .await?;
    tx.commit().await?;
    report.written = true;
    state.app.store.analyze().await?;
    Ok(report)
}

/// Counts a chunk's rows and, when `writing`, writes its good ones: their
/// companies and groups first, then customers, then accounts (and their
/// invitations).
async fn write_chunk(
    state: &mut State<'_>,
    tx: &mut dyn Tx,
    rows: Vec<Row>,
    writing: bool,
    options: &Options,
    report: &mut Report,
) -> AppResult<()> {
    let mut customers = Vec::new();
    let mut accounts = Vec::new();
    // This chunk's new customers' names, for their later rows' accounts.
    let mut names: HashMap<Uuid, (String, String, Option<String>)> = HashMap::new();
    for mut row in rows {
        if !row.problems.is_empty() {
            report.bad.push(BadRow {
                line: row.line,
                problems: std::mem::take(&mut row.problems),
            });
            continue;
        }
        if let Some(mut customer) = row.customer.take() {
            if let Some(name) = row.company.take() {
                let key = company_key(&name);
                let (id, name) = match state.companies.get(&key) {
                    Some(known) => known.clone(),
                    None => {
                        let (company, made) = if writing {
                            companies::find_or_make(tx, name, state.actor, state.now).await?
                        } else {
                            match tx.company_by_key(&key).await? {
                                Some(c) => (c, false),
                                None => (gatehouse_store::Company::named(name, state.now), true),
                            }
                        };
                        report.companies += u64::from(made);
                        let known = (company.id, company.name);
                        state.companies.insert(key, known.clone());
                        known
                    }
                };
                customer.fields.company = Some(name);
                customer.fields.company_id = Some(id);
            }
            if let Some(name) = row.group.take() {
                customer.fields.group_id = Some(state.group(tx, &name, writing, report).await?);
            }
            state.customers.insert(customer.id);
            names.insert(
                customer.id,
                (
                    customer.fields.first_name.clone(),
                    customer.fields.last_name.clone(),
                    customer.fields.company.clone(),
                ),
            );
            if let Some((account, _)) = &mut row.account {
                account.first_name = customer.fields.first_name.clone();
                account.last_name = customer.fields.last_name.clone();
                account.company = customer.fields.company.clone();
            }
            report.customers += 1;
            customers.push(customer);
        } else if let Some((account, _)) = &mut row.account {
            // An earlier row's customer: of this chunk, or written by an
            // earlier one in this transaction (nothing to name when
            // nothing is written).
            let named = match names.get(&row.customer_id) {
                Some(n) => Some(n.clone()),
                None if writing => tx
                    .customer_by_id(row.customer_id)
                    .await?
                    .map(|c| (c.fields.first_name, c.fields.last_name, c.fields.company)),
                None => None,
            };
            if let Some((first, last, company)) = named {
                account.first_name = first;
                account.last_name = last;
                account.company = company;
            }
        }
        if let Some((account, site)) = row.account {
            report.accounts += 1;
            accounts.push((account, site));
        }
    }
    if !writing {
        return Ok(());
    }
    tx.insert_customers(&customers).await?;
    let plain: Vec<Account> = accounts.iter().map(|(a, _)| a.clone()).collect();
    tx.insert_accounts(&plain).await.map_err(|e| match e {
        gatehouse_store::StoreError::Conflict(_) => AppError::Conflict(
            "a login ID in the file was taken on its site while the import ran; nothing was imported".into(),
        ),
        other => other.into(),
    })?;
    if options.send_invitations {
        for (account, site) in &accounts {
            if account.password_hash.is_none() && account.state.status(state.now) == Status::Active
            {
                crate::account_mail::send_invitation(state.app, tx, site, account, state.now)
                    .await?;
                report.invitations += 1;
            }
        }
    }
    Ok(())
}

impl State<'_> {
    /// The group with this name (any case), made when there is none.
    async fn group(
        &mut self,
        tx: &mut dyn Tx,
        name: &str,
        writing: bool,
        report: &mut Report,
    ) -> AppResult<Uuid> {
        if let Some(id) = self.groups.get(&name.to_lowercase()) {
            return Ok(*id);
        }
        let group = Group {
            id: Uuid::now_v7(),
            name: name.to_string(),
            description: String::new(),
            active: true,
            created_at: self.now,
        };
        if writing {
            tx.insert_group(&group).await?;
            tx.append_audit(&audit::event(
                self.now,
                self.actor,
                "group.create",
                Some(("group", group.id)),
                None,
                json!({"name": group.name}),
            ))
            .await?;
        }
        report.groups += 1;
        self.groups.insert(name.to_lowercase(), group.id);
        self.group_ids.insert(group.id);
        Ok(group.id)
    }
}
