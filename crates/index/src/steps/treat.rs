//! Outlier treatment: COINr's default two-stage process.
//!
//! Each indicator is checked for outliers by its skewness and kurtosis: it
//! *passes* when |skew| < `skew` **or** kurtosis < `kurtosis` (adjusted
//! estimators G1 and G2, as Excel and `e1071` type 2). An indicator that fails
//! is winsorised: the most extreme value on the side of the skew (highest when
//! skew ≥ 0) is replaced by the next one, all tied extremes together, until the
//! column passes or `winmax` points have been replaced. If it still fails, the
//! winsorised column is discarded and the *original* column is log-transformed
//! instead, `ln(x − min + 0.01 (max − min))`, and kept even if it still fails.
//!
//! Two COINr details are kept on purpose: the number of winsorised points is
//! that of the last iteration's high plus low replacements (ties can push past
//! `winmax`), and with `force_winsorise` a failing column is winsorised up to
//! `winmax` points even once it passes.
//!
//! Where COINr stops with an error (fewer than 4 values, or a column that
//! becomes constant while winsorising), this engine leaves the column as it was
//! and records a warning.

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result, Warning};
use crate::stats;

/// Parameters of the treatment.
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `winmax` | 5 | maximum number of points winsorised per indicator |
/// | `skew` | 2.0 | threshold on absolute skewness |
/// | `kurtosis` | 3.5 | threshold on kurtosis |
/// | `force_winsorise` | false | winsorise failing columns up to `winmax` regardless |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreatParams {
    /// Maximum number of winsorised points.
    pub winmax: usize,
    /// Absolute skewness threshold.
    pub skew: f64,
    /// Kurtosis threshold.
    pub kurtosis: f64,
    /// Keep winsorising up to `winmax` even once the column passes.
    pub force_winsorise: bool,
}

impl Default for TreatParams {
    fn default() -> Self {
        TreatParams { winmax: 5, skew: 2.0, kurtosis: 3.5, force_winsorise: false }
    }
}

/// One skew/kurtosis check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// Whether the column passed (`None` when it cannot be decided: constant column).
    pub pass: Option<bool>,
    /// Skewness.
    pub skew: f64,
    /// Kurtosis.
    pub kurtosis: f64,
}

/// What treatment did to one indicator (COINr's `Dets_Table` row).
#[derive(Debug, Clone, PartialEq)]
pub struct TreatReport {
    /// Indicator code.
    pub code: String,
    /// Checks in order: before treatment, after winsorising, after the log transform.
    pub checks: Vec<Check>,
    /// Winsorised points (when winsorisation ran).
    pub winsorised: Option<usize>,
    /// Whether the log transform replaced the column.
    pub log_transformed: bool,
    /// Rows winsorised at the high end (in the kept result).
    pub win_high: Vec<usize>,
    /// Rows winsorised at the low end (in the kept result).
    pub win_low: Vec<usize>,
}

/// Checks skewness and kurtosis. `None` when there are too few points.
pub fn check(x: &[f64], p: &TreatParams) -> Option<Check> {
    let (skew, kurtosis) = stats::skew_kurtosis(x);
    let (skew, kurtosis) = (skew?, kurtosis?);
    let pass = if skew.is_nan() || kurtosis.is_nan() {
        // R: (abs(NaN) < t) | (NaN < t) is NA unless one side is TRUE.
        if skew.abs() < p.skew || kurtosis < p.kurtosis { Some(true) } else { None }
    } else {
        Some(skew.abs() < p.skew || kurtosis < p.kurtosis)
    };
    Some(Check { pass, skew, kurtosis })
}

/// Result of winsorising one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Winsorised {
    /// The column.
    pub x: Vec<f64>,
    /// Points replaced in the last iteration (high plus low).
    pub nwin: usize,
    /// Rows of the last high-side replacement.
    pub high: Vec<usize>,
    /// Rows of the last low-side replacement.
    pub low: Vec<usize>,
    /// Whether winsorising stopped because the column became undecidable.
    pub stalled: bool,
}

/// COINr's `winsorise()`.
pub fn winsorise(x: &[f64], p: &TreatParams) -> Winsorised {
    let mut x = x.to_vec();
    let mut last = check(&x, p);
    let mut passing = last.and_then(|c| c.pass);
    let (mut high, mut low) = (Vec::new(), Vec::new());
    let mut nwin = 0;
    let mut stalled = false;
    if passing != Some(true) || p.force_winsorise {
        while (passing != Some(true) || p.force_winsorise) && nwin < p.winmax {
            // The skew of the current column, from the last check.
            let Some(sk) = last.map(|c| c.skew).filter(|s| !s.is_nan()) else {
                stalled = true;
                break;
            };
            if sk >= 0.0 {
                let mx = stats::max(&x);
                high = (0..x.len()).filter(|&i| x[i] == mx).collect();
                let next = x.iter().copied().filter(|&v| v != mx && !v.is_nan()).fold(f64::NAN, f64::max);
                let next = if next.is_nan() { f64::NEG_INFINITY } else { next };
                for &i in &high {
                    x[i] = next;
                }
            } else {
                let mn = stats::min(&x);
                low = (0..x.len()).filter(|&i| x[i] == mn).collect();
                let next = x.iter().copied().filter(|&v| v != mn && !v.is_nan()).fold(f64::NAN, f64::min);
                let next = if next.is_nan() { f64::INFINITY } else { next };
                for &i in &low {
                    x[i] = next;
                }
            }
            nwin = high.len() + low.len();
            last = check(&x, p);
            passing = last.and_then(|c| c.pass);
            if passing.is_none() {
                stalled = true;
                break;
            }
        }
    }
    Winsorised { x, nwin, high, low, stalled }
}

/// COINr's `log_CT()`: `ln(x − min + 0.01 (max − min))`.
pub fn log_ct(x: &[f64]) -> Vec<f64> {
    let (mn, mx) = (stats::min(x), stats::max(x));
    x.iter().map(|v| (v - mn + 0.01 * (mx - mn)).ln()).collect()
}

/// COINr's `log_CT_plus()`: like [`log_ct`] for a positively skewed column,
/// `−ln(max + 0.01 (max − min) − x)` for a negatively skewed one.
pub fn log_ct_plus(x: &[f64]) -> Vec<f64> {
    let (mn, mx) = (stats::min(x), stats::max(x));
    let a = 0.01 * (mx - mn);
    if stats::skew(x).is_some_and(|s| s > 0.0) {
        x.iter().map(|v| (v - mn + a).ln()).collect()
    } else {
        x.iter().map(|v| -(mx + a - v).ln()).collect()
    }
}

/// COINr's `log_CT_orig()`: `ln(x − min + 1)`.
pub fn log_ct_orig(x: &[f64]) -> Vec<f64> {
    let mn = stats::min(x);
    x.iter().map(|v| (v - mn + 1.0).ln()).collect()
}

/// COINr's `boxcox(makepos = TRUE)`: shift to `x − min + 1`, then
/// `(x^λ − 1)/λ`, or `ln x` for λ = 0.
pub fn boxcox(x: &[f64], lambda: f64) -> Vec<f64> {
    let mn = stats::min(x);
    x.iter()
        .map(|v| {
            let y = v - mn + 1.0;
            if lambda == 0.0 { y.ln() } else { (y.powf(lambda) - 1.0) / lambda }
        })
        .collect()
}

/// Treats one column. Returns the treated column (or `None` if unchanged), the
/// report and possibly a warning.
pub fn treat_column(code: &str, x: &[f64], p: &TreatParams) -> (Option<Vec<f64>>, TreatReport, Option<Warning>) {
    let mut report = TreatReport {
        code: code.to_string(),
        checks: Vec::new(),
        winsorised: None,
        log_transformed: false,
        win_high: Vec::new(),
        win_low: Vec::new(),
    };
    let warn = |m: &str| Some(Warning { step: "treat", code: Some(code.to_string()), message: m.to_string() });
    let Some(c0) = check(x, p) else {
        return (None, report, warn("fewer than 4 values: cannot check skew and kurtosis, left untreated"));
    };
    report.checks.push(c0);
    match c0.pass {
        None => {
            return (None, report, warn("skew and kurtosis are undefined (constant column), left untreated"));
        }
        Some(true) => return (None, report, None),
        Some(false) => {}
    }
    let w = winsorise(x, p);
    report.winsorised = Some(w.nwin);
    if w.stalled {
        report.winsorised = None;
        return (None, report, warn("winsorising made the column constant, left untreated"));
    }
    let c1 = check(&w.x, p).expect("winsorising keeps the number of values");
    report.checks.push(c1);
    if c1.pass == Some(true) {
        report.win_high = w.high;
        report.win_low = w.low;
        return (Some(w.x), report, None);
    }
    let lx = log_ct(x);
    report.log_transformed = true;
    match check(&lx, p) {
        Some(c2) if c2.pass.is_some() => {
            report.checks.push(c2);
            (Some(lx), report, None)
        }
        _ => {
            report.log_transformed = false;
            (None, report, warn("the log transform is undefined for this column, left untreated"))
        }
    }
}

/// Treats every indicator of a data set. The result is named `Treated`;
/// untreated columns are shared with the input.
pub fn treat(data: &DataSet, p: &TreatParams) -> Result<(DataSet, Vec<TreatReport>, Vec<Warning>)> {
    if !(p.skew > 0.0) || !(p.kurtosis.is_finite()) {
        return Err(Error::step("treat", "skew threshold must be positive and kurtosis threshold finite"));
    }
    use rayon::prelude::*;
    let treated: Vec<_> =
        data.codes.par_iter().zip(&data.columns).map(|(code, col)| treat_column(code, col, p)).collect();
    let mut reports = Vec::with_capacity(data.columns.len());
    let mut warnings = Vec::new();
    let mut columns = Vec::with_capacity(data.columns.len());
    for ((out, report, warning), col) in treated.into_iter().zip(&data.columns) {
        columns.push(out.map(Column::from).unwrap_or_else(|| col.clone()));
        reports.push(report);
        warnings.extend(warning);
    }
    Ok((DataSet::from_shared("Treated", data.units.clone(), data.codes.clone(), columns), reports, warnings))
}
