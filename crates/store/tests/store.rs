//! The store on SQLite, and on PostgreSQL when `DATABASE_URL` is set (the
//! test script starts a server and sets it): a run written and read back
//! whole, runs kept side by side, and a failed import that leaves the
//! previous data intact.

mod common;

use cantiere_store::Store;
use common::{snapshot, urls};

/// Removes every run, so PostgreSQL tests start from an empty database.
async fn empty(store: &Store) {
    for run in store.runs().await.unwrap() {
        store.delete_run(run.id).await.unwrap();
    }
}

#[tokio::test]
async fn a_run_is_read_back_as_it_was_written_and_a_failed_import_changes_nothing() {
    let umbria = snapshot("Umbria");
    assert_eq!(umbria.results.len(), 92);
    assert!(umbria.boundaries.iter().any(|b| b.level == "regione" && b.code == "10"));
    for url in urls("roundtrip").await {
        let store = Store::open(&url).await.unwrap();
        // Migrating twice is harmless.
        store.migrate().await.unwrap();
        empty(&store).await;

        let id = store.import(&umbria).await.unwrap();
        let back = store.load(None).await.unwrap();
        let mut expected = umbria.clone();
        expected.run.as_mut().unwrap().id = id;
        // Rows come back in key order.
        expected.bodies.sort_by(|a, b| a.code.cmp(&b.code));
        expected.scores.sort_by(|a, b| (&a.ucode, &a.code).cmp(&(&b.ucode, &b.code)));
        expected.results.sort_by(|a, b| a.ucode.cmp(&b.ucode));
        expected.peers.sort_by(|a, b| (&a.ucode, a.position).cmp(&(&b.ucode, b.position)));
        expected.areas.sort_by(|a, b| (&a.level, &a.code).cmp(&(&b.level, &b.code)));
        expected.applications.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        expected.boundaries.sort_by(|a, b| (&a.level, &a.code).cmp(&(&b.level, &b.code)));
        let sort_profiles = |p: &mut Vec<cantiere_store::ProfileRow>| {
            p.sort_by(|a, b| (&a.ucode, &a.kind, &a.code).cmp(&(&b.ucode, &b.kind, &b.code)))
        };
        let mut got = back.clone();
        sort_profiles(&mut expected.profiles);
        sort_profiles(&mut got.profiles);
        assert_eq!(got.run, expected.run, "{url}");
        assert_eq!(got.bodies, expected.bodies, "{url}");
        assert_eq!(got.indicators, expected.indicators, "{url}");
        assert_eq!(got.scores, expected.scores, "{url}");
        assert_eq!(got.results, expected.results, "{url}");
        assert_eq!(store.results(id).await.unwrap(), expected.results, "{url}: results alone");
        assert_eq!(got.peers, expected.peers, "{url}");
        assert_eq!(got.profiles, expected.profiles, "{url}");
        assert_eq!(got.areas, expected.areas, "{url}");
        assert_eq!(got.applications, expected.applications, "{url}");
        assert_eq!(got.boundaries, expected.boundaries, "{url}");

        // A second run sits beside the first; the latest is read by default.
        let mut second = umbria.clone();
        second.run.as_mut().unwrap().territory = "Umbria (bis)".into();
        let id2 = store.import(&second).await.unwrap();
        assert!(id2 > id);
        assert_eq!(store.runs().await.unwrap().len(), 2);
        assert_eq!(store.load(None).await.unwrap().run.unwrap().territory, "Umbria (bis)");

        // An import that fails half-way (a duplicate application key, after
        // thousands of rows were written) leaves everything as it was.
        // Every table of a run (migration 0001).
        let tables =
            ["run", "body", "indicator", "score", "result", "peer", "profile", "area", "application", "boundary"];
        let before: Vec<i64> = {
            let mut v = Vec::new();
            for t in tables {
                v.push(store.count(t).await.unwrap());
            }
            v
        };
        assert!(before.iter().all(|n| *n > 0), "two runs fill every table: {before:?}");
        let mut broken = umbria.clone();
        let dup = broken.applications[0].clone();
        broken.applications.push(dup);
        let err = store.import(&broken).await.unwrap_err().to_string();
        assert!(err.contains("inserting into application"), "{err}");
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(store.count(t).await.unwrap(), n, "{url}: {t}");
        }
        assert_eq!(store.load(None).await.unwrap().run.unwrap().id, id2);

        store.delete_run(id2).await.unwrap();
        assert_eq!(store.load(None).await.unwrap().run.unwrap().id, id);
        empty(&store).await;
        assert!(matches!(store.load(None).await, Err(cantiere_store::Error::Empty)));
        store.close().await;
    }
}

#[tokio::test]
async fn unsupported_urls_and_unreachable_servers_are_clear_errors() {
    let e = Store::open("mysql://x/y").await.unwrap_err().to_string();
    assert!(e.contains("unsupported database URL `mysql://x/y`"), "{e}");
    let e = Store::open("postgres://user:secret@127.0.0.1:1/none").await.unwrap_err().to_string();
    assert!(e.starts_with("connecting to postgres://user:***@127.0.0.1:1/none"), "{e}");
    assert!(!e.contains("secret"));
}
