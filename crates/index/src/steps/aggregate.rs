//! Aggregation: from indicators up every level of the hierarchy.
//!
//! Each aggregate is a weighted mean of its children, unit by unit, level by
//! level. Weights are relative within a group. Missing values follow COINr:
//!
//! | Method | Missing children |
//! |---|---|
//! | arithmetic | skipped, the remaining weights re-scaled |
//! | geometric, harmonic | skipped |
//! | generalised (power p) | the result is missing |
//! | Copeland | pairs compared on the indicators both units have |
//!
//! An optional `min_data` (COINr's `dat_thresh`) makes the aggregate missing
//! for a unit whose fraction of present children is below it.
//!
//! The geometric mean of a value ≤ 0, the harmonic mean of 0 and a negative
//! power mean of a value ≤ 0 are errors (COINr stops too); the message names
//! the aggregate, the unit and the child.
//!
//! Copeland works through the normal path here (COINr 1.1.14's `Aggregate`
//! cannot call it): unit *i* outranks unit *j* by the share of weight of the
//! children where *i* is higher, plus half the share where they tie; the score
//! is the number of units outranked minus the number of units that outrank it.
//! It compares every pair of units, so its cost grows with the square of the
//! number of units. As in COINr, only the upper triangle of the outranking
//! matrix is computed from the data and the lower one is its complement, which
//! matters only when values are missing; shares within 1e-12 of ½ count as ties.

use std::collections::HashMap;

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result};
use crate::model::Framework;
use crate::stats;

/// An aggregation method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    /// Weighted arithmetic mean.
    Arithmetic,
    /// Weighted geometric mean (values must be > 0).
    Geometric,
    /// Weighted harmonic mean (values must be ≠ 0).
    Harmonic,
    /// Weighted power mean with exponent `p` (≠ 0).
    Generalised {
        /// The exponent.
        p: f64,
    },
    /// Copeland outranking scores.
    Copeland,
}

/// Weights by code (indicators and aggregates), relative within each group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Weights(pub HashMap<String, f64>);

impl Weights {
    /// The iMeta weights.
    pub fn from_framework(fw: &Framework) -> Weights {
        Weights(fw.nodes().iter().map(|n| (n.code.clone(), n.weight)).collect())
    }

    /// Equal weights at every level.
    pub fn equal(fw: &Framework) -> Weights {
        Weights(fw.nodes().iter().map(|n| (n.code.clone(), 1.0)).collect())
    }

    /// The weight of a code (`NaN` if unknown).
    pub fn get(&self, code: &str) -> f64 {
        self.0.get(code).copied().unwrap_or(f64::NAN)
    }
}

/// Aggregates one unit's children values with their weights (same length);
/// on a value the method cannot take, returns its position and why.
pub fn aggregate_row(x: &[f64], w: &[f64], method: Aggregation) -> std::result::Result<f64, (usize, &'static str)> {
    match method {
        Aggregation::Arithmetic => {
            let ws = stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(_, w)| *w));
            if x.iter().all(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            Ok(stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(v, w)| w / ws * v)))
        }
        Aggregation::Geometric => {
            if x.iter().all(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            if let Some(i) = x.iter().position(|&v| v <= 0.0) {
                return Err((i, "the geometric mean needs values > 0"));
            }
            let ws = stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(_, w)| *w));
            let s = stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(v, w)| w * v.ln()));
            Ok((s / ws).exp())
        }
        Aggregation::Harmonic => {
            if x.iter().all(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            if let Some(i) = x.iter().position(|&v| v == 0.0) {
                return Err((i, "the harmonic mean needs values ≠ 0"));
            }
            let ws = stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(_, w)| *w));
            let s = stats::sum(x.iter().zip(w).filter(|(v, _)| !v.is_nan()).map(|(v, w)| w / v));
            Ok(ws / s)
        }
        Aggregation::Generalised { p } => {
            if x.iter().all(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            if p < 0.0
                && let Some(i) = x.iter().position(|&v| v <= 0.0)
            {
                return Err((i, "a power mean with negative p needs values > 0"));
            }
            if x.iter().any(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            let s = stats::sum(x.iter().zip(w).map(|(v, w)| w * v.powf(p)));
            Ok((s / stats::sum(w.iter().copied())).powf(1.0 / p))
        }
        Aggregation::Copeland => unreachable!("Copeland aggregates whole columns"),
    }
}

/// Copeland scores of the rows of a group of columns.
pub fn copeland(columns: &[&[f64]], weights: &[f64]) -> Vec<f64> {
    let n = columns.first().map(|c| c.len()).unwrap_or(0);
    let ws = stats::sum(weights.iter().copied());
    let w: Vec<f64> = weights.iter().map(|v| v / ws).collect();
    // Upper triangle of the outranking matrix, from the data.
    let outrank = |i: usize, j: usize| -> f64 {
        let mut gt = 0.0;
        let mut eq = 0.0;
        for (c, wk) in columns.iter().zip(&w) {
            let (a, b) = (c[i], c[j]);
            if a.is_nan() || b.is_nan() {
                continue;
            }
            if a > b {
                gt += wk;
            } else if a == b {
                eq += wk;
            }
        }
        gt + eq / 2.0
    };
    let sign = |o: f64| -> f64 {
        if (o - 0.5).abs() <= 1e-12 {
            0.0
        } else if o > 0.5 {
            1.0
        } else {
            -1.0
        }
    };
    let mut scores = vec![0.0; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let o = outrank(i, j);
            scores[i] += sign(o);
            scores[j] += sign(1.0 - o);
        }
    }
    scores
}

/// Aggregates every level. The result, named `Aggregated`, holds the input
/// columns followed by the aggregates of each level (level 2 first), each
/// level in alphabetical order of code as COINr writes it.
pub fn aggregate(
    data: &DataSet,
    fw: &Framework,
    weights: &Weights,
    method: Aggregation,
    min_data: Option<f64>,
) -> Result<DataSet> {
    aggregate_with_logs(data, fw, weights, method, min_data, &HashMap::new())
}

/// The natural logarithms of the columns of `data` whose present values are
/// all positive, by code: computed once, they make repeated geometric
/// aggregations of the same data (an uncertainty analysis varying weights)
/// skip the logarithms of the indicators.
pub fn log_columns(data: &DataSet) -> HashMap<String, Column> {
    // A column at a time, in parallel.
    crate::par::map_columns(data, |code, c| {
        c.iter()
            .all(|v| v.is_nan() || *v > 0.0)
            .then(|| (code.to_string(), c.iter().map(|v| v.ln()).collect::<Column>()))
    })
    .into_iter()
    .flatten()
    .collect()
}

/// [`aggregate`], with the logarithms of some columns already computed (see
/// [`log_columns`]); they are used by the geometric mean only. Aggregates
/// whose code is already a column of `data` are kept, not recomputed.
pub fn aggregate_with_logs(
    data: &DataSet,
    fw: &Framework,
    weights: &Weights,
    method: Aggregation,
    min_data: Option<f64>,
    logs: &HashMap<String, Column>,
) -> Result<DataSet> {
    if let Aggregation::Generalised { p } = method
        && (p == 0.0 || !p.is_finite())
    {
        return Err(Error::step("aggregate", "the power mean needs p ≠ 0 (p = 0 is the geometric mean)"));
    }
    if let Some(t) = min_data
        && !(0.0..=1.0).contains(&t)
    {
        return Err(Error::step("aggregate", format!("min_data must be between 0 and 1, found {t}")));
    }
    let mut codes = data.codes.clone();
    let mut columns = data.columns.clone();
    let mut index: HashMap<String, usize> = codes.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let n = data.n_units();
    for level in 2..=fw.levels() {
        // Aggregates already in the data (computed earlier for the same
        // children and weights) are kept as they are.
        let aggs: Vec<_> =
            fw.aggregates_in_output_order(level).into_iter().filter(|a| !index.contains_key(&a.code)).collect();
        let work = n * aggs.iter().map(|a| fw.children(&a.code).len()).sum::<usize>();
        let outs = crate::par::map(&aggs, work, |agg| -> Result<Vec<f64>> {
            let kids = fw.children(&agg.code);
            let mut cols: Vec<&[f64]> = Vec::with_capacity(kids.len());
            let mut w = Vec::with_capacity(kids.len());
            for k in &kids {
                let &i = index.get(&k.code).ok_or_else(|| {
                    Error::step("aggregate", format!("`{}` (child of `{}`) is not in the data", k.code, agg.code))
                })?;
                cols.push(&columns[i]);
                let wk = weights.get(&k.code);
                if !wk.is_finite() {
                    return Err(Error::step("aggregate", format!("no weight for `{}`", k.code)));
                }
                w.push(wk);
            }
            if method == Aggregation::Copeland {
                let mut s = copeland(&cols, &w);
                apply_threshold(&mut s, &cols, min_data);
                return Ok(s);
            }
            if method == Aggregation::Arithmetic {
                let mut s = arithmetic_by_columns(&cols, &w, n);
                apply_threshold(&mut s, &cols, min_data);
                return Ok(s);
            }
            let known: Vec<Option<&[f64]>> = kids.iter().map(|k| logs.get(&k.code).map(|c| &c[..])).collect();
            // A column with known logarithms is positive (see `log_columns`): only the others are scanned.
            let positive = |(c, l): (&&[f64], &Option<&[f64]>)| l.is_some() || c.iter().all(|v| v.is_nan() || *v > 0.0);
            if method == Aggregation::Geometric && cols.iter().zip(&known).all(positive) {
                let mut s = geometric_by_columns(&cols, &known, &w, n);
                apply_threshold(&mut s, &cols, min_data);
                return Ok(s);
            }
            let mut out = Vec::with_capacity(n);
            let mut row = vec![0.0; cols.len()];
            for r in 0..n {
                for (slot, c) in row.iter_mut().zip(&cols) {
                    *slot = c[r];
                }
                let present = row.iter().filter(|v| !v.is_nan()).count() as f64;
                if min_data.is_some_and(|t| present / (row.len() as f64) < t) {
                    out.push(f64::NAN);
                    continue;
                }
                let v = aggregate_row(&row, &w, method).map_err(|(i, why)| {
                    Error::step(
                        "aggregate",
                        format!(
                            "{}: unit `{}` has {} = {}: {why} (normalise to a positive range, e.g. min-max [1, 100])",
                            agg.code, data.units[r], kids[i].code, row[i]
                        ),
                    )
                })?;
                out.push(v);
            }
            Ok(out)
        });
        for (agg, out) in aggs.iter().zip(outs) {
            index.insert(agg.code.clone(), columns.len());
            codes.push(agg.code.clone());
            columns.push(Column::from(out?));
        }
    }
    Ok(DataSet::from_shared("Aggregated", data.units.clone(), codes, columns))
}

/// The arithmetic mean of every row, walking the columns (cache-friendly):
/// per row, the weights of the present children are summed, then each present
/// child adds `w / Σw · x`, both sums compensated (as `a_amean`).
pub(crate) fn arithmetic_by_columns(cols: &[&[f64]], w: &[f64], n: usize) -> Vec<f64> {
    // Groups are small (a handful of children): plain sums in column order
    // stay within a few ulps of R's extended-precision sums.
    // When every row has every child, each row's total of weights is the
    // same sum, so `wk / t` is one number per column (the same bits as
    // below, without a division and a check per value).
    let total = w.iter().fold(0.0, |t, wk| t + wk);
    let shares: Vec<f64> = w.iter().map(|wk| wk / total).collect();
    if let Some(sums) = complete_sums(cols, &shares, n) {
        return sums;
    }
    let mut total = vec![0.0; n];
    let mut present = vec![false; n];
    for (c, wk) in cols.iter().zip(w) {
        for ((t, p), v) in total.iter_mut().zip(present.iter_mut()).zip(c.iter()) {
            if !v.is_nan() {
                *t += wk;
                *p = true;
            }
        }
    }
    let mut sums = vec![0.0; n];
    for (c, wk) in cols.iter().zip(w) {
        for ((s, v), t) in sums.iter_mut().zip(c.iter()).zip(&total) {
            if !v.is_nan() {
                *s += wk / t * v;
            }
        }
    }
    sums.iter().zip(&present).map(|(s, p)| if *p { *s } else { f64::NAN }).collect()
}

/// The weighted geometric mean of every row of positive (or missing)
/// values, walking the columns: exp(Σ w ln x / Σ w) over the present
/// children; `logs` holds the logarithms already known.
pub(crate) fn geometric_by_columns(cols: &[&[f64]], logs: &[Option<&[f64]>], w: &[f64], n: usize) -> Vec<f64> {
    // The logarithms not known yet, once for both paths. When every row
    // has every child (a logarithm is missing only where its value is):
    // one total of weights for all rows, as in `arithmetic_by_columns`.
    let computed: Vec<Option<Vec<f64>>> =
        cols.iter().zip(logs).map(|(c, l)| l.is_none().then(|| c.iter().map(|v| v.ln()).collect())).collect();
    let lns: Vec<&[f64]> =
        logs.iter().zip(&computed).map(|(l, c)| l.unwrap_or_else(|| c.as_deref().unwrap_or(&[]))).collect();
    if let Some(sums) = complete_sums(&lns, w, n) {
        let t = w.iter().fold(0.0, |t, wk| t + wk);
        return sums.iter().map(|s| (s / t).exp()).collect();
    }
    let mut total = vec![0.0; n];
    let mut sums = vec![0.0; n];
    let mut present = vec![false; n];
    for (ln, wk) in lns.iter().zip(w) {
        for (((t, s), p), l) in total.iter_mut().zip(sums.iter_mut()).zip(present.iter_mut()).zip(ln.iter()) {
            if !l.is_nan() {
                *t += wk;
                *s += wk * l;
                *p = true;
            }
        }
    }
    sums.iter().zip(&total).zip(&present).map(|((s, t), p)| if *p { (s / t).exp() } else { f64::NAN }).collect()
}

/// Σ factor·column of every row, the columns added in order, when no
/// value is missing (`None` as soon as a block of rows has one, and when
/// there is no column). Blocks of rows keep their sums in the first-level
/// cache while every column is added, and each value is read once for the
/// sum and the check; each row's operations are those of the general path.
fn complete_sums(cols: &[&[f64]], factors: &[f64], n: usize) -> Option<Vec<f64>> {
    const ROWS: usize = 2_048;
    if cols.is_empty() {
        return None;
    }
    let mut sums = vec![0.0; n];
    for (b, block) in sums.chunks_mut(ROWS).enumerate() {
        let rows = b * ROWS..b * ROWS + block.len();
        let mut missing = false;
        for (c, f) in cols.iter().zip(factors) {
            for (s, v) in block.iter_mut().zip(&c[rows.clone()]) {
                *s += f * v;
                missing |= v.is_nan();
            }
        }
        if missing {
            return None;
        }
    }
    Some(sums)
}

pub(crate) fn apply_threshold(scores: &mut [f64], cols: &[&[f64]], min_data: Option<f64>) {
    if let Some(t) = min_data {
        for (r, s) in scores.iter_mut().enumerate() {
            let present = cols.iter().filter(|c| !c[r].is_nan()).count() as f64;
            if present / (cols.len() as f64) < t {
                *s = f64::NAN;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: a = 1, 2, …, 3000 and b = 2 with weights 1 and 3
    /// give (a + 6) / 4 and exp((ln a + 3 ln 2) / 4); a row where b is
    /// missing gives a. With no value missing the columns are summed by the
    /// fast path, with one missing (in the second block of rows) by the
    /// general one: the rows they share agree to the bit.
    #[test]
    fn complete_and_incomplete_rows_give_the_same_bits() {
        let n = 3_000;
        let a: Vec<f64> = (1..=n).map(|r| r as f64).collect();
        let b = vec![2.0; n];
        let mut b_missing = b.clone();
        b_missing[2_999] = f64::NAN;
        let w = [1.0, 3.0];
        let fast = arithmetic_by_columns(&[&a, &b], &w, n);
        let general = arithmetic_by_columns(&[&a, &b_missing], &w, n);
        assert_eq!(general[2_999], 3_000.0);
        for r in 0..n - 1 {
            assert!((fast[r] - (a[r] + 6.0) / 4.0).abs() <= 1e-12 * fast[r], "{r}: {}", fast[r]);
            assert_eq!(fast[r].to_bits(), general[r].to_bits(), "row {r}");
        }
        let none = [None, None];
        let fast = geometric_by_columns(&[&a, &b], &none, &w, n);
        let general = geometric_by_columns(&[&a, &b_missing], &none, &w, n);
        assert!((general[2_999] - 3_000.0).abs() < 1e-9);
        for r in 0..n - 1 {
            let expected = ((a[r].ln() + 3.0 * 2f64.ln()) / 4.0).exp();
            assert!((fast[r] - expected).abs() <= 1e-12 * expected, "{r}");
            assert_eq!(fast[r].to_bits(), general[r].to_bits(), "row {r}");
        }
        assert!(arithmetic_by_columns(&[], &[], 2).iter().all(|v| v.is_nan()), "no child: missing");
    }

    fn row(x: &[f64], w: &[f64], m: Aggregation) -> f64 {
        aggregate_row(x, w, m).unwrap()
    }

    // Reference values: COINr 1.1.14, functions/aggregation_functions.csv.
    #[test]
    fn row_functions_match_coinr() {
        let x = [10.0, 20.0, 30.0, 40.0];
        let w = [1.0; 4];
        assert_eq!(row(&x, &w, Aggregation::Arithmetic), 25.0);
        assert!((row(&x, &w, Aggregation::Geometric) - 22.133638394006436).abs() < 1e-13);
        assert!((row(&x, &w, Aggregation::Harmonic) - 19.2).abs() < 1e-13);
        assert!((row(&x, &w, Aggregation::Generalised { p: 2.0 }) - 27.386127875258307).abs() < 1e-13);
        let xm = [10.0, f64::NAN, 30.0, 40.0];
        let wm = [1.0, 2.0, 1.0, 0.5];
        assert!((row(&xm, &wm, Aggregation::Arithmetic) - 24.0).abs() < 1e-13);
        assert!((row(&xm, &wm, Aggregation::Harmonic) - 17.142857142857142).abs() < 1e-13);
        assert!(row(&xm, &wm, Aggregation::Generalised { p: 2.0 }).is_nan());
        assert!(aggregate_row(&[0.0, 1.0], &[1.0, 1.0], Aggregation::Geometric).is_err());
    }

    // Reference: functions/copeland_small.csv (a_copeland(X, w = c(1, 1, 2))).
    #[test]
    fn copeland_matches_coinr_small_case() {
        let a = [1.0, 2.0, 3.0, 3.0, f64::NAN];
        let b = [5.0, 5.0, 1.0, 2.0, 4.0];
        let c = [2.0, 1.0, 2.0, 1.0, 3.0];
        let s = copeland(&[&a, &b, &c], &[1.0, 1.0, 2.0]);
        assert_eq!(s, vec![1.0, -3.0, 1.0, -3.0, 4.0]);
    }
}
