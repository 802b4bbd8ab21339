//! Reading runs back, and deleting one.

use super::*;

pub(crate) async fn runs(pool: &AnyPool) -> Result<Vec<RunInfo>> {
    let text = format!("SELECT {} FROM run ORDER BY id DESC", columns::<RunInfo>());
    crate::db::fetch_all(sqlx::query(sql(text)), pool, "the runs").await
}

/// The run served of each index: its latest period's latest run (a run
/// with a period wins over one without: those stored before periods), the
/// **main index** first, then the others by code. The main index is the one
/// of the oldest run still stored: the first index published on a database
/// stays its main one. `runs` is newest first, as `Store::runs` gives it.
pub fn latest_per_index(runs: &[RunInfo]) -> Vec<RunInfo> {
    let Some(main) = runs.last().map(|r| r.index_code.as_str()) else { return Vec::new() };
    let mut latest: BTreeMap<&str, &RunInfo> = BTreeMap::new();
    for r in runs {
        let e = latest.entry(r.index_code.as_str()).or_insert(r);
        // Newest first: a later one replaces it only with a later period.
        if crate::data::period_order(&r.period, &e.period).is_gt() {
            *e = r;
        }
    }
    let mut out: Vec<RunInfo> = latest.remove(main).into_iter().cloned().collect();
    out.extend(latest.into_values().cloned());
    out
}

/// The **reference run**: the latest run, among the latest of each index,
/// with the most comuni (ties: the newest). Its comuni are those a
/// published index's units and a data file's units are matched against,
/// and its comuni and applicants the iPA codes the store knows.
pub(crate) async fn reference_run(pool: &AnyPool) -> Result<Option<i64>> {
    let mut best: Option<(i64, i64)> = None;
    for r in latest_per_index(&runs(pool).await?) {
        let q = sqlx::query("SELECT COUNT(*) FROM body WHERE run_id = $1 AND kind = 'comune'").bind(r.id);
        let n: i64 = crate::db::fetch_value(q, pool, "counting a run's comuni").await?.unwrap_or(0);
        if best.is_none_or(|(count, id)| n > count || (n == count && r.id > id)) {
            best = Some((n, r.id));
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// The comuni of the reference run ([`reference_run`]).
pub(crate) async fn comuni(pool: &AnyPool) -> Result<Vec<Body>> {
    let Some(id) = reference_run(pool).await? else { return Ok(Vec::new()) };
    let mut bodies: Vec<Body> = run_rows(pool, id).await?;
    bodies.retain(|b| b.kind == "comune");
    Ok(bodies)
}

pub(crate) async fn load(pool: &AnyPool, id: i64) -> Result<Snapshot> {
    let run = runs(pool).await?.into_iter().find(|r| r.id == id).ok_or(Error::Empty)?;
    Ok(Snapshot {
        run: Some(run),
        bodies: run_rows(pool, id).await?,
        indicators: run_rows(pool, id).await?,
        scores: run_rows(pool, id).await?,
        results: run_rows(pool, id).await?,
        peers: run_rows(pool, id).await?,
        profiles: run_rows(pool, id).await?,
        areas: run_rows(pool, id).await?,
        applications: run_rows(pool, id).await?,
        boundaries: run_rows(pool, id).await?,
    })
}

pub(crate) async fn results(pool: &AnyPool, id: i64) -> Result<Vec<ResultRow>> {
    run_rows(pool, id).await
}

/// The tables of a run, children first.
pub(crate) const TABLES: [&str; 9] = [
    BoundaryRow::TABLE,
    ApplicationRow::TABLE,
    AreaRow::TABLE,
    ProfileRow::TABLE,
    PeerRow::TABLE,
    ResultRow::TABLE,
    ScoreRow::TABLE,
    IndicatorRow::TABLE,
    Body::TABLE,
];

pub(crate) async fn delete(pool: &AnyPool, id: i64) -> Result<()> {
    let mut tx = crate::db::begin(pool).await.map_err(db("starting a deletion"))?;
    for table in TABLES {
        sqlx::query(sql(format!("DELETE FROM {table} WHERE run_id = $1")))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("deleting run {id} from {table}")))?;
    }
    sqlx::query("DELETE FROM run WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db(format!("deleting run {id}")))?;
    tx.commit().await.map_err(db("committing a deletion"))
}
