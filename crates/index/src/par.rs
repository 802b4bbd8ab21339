//! Parallel helpers: work on columns (or aggregates) in parallel when the data
//! is large enough to repay the threads, sequentially otherwise. Results are
//! returned in input order, so they do not depend on the number of threads.

use rayon::prelude::*;

use crate::dataset::DataSet;

/// Below this many values, work stays on the calling thread.
const PARALLEL_FROM: usize = 200_000;

/// Whether `n` values are worth spreading over threads.
pub fn worth_it(n: usize) -> bool {
    n >= PARALLEL_FROM && rayon::current_num_threads() > 1
}

/// Applies `f` to every (code, column) of a data set, in order.
pub fn map_columns<T: Send>(data: &DataSet, f: impl Fn(&str, &[f64]) -> T + Sync) -> Vec<T> {
    if worth_it(data.n_units() * data.columns.len()) {
        data.codes.par_iter().zip(&data.columns).map(|(c, col)| f(c, col)).collect::<Vec<T>>()
    } else {
        data.codes.iter().zip(&data.columns).map(|(c, col)| f(c, col)).collect()
    }
}

/// Maps a slice in order, in parallel when `work` (a count of values) is large.
pub fn map<I: Sync, T: Send>(items: &[I], work: usize, f: impl Fn(&I) -> T + Sync) -> Vec<T> {
    if worth_it(work) { items.par_iter().map(&f).collect() } else { items.iter().map(&f).collect() }
}
