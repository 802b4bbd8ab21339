//! The one way this crate talks to the database: rows are read **by column
//! name** into types declared with [`row!`], whose fields are the columns
//! (each spelled once: the struct field is the column, the `SELECT` list and
//! the bulk `INSERT` are made from the same declaration); a Rust type stored
//! in a column says how it is read and bound ([`Column`]); errors carry what
//! was being done ([`db`]); an `INSERT … RETURNING id` gives its id
//! ([`returning_id`]); every transaction writes and starts with [`begin`].

use std::collections::BTreeMap;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

use crate::{Backend, Error, Result};

/// The error of a database step, with what was being done.
pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Error {
    let context = context.into();
    move |source| Error::Database { context, source }
}

/// Starts a write transaction (every transaction here writes). On SQLite
/// it takes the write lock at once (`BEGIN IMMEDIATE`), waiting for it up
/// to the busy timeout: a deferred transaction that has read and then
/// writes while another connection holds the lock (a failed import whose
/// rollback has not run yet, a writer in another process) fails at once
/// with "database is locked", since SQLite cannot let it wait.
pub(crate) async fn begin(pool: &AnyPool) -> std::result::Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// SQL text of ours (table and column names from declarations, placeholders).
pub(crate) fn sql(s: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(s)
}

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(Option<String>),
    /// A whole number.
    Int(Option<i64>),
    /// A real number (a non-finite one is stored as NULL).
    Real(Option<f64>),
}

impl Value {
    /// `q` with this value bound next.
    pub(crate) fn bind<'q>(self, q: Query<'q, Any, AnyArguments>) -> Query<'q, Any, AnyArguments> {
        match self {
            Value::Text(s) => q.bind(s),
            Value::Int(i) => q.bind(i),
            Value::Real(r) => q.bind(r.filter(|x| x.is_finite())),
        }
    }
}

/// A Rust type stored in one column: how it is read back and bound.
pub trait Column: Sized {
    /// The column `name` of `row`.
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error>;
    /// The value to store.
    fn value(&self) -> Value;
}

impl Column for String {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get(name)
    }
    fn value(&self) -> Value {
        Value::Text(Some(self.clone()))
    }
}

impl Column for Option<String> {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get(name)
    }
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl Column for i64 {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get(name)
    }
    fn value(&self) -> Value {
        Value::Int(Some(*self))
    }
}

impl Column for Option<i64> {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get(name)
    }
    fn value(&self) -> Value {
        Value::Int(*self)
    }
}

/// A count.
impl Column for usize {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        Ok(usize::try_from(row.try_get::<i64, _>(name)?).unwrap_or(0))
    }
    fn value(&self) -> Value {
        Value::Int(Some(i64::try_from(*self).unwrap_or(i64::MAX)))
    }
}

/// A number: SQLite may hand back a whole number stored in a column of reals.
impl Column for Option<f64> {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get::<Option<f64>, _>(name).or_else(|_| Ok(row.try_get::<Option<i64>, _>(name)?.map(|v| v as f64)))
    }
    fn value(&self) -> Value {
        Value::Real(*self)
    }
}

/// A number that is missing (`NaN`) where the column is NULL.
impl Column for f64 {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        Ok(Option::<f64>::read(row, name)?.unwrap_or(f64::NAN))
    }
    fn value(&self) -> Value {
        Value::Real(Some(*self))
    }
}

/// A flag: a boolean on PostgreSQL, 0 or 1 on SQLite.
impl Column for bool {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        row.try_get::<bool, _>(name).or_else(|_| Ok(row.try_get::<i64, _>(name)? != 0))
    }
    fn value(&self) -> Value {
        Value::Int(Some(i64::from(*self)))
    }
}

/// Whole numbers kept as one comma-separated text.
impl Column for Vec<i64> {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        let text: String = row.try_get(name)?;
        Ok(text.split(',').filter_map(|g| g.parse().ok()).collect())
    }
    fn value(&self) -> Value {
        Value::Text(Some(self.iter().map(i64::to_string).collect::<Vec<_>>().join(",")))
    }
}

/// A map of numbers kept as JSON text.
impl Column for BTreeMap<String, (Option<f64>, Option<f64>)> {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        let text: String = row.try_get(name)?;
        serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode { index: name.into(), source: e.into() })
    }
    fn value(&self) -> Value {
        // Finite or null numbers in string-keyed maps always serialise.
        Value::Text(Some(serde_json::to_string(self).unwrap_or_default()))
    }
}

/// A row type: its columns, read by name, and their values to store.
pub trait FromRow: Sized {
    /// The columns, in declaration order.
    const COLUMNS: &'static [&'static str];
    /// Reads a row by column name.
    fn from_row(row: &AnyRow) -> std::result::Result<Self, sqlx::Error>;
    /// The values to store, in [`FromRow::COLUMNS`] order.
    fn values(&self) -> Vec<Value>;
}

/// A row type that is a table of a run: where it is and how it is ordered.
pub trait RunTable: FromRow {
    /// The table.
    const TABLE: &'static str;
    /// The order its rows are read in.
    const ORDER: &'static str;
}

/// The column a field is stored in: its name, or the one given.
macro_rules! column_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $column:literal) => {
        $column
    };
}
pub(crate) use column_name;

/// Declares a row type: the struct, whose fields are its columns (a field
/// may name another column with `= "column"`), and its [`FromRow`]; with
/// `in "table" order "…"`, also the [`RunTable`] it is stored in.
macro_rules! row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(in $table:literal order $order:literal)? {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident: $ty:ty $(= $column:literal)?,)*
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
        }

        impl $crate::db::FromRow for $name {
            const COLUMNS: &'static [&'static str] = &[$($crate::db::column_name!($field $(, $column)?)),*];

            fn from_row(row: &sqlx::any::AnyRow) -> std::result::Result<Self, sqlx::Error> {
                Ok($name {
                    $($field: $crate::db::Column::read(row, $crate::db::column_name!($field $(, $column)?))?,)*
                })
            }

            fn values(&self) -> Vec<$crate::db::Value> {
                vec![$($crate::db::Column::value(&self.$field)),*]
            }
        }

        impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for $name {
            fn from_row(row: &'r sqlx::any::AnyRow) -> std::result::Result<Self, sqlx::Error> {
                <Self as $crate::db::FromRow>::from_row(row)
            }
        }

        $(impl $crate::db::RunTable for $name {
            const TABLE: &'static str = $table;
            const ORDER: &'static str = $order;
        })?
    };
}
pub(crate) use row;

/// Every row of a query, as `T`; `what` names the step in an error.
pub(crate) async fn fetch_all<'q, 'c, T, E>(q: Query<'q, Any, AnyArguments>, executor: E, what: &str) -> Result<Vec<T>>
where
    T: FromRow,
    E: sqlx::Executor<'c, Database = Any>,
{
    let rows = q.fetch_all(executor).await.map_err(db(format!("reading {what}")))?;
    rows.iter().map(|r| T::from_row(r).map_err(db(format!("reading {what}")))).collect()
}

/// The one row of a query, if any, as `T`.
pub(crate) async fn fetch_optional<'q, 'c, T, E>(
    q: Query<'q, Any, AnyArguments>,
    executor: E,
    what: &str,
) -> Result<Option<T>>
where
    T: FromRow,
    E: sqlx::Executor<'c, Database = Any>,
{
    let row = q.fetch_optional(executor).await.map_err(db(format!("reading {what}")))?;
    row.map(|r| T::from_row(&r).map_err(db(format!("reading {what}")))).transpose()
}

/// The first column of a row (an id, a code, a count).
struct First<T>(T);

impl<T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>> FromRow for First<T> {
    const COLUMNS: &'static [&'static str] = &[];

    fn from_row(row: &AnyRow) -> std::result::Result<Self, sqlx::Error> {
        row.try_get(0).map(First)
    }

    fn values(&self) -> Vec<Value> {
        Vec::new()
    }
}

/// The first column of every row.
pub(crate) async fn fetch_column<'q, 'c, T, E>(
    q: Query<'q, Any, AnyArguments>,
    executor: E,
    what: &str,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
    E: sqlx::Executor<'c, Database = Any>,
{
    Ok(fetch_all::<First<T>, E>(q, executor, what).await?.into_iter().map(|f| f.0).collect())
}

/// The first column of the one row of a query, if any.
pub(crate) async fn fetch_value<'q, 'c, T, E>(
    q: Query<'q, Any, AnyArguments>,
    executor: E,
    what: &str,
) -> Result<Option<T>>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
    E: sqlx::Executor<'c, Database = Any>,
{
    Ok(fetch_optional::<First<T>, E>(q, executor, what).await?.map(|f| f.0))
}

/// Runs an `INSERT … RETURNING id` and gives the id; `what` names the step
/// in the error.
pub(crate) async fn returning_id<'q, 'c, E>(
    insert: Query<'q, Any, AnyArguments>,
    executor: E,
    what: &str,
) -> Result<i64>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let row = insert.fetch_one(executor).await.map_err(db(what))?;
    row.try_get(0).map_err(db(what))
}

/// Inserts rows of `width` values each, `per` rows a statement: `head`
/// (`INSERT INTO t (a, b)`), the rows' placeholders, then `tail` (an
/// `ON CONFLICT` clause, or nothing). SQLite binds `?` positionally; its
/// `$N` names cost a lookup per parameter. Not a prepared statement kept
/// for reuse: PostgreSQL fixes each parameter's type when a statement is
/// prepared, and a NULL in one chunk would be typed differently from a
/// number at the same place in the next chunk of the same shape ("incorrect
/// binary data format").
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_many(
    tx: &mut sqlx::Transaction<'_, Any>,
    backend: Backend,
    head: &str,
    tail: &str,
    width: usize,
    per: usize,
    rows: impl Iterator<Item = Vec<Value>>,
    what: &str,
) -> Result<()> {
    use std::fmt::Write as _;
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let mut text = format!("{head} VALUES ");
        let mut n = 0;
        for i in 0..chunk.len() {
            text.push_str(if i == 0 { "(" } else { ",(" });
            for j in 0..width {
                n += 1;
                let sep = if j == 0 { "" } else { "," };
                let _ = if backend == Backend::Sqlite { write!(text, "{sep}?") } else { write!(text, "{sep}${n}") };
            }
            text.push(')');
        }
        text.push_str(tail);
        let mut q = sqlx::query(sql(text)).persistent(false);
        for v in chunk.into_iter().flatten() {
            q = v.bind(q);
        }
        q.execute(&mut **tx).await.map_err(db(what))?;
    }
    Ok(())
}

/// The columns of `T`, for a `SELECT` list: `a, b, c`.
pub(crate) fn columns<T: FromRow>() -> String {
    T::COLUMNS.join(", ")
}

/// Every row of a run's table `T`, in its order.
pub(crate) async fn run_rows<T: RunTable>(pool: &AnyPool, run: i64) -> Result<Vec<T>> {
    let text = format!("SELECT {} FROM {} WHERE run_id = $1 ORDER BY {}", columns::<T>(), T::TABLE, T::ORDER);
    fetch_all(sqlx::query(sql(text)).bind(run), pool, &format!("{} of run {run}", T::TABLE)).await
}
