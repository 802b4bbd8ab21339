//! Indicator data: the dictionary and values stored with their provenance,
//! a value given again replaced (its new import recorded), the units a file
//! may name read back, on SQLite and (with DATABASE_URL) PostgreSQL.

mod common;

use cantiere_store::Store;
use cantiere_store::administration::Administration;
use cantiere_store::data::{Definition, ImportFile, NewValue};

fn value(unit: &str, period: &str, v: f64) -> NewValue {
    NewValue {
        unit: unit.into(),
        indicator: "spid_uso".into(),
        period: period.into(),
        source: "regione".into(),
        value: v,
        note: String::new(),
    }
}

#[tokio::test]
async fn values_are_stored_with_their_provenance_and_replaced_by_a_later_import() {
    for url in common::urls("data").await {
        let store = Store::open(&url).await.unwrap();
        let union = Administration {
            codice_ipa: "um_test".into(),
            name: "Unione di prova".into(),
            category: "Unioni di Comuni e loro Consorzi e Associazioni".into(),
            municipality_code: String::new(),
            municipality: String::new(),
            region: String::new(),
            lists: "indicepa-2018".into(),
        };
        store.replace_administrations(&[union]).await.unwrap();
        assert!(store.unit_names().await.unwrap().contains(&("um_test".to_string(), "um_test".to_string())));
        let def = Definition {
            code: "spid_uso".into(),
            name_it: "Accessi con SPID".into(),
            name_en: "SPID logins".into(),
            unit: "%".into(),
            direction: 1,
            source: "Regione".into(),
            licence: "CC BY 4.0".into(),
            description: String::new(),
        };
        let files = |n: &str| vec![ImportFile { file: n.into(), content_hash: "0123456789abcdef".into() }];
        // All or nothing: an import refused stores neither its dictionary
        // nor any of its values.
        let refused = [(0, value("037006", "2023", 0.5)), (0, value("037006", "2024", f64::INFINITY))];
        let e = store.import_values(std::slice::from_ref(&def), &files("bad.csv"), &refused, "test").await.unwrap_err();
        assert!(e.to_string().contains("spid_uso for 037006 in 2024") && e.to_string().contains("finite"), "{e}");
        let nowhere = [(1, value("037006", "2023", 0.5))];
        let e = store.import_values(std::slice::from_ref(&def), &files("bad.csv"), &nowhere, "test").await.unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");
        assert!(store.definitions().await.unwrap().is_empty(), "{url}");
        assert!(store.values("spid_uso").await.unwrap().is_empty(), "{url}");

        store.upsert_definitions(std::slice::from_ref(&def)).await.unwrap();
        assert_eq!(store.definitions().await.unwrap(), vec![def]);

        let first = [(0, value("037006", "2024", 0.5)), (0, value("um_test", "2024-Q1", 0.25))];
        let s = store.import_values(&[], &files("a.csv"), &first, "test").await.unwrap();
        assert_eq!((s.new, s.replaced), (2, 0), "{url}");
        let again = [(0, value("037006", "2024", 0.75)), (0, value("037006", "2025", 0.8))];
        let s = store.import_values(&[], &files("b.csv"), &again, "test").await.unwrap();
        assert_eq!((s.new, s.replaced), (1, 1), "{url}");
        let stored = store.values("spid_uso").await.unwrap();
        let seen: Vec<(&str, &str, f64)> =
            stored.iter().map(|v| (v.unit.as_str(), v.period.as_str(), v.value)).collect();
        assert_eq!(seen, [("037006", "2024", 0.75), ("037006", "2025", 0.8), ("um_test", "2024-Q1", 0.25)]);
        assert_eq!(stored[0].import_id, stored[1].import_id, "both written by the second import");
        assert_ne!(stored[0].import_id, stored[2].import_id);
        // Every f64 comes back bit for bit, whatever the way it is written
        // (but -0.0: SQLite stores an integral REAL as an integer, so it is 0).
        let odd = [0.1 + 0.2, 1e-310, 123_456_789.123_456_78, -1.5e300, f64::MAX, 5e-324];
        let exact: Vec<(usize, NewValue)> =
            odd.iter().enumerate().map(|(i, &v)| (0, value(&format!("u{i}"), "2030", v))).collect();
        store.import_values(&[], &files("c.csv"), &exact, "test").await.unwrap();
        let back = store.values("spid_uso").await.unwrap();
        for (i, v) in odd.iter().enumerate() {
            let got = back.iter().find(|s| s.unit == format!("u{i}")).unwrap().value;
            assert_eq!(got.to_bits(), v.to_bits(), "{url}: {v:e} read back as {got:e}");
        }
        store.close().await;
    }
}
