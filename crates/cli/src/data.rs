//! `cantiere data import`: indicator values in long format (`unit,
//! indicator, period, value[, source, note]`, CSV or XLSX) and the
//! dictionary that defines their indicators, into the store; all the files
//! or nothing, every bad cell reported with its file, line and column.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use cantiere_store::Store;
use cantiere_territory::data::{RowError, read_dictionary, read_values};
use clap::{Args, Subcommand};

use crate::serve::DatabaseArgs;

/// `cantiere data …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import indicator values (columns unit, indicator, period, value, optional source and note; unit an
    /// ISTAT, iPA or cadastral code; period YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD), all or nothing.
    Import(ImportArgs),
    /// Import ANPR open data (a folder with adesioni_ansc_export.csv and subentro_liste_elettorali_export.csv) as
    /// the stored indicators anpr_ansc, anpr_ansc_ritardo, anpr_liste and anpr_residenti, by date; comuni not stored are skipped.
    Anpr(AnprArgs),
}

/// `cantiere data anpr`.
#[derive(Debug, Args)]
pub struct AnprArgs {
    /// The ANPR folder (default: $CANTIERE_SHARED/data/anpr, else ../shared/data/anpr).
    dir: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

/// `cantiere data import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Value files (.csv with commas, or .xlsx: the first worksheet).
    files: Vec<PathBuf>,
    /// The dictionary of the indicators (columns code, name_it, name_en, optional unit, direction 1|-1,
    /// source, licence, description), stored with the values; indicators already stored need none.
    #[arg(long)]
    dictionary: Option<PathBuf>,
    /// Who imports, for the provenance of every value.
    #[arg(long, default_value = "cantiere data import")]
    actor: String,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Import(a) => import(a),
        Command::Anpr(a) => anpr(a),
    }
}

fn report(errors: &[RowError]) -> ExitCode {
    eprintln!("{} errors; nothing was imported:", errors.len());
    for e in errors.iter().take(100) {
        eprintln!("  {e}");
    }
    if errors.len() > 100 {
        eprintln!("  … and {} more", errors.len() - 100);
    }
    ExitCode::FAILURE
}

fn import(a: ImportArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let dictionary = match &a.dictionary {
        None => Vec::new(),
        Some(path) => match read_dictionary(path) {
            Ok(d) => d,
            Err(errors) => return Ok(report(&errors)),
        },
    };
    let url = a.db.url();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let store = rt.block_on(Store::open(&url))?;
    let (names, stored) =
        rt.block_on(async { Ok::<_, cantiere_store::Error>((store.unit_names().await?, store.definitions().await?)) })?;
    // The run's comuni come first: their names win over an administration's.
    let mut units: HashMap<String, String> = HashMap::with_capacity(names.len());
    for (name, key) in names {
        units.entry(name).or_insert(key);
    }
    let known: HashSet<String> =
        stored.into_iter().map(|d| d.code).chain(dictionary.iter().map(|d| d.code.clone())).collect();
    let paths: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
    let resolve = |u: &str| units.get(&u.trim().to_lowercase()).cloned();
    let read = match read_values(&paths, &resolve, &|i: &str| known.contains(i)) {
        Ok(read) => read,
        Err(errors) => {
            rt.block_on(store.close());
            return Ok(report(&errors));
        }
    };
    let read_in = start.elapsed().as_secs_f64();
    let summary = rt.block_on(async {
        let s = store.import_values(&dictionary, &read.files, &read.values, &a.actor).await;
        store.close().await;
        s
    })?;
    eprintln!(
        "{} values from {} files in {:.2} s (read in {read_in:.2} s): {} new, {} replaced; {} indicators defined ({url})",
        read.values.len(),
        read.files.len(),
        start.elapsed().as_secs_f64(),
        summary.new,
        summary.replaced,
        dictionary.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn anpr(a: AnprArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let dir = a.dir.unwrap_or_else(|| {
        std::env::var_os("CANTIERE_SHARED").map_or_else(|| PathBuf::from("../shared"), PathBuf::from).join("data/anpr")
    });
    let (files, values) = match cantiere_territory::anpr::read(&dir) {
        Ok(read) => (read.files, read.values),
        Err(errors) => return Ok(report(&errors)),
    };
    let url = a.db.url();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let summary = rt.block_on(async {
        let store = Store::open(&url).await?;
        let comuni: HashSet<String> = store.comuni().await?.into_iter().map(|b| b.code).collect();
        if comuni.is_empty() {
            store.close().await;
            anyhow::bail!("no comuni are stored: run `cantiere import` first");
        }
        let (kept, skipped): (Vec<_>, Vec<_>) = values.into_iter().partition(|(_, v)| comuni.contains(&v.unit));
        let definitions = cantiere_territory::anpr::dictionary();
        let s = store.import_values(&definitions, &files, &kept, "cantiere data anpr").await;
        store.close().await;
        Ok((s?, kept.len(), skipped.len()))
    })?;
    let (summary, kept, skipped) = summary;
    eprintln!(
        "{kept} ANPR values in {:.2} s: {} new, {} replaced; {skipped} of comuni not stored skipped ({url})",
        start.elapsed().as_secs_f64(),
        summary.new,
        summary.replaced
    );
    Ok(ExitCode::SUCCESS)
}
