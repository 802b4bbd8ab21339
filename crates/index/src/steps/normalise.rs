//! Normalisation: bringing indicators onto a common scale.
//!
//! Every indicator is first multiplied by its direction (so that higher is
//! always better), then transformed column by column. Parameters that live on
//! the indicator's own scale (targets, goalposts) are sign-flipped with it,
//! as COINr does when it reads them from iMeta.
//!
//! | Method | Formula |
//! |---|---|
//! | `MinMax { lower, upper }` | `(x − min)/(max − min) · (upper − lower) + lower` |
//! | `ZScore { mean, sd }` | `(x − x̄)/s · sd + mean` |
//! | `Scaled { lower, upper, factor }` | `(x − lower)/(upper − lower) · factor` |
//! | `Rank` | rank, ties share the lowest rank |
//! | `PercentRank` | `(rank − 1)/(n − 1)` |
//! | `Borda` | `rank − 1` |
//! | `FracMax` | `x / max` |
//! | `Dist2Max` | `1 − (max − x)/(max − min)` |
//! | `Dist2Ref { unit, cap }` | `1 − (x_ref − x)/(x_ref − min)`, capped at 1 if asked |
//! | `Dist2Target { cap }` | `(x − min)/(target − min)` with iMeta `Target` |
//! | `Goalposts` | `(x − lower)/(upper − lower)` clipped to \[0, 1\] · scale, from iMeta |
//!
//! A constant column gives missing values under min-max, z-score and
//! distance-to-max, with a warning (COINr warns for min-max and
//! distance-to-max and is silent for z-score).

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result, Warning};
use crate::model::Framework;
use crate::stats::{self, Ties};

/// A normalisation method.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalisation {
    /// Min-max scaling onto `[lower, upper]`.
    MinMax {
        /// Score of the worst unit.
        lower: f64,
        /// Score of the best unit.
        upper: f64,
    },
    /// Standardisation to a mean and standard deviation.
    ZScore {
        /// Target mean.
        mean: f64,
        /// Target standard deviation (> 0).
        sd: f64,
    },
    /// Linear scaling `(x − lower)/(upper − lower) · factor` with fixed bounds.
    Scaled {
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Scale factor (COINr's default 100).
        factor: f64,
    },
    /// Rank (1 = lowest).
    Rank,
    /// Percentile rank in [0, 1].
    PercentRank,
    /// Borda score (rank − 1).
    Borda,
    /// Fraction of the maximum.
    FracMax,
    /// Distance to the maximum, in [0, 1].
    Dist2Max,
    /// Distance to a reference unit's value.
    Dist2Ref {
        /// Code of the reference unit.
        unit: String,
        /// Cap scores above the reference at 1.
        cap: bool,
    },
    /// Distance to the iMeta `Target` of each indicator.
    Dist2Target {
        /// Cap scores above the target at 1 (an iMeta `dist2targ_cap_max`
        /// column overrides it per indicator).
        cap: bool,
    },
    /// Goalposts from the iMeta columns `goalpost_lower`, `goalpost_upper`,
    /// `goalpost_scale`, `goalpost_trunc2posts`.
    Goalposts,
}

impl Default for Normalisation {
    fn default() -> Self {
        Normalisation::MinMax { lower: 0.0, upper: 100.0 }
    }
}

/// Normalises one column that has already been multiplied by its direction.
/// `dir` is the direction (for parameters on the original scale), `row_of_ref`
/// the row of the reference unit for `Dist2Ref`.
pub fn normalise_column(
    x: &[f64],
    method: &Normalisation,
    dir: f64,
    target: Option<f64>,
    goalposts: Option<crate::model::Goalposts>,
    row_of_ref: Option<usize>,
) -> std::result::Result<Vec<f64>, String> {
    let out = match method {
        Normalisation::MinMax { lower, upper } => {
            let (mn, mx) = (stats::min(x), stats::max(x));
            x.iter().map(|v| (v - mn) / (mx - mn) * (upper - lower) + lower).collect()
        }
        Normalisation::ZScore { mean, sd } => {
            let m = stats::mean(x);
            let s = stats::variance_about(x, m).sqrt();
            x.iter().map(|v| (v - m) / s * sd + mean).collect()
        }
        Normalisation::Scaled { lower, upper, factor } => {
            // Bounds apply to the direction-adjusted values, as in COINr.
            x.iter().map(|v| (v - lower) / (upper - lower) * factor).collect()
        }
        Normalisation::Rank => stats::rank(x, Ties::Min),
        Normalisation::PercentRank => {
            let n = stats::count(x) as f64;
            stats::rank(x, Ties::Min).into_iter().map(|r| (r - 1.0) / (n - 1.0)).collect()
        }
        Normalisation::Borda => stats::rank(x, Ties::Min).into_iter().map(|r| r - 1.0).collect(),
        Normalisation::FracMax => {
            let mx = stats::max(x);
            x.iter().map(|v| v / mx).collect()
        }
        Normalisation::Dist2Max => {
            let (mn, mx) = (stats::min(x), stats::max(x));
            x.iter().map(|v| 1.0 - (mx - v) / (mx - mn)).collect()
        }
        Normalisation::Dist2Ref { cap, .. } => {
            let r = row_of_ref.ok_or("the reference unit is not in the data")?;
            let (mn, xr) = (stats::min(x), x[r]);
            x.iter()
                .map(|v| {
                    let y = 1.0 - (xr - v) / (xr - mn);
                    if *cap && y > 1.0 { 1.0 } else { y }
                })
                .collect()
        }
        Normalisation::Dist2Target { cap } => {
            let t = target.ok_or("no Target in iMeta: distance to target needs one per indicator")? * dir;
            let mn = stats::min(x);
            x.iter()
                .map(|v| {
                    let y = (v - mn) / (t - mn);
                    if *cap && y > 1.0 { 1.0 } else { y }
                })
                .collect()
        }
        Normalisation::Goalposts => {
            let gp = goalposts.ok_or("no goalposts in iMeta: expected columns goalpost_lower and goalpost_upper")?;
            // COINr flips the goalposts of a negative indicator and swaps them.
            let (l, u) = if dir < 0.0 { (-gp.upper, -gp.lower) } else { (gp.lower, gp.upper) };
            x.iter()
                .map(|v| {
                    let y = (v - l) / (u - l);
                    let y = if gp.truncate { y.clamp(0.0, 1.0) } else { y };
                    y * gp.scale
                })
                .collect()
        }
    };
    Ok(out)
}

/// Normalises every indicator. The result is named `Normalised`.
pub fn normalise(data: &DataSet, method: &Normalisation, fw: &Framework) -> Result<(DataSet, Vec<Warning>)> {
    if let Normalisation::ZScore { sd, .. } = method
        && !(*sd > 0.0)
    {
        return Err(Error::step("normalise", format!("z-score standard deviation must be positive, found {sd}")));
    }
    if let Normalisation::MinMax { lower, upper } = method
        && !(lower < upper)
    {
        return Err(Error::step(
            "normalise",
            format!("min-max range must have lower < upper, found [{lower}, {upper}]"),
        ));
    }
    let row_of_ref = match method {
        Normalisation::Dist2Ref { unit, .. } => Some(data.unit_position(unit).ok_or_else(|| {
            Error::step("normalise", format!("reference unit `{unit}` is not among the units (was it screened out?)"))
        })?),
        _ => None,
    };
    let done = crate::par::map_columns(data, |code, col| normalise_one(code, col, method, fw, row_of_ref));
    let mut warnings = Vec::new();
    let mut columns = Vec::with_capacity(data.columns.len());
    for d in done {
        let (c, w) = d?;
        columns.push(c);
        warnings.extend(w);
    }
    Ok((DataSet::from_shared("Normalised", data.units.clone(), data.codes.clone(), columns), warnings))
}

fn normalise_one(
    code: &str,
    col: &[f64],
    method: &Normalisation,
    fw: &Framework,
    row_of_ref: Option<usize>,
) -> Result<(Column, Option<Warning>)> {
    {
        let node = fw.get(code);
        let dir = node.map(|n| n.direction).unwrap_or(1.0);
        if let Normalisation::MinMax { lower, upper } = method {
            // The default method, in two passes without an intermediate column.
            let (mn, mx) = bounds(col, dir);
            let out: Column = col.iter().map(|v| (v * dir - mn) / (mx - mn) * (upper - lower) + lower).collect();
            return Ok((out, (mn == mx).then(|| constant_warning(code))));
        }
        let x: Vec<f64> = col.iter().map(|v| v * dir).collect();
        let mut m = method.clone();
        if let (Normalisation::Dist2Target { cap }, Some(c)) = (&mut m, node.and_then(|n| n.target_cap)) {
            *cap = c;
        }
        let out =
            normalise_column(&x, &m, dir, node.and_then(|n| n.target), node.and_then(|n| n.goalposts), row_of_ref)
                .map_err(|e| Error::step("normalise", format!("{code}: {e}")))?;
        let warning = (matches!(m, Normalisation::ZScore { .. } | Normalisation::Dist2Max) && {
            let (mn, mx) = bounds(col, dir);
            mn == mx
        })
        .then(|| constant_warning(code));
        Ok((Column::from(out), warning))
    }
}

/// The smallest and largest present value of `col` times `dir` ((∞, −∞)
/// when none is present). Eight running bounds, so that the loop runs in
/// vector registers; when both zeros are present, which one a bound keeps
/// depends on the order, and either gives the same scores (both compare
/// equal, and a zero numerator gives the lower end of the range).
fn bounds(col: &[f64], dir: f64) -> (f64, f64) {
    const LANES: usize = 8;
    let (mut lo, mut hi) = ([f64::INFINITY; LANES], [f64::NEG_INFINITY; LANES]);
    let chunks = col.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for ((l, h), v) in lo.iter_mut().zip(&mut hi).zip(chunk) {
            // A missing value compares false: it moves neither bound.
            let v = v * dir;
            *l = if v < *l { v } else { *l };
            *h = if v > *h { v } else { *h };
        }
    }
    for v in rest.iter().map(|v| v * dir) {
        lo[0] = if v < lo[0] { v } else { lo[0] };
        hi[0] = if v > hi[0] { v } else { hi[0] };
    }
    let mn = lo.iter().fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
    let mx = hi.iter().fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    (mn, mx)
}

/// The warning for a constant indicator under a method that divides by its spread.
fn constant_warning(code: &str) -> Warning {
    Warning {
        step: "normalise",
        code: Some(code.to_string()),
        message: "the indicator is constant: its normalised values are missing".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bounds of every length from 0 to 40 (whole chunks of eight and
    /// remainders), missing values anywhere, both directions: those of a
    /// left-to-right scan, worked out here with `stats::min` and `max`.
    #[test]
    fn bounds_are_the_smallest_and_largest_present_values() {
        for n in 0..=40usize {
            let col: Vec<f64> = (0..n)
                .map(|i| match i % 7 {
                    2 => f64::NAN,
                    _ => ((i * 37) % 23) as f64 - 11.5 + (i as f64) / 64.0,
                })
                .collect();
            for dir in [1.0, -1.0] {
                let scaled: Vec<f64> = col.iter().map(|v| v * dir).collect();
                let (mn, mx) = bounds(&col, dir);
                if n == 0 || scaled.iter().all(|v| v.is_nan()) {
                    assert_eq!((mn, mx), (f64::INFINITY, f64::NEG_INFINITY), "n {n}");
                } else {
                    assert_eq!((mn, mx), (stats::min(&scaled), stats::max(&scaled)), "n {n}, dir {dir}");
                }
            }
        }
        // The extreme value in the remainder, past the last whole chunk.
        let mut col = vec![1.0; 19];
        col[18] = -5.0;
        col[17] = 9.0;
        assert_eq!(bounds(&col, 1.0), (-5.0, 9.0));
        assert_eq!(bounds(&col, -1.0), (-9.0, 5.0));
    }
}
