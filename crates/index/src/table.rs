//! Reading and writing the tables the engine works with.
//!
//! A [`Table`] is a header plus rows of text cells, each row remembering its
//! line in the source file so that errors can point at it. Tables are read
//! from CSV (comma-separated, optionally quoted, UTF-8 with or without BOM) or
//! from the first worksheet of an `.xlsx` workbook. Writing is CSV only, with
//! numbers in their shortest round-trip form and missing values as empty cells.

use std::path::Path;

use crate::error::{Error, Location, Result};

/// A rectangular table of text cells read from a file.
#[derive(Debug, Clone)]
pub struct Table {
    /// How the source is named in error messages (usually the path).
    pub file: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows: the 1-based line of the row in the source and its cells (padded
    /// with empty cells to the header's width).
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Reads a table from a path, choosing the format by extension
    /// (`.xlsx`/`.xlsm` read the first worksheet; anything else is CSV).
    pub fn read(path: &Path) -> Result<Table> {
        if Table::is_workbook(path) {
            read_xlsx(path)
        } else {
            let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
            Table::from_csv(&path.display().to_string(), &bytes)
        }
    }

    /// Whether a path names a workbook (`.xlsx`, `.xlsm`) rather than CSV.
    pub fn is_workbook(path: &Path) -> bool {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        ext == "xlsx" || ext == "xlsm"
    }

    /// Parses CSV bytes. `file` names the source in errors.
    pub fn from_csv(file: &str, bytes: &[u8]) -> Result<Table> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            Error::input(Location::file(file).line(line), "the file is not valid UTF-8 text")
        })?;
        let mut longest = (0, 0u64);
        for (i, l) in text.split('\n').enumerate() {
            if l.len() > longest.0 {
                longest = (l.len(), i as u64 + 1);
            }
        }
        if longest.0 > crate::MAX_RECORD {
            return Err(Error::input(
                Location::file(file).line(longest.1),
                format!("a record longer than {} MiB: not a table this reader takes", crate::MAX_RECORD >> 20),
            ));
        }
        if let Some(line) = unclosed_quote(text, b',') {
            return Err(Error::input(
                Location::file(file).line(line),
                "malformed CSV: a quoted cell opens here and is never closed",
            ));
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut headers = Vec::new();
        let mut rows = Vec::new();
        // The csv crate does not count blank lines: derive lines from byte offsets.
        let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
        let raw = text.as_bytes();
        let line_at = |byte: u64| {
            // A record's position may point at blank lines before it.
            let mut b = byte as usize;
            while b < raw.len() && (raw[b] == b'\n' || raw[b] == b'\r') {
                b += 1;
            }
            newlines.partition_point(|&nl| nl < b) as u64 + 1
        };
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(i as u64 + 1);
                Error::input(Location::file(file).line(line), format!("malformed CSV: {e}"))
            })?;
            let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(i as u64 + 1);
            let cells: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
            if i == 0 {
                if cells.len() > crate::MAX_COLUMNS {
                    return Err(Error::input(
                        Location::file(file).line(line),
                        format!("the header has {} columns: at most {}", cells.len(), crate::MAX_COLUMNS),
                    ));
                }
                headers = cells;
                continue;
            }
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            if cells.len() < headers.len() {
                return Err(Error::input(
                    Location::file(file).line(line),
                    format!("the row has {} cells but the header has {} columns", cells.len(), headers.len()),
                ));
            }
            rows.push((line, cells));
        }
        if headers.is_empty() {
            return Err(Error::input(Location::file(file), "the file is empty: expected a header row"));
        }
        let mut table = Table { file: file.to_string(), headers, rows };
        table.normalise_width()?;
        Ok(table)
    }

    fn normalise_width(&mut self) -> Result<()> {
        let width = self.headers.len();
        for (line, cells) in &mut self.rows {
            if cells.len() > width {
                let extra = &cells[width..];
                if extra.iter().any(|c| !c.is_empty()) {
                    return Err(Error::input(
                        Location::file(&self.file).line(*line),
                        format!("the row has {} cells but the header has {width} columns", cells.len()),
                    ));
                }
                cells.truncate(width);
            }
            cells.resize(width, String::new());
        }
        for (i, h) in self.headers.iter().enumerate() {
            if self.headers[..i].contains(h) {
                return Err(Error::input(
                    Location::file(&self.file).line(1).column(h),
                    "the column name appears twice in the header",
                ));
            }
        }
        Ok(())
    }

    /// Index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Index of a column that must exist.
    pub fn require_column(&self, name: &str) -> Result<usize> {
        self.column_index(name).ok_or_else(|| {
            Error::input(
                Location::file(&self.file).line(1),
                format!("missing column `{name}` (the header has: {})", self.headers.join(", ")),
            )
        })
    }

    /// The location of a cell.
    pub fn at(&self, line: u64, column: usize) -> Location {
        Location::file(&self.file).line(line).column(&self.headers[column])
    }
}

/// The line where a quoted cell opens and is never closed, if one does: the
/// csv reader would take the rest of the file into that cell without a word.
/// A quote opens a quoted cell only at the start of a cell; inside one, `""`
/// is a quote and a lone `"` closes it.
pub fn unclosed_quote(text: &str, delimiter: u8) -> Option<u64> {
    let (mut line, mut opened_at) = (1u64, 0u64);
    let (mut quoted, mut at_start) = (false, true);
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b == b'\n' {
            line += 1;
        }
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        if at_start && b == b'"' {
            (quoted, opened_at) = (true, line);
        }
        at_start = b == delimiter || b == b'\n' || b == b'\r';
    }
    quoted.then_some(opened_at)
}

/// Parses a numeric cell. Empty, `NA`, `NaN` and `#N/A` are missing (`NaN`);
/// `Inf`/`-Inf` are read as R writes them (reference outputs hold them);
/// inputs refuse them where they are read ([`crate::read_data`]).
pub fn parse_number(cell: &str) -> Option<f64> {
    // Most cells: a number with nothing around it, which no missing or
    // infinity spelling starts like.
    if let Some(&first) = cell.as_bytes().first()
        && (first.is_ascii_digit()
            || first == b'.'
            || first == b'-' && cell.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
        && !cell.as_bytes()[cell.len() - 1].is_ascii_whitespace()
    {
        let v: f64 = cell.parse().ok()?;
        return if v.is_nan() { None } else { Some(v) };
    }
    let s = cell.trim();
    if s.is_empty() || s == "NA" || s == "NaN" || s == "nan" || s == "#N/A" {
        return Some(f64::NAN);
    }
    match s {
        "Inf" | "inf" | "+Inf" => return Some(f64::INFINITY),
        "-Inf" | "-inf" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let v: f64 = s.parse().ok()?;
    if v.is_nan() { None } else { Some(v) }
}

fn read_xlsx(path: &Path) -> Result<Table> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let file = path.display().to_string();
    let mut wb: Xlsx<_> = open_workbook(path)
        .map_err(|e: calamine::XlsxError| Error::Read { file: file.clone(), message: e.to_string() })?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| Error::input(Location::file(&file), "the workbook has no worksheet"))?;
    let range = wb.worksheet_range(&sheet).map_err(|e| Error::Read { file: file.clone(), message: e.to_string() })?;
    let file = format!("{file}[{sheet}]");
    let start_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = start_row + i as u64 + 1;
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) => format_number(*f),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => {
                    if *b {
                        "TRUE".into()
                    } else {
                        "FALSE".into()
                    }
                }
                Data::DateTime(d) => format_number(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        if i == 0 {
            headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push((line, cells));
        }
    }
    if headers.is_empty() {
        return Err(Error::input(Location::file(&file), "the worksheet is empty: expected a header row"));
    }
    let mut table = Table { file, headers, rows };
    while table.headers.last().is_some_and(|h| h.is_empty()) {
        table.headers.pop();
    }
    table.normalise_width()?;
    Ok(table)
}

/// Formats a number in its shortest round-trip form; missing is the empty
/// string, infinities are `Inf` and `-Inf` (as R writes them).
pub fn format_number(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    crate::write::push_number(&mut out, x);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_remember_their_lines() {
        let t = Table::from_csv("t.csv", b"\xEF\xBB\xBFa,b\n1,2\n\n\"x\ny\",3\n").unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.rows[1].0, 4);
        assert_eq!(t.rows[1].1[0], "x\ny");
    }

    #[test]
    fn duplicate_header_is_an_error_naming_the_column() {
        let e = Table::from_csv("t.csv", b"a,a\n1,2\n").unwrap_err().to_string();
        assert_eq!(e, "t.csv:1: column `a`: the column name appears twice in the header");
    }

    #[test]
    fn unclosed_quotes_are_found_where_they_open() {
        assert_eq!(unclosed_quote("a,b\n1,\"x\"\"y\"\n2,\"open\n3,4\n", b','), Some(3));
        assert_eq!(unclosed_quote("a,b\n1,\"multi\nline\"\n2,5\" screen\n", b','), None);
        assert_eq!(unclosed_quote("a;b\n\"x\";\"y\n", b';'), Some(2));
        let e = Table::from_csv("d.csv", b"uCode,x\nA,1\nB,\"2\nC,3\n").unwrap_err().to_string();
        assert!(e.starts_with("d.csv:3") && e.contains("never closed"), "{e}");
    }

    #[test]
    fn short_rows_are_errors() {
        let e = Table::from_csv("d.csv", b"uCode,x,y\nA,1,2\nB,1\n").unwrap_err().to_string();
        assert!(e.starts_with("d.csv:3") && e.contains("2 cells but the header has 3 columns"), "{e}");
    }

    #[test]
    fn numbers_round_trip_and_missing_is_empty() {
        for x in [0.1, 1.0 / 3.0, 7.3047640505601985e-06, -0.0, 1e300] {
            assert_eq!(parse_number(&format_number(x)), Some(x));
        }
        assert_eq!(format_number(f64::NAN), "");
        assert_eq!(format_number(f64::INFINITY), "Inf");
        assert!(parse_number("NA").unwrap().is_nan());
        assert_eq!(parse_number("abc"), None);
    }
}
