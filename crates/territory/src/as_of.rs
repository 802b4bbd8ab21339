//! PA digitale as it stood on a past date, for the quarterly backfill
//! (`cantiere import --backfill quarterly`).
//!
//! **Rule.** On date `D`, an application
//! - **counts from its sending date**: one sent after `D` is left out of
//!   every indicator (it is marked renounced with no amount, which every
//!   indicator leaves out, so that the matching of applications to comuni,
//!   by position, stays valid);
//! - **counts as funded from its funding date**: its amount enters the
//!   euros per resident only from then (from its sending date when the data
//!   give no funding date);
//! - **is paid or renounced from its state date**: before it, or when the
//!   data give no state date (the measure 1.2 snapshot has none), it is
//!   funded (`A`); so a past completion can only be dated where the state
//!   date is known.
//!
//! Periods are quarters (`2024-Q3`), each ending on its last day; the
//! period of a run built from the whole data is the quarter of its latest
//! date, and the backfill builds every quarter before it from the first
//! one in the data.

use crate::padigitale::{Application, Status};
use crate::text::Date;

/// The applications as they stood on `date` (see the module doc).
pub fn applications(apps: &[Application], date: Date) -> Vec<Application> {
    apps.iter()
        .map(|a| {
            let mut a = a.clone();
            if a.submitted > date {
                a.status = Status::Renounced;
                a.status_date = None;
                a.amount = 0.0;
                return a;
            }
            if a.funded.is_some_and(|f| f > date) {
                a.amount = 0.0;
            }
            if a.status != Status::Funded && a.status_date.is_none_or(|d| d > date) {
                a.status = Status::Funded;
                a.status_date = None;
            }
            a
        })
        .collect()
}

/// The quarter of a date (`2024-Q3`).
pub fn quarter(date: Date) -> String {
    let (y, m, _) = date.ymd();
    format!("{y:04}-Q{}", (m - 1) / 3 + 1)
}

/// The last day of the quarter of `date`.
fn quarter_end(date: Date) -> Date {
    let (y, m, _) = date.ymd();
    let last = (m - 1) / 3 * 3 + 3;
    let day = if last == 6 || last == 9 { 30 } else { 31 };
    Date::from_ymd(y, last, day).expect("a quarter's last day exists")
}

/// Every quarter from the one of `first` up to the one before the quarter
/// of `latest`: (period, its last day), oldest first.
pub fn quarters(first: Date, latest: Date) -> Vec<(String, Date)> {
    let stop = quarter(latest);
    let mut out = Vec::new();
    let mut end = quarter_end(first);
    while quarter(end) < stop {
        out.push((quarter(end), end));
        end = quarter_end(Date(end.0 + 1));
    }
    out
}

/// The first sending date and the latest date of any kind in the data.
fn span(apps: &[Application]) -> Option<(Date, Date)> {
    let first = apps.iter().map(|a| a.submitted).min()?;
    let latest = apps.iter().map(|a| a.status_date.or(a.funded).unwrap_or(a.submitted)).max()?;
    Some((first, latest))
}

/// The runs of every quarter before the latest one, built from the data as
/// they stood on each quarter's last day, oldest first. A backfilled run
/// keeps what the series and the trends read (comuni, indicators, results,
/// province and region means); its values, peers, applications and
/// boundaries are those of the run served, so they are left out. Stored
/// indicators (`kind = "data"`) count with the periods ending by the
/// quarter's last day.
pub fn backfill(
    sources: &crate::Sources,
    files: &crate::IndexFiles,
    settings: &crate::Settings,
) -> crate::Result<Vec<cantiere_store::Snapshot>> {
    let apps = &sources.import.applications;
    let Some((first, latest)) = span(apps) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (period, end) in quarters(first, latest) {
        let then = crate::Sources {
            registry: sources.registry.clone(),
            import: crate::padigitale::Import {
                files: sources.import.files.clone(),
                applications: applications(apps, end),
            },
            matching: sources.matching.clone(),
            // Stored values count up to the quarter's last day.
            data: crate::data::DataValues { until: Some(end.to_string()), ..sources.data.clone() },
        };
        let scored = crate::build::score(&then, files, settings)?;
        let mut snap = crate::stored::snapshot(&then, files, settings, &scored, None);
        if let Some(run) = snap.run.as_mut() {
            run.period = period;
        }
        snap.scores = Vec::new();
        snap.peers = Vec::new();
        snap.profiles = Vec::new();
        snap.applications = Vec::new();
        snap.boundaries = Vec::new();
        out.push(snap);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::padigitale::BodyKind;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn app(submitted: &str, funded: Option<&str>, status: Status, status_date: Option<&str>) -> Application {
        Application {
            file: 0,
            line: 2,
            measure: "1.4.1".into(),
            codice_ipa: "c_a944".into(),
            ente: "Comune di Bologna".into(),
            kind: BodyKind::Comune,
            comune: "Bologna".into(),
            cod_comune: Some("037006".into()),
            provincia: "BO".into(),
            regione: "Emilia-Romagna".into(),
            amount: 1000.0,
            avviso: "1/2022".into(),
            submitted: date(submitted),
            funded: funded.map(date),
            cup: String::new(),
            window: None,
            status,
            status_date: status_date.map(date),
        }
    }

    /// Four applications, followed by hand at two dates.
    #[test]
    fn applications_count_from_their_dates() {
        let apps = [
            // Sent 2022-05, funded 2022-08, paid 2023-06.
            app("2022-05-10", Some("2022-08-01"), Status::Paid, Some("2023-06-15")),
            // Sent 2022-07, funded 2023-01, renounced 2023-09.
            app("2022-07-01", Some("2023-01-20"), Status::Renounced, Some("2023-09-30")),
            // Sent 2023-02: after the first date.
            app("2023-02-01", Some("2023-03-01"), Status::Funded, None),
            // The 1.2 snapshot: paid, but no state date.
            app("2022-04-01", Some("2022-06-01"), Status::Paid, None),
        ];
        let on = applications(&apps, date("2022-12-31"));
        let seen: Vec<(Status, f64)> = on.iter().map(|a| (a.status, a.amount)).collect();
        assert_eq!(
            seen,
            [
                (Status::Funded, 1000.0), // sent and funded, not yet paid
                (Status::Funded, 0.0),    // sent, funded only in 2023
                (Status::Renounced, 0.0), // not yet sent: out of every indicator
                (Status::Funded, 1000.0), // no state date: funded until the data say more
            ]
        );
        let on = applications(&apps, date("2023-09-30"));
        let seen: Vec<(Status, f64)> = on.iter().map(|a| (a.status, a.amount)).collect();
        assert_eq!(
            seen,
            [(Status::Paid, 1000.0), (Status::Renounced, 1000.0), (Status::Funded, 1000.0), (Status::Funded, 1000.0)]
        );
        assert_eq!(on[0].status_date, Some(date("2023-06-15")), "a known state keeps its date");
    }

    #[test]
    fn quarters_run_from_the_first_to_the_one_before_the_latest() {
        assert_eq!(quarter(date("2024-03-31")), "2024-Q1");
        assert_eq!(quarter(date("2024-10-01")), "2024-Q4");
        let q = quarters(date("2022-05-10"), date("2023-04-02"));
        let names: Vec<(&str, String)> = q.iter().map(|(p, d)| (p.as_str(), d.to_string())).collect();
        assert_eq!(
            names,
            [
                ("2022-Q2", "2022-06-30".into()),
                ("2022-Q3", "2022-09-30".into()),
                ("2022-Q4", "2022-12-31".into()),
                ("2023-Q1", "2023-03-31".into())
            ]
        );
        assert!(quarters(date("2024-02-01"), date("2024-03-31")).is_empty(), "one quarter: nothing before it");
    }
}
