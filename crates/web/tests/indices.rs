//! Several indices side by side: the ITD of a region (the main index, the
//! first stored) and an index published from a coin's files, served by the
//! same site on SQLite and, when `DATABASE_URL` is set, PostgreSQL; pages
//! and API pick one with `index=`.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cantiere_store::Store;
use cantiere_territory::published::{Publication, snapshot};
use cantiere_web::{Assets, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Three Umbrian comuni named three ways (ISTAT, cadastral, iPA code).
/// Worked by hand: min-max to [0, 100], `giorni` reversed (lower is
/// better), equal weights:
///
/// | comune | servizi | giorni | norm. servizi | norm. giorni | index | rank |
/// |---|---|---|---|---|---|---|
/// | Perugia 054039 | 10 | 1 | 0 | 100 | 50 | 2 |
/// | Terni 055032 | 20 | 3 | 50 | 0 | 25 | 3 |
/// | Assisi 054001 | 30 | 2 | 100 | 50 | 75 | 1 |
const DATA: &str = "uCode,uName,servizi,giorni\n054039,Perugia,10,1\nL117,Terni,20,3\nc_a475,Assisi,30,2\n";
/// The same index a year before, worked by hand likewise: Perugia 100 (1st),
/// Terni and Assisi 25 (tied 2nd: a tie shares the best rank).
///
/// | comune | servizi | giorni | norm. servizi | norm. giorni | index | rank |
/// |---|---|---|---|---|---|---|
/// | Perugia | 30 | 1 | 100 | 100 | 100 | 1 |
/// | Terni | 10 | 2 | 0 | 50 | 25 | 2 |
/// | Assisi | 20 | 3 | 50 | 0 | 25 | 2 |
const DATA_2024: &str = "uCode,uName,servizi,giorni\n054039,Perugia,30,1\nL117,Terni,10,2\nc_a475,Assisi,20,3\n";
const META: &str = "Level,iCode,iName,Direction,Weight,Type,Parent
1,servizi,Servizi online,1,1,Indicator,PROVA
1,giorni,Giorni di attesa,-1,1,Indicator,PROVA
2,PROVA,Indice di prova,1,1,Aggregate,
";
const PIPELINE: &str = "[normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n\n[aggregate]\nmethod = \"arithmetic\"\n";
const EXPECTED: [(&str, f64, f64); 3] = [("054001", 75.0, 1.0), ("054039", 50.0, 2.0), ("055032", 25.0, 3.0)];

fn build(data_csv: &str) -> cantiere_index::Build {
    let dir = std::env::temp_dir().join(format!("cantiere-web-indices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (data, meta) = (dir.join("iData.csv"), dir.join("iMeta.csv"));
    std::fs::write(&data, data_csv).unwrap();
    std::fs::write(&meta, META).unwrap();
    let (units, fw, raw) = cantiere_index::read_inputs(&data, &meta).unwrap();
    let pipeline = cantiere_index::Pipeline::from_toml("p.toml", PIPELINE, None).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    pipeline.run(&units, &fw, &raw).unwrap()
}

async fn get(site: &axum::Router, uri: &str) -> (StatusCode, String) {
    let res = site.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

#[tokio::test]
async fn two_indices_side_by_side_on_sqlite_and_postgres() {
    let itd = common::snapshot("Umbria");
    let (built, built_2024) = (build(DATA), build(DATA_2024));
    for url in common::urls("web_indices").await {
        let store = Store::open(&url).await.unwrap();
        store.import(&itd).await.unwrap();
        let publication = Publication {
            code: "PROVA".into(),
            name: "Indice di prova".into(),
            version: "1".into(),
            period: "2025".into(),
            territory: "Umbria".into(),
            sources: r#"{"published":[{"file":"iData.csv","bytes":80,"content_hash":"0123456789abcdef"}]}"#.into(),
            definition: META.into(),
            pipeline: PIPELINE.into(),
            units_score: "mean".into(),
        };
        let published = snapshot(&built, &store.comuni().await.unwrap(), &publication).unwrap();
        store.import(&published).await.unwrap();
        // The year before, published after: 2025 stays the period served.
        let earlier = Publication { period: "2024".into(), ..publication.clone() };
        store.import(&snapshot(&built_2024, &store.comuni().await.unwrap(), &earlier).unwrap()).await.unwrap();
        // The region's run stays the reference the store matches units and
        // iPA codes against, though the published run is newer.
        assert_eq!(store.comuni().await.unwrap().len(), itd.results.len(), "{url}");
        let names = store.unit_names().await.unwrap();
        assert!(names.iter().any(|(name, key)| name == "054002" && key == "054002"), "a comune PROVA does not rank");
        // Two unions (invented): Perugia and Assisi, with Terni until
        // mid-2024; Terni alone in another from then.
        let member = |ipa: &str, code: &str, from: &str, to: &str| cantiere_store::unions::UnionMember {
            union_ipa: ipa.into(),
            union_name: format!("Unione {ipa}"),
            member: code.into(),
            from_date: from.into(),
            to_date: to.into(),
            example: true,
        };
        store
            .replace_unions(&[
                member("um_nord", "054039", "2015-01-01", ""),
                member("um_nord", "054001", "2015-01-01", ""),
                member("um_nord", "055032", "2015-01-01", "2024-06-30"),
                member("um_sud", "055032", "2024-07-01", ""),
            ])
            .await
            .unwrap();
        let obs = cantiere_web::live::load(&store, None).await.unwrap();
        store.close().await;
        let site = app(Arc::new(obs), &Assets { node_modules: common::root().join("web/node_modules") });

        // The list: the ITD first (stored first), then the published index.
        let (s, body) = get(&site, "/api/v1/indices").await;
        assert_eq!(s, StatusCode::OK, "{url}");
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        let list = list["indices"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!((list[0]["code"].as_str(), list[0]["main"].as_bool()), (Some("ITD"), Some(true)));
        assert_eq!(list[0]["units"], itd.results.len());
        assert_eq!(list[1]["code"], "PROVA");
        assert_eq!(list[1]["name"], "Indice di prova");
        assert_eq!(list[1]["periods"], serde_json::json!(["2025", "2024"]));
        assert_eq!(list[1]["period"], "2025");
        assert_eq!(list[1]["units"], 3);

        // The scores worked by hand, under their ISTAT codes.
        let (s, body) = get(&site, "/api/v1/municipalities?index=PROVA").await;
        assert_eq!(s, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((json["index"].as_str(), json["period"].as_str()), (Some("PROVA"), Some("2025")));
        let rows = json["municipalities"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        for (code, score, rank) in EXPECTED {
            let row = rows.iter().find(|r| r["code"] == code).unwrap();
            assert!((row["score"].as_f64().unwrap() - score).abs() < 1e-12, "{code}: {row}");
            assert_eq!(row["rank"].as_f64(), Some(rank), "{code}");
        }
        // Without `index` the main index answers; an unknown one is refused.
        let (_, body) = get(&site, "/api/v1/municipalities").await;
        assert!(body.contains("\"index\":\"ITD\"") && body.contains(&format!("\"count\":{}", itd.results.len())));
        let (s, body) = get(&site, "/api/v1/municipalities?index=NOPE").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(body.contains("index: no index `NOPE` is served (served: ITD, PROVA)"), "{body}");
        let (_, body) = get(&site, "/api/v1/indicators?index=PROVA").await;
        assert!(body.contains("\"Giorni di attesa\"") && !body.contains("ITD"), "{body}");
        let (_, geo) = get(&site, "/api/v1/geo/comune?index=PROVA").await;
        let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
        assert_eq!(geo["features"].as_array().unwrap().len(), 3, "the main run's boundaries, this index's comuni");

        // The ranking of the published index: no group, context or interval
        // columns; its links and its filter form keep the index.
        let (s, page) = get(&site, "/it/indice?index=PROVA").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("<h1>Classifica: Indice di prova</h1>"), "title");
        assert!(page.contains("<input type=\"hidden\" name=\"index\" value=\"PROVA\">"));
        assert!(page.contains("/it/indice?index=PROVA&amp;sort=name&amp;order=asc"), "sorting keeps the index");
        assert!(!page.contains(">Contesto<") && !page.contains("data-chart=\"scatter\""));
        assert!(page.contains("data-index=\"PROVA\""), "the map asks for this index's scores");
        let names: Vec<&str> = page.split("<th scope=\"row\"><a href=\"/it/comuni/").skip(1).map(|s| &s[..6]).collect();
        assert_eq!(names, ["054001", "054039", "055032"], "rank order");
        // The main ranking has the groups and a selector naming both.
        let (_, main) = get(&site, "/it/indice").await;
        assert!(
            main.contains(">Contesto<") && main.contains("<option value=\"PROVA\">Indice di prova (2025)</option>")
        );

        // The methodology of the published index, the home page, the card.
        let (_, method) = get(&site, "/it/metodologia?index=PROVA").await;
        assert!(method.contains("cantiere index publish") && method.contains("Giorni di attesa"));
        assert!(method.contains("0123456789abcdef"), "the files published and their hashes");
        let (_, home) = get(&site, "/it/").await;
        assert!(
            home.contains("id=\"indices\"") && home.contains("<a href=\"/it/indice?index=PROVA\">Indice di prova</a>")
        );
        let (_, card) = get(&site, "/it/comuni/054001").await;
        let section = card.split("id=\"elsewhere\"").nth(1).expect("the card's other indices");
        assert!(
            section.contains("Indice di prova") && section.contains("75,0") && section.contains("1 / 3"),
            "{section}"
        );
        let (s, other) = get(&site, "/it/comuni/054002").await;
        assert_eq!(s, StatusCode::OK);
        assert!(!other.contains("id=\"elsewhere\""), "a comune the other index does not rank");

        // Over time: each comune's two periods, and the ranking's change.
        let (s, body) = get(&site, "/api/v1/municipalities/054001/series?index=PROVA").await;
        assert_eq!(s, StatusCode::OK);
        let series: serde_json::Value = serde_json::from_str(&body).unwrap();
        let points: Vec<(String, f64, f64)> = series
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["period"].as_str().unwrap().into(), p["score"].as_f64().unwrap(), p["rank"].as_f64().unwrap()))
            .collect();
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].0.as_str(), points[0].2), ("2024", 2.0));
        assert!((points[0].1 - 25.0).abs() < 1e-12 && (points[1].1 - 75.0).abs() < 1e-12, "{points:?}");
        assert_eq!((points[1].0.as_str(), points[1].2), ("2025", 1.0));
        let (s, body) = get(&site, "/api/v1/municipalities/054001?index=PROVA&period=2024").await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let one: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((one["period"].as_str(), one["result"]["rank"].as_f64()), (Some("2024"), Some(2.0)));
        assert!(one.get("values").is_none(), "an earlier period keeps its result only");
        let (s, _) = get(&site, "/api/v1/municipalities/054002/series?index=PROVA").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a comune PROVA does not rank");
        let (_, series_itd) = get(&site, "/api/v1/municipalities/054001/series").await;
        assert_eq!(serde_json::from_str::<serde_json::Value>(&series_itd).unwrap().as_array().unwrap().len(), 1);
        // The 2024 list, in its rank order: Perugia 100 (1st), then Assisi
        // and Terni tied at 25 (2nd), by code.
        let (s, body) = get(&site, "/api/v1/municipalities?index=PROVA&period=2024").await;
        assert_eq!(s, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["period"], "2024");
        let then: Vec<(&str, f64, f64)> = json["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["code"].as_str().unwrap(), r["score"].as_f64().unwrap(), r["rank"].as_f64().unwrap()))
            .collect();
        assert_eq!(
            then.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
            [("054039", 1.0), ("054001", 2.0), ("055032", 2.0)]
        );
        assert!(
            (then[0].1 - 100.0).abs() < 1e-12 && (then[1].1 - 25.0).abs() < 1e-12 && (then[2].1 - 25.0).abs() < 1e-12
        );
        let (s, body) = get(&site, "/api/v1/municipalities.csv?index=PROVA&period=2023").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body.contains("period: index PROVA has no period `2023` (it has: 2024, 2025)"), "{body}");
        // Since 2024: Assisi 2 -> 1 (+1), Perugia 1 -> 2 (-1), Terni 2 -> 3 (-1).
        let (_, page) = get(&site, "/it/indice?index=PROVA").await;
        assert!(page.contains("rispetto al periodo 2024"), "the period compared");
        let changes: Vec<&str> = page
            .split("<td class=\"text-end\"><span class=\"text-")
            .skip(1)
            .map(|c| c.split('<').next().unwrap())
            .collect();
        assert_eq!(changes, ["success\">+1", "danger\">−1", "danger\">−1"], "in rank order: Assisi, Perugia, Terni");
        let (_, card) = get(&site, "/it/comuni/054039").await;
        let table = card.split("id=\"series-PROVA\"").nth(1).expect("Perugia's series in PROVA");
        assert!(
            table.contains("<th scope=\"row\">2024</th><td class=\"text-end\">100,0</td><td class=\"text-end\">1</td>")
        );
        assert!(
            table.contains("<th scope=\"row\">2025</th><td class=\"text-end\">50,0</td><td class=\"text-end\">2</td>")
        );

        // Unions: the mean and the residents-weighted mean of their members
        // on the period's last day, computed here from the hand-worked scores.
        let population =
            |code: &str| itd.bodies.iter().find(|b| b.code == code).and_then(|b| b.population).unwrap() as f64;
        let (pg, as_) = (population("054039"), population("054001"));
        for (period, perugia, assisi) in [("2025", 50.0, 75.0), ("2024", 100.0, 25.0)] {
            let (s, body) = get(&site, &format!("/api/v1/unions?index=PROVA&period={period}")).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let unions: serde_json::Value = serde_json::from_str(&body).unwrap();
            let unions = unions.as_array().unwrap();
            assert_eq!(unions.len(), 2, "{period}");
            let nord = &unions[0];
            assert_eq!(
                (nord["code"].as_str(), nord["rank"].as_f64(), nord["members"].as_u64()),
                (Some("um_nord"), Some(1.0), Some(2))
            );
            assert!((nord["score"].as_f64().unwrap() - (perugia + assisi) / 2.0).abs() < 1e-12, "{period}: {nord}");
            let weighted = (perugia * pg + assisi * as_) / (pg + as_);
            assert!((nord["weighted"].as_f64().unwrap() - weighted).abs() < 1e-9, "{period}: {nord}");
            assert_eq!((unions[1]["code"].as_str(), unions[1]["rank"].as_f64()), (Some("um_sud"), Some(2.0)));
            assert!((unions[1]["score"].as_f64().unwrap() - 25.0).abs() < 1e-12);
        }
        // Provinces as units of the index: Perugia's two comuni, Terni's one.
        let (s, body) = get(&site, "/api/v1/areas/ranking?level=province&index=PROVA").await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let ranking: serde_json::Value = serde_json::from_str(&body).unwrap();
        let areas = ranking["areas"].as_array().unwrap();
        assert_eq!(areas.len(), 2);
        assert_eq!(
            (areas[0]["code"].as_str(), areas[0]["rank"].as_f64(), areas[0]["municipalities"].as_u64()),
            (Some("054"), Some(1.0), Some(2))
        );
        assert!((areas[0]["score"].as_f64().unwrap() - 62.5).abs() < 1e-12);
        assert!((areas[0]["weighted"].as_f64().unwrap() - (50.0 * pg + 75.0 * as_) / (pg + as_)).abs() < 1e-9);
        assert_eq!((areas[1]["code"].as_str(), areas[1]["score"].as_f64()), (Some("055"), Some(25.0)));
        earlier_period_everywhere(&site, pg, as_).await;
        let (s, page) = get(&site, "/it/aree?level=province&index=PROVA").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let table = page.split("id=\"areas\"").nth(1).unwrap();
        assert!(table.find("Perugia").unwrap() < table.find("Terni").unwrap(), "Perugia's province first");
        assert!(table.contains("<td class=\"text-end\">62,5</td>"), "the mean of Perugia and Assisi");
        let (s, _) = get(&site, "/it/aree?level=comune").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, page) = get(&site, "/it/unioni/um_nord?index=PROVA").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("id=\"unions-example\""), "the examples are said to be examples");
        let members = page.split("id=\"members\"").nth(1).unwrap();
        assert!(members.find("Assisi").unwrap() < members.find("Perugia").unwrap(), "members by score");
        assert!(!members.contains("Terni"), "Terni left in 2024");
        let (s, _) = get(&site, "/it/unioni/um_nessuna").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (_, doc) = get(&site, "/api/v1/openapi.json").await;
        assert!(doc.contains("\"/api/v1/indices\""));
    }
}

/// `period=` on the run, the areas and the maps: 2024's results, worked by
/// hand above (Perugia 100, Assisi 25, Terni 25), not 2025's.
async fn earlier_period_everywhere(site: &axum::Router, pg: f64, as_: f64) {
    let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();
    let (s, body) = get(site, "/api/v1/run?index=PROVA&period=2024").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, now) = get(site, "/api/v1/run?index=PROVA").await;
    let (then, now) = (json(&body), json(&now));
    assert_eq!((then["run"]["period"].as_str(), now["run"]["period"].as_str()), (Some("2024"), Some("2025")));
    assert_ne!(then["run"]["id"], now["run"]["id"]);
    assert_eq!(then["sources"]["published"][0]["file"], "iData.csv");

    // The province of Perugia in 2024: its two comuni, their mean and
    // weighted mean; Terni's province: Terni alone.
    let (s, body) = get(site, "/api/v1/areas?level=province&index=PROVA&period=2024").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let areas = json(&body);
    assert_eq!((areas["period"].as_str(), areas["index"].as_str()), (Some("2024"), Some("PROVA")));
    let areas = areas["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 2);
    assert_eq!((areas[0]["code"].as_str(), areas[0]["municipalities"].as_i64()), (Some("054"), Some(2)));
    assert_eq!(areas[0]["population"].as_f64(), Some(pg + as_));
    let means = &areas[0]["means"]["PROVA"];
    assert!((means[0].as_f64().unwrap() - 62.5).abs() < 1e-12, "{means}");
    assert!((means[1].as_f64().unwrap() - (100.0 * pg + 25.0 * as_) / (pg + as_)).abs() < 1e-9, "{means}");
    assert_eq!(areas[1]["means"]["PROVA"][0].as_f64(), Some(25.0));
    let (s, csv) = get(site, "/api/v1/areas.csv?level=province&index=PROVA&period=2024").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.lines().next().unwrap().ends_with(",PROVA_mean,PROVA_popweighted"), "{csv}");

    // The map of comuni in each period: each shape with that period's score.
    for (period, expected) in [("2024", [100.0, 25.0, 25.0]), ("2025", [50.0, 75.0, 25.0])] {
        let (s, body) = get(site, &format!("/api/v1/geo/comune?index=PROVA&period={period}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let geo = json(&body);
        let score = |code: &str| {
            let features = geo["features"].as_array().unwrap();
            let f = features.iter().find(|f| f["properties"]["code"] == code).expect(code);
            f["properties"]["score"].as_f64()
        };
        assert_eq!([score("054039"), score("054001"), score("055032")], expected.map(Some), "{period}");
    }
    // A period the index does not have, wherever it is asked.
    for uri in [
        "/api/v1/run?index=PROVA&period=2023",
        "/api/v1/areas?index=PROVA&period=2023",
        "/api/v1/geo/comune?index=PROVA&period=2023",
        "/api/v1/indicators?index=PROVA&period=2023",
    ] {
        let (s, body) = get(site, uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("has no period `2023` (it has: 2024, 2025)"), "{uri}: {body}");
    }
}
