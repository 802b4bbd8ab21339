//! A run's data as rows, and their reading and writing. Who builds a run
//! (`cantiere-territory`'s `stored::snapshot`) maps its results to these rows.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::AnyPool;

use crate::db::{FromRow, RunTable, columns, db, row, run_rows, sql};
use crate::{Backend, Error, Result};

row! {
    /// A run: one build of an index (`Default`: every field empty, for
    /// fixtures and a site with no run).
    #[derive(Debug, Clone, PartialEq, Default, Serialize)]
    pub struct RunInfo {
        /// Its id (0 before it is stored).
        pub id: i64,
        /// Code of the index (`ITD`).
        pub index_code: String,
        /// Version of the definition.
        pub index_version: String,
        /// The territory (`Italia`, a region, a province).
        pub territory: String,
        /// When it was built (UTC, RFC 3339).
        pub created_at: String,
        /// Runs of the uncertainty analysis (0: none).
        pub runs: i64,
        /// Threshold of the context score.
        pub threshold_context: Option<f64>,
        /// Threshold of the innovation score.
        pub threshold_innovation: Option<f64>,
        /// The sources, as JSON (files, rows, latest dates).
        pub sources: String,
        /// The definition file's text.
        pub definition: String,
        /// The pipeline file's text.
        pub pipeline: String,
        /// The index's name (empty for runs stored before indices had one).
        pub name: String,
        /// The period its data describes (`YYYY`, `YYYY-Qn`, `YYYY-MM`,
        /// `YYYY-MM-DD`; empty for runs stored before periods).
        pub period: String,
        /// What ranks units made of comuni (unions, provinces, regions):
        /// `mean` of their comuni's scores or `weighted` by residents.
        pub units_score: String,
    }
}

row! {
    /// A municipality, province or region.
    #[derive(Debug, Clone, Default, PartialEq, Serialize)]
    pub struct Body in "body" order "code" {
        /// ISTAT code (6 digits for a comune, 3 for a province, 2 for a region).
        pub code: String,
        /// `comune`, `provincia` or `regione`.
        pub kind: String,
        /// Name.
        pub name: String,
        /// Region code.
        pub region_code: String,
        /// Region name.
        pub region: String,
        /// Province code (empty for a region).
        pub province_code: String,
        /// Province name.
        pub province: String,
        /// Province abbreviation.
        pub province_abbr: String,
        /// Geographic zone.
        pub zone: String,
        /// Size class (comuni).
        pub size_class: String,
        /// Capital of its province.
        pub capoluogo: bool,
        /// Residents.
        pub population: Option<i64>,
        /// Area in km².
        pub area_km2: Option<f64>,
        /// Cadastral code (comuni).
        pub cadastral: String,
    }
}

row! {
    /// An indicator or aggregate of the index.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct IndicatorRow in "indicator" order "position" {
        /// Code.
        pub code: String,
        /// Name.
        pub name: String,
        /// Level (1: indicator).
        pub level: i64,
        /// Parent code (empty for the index).
        pub parent: String,
        /// +1 or −1.
        pub direction: i64,
        /// Weight within the parent.
        pub weight: f64,
        /// Unit.
        pub unit: String,
        /// Meaning and source.
        pub description: String,
        /// PNRR measure (PA digitale indicators).
        pub measure: String,
        /// Order in the definition.
        pub position: i64,
    }
}

row! {
    /// A value of a unit on a code.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ScoreRow in "score" order "ucode, code" {
        /// Unit.
        pub ucode: String,
        /// Indicator or aggregate.
        pub code: String,
        /// Raw value (indicators).
        pub raw: Option<f64>,
        /// Normalised value (indicators) or score (aggregates), 0–100.
        pub value: Option<f64>,
    }
}

row! {
    /// A unit's result on the index.
    #[derive(Debug, Clone, Default, PartialEq, Serialize)]
    pub struct ResultRow in "result" order "ucode" {
        /// Unit.
        pub ucode: String,
        /// Index score.
        pub score: Option<f64>,
        /// Rank (1 = best).
        pub rank: Option<f64>,
        /// Context score.
        pub context: Option<f64>,
        /// Innovation score.
        pub innovation: Option<f64>,
        /// SmartER group.
        pub group: Option<String> = "grp",
        /// Probability of staying in the group.
        pub stability: Option<f64>,
        /// 5th percentile of the rank over the uncertainty runs.
        pub rank_low: Option<f64>,
        /// 95th percentile.
        pub rank_high: Option<f64>,
    }
}

row! {
    /// A peer of a unit.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct PeerRow in "peer" order "ucode, position" {
        /// Unit.
        pub ucode: String,
        /// 1 = nearest.
        pub position: i64,
        /// The peer.
        pub peer: String,
        /// |context difference|.
        pub distance: f64,
        /// The pool it came from.
        pub pool: String,
    }
}

row! {
    /// A strength or weakness.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProfileRow in "profile" order "ucode, kind, value - peers_mean DESC" {
        /// Unit.
        pub ucode: String,
        /// `strength` or `weakness`.
        pub kind: String,
        /// Indicator.
        pub code: String,
        /// The unit's normalised value.
        pub value: f64,
        /// The peers' mean.
        pub peers_mean: f64,
    }
}

row! {
    /// A province or region summary.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct AreaRow in "area" order "level, code" {
        /// `province` or `region`.
        pub level: String,
        /// ISTAT code.
        pub code: String,
        /// Name.
        pub name: String,
        /// Municipalities.
        pub municipalities: i64,
        /// Residents.
        pub population: i64,
        /// Municipalities per group, in SmartER order.
        pub groups: Vec<i64>,
        /// Score code → (mean, population-weighted mean).
        pub means: BTreeMap<String, (Option<f64>, Option<f64>)>,
    }
}

row! {
    /// A PA digitale application.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ApplicationRow in "application" order "file, line" {
        /// Source file name.
        pub file: String,
        /// Line in it.
        pub line: i64,
        /// Measure.
        pub measure: String,
        /// IPA code of the administration.
        pub codice_ipa: String,
        /// Administration.
        pub ente: String,
        /// Kind of administration.
        pub kind: String,
        /// Its municipality, when matched.
        pub ucode: Option<String>,
        /// Euros.
        pub amount: f64,
        /// The call.
        pub avviso: String,
        /// Sent on.
        pub submitted: String,
        /// Funded on.
        pub funded: Option<String>,
        /// CUP.
        pub cup: String,
        /// A, E or R.
        pub status: String,
        /// Date of the state.
        pub status_date: Option<String>,
    }
}

row! {
    /// A simplified boundary.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct BoundaryRow in "boundary" order "level, code" {
        /// `comune`, `provincia`, `regione`.
        pub level: String,
        /// ISTAT code.
        pub code: String,
        /// GeoJSON geometry.
        pub geojson: String,
    }
}

/// Everything a run holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// The run.
    pub run: Option<RunInfo>,
    /// Bodies.
    pub bodies: Vec<Body>,
    /// Indicators and aggregates.
    pub indicators: Vec<IndicatorRow>,
    /// Values.
    pub scores: Vec<ScoreRow>,
    /// Results.
    pub results: Vec<ResultRow>,
    /// Peers.
    pub peers: Vec<PeerRow>,
    /// Strengths and weaknesses.
    pub profiles: Vec<ProfileRow>,
    /// Provinces and regions.
    pub areas: Vec<AreaRow>,
    /// Applications.
    pub applications: Vec<ApplicationRow>,
    /// Boundaries.
    pub boundaries: Vec<BoundaryRow>,
}

/// Now, as RFC 3339 UTC.
pub fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (the
/// era-based conversion: 400-year eras of 146,097 days, years from March).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The SmartER groups' names, in their order (the `group` of a result is
/// one of them).
pub const GROUP_NAMES: [&str; 4] =
    ["sviluppo armonico e integrato", "benessere analogico", "riscatto smart", "transizione da avviare"];

/// Size classes of municipalities by resident population: (upper bound
/// included, label), ISTAT's classes.
pub const SIZE_CLASSES: [(u64, &str); 8] = [
    (1_000, "fino a 1.000"),
    (5_000, "1.001-5.000"),
    (10_000, "5.001-10.000"),
    (20_000, "10.001-20.000"),
    (50_000, "20.001-50.000"),
    (100_000, "50.001-100.000"),
    (250_000, "100.001-250.000"),
    (u64::MAX, "oltre 250.000"),
];

impl Snapshot {
    /// The group names in SmartER order.
    pub fn group_names() -> [&'static str; 4] {
        GROUP_NAMES
    }
}

mod read;
mod write;

pub use read::latest_per_index;
pub(crate) use read::{comuni, delete, load, reference_run, results, runs};
pub(crate) use write::insert;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_1970_are_calendar_dates() {
        // Days counted in the test from Python's datetime (date - 1970-01-01).
        for (days, ymd) in [
            (0, (1970, 1, 1)),
            (11_016, (2000, 2, 29)),
            (19_782, (2024, 2, 29)),
            (20_782, (2026, 11, 25)),
            (-1, (1969, 12, 31)),
        ] {
            assert_eq!(civil(days), ymd, "{days}");
        }
        assert_eq!(now().len(), "2026-11-25T00:00:00Z".len());
    }

    #[test]
    fn the_main_index_is_the_first_stored_and_comes_first() {
        let run =
            |id, code: &str| RunInfo { id, index_code: code.into(), index_version: "1".into(), ..RunInfo::default() };
        // Newest first, as the store lists them: ITD (run 1) came first.
        let runs = [run(6, "B"), run(5, "ITD"), run(4, "A"), run(3, "B"), run(2, "A"), run(1, "ITD")];
        let latest: Vec<(i64, String)> = latest_per_index(&runs).into_iter().map(|r| (r.id, r.index_code)).collect();
        assert_eq!(latest, [(5, "ITD".into()), (4, "A".into()), (6, "B".into())]);
        // Periods: the latest period is served, whatever order they were
        // stored in (2024 published after 2025); among runs of one period,
        // the newest; a run with a period over one without.
        let dated = |id, code: &str, period: &str| RunInfo { period: period.into(), ..run(id, code) };
        let runs = [
            dated(7, "B", "2024"),
            dated(6, "B", "2025"),
            dated(5, "B", "2025"),
            dated(4, "A", ""),
            dated(3, "A", "2023"),
            dated(2, "ITD", "2026-08-16"),
        ];
        let latest: Vec<i64> = latest_per_index(&runs).into_iter().map(|r| r.id).collect();
        assert_eq!(latest, [2, 3, 6]);
        // Periods of different forms are ordered by their last day: 2025-06
        // before 2025-Q4 (30 June, 31 December), 2025 and 2025-Q4 by form.
        let runs = [dated(3, "A", "2025-06"), dated(2, "A", "2025-Q4"), dated(1, "A", "2025-05-31")];
        assert_eq!(latest_per_index(&runs)[0].id, 2);
        assert!(crate::data::period_order("2025-06", "2025-Q4").is_lt());
        assert!(crate::data::period_order("2025-Q3", "2025-09").is_gt(), "same last day: by form");
        assert!(crate::data::period_order("2024-12-31", "2025").is_lt());
        assert!(latest_per_index(&[]).is_empty());
    }
}
