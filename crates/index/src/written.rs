//! Writing the data sets of a build one after another, each next to the one
//! before it. Consecutive data sets share most of their values: imputation
//! changes only the missing cells, screening that keeps every unit changes
//! nothing, treatment changes the few columns it winsorises, and the
//! aggregated data set repeats the normalised indicators. Formatting a
//! number is most of the cost of writing it, so a value whose bits are those
//! the previous data set held in the same row and column is not formatted
//! again: its text is copied from the previous file, read back a chunk of
//! rows at a time (from the page cache: it was written moments before).
//! A column that changed nearly everywhere (a normalisation) is formatted
//! without reading back, and a data set that is the previous one itself is
//! a copy of its file.
//!
//! The bytes are exactly those [`DataSet::write_csv`] writes, since the
//! text copied is what that writer made of the same bits. A row of the
//! previous file that does not start with its unit's code, or has another
//! number of cells than its data set had columns, is not trusted: that
//! row's numbers are formatted. A previous file that cannot be read is
//! formatted around in the same way.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dataset::{Column, DataSet};
use crate::write::{Chunk, column_chunk_rows, gather, push_number, push_short, push_text, write_chunks, write_header};

/// A data set written as a CSV file, and where its rows are in the file.
#[derive(Debug, Clone)]
pub struct WrittenCsv {
    path: PathBuf,
    units: Arc<[String]>,
    codes: Vec<String>,
    columns: Vec<Column>,
    /// Where each row starts in the file, then where the last one ends.
    rows: Vec<u64>,
}

impl WrittenCsv {
    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `d` is this very table: the same units, codes and columns
    /// (the same allocations, as a step that changed nothing leaves them).
    fn is_same_table(&self, d: &DataSet) -> bool {
        self.same_units(d)
            && self.codes == d.codes
            && self.columns.len() == d.columns.len()
            && self.columns.iter().zip(&d.columns).all(|(a, b)| Arc::ptr_eq(a, b))
    }

    fn same_units(&self, d: &DataSet) -> bool {
        Arc::ptr_eq(&self.units, &d.units) || self.units == d.units
    }
}

impl DataSet {
    /// Writes the data set to `path` as [`DataSet::write_csv`] does, copying
    /// the text of the values it shares with `previous` (the data set
    /// written before it) instead of formatting them again; a data set that
    /// is `previous` itself (a step that changed nothing) is a copy of its
    /// file.
    pub fn write_csv_file(&self, path: &Path, previous: Option<&WrittenCsv>) -> std::io::Result<WrittenCsv> {
        let written = |rows| WrittenCsv {
            path: path.to_path_buf(),
            units: self.units.clone(),
            codes: self.codes.clone(),
            columns: self.columns.clone(),
            rows,
        };
        if let Some(p) = previous.filter(|p| p.is_same_table(self)) {
            std::fs::copy(&p.path, path)?;
            return Ok(written(p.rows.clone()));
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let mut head = Vec::new();
        write_header(&mut head, self.header())?;
        out.write_all(&head)?;
        let source = previous.filter(|p| p.same_units(self) && p.rows.len() == self.n_units() + 1);
        let ends = match source.and_then(|p| Some((p, std::fs::File::open(&p.path).ok()?))) {
            Some((p, file)) => self.write_rows_after(&mut out, p, &file)?,
            None => self.write_rows(&mut out)?,
        };
        out.flush()?;
        let start = head.len() as u64;
        Ok(written(std::iter::once(start).chain(ends.into_iter().map(|e| start + e)).collect()))
    }

    /// The rows, every number formatted.
    pub(crate) fn write_rows<W: Write + Send>(&self, out: &mut W) -> std::io::Result<Vec<u64>> {
        let columns: Vec<&[f64]> = self.columns.iter().map(|c| &c[..]).collect();
        crate::write::write_column_rows(out, self.n_units(), &columns, |r, values, buf| {
            push_text(buf, &self.units[r]);
            for &x in values {
                buf.push(b',');
                push_number(buf, x);
            }
        })
    }

    /// The rows, copying from `previous`'s `file` each value it held.
    fn write_rows_after<W: Write + Send>(
        &self,
        out: &mut W,
        previous: &WrittenCsv,
        file: &std::fs::File,
    ) -> std::io::Result<Vec<u64>> {
        let width = self.columns.len();
        let plan = Plan::new(self, previous);
        if plan.copy.iter().all(|c| matches!(c, Copy::Never)) {
            return self.write_rows(out);
        }
        // Values gathered only where they are needed: a column shared with
        // the previous data set is copied without looking at it.
        let shared = |j: usize| matches!(plan.copy[j], Copy::Always(_));
        let now: Vec<&[f64]> = (0..width).map(|j| if shared(j) { &[][..] } else { &self.columns[j][..] }).collect();
        let then: Vec<&[f64]> = (0..width)
            .map(|j| match plan.copy[j] {
                Copy::IfEqual(k) => &previous.columns[k][..],
                _ => &[][..],
            })
            .collect();
        let stride = width.max(1);
        write_chunks(out, self.n_units(), column_chunk_rows(stride), |range| {
            let (now, then) = (gather(&now, range.clone()), gather(&then, range.clone()));
            let offset = previous.rows[range.start];
            let text = read_at(file, offset, previous.rows[range.end] - offset);
            let mut chunk = Chunk::with_capacity(range.len(), range.len() * stride * 20);
            let mut cells: Vec<usize> = Vec::with_capacity(previous.codes.len() + 1);
            for (i, r) in range.enumerate() {
                let buf = &mut chunk.bytes;
                let start = buf.len();
                push_text(buf, &self.units[r]);
                // The previous row after its unit, when it is what was written.
                let row = text.as_deref().and_then(|t| {
                    let (a, b) = ((previous.rows[r] - offset) as usize, (previous.rows[r + 1] - offset) as usize);
                    t.get(a..b)?.strip_suffix(b"\n")?.strip_prefix(&buf[start..])
                });
                let row = row.filter(|row| row.first() == Some(&b',') || row.is_empty());
                let (now, then) = (&now[i * stride..i * stride + width], &then[i * stride..i * stride + width]);
                let equal = |j: usize| match plan.copy[j] {
                    Copy::Always(_) => true,
                    Copy::IfEqual(_) => now[j].to_bits() == then[j].to_bits(),
                    Copy::Never => false,
                };
                // Most rows: the previous row's cells, all of them, are this
                // row's first cells.
                let mut from = 0;
                if let Some(row) = row
                    && plan.prefix
                    && (0..previous.codes.len()).all(equal)
                {
                    buf.extend_from_slice(row);
                    from = previous.codes.len();
                }
                // Otherwise each cell found in the previous row: cell `k`
                // lies between its `k`-th and `k + 1`-th commas.
                cells.clear();
                if let Some(row) = row.filter(|_| from == 0) {
                    cells.extend(memchr::memchr_iter(b',', row));
                    cells.push(row.len());
                }
                let row = row.filter(|_| cells.len() == previous.codes.len() + 1);
                let value = |j: usize| if shared(j) { self.columns[j][r] } else { now[j] };
                if let Some(row) = row.filter(|_| plan.prefix) {
                    // The previous row's cells in order: each run of kept
                    // values copied at once (with its commas), the cells
                    // between them formatted.
                    let n = previous.codes.len();
                    while from < n {
                        if equal(from) {
                            let run = from;
                            while from < n && equal(from) {
                                from += 1;
                            }
                            buf.extend_from_slice(&row[cells[run]..cells[from]]);
                        } else {
                            buf.push(b',');
                            push_number(buf, value(from));
                            from += 1;
                        }
                    }
                }
                for (j, copy) in plan.copy.iter().enumerate().skip(from) {
                    buf.push(b',');
                    match (row, copy) {
                        (Some(row), Copy::Always(k) | Copy::IfEqual(k)) if equal(j) => {
                            push_short(buf, &row[cells[*k] + 1..cells[*k + 1]]);
                        }
                        _ => push_number(buf, value(j)),
                    }
                }
                chunk.end_row();
            }
            chunk
        })
    }
}

/// How a column's values are written after the previous data set.
enum Copy {
    /// The previous data set's column `k`, the same allocation: every value
    /// copied.
    Always(usize),
    /// Copied where the value has the bits of column `k`'s.
    IfEqual(usize),
    /// Formatted: the previous data set had no column of this code, or
    /// the column changed nearly every value ([`mostly_changed`]).
    Never,
}

/// What each column copies, and whether the previous data set's columns are
/// the first columns, in the same order.
struct Plan {
    copy: Vec<Copy>,
    prefix: bool,
}

impl Plan {
    fn new(d: &DataSet, previous: &WrittenCsv) -> Plan {
        let position: std::collections::HashMap<&str, usize> =
            previous.codes.iter().enumerate().map(|(k, c)| (c.as_str(), k)).collect();
        let copy: Vec<Copy> = d
            .codes
            .iter()
            .zip(&d.columns)
            .map(|(code, column)| match position.get(code.as_str()) {
                Some(&k) if Arc::ptr_eq(column, &previous.columns[k]) => Copy::Always(k),
                Some(&k) if mostly_changed(column, &previous.columns[k]) => Copy::Never,
                Some(&k) => Copy::IfEqual(k),
                None => Copy::Never,
            })
            .collect();
        let prefix = previous.codes.len() <= copy.len()
            && copy.iter().take(previous.codes.len()).enumerate().all(|(j, c)| match c {
                Copy::Always(k) | Copy::IfEqual(k) => *k == j,
                Copy::Never => false,
            });
        Plan { copy, prefix }
    }
}

/// Whether a column changed nearly every value of the previous one (a
/// normalisation): judged on 64 rows spread over it, none of which kept
/// its value. Copying would then only cost the reading and comparing.
fn mostly_changed(now: &[f64], then: &[f64]) -> bool {
    let n = now.len().min(then.len());
    let step = (n / 64).max(1);
    (0..n).step_by(step).all(|r| now[r].to_bits() != then[r].to_bits())
}

/// `len` bytes of `file` from `offset`; `None` when they cannot be read.
fn read_at(file: &std::fs::File, offset: u64, len: u64) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut text = vec![0; usize::try_from(len).ok()?];
        file.read_exact_at(&mut text, offset).ok()?;
        Some(text)
    }
    #[cfg(not(unix))]
    {
        let _ = (file, offset, len);
        None
    }
}

#[cfg(test)]
mod tests;
