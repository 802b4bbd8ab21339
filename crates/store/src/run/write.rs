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
    let per = (30_000 / width).min(2_000);
    for chunk in rows.chunks(per) {
        let mut text = format!("INSERT INTO {} (run_id, {}) VALUES ", T::TABLE, columns::<T>());
        let mut n = 0;
        for i in 0..chunk.len() {
            text.push_str(if i == 0 { "(" } else { ",(" });
            for j in 0..width {
                n += 1;
                // SQLite binds `?` positionally; its `$N` names cost a lookup per parameter.
                let sep = if j == 0 { "" } else { "," };
                let _ = if backend == Backend::Sqlite { write!(text, "{sep}?") } else { write!(text, "{sep}${n}") };
            }
            text.push(')');
        }
        // Not a prepared statement kept for reuse: PostgreSQL fixes each
        // parameter's type when a statement is prepared, and a NULL in one
        // chunk would be typed differently from a number at the same place in
        // the next chunk of the same shape ("incorrect binary data format").
        let mut q = sqlx::query(sql(text)).persistent(false);
        for row in chunk {
            q = q.bind(run);
            for v in row.values() {
                q = v.bind(q);
            }
        }
        q.execute(&mut **tx).await.map_err(db(format!("inserting into {}", T::TABLE)))?;
    }
    Ok(())
}

pub(crate) async fn insert(pool: &AnyPool, backend: Backend, s: &Snapshot) -> Result<i64> {
    let run = s.run.as_ref().ok_or(Error::Empty)?;
    let mut tx = pool.begin().await.map_err(db("starting the import"))?;
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
