//! A run's data as rows, and their reading and writing. Who builds a run
//! (`cantiere-territory`'s `stored::snapshot`) maps its results to these rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;

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
}
