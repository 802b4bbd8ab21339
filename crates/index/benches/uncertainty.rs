//! Benchmark of the uncertainty and sensitivity analysis with the inputs of
//! COINr's vignette (winsorisation limit, normalisation, noisy weights,
//! aggregation; `examples/asem/uncertainty.toml`):
//!
//! - ASEM, sensitivity analysis with N = 100 (600 runs) and 100 bootstrap
//!   resamples (COINr: 68–76 s on this 2-core machine; target < 0.15 s);
//! - uncertainty analysis, 1,000 runs, on synthetic data of 8,000 and
//!   100,000 units × 131 indicators (target < 60 s and < 4 GB for the latter).
//!
//! Run with `cargo bench -p cantiere-index --bench uncertainty`; each
//! synthetic size runs in its own process so that its peak memory is its own.

use std::path::Path;
use std::time::{Duration, Instant};

use cantiere_index::read_inputs;
use cantiere_index::uncertainty::{Analysis, Inputs, PipelineSource, Settings};

mod common;
use common::{peak_rss_bytes, synthetic};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("CANTIERE_SHARED").map(Into::into).unwrap_or_else(|| root.join("../shared"));
    let vignette = root.join("examples/asem/uncertainty.toml");
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--size") {
        let n: usize = args[i + 1].parse().unwrap();
        let runs = 1000;
        let (units, fw, raw) = synthetic(n);
        let pipeline = PipelineSource::from_toml("synthetic", common::PIPELINE, None).unwrap();
        let inputs = Inputs::from_file(&vignette, &pipeline, &fw, 1).unwrap();
        let analysis =
            Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
        let settings = Settings { runs, seed: 1, ..Settings::default() };
        let start = Instant::now();
        let out = analysis.run(&settings, &|_, _| {}).unwrap();
        let t = start.elapsed();
        println!(
            "| uncertainty, synthetic | {n} × 131 | {runs} | {:.2?} | {:.2?} | {} failed runs | peak RSS {:.2} GB |",
            t,
            t / runs as u32,
            out.failed.len(),
            peak_rss_bytes().unwrap_or(0) as f64 / 1e9
        );
        return;
    }
    println!("| analysis | units × indicators | runs | time | per run | notes | memory |");
    println!("|---|---|---|---|---|---|---|");
    let input = shared.join("reference/coinr-asem/input");
    match read_inputs(&input.join("ASEM_iData.csv"), &input.join("ASEM_iMeta.csv")) {
        Ok((units, fw, raw)) => {
            let pipeline = PipelineSource::from_file(&root.join("examples/asem/pipeline.toml")).unwrap();
            let inputs = Inputs::from_file(&vignette, &pipeline, &fw, 2024).unwrap();
            let analysis =
                Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
            let settings = Settings { runs: 100, sensitivity: true, bootstrap: 100, seed: 2024, ..Settings::default() };
            let mut times: Vec<Duration> = (0..20)
                .map(|_| {
                    let s = Instant::now();
                    std::hint::black_box(analysis.run(&settings, &|_, _| {}).unwrap());
                    s.elapsed()
                })
                .collect();
            times.sort();
            println!(
                "| sensitivity N = 100, bootstrap 100, ASEM | 51 × 49 | 600 | best {:.2?}, median {:.2?} | {:.2?} | COINr 68–76 s | |",
                times[0],
                times[10],
                times[10] / 600
            );
        }
        Err(_) => println!("| ASEM | skipped: {} not found | | | | | |", input.display()),
    }
    let exe = std::env::current_exe().unwrap();
    for n in [8_000usize, 100_000] {
        let out = std::process::Command::new(&exe).arg("--size").arg(n.to_string()).output().unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}
