//! Reading runs back, and deleting one.

use super::*;

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
