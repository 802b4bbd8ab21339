//! The adoption registry: an administration, by its iPA code (`codice_ipa`,
//! the code of the national index of public administrations; a comune's is
//! `c_` and its cadastral code, e.g. `c_h501` for Roma), records that it
//! evaluates, uses or dismissed a catalog solution, since when and with what
//! evidence.
//!
//! An entry is **verified** only by an editor of that same administration
//! ([`Editor`]); any later change by someone else clears the verification.
//! Every change is written to the audit trail (`adoption_event`) in the same
//! transaction as the change itself.
//!
//! Adoptions also arrive as CSV ([`parse_csv`], then
//! [`crate::Store::import_adoptions`]): every row is checked (status, dates,
//! evidence URL, known iPA code, known solution, repeated pairs) and a file
//! with any bad row is refused whole, with one error per bad row naming the
//! line and the column; nothing is written.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::catalog::SolutionIndex;
pub use crate::checks::ipa_known;
use crate::checks::{check_date, check_url, known_ipa_codes};
pub use crate::csv::RowError;
use crate::csv::{missing_columns, open_csv};
use crate::db::{Column, Value, columns, db, fetch_all, fetch_optional, row, sql};
use crate::run::now;
use crate::{Error, Result};

/// Where an administration stands with a solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdoptionStatus {
    /// Being evaluated.
    Evaluating,
    /// In use.
    InUse,
    /// Used once, now dismissed.
    Dismissed,
}

impl AdoptionStatus {
    /// Every status, in the order of a solution's life.
    pub const ALL: [AdoptionStatus; 3] = [AdoptionStatus::Evaluating, AdoptionStatus::InUse, AdoptionStatus::Dismissed];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            AdoptionStatus::Evaluating => "evaluating",
            AdoptionStatus::InUse => "in_use",
            AdoptionStatus::Dismissed => "dismissed",
        }
    }

    /// Reads a code, in English or Italian (`in uso`, `in valutazione`, `dismessa`), any case.
    pub fn parse(text: &str) -> Option<AdoptionStatus> {
        match text.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
            "evaluating" | "in_valutazione" | "valutazione" => Some(AdoptionStatus::Evaluating),
            "in_use" | "in_uso" | "adottata" | "adopted" => Some(AdoptionStatus::InUse),
            "dismissed" | "dismessa" | "dismesso" => Some(AdoptionStatus::Dismissed),
            _ => None,
        }
    }
}

/// Stored as its code; an unknown code is an error.
impl Column for AdoptionStatus {
    fn read(row: &AnyRow, name: &str) -> std::result::Result<Self, sqlx::Error> {
        let code: String = row.try_get(name)?;
        AdoptionStatus::parse(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: name.into(),
            source: format!("unknown adoption status `{code}`").into(),
        })
    }
    fn value(&self) -> Value {
        Value::Text(Some(self.code().to_string()))
    }
}

/// How an adoption names its solution: the catalog's id or the repository URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SolutionRef {
    /// The stored solution's id.
    Id(i64),
    /// The repository URL (compared without case, trailing `/` or `.git`).
    Url(String),
}

impl SolutionRef {
    /// A number is an id, anything else a URL.
    pub fn parse(text: &str) -> SolutionRef {
        let t = text.trim();
        match t.parse::<i64>() {
            Ok(id) => SolutionRef::Id(id),
            Err(_) => SolutionRef::Url(t.to_string()),
        }
    }
}

impl fmt::Display for SolutionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolutionRef::Id(id) => write!(f, "#{id}"),
            SolutionRef::Url(u) => f.write_str(u),
        }
    }
}

/// A comune's iPA code: `c_` and its cadastral code, lower case (`c_h501`).
pub fn comune_ipa(cadastral: &str) -> String {
    format!("c_{}", cadastral.to_lowercase())
}

/// The key a repository URL is compared by.
pub fn url_key(url: &str) -> String {
    url.trim().trim_end_matches('/').trim_end_matches(".git").trim_end_matches('/').to_lowercase()
}

/// One adoption as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct AdoptionInput {
    /// The administration's iPA code (lowercase).
    pub codice_ipa: String,
    /// The solution.
    pub solution: SolutionRef,
    /// Where it stands.
    pub status: AdoptionStatus,
    /// Since when (`YYYY-MM-DD` or `YYYY-MM`).
    pub since: Option<String>,
    /// A public link that shows it (a page, a resolution, a tender).
    pub evidence: Option<String>,
}

row! {
    /// A stored adoption.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct Adoption {
        /// Its id.
        pub id: i64,
        /// The administration's iPA code.
        pub codice_ipa: String,
        /// The solution's id.
        pub solution_id: i64,
        /// Where it stands.
        pub status: AdoptionStatus,
        /// Since when.
        pub since: Option<String>,
        /// Evidence link.
        pub evidence: Option<String>,
        /// Who verified it (an editor of the administration), when verified.
        pub verified_by: Option<String>,
        /// When it was verified.
        pub verified_at: Option<String>,
        /// First recorded.
        pub created_at: String,
        /// Last changed.
        pub updated_at: String,
    }
}

row! {
    /// One line of the audit trail.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct AdoptionEvent {
        /// The adoption.
        pub adoption_id: i64,
        /// When.
        pub at: String,
        /// Who.
        pub actor: String,
        /// `recorded`, `updated`, `verified` or `imported`.
        pub action: String,
        /// The state after the change, as JSON.
        pub detail: String,
    }
}

/// Someone allowed to verify the adoptions of one administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// Who (an account name or email).
    pub name: String,
    /// The administration they act for.
    pub codice_ipa: String,
}

/// What an adoption import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    /// New adoptions.
    pub new: usize,
    /// Known adoptions that changed.
    pub updated: usize,
    /// Known adoptions unchanged.
    pub unchanged: usize,
}

/// One parsed row with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    /// Line in the file.
    pub line: u64,
    /// The adoption.
    pub input: AdoptionInput,
}

const COLUMNS: [&str; 5] = ["codice_ipa", "solution", "status", "since", "evidence"];

/// Checks one declared adoption on its own (not against the store); the
/// problems as (column, message).
pub fn check(input: &AdoptionInput) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let code = &input.codice_ipa;
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.push(("codice_ipa", format!("`{code}` is not an iPA code: expected letters, digits and `_`, e.g. c_h501")));
    }
    if let SolutionRef::Url(u) = &input.solution
        && !check_url(u)
    {
        out.push(("solution", format!("`{u}` is neither a catalog id nor an http(s) repository URL")));
    }
    if let Some(s) = &input.since
        && !check_date(s)
    {
        out.push(("since", format!("`{s}` is not a date: expected YYYY-MM-DD or YYYY-MM")));
    }
    if let Some(e) = &input.evidence
        && !check_url(e)
    {
        out.push(("evidence", format!("`{e}` is not an http(s) link")));
    }
    out
}

/// Reads an adoption CSV (`,` or `;`, UTF-8, columns by header name:
/// `codice_ipa`, `solution` (id or repository URL), `status`, and optional
/// `since`, `evidence`). Returns the good rows and one error per problem.
pub fn parse_csv(bytes: &[u8]) -> (Vec<ParsedRow>, Vec<RowError>) {
    let mut errors = Vec::new();
    let (text, mut reader, header) = match open_csv(bytes) {
        Ok(opened) => opened,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let missing = missing_columns(&header, &COLUMNS[..3]);
    if !missing.is_empty() {
        return (Vec::new(), missing);
    }
    let at: HashMap<&str, usize> =
        COLUMNS.iter().filter_map(|name| Some((*name, header.iter().position(|h| h == name)?))).collect();
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, SolutionRef), u64> = HashMap::new();
    let (good, bad) = crate::csv::rows(text, &mut reader, header.len());
    errors.extend(bad);
    for (line, record) in good {
        let cell = |name: &str| at.get(name).and_then(|&i| record.get(i)).map(str::trim).unwrap_or("");
        let optional = |name: &str| Some(cell(name).to_string()).filter(|s| !s.is_empty());
        let status_text = cell("status");
        let Some(status) = AdoptionStatus::parse(status_text) else {
            errors.push(RowError {
                line,
                column: "status".into(),
                message: format!("`{status_text}` is not a status: expected evaluating, in_use or dismissed"),
            });
            continue;
        };
        let solution_text = cell("solution");
        if solution_text.is_empty() {
            errors.push(RowError { line, column: "solution".into(), message: "empty: expected an id or a URL".into() });
            continue;
        }
        let input = AdoptionInput {
            codice_ipa: cell("codice_ipa").to_lowercase(),
            solution: SolutionRef::parse(solution_text),
            status,
            since: optional("since"),
            evidence: optional("evidence"),
        };
        let problems = check(&input);
        if !problems.is_empty() {
            errors.extend(problems.into_iter().map(|(column, message)| RowError {
                line,
                column: column.into(),
                message,
            }));
            continue;
        }
        let key = (
            input.codice_ipa.clone(),
            match &input.solution {
                SolutionRef::Url(u) => SolutionRef::Url(url_key(u)),
                id => id.clone(),
            },
        );
        if let Some(first) = seen.get(&key) {
            errors.push(RowError {
                line,
                column: "solution".into(),
                message: format!("repeats line {first}: one row per administration and solution"),
            });
            continue;
        }
        seen.insert(key, line);
        rows.push(ParsedRow { line, input });
    }
    (rows, errors)
}

fn detail(a: &AdoptionInput, solution_id: i64) -> String {
    serde_json::json!({
        "codice_ipa": a.codice_ipa, "solution_id": solution_id, "status": a.status.code(),
        "since": a.since, "evidence": a.evidence,
    })
    .to_string()
}

async fn event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    adoption: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: String,
) -> Result<()> {
    sqlx::query("INSERT INTO adoption_event (adoption_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(adoption)
        .bind(at.to_string())
        .bind(actor.to_string())
        .bind(action.to_string())
        .bind(detail)
        .execute(&mut **tx)
        .await
        .map_err(db("writing the audit trail"))?;
    Ok(())
}

/// Writes one adoption (insert or update) inside a transaction; returns
/// whether it was new, changed or unchanged.
async fn upsert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    a: &AdoptionInput,
    solution_id: i64,
    actor: &str,
    action_new: &str,
    at: &str,
) -> Result<(i64, Change)> {
    let q = sqlx::query(sql(format!("{} WHERE codice_ipa = $1 AND solution_id = $2", select())));
    let known: Option<Adoption> =
        fetch_optional(q.bind(a.codice_ipa.clone()).bind(solution_id), &mut **tx, "an adoption").await?;
    match known {
        None => {
            let insert = sqlx::query(
                "INSERT INTO adoption (codice_ipa, solution_id, status, since, evidence, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(a.codice_ipa.clone())
            .bind(solution_id)
            .bind(a.status.code())
            .bind(a.since.clone())
            .bind(a.evidence.clone())
            .bind(at.to_string())
            .bind(at.to_string());
            let what = format!("storing the adoption of {} by {}", solution_id, a.codice_ipa);
            let id = crate::db::returning_id(insert, &mut **tx, &what).await?;
            event(tx, id, at, actor, action_new, detail(a, solution_id)).await?;
            Ok((id, Change::New))
        }
        Some(stored) => {
            let id = stored.id;
            if stored.status == a.status && stored.since == a.since && stored.evidence == a.evidence {
                return Ok((id, Change::Unchanged));
            }
            // A change made by anyone clears the verification: the editor
            // verifies the state as it now is.
            sqlx::query(
                "UPDATE adoption SET status = $1, since = $2, evidence = $3, updated_at = $4, verified_by = NULL, \
                 verified_at = NULL WHERE id = $5",
            )
            .bind(a.status.code())
            .bind(a.since.clone())
            .bind(a.evidence.clone())
            .bind(at.to_string())
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db("updating an adoption"))?;
            event(tx, id, at, actor, "updated", detail(a, solution_id)).await?;
            Ok((id, Change::Updated))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    New,
    Updated,
    Unchanged,
}

pub(crate) async fn record(pool: &AnyPool, a: &AdoptionInput, actor: &str) -> Result<Adoption> {
    let problems = check(a);
    if let Some((column, message)) = problems.into_iter().next() {
        return Err(Error::invalid(column, message));
    }
    if !ipa_known(pool, &a.codice_ipa).await? {
        return Err(Error::invalid("codice_ipa", format!("`{}` is not a known administration", a.codice_ipa)));
    }
    let solution_id =
        SolutionIndex::read(pool).await?.resolve(&a.solution).map_err(|m| Error::invalid("solution", m))?;
    let mut tx = crate::db::begin(pool).await.map_err(db("starting an adoption"))?;
    let (id, _) = upsert(&mut tx, a, solution_id, actor, "recorded", &now()).await?;
    tx.commit().await.map_err(db("committing an adoption"))?;
    get(pool, id).await
}

pub(crate) async fn import(pool: &AnyPool, file: &str, bytes: &[u8], actor: &str) -> Result<ImportSummary> {
    let (rows, mut errors) = parse_csv(bytes);
    let known = known_ipa_codes(pool).await?;
    let solutions = SolutionIndex::read(pool).await?;
    let mut resolved = Vec::with_capacity(rows.len());
    for row in &rows {
        if !known.contains(&row.input.codice_ipa) {
            let hint =
                if known.is_empty() { " (the store holds no index run: run `cantiere import` first)" } else { "" };
            errors.push(RowError {
                line: row.line,
                column: "codice_ipa".into(),
                message: format!("`{}` is not a known administration{hint}", row.input.codice_ipa),
            });
            continue;
        }
        match solutions.resolve(&row.input.solution) {
            Ok(id) => resolved.push((row, id)),
            Err(message) => errors.push(RowError { line: row.line, column: "solution".into(), message }),
        }
    }
    // Two rows naming the same solution differently (its id and its URL).
    let mut pairs: HashMap<(&str, i64), u64> = HashMap::new();
    for (row, id) in &resolved {
        if let Some(first) = pairs.insert((row.input.codice_ipa.as_str(), *id), row.line) {
            errors.push(RowError {
                line: row.line,
                column: "solution".into(),
                message: format!("repeats line {first} (the same solution): one row per administration and solution"),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
        return Err(Error::Rows { file: file.to_string(), errors });
    }
    let at = now();
    let mut summary = ImportSummary::default();
    let mut tx = crate::db::begin(pool).await.map_err(db("starting the adoption import"))?;
    for (row, id) in resolved {
        match upsert(&mut tx, &row.input, id, actor, "imported", &at).await?.1 {
            Change::New => summary.new += 1,
            Change::Updated => summary.updated += 1,
            Change::Unchanged => summary.unchanged += 1,
        }
    }
    tx.commit().await.map_err(db("committing the adoption import"))?;
    Ok(summary)
}

pub(crate) async fn verify(pool: &AnyPool, id: i64, editor: &Editor) -> Result<Adoption> {
    let adoption = get(pool, id).await?;
    if adoption.codice_ipa != editor.codice_ipa.to_lowercase() {
        return Err(Error::NotAllowed(format!(
            "{} edits for `{}` and cannot verify an adoption of `{}`",
            editor.name, editor.codice_ipa, adoption.codice_ipa
        )));
    }
    let at = now();
    let mut tx = crate::db::begin(pool).await.map_err(db("starting a verification"))?;
    sqlx::query("UPDATE adoption SET verified_by = $1, verified_at = $2 WHERE id = $3")
        .bind(editor.name.clone())
        .bind(at.clone())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db("verifying an adoption"))?;
    let d = serde_json::json!({"verified_by": editor.name, "codice_ipa": editor.codice_ipa}).to_string();
    event(&mut tx, id, &at, &editor.name, "verified", d).await?;
    tx.commit().await.map_err(db("committing a verification"))?;
    get(pool, id).await
}

/// The adoptions, as a `SELECT` to add a condition to.
fn select() -> String {
    format!("SELECT {} FROM adoption", columns::<Adoption>())
}

pub(crate) async fn get(pool: &AnyPool, id: i64) -> Result<Adoption> {
    let q = sqlx::query(sql(format!("{} WHERE id = $1", select()))).bind(id);
    fetch_optional(q, pool, "an adoption").await?.ok_or_else(|| Error::NotFound(format!("adoption #{id}")))
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<Adoption>> {
    fetch_all(sqlx::query(sql(format!("{} ORDER BY solution_id, codice_ipa", select()))), pool, "the adoptions").await
}

pub(crate) async fn list_of(pool: &AnyPool, codice_ipa: &str) -> Result<Vec<Adoption>> {
    let q = sqlx::query(sql(format!("{} WHERE codice_ipa = $1 ORDER BY solution_id", select())));
    fetch_all(q.bind(codice_ipa.trim().to_lowercase()), pool, "the adoptions").await
}

pub(crate) async fn events(pool: &AnyPool, id: i64) -> Result<Vec<AdoptionEvent>> {
    let text = format!("SELECT {} FROM adoption_event WHERE adoption_id = $1 ORDER BY id", columns::<AdoptionEvent>());
    fetch_all(sqlx::query(sql(text)).bind(id), pool, "the audit trail").await
}

#[cfg(test)]
mod tests;
