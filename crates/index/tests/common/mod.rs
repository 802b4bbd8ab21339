//! Helpers shared by the integration tests: where the shared reference data
//! is, reading COINr's CSV outputs, and comparing data sets with them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cantiere_index::{DataSet, Framework, Table, Units, parse_number, read_inputs};

/// The shared directory beside the repository (`CANTIERE_SHARED` overrides).
pub fn shared() -> PathBuf {
    match std::env::var_os("CANTIERE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// COINr's ASEM reference directory.
pub fn reference() -> PathBuf {
    shared().join("reference/coinr-asem")
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The ASEM inputs.
pub fn asem() -> (Units, Framework, DataSet) {
    let r = reference().join("input");
    read_inputs(&r.join("ASEM_iData.csv"), &r.join("ASEM_iMeta.csv")).expect("ASEM inputs read")
}

/// A reference table: unit → code → value.
pub struct RefTable {
    pub units: Vec<String>,
    pub codes: Vec<String>,
    pub values: HashMap<(String, String), f64>,
}

pub fn read_ref(path: &Path) -> RefTable {
    let t = Table::read(path).unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<String> = t.headers[1..].to_vec();
    let mut values = HashMap::new();
    let mut units = Vec::new();
    for (_, row) in &t.rows {
        units.push(row[0].clone());
        for (c, v) in codes.iter().zip(&row[1..]) {
            let x = parse_number(v).unwrap_or_else(|| panic!("{}: bad number {v}", path.display()));
            values.insert((row[0].clone(), c.clone()), x);
        }
    }
    RefTable { units, codes, values }
}

/// Relative tolerance of every comparison with COINr (the bar).
pub const REL: f64 = 1e-9;
/// Absolute floor for values that are zero in the reference (min-max minima,
/// differences that cancel): R and Rust may leave a last-bit residue there.
pub const ABS: f64 = 1e-12;

pub fn close(a: f64, b: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= REL * b.abs() || (a - b).abs() <= ABS
}

/// Compares every value of a reference file with a data set; returns the
/// number of values compared. Units and codes of the reference must all be
/// present; the row sets must be equal.
pub fn assert_matches(ours: &DataSet, path: &Path) -> usize {
    let r = read_ref(path);
    let mut bad = Vec::new();
    let mut n = 0;
    let mut our_units: Vec<&String> = ours.units.iter().collect();
    let mut ref_units: Vec<&String> = r.units.iter().collect();
    our_units.sort();
    ref_units.sort();
    assert_eq!(our_units, ref_units, "{}: units differ", path.display());
    for u in &r.units {
        for c in &r.codes {
            let b = r.values[&(u.clone(), c.clone())];
            let a = ours
                .value(u, c)
                .unwrap_or_else(|| panic!("{}: our data set {} has no {u}/{c}", path.display(), ours.name));
            n += 1;
            if !close(a, b) {
                bad.push(format!("{u}/{c}: ours {a:e}, COINr {b:e}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{}: {} of {n} values differ:\n{}",
        path.display(),
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
    n
}
