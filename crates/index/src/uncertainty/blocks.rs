//! Aggregating a batch of runs a block of units at a time.
//!
//! The runs of a group differ only in their aggregation (weights, method),
//! and each one reads every column it aggregates: at 100,000 units, 20
//! pillars are 16 MB, read again from memory by every run. Here a batch of
//! runs is taken a block of rows at a time instead: each block's columns
//! are read from memory once and stay in cache while every run of the batch
//! aggregates them.
//!
//! A row's aggregate depends on that row alone, and each block is computed
//! by the kernels of [`aggregate_with_logs`](crate::steps::aggregate) on
//! slices of the same columns, so every value has the bits the whole-column
//! path gives. Only what cannot fail takes this path: arithmetic and
//! geometric means, with finite weights, every child present. A run whose
//! geometric mean meets a value ≤ 0 in some block, and any other method, is
//! left to the whole-column path, which gives its error (or its result)
//! exactly as before.

use rayon::prelude::*;

use super::Logs;
use crate::dataset::DataSet;
use crate::model::Framework;
use crate::steps::aggregate::{Aggregation, Weights, apply_threshold, arithmetic_by_columns, geometric_by_columns};

/// Rows per block: the pillars of three kinds of run (arithmetic, geometric
/// and their logarithms), 20 columns each, fit in a core's 2 MB cache.
const ROWS: usize = 2_048;

/// Where a child's values are: a column of the data, or an aggregate
/// computed before it in the same run.
#[derive(Debug, Clone, Copy)]
enum Source {
    Data(usize),
    Computed(usize),
}

/// One aggregate still to compute: its children, their logarithms when
/// known, their weights.
struct Step<'a> {
    kids: Vec<Source>,
    logs: Vec<Option<&'a [f64]>>,
    weights: Vec<f64>,
}

/// One run's aggregation, compiled: the aggregates to compute in the order
/// `aggregate_with_logs` computes them, and where the ranked code is.
pub(super) struct Compiled<'a> {
    data: &'a DataSet,
    geometric: bool,
    min_data: Option<f64>,
    steps: Vec<Step<'a>>,
    target: usize,
}

impl<'a> Compiled<'a> {
    /// The run's plan, or `None` when it must take the whole-column path:
    /// a method other than arithmetic or geometric, a threshold out of
    /// range, a missing child or weight, or a ranked code that is not
    /// aggregated here.
    pub(super) fn new(
        data: &'a DataSet,
        fw: &Framework,
        weights: &Weights,
        method: Aggregation,
        min_data: Option<f64>,
        logs: &'a Logs,
        code: &str,
    ) -> Option<Compiled<'a>> {
        let geometric = match method {
            Aggregation::Arithmetic => false,
            Aggregation::Geometric => true,
            _ => return None,
        };
        if min_data.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
            return None;
        }
        let mut index: std::collections::HashMap<&str, Source> =
            data.codes.iter().enumerate().map(|(i, c)| (c.as_str(), Source::Data(i))).collect();
        let mut steps = Vec::new();
        for level in 2..=fw.levels() {
            for agg in fw.aggregates_in_output_order(level) {
                if index.contains_key(agg.code.as_str()) {
                    continue;
                }
                let kids = fw.children(&agg.code);
                let mut step = Step { kids: Vec::new(), logs: Vec::new(), weights: Vec::new() };
                for k in &kids {
                    step.kids.push(*index.get(k.code.as_str())?);
                    step.logs.push(logs.get(&k.code).map(|c| &c[..]));
                    let w = weights.get(&k.code);
                    if !w.is_finite() {
                        return None;
                    }
                    step.weights.push(w);
                }
                index.insert(agg.code.as_str(), Source::Computed(steps.len()));
                steps.push(step);
            }
        }
        match index.get(code)? {
            Source::Computed(target) => Some(Compiled { data, geometric, min_data, steps, target: *target }),
            Source::Data(_) => None,
        }
    }

    /// The ranked code's values on `rows` into `out`; `false` when a
    /// geometric mean meets a value ≤ 0 (the run takes the whole-column path).
    fn block(&self, rows: std::ops::Range<usize>, out: &mut [f64]) -> bool {
        let mut computed: Vec<Vec<f64>> = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let cols: Vec<&[f64]> = step
                .kids
                .iter()
                .map(|s| match *s {
                    Source::Data(i) => &self.data.columns[i][rows.clone()],
                    Source::Computed(j) => &computed[j][..],
                })
                .collect();
            let mut values = if self.geometric {
                let known: Vec<Option<&[f64]>> = step.logs.iter().map(|l| l.map(|l| &l[rows.clone()])).collect();
                let positive =
                    cols.iter().zip(&known).all(|(c, l)| l.is_some() || c.iter().all(|v| v.is_nan() || *v > 0.0));
                if !positive {
                    return false;
                }
                geometric_by_columns(&cols, &known, &step.weights, rows.len())
            } else {
                arithmetic_by_columns(&cols, &step.weights, rows.len())
            };
            apply_threshold(&mut values, &cols, self.min_data);
            computed.push(values);
        }
        out.copy_from_slice(&computed[self.target]);
        true
    }
}

/// The ranked code's values of every compiled run, by data row (`None`
/// where a run must take the whole-column path, as do runs whose data has
/// fewer rows than the others'). Blocks of rows run in parallel; within a
/// block, the runs in turn.
pub(super) fn aggregate_runs(runs: &[Option<Compiled>]) -> Vec<Option<Vec<f64>>> {
    let n = runs.iter().flatten().map(|r| r.data.n_units()).max().unwrap_or(0);
    let runs: Vec<Option<&Compiled>> = runs.iter().map(|r| r.as_ref().filter(|r| r.data.n_units() == n)).collect();
    let mut out: Vec<Vec<f64>> = runs.iter().map(|r| if r.is_some() { vec![0.0; n] } else { Vec::new() }).collect();
    let blocks = n.div_ceil(ROWS);
    let mut parts: Vec<_> = out.iter_mut().map(|v| v.chunks_mut(ROWS)).collect();
    let by_block: Vec<Vec<Option<&mut [f64]>>> =
        (0..blocks).map(|_| parts.iter_mut().map(|p| p.next()).collect()).collect();
    let ok: Vec<Vec<bool>> = by_block
        .into_par_iter()
        .enumerate()
        .map(|(b, slices)| {
            let rows = b * ROWS..((b + 1) * ROWS).min(n);
            runs.iter()
                .zip(slices)
                .map(|(run, slice)| match (run, slice) {
                    (Some(run), Some(slice)) => run.block(rows.clone(), slice),
                    _ => false,
                })
                .collect()
        })
        .collect();
    out.into_iter().enumerate().map(|(j, v)| (runs[j].is_some() && ok.iter().all(|b| b[j])).then_some(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::aggregate::{aggregate_with_logs, log_columns};
    use crate::table::Table;

    const META: &str = "iCode,Level,Parent,Direction,Weight,Type\n\
                        a,1,P1,1,1,Indicator\nb,1,P1,1,2,Indicator\nc,1,P2,1,0.5,Indicator\nd,1,P2,1,1.5,Indicator\n\
                        P1,2,I,1,1,Aggregate\nP2,2,I,1,3,Aggregate\nI,3,,1,1,Aggregate\n";

    /// 5,000 rows (two whole blocks and a short one) of positive values,
    /// `b` missing in a row of the third block, `c` and `d` both missing in
    /// a row of the first (so `P2` is missing there).
    fn data() -> DataSet {
        let n = 5_000;
        let value = |r: usize, k: usize| 1.0 + ((r * 7_919 + k * 104_729) % 1_000) as f64 / 7.0;
        let mut cols: Vec<Vec<f64>> = (0..4).map(|k| (0..n).map(|r| value(r, k)).collect()).collect();
        cols[1][4_100] = f64::NAN;
        cols[2][100] = f64::NAN;
        cols[3][100] = f64::NAN;
        let units = (0..n).map(|r| format!("u{r}")).collect();
        DataSet::new("Normalised", units, ["a", "b", "c", "d"].map(String::from).to_vec(), cols)
    }

    fn by_blocks(
        data: &DataSet,
        fw: &Framework,
        method: Aggregation,
        min: Option<f64>,
        logs: &Logs,
        code: &str,
    ) -> Option<Vec<f64>> {
        let w = Weights::from_framework(fw);
        let run = Compiled::new(data, fw, &w, method, min, logs, code);
        assert!(run.is_some(), "{method:?} {code} compiles");
        aggregate_runs(&[run]).pop().flatten()
    }

    /// Every row of the ranked code has the bits of the whole-column path,
    /// for both methods, with and without a threshold, with the logarithms
    /// of all, one or none of the columns known, from the indicators or
    /// from data that already holds a pillar.
    #[test]
    fn blocks_give_the_bits_of_whole_columns() {
        let fw = Framework::from_table(&Table::from_csv("iMeta.csv", META.as_bytes()).unwrap()).unwrap();
        let w = Weights::from_framework(&fw);
        let data = data();
        let all = log_columns(&data);
        let one: Logs = all.iter().filter(|(c, _)| *c == "a").map(|(c, l)| (c.clone(), l.clone())).collect();
        let none = Logs::new();
        let with_p1 = {
            let full = aggregate_with_logs(&data, &fw, &w, Aggregation::Geometric, None, &all).unwrap();
            full.select(&["a", "b", "c", "d", "P1"].map(String::from))
        };
        for method in [Aggregation::Arithmetic, Aggregation::Geometric] {
            for min in [None, Some(0.6)] {
                for logs in [&all, &one, &none] {
                    for (from, code) in [(&data, "I"), (&data, "P2"), (&with_p1, "I")] {
                        let whole = aggregate_with_logs(from, &fw, &w, method, min, logs).unwrap();
                        let expected = whole.column(code).unwrap();
                        let got = by_blocks(from, &fw, method, min, logs, code).expect("no value ≤ 0");
                        assert_eq!(got.len(), expected.len());
                        for (r, (g, e)) in got.iter().zip(expected).enumerate() {
                            assert_eq!(g.to_bits(), e.to_bits(), "{method:?} {min:?} {code}, row {r}: {g} vs {e}");
                        }
                        // The missing pillar leaves the index to the other one, or missing under the threshold.
                        assert_eq!(expected[100].is_nan(), code == "P2" || min.is_some(), "{method:?} {min:?} {code}");
                    }
                }
            }
        }
    }

    /// What the blocks do not take is left to the whole-column path: a
    /// geometric mean meeting a zero (in the last block), another method, a
    /// ranked code that is an indicator, a missing weight.
    #[test]
    fn the_rest_is_left_to_whole_columns() {
        let fw = Framework::from_table(&Table::from_csv("iMeta.csv", META.as_bytes()).unwrap()).unwrap();
        let mut data = data();
        let mut d = data.column("d").unwrap().to_vec();
        d[4_999] = 0.0;
        let mut cols: Vec<Vec<f64>> = data.columns.iter().map(|c| c.to_vec()).collect();
        cols[3] = d;
        data = DataSet::new("Normalised", data.units.to_vec(), data.codes.clone(), cols);
        let none = Logs::new();
        assert!(by_blocks(&data, &fw, Aggregation::Geometric, None, &none, "I").is_none());
        // Every aggregate is computed, as on whole columns, where the zero is an error whatever is ranked.
        assert!(by_blocks(&data, &fw, Aggregation::Geometric, None, &none, "P1").is_none());
        let w = Weights::from_framework(&fw);
        let err = aggregate_with_logs(&data, &fw, &w, Aggregation::Geometric, None, &none).unwrap_err().to_string();
        assert!(err.contains("P2: unit `u4999` has d = 0"), "{err}");
        assert!(by_blocks(&data, &fw, Aggregation::Arithmetic, None, &none, "I").is_some());
        assert!(Compiled::new(&data, &fw, &w, Aggregation::Harmonic, None, &none, "I").is_none());
        assert!(Compiled::new(&data, &fw, &w, Aggregation::Arithmetic, None, &none, "a").is_none());
        assert!(Compiled::new(&data, &fw, &w, Aggregation::Arithmetic, Some(1.5), &none, "I").is_none());
        let mut partial = w.clone();
        partial.0.remove("c");
        assert!(Compiled::new(&data, &fw, &partial, Aggregation::Arithmetic, None, &none, "I").is_none());
    }
}
