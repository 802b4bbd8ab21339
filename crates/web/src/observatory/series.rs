//! An index over time. Runs of one index belong to a period; the runs of
//! the same index, **version** and territory over periods are its time
//! series (a new version of the method is never compared with an older
//! one). `live::load` gives each observatory the results of the latest run
//! of every earlier period ([`Observatory::with_history`]); a card and
//! `/api/v1/municipalities/{code}/series` read a comune's score, rank, rank
//! interval and group in each, oldest first, the period served last.

use std::collections::HashMap;

use cantiere_store::data::period_order;
use cantiere_store::{ResultRow, RunInfo};
use serde::Serialize;

use super::Observatory;
use crate::http::error::AppError;

/// An earlier period of an index: its latest run and that run's results
/// by comune.
#[derive(Debug, Clone)]
pub struct Earlier {
    /// The run.
    pub run: RunInfo,
    /// Its results by ISTAT code.
    pub results: HashMap<String, ResultRow>,
}

/// A comune in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// The period.
    pub period: String,
    /// Its score.
    pub score: Option<f64>,
    /// Its rank (1 = best).
    pub rank: Option<f64>,
    /// 5th percentile of the rank under uncertainty.
    pub rank_low: Option<f64>,
    /// 95th percentile.
    pub rank_high: Option<f64>,
    /// Its group.
    pub group: Option<String>,
}

/// An area in one period: the mean score of its comuni ranked then.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The period.
    pub period: String,
    /// Its comuni with a score in that period.
    pub comuni: usize,
    /// Their mean score.
    pub mean: Option<f64>,
}

fn trend_point(period: &str, scores: impl Iterator<Item = Option<f64>>) -> TrendPoint {
    let v: Vec<f64> = scores.flatten().collect();
    let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    TrendPoint { period: period.to_string(), comuni: v.len(), mean }
}

fn point(period: &str, r: &ResultRow) -> SeriesPoint {
    SeriesPoint {
        period: period.to_string(),
        score: r.score,
        rank: r.rank,
        rank_low: r.rank_low,
        rank_high: r.rank_high,
        group: r.group.clone(),
    }
}

impl Observatory {
    /// Adds the earlier periods of this index (same version and
    /// territory): the run of each and its results; a period equal to or
    /// after the one served is left out, and of two runs of one period the
    /// first given is kept.
    pub fn with_history(mut self, periods: Vec<(RunInfo, Vec<ResultRow>)>) -> Observatory {
        let served = self.period().to_string();
        let mut history: Vec<Earlier> = periods
            .into_iter()
            .filter(|(run, _)| period_order(&run.period, &served).is_lt())
            .map(|(run, rows)| Earlier { run, results: rows.into_iter().map(|r| (r.ucode.clone(), r)).collect() })
            .collect();
        history.sort_by(|a, b| period_order(&a.run.period, &b.run.period));
        history.dedup_by(|a, b| a.run.period == b.run.period);
        self.history = history;
        self
    }

    /// The period served: the run's, else the day it was built.
    pub fn period(&self) -> &str {
        if self.run.period.is_empty() { self.run.created_at.get(..10).unwrap_or("") } else { &self.run.period }
    }

    /// A comune's results in every period it was ranked in, oldest first,
    /// the period served last (empty for a comune this index does not rank).
    pub fn series(&self, code: &str) -> Vec<SeriesPoint> {
        let Some(now) = self.muni(code) else { return Vec::new() };
        let mut out: Vec<SeriesPoint> =
            self.history.iter().filter_map(|e| e.results.get(code).map(|r| point(&e.run.period, r))).collect();
        out.push(point(self.period(), &now.result));
        out
    }

    /// The trend of a set of comuni (a region's, a province's): their mean
    /// score in every period, oldest first, the period served last.
    pub fn trend(&self, codes: &[&str]) -> Vec<TrendPoint> {
        let mut out: Vec<TrendPoint> = self
            .history
            .iter()
            .map(|e| trend_point(&e.run.period, codes.iter().map(|c| e.results.get(*c).and_then(|r| r.score))))
            .collect();
        out.push(trend_point(self.period(), codes.iter().map(|c| self.muni(c).and_then(|m| m.result.score))));
        out
    }

    /// The results of `period` by comune: `None` for the period served
    /// (the run's own results), the earlier period's otherwise; a period
    /// this index does not have is a 404 naming those it has.
    pub fn results_at(&self, period: Option<&str>) -> Result<Option<&HashMap<String, ResultRow>>, AppError> {
        Ok(self.earlier(period)?.map(|e| &e.results))
    }

    /// A comune's result in an earlier period's `results`, or in the run
    /// served for `None` (what [`Observatory::results_at`] gives).
    pub fn result_in<'a>(
        &'a self,
        results: Option<&'a HashMap<String, ResultRow>>,
        code: &str,
    ) -> Option<&'a ResultRow> {
        match results {
            Some(then) => then.get(code),
            None => self.muni(code).map(|m| &m.result),
        }
    }

    /// The run of `period`: the run served for `None` or its own period.
    pub fn run_at(&self, period: Option<&str>) -> Result<&RunInfo, AppError> {
        Ok(self.earlier(period)?.map_or(&self.run, |e| &e.run))
    }

    fn earlier(&self, period: Option<&str>) -> Result<Option<&Earlier>, AppError> {
        let Some(period) = period.filter(|p| *p != self.period()) else { return Ok(None) };
        match self.history.iter().find(|e| e.run.period == period) {
            Some(e) => Ok(Some(e)),
            None => {
                let mut known: Vec<&str> = self.history.iter().map(|e| e.run.period.as_str()).collect();
                known.push(self.period());
                Err(AppError::NotFound(format!(
                    "period: index {} has no period `{period}` (it has: {})",
                    self.run.index_code,
                    known.join(", ")
                )))
            }
        }
    }

    /// How many places a comune rose since the run compared (its previous
    /// rank minus its rank: positive is up), when both rank it.
    pub fn rank_change(&self, code: &str) -> Option<f64> {
        let before = *self.previous_rank.get(code)?;
        Some(before - self.muni(code)?.result.rank?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::{Body, Snapshot};

    fn result(code: &str, score: f64, rank: f64) -> ResultRow {
        ResultRow {
            ucode: code.into(),
            score: Some(score),
            rank: Some(rank),
            context: None,
            innovation: None,
            group: None,
            stability: None,
            rank_low: Some(rank),
            rank_high: Some(rank + 1.0),
        }
    }

    /// Three periods worked by hand: A ranks 2, 1, 1; B ranks 1, 2, 3; C
    /// enters in 2025-Q2 and ranks 2 in 2025-Q3.
    #[test]
    fn three_periods_give_each_comune_its_series_and_its_change() {
        let body = |c: &str| Body {
            code: c.into(),
            kind: "comune".into(),
            name: c.into(),
            region_code: String::new(),
            region: String::new(),
            province_code: String::new(),
            province: String::new(),
            province_abbr: String::new(),
            zone: String::new(),
            size_class: String::new(),
            capoluogo: false,
            population: None,
            area_km2: None,
            cadastral: String::new(),
        };
        let run = |id: i64, period: &str| RunInfo {
            id,
            index_code: "X".into(),
            index_version: "1".into(),
            territory: "T".into(),
            created_at: "2025-10-01T00:00:00Z".into(),
            sources: "{}".into(),
            period: period.into(),
            units_score: "mean".into(),
            ..RunInfo::default()
        };
        let q1 = vec![result("A", 40.0, 2.0), result("B", 60.0, 1.0)];
        let q2 = vec![result("A", 70.0, 1.0), result("B", 50.0, 2.0), result("C", 45.0, 3.0)];
        let q3 = vec![result("A", 80.0, 1.0), result("B", 55.0, 3.0), result("C", 65.0, 2.0)];
        let snap = Snapshot {
            run: Some(run(3, "2025-Q3")),
            bodies: ["A", "B", "C"].map(body).to_vec(),
            results: q3,
            ..Snapshot::default()
        };
        // Periods given in any order; a later period is left out.
        let obs = Observatory::new(snap)
            .with_history(vec![
                (run(2, "2025-Q2"), q2.clone()),
                (run(4, "2025-Q4"), q1.clone()),
                (run(1, "2025-Q1"), q1),
            ])
            .with_previous(&run(2, "2025-Q2"), &q2);
        let ranks = |c: &str| obs.series(c).iter().map(|p| (p.period.clone(), p.rank.unwrap())).collect::<Vec<_>>();
        let p = |s: &str, r: f64| (s.to_string(), r);
        assert_eq!(ranks("A"), [p("2025-Q1", 2.0), p("2025-Q2", 1.0), p("2025-Q3", 1.0)]);
        assert_eq!(ranks("B"), [p("2025-Q1", 1.0), p("2025-Q2", 2.0), p("2025-Q3", 3.0)]);
        assert_eq!(ranks("C"), [p("2025-Q2", 3.0), p("2025-Q3", 2.0)]);
        assert_eq!(obs.series("A")[0].score, Some(40.0));
        assert_eq!((obs.series("C")[1].rank_low, obs.series("C")[1].rank_high), (Some(2.0), Some(3.0)));
        assert!(obs.series("Z").is_empty());
        // The mean of A and B by period, worked by hand: (40+60)/2, (70+50)/2, (80+55)/2.
        let trend: Vec<(String, usize, Option<f64>)> =
            obs.trend(&["A", "B"]).into_iter().map(|t| (t.period, t.comuni, t.mean)).collect();
        assert_eq!(
            trend,
            [("2025-Q1".into(), 2, Some(50.0)), ("2025-Q2".into(), 2, Some(60.0)), ("2025-Q3".into(), 2, Some(67.5))]
        );
        assert_eq!(obs.trend(&["C"])[0].mean, None, "C was not ranked in 2025-Q1");
        // A past period's results by comune; an unknown period names those there are.
        assert!(obs.results_at(None).unwrap().is_none() && obs.results_at(Some("2025-Q3")).unwrap().is_none());
        let q1 = obs.results_at(Some("2025-Q1")).unwrap().unwrap();
        assert_eq!((q1.len(), q1["B"].rank), (2, Some(1.0)));
        assert_eq!((obs.run_at(Some("2025-Q1")).unwrap().id, obs.run_at(None).unwrap().id), (1, 3));
        let e = obs.results_at(Some("2024-Q4")).unwrap_err();
        assert_eq!(
            e,
            AppError::NotFound("period: index X has no period `2024-Q4` (it has: 2025-Q1, 2025-Q2, 2025-Q3)".into())
        );
        // Since 2025-Q2: A kept its place, B fell one, C rose one.
        assert_eq!(
            [obs.rank_change("A"), obs.rank_change("B"), obs.rank_change("C")],
            [Some(0.0), Some(-1.0), Some(1.0)]
        );
    }
}
