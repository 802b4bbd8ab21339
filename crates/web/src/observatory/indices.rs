//! Several indices side by side. The observatory served is the **main
//! index** (the first stored on the database, see
//! `cantiere_store::Store::latest_runs`); it carries the latest run of every
//! other index, each an [`Observatory`] of its own, and a page or an API
//! call picks one with `index=CODE` (no `index`, or the main index's code,
//! is the main one). An unknown code is a 400 naming the codes served.

use std::sync::Arc;

use serde::Serialize;

use super::Observatory;
use crate::http::error::AppError;
use crate::http::query::Params;

/// An index as `/api/v1/indices` and the pages list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexSummary {
    /// Its code.
    pub code: String,
    /// Its name (its code when the run has none).
    pub name: String,
    /// The version of its method served.
    pub version: String,
    /// The period served.
    pub period: String,
    /// Every period stored for it, newest first.
    pub periods: Vec<String>,
    /// Units ranked.
    pub units: usize,
    /// Whether it is the main index.
    pub main: bool,
    /// The query that picks it on a page (`?index=CODE`; empty for the main index).
    pub query: String,
}

impl Observatory {
    /// Adds the other indices served beside this one (each already
    /// indexed), in the order to list them.
    pub fn with_indices(mut self, others: Vec<Observatory>) -> Observatory {
        self.others = others
            .into_iter()
            .map(|mut o| {
                o.main = false;
                Arc::new(o)
            })
            .collect();
        self
    }

    /// Sets the periods stored for this index, newest first.
    pub fn with_periods(mut self, periods: Vec<String>) -> Observatory {
        self.periods = periods;
        self
    }

    /// The index named `code` (`None`: the main one).
    pub fn index(&self, code: Option<&str>) -> Result<&Observatory, AppError> {
        let Some(code) = code.filter(|c| *c != self.run.index_code) else { return Ok(self) };
        self.others.iter().map(Arc::as_ref).find(|o| o.run.index_code == code).ok_or_else(|| {
            let served: Vec<&str> = self.summaries_iter().map(|o| o.run.index_code.as_str()).collect();
            AppError::BadRequest(format!("index: no index `{code}` is served (served: {})", served.join(", ")))
        })
    }

    /// The index a request names with `index=`.
    pub fn chosen(&self, p: &Params) -> Result<&Observatory, AppError> {
        self.index(p.one("index")?)
    }

    /// Whether this is the main index (no other index is carried by it, or
    /// it was not picked from another).
    pub fn is_main(&self) -> bool {
        self.main
    }

    /// The query that picks this index on a page or an API call: empty for
    /// the main index, else `index=CODE`.
    pub fn index_query(&self) -> String {
        if self.main {
            String::new()
        } else {
            crate::http::query::encode(&[("index".into(), self.run.index_code.clone())])
        }
    }

    fn summaries_iter(&self) -> impl Iterator<Item = &Observatory> {
        std::iter::once(self).chain(self.others.iter().map(Arc::as_ref))
    }

    /// Every index served, the main one first.
    pub fn indices(&self) -> Vec<IndexSummary> {
        self.summaries_iter()
            .map(|o| IndexSummary {
                code: o.run.index_code.clone(),
                name: if o.run.name.is_empty() { o.run.index_code.clone() } else { o.run.name.clone() },
                version: o.run.index_version.clone(),
                period: o.run.period.clone(),
                periods: if o.periods.is_empty() { vec![o.run.period.clone()] } else { o.periods.clone() },
                units: o.munis.len(),
                main: o.main,
                query: o.index_query(),
            })
            .collect()
    }

    /// A municipality's score and rank in every other index that ranks it:
    /// (the index, its result, how many it ranks).
    pub fn elsewhere(&self, code: &str) -> Vec<(IndexSummary, cantiere_store::ResultRow, usize)> {
        let summaries = self.indices();
        self.others
            .iter()
            .zip(summaries.into_iter().skip(1))
            .filter_map(|(o, s)| {
                let m = o.muni(code)?;
                Some((s, m.result.clone(), o.munis.len()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::{Body, ResultRow, RunInfo, Snapshot};

    fn snapshot(code: &str, period: &str, units: &[(&str, f64)]) -> Snapshot {
        let body = |c: &str| Body {
            code: c.into(),
            kind: "comune".into(),
            name: format!("Comune {c}"),
            region_code: "10".into(),
            region: "Umbria".into(),
            province_code: "054".into(),
            province: "Perugia".into(),
            province_abbr: "PG".into(),
            zone: "Centro".into(),
            size_class: String::new(),
            capoluogo: false,
            population: None,
            area_km2: None,
            cadastral: String::new(),
        };
        let result = |c: &str, rank: f64| ResultRow {
            ucode: c.into(),
            score: Some(100.0 - rank),
            rank: Some(rank),
            context: None,
            innovation: None,
            group: None,
            stability: None,
            rank_low: None,
            rank_high: None,
        };
        Snapshot {
            run: Some(RunInfo {
                id: 1,
                index_code: code.into(),
                index_version: "1".into(),
                territory: "Umbria".into(),
                sources: "{}".into(),
                name: if code == "ITD" { String::new() } else { format!("Indice {code}") },
                period: period.into(),
                units_score: "mean".into(),
                ..RunInfo::default()
            }),
            bodies: units.iter().map(|(c, _)| body(c)).collect(),
            results: units.iter().map(|(c, r)| result(c, *r)).collect(),
            ..Snapshot::default()
        }
    }

    #[test]
    fn an_index_is_picked_by_code_and_a_comune_is_found_in_the_others() {
        let main = Observatory::new(snapshot("ITD", "2026-08-16", &[("054001", 1.0), ("054002", 2.0)]))
            .with_periods(vec!["2026-08-16".into(), "2026-05-31".into()]);
        let other = Observatory::new(snapshot("DIGI", "2025-Q4", &[("054002", 1.0)]));
        let obs = main.with_indices(vec![other]);
        assert_eq!(obs.index(None).unwrap().run.index_code, "ITD");
        assert_eq!(obs.index(Some("ITD")).unwrap().run.index_code, "ITD");
        let digi = obs.index(Some("DIGI")).unwrap();
        assert_eq!(digi.run.index_code, "DIGI");
        assert!(!digi.is_main() && obs.is_main());
        assert_eq!(digi.index_query(), "?index=DIGI");
        assert_eq!(obs.index_query(), "");
        let e = obs.index(Some("NOPE")).unwrap_err();
        assert_eq!(e, AppError::BadRequest("index: no index `NOPE` is served (served: ITD, DIGI)".into()));
        let list = obs.indices();
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].name.as_str(), list[0].units, list[0].main), ("ITD", 2, true));
        assert_eq!(list[0].periods, ["2026-08-16", "2026-05-31"]);
        assert_eq!(
            (list[1].name.as_str(), list[1].periods.as_slice(), list[1].main),
            ("Indice DIGI", &["2025-Q4".to_string()][..], false)
        );
        // 054002 is ranked by DIGI (1st of 1); 054001 is not.
        let seen = obs.elsewhere("054002");
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].0.code.as_str(), seen[0].1.rank, seen[0].2), ("DIGI", Some(1.0), 1));
        assert!(obs.elsewhere("054001").is_empty());
    }
}
