//! Maps: GeoJSON feature collections of the comuni, provinces and regions,
//! each shape with its score (and a comune's group) in a period.
//!
//! **Rule.** A comune's shape carries its result in the period asked (the
//! run served, or an earlier period's results: see `series.rs`); a
//! province's or region's carries the mean score of its comuni ranked in
//! that period (the rule of `unions.rs`, as the areas' ranking shows it).
//! The shapes are kept once; a collection is written on the first request
//! for its level and period and kept, so at most three per period of the
//! index.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use cantiere_store::BoundaryRow;

use super::Observatory;
use crate::http::error::AppError;

/// The shapes by level, and the collections written so far.
#[derive(Debug, Default)]
pub struct Shapes {
    /// Level (`comune`, `provincia`, `regione`) → (ISTAT code, GeoJSON geometry).
    by_level: HashMap<String, Vec<(String, String)>>,
    /// (level, period) → feature collection (shared, not copied, by the
    /// responses that send it).
    written: Mutex<HashMap<(String, String), Bytes>>,
}

impl Shapes {
    /// Keeps the boundaries of a run.
    pub fn new(boundaries: Vec<BoundaryRow>) -> Shapes {
        let mut by_level: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for b in boundaries {
            by_level.entry(b.level).or_default().push((b.code, b.geojson));
        }
        Shapes { by_level, written: Mutex::new(HashMap::new()) }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Observatory {
    /// The feature collection of `level` in `period` (the period served
    /// when `None`): a 404 for a level without shapes or a period the
    /// index does not have.
    pub fn geo(&self, level: &str, period: Option<&str>) -> Result<Bytes, AppError> {
        let Some(shapes) = self.shapes.by_level.get(level) else {
            return Err(AppError::NotFound(format!(
                "no boundaries for `{level}`: expected comune, provincia or regione"
            )));
        };
        let results = self.results_at(period)?;
        let key = (level.to_string(), period.unwrap_or(self.period()).to_string());
        let written = || self.shapes.written.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(body) = written().get(&key) {
            return Ok(body.clone());
        }
        let mut features: Vec<String> = Vec::with_capacity(shapes.len());
        let mut push = |props: serde_json::Value, geometry: &str| {
            features.push(format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#));
        };
        if level == "comune" {
            for (code, geometry) in shapes {
                let Some(m) = self.muni(code) else { continue };
                let (score, group) =
                    self.result_in(results, code).map_or((None, None), |r| (r.score.map(round1), r.group.as_deref()));
                push(serde_json::json!({"code": code, "name": m.body.name, "score": score, "group": group}), geometry);
            }
        } else {
            let area_level = if level == "provincia" { "province" } else { "region" };
            let areas: HashMap<String, (String, Option<f64>)> = self
                .area_scores(area_level, results)
                .into_iter()
                .map(|a| (a.code, (a.name, a.score.map(round1))))
                .collect();
            for (code, geometry) in shapes {
                let Some((name, score)) = areas.get(code) else { continue };
                push(serde_json::json!({"code": code, "name": name, "score": score}), geometry);
            }
        }
        let body = Bytes::from(format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")));
        written().insert(key, body.clone());
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::{Body, ResultRow, RunInfo, Snapshot};

    fn body(code: &str, province: &str, population: i64) -> Body {
        Body {
            code: code.into(),
            kind: "comune".into(),
            name: format!("Comune {code}"),
            region_code: "01".into(),
            region: "Regione".into(),
            province_code: province.into(),
            province: format!("Provincia {province}"),
            population: Some(population),
            ..Body::default()
        }
    }

    fn result(code: &str, score: f64) -> ResultRow {
        ResultRow {
            ucode: code.into(),
            score: Some(score),
            group: Some("riscatto smart".into()),
            ..ResultRow::default()
        }
    }

    fn shape(level: &str, code: &str) -> BoundaryRow {
        BoundaryRow {
            level: level.into(),
            code: code.into(),
            geojson: r#"{"type":"Point","coordinates":[12.4,43.1]}"#.into(),
        }
    }

    /// Worked by hand: in 2025 A 80, B 40 (province 001), C 10 (province
    /// 002); in 2024 A 20, B 60, C unranked. Province 001: (80 + 40) / 2 =
    /// 60 in 2025, (20 + 60) / 2 = 40 in 2024; 002: 10, then no score.
    #[test]
    fn each_period_has_its_own_map() {
        let run =
            |id: i64, period: &str| RunInfo { id, index_code: "X".into(), period: period.into(), ..RunInfo::default() };
        let snap = Snapshot {
            run: Some(run(2, "2025")),
            bodies: vec![body("A", "001", 100), body("B", "001", 300), body("C", "002", 50)],
            results: vec![result("A", 80.0), result("B", 40.0), result("C", 10.0)],
            boundaries: ["A", "B", "C"]
                .map(|c| shape("comune", c))
                .into_iter()
                .chain([shape("provincia", "001"), shape("provincia", "002")])
                .collect(),
            ..Snapshot::default()
        };
        let obs =
            Observatory::new(snap).with_history(vec![(run(1, "2024"), vec![result("A", 20.0), result("B", 60.0)])]);
        let scores = |level: &str, period: Option<&str>| -> Vec<(String, Option<f64>)> {
            let body = obs.geo(level, period).unwrap();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["type"], "FeatureCollection");
            let mut out: Vec<(String, Option<f64>)> = json["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["properties"]["code"].as_str().unwrap().to_string(), f["properties"]["score"].as_f64()))
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };
        let s = |c: &str, x: Option<f64>| (c.to_string(), x);
        assert_eq!(scores("comune", None), [s("A", Some(80.0)), s("B", Some(40.0)), s("C", Some(10.0))]);
        assert_eq!(scores("comune", Some("2024")), [s("A", Some(20.0)), s("B", Some(60.0)), s("C", None)]);
        assert_eq!(scores("provincia", Some("2025")), [s("001", Some(60.0)), s("002", Some(10.0))]);
        assert_eq!(scores("provincia", Some("2024")), [s("001", Some(40.0)), s("002", None)]);
        // Written once, then shared: the same bytes for the same request.
        assert_eq!(
            obs.geo("comune", Some("2024")).unwrap().as_ptr(),
            obs.geo("comune", Some("2024")).unwrap().as_ptr()
        );
        assert!(matches!(obs.geo("regione", None), Err(AppError::NotFound(_))), "no shapes of regions here");
        assert!(matches!(obs.geo("comune", Some("2023")), Err(AppError::NotFound(_))));
    }
}
