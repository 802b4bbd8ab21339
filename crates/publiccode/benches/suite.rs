//! Validates all 334 files of the reference suite in-process, one thread, file checks on (as the
//! reference's own run): the reference takes 105–112 ms here. Files are read once beforehand.
//!
//! `cargo bench -p cantiere-publiccode --bench suite`

use std::path::{Path, PathBuf};
use std::time::Instant;

use cantiere_publiccode::{IpaCodes, Options, validate_at};

// As in the `cantiere` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/publiccode");
    let manifest = std::fs::read_to_string(corpus.join("manifest.tsv")).expect("manifest.tsv");
    let files: Vec<(PathBuf, Vec<u8>)> = manifest
        .lines()
        .skip(1)
        .map(|line| {
            let path = corpus.join(line.split('\t').next().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            (path.parent().unwrap().to_path_buf(), bytes)
        })
        .collect();
    let ipa = IpaCodes::from_path(&corpus.join("../../data/padigitale2026")).unwrap();
    let options = Options { ipa, ..Options::default() };
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();

    let mut times = Vec::new();
    let mut errors = 0;
    for _ in 0..30 {
        let start = Instant::now();
        errors = 0;
        for (dir, data) in &files {
            let report = validate_at(data, &options, Some(dir));
            errors += usize::from(!report.is_valid());
        }
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("1 thread", &mut times, &files, bytes, errors);

    use rayon::prelude::*;
    let mut times = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        errors = files.par_iter().filter(|(dir, data)| !validate_at(data, &options, Some(dir)).is_valid()).count();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report(&format!("{} threads", rayon::current_num_threads()), &mut times, &files, bytes, errors);
    wide_mappings();
}

/// A hostile file: 150,000 keys in one mapping, once all distinct and once with a duplicate last
/// (the duplicate-key check used to be quadratic: 29 s; target < 0.5 s).
fn wide_mappings() {
    let mut doc = String::from("publiccodeYmlVersion: \"0\"\n");
    for i in 0..150_000 {
        doc.push_str(&format!("k{i}: v\n"));
    }
    let mut dup = doc.clone();
    dup.push_str("k1: again\n");
    for (label, text) in [("distinct", &doc), ("duplicate last", &dup)] {
        let start = Instant::now();
        let report = validate_at(text.as_bytes(), &Options::default(), None);
        println!(
            "150,000 keys, {label}: {:.1} ms ({} KiB, {} diagnostics)",
            start.elapsed().as_secs_f64() * 1e3,
            text.len() / 1024,
            report.diagnostics.len()
        );
    }
}

fn report(label: &str, times: &mut [f64], files: &[(PathBuf, Vec<u8>)], bytes: usize, errors: usize) {
    times.sort_by(f64::total_cmp);
    println!(
        "suite, {label}: {} files ({} KiB), {errors} invalid; best {:.2} ms, median {:.2} ms ({:.1} µs per file)",
        files.len(),
        bytes / 1024,
        times[0],
        times[times.len() / 2],
        times[times.len() / 2] * 1e3 / files.len() as f64
    );
}
