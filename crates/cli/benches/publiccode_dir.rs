//! `cantiere publiccode validate DIR` on 10,000 files: variants of the reference suite's valid
//! files (renamed, so every file differs), written to a scratch folder, validated through the
//! release binary (process start, folder walk, iPA list loading and output included).
//!
//! The same folder is then ingested into the catalog (`cantiere catalog ingest`, a fresh SQLite
//! database each time: validation, file checks included, and one transaction of 10,000 rows), then
//! ingested again (every file unchanged).
//!
//! `cargo bench -p cantiere-cli --bench publiccode_dir`

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/publiccode/testdata/v0");
    let mut seeds = Vec::new();
    for dir in ["valid", "valid_with_warnings"] {
        for entry in std::fs::read_dir(testdata.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml") {
                seeds.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    seeds.sort();
    let dir = std::env::temp_dir().join(format!("cantiere-bench-publiccode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let n = 10_000;
    for i in 0..n {
        let seed = &seeds[i % seeds.len()];
        let text = seed.replacen("\nname: ", &format!("\nname: Variant {i} of "), 1);
        std::fs::write(dir.join(format!("{i:05}.yml")), text).unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_cantiere"))
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .args(["publiccode", "validate", "--no-file-checks", "--format", "json"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1), "{status}");
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "cli: {n} files from a folder: best {:.3} s, median {:.3} s ({:.0} files/s)",
        times[0],
        times[2],
        n as f64 / times[2]
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ingest = |db: &Path| {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_cantiere"))
            .current_dir(&root)
            .args(["catalog", "ingest", "--database", &format!("sqlite://{}", db.display())])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{status}");
        start.elapsed().as_secs_f64()
    };
    let (mut fresh, mut again) = (Vec::new(), Vec::new());
    for run in 0..5 {
        let db = std::env::temp_dir().join(format!("cantiere-bench-catalog-{}-{run}.sqlite", std::process::id()));
        fresh.push(ingest(&db));
        again.push(ingest(&db));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    for (name, mut t) in [("catalog ingest, new database", fresh), ("catalog ingest, unchanged", again)] {
        t.sort_by(f64::total_cmp);
        println!("{name}: {n} files: best {:.3} s, median {:.3} s ({:.0} files/s)", t[0], t[2], n as f64 / t[2]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
