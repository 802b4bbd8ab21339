//! The pipeline steps, each a pure function from one data set to the next.

pub mod aggregate;
pub mod denominate;
pub mod impute;
pub mod normalise;
pub mod screen;
pub mod treat;
