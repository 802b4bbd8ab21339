//! What the store's test binaries share, and the web's too (through
//! `#[path]`): the repository root, a real region's run, and the databases
//! the store tests run on.
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
    cantiere_territory::stored::snapshot(&sources, &files, &settings, &scored, Some(&shapes))
}

/// Fresh databases named `purpose` (one per test, so that tests running
/// side by side never see each other's rows): a new SQLite file, and a new
/// PostgreSQL database on the server `DATABASE_URL` names, when it is set.
pub async fn urls(purpose: &str) -> Vec<String> {
    use sqlx::Connection as _;
    let dir = std::env::temp_dir().join(format!("cantiere-{purpose}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.join("test.sqlite").display())];
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let name = format!("{}_{}", purpose.replace('-', "_"), std::process::id());
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let base = url.rsplit_once('/').unwrap().0;
        urls.push(format!("{base}/{name}"));
    }
    urls
}

/// The demo catalog's files (`fixtures/catalog`), read and validated.
pub fn demo_catalog() -> Vec<cantiere_store::catalog::SolutionRecord> {
    let files = cantiere_territory::catalog::find_files(&[root().join("fixtures/catalog")]).unwrap();
    files.iter().map(|f| cantiere_territory::catalog::read_file(f, &cantiere_publiccode::Options::default())).collect()
}
