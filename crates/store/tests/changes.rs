//! The change counters a running server follows: every change of a topic's
//! tables bumps its counter (triggers, migration 0005) on SQLite and, with
//! DATABASE_URL, PostgreSQL, where a listener is also woken by NOTIFY.

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
