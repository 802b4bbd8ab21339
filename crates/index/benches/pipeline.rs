//! Benchmark of the whole pipeline: COINr's ASEM example, and synthetic data
//! of 1,000 / 8,000 / 100,000 units × 131 indicators (3 aggregation levels,
//! 3 % missing), with the ASEM pipeline (group-mean imputation, screening,
//! default treatment, min-max, arithmetic mean).
//!
//! Run with `cargo bench -p cantiere-index --bench pipeline`. Prints the best
//! and median wall time of several runs and the peak resident memory against
//! the size of the input matrix.

use std::alloc::{GlobalAlloc, Layout};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cantiere_index::{Pipeline, read_inputs};

mod common;
use common::{peak_rss_bytes, synthetic};

// mimalloc as the `cantiere` binary (see crates/cli/src/main.rs), wrapped to
// count live heap bytes: the peak of what the pipeline holds, independent of
// how much freed memory the allocator keeps resident.
#[global_allocator]
static ALLOCATOR: Counting = Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counting;

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to mimalloc; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
}

fn time(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    (t[0], t[t.len() / 2])
}

/// One synthetic size, in a child process: time, and peak resident memory
/// against the size of the input matrix.
fn run_size(n: usize, pipeline: &Pipeline) {
    let runs = if n >= 100_000 { 5 } else { 10 };
    let rss_start = peak_rss_bytes().unwrap_or(0);
    let heap_start = LIVE.load(Ordering::Relaxed);
    let (u, fw, raw) = synthetic(n);
    // Memory of one build (later runs would add the allocator's per-thread
    // caches of freed blocks, which are reused, not leaked).
    std::hint::black_box(pipeline.run(&u, &fw, &raw).unwrap());
    let rss = peak_rss_bytes().unwrap_or(0).saturating_sub(rss_start) as f64;
    let heap = PEAK.load(Ordering::Relaxed).saturating_sub(heap_start) as f64;
    let (best, med) = time(runs, || {
        std::hint::black_box(pipeline.run(&u, &fw, &raw).unwrap());
    });
    let input = (n * 131 * 8) as f64;
    println!(
        "| synthetic, 3 levels, 3 % missing | {n} × 131 | {best:.2?} | {med:.2?} | {runs} | heap {:.2}× / RSS {:.2}× the {:.1} MB input (input included) |",
        heap / input,
        rss / input,
        input / 1e6,
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("CANTIERE_SHARED").map(Into::into).unwrap_or_else(|| root.join("../shared"));
    let pipeline = Pipeline::from_file(&root.join("examples/asem/pipeline.toml")).unwrap();
    let synthetic_pipeline = Pipeline::from_toml("synthetic", common::PIPELINE, None).unwrap();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--size") {
        run_size(args[i + 1].parse().unwrap(), &synthetic_pipeline);
        return;
    }
    println!("| data | units × indicators | best | median | runs | memory |");
    println!("|---|---|---|---|---|---|");
    let input = shared.join("reference/coinr-asem/input");
    if let Ok((u, fw, raw)) = read_inputs(&input.join("ASEM_iData.csv"), &input.join("ASEM_iMeta.csv")) {
        let (best, med) = time(200, || {
            std::hint::black_box(pipeline.run(&u, &fw, &raw).unwrap());
        });
        println!("| ASEM (COINr example) | 51 × 49 | {best:.2?} | {med:.2?} | 200 |");
    } else {
        println!("| ASEM | skipped: {} not found | | | |", input.display());
    }
    // Each synthetic size runs in its own process so that its peak memory is its own.
    let exe = std::env::current_exe().unwrap();
    for n in [1_000usize, 8_000, 100_000] {
        let out = std::process::Command::new(&exe).arg("--size").arg(n.to_string()).output().unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}
