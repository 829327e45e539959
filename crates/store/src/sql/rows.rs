//! Customer and account rows as lists of column values, for the writes
//! that insert whole rows: one statement's binds, a multi-row `VALUES`
//! list, or PostgreSQL's `COPY … FROM STDIN`.
//!
//! Invariants owned here:
//! - [`CUSTOMER_COLUMNS`] and [`customer_cells`], [`ACCOUNT_COLUMNS`] and
//!   [`account_cells`] name the same columns in the same order; every
//!   insert of a customer or an account goes through them, so a column is
//!   added in one place.
//! - [`copy_text`] writes exactly what PostgreSQL's text `COPY` format
//!   reads back as the same values: `\N` is NULL, and a backslash, tab,
//!   newline or carriage return inside a value is escaped.

use std::borrow::Cow;

use uuid::Uuid;

use crate::model::{Account, Customer, lock_columns, search_text, stage_str, to_ms};

/// One column's value.
pub(super) enum Cell<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Bool(bool),
    Id(Option<Uuid>),
}

fn text(value: &str) -> Cell<'_> {
    Cell::Text(Some(Cow::Borrowed(value)))
}

fn maybe(value: Option<&str>) -> Cell<'_> {
    Cell::Text(value.map(Cow::Borrowed))
}

/// The customer columns, in [`customer_cells`]' order.
pub(super) const CUSTOMER_COLUMNS: &str = "id, first_name, last_name, email, company, url, phone, \
     mobile, country, region, street, postcode, city, external_id, group_id, avatar_url, \
     notifications, notes, language, created_at, updated_at, search_text, company_id";

/// How many columns [`CUSTOMER_COLUMNS`] names.
pub(super) const CUSTOMER_WIDTH: usize = 23;

/// A customer's values, search text included.
pub(super) fn customer_cells(cu: &Customer) -> [Cell<'_>; CUSTOMER_WIDTH] {
    let f = &cu.fields;
    [
        Cell::Id(Some(cu.id)),
        text(&f.first_name),
        text(&f.last_name),
        maybe(f.email.as_deref()),
        maybe(f.company.as_deref()),
        maybe(f.url.as_deref()),
        maybe(f.phone.as_deref()),
        maybe(f.mobile.as_deref()),
        maybe(f.country.as_deref()),
        maybe(f.region.as_deref()),
        maybe(f.street.as_deref()),
        maybe(f.postcode.as_deref()),
        maybe(f.city.as_deref()),
        maybe(f.external_id.as_deref()),
        Cell::Id(f.group_id),
        maybe(f.avatar_url.as_deref()),
        Cell::Bool(f.notifications),
        maybe(f.notes.as_deref()),
        maybe(f.language.as_deref()),
        Cell::Int(Some(to_ms(cu.created_at))),
        Cell::Int(Some(to_ms(cu.updated_at))),
        Cell::Text(Some(Cow::Owned(search_text(f)))),
        Cell::Id(f.company_id),
    ]
}

/// The account columns, in [`account_cells`]' order.
pub(super) const ACCOUNT_COLUMNS: &str = "id, site_id, customer_id, login_id, email, \
     password_hash, role, stage, lock_until, lock_permanent, failed_attempts, blocked, \
     deleted_reason, deleted_at, email_validated, access_granted, access_expires_at, \
     password_expires_at, first_name, last_name, company, language, registered_at, verified_at, \
     approved_at, last_login_at, version, standing";

/// How many columns [`ACCOUNT_COLUMNS`] names.
pub(super) const ACCOUNT_WIDTH: usize = 28;

/// An account's values, its lock and standing as stored.
pub(super) fn account_cells(a: &Account) -> [Cell<'_>; ACCOUNT_WIDTH] {
    let s = &a.state;
    let (lock_until, lock_permanent) = lock_columns(s.lock);
    [
        Cell::Id(Some(a.id)),
        Cell::Id(Some(a.site_id)),
        Cell::Id(a.customer_id),
        text(&a.login_id),
        text(&a.email),
        maybe(a.password_hash.as_deref()),
        text(a.role.as_str()),
        text(stage_str(s.stage)),
        Cell::Int(lock_until),
        Cell::Bool(lock_permanent),
        Cell::Int(Some(i64::from(s.failed_attempts))),
        Cell::Bool(s.blocked),
        maybe(s.deleted.map(|d| d.as_str())),
        Cell::Int(a.deleted_at.map(to_ms)),
        Cell::Bool(s.email_validated),
        Cell::Bool(s.access_granted),
        Cell::Int(s.access_expires_at.map(to_ms)),
        Cell::Int(s.password_expires_at.map(to_ms)),
        text(&a.first_name),
        text(&a.last_name),
        maybe(a.company.as_deref()),
        maybe(a.language.as_deref()),
        Cell::Int(Some(to_ms(a.registered_at))),
        Cell::Int(a.verified_at.map(to_ms)),
        Cell::Int(a.approved_at.map(to_ms)),
        Cell::Int(a.last_login_at.map(to_ms)),
        Cell::Int(Some(a.version)),
        text(s.standing().as_str()),
    ]
}

/// Binds cells, in order, to a query of either engine.
macro_rules! bind_cells {
    ($q:expr, $cells:expr) => {{
        let mut q = $q;
        for cell in $cells {
            q = match cell {
                $crate::sql::rows::Cell::Text(v) => q.bind(v.map(|v| v.into_owned())),
                $crate::sql::rows::Cell::Int(v) => q.bind(v),
                $crate::sql::rows::Cell::Bool(v) => q.bind(v),
                $crate::sql::rows::Cell::Id(v) => q.bind(v),
            };
        }
        q
    }};
}
pub(super) use bind_cells;

/// Appends one row in PostgreSQL's text `COPY` format.
pub(super) fn copy_text(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match cell {
            Cell::Text(None) | Cell::Int(None) | Cell::Id(None) => out.extend_from_slice(b"\\N"),
            Cell::Text(Some(v)) => {
                for byte in v.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        other => out.push(other),
                    }
                }
            }
            Cell::Int(Some(v)) => out.extend_from_slice(v.to_string().as_bytes()),
            Cell::Bool(v) => out.push(if *v { b't' } else { b'f' }),
            Cell::Id(Some(v)) => out.extend_from_slice(
                v.hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer())
                    .as_bytes(),
            ),
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_format_reads_specially() {
        let mut out = Vec::new();
        copy_text(
            &mut out,
            &[
                text("a\\b\tc\nd\re"),
                Cell::Text(None),
                Cell::Int(Some(-7)),
                Cell::Bool(false),
                Cell::Id(Some(Uuid::nil())),
                Cell::Id(None),
            ],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\\\\b\\tc\\nd\\re\t\\N\t-7\tf\t00000000-0000-0000-0000-000000000000\t\\N\n"
        );
    }

    #[test]
    fn the_column_lists_are_as_wide_as_the_cells() {
        assert_eq!(CUSTOMER_COLUMNS.split(',').count(), CUSTOMER_WIDTH);
        assert_eq!(ACCOUNT_COLUMNS.split(',').count(), ACCOUNT_WIDTH);
    }
}
