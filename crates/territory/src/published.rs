//! An index built from a coin's files (iData, iMeta, a pipeline) as a
//! stored run beside the ITD: what `cantiere index publish` stores.
//!
//! **Rule.** Every unit of iData must name one comune of the stored
//! territory, by ISTAT code (`037006`), cadastral code (`A944`) or the
//! comune's iPA code (`c_a944`), case aside; a unit that names none, or a
//! comune another unit already named, refuses the whole publication (every
//! such unit listed). What is stored is exactly what the build gives:
//! per indicator its Raw value and its Normalised value, per aggregate its
//! Aggregated score, per unit the top aggregate's score and rank as
//! [`cantiere_index::Results`] ranks them (1 = best, ties share the best
//! rank). A unit the pipeline screened out keeps its values and has no
//! score.

use std::collections::HashMap;

use cantiere_index::Build;
use cantiere_store::{Body, IndicatorRow, ResultRow, RunInfo, ScoreRow, Snapshot};

/// What names and dates a publication.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    /// The index's code (`DESI_ER`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The version of its method.
    pub version: String,
    /// The period its data describe (`YYYY`, `YYYY-Qn`, `YYYY-MM`, `YYYY-MM-DD`).
    pub period: String,
    /// Where it applies (`Emilia-Romagna`, `Italia`).
    pub territory: String,
    /// The sources, as JSON (the files and their hashes).
    pub sources: String,
    /// The iMeta file's text (empty for a workbook).
    pub definition: String,
    /// The pipeline file's text.
    pub pipeline: String,
    /// What ranks units made of comuni: `mean` or `weighted`.
    pub units_score: String,
}

/// Why a publication was refused: each line names a unit or a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct Refused(pub Vec<String>);

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The comuni by every code a unit may be named by, lower case.
fn keys(comuni: &[Body]) -> HashMap<String, usize> {
    let mut keys = HashMap::with_capacity(comuni.len() * 3);
    for (i, b) in comuni.iter().enumerate() {
        keys.insert(b.code.to_lowercase(), i);
        if !b.cadastral.is_empty() {
            keys.insert(b.cadastral.to_lowercase(), i);
            keys.insert(cantiere_store::adoption::comune_ipa(&b.cadastral), i);
        }
    }
    keys
}

impl Publication {
    /// What is wrong with the code, the name and the period, if anything
    /// (checked before any file is read).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !crate::data::valid_code(&self.code) {
            problems.push(format!("--code: `{}`: expected 1 to 64 letters, digits, `_`, `-` or `.`", self.code));
        }
        if self.name.trim().is_empty() {
            problems.push("--name: the index needs a name".to_string());
        }
        if !crate::data::valid_period(&self.period) {
            problems.push(format!("--period: `{}`: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD", self.period));
        }
        if !["mean", "weighted"].contains(&self.units_score.as_str()) {
            problems.push(format!("--units-score: `{}`: expected mean or weighted", self.units_score));
        }
        problems
    }
}

/// A unit's raw value and its normalised value (indicators) or score (aggregates).
type Pair = (Option<f64>, Option<f64>);

/// The run of `build` published as `p`, its units matched against `comuni`.
pub fn snapshot(build: &Build, comuni: &[Body], p: &Publication) -> Result<Snapshot, Refused> {
    let mut problems = p.problems();
    let Some(results) = build.results() else {
        problems.push("the pipeline does not aggregate: there is no score to publish (add [aggregate])".into());
        return Err(Refused(problems));
    };
    if comuni.is_empty() {
        problems.push("no comuni are stored to match the units against: run `cantiere import` first".into());
        return Err(Refused(problems));
    }
    let keys = keys(comuni);
    let units = &build.units;
    let mut matched: Vec<usize> = Vec::with_capacity(units.len());
    let mut named_by: HashMap<usize, &str> = HashMap::new();
    for (code, name) in units.codes.iter().zip(&units.names) {
        match keys.get(&code.trim().to_lowercase()) {
            None => problems
                .push(format!("iData unit `{code}` ({name}): not the ISTAT, cadastral or iPA code of a stored comune")),
            Some(&i) => match named_by.insert(i, code) {
                Some(before) => problems.push(format!(
                    "iData unit `{code}` ({name}): comune {} ({}) is already unit `{before}`",
                    comuni[i].code, comuni[i].name
                )),
                None => matched.push(i),
            },
        }
    }
    if !problems.is_empty() {
        return Err(Refused(problems));
    }
    let istat: HashMap<&str, &str> =
        units.codes.iter().zip(&matched).map(|(u, &i)| (u.as_str(), comuni[i].code.as_str())).collect();

    let fw = &build.framework;
    let indicators: Vec<IndicatorRow> = fw
        .nodes()
        .iter()
        .enumerate()
        .map(|(position, n)| IndicatorRow {
            code: n.code.clone(),
            name: n.name.clone(),
            level: i64::from(n.level),
            parent: n.parent.clone().unwrap_or_default(),
            direction: if n.direction < 0.0 { -1 } else { 1 },
            weight: n.weight,
            unit: n.unit.clone().unwrap_or_default(),
            description: String::new(),
            measure: String::new(),
            position: position as i64,
        })
        .collect();

    // Per unit and code: (raw, normalised value or score).
    let mut values: HashMap<(&str, &str), Pair> = HashMap::new();
    let mut take = |set: &str, raw: bool| {
        let Some(d) = build.data_set(set) else { return };
        for (code, column) in d.codes.iter().zip(&d.columns) {
            for (unit, &x) in d.units.iter().zip(column.iter()) {
                let Some(&u) = istat.get(unit.as_str()) else { continue };
                let e = values.entry((u, code.as_str())).or_default();
                if raw { e.0 = opt(x) } else { e.1 = opt(x) }
            }
        }
    };
    take("Raw", true);
    take("Normalised", false);
    let aggregates: Vec<&str> = fw.nodes().iter().filter(|n| n.level >= 2).map(|n| n.code.as_str()).collect();
    if let Some(agg) = build.data_set("Aggregated") {
        for code in &aggregates {
            let Some(column) = agg.column(code) else { continue };
            for (unit, &x) in agg.units.iter().zip(column.iter()) {
                if let Some(&u) = istat.get(unit.as_str()) {
                    values.entry((u, code)).or_default().1 = opt(x);
                }
            }
        }
    }
    let mut scores: Vec<ScoreRow> = values
        .into_iter()
        .filter(|(_, (raw, value))| raw.is_some() || value.is_some())
        .map(|((ucode, code), (raw, value))| ScoreRow { ucode: ucode.into(), code: code.into(), raw, value })
        .collect();
    scores.sort_by(|a, b| (&a.ucode, &a.code).cmp(&(&b.ucode, &b.code)));

    let top: HashMap<&str, (f64, f64)> = results
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), (results.scores[0][i], results.ranks[0][i])))
        .collect();
    let mut bodies: Vec<Body> = matched.iter().map(|&i| comuni[i].clone()).collect();
    bodies.sort_by(|a, b| a.code.cmp(&b.code));
    let mut result_rows: Vec<ResultRow> = units
        .codes
        .iter()
        .map(|u| {
            let (score, rank) = top.get(u.as_str()).copied().unwrap_or((f64::NAN, f64::NAN));
            ResultRow {
                ucode: istat[u.as_str()].to_string(),
                score: opt(score),
                rank: opt(rank),
                context: None,
                innovation: None,
                group: None,
                stability: None,
                rank_low: None,
                rank_high: None,
            }
        })
        .collect();
    result_rows.sort_by(|a, b| a.ucode.cmp(&b.ucode));
    Ok(Snapshot {
        run: Some(RunInfo {
            id: 0,
            index_code: p.code.clone(),
            index_version: p.version.clone(),
            territory: p.territory.clone(),
            created_at: cantiere_store::now(),
            runs: 0,
            threshold_context: None,
            threshold_innovation: None,
            sources: p.sources.clone(),
            definition: p.definition.clone(),
            pipeline: p.pipeline.clone(),
            name: p.name.trim().to_string(),
            period: p.period.clone(),
            units_score: p.units_score.clone(),
        }),
        bodies,
        indicators,
        scores,
        results: result_rows,
        ..Snapshot::default()
    })
}

/// The files a publication was made from, as the run's sources (JSON):
/// name, size and content hash of each (FNV-1a, as the data imports).
pub fn sources(paths: &[&std::path::Path]) -> std::io::Result<String> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(
            serde_json::json!({"file": name, "bytes": bytes.len(), "content_hash": crate::catalog::fnv1a(&bytes)}),
        );
    }
    Ok(serde_json::json!({ "published": files }).to_string())
}
