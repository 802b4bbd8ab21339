//! The site and the API through the router, on a real run (Umbria) stored in
//! SQLite and, when `DATABASE_URL` is set, PostgreSQL.

// The store's test helpers (repository root, a region's run from the real data), one copy for both crates.
#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cantiere_store::{Snapshot, Store};
use cantiere_web::catalog::Catalog;
use cantiere_web::{Assets, Observatory, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A municipality of the run with no accepted or completed 1.4.3
/// application (pagoPA and IO), and its first two peers.
fn without_pagopa(snap: &Snapshot) -> (String, String, String) {
    let applied: std::collections::HashSet<&str> = snap
        .applications
        .iter()
        .filter(|a| a.measure == "1.4.3" && a.kind == "Comune" && (a.status == "A" || a.status == "E"))
        .filter_map(|a| a.ucode.as_deref())
        .collect();
    let cadastral = |code: &str| {
        let b = snap.bodies.iter().find(|b| b.code == code).unwrap();
        format!("c_{}", b.cadastral.to_lowercase())
    };
    let m = snap.results.iter().map(|r| r.ucode.as_str()).find(|c| !applied.contains(c)).expect("one without 1.4.3");
    let peers: Vec<&str> = snap.peers.iter().filter(|p| p.ucode == m).map(|p| p.peer.as_str()).collect();
    (m.to_string(), cadastral(peers[0]), cadastral(peers[1]))
}

/// The run stored and read back, with the demo catalog ingested and two
/// peers of a municipality without pagoPA recorded as using the demo's
/// pagoPA solution.
async fn stored(url: &str, snap: &Snapshot) -> (Observatory, Catalog, Catalog) {
    let store = Store::open(url).await.unwrap();
    for r in store.runs().await.unwrap() {
        store.delete_run(r.id).await.unwrap();
    }
    store.import(snap).await.unwrap();
    let records = common::demo_catalog();
    store.ingest_solutions(&records).await.unwrap();
    let (_, p1, p2) = without_pagopa(snap);
    // By id: on a shared PostgreSQL the store's tests may have ingested the
    // same files under other paths, and a URL claimed twice is ambiguous.
    let ours = records.iter().find(|r| r.name == "Pagamenti Comunali").unwrap();
    let id = store.solutions().await.unwrap().into_iter().find(|s| s.record.source == ours.source).unwrap().id;
    let csv = format!(
        "codice_ipa,solution,status,since,evidence\n{p1},{id},in_use,2024-01,https://example.org/<script>\n\
         {p2},{id},in_use,,\n"
    );
    store.import_adoptions("test.csv", csv.as_bytes(), "test").await.unwrap();
    let back = store.load(None).await.unwrap();
    let catalog =
        || async { Catalog::new(store.solutions().await.unwrap(), store.adoptions().await.unwrap()).unwrap() };
    let (a, b) = (catalog().await, catalog().await);
    store.close().await;
    (Observatory::new(back), a, b)
}

struct Site(axum::Router);

impl Site {
    fn new(obs: Observatory) -> Site {
        Site(app(Arc::new(obs), &Assets { node_modules: common::root().join("web/node_modules") }))
    }

    async fn get(&self, uri: &str) -> (StatusCode, String, String) {
        let res = self.0.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let ct = res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        (status, ct, body)
    }
}

const PERUGIA: &str = "054039";

#[tokio::test]
async fn the_site_on_sqlite_and_postgres() {
    let snap = common::snapshot("Umbria");
    for url in common::urls("web_http").await {
        let (obs, catalog, again) = stored(&url, &snap).await;
        let solution_id = catalog
            .solutions
            .iter()
            .find(|s| s.name == "Pagamenti Comunali" && s.source.starts_with(common::root().to_str().unwrap()))
            .unwrap()
            .id;
        let direct = Site::new(Observatory::new(snap.clone()).with_catalog(again));
        let (_, _, direct_card) = direct.get(&format!("/it/comuni/{PERUGIA}")).await;
        let site = Site::new(obs.with_catalog(catalog));
        pages(&site, &snap).await;
        api(&site, solution_id).await;
        bad_input(&site).await;
        catalog_pages(&site, &snap, solution_id).await;
        // The stored run renders exactly as the run built in memory.
        let (_, _, card) = site.get(&format!("/it/comuni/{PERUGIA}")).await;
        assert_eq!(card, direct_card, "{url}");
    }
}

async fn pages(site: &Site, snap: &Snapshot) {
    let comuni = format!("{} comuni", snap.results.len());
    let (s, ct, home) = site.get("/it/").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "text/html; charset=utf-8"));
    assert!(home.contains("<html lang=\"it\">") && home.contains(&comuni), "home");
    assert!(home.contains("href=\"/en/\""), "language switch");
    let (_, _, en) = site.get("/en/").await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Digital transition index"));

    // The card: name, group, rank, the comune's own projects only.
    let (s, _, card) = site.get(&format!("/it/comuni/{PERUGIA}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(card.contains("<h1 id=\"muni-name\">Perugia</h1>"));
    assert!(card.contains("href=\"/en/comuni/054039\""));
    let rows = card.matches("<tr><td>1.").count();
    let own = site.get(&format!("/api/v1/municipalities/{PERUGIA}")).await.2;
    let json: serde_json::Value = serde_json::from_str(&own).unwrap();
    let comune_apps = json["applications"].as_array().unwrap().iter().filter(|a| a["kind"] == "Comune").count();
    assert!(comune_apps > 0);
    assert_eq!(rows, comune_apps, "one table row per application of the comune");

    // Ranking: every municipality of the run, two pages, filters and sorting.
    let (_, _, r) = site.get("/it/indice").await;
    assert!(r.contains(&comuni) && r.contains("Pagina 1 di 2"));
    let (_, _, r) = site.get("/it/indice?province=TR&sort=name").await;
    let terni = snap.bodies.iter().filter(|b| b.kind == "comune" && b.province_abbr == "TR").count();
    assert_eq!(terni, 33, "Terni has 33 municipalities (ISTAT, 2023)");
    assert!(r.contains(&format!("{terni} comuni")), "the province filter");
    let names: Vec<&str> = r
        .split("<th scope=\"row\"><a href=\"/it/comuni/")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 33);

    let (s, _, c) = site.get(&format!("/en/confronta?c={PERUGIA},055032")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(c.contains("Perugia") && c.contains("Terni"));
    for path in ["/it/regioni/10", "/it/province/054", "/it/metodologia", "/en/dati", "/it/cerca?q=peru"] {
        let (s, _, _) = site.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    let (_, _, found) = site.get("/it/cerca?q=citta%20di%20castello").await;
    assert!(found.contains("/it/comuni/054013"), "accents and case folded");
}

async fn api(site: &Site, solution_id: i64) {
    let (_, _, doc) = site.get("/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented path is served, with the documented media type.
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        let content = item["get"]["responses"]["200"]["content"].as_object().unwrap();
        let media = content.keys().next().unwrap();
        let uri =
            path.replace("{code}", PERUGIA).replace("{level}", "comune").replace("{id}", &solution_id.to_string());
        let (s, ct, body) = site.get(&uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(ct.starts_with(media.as_str()), "{uri}: {ct}");
        assert!(!body.is_empty());
    }
    for served in ["/health", "/api/v1/municipalities", "/api/v1/geo/{level}", "/api/v1/solutions", "/api/v1/adoptions"]
    {
        assert!(paths.contains_key(served), "{served} documented");
    }
    assert_eq!(
        paths.len(),
        25,
        "the observatory's (with /api/v1/indices, the series, the unions and the areas' ranking) and the catalog's endpoints, this document and /health"
    );
    assert!(paths.contains_key("/api/v1/catalog/report.csv"), "the ingestion report documented");
    let community = paths.keys().filter(|p| p.contains("communit") || p.contains("coverage")).collect::<Vec<_>>();
    assert!(community.is_empty(), "a site without communities does not document theirs: {community:?}");
    let (_, _, csv) = site.get("/api/v1/municipalities.csv?province=PG").await;
    assert_eq!(csv.lines().count(), 1 + 59);
    assert!(csv.starts_with("code,name,region,province,size_class,population,score,rank"));
    let (_, _, geo) = site.get("/api/v1/geo/comune").await;
    let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 92);
}

async fn bad_input(site: &Site) {
    // Pages: errors in the site's style, in the page's language, no internals.
    for (uri, status, text) in [
        ("/it/comuni/999999", StatusCode::NOT_FOUND, "no municipality with ISTAT code `999999`"),
        ("/en/indice?page=abc", StatusCode::BAD_REQUEST, "page: expected a whole number"),
        ("/it/indice?page=99", StatusCode::NOT_FOUND, "page 99: there are 2"),
        ("/it/indice?sort=evil", StatusCode::BAD_REQUEST, "sort: expected one of"),
        ("/it/indice?region=a&region=b", StatusCode::BAD_REQUEST, "region: expected one value"),
        ("/it/indice?region=%zz", StatusCode::BAD_REQUEST, "malformed percent-encoding"),
        ("/it/confronta?c=054039,000000", StatusCode::BAD_REQUEST, "no municipality with ISTAT code `000000`"),
        ("/fr/", StatusCode::NOT_FOUND, "no language `fr`"),
        ("/it/nowhere", StatusCode::NOT_FOUND, "no page at /it/nowhere"),
    ] {
        let (s, ct, body) = site.get(uri).await;
        assert_eq!(s, status, "{uri}");
        assert!(ct.starts_with("text/html"), "{uri}");
        assert!(body.contains("it-header-wrapper") && body.contains(text), "{uri}: {body}");
    }
    let (_, _, en) = site.get("/en/indice?page=abc").await;
    assert!(en.contains("Bad request"));
    // API: one JSON envelope.
    for (uri, status) in [
        ("/api/v1/municipalities/xyz", StatusCode::NOT_FOUND),
        ("/api/v1/areas?level=galaxy", StatusCode::BAD_REQUEST),
        ("/api/v1/municipalities?region=Atlantide", StatusCode::BAD_REQUEST),
        ("/api/v1/applications.csv?ucode=000000", StatusCode::NOT_FOUND),
        ("/api/v1/geo/planet", StatusCode::NOT_FOUND),
        ("/api/v1/nothing", StatusCode::NOT_FOUND),
    ] {
        let (s, ct, body) = site.get(uri).await;
        assert_eq!(s, status, "{uri}");
        assert_eq!(ct, "application/json", "{uri}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["status"], status.as_u16(), "{uri}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Script in a query is escaped, never echoed raw.
    let (_, _, s) = site.get("/it/cerca?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!s.contains("<script>alert(1)") && s.contains("&lt;script&gt;"));
    // Oversize requests are refused before they are read.
    let big = Request::get("/api/v1/run")
        .header(header::CONTENT_LENGTH, (cantiere_web::MAX_BODY + 1).to_string())
        .body(Body::from(vec![b'x'; cantiere_web::MAX_BODY + 1]))
        .unwrap();
    let res = site.0.clone().oneshot(big).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let long = format!("/it/cerca?q={}", "a".repeat(5000));
    assert_eq!(site.get(&long).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_home_page_lists_the_movers_since_the_previous_run() {
    let snap = common::snapshot("Umbria");
    let site = Site::new(Observatory::new(snap.clone()));
    let (_, _, home) = site.get("/en/").await;
    assert!(home.contains("Movers appear once the database holds two builds"));

    // The previous run had Perugia (now 1st) 10th and Corciano (now 2nd) 1st.
    let mut previous = snap.clone();
    for r in &mut previous.results {
        match r.ucode.as_str() {
            PERUGIA => r.rank = Some(10.0),
            "054015" => r.rank = Some(1.0),
            _ => {}
        }
    }
    previous.run.as_mut().unwrap().id = 7;
    let obs = Observatory::new(snap.clone()).with_previous(previous.run.as_ref().unwrap(), &previous.results);
    let corciano_now = obs.muni("054015").unwrap().result.rank.unwrap();
    assert_eq!(obs.movers.len(), 2, "only the two that moved");
    let site = Site::new(obs);
    let (_, _, home) = site.get("/it/").await;
    assert!(home.contains("(run 7)"));
    let up = home.split("id=\"movers-up\"").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(up.contains("Perugia</a>: 10 → 1 (+9)"), "{up}");
    let down = home.split("id=\"movers-down\"").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(down.contains(&format!("Corciano</a>: 1 → {corciano_now} (−{})", corciano_now - 1.0)), "{down}");
}

async fn catalog_pages(site: &Site, snap: &Snapshot, solution_id: i64) {
    // Search with stemming, filter by a platform.
    let (s, _, page) = site.get("/it/soluzioni?q=pagamento&platform=pagopa").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/it/soluzioni/{solution_id}\">Pagamenti Comunali</a>")), "{page}");
    let pagopa_box = page.split("name=\"platform\" value=\"pagopa\"").nth(1).and_then(|r| r.split('>').next());
    assert!(pagopa_box.is_some_and(|b| b.ends_with(" checked")), "the filter stays checked: {pagopa_box:?}");
    assert!(page.contains(">pagoPA ("), "the platform by the name people read");
    let (status, _, none) = site.get("/en/solutions?q=x").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "English uses the Italian path names: /en/soluzioni");
    assert!(none.contains("<html lang=\"en\">") && none.contains("<h1>Page not found</h1>"), "{none}");
    let (_, _, api) = site.get("/api/v1/solutions?platform=anpr").await;
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    // Of this test's files (a shared PostgreSQL also holds the store tests'
    // files, the reference suite among them), only the Sportello names ANPR.
    let ours = common::root().to_str().unwrap().to_string();
    let names: Vec<&str> = api["solutions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"].as_str().unwrap().starts_with(&ours))
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Sportello Telematico Polifunzionale"]);

    // The solution page: its two adopters, linked to their cards, the
    // evidence link escaped.
    let (m, p1, _) = without_pagopa(snap);
    let (s, _, sol) = site.get(&format!("/it/soluzioni/{solution_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sol.matches("<tr><td><a href=\"/it/comuni/").count(), 2, "two adopters");
    assert!(sol.contains(&format!("<small class=\"text-muted\">{p1}</small>")), "the iPA code in small print");
    // The demo's invented solution and its adopters say so.
    assert!(sol.contains("id=\"example-note\"") && sol.contains("Pagamenti Comunali (esempio dimostrativo)</caption>"));
    // Contacts are personal data: their names are not shown, nor given by the API.
    assert!(!sol.contains("Ufficio transizione digitale") && sol.contains("referenti indicati: 1"), "{sol}");
    let (_, _, one) = site.get(&format!("/api/v1/solutions/{solution_id}")).await;
    assert!(!one.contains("Ufficio transizione digitale") && !one.contains("transizione@example.org"), "{one}");
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["signals"]["contacts"], 1);
    assert_eq!(one["document"]["maintenance"]["contacts"].as_array().map(Vec::len), Some(1));
    assert!(!sol.contains("<script>") && sol.contains("https://example.org/&lt;script&gt;"));

    // The card of the municipality without pagoPA recommends it: two peers use it.
    let (_, _, card) = site.get(&format!("/it/comuni/{m}")).await;
    let section = card.split("id=\"recommended\"").nth(1).expect("a recommendations section");
    let section = section.split("</section>").next().unwrap();
    assert!(
        section.contains("Pagamenti Comunali</a> <span class=\"badge badge-example\">esempio dimostrativo</span>: 2 comuni simili la usano"),
        "{section}"
    );
    assert!(section.contains("id=\"advice-examples\""), "the card says the examples are invented");
    let (_, _, rec) = site.get(&format!("/api/v1/municipalities/{m}/recommendations")).await;
    let rec: serde_json::Value = serde_json::from_str(&rec).unwrap();
    let pagopa = rec["needs"].as_array().unwrap().iter().find(|n| n["need"]["measure"] == "1.4.3").unwrap();
    assert_eq!(pagopa["solutions"][0]["name"], "Pagamenti Comunali");
    assert_eq!(pagopa["solutions"][0]["peers"].as_array().unwrap().len(), 2);

    // Bad input.
    for (uri, status) in [
        ("/it/soluzioni/abc", StatusCode::NOT_FOUND),
        ("/it/soluzioni/999999", StatusCode::NOT_FOUND),
        ("/api/v1/solutions/999999", StatusCode::NOT_FOUND),
        ("/api/v1/solutions?q=%ZZ", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(site.get(uri).await.0, status, "{uri}");
    }
    let long = "a".repeat(201);
    assert_eq!(site.get(&format!("/it/soluzioni?q={long}")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(site.get("/it/soluzioni?sort=price").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(site.get("/api/v1/solutions?sort=release").await.0, StatusCode::OK);

    // The ingestion report: one row per file, the demo's eight among them.
    let (s, ct, report) = site.get("/api/v1/catalog/report.csv").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    assert!(report.starts_with("source,name,url,valid,errors,warnings,first_error,same_repository,notes\n"));
    let demo = report.lines().filter(|l| l.starts_with(&ours) && l.contains("/fixtures/catalog/")).count();
    assert_eq!(demo, 8, "{report}");
    let (_, _, xss) = site.get("/it/soluzioni?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!xss.contains("<script>alert") && xss.contains("&lt;script&gt;alert(1)"));
}
