//! ANPR's files as stored indicators, checked against rows read by hand:
//!
//! - `adesioni_ansc_export.csv`: `AGRIGENTO,084001,AGRIGENTO,24-10-2024,24-10-2024`,
//!   `BURGIO,084005,AGRIGENTO,24-09-2025,` (not adopted), `TERNI,055032,TERNI,18-11-2025,18-11-2025`,
//!   `PERUGIA,054039,PERUGIA,05-12-2025,` (not adopted);
//! - `subentro_liste_elettorali_export.csv`: Perugia 23-10-2023, Terni 24-10-2023,
//!   BALVANO (076008) without a date;
//! - `popolazione_residente_export.csv`: `23-11-2025,UMBRIA,PERUGIA,054039,PERUGIA,164081`,
//!   `23-11-2025,UMBRIA,TERNI,055032,TERNI,107705`, `23-11-2025,SICILIA,AGRIGENTO,084005,BURGIO,2437`.

mod common;

use std::collections::HashMap;

#[test]
fn ansc_and_electoral_lists_by_date_as_read_by_hand() {
    let read = cantiere_territory::anpr::read(&common::anpr()).unwrap();
    let (files, values) = (read.files, read.values);
    assert_eq!(files.len(), 3);
    let mut by: HashMap<(&str, &str), Vec<(&str, f64)>> = HashMap::new();
    for (_, v) in &values {
        by.entry((v.unit.as_str(), v.indicator.as_str())).or_default().push((v.period.as_str(), v.value));
    }
    let get = |u: &str, i: &str| by.get(&(u, i)).cloned().unwrap_or_default();
    assert_eq!(get("084001", "anpr_ansc"), [("2021-12-31", 0.0), ("2024-10-24", 1.0)]);
    assert_eq!(get("084001", "anpr_ansc_ritardo"), [("2024-10-24", 0.0)], "adopted on the planned day");
    assert_eq!(get("084005", "anpr_ansc"), [("2021-12-31", 0.0)], "Burgio has not adopted");
    assert!(get("084005", "anpr_ansc_ritardo").is_empty());
    assert_eq!(get("055032", "anpr_ansc"), [("2021-12-31", 0.0), ("2025-11-18", 1.0)]);
    assert_eq!(get("054039", "anpr_ansc"), [("2021-12-31", 0.0)]);
    assert_eq!(get("054039", "anpr_liste"), [("2021-12-31", 0.0), ("2023-10-23", 1.0)]);
    assert_eq!(get("055032", "anpr_liste"), [("2021-12-31", 0.0), ("2023-10-24", 1.0)]);
    assert_eq!(get("076008", "anpr_liste"), [("2021-12-31", 0.0)], "Balvano: no takeover date");
    assert_eq!(get("054039", "anpr_residenti"), [("2025-11-23", 164_081.0)]);
    assert_eq!(get("055032", "anpr_residenti"), [("2025-11-23", 107_705.0)]);
    assert_eq!(get("084005", "anpr_residenti"), [("2025-11-23", 2_437.0)]);
    // The README's total of residents: 59,504,234 in 7,896 comuni.
    let residents: Vec<f64> =
        values.iter().filter(|(_, v)| v.indicator == "anpr_residenti").map(|(_, v)| v.value).collect();
    assert_eq!((residents.len(), residents.iter().sum::<f64>()), (7_896, 59_504_234.0));
    // Every late adoption is counted from the planned date, never negative.
    assert!(values.iter().filter(|(_, v)| v.indicator == "anpr_ansc_ritardo").all(|(_, v)| v.value >= 0.0));
    // One value per (unit, indicator, period): the store's key.
    let mut keys: Vec<(&str, &str, &str)> =
        values.iter().map(|(_, v)| (v.unit.as_str(), v.indicator.as_str(), v.period.as_str())).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n);
}

#[test]
fn a_bad_date_names_its_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("cantiere-anpr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("adesioni_ansc_export.csv"),
        "COMUNE,COD_ISTAT_COMUNE,PROVINCIA,DATA_ADESIONE_PREVISTA,DATA_ADESIONE\nA,001001,X,01-01-2024,2024-02-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("subentro_liste_elettorali_export.csv"),
        "COMUNE,COD_ISTAT_COMUNE,PROVINCIA,DATA_SUBENTRO,NUMERO ELETTORI\nA,001001,X,31-02-2023,10\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("popolazione_residente_export.csv"),
        "DATA_ELABORAZIONE,REGIONE,PROVINCIA,COD_ISTAT_COMUNE,COMUNE,RESIDENTI\n23-11-2025,R,X,001001,A,1.5e3\n",
    )
    .unwrap();
    let errors: Vec<String> =
        cantiere_territory::anpr::read(&dir).unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].ends_with(
            "adesioni_ansc_export.csv:2:5: column `DATA_ADESIONE`: `2024-02-01`: expected a date DD-MM-YYYY"
        )
    );
    assert!(errors[1].ends_with(
        "subentro_liste_elettorali_export.csv:2:4: column `DATA_SUBENTRO`: `31-02-2023`: expected a date DD-MM-YYYY"
    ));
    assert!(
        errors[2].ends_with(
            "popolazione_residente_export.csv:2:6: column `RESIDENTI`: `1.5e3`: expected a whole number of residents"
        ),
        "{}",
        errors[2]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
