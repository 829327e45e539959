//! CSV answers: RFC 4180 lines whose cells a spreadsheet would run as a
//! formula are neutralised, and the download headers.

use axum::response::{IntoResponse, Response};

/// A cell a spreadsheet would not run as a formula.
pub(crate) fn neutral_cell(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// A CSV download.
pub(crate) fn csv_response(filename: &str, body: axum::body::Body) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    response
}

/// RFC 4180 lines of the records, every cell neutralised.
pub(crate) fn csv_lines<R, C>(records: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        for cell in record {
            out.write_field(neutral_cell(cell.as_ref()).as_bytes())?;
        }
        out.write_record(None::<&[u8]>)?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::neutral_cell;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutral_cell(risky), format!("'{risky}"));
        }
        assert_eq!(neutral_cell("ada@example.com"), "ada@example.com");
        assert_eq!(neutral_cell(""), "");
    }
}
