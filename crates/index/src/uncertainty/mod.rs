//! Uncertainty and sensitivity analysis of an index.
//!
//! An index rests on choices: which normalisation, which weights, which
//! aggregation, how many outliers to winsorise, which indicators are in. An
//! *uncertainty analysis* rebuilds the index many times with these *inputs*
//! drawn at random, and reports for every unit how its rank moves (mean,
//! median, 5th and 95th percentile against the nominal rank). A *sensitivity
//! analysis* apportions that movement to the inputs: with the Saltelli design
//! (N(d + 2) runs for d inputs) it estimates for each input its first-order
//! Sobol' index S_i (the share of the output's variance it explains alone)
//! and its total index ST_i (alone and through interactions), with bootstrap
//! confidence intervals. The output is COINr's target, the mean absolute rank
//! change against the nominal ranks, or the rank of one unit.
//!
//! The method is COINr's `get_sensitivity` (discrete alternatives picked by
//! cutting the sample's own range, Saltelli's S_i, Jansen's ST_i, rank
//! statistics over the A and B runs), and its results match COINr's run by
//! run when replayed with COINr's sample. What differs is the execution:
//!
//! - work that no input changes is done once: runs are grouped by the steps
//!   they share, groups are visited in an order that keeps shared prefixes
//!   (e.g. imputation when only weights vary, treatment for every
//!   normalisation), and only aggregation runs for every run;
//! - runs execute in parallel; each run's result depends only on its inputs,
//!   and every random number is drawn in one thread, so results are identical
//!   for a given seed whatever the thread count;
//! - memory stays bounded: a run keeps only the target's scores and ranks,
//!   never its data sets.

mod blocks;
pub mod budget;
mod estimate;
mod inputs;
mod runs;
mod sampling;

use std::collections::HashMap;

use rayon::prelude::*;

pub use estimate::{SobolEstimate, SobolIndex, UnitStats, quantile, sobol_indices};
pub use inputs::{Alternatives, Input, Inputs, Noise, PipelineSource, noisy_weights};
pub use sampling::{Rng, SOBOL_MAX_DIMENSIONS, Sampling, cut, saltelli_design, unit_points};

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result};
use crate::model::{CodeType, Framework, Units};
use crate::pipeline::Pipeline;
use crate::stats;
use crate::steps::aggregate::{Aggregation, Weights, aggregate_with_logs, log_columns};

/// The value an input takes in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Choice {
    /// A discrete alternative (0-based).
    Alternative(usize),
    /// A value of a continuous range.
    Value(f64),
}

/// What the sensitivity indices are computed for.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// COINr's target: the mean over units of |rank − nominal rank|.
    MeanAbsoluteRankChange,
    /// The rank of one unit.
    UnitRank(String),
}

/// Settings of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Runs of an uncertainty analysis; the base sample size N of a
    /// sensitivity analysis (N(d + 2) runs in all).
    pub runs: usize,
    /// Whether to estimate sensitivity indices (Saltelli design).
    pub sensitivity: bool,
    /// Bootstrap resamples for the indices' confidence intervals (0 = none).
    pub bootstrap: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// Random or quasi-random points.
    pub sampling: Sampling,
    /// The code whose scores are ranked (default: the top aggregate).
    pub code: Option<String>,
    /// Units whose own rank gets sensitivity indices too.
    pub units: Vec<String>,
    /// The memory the runs may keep ([`budget::estimate_bytes`]); more is
    /// refused before the first run. Default 8 GiB.
    pub max_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runs: 100,
            sensitivity: false,
            bootstrap: 100,
            seed: 1,
            sampling: Sampling::Random,
            code: None,
            units: Vec::new(),
            max_bytes: 8 << 30,
        }
    }
}

/// The sensitivity indices of every input for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The target.
    pub target: Target,
    /// Variance of the target over the A and B runs.
    pub variance: f64,
    /// (input name, indices), in input order.
    pub indices: Vec<(String, SobolIndex)>,
}

/// The result of an analysis.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The code that was ranked.
    pub code: String,
    /// The sample: for each run, its uniform point and each input's choice.
    pub sample: Vec<(Vec<f64>, Vec<Choice>)>,
    /// Rank statistics per unit (nominal units, in order).
    pub ranks: Vec<UnitStats>,
    /// Score statistics per unit.
    pub scores: Vec<UnitStats>,
    /// Sensitivity indices: COINr's target first, then each requested unit.
    pub sensitivity: Vec<Sensitivity>,
    /// Runs whose build failed (their scores are missing, as in COINr).
    pub failed: Vec<(usize, String)>,
    /// Distinct warnings of the runs' steps.
    pub warnings: Vec<String>,
}

/// An analysis: the data, the pipeline and the inputs.
pub struct Analysis<'a> {
    /// Units of the data.
    pub units: &'a Units,
    /// The framework.
    pub framework: &'a Framework,
    /// Raw data.
    pub raw: &'a DataSet,
    /// The nominal pipeline, editable.
    pub pipeline: &'a PipelineSource,
    /// The uncertain inputs.
    pub inputs: &'a [Input],
}

/// The outputs of replayed runs (see [`Analysis::replay`]).
#[derive(Debug, Clone)]
pub struct Replay {
    /// Nominal scores of the ranked code, per unit.
    pub nominal: Vec<f64>,
    /// Scores of every run (run-major, units in nominal order; missing when
    /// the unit is absent or the run failed).
    pub scores: Vec<Vec<f64>>,
    /// Ranks of every run.
    pub ranks: Vec<Vec<f64>>,
}

/// Failed runs: run index and why.
type Failures = Vec<(usize, String)>;

/// A run's outcome: its index, the target's scores and ranks by unit.
type Scored = (usize, Vec<f64>, Vec<f64>);

/// A run's scores and ranks, or why it failed.
type RunOutcome = std::result::Result<(Vec<f64>, Vec<f64>), String>;

/// Logarithms of columns, by code.
type Logs = HashMap<String, Column>;

impl Analysis<'_> {
    /// Runs an uncertainty (and, with `settings.sensitivity`, sensitivity)
    /// analysis. `progress` is called with the number of runs done so far.
    pub fn run(&self, settings: &Settings, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Outcome> {
        let d = self.inputs.len();
        if settings.sensitivity && d < 2 {
            return Err(Error::step(
                "sensitivity",
                "a sensitivity analysis needs at least 2 inputs (use an uncertainty analysis for one)",
            ));
        }
        if settings.runs < 3 {
            return Err(Error::step("uncertainty", format!("expected at least 3 runs, found {}", settings.runs)));
        }
        budget::check(settings, self.units.codes.len(), d)?;
        let n = settings.runs;
        let points = if settings.sensitivity {
            if settings.sampling == Sampling::Sobol && 2 * d > SOBOL_MAX_DIMENSIONS {
                return Err(Error::step(
                    "sensitivity",
                    format!("quasi-random sampling supports up to {} inputs", SOBOL_MAX_DIMENSIONS / 2),
                ));
            }
            let base = unit_points(n, 2 * d, settings.sampling, settings.seed);
            let a: Vec<Vec<f64>> = base.iter().map(|r| r[..d].to_vec()).collect();
            let b: Vec<Vec<f64>> = base.iter().map(|r| r[d..].to_vec()).collect();
            saltelli_design(&a, &b)
        } else {
            if settings.sampling == Sampling::Sobol && d > SOBOL_MAX_DIMENSIONS {
                return Err(Error::step(
                    "uncertainty",
                    format!("quasi-random sampling supports up to {SOBOL_MAX_DIMENSIONS} inputs"),
                ));
            }
            unit_points(n, d, settings.sampling, settings.seed)
        };
        let choices = self.choices(&points);
        let stats_runs = if settings.sensitivity { 2 * n } else { n };
        let code = self.code(settings.code.as_deref())?;
        let nominal_scores = self.nominal(&code)?;
        let nominal_ranks = stats::rank_descending(&nominal_scores);
        let unit_rows: Vec<usize> = settings
            .units
            .iter()
            .map(|u| {
                self.units
                    .position(u)
                    .ok_or_else(|| Error::step("sensitivity", format!("unit `{u}` is not in the data")))
            })
            .collect::<Result<_>>()?;

        let n_units = self.units.len();
        // Ranks are whole numbers, exact in f32: half the memory of f64.
        // Zeroed, so the system hands the pages over as the runs fill them
        // (in parallel) rather than all at once here: every row is written
        // by its run (a failed run writes missing values), which `stored`
        // checks.
        let mut rank_matrix = vec![0f32; n_units * stats_runs];
        let mut score_matrix = vec![0f64; n_units * stats_runs];
        let mut stored = 0usize;
        let mut targets = vec![vec![f64::NAN; choices.len()]; 1 + unit_rows.len()];
        let mut done = 0usize;
        let (failed, warnings) = self.execute(&code, &choices, &mut |batch: &[Scored]| {
            // A row per run: each run of the batch is copied whole, in
            // parallel (a row per unit had every run write to every row).
            let mut slot = vec![usize::MAX; stats_runs];
            for (i, b) in batch.iter().enumerate().filter(|(_, b)| b.0 < stats_runs) {
                stored += usize::from(slot[b.0] == usize::MAX);
                slot[b.0] = i;
            }
            rank_matrix
                .par_chunks_mut(n_units.max(1))
                .zip(score_matrix.par_chunks_mut(n_units.max(1)))
                .zip(&slot)
                .filter(|(_, i)| **i != usize::MAX)
                .for_each(|((r, s), &i)| {
                    let (_, scores, ranks) = &batch[i];
                    for (to, rank) in r.iter_mut().zip(ranks) {
                        *to = *rank as f32;
                    }
                    let written = ranks.len().min(r.len());
                    r[written..].fill(f32::NAN);
                    s.copy_from_slice(scores);
                });
            // The targets of the sensitivity analysis (none without one).
            if settings.sensitivity {
                let changes: Vec<f64> = batch
                    .par_iter()
                    .map(|(_, _, ranks)| {
                        let diffs: Vec<f64> = ranks.iter().zip(&nominal_ranks).map(|(r, n)| (r - n).abs()).collect();
                        stats::mean(&diffs)
                    })
                    .collect();
                for ((run, _, ranks), change) in batch.iter().zip(changes) {
                    targets[0][*run] = change;
                    for (t, &row) in targets[1..].iter_mut().zip(&unit_rows) {
                        t[*run] = ranks[row];
                    }
                }
            }
            done += batch.len();
            progress(done, choices.len());
        })?;
        if stored != stats_runs {
            return Err(Error::step(
                "uncertainty",
                format!("internal error: {stored} of {stats_runs} runs were stored, each once"),
            ));
        }

        let codes = &self.units.codes;
        let ranks = per_unit(&rank_matrix, stats_runs, n_units, |u, runs| {
            UnitStats::of_ranks(&codes[u], nominal_ranks[u], runs)
        });
        drop(rank_matrix);
        let scores =
            per_unit(&score_matrix, stats_runs, n_units, |u, runs| UnitStats::of(&codes[u], nominal_scores[u], runs));
        let mut sensitivity = Vec::new();
        if settings.sensitivity {
            let mut rng = Rng::new(settings.seed ^ 0xB007_5724_9000_0001);
            let names = std::iter::once(Target::MeanAbsoluteRankChange)
                .chain(settings.units.iter().map(|u| Target::UnitRank(u.clone())));
            for (target, y) in names.zip(&targets) {
                let est = sobol_indices(y, n, d, settings.bootstrap, &mut rng);
                sensitivity.push(Sensitivity {
                    target,
                    variance: est.variance,
                    indices: self.inputs.iter().map(|i| i.name.clone()).zip(est.indices).collect(),
                });
            }
        }
        let sample = points.into_iter().zip(choices).collect();
        Ok(Outcome { code, sample, ranks, scores, sensitivity, failed, warnings })
    }

    /// Replays given choices (e.g. COINr's own sample) and returns every
    /// run's scores and ranks of `code` (default: the top aggregate).
    pub fn replay(&self, choices: &[Vec<Choice>], code: Option<&str>) -> Result<Replay> {
        let code = self.code(code)?;
        let nominal = self.nominal(&code)?;
        let mut scores = vec![Vec::new(); choices.len()];
        let mut ranks = vec![Vec::new(); choices.len()];
        self.execute(&code, choices, &mut |batch: &[Scored]| {
            for (run, s, r) in batch {
                ranks[*run] = r.clone();
                scores[*run] = s.clone();
            }
        })?;
        Ok(Replay { nominal, scores, ranks })
    }

    /// Maps each column of uniform points to its input's choices.
    pub fn choices(&self, points: &[Vec<f64>]) -> Vec<Vec<Choice>> {
        let mut out = vec![Vec::with_capacity(self.inputs.len()); points.len()];
        for (i, input) in self.inputs.iter().enumerate() {
            let column: Vec<f64> = points.iter().map(|p| p[i]).collect();
            match (&input.alternatives, input.alternatives.count()) {
                (Alternatives::Range { lower, upper, .. }, _) => {
                    for (row, u) in out.iter_mut().zip(&column) {
                        row.push(Choice::Value(u * (upper - lower) + lower));
                    }
                }
                (_, Some(k)) => {
                    for (row, c) in out.iter_mut().zip(cut(&column, k)) {
                        row.push(Choice::Alternative(c.unwrap_or(0)));
                    }
                }
                (_, None) => unreachable!("only ranges have no count"),
            }
        }
        out
    }

    /// The ranked code: given, or the single top aggregate.
    fn code(&self, code: Option<&str>) -> Result<String> {
        if let Some(c) = code {
            return match self.framework.get(c) {
                Some(_) => Ok(c.to_string()),
                None => Err(Error::step("uncertainty", format!("code `{c}` is not in iMeta"))),
            };
        }
        let top: Vec<&str> = self
            .framework
            .at_level(self.framework.levels())
            .filter(|n| n.kind == CodeType::Aggregate)
            .map(|n| n.code.as_str())
            .collect();
        match top.as_slice() {
            [one] => Ok(one.to_string()),
            _ => Err(Error::step("uncertainty", "the top level has several codes: say which one to rank")),
        }
    }

    /// Nominal scores of `code`, in unit order.
    fn nominal(&self, code: &str) -> Result<Vec<f64>> {
        let build = self.pipeline.pipeline()?.run(self.units, self.framework, self.raw)?;
        let last = build.last();
        let col = last.column(code).ok_or_else(|| {
            Error::step("uncertainty", format!("code `{code}` is not in the pipeline's last data set"))
        })?;
        Ok(self.by_unit(last, col))
    }

    /// A column of `data` in the units' order (missing where `data` lacks a unit).
    fn by_unit(&self, data: &DataSet, col: &[f64]) -> Vec<f64> {
        if data.units.len() == self.units.len() && data.units.iter().eq(self.units.codes.iter()) {
            return col.to_vec();
        }
        // Rows by code, once: a search per unit would be quadratic.
        let rows: HashMap<&str, usize> = data.units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
        self.units.codes.iter().map(|u| rows.get(u.as_str()).map_or(f64::NAN, |&r| col[r])).collect()
    }
}

/// A statistic of every unit from a matrix with a row per run and a
/// column per unit: `stat(unit, its values in run order)`. Units are taken
/// in blocks, each run's values of a block read together, so that gathering
/// a unit's runs does not touch a page per run per unit; and sixteen runs
/// at a time, so that each unit's values are written sixteen side by side
/// (one run at a time wrote a cache line per value).
fn per_unit<T, S>(matrix: &[T], runs: usize, units: usize, stat: impl Fn(usize, &[T]) -> S + Sync) -> Vec<S>
where
    T: Copy + Default + Send + Sync,
    S: Send,
{
    const BLOCK: usize = 256;
    const RUNS: usize = 16;
    let blocks: Vec<Vec<S>> = (0..units.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let range = b * BLOCK..((b + 1) * BLOCK).min(units);
            let mut gathered = vec![T::default(); range.len() * runs];
            for first in (0..runs).step_by(RUNS) {
                let rows: Vec<&[T]> = (first..(first + RUNS).min(runs))
                    .map(|run| &matrix[run * units + range.start..run * units + range.end])
                    .collect();
                for (j, unit) in gathered.chunks_exact_mut(runs).enumerate() {
                    for (to, row) in unit[first..first + rows.len()].iter_mut().zip(&rows) {
                        *to = row[j];
                    }
                }
            }
            range.clone().map(|u| stat(u, &gathered[(u - range.start) * runs..][..runs])).collect()
        })
        .collect();
    blocks.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 and 35 runs (two whole groups of sixteen and a short one) × 600
    /// units (three blocks, the last short), the value of unit u in run r
    /// being 1000·r + u: each unit gets its own runs in order.
    #[test]
    fn each_unit_gets_its_runs_in_order_across_blocks() {
        let units = 600;
        for runs in [3, 35] {
            let matrix: Vec<f64> = (0..runs).flat_map(|r| (0..units).map(move |u| (1000 * r + u) as f64)).collect();
            let got = per_unit(&matrix, runs, units, |u, values| (u, values.to_vec()));
            assert_eq!(got.len(), units);
            for (i, (u, values)) in got.iter().enumerate() {
                assert_eq!(*u, i);
                let expected: Vec<f64> = (0..runs).map(|r| (1000 * r + i) as f64).collect();
                assert_eq!(values, &expected, "{runs} runs, unit {i}");
            }
        }
        assert!(per_unit(&[] as &[f64], 3, 0, |u, _| u).is_empty());
    }

    #[test]
    fn the_design_has_a_then_b_then_each_ab_block() {
        let a = vec![vec![0.1, 0.2], vec![0.3, 0.4]];
        let b = vec![vec![0.5, 0.6], vec![0.7, 0.8]];
        let x = saltelli_design(&a, &b);
        assert_eq!(x.len(), 2 * (2 + 2));
        assert_eq!(x[4], vec![0.5, 0.2]);
        assert_eq!(x[7], vec![0.3, 0.8]);
    }
}
