//! Numbers read from configuration files (TOML): finite, and pairs of two.

use serde::Deserialize;

/// A number read from TOML that must be finite: `inf`, `-inf`, `nan` (and
/// `1e309`, which TOML reads as infinity) are refused where they are read,
/// with the file and line, before any work starts.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub(crate) struct Finite(pub f64);

impl TryFrom<f64> for Finite {
    type Error = String;
    fn try_from(v: f64) -> std::result::Result<Self, String> {
        if v.is_finite() { Ok(Finite(v)) } else { Err(format!("expected a finite number, found {v}")) }
    }
}

/// Two finite numbers, `[a, b]`: a list of any other length is refused.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "Vec<Finite>")]
pub(crate) struct Pair(pub [f64; 2]);

impl TryFrom<Vec<Finite>> for Pair {
    type Error = String;
    fn try_from(v: Vec<Finite>) -> std::result::Result<Self, String> {
        match v.as_slice() {
            [a, b] => Ok(Pair([a.0, b.0])),
            _ => Err(format!("expected two numbers [a, b], found a list of {}", v.len())),
        }
    }
}
