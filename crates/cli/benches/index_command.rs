//! The index commands as a user runs them: the whole `cantiere` process,
//! timed from outside with `/usr/bin/time` (wall time and peak resident
//! memory), on the synthetic data of `crates/index/benches/common` written as
//! CSV files: `index build` at 8,000, 10,000, 100,000 and 300,000 units × 131
//! indicators writing every data set and only the results, and `index
//! uncertainty` of 1,000 runs (COINr's vignette inputs) at 100,000 units.
//! The targets of issue 18 are printed beside each figure, with COINr's own
//! times measured on this machine (COINr 1.1.14, Rscript, same CSV inputs).
//!
//! `cargo bench -p cantiere-cli --bench index_command [-- --quick | --inputs N DIR]`

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../index/benches/common/mod.rs"]
#[allow(dead_code)]
mod common;

/// Wall seconds and peak RSS (bytes) of one run of `cantiere args…`,
/// started once the writes of the runs before it are on disk (`sync`): a
/// run is timed with its own writes, not the tail of another's.
fn run(args: &[&str]) -> (f64, u64) {
    let _ = Command::new("sync").status();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(env!("CARGO_BIN_EXE_cantiere"))
        .args(args)
        .output()
        .expect("/usr/bin/time runs (Debian's package `time`)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cantiere {args:?} failed: {stderr}");
    let last = stderr.lines().last().unwrap_or("");
    let mut it = last.split_whitespace();
    let secs: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let kib: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (secs, kib * 1024)
}

/// The best of `times` runs (the first warms the page cache).
fn best(times: usize, args: &[&str]) -> (f64, u64) {
    let mut out = (f64::INFINITY, 0);
    for _ in 0..times {
        let (t, m) = run(args);
        if t < out.0 {
            out = (t, m);
        }
    }
    out
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// `index <command>` on the inputs in `dir`, writing to `out`, then `extra`.
fn index_args(command: &str, dir: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["index".to_string(), command.to_string()];
    for (flag, file) in [("--data", "iData.csv"), ("--meta", "iMeta.csv"), ("--pipeline", "pipeline.toml")] {
        args.extend([flag.to_string(), path(&dir.join(file)).to_string()]);
    }
    args.extend(["--out".to_string(), path(out).to_string()]);
    args.extend(extra.iter().map(|e| e.to_string()));
    args
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--inputs") {
        // Only write the inputs of N units into DIR (to run or profile by hand).
        let (n, dir) = (args[i + 1].parse().expect("--inputs N DIR"), PathBuf::from(&args[i + 2]));
        common::write_inputs(n, &dir);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scratch: PathBuf = std::env::temp_dir().join(format!("cantiere-bench-index-{}", std::process::id()));
    let sizes: &[usize] = if quick { &[8_000, 10_000] } else { &[8_000, 10_000, 100_000, 300_000] };
    // COINr 1.1.14 on this machine, whole Rscript process (issue 18).
    let coinr = |n: usize| match n {
        8_000 => Some(8.7),
        100_000 => Some(125.7),
        _ => None,
    };
    let target = |n: usize, results_only: bool| match (n, results_only) {
        (8_000, false) => "< 0.12 s",
        (8_000, true) => "< 0.05 s",
        (100_000, false) => "< 1.5 s",
        (100_000, true) => "< 0.5 s",
        (300_000, false) => "< 5 s",
        _ => "",
    };
    println!("| command | units × 131 | writes | wall | peak RSS | RSS / input matrix | target | COINr |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut all_times = Vec::new();
    for &n in sizes {
        let dir = scratch.join(n.to_string());
        common::write_inputs(n, &dir);
        let matrix = (n * 131 * 8) as f64;
        for results_only in [false, true] {
            let out = dir.join(if results_only { "out-results" } else { "out-all" });
            let write = if results_only { "results" } else { "all" };
            let args = index_args("build", &dir, &out, &["--write", write]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (t, rss) = best(if n >= 300_000 { 2 } else { 3 }, &args);
            if !results_only {
                all_times.push((n, t));
            }
            let vs = coinr(n).filter(|_| !results_only).map_or(String::new(), |c| format!("{c} s ({:.0}×)", c / t));
            println!(
                "| index build | {n} | {write} | {t:.3} s | {:.0} MB | {:.2}× | {} | {vs} |",
                rss as f64 / 1e6,
                rss as f64 / matrix,
                target(n, results_only)
            );
        }
        if n == 100_000 && !quick {
            let out = dir.join("out-uncertainty");
            let inputs = root.join("examples/asem/uncertainty.toml");
            let extra = ["--uncertain", path(&inputs), "--runs", "1000", "--seed", "1"];
            let args = index_args("uncertainty", &dir, &out, &extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (t, rss) = best(1, &args);
            println!(
                "| index uncertainty, 1,000 runs | {n} | rank and score statistics | {t:.2} s | {:.0} MB | {:.2}× | < 10 s | |",
                rss as f64 / 1e6,
                rss as f64 / matrix
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let at = |n: usize| all_times.iter().find(|(m, _)| *m == n).map(|(_, t)| *t);
    if let (Some(small), Some(large)) = (at(10_000), at(300_000)) {
        println!("\nscaling: 300,000 units take {:.1}× the time of 10,000 (linear: 30×; target < 40×)", large / small);
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
