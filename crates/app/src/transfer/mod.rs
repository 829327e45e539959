//! Moving customers in and out: an import from CSV ([`import`]), run in the
//! background for the console ([`runs`]), and an export to CSV or JSON lines
//! ([`export`]) that share one list of columns, so that what an export
//! writes imports again unchanged.
//!
//! Invariants owned here:
//! - [`COLUMNS`] is the one list of the file's columns, in the order an
//!   export writes them; the customer's own fields are those of
//!   `customer_fields` (their rules apply to every imported cell).
//! - A row is a customer, and with a `site` also one portal account of
//!   theirs; further rows with the same `customer_id` add accounts to it.

pub mod export;
pub mod import;
pub mod runs;

use crate::customer_fields::CustomerPatch;

/// The customer's own columns: every customer field but the two record IDs
/// (company and group are written by name, so that a file moves between
/// installations, where the IDs differ).
pub fn customer_columns() -> impl Iterator<Item = &'static str> {
    CustomerPatch::FIELDS
        .iter()
        .map(|f| f.name)
        .filter(|n| !matches!(*n, "company_id" | "group_id"))
}

/// Columns beyond the customer's fields: the customer's identity and times,
/// its group by name, and the account.
pub const ACCOUNT_COLUMNS: &[&str] = &[
    "customer_created_at",
    "customer_updated_at",
    "group",
    "site",
    "id",
    "login_id",
    "account_email",
    "account_language",
    "role",
    "status",
    "email_validated",
    "access_granted",
    "access_expires_at",
    "password_expires_at",
    "registered_at",
    "verified_at",
    "approved_at",
    "last_login_at",
    "failed_attempts",
    "deleted_at",
    "password_hash",
];

/// Every column an export writes, in its order: `customer_id`, the
/// customer's fields, then [`ACCOUNT_COLUMNS`].
pub fn columns() -> Vec<&'static str> {
    std::iter::once("customer_id")
        .chain(customer_columns())
        .chain(ACCOUNT_COLUMNS.iter().copied())
        .collect()
}

/// Every column an import reads: those of an export, and the record IDs
/// `company_id` and `group_id` of this installation.
pub fn import_columns() -> Vec<&'static str> {
    let mut all = columns();
    all.extend(["company_id", "group_id"]);
    all
}

/// A time as the file writes it: RFC 3339 in UTC, to the millisecond.
pub(crate) fn time_cell(at: Option<time::OffsetDateTime>) -> String {
    at.and_then(|t| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_default()
}
