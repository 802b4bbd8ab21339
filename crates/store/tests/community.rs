//! Accounts, roles and communities on SQLite and (with DATABASE_URL)
//! PostgreSQL: duplicate emails refused, sessions expire, a reset token works
//! once, imports are all or nothing with one error per bad row, memberships
//! need a known iPA code, only the body's editor confirms its members and
//! names its referent, meetings and consultations follow their rules.

mod common;

use cantiere_store::adoption::Editor;
use cantiere_store::community::{CsvKind, MeetingInput, ResourceInput};
use cantiere_store::{Error, Store};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::root().join("fixtures/communities").join(name)).unwrap()
}

fn rows_of(e: Error) -> Vec<(u64, String)> {
    match e {
        Error::Rows { errors, .. } => errors.into_iter().map(|e| (e.line, e.column)).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[tokio::test]
async fn communities_keep_their_rules_on_both_backends() {
    let er = common::snapshot("Emilia-Romagna");
    for url in common::urls("community").await {
        let store = Store::open(&url).await.unwrap();
        store.import(&er).await.unwrap();
        let c = store.community();
        // A tag so that runs on a shared PostgreSQL do not collide.
        let tag = format!("{}{}", std::process::id(), url.len());

        // Accounts: emails are normalised and unique; only PHC hashes stored.
        let email = format!("Anna.{tag}@Example.org");
        let anna = c.create_account(&email, "Anna", Some(HASH)).await.unwrap();
        assert_eq!(anna.email, email.to_lowercase());
        let dup = c.create_account(&email.to_uppercase(), "Other", Some(HASH)).await.unwrap_err();
        assert!(dup.to_string().contains("already exists"), "{dup}");
        assert!(c.create_account("not an email", "X", None).await.is_err());
        assert!(c.create_account(&format!("b.{tag}@example.org"), "B", Some("clear-password")).await.is_err());
        let (found, hash) = c.credentials(&email).await.unwrap().unwrap();
        assert_eq!((found.id, hash.as_deref()), (anna.id, Some(HASH)));

        // Sessions expire; resets work once and close sessions.
        c.create_session(anna.id, &format!("s1{tag}"), "csrf1", 1_000).await.unwrap();
        assert_eq!(c.session(&format!("s1{tag}"), 999).await.unwrap().unwrap().csrf, "csrf1");
        assert!(c.session(&format!("s1{tag}"), 1_000).await.unwrap().is_none(), "expired");
        assert!(c.session(&format!("s1{tag}"), 0).await.unwrap().is_none(), "an expired session is deleted");
        c.create_session(anna.id, &format!("s2{tag}"), "csrf2", i64::MAX).await.unwrap();
        c.create_reset(anna.id, &format!("r1{tag}"), 2_000).await.unwrap();
        assert!(c.use_reset(&format!("r1{tag}"), 2_000, HASH).await.is_err(), "expired token");
        c.create_reset(anna.id, &format!("r2{tag}"), 2_000).await.unwrap();
        let new_hash = HASH.replace("aGFzaGhh", "bmV3bmV3");
        c.use_reset(&format!("r2{tag}"), 1_999, &new_hash).await.unwrap();
        assert!(c.use_reset(&format!("r2{tag}"), 1_999, HASH).await.is_err(), "a token works once");
        assert_eq!(c.credentials(&email).await.unwrap().unwrap().1.as_deref(), Some(new_hash.as_str()));
        assert!(c.session(&format!("s2{tag}"), 0).await.unwrap().is_none(), "a reset closes the sessions");

        // External identities link to the account with the same email, once.
        let spid = c.external_sign_in("spid", &format!("TINIT-{tag}"), &email, "Anna").await.unwrap();
        assert_eq!(spid.id, anna.id);
        let again = c.external_sign_in("spid", &format!("TINIT-{tag}"), "other@example.org", "X").await.unwrap();
        assert_eq!(again.id, anna.id);

        // Imports: areas, then communities; bad rows refuse the whole file.
        let areas_before = c.areas().await.unwrap().len();
        let bad_areas = "slug,name\nok-area,Fine\nBad Slug,Name\nsecond,\n";
        assert_eq!(
            rows_of(c.import_csv(CsvKind::Areas, "a.csv", bad_areas.as_bytes()).await.unwrap_err()),
            vec![(4, "name".to_string())],
            "a missing required cell is reported before any write"
        );
        let bad_areas = "slug,name\nok-area,Fine\nBad Slug,Name\n";
        assert_eq!(
            rows_of(c.import_csv(CsvKind::Areas, "a.csv", bad_areas.as_bytes()).await.unwrap_err()),
            vec![(3, "slug".to_string())]
        );
        // A blank line before a bad row does not shift the line reported.
        let bad_areas = "slug,name\nok-area,Fine\n\nBad Slug,Name\n";
        assert_eq!(
            rows_of(c.import_csv(CsvKind::Areas, "a.csv", bad_areas.as_bytes()).await.unwrap_err()),
            vec![(4, "slug".to_string())]
        );
        assert_eq!(c.areas().await.unwrap().len(), areas_before, "nothing written");
        assert!(matches!(
            c.import_csv(CsvKind::Communities, "c.csv", b"slug,name\nx,y\n").await,
            Err(Error::Rows { .. })
        ));
        let fresh = c.communities().await.unwrap().is_empty();
        let areas = c.import_csv(CsvKind::Areas, "areas.csv", &fixture("areas.csv")).await.unwrap();
        let comms = c.import_csv(CsvKind::Communities, "communities.csv", &fixture("communities.csv")).await.unwrap();
        if fresh {
            assert_eq!((areas, comms), (4, 10));
        }
        // Re-importing the same files writes nothing new.
        assert_eq!(c.import_csv(CsvKind::Areas, "areas.csv", &fixture("areas.csv")).await.unwrap(), 0);

        // Registrations: an unknown iPA code, an unknown community and a bad
        // email refuse the file; the fixture then imports whole.
        let members_before = c.memberships(None).await.unwrap().len();
        let bad = "community;email;name;codice_ipa;referent\n\
                   open-data;x1@example.org;Uno;c_a944;sì\n\
                   open-data;x2@example.org;Due;c_zz99;no\n\
                   nowhere;x3@example.org;Tre;c_a944;no\n\
                   open-data;not-an-email;Quattro;c_a944;no\n\
                   open-data;x5@example.org;Cinque;c_a944;forse\n";
        assert_eq!(
            rows_of(c.import_csv(CsvKind::Registrations, "r.csv", bad.as_bytes()).await.unwrap_err()),
            vec![
                (3, "codice_ipa".to_string()),
                (4, "community".to_string()),
                (5, "email".to_string()),
                (6, "referent".to_string())
            ]
        );
        assert_eq!(c.memberships(None).await.unwrap().len(), members_before, "nothing written");
        assert!(c.credentials("x1@example.org").await.unwrap().is_none(), "no account created either");
        let written = c.import_csv(CsvKind::Registrations, "registrations.csv", &fixture("registrations.csv")).await;
        let written = written.unwrap();
        if fresh {
            assert_eq!(written, 1111);
        }

        // Joining needs a known administration; one person, several bodies.
        let open_data = c.community_by_slug("open-data").await.unwrap();
        let err = c.join(open_data.id, anna.id, "c_zz99").await.unwrap_err();
        assert!(err.to_string().contains("not a known administration"), "{err}");
        let bologna = c.join(open_data.id, anna.id, "C_A944").await.unwrap();
        let union = c.join(open_data.id, anna.id, "uc_sorba").await.unwrap();
        assert_eq!((bologna.codice_ipa.as_str(), union.codice_ipa.as_str()), ("c_a944", "uc_sorba"));
        assert!(c.join(open_data.id, anna.id, "c_a944").await.is_err(), "once per body");

        // Only Bologna's editor confirms Bologna's member; one referent.
        let bologna_editor = Editor { name: "Editor Bologna".into(), codice_ipa: "c_a944".into() };
        let parma_editor = Editor { name: "Editor Parma".into(), codice_ipa: "c_g337".into() };
        assert!(matches!(c.confirm(bologna.id, &parma_editor, true).await, Err(Error::NotAllowed(_))));
        let confirmed = c.confirm(bologna.id, &bologna_editor, true).await.unwrap();
        assert!(confirmed.referent && confirmed.confirmed_by.as_deref() == Some("Editor Bologna"));
        let referents = c
            .memberships(Some(open_data.id))
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.codice_ipa == "c_a944" && m.referent)
            .count();
        assert_eq!(referents, 1, "nominating a referent replaces the previous one");
        // What Bologna's editor sees: the memberships held for Bologna, in every community.
        let every = c.memberships(None).await.unwrap();
        let for_bologna = c.memberships_for("C_A944").await.unwrap();
        assert!(!for_bologna.is_empty() && for_bologna.iter().all(|m| m.codice_ipa == "c_a944"));
        assert_eq!(for_bologna.len(), every.iter().filter(|m| m.codice_ipa == "c_a944").count());
        c.grant_editor(anna.id, "c_a944", "admin").await.unwrap();
        assert!(c.grant_editor(anna.id, "c_zz99", "admin").await.is_err());
        assert_eq!(c.grants(anna.id).await.unwrap().editor_of, vec!["c_a944".to_string()]);

        // Meetings: checked input, registrations while planned, attendance.
        let mut m = MeetingInput {
            title: "Kick-off".into(),
            starts_at: "2026-02-30T10:00".into(),
            mode: "online".into(),
            link: Some("https://meet.example.org/kickoff".into()),
            place: None,
            agenda: "1. <script>alert(1)</script>".into(),
        };
        assert!(c.create_meeting(open_data.id, &m, anna.id).await.is_err(), "30 February");
        m.starts_at = "2026-03-02T10:00".into();
        m.mode = "hybrid".into();
        assert!(c.create_meeting(open_data.id, &m, anna.id).await.unwrap_err().to_string().contains("place"));
        m.mode = "online".into();
        let meeting = c.create_meeting(open_data.id, &m, anna.id).await.unwrap();
        assert_eq!(meeting.agenda, "1. <script>alert(1)</script>", "stored as written: escaping is the page's job");
        c.register(meeting.id, anna.id).await.unwrap();
        assert!(c.register(meeting.id, anna.id).await.is_err(), "registered once");
        c.set_attendance(meeting.id, &[anna.id]).await.unwrap();
        let held = c.update_meeting(meeting.id, "held", Some("Minutes.")).await.unwrap();
        assert_eq!((held.registrations, held.attended, held.status.as_str()), (1, 1, "held"));
        assert!(c.register(meeting.id, anna.id).await.is_err(), "no registrations once held");

        // Resources point at catalog solutions that exist.
        let r = ResourceInput {
            kind: "tool".into(),
            title: "Tool".into(),
            url: None,
            solution_id: Some(987_654_321),
            description: "d".into(),
        };
        assert!(c.add_resource(open_data.id, &r, anna.id).await.is_err());
        let r = ResourceInput { solution_id: None, url: Some("https://example.org/t".into()), ..r };
        assert_eq!(c.add_resource(open_data.id, &r, anna.id).await.unwrap().kind, "tool");

        // Threads and consultations.
        let t = c.create_thread(open_data.id, "Question", "First", anna.id).await.unwrap();
        c.reply(t.id, "Second", anna.id).await.unwrap();
        assert_eq!(
            c.posts(t.id).await.unwrap().iter().map(|p| p.body.as_str()).collect::<Vec<_>>(),
            ["First", "Second"]
        );
        let draft = c.create_consultation(open_data.id, "Plan", "What next?", "draft", anna.id).await.unwrap();
        assert!(c.add_proposal(draft.id, "P", "B", anna.id).await.is_err(), "not open yet");
        c.set_consultation_status(draft.id, "open").await.unwrap();
        let p = c.add_proposal(draft.id, "P", "B", anna.id).await.unwrap();
        c.comment(p.id, "Agree", anna.id).await.unwrap();
        assert_eq!(c.support(p.id, anna.id).await.unwrap().supports, 1);
        assert!(c.support(p.id, anna.id).await.is_err(), "support once");
        assert_eq!(c.set_proposal_status(p.id, "accepted").await.unwrap().status, "accepted");
        c.set_consultation_status(draft.id, "closed").await.unwrap();
        assert!(c.comment(p.id, "Late", anna.id).await.is_err(), "closed");
        assert!(c.set_consultation_status(draft.id, "archived").await.is_err());
        store.close().await;
    }
}
