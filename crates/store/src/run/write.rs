//! Writing a run: every table in one transaction.

use super::*;

/// Inserts `rows` into their run table, under run `run`, in statements of
/// at most 30,000 values (SQLite's limit is 32,766).
async fn insert_rows<T: RunTable>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    run: i64,
    rows: &[T],
) -> Result<()> {
    let width = T::COLUMNS.len() + 1;
    let head = format!("INSERT INTO {} (run_id, {})", T::TABLE, columns::<T>());
    let values = rows.iter().map(|row| {
        let mut v = Vec::with_capacity(width);
        v.push(crate::db::Value::Int(Some(run)));
        v.extend(row.values());
        v
    });
    let per = (30_000 / width).min(2_000);
    crate::db::insert_many(tx, backend, &head, "", width, per, values, &format!("inserting into {}", T::TABLE)).await
}

pub(crate) async fn insert(pool: &AnyPool, backend: Backend, s: &Snapshot) -> Result<i64> {
    let run = s.run.as_ref().ok_or(Error::Empty)?;
    let mut tx = crate::db::begin(pool).await.map_err(db("starting the import"))?;
    // Every column of the run but its id, which the database gives.
    let (names, values) = (&RunInfo::COLUMNS[1..], run.values().split_off(1));
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let text = format!("INSERT INTO run ({}) VALUES ({}) RETURNING id", names.join(", "), placeholders.join(", "));
    let q = values.into_iter().fold(sqlx::query(sql(text)), |q, v| v.bind(q));
    let id = crate::db::returning_id(q, &mut *tx, "inserting the run").await?;
    insert_rows(&mut tx, backend, id, &s.bodies).await?;
    insert_rows(&mut tx, backend, id, &s.indicators).await?;
    insert_rows(&mut tx, backend, id, &s.scores).await?;
    insert_rows(&mut tx, backend, id, &s.results).await?;
    insert_rows(&mut tx, backend, id, &s.peers).await?;
    insert_rows(&mut tx, backend, id, &s.profiles).await?;
    insert_rows(&mut tx, backend, id, &s.areas).await?;
    insert_rows(&mut tx, backend, id, &s.applications).await?;
    insert_rows(&mut tx, backend, id, &s.boundaries).await?;
    tx.commit().await.map_err(db("committing the import"))?;
    Ok(id)
}
