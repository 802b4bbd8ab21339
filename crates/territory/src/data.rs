//! Indicator data a region or an operator brings: values by unit, period
//! and source, in long format (`unit, indicator, period, value` and
//! optionally `source`, `note`; CSV with commas or the first worksheet of
//! an XLSX workbook), and the dictionary that says what each indicator is
//! (`code, name_it, name_en, unit, direction, source, licence,
//! description`).
//!
//! A unit is named by its ISTAT code, its iPA code or its cadastral code
//! and resolved by the caller (against the stored run and
//! administrations); a period is `YYYY`, `YYYY-Qn`, `YYYY-MM` or
//! `YYYY-MM-DD`; a value is a finite number. Every bad cell of every file
//! is reported with its file, line and column, and nothing is returned
//! unless every row of every file is good (imports are all or nothing).

use std::collections::HashMap;
use std::path::Path;

use cantiere_index::Table;
use cantiere_store::data::{Definition, ImportFile, NewValue};

use crate::catalog::fnv1a;

/// Files larger than this are refused before they are read.
pub const MAX_FILE: u64 = 1 << 30;

/// What value files hold, once every row is good: each file with its
/// content hash, and the values with the index of the file they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The files, in the order given.
    pub files: Vec<ImportFile>,
    /// The values: (file index, value); a unit is a comune's ISTAT code,
    /// else another body's iPA code.
    pub values: Vec<(usize, NewValue)>,
}

/// A bad cell or row: where and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file.
    pub file: String,
    /// 1-based line (the header is line 1).
    pub line: u64,
    /// 1-based column number and name, when about a cell.
    pub column: Option<(usize, String)>,
    /// What was found and what was expected.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some((n, name)) = &self.column {
            write!(f, ":{n}: column `{name}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Stored indicator values an index definition reads (`kind = "data"`),
/// and the last day they may describe (`None`: any).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataValues {
    /// The values, of every indicator the definition reads.
    pub values: Vec<cantiere_store::data::StoredValue>,
    /// Values of a period ending after this day (`YYYY-MM-DD`) are left out.
    pub until: Option<String>,
}

impl DataValues {
    /// Each (indicator, unit)'s value of its latest period ending by
    /// `until`; of one period, the value of the first source by name.
    pub fn latest(&self) -> std::collections::HashMap<(&str, &str), f64> {
        let mut best: std::collections::HashMap<(&str, &str), (String, &str, f64)> = std::collections::HashMap::new();
        for v in &self.values {
            let end = cantiere_store::data::period_end(&v.period);
            if self.until.as_deref().is_some_and(|u| end.as_str() > u) {
                continue;
            }
            let key = (v.indicator.as_str(), v.unit.as_str());
            let better = |(e, s, _): &(String, &str, f64)| end > *e || (end == *e && v.source.as_str() < *s);
            if best.get(&key).is_none_or(better) {
                best.insert(key, (end, v.source.as_str(), v.value));
            }
        }
        best.into_iter().map(|(k, (_, _, x))| (k, x)).collect()
    }
}

/// Whether a period is `YYYY`, `YYYY-Qn`, `YYYY-MM` or a real `YYYY-MM-DD`.
pub fn valid_period(p: &str) -> bool {
    let b = p.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !digits(0..4) {
        return false;
    }
    match b.len() {
        4 => true,
        7 if b[4] == b'-' && b[5] == b'Q' => (b'1'..=b'4').contains(&b[6]),
        7 if b[4] == b'-' => digits(5..7) && (1..=12).contains(&p[5..7].parse::<u32>().unwrap_or(0)),
        10 => cantiere_publiccode::rules::is_date(p),
        _ => false,
    }
}

/// Whether a code is letters, digits, `_`, `.` or `-`, 1 to 64 of them.
pub fn valid_code(c: &str) -> bool {
    !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// Reads a table (CSV or XLSX), refusing a file over `max` bytes first,
/// with the file's content hash (a CSV file is read once for both).
pub(crate) fn table(path: &Path, max: u64) -> Result<(Table, ImportFile), RowError> {
    let file = path.display().to_string();
    let whole = |message: String| RowError { file: file.clone(), line: 0, column: None, message };
    let size = std::fs::metadata(path).map_err(|e| whole(e.to_string()))?.len();
    if size > max {
        return Err(whole(format!("{size} bytes: at most {} MiB per file", max >> 20)));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(e.to_string()))?;
    let table = if Table::is_workbook(path) { Table::read(path) } else { Table::from_csv(&file, &bytes) };
    let table = table.map_err(|e| whole(e.to_string()))?;
    Ok((table, ImportFile { file, content_hash: fnv1a(&bytes) }))
}

/// The columns of a table, by name (case-insensitive), the required ones checked.
pub(crate) fn columns(
    t: &Table,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<HashMap<&'static str, usize>, RowError> {
    let mut out = HashMap::new();
    let find = |name: &str| t.headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    for name in required {
        let at = find(name).ok_or_else(|| RowError {
            file: t.file.clone(),
            line: 1,
            column: None,
            message: format!("missing column `{name}` (expected {})", required.join(", ")),
        })?;
        out.insert(*name, at);
    }
    for name in optional {
        if let Some(at) = find(name) {
            out.insert(*name, at);
        }
    }
    Ok(out)
}

/// Reads value files. `resolve` gives a unit's key from what a cell says
/// (ISTAT, iPA or cadastral code), `known` whether an indicator is in the
/// dictionary. Every error of every file, or every value.
pub fn read_values(
    paths: &[&Path],
    resolve: &dyn Fn(&str) -> Option<String>,
    known: &dyn Fn(&str) -> bool,
) -> Result<Imported, Vec<RowError>> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut files: Vec<ImportFile> = Vec::new();
    let mut values: Vec<(usize, NewValue)> = Vec::new();
    // Where each value was given: (file, line), for the duplicates' message.
    let mut lines: Vec<u64> = Vec::new();
    // Units repeat (a unit per period and indicator): each resolved once.
    let mut resolved: HashMap<String, Option<String>> = HashMap::new();
    for path in paths {
        let t = match table(path, MAX_FILE) {
            Ok((t, f)) => {
                files.push(f);
                t
            }
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let cols = match columns(&t, &["unit", "indicator", "period", "value"], &["source", "note"]) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let index = files.len() - 1;
        let name = |c: &str| (cols[c] + 1, t.headers[cols[c]].clone());
        for (line, cells) in &t.rows {
            let cell = |c: &str| cols.get(c).map_or("", |&i| cells[i].as_str());
            let mut bad = |c: &str, message: String| {
                errors.push(RowError { file: t.file.clone(), line: *line, column: Some(name(c)), message });
            };
            let unit = match resolved.get(cell("unit")) {
                Some(u) => u.clone(),
                None => {
                    let u = resolve(cell("unit"));
                    resolved.insert(cell("unit").to_string(), u.clone());
                    u
                }
            };
            if unit.is_none() {
                bad("unit", format!("`{}`: not an ISTAT, iPA or cadastral code of a known unit", cell("unit")));
            }
            let indicator = cell("indicator");
            if !valid_code(indicator) {
                bad("indicator", format!("`{indicator}`: expected a code of letters, digits, _ . - (at most 64)"));
            } else if !known(indicator) {
                bad("indicator", format!("`{indicator}`: not in the dictionary (import it with --dictionary)"));
            }
            let period = cell("period");
            if !valid_period(period) {
                bad("period", format!("`{period}`: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"));
            }
            let value = match cell("value").parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    bad("value", format!("`{}`: expected a finite number (a dot for decimals)", cell("value")));
                    None
                }
            };
            let (Some(unit), Some(value)) = (unit, value) else { continue };
            lines.push(*line);
            let value = NewValue {
                unit,
                indicator: indicator.to_string(),
                period: period.to_string(),
                source: cell("source").to_string(),
                value,
                note: cell("note").to_string(),
            };
            values.push((index, value));
        }
    }
    // A value given twice: found by sorting, reported where it is given again.
    fn key((_, v): &(usize, NewValue)) -> (&str, &str, &str, &str) {
        (&v.unit, &v.indicator, &v.period, &v.source)
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| key(&values[a]).cmp(&key(&values[b])).then(a.cmp(&b)));
    for pair in order.windows(2) {
        if key(&values[pair[0]]) == key(&values[pair[1]]) {
            let (f0, f1) = (values[pair[0]].0, values[pair[1]].0);
            errors.push(RowError {
                file: files[f1].file.clone(),
                line: lines[pair[1]],
                column: None,
                message: format!(
                    "the same unit, indicator, period and source as {}:{}",
                    files[f0].file, lines[pair[0]]
                ),
            });
        }
    }
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    if errors.is_empty() { Ok(Imported { files, values }) } else { Err(errors) }
}

/// Reads a dictionary file: every error, or every entry.
pub fn read_dictionary(path: &Path) -> Result<Vec<Definition>, Vec<RowError>> {
    let (t, _) = table(path, MAX_FILE).map_err(|e| vec![e])?;
    let required = ["code", "name_it", "name_en"];
    let cols =
        columns(&t, &required, &["unit", "direction", "source", "licence", "description"]).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut out: Vec<Definition> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, cells) in &t.rows {
        let cell = |c: &str| cols.get(c).map_or("", |&i| cells[i].as_str());
        let at = |c: &str| Some((cols[c] + 1, t.headers[cols[c]].clone()));
        let code = cell("code");
        if !valid_code(code) {
            let message = format!("`{code}`: expected a code of letters, digits, _ . - (at most 64)");
            errors.push(RowError { file: t.file.clone(), line: *line, column: at("code"), message });
            continue;
        }
        if let Some(first) = seen.insert(code.to_string(), *line) {
            let message = format!("`{code}` is already defined at line {first}");
            errors.push(RowError { file: t.file.clone(), line: *line, column: at("code"), message });
            continue;
        }
        let direction = match cell("direction") {
            "" | "1" | "+1" => 1,
            "-1" => -1,
            other => {
                let message = format!("`{other}`: expected 1 (higher is better) or -1");
                errors.push(RowError { file: t.file.clone(), line: *line, column: at("direction"), message });
                continue;
            }
        };
        out.push(Definition {
            code: code.to_string(),
            name_it: cell("name_it").to_string(),
            name_en: cell("name_en").to_string(),
            unit: cell("unit").to_string(),
            direction,
            source: cell("source").to_string(),
            licence: cell("licence").to_string(),
            description: cell("description").to_string(),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_years_quarters_months_or_real_days() {
        for ok in ["2024", "2024-Q1", "2024-Q4", "2024-01", "2024-12", "2024-02-29", "2023-12-31"] {
            assert!(valid_period(ok), "{ok}");
        }
        for bad in ["24", "2024-Q5", "2024-Q0", "2024-13", "2024-00", "2023-02-29", "2024-04-31", "2024/01", "x2024"] {
            assert!(!valid_period(bad), "{bad}");
        }
    }

    #[test]
    fn every_bad_cell_is_reported_and_nothing_is_returned() {
        let dir = std::env::temp_dir().join(format!("cantiere-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            "unit,indicator,period,value,source\n037006,spid_uso,2024,0.5,\nc_a944,spid_uso,2024-Q1,1e3,\n",
        )
        .unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            "Period,Unit,Indicator,Value\n2024-13,037006,spid_uso,1\n2024,999999,spid_uso,1\n2024,037006,nuovo,NaN\n2024,A944,spid_uso,0.5\n",
        )
        .unwrap();
        let resolve = |u: &str| match u.to_ascii_lowercase().as_str() {
            "037006" | "c_a944" | "a944" => Some("037006".to_string()),
            _ => None,
        };
        let known = |i: &str| i == "spid_uso";
        let read = read_values(&[good.as_path()], &resolve, &known).unwrap();
        assert_eq!(read.files.len(), 1);
        assert_eq!(read.files[0].content_hash, fnv1a(&std::fs::read(&good).unwrap()));
        assert_eq!(read.values.len(), 2);
        assert!(read.values.iter().all(|(file, _)| *file == 0));
        let second = &read.values[1].1;
        assert_eq!((second.unit.as_str(), second.period.as_str(), second.value), ("037006", "2024-Q1", 1000.0));
        let errors = read_values(&[good.as_path(), bad.as_path()], &resolve, &known).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        let shown: Vec<String> =
            errors.iter().map(|e| e.to_string().replace(&dir.display().to_string(), "D")).collect();
        assert_eq!(
            shown,
            [
                "D/bad.csv:2:1: column `Period`: `2024-13`: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD",
                "D/bad.csv:3:2: column `Unit`: `999999`: not an ISTAT, iPA or cadastral code of a known unit",
                "D/bad.csv:4:3: column `Indicator`: `nuovo`: not in the dictionary (import it with --dictionary)",
                "D/bad.csv:4:4: column `Value`: `NaN`: expected a finite number (a dot for decimals)",
                "D/bad.csv:5: the same unit, indicator, period and source as D/good.csv:2",
            ]
        );
    }

    #[test]
    fn a_definition_reads_each_unit_s_latest_period_up_to_a_date() {
        let v = |unit: &str, period: &str, source: &str, value: f64| cantiere_store::data::StoredValue {
            unit: unit.into(),
            indicator: "spid_uso".into(),
            period: period.into(),
            source: source.into(),
            value,
            note: String::new(),
            import_id: 1,
        };
        let mut data = DataValues {
            values: vec![
                v("054039", "2024", "", 0.5),
                v("054039", "2025-Q2", "regione", 0.7),
                v("054039", "2025-Q2", "comune", 0.65),
                v("055032", "2023-06", "", 0.2),
            ],
            until: None,
        };
        let latest = data.latest();
        // Perugia: 2025-Q2 (ends 2025-06-30) over 2024; of its two sources, `comune` first by name.
        assert_eq!(latest[&("spid_uso", "054039")], 0.65);
        assert_eq!(latest[&("spid_uso", "055032")], 0.2);
        // Built as of 2024-12-31: 2024 ends that day and counts; 2025-Q2 does not.
        data.until = Some("2024-12-31".into());
        assert_eq!(data.latest()[&("spid_uso", "054039")], 0.5);
        data.until = Some("2023-05-31".into());
        assert!(data.latest().is_empty(), "nothing ended by then");
    }
}
