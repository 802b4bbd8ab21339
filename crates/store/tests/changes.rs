//! The change counters a running server follows: every change of a topic's
//! tables bumps its counter (triggers, migration 0005) on SQLite and, with
//! DATABASE_URL, PostgreSQL, where a listener is also woken by NOTIFY; and
//! a write waits for another writer to finish instead of failing.

mod common;

use std::time::Duration;

use cantiere_store::{Store, Versions};

#[tokio::test]
async fn every_change_bumps_its_topic_and_wakes_postgres_listeners() {
    for url in common::urls("changes").await {
        let store = Store::open(&url).await.unwrap();
        let mut listener = store.change_listener().await.unwrap();
        assert_eq!(listener.is_some(), url.starts_with("postgres"), "a listener on PostgreSQL only");
        let before: Versions = store.versions().await.unwrap();
        let slug = format!("changes-{}", std::process::id());
        store.community().create_area(&slug, "Area", "").await.unwrap();
        let after = store.versions().await.unwrap();
        assert!(after.community > before.community, "{url}: {before:?} -> {after:?}");
        assert_eq!((after.run, after.catalog), (before.run, before.catalog), "{url}: other topics unchanged");
        if let Some(l) = listener.as_mut() {
            let topic = tokio::time::timeout(Duration::from_secs(10), l.next()).await.expect("notified").unwrap();
            assert_eq!(topic, "community");
        }
        store.close().await;
    }
}

/// Another connection holds SQLite's write lock for a moment (as a failed
/// import does until its rollback runs): an import that reads before it
/// writes waits for the lock, as it does for any writer, instead of failing
/// at once with "database is locked" (a deferred transaction that has read
/// cannot wait for the lock, so every write transaction takes it first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_another_writer_instead_of_failing() {
    use sqlx::Connection as _;
    let url = common::urls("writers").await.remove(0);
    let store = Store::open(&url).await.unwrap();
    let mut other = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE; INSERT INTO thematic_area (slug, name, description) VALUES ('other', 'Other', '')")
        .execute(&mut other)
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    });
    let c = store.community();
    let written = c.import_csv(cantiere_store::community::CsvKind::Areas, "a.csv", b"slug,name\nx,X\n").await;
    assert_eq!(written.unwrap(), 1);
    release.await.unwrap();
    assert_eq!(store.community().areas().await.unwrap().len(), 1, "the other writer's row was rolled back");
    store.close().await;
}
