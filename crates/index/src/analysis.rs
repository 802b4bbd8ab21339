//! Analyses of a built index: correlations, Cronbach's alpha, principal
//! components, descriptive statistics, effective weights, and the strengths
//! and weaknesses of a unit. Definitions follow COINr 1.1.14 (`get_corr`,
//! `get_cronbach`, `get_PCA`, `get_stats`, `get_eff_weights`, `get_str_weak`).

use std::collections::HashMap;

use crate::dataset::DataSet;
use crate::error::{Error, Result};
use crate::model::{Framework, collate};
use crate::stats;
use crate::steps::aggregate::Weights;

/// Correlation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correlation {
    /// Pearson's product-moment correlation.
    Pearson,
    /// Spearman's rank correlation (average ranks for ties).
    Spearman,
}

/// Correlation of two columns over pairwise-complete observations.
pub fn correlation(x: &[f64], y: &[f64], method: Correlation) -> f64 {
    match method {
        Correlation::Pearson => stats::pearson(x, y),
        Correlation::Spearman => stats::spearman(x, y),
    }
}

/// One correlation between two codes.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationPair {
    /// First code (for parent pairs, the parent).
    pub a: String,
    /// Second code.
    pub b: String,
    /// The correlation.
    pub r: f64,
}

/// Correlations of each code at `level` with its parent (COINr's
/// `get_corr(Levels = c(level, level + 1), withparent = TRUE)`).
pub fn correlations_with_parent(
    data: &DataSet,
    fw: &Framework,
    level: u32,
    method: Correlation,
) -> Vec<CorrelationPair> {
    let mut out = Vec::new();
    for n in fw.at_level(level) {
        let Some(p) = &n.parent else { continue };
        if let (Some(x), Some(y)) = (data.column(p), data.column(&n.code)) {
            out.push(CorrelationPair { a: p.clone(), b: n.code.clone(), r: correlation(x, y, method) });
        }
    }
    out
}

/// The full correlation matrix between the codes of `level`, as pairs.
pub fn correlations_within_level(
    data: &DataSet,
    fw: &Framework,
    level: u32,
    method: Correlation,
) -> Vec<CorrelationPair> {
    let codes: Vec<&str> = fw.at_level(level).map(|n| n.code.as_str()).collect();
    let mut out = Vec::new();
    for a in &codes {
        for b in &codes {
            if let (Some(x), Some(y)) = (data.column(a), data.column(b)) {
                let r = if a == b { 1.0 } else { correlation(x, y, method) };
                out.push(CorrelationPair { a: a.to_string(), b: b.to_string(), r });
            }
        }
    }
    out
}

/// Cronbach's alpha of a set of columns, from the covariance matrix over
/// pairwise-complete observations: `k² · mean off-diagonal cov / sum of all cov`.
pub fn cronbach_alpha(columns: &[&[f64]]) -> f64 {
    let k = columns.len() as f64;
    let mut all = 0.0;
    let mut diag = 0.0;
    for (i, a) in columns.iter().enumerate() {
        for (j, b) in columns.iter().enumerate() {
            let c = covariance(a, b);
            if c.is_nan() {
                continue;
            }
            all += c;
            if i == j {
                diag += c;
            }
        }
    }
    let avg = (all - diag) / (k * (k - 1.0));
    k * k * avg / all
}

fn covariance(x: &[f64], y: &[f64]) -> f64 {
    let (a, b): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (*a, *b)).unzip();
    if a.len() < 2 {
        return f64::NAN;
    }
    let (ma, mb) = (stats::mean(&a), stats::mean(&b));
    stats::sum(a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb))) / (a.len() as f64 - 1.0)
}

/// Cronbach's alpha of the children of each aggregate at `level + 1`.
pub fn cronbach_by_group(data: &DataSet, fw: &Framework, level: u32) -> Vec<(String, f64)> {
    fw.at_level(level + 1)
        .map(|p| {
            let cols: Vec<&[f64]> = fw.children(&p.code).iter().filter_map(|c| data.column(&c.code)).collect();
            (p.code.clone(), cronbach_alpha(&cols))
        })
        .collect()
}

/// Result of a principal component analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Codes of the variables.
    pub codes: Vec<String>,
    /// Eigenvalues of the correlation matrix, largest first.
    pub eigenvalues: Vec<f64>,
    /// Loadings (unit eigenvectors), `loadings[component][variable]`.
    pub loadings: Vec<Vec<f64>>,
    /// Number of complete rows used.
    pub n_used: usize,
}

impl Pca {
    /// Share of variance explained by each component.
    pub fn variance_shares(&self) -> Vec<f64> {
        let total: f64 = self.eigenvalues.iter().sum();
        self.eigenvalues.iter().map(|e| e / total).collect()
    }
}

/// PCA of standardised columns on complete rows (as `prcomp(center = TRUE,
/// scale = TRUE)` after `na.omit`). The sign of each component is arbitrary;
/// here it is chosen so that its loadings sum to a positive number.
pub fn pca(codes: &[String], columns: &[&[f64]]) -> Result<Pca> {
    let n = columns.first().map(|c| c.len()).unwrap_or(0);
    let rows: Vec<usize> = (0..n).filter(|&r| columns.iter().all(|c| !c[r].is_nan())).collect();
    let k = columns.len();
    if k == 0 || rows.len() < 2 {
        return Err(Error::step("pca", "PCA needs at least one variable and two complete rows"));
    }
    let z: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let v: Vec<f64> = rows.iter().map(|&r| c[r]).collect();
            let (m, s) = (stats::mean(&v), stats::sd(&v));
            v.iter().map(|x| (x - m) / s).collect()
        })
        .collect();
    if z.iter().any(|c| c.iter().any(|v| !v.is_finite())) {
        return Err(Error::step("pca", "a variable is constant on the complete rows: PCA needs variation"));
    }
    let nn = rows.len() as f64 - 1.0;
    let mut corr = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in i..k {
            let c = stats::sum(z[i].iter().zip(&z[j]).map(|(a, b)| a * b)) / nn;
            corr[i][j] = c;
            corr[j][i] = c;
        }
    }
    let (vals, vecs) = symmetric_eigen(corr);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
    let eigenvalues = order.iter().map(|&i| vals[i]).collect();
    let loadings = order
        .iter()
        .map(|&i| {
            let v: Vec<f64> = (0..k).map(|r| vecs[r][i]).collect();
            if v.iter().sum::<f64>() < 0.0 { v.iter().map(|x| -x).collect() } else { v }
        })
        .collect();
    Ok(Pca { codes: codes.to_vec(), eigenvalues, loadings, n_used: rows.len() })
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
/// Returns eigenvalues and the matrix whose columns are the eigenvectors.
#[expect(clippy::needless_range_loop, reason = "rotations index rows and columns of the same matrix")]
pub fn symmetric_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v = vec![vec![0.0; n]; n];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// PCA of the children of each aggregate at `level + 1` (COINr's `get_PCA(by_groups = TRUE)`).
pub fn pca_by_group(data: &DataSet, fw: &Framework, level: u32) -> Result<Vec<(String, Pca)>> {
    fw.aggregates_in_output_order(level + 1)
        .into_iter()
        .map(|p| {
            let kids = fw.children(&p.code);
            let codes: Vec<String> = kids.iter().map(|k| k.code.clone()).collect();
            let cols: Vec<&[f64]> = codes
                .iter()
                .map(|c| data.column(c).ok_or_else(|| Error::step("pca", format!("`{c}` is not in the data"))))
                .collect::<Result<_>>()?;
            Ok((p.code.clone(), pca(&codes, &cols).map_err(|e| Error::step("pca", format!("{}: {e}", p.code)))?))
        })
        .collect()
}

/// PCA weights: each indicator's loading on the first component of its
/// group; aggregates keep their iMeta weights.
pub fn pca_weights(data: &DataSet, fw: &Framework) -> Result<Weights> {
    let mut w = Weights::from_framework(fw);
    for (_, p) in pca_by_group(data, fw, 1)? {
        for (c, l) in p.codes.iter().zip(&p.loadings[0]) {
            w.0.insert(c.clone(), *l);
        }
    }
    Ok(w)
}

/// Effective weight of every code: its weight as a share of its siblings'
/// total, multiplied by its parent's effective weight (the top is 1).
pub fn effective_weights(fw: &Framework, weights: &Weights) -> Vec<(String, f64)> {
    let mut eff: HashMap<String, f64> = HashMap::new();
    for level in (1..=fw.levels()).rev() {
        for n in fw.at_level(level) {
            let e = match &n.parent {
                None => 1.0,
                Some(p) => {
                    let total: f64 = fw.children(p).iter().map(|s| weights.get(&s.code)).sum();
                    weights.get(&n.code) / total * eff[p]
                }
            };
            eff.insert(n.code.clone(), e);
        }
    }
    fw.nodes().iter().map(|n| (n.code.clone(), eff[&n.code])).collect()
}

/// Descriptive statistics of one column (COINr's `get_stats` row).
#[derive(Debug, Clone, PartialEq)]
pub struct Describe {
    /// Code.
    pub code: String,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// Standard deviation (n − 1).
    pub sd: f64,
    /// Skewness (adjusted).
    pub skew: f64,
    /// Kurtosis (adjusted excess).
    pub kurtosis: f64,
    /// Number of present values.
    pub n_present: usize,
    /// Number of non-zero present values.
    pub n_nonzero: usize,
    /// Number of distinct present values.
    pub n_unique: usize,
    /// Occurrences of the most frequent value.
    pub n_same: usize,
    /// Share of units with a value.
    pub share_present: f64,
    /// Share of present values that are not zero.
    pub share_nonzero: f64,
    /// Share of distinct values among present ones.
    pub share_unique: f64,
    /// Share of the most frequent value among present ones.
    pub share_same: f64,
    /// Whether |skew| > 2 and kurtosis > 3.5 (COINr flags it `OUT`).
    pub outliers: bool,
}

/// Descriptive statistics of every column.
pub fn describe(data: &DataSet) -> Vec<Describe> {
    data.codes
        .iter()
        .zip(&data.columns)
        .map(|(code, c)| {
            let v = stats::present(c);
            let n = v.len();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let (mut n_unique, mut n_same, mut run) = (0, 0, 0);
            for (i, x) in sorted.iter().enumerate() {
                if i == 0 || *x != sorted[i - 1] {
                    n_unique += 1;
                    run = 1;
                } else {
                    run += 1;
                }
                n_same = n_same.max(run);
            }
            let skew = stats::skew(&v).unwrap_or(f64::NAN);
            let kurtosis = stats::kurtosis(&v).unwrap_or(f64::NAN);
            let nf = n as f64;
            let n_nonzero = v.iter().filter(|x| **x != 0.0).count();
            Describe {
                code: code.clone(),
                min: stats::min(&v),
                max: stats::max(&v),
                mean: stats::mean(&v),
                median: stats::median(&v),
                sd: stats::sd(&v),
                skew,
                kurtosis,
                n_present: n,
                n_nonzero,
                n_unique,
                n_same,
                share_present: nf / c.len() as f64,
                share_nonzero: n_nonzero as f64 / nf,
                share_unique: n_unique as f64 / nf,
                share_same: n_same as f64 / nf,
                outliers: skew.abs() > 2.0 && kurtosis > 3.5,
            }
        })
        .collect()
}

/// One indicator in a unit's strengths or weaknesses.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// Indicator code.
    pub code: String,
    /// The unit's rank on it (1 = best, direction-adjusted).
    pub rank: f64,
    /// The unit's value in the data set analysed.
    pub value: f64,
}

/// Options of [`strengths_and_weaknesses`].
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `n` | 5 | how many strengths and how many weaknesses |
/// | `adjust_direction` | true | multiply by the direction before ranking (for raw data) |
/// | `min_unique_share` | 0.2 | leave out indicators with a smaller share of distinct values (binary ones) |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrengthParams {
    /// Number of strengths and of weaknesses.
    pub n: usize,
    /// Multiply values by the direction before ranking.
    pub adjust_direction: bool,
    /// Minimum share of distinct values (COINr's `unq_discard`); `None` keeps all.
    pub min_unique_share: Option<f64>,
}

impl Default for StrengthParams {
    fn default() -> Self {
        StrengthParams { n: 5, adjust_direction: true, min_unique_share: Some(0.2) }
    }
}

/// A unit's strengths (best-ranked indicators) and weaknesses (worst-ranked),
/// as COINr's `get_str_weak`: indicators where the unit is missing, holds the
/// worst rank of all units, or with too few distinct values are left out;
/// ties keep the framework's order (by parent code, then iMeta order).
pub fn strengths_and_weaknesses(
    data: &DataSet,
    fw: &Framework,
    unit: &str,
    params: StrengthParams,
) -> Result<(Vec<Standing>, Vec<Standing>)> {
    let StrengthParams { n, adjust_direction, min_unique_share } = params;
    let r = data
        .unit_position(unit)
        .ok_or_else(|| Error::step("analyse", format!("unit `{unit}` is not in the data set {}", data.name)))?;
    let mut inds: Vec<(usize, &crate::model::Indicator)> = fw.indicators().enumerate().collect();
    inds.sort_by(|(ia, a), (ib, b)| {
        collate(a.parent.as_deref().unwrap_or(""), b.parent.as_deref().unwrap_or("")).then(ia.cmp(ib))
    });
    let mut cands = Vec::new();
    for (_, ind) in inds {
        let Some(col) = data.column(&ind.code) else {
            continue;
        };
        if let Some(t) = min_unique_share {
            // As R's length(unique(x)) / length(x): a missing value counts once.
            let mut v = stats::present(col);
            v.sort_by(f64::total_cmp);
            v.dedup();
            let distinct = v.len() + usize::from(col.iter().any(|x| x.is_nan()));
            if distinct as f64 / col.len() as f64 <= t {
                continue;
            }
        }
        let dir = if adjust_direction { ind.direction } else { 1.0 };
        let adj: Vec<f64> = col.iter().map(|v| v * dir).collect();
        let ranks = stats::rank_descending(&adj);
        let rk = ranks[r];
        if rk.is_nan() {
            continue;
        }
        if rk == stats::max(&ranks) {
            continue;
        }
        cands.push(Standing { code: ind.code.clone(), rank: rk, value: col[r] });
    }
    cands.sort_by(|a, b| a.rank.total_cmp(&b.rank));
    let strengths = cands.iter().take(n).cloned().collect();
    let weaknesses = cands.iter().skip(cands.len().saturating_sub(n)).cloned().collect();
    Ok((strengths, weaknesses))
}

/// Rounds to `digits` (≥ 1) significant figures exactly as R's `signif`:
/// the value is scaled by a power of ten in double precision, then rounded
/// half to even (so a median of 9.205 becomes 9.2, as in R).
pub fn signif(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e10 = digits.max(1) - 1 - x.abs().log10().floor() as i32;
    if e10 > 0 {
        let p = 10f64.powi(e10);
        (x * p).round_ties_even() / p
    } else {
        let p = 10f64.powi(-e10);
        (x / p).round_ties_even() * p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_recovers_known_eigenvalues() {
        let (vals, vecs) = symmetric_eigen(vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
        let mut v = vals.clone();
        v.sort_by(f64::total_cmp);
        assert!((v[0] - 1.0).abs() < 1e-12 && (v[1] - 3.0).abs() < 1e-12);
        // Eigenvectors are orthonormal.
        let dot = vecs[0][0] * vecs[0][1] + vecs[1][0] * vecs[1][1];
        assert!(dot.abs() < 1e-12);
    }

    #[test]
    fn signif_rounds_like_r() {
        assert_eq!(signif(0.0196078, 3), 0.0196);
        assert_eq!(signif(96312.0, 3), 96300.0);
        assert_eq!(signif(-0.30426, 3), -0.304);
        assert_eq!(signif((9.2 + 9.21) / 2.0, 3), 9.2);
    }

    #[test]
    fn cronbach_of_identical_columns_is_one() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!((cronbach_alpha(&[&a, &a, &a]) - 1.0).abs() < 1e-12);
    }
}
