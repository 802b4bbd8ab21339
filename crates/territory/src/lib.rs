//! # cantiere-territory: Italian territorial open data into index tables
//!
//! This crate turns real open data about Italian municipalities into the
//! tables of a composite index, and builds the index with `cantiere-index`.
//!
//! ## Concepts
//!
//! - **comune**: a municipality, identified by its ISTAT code (6 digits,
//!   `058091` is Roma), the unit code (`uCode`) of the index. It also has a
//!   *cadastral code* (`H501`), which survives changes of province and is the
//!   tail of the municipality's IPA code (`c_h501`).
//! - **codice IPA**: the code of an administration in the Indice delle
//!   Pubbliche Amministrazioni; schools, health authorities (ASL) and other
//!   bodies have one too.
//! - [`registry`]: the current ISTAT list, population by age, boundaries and
//!   the historical list of municipalities, read from PyPI wheels (zips) by
//!   [`Packages`] — no Python at run time.
//! - [`padigitale`]: the *PA digitale 2026* open data, funded applications
//!   (candidature) of administrations to the PNRR measures (`misura` 1.2
//!   cloud, 1.3.1 national data platform, 1.4.1 citizen experience, 1.4.3
//!   pagoPA and app IO, 1.4.4 SPID/CIE, 1.4.5 SEND notifications), each in
//!   state A (funded), E (paid after completion) or R (renounced).
//! - [`matching`]: which municipality each application belongs to (ISTAT
//!   code, cadastral code, mergers through the historical list, name), with
//!   a reason for every one that stays unmatched.
//! - [`definition`]: the versioned index definition (`indices/itd/v1`):
//!   which indicators, how they are computed, directions, weights.
//! - [`indicators`] → iData/iMeta in COINr's layout → the engine's pipeline
//!   ([`build::score`]).
//! - [`anpr`]: ANPR open data (ANSC adoption, electoral lists takeover) as
//!   stored indicators by period.
//! - [`as_of`]: PA digitale as it stood on a past date, and the quarters of
//!   the backfill.
//! - [`published`]: an index built from any coin's files (iData, iMeta,
//!   a pipeline) as a run beside the ITD, its units matched to the comuni.
//! - [`unions`]: a region's file of unions of municipalities and their
//!   members over time.
//! - [`smarter`]: context × innovation groups (the Emilia-Romagna SmartER
//!   cross-analysis) and the probability of staying in one's group under
//!   uncertainty; [`peers`]: similar municipalities and strengths and
//!   weaknesses against them; province and region aggregates.
//!
//! ## Errors
//!
//! Every error is an [`Error`] naming the file and, where it applies, the
//! line and the column, and what was expected. Reading is all or nothing; a
//! row that is kept but cannot be placed (an unmatched application) is
//! reported, never dropped.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod administrations;
pub mod anpr;
pub mod as_of;
pub mod build;
pub mod catalog;
pub mod data;
pub mod definition;
mod error;
mod feather;
pub mod geo;
pub mod indicators;
pub mod matching;
pub mod output;
mod packages;
pub mod padigitale;
pub mod peers;
pub mod published;
pub mod registry;
pub mod smarter;
pub mod stored;
pub mod text;
pub mod unions;

pub use build::{IndexFiles, Scored, Settings, Sources, Territory, score};
pub use error::{Error, Result};
pub use packages::Packages;
