//! The pipeline: which steps run, with which parameters, and the build that
//! keeps every intermediate data set.
//!
//! A pipeline is written in TOML, one optional table per step, applied in
//! this order; an absent table skips the step, an unknown key is an error:
//!
//! ```toml
//! [denominate]                      # divide by the iMeta Denominator column
//! [impute]
//! method = "mean_group"             # mean | median | mean_group | median_group | mean_row
//! group = "EurAsia_group"           # group column, for the *_group methods
//! level = 2                         # parent level, for mean_row (default 2)
//! [screen]
//! min_data = 0.9                    # drop units with less than 90 % of data
//! [treat]
//! winmax = 5                        # COINr's defaults
//! skew = 2.0
//! kurtosis = 3.5
//! force_winsorise = false
//! [normalise]
//! method = "minmax"                 # minmax | zscore | scaled | rank | prank | borda | fracmax
//!                                   # | dist2max | dist2ref | dist2target | goalposts
//! range = [0, 100]                  # minmax, scaled (bounds)
//! mean_sd = [0, 1]                  # zscore
//! scale_factor = 100                # scaled
//! reference = "GBR"                 # dist2ref: the reference unit
//! cap_max = false                   # dist2ref, dist2target
//! [aggregate]
//! method = "arithmetic"             # arithmetic | geometric | harmonic | generalised | copeland
//! p = 2.0                           # generalised
//! weights = "imeta"                 # imeta | equal | pca | path to a CSV with iCode,Weight
//! min_data = 0.5                    # optional: aggregate missing below this share of children
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::numbers::{Finite, Pair};

use crate::dataset::DataSet;
use crate::error::{Error, Location, Result, Warning};
use crate::model::{Framework, Units};
use crate::steps::aggregate::{Aggregation, Weights, aggregate};
use crate::steps::denominate::denominate;
use crate::steps::impute::{Imputation, impute};
use crate::steps::normalise::{Normalisation, normalise};
use crate::steps::screen::{ScreenReport, screen};
use crate::steps::treat::{TreatParams, TreatReport, treat};
use crate::table::{Table, parse_number};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineToml {
    denominate: Option<DenominateToml>,
    impute: Option<ImputeToml>,
    screen: Option<ScreenToml>,
    treat: Option<TreatToml>,
    normalise: Option<NormaliseToml>,
    aggregate: Option<AggregateToml>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DenominateToml {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImputeToml {
    method: String,
    group: Option<String>,
    level: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenToml {
    min_data: Finite,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreatToml {
    winmax: Option<usize>,
    skew: Option<Finite>,
    kurtosis: Option<Finite>,
    force_winsorise: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormaliseToml {
    method: String,
    range: Option<Pair>,
    mean_sd: Option<Pair>,
    scale_factor: Option<Finite>,
    reference: Option<String>,
    cap_max: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateToml {
    method: Option<String>,
    p: Option<Finite>,
    weights: Option<String>,
    min_data: Option<Finite>,
}

/// Where aggregation weights come from.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightSource {
    /// The iMeta `Weight` column.
    IMeta,
    /// Equal weights within every group.
    Equal,
    /// The first principal component's loadings of each group of indicators
    /// (on the normalised data); aggregates keep their iMeta weights.
    Pca,
    /// An explicit set (codes not in it keep their iMeta weight).
    Given(Weights),
}

/// The aggregation step's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSpec {
    /// The mean used at every level.
    pub method: Aggregation,
    /// Where weights come from.
    pub weights: WeightSource,
    /// Minimum share of present children for an aggregate to be computed.
    pub min_data: Option<f64>,
}

impl AggregateSpec {
    /// The weights of every code, for aggregating `input` (the normalised
    /// data, which PCA weights are computed from).
    pub fn weights(&self, input: &DataSet, fw: &Framework) -> Result<Weights> {
        Ok(match &self.weights {
            WeightSource::IMeta => Weights::from_framework(fw),
            WeightSource::Equal => Weights::equal(fw),
            WeightSource::Pca => crate::analysis::pca_weights(input, fw)?,
            WeightSource::Given(w) => {
                let mut all = Weights::from_framework(fw);
                for (k, v) in &w.0 {
                    if fw.get(k).is_none() {
                        return Err(Error::step("aggregate", format!("weight given for unknown code `{k}`")));
                    }
                    all.0.insert(k.clone(), *v);
                }
                all
            }
        })
    }
}

/// One step before aggregation, with its settings: the pipeline as a list
/// (see [`Pipeline::steps`]), for callers that run steps one at a time and
/// reuse their results, as the uncertainty analysis does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    /// Division by iMeta denominators.
    Denominate,
    /// Imputation.
    Impute(&'a Imputation),
    /// Screening at a threshold.
    Screen(f64),
    /// Outlier treatment.
    Treat(&'a TreatParams),
    /// Normalisation.
    Normalise(&'a Normalisation),
}

impl Step<'_> {
    /// Runs the step on `data`.
    pub fn apply(&self, data: &DataSet, fw: &Framework, units: &Units) -> Result<(DataSet, Vec<Warning>)> {
        Ok(match *self {
            Step::Denominate => (denominate(data, fw, units)?, Vec::new()),
            Step::Impute(m) => impute(data, m, fw, units)?,
            Step::Screen(t) => (screen(data, t)?.0, Vec::new()),
            Step::Treat(p) => {
                let (d, _, w) = treat(data, p)?;
                (d, w)
            }
            Step::Normalise(m) => normalise(data, m, fw)?,
        })
    }

    /// A text that is equal for two steps exactly when they compute the same
    /// thing (numbers in their exact round-trip form).
    pub fn key(&self) -> String {
        format!("{self:?}")
    }
}

impl Default for AggregateSpec {
    fn default() -> Self {
        AggregateSpec { method: Aggregation::Arithmetic, weights: WeightSource::IMeta, min_data: None }
    }
}

/// A validated pipeline. Every field is optional: `None` skips the step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    /// Divide by iMeta denominators.
    pub denominate: bool,
    /// Imputation method.
    pub impute: Option<Imputation>,
    /// Screening threshold (minimum share of present indicators).
    pub screen: Option<f64>,
    /// Outlier treatment.
    pub treat: Option<TreatParams>,
    /// Normalisation.
    pub normalise: Option<Normalisation>,
    /// Aggregation.
    pub aggregate: Option<AggregateSpec>,
}

impl Pipeline {
    /// Reads a pipeline from a TOML file. Relative weight files are resolved
    /// against the pipeline file's directory.
    pub fn from_file(path: &Path) -> Result<Pipeline> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        Pipeline::from_toml(&path.display().to_string(), &text, path.parent())
    }

    /// Parses a pipeline from TOML text. `file` names it in errors, `base` is
    /// where relative paths are resolved.
    pub fn from_toml(file: &str, text: &str, base: Option<&Path>) -> Result<Pipeline> {
        Pipeline::from_raw(file, Error::parse_toml(file, text)?, base)
    }

    /// Builds a pipeline from an already parsed TOML table (as
    /// [`Pipeline::from_toml`], for pipelines edited in memory, such as the
    /// runs of an uncertainty analysis).
    pub fn from_table(file: &str, table: &toml::Table, base: Option<&Path>) -> Result<Pipeline> {
        let raw = PipelineToml::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| Error::Config { location: Location::file(file), problem: e.message().to_string() })?;
        Pipeline::from_raw(file, raw, base)
    }

    fn from_raw(file: &str, raw: PipelineToml, base: Option<&Path>) -> Result<Pipeline> {
        let impute = match raw.impute {
            None => None,
            Some(t) => {
                let need_group = || {
                    t.group.clone().ok_or_else(|| {
                        Error::config(file, "impute.group", format!("method `{}` needs a group column", t.method))
                    })
                };
                Some(match t.method.as_str() {
                    "mean" => Imputation::Mean,
                    "median" => Imputation::Median,
                    "mean_group" => Imputation::GroupMean { group: need_group()? },
                    "median_group" => Imputation::GroupMedian { group: need_group()? },
                    "mean_row" => Imputation::RowMean { level: t.level.unwrap_or(2) },
                    other => {
                        return Err(Error::config(
                            file,
                            "impute.method",
                            format!(
                                "unknown method `{other}`: expected mean, median, mean_group, median_group or mean_row"
                            ),
                        ));
                    }
                })
            }
        };
        let screen = match raw.screen {
            Some(s) if !(0.0..=1.0).contains(&s.min_data.0) => {
                return Err(Error::config(
                    file,
                    "screen.min_data",
                    format!("expected a share between 0 and 1, found {}", s.min_data.0),
                ));
            }
            s => s.map(|s| s.min_data.0),
        };
        let treat = raw.treat.map(|t| {
            let d = TreatParams::default();
            TreatParams {
                winmax: t.winmax.unwrap_or(d.winmax),
                skew: t.skew.map_or(d.skew, |v| v.0),
                kurtosis: t.kurtosis.map_or(d.kurtosis, |v| v.0),
                force_winsorise: t.force_winsorise.unwrap_or(d.force_winsorise),
            }
        });
        if let Some(t) = &treat
            && !(t.skew > 0.0)
        {
            return Err(Error::config(file, "treat.skew", "expected a positive threshold"));
        }
        if let Some(t) = &treat
            && !(t.kurtosis > 0.0)
        {
            return Err(Error::config(
                file,
                "treat.kurtosis",
                format!("expected a positive threshold, found {}", t.kurtosis),
            ));
        }
        let normalise = match raw.normalise {
            None => None,
            Some(n) => Some(normalisation_from(file, &n)?),
        };
        let aggregate = match raw.aggregate {
            None => None,
            Some(a) => {
                let method = match a.method.as_deref().unwrap_or("arithmetic") {
                    "arithmetic" => Aggregation::Arithmetic,
                    "geometric" => Aggregation::Geometric,
                    "harmonic" => Aggregation::Harmonic,
                    "generalised" | "generalized" => {
                        let p =
                            a.p.ok_or_else(|| Error::config(file, "aggregate.p", "the generalised mean needs p"))?.0;
                        if p == 0.0 {
                            return Err(Error::config(
                                file,
                                "aggregate.p",
                                "p must not be 0 (use method = \"geometric\")",
                            ));
                        }
                        Aggregation::Generalised { p }
                    }
                    "copeland" => Aggregation::Copeland,
                    other => {
                        return Err(Error::config(
                            file,
                            "aggregate.method",
                            format!(
                                "unknown method `{other}`: expected arithmetic, geometric, harmonic, generalised or copeland"
                            ),
                        ));
                    }
                };
                let weights = match a.weights.as_deref() {
                    None | Some("imeta") => WeightSource::IMeta,
                    Some("equal") => WeightSource::Equal,
                    Some("pca") => WeightSource::Pca,
                    Some(path) => {
                        let p = match base {
                            Some(b) if Path::new(path).is_relative() => b.join(path),
                            _ => PathBuf::from(path),
                        };
                        WeightSource::Given(read_weights(&Table::read(&p)?)?)
                    }
                };
                let min_data = a.min_data.map(|m| m.0);
                if let Some(t) = min_data
                    && !(0.0..=1.0).contains(&t)
                {
                    return Err(Error::config(file, "aggregate.min_data", "expected a share between 0 and 1"));
                }
                Some(AggregateSpec { method, weights, min_data })
            }
        };
        Ok(Pipeline { denominate: raw.denominate.is_some(), impute, screen, treat, normalise, aggregate })
    }

    /// The steps before aggregation, in the order they run.
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut out = Vec::new();
        if self.denominate {
            out.push(Step::Denominate);
        }
        out.extend(self.impute.as_ref().map(Step::Impute));
        out.extend(self.screen.map(Step::Screen));
        out.extend(self.treat.as_ref().map(Step::Treat));
        out.extend(self.normalise.as_ref().map(Step::Normalise));
        out
    }

    /// Runs the pipeline on raw data.
    pub fn run(&self, units: &Units, fw: &Framework, raw: &DataSet) -> Result<Build> {
        self.execute(units, fw, raw.renamed("Raw"), true, |_| Ok::<(), Error>(()))
    }

    /// Runs the pipeline handing each data set to `sink` as soon as it is
    /// made (`Raw` first, the same data sets as [`Pipeline::run`]); the build
    /// returned keeps only the last one, so that memory holds two data sets
    /// at a time, not all of them (what a command that writes them needs).
    pub fn run_streaming<E: From<Error>>(
        &self,
        units: &Units,
        fw: &Framework,
        raw: DataSet,
        sink: impl FnMut(&DataSet) -> std::result::Result<(), E>,
    ) -> std::result::Result<Build, E> {
        // Renamed in place: a renamed copy would keep Raw's columns alive
        // until the whole build is done.
        let mut raw = raw;
        raw.name = "Raw".to_string();
        self.execute(units, fw, raw, false, sink)
    }

    fn execute<E: From<Error>>(
        &self,
        units: &Units,
        fw: &Framework,
        raw: DataSet,
        keep_all: bool,
        mut sink: impl FnMut(&DataSet) -> std::result::Result<(), E>,
    ) -> std::result::Result<Build, E> {
        sink(&raw)?;
        let mut b = Build {
            units: units.clone(),
            framework: fw.clone(),
            data_sets: vec![raw],
            weights: Weights::from_framework(fw),
            treatment: Vec::new(),
            screening: None,
            warnings: Vec::new(),
        };
        let mut add = |b: &mut Build, d: DataSet| -> std::result::Result<(), E> {
            sink(&d)?;
            if !keep_all {
                b.data_sets.clear();
            }
            b.data_sets.push(d);
            Ok(())
        };
        let last = |b: &Build| b.data_sets.last().expect("Raw is always there").clone();
        if self.denominate {
            let d = denominate(&last(&b), fw, units)?;
            add(&mut b, d)?;
        }
        if let Some(m) = &self.impute {
            let (d, w) = impute(&last(&b), m, fw, units)?;
            b.warnings.extend(w);
            add(&mut b, d)?;
        }
        if let Some(t) = self.screen {
            let (d, r) = screen(&last(&b), t)?;
            b.screening = Some(r);
            add(&mut b, d)?;
        }
        if let Some(p) = &self.treat {
            let (d, r, w) = treat(&last(&b), p)?;
            b.treatment = r;
            b.warnings.extend(w);
            add(&mut b, d)?;
        }
        if let Some(m) = &self.normalise {
            let (d, w) = normalise(&last(&b), m, fw)?;
            b.warnings.extend(w);
            add(&mut b, d)?;
        }
        if let Some(a) = &self.aggregate {
            let input = last(&b);
            b.weights = a.weights(&input, fw)?;
            let d = aggregate(&input, fw, &b.weights, a.method, a.min_data)?;
            add(&mut b, d)?;
        }
        Ok(b)
    }
}

fn normalisation_from(file: &str, n: &NormaliseToml) -> Result<Normalisation> {
    let key = |k: &str| format!("normalise.{k}");
    let m = match n.method.as_str() {
        "minmax" => {
            let [lower, upper] = n.range.map_or([0.0, 100.0], |r| r.0);
            if !(lower < upper) {
                return Err(Error::config(
                    file,
                    &key("range"),
                    format!("expected lower < upper, found [{lower}, {upper}]"),
                ));
            }
            Normalisation::MinMax { lower, upper }
        }
        "zscore" => {
            let [mean, sd] = n.mean_sd.map_or([0.0, 1.0], |r| r.0);
            if !(sd > 0.0) {
                return Err(Error::config(
                    file,
                    &key("mean_sd"),
                    format!("expected a positive standard deviation, found {sd}"),
                ));
            }
            Normalisation::ZScore { mean, sd }
        }
        "scaled" => {
            let [lower, upper] = n.range.map_or([0.0, 100.0], |r| r.0);
            if lower == upper {
                return Err(Error::config(file, &key("range"), "expected two different bounds"));
            }
            Normalisation::Scaled { lower, upper, factor: n.scale_factor.map_or(100.0, |f| f.0) }
        }
        "rank" => Normalisation::Rank,
        "prank" => Normalisation::PercentRank,
        "borda" => Normalisation::Borda,
        "fracmax" => Normalisation::FracMax,
        "dist2max" => Normalisation::Dist2Max,
        "dist2ref" => Normalisation::Dist2Ref {
            unit: n
                .reference
                .clone()
                .ok_or_else(|| Error::config(file, &key("reference"), "dist2ref needs the code of a reference unit"))?,
            cap: n.cap_max.unwrap_or(false),
        },
        "dist2target" | "dist2targ" => Normalisation::Dist2Target { cap: n.cap_max.unwrap_or(false) },
        "goalposts" => Normalisation::Goalposts,
        other => {
            return Err(Error::config(
                file,
                &key("method"),
                format!(
                    "unknown method `{other}`: expected minmax, zscore, scaled, rank, prank, borda, fracmax, \
                     dist2max, dist2ref, dist2target or goalposts"
                ),
            ));
        }
    };
    Ok(m)
}

/// Reads a weights table with columns `iCode` and `Weight`.
pub fn read_weights(t: &Table) -> Result<Weights> {
    let c = t.require_column("iCode")?;
    let w = t.require_column("Weight")?;
    let mut out = Weights::default();
    for (line, row) in &t.rows {
        let v = parse_number(&row[w])
            .filter(|v| v.is_finite())
            .ok_or_else(|| Error::input(t.at(*line, w), format!("expected a numeric weight, found `{}`", row[w])))?;
        if out.0.insert(row[c].clone(), v).is_some() {
            return Err(Error::input(t.at(*line, c), format!("duplicate code `{}`", row[c])));
        }
    }
    Ok(out)
}

/// The outcome of running a pipeline: every data set, in order, with what
/// each step reported.
#[derive(Debug, Clone)]
pub struct Build {
    /// The units as read (before screening).
    pub units: Units,
    /// The hierarchy.
    pub framework: Framework,
    /// Data sets in the order produced: Raw, Denominated, Imputed, Screened,
    /// Treated, Normalised, Aggregated (those whose step ran).
    pub data_sets: Vec<DataSet>,
    /// The weights used by aggregation.
    pub weights: Weights,
    /// Treatment report per indicator (empty if treatment did not run).
    pub treatment: Vec<TreatReport>,
    /// Screening report (if screening ran).
    pub screening: Option<ScreenReport>,
    /// Warnings of every step.
    pub warnings: Vec<Warning>,
}

impl Build {
    /// A data set by name.
    pub fn data_set(&self, name: &str) -> Option<&DataSet> {
        self.data_sets.iter().find(|d| d.name == name)
    }

    /// The last data set produced.
    pub fn last(&self) -> &DataSet {
        self.data_sets.last().expect("a build always has Raw")
    }

    /// Scores and ranks of every aggregate (requires aggregation).
    pub fn results(&self) -> Option<crate::results::Results> {
        crate::results::Results::from_build(self)
    }
}

#[cfg(test)]
mod tests;
