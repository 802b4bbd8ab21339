//! The JSON API under `/api/v1/`, its CSV downloads, and its OpenAPI document.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Muni, Observatory};
use crate::http::error::{AppError, internal};
use crate::http::query::Params;
use crate::http::{SiteState, csv_response};
use cantiere_store::AreaRow;

type S = State<SiteState>;
type Answer = Result<Response, AppError>;

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
    row_at(m, &m.result)
}

/// A municipality's row with the results of one period.
fn row_at<'a>(m: &'a Muni, r: &'a cantiere_store::ResultRow) -> Row<'a> {
    Row {
        code: &m.body.code,
        name: &m.body.name,
        region: &m.body.region,
        province: &m.body.province,
        size_class: &m.body.size_class,
        population: m.body.population,
        score: r.score,
        rank: r.rank,
        rank_low: r.rank_low,
        rank_high: r.rank_high,
        context: r.context,
        innovation: r.innovation,
        group: r.group.as_deref(),
        stability: r.stability,
    }
}

/// The rows a list asks for (`index`, `period`, filters): the period
/// served in rank order, or an earlier period's results, in its rank order,
/// of the comuni it ranked.
fn listed<'a>(obs: &'a Observatory, p: &Params) -> Result<Vec<Row<'a>>, AppError> {
    let chosen = selected(obs, p)?;
    Ok(match obs.results_at(p.one("period")?)? {
        None => chosen.into_iter().map(row).collect(),
        Some(then) => {
            let mut rows: Vec<Row> =
                chosen.into_iter().filter_map(|m| then.get(&m.body.code).map(|r| row_at(m, r))).collect();
            rows.sort_by(|a, b| {
                let (x, y) = (a.rank.unwrap_or(f64::INFINITY), b.rank.unwrap_or(f64::INFINITY));
                x.total_cmp(&y).then(a.code.cmp(b.code))
            });
            rows
        }
    })
}

fn selected<'a>(obs: &'a Observatory, p: &Params) -> Result<Vec<&'a Muni>, AppError> {
    let region = p.one("region")?;
    let province = p.one("province")?;
    let size = p.one("size")?;
    if let Some(r) = region
        && !obs.region_names.iter().any(|n| n == r)
    {
        return Err(AppError::BadRequest(format!("region: no region named `{r}`")));
    }
    Ok(obs.select(region, province, size))
}

/// `/api/v1/municipalities`: every municipality's result (filters: region, province, size).
pub async fn municipalities(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let rows = listed(obs, &p)?;
    let period = p.one("period")?.unwrap_or(obs.period());
    let json = serde_json::json!({"run": obs.run.id, "index": obs.run.index_code, "period": period,
        "count": rows.len(), "municipalities": rows});
    Ok(Json(json).into_response())
}

/// `/api/v1/municipalities.csv`.
pub async fn municipalities_csv(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    csv_response("municipalities.csv", listed(obs, &p)?)
}

/// `/api/v1/municipalities/{code}`: one municipality, whole.
pub async fn municipality(State(site): S, Path(code): Path<String>, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let m = obs.muni(&code).ok_or_else(|| AppError::NotFound(format!("no municipality with ISTAT code `{code}`")))?;
    // An earlier period: its result only (its values, peers and
    // applications are not kept: see `series.rs`).
    if let Some(then) = obs.results_at(p.one("period")?)? {
        let period = p.one("period")?.unwrap_or_default();
        let result = then
            .get(&code)
            .ok_or_else(|| AppError::NotFound(format!("municipality `{code}` is not ranked in period {period}")))?;
        let json = serde_json::json!({"municipality": m.body, "period": period, "result": result});
        return Ok(Json(json).into_response());
    }
    Ok(Json(serde_json::json!({
        "municipality": m.body, "period": obs.period(), "result": m.result, "values": m.values,
        "peers": m.peers, "strengths": m.strengths, "weaknesses": m.weaknesses,
        "applications": obs.applications(&code, true),
    }))
    .into_response())
}

/// `/api/v1/municipalities/{code}/series?index=`: the comune's score, rank,
/// rank interval and group in every period of the index, oldest first.
pub async fn series(State(site): S, Path(code): Path<String>, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    if obs.muni(&code).is_none() {
        let index = &obs.run.index_code;
        return Err(AppError::NotFound(format!("no municipality with ISTAT code `{code}` in index {index}")));
    }
    Ok(Json(obs.series(&code)).into_response())
}

fn level(p: &Params) -> Result<&'static str, AppError> {
    match p.one("level")? {
        None | Some("region") => Ok("region"),
        Some("province") => Ok("province"),
        Some(other) => Err(AppError::BadRequest(format!("level: expected region or province, found `{other}`"))),
    }
}

/// The areas a request asks for (`level`, `index`, `period`): the
/// statistics stored with the run served, or, for an earlier period or an
/// index that stores none, those its results give (see `area_rows`).
fn area_table<'a>(obs: &'a Observatory, p: &'a Params) -> Result<(&'static str, &'a str, Vec<AreaRow>), AppError> {
    let level = level(p)?;
    let period = p.one("period")?;
    let results = obs.results_at(period)?;
    let stored = obs.areas.iter().filter(|a| a.level == level);
    let rows = if results.is_none() && stored.clone().next().is_some() {
        stored.cloned().collect()
    } else {
        obs.area_rows(level, results)
    };
    Ok((level, period.unwrap_or(obs.period()), rows))
}

/// `/api/v1/areas?level=region|province&index=&period=`.
pub async fn areas(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let (level, period, rows) = area_table(obs, &p)?;
    let json = serde_json::json!({"index": obs.run.index_code, "period": period, "level": level, "areas": rows});
    Ok(Json(json).into_response())
}

/// `/api/v1/areas.csv?level=…`: flat, one column per score and statistic
/// (the index's aggregates in definition order, then any other).
pub async fn areas_csv(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let (_, _, rows) = area_table(obs, &p)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let present = |c: &String| rows.iter().any(|a| a.means.contains_key(c));
    let mut codes: Vec<String> =
        obs.indicators.iter().filter(|i| i.level >= 2).map(|i| i.code.clone()).filter(present).collect();
    for a in &rows {
        for c in a.means.keys() {
            if !codes.contains(c) {
                codes.push(c.clone());
            }
        }
    }
    let mut header =
        vec!["level".to_string(), "code".into(), "name".into(), "municipalities".into(), "population".into()];
    header.extend(cantiere_store::Snapshot::group_names().iter().map(|g| format!("n {g}")));
    for c in &codes {
        header.push(format!("{c}_mean"));
        header.push(format!("{c}_popweighted"));
    }
    w.write_record(&header).map_err(internal)?;
    for a in &rows {
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
        w.write_record(&r).map_err(internal)?;
    }
    let body = w.into_inner().map_err(internal)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// `/api/v1/indicators?index=&period=`: the indicators of the index's
/// version, which every period of its series shares (a period the index
/// does not have is a 404).
pub async fn indicators(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let run = obs.run_at(p.one("period")?)?;
    let json = serde_json::json!({"index": run.index_code, "version": run.index_version,
        "period": p.one("period")?.unwrap_or(obs.period()), "indicators": obs.indicators});
    Ok(Json(json).into_response())
}

/// `/api/v1/indicators.csv`.
pub async fn indicators_csv(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    obs.run_at(p.one("period")?)?;
    csv_response("indicators.csv", obs.indicators.iter())
}

/// `/api/v1/values.csv`: every value, long format.
pub async fn values_csv(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
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
pub async fn applications_csv(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    match p.one("ucode")? {
        Some(code) => {
            if obs.muni(code).is_none() {
                return Err(AppError::NotFound(format!("no municipality with ISTAT code `{code}`")));
            }
            csv_response("applications.csv", obs.applications(code, true))
        }
        None => csv_response("applications.csv", obs.all_applications().iter()),
    }
}

/// `/api/v1/geo/{level}?index=&period=`: GeoJSON of `comune`,
/// `provincia` or `regione`, each shape with its score in the period.
pub async fn geo(State(site): S, Path(level): Path<String>, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let body = obs.geo(&level, p.one("period")?)?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response())
}

/// `/api/v1/search?q=`.
pub async fn search(State(site): S, p: Params) -> Answer {
    let obs = &site.obs;
    let q = p.one("q")?.unwrap_or("");
    if q.chars().count() > 100 {
        return Err(AppError::BadRequest("q: at most 100 characters".into()));
    }
    let hits: Vec<Row> = obs.search(q, 20).into_iter().map(row).collect();
    Ok(Json(serde_json::json!({"query": q, "results": hits})).into_response())
}

/// `/api/v1/run?index=&period=`: the run of the period and its sources.
pub async fn run(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let run = obs.run_at(p.one("period")?)?;
    let sources: serde_json::Value = serde_json::from_str(&run.sources).unwrap_or_default();
    Ok(Json(serde_json::json!({"run": run, "sources": sources})).into_response())
}

/// `/api/v1/indices`: every index served, the main one first.
pub async fn indices(State(site): S) -> Json<serde_json::Value> {
    Json(serde_json::json!({"indices": site.obs.indices()}))
}

/// `/api/v1/unions?index=&period=`: every union's members, scores and rank.
pub async fn unions(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let period = p.one("period")?.unwrap_or(obs.period()).to_string();
    let results = obs.results_at(Some(&period))?;
    let scored = super::unions::union_scores(site.obs.memberships(), obs, results, &super::unions::period_end(&period));
    let rows: Vec<serde_json::Value> = scored
        .iter()
        .map(|u| {
            serde_json::json!({"code": u.code, "name": u.name, "members": u.members.len(),
                "member_codes": u.members.iter().map(|m| &m.code).collect::<Vec<_>>(),
                "score": u.score, "weighted": u.weighted, "rank": u.rank, "ranked_by": obs.run.units_score,
                "example": u.example})
        })
        .collect();
    Ok(Json(rows).into_response())
}

/// `/api/v1/areas/ranking?level=&index=&period=`: provinces or regions as
/// units of an index: the mean and residents-weighted mean of their comuni,
/// ranked by the mean.
pub async fn areas_ranking(State(site): S, p: Params) -> Answer {
    let obs = site.obs.chosen(&p)?;
    let level = level(&p)?;
    let period = p.one("period")?.unwrap_or(obs.period()).to_string();
    let results = obs.results_at(Some(&period))?;
    let rows: Vec<serde_json::Value> = obs
        .area_scores(level, results)
        .iter()
        .map(|a| {
            serde_json::json!({"code": a.code, "name": a.name, "municipalities": a.members.len(),
                "score": a.score, "weighted": a.weighted, "rank": a.rank, "ranked_by": obs.run.units_score})
        })
        .collect();
    Ok(Json(serde_json::json!({"index": obs.run.index_code, "period": period, "level": level, "areas": rows}))
        .into_response())
}
