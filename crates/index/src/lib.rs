//! # cantiere-index: composite indicators, the JRC way
//!
//! A *composite indicator* (an index) summarises many indicators measured on
//! a set of *units* (municipalities, regions, countries) into one score per
//! unit, through a *hierarchy*: indicators are grouped into pillars, pillars
//! into sub-indices, sub-indices into the index. This crate implements the
//! method of the JRC/OECD Handbook as COINr (the reference R package) does, and
//! reproduces COINr's numbers.
//!
//! ## Concepts
//!
//! - [`Units`]: the rows (`uCode`, `uName`, group and denominator columns).
//! - [`Framework`]: the validated hierarchy of [`Indicator`]s and aggregates,
//!   with directions (+1 higher is better, −1 lower is better) and weights.
//! - [`DataSet`]: a units × codes matrix, stored by column; missing is `NaN`.
//! - [`Pipeline`]: which steps run, each a pure function from one data set to
//!   the next: denominate → impute → screen → treat → normalise → aggregate.
//!   Running it yields a [`Build`] that keeps every intermediate data set
//!   under COINr's names (`Raw`, `Denominated`, `Imputed`, `Screened`,
//!   `Treated`, `Normalised`, `Aggregated`) and what each step reported.
//! - [`Results`]: the aggregates' scores and ranks (1 = best, ties share the
//!   best rank).
//! - [`analysis`]: correlations, Cronbach's alpha, PCA, descriptive
//!   statistics, effective weights, strengths and weaknesses.
//! - [`uncertainty`]: how much each rank depends on the method's choices —
//!   rank intervals over many rebuilds with uncertain inputs, and Sobol'
//!   sensitivity indices of each input.
//!
//! ## Missing values
//!
//! They follow COINr: steps skip them (means, ranks, min and max), a column
//! whose values are all missing stays missing, the arithmetic mean re-weights
//! the children present, the power mean is missing when a child is. Where
//! COINr would stop with an R error on degenerate data (a treatment check on
//! fewer than four values, winsorising into a constant column) the engine
//! leaves the column untreated and records a [`Warning`] instead.
//!
//! ## Example
//!
//! ```
//! use cantiere_index::{Framework, Pipeline, Table, read_data};
//!
//! let meta = Table::from_csv("iMeta.csv", b"iCode,iName,Level,Parent,Direction,Weight,Type\n\
//!     a,A,1,I,1,1,Indicator\nb,B,1,I,-1,1,Indicator\nI,Index,2,,1,1,Aggregate\n")?;
//! let data = Table::from_csv("iData.csv", b"uCode,a,b\nX,1,10\nY,3,30\nZ,2,20\n")?;
//! let fw = Framework::from_table(&meta)?;
//! let (units, raw) = read_data(&data, &fw)?;
//! let pipeline = Pipeline::from_toml("p.toml", "[normalise]\nmethod = \"minmax\"\n[aggregate]\n", None)?;
//! let build = pipeline.run(&units, &fw, &raw)?;
//! let index = build.data_set("Aggregated").unwrap().column("I").unwrap();
//! assert_eq!(index, &[50.0, 50.0, 50.0]);
//! # Ok::<(), cantiere_index::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod analysis;
mod dataset;
mod error;
mod model;
mod numbers;
mod par;
mod pipeline;
mod results;
pub mod stats;
pub mod steps;
mod table;
pub mod uncertainty;
mod write;
mod written;
pub mod xlsx;

pub use dataset::{Column, DataSet};
pub use error::{Error, Location, Result, Warning};
pub use model::{
    CodeType, Framework, Goalposts, Indicator, MAX_COLUMNS, MAX_RECORD, Units, collate, read_data, read_data_csv,
};
pub use pipeline::{AggregateSpec, Build, Pipeline, Step, WeightSource, read_weights};
pub use results::Results;
pub use steps::aggregate::{Aggregation, Weights};
pub use steps::impute::Imputation;
pub use steps::normalise::Normalisation;
pub use steps::treat::TreatParams;
pub use table::{Table, format_number, parse_number, unclosed_quote};
pub use write::{push_number, push_text, write_header, write_rows};
pub use written::WrittenCsv;

use std::path::Path;

/// Reads iData and iMeta files (CSV or `.xlsx`) into units, framework and
/// raw data; a CSV iData file is read in parallel blocks ([`read_data_csv`]).
pub fn read_inputs(data: &Path, meta: &Path) -> Result<(Units, Framework, DataSet)> {
    let fw = Framework::from_table(&Table::read(meta)?)?;
    let (units, raw) =
        if Table::is_workbook(data) { read_data(&Table::read(data)?, &fw)? } else { read_data_csv(data, &fw)? };
    Ok((units, fw, raw))
}
