//! The command as an operator meets it: absurd counts refused before any
//! work, a closed pipe ending a command quietly, and a running server that
//! follows what other commands change in its database and stops on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cantiere"));
    c.current_dir(root());
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cantiere-ops-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn asem() -> (PathBuf, PathBuf) {
    let shared = std::env::var_os("CANTIERE_SHARED").map_or_else(|| root().join("../shared"), PathBuf::from);
    let input = shared.join("reference/coinr-asem/input");
    (input.join("ASEM_iData.csv"), input.join("ASEM_iMeta.csv"))
}

/// Runs the command; (exit status, stderr).
fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn absurd_counts_are_refused_before_any_work() {
    let (data, meta) = asem();
    let dir = tmp("counts");
    let vignette = root().join("examples/asem/uncertainty.toml");
    let pipeline = root().join("examples/asem/pipeline.toml");
    let uncertainty = |extra: &[&str], inputs: &Path| {
        let mut c = bin();
        c.args(["index", "uncertainty", "--data"]).arg(&data).arg("--meta").arg(&meta);
        c.arg("--pipeline").arg(&pipeline).arg("--uncertain").arg(inputs).arg("--out").arg(dir.join("out"));
        c.args(["--seed", "1"]).args(extra);
        run(&mut c)
    };
    let (code, err) = uncertainty(&["--runs", "1000000000000"], &vignette);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected at most 10000000 runs"), "{err}");
    let (code, err) = uncertainty(&["--runs", "100", "--sensitivity", "--bootstrap", "1000000000000"], &vignette);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 100000 bootstrap resamples"), "{err}");
    let (code, err) = uncertainty(&["--runs", "9000000", "--sensitivity"], &vignette);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("GiB") && err.contains("fewer runs"), "the memory estimate refuses it: {err}");
    let sets = dir.join("sets.toml");
    std::fs::write(&sets, "[[input]]\nname = \"W\"\nnoise = [{ level = 2, factor = 0.2 }]\nsets = 1000000000\n")
        .unwrap();
    let (code, err) = uncertainty(&["--runs", "10"], &sets);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sets.toml") && err.contains("at most 100000 weight sets"), "{err}");
    assert!(!dir.join("out").exists(), "nothing written");
    let db = format!("sqlite://{}", dir.join("c.sqlite").display());
    let (code, err) = run(bin().args(["import", "--database", &db, "--peers", "100000"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--peers") && err.contains("expected 1 to 100 peers"), "{err}");
    let (code, err) = run(bin().args(["import", "--database", &db, "--runs", "1000000000"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 10000 runs"), "{err}");
    assert!(!dir.join("c.sqlite").exists(), "refused before the database is opened");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let (data, meta) = asem();
    let out = tmp("pipe");
    let mut child = bin()
        .args(["index", "uncertainty", "--data"])
        .arg(&data)
        .arg("--meta")
        .arg(&meta)
        .arg("--pipeline")
        .arg(root().join("examples/asem/pipeline.toml"))
        .arg("--uncertain")
        .arg(root().join("examples/asem/uncertainty.toml"))
        .args(["--runs", "20", "--seed", "1", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader is gone before the first line.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.join("rank_stats.csv").is_file(), "the files were written before the summary");
}

/// An HTTP GET on loopback: (status, body).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()))
}

/// Polls `check` every 200 ms for up to `secs` seconds.
fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn a_running_server_follows_the_database_and_stops_on_sigterm() {
    let dir = tmp("serve");
    let db = format!("sqlite://{}", dir.join("c.sqlite").display());
    let import = |region: &str| run(bin().args(["import", "--database", &db, "--region", region]));
    let (code, err) = import("Umbria");
    assert_eq!(code, 0, "{err}");
    // The pages' stylesheet and charts are not what this test is about: two empty files stand for the packages.
    let assets = dir.join("node_modules");
    for f in ["bootstrap-italia/dist/css/bootstrap-italia.min.css", "echarts/dist/echarts.min.js"] {
        std::fs::create_dir_all(assets.join(f).parent().unwrap()).unwrap();
        std::fs::write(assets.join(f), "").unwrap();
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = bin()
        .args(["serve", "--database", &db, "--addr", &format!("127.0.0.1:{port}"), "--assets"])
        .arg(&assets)
        .arg("--mail-dir")
        .arg(dir.join("mail"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run_id = || {
        let (_, body) = get(port, "/api/v1/run")?;
        serde_json::from_str::<serde_json::Value>(&body).ok().map(|v| v["run"].clone())
    };
    assert!(eventually(120, || run_id().is_some()), "the server answers");
    let first = run_id().unwrap();
    let communities = || get(port, "/api/v1/communities").map(|(_, b)| b).unwrap_or_default();
    assert!(!communities().contains("open-data"), "no community yet");

    // Another command changes the database: the server follows without a restart.
    let f = |n: &str| root().join("fixtures/communities").join(n);
    let (code, err) = run(bin()
        .args(["community", "import", "--database", &db, "--areas"])
        .arg(f("areas.csv"))
        .arg("--communities")
        .arg(f("communities.csv")));
    assert_eq!(code, 0, "{err}");
    assert!(eventually(30, || communities().contains("open-data")), "new communities are served");
    let (code, err) = import("Marche");
    assert_eq!(code, 0, "{err}");
    assert!(
        eventually(120, || run_id().is_some_and(|r| r["id"] != first["id"] && r["territory"] != first["territory"])),
        "the new run is served: {:?} then {:?}",
        first,
        run_id()
    );

    // SIGTERM: the server stops by itself.
    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    assert!(eventually(10, || server.try_wait().unwrap().is_some()), "stopped after SIGTERM");
    let mut err = String::new();
    server.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(err.contains("now serving run 2") && err.contains("stopping"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
