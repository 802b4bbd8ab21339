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
