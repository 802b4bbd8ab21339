//! Reading runs back, and deleting one.

use super::*;

pub(crate) async fn runs(pool: &AnyPool) -> Result<Vec<RunInfo>> {
    let text = format!("SELECT {} FROM run ORDER BY id DESC", columns::<RunInfo>());
    crate::db::fetch_all(sqlx::query(sql(text)), pool, "the runs").await
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
    let mut tx = pool.begin().await.map_err(db("starting a deletion"))?;
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
