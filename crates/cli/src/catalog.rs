//! `cantiere catalog ingest`: publiccode.yml files (folders, local git
//! repositories, lists of repository URLs) into the store's catalog, with a
//! progress bar and a summary; `cantiere catalog adoptions`: adoption records
//! from CSV, refused whole with one line per bad row.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cantiere_publiccode::Options;
use cantiere_store::Store;
use cantiere_store::catalog::SolutionRecord;
use cantiere_territory::catalog::{clone_url, duplicate_urls, find_files, read_file, read_git, read_url_list};
use clap::{Args, Subcommand};
use rayon::prelude::*;

use crate::publiccode::{IpaArgs, ipa_codes, ipa_sources};
use crate::serve::DatabaseArgs;

/// `cantiere catalog …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and store publiccode.yml files (folders are walked for .yml/.yaml files).
    Ingest(IngestArgs),
    /// Import adoption records (codice_ipa, solution, status[, since, evidence]) from CSV.
    Adoptions(AdoptionsArgs),
}

/// `cantiere catalog adoptions`.
#[derive(Debug, Args)]
pub struct AdoptionsArgs {
    /// The CSV file: columns codice_ipa, solution (catalog id or repository URL), status
    /// (evaluating, in_use, dismissed; or in Italian), and optional since (YYYY-MM[-DD]) and evidence (URL).
    file: PathBuf,
    /// Who imports, for the audit trail.
    #[arg(long, default_value = "cantiere catalog adoptions")]
    actor: String,
    #[command(flatten)]
    db: DatabaseArgs,
}

/// `cantiere catalog ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders.
    #[arg(required_unless_present_any = ["git", "urls"])]
    paths: Vec<PathBuf>,
    /// Local git repositories: the publiccode.yml at the root of each one's default branch.
    #[arg(long, num_args = 1..)]
    git: Vec<PathBuf>,
    /// A file listing repository URLs, one per line: each is cloned (shallow, needs the network) and read
    /// like --git.
    #[arg(long)]
    urls: Option<PathBuf>,
    /// Where --urls clones go.
    #[arg(long, default_value = ".cache/repositories")]
    clone_dir: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(flatten)]
    ipa: IpaArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Ingest(a) => ingest(a),
        Command::Adoptions(a) => adoptions(a),
    }
}

/// Where one record comes from.
enum Source {
    File(PathBuf),
    Git(PathBuf),
    Url(String),
}

fn ingest(a: IngestArgs) -> Result<ExitCode> {
    let mut sources: Vec<Source> = Vec::new();
    if !a.paths.is_empty() {
        sources.extend(find_files(&a.paths).context("walking the given paths")?.into_iter().map(Source::File));
    }
    sources.extend(a.git.iter().cloned().map(Source::Git));
    if let Some(list) = &a.urls {
        let text = std::fs::read_to_string(list).with_context(|| format!("reading {}", list.display()))?;
        sources.extend(read_url_list(&text).into_iter().map(Source::Url));
    }
    let options = Options { ipa: ipa_codes(&a.ipa)?, ..Options::default() };
    let bar = indicatif::ProgressBar::new(sources.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("validating [{bar:40}] {pos}/{len} sources")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    let start = Instant::now();
    let records: Vec<SolutionRecord> = sources
        .par_iter()
        .map(|s| {
            let r = match s {
                Source::File(f) => read_file(f, &options),
                Source::Git(repo) => read_git(repo, &options),
                Source::Url(url) => clone_url(url, &a.clone_dir, &options),
            };
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let validated = start.elapsed().as_secs_f64();
    // The same lists name the administrations (owners, adopters).
    let administrations = cantiere_territory::administrations::read_lists(&ipa_sources(&a.ipa))?;
    let url = a.db.url();
    let summary = tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
        let store = Store::open(&url).await?;
        let s = store.ingest_solutions(&records).await?;
        if !administrations.is_empty() {
            store.replace_administrations(&administrations).await?;
        }
        store.close().await;
        Ok::<_, cantiere_store::Error>(s)
    })?;
    eprintln!(
        "{} files in {:.2} s (validated in {validated:.2} s): {} valid, {} invalid (stored inactive); {} new, {} updated, {} unchanged ({url})",
        records.len(),
        start.elapsed().as_secs_f64(),
        summary.valid,
        summary.invalid,
        summary.new,
        summary.updated,
        summary.unchanged
    );
    if !administrations.is_empty() {
        eprintln!("{} administrations named from the iPA lists", administrations.len());
    }
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

fn adoptions(a: AdoptionsArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let name = a.file.display().to_string();
    let url = a.db.url();
    let outcome = tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
        let store = Store::open(&url).await?;
        let s = store.import_adoptions(&name, &bytes, &a.actor).await;
        store.close().await;
        s
    });
    match outcome {
        Ok(s) => {
            eprintln!("{name}: {} new, {} updated, {} unchanged adoptions ({url})", s.new, s.updated, s.unchanged);
            Ok(ExitCode::SUCCESS)
        }
        Err(cantiere_store::Error::Rows { file, errors }) => {
            eprintln!("{file}: {} bad rows; nothing was imported:", errors.len());
            for e in &errors {
                eprintln!("  {file}: {e}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
