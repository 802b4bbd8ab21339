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
//! - `anpr_liste`: 0 on [`BEFORE`], 1 from its takeover date;
//! - `anpr_residenti`, from `popolazione_residente_export.csv`: the
//!   residents ANPR registers, on the file's processing date (one count per
//!   export: each later export read adds a period).
//!
//! A comune listed twice (ISTAT lists a renamed comune under both names)
//! keeps its first row with an actual date. Dates are `DD-MM-YYYY`; a bad
//! one, or a count that is not a whole number, is an error naming the file,
//! line and column.

use std::collections::HashMap;
use std::path::Path;

use cantiere_store::data::{Definition, ImportFile, NewValue};

use crate::data::{Imported, RowError};
use crate::text::Date;

/// The day before every value: what no comune had yet.
pub const BEFORE: &str = "2021-12-31";

/// The source named on every value.
pub const SOURCE: &str = "ANPR";

/// The dictionary of the four indicators.
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
        def(
            "anpr_residenti",
            "Popolazione residente registrata in ANPR",
            "Residents registered in ANPR",
            "residenti",
            1,
            "Residents ANPR registers for the comune on the export's processing date: a denominator, not a measure of maturity.",
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

/// One ANPR file: its rows cut to the columns asked for, and where those
/// columns are (1-based number, name as in the header).
struct File {
    file: ImportFile,
    rows: Vec<Row>,
    columns: Vec<(usize, String)>,
}

/// Reads one ANPR file as the data files are read (`data::table`).
fn read_file(path: &Path, columns: &[&'static str]) -> Result<File, Vec<RowError>> {
    let (t, file) = crate::data::table(path, crate::data::MAX_FILE).map_err(|e| vec![e])?;
    let at = crate::data::columns(&t, columns, &[]).map_err(|e| vec![e])?;
    let index: Vec<usize> = columns.iter().map(|c| at[c]).collect();
    let columns = index.iter().map(|&i| (i + 1, t.headers[i].clone())).collect();
    let rows = t.rows.into_iter().map(|(line, cells)| (line, index.iter().map(|&i| cells[i].clone()).collect()));
    Ok(File { file, rows: rows.collect(), columns })
}

/// Reads the three files of an ANPR folder: the files and their values.
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
    let ansc = read_file(&dir.join("adesioni_ansc_export.csv"), &ansc_cols)?;
    let liste = read_file(&dir.join("subentro_liste_elettorali_export.csv"), &["COD_ISTAT_COMUNE", "DATA_SUBENTRO"])?;
    let residenti = read_file(
        &dir.join("popolazione_residente_export.csv"),
        &["COD_ISTAT_COMUNE", "DATA_ELABORAZIONE", "RESIDENTI"],
    )?;
    // A bad cell in the `k`th column asked for of a file, and what was expected.
    let at = |f: &File, line: u64, k: usize, cell: &str, expected: &str| RowError {
        file: f.file.file.clone(),
        line,
        column: Some(f.columns[k].clone()),
        message: format!("`{cell}`: expected {expected}"),
    };
    let bad = |f: &File, line: u64, k: usize, cell: &str| at(f, line, k, cell, "a date DD-MM-YYYY");
    // ANSC: per comune, the first row with an actual date, else the first.
    let mut chosen: HashMap<&str, &Row> = HashMap::new();
    for row in &ansc.rows {
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
            errors.push(bad(&ansc, *line, 2, &cells[2]));
            continue;
        };
        values.push((0, value(code, "anpr_ansc", actual.to_string(), 1.0)));
        match (cells[1].is_empty(), date(&cells[1])) {
            (true, _) => {}
            (false, None) => errors.push(bad(&ansc, *line, 1, &cells[1])),
            (false, Some(planned)) => {
                let late = f64::from((actual.0 - planned.0).max(0));
                values.push((0, value(code, "anpr_ansc_ritardo", actual.to_string(), late)));
            }
        }
    }
    for (line, cells) in &liste.rows {
        let code = cells[0].as_str();
        values.push((1, value(code, "anpr_liste", BEFORE.into(), 0.0)));
        if cells[1].is_empty() {
            continue;
        }
        match date(&cells[1]) {
            Some(d) => values.push((1, value(code, "anpr_liste", d.to_string(), 1.0))),
            None => errors.push(bad(&liste, *line, 1, &cells[1])),
        }
    }
    for (line, cells) in &residenti.rows {
        let Some(day) = date(&cells[1]) else {
            errors.push(bad(&residenti, *line, 1, &cells[1]));
            continue;
        };
        match cells[2].trim().parse::<u32>() {
            Ok(n) => values.push((2, value(&cells[0], "anpr_residenti", day.to_string(), f64::from(n)))),
            Err(_) => errors.push(at(&residenti, *line, 2, &cells[2], "a whole number of residents")),
        }
    }
    if errors.is_empty() {
        Ok(Imported { files: vec![ansc.file, liste.file, residenti.file], values })
    } else {
        Err(errors)
    }
}
