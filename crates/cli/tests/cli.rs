//! The `cantiere` binary: the CLI contract on COINr's ASEM data, a table of
//! malformed inputs that must each give one clear error (exit status 2,
//! file/line/column named) and never a panic; what `index build --write`
//! chooses, its workbook against its CSV files, and inputs refused before
//! they are held (a header of a million columns, a record longer than the
//! reader takes, a bad cell on the last line of a long file).

use std::path::{Path, PathBuf};
use std::process::Command;

use cantiere_index::Table;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cantiere"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> PathBuf {
    match std::env::var_os("CANTIERE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => repo().join("../shared"),
    }
    .join("reference/coinr-asem")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cantiere-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

fn num(s: &str) -> f64 {
    match s {
        "" | "NA" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        s => s.parse().unwrap(),
    }
}

/// `cantiere index <sub>` on COINr's ASEM inputs with the example pipeline.
fn asem(sub: &str) -> Command {
    let input = reference().join("input");
    let mut cmd = bin();
    cmd.args(["index", sub, "--data"])
        .arg(input.join("ASEM_iData.csv"))
        .arg("--meta")
        .arg(input.join("ASEM_iMeta.csv"))
        .arg("--pipeline")
        .arg(repo().join("examples/asem/pipeline.toml"));
    cmd
}

#[test]
fn build_writes_every_data_set_and_results_as_coinr() {
    let out = tmp("asem");
    let st = asem("build").arg("--out").arg(&out).status().unwrap();
    assert!(st.success());
    for name in ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"] {
        let ours = read(&out.join(format!("{name}.csv")));
        let theirs = read(&reference().join(format!("steps/{name}.csv")));
        assert_eq!(ours[0], theirs[0], "{name}: header");
        assert_eq!(ours.len(), theirs.len(), "{name}: rows");
        for (a, b) in ours.iter().zip(&theirs).skip(1) {
            assert_eq!(a[0], b[0]);
            for (x, y) in a.iter().zip(b).skip(1) {
                let (x, y) = (num(x), num(y));
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs() || (x - y).abs() <= 1e-12 || (x.is_nan() && y.is_nan()),
                    "{name} {x} {y}"
                );
            }
        }
    }
    let results = read(&out.join("results.csv"));
    assert_eq!(results[0][..4], ["uCode", "uName", "Index", "Index_Rank"]);
    let reference_results = read(&reference().join("steps/results_aggregates.csv"));
    for (ours, theirs) in results.iter().zip(&reference_results).skip(1) {
        assert_eq!(ours[3], theirs[0], "rank");
        assert!((num(&ours[2]) - num(&theirs[1])).abs() < 1e-9 * num(&theirs[1]));
    }
    assert!(out.join("treatment.csv").exists());
}

#[test]
fn analyse_writes_the_tables() {
    let out = tmp("analyse");
    let st = asem("analyse").args(["--unit", "GBR", "--out"]).arg(&out).status().unwrap();
    assert!(st.success());
    for f in ["stats.csv", "correlations.csv", "cronbach.csv", "pca.csv", "effective_weights.csv", "strengths.csv"] {
        assert!(read(&out.join(f)).len() > 1, "{f}");
    }
    let s = read(&out.join("strengths.csv"));
    assert_eq!(s[1][0], "Research");
}

const META: &str = "iCode,iName,Level,Parent,Direction,Weight,Type\n\
    a,A,1,P,1,1,Indicator\nb,B,1,P,-1,1,Indicator\nc,C,1,Q,1,1,Indicator\n\
    P,P,2,I,1,1,Aggregate\nQ,Q,2,I,1,1,Aggregate\nI,Index,3,,1,1,Aggregate\n";
const DATA: &str = "uCode,uName,a,b,c\nX,x,1,2,3\nY,y,4,-5,6\nZ,z,7,8,9\n";

/// Runs a build on the given files; returns (exit status, stderr).
fn run_case(name: &str, meta: &str, data: &str, pipeline: Option<&str>) -> (i32, String) {
    let dir = tmp(name);
    std::fs::write(dir.join("iMeta.csv"), meta).unwrap();
    std::fs::write(dir.join("iData.csv"), data).unwrap();
    let mut cmd = bin();
    cmd.args(["index", "build", "--data"]).arg(dir.join("iData.csv")).arg("--meta").arg(dir.join("iMeta.csv"));
    if let Some(p) = pipeline {
        std::fs::write(dir.join("p.toml"), p).unwrap();
        cmd.arg("--pipeline").arg(dir.join("p.toml"));
    }
    let o = cmd.arg("--out").arg(dir.join("out")).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn malformed_inputs_give_one_clear_error_each() {
    let cases: &[(&str, String, String, Option<&str>, &str)] = &[
        (
            "missing column",
            META.into(),
            DATA.replace(",c\n", "\n").replace(",3\n", "\n").replace(",6\n", "\n").replace(",9\n", "\n"),
            None,
            "indicator `c` is declared in iMeta but has no column",
        ),
        (
            "missing iMeta column",
            META.replace(",Weight", "").replace(",1,Indicator", ",Indicator").replace(",1,Aggregate", ",Aggregate"),
            DATA.into(),
            None,
            "iMeta.csv:1: missing column `Weight`",
        ),
        (
            "duplicate unit",
            META.into(),
            DATA.replace("Z,z", "X,z"),
            None,
            "iData.csv:4: column `uCode`: duplicate unit code `X` (first on line 2)",
        ),
        (
            "duplicate indicator",
            META.replace("c,C,1,Q", "a,C,1,Q"),
            DATA.into(),
            None,
            "iMeta.csv:4: column `iCode`: duplicate code `a`",
        ),
        (
            "ragged row",
            META.replace(",Weight", ""),
            DATA.into(),
            None,
            "iMeta.csv:2: the row has 7 cells but the header has 6 columns",
        ),
        (
            "text in numeric cell",
            META.into(),
            DATA.replace("4,-5", "4,n/d"),
            None,
            "iData.csv:3: column `b`: expected a number, found `n/d`",
        ),
        (
            "orphan indicator",
            META.replace("c,C,1,Q", "c,C,1,R"),
            DATA.into(),
            None,
            "iMeta.csv:4: column `Parent`: `c` has unknown parent `R`",
        ),
        (
            "orphan data column",
            META.into(),
            DATA.replace("uName,a,b,c", "uName,a,b,d"),
            None,
            "column `d`: column is not declared in iMeta",
        ),
        ("cycle", META.replace("P,P,2,I", "P,P,2,Q").replace("Q,Q,2,I", "Q,Q,2,P"), DATA.into(), None, "cycle"),
        (
            "empty aggregate",
            META.replace("c,C,1,Q", "c,C,1,P"),
            DATA.into(),
            None,
            "aggregate `Q` at level 2 has no children",
        ),
        (
            "negative under geometric mean",
            META.into(),
            DATA.into(),
            Some("[aggregate]\nmethod = \"geometric\"\n"),
            "aggregate: P: unit `Y` has b = -5: the geometric mean needs values > 0",
        ),
        (
            "unknown pipeline key",
            META.into(),
            DATA.into(),
            Some("[normalise]\nmethod = \"minmax\"\nrang = [0, 1]\n"),
            "p.toml:3: unknown field `rang`",
        ),
        (
            "unknown method",
            META.into(),
            DATA.into(),
            Some("[normalise]\nmethod = \"minmix\"\n"),
            "key `normalise.method`: unknown method `minmix`",
        ),
        (
            "bad reference unit",
            META.into(),
            DATA.into(),
            Some("[normalise]\nmethod = \"dist2ref\"\nreference = \"W\"\n"),
            "reference unit `W` is not among the units",
        ),
    ];
    for (name, meta, data, pipeline, expect) in cases {
        let (code, err) = run_case(&name.replace(' ', "-"), meta, data, *pipeline);
        assert_eq!(code, 2, "{name}: exit status, stderr: {err}");
        assert!(err.contains(expect), "{name}: expected `{expect}` in:\n{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one clear error, got:\n{err}");
    }
}

#[test]
fn zero_variance_under_zscore_is_a_documented_warning() {
    let data = "uCode,a,b,c\nX,1,2,3\nY,1,5,6\nZ,1,8,9\n";
    let (code, err) = run_case("zero-variance", META, data, Some("[normalise]\nmethod = \"zscore\"\n[aggregate]\n"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: normalise: a: the indicator is constant"), "{err}");
}

#[test]
fn missing_file_is_reported_with_its_path() {
    let o = bin()
        .args([
            "index",
            "build",
            "--data",
            "/nonexistent/iData.csv",
            "--meta",
            "/nonexistent/iMeta.csv",
            "--out",
            "/tmp/x",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/iMeta.csv: cannot read"));
}

/// `cantiere index uncertainty` on ASEM with the vignette's inputs.
fn uncertainty(out: &Path, inputs: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = asem("uncertainty");
    cmd.arg("--uncertain").arg(inputs).arg("--out").arg(out).args(extra);
    cmd.output().unwrap()
}

#[test]
fn uncertainty_writes_rank_statistics_and_sensitivity_reproducibly_whatever_the_threads() {
    let vignette = repo().join("examples/asem/uncertainty.toml");
    let args = ["--runs", "30", "--sensitivity", "--bootstrap", "50", "--seed", "7", "--unit", "AUT"];
    let one = tmp("ua-1-thread");
    let two = tmp("ua-2-threads");
    let o = asem("uncertainty")
        .env("RAYON_NUM_THREADS", "1")
        .arg("--uncertain")
        .arg(&vignette)
        .arg("--out")
        .arg(&one)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = uncertainty(&two, &vignette, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["rank_stats.csv", "score_stats.csv", "sample.csv", "sensitivity.csv", "sensitivity_AUT.csv"] {
        let (a, b) = (std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }

    let stats = read(&one.join("rank_stats.csv"));
    assert_eq!(stats[0], ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]);
    assert_eq!(stats.len(), 1 + 51);
    // Nominal ranks are those of the built index.
    let built = tmp("ua-build");
    assert!(asem("build").arg("--out").arg(&built).status().unwrap().success());
    let results = read(&built.join("results.csv"));
    let rank_col = results[0].iter().position(|h| h == "Index_Rank").unwrap();
    let nominal: std::collections::HashMap<&str, f64> =
        results[1..].iter().map(|r| (r[0].as_str(), num(&r[rank_col]))).collect();
    for row in &stats[1..] {
        assert_eq!(num(&row[1]), nominal[row[0].as_str()], "{}", row[0]);
        let [mean, median, q5, q95] = [2, 3, 4, 5].map(|i| num(&row[i]));
        // (The mean may fall outside the 5-95 % interval of a skewed distribution.)
        assert!(q5 <= median && median <= q95 && (1.0..=51.0).contains(&mean), "{row:?}");
        assert!((1.0..=51.0).contains(&q5) && (1.0..=51.0).contains(&q95), "{row:?}");
    }
    let sens = read(&one.join("sensitivity.csv"));
    assert_eq!(sens[0], ["Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]);
    let vars: Vec<&str> = sens[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(vars, ["Winmax", "Normalisation", "Weights", "Aggregation"]);
    for r in &sens[1..] {
        let [sti, lo, hi] = [2, 5, 6].map(|i| num(&r[i]));
        assert!(sti.is_finite() && lo <= hi, "{r:?}");
    }
    // N(d + 2) runs in the sample, with 1-based choices.
    let sample = read(&one.join("sample.csv"));
    assert_eq!(sample.len(), 1 + 30 * 6);
    let agg = sample[0].iter().position(|h| h == "Aggregation_choice").unwrap();
    assert!(sample[1..].iter().all(|r| r[agg] == "1" || r[agg] == "2"));

    // Another seed gives another sample.
    let three = tmp("ua-seed");
    let o = uncertainty(&three, &vignette, &["--runs", "30", "--seed", "8"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(read(&three.join("sample.csv"))[1], read(&one.join("sample.csv"))[1]);
    assert!(!three.join("sensitivity.csv").exists(), "no --sensitivity, no indices");
}

#[test]
fn bad_uncertain_inputs_are_refused_before_any_run() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "unknown address",
            "[[input]]\nname = \"X\"\naddress = \"treat.winmaxx\"\nvalues = [1, 2]\n",
            &[],
            "key `input[1].address`: input `X`: address `treat.winmaxx` names no parameter of [treat]",
        ),
        (
            "unknown step",
            "[[input]]\nname = \"X\"\naddress = \"weights\"\nvalues = [1, 2]\n",
            &[],
            "names no pipeline step",
        ),
        (
            "empty alternatives",
            "[[input]]\nname = \"X\"\naddress = \"treat.winmax\"\nvalues = []\n",
            &[],
            "the list of alternatives is empty",
        ),
        (
            "range upside down",
            "[[input]]\nname = \"X\"\naddress = \"screen.min_data\"\nrange = [0.9, 0.8]\n",
            &[],
            "expected lower < upper",
        ),
        (
            "bad alternative",
            "[[input]]\nname = \"N\"\naddress = \"normalise\"\nvalues = [{ method = \"minmax\" }, { method = \"nope\" }]\n",
            &[],
            "alternative 2",
        ),
        (
            "one input for sensitivity",
            "[[input]]\nname = \"X\"\naddress = \"treat.winmax\"\nvalues = [1, 2]\n",
            &["--sensitivity"],
            "at least 2 inputs",
        ),
        (
            "unknown key",
            "[[input]]\nname = \"X\"\naddres = \"treat.winmax\"\nvalues = [1, 2]\n",
            &[],
            "unknown_key.toml:3: unknown field `addres`",
        ),
        ("excluded aggregate", "[[input]]\nname = \"E\"\nexclude = [\"Conn\"]\n", &[], "not an indicator"),
        (
            "noise above the top",
            "[[input]]\nname = \"W\"\nnoise = [{ level = 9, factor = 0.2 }]\n",
            &[],
            "level 9 is not between 1 and 4",
        ),
        (
            "same name twice",
            "[[input]]\nname = \"X\"\naddress = \"treat.winmax\"\nvalues = [1]\n[[input]]\nname = \"X\"\naddress = \"treat.winmax\"\nvalues = [2]\n",
            &[],
            "used twice",
        ),
    ];
    let dir = tmp("ua-bad");
    for (name, text, extra, expected) in cases {
        let inputs = dir.join(format!("{}.toml", name.replace(' ', "_")));
        std::fs::write(&inputs, text).unwrap();
        let out = dir.join(name.replace(' ', "_"));
        let mut args = vec!["--runs", "10", "--seed", "1"];
        args.extend_from_slice(extra);
        let o = uncertainty(&out, &inputs, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(expected), "{name}: expected `{expected}` in: {err}");
        assert!(err.contains(inputs.to_str().unwrap()) || *extra == ["--sensitivity"], "{name}: no file named: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing is written before the inputs are valid");
    }
}

/// `cantiere index build` of COINr's ASEM example into `out`, with `extra` arguments.
fn build_into(out: &Path, extra: &[&str]) -> std::process::Output {
    asem("build").arg("--out").arg(out).args(extra).output().unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn write_chooses_the_tables_and_each_is_the_same_bytes() {
    let all = tmp("all");
    assert!(build_into(&all, &[]).status.success());
    assert_eq!(
        files(&all),
        [
            "Aggregated.csv",
            "Denominated.csv",
            "Imputed.csv",
            "Normalised.csv",
            "Raw.csv",
            "Screened.csv",
            "Treated.csv",
            "results.csv",
            "treatment.csv"
        ]
    );
    let some = tmp("some");
    let o = build_into(&some, &["--write", "results,Normalised"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&some), ["Normalised.csv", "results.csv"]);
    for f in ["Normalised.csv", "results.csv"] {
        assert_eq!(std::fs::read(some.join(f)).unwrap(), std::fs::read(all.join(f)).unwrap(), "{f}");
    }
    let o = build_into(&tmp("bad"), &["--write", "scores"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`scores` is not a table"));
}

#[test]
fn the_workbook_holds_the_tables_of_the_csv_files() {
    let (csv, xlsx) = (tmp("csv"), tmp("xlsx"));
    assert!(build_into(&csv, &["--write", "raw,aggregated,results"]).status.success());
    let o = build_into(&xlsx, &["--write", "raw,aggregated,results", "--format", "xlsx"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&xlsx), ["index.xlsx"]);
    // The first sheet (Raw) read back as a table equals Raw.csv, cell by cell.
    let sheet = Table::read(&xlsx.join("index.xlsx")).unwrap();
    let file = Table::read(&csv.join("Raw.csv")).unwrap();
    assert_eq!(sheet.headers, file.headers);
    assert_eq!(sheet.rows.len(), file.rows.len());
    for ((_, a), (_, b)) in sheet.rows.iter().zip(&file.rows) {
        assert_eq!(a, b);
    }
}

/// A build on `data` with a two-indicator iMeta; the error printed.
fn refused(name: &str, data: &[u8]) -> String {
    let dir = tmp(name);
    std::fs::write(
        dir.join("iMeta.csv"),
        "iCode,Level,Parent,Direction,Weight,Type\na,1,I,1,1,Indicator\nb,1,I,1,1,Indicator\nI,2,,1,1,Aggregate\n",
    )
    .unwrap();
    std::fs::write(dir.join("iData.csv"), data).unwrap();
    let o = bin()
        .args(["index", "build", "--data"])
        .arg(dir.join("iData.csv"))
        .arg("--meta")
        .arg(dir.join("iMeta.csv"))
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "refused with status 2");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn inputs_no_reader_should_hold_are_refused_first() {
    // A header of a million columns.
    let mut wide = String::from("uCode,a,b");
    for i in 0..1_000_000 {
        wide.push_str(&format!(",x{i}"));
    }
    wide.push_str("\nX,1,2\n");
    let e = refused("wide", wide.as_bytes());
    assert!(e.contains("iData.csv:1: the header has 1000003 columns: at most 100000"), "{e}");
    // One record longer than 64 MiB (a file that is one huge line).
    let mut long = b"uCode,a,b\nX,1,".to_vec();
    long.resize(long.len() + (65 << 20), b'9');
    let e = refused("long", &long);
    assert!(e.contains("iData.csv:2: a record longer than 64 MiB"), "{e}");
    // A bad cell on the last line of a file read in several blocks.
    let mut rows = String::from("uCode,a,b\n");
    let n = 600_000;
    for u in 0..n {
        rows.push_str(&format!("U{u},{}.25,{}\n", u % 97, u % 89));
    }
    rows.push_str("LAST,1,n/d\n");
    let e = refused("last", rows.as_bytes());
    assert!(e.contains(&format!("iData.csv:{}: column `b`: expected a number, found `n/d`", n + 2)), "{e}");
}
