//! What the web test binaries share: the repository root and a region's
//! run built from the real data.
#![allow(dead_code)]

use std::path::PathBuf;

use cantiere_store::Snapshot;
use cantiere_territory::registry::AreaShapes;
use cantiere_territory::{IndexFiles, Packages, Settings, Sources, Territory, score};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The index of one region's municipalities (10 uncertainty runs).
pub fn snapshot(region: &str) -> Snapshot {
    let registry =
        std::env::var_os("CANTIERE_REGISTRY").map(PathBuf::from).unwrap_or_else(|| root().join(".cache/registry"));
    let shared = std::env::var_os("CANTIERE_SHARED").map(PathBuf::from).unwrap_or_else(|| root().join("../shared"));
    let sources = Sources::load(&registry, &shared.join("data/padigitale2026"), 2023).expect("real sources");
    let files = IndexFiles::load(&root().join("indices/itd/v1")).unwrap();
    let settings = Settings { territory: Territory::Region(region.into()), runs: 10, ..Settings::default() };
    let scored = score(&sources, &files, &settings).unwrap();
    let shapes = AreaShapes::load(&Packages::open(&registry).unwrap(), 2023).unwrap();
    Snapshot::from_scored(&sources, &files, &settings, &scored, Some(&shapes))
}
