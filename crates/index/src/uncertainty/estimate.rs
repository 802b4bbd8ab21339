//! Variance-based sensitivity indices from the outputs of a Saltelli design,
//! and the summary statistics of an uncertainty analysis.

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
    // R: index = 1 + (n - 1) p; lo = floor, hi = ceiling; (1 - h) x[lo] + h x[hi],
    // with x[hi] the next order statistic when h > 0.
    let index = (v.len() - 1) as f64 * p;
    let lo = index.floor();
    let (q, next) = stats::order_statistics(v, lo as usize);
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
        let median = stats::median_in_place(&mut v);
        UnitStats {
            code: code.to_string(),
            nominal,
            mean,
            median,
            q5: quantile_in_place(&mut v, 0.05),
            q95: quantile_in_place(&mut v, 0.95),
        }
    }
}

impl UnitStats {
    /// [`UnitStats::of`] for ranks (whole numbers, missing as `NaN`): the
    /// same figures, the order statistics selected among integers, which
    /// compare faster than reals.
    pub fn of_ranks(code: &str, nominal: f64, ranks: &[f32]) -> UnitStats {
        let mut v: Vec<u32> = ranks.iter().filter(|r| !r.is_nan()).map(|&r| r as u32).collect();
        let as_real: Vec<f64> = v.iter().map(|&r| f64::from(r)).collect();
        let mean = stats::mean(&as_real);
        let n = v.len();
        let pick = |v: &mut [u32], k: usize| -> (f64, f64) {
            let (_, kth, above) = v.select_nth_unstable(k);
            let kth = *kth;
            (f64::from(kth), f64::from(above.iter().copied().min().unwrap_or(kth)))
        };
        let quantile = |v: &mut [u32], p: f64| -> f64 {
            if v.is_empty() {
                return f64::NAN;
            }
            let index = (v.len() - 1) as f64 * p;
            let lo = index.floor();
            let (q, next) = pick(v, lo as usize);
            let h = index - lo;
            if h > 0.0 && next != q { (1.0 - h) * q + h * next } else { q }
        };
        let median = match n {
            0 => f64::NAN,
            n if n % 2 == 1 => pick(&mut v, n / 2).0,
            n => {
                let (a, b) = pick(&mut v, n / 2 - 1);
                stats::mean(&[a, b])
            }
        };
        UnitStats {
            code: code.to_string(),
            nominal,
            mean,
            median,
            q5: quantile(&mut v, 0.05),
            q95: quantile(&mut v, 0.95),
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
