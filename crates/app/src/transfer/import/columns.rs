//! The file's columns: which of ours each fills (by the header and the
//! given mapping), and one row's cells read by our column name, with the
//! forms a yes/no and a time may take.

use super::*;

/// A column of the file: which of ours it fills, if any.
pub(super) fn column_map(
    headers: &csv::StringRecord,
    mapping: &[(String, String)],
) -> AppResult<Vec<Option<&'static str>>> {
    let known = crate::transfer::import_columns();
    let mut out = Vec::with_capacity(headers.len());
    let mut filled: HashMap<&str, &str> = HashMap::new();
    let mut problems = Vec::new();
    for header in headers {
        let header = header.trim().trim_start_matches('\u{feff}');
        let target = mapping
            .iter()
            .find(|(from, _)| from.trim() == header)
            .map_or(header, |(_, to)| to.trim());
        if target.is_empty() {
            out.push(None);
            continue;
        }
        match known.iter().find(|k| **k == target) {
            Some(k) => {
                if let Some(other) = filled.insert(k, header) {
                    problems.push(format!("columns '{other}' and '{header}' both fill '{k}'"));
                }
                out.push(Some(*k));
            }
            None => problems.push(format!(
                "column '{header}' is not one Gatehouse knows; map it to one (for example \
                 '{header}=email') or leave it out ('{header}=')"
            )),
        }
    }
    for (from, _) in mapping {
        if !headers
            .iter()
            .any(|h| h.trim().trim_start_matches('\u{feff}') == from.trim())
        {
            problems.push(format!(
                "the mapping names column '{from}', which the file does not have"
            ));
        }
    }
    if !out
        .iter()
        .any(|c| matches!(c, Some("first_name" | "last_name" | "company")))
    {
        problems.push("the file needs a first_name and last_name column, or company".into());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::invalid("file", problems.join("; ")))
    }
}

/// One row's cells by our column name.
pub(super) struct Cells<'a> {
    pub(super) record: &'a csv::StringRecord,
    pub(super) positions: &'a HashMap<&'static str, usize>,
}

impl Cells<'_> {
    /// The trimmed cell, `None` when empty or absent.
    pub(super) fn get(&self, column: &str) -> Option<&str> {
        self.positions
            .get(column)
            .and_then(|i| self.record.get(*i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// Whether the file has this column (empty cells included).
    pub(super) fn has(&self, column: &str) -> bool {
        self.positions.contains_key(column)
    }
}

pub(super) fn yes_no(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "y" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// A time in RFC 3339, or a date (midnight UTC).
pub(super) fn when(value: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(value, &Rfc3339).ok().or_else(|| {
        time::Date::parse(
            value,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|d| d.midnight().assume_utc())
    })
}
