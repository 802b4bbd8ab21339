//! CSV downloads. Cells come from outside (publiccode.yml names, iPA
//! lists, form fields): a cell a spreadsheet would read as a formula (one
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return, as OWASP's
//! "CSV injection" note lists them) gets a leading apostrophe, unless it is
//! a number (`-3.5` stays a number).

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::{self, AppError};

/// A cell as written: neutralised when a spreadsheet would run it.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.trim().parse::<f64>().is_err() { format!("'{cell}").into() } else { cell.into() }
}

/// The CSV text of rows (the header from the items' field names), every
/// cell neutralised.
pub fn csv_bytes<T: serde::Serialize>(rows: impl IntoIterator<Item = T>) -> Result<Vec<u8>, AppError> {
    let mut plain = csv::Writer::from_writer(Vec::new());
    for r in rows {
        plain.serialize(r).map_err(error::internal)?;
    }
    let plain = plain.into_inner().map_err(error::internal)?;
    // Read back as records (the header included) and write each cell checked.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(plain.as_slice());
    let mut out = csv::Writer::from_writer(Vec::with_capacity(plain.len()));
    for record in reader.records() {
        let record = record.map_err(error::internal)?;
        out.write_record(record.iter().map(neutralise).collect::<Vec<_>>().iter().map(|c| c.as_bytes()))
            .map_err(error::internal)?;
    }
    out.into_inner().map_err(error::internal)
}

/// A CSV download named `name`: one row per item.
pub fn csv_response<T: serde::Serialize>(name: &str, rows: impl IntoIterator<Item = T>) -> Result<Response, AppError> {
    let body = csv_bytes(rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Row {
        name: &'static str,
        value: f64,
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let rows = [
            Row { name: "=HYPERLINK(\"http://x\")", value: -3.5 },
            Row { name: "+1+2", value: 1.0 },
            Row { name: "@SUM(A1)", value: 2.0 },
            Row { name: "-12", value: 3.0 },
            Row { name: "Comune di Bari", value: 4.0 },
            Row { name: "\tcmd", value: 5.0 },
        ];
        let text = String::from_utf8(csv_bytes(rows).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "name,value");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\")\",-3.5");
        assert_eq!(lines[2], "'+1+2,1.0");
        assert_eq!(lines[3], "'@SUM(A1),2.0");
        assert_eq!(lines[4], "-12,3.0");
        assert_eq!(lines[5], "Comune di Bari,4.0");
        assert_eq!(lines[6], "'\tcmd,5.0");
    }
}
