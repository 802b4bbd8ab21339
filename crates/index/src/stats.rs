//! Small statistics on columns with missing values, written to agree with R.
//!
//! Missing values are `NaN` everywhere in this crate (R's `NA` and `NaN` both
//! count as missing, as `is.na()` does in R). R accumulates sums in extended
//! precision; plain `f64` summation differs from it by up to about 1e-14, so
//! every sum here is compensated (Neumaier), which agrees with R to the last bit
//! on ordinary data.

/// Compensated (Neumaier) sum of an iterator of values.
pub fn sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut acc = Acc::default();
    for x in values {
        acc.add(x);
    }
    acc.total()
}

/// Whether a value is missing (`NaN`).
#[inline]
pub fn is_missing(x: f64) -> bool {
    x.is_nan()
}

/// The non-missing values of a column.
pub fn present(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Number of non-missing values.
pub fn count(x: &[f64]) -> usize {
    x.iter().filter(|v| !v.is_nan()).count()
}

/// Mean of the non-missing values, computed as R's `mean(x, na.rm = TRUE)`:
/// a first pass, then a correction pass. `NaN` when nothing is present.
pub fn mean(x: &[f64]) -> f64 {
    if x.iter().any(|v| v.is_nan()) { mean_present(&present(x)) } else { mean_present(x) }
}

/// R's mean of values known not to be missing.
fn mean_present(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let nf = x.len() as f64;
    let m = sum(x.iter().copied()) / nf;
    if !m.is_finite() {
        return m;
    }
    m + sum(x.iter().map(|v| v - m)) / nf
}

/// Sample variance (denominator n - 1) of the non-missing values.
pub fn variance(x: &[f64]) -> f64 {
    let n = count(x);
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    sum(x.iter().copied().filter(|v| !v.is_nan()).map(|v| (v - m) * (v - m))) / (n as f64 - 1.0)
}

/// Sample standard deviation (denominator n - 1), as R's `sd(x, na.rm = TRUE)`.
pub fn sd(x: &[f64]) -> f64 {
    variance(x).sqrt()
}

/// Median of the non-missing values (mean of the two middle values for an even
/// count), as R's `median(x, na.rm = TRUE)`. `NaN` when nothing is present.
pub fn median(x: &[f64]) -> f64 {
    let mut v = present(x);
    median_in_place(&mut v)
}

/// Median of a vector without missing values; reorders the vector.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        order_statistics(v, n / 2).0
    } else {
        // R: mean(sort(x, partial = half + 0:1)[half + 0:1])
        let (a, b) = order_statistics(v, n / 2 - 1);
        mean(&[a, b])
    }
}

/// The `k`-th smallest value of `v` (0-based, by `total_cmp`) and the next
/// one (the same when `k` is the last), found by selection, not sorting;
/// reorders `v`.
pub fn order_statistics(v: &mut [f64], k: usize) -> (f64, f64) {
    let (_, kth, above) = v.select_nth_unstable_by(k, f64::total_cmp);
    let kth = *kth;
    (kth, above.iter().copied().min_by(f64::total_cmp).unwrap_or(kth))
}

/// Minimum of the non-missing values (`NaN` when none).
pub fn min(x: &[f64]) -> f64 {
    x.iter().copied().filter(|v| !v.is_nan()).fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })
}

/// Maximum of the non-missing values (`NaN` when none).
pub fn max(x: &[f64]) -> f64 {
    x.iter().copied().filter(|v| !v.is_nan()).fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
}

/// Adjusted skewness G1 and excess kurtosis G2 from one pass over the present
/// values: `(skew, kurtosis)`, each `None` without enough points (3 and 4).
pub fn skew_kurtosis(x: &[f64]) -> (Option<f64>, Option<f64>) {
    let owned;
    let v: &[f64] = if x.iter().any(|v| v.is_nan()) {
        owned = present(x);
        &owned
    } else {
        x
    };
    let n = v.len();
    if n < 3 {
        return (None, None);
    }
    let m = mean_present(v);
    // Four independent lanes per moment: vectorisable, and accurate far beyond
    // the 1e-9 the checks need (the thresholds are compared, not reported).
    let (mut s2, mut s3, mut s4) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            let d = c[l] - m;
            let d2 = d * d;
            s2[l] += d2;
            s3[l] += d2 * d;
            s4[l] += d2 * d2;
        }
    }
    for (l, x) in rest.iter().enumerate() {
        let d = x - m;
        let d2 = d * d;
        s2[l] += d2;
        s3[l] += d2 * d;
        s4[l] += d2 * d2;
    }
    let total = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    let (s2, s3, s4) = (total(s2), total(s3), total(s4));
    let nf = n as f64;
    let skew = nf.sqrt() * s3 / s2.powf(1.5) * (nf * (nf - 1.0)).sqrt() / (nf - 2.0);
    let kurt = (n >= 4).then(|| {
        let r = nf * s4 / (s2 * s2);
        ((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))
    });
    (Some(skew), kurt)
}

/// A running compensated sum (Neumaier), falling back to the plain sum when
/// infinities make the compensation meaningless (Inf − Inf).
#[derive(Debug, Default, Clone, Copy)]
pub struct Acc {
    s: f64,
    c: f64,
    plain: f64,
}

impl Acc {
    /// Adds a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.plain += x;
        let t = self.s + x;
        if self.s.abs() >= x.abs() {
            self.c += (self.s - t) + x;
        } else {
            self.c += (x - t) + self.s;
        }
        self.s = t;
    }

    /// The sum so far.
    #[inline]
    pub fn total(&self) -> f64 {
        if self.plain.is_finite() { self.s + self.c } else { self.plain }
    }
}

/// Adjusted skewness G1 (as `e1071::skewness(type = 2)`, used by COINr).
/// Needs at least 3 present values, else `None`.
pub fn skew(x: &[f64]) -> Option<f64> {
    let v = present(x);
    let n = v.len();
    if n < 3 {
        return None;
    }
    let m = mean(&v);
    let d: Vec<f64> = v.iter().map(|x| x - m).collect();
    let s2 = sum(d.iter().map(|x| x * x));
    let s3 = sum(d.iter().map(|x| x * x * x));
    let nf = n as f64;
    let y = nf.sqrt() * s3 / s2.powf(1.5);
    Some(y * (nf * (nf - 1.0)).sqrt() / (nf - 2.0))
}

/// Adjusted excess kurtosis G2 (as `e1071::kurtosis(type = 2)`, used by COINr).
/// Needs at least 4 present values, else `None`.
pub fn kurtosis(x: &[f64]) -> Option<f64> {
    let v = present(x);
    let n = v.len();
    if n < 4 {
        return None;
    }
    let m = mean(&v);
    let d: Vec<f64> = v.iter().map(|x| x - m).collect();
    let s2 = sum(d.iter().map(|x| x * x));
    let s4 = sum(d.iter().map(|x| x * x * x * x));
    let nf = n as f64;
    let r = nf * s4 / (s2 * s2);
    Some(((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)))
}

/// How ties share ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// Tied values all take the lowest rank of the tie ("sport" ranking; COINr's default).
    Min,
    /// Tied values all take the highest rank of the tie.
    Max,
    /// Tied values take the mean of their ranks (used for Spearman correlation).
    Average,
}

/// Ranks of the values in ascending order (smallest value = 1), as R's
/// `rank(x, ties.method, na.last = "keep")`: missing values keep `NaN`.
pub fn rank(x: &[f64], ties: Ties) -> Vec<f64> {
    // Sorted as (order key, position) pairs: contiguous, so the sort does
    // not chase each index into `x` (the key orders as `total_cmp`).
    let key = |v: f64| {
        let bits = v.to_bits() as i64;
        (bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63)
    };
    let mut pairs: Vec<(u64, u32)> = (0..x.len()).filter(|&i| !x[i].is_nan()).map(|i| (key(x[i]), i as u32)).collect();
    if pairs.len() >= 1 << 12 && x.len() <= u32::MAX as usize {
        radix_sort(&mut pairs);
    } else {
        pairs.sort_unstable();
    }
    let idx: Vec<usize> = pairs.into_iter().map(|(_, i)| i as usize).collect();
    let mut out = vec![f64::NAN; x.len()];
    let mut start = 0;
    while start < idx.len() {
        let mut end = start + 1;
        // -0.0 and 0.0 compare equal in R.
        while end < idx.len() && x[idx[end]] == x[idx[start]] {
            end += 1;
        }
        let r = match ties {
            Ties::Min => (start + 1) as f64,
            Ties::Max => end as f64,
            Ties::Average => (start + 1 + end) as f64 / 2.0,
        };
        for &i in &idx[start..end] {
            out[i] = r;
        }
        start = end;
    }
    out
}

/// Sorts (key, position) pairs given in position order by key, then
/// position: a least-significant-digit radix sort, 11 bits a pass (stable,
/// so equal keys keep their positions' order), skipping passes where every
/// key has the same digit. For the long columns of the uncertainty runs.
fn radix_sort(pairs: &mut Vec<(u64, u32)>) {
    const BITS: u32 = 11;
    let mut scratch = vec![(0u64, 0u32); pairs.len()];
    let mut counts = vec![0usize; 1 << BITS];
    for shift in (0..64).step_by(BITS as usize) {
        let digit = |k: u64| ((k >> shift) & ((1 << BITS) - 1)) as usize;
        counts.fill(0);
        for &(k, _) in pairs.iter() {
            counts[digit(k)] += 1;
        }
        if counts[digit(pairs[0].0)] == pairs.len() {
            continue;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            (*c, start) = (start, start + *c);
        }
        for &p in pairs.iter() {
            let d = digit(p.0);
            scratch[counts[d]] = p;
            counts[d] += 1;
        }
        std::mem::swap(pairs, &mut scratch);
    }
}

/// Ranks in descending order (highest value = rank 1), ties take the best
/// rank: COINr's `rank_df()`.
pub fn rank_descending(x: &[f64]) -> Vec<f64> {
    let neg: Vec<f64> = x.iter().map(|v| -v).collect();
    rank(&neg, Ties::Min)
}

/// Pearson correlation over pairwise-complete observations.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (a, b): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (*a, *b)).unzip();
    if a.len() < 2 {
        return f64::NAN;
    }
    let ma = mean(&a);
    let mb = mean(&b);
    let sab = sum(a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)));
    let saa = sum(a.iter().map(|x| (x - ma) * (x - ma)));
    let sbb = sum(b.iter().map(|y| (y - mb) * (y - mb)));
    sab / (saa.sqrt() * sbb.sqrt())
}

/// Spearman rank correlation over pairwise-complete observations.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (a, b): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (*a, *b)).unzip();
    pearson(&rank(&a, Ties::Average), &rank(&b, Ties::Average))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_cancelled_terms() {
        assert_eq!(sum([1e16, 1.0, -1e16]), 1.0);
        assert_eq!(sum([1.0, f64::INFINITY]), f64::INFINITY);
        assert!(sum([f64::NEG_INFINITY, f64::INFINITY]).is_nan());
    }

    #[test]
    fn median_of_even_count_is_mean_of_middle_values() {
        assert_eq!(median(&[4.0, f64::NAN, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert!(median(&[f64::NAN]).is_nan());
    }

    #[test]
    fn the_radix_sort_orders_as_the_comparison_sort() {
        let mut state = 11u64;
        let mut pairs: Vec<(u64, u32)> = (0..20_000u32)
            .map(|i| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // Few distinct keys in some digits, many ties.
                (state >> 40 << (i % 3 * 16), i)
            })
            .collect();
        let mut expected = pairs.clone();
        expected.sort_unstable();
        radix_sort(&mut pairs);
        assert_eq!(pairs, expected);
    }

    #[test]
    fn ranks_count_the_values_below_each_value() {
        // R's ranks by their definition: 1 + the values below (min), or the
        // values below or equal (max), on values with ties, signs and zeros.
        let x = [3.5, -1.0, 0.0, -0.0, 3.5, f64::NAN, -7.25, 1e300, -1e-300, 3.5, 2.0];
        let below = |v: f64| x.iter().filter(|y| !y.is_nan() && **y < v).count() as f64;
        let upto = |v: f64| x.iter().filter(|y| !y.is_nan() && **y <= v).count() as f64;
        let (min, max, avg) = (rank(&x, Ties::Min), rank(&x, Ties::Max), rank(&x, Ties::Average));
        for (i, &v) in x.iter().enumerate() {
            if v.is_nan() {
                assert!(min[i].is_nan() && max[i].is_nan() && avg[i].is_nan());
                continue;
            }
            assert_eq!((min[i], max[i]), (below(v) + 1.0, upto(v)), "{v}");
            assert_eq!(avg[i], (below(v) + 1.0 + upto(v)) / 2.0);
        }
    }

    #[test]
    fn ranks_follow_r_rank_min_and_keep_missing() {
        // R: rank(c(3,1,4,1,5,NA,9,2,6,5), ties.method = "min", na.last = "keep")
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, f64::NAN, 9.0, 2.0, 6.0, 5.0];
        let r = rank(&x, Ties::Min);
        let expect = [4.0, 1.0, 5.0, 1.0, 6.0, f64::NAN, 9.0, 3.0, 8.0, 6.0];
        for (a, b) in r.iter().zip(expect) {
            assert!(a == &b || (a.is_nan() && b.is_nan()), "{r:?}");
        }
        let avg = rank(&x, Ties::Average);
        assert_eq!(avg[1], 1.5);
        assert_eq!(avg[4], 6.5);
    }

    #[test]
    fn skew_and_kurtosis_need_enough_points() {
        assert!(skew(&[1.0, 2.0]).is_none());
        assert!(kurtosis(&[1.0, 2.0, 3.0]).is_none());
        // Symmetric data has zero skew.
        assert!(skew(&[1.0, 2.0, 3.0]).unwrap().abs() < 1e-15);
    }

    #[test]
    fn pearson_of_linear_relation_is_one() {
        let x = [1.0, 2.0, 3.0, f64::NAN];
        let y = [2.0, 4.0, 6.0, 1.0];
        assert!((pearson(&x, &y) - 1.0).abs() < 1e-15);
        assert!((spearman(&x, &[3.0, 2.0, 1.0, 0.0]) + 1.0).abs() < 1e-15);
    }
}
