//! Imputation: estimating missing values.
//!
//! Column methods replace a missing value with the mean or median of the
//! indicator, over all units or over the units of the same group (a group
//! column of iData such as a region or size class). The row method replaces a
//! missing value with the unit's mean over the other indicators of the same
//! parent (at a chosen level), computed after min-max scaling each indicator to
//! [0, 1] in its direction, then scaled back: COINr's `Impute(impute_by =
//! "row", normalise_first = TRUE)`.
//!
//! As in COINr, a group whose values are all missing leaves them missing, and
//! present values are never changed.

use std::collections::HashMap;

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result, Warning};
use crate::model::{Framework, Units};
use crate::stats;

/// How to impute.
#[derive(Debug, Clone, PartialEq)]
pub enum Imputation {
    /// Indicator mean over all units.
    Mean,
    /// Indicator median over all units.
    Median,
    /// Indicator mean over the units of the same group.
    GroupMean {
        /// Name of the group column of iData.
        group: String,
    },
    /// Indicator median over the units of the same group.
    GroupMedian {
        /// Name of the group column of iData.
        group: String,
    },
    /// Mean of the unit's other indicators in the same parent at `level`,
    /// after min-max scaling each indicator to [0, 1].
    RowMean {
        /// Level of the parent that groups the indicators (2 = pillars).
        level: u32,
    },
}

/// Imputes missing values. The result is named `Imputed`; columns without
/// missing values are shared with the input.
pub fn impute(data: &DataSet, method: &Imputation, fw: &Framework, units: &Units) -> Result<(DataSet, Vec<Warning>)> {
    let mut warnings = Vec::new();
    let columns: Vec<Column> = match method {
        Imputation::Mean | Imputation::Median => data
            .codes
            .iter()
            .zip(&data.columns)
            .map(|(code, col)| {
                if !col.iter().any(|v| v.is_nan()) {
                    return col.clone();
                }
                let fill = if *method == Imputation::Mean { stats::mean(col) } else { stats::median(col) };
                if fill.is_nan() {
                    warnings.push(Warning {
                        step: "impute",
                        code: Some(code.clone()),
                        message: "every value is missing: nothing to impute from".into(),
                    });
                }
                col.iter().map(|&v| if v.is_nan() { fill } else { v }).collect()
            })
            .collect(),
        Imputation::GroupMean { group } | Imputation::GroupMedian { group } => {
            let g = units.group(group).ok_or_else(|| {
                let known: Vec<&str> = units.groups.iter().map(|(n, _)| n.as_str()).collect();
                Error::step(
                    "impute",
                    format!("group column `{group}` is not in the data (group columns: {})", known.join(", ")),
                )
            })?;
            // Group of each row of `data` (which may be screened), as a small integer.
            let mut ids: HashMap<&str, usize> = HashMap::new();
            let labels: Vec<Option<usize>> = units
                .positions(&data.units)
                .into_iter()
                .map(|p| {
                    let l = p.and_then(|i| g[i].as_deref())?;
                    let next = ids.len();
                    Some(*ids.entry(l).or_insert(next))
                })
                .collect();
            let n_groups = ids.len();
            let median = matches!(method, Imputation::GroupMedian { .. });
            let done: Vec<(Option<Column>, Option<Warning>)> = crate::par::map_columns(data, |code, col| {
                if !col.iter().any(|v| v.is_nan()) {
                    return (None, None);
                }
                let fills: Vec<f64> = if median {
                    let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); n_groups];
                    for (l, &v) in labels.iter().zip(col.iter()) {
                        if let (Some(l), false) = (l, v.is_nan()) {
                            by_group[*l].push(v);
                        }
                    }
                    by_group.iter_mut().map(|v| stats::median_in_place(v)).collect()
                } else {
                    group_means(col, &labels, n_groups)
                };
                let out: Column = labels
                    .iter()
                    .zip(col.iter())
                    .map(|(l, &v)| match l {
                        Some(l) if v.is_nan() => fills[*l],
                        _ => v,
                    })
                    .collect();
                let left = out.iter().filter(|v| v.is_nan()).count();
                let warning = (left > 0).then(|| Warning {
                    step: "impute",
                    code: Some(code.to_string()),
                    message: format!("{left} value(s) left missing: their group has no data or they have no group"),
                });
                (Some(out), warning)
            });
            done.into_iter()
                .zip(&data.columns)
                .map(|((c, w), original)| {
                    warnings.extend(w);
                    c.unwrap_or_else(|| original.clone())
                })
                .collect()
        }
        Imputation::RowMean { level } => row_mean(data, fw, *level, &mut warnings)?,
    };
    Ok((DataSet::from_shared("Imputed", data.units.clone(), data.codes.clone(), columns), warnings))
}

/// R's mean of each group (sum, then a correction pass), without allocating
/// per group; `NaN` for a group with no present value.
fn group_means(col: &[f64], labels: &[Option<usize>], n_groups: usize) -> Vec<f64> {
    let mut acc = vec![stats::Acc::default(); n_groups];
    let mut count = vec![0usize; n_groups];
    for (l, &v) in labels.iter().zip(col) {
        if let (Some(l), false) = (l, v.is_nan()) {
            acc[*l].add(v);
            count[*l] += 1;
        }
    }
    let first: Vec<f64> = acc.iter().zip(&count).map(|(a, &n)| a.total() / n as f64).collect();
    let mut corr = vec![stats::Acc::default(); n_groups];
    for (l, &v) in labels.iter().zip(col) {
        if let (Some(l), false) = (l, v.is_nan()) {
            corr[*l].add(v - first[*l]);
        }
    }
    first
        .iter()
        .zip(&corr)
        .zip(&count)
        .map(|((m, c), &n)| if n == 0 || !m.is_finite() { *m } else { m + c.total() / n as f64 })
        .collect()
}

fn row_mean(data: &DataSet, fw: &Framework, level: u32, warnings: &mut Vec<Warning>) -> Result<Vec<Column>> {
    if level < 2 || level > fw.levels() {
        return Err(Error::step("impute", format!("level must be between 2 and {}, found {level}", fw.levels())));
    }
    let n = data.n_units();
    // Scale each column to [0, 1] in its direction.
    let mut scaled = Vec::with_capacity(data.columns.len());
    let mut ranges = Vec::with_capacity(data.columns.len());
    for (code, col) in data.codes.iter().zip(&data.columns) {
        let dir = fw.get(code).map(|n| n.direction).unwrap_or(1.0);
        let x: Vec<f64> = col.iter().map(|v| v * dir).collect();
        let (mn, mx) = (stats::min(&x), stats::max(&x));
        scaled.push(x.iter().map(|v| (v - mn) / (mx - mn)).collect::<Vec<f64>>());
        ranges.push((mn, mx, dir));
    }
    // Group columns by their ancestor at `level`.
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, code) in data.codes.iter().enumerate() {
        let g = fw.ancestor_at(code, level).map(|a| a.code.clone()).unwrap_or_default();
        groups.entry(g).or_default().push(j);
    }
    let mut out: Vec<Vec<f64>> = data.columns.iter().map(|c| c.to_vec()).collect();
    let mut left = 0usize;
    for cols in groups.values() {
        for r in 0..n {
            if !cols.iter().any(|&j| data.columns[j][r].is_nan()) {
                continue;
            }
            let row: Vec<f64> = cols.iter().map(|&j| scaled[j][r]).collect();
            let m = stats::mean(&row);
            for &j in cols {
                if data.columns[j][r].is_nan() {
                    let (mn, mx, dir) = ranges[j];
                    let v = (m * (mx - mn) + mn) * dir;
                    if v.is_nan() {
                        left += 1;
                    }
                    out[j][r] = v;
                }
            }
        }
    }
    if left > 0 {
        warnings.push(Warning {
            step: "impute",
            code: None,
            message: format!("{left} value(s) left missing: the unit has no data in that group"),
        });
    }
    Ok(out.into_iter().map(Column::from).collect())
}
