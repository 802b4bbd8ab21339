//! publiccode
#![forbid(unsafe_code)]
pub mod yaml;
pub mod path;
pub mod goturl;
pub mod vocab;
pub mod ipa;
pub mod rules;
