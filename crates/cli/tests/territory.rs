//! `cantiere territory build`: the files the issue fixes, on the real data,
//! for one region; and clear errors when a source is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cantiere")).args(args).current_dir(root()).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stderr).unwrap())
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

#[test]
fn a_region_build_writes_idata_imeta_groups_and_the_match_report() {
    let out = std::env::temp_dir().join(format!("cantiere-territory-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let (code, stderr) =
        run(&["territory", "build", "--region", "Umbria", "--runs", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("92 municipalities"), "{stderr}");
    let (header, groups) = read_csv(&out.join("groups.csv"));
    assert_eq!(&header[..7], ["uCode", "name", "region", "province", "context", "innovation", "group"]);
    assert_eq!(groups.len(), 92);
    assert!(groups.iter().all(|g| g[2] == "Umbria" && !g[6].is_empty()));
    let stability: Vec<f64> = groups.iter().map(|g| g[9].parse().unwrap()).collect();
    assert!(stability.iter().all(|p| (0.0..=1.0).contains(p)));
    // iData and iMeta rebuild the same index with `cantiere index build`.
    let rebuilt = out.join("rebuilt");
    let (code, stderr) = run(&[
        "index",
        "build",
        "--data",
        out.join("iData.csv").to_str().unwrap(),
        "--meta",
        out.join("iMeta.csv").to_str().unwrap(),
        "--pipeline",
        "indices/itd/v1/pipeline.toml",
        "--out",
        rebuilt.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(out.join("results.csv")).unwrap(), std::fs::read(rebuilt.join("results.csv")).unwrap());
    let (header, _) = read_csv(&out.join("match_report.csv"));
    assert_eq!(header[6], "method");
    for f in ["peers.csv", "profile.csv", "areas.csv", "applications.csv", "import_summary.csv", "registry_report.csv"]
    {
        assert!(out.join(f).is_file(), "{f}");
    }
    let geojson: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("municipalities.geojson")).unwrap()).unwrap();
    assert_eq!(geojson["features"].as_array().unwrap().len(), 92);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn missing_sources_and_unknown_territories_are_clear_errors() {
    let (code, stderr) = run(&["territory", "build", "--padigitale", "/nonexistent", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("PA digitale data not found at /nonexistent"), "{stderr}");
    let (code, stderr) = run(&["territory", "build", "--registry", "/nonexistent", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("run scripts/fetch-registry.sh"), "{stderr}");
    let (code, stderr) = run(&["territory", "build", "--region", "Atlantide", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("0 municipalities"), "{stderr}");
    let (code, stderr) = run(&["territory", "build", "--threshold", "q7", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("expected median, mean, qP"), "{stderr}");
}
