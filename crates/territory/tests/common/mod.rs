//! Where the real data is: the registry packages fetched by
//! scripts/fetch-registry.sh and the shared PA digitale folder.

// Each test binary uses some of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The registry packages: $CANTIERE_REGISTRY, else .cache/registry.
pub fn registry() -> PathBuf {
    let dir =
        std::env::var_os("CANTIERE_REGISTRY").map(PathBuf::from).unwrap_or_else(|| workspace().join(".cache/registry"));
    assert!(dir.is_dir(), "registry packages not found at {}: run scripts/fetch-registry.sh", dir.display());
    dir
}

/// The PA digitale folder: $CANTIERE_SHARED/data/padigitale2026, else ../shared/….
pub fn padigitale() -> PathBuf {
    let shared =
        std::env::var_os("CANTIERE_SHARED").map(PathBuf::from).unwrap_or_else(|| workspace().join("../shared"));
    let dir = shared.join("data/padigitale2026");
    assert!(dir.is_dir(), "PA digitale data not found at {} (set CANTIERE_SHARED)", dir.display());
    dir
}

/// The index definition of the repository.
pub fn definition() -> PathBuf {
    workspace().join("indices/itd/v1")
}

/// The ANPR folder: $CANTIERE_SHARED/data/anpr, else ../shared/….
pub fn anpr() -> PathBuf {
    let shared =
        std::env::var_os("CANTIERE_SHARED").map(PathBuf::from).unwrap_or_else(|| workspace().join("../shared"));
    shared.join("data/anpr")
}
