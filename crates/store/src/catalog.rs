//! The reuse catalog as stored: publiccode.yml files with their validation
//! result (read, validated and fetched by `cantiere-territory`'s `catalog`).
//!
//! Every file is kept, valid or not: an invalid one is stored *inactive*
//! with its diagnostics, never dropped. Sources are keyed by where the file
//! came from (its path); ingesting again is idempotent: an unchanged file
//! (same content hash) only has its last-seen date updated.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use crate::Result;
use crate::adoption::{SolutionRef, url_key};
use crate::db::{Column, FromRow, Value, columns, db, fetch_all, fetch_value, row, sql};
use crate::run::now;

row! {
    /// One file, validated.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct SolutionRecord {
        /// Where it came from.
        pub source: String,
        /// `name` of the document (empty when unreadable).
        pub name: String,
        /// `url` of the document.
        pub url: String,
        /// No error diagnostics.
        pub valid: bool,
        /// Errors found.
        pub errors: usize,
        /// Warnings found.
        pub warnings: usize,
        /// Diagnostics as JSON (the validator's `{type, key, description, line, column}`).
        pub diagnostics: String,
        /// The normalised document as JSON, when the file could be read.
        pub document: Option<String>,
        /// FNV-1a 64 of the file's bytes, its diagnostics and notes, hex.
        pub content_hash: String,
        /// What ingestion noted beside the validator, as JSON
        /// (`[{"kind", "key", "description"}]`): relative files not
        /// checked outside the repository, script links.
        pub notes: String,
    }
}

/// What an ingestion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct IngestSummary {
    /// Sources seen for the first time.
    pub new: usize,
    /// Known sources whose content changed.
    pub updated: usize,
    /// Known sources unchanged.
    pub unchanged: usize,
    /// Valid files (active).
    pub valid: usize,
    /// Invalid files (stored inactive).
    pub invalid: usize,
}

/// A stored solution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSolution {
    /// The catalog's id (stable across ingestions of the same source).
    pub id: i64,
    /// The record.
    pub record: SolutionRecord,
    /// Whether it is listed (valid).
    pub active: bool,
    /// First ingested.
    pub first_seen: String,
    /// Last ingested.
    pub last_seen: String,
}

/// Reading a stored solution: its record's columns and the catalog's own.
impl FromRow for StoredSolution {
    const COLUMNS: &'static [&'static str] = &[];

    fn from_row(row: &AnyRow) -> std::result::Result<Self, sqlx::Error> {
        Ok(StoredSolution {
            id: Column::read(row, "id")?,
            record: SolutionRecord::from_row(row)?,
            active: Column::read(row, "active")?,
            first_seen: Column::read(row, "first_seen")?,
            last_seen: Column::read(row, "last_seen")?,
        })
    }

    fn values(&self) -> Vec<Value> {
        Vec::new()
    }
}

pub(crate) async fn ingest(pool: &AnyPool, records: &[SolutionRecord]) -> Result<IngestSummary> {
    let mut summary = IngestSummary::default();
    let now = now();
    let cols = SolutionRecord::COLUMNS;
    let placeholders: Vec<String> = (1..=cols.len() + 3).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO solution ({}, active, last_seen, first_seen) VALUES ({})",
        cols.join(", "),
        placeholders.join(", ")
    );
    // Every column but the source, which is the key.
    let sets: Vec<String> = cols.iter().skip(1).enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let n = sets.len();
    let update = format!(
        "UPDATE solution SET {}, active = ${}, last_seen = ${} WHERE source = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    let mut tx = crate::db::begin(pool).await.map_err(db("starting the catalog ingestion"))?;
    for r in records {
        if r.valid {
            summary.valid += 1;
        } else {
            summary.invalid += 1;
        }
        let q = sqlx::query("SELECT content_hash FROM solution WHERE source = $1").bind(r.source.clone());
        let known: Option<String> = fetch_value(q, &mut *tx, &format!("solution {}", r.source)).await?;
        let (text, values) = match &known {
            None => {
                summary.new += 1;
                let mut values = r.values();
                values.extend([
                    Value::Int(Some(i64::from(r.valid))),
                    Value::Text(Some(now.clone())),
                    Value::Text(Some(now.clone())),
                ]);
                (insert.clone(), values)
            }
            Some(hash) if *hash == r.content_hash => {
                summary.unchanged += 1;
                let touch = "UPDATE solution SET last_seen = $1 WHERE source = $2".to_string();
                (touch, vec![Value::Text(Some(now.clone())), Value::Text(Some(r.source.clone()))])
            }
            Some(_) => {
                summary.updated += 1;
                let mut values = r.values().split_off(1);
                values.extend([
                    Value::Int(Some(i64::from(r.valid))),
                    Value::Text(Some(now.clone())),
                    Value::Text(Some(r.source.clone())),
                ]);
                (update.clone(), values)
            }
        };
        let q = values.into_iter().fold(sqlx::query(sql(text)), |q, v| v.bind(q));
        q.execute(&mut *tx).await.map_err(db(format!("storing solution {}", r.source)))?;
    }
    tx.commit().await.map_err(db("committing the catalog ingestion"))?;
    Ok(summary)
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<StoredSolution>> {
    let text = format!(
        "SELECT {}, id, active, first_seen, last_seen FROM solution ORDER BY source",
        columns::<SolutionRecord>()
    );
    fetch_all(sqlx::query(sql(text)), pool, "the catalog").await
}

/// Ids of the stored solutions by id and by repository URL key (only URLs
/// that name one active solution; a URL claimed by several is ambiguous).
pub(crate) struct SolutionIndex {
    ids: BTreeSet<i64>,
    by_url: HashMap<String, Vec<i64>>,
}

impl SolutionIndex {
    pub(crate) async fn read(pool: &AnyPool) -> Result<SolutionIndex> {
        row! {
            struct Listed {
                id: i64,
                url: String,
                active: bool,
            }
        }
        let rows: Vec<Listed> =
            fetch_all(sqlx::query(sql(format!("SELECT {} FROM solution", columns::<Listed>()))), pool, "the catalog")
                .await?;
        let mut ids = BTreeSet::new();
        let mut by_url: HashMap<String, Vec<i64>> = HashMap::new();
        for Listed { id, url, active } in rows {
            ids.insert(id);
            if active && !url.is_empty() {
                by_url.entry(url_key(&url)).or_default().push(id);
            }
        }
        Ok(SolutionIndex { ids, by_url })
    }

    pub(crate) fn resolve(&self, r: &SolutionRef) -> std::result::Result<i64, String> {
        match r {
            SolutionRef::Id(id) if self.ids.contains(id) => Ok(*id),
            SolutionRef::Id(id) => Err(format!("no solution #{id} in the catalog")),
            SolutionRef::Url(u) => match self.by_url.get(&url_key(u)).map(Vec::as_slice) {
                Some([id]) => Ok(*id),
                Some(many) => Err(format!(
                    "{} catalog solutions have the repository `{u}` ({}): name one by its id",
                    many.len(),
                    many.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
                )),
                None => Err(format!("no active catalog solution has the repository `{u}`")),
            },
        }
    }
}
