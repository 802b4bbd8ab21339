//! `cantiere publiccode ...`: validation and export of publiccode.yml files.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cantiere_publiccode::{IpaCodes, Options, Report, find_files, validate_file};
use clap::{Args, Subcommand, ValueEnum};
use rayon::prelude::*;

/// publiccode.yml subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate files (or every .yml/.yaml file under folders) as the national catalog does.
    /// Exit status 1 when any file has an error.
    Validate(ValidateArgs),
    /// Print a file's normalised document (as the catalog stores it).
    Export(ExportArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// `FILE:LINE:COL: error|warning: KEY: MESSAGE`, one line per result.
    Text,
    /// One object per file: `file`, `valid`, `results`.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Yaml,
    Json,
}

/// Where iPA codes come from.
#[derive(Debug, Args)]
pub struct IpaArgs {
    /// iPA codes: a CSV with a `codice_ipa` or `cod_amm` column, a list with one code per line, or a
    /// folder of such CSVs (e.g. the PA digitale 2026 data), newest first (repeat the option).
    /// Default: $CANTIERE_PADIGITALE (else ../shared/data/padigitale2026) and
    /// $CANTIERE_INDICEPA (else ../shared/data/indicepa-2018/amministrazioni.csv), those that
    /// exist; without any, every well-formed code is accepted.
    #[arg(long = "ipa-codes")]
    ipa_codes: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Skip the checks of relative logo, screenshot and authors files.
    #[arg(long)]
    no_file_checks: bool,
    #[command(flatten)]
    ipa: IpaArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    file: PathBuf,
    #[arg(long, value_enum, default_value = "yaml")]
    format: ExportFormat,
    #[command(flatten)]
    ipa: IpaArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Validate(args) => validate(args),
        Command::Export(args) => export(args),
    }
}

fn validate(args: ValidateArgs) -> Result<ExitCode> {
    let options = Options { ipa: ipa_codes(&args.ipa)?, file_checks: !args.no_file_checks, ..Options::default() };
    let mut files = Vec::new();
    for path in &args.paths {
        files.extend(
            find_files(std::slice::from_ref(path)).with_context(|| format!("{}: cannot list", path.display()))?,
        );
    }
    let reports: Vec<(PathBuf, Report)> = files
        .into_par_iter()
        .map(|file| validate_file(&file, &options).map(|r| (file, r)))
        .collect::<Result<_, _>>()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => {
            for (file, report) in &reports {
                for d in &report.diagnostics {
                    writeln!(out, "{}:{d}", file.display())?;
                }
            }
        }
        Format::Json => {
            let objects: Vec<serde_json::Value> = reports
                .iter()
                .map(|(file, report)| {
                    serde_json::json!({
                        "file": file.display().to_string(),
                        "valid": report.is_valid(),
                        "results": report.diagnostics,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &objects)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    let invalid = reports.iter().filter(|(_, r)| !r.is_valid()).count();
    eprintln!("{} files: {} valid, {invalid} with errors", reports.len(), reports.len() - invalid);
    Ok(if invalid > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn export(args: ExportArgs) -> Result<ExitCode> {
    let options = Options { ipa: ipa_codes(&args.ipa)?, ..Options::default() };
    let report = validate_file(&args.file, &options)?;
    for d in &report.diagnostics {
        eprintln!("{}:{d}", args.file.display());
    }
    let Some(doc) = &report.document else {
        bail!("{}: the file cannot be read as a publiccode.yml (see the errors above)", args.file.display());
    };
    match args.format {
        ExportFormat::Yaml => out!("{}", doc.to_yaml()),
        ExportFormat::Json => outln!("{}", doc.to_json()),
    }
    Ok(if report.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The iPA lists to read, newest first: those given, else the defaults that exist.
pub(crate) fn ipa_sources(args: &IpaArgs) -> Vec<PathBuf> {
    if !args.ipa_codes.is_empty() {
        return args.ipa_codes.clone();
    }
    let indicepa = std::env::var_os("CANTIERE_INDICEPA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/indicepa-2018/amministrazioni.csv"));
    let sources: Vec<PathBuf> =
        [crate::territory::padigitale_dir(None), indicepa].into_iter().filter(|p| p.exists()).collect();
    if sources.is_empty() {
        eprintln!("note: no iPA code list (--ipa-codes); any well-formed iPA code is accepted");
    }
    sources
}

pub(crate) fn ipa_codes(args: &IpaArgs) -> Result<IpaCodes> {
    let sources = ipa_sources(args);
    let mut codes = IpaCodes::default();
    for source in &sources {
        codes.extend(IpaCodes::from_path(source)?);
    }
    Ok(codes)
}
