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

/// [`mean`] of whole numbers (ranks), to the same bits, with the first pass
/// summed as integers: while the total stays below 2^53 every running sum
/// is exact, so the compensated first pass is the integer total.
pub fn mean_of_whole(x: &[u32]) -> f64 {
    let total: u64 = x.iter().map(|&v| u64::from(v)).sum();
    if x.is_empty() || total >= 1 << 53 {
        return mean_present(&x.iter().map(|&v| f64::from(v)).collect::<Vec<_>>());
    }
    let nf = x.len() as f64;
    let m = total as f64 / nf;
    m + sum(x.iter().map(|&v| f64::from(v) - m)) / nf
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
    if count(x) < 2 {
        return f64::NAN;
    }
    variance_about(x, mean(x))
}

/// [`variance`] when the values' [`mean`] `m` is already known.
pub fn variance_about(x: &[f64], m: f64) -> f64 {
    let n = count(x);
    if n < 2 {
        return f64::NAN;
    }
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
    ranked(x, ties, 0)
}

/// Ranks in descending order (highest value = rank 1), ties take the best
/// rank: COINr's `rank_df()`.
pub fn rank_descending(x: &[f64]) -> Vec<f64> {
    // The order of the negated values: their sign bits flipped.
    ranked(x, Ties::Min, 1 << 63)
}

/// Ranks of `x` in the order of its values with the bits `flip` flipped.
fn ranked(x: &[f64], ties: Ties, flip: u64) -> Vec<f64> {
    let (words, low) = sorted_words(x, |v| order_key(v.to_bits() ^ flip));
    let position = |w: u64| (w & low) as usize;
    // Words with different high bits hold different values, but for -0.0
    // and 0.0 (equal in R), whose keys are neighbours: only words that share
    // their high bits, or straddle zero, have their values compared.
    let zero_below = order_key((-0.0f64).to_bits()) & !low;
    let zero_above = order_key(0.0f64.to_bits()) & !low;
    let tied = |a: u64, b: u64| {
        let (ha, hb) = (a & !low, b & !low);
        (ha == hb || (ha == zero_below && hb == zero_above)) && x[position(a)] == x[position(b)]
    };
    let mut out = vec![f64::NAN; x.len()];
    let mut start = 0;
    while start < words.len() {
        let mut end = start + 1;
        while end < words.len() && tied(words[start], words[end]) {
            end += 1;
        }
        let r = match ties {
            Ties::Min => (start + 1) as f64,
            Ties::Max => end as f64,
            Ties::Average => (start + 1 + end) as f64 / 2.0,
        };
        for &w in &words[start..end] {
            out[position(w)] = r;
        }
        start = end;
    }
    out
}

/// An unsigned key of a value's bits that orders as `f64::total_cmp`.
fn order_key(bits: u64) -> u64 {
    let bits = bits as i64;
    (bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63)
}

/// The present values of `x` sorted by key, then by position, as words:
/// the key with its lowest bits replaced by the value's position (as many
/// bits as positions need; they are the second value returned, `low`).
///
/// So the sort moves eight bytes a value and no two words are equal. Values
/// whose keys agree above `low` come out in position order, next to each
/// other: each such run is then put in key order (a stable sort, so that
/// equal keys keep position order; most runs are one value).
fn sorted_words(x: &[f64], key: impl Fn(f64) -> u64) -> (Vec<u64>, u64) {
    let bits = (usize::BITS - x.len().saturating_sub(1).leading_zeros()).max(1);
    let low = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let mut words: Vec<u64> =
        x.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(i, &v)| key(v) & !low | i as u64).collect();
    if words.len() >= 1 << 12 {
        bucket_sort(&mut words);
    } else {
        words.sort_unstable();
    }
    let mut start = 0;
    while start < words.len() {
        let high = words[start] & !low;
        let mut end = start + 1;
        while end < words.len() && words[end] & !low == high {
            end += 1;
        }
        if end - start > 1 {
            words[start..end].sort_by_key(|w| key(x[(w & low) as usize]));
        }
        start = end;
    }
    (words, low)
}

/// Sorts words: one pass deals them into buckets by their highest bits that
/// vary (about 32 words a bucket, buckets in order), then each bucket is
/// sorted on its own, in cache.
fn bucket_sort(words: &mut Vec<u64>) {
    let (Some(&min), Some(&max)) = (words.iter().min(), words.iter().max()) else { return };
    let buckets_bits = (usize::BITS - (words.len() / 32).leading_zeros()).clamp(1, 16);
    let span = u64::BITS - (max - min).leading_zeros();
    let shift = span.saturating_sub(buckets_bits);
    let bucket = |w: u64| ((w - min) >> shift) as usize;
    let mut starts = vec![0usize; (1 << buckets_bits) + 1];
    for &w in words.iter() {
        starts[bucket(w) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut next = starts.clone();
    let mut dealt = vec![0u64; words.len()];
    for &w in words.iter() {
        let b = bucket(w);
        dealt[next[b]] = w;
        next[b] += 1;
    }
    for b in starts.windows(2) {
        dealt[b[0]..b[1]].sort_unstable();
    }
    *words = dealt;
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

    /// The mean of whole numbers has the bits of [`mean`]: below 2^53 in
    /// total (the integer first pass), and above it (the first pass in
    /// reals, whose running sums round there).
    #[test]
    fn the_mean_of_whole_numbers_is_the_mean_of_their_reals() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m) as u32
        };
        let big = (1usize << 21) + 3;
        for (n, m) in [(0, 1), (1, 10), (7, 3), (1_000, 100_000), (1_001, 16_000_000), (big, 1 << 32)] {
            let whole: Vec<u32> =
                (0..n).map(|i| if m == 1 << 32 { u32::MAX - (i % 3) as u32 } else { next(m) }).collect();
            let reals: Vec<f64> = whole.iter().map(|&v| f64::from(v)).collect();
            let (got, want) = (mean_of_whole(&whole), mean(&reals));
            assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "n {n}: {got} vs {want}");
        }
    }

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
    fn the_bucket_sort_orders_as_the_comparison_sort() {
        let mut state = 11u64;
        let mut words: Vec<u64> = (0..20_000u64)
            .map(|i| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // Few distinct values in some digits, many ties.
                state >> 40 << (i % 3 * 16)
            })
            .collect();
        let mut expected = words.clone();
        expected.sort_unstable();
        bucket_sort(&mut words);
        assert_eq!(words, expected);
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
    fn ranks_of_many_values_count_the_values_below_each_value() {
        // Enough values for the bucket sort, with exact ties, neighbours one
        // bit apart (same high bits, different values), both zeros, both
        // infinities, NaN, and a far outlier that crowds most values into
        // one bucket.
        let mut state = 3u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let x: Vec<f64> = (0..9_000)
            .map(|i| match next() % 8 {
                0 => f64::from_bits((50.0f64).to_bits() + next() % 4),
                1 => [0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY][i % 5],
                2 => -((next() % 7) as f64),
                3 if i == 17 => 1e300,
                _ => (next() % 1_000_000) as f64 / 7.0,
            })
            .collect();
        let mut present: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        present.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        let below = |v: f64| present.partition_point(|y| *y < v) as f64;
        let upto = |v: f64| present.partition_point(|y| *y <= v) as f64;
        let (min, max, avg) = (rank(&x, Ties::Min), rank(&x, Ties::Max), rank(&x, Ties::Average));
        let down = rank_descending(&x);
        let n = present.len() as f64;
        for (i, &v) in x.iter().enumerate() {
            if v.is_nan() {
                assert!(min[i].is_nan() && max[i].is_nan() && avg[i].is_nan() && down[i].is_nan());
                continue;
            }
            assert_eq!((min[i], max[i]), (below(v) + 1.0, upto(v)), "{v} at {i}");
            assert_eq!(avg[i], (below(v) + 1.0 + upto(v)) / 2.0);
            assert_eq!(down[i], n - upto(v) + 1.0, "{v} at {i}");
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
