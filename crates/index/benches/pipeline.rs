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

use cantiere_index::{Column, DataSet, Framework, Pipeline, Table, Units, read_inputs};

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

fn splitmix(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// 131 indicators in 20 pillars, 4 sub-indices, 1 index; a group column with
/// 5 groups; a third of the indicators heavily skewed (so treatment works).
fn synthetic(n: usize) -> (Units, Framework, DataSet) {
    let k = 131;
    let mut meta = String::from("iCode,Level,Parent,Direction,Weight,Type\n");
    for i in 0..k {
        let dir = if i % 7 == 0 { -1 } else { 1 };
        meta.push_str(&format!("i{i},1,P{},{dir},1,Indicator\n", i % 20));
    }
    for p in 0..20 {
        meta.push_str(&format!("P{p},2,S{},1,1,Aggregate\n", p % 4));
    }
    for s in 0..4 {
        meta.push_str(&format!("S{s},3,Index,1,1,Aggregate\n"));
    }
    meta.push_str("Index,4,,1,1,Aggregate\nregion,,,,,Group\n");
    let fw = Framework::from_table(&Table::from_csv("synthetic iMeta", meta.as_bytes()).unwrap()).unwrap();
    let mut state = 42u64;
    let units: Vec<String> = (0..n).map(|u| format!("U{u:06}")).collect();
    // Columns go straight into shared slices: no transient copy of the input.
    let columns: Vec<Column> = (0..k)
        .map(|i| {
            (0..n)
                .map(|_| {
                    if splitmix(&mut state) < 0.03 {
                        f64::NAN
                    } else if i % 3 == 0 {
                        (4.0 * splitmix(&mut state)).exp()
                    } else {
                        100.0 * splitmix(&mut state)
                    }
                })
                .collect::<Column>()
        })
        .collect();
    let groups = (0..n).map(|u| Some(format!("G{}", u % 5))).collect();
    let codes = fw.indicator_codes();
    let u = Units {
        codes: units.clone(),
        names: units.clone(),
        groups: vec![("region".into(), groups)],
        denominators: vec![],
    };
    (u, fw, DataSet::from_shared("Raw", units.into(), codes, columns))
}

fn peak_rss_bytes() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<usize>().ok()? * 1024)
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
    let synthetic_pipeline = Pipeline::from_toml(
        "synthetic",
        "[impute]\nmethod = \"mean_group\"\ngroup = \"region\"\n[screen]\nmin_data = 0.9\n[treat]\nwinmax = 5\n\
         [normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n[aggregate]\n",
        None,
    )
    .unwrap();
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
