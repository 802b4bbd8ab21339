//! ANPR open data (Ministero dell'Interno, CC0-1.0; `anpr-opendata`) as
//! stored indicators by period, so that an index definition reads them
//! with `kind = "data"` like any region's own data (`indices/itd/v2`).
//!
//! **Rule.** From `adesioni_ansc_export.csv` (planned and actual date of a
//! comune's adoption of ANSC, the national civil-status archive) and
//! `subentro_liste_elettorali_export.csv` (the date its electoral lists
//! moved into ANPR), for every comune listed:
//! - `anpr_ansc`: 0 on [`BEFORE`], 1 from its actual adoption date;
//! - `anpr_ansc_ritardo`: days from the planned to the actual adoption, on
//!   the actual date (a comune not adopted yet has no value: its delay is
//!   still growing, and `anpr_ansc` says it has not adopted);
//! - `anpr_liste`: 0 on [`BEFORE`], 1 from its takeover date.
//!
//! A comune listed twice (ISTAT lists a renamed comune under both names)
//! keeps its first row with an actual date. Dates are `DD-MM-YYYY`; a bad
//! one is an error naming the file, line and column.

use std::collections::HashMap;
use std::path::Path;

use cantiere_store::data::{Definition, ImportFile, NewValue};

use crate::data::{Imported, RowError};
use crate::text::Date;

/// The day before every value: what no comune had yet.
pub const BEFORE: &str = "2021-12-31";

/// The source named on every value.
pub const SOURCE: &str = "ANPR";

/// The dictionary of the three indicators.
pub fn dictionary() -> Vec<Definition> {
    let def = |code: &str, it: &str, en: &str, unit: &str, direction: i64, description: &str| Definition {
        code: code.into(),
        name_it: it.into(),
        name_en: en.into(),
        unit: unit.into(),
        direction,
        source: "ANPR open data (Ministero dell'Interno), anpr-opendata".into(),
        licence: "CC0-1.0".into(),
        description: description.into(),
    };
    vec![
        def(
            "anpr_ansc",
            "Adesione all'Archivio nazionale dello stato civile (ANSC)",
            "Adoption of the national civil-status archive (ANSC)",
            "0/1",
            1,
            "1 from the date the comune adopted ANSC. Says nothing of how its civil-status services work otherwise.",
        ),
        def(
            "anpr_ansc_ritardo",
            "Giorni di ritardo nell'adesione ad ANSC",
            "Days late adopting ANSC",
            "giorni",
            -1,
            "Days from the planned to the actual adoption, for comuni that adopted; missing for those that have not yet.",
        ),
        def(
            "anpr_liste",
            "Subentro delle liste elettorali in ANPR",
            "Electoral lists taken over by ANPR",
            "0/1",
            1,
            "1 from the date the comune's electoral lists moved into ANPR.",
        ),
    ]
}

/// `DD-MM-YYYY` as a date.
fn date(cell: &str) -> Option<Date> {
    let mut parts = cell.trim().splitn(3, '-');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A row: its line and its cells, in the order of the columns asked for.
type Row = (u64, Vec<String>);

/// The rows of one ANPR file, and the file.
fn rows(path: &Path, columns: &[&str]) -> Result<(ImportFile, Vec<Row>), Vec<RowError>> {
    let file = path.display().to_string();
    let whole = |line: u64, message: String| vec![RowError { file: file.clone(), line, column: None, message }];
    let bytes = std::fs::read(path).map_err(|e| whole(0, e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let header: Vec<String> = reader.headers().map_err(|e| whole(1, e.to_string()))?.iter().map(String::from).collect();
    let mut at = Vec::new();
    for c in columns {
        at.push(header.iter().position(|h| h == c).ok_or_else(|| whole(1, format!("no column `{c}`")))?);
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| whole(line, e.to_string()))?;
        out.push((line, at.iter().map(|&j| record.get(j).unwrap_or("").trim().to_string()).collect()));
    }
    Ok((ImportFile { file, content_hash: crate::catalog::fnv1a(&bytes) }, out))
}

/// Reads the two files of an ANPR folder: the files and their values.
pub fn read(dir: &Path) -> Result<Imported, Vec<RowError>> {
    let value = |unit: &str, indicator: &str, period: String, value: f64| NewValue {
        unit: unit.into(),
        indicator: indicator.into(),
        period,
        source: SOURCE.into(),
        value,
        note: String::new(),
    };
    let (mut values, mut errors) = (Vec::new(), Vec::new());
    let ansc_cols = ["COD_ISTAT_COMUNE", "DATA_ADESIONE_PREVISTA", "DATA_ADESIONE"];
    let (ansc, ansc_rows) = rows(&dir.join("adesioni_ansc_export.csv"), &ansc_cols)?;
    let liste_cols = ["COD_ISTAT_COMUNE", "DATA_SUBENTRO"];
    let (liste, liste_rows) = rows(&dir.join("subentro_liste_elettorali_export.csv"), &liste_cols)?;
    let bad = |file: &ImportFile, line: u64, column: usize, name: &str, cell: &str| RowError {
        file: file.file.clone(),
        line,
        column: Some((column, name.to_string())),
        message: format!("`{cell}`: expected a date DD-MM-YYYY"),
    };
    // ANSC: per comune, the first row with an actual date, else the first.
    let mut chosen: HashMap<&str, &Row> = HashMap::new();
    for row in &ansc_rows {
        let code = row.1[0].as_str();
        if chosen.get(code).is_none_or(|c| c.1[2].is_empty() && !row.1[2].is_empty()) {
            chosen.insert(code, row);
        }
    }
    let mut codes: Vec<&&str> = chosen.keys().collect();
    codes.sort();
    for code in codes {
        let (line, cells) = chosen[*code];
        values.push((0, value(code, "anpr_ansc", BEFORE.into(), 0.0)));
        if cells[2].is_empty() {
            continue;
        }
        let Some(actual) = date(&cells[2]) else {
            errors.push(bad(&ansc, *line, 5, "DATA_ADESIONE", &cells[2]));
            continue;
        };
        values.push((0, value(code, "anpr_ansc", actual.to_string(), 1.0)));
        match (cells[1].is_empty(), date(&cells[1])) {
            (true, _) => {}
            (false, None) => errors.push(bad(&ansc, *line, 4, "DATA_ADESIONE_PREVISTA", &cells[1])),
            (false, Some(planned)) => {
                let late = f64::from((actual.0 - planned.0).max(0));
                values.push((0, value(code, "anpr_ansc_ritardo", actual.to_string(), late)));
            }
        }
    }
    for (line, cells) in &liste_rows {
        let code = cells[0].as_str();
        values.push((1, value(code, "anpr_liste", BEFORE.into(), 0.0)));
        if cells[1].is_empty() {
            continue;
        }
        match date(&cells[1]) {
            Some(d) => values.push((1, value(code, "anpr_liste", d.to_string(), 1.0))),
            None => errors.push(bad(&liste, *line, 4, "DATA_SUBENTRO", &cells[1])),
        }
    }
    if errors.is_empty() { Ok(Imported { files: vec![ansc, liste], values }) } else { Err(errors) }
}
