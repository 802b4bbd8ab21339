//! `cantiere index build`: the pipeline run step by step, each data set
//! written as soon as it is made and dropped once the next step has it, so
//! that memory holds two data sets, not all of them; what is written is
//! chosen (`--write`), as CSV files or one workbook (`--format`).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cantiere_index::xlsx::{Cell, Workbook};
use cantiere_index::{Build, DataSet, Pipeline, Results, WrittenCsv, read_inputs};
use clap::{Args, ValueEnum};

use crate::index::{Inputs, create, write_treatment};
use crate::progress::Progress;

/// The data sets a pipeline can make, in COINr's names and order.
const DATA_SETS: [&str; 7] = ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"];

/// How the tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One CSV file per table.
    Csv,
    /// One workbook, index.xlsx, with a worksheet per table.
    Xlsx,
}

/// `cantiere index build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Output directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// What to write: `all` (every data set, the results and the treatment
    /// report, as COINr keeps them), `results`, `aggregated`, or a
    /// comma-separated list of data sets (raw, denominated, imputed, screened,
    /// treated, normalised, aggregated), results and treatment.
    #[arg(long, default_value = "all")]
    write: String,
    /// `csv` (a file per table) or `xlsx` (index.xlsx, a sheet per table).
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
}

/// What `--write` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selection {
    data_sets: BTreeSet<&'static str>,
    results: bool,
    treatment: bool,
}

impl Selection {
    fn parse(text: &str) -> Result<Selection> {
        let mut s = Selection { data_sets: BTreeSet::new(), results: false, treatment: false };
        for item in text.split(',').map(|i| i.trim().to_lowercase()).filter(|i| !i.is_empty()) {
            match item.as_str() {
                "all" => {
                    s.data_sets.extend(DATA_SETS);
                    (s.results, s.treatment) = (true, true);
                }
                "results" => s.results = true,
                "treatment" => s.treatment = true,
                other => match DATA_SETS.iter().find(|d| d.to_lowercase() == other) {
                    Some(d) => {
                        s.data_sets.insert(d);
                    }
                    None => bail!(
                        "--write: `{other}` is not a table: expected all, results, treatment or a data set ({})",
                        DATA_SETS.join(", ").to_lowercase()
                    ),
                },
            }
        }
        if s.data_sets.is_empty() && !s.results && !s.treatment {
            bail!("--write: name at least one table (all, results, aggregated, …)");
        }
        Ok(s)
    }
}

/// Where the tables go: CSV files, or the sheets of one workbook.
enum Sink {
    Csv { dir: PathBuf, last: Option<WrittenCsv> },
    Xlsx(Box<Workbook<BufWriter<File>>>),
}

impl Sink {
    fn data_set(&mut self, d: &DataSet) -> Result<()> {
        match self {
            Sink::Csv { dir, last } => {
                // Each data set after the one before it: the values they
                // share are copied from its file, not formatted again, and
                // a step that changed nothing makes a copy of the file.
                let path = dir.join(format!("{}.csv", d.name));
                let written = d
                    .write_csv_file(&path, last.as_ref())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                *last = Some(written);
            }
            Sink::Xlsx(wb) => {
                let header: Vec<&str> = std::iter::once("uCode").chain(d.codes.iter().map(String::as_str)).collect();
                wb.sheet(&d.name, &header, d.n_units(), |r, cells| {
                    cells.push(Cell::Text(&d.units[r]));
                    cells.extend(d.columns.iter().map(|c| Cell::Number(c[r])));
                })?;
            }
        }
        Ok(())
    }

    fn results(&mut self, r: &Results) -> Result<()> {
        match self {
            Sink::Csv { dir, .. } => r.write_csv(create(dir, "results.csv")?)?,
            Sink::Xlsx(wb) => {
                let names: Vec<String> = r.codes.iter().flat_map(|c| [c.clone(), format!("{c}_Rank")]).collect();
                let header: Vec<&str> =
                    ["uCode", "uName"].into_iter().chain(names.iter().map(String::as_str)).collect();
                wb.sheet("results", &header, r.units.len(), |i, cells| {
                    cells.extend([Cell::Text(&r.units[i]), Cell::Text(&r.names[i])]);
                    for (s, k) in r.scores.iter().zip(&r.ranks) {
                        cells.extend([Cell::Number(s[i]), Cell::Number(k[i])]);
                    }
                })?;
            }
        }
        Ok(())
    }
}

pub fn build(a: BuildArgs) -> Result<ExitCode> {
    let selection = Selection::parse(&a.write)?;
    let pipeline = match &a.inputs.pipeline {
        Some(p) => Pipeline::from_file(p)?,
        None => Pipeline::default(),
    };
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let progress = Progress::new(pipeline.steps().len() as u64 + 2, "building");
    progress.message("reading the data");
    let (units, fw, raw) = read_inputs(&a.inputs.data, &a.inputs.meta)?;
    progress.advance();
    let mut sink = match a.format {
        Format::Csv => Sink::Csv { dir: a.out.clone(), last: None },
        Format::Xlsx => Sink::Xlsx(Box::new(Workbook::new(workbook_file(&a.out)?))),
    };
    let mut written = Vec::new();
    let build: Build = pipeline.run_streaming(&units, &fw, raw, |d: &DataSet| -> Result<()> {
        progress.message(&format!("{} made", d.name));
        if selection.data_sets.contains(d.name.as_str()) {
            sink.data_set(d)?;
            written.push(d.name.clone());
        }
        progress.advance();
        Ok(())
    })?;
    for w in &build.warnings {
        eprintln!("warning: {w}");
    }
    if selection.results
        && let Some(r) = build.results()
    {
        sink.results(&r)?;
        written.push("results".into());
    }
    if selection.treatment && !build.treatment.is_empty() {
        match &mut sink {
            Sink::Csv { dir, .. } => write_treatment(&build, create(dir, "treatment.csv")?)?,
            Sink::Xlsx(_) => eprintln!("note: the treatment report is written as CSV only (--format csv)"),
        }
        if matches!(sink, Sink::Csv { .. }) {
            written.push("treatment".into());
        }
    }
    if let Sink::Xlsx(wb) = sink {
        wb.finish()?;
    }
    progress.finish();
    let target = match a.format {
        Format::Csv => a.out.display().to_string(),
        Format::Xlsx => a.out.join("index.xlsx").display().to_string(),
    };
    outln!(
        "{} units, {} indicators, {} levels: wrote {} to {target}",
        build.last().n_units(),
        build.framework.indicators().count(),
        build.framework.levels(),
        written.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn workbook_file(dir: &Path) -> Result<BufWriter<File>> {
    let path = dir.join("index.xlsx");
    Ok(BufWriter::new(File::create(&path).with_context(|| format!("cannot create {}", path.display()))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_names_tables_and_refuses_others() {
        let s = Selection::parse("results").unwrap();
        assert!(s.results && !s.treatment && s.data_sets.is_empty());
        let s = Selection::parse("Aggregated, normalised,treatment").unwrap();
        assert_eq!(s.data_sets.iter().copied().collect::<Vec<_>>(), ["Aggregated", "Normalised"]);
        assert!(s.treatment && !s.results);
        assert_eq!(Selection::parse("all").unwrap().data_sets.len(), 7);
        let e = Selection::parse("results,scores").unwrap_err().to_string();
        assert!(e.contains("`scores` is not a table"), "{e}");
        assert!(Selection::parse(" , ").is_err());
    }
}
