//! Variance-based sensitivity indices from the outputs of a Saltelli design,
//! and the summary statistics of an uncertainty analysis.

use std::cmp::Ordering;

use super::sampling::Rng;
use crate::stats;

/// First-order and total sensitivity index of one input, with bootstrap
/// 5 % and 95 % quantiles (`NaN` without bootstrap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index: the share of output variance due to the input alone.
    pub si: f64,
    /// Total index: the share due to the input and all its interactions.
    pub sti: f64,
    /// Bootstrap 5th percentile of `si`.
    pub si_q5: f64,
    /// Bootstrap 95th percentile of `si`.
    pub si_q95: f64,
    /// Bootstrap 5th percentile of `sti`.
    pub sti_q5: f64,
    /// Bootstrap 95th percentile of `sti`.
    pub sti_q95: f64,
}

/// The indices of every input and the output variance they are shares of.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolEstimate {
    /// Variance of the output over the A and B runs.
    pub variance: f64,
    /// One index per input, in input order.
    pub indices: Vec<SobolIndex>,
}

/// Estimates first-order (Saltelli 2010) and total (Jansen 1999) indices
/// from `y`, the outputs of the N(d + 2) runs of [`saltelli_design`]
/// (A, B, then AB_1 … AB_d), exactly as COINr's `SA_estimate`:
///
/// - V = var(y_A ∪ y_B) (with the n − 1 denominator),
/// - S_i = mean(y_B · (y_ABi − y_A)) / V,
/// - ST_i = Σ (y_A − y_ABi)² / (2 N V).
///
/// With `bootstrap > 0`, each index is recomputed that many times on the N
/// terms resampled with replacement (independently per input, as COINr),
/// and the 5th and 95th percentiles are reported. A missing output makes the
/// indices missing, as in COINr.
///
/// [`saltelli_design`]: super::saltelli_design
pub fn sobol_indices(y: &[f64], n: usize, d: usize, bootstrap: usize, rng: &mut Rng) -> SobolEstimate {
    assert_eq!(y.len(), n * (d + 2), "y must hold the N(d + 2) outputs of the design");
    let (ya, rest) = y.split_at(n);
    let (yb, abs) = rest.split_at(n);
    let ab: Vec<f64> = ya.iter().chain(yb).copied().collect();
    // As R without na.rm: one missing value makes the result missing.
    let strict = |x: &[f64], f: fn(&[f64]) -> f64| if x.iter().any(|v| v.is_nan()) { f64::NAN } else { f(x) };
    let variance = strict(&ab, stats::variance);
    let indices = (0..d)
        .map(|i| {
            let yabi = &abs[i * n..(i + 1) * n];
            let first: Vec<f64> = yb.iter().zip(ya).zip(yabi).map(|((b, a), x)| b * (x - a)).collect();
            let total: Vec<f64> = ya.iter().zip(yabi).map(|(a, x)| a - x).collect();
            let si_of = |t: &[f64]| strict(t, stats::mean) / variance;
            let sti_of = |t: &[f64]| stats::sum(t.iter().map(|v| v * v)) / (2.0 * n as f64 * variance);
            let mut idx = SobolIndex {
                si: si_of(&first),
                sti: sti_of(&total),
                si_q5: f64::NAN,
                si_q95: f64::NAN,
                sti_q5: f64::NAN,
                sti_q95: f64::NAN,
            };
            if bootstrap > 0 {
                let mut si_b = Vec::with_capacity(bootstrap);
                let mut sti_b = Vec::with_capacity(bootstrap);
                let mut buf = vec![0.0; n];
                for _ in 0..bootstrap {
                    for slot in buf.iter_mut() {
                        *slot = first[rng.index(n)];
                    }
                    si_b.push(si_of(&buf));
                    for slot in buf.iter_mut() {
                        *slot = total[rng.index(n)];
                    }
                    sti_b.push(sti_of(&buf));
                }
                idx.si_q5 = quantile(&si_b, 0.05);
                idx.si_q95 = quantile(&si_b, 0.95);
                idx.sti_q5 = quantile(&sti_b, 0.05);
                idx.sti_q95 = quantile(&sti_b, 0.95);
            }
            idx
        })
        .collect();
    SobolEstimate { variance, indices }
}

/// R's default sample quantile (type 7) of the present values; `NaN` when
/// none is present.
pub fn quantile(x: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    quantile_in_place(&mut v, p)
}

/// [`quantile`] of values without missing ones; reorders them.
pub fn quantile_in_place(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    type_7(v.len(), p, |k| stats::order_statistics(v, k))
}

/// R's type 7 quantile at `p` of `n` values (n > 0), given `at(k)`: their
/// `k`-th smallest (0-based) and the next one. R: index = 1 + (n - 1) p;
/// lo = floor, hi = ceiling; (1 - h) x[lo] + h x[hi], with x[hi] the next
/// order statistic when h > 0.
fn type_7(n: usize, p: f64, at: impl FnOnce(usize) -> (f64, f64)) -> f64 {
    let index = (n - 1) as f64 * p;
    let lo = index.floor();
    let (q, next) = at(lo as usize);
    let h = index - lo;
    if h > 0.0 && next != q { (1.0 - h) * q + h * next } else { q }
}

/// Summary of one unit's values over the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitStats {
    /// Unit code.
    pub code: String,
    /// The value in the nominal build.
    pub nominal: f64,
    /// Mean over the runs.
    pub mean: f64,
    /// Median over the runs.
    pub median: f64,
    /// 5th percentile over the runs (R's type 7).
    pub q5: f64,
    /// 95th percentile over the runs (R's type 7).
    pub q95: f64,
}

impl UnitStats {
    /// Statistics of `values` (missing ones ignored, as COINr's `na.rm`).
    pub fn of(code: &str, nominal: f64, values: &[f64]) -> UnitStats {
        let mut v: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let mean = stats::mean(&v);
        let [median, q5, q95] = order_summary(&mut v, f64::total_cmp, |x| x);
        UnitStats { code: code.to_string(), nominal, mean, median, q5, q95 }
    }

    /// [`UnitStats::of`] for ranks (whole numbers, missing as `NaN`): the
    /// same figures, the order statistics selected among integers, which
    /// compare faster than reals.
    pub fn of_ranks(code: &str, nominal: f64, ranks: &[f32]) -> UnitStats {
        let mut v: Vec<u32> = ranks.iter().filter(|r| !r.is_nan()).map(|&r| r as u32).collect();
        let mean = stats::mean_of_whole(&v);
        let [median, q5, q95] = order_summary(&mut v, u32::cmp, f64::from);
        UnitStats { code: code.to_string(), nominal, mean, median, q5, q95 }
    }
}

/// The median and the 5th and 95th percentiles (R's type 7) of `v` in the
/// order `cmp`, reordering `v`: the median is selected first, then each
/// percentile among the values on its side of the median only.
fn order_summary<T: Copy>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering + Copy, real: impl Fn(T) -> f64) -> [f64; 3] {
    let n = v.len();
    if n == 0 {
        return [f64::NAN; 3];
    }
    let k = (n - 1) / 2;
    v.select_nth_unstable_by(k, cmp);
    let median = if n % 2 == 1 {
        real(v[k])
    } else {
        // R: mean(sort(x, partial = half + 0:1)[half + 0:1])
        let (a, b) = beside_median(v, k, k, cmp);
        stats::mean(&[real(a), real(b)])
    };
    let mut quantile = |p: f64| {
        type_7(n, p, |j| {
            let (q, next) = beside_median(v, k, j, cmp);
            (real(q), real(next))
        })
    };
    [median, quantile(0.05), quantile(0.95)]
}

/// The `j`-th smallest value of `v` (0-based) and the next one (the same
/// when `j` is the last), `v` holding its `k`-th smallest at `k` with the
/// smaller values before it and the others after: a selection on the side
/// of `k` that holds `j`, which it reorders.
fn beside_median<T: Copy>(v: &mut [T], k: usize, j: usize, cmp: impl Fn(&T, &T) -> Ordering + Copy) -> (T, T) {
    let least = |s: &[T], or: T| s.iter().copied().min_by(cmp).unwrap_or(or);
    let at_k = v[k];
    match j.cmp(&k) {
        Ordering::Less => {
            let (_, x, above) = v[..k].select_nth_unstable_by(j, cmp);
            (*x, least(above, at_k))
        }
        Ordering::Equal => (at_k, least(&v[k + 1..], at_k)),
        Ordering::Greater => {
            let (_, x, above) = v[k + 1..].select_nth_unstable_by(j - k - 1, cmp);
            (*x, least(above, *x))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0.05, 0.5, 0.95)) = 1.2, 3, 8.8
        let x = [4.0, 1.0, 10.0, 3.0, 2.0, f64::NAN];
        assert!((quantile(&x, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&x, 0.5), 3.0);
        assert!((quantile(&x, 0.95) - 8.8).abs() < 1e-12);
        assert!(quantile(&[f64::NAN], 0.5).is_nan());
    }

    #[test]
    fn rank_statistics_are_those_of_the_reals() {
        let mut rng = Rng::new(5);
        for n in [0usize, 1, 2, 7, 1000] {
            let ranks: Vec<f32> = (0..n)
                .map(|i| if i % 97 == 5 { f32::NAN } else { 1.0 + (rng.uniform() * 300.0).floor() as f32 })
                .collect();
            let reals: Vec<f64> = ranks.iter().map(|&r| f64::from(r)).collect();
            let (a, b) = (UnitStats::of_ranks("u", 3.0, &ranks), UnitStats::of("u", 3.0, &reals));
            for (x, y) in [(a.mean, b.mean), (a.median, b.median), (a.q5, b.q5), (a.q95, b.q95)] {
                assert!(x == y || (x.is_nan() && y.is_nan()), "n {n}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn unit_statistics_are_those_of_one_selection_each() {
        // The median and percentiles selected side by side agree, bit for
        // bit, with each selected on its own over all the values; the mean
        // of ranks is that of the reals. With ties, both zeros and missing
        // values, at every small size.
        let mut rng = Rng::new(9);
        for n in (0..64).chain([999, 1000, 1001]) {
            for round in 0..20 {
                let spread = [3.0, 1e3, 1.6e7][round % 3];
                let values: Vec<f64> = (0..n)
                    .map(|i| match i % 11 {
                        3 => f64::NAN,
                        7 => [0.0, -0.0][round % 2],
                        _ => (rng.uniform() * spread).floor() + [0.0, 0.25][round % 2],
                    })
                    .collect();
                let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
                let expected = [
                    stats::mean(&present),
                    stats::median(&present),
                    quantile(&present, 0.05),
                    quantile(&present, 0.95),
                ];
                let s = UnitStats::of("u", 0.0, &values);
                let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                for (got, want) in [s.mean, s.median, s.q5, s.q95].into_iter().zip(expected) {
                    assert!(same(got, want), "n {n}, round {round}: {got} vs {want}");
                }
                if round % 2 == 0 {
                    let ranks: Vec<f32> =
                        values.iter().map(|&v| if v.is_nan() { f32::NAN } else { v.abs() as f32 + 1.0 }).collect();
                    let reals: Vec<f64> = ranks.iter().filter(|r| !r.is_nan()).map(|&r| f64::from(r)).collect();
                    let r = UnitStats::of_ranks("u", 0.0, &ranks);
                    let expected =
                        [stats::mean(&reals), stats::median(&reals), quantile(&reals, 0.05), quantile(&reals, 0.95)];
                    for (got, want) in [r.mean, r.median, r.q5, r.q95].into_iter().zip(expected) {
                        assert!(same(got, want), "ranks, n {n}, round {round}: {got} vs {want}");
                    }
                }
            }
        }
    }

    #[test]
    fn selection_gives_the_quantiles_of_the_sorted_values() {
        // Against the definition on the sorted values, with ties (ranks).
        let mut rng = Rng::new(3);
        for n in [1usize, 2, 3, 10, 999, 1000] {
            let x: Vec<f64> = (0..n).map(|_| (rng.uniform() * 50.0).floor()).collect();
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            for p in [0.0, 0.05, 0.5, 0.95, 1.0] {
                let index = (n - 1) as f64 * p;
                let (lo, hi) = (sorted[index.floor() as usize], sorted[index.ceil() as usize]);
                let expected = lo + (index - index.floor()) * (hi - lo);
                assert!((quantile(&x, p) - expected).abs() < 1e-12, "n {n}, p {p}");
            }
            let mid = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
            assert_eq!(stats::median(&x), mid);
        }
    }
}
