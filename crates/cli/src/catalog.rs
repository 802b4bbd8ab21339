//! `cantiere catalog ingest`: publiccode.yml files into the store's catalog,
//! with a progress bar and a summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cantiere_publiccode::Options;
use cantiere_store::Store;
use cantiere_store::catalog::{SolutionRecord, duplicate_urls, find_files};
use clap::{Args, Subcommand};
use rayon::prelude::*;

use crate::publiccode::{IpaArgs, ipa_codes};
use crate::serve::DatabaseArgs;

/// `cantiere catalog …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and store publiccode.yml files (folders are walked for .yml/.yaml files).
    Ingest(IngestArgs),
}

/// `cantiere catalog ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(flatten)]
    ipa: IpaArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    let Command::Ingest(a) = cmd;
    let files = find_files(&a.paths).context("walking the given paths")?;
    let options = Options { ipa: ipa_codes(&a.ipa)?, ..Options::default() };
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("validating [{bar:40}] {pos}/{len} files")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    let start = Instant::now();
    let records: Vec<SolutionRecord> = files
        .par_iter()
        .map(|f| {
            let r = SolutionRecord::from_file(f, &options);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let url = a.db.url();
    let summary = tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
        let store = Store::open(&url).await?;
        let s = store.ingest_solutions(&records).await?;
        store.close().await;
        Ok::<_, cantiere_store::Error>(s)
    })?;
    eprintln!(
        "{} files in {:.2} s: {} valid, {} invalid (stored inactive); {} new, {} updated, {} unchanged ({url})",
        records.len(),
        start.elapsed().as_secs_f64(),
        summary.valid,
        summary.invalid,
        summary.new,
        summary.updated,
        summary.unchanged
    );
    let dups = duplicate_urls(&records);
    if !dups.is_empty() {
        eprintln!("{} repository URLs are claimed by more than one file (all kept):", dups.len());
        for (url, sources) in dups.iter().take(10) {
            let more = if sources.len() > 3 { format!(" and {} more", sources.len() - 3) } else { String::new() };
            eprintln!("  {url}: {}{more}", sources[..sources.len().min(3)].join(", "));
        }
        if dups.len() > 10 {
            eprintln!("  … and {} more", dups.len() - 10);
        }
    }
    Ok(ExitCode::SUCCESS)
}
