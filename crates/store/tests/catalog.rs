//! Catalog ingestion: every file of the reference validator's suite stored
//! with its validation result (invalid ones inactive, never dropped), and
//! re-ingestion idempotent, on SQLite and (with DATABASE_URL) PostgreSQL.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use cantiere_publiccode::{IpaCodes, Options};
use cantiere_store::Store;
use cantiere_store::catalog::SolutionRecord;
use cantiere_territory::catalog::find_files;

fn shared() -> PathBuf {
    std::env::var_os("CANTIERE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

#[tokio::test]
async fn the_reference_suite_is_ingested_whole_and_idempotently() {
    let suite = shared().join("conformance/publiccode");
    // Expected offline outcome of every file, from the suite's manifest.
    let manifest = std::fs::read_to_string(suite.join("manifest.tsv")).unwrap();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let (c_path, c_outcome) = (
        header.iter().position(|h| *h == "path").unwrap(),
        header.iter().position(|h| *h == "offline_outcome").unwrap(),
    );
    let expected: HashMap<PathBuf, bool> = lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|f| (suite.join(f[c_path]), f[c_outcome] != "invalid"))
        .collect();

    let files = find_files(&[suite.join("testdata")]).unwrap();
    let options =
        Options { ipa: IpaCodes::from_path(&shared().join("data/padigitale2026")).unwrap(), ..Options::default() };
    let records: Vec<SolutionRecord> =
        files.iter().map(|f| cantiere_territory::catalog::read_file(f, &options)).collect();
    let checked = records
        .iter()
        .filter_map(|r| expected.get(&PathBuf::from(&r.source)).map(|&v| (r, v)))
        .inspect(|(r, v)| {
            if r.valid == *v {
                return;
            }
            // Read outside a repository, a file's relative logo and
            // screenshots are not checked but noted: invalid in the suite only
            // for them, it is valid here, and each error's key is noted.
            let checked = cantiere_publiccode::validate_file(std::path::Path::new(&r.source), &options).unwrap();
            let notes: serde_json::Value = serde_json::from_str(&r.notes).unwrap();
            let noted: Vec<&str> = notes
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == cantiere_territory::catalog::OUTSIDE_REPOSITORY)
                .flat_map(|n| n["key"].as_str().unwrap().split(", "))
                .collect();
            assert!(r.valid && !*v && !noted.is_empty(), "{}: {}", r.source, r.diagnostics);
            for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
                assert!(noted.iter().any(|k| d.key.starts_with(k)), "{}: {} not noted in {noted:?}", r.source, d.key);
            }
        })
        .count();
    // The crawler's rule: `.yml` and `.yaml` files (the suite also has a `.yml.disabled`).
    let yaml_rows = expected.keys().filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml")).count();
    assert_eq!(checked, yaml_rows, "every manifest row is a file found");
    assert_eq!(records.len(), yaml_rows, "and no other file");

    for url in common::urls("catalog").await {
        let store = Store::open(&url).await.unwrap();
        let before = store.count("solution").await.unwrap();
        let first = store.ingest_solutions(&records).await.unwrap();
        let valid = records.iter().filter(|r| r.valid).count();
        if before == 0 {
            assert_eq!((first.new, first.updated, first.unchanged), (records.len(), 0, 0), "{url}");
        }
        assert_eq!((first.valid, first.invalid), (valid, records.len() - valid));
        let again = store.ingest_solutions(&records).await.unwrap();
        assert_eq!((again.new, again.updated, again.unchanged), (0, 0, records.len()), "{url}: idempotent");
        let stored = store.solutions().await.unwrap();
        let ours: Vec<_> = stored.iter().filter(|s| records.iter().any(|r| r.source == s.record.source)).collect();
        assert_eq!(ours.len(), records.len(), "{url}: nothing dropped");
        for s in &ours {
            let r = records.iter().find(|r| r.source == s.record.source).unwrap();
            assert_eq!(&s.record, r, "{url}");
            assert_eq!(s.active, r.valid, "invalid files are stored inactive");
            assert!(s.first_seen <= s.last_seen);
        }
        // A changed file is updated; its first-seen date is kept.
        let mut changed = records[0].clone();
        changed.content_hash = "0".repeat(16);
        changed.name = "Renamed".into();
        let upd = store.ingest_solutions(std::slice::from_ref(&changed)).await.unwrap();
        assert_eq!((upd.new, upd.updated), (0, 1));
        let after = store.solutions().await.unwrap();
        let s = after.iter().find(|s| s.record.source == changed.source).unwrap();
        assert_eq!(s.record.name, "Renamed");
        assert_eq!(s.first_seen, ours.iter().find(|o| o.record.source == changed.source).unwrap().first_seen);
        store.close().await;
    }
}

#[test]
fn an_unreadable_file_is_a_record_with_its_error() {
    let r = cantiere_territory::catalog::read_file(
        std::path::Path::new("/nonexistent/publiccode.yml"),
        &Options::default(),
    );
    assert!(!r.valid && r.errors == 1 && r.document.is_none());
    assert!(r.diagnostics.contains("/nonexistent/publiccode.yml"), "{}", r.diagnostics);
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_git_repository_is_read_at_its_default_branch_and_a_url_list_through_a_clone() {
    let dir = std::env::temp_dir().join(format!("cantiere-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/catalog/sito-comunale/publiccode.yml");
    let good = std::fs::read(&fixture).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(repo.join("publiccode.yml"), &good).unwrap();
    git(&repo, &["add", "publiccode.yml"]);
    git(&repo, &["commit", "--quiet", "-m", "publiccode"]);
    // Another branch with a broken file, checked out, and an uncommitted edit:
    // neither is what the catalog reads once cloned.
    git(&repo, &["checkout", "--quiet", "-b", "work"]);
    std::fs::write(repo.join("publiccode.yml"), b"name: [unclosed").unwrap();
    git(&repo, &["commit", "--quiet", "-am", "broken"]);
    git(&repo, &["checkout", "--quiet", "main"]);
    std::fs::write(repo.join("publiccode.yml"), b"not: committed").unwrap();

    let options = Options::default();
    let local = cantiere_territory::catalog::read_git(&repo, &options);
    assert!(local.valid, "{}", local.diagnostics);
    assert_eq!(local.name, "Sito Comunale Accessibile");
    assert!(local.source.starts_with("git:"), "{}", local.source);
    assert_eq!(
        local.content_hash,
        cantiere_territory::catalog::read_file(&fixture, &options).content_hash,
        "the committed bytes"
    );

    // A clone's default branch is the remote's HEAD (main), not what the
    // clone has checked out.
    let clone = dir.join("clone");
    let out = std::process::Command::new("git").args(["clone", "--quiet"]).arg(&repo).arg(&clone).output().unwrap();
    assert!(out.status.success());
    git(&clone, &["checkout", "--quiet", "work"]);
    assert!(cantiere_territory::catalog::read_git(&clone, &options).valid, "read at origin/HEAD");

    let list = format!("# repositories\n\nfile://{}\nfile://{}/missing\n", repo.display(), dir.display());
    let urls = cantiere_territory::catalog::read_url_list(&list);
    assert_eq!(urls.len(), 2);
    let cache = dir.join("cache");
    let fetched = cantiere_territory::catalog::clone_url(&urls[0], &cache, &options);
    assert!(fetched.valid, "{}", fetched.diagnostics);
    assert_eq!(
        (fetched.source.as_str(), fetched.content_hash.as_str()),
        (urls[0].as_str(), local.content_hash.as_str())
    );
    let missing = cantiere_territory::catalog::clone_url(&urls[1], &cache, &options);
    assert!(!missing.valid);
    assert!(missing.diagnostics.contains("git clone failed"), "{}", missing.diagnostics);

    // A folder that is no repository, and a repository without the file.
    let plain = cantiere_territory::catalog::read_git(&dir.join("cache"), &options);
    assert!(!plain.valid);
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    git(&empty, &["init", "--quiet"]);
    let none = cantiere_territory::catalog::read_git(&empty, &options);
    assert!(none.diagnostics.contains("no publiccode.yml"), "{}", none.diagnostics);
}
