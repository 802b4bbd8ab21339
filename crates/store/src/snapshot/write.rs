//! Writing a run: every table in one transaction.

use super::*;

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
