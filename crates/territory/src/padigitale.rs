//! The PA digitale 2026 open data: funded applications (candidature) of
//! Italian administrations, one file per PNRR measure.
//!
//! Every `candidature_finanziate_*.csv` file of a folder is read, columns
//! mapped by header name (the snapshots differ in column order, in the
//! columns they have, and the 1.2 file writes integers as `1.0`). Each row is
//! one [`Application`]: a CUP is not a key (an administration that renounced
//! often applied again with the same CUP), so rows sharing a CUP are all
//! kept and counted in the [`FileSummary`]; rows identical in every field are
//! kept once and counted as skipped duplicates. A value that cannot be read
//! is an [`Error::Field`] naming the file, line and column: the import is all
//! or nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::text::Date;

/// State of an application (`stato_candidatura`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `A`: granted funding.
    Funded,
    /// `E`: funds paid after the project was certified complete.
    Paid,
    /// `R`: the administration renounced.
    Renounced,
}

impl Status {
    /// The letter used by the source.
    pub fn letter(self) -> &'static str {
        match self {
            Status::Funded => "A",
            Status::Paid => "E",
            Status::Renounced => "R",
        }
    }
}

/// Kind of administration (`tipologia_ente`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BodyKind {
    /// A municipality (`Comune`, `Comuni`).
    Comune,
    /// A school (`Scuole`).
    Scuola,
    /// A local health authority (`ASL`).
    Asl,
    /// Any other administration (`Altri Enti`: unions, provinces, agencies...).
    AltroEnte,
}

impl BodyKind {
    fn parse(s: &str) -> Option<BodyKind> {
        Some(match s {
            "Comune" | "Comuni" => BodyKind::Comune,
            "Scuole" | "Scuola" => BodyKind::Scuola,
            "ASL" => BodyKind::Asl,
            "Altri Enti" | "Altro Ente" => BodyKind::AltroEnte,
            _ => return None,
        })
    }

    /// How the source spells it.
    pub fn label(self) -> &'static str {
        match self {
            BodyKind::Comune => "Comune",
            BodyKind::Scuola => "Scuole",
            BodyKind::Asl => "ASL",
            BodyKind::AltroEnte => "Altri Enti",
        }
    }
}

/// One funded application.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    /// Index of the source file in [`Import::files`].
    pub file: usize,
    /// 1-based line of the row.
    pub line: u64,
    /// Measure code (`1.4.1`), from the `misura` column.
    pub measure: String,
    /// IPA code of the administration.
    pub codice_ipa: String,
    /// Administration name.
    pub ente: String,
    /// Kind of administration.
    pub kind: BodyKind,
    /// Municipality of the administration, as IPA writes it.
    pub comune: String,
    /// ISTAT code of that municipality (`None` when `N/D` or empty).
    pub cod_comune: Option<String>,
    /// Province abbreviation.
    pub provincia: String,
    /// Region name.
    pub regione: String,
    /// Amount of the voucher, in euros.
    pub amount: f64,
    /// The call (avviso).
    pub avviso: String,
    /// When the application was sent.
    pub submitted: Date,
    /// When the funding was decreed.
    pub funded: Option<Date>,
    /// CUP code of the project.
    pub cup: String,
    /// Application window of the call.
    pub window: Option<u32>,
    /// State.
    pub status: Status,
    /// Date of the state (absent in the 1.2 snapshot).
    pub status_date: Option<Date>,
}

/// What was read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSummary {
    /// The path.
    pub path: PathBuf,
    /// Data rows in the file.
    pub rows: usize,
    /// Applications kept.
    pub applications: usize,
    /// Rows identical to an earlier row, skipped: their lines.
    pub duplicate_rows: Vec<u64>,
    /// CUP codes carried by more than one application.
    pub shared_cups: usize,
    /// Lines of applications without a CUP (kept).
    pub without_cup: Vec<u64>,
    /// Optional columns the file does not have.
    pub missing_columns: Vec<&'static str>,
}

/// All applications of a folder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Import {
    /// The files read, in name order.
    pub files: Vec<FileSummary>,
    /// The applications, file by file, in row order.
    pub applications: Vec<Application>,
}

/// Columns every file must have.
const REQUIRED: [&str; 12] = [
    "codice_ipa",
    "ente",
    "tipologia_ente",
    "comune",
    "cod_comune",
    "importo_finanziamento",
    "avviso",
    "data_invio_candidatura",
    "data_finanziamento",
    "codice_cup",
    "stato_candidatura",
    "misura",
];
/// Columns read when present.
const OPTIONAL: [&str; 4] = ["provincia", "regione", "numero_finestra_temporale", "data_stato_candidatura"];

/// Reads every `candidature_finanziate_*.csv` of a folder.
pub fn import_dir(dir: &Path) -> Result<Import> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("candidature_finanziate_") && name.ends_with(".csv") {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Error::file(
            dir.display().to_string(),
            "no candidature_finanziate_*.csv file: expected the PA digitale 2026 open data folder",
        ));
    }
    paths.sort();
    let mut import = Import::default();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        import_file(&mut import, &path, &bytes)?;
    }
    Ok(import)
}

/// Reads one file's bytes into `import` (nothing is added on error).
pub fn import_file(import: &mut Import, path: &Path, bytes: &[u8]) -> Result<()> {
    let file = path.display().to_string();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Error::field(&file, line, "-", "the file is not valid UTF-8 text")
    })?;
    // Flexible: a row with the wrong number of fields gets our own message.
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(&file, format!("unreadable header: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let mut col = HashMap::new();
    for name in REQUIRED {
        let c = find(name).ok_or_else(|| Error::MissingColumn {
            file: file.clone(),
            column: name.to_string(),
            expected: format!("a PA digitale applications file has {}", REQUIRED.join(", ")),
        })?;
        col.insert(name, c);
    }
    let mut missing_columns = Vec::new();
    for name in OPTIONAL {
        match find(name) {
            Some(c) => {
                col.insert(name, c);
            }
            None => missing_columns.push(name),
        }
    }
    let file_index = import.files.len();
    let mut apps = Vec::new();
    let mut seen_rows: HashSet<String> = HashSet::new();
    let mut duplicate_rows = Vec::new();
    let mut cups: HashMap<String, usize> = HashMap::new();
    let mut without_cup = Vec::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::field(&file, line, "-", format!("malformed CSV: {e}"))
        })?;
        rows += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() != headers.len() {
            return Err(Error::field(
                &file,
                line,
                "-",
                format!("expected {} fields as in the header, found {}", headers.len(), record.len()),
            ));
        }
        // One key per row: its fields joined by a separator no field contains.
        if !seen_rows.insert(record.iter().collect::<Vec<_>>().join("\u{1f}")) {
            duplicate_rows.push(line);
            continue;
        }
        let get = |name: &str| col.get(name).map(|&c| record[c].trim()).unwrap_or("");
        let err = |name: &str, expected: &str| {
            Error::field(&file, line, name, format!("expected {expected}, found `{}`", get(name)))
        };
        let required_text = |name: &str| -> Result<String> {
            let v = get(name);
            if v.is_empty() { Err(err(name, "a value")) } else { Ok(v.to_string()) }
        };
        let date = |name: &str| -> Result<Option<Date>> {
            let v = get(name);
            if v.is_empty() {
                return Ok(None);
            }
            Date::parse(v).map(Some).ok_or_else(|| err(name, "a date YYYY-MM-DD (optionally with a time)"))
        };
        let kind = BodyKind::parse(get("tipologia_ente"))
            .ok_or_else(|| err("tipologia_ente", "Comune, Comuni, Scuole, ASL or Altri Enti"))?;
        let status = match get("stato_candidatura") {
            "A" => Status::Funded,
            "E" => Status::Paid,
            "R" => Status::Renounced,
            _ => return Err(err("stato_candidatura", "A, E or R")),
        };
        let amount = get("importo_finanziamento")
            .parse::<f64>()
            .ok()
            .filter(|a| a.is_finite() && *a >= 0.0)
            .ok_or_else(|| err("importo_finanziamento", "a non-negative amount in euros"))?;
        let measure = get("misura")
            .split_whitespace()
            .next()
            .filter(|m| m.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
            .ok_or_else(|| err("misura", "a measure starting with its code, like `1.4.1 …`"))?
            .to_string();
        let cod_comune = match get("cod_comune") {
            "" | "N/D" | "ND" => None,
            c if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) => Some(c.to_string()),
            _ => return Err(err("cod_comune", "a 6-digit ISTAT code or N/D")),
        };
        let window = match get("numero_finestra_temporale") {
            "" => None,
            w => Some(
                w.strip_suffix(".0")
                    .unwrap_or(w)
                    .parse::<u32>()
                    .map_err(|_| err("numero_finestra_temporale", "a whole number"))?,
            ),
        };
        let submitted = date("data_invio_candidatura")?.ok_or_else(|| err("data_invio_candidatura", "a date"))?;
        let cup = get("codice_cup").to_string();
        if cup.is_empty() {
            without_cup.push(line);
        } else {
            *cups.entry(cup.clone()).or_default() += 1;
        }
        apps.push(Application {
            file: file_index,
            line,
            measure,
            codice_ipa: required_text("codice_ipa")?,
            ente: required_text("ente")?,
            kind,
            comune: get("comune").to_string(),
            cod_comune,
            provincia: get("provincia").to_string(),
            regione: get("regione").to_string(),
            amount,
            avviso: get("avviso").to_string(),
            submitted,
            funded: date("data_finanziamento")?,
            cup,
            window,
            status,
            status_date: date("data_stato_candidatura")?,
        });
    }
    import.files.push(FileSummary {
        path: path.to_path_buf(),
        rows,
        applications: apps.len(),
        duplicate_rows,
        shared_cups: cups.values().filter(|&&n| n > 1).count(),
        without_cup,
        missing_columns,
    });
    import.applications.extend(apps);
    Ok(())
}
