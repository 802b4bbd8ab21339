//! Denomination: dividing indicators by a unit-level quantity.
//!
//! An indicator whose iMeta `Denominator` names a denominator column (for
//! example `Population`) is divided by that column, unit by unit; other
//! indicators are left as they are (and keep their allocation).

use crate::dataset::{Column, DataSet};
use crate::error::{Error, Result};
use crate::model::{Framework, Units};

/// Divides each indicator by its iMeta denominator. The result is named
/// `Denominated`.
pub fn denominate(data: &DataSet, fw: &Framework, units: &Units) -> Result<DataSet> {
    let mut columns = Vec::with_capacity(data.columns.len());
    let rows = units.positions(&data.units);
    for (code, col) in data.codes.iter().zip(&data.columns) {
        let denom = fw.get(code).and_then(|n| n.denominator.as_deref());
        match denom {
            None => columns.push(col.clone()),
            Some(d) => {
                let dv = units.denominator(d).ok_or_else(|| {
                    Error::step("denominate", format!("denominator column `{d}` of `{code}` is not in the data"))
                })?;
                let out: Column =
                    rows.iter().zip(col.iter()).map(|(r, x)| x / r.map(|i| dv[i]).unwrap_or(f64::NAN)).collect();
                columns.push(out);
            }
        }
    }
    Ok(DataSet::from_shared("Denominated", data.units.clone(), data.codes.clone(), columns))
}
