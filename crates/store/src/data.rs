//! Indicator data: the dictionary of indicators, their values by unit,
//! period and source, and the provenance of every value (the import that
//! wrote it: file, content hash, when, by whom). Read and checked by
//! `cantiere-territory`'s `data`; written here, all of an import in one
//! transaction. A value for a (unit, indicator, period, source) already
//! stored is replaced and the new import recorded as its provenance.

use serde::Serialize;
use sqlx::AnyPool;

use crate::db::{
    FromRow, Value, columns, db, fetch_all, fetch_column, fetch_value, insert_many, returning_id, row, sql,
};
use crate::run::now;
use crate::{Backend, Result};

row! {
    /// An indicator of the dictionary.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Definition {
        /// Its code.
        pub code: String,
        /// Italian name.
        pub name_it: String,
        /// English name.
        pub name_en: String,
        /// Unit of measure.
        pub unit: String,
        /// 1: higher is better; -1: lower is better.
        pub direction: i64,
        /// Source.
        pub source: String,
        /// Licence.
        pub licence: String,
        /// What it measures and cannot show.
        pub description: String,
    }
}

row! {
    /// A stored value.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct StoredValue {
        /// A comune's ISTAT code, else a body's iPA code.
        pub unit: String,
        /// The indicator's code.
        pub indicator: String,
        /// The period (`2024`, `2024-Q3`, `2024-07`, `2024-07-31`).
        pub period: String,
        /// Its source (may be empty).
        pub source: String,
        /// The value.
        pub value: f64,
        /// A note.
        pub note: String,
        /// The import that wrote it.
        pub import_id: i64,
    }
}

/// The last day of a period (`YYYY` → its 31 December, `YYYY-Qn` → its
/// quarter's last day, `YYYY-MM` → its month's last day, a date → itself).
pub fn period_end(period: &str) -> String {
    let year: i32 = period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    let month_end = |m: u32| {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let d = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        format!("{year:04}-{m:02}-{d:02}")
    };
    match period.len() {
        4 => month_end(12),
        7 if period.as_bytes()[5] == b'Q' => month_end(u32::from(period.as_bytes()[6].saturating_sub(b'0')) * 3),
        7 => month_end(period[5..7].parse().unwrap_or(12)),
        _ => period.to_string(),
    }
}

/// The order of periods: by their last day, then as written (`2025` and
/// `2025-Q4` end on the same day; `2025-Q4` comes after `2025-06`).
pub fn period_order(a: &str, b: &str) -> std::cmp::Ordering {
    period_end(a).cmp(&period_end(b)).then_with(|| a.cmp(b))
}

/// One file of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// Its path as given.
    pub file: String,
    /// FNV-1a 64 of its bytes, hex.
    pub content_hash: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DataSummary {
    /// Values stored for the first time.
    pub new: usize,
    /// Values that replaced stored ones.
    pub replaced: usize,
}

pub(crate) async fn upsert_definitions(pool: &AnyPool, list: &[Definition]) -> Result<usize> {
    let mut tx = crate::db::begin(pool).await.map_err(db("starting to store the dictionary"))?;
    write_definitions(&mut tx, list).await?;
    tx.commit().await.map_err(db("committing the dictionary"))?;
    Ok(list.len())
}

async fn write_definitions(tx: &mut sqlx::Transaction<'_, sqlx::Any>, list: &[Definition]) -> Result<()> {
    let cols = Definition::COLUMNS;
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sets: Vec<String> = cols.iter().skip(1).map(|c| format!("{c} = excluded.{c}")).collect();
    let text = format!(
        "INSERT INTO indicator_definition ({}) VALUES ({}) ON CONFLICT (code) DO UPDATE SET {}",
        cols.join(", "),
        params.join(", "),
        sets.join(", ")
    );
    for d in list {
        let q = d.values().into_iter().fold(sqlx::query(sql(text.clone())), |q, v| v.bind(q));
        q.execute(&mut **tx).await.map_err(db(format!("storing indicator {}", d.code)))?;
    }
    Ok(())
}

pub(crate) async fn definitions(pool: &AnyPool) -> Result<Vec<Definition>> {
    let text = format!("SELECT {} FROM indicator_definition ORDER BY code", columns::<Definition>());
    fetch_all(sqlx::query(sql(text)), pool, "the indicator dictionary").await
}

/// The dictionary entries and the values of `files` (each value with the
/// index of its file), in one transaction; a value that is not finite or
/// names no file is refused before anything is written.
pub(crate) async fn import(
    pool: &AnyPool,
    backend: Backend,
    definitions: &[Definition],
    files: &[ImportFile],
    values: &[(usize, crate::data::NewValue)],
    actor: &str,
) -> Result<DataSummary> {
    if let Some((file, v)) = values.iter().find(|(file, v)| *file >= files.len() || !v.value.is_finite()) {
        let message = if *file >= files.len() {
            format!("file {file} of {}: no such file", files.len())
        } else {
            format!("`{}`: expected a finite number", v.value)
        };
        return Err(crate::Error::Invalid {
            field: format!("value of {} for {} in {}", v.indicator, v.unit, v.period),
            message,
        });
    }
    let mut tx = crate::db::begin(pool).await.map_err(db("starting the data import"))?;
    write_definitions(&mut tx, definitions).await?;
    let before: Option<i64> =
        fetch_value(sqlx::query("SELECT COUNT(*) FROM indicator_value"), &mut *tx, "values").await?;
    let at = now();
    let mut ids = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let count = values.iter().filter(|(k, _)| *k == i).count() as i64;
        let q = sqlx::query(
            "INSERT INTO data_import (file, content_hash, imported_at, actor, value_count) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(f.file.clone())
        .bind(f.content_hash.clone())
        .bind(at.clone())
        .bind(actor.to_string())
        .bind(count);
        ids.push(returning_id(q, &mut *tx, &format!("recording the import of {}", f.file)).await?);
    }
    // In the key's order: the table's tree is written at its end.
    let mut sorted: Vec<&(usize, NewValue)> = values.iter().collect();
    sorted.sort_unstable_by(|(_, a), (_, b)| {
        (&a.indicator, &a.period, &a.unit, &a.source).cmp(&(&b.indicator, &b.period, &b.unit, &b.source))
    });
    if backend == Backend::Postgres {
        write_json(&mut tx, &sorted, &ids).await?;
    } else {
        write_bound(&mut tx, &sorted, &ids).await?;
    }
    let after: Option<i64> =
        fetch_value(sqlx::query("SELECT COUNT(*) FROM indicator_value"), &mut *tx, "values").await?;
    tx.commit().await.map_err(db("committing the data import"))?;
    let new = (after.unwrap_or(0) - before.unwrap_or(0)).max(0) as usize;
    Ok(DataSummary { new, replaced: values.len() - new })
}

row! {
    /// A value to store.
    #[derive(Debug, Clone, PartialEq)]
    pub struct NewValue {
        /// Unit key.
        pub unit: String,
        /// Indicator code (in the dictionary).
        pub indicator: String,
        /// Period.
        pub period: String,
        /// Source.
        pub source: String,
        /// Value (finite).
        pub value: f64,
        /// Note.
        pub note: String,
    }
}

pub(crate) async fn values(pool: &AnyPool, indicator: &str) -> Result<Vec<StoredValue>> {
    let text = format!(
        "SELECT {} FROM indicator_value WHERE indicator = $1 ORDER BY unit, period, source",
        columns::<StoredValue>()
    );
    fetch_all(sqlx::query(sql(text)).bind(indicator.to_string()), pool, &format!("the values of {indicator}")).await
}

/// Unit keys by every name a file may give them: a comune of the reference
/// run (`run::reference_run`) by ISTAT code, cadastral code and iPA code (`c_` + cadastral); every
/// stored administration by iPA code.
pub(crate) async fn unit_names(pool: &AnyPool) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for body in crate::run::comuni(pool).await? {
        if !body.cadastral.is_empty() {
            out.push((body.cadastral.to_lowercase(), body.code.clone()));
            out.push((crate::adoption::comune_ipa(&body.cadastral), body.code.clone()));
        }
        out.push((body.code.clone(), body.code));
    }
    let ipa: Vec<String> =
        fetch_column(sqlx::query("SELECT codice_ipa FROM administration"), pool, "the administrations").await?;
    out.extend(ipa.into_iter().map(|c| (c.clone(), c)));
    Ok(out)
}

const UPSERT: &str = " ON CONFLICT (indicator, period, unit, source) DO UPDATE SET value = excluded.value, \
                      note = excluded.note, import_id = excluded.import_id";

/// SQLite: rows bound as parameters, 4,285 rows per statement.
async fn write_bound(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sorted: &[&(usize, NewValue)],
    ids: &[i64],
) -> Result<()> {
    const WIDTH: usize = 7;
    let head = "INSERT INTO indicator_value (unit, indicator, period, source, value, note, import_id)";
    let rows = sorted.iter().map(|(file, v)| {
        let mut row = v.values();
        row.push(Value::Int(Some(ids[*file])));
        row
    });
    insert_many(tx, Backend::Sqlite, head, UPSERT, WIDTH, 30_000 / WIDTH, rows, "storing indicator values").await
}

/// PostgreSQL: 50,000 rows per statement as one JSON parameter, expanded by
/// the server (binding 30,000 parameters a statement made a million values
/// take 19 s). Numbers go through JSON's shortest round-trip text and
/// PostgreSQL's exact `numeric`, so every `f64` comes back bit for bit.
async fn write_json(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sorted: &[&(usize, NewValue)],
    ids: &[i64],
) -> Result<()> {
    let text = format!(
        "INSERT INTO indicator_value (unit, indicator, period, source, value, note, import_id) \
         SELECT e->>0, e->>1, e->>2, e->>3, (e->>4)::double precision, e->>5, (e->>6)::bigint \
         FROM jsonb_array_elements(($1::text)::jsonb) AS e{UPSERT}"
    );
    for chunk in sorted.chunks(50_000) {
        let rows: Vec<(&str, &str, &str, &str, f64, &str, i64)> = chunk
            .iter()
            .map(|(f, v)| {
                (
                    v.unit.as_str(),
                    v.indicator.as_str(),
                    v.period.as_str(),
                    v.source.as_str(),
                    v.value,
                    v.note.as_str(),
                    ids[*f],
                )
            })
            .collect();
        let json = serde_json::to_string(&rows).map_err(|e| crate::Error::invalid("values", e.to_string()))?;
        sqlx::query(sql(text.clone()))
            .persistent(false)
            .bind(json)
            .execute(&mut **tx)
            .await
            .map_err(db("storing indicator values"))?;
    }
    Ok(())
}
