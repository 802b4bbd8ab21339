//! The quarterly backfill's as-of rule on the real PA digitale data,
//! against Perugia's applications counted by hand from the CSV files
//! (`candidature_finanziate_143.csv` and `_144.csv`, the rows of
//! `codice_ipa` `c_g478`):
//!
//! | measure | sent | funded | euros | state |
//! |---|---|---|---|---|
//! | 1.4.3 | 2022-04-04 | 2022-08-12 | 10,990 | A |
//! | 1.4.3 | 2022-05-27 | 2022-08-02 | 76,916 | R on 2022-09-19 |
//! | 1.4.3 | 2022-09-20 | 2023-01-20 | 82,410 | A |
//! | 1.4.4 | 2022-05-17 | 2022-08-02 | 14,000 | R on 2023-10-13 |
//! | 1.4.4 | 2024-09-16 | 2025-01-24 | 19,642 | A |

mod common;

use cantiere_territory::Sources;
use cantiere_territory::as_of;
use cantiere_territory::definition::Kind;
use cantiere_territory::indicators::{applications_by_municipality, value};
use cantiere_territory::text::Date;

#[test]
fn perugia_at_past_dates_as_counted_by_hand() {
    let sources = Sources::load(&common::registry(), &common::padigitale(), 2023).unwrap();
    let reg = &sources.registry;
    let u = reg.municipalities.iter().position(|m| m.code == "054039").unwrap();
    let m = &reg.municipalities[u];
    let residents = m.population.unwrap().total as f64;
    // (date, measure, euros held and not renounced, adopted)
    let cases = [
        // Two sent, neither funded yet: adopted, no euros.
        ("2022-06-30", "1.4.3", 0.0, 1.0),
        // The first funded; the second renounced on 09-19; the third sent on 09-20, not funded.
        ("2022-09-30", "1.4.3", 10_990.0, 1.0),
        ("2023-03-31", "1.4.3", 10_990.0 + 82_410.0, 1.0),
        // SPID held until its renunciation on 2023-10-13.
        ("2023-09-30", "1.4.4", 14_000.0, 1.0),
        ("2023-12-31", "1.4.4", 0.0, 0.0),
        // ANPR/ANSC sent 2024-09-16, funded 2025-01-24.
        ("2024-12-31", "1.4.4", 0.0, 1.0),
        ("2025-03-31", "1.4.4", 19_642.0, 1.0),
    ];
    for (date, measure, euros, adopted) in cases {
        let apps = as_of::applications(&sources.import.applications, Date::parse(date).unwrap());
        let by = applications_by_municipality(&apps, &sources.matching);
        let list: Vec<_> = by.get(&(u, measure)).into_iter().flatten().map(|&i| &apps[i]).collect();
        let held = value(Kind::FundingPerInhabitant, m, &list) * residents;
        assert!((held - euros).abs() < 1e-6, "{date} {measure}: {held} euros, counted {euros}");
        assert_eq!(value(Kind::Adopted, m, &list), adopted, "{date} {measure}");
    }
    // Before any application was sent, nothing is held.
    let apps = as_of::applications(&sources.import.applications, Date::parse("2022-01-31").unwrap());
    let by = applications_by_municipality(&apps, &sources.matching);
    let list: Vec<_> = by.get(&(u, "1.4.3")).into_iter().flatten().map(|&i| &apps[i]).collect();
    assert_eq!(value(Kind::Adopted, m, &list), 0.0);
}
