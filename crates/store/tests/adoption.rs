//! The adoption registry on SQLite and (with DATABASE_URL) PostgreSQL: a CSV
//! with bad rows is refused whole with one error per row and changes
//! nothing; a good one is imported, re-imported idempotently; a change clears
//! the verification; only the administration's editor verifies; every step
//! is in the audit trail.

mod common;

use cantiere_store::adoption::{AdoptionInput, AdoptionStatus, Editor, SolutionRef};
use cantiere_store::{Error, Store};

const PAGAMENTI: &str = "https://git.example.org/cantiere-demo/pagamenti-comunali.git";

#[tokio::test]
async fn adoptions_are_checked_per_row_imported_whole_verified_by_their_editor_and_audited() {
    let umbria = common::snapshot("Umbria");
    let records = common::demo_catalog();
    assert_eq!(records.len(), 8);
    assert!(records.iter().all(|r| r.valid), "the demo catalog is valid");

    for url in common::urls("adoption").await {
        let store = Store::open(&url).await.unwrap();
        // Before any run, no administration is known: every row says so.
        if store.runs().await.unwrap().is_empty() {
            store.ingest_solutions(&records).await.unwrap();
            let csv = format!("codice_ipa,solution,status\nc_g478,{PAGAMENTI},in_use\n");
            match store.import_adoptions("early.csv", csv.as_bytes(), "test").await {
                Err(Error::Rows { errors, .. }) => {
                    assert_eq!(errors.len(), 1);
                    assert!(errors[0].message.contains("cantiere import"), "{}", errors[0]);
                }
                other => panic!("expected row errors, got {other:?}"),
            }
        }
        store.import(&umbria).await.unwrap();
        store.ingest_solutions(&records).await.unwrap();
        let ids: Vec<i64> = store
            .solutions()
            .await
            .unwrap()
            .into_iter()
            // This test's own files: on a shared PostgreSQL the web tests store
            // the same files under another path.
            .filter(|s| records.iter().any(|r| r.source == s.record.source))
            .map(|s| s.id)
            .collect();
        assert_eq!(ids.len(), 8);
        let before = store.count("adoption").await.unwrap();
        let events_before = store.count("adoption_event").await.unwrap();

        // Bad rows: an unknown administration (no such iPA code in the
        // PA digitale data), an unknown solution id, an unknown repository, a bad status.
        let bad = format!(
            "codice_ipa;solution;status;since;evidence\n\
             c_g478;{PAGAMENTI};in uso;2024-03;https://www.comune.perugia.it/\n\
             c_z999;{PAGAMENTI};in_use;;\n\
             c_l117;999999999;in_use;;\n\
             c_l117;https://git.example.org/nobody/nothing;evaluating;;\n\
             c_d653;{};sometimes;;\n",
            ids[0]
        );
        let Err(Error::Rows { file, errors }) = store.import_adoptions("bad.csv", bad.as_bytes(), "test").await else {
            panic!("a file with bad rows is refused")
        };
        assert_eq!(file, "bad.csv");
        let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(got, vec![(3, "codice_ipa"), (4, "solution"), (5, "solution"), (6, "status")], "{errors:?}");
        assert_eq!(store.count("adoption").await.unwrap(), before, "nothing written: the good row 2 neither");
        assert_eq!(store.count("adoption_event").await.unwrap(), events_before);

        // A good file: a URL (any case, with or without .git) and ids.
        let good = format!(
            "codice_ipa,solution,status,since,evidence\n\
             C_G478,{},in_use,2024-03,https://www.comune.perugia.it/\n\
             c_l117,{},evaluating,,\n\
             c_d653,{},dismissed,2022-01-31,\n",
            PAGAMENTI.to_uppercase().trim_end_matches(".GIT"),
            ids[1],
            ids[2]
        );
        let first = store.import_adoptions("good.csv", good.as_bytes(), "importer").await.unwrap();
        if before == 0 {
            assert_eq!((first.new, first.updated, first.unchanged), (3, 0, 0), "{url}");
        }
        let again = store.import_adoptions("good.csv", good.as_bytes(), "importer").await.unwrap();
        assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 3), "re-import is idempotent ({url})");
        assert_eq!(store.count("adoption").await.unwrap(), before + i64::from(before == 0) * 3);

        let all = store.adoptions().await.unwrap();
        let perugia = all
            .iter()
            .find(|a| a.codice_ipa == "c_g478" && a.evidence.as_deref() == Some("https://www.comune.perugia.it/"))
            .expect("Perugia's adoption");
        assert_eq!(perugia.status, AdoptionStatus::InUse);
        assert_eq!(perugia.since.as_deref(), Some("2024-03"));
        // One administration's adoptions are those of the whole list with its code (any case asked).
        let of_perugia: Vec<_> = all.iter().filter(|a| a.codice_ipa == "c_g478").cloned().collect();
        let mut asked = store.adoptions_of("C_G478").await.unwrap();
        asked.sort_by_key(|a| (a.solution_id, a.id));
        let mut expected = of_perugia.clone();
        expected.sort_by_key(|a| (a.solution_id, a.id));
        assert!(!asked.is_empty());
        assert_eq!(asked, expected, "{url}");

        // Only Perugia's editor verifies Perugia's adoption.
        let terni_editor = Editor { name: "editor@terni".into(), codice_ipa: "c_l117".into() };
        match store.verify_adoption(perugia.id, &terni_editor).await {
            Err(Error::NotAllowed(m)) => assert!(m.contains("c_g478"), "{m}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let editor = Editor { name: "editor@perugia".into(), codice_ipa: "c_g478".into() };
        let verified = store.verify_adoption(perugia.id, &editor).await.unwrap();
        assert_eq!(verified.verified_by.as_deref(), Some("editor@perugia"));
        assert!(verified.verified_at.is_some());

        // A change by someone else clears the verification.
        let changed = store
            .record_adoption(
                &AdoptionInput {
                    codice_ipa: "c_g478".into(),
                    solution: SolutionRef::Id(perugia.solution_id),
                    status: AdoptionStatus::Dismissed,
                    since: Some("2024-03".into()),
                    evidence: Some("https://www.comune.perugia.it/".into()),
                },
                "someone@else",
            )
            .await
            .unwrap();
        assert_eq!(changed.status, AdoptionStatus::Dismissed);
        assert_eq!(changed.verified_by, None);

        let trail = store.adoption_events(perugia.id).await.unwrap();
        let steps: Vec<(&str, &str)> = trail.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
        assert_eq!(&steps[steps.len() - 2..], &[("verified", "editor@perugia"), ("updated", "someone@else")]);
        if before == 0 {
            assert_eq!(steps[0], ("imported", "importer"));
            assert_eq!(steps.len(), 3, "the idempotent re-import wrote no event");
        }
        assert!(trail.last().unwrap().detail.contains("\"dismissed\""));

        // Single records are checked like rows.
        let wrong = AdoptionInput {
            codice_ipa: "c_zzzz".into(),
            solution: SolutionRef::Id(perugia.solution_id),
            status: AdoptionStatus::InUse,
            since: None,
            evidence: Some("javascript:alert(1)".into()),
        };
        match store.record_adoption(&wrong, "x").await {
            Err(Error::Invalid { field, message }) => assert_eq!(field, "evidence", "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        store.close().await;
    }
}
