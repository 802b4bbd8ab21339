//! Screening: removing units with too little data.
//!
//! A unit's data availability is the fraction of its indicators that are not
//! missing. Units below `min_data` are removed (COINr's `Screen(unit_screen =
//! "byNA")`). Columns are shared when nobody is removed.

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result};

/// What screening did.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenReport {
    /// Data availability of every unit of the input, in input order.
    pub availability: Vec<(String, f64)>,
    /// Codes of the removed units.
    pub removed: Vec<String>,
}

/// Removes the units whose fraction of present values is below `min_data`.
/// The result is named `Screened`.
pub fn screen(data: &DataSet, min_data: f64) -> Result<(DataSet, ScreenReport)> {
    if !(0.0..=1.0).contains(&min_data) {
        return Err(Error::step("screen", format!("min_data must be between 0 and 1, found {min_data}")));
    }
    let k = data.columns.len().max(1) as f64;
    let mut keep = Vec::with_capacity(data.n_units());
    let mut availability = Vec::with_capacity(data.n_units());
    let mut removed = Vec::new();
    let mut missing = vec![0u32; data.n_units()];
    for c in &data.columns {
        for (m, v) in missing.iter_mut().zip(c.iter()) {
            *m += u32::from(v.is_nan());
        }
    }
    for (r, unit) in data.units.iter().enumerate() {
        let avail = 1.0 - f64::from(missing[r]) / k;
        availability.push((unit.clone(), avail));
        if avail < min_data {
            removed.push(unit.clone());
        } else {
            keep.push(r);
        }
    }
    let out = if removed.is_empty() {
        data.renamed("Screened")
    } else {
        let units: Vec<String> = keep.iter().map(|&r| data.units[r].clone()).collect();
        let columns = data.columns.iter().map(|c| keep.iter().map(|&r| c[r]).collect::<Column>()).collect();
        DataSet::from_shared("Screened", units.into(), data.codes.clone(), columns)
    };
    Ok((out, ScreenReport { availability, removed }))
}
