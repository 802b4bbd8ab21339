//! The catalog's JSON and CSV API.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cantiere_store::adoption::Adoption;
use serde::Serialize;

use super::pages::{catalog_of, solution_query};
use super::signals::{related, signals, today};
use super::{Catalog, SearchResult, Solution};
use crate::http::error::AppError;
use crate::http::query::Params;
use crate::http::{SiteState, csv_response};
use crate::observatory::Observatory;

type S = State<SiteState>;
type Answer = Result<Response, AppError>;

/// `/api/v1/municipalities/{code}/recommendations`.
pub async fn recommendations(State(site): S, Path(code): Path<String>) -> Answer {
    let obs = &site.obs;
    let m = obs.muni(&code).ok_or_else(|| AppError::NotFound(format!("no municipality with ISTAT code `{code}`")))?;
    catalog_of(obs)?;
    Ok(Json(serde_json::json!({
        "municipality": m.body.code, "codice_ipa": Observatory::ipa_of(m), "needs": obs.advice(m, 10),
    }))
    .into_response())
}

fn solution_hits(obs: &Observatory, p: &Params) -> Result<(Arc<Catalog>, SearchResult), AppError> {
    let catalog = catalog_of(obs)?;
    let query = solution_query(p)?;
    let hits = catalog.search(&query);
    Ok((catalog, hits))
}

#[derive(Serialize)]
struct SolutionRow<'a> {
    id: i64,
    name: &'a str,
    url: &'a str,
    active: bool,
    errors: usize,
    warnings: usize,
    example: bool,
    platforms: String,
    compliance: String,
    categories: String,
    scopes: String,
    kind: String,
    licence: String,
    status: String,
    maintenance: String,
    owner: String,
    in_use: usize,
    verified: usize,
    source: &'a str,
    last_seen: &'a str,
}

fn solution_row<'a>(c: &Catalog, s: &'a Solution) -> SolutionRow<'a> {
    let f = |k: &str| s.facets.get(k).map(|v| v.join(";")).unwrap_or_default();
    SolutionRow {
        id: s.id,
        name: &s.name,
        url: &s.url,
        active: s.active,
        errors: s.errors,
        warnings: s.warnings,
        example: s.example,
        platforms: f("platform"),
        compliance: f("compliance"),
        categories: f("category"),
        scopes: f("scope"),
        kind: f("kind"),
        licence: f("licence"),
        status: f("status"),
        maintenance: f("maintenance"),
        owner: f("owner"),
        in_use: c.users(s).count(),
        verified: c.verified_users(s),
        source: &s.source,
        last_seen: &s.last_seen,
    }
}

/// `/api/v1/solutions`.
pub async fn solutions(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    let (c, res) = solution_hits(obs, &p)?;
    let rows: Vec<SolutionRow> = res.hits.iter().map(|&i| solution_row(&c, &c.solutions[i])).collect();
    Ok(Json(serde_json::json!({"total": rows.len(), "partial": res.partial, "facets": res.facets, "solutions": rows}))
        .into_response())
}

/// `/api/v1/solutions.csv`.
pub async fn solutions_csv(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    let (c, res) = solution_hits(obs, &p)?;
    csv_response("solutions.csv", res.hits.iter().map(|&i| solution_row(&c, &c.solutions[i])))
}

/// `/api/v1/solutions/{id}`.
pub async fn solution(State(site): S, Path(id): Path<String>) -> Answer {
    let obs = &site.obs;
    let c = catalog_of(obs)?;
    let s = c.by_path(&id)?;
    let adoptions: Vec<&Adoption> = c.adoptions_for(s).collect();
    Ok(Json(serde_json::json!({
        "solution": s, "document": public_document(s), "adoptions": adoptions,
        "signals": signals(&c, s, &today()),
        "related": related(&c, s, 6).iter().map(|r| r.id).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// The document as the public sees it: the maintenance contacts' names,
/// e-mail addresses and phone numbers are personal data, so each contact
/// is shown by its affiliation only.
pub(crate) fn public_document(s: &Solution) -> Option<serde_json::Value> {
    let mut doc = serde_json::to_value(s.doc.as_ref()?).ok()?;
    if let Some(contacts) = doc.pointer_mut("/maintenance/contacts").and_then(|c| c.as_array_mut()) {
        for c in contacts.iter_mut() {
            let affiliation = c.get("affiliation").cloned().unwrap_or(serde_json::Value::Null);
            *c = serde_json::json!({ "affiliation": affiliation });
        }
    }
    Some(doc)
}

fn adoption_list<'a>(c: &'a Catalog, p: &Params) -> Result<Vec<&'a Adoption>, AppError> {
    let ipa = p.one("codice_ipa")?.map(str::to_lowercase);
    Ok(c.adoptions.iter().filter(|a| ipa.as_deref().is_none_or(|i| a.codice_ipa == i)).collect())
}

/// `/api/v1/adoptions`.
pub async fn adoptions(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    let c = catalog_of(obs)?;
    Ok(Json(serde_json::json!({"adoptions": adoption_list(&c, &p)?})).into_response())
}

/// `/api/v1/adoptions.csv`.
pub async fn adoptions_csv(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    let c = catalog_of(obs)?;
    csv_response("adoptions.csv", adoption_list(&c, &p)?)
}
