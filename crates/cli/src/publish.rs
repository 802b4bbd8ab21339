//! `cantiere index publish`: a coin's files (iData, iMeta, a pipeline)
//! built as `cantiere index build` builds them and stored as a run of its
//! own index beside the others, its units matched to the stored comuni.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cantiere_index::{Pipeline, read_inputs};
use cantiere_store::Store;
use cantiere_territory::published::{Publication, snapshot, sources};
use clap::Args;

use crate::index::Inputs;
use crate::serve::DatabaseArgs;

/// `cantiere index publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// The index's code (letters, digits, `_`, `-`, `.`).
    #[arg(long)]
    code: String,
    /// The index's name, as the site shows it.
    #[arg(long)]
    name: String,
    /// The period the data describe: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.
    #[arg(long)]
    period: String,
    /// The version of the index's method.
    #[arg(long, default_value = "1")]
    version: String,
    /// Where the index applies.
    #[arg(long, default_value = "Italia")]
    territory: String,
    /// What ranks unions, provinces and regions in this index: the mean of their comuni's scores, or the mean
    /// weighted by residents.
    #[arg(long, default_value = "mean", value_parser = ["mean", "weighted"])]
    units_score: String,
    #[command(flatten)]
    db: DatabaseArgs,
}

fn text(path: Option<&Path>) -> String {
    let csv = path.is_some_and(|p| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")));
    path.filter(|_| csv).and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default()
}

fn refuse(problems: &[String]) -> ExitCode {
    eprintln!("{} problems; nothing was published:", problems.len());
    for p in problems.iter().take(100) {
        eprintln!("  {p}");
    }
    if problems.len() > 100 {
        eprintln!("  … and {} more", problems.len() - 100);
    }
    ExitCode::FAILURE
}

pub fn publish(a: PublishArgs) -> Result<ExitCode> {
    let start = std::time::Instant::now();
    let mut publication = Publication {
        code: a.code.trim().to_string(),
        name: a.name.clone(),
        version: a.version.clone(),
        period: a.period.trim().to_string(),
        territory: a.territory.clone(),
        sources: String::new(),
        definition: text(Some(&a.inputs.meta)),
        pipeline: text(a.inputs.pipeline.as_deref()),
        units_score: a.units_score.clone(),
    };
    let problems = publication.problems();
    if !problems.is_empty() {
        return Ok(refuse(&problems));
    }
    let pipeline = match &a.inputs.pipeline {
        Some(p) => Pipeline::from_file(p)?,
        None => Pipeline::default(),
    };
    let (units, fw, raw) = read_inputs(&a.inputs.data, &a.inputs.meta)?;
    let build = pipeline.run(&units, &fw, &raw)?;
    for w in &build.warnings {
        eprintln!("warning: {w}");
    }
    let mut files = vec![a.inputs.data.as_path(), a.inputs.meta.as_path()];
    files.extend(a.inputs.pipeline.as_deref());
    publication.sources = sources(&files).context("reading the files again for their hashes")?;
    let url = a.db.url();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let store = Store::open(&url).await?;
        let stored = async {
            let comuni = store.comuni().await?;
            let snap = match snapshot(&build, &comuni, &publication) {
                Ok(s) => s,
                Err(refused) => return Ok(refuse(&refused.0)),
            };
            let id = store.import(&snap).await?;
            eprintln!(
                "published {} ({}), period {}: {} comuni, {} indicators, run {id}, in {:.2} s ({url})",
                publication.code,
                publication.name,
                publication.period,
                snap.results.len(),
                build.framework.indicators().count(),
                start.elapsed().as_secs_f64()
            );
            Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
        }
        .await;
        store.close().await;
        stored
    })
}
