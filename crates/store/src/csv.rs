//! Reading our CSV files (adoptions, community files): one way to open them
//! (UTF-8, a BOM skipped, `;` or `,`, a quoted cell never closed refused),
//! to number their rows, and to report a bad row.

use std::fmt;

use serde::Serialize;

/// A bad row of one of our CSV files (adoptions, communities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column.
    pub column: String,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column `{}`: {}", self.line, self.column, self.message)
    }
}

/// The 1-based line where a record starts (the csv reader reports the line
/// of a blank line before it, so count from its byte offset instead).
fn line_of(text: &str, position: Option<&csv::Position>) -> u64 {
    let Some(p) = position else { return 0 };
    let mut b = (p.byte() as usize).min(text.len());
    while text.as_bytes().get(b).is_some_and(|c| *c == b'\n' || *c == b'\r') {
        b += 1;
    }
    1 + text.as_bytes()[..b].iter().filter(|c| **c == b'\n').count() as u64
}

/// A CSV file of ours opened: UTF-8 (a BOM skipped), `;` or `,` (whichever
/// the header line has more of), rows of any length; the text, its reader
/// and the header names trimmed and lower-cased.
pub(crate) type OpenCsv<'a> = (&'a str, csv::Reader<&'a [u8]>, Vec<String>);

/// Opens a CSV file (see [`OpenCsv`]); the problem on line 1 if it cannot.
pub(crate) fn open_csv(bytes: &[u8]) -> std::result::Result<OpenCsv<'_>, RowError> {
    let err = |message: String| RowError { line: 1, column: String::new(), message };
    let text = std::str::from_utf8(bytes).map_err(|_| err("the file is not UTF-8 text".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let sep = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    if let Some(line) = cantiere_index::unclosed_quote(text, sep) {
        return Err(RowError {
            line,
            column: String::new(),
            message: "a quoted cell opens on this line and is never closed".into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new().delimiter(sep).flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| err(format!("unreadable header: {e}")))?
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    Ok((text, reader, header))
}

/// A row with another number of cells than the header has columns (cells
/// are matched to columns by position, so a shifted row would put its values
/// under the wrong names).
fn width_error(record: &csv::StringRecord, columns: usize, line: u64) -> Option<RowError> {
    (record.len() != columns).then(|| RowError {
        line,
        column: String::new(),
        message: format!("the row has {} cells but the header has {columns} columns", record.len()),
    })
}

/// The rows of an opened file that hold something, each with its line,
/// and the errors of the others: an unreadable row, or one of another width
/// than the header (blank rows are skipped).
pub(crate) fn rows(
    text: &str,
    reader: &mut csv::Reader<&[u8]>,
    columns: usize,
) -> (Vec<(u64, csv::StringRecord)>, Vec<RowError>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(text, e.position());
                bad.push(RowError { line, column: String::new(), message: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = line_of(text, record.position());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match width_error(&record, columns, line) {
            Some(e) => bad.push(e),
            None => good.push((line, record)),
        }
    }
    (good, bad)
}

/// The columns of `required` that the header does not name, each an error
/// on line 1.
pub(crate) fn missing_columns(header: &[String], required: &[&str]) -> Vec<RowError> {
    required
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| RowError {
            line: 1,
            column: (*c).to_string(),
            message: format!("missing column: the header must name {}", required.join(", ")),
        })
        .collect()
}
