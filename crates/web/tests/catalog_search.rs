//! Catalog search over the demo catalog and every file of the reference
//! validator's suite: Italian and English stemming, accents, facets and
//! filters, inactive (invalid) files kept out of the listing unless asked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cantiere_publiccode::Options;
use cantiere_store::catalog::{SolutionRecord, StoredSolution};
use cantiere_territory::catalog::find_files;
use cantiere_web::catalog::{Catalog, SearchQuery};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    std::env::var_os("CANTIERE_SHARED").map(PathBuf::from).unwrap_or_else(|| root().join("../shared"))
}

fn records() -> Vec<SolutionRecord> {
    let files =
        find_files(&[root().join("fixtures/catalog"), shared().join("conformance/publiccode/testdata")]).unwrap();
    files.iter().map(|f| cantiere_territory::catalog::read_file(f, &Options::default())).collect()
}

fn catalog(records: &[SolutionRecord]) -> Catalog {
    let stored = records
        .iter()
        .enumerate()
        .map(|(i, r)| StoredSolution {
            id: i as i64 + 1,
            record: r.clone(),
            active: r.valid,
            first_seen: "2026-11-23T00:00:00Z".into(),
            last_seen: "2026-11-23T00:00:00Z".into(),
        })
        .collect();
    Catalog::new(stored, Vec::new()).unwrap()
}

fn names(c: &Catalog, text: &str) -> Vec<String> {
    let q = SearchQuery { text: text.into(), ..SearchQuery::default() };
    c.search(&q).hits.iter().map(|&i| c.solutions[i].name.clone()).collect()
}

#[test]
fn words_are_found_through_stems_and_accents_in_both_languages() {
    let records = records();
    let c = catalog(&records);
    // Italian: plural/singular and verb forms share a stem.
    assert_eq!(names(&c, "pagamento").first().map(String::as_str), Some("Pagamenti Comunali"));
    assert_eq!(names(&c, "appuntamento"), vec!["Prenota Ufficio"]);
    assert_eq!(names(&c, "prenotare appuntamenti"), vec!["Prenota Ufficio"]);
    // Accents folded both ways.
    assert_eq!(names(&c, "identita digitale").first().map(String::as_str), Some("Accesso con Identità Digitale"));
    assert_eq!(names(&c, "IDENTITÀ"), names(&c, "identita"));
    // English stems.
    assert_eq!(names(&c, "payments").first().map(String::as_str), Some("Pagamenti Comunali"));
    assert_eq!(names(&c, "bookings"), vec!["Prenota Ufficio"]);
    assert_eq!(names(&c, "migrating cloud"), vec!["Kit Migrazione Cloud"]);
    // Every word must match somewhere; when no solution has them all, those
    // with some of them, and the result says so.
    let either = c.search(&SearchQuery { text: "pagamento appuntamento".into(), ..SearchQuery::default() });
    assert!(either.partial);
    let either: BTreeSet<&str> = either.hits.iter().map(|&i| c.solutions[i].name.as_str()).collect();
    assert!(either.contains("Pagamenti Comunali") && either.contains("Prenota Ufficio"), "{either:?}");
    assert!(!c.search(&SearchQuery { text: "pagamento".into(), ..SearchQuery::default() }).partial);
    // The name weighs more than a mention: three demo descriptions mention
    // SPID, the one named after identity comes first for "identità".
    assert_eq!(names(&c, "accesso")[0], "Accesso con Identità Digitale");
    // Query syntax is not interpreted: stray characters are harmless.
    for odd in ["name:medusa", "\"unclosed", "(((", "+-*", "a AND", ":"] {
        let _ = names(&c, odd);
    }
    assert_eq!(names(&c, "medusa)"), names(&c, "medusa"));
    // The suite's valid files are all named Medusa: each is listed once, the
    // invalid ones only when asked.
    let mentions =
        |r: &SolutionRecord| r.name == "Medusa" || r.document.as_deref().is_some_and(|d| d.contains("Medusa"));
    let valid_medusa = records.iter().filter(|r| r.valid && mentions(r)).count();
    assert_eq!(names(&c, "medusa").len(), valid_medusa);
    assert!(valid_medusa >= 40, "{valid_medusa}");
    let q = SearchQuery { text: "medusa".into(), include_inactive: true, ..SearchQuery::default() };
    let all_medusa = records.iter().filter(|r| mentions(r)).count();
    assert_eq!(c.search(&q).hits.len(), all_medusa);
    assert!(all_medusa > valid_medusa);
}

#[test]
fn facets_count_the_results_and_filters_combine() {
    let records = records();
    let c = catalog(&records);
    let everything = c.search(&SearchQuery::default());
    let active = records.iter().filter(|r| r.valid).count();
    assert_eq!(everything.hits.len(), active);
    assert_eq!(c.active(), active);

    // Platform integrations, counted independently from the documents.
    let platform_of = |r: &SolutionRecord, p: &str| {
        let d: serde_json::Value = serde_json::from_str(r.document.as_deref().unwrap_or("null")).unwrap();
        let supports =
            d["supports"].as_array().into_iter().flatten().any(|s| s["id"].as_str() == Some(&format!("alias:{p}")));
        supports || d["IT"]["piattaforme"][p].as_bool() == Some(true)
    };
    let facet = |res: &cantiere_web::catalog::SearchResult, key: &str| -> BTreeMap<String, usize> {
        res.facets.iter().find(|f| f.key == key).unwrap().values.iter().map(|v| (v.value.clone(), v.count)).collect()
    };
    let platforms = facet(&everything, "platform");
    for p in ["pagopa", "io", "spid", "cie", "anpr"] {
        let expected = records.iter().filter(|r| r.valid && platform_of(r, p)).count();
        assert_eq!(platforms.get(p).copied().unwrap_or(0), expected, "{p}");
    }
    // Single-valued facets add up to the results.
    for key in ["kind", "status", "licence", "maintenance"] {
        assert_eq!(facet(&everything, key).values().sum::<usize>(), active, "{key}");
    }

    // Filter by pagoPA, then also by a category: values of one facet are
    // alternatives, facets combine.
    let mut filters = BTreeMap::new();
    filters.insert("platform".to_string(), BTreeSet::from(["pagopa".to_string()]));
    let pagopa = c.search(&SearchQuery { filters: filters.clone(), ..SearchQuery::default() });
    let expected = records.iter().filter(|r| r.valid && platform_of(r, "pagopa")).count();
    assert_eq!(pagopa.hits.len(), expected);
    assert!(pagopa.hits.iter().all(|&i| c.solutions[i].has("platform", "pagopa")));
    let sel = pagopa.facets.iter().find(|f| f.key == "platform").unwrap();
    assert!(sel.values.iter().any(|v| v.value == "pagopa" && v.selected && v.count == expected));

    filters.insert("category".to_string(), BTreeSet::from(["payment-gateway".to_string()]));
    let narrowed: Vec<String> = c
        .search(&SearchQuery { filters: filters.clone(), ..SearchQuery::default() })
        .hits
        .iter()
        .map(|&i| c.solutions[i].name.clone())
        .collect();
    let category_of = |r: &SolutionRecord, cat: &str| {
        r.document.as_deref().is_some_and(|d| {
            let d: serde_json::Value = serde_json::from_str(d).unwrap();
            d["categories"].as_array().into_iter().flatten().any(|c| c.as_str() == Some(cat))
        })
    };
    let mut expected: Vec<String> = records
        .iter()
        .filter(|r| r.valid && platform_of(r, "pagopa") && category_of(r, "payment-gateway"))
        .map(|r| r.name.clone())
        .collect();
    expected.sort();
    assert_eq!(narrowed, expected);
    assert!(narrowed.contains(&"Pagamenti Comunali".to_string()));
    filters.insert(
        "category".to_string(),
        BTreeSet::from(["payment-gateway".to_string(), "digital-citizenship".to_string()]),
    );
    let either = c.search(&SearchQuery { filters: filters.clone(), ..SearchQuery::default() });
    let expected = records
        .iter()
        .filter(|r| {
            r.valid
                && platform_of(r, "pagopa")
                && (category_of(r, "payment-gateway") || category_of(r, "digital-citizenship"))
        })
        .count();
    assert_eq!(either.hits.len(), expected);
    assert!(either.hits.len() > narrowed.len(), "the Sportello joins");

    // Reuse (an administration owns it) vs third-party open source.
    let kinds = facet(&everything, "kind");
    let owned = records
        .iter()
        .filter(|r| r.valid)
        .filter(|r| {
            let d: serde_json::Value = serde_json::from_str(r.document.as_deref().unwrap_or("null")).unwrap();
            d["organisation"]["uri"].as_str().is_some_and(|u| u.starts_with("urn:x-italian-pa:"))
        })
        .count();
    assert_eq!(kinds.get("riuso").copied().unwrap_or(0), owned);
}
