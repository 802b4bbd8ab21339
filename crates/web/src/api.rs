//! The JSON API under `/api/v1/`, its CSV downloads, and its OpenAPI document.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::catalog::{Catalog, SearchResult, Solution};
use crate::error::{ApiError, AppError, internal};
use crate::observatory::{Muni, Observatory};
use crate::query::Params;
use cantiere_store::adoption::Adoption;

type Obs = State<Arc<Observatory>>;

/// `/health`.
pub async fn health(State(obs): Obs) -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok", "run": obs.run.id, "municipalities": obs.munis.len()}))
}

/// A municipality's row in lists.
#[derive(Serialize)]
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    region: &'a str,
    province: &'a str,
    size_class: &'a str,
    population: Option<i64>,
    score: Option<f64>,
    rank: Option<f64>,
    rank_low: Option<f64>,
    rank_high: Option<f64>,
    context: Option<f64>,
    innovation: Option<f64>,
    group: Option<&'a str>,
    stability: Option<f64>,
}

fn row(m: &Muni) -> Row<'_> {
    Row {
        code: &m.body.code,
        name: &m.body.name,
        region: &m.body.region,
        province: &m.body.province,
        size_class: &m.body.size_class,
        population: m.body.population,
        score: m.result.score,
        rank: m.result.rank,
        rank_low: m.result.rank_low,
        rank_high: m.result.rank_high,
        context: m.result.context,
        innovation: m.result.innovation,
        group: m.result.group.as_deref(),
        stability: m.result.stability,
    }
}

pub(crate) fn csv_response<T: Serialize>(name: &str, rows: impl IntoIterator<Item = T>) -> Result<Response, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| ApiError(internal(e)))?;
    }
    let body = w.into_inner().map_err(|e| ApiError(internal(e)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

fn selected<'a>(obs: &'a Observatory, q: Option<&str>) -> Result<Vec<&'a Muni>, ApiError> {
    let p = Params::parse(q)?;
    let region = p.one("region")?;
    let province = p.one("province")?;
    let size = p.one("size")?;
    if let Some(r) = region
        && !obs.region_names.iter().any(|n| n == r)
    {
        return Err(ApiError(AppError::BadRequest(format!("region: no region named `{r}`"))));
    }
    Ok(obs.select(region, province, size))
}

/// `/api/v1/municipalities`: every municipality's result (filters: region, province, size).
pub async fn municipalities(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let rows: Vec<Row> = selected(&obs, q.as_deref())?.into_iter().map(row).collect();
    Ok(Json(serde_json::json!({"run": obs.run.id, "count": rows.len(), "municipalities": rows})).into_response())
}

/// `/api/v1/municipalities.csv`.
pub async fn municipalities_csv(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let rows = selected(&obs, q.as_deref())?;
    csv_response("municipalities.csv", rows.into_iter().map(row))
}

/// `/api/v1/municipalities/{code}`: one municipality, whole.
pub async fn municipality(State(obs): Obs, Path(code): Path<String>) -> Result<Response, ApiError> {
    let m = obs.muni(&code).ok_or_else(|| AppError::NotFound(format!("no municipality with ISTAT code `{code}`")))?;
    Ok(Json(serde_json::json!({
        "municipality": m.body, "result": m.result, "values": m.values,
        "peers": m.peers, "strengths": m.strengths, "weaknesses": m.weaknesses,
        "applications": obs.applications(&code, true),
    }))
    .into_response())
}

fn level(q: Option<&str>) -> Result<&'static str, ApiError> {
    match Params::parse(q)?.one("level")? {
        None | Some("region") => Ok("region"),
        Some("province") => Ok("province"),
        Some(other) => {
            Err(ApiError(AppError::BadRequest(format!("level: expected region or province, found `{other}`"))))
        }
    }
}

/// `/api/v1/areas?level=region|province`.
pub async fn areas(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let level = level(q.as_deref())?;
    let rows: Vec<_> = obs.areas.iter().filter(|a| a.level == level).collect();
    Ok(Json(serde_json::json!({"level": level, "areas": rows})).into_response())
}

/// `/api/v1/areas.csv?level=…`: flat, one column per score and statistic.
pub async fn areas_csv(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let level = level(q.as_deref())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let codes: Vec<String> = obs.indicators.iter().filter(|i| i.level >= 2).map(|i| i.code.clone()).collect();
    let mut header =
        vec!["level".to_string(), "code".into(), "name".into(), "municipalities".into(), "population".into()];
    header.extend(cantiere_store::Snapshot::group_names().iter().map(|g| format!("n {g}")));
    for c in &codes {
        header.push(format!("{c}_mean"));
        header.push(format!("{c}_popweighted"));
    }
    w.write_record(&header).map_err(|e| ApiError(internal(e)))?;
    for a in obs.areas.iter().filter(|a| a.level == level) {
        let mut r = vec![
            a.level.clone(),
            a.code.clone(),
            a.name.clone(),
            a.municipalities.to_string(),
            a.population.to_string(),
        ];
        r.extend(a.groups.iter().map(|g| g.to_string()));
        for c in &codes {
            let (m, p) = a.means.get(c).copied().unwrap_or((None, None));
            r.push(m.map(|x| x.to_string()).unwrap_or_default());
            r.push(p.map(|x| x.to_string()).unwrap_or_default());
        }
        w.write_record(&r).map_err(|e| ApiError(internal(e)))?;
    }
    let body = w.into_inner().map_err(|e| ApiError(internal(e)))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// `/api/v1/indicators`.
pub async fn indicators(State(obs): Obs) -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"index": obs.run.index_code, "version": obs.run.index_version, "indicators": obs.indicators}),
    )
}

/// `/api/v1/indicators.csv`.
pub async fn indicators_csv(State(obs): Obs) -> Result<Response, ApiError> {
    csv_response("indicators.csv", obs.indicators.iter())
}

/// `/api/v1/values.csv`: every value, long format.
pub async fn values_csv(State(obs): Obs) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct V<'a> {
        ucode: &'a str,
        code: &'a str,
        raw: Option<f64>,
        value: Option<f64>,
    }
    let rows = obs.munis.iter().flat_map(|m| {
        m.values.iter().map(move |(c, (raw, value))| V { ucode: &m.body.code, code: c, raw: *raw, value: *value })
    });
    csv_response("values.csv", rows)
}

/// `/api/v1/applications.csv?ucode=…`.
pub async fn applications_csv(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(q.as_deref())?;
    match p.one("ucode")? {
        Some(code) => {
            if obs.muni(code).is_none() {
                return Err(ApiError(AppError::NotFound(format!("no municipality with ISTAT code `{code}`"))));
            }
            csv_response("applications.csv", obs.applications(code, true))
        }
        None => csv_response("applications.csv", obs.all_applications().iter()),
    }
}

/// The levels of `/api/v1/geo/{level}`.
pub const GEO_LEVELS: [&str; 3] = ["comune", "provincia", "regione"];

/// Parameters whose values are a closed list, as the OpenAPI document
/// declares them: (path, parameter, values).
pub const ENUMS: &[(&str, &str, &[&str])] = &[
    ("/api/v1/geo/{level}", "level", &GEO_LEVELS),
    ("/api/v1/areas", "level", &["region", "province"]),
    ("/api/v1/areas.csv", "level", &["region", "province"]),
];

/// The schema of a parameter: a string, or one of its closed list of values.
fn schema(path: &str, name: &str) -> serde_json::Value {
    match ENUMS.iter().find(|(p, n, _)| *p == path && *n == name) {
        Some((_, _, values)) => serde_json::json!({"type": "string", "enum": values}),
        None => serde_json::json!({"type": "string"}),
    }
}

/// `/api/v1/geo/{level}`: GeoJSON of `comune`, `provincia` or `regione`.
pub async fn geo(State(obs): Obs, Path(level): Path<String>) -> Result<Response, ApiError> {
    let body = obs.geo.get(&level).ok_or_else(|| {
        AppError::NotFound(format!("no boundaries for `{level}`: expected comune, provincia or regione"))
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json"), (header::CACHE_CONTROL, "public, max-age=3600")],
        body.clone(),
    )
        .into_response())
}

/// `/api/v1/search?q=`.
pub async fn search(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(q.as_deref())?;
    let q = p.one("q")?.unwrap_or("");
    if q.chars().count() > 100 {
        return Err(ApiError(AppError::BadRequest("q: at most 100 characters".into())));
    }
    let hits: Vec<Row> = obs.search(q, 20).into_iter().map(row).collect();
    Ok(Json(serde_json::json!({"query": q, "results": hits})).into_response())
}

/// `/api/v1/run`.
pub async fn run(State(obs): Obs) -> Json<serde_json::Value> {
    Json(serde_json::json!({"run": obs.run, "sources": obs.sources}))
}

/// The paths of the API, with a summary and their parameters: the OpenAPI
/// document is built from this table, and a test requests every path.
pub const PATHS: &[(&str, &str, &[&str], &str)] = &[
    ("/health", "Liveness and the run served", &[], "application/json"),
    ("/api/v1/run", "The run served: index, version, territory, sources", &[], "application/json"),
    (
        "/api/v1/municipalities",
        "Every municipality's score, rank, rank interval, group",
        &["region", "province", "size"],
        "application/json",
    ),
    ("/api/v1/municipalities.csv", "The same as CSV", &["region", "province", "size"], "text/csv"),
    (
        "/api/v1/municipalities/{code}",
        "One municipality: values, peers, strengths, weaknesses, projects",
        &[],
        "application/json",
    ),
    ("/api/v1/areas", "Provinces or regions: means and group counts", &["level"], "application/json"),
    ("/api/v1/areas.csv", "The same as CSV", &["level"], "text/csv"),
    ("/api/v1/indicators", "Indicators and aggregates of the index", &[], "application/json"),
    ("/api/v1/indicators.csv", "The same as CSV", &[], "text/csv"),
    ("/api/v1/values.csv", "Every raw and normalised value", &[], "text/csv"),
    ("/api/v1/applications.csv", "PA digitale applications (of one municipality with ucode)", &["ucode"], "text/csv"),
    (
        "/api/v1/geo/{level}",
        "Simplified boundaries (comune, provincia, regione) with scores",
        &[],
        "application/geo+json",
    ),
    ("/api/v1/search", "Municipalities by name", &["q"], "application/json"),
    (
        "/api/v1/municipalities/{code}/recommendations",
        "Catalog solutions for the municipality's missing or weak PA digitale measures, ranked by its peers' adoptions",
        &[],
        "application/json",
    ),
    (
        "/api/v1/solutions",
        "Catalog search: words, facet filters (repeat a key for alternatives), facet counts",
        &["q", "platform", "category", "kind", "licence", "status", "maintenance", "owner", "inactive"],
        "application/json",
    ),
    (
        "/api/v1/solutions.csv",
        "The same as CSV",
        &["q", "platform", "category", "kind", "licence", "status", "maintenance", "owner", "inactive"],
        "text/csv",
    ),
    (
        "/api/v1/solutions/{id}",
        "One solution: validation, normalised publiccode.yml document, adoptions",
        &[],
        "application/json",
    ),
    ("/api/v1/adoptions", "The adoption registry", &["codice_ipa"], "application/json"),
    ("/api/v1/adoptions.csv", "The same as CSV", &["codice_ipa"], "text/csv"),
];

/// `/api/v1/openapi.json`.
pub async fn openapi() -> Json<serde_json::Value> {
    let mut paths = serde_json::Map::new();
    for (path, summary, params, media) in PATHS.iter().chain(crate::community::READS) {
        let mut parameters: Vec<serde_json::Value> = params
            .iter()
            .map(|p| serde_json::json!({"name": p, "in": "query", "required": false, "schema": schema(path, p)}))
            .collect();
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(['{', '}']);
            parameters
                .push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": schema(path, name)}));
        }
        let error = serde_json::json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        paths.insert(
            path.to_string(),
            serde_json::json!({"get": {
                "summary": summary,
                "parameters": parameters,
                "responses": {
                    "200": {"description": "OK", "content": {*media: {"schema": {"type": if media.contains("json") {"object"} else {"string"}}}}},
                    "400": error, "404": error,
                }
            }}),
        );
    }
    Json(serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Cantiere observatory API", "version": "1.0.0",
                 "description": "The digital-transition index of Italian municipalities: results, areas, indicators, projects, boundaries."},
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}}},
    }))
}

/// `/api/v1/municipalities/{code}/recommendations`.
pub async fn recommendations(State(obs): Obs, Path(code): Path<String>) -> Result<Response, ApiError> {
    let m = obs.muni(&code).ok_or_else(|| AppError::NotFound(format!("no municipality with ISTAT code `{code}`")))?;
    crate::pages::catalog_of(&obs)?;
    Ok(Json(serde_json::json!({
        "municipality": m.body.code, "codice_ipa": Observatory::ipa_of(m), "needs": obs.advice(m, 10),
    }))
    .into_response())
}

fn solution_hits(obs: &Observatory, q: Option<&str>) -> Result<(Arc<Catalog>, SearchResult), ApiError> {
    let catalog = crate::pages::catalog_of(obs)?;
    let query = crate::pages::solution_query(&Params::parse(q)?)?;
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
    platforms: String,
    categories: String,
    kind: String,
    licence: String,
    status: String,
    maintenance: String,
    owner: String,
    in_use: usize,
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
        platforms: f("platform"),
        categories: f("category"),
        kind: f("kind"),
        licence: f("licence"),
        status: f("status"),
        maintenance: f("maintenance"),
        owner: f("owner"),
        in_use: c.users(s).count(),
        source: &s.source,
        last_seen: &s.last_seen,
    }
}

/// `/api/v1/solutions`.
pub async fn solutions(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let (c, res) = solution_hits(&obs, q.as_deref())?;
    let rows: Vec<SolutionRow> = res.hits.iter().map(|&i| solution_row(&c, &c.solutions[i])).collect();
    Ok(Json(serde_json::json!({"total": rows.len(), "facets": res.facets, "solutions": rows})).into_response())
}

/// `/api/v1/solutions.csv`.
pub async fn solutions_csv(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let (c, res) = solution_hits(&obs, q.as_deref())?;
    csv_response("solutions.csv", res.hits.iter().map(|&i| solution_row(&c, &c.solutions[i])))
}

/// `/api/v1/solutions/{id}`.
pub async fn solution(State(obs): Obs, Path(id): Path<String>) -> Result<Response, ApiError> {
    let c = crate::pages::catalog_of(&obs)?;
    let s = c.by_path(&id)?;
    let adoptions: Vec<&Adoption> = c.adoptions_for(s).collect();
    Ok(Json(serde_json::json!({
        "solution": s, "document": s.doc, "adoptions": adoptions,
    }))
    .into_response())
}

fn adoption_list<'a>(c: &'a Catalog, q: Option<&str>) -> Result<Vec<&'a Adoption>, ApiError> {
    let p = Params::parse(q)?;
    let ipa = p.one("codice_ipa")?.map(str::to_lowercase);
    Ok(c.adoptions.iter().filter(|a| ipa.as_deref().is_none_or(|i| a.codice_ipa == i)).collect())
}

/// `/api/v1/adoptions`.
pub async fn adoptions(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let c = crate::pages::catalog_of(&obs)?;
    Ok(Json(serde_json::json!({"adoptions": adoption_list(&c, q.as_deref())?})).into_response())
}

/// `/api/v1/adoptions.csv`.
pub async fn adoptions_csv(State(obs): Obs, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let c = crate::pages::catalog_of(&obs)?;
    csv_response("adoptions.csv", adoption_list(&c, q.as_deref())?)
}
