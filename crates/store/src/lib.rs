//! # cantiere-store: where Cantiere keeps its data
//!
//! One API over two databases: **SQLite**, embedded, the default (a file,
//! WAL journal, nothing to install), and **PostgreSQL** for deployments,
//! chosen by the URL (`sqlite://cantiere.sqlite`, `postgres://…`). Both
//! speak through sqlx's `Any` driver with the same SQL (`$1`-style
//! placeholders, each used once, in order, which SQLite also accepts); the
//! schema is written once per backend (`migrations/<backend>/`) and applied
//! by [`Store::migrate`].
//!
//! ## Concepts
//!
//! - A **run** is one build of an index on one territory: the bodies
//!   (municipalities, provinces, regions), the indicator definitions and
//!   values, the scores, ranks, rank intervals, SmartER groups and their
//!   stability, peers, strengths and weaknesses, province and region
//!   aggregates, the PA digitale applications behind the numbers, and the
//!   boundaries for maps. Together they are a [`Snapshot`].
//! - [`Store::import`] writes a snapshot as a new run **in one transaction**:
//!   a failed or killed import leaves every earlier run as it was, and
//!   readers keep seeing the latest complete run.
//! - [`Store::load`] reads a run back whole (the web application serves it
//!   from memory).
//! - The reuse catalog and adoption registry (`catalog`, `adoption`), and the
//!   communities of practice with accounts and roles ([`Store::community`],
//!   `community`) live beside the runs, outside them.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod administration;
pub mod adoption;
pub mod catalog;
mod checks;
pub mod community;
mod csv;
pub mod data;
mod db;
mod run;
pub mod unions;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use db::db;

pub use run::{
    ApplicationRow, AreaRow, Body, BoundaryRow, GROUP_NAMES, IndicatorRow, PeerRow, ProfileRow, ResultRow, RunInfo,
    SIZE_CLASSES, ScoreRow, Snapshot, latest_per_index, now,
};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL names no supported database.
    #[error("unsupported database URL `{0}`: expected sqlite://PATH or postgres://…")]
    Url(String),
    /// The database refused an operation.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The database's error.
        #[source]
        source: sqlx::Error,
    },
    /// There is no run to read.
    #[error("the database holds no index run yet: run `cantiere import` first")]
    Empty,
    /// A value was refused: which field, and what was expected.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, form field or CSV column.
        field: String,
        /// What was wrong, or what was expected.
        message: String,
    },
    /// The actor may not do this.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// No such thing.
    #[error("{0} does not exist")]
    NotFound(String),
    /// A file was refused: one error per bad row, nothing written.
    #[error("{file}: {} bad rows, nothing imported; first: {}", errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
    Rows {
        /// The file.
        file: String,
        /// Every bad row.
        errors: Vec<adoption::RowError>,
    },
}

impl Error {
    /// `field` was refused: `message` says what was expected.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid { field: field.into(), message: message.into() }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Migrations: (version, name, SQLite text, PostgreSQL text).
const MIGRATIONS: [(i64, &str, &str, &str); 10] = [
    (
        1,
        "schema",
        include_str!("../migrations/sqlite/0001_schema.sql"),
        include_str!("../migrations/postgres/0001_schema.sql"),
    ),
    (
        2,
        "catalog",
        include_str!("../migrations/sqlite/0002_catalog.sql"),
        include_str!("../migrations/postgres/0002_catalog.sql"),
    ),
    (
        3,
        "adoption",
        include_str!("../migrations/sqlite/0003_adoption.sql"),
        include_str!("../migrations/postgres/0003_adoption.sql"),
    ),
    (
        4,
        "community",
        include_str!("../migrations/sqlite/0004_community.sql"),
        include_str!("../migrations/postgres/0004_community.sql"),
    ),
    (
        5,
        "changes",
        include_str!("../migrations/sqlite/0005_changes.sql"),
        include_str!("../migrations/postgres/0005_changes.sql"),
    ),
    (
        6,
        "administration",
        include_str!("../migrations/sqlite/0006_administration.sql"),
        include_str!("../migrations/postgres/0006_administration.sql"),
    ),
    (
        7,
        "data",
        include_str!("../migrations/sqlite/0007_data.sql"),
        include_str!("../migrations/postgres/0007_data.sql"),
    ),
    (
        8,
        "indices",
        include_str!("../migrations/sqlite/0008_indices.sql"),
        include_str!("../migrations/postgres/0008_indices.sql"),
    ),
    (
        9,
        "unions",
        include_str!("../migrations/sqlite/0009_unions.sql"),
        include_str!("../migrations/postgres/0009_unions.sql"),
    ),
    (
        10,
        "units_score",
        include_str!("../migrations/sqlite/0010_units_score.sql"),
        include_str!("../migrations/postgres/0010_units_score.sql"),
    ),
];

/// How many times each part of the database has changed, by any process
/// (counted by triggers, see migration 0005): a server compares them with
/// what it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Versions {
    /// Runs stored or deleted.
    pub run: i64,
    /// Solutions and adoptions.
    pub catalog: i64,
    /// Accounts, roles, communities and everything in them.
    pub community: i64,
}

/// Wakes a server when another process changes a PostgreSQL database
/// (`LISTEN cantiere_changes`).
pub struct ChangeListener(sqlx::postgres::PgListener);

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeListener")
    }
}

impl ChangeListener {
    /// Waits for the next change; its topic.
    pub async fn next(&mut self) -> Result<String> {
        let n = self.0.recv().await.map_err(db("listening for changes"))?;
        Ok(n.payload().to_string())
    }
}

/// A connection pool to the store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

impl Store {
    /// Connects (creating the SQLite file if needed) and applies the migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::Url(url.to_string()));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        } else {
            url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::raw_sql("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(db(format!("connecting to {}", redact(&url))))?;
        if backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                .execute(&pool)
                .await
                .map_err(db("setting the SQLite journal"))?;
        }
        Ok(Store { pool, backend, url })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The change counters ([`Versions`]).
    pub async fn versions(&self) -> Result<Versions> {
        db::row! {
            struct Counter {
                topic: String,
                n: i64,
            }
        }
        let q = sqlx::query("SELECT topic, n FROM change_counter");
        let mut v = Versions::default();
        for Counter { topic, n } in db::fetch_all(q, &self.pool, "the change counters").await? {
            match topic.as_str() {
                "run" => v.run = n,
                "catalog" => v.catalog = n,
                _ => v.community = n,
            }
        }
        Ok(v)
    }

    /// On PostgreSQL, a listener woken by every change; `None` on SQLite
    /// (poll [`Store::versions`]).
    pub async fn change_listener(&self) -> Result<Option<ChangeListener>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut l = sqlx::postgres::PgListener::connect(&self.url).await.map_err(db("connecting the listener"))?;
        l.listen("cantiere_changes").await.map_err(db("listening for changes"))?;
        Ok(Some(ChangeListener(l)))
    }

    /// Applies the migrations not yet applied, each in its own transaction.
    pub async fn migrate(&self) -> Result<()> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS cantiere_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await
        .map_err(db("creating the migrations table"))?;
        for (version, name, sqlite, postgres) in MIGRATIONS {
            let q = sqlx::query("SELECT version FROM cantiere_migrations WHERE version = $1").bind(version);
            let done: Option<i64> = db::fetch_value(q, &self.pool, "the migrations table").await?;
            if done.is_some() {
                continue;
            }
            let mut tx = crate::db::begin(&self.pool).await.map_err(db("starting a migration"))?;
            let sql = if self.backend == Backend::Sqlite { sqlite } else { postgres };
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db(format!("migration {version} ({name})")))?;
            sqlx::query("INSERT INTO cantiere_migrations (version, name) VALUES ($1, $2)")
                .bind(version)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(db(format!("recording migration {version}")))?;
            tx.commit().await.map_err(db(format!("committing migration {version}")))?;
        }
        Ok(())
    }

    /// Accounts, roles and communities of practice.
    pub fn community(&self) -> community::Communities<'_> {
        community::Communities { pool: &self.pool }
    }

    /// Writes a snapshot as a new run, in one transaction; returns its id.
    pub async fn import(&self, snap: &Snapshot) -> Result<i64> {
        run::insert(&self.pool, self.backend, snap).await
    }

    /// Every run, newest first.
    pub async fn runs(&self) -> Result<Vec<RunInfo>> {
        run::runs(&self.pool).await
    }

    /// Reads a run whole (when `run` is `None`, the run served of the main
    /// index: see [`Store::latest_runs`]).
    pub async fn load(&self, run: Option<i64>) -> Result<Snapshot> {
        let id = match run {
            Some(id) => id,
            None => run::latest_per_index(&self.runs().await?).first().map(|r| r.id).ok_or(Error::Empty)?,
        };
        run::load(&self.pool, id).await
    }

    /// The run served of every index, the main index first: an index's
    /// latest period's latest run (a run with a period wins over one
    /// without); the main index is the one of the oldest run still stored,
    /// so the first index published on a database stays its main one.
    pub async fn latest_runs(&self) -> Result<Vec<RunInfo>> {
        Ok(run::latest_per_index(&self.runs().await?))
    }

    /// The comuni a published index's units are matched against: those of
    /// the latest run, among the latest of each index, that has the most
    /// (ties: the newest). Empty when nothing is stored.
    pub async fn comuni(&self) -> Result<Vec<Body>> {
        run::comuni(&self.pool).await
    }

    /// Stores ingested publiccode.yml files, in one transaction: a new
    /// source is inserted, a known one updated when its content changed
    /// (its first-seen date kept) and touched otherwise.
    pub async fn ingest_solutions(&self, records: &[catalog::SolutionRecord]) -> Result<catalog::IngestSummary> {
        catalog::ingest(&self.pool, records).await
    }

    /// Replaces the stored administrations with these, in one transaction
    /// (all or nothing); returns how many were stored.
    pub async fn replace_administrations(&self, list: &[administration::Administration]) -> Result<usize> {
        administration::replace(&self.pool, self.backend, list).await
    }

    /// Every stored administration, by iPA code.
    pub async fn administrations(&self) -> Result<Vec<administration::Administration>> {
        administration::list(&self.pool).await
    }

    /// Adds or replaces indicators of the dictionary, in one transaction.
    pub async fn upsert_definitions(&self, list: &[data::Definition]) -> Result<usize> {
        data::upsert_definitions(&self.pool, list).await
    }

    /// Replaces every union membership with `list`, in one transaction.
    pub async fn replace_unions(&self, list: &[unions::UnionMember]) -> Result<usize> {
        unions::replace(&self.pool, self.backend, list).await
    }

    /// Every union membership, by union, member and first day.
    pub async fn unions(&self) -> Result<Vec<unions::UnionMember>> {
        unions::list(&self.pool).await
    }

    /// The dictionary of indicators, by code.
    pub async fn definitions(&self) -> Result<Vec<data::Definition>> {
        data::definitions(&self.pool).await
    }

    /// Stores an import: the dictionary entries it brings and its values
    /// (each with the index of its file in `files`), with their provenance,
    /// in one transaction: all or nothing.
    pub async fn import_values(
        &self,
        definitions: &[data::Definition],
        files: &[data::ImportFile],
        values: &[(usize, data::NewValue)],
        actor: &str,
    ) -> Result<data::DataSummary> {
        data::import(&self.pool, self.backend, definitions, files, values, actor).await
    }

    /// The stored values of an indicator, by unit and period.
    pub async fn values(&self, indicator: &str) -> Result<Vec<data::StoredValue>> {
        data::values(&self.pool, indicator).await
    }

    /// Every name a data file may give a unit, with the unit's key: the
    /// comuni of [`Store::comuni`] by ISTAT, cadastral and iPA code (first), the
    /// stored administrations by iPA code.
    pub async fn unit_names(&self) -> Result<Vec<(String, String)>> {
        data::unit_names(&self.pool).await
    }

    /// Every stored solution, by source.
    pub async fn solutions(&self) -> Result<Vec<catalog::StoredSolution>> {
        catalog::list(&self.pool).await
    }

    /// Records (or changes) one administration's adoption of a solution;
    /// `actor` is who did it, for the audit trail. A change clears the
    /// verification.
    pub async fn record_adoption(&self, input: &adoption::AdoptionInput, actor: &str) -> Result<adoption::Adoption> {
        adoption::record(&self.pool, input, actor).await
    }

    /// Imports an adoption CSV in one transaction: a file with any bad row
    /// is refused whole ([`Error::Rows`], one error per row), nothing written.
    pub async fn import_adoptions(&self, file: &str, bytes: &[u8], actor: &str) -> Result<adoption::ImportSummary> {
        adoption::import(&self.pool, file, bytes, actor).await
    }

    /// Marks an adoption verified by an editor of its administration
    /// ([`Error::NotAllowed`] for anyone else).
    pub async fn verify_adoption(&self, id: i64, editor: &adoption::Editor) -> Result<adoption::Adoption> {
        adoption::verify(&self.pool, id, editor).await
    }

    /// One adoption.
    pub async fn adoption(&self, id: i64) -> Result<adoption::Adoption> {
        adoption::get(&self.pool, id).await
    }

    /// Every adoption, by solution and administration.
    pub async fn adoptions(&self) -> Result<Vec<adoption::Adoption>> {
        adoption::list(&self.pool).await
    }

    /// One administration's adoptions, by solution.
    pub async fn adoptions_of(&self, codice_ipa: &str) -> Result<Vec<adoption::Adoption>> {
        adoption::list_of(&self.pool, codice_ipa).await
    }

    /// One adoption's audit trail, oldest first.
    pub async fn adoption_events(&self, id: i64) -> Result<Vec<adoption::AdoptionEvent>> {
        adoption::events(&self.pool, id).await
    }

    /// The results of a run only (scores, ranks, groups), without the rest.
    pub async fn results(&self, run: i64) -> Result<Vec<ResultRow>> {
        run::results(&self.pool, run).await
    }

    /// Deletes a run and everything that belongs to it.
    pub async fn delete_run(&self, id: i64) -> Result<()> {
        run::delete(&self.pool, id).await
    }

    /// Counts the rows of a table (for tests and reports).
    pub async fn count(&self, table: &str) -> Result<i64> {
        if !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(Error::Url(table.to_string()));
        }
        let q = sqlx::query(db::sql(format!("SELECT COUNT(*) FROM {table}")));
        Ok(db::fetch_value(q, &self.pool, table).await?.unwrap_or(0))
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}
