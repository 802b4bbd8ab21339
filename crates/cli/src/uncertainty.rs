//! `cantiere index uncertainty`: wiring of the uncertainty and sensitivity
//! analysis to files, with a progress bar on a terminal.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cantiere_index::uncertainty::{
    Analysis, Choice, Inputs, Outcome, PipelineSource, Sampling, Sensitivity, Settings, UnitStats,
};
use cantiere_index::{format_number, read_inputs};
use clap::{Args, ValueEnum};

use crate::index::create;

/// How the points are drawn.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SamplingArg {
    /// Pseudo-random (COINr's method).
    Random,
    /// Scrambled Sobol' quasi-random points.
    Sobol,
}

/// `cantiere index uncertainty`.
#[derive(Debug, Args)]
pub struct UncertaintyArgs {
    /// iData: one row per unit (CSV or .xlsx).
    #[arg(long)]
    data: PathBuf,
    /// iMeta (CSV or .xlsx).
    #[arg(long)]
    meta: PathBuf,
    /// The nominal pipeline (TOML).
    #[arg(long)]
    pipeline: PathBuf,
    /// The uncertain inputs (TOML; see the README).
    #[arg(long)]
    uncertain: PathBuf,
    /// Runs of the uncertainty analysis; with --sensitivity, the base sample
    /// size N (N(d + 2) runs for d inputs).
    #[arg(long)]
    runs: usize,
    /// Also estimate first-order and total sensitivity indices.
    #[arg(long)]
    sensitivity: bool,
    /// Bootstrap resamples for the indices' 5-95 % intervals.
    #[arg(long, default_value_t = 100)]
    bootstrap: usize,
    /// Seed of every random draw (same seed, same results).
    #[arg(long)]
    seed: u64,
    /// Random or quasi-random sampling.
    #[arg(long, value_enum, default_value = "random")]
    sampling: SamplingArg,
    /// The code to rank (default: the top aggregate).
    #[arg(long)]
    code: Option<String>,
    /// A unit whose own rank also gets sensitivity indices (repeatable).
    #[arg(long = "unit")]
    units: Vec<String>,
    /// Output directory (created if needed).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: UncertaintyArgs) -> Result<ExitCode> {
    let (units, fw, raw) = read_inputs(&a.data, &a.meta)?;
    let pipeline = PipelineSource::from_file(&a.pipeline)?;
    let inputs = Inputs::from_file(&a.uncertain, &pipeline, &fw, a.seed)?;
    let settings = Settings {
        runs: a.runs,
        sensitivity: a.sensitivity,
        bootstrap: a.bootstrap,
        seed: a.seed,
        sampling: match a.sampling {
            SamplingArg::Random => Sampling::Random,
            SamplingArg::Sobol => Sampling::Sobol,
        },
        code: a.code.clone(),
        units: a.units.clone(),
        max_bytes: crate::memory::budget(),
    };
    // Its length comes with the first run.
    let bar = crate::progress::Progress::new(0, "uncertainty");
    bar.message("runs");
    let start = Instant::now();
    let analysis = Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
    let outcome = analysis.run(&settings, &|done, total| {
        bar.set(done as u64, total as u64);
    })?;
    let total = outcome.sample.len();
    bar.finish();
    let elapsed = start.elapsed();

    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    write_stats(&outcome.ranks, create(&a.out, "rank_stats.csv")?)?;
    write_stats(&outcome.scores, create(&a.out, "score_stats.csv")?)?;
    write_sample(&outcome, &inputs, create(&a.out, "sample.csv")?)?;
    for s in &outcome.sensitivity {
        let name = match &s.target {
            cantiere_index::uncertainty::Target::MeanAbsoluteRankChange => "sensitivity.csv".to_string(),
            cantiere_index::uncertainty::Target::UnitRank(u) => format!("sensitivity_{u}.csv"),
        };
        write_sensitivity(s, create(&a.out, &name)?)?;
    }
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    if !outcome.failed.is_empty() {
        eprintln!(
            "warning: {} of {total} runs failed and count as missing (first: run {}: {})",
            outcome.failed.len(),
            outcome.failed[0].0 + 1,
            outcome.failed[0].1
        );
    }
    outln!(
        "{total} runs of {} for {} units in {:.2?}: wrote rank_stats.csv, score_stats.csv, sample.csv{} to {}",
        outcome.code,
        units.len(),
        elapsed,
        if outcome.sensitivity.is_empty() { "" } else { ", sensitivity.csv" },
        a.out.display()
    );
    if let Some(s) = outcome.sensitivity.first() {
        for (name, i) in &s.indices {
            outln!("  {name:<20} Si {:>8.4}  STi {:>8.4}", i.si, i.sti);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_stats(stats: &[UnitStats], out: impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"])?;
    for s in stats {
        let nums = [s.nominal, s.mean, s.median, s.q5, s.q95].map(format_number);
        w.write_record(std::iter::once(s.code.clone()).chain(nums))?;
    }
    w.flush()?;
    Ok(())
}

fn write_sensitivity(s: &Sensitivity, out: impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"])?;
    for (name, i) in &s.indices {
        let nums = [i.si, i.sti, i.si_q5, i.si_q95, i.sti_q5, i.sti_q95].map(format_number);
        w.write_record(std::iter::once(name.clone()).chain(nums))?;
    }
    w.flush()?;
    Ok(())
}

/// The sample as COINr's: run, each input's uniform value, each input's
/// choice (1-based alternative, or the value of a range).
fn write_sample(o: &Outcome, inputs: &Inputs, out: impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let names: Vec<&str> = inputs.inputs.iter().map(|i| i.name.as_str()).collect();
    let header = std::iter::once("rep".to_string())
        .chain(names.iter().map(|n| n.to_string()))
        .chain(names.iter().map(|n| format!("{n}_choice")));
    w.write_record(header)?;
    for (r, (point, choices)) in o.sample.iter().enumerate() {
        let choice = choices.iter().map(|c| match c {
            Choice::Alternative(k) => (k + 1).to_string(),
            Choice::Value(v) => format_number(*v),
        });
        let rec = std::iter::once((r + 1).to_string()).chain(point.iter().map(|v| format_number(*v))).chain(choice);
        w.write_record(rec)?;
    }
    w.flush()?;
    Ok(())
}
