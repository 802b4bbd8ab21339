//! `cantiere index ...`: wiring of the index engine to files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use cantiere_index::analysis::{self, Correlation};
use cantiere_index::{Build, Pipeline, format_number, read_inputs};
use clap::{Args, Subcommand};

/// Index subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build an index: writes every data set, the results and the treatment report.
    Build(crate::build::BuildArgs),
    /// Analyse a built index: statistics, correlations, Cronbach's alpha, PCA,
    /// effective weights, and a unit's strengths and weaknesses.
    Analyse(AnalyseArgs),
    /// Uncertainty (and sensitivity) analysis: rebuilds the index with the
    /// uncertain inputs drawn at random; writes rank and score statistics per
    /// unit and, with --sensitivity, first-order and total Sobol' indices.
    Uncertainty(crate::uncertainty::UncertaintyArgs),
    /// Publish an index on the site: builds it from iData, iMeta and a pipeline as `build` does and stores
    /// its values, scores and ranks as a run of its own index and period, units matched to the stored
    /// comuni by ISTAT, cadastral or iPA code (all or nothing).
    Publish(crate::publish::PublishArgs),
}

/// Inputs shared by the index subcommands.
#[derive(Debug, Args)]
pub struct Inputs {
    /// iData: one row per unit (CSV or .xlsx).
    #[arg(long)]
    pub data: PathBuf,
    /// iMeta: one row per indicator, aggregate, group and denominator (CSV or .xlsx).
    #[arg(long)]
    pub meta: PathBuf,
    /// Pipeline (TOML); without it only Raw is produced.
    #[arg(long)]
    pub pipeline: Option<PathBuf>,
}

/// `cantiere index analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Output directory for the analysis tables; without it a summary is printed.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A unit whose strengths and weaknesses to report.
    #[arg(long)]
    unit: Option<String>,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Build(a) => crate::build::build(a),
        Command::Analyse(a) => analyse(a),
        Command::Uncertainty(a) => crate::uncertainty::run(a),
        Command::Publish(a) => crate::publish::publish(a),
    }
}

fn run_pipeline(inputs: &Inputs) -> Result<Build> {
    let (units, fw, raw) = read_inputs(&inputs.data, &inputs.meta)?;
    let pipeline = match &inputs.pipeline {
        Some(p) => Pipeline::from_file(p)?,
        None => Pipeline::default(),
    };
    let build = pipeline.run(&units, &fw, &raw)?;
    for w in &build.warnings {
        eprintln!("warning: {w}");
    }
    Ok(build)
}

pub(crate) fn create(dir: &Path, name: &str) -> Result<BufWriter<File>> {
    let path = dir.join(name);
    Ok(BufWriter::new(File::create(&path).with_context(|| format!("cannot create {}", path.display()))?))
}

pub(crate) fn write_treatment(build: &Build, out: impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "iCode",
        "Skew0",
        "Kurt0",
        "Pass0",
        "Winsorised",
        "Skew1",
        "Kurt1",
        "Pass1",
        "LogTransformed",
        "Skew2",
        "Kurt2",
        "Pass2",
    ])?;
    for r in &build.treatment {
        let mut rec = vec![r.code.clone()];
        for i in 0..3 {
            if i == 1 {
                rec.push(r.winsorised.map(|n| n.to_string()).unwrap_or_default());
            }
            if i == 2 {
                rec.push(if r.log_transformed { "TRUE".into() } else { "FALSE".into() });
            }
            match r.checks.get(i) {
                Some(c) => {
                    rec.push(format_number(c.skew));
                    rec.push(format_number(c.kurtosis));
                    rec.push(c.pass.map(|p| if p { "TRUE" } else { "FALSE" }).unwrap_or("NA").into());
                }
                None => rec.extend([String::new(), String::new(), String::new()]),
            }
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn analyse(a: AnalyseArgs) -> Result<ExitCode> {
    let build = run_pipeline(&a.inputs)?;
    let fw = &build.framework;
    let raw = build.data_set("Raw").expect("Raw is always built");
    let last = build.last();
    let norm = build.data_set("Normalised").unwrap_or(last);
    let stats = analysis::describe(raw);
    let mut corr = Vec::new();
    for level in 1..fw.levels() {
        for m in [Correlation::Pearson, Correlation::Spearman] {
            for p in analysis::correlations_with_parent(last, fw, level, m) {
                corr.push((level, m, p));
            }
        }
    }
    let cronbach = analysis::cronbach_by_group(norm, fw, 1);
    let pca = analysis::pca_by_group(norm, fw, 1).ok();
    let eff = analysis::effective_weights(fw, &build.weights);
    let sw = match &a.unit {
        Some(u) => Some(analysis::strengths_and_weaknesses(raw, fw, u, analysis::StrengthParams::default())?),
        None => None,
    };
    match &a.out {
        None => {
            let mut o = std::io::stdout().lock();
            writeln!(o, "Cronbach's alpha of each level-2 group (normalised data):")?;
            for (g, v) in &cronbach {
                writeln!(o, "  {g:<20} {v:.3}")?;
            }
            if let Some(p) = &pca {
                writeln!(o, "Variance share of the first principal component:")?;
                for (g, r) in p {
                    writeln!(o, "  {g:<20} {:.3}", r.variance_shares()[0])?;
                }
            }
            let flagged: Vec<&str> = stats.iter().filter(|s| s.outliers).map(|s| s.code.as_str()).collect();
            writeln!(o, "Indicators with outliers (|skew| > 2 and kurtosis > 3.5): {}", flagged.join(", "))?;
            if let (Some((s, w)), Some(u)) = (&sw, &a.unit) {
                writeln!(
                    o,
                    "Strengths of {u}: {}",
                    s.iter().map(|x| format!("{} (rank {})", x.code, x.rank)).collect::<Vec<_>>().join(", ")
                )?;
                writeln!(
                    o,
                    "Weaknesses of {u}: {}",
                    w.iter().map(|x| format!("{} (rank {})", x.code, x.rank)).collect::<Vec<_>>().join(", ")
                )?;
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let mut w = csv::Writer::from_writer(create(dir, "stats.csv")?);
            w.write_record([
                "iCode",
                "Min",
                "Max",
                "Mean",
                "Median",
                "Std",
                "Skew",
                "Kurt",
                "N.Avail",
                "N.NonZero",
                "N.Unique",
                "N.Same",
                "Frc.Avail",
                "Frc.NonZero",
                "Frc.Unique",
                "Frc.Same",
                "Outliers",
            ])?;
            for s in &stats {
                let f = format_number;
                w.write_record([
                    s.code.clone(),
                    f(s.min),
                    f(s.max),
                    f(s.mean),
                    f(s.median),
                    f(s.sd),
                    f(s.skew),
                    f(s.kurtosis),
                    s.n_present.to_string(),
                    s.n_nonzero.to_string(),
                    s.n_unique.to_string(),
                    s.n_same.to_string(),
                    f(s.share_present),
                    f(s.share_nonzero),
                    f(s.share_unique),
                    f(s.share_same),
                    s.outliers.to_string(),
                ])?;
            }
            w.flush()?;
            let mut w = csv::Writer::from_writer(create(dir, "correlations.csv")?);
            w.write_record(["Level", "Method", "Parent", "Code", "Correlation"])?;
            for (l, m, p) in &corr {
                let m = if *m == Correlation::Pearson { "pearson" } else { "spearman" };
                w.write_record([l.to_string(), m.to_string(), p.a.clone(), p.b.clone(), format_number(p.r)])?;
            }
            w.flush()?;
            let mut w = csv::Writer::from_writer(create(dir, "cronbach.csv")?);
            w.write_record(["group", "alpha"])?;
            for (g, v) in &cronbach {
                w.write_record([g.clone(), format_number(*v)])?;
            }
            w.flush()?;
            if let Some(p) = &pca {
                let mut w = csv::Writer::from_writer(create(dir, "pca.csv")?);
                w.write_record(["group", "iCode", "PC1_loading", "PC1_variance_share"])?;
                for (g, r) in p {
                    for (c, l) in r.codes.iter().zip(&r.loadings[0]) {
                        w.write_record([
                            g.clone(),
                            c.clone(),
                            format_number(*l),
                            format_number(r.variance_shares()[0]),
                        ])?;
                    }
                }
                w.flush()?;
            }
            let mut w = csv::Writer::from_writer(create(dir, "effective_weights.csv")?);
            w.write_record(["iCode", "Level", "Weight", "EffWeight"])?;
            for (c, e) in &eff {
                let level = fw.get(c).map(|n| n.level).unwrap_or(0);
                w.write_record([c.clone(), level.to_string(), format_number(build.weights.get(c)), format_number(*e)])?;
            }
            w.flush()?;
            if let Some((s, wk)) = &sw {
                for (name, rows) in [("strengths.csv", s), ("weaknesses.csv", wk)] {
                    let mut w = csv::Writer::from_writer(create(dir, name)?);
                    w.write_record(["iCode", "Name", "Parent", "Rank", "Value"])?;
                    for x in rows.iter() {
                        let n = fw.get(&x.code).expect("indicator of the framework");
                        w.write_record([
                            x.code.clone(),
                            n.name.clone(),
                            n.parent.clone().unwrap_or_default(),
                            format_number(x.rank),
                            format_number(x.value),
                        ])?;
                    }
                    w.flush()?;
                }
            }
            outln!("wrote the analyses to {}", dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
