//! `cantiere index build` as users run it: what `--write` chooses, the
//! workbook of `--format xlsx` against the CSV files, and inputs refused
//! before they are held (a header of a million columns, a record longer than
//! the reader takes, a bad cell on the last line of a long file).

use std::path::{Path, PathBuf};
use std::process::Command;

use cantiere_index::Table;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn input() -> PathBuf {
    match std::env::var_os("CANTIERE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => repo().join("../shared"),
    }
    .join("reference/coinr-asem/input")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cantiere-index-io-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `cantiere index build` of COINr's ASEM example into `out`, with `extra` arguments.
fn asem(out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cantiere"))
        .args(["index", "build", "--data"])
        .arg(input().join("ASEM_iData.csv"))
        .arg("--meta")
        .arg(input().join("ASEM_iMeta.csv"))
        .arg("--pipeline")
        .arg(repo().join("examples/asem/pipeline.toml"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
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
    assert!(asem(&all, &[]).status.success());
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
    let o = asem(&some, &["--write", "results,Normalised"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&some), ["Normalised.csv", "results.csv"]);
    for f in ["Normalised.csv", "results.csv"] {
        assert_eq!(std::fs::read(some.join(f)).unwrap(), std::fs::read(all.join(f)).unwrap(), "{f}");
    }
    let o = asem(&tmp("bad"), &["--write", "scores"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`scores` is not a table"));
}

#[test]
fn the_workbook_holds_the_tables_of_the_csv_files() {
    let (csv, xlsx) = (tmp("csv"), tmp("xlsx"));
    assert!(asem(&csv, &["--write", "raw,aggregated,results"]).status.success());
    let o = asem(&xlsx, &["--write", "raw,aggregated,results", "--format", "xlsx"]);
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
    let o = Command::new(env!("CARGO_BIN_EXE_cantiere"))
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
