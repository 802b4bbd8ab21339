//! The communities through the router, on SQLite and (with DATABASE_URL) a
//! fresh PostgreSQL database: coverage of the demo fixture against figures
//! computed here from the CSV and the run; every role against every write
//! endpoint, with and without the form token (accounts and imports:
//! `accounts.rs`).

mod site;

use std::collections::{BTreeSet, HashMap, HashSet};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cantiere_store::Snapshot;
use cantiere_web::auth::Limits;
use site::{Client, databases, emilia_romagna, fixture, json, site};
use tower::ServiceExt;

/// (endpoint pattern, path, form fields, roles allowed).
type Case<'a> = (&'a str, String, Vec<(&'a str, String)>, &'a [&'a str]);

// One test per scenario, each on its own fresh databases, so that one failure
// does not hide the others.

#[tokio::test]
async fn coverage_matches_the_files() {
    for url in databases("coverage").await {
        coverage_matches_the_figures_computed_from_the_files(&url, emilia_romagna()).await;
    }
}

#[tokio::test]
async fn every_role_meets_every_write_endpoint_as_it_should() {
    for url in databases("matrix").await {
        every_role_meets_every_write_endpoint(&url, emilia_romagna()).await;
    }
}

async fn coverage_matches_the_figures_computed_from_the_files(url: &str, er: &Snapshot) {
    let s = site(url, er, Limits::default()).await;
    let text = String::from_utf8(fixture("registrations.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let comuni: HashMap<String, (&str, &str)> = er
        .bodies
        .iter()
        .filter(|b| b.kind == "comune" && b.region_code == "08")
        .map(|b| (format!("c_{}", b.cadastral.to_lowercase()), (b.province_code.as_str(), b.size_class.as_str())))
        .collect();
    assert_eq!(comuni.len(), 330, "Emilia-Romagna's comuni");
    let bodies: BTreeSet<&str> = rows.iter().map(|r| r[3]).collect();
    let people: HashSet<&str> = rows.iter().map(|r| r[1]).collect();
    let comuni_in: BTreeSet<&&str> = bodies.iter().filter(|b| comuni.contains_key(**b)).collect();
    // The fixture's other local authorities: 4 unions and 3 provinces (see its README).
    let others_local = ["uc_sorba", "uc_basre", "udcf_036", "udcab", "p_pc", "p_fe", "p_rn"];
    let local_in = comuni_in.len() + others_local.iter().filter(|o| bodies.contains(*o)).count();
    // Local bodies of the region: its comuni plus the other local
    // authorities located there among PA digitale applicants.
    let seat_region: HashMap<&str, &str> =
        er.bodies.iter().filter(|b| b.kind == "comune").map(|b| (b.code.as_str(), b.region_code.as_str())).collect();
    let mut local_known: HashSet<String> = HashSet::new();
    for a in &er.applications {
        let name = a.ente.to_lowercase();
        let local = [
            "unione ",
            "provincia ",
            "citta' metropolitana",
            "città metropolitana",
            "comunita' montana",
            "comunità montana",
            "regione ",
        ]
        .iter()
        .any(|p| name.starts_with(p));
        if local && a.ucode.as_deref().and_then(|u| seat_region.get(u)) == Some(&"08") {
            local_known.insert(a.codice_ipa.trim().to_lowercase());
        }
    }
    let (status, body) = Client::new(&s.app).get("/api/v1/coverage?regione=08").await;
    assert_eq!(status, StatusCode::OK);
    let cov = json(&body);
    let t = &cov["totals"];
    assert_eq!(rows.len(), 1111);
    assert_eq!(t["registrations"], rows.len());
    assert_eq!(t["people"], people.len());
    assert_eq!(t["bodies"], bodies.len());
    assert_eq!(t["territorial"], local_in, "comuni, unions and provinces");
    assert_eq!(t["other"], bodies.len() - local_in);
    assert_eq!(t["comuni"], comuni_in.len());
    assert_eq!(cov["comuni_total"], 330);
    assert_eq!(cov["local_total"], 330 + local_known.len());
    let share = t["comuni_share"].as_f64().unwrap();
    assert!((share - comuni_in.len() as f64 / 330.0).abs() < 1e-12, "{share}");
    let local_share = t["local_share"].as_f64().unwrap();
    assert!((local_share - local_in as f64 / (330 + local_known.len()) as f64).abs() < 1e-12);
    eprintln!(
        "coverage fixture: {} registrations, {} people, {} bodies, {} territorial, comuni {:.1} %, local bodies {:.1} %",
        rows.len(),
        people.len(),
        bodies.len(),
        local_in,
        share * 100.0,
        local_share * 100.0
    );
    // Per community and area.
    let communities = cov["communities"].as_array().unwrap();
    assert_eq!(communities.len(), 10);
    let areas = cov["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 4);
    for c in communities {
        let slug = c["slug"].as_str().unwrap();
        let mine: Vec<_> = rows.iter().filter(|r| r[0] == slug).collect();
        assert_eq!(c["figures"]["registrations"], mine.len(), "{slug}");
        assert_eq!(c["figures"]["bodies"], mine.iter().map(|r| r[3]).collect::<HashSet<_>>().len(), "{slug}");
    }
    let area_sum: u64 = areas.iter().map(|a| a["figures"]["registrations"].as_u64().unwrap()).sum();
    assert_eq!(area_sum, 1111, "every community is in one area");
    // Per province: Bologna (037).
    let bo: Vec<&String> = comuni.iter().filter(|(_, (p, _))| *p == "037").map(|(k, _)| k).collect();
    let bo_in = bo.iter().filter(|k| bodies.contains(k.as_str())).count();
    let prov = cov["provinces"].as_array().unwrap().iter().find(|p| p["code"] == "037").unwrap().clone();
    assert_eq!(
        (prov["comuni"].as_u64().unwrap() as usize, prov["represented"].as_u64().unwrap() as usize),
        (bo.len(), bo_in)
    );
    let size_total: u64 = cov["size_classes"].as_array().unwrap().iter().map(|p| p["comuni"].as_u64().unwrap()).sum();
    assert_eq!(size_total, 330);
    assert_eq!(cov["missing"].as_array().unwrap().len(), 330 - comuni_in.len());
    // The page says the same, and the map has one share per province.
    let (status, page) = Client::new(&s.app).get("/it/copertura?regione=08").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("data-figure=\"registrations\">{}<", rows.len())));
    assert!(page.contains("data-chart=\"counts\" data-level=\"provincia\""));
    let (status, _) = Client::new(&s.app).get("/it/copertura?regione=99").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Every community endpoint is in the OpenAPI document and answers.
    let (_, doc) = Client::new(&s.app).get("/api/v1/openapi.json").await;
    let doc = json(&doc);
    let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in ["/api/v1/communities", "/api/v1/communities/{slug}", "/api/v1/registrations.csv", "/api/v1/coverage"] {
        assert!(documented.iter().any(|d| *d == path), "{path} in the OpenAPI document");
    }
    for path in documented.iter().filter(|p| p.contains("communit") || p.contains("coverage") || p.contains("registr"))
    {
        let item = &doc["paths"][path.as_str()];
        let media = item["get"]["responses"]["200"]["content"].as_object().unwrap().keys().next().unwrap();
        let req = Request::get(path.replace("{slug}", "open-data")).body(Body::empty()).unwrap();
        let res = s.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let kind = res.headers()[header::CONTENT_TYPE].to_str().unwrap().to_string();
        assert!(kind.starts_with(media.as_str()), "{path}: {kind}");
    }
    // The registrations export has one row per registration and no email.
    let (_, csv) = Client::new(&s.app).get("/api/v1/registrations.csv").await;
    assert_eq!(csv.lines().count(), 1 + 1111);
    assert!(!csv.contains('@'), "no personal data in the export");
    s.store.close().await;
}

/// Every write endpoint for every role: 403 where the role may not, 303
/// where it may; 403 for a missing form token even for an admin.
async fn every_role_meets_every_write_endpoint(url: &str, er: &Snapshot) {
    let s = site(url, er, Limits::default().scaled(100)).await;
    let c = s.store.community();
    // The member last: it may leave its membership, which the others may not.
    let roles = ["public", "account", "editor", "coordinator", "admin", "member"];
    let mut clients: HashMap<&str, Client> = HashMap::new();
    let open_data = c.community_by_slug("open-data").await.unwrap();
    for role in roles {
        let mut client = Client::new(&s.app);
        if role != "public" {
            let email = format!("{role}@matrix.example.org");
            assert_eq!(client.register(role, &email, "correct horse battery").await, StatusCode::OK);
            let (a, _) = c.credentials(&email).await.unwrap().unwrap();
            match role {
                "member" => {
                    c.join(open_data.id, a.id, "c_a944").await.unwrap();
                }
                "editor" => {
                    // Two bodies: Bologna (the matrix acts on it) and Corniglio (in the fixture).
                    c.grant_editor(a.id, "c_a944", "test").await.unwrap();
                    c.grant_editor(a.id, "c_d026", "test").await.unwrap();
                }
                "coordinator" => c.grant_coordinator(a.id, open_data.id).await.unwrap(),
                "admin" => c.set_admin(a.id, true).await.unwrap(),
                _ => {}
            }
        } else {
            client.get("/it/accesso").await;
        }
        clients.insert(role, client);
    }
    // What the endpoints act on.
    let admin_id = c.credentials("admin@matrix.example.org").await.unwrap().unwrap().0.id;
    let meeting = c
        .create_meeting(
            open_data.id,
            &cantiere_store::community::MeetingInput {
                title: "Matrix".into(),
                starts_at: "2027-01-15T10:00".into(),
                mode: "online".into(),
                link: Some("https://meet.example.org/m".into()),
                place: None,
                agenda: "Agenda".into(),
            },
            admin_id,
        )
        .await
        .unwrap();
    let thread = c.create_thread(open_data.id, "Matrix thread", "Hello", admin_id).await.unwrap();
    let consultation = c.create_consultation(open_data.id, "Matrix", "Ideas?", "open", admin_id).await.unwrap();
    let proposal = c.add_proposal(consultation.id, "P", "B", admin_id).await.unwrap();
    let member_id = c.credentials("member@matrix.example.org").await.unwrap().unwrap().0.id;
    let membership = c.memberships_of(member_id).await.unwrap()[0].id;
    let solution = s.store.solutions().await.unwrap().into_iter().find(|x| x.record.valid).unwrap().id;
    let adoption = s
        .store
        .record_adoption(
            &cantiere_store::adoption::AdoptionInput {
                codice_ipa: "c_a944".into(),
                solution: cantiere_store::adoption::SolutionRef::Id(solution),
                status: cantiere_store::adoption::AdoptionStatus::InUse,
                since: None,
                evidence: None,
            },
            "test",
        )
        .await
        .unwrap();
    let (m, t, co, p) = (meeting.id, thread.id, consultation.id, proposal.id);
    // The editor's profile lists every membership held for its two bodies (to
    // confirm) and their adoptions (to verify); nobody else's has those forms.
    let edited = c
        .memberships(None)
        .await
        .unwrap()
        .iter()
        .filter(|m| ["c_a944", "c_d026"].contains(&m.codice_ipa.as_str()))
        .count();
    assert_eq!(edited, 12, "the member's for c_a944, and the fixture's 11 rows for c_d026");
    let (status, page) = clients.get_mut("editor").unwrap().get("/it/profilo").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("/conferma\"").count(), edited);
    assert!(page.contains(&format!("/it/profilo/adozioni/{}/verifica\"", adoption.id)));
    let (_, page) = clients.get_mut("admin").unwrap().get("/it/profilo").await;
    assert!(!page.contains("/conferma\"") && !page.contains("/verifica\""), "an admin is no body's editor");
    // The public registry as served (and cached) before the verification.
    let mut public = Client::new(&s.app);
    let registry = "/api/v1/adoptions?codice_ipa=c_a944";
    let verified_in = |body: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let list = v["adoptions"].as_array().unwrap();
        list.iter().filter(|a| a["id"] == adoption.id).map(|a| a["verified_by"].to_string()).collect()
    };
    let (status, body) = public.get(registry).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified_in(&body), Vec::<String>::new(), "recorded after the catalog was read: not served yet");
    let all = ["account", "member", "editor", "coordinator", "admin"];
    let participants = ["member", "coordinator", "admin"];
    let leaders = ["coordinator", "admin"];
    // (pattern, path, fields, roles allowed)
    let cases: Vec<Case> = vec![
        (
            "/{lang}/comunita/aree",
            "/it/comunita/aree".into(),
            vec![("slug", "matrix-{role}".into()), ("name", "A".into())],
            &["admin"],
        ),
        (
            "/{lang}/comunita",
            "/it/comunita".into(),
            vec![("slug", "matrix-{role}".into()), ("area", "servizi-digitali".into()), ("name", "C".into())],
            &["admin"],
        ),
        (
            "/{lang}/comunita/ruoli",
            "/it/comunita/ruoli".into(),
            vec![
                ("email", "account@matrix.example.org".into()),
                ("role", "coordinator".into()),
                ("target", "appalti-innovativi".into()),
            ],
            &["admin"],
        ),
        (
            "/{lang}/comunita/{slug}/aderisci",
            "/it/comunita/accessibilita/aderisci".into(),
            vec![("codice_ipa", "c_g337".into())],
            &all,
        ),
        (
            "/{lang}/comunita/{slug}/incontri",
            "/it/comunita/open-data/incontri".into(),
            vec![
                ("title", "M {role}".into()),
                ("starts_at", "2027-02-01T09:30".into()),
                ("mode", "in_person".into()),
                ("place", "Bologna".into()),
                ("agenda", "A".into()),
            ],
            &leaders,
        ),
        (
            "/{lang}/comunita/{slug}/incontri/{id}/iscrizione",
            format!("/it/comunita/open-data/incontri/{m}/iscrizione"),
            vec![],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/incontri/{id}/verbale",
            format!("/it/comunita/open-data/incontri/{m}/verbale"),
            vec![("status", "planned".into()), ("minutes", "Notes".into())],
            &leaders,
        ),
        (
            "/{lang}/comunita/{slug}/risorse",
            "/it/comunita/open-data/risorse".into(),
            vec![("kind", "template".into()), ("title", "T".into()), ("description", "D".into())],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/discussioni",
            "/it/comunita/open-data/discussioni".into(),
            vec![("title", "T".into()), ("body", "B".into())],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/discussioni/{id}",
            format!("/it/comunita/open-data/discussioni/{t}"),
            vec![("body", "R".into())],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/consultazioni",
            "/it/comunita/open-data/consultazioni".into(),
            vec![("title", "C".into()), ("body", "B".into()), ("status", "open".into())],
            &leaders,
        ),
        (
            "/{lang}/comunita/{slug}/consultazioni/{id}/stato",
            format!("/it/comunita/open-data/consultazioni/{co}/stato"),
            vec![("status", "open".into())],
            &leaders,
        ),
        (
            "/{lang}/comunita/{slug}/consultazioni/{id}/proposte",
            format!("/it/comunita/open-data/consultazioni/{co}/proposte"),
            vec![("title", "P".into()), ("body", "B".into())],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/proposte/{id}/commenti",
            format!("/it/comunita/open-data/proposte/{p}/commenti"),
            vec![("body", "C".into())],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/proposte/{id}/sostegno",
            format!("/it/comunita/open-data/proposte/{p}/sostegno"),
            vec![],
            &participants,
        ),
        (
            "/{lang}/comunita/{slug}/proposte/{id}/stato",
            format!("/it/comunita/open-data/proposte/{p}/stato"),
            vec![("status", "submitted".into())],
            &leaders,
        ),
        (
            "/{lang}/profilo/iscrizioni/{id}/conferma",
            format!("/it/profilo/iscrizioni/{membership}/conferma"),
            vec![("referent", "1".into())],
            &["editor"],
        ),
        (
            "/{lang}/profilo/adozioni/{id}/verifica",
            format!("/it/profilo/adozioni/{}/verifica", adoption.id),
            vec![],
            &["editor"],
        ),
        (
            "/{lang}/comunita/{slug}/lascia/{id}",
            format!("/it/comunita/open-data/lascia/{membership}"),
            vec![],
            &["member"],
        ),
        (
            "/{lang}/comunita/importa",
            "/it/comunita/importa".into(),
            vec![("kind", "areas".into()), ("file", "slug,name\nimported-{role},Imported by {role}\n".into())],
            &["admin"],
        ),
        ("/{lang}/accesso/esci", "/it/accesso/esci".into(), vec![], &all),
    ];
    let covered: HashSet<&str> = cases.iter().map(|c| c.0).collect();
    let account_endpoints = [
        "/{lang}/accesso/entra",
        "/{lang}/accesso/registrati",
        "/{lang}/accesso/recupero",
        "/{lang}/accesso/nuova-password",
    ];
    let writes = cantiere_web::community::writes();
    assert_eq!(writes.len(), 25, "every form and the upload");
    for w in &writes {
        assert!(covered.contains(w) || account_endpoints.contains(w), "{w} is not in the matrix");
    }
    for (pattern, path, fields, allowed) in &cases {
        for role in roles {
            let client = clients.get_mut(role).unwrap();
            let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.replace("{role}", role))).collect();
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let multipart = pattern.ends_with("/importa");
            // Without the form token: refused whatever the role, nothing done.
            let (status, _, _) = if multipart {
                client.upload_with(path, &fields, false).await
            } else {
                client.post_with(path, &fields, false).await
            };
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {pattern} without a token");
            let (status, body, _) = if multipart {
                client.upload_with(path, &fields, true).await
            } else {
                client.post(path, &fields).await
            };
            let expected = if allowed.contains(&role) { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
            assert_eq!(status, expected, "{role} {pattern}: {}", body.chars().take(300).collect::<String>());
        }
    }
    // What the allowed calls did.
    assert!(c.membership(membership).await.is_err(), "the member left");
    let imported: Vec<String> =
        c.areas().await.unwrap().into_iter().map(|a| a.slug).filter(|s| s.starts_with("imported-")).collect();
    assert_eq!(imported, vec!["imported-admin".to_string()], "only the admin's file was imported");
    let adoption = s.store.adoptions().await.unwrap().into_iter().find(|a| a.id == adoption.id).unwrap();
    assert_eq!(adoption.verified_by.as_deref(), Some("editor"));
    // The site serves the verification at once: the catalog was read again and
    // the cached registry forgotten.
    let (status, body) = public.get(registry).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified_in(&body), vec!["\"editor\"".to_string()]);
    assert_eq!(c.meeting(m).await.unwrap().registrations, 3, "member, coordinator and admin registered");
    s.store.close().await;
}
