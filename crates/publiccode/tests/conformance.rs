//! The reference validator's whole test suite, as data (`shared/conformance/publiccode`): for
//! every file of `manifest.tsv`, our results must equal the reference's `offline_results`
//! exactly — type, key, message text, line and column, in order. Paths inside messages are
//! written `{CWD}` (the corpus folder) in the manifest.
//!
//! iPA codes come from the real PA digitale 2026 open data (`shared/data/padigitale2026`,
//! column `codice_ipa`), the only registry-free source of administration codes we have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cantiere_publiccode::{IpaCodes, Options, validate_file};
use serde::Deserialize;

fn shared() -> PathBuf {
    let dir = std::env::var_os("CANTIERE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.canonicalize().expect("the shared directory: ../shared next to the repository, or $CANTIERE_SHARED")
}

fn padigitale_ipa_codes() -> IpaCodes {
    IpaCodes::from_path(&shared().join("data/padigitale2026")).unwrap()
}

#[derive(Debug, Deserialize, PartialEq)]
struct Expected {
    #[serde(rename = "type")]
    kind: String,
    key: String,
    description: String,
    line: u32,
    column: u32,
}

#[test]
fn every_file_of_the_reference_suite_gives_the_reference_results() {
    let corpus = shared().join("conformance/publiccode");
    let cwd = corpus.to_string_lossy().to_string();
    let options = Options { ipa: padigitale_ipa_codes(), ..Options::default() };
    assert!(options.ipa.len() > 15_000, "PA digitale gives {} iPA codes", options.ipa.len());

    let mut reader =
        csv::ReaderBuilder::new().delimiter(b'\t').quoting(false).from_path(corpus.join("manifest.tsv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (path_col, group_col, version_col, results_col) =
        (col("path"), col("group"), col("version_dir"), col("offline_results"));

    let mut per_folder: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        let folder = format!("{}/{}", &row[version_col], &row[group_col]);
        let expected: Vec<Expected> = serde_json::from_str(&row[results_col].replace("{CWD}", &cwd)).unwrap();
        let report = validate_file(&corpus.join(&row[path_col]), &options).unwrap();
        let actual: Vec<Expected> = report
            .diagnostics
            .iter()
            .map(|d| Expected {
                kind: if d.is_error() { "error" } else { "warning" }.to_string(),
                key: d.key.clone(),
                description: d.message.clone(),
                line: d.line,
                column: d.column,
            })
            .collect();
        let tally = per_folder.entry(folder).or_default();
        tally.1 += 1;
        if actual == expected {
            tally.0 += 1;
        } else {
            failures.push(format!("{}\n  expected {expected:?}\n  actual   {actual:?}", &row[path_col]));
        }
    }
    let total: usize = per_folder.values().map(|t| t.1).sum();
    let passed: usize = per_folder.values().map(|t| t.0).sum();
    for (folder, (ok, n)) in &per_folder {
        println!("{folder:45} {ok:4} / {n:4}");
    }
    println!("{:45} {passed:4} / {total:4}", "all");
    assert_eq!(total, 334, "the manifest lists 334 files");
    assert!(failures.is_empty(), "{} files differ:\n{}", failures.len(), failures.join("\n"));
}
