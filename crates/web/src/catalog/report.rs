//! The ingestion report an editor downloads: every file ingested, valid or
//! not, with what was dropped or flagged: its errors (the first one
//! spelled out), its warnings, the other files claiming the same
//! repository, and ingestion's notes (relative files not checked outside
//! the repository, script links).

use std::collections::HashMap;

use axum::extract::State;
use serde::Serialize;

use super::Catalog;
use super::pages::catalog_of;
use crate::http::error::AppError;
use crate::http::{SiteState, csv_response};

/// One file of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// Where it was ingested from.
    pub source: String,
    /// Its `name`.
    pub name: String,
    /// Its repository URL.
    pub url: String,
    /// Listed (no error).
    pub valid: bool,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// The first error: `key: description`.
    pub first_error: String,
    /// Other sources with the same repository, `;`-separated.
    pub same_repository: String,
    /// Ingestion's notes: `kind (key)`, `;`-separated.
    pub notes: String,
}

/// The report, one row per stored file, by source.
pub fn rows(catalog: &Catalog) -> Vec<ReportRow> {
    let key = |u: &str| cantiere_store::adoption::url_key(u);
    let mut by_url: HashMap<String, Vec<&str>> = HashMap::new();
    for s in catalog.solutions.iter().filter(|s| !s.url.is_empty()) {
        by_url.entry(key(&s.url)).or_default().push(&s.source);
    }
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let mut out: Vec<ReportRow> = catalog
        .solutions
        .iter()
        .map(|s| {
            let first_error = s
                .diagnostics
                .as_array()
                .into_iter()
                .flatten()
                .find(|d| d.get("type").and_then(|t| t.as_str()) == Some("error"))
                .map(|d| format!("{}: {}", text(d, "key"), text(d, "description")))
                .unwrap_or_default();
            let mut others: Vec<&str> = if s.url.is_empty() {
                Vec::new()
            } else {
                by_url[&key(&s.url)].iter().copied().filter(|o| *o != s.source).collect()
            };
            others.sort_unstable();
            let notes: Vec<String> = s
                .notes
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| format!("{} ({})", text(n, "kind"), text(n, "key")))
                .collect();
            ReportRow {
                source: s.source.clone(),
                name: s.name.clone(),
                url: s.url.clone(),
                valid: s.active,
                errors: s.errors,
                warnings: s.warnings,
                first_error,
                same_repository: others.join(";"),
                notes: notes.join(";"),
            }
        })
        .collect();
    out.sort_by(|a, b| a.source.cmp(&b.source));
    out
}

/// `/api/v1/catalog/report.csv`.
pub async fn report_csv(State(site): State<SiteState>) -> Result<axum::response::Response, AppError> {
    let catalog = catalog_of(&site.obs)?;
    csv_response("catalog-report.csv", rows(&catalog))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::catalog::{SolutionRecord, StoredSolution};

    fn stored(id: i64, source: &str, url: &str, diagnostics: &str, notes: &str) -> StoredSolution {
        let valid = !diagnostics.contains("\"error\"");
        StoredSolution {
            id,
            record: SolutionRecord {
                source: source.into(),
                name: format!("n{id}"),
                url: url.into(),
                valid,
                errors: usize::from(!valid),
                warnings: 0,
                diagnostics: diagnostics.into(),
                document: None,
                content_hash: String::new(),
                notes: notes.into(),
            },
            active: valid,
            first_seen: String::new(),
            last_seen: String::new(),
        }
    }

    #[test]
    fn every_file_is_reported_with_its_first_error_duplicates_and_notes() {
        let bad = r#"[{"type":"warning","key":"a","description":"w"},{"type":"error","key":"url","description":"is missing"}]"#;
        let note = r#"[{"kind":"script_link","key":"landingURL","description":"x"}]"#;
        let catalog = Catalog::new(
            vec![
                stored(1, "b.yml", "https://github.com/x/y", "[]", note),
                stored(2, "a.yml", "https://github.com/x/y.git", "[]", "[]"),
                stored(3, "c.yml", "", bad, "[]"),
            ],
            vec![],
        )
        .unwrap();
        let rows = rows(&catalog);
        assert_eq!(rows.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(), ["a.yml", "b.yml", "c.yml"]);
        assert_eq!((rows[0].same_repository.as_str(), rows[1].same_repository.as_str()), ("b.yml", "a.yml"));
        assert_eq!(rows[1].notes, "script_link (landingURL)");
        assert_eq!((rows[2].valid, rows[2].first_error.as_str()), (false, "url: is missing"));
        assert_eq!(rows[2].same_repository, "");
    }
}
