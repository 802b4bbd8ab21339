//! Regression tests of the hardening issue: each attack or odd input found by
//! an attacker's and an operator's afternoon, as a test asserting the safe
//! result, on SQLite and (with DATABASE_URL) a fresh PostgreSQL database.

mod site;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cantiere_store::Snapshot;
use cantiere_store::community::{CsvKind, MAX_PENDING_BODIES};
use cantiere_web::auth::{CSRF_COOKIE, Limits};
use cantiere_web::catalog::Catalog;
use cantiere_web::community::PER_PAGE;
use cantiere_web::{Assets, CSP, Observatory};
use http_body_util::BodyExt;
use site::{Client, Site, common, databases, fixture, site};
use tower::ServiceExt;

#[tokio::test]
async fn attacks_and_odd_inputs_get_the_safe_result() {
    let er = common::snapshot("Emilia-Romagna");
    for url in databases("hardening").await {
        let s = site(&url, &er, Limits::default()).await;
        links_from_data_are_http_only(&s, &er).await;
        every_response_carries_the_security_headers(&s).await;
        unknown_query_parameters_are_refused(&s).await;
        anonymous_visitors_see_no_names(&s).await;
        long_lists_are_paginated_and_posting_is_limited(&s).await;
        login_csrf_needs_a_token_this_server_issued(&s).await;
        a_reset_spends_every_link(&s).await;
        unconfirmed_registrations_do_not_count(&s).await;
        control_characters_in_paths_are_refused_before_any_write(&s).await;
        files_with_two_referents_or_shifted_rows_are_refused(&s).await;
        s.store.close().await;
    }
}

/// A publiccode.yml whose repository and screenshot are `javascript:` URLs
/// is shown without a single `javascript:` link.
async fn links_from_data_are_http_only(s: &Site, snap: &Snapshot) {
    let dir = std::env::temp_dir().join(format!("cantiere-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("publiccode.yml");
    std::fs::write(
        &file,
        "publiccodeYmlVersion: \"0\"\nname: Hostile\nurl: \"javascript:alert(1)\"\nplatforms: [web]\n\
         developmentStatus: stable\nsoftwareType: standalone/web\ncategories: [it-development]\n\
         description:\n  it:\n    shortDescription: x\n    longDescription: \"y\"\n    features: [z]\n\
         \x20   screenshots: [\"javascript:alert(2)\", \"https://example.org/s.png\"]\n\
         legal:\n  license: MIT\nmaintenance:\n  type: none\nlocalisation:\n  localisationReady: false\n  availableLanguages: [it]\n",
    )
    .unwrap();
    let record = cantiere_territory::catalog::read_file(&file, &cantiere_publiccode::Options::default());
    s.store.ingest_solutions(std::slice::from_ref(&record)).await.unwrap();
    let catalog = Catalog::new(s.store.solutions().await.unwrap(), s.store.adoptions().await.unwrap()).unwrap();
    let id = catalog.solutions.iter().find(|x| x.source == record.source).expect("ingested").id;
    let obs = Observatory::new(s.store.load(None).await.unwrap()).with_catalog(catalog);
    assert_eq!(obs.munis.len(), snap.results.len());
    let app = cantiere_web::app(Arc::new(obs), &Assets { node_modules: common::root().join("web/node_modules") });
    let (status, page) = Client::new(&app).get(&format!("/it/soluzioni/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.to_lowercase().contains("href=\"javascript:"), "no javascript: link");
    assert!(page.contains("javascript:alert(1)") && page.contains("javascript:alert(2)"), "shown as text");
    assert!(
        page.contains("<a href=\"https://example.org/s.png\" rel=\"nofollow noopener noreferrer\">"),
        "an https screenshot stays a link"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn every_response_carries_the_security_headers(s: &Site) {
    for path in ["/it/", "/api/v1/run", "/it/comuni/nessuno", "/static/app.js", "/it/comunita", "/api/v1/coverage"] {
        let res = s.app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let h = res.headers();
        let get = |name: header::HeaderName| h.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert_eq!(get(header::CONTENT_SECURITY_POLICY), CSP, "{path}");
        assert!(CSP.contains("script-src 'self';") && CSP.contains("frame-ancestors 'none'"));
        assert_eq!(get(header::X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        assert_eq!(get(header::REFERRER_POLICY), "same-origin", "{path}");
    }
}

async fn unknown_query_parameters_are_refused(s: &Site) {
    let mut c = Client::new(&s.app);
    for n in 0..5 {
        let (status, body) = c.get(&format!("/api/v1/values.csv?junk={n}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("unknown query parameter `junk`"), "{body}");
    }
    let (status, page) = c.get("/it/indice?page=2&x=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("<html") && page.contains("unknown query parameter `x`"), "the site's own error page");
    assert_eq!(c.get("/it/indice?page=2&sort=score").await.0, StatusCode::OK, "known parameters still work");
    assert_eq!(c.get("/it/copertura?regione=08").await.0, StatusCode::OK);
}

/// The names of the demo people registered in `community`.
fn names_in(community: &str) -> BTreeSet<String> {
    let text = String::from_utf8(fixture("registrations.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[0] == community)
        .map(|c| c[2].to_string())
        .collect()
}

async fn anonymous_visitors_see_no_names(s: &Site) {
    let names = names_in("open-data");
    assert!(names.len() > 10, "the fixture has people in open-data");
    let mut member = Client::new(&s.app);
    member.register("Zelda Autrice", "zelda@example.org", "a long enough password").await;
    let (status, _, _) = member.post("/it/comunita/open-data/aderisci", &[("codice_ipa", "c_a944")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, thread) =
        member.post("/it/comunita/open-data/discussioni", &[("title", "Orari"), ("body", "Testo")]).await;
    let (_, _, _) = member
        .post("/it/comunita/open-data/risorse", &[("kind", "template"), ("title", "Modello"), ("description", "D")])
        .await;
    let (status, signed_in_page) = member.get("/it/comunita/open-data").await;
    assert_eq!(status, StatusCode::OK);
    assert!(signed_in_page.contains("Zelda Autrice"), "a signed-in member sees authors");
    assert!(names.iter().any(|n| signed_in_page.contains(n.as_str())), "and the members of each body");
    let mut public = Client::new(&s.app);
    for path in ["/it/comunita/open-data", &thread, "/en/comunita/open-data"] {
        let (status, page) = public.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains("Zelda"), "{path}: no author for the public");
        let shown: Vec<&String> = names.iter().filter(|n| page.contains(n.as_str())).collect();
        assert!(shown.is_empty(), "{path}: names shown to the public: {shown:?}");
    }
    let (_, api) = public.get("/api/v1/communities/open-data").await;
    assert!(!api.contains("\"author\"") && !api.contains("Zelda"), "no author in the public API");
    assert!(!names.iter().any(|n| api.contains(n.as_str())));
}

async fn long_lists_are_paginated_and_posting_is_limited(s: &Site) {
    let mut poster = Client::new(&s.app);
    poster.register("Poster", "poster@example.org", "a long enough password").await;
    poster.post("/it/comunita/competenze-digitali/aderisci", &[("codice_ipa", "c_a944")]).await;
    let limit = Limits::default().posts_per_account.0 as usize;
    let mut created = 0;
    for i in 0..limit + 3 {
        let (status, body, _) = poster
            .post("/it/comunita/competenze-digitali/discussioni", &[("title", &format!("T{i}")), ("body", "B")])
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(body.contains("too many posts"), "{body}");
            break;
        }
        assert_eq!(status, StatusCode::SEE_OTHER, "post {i}");
        created += 1;
    }
    // The join counted as one post of the minute.
    assert_eq!(created, limit - 1, "posts are limited per account and minute");
    let threads = |page: &str| page.matches("/discussioni/").count();
    let mut public = Client::new(&s.app);
    let (_, first) = public.get("/it/comunita/competenze-digitali").await;
    let (_, second) = public.get("/it/comunita/competenze-digitali?discussioni=2").await;
    assert_eq!(threads(&first), PER_PAGE, "a page of threads");
    assert_eq!(threads(&second), created - PER_PAGE, "the rest on page 2");
    assert!(first.contains("?discussioni=2"), "a link to the next page");
    assert_eq!(public.get("/it/comunita/competenze-digitali?discussioni=0").await.0, StatusCode::BAD_REQUEST);
}

async fn login_csrf_needs_a_token_this_server_issued(s: &Site) {
    let mut attacker = Client::new(&s.app);
    let made_up = "a".repeat(64);
    attacker.cookies.insert(CSRF_COOKIE.into(), made_up.clone());
    attacker.csrf = made_up;
    let fields = [("email", "zelda@example.org"), ("password", "a long enough password")];
    let (status, _, _) = attacker.post("/it/accesso/entra", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a cookie value the attacker chose is no form token");
    assert!(attacker.session().is_none());
    assert_eq!(attacker.sign_in("zelda@example.org", "a long enough password").await, StatusCode::SEE_OTHER);
}

async fn a_reset_spends_every_link(s: &Site) {
    let mut c = Client::new(&s.app);
    c.get("/it/accesso").await;
    s.mailer.sent.lock().unwrap().clear();
    for _ in 0..2 {
        assert_eq!(c.post("/it/accesso/recupero", &[("email", "zelda@example.org")]).await.0, StatusCode::OK);
    }
    let tokens: Vec<String> = s
        .mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.2.lines().find(|l| l.contains("token=")).unwrap().split("token=").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(tokens.len(), 2);
    let new = "zelda's brand new password";
    let fields = |t: &str| vec![("token", t.to_string()), ("password", new.into()), ("password2", new.into())];
    let post = |c: &mut Client, t: String| {
        let f = fields(&t);
        let mut c = c.clone();
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.post("/it/accesso/nuova-password", &f).await.0
        }
    };
    c.get("/it/accesso").await;
    assert_eq!(post(&mut c, tokens[1].clone()).await, StatusCode::SEE_OTHER);
    let mut other = Client::new(&s.app);
    other.get("/it/accesso").await;
    assert_eq!(post(&mut other, tokens[0].clone()).await, StatusCode::BAD_REQUEST, "the older link is spent too");
}

async fn unconfirmed_registrations_do_not_count(s: &Site) {
    let coverage = |body: &str| -> (u64, u64, f64) {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let t = &v["totals"];
        (t["registrations"].as_u64().unwrap(), v["pending"].as_u64().unwrap(), t["comuni_share"].as_f64().unwrap())
    };
    let mut public = Client::new(&s.app);
    let before = coverage(&public.get("/api/v1/coverage?regione=08").await.1);
    let mut claimer = Client::new(&s.app);
    claimer.register("Claimer", "claimer@example.org", "a long enough password").await;
    let bodies = ["c_a944", "c_d458", "c_h199", "c_f257"];
    for (i, ipa) in bodies.iter().enumerate() {
        let (status, body, _) = claimer.post("/it/comunita/open-data/aderisci", &[("codice_ipa", ipa)]).await;
        if i < MAX_PENDING_BODIES {
            assert_eq!(status, StatusCode::SEE_OTHER, "{ipa}: {body}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{ipa}: one body too many");
            assert!(body.contains("awaiting their editors"), "{body}");
        }
    }
    let after = coverage(&public.get("/api/v1/coverage?regione=08").await.1);
    assert_eq!((after.0, after.2), (before.0, before.2), "confirmed figures unchanged");
    assert_eq!(after.1, before.1 + MAX_PENDING_BODIES as u64, "the claims are pending, apart");
}

async fn control_characters_in_paths_are_refused_before_any_write(s: &Site) {
    let mut m = Client::new(&s.app);
    m.sign_in("zelda@example.org", "zelda's brand new password").await;
    m.get("/it/profilo").await;
    let c = s.store.community();
    let id = c.threads(c.community_by_slug("open-data").await.unwrap().id).await.unwrap()[0].id;
    let posts_before = s.store.community().posts(id).await.unwrap().len();
    for path in [
        format!("/it/comunita/open-data/discussioni/{id}%0d%0a"),
        format!("/it/comunita/open-data%0a/discussioni/{id}"),
    ] {
        let (status, body, _) = m.post(&path, &[("body", "again")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    }
    let (status, _, _) = m.post(&format!("/it/comunita/open-data/discussioni/+{id}"), &[("body", "again")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an id is digits only");
    assert_eq!(s.store.community().posts(id).await.unwrap().len(), posts_before, "nothing stored");
}

async fn files_with_two_referents_or_shifted_rows_are_refused(s: &Site) {
    let c = s.store.community();
    let two = "community,email,name,codice_ipa,referent\nopen-data,r1@example.org,R1,c_a944,sì\n\
               open-data,r2@example.org,R2,c_a944,sì\n";
    let e = c.import_csv(CsvKind::Registrations, "r.csv", two.as_bytes()).await.unwrap_err().to_string();
    assert!(e.contains("r.csv") && e.contains("line 3") && e.contains("referent") && e.contains("line 2"), "{e}");
    let shifted = "community,email,name,codice_ipa,referent\nopen-data,r3@example.org,R3,c_a944,no,extra\n";
    let e = c.import_csv(CsvKind::Registrations, "s.csv", shifted.as_bytes()).await.unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("6 cells but the header has 5 columns"), "{e}");
    let open_quote = "community,email,name,codice_ipa,referent\nopen-data,r4@example.org,\"R4,c_a944,no\n";
    let e = c.import_csv(CsvKind::Registrations, "q.csv", open_quote.as_bytes()).await.unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("never closed"), "{e}");
    assert!(c.credentials("r1@example.org").await.unwrap().is_none(), "nothing written");
}

#[tokio::test]
async fn the_openapi_document_lists_the_geo_levels_and_each_is_served() {
    let er = common::snapshot("Umbria");
    let url = databases("openapi").await.remove(0);
    let s = site(&url, &er, Limits::default()).await;
    let (_, doc) = Client::new(&s.app).get("/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let levels = &doc["paths"]["/api/v1/geo/{level}"]["get"]["parameters"][0]["schema"]["enum"];
    assert_eq!(levels, &serde_json::json!(["comune", "provincia", "regione"]));
    for level in levels.as_array().unwrap() {
        let res = s
            .app
            .clone()
            .oneshot(Request::get(format!("/api/v1/geo/{}", level.as_str().unwrap())).body(Body::empty()).unwrap());
        let res = res.await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{level}");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert!(body.starts_with(b"{"), "{level}: GeoJSON");
    }
    s.store.close().await;
}

/// The log lines written while a test runs, for asserting on them.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_internal_error_is_logged_with_its_cause_and_request_never_shown() {
    let umbria = common::snapshot("Umbria");
    let url = databases("internal").await.remove(0);
    let s = site(&url, &umbria, Limits::default()).await;
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // The database goes away under the server.
    s.store.close().await;
    let (status, page) = Client::new(&s.app).get("/it/comunita/open-data").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.contains("internal error") && !page.to_lowercase().contains("pool"), "no internals: {page}");
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let line = text.lines().find(|l| l.contains("internal error")).unwrap_or_else(|| panic!("logged: {text}"));
    assert!(line.contains("ERROR") && line.contains("request{id="), "{line}");
    assert!(line.contains("route=/{lang}/comunita/{slug}") && line.contains("method=GET"), "{line}");
    assert!(line.to_lowercase().contains("pool") && line.contains("cause="), "the cause is in the log: {line}");
    assert_eq!(text.matches("internal error").count(), 1, "logged once: {text}");
}
