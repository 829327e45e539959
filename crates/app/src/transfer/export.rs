//! The export: customers matching the customer list's filters, with their
//! accounts, as CSV or JSON lines in the columns of [`super::columns`],
//! written a chunk at a time.
//!
//! Invariants owned here:
//! - Memory stays at one chunk of customers whatever the count (the store
//!   is read in ID order after the last ID written).
//! - Cells are written as stored: no spreadsheet neutralising (unlike the
//!   console's CSV downloads), so that the file imports again unchanged.
//! - Password hashes are written only when asked for.

use std::collections::HashMap;
use std::io::Write;

use gatehouse_store::{Account, Customer, CustomerFilter};
use serde::Serialize;
use uuid::Uuid;

use super::time_cell;
use crate::customer_fields::value_of;
use crate::{App, AppError, AppResult};

/// Customers read at once.
const CHUNK: i64 = 1000;

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 4180 CSV with a header line.
    Csv,
    /// One JSON object a line, its keys the CSV's columns (empty cells
    /// left out).
    Jsonl,
}

/// How to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// The file's format.
    pub format: Format,
    /// Write the accounts' password hashes (to move to another Gatehouse).
    pub password_hashes: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Customers.
    pub customers: u64,
    /// Accounts.
    pub accounts: u64,
    /// Lines (the header aside).
    pub rows: u64,
}

/// Writes every customer `filter` matches to `out`; calls `progress` after
/// each chunk. The caller has checked that the reader may see them.
#[tracing::instrument(name = "app.transfer.export.export", level = "debug", skip_all)]
pub async fn export(
    app: &App,
    filter: &CustomerFilter,
    options: &Options,
    out: impl Write + Send,
    mut progress: impl FnMut(Written) + Send,
) -> AppResult<Written> {
    let columns = super::columns();
    let io =
        |e: std::io::Error| AppError::Internal(format!("the export could not be written: {e}"));
    let mut sink = match options.format {
        Format::Csv => {
            let mut csv = csv::WriterBuilder::new().from_writer(out);
            csv.write_record(&columns).map_err(|e| io(e.into()))?;
            Sink::Csv(Box::new(csv))
        }
        Format::Jsonl => Sink::Jsonl(std::io::BufWriter::new(out)),
    };
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let groups: HashMap<Uuid, String> = tx
        .list_groups()
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let sites: HashMap<Uuid, String> = tx
        .list_sites()
        .await?
        .into_iter()
        .map(|s| (s.id, s.key))
        .collect();
    drop(tx);
    let mut written = Written::default();
    let mut after = None;
    loop {
        // A read transaction a chunk: a long export holds no snapshot open.
        let mut tx = app.store.read().await?;
        let customers = tx.customers_after(filter, after, CHUNK, now).await?;
        let ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
        let mut accounts: HashMap<Uuid, Vec<Account>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for a in tx.accounts_of_customers(chunk).await? {
                if let Some(id) = a.customer_id {
                    accounts.entry(id).or_default().push(a);
                }
            }
        }
        drop(tx);
        for customer in &customers {
            // By ID (the order they were made): the same file from the same
            // data on either engine.
            let mut mine = accounts.remove(&customer.id).unwrap_or_default();
            mine.sort_by_key(|a| a.id);
            let rows: Vec<Option<&Account>> = if mine.is_empty() {
                vec![None]
            } else {
                mine.iter().map(Some).collect()
            };
            for account in rows {
                let cells = row(customer, account, &groups, &sites, options, now);
                match &mut sink {
                    Sink::Csv(csv) => csv.write_record(&cells).map_err(|e| io(e.into()))?,
                    Sink::Jsonl(inner) => {
                        let object: serde_json::Map<String, serde_json::Value> = columns
                            .iter()
                            .zip(cells)
                            .filter(|(_, v)| !v.is_empty())
                            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                            .collect();
                        let line = serde_json::to_string(&object)
                            .map_err(|e| AppError::Internal(e.to_string()))?;
                        inner.write_all(line.as_bytes()).map_err(io)?;
                        inner.write_all(b"\n").map_err(io)?;
                    }
                }
                written.rows += 1;
                written.accounts += u64::from(account.is_some());
            }
            written.customers += 1;
        }
        progress(written);
        match customers.last() {
            Some(last) if customers.len() as i64 == CHUNK => after = Some(last.id),
            _ => break,
        }
    }
    match &mut sink {
        Sink::Csv(csv) => csv.flush().map_err(io)?,
        Sink::Jsonl(inner) => inner.flush().map_err(io)?,
    }
    Ok(written)
}

/// Where the lines go.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(std::io::BufWriter<W>),
}

/// One line's cells, in [`super::columns`] order.
fn row(
    customer: &Customer,
    account: Option<&Account>,
    groups: &HashMap<Uuid, String>,
    sites: &HashMap<Uuid, String>,
    options: &Options,
    now: time::OffsetDateTime,
) -> Vec<String> {
    let f = &customer.fields;
    let mut cells = Vec::with_capacity(48);
    cells.push(customer.id.to_string());
    cells.extend(super::customer_columns().map(|name| value_of(f, name).into_owned()));
    cells.push(time_cell(Some(customer.created_at)));
    cells.push(time_cell(Some(customer.updated_at)));
    cells.push(
        f.group_id
            .and_then(|g| groups.get(&g).cloned())
            .unwrap_or_default(),
    );
    let Some(a) = account else {
        cells.resize(super::columns().len(), String::new());
        return cells;
    };
    let s = &a.state;
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    cells.extend([
        sites.get(&a.site_id).cloned().unwrap_or_default(),
        a.id.to_string(),
        a.login_id.clone(),
        a.email.clone(),
        a.language.clone().unwrap_or_default(),
        a.role.as_str().to_string(),
        s.status(now).as_str().to_string(),
        flag(s.email_validated),
        flag(s.access_granted),
        time_cell(s.access_expires_at),
        time_cell(s.password_expires_at),
        time_cell(Some(a.registered_at)),
        time_cell(a.verified_at),
        time_cell(a.approved_at),
        time_cell(a.last_login_at),
        s.failed_attempts.to_string(),
        time_cell(a.deleted_at),
        if options.password_hashes {
            a.password_hash.clone().unwrap_or_default()
        } else {
            String::new()
        },
    ]);
    cells
}
