//! The whole country: registry packages, every PA digitale file, matching,
//! indicators, the index, groups, peers and areas, timed phase by phase.
//!
//! cargo bench -p cantiere-territory --bench country [-- REPETITIONS]
//! (registry: $CANTIERE_REGISTRY or .cache/registry; PA digitale:
//! $CANTIERE_SHARED/data/padigitale2026 or ../shared/data/padigitale2026)

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cantiere_territory::registry::Registry;
use cantiere_territory::{IndexFiles, Packages, Settings, Sources, padigitale, score};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn stats(name: &str, mut t: Vec<Duration>) {
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{name:<40} best {:>8.1} ms   median {:>8.1} ms", ms(t[0]), ms(t[t.len() / 2]));
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let registry_dir =
        std::env::var_os("CANTIERE_REGISTRY").map(PathBuf::from).unwrap_or_else(|| root.join(".cache/registry"));
    let shared = std::env::var_os("CANTIERE_SHARED").map(PathBuf::from).unwrap_or_else(|| root.join("../shared"));
    let padigitale_dir = shared.join("data/padigitale2026");
    let files = IndexFiles::load(&root.join("indices/itd/v1")).expect("definition");
    let reps: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    println!("whole country, {reps} repetitions, {} threads", rayon::current_num_threads());

    let (mut t_reg, mut t_imp, mut t_match, mut t_score, mut t_pipeline, mut t_all) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut rows = 0;
    let mut units = 0;
    for _ in 0..reps {
        let start = Instant::now();
        let registry = Registry::load(&Packages::open(&registry_dir).unwrap(), 2023).unwrap();
        let loaded = Instant::now();
        let import = padigitale::import_dir(&padigitale_dir).unwrap();
        let imported = Instant::now();
        let sources = Sources::new(registry, import);
        let matched = Instant::now();
        let scored = score(&sources, &files, &Settings::default()).unwrap();
        let done = Instant::now();
        rows = sources.import.applications.len();
        units = scored.indicators.units.len();
        t_reg.push(loaded - start);
        t_imp.push(imported - loaded);
        t_match.push(matched - imported);
        t_score.push(done - matched);
        t_pipeline.push(done - loaded);
        t_all.push(done - start);
    }
    println!("{rows} applications, {units} municipalities");
    stats("registry (wheels: list, history, geo, pop)", t_reg);
    stats("PA digitale import (7 files)", t_imp);
    stats("matching", t_match);
    stats("indicators + index + groups + peers", t_score);
    stats("import + match + score (target < 2 s)", t_pipeline);
    stats("everything, registry included", t_all);

    let sources = Sources::load(&registry_dir, &padigitale_dir, 2023).unwrap();
    for runs in [100] {
        let settings = Settings { runs, ..Settings::default() };
        let mut t = vec![];
        for _ in 0..reps.min(3) {
            let s = Instant::now();
            score(&sources, &files, &settings).unwrap();
            t.push(s.elapsed());
        }
        stats(&format!("score with group stability, {runs} runs"), t);
    }
}
