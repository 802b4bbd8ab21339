//! Data sets: a matrix of units × codes, stored by column.
//!
//! Columns are shared, reference-counted slices: a step that leaves a column
//! unchanged (screening that removes nobody, treatment of a column that
//! passes) keeps the same allocation, so keeping every intermediate data set,
//! as COINr does, costs memory only for what actually changed.

use std::collections::HashMap;
use std::sync::Arc;

/// One column of values, one per unit; `NaN` is missing.
pub type Column = Arc<[f64]>;

/// A named data set (Raw, Denominated, Imputed, ...).
#[derive(Debug, Clone)]
pub struct DataSet {
    /// The data set's name, as in COINr (`Raw`, `Normalised`, ...).
    pub name: String,
    /// Unit codes, one per row.
    pub units: Arc<[String]>,
    /// Column codes.
    pub codes: Vec<String>,
    /// Columns, parallel to `codes`.
    pub columns: Vec<Column>,
    index: HashMap<String, usize>,
}

impl DataSet {
    /// A data set from owned columns.
    pub fn new(name: &str, units: Vec<String>, codes: Vec<String>, columns: Vec<Vec<f64>>) -> DataSet {
        DataSet::from_shared(name, units.into(), codes, columns.into_iter().map(Column::from).collect())
    }

    /// A data set from shared columns.
    pub fn from_shared(name: &str, units: Arc<[String]>, codes: Vec<String>, columns: Vec<Column>) -> DataSet {
        debug_assert_eq!(codes.len(), columns.len());
        debug_assert!(columns.iter().all(|c| c.len() == units.len()));
        let index = codes.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        DataSet { name: name.to_string(), units, codes, columns, index }
    }

    /// The same columns under another name.
    pub fn renamed(&self, name: &str) -> DataSet {
        DataSet { name: name.to_string(), ..self.clone() }
    }

    /// The column with this code.
    pub fn column(&self, code: &str) -> Option<&[f64]> {
        self.index.get(code).map(|&i| &*self.columns[i])
    }

    /// The shared column with this code.
    pub fn shared_column(&self, code: &str) -> Option<&Column> {
        self.index.get(code).map(|&i| &self.columns[i])
    }

    /// Position of a column by code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// Number of units (rows).
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// Position of a unit by code.
    pub fn unit_position(&self, unit: &str) -> Option<usize> {
        self.units.iter().position(|u| u == unit)
    }

    /// The value of one unit for one code.
    pub fn value(&self, unit: &str, code: &str) -> Option<f64> {
        Some(self.column(code)?[self.unit_position(unit)?])
    }

    /// The data set restricted to some columns (in the given order).
    pub fn select(&self, codes: &[String]) -> DataSet {
        let columns = codes.iter().filter_map(|c| self.shared_column(c).cloned()).collect();
        let codes = codes.iter().filter(|c| self.index.contains_key(*c)).cloned().collect();
        DataSet::from_shared(&self.name, self.units.clone(), codes, columns)
    }

    /// Writes the data set as CSV: `uCode` then one column per code, numbers in
    /// shortest round-trip form, missing values as empty cells (rows formatted
    /// in parallel chunks, written in order).
    pub fn write_csv<W: std::io::Write + Send>(&self, mut out: W) -> std::io::Result<()> {
        crate::write::write_header(&mut out, self.header())?;
        self.write_rows(&mut out)?;
        out.flush()
    }

    /// The names of the CSV header: `uCode`, then the codes.
    pub(crate) fn header(&self) -> impl Iterator<Item = &str> {
        std::iter::once("uCode").chain(self.codes.iter().map(String::as_str))
    }

    /// Approximate heap bytes held by the columns (shared columns counted once
    /// per data set).
    pub fn bytes(&self) -> usize {
        self.columns.iter().map(|c| c.len() * 8).sum()
    }
}
