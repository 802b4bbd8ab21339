//! The observatory's pages, server-rendered in Italian and English.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, Redirect};
use minijinja::{Value, context};
use serde::Serialize;

use super::{Muni, Observatory};
use crate::catalog::recommend::Reason;
use crate::http::SiteState;
use crate::http::error::AppError;
use crate::http::i18n::Lang;
use crate::http::query::Params;
use crate::http::render::{Page, render};

type S = State<SiteState>;
type Shown = Result<Html<String>, AppError>;

#[derive(Serialize)]
struct GroupCount {
    name: &'static str,
    count: usize,
}

fn group_counts(counts: [usize; 4]) -> Vec<GroupCount> {
    cantiere_store::Snapshot::group_names().iter().zip(counts).map(|(name, count)| GroupCount { name, count }).collect()
}

/// `/` → `/it/`.
pub async fn root() -> Redirect {
    Redirect::to("/it/")
}

/// Home: the territory at a glance.
pub async fn home(State(site): S, lang: Lang) -> Shown {
    let obs = &site.obs;
    #[derive(Serialize)]
    struct Region<'a> {
        code: &'a str,
        name: &'a str,
        municipalities: i64,
        population: i64,
        mean: Option<f64>,
        wmean: Option<f64>,
    }
    let mut regions: Vec<Region> = obs
        .areas
        .iter()
        .filter(|a| a.level == "region")
        .map(|a| {
            let m = a.means.get(&obs.run.index_code).copied().unwrap_or((None, None));
            Region {
                code: &a.code,
                name: &a.name,
                municipalities: a.municipalities,
                population: a.population,
                mean: m.0,
                wmean: m.1,
            }
        })
        .collect();
    regions.sort_by(|a, b| b.wmean.unwrap_or(f64::MIN).total_cmp(&a.wmean.unwrap_or(f64::MIN)));
    let top: Vec<&Muni> = obs.munis.iter().take(10).collect();
    let mover = |(code, then, now): &(String, f64, f64)| {
        obs.muni(code).map(|m| context! { m => m, then => then, now => now, delta => then - now })
    };
    let up: Vec<Value> = obs.movers.iter().filter(|x| x.1 > x.2).take(5).filter_map(mover).collect();
    let down: Vec<Value> = obs.movers.iter().rev().filter(|x| x.1 < x.2).take(5).filter_map(mover).collect();
    let ctx = context! {
        up => up,
        down => down,
        previous => Value::from_serialize(&obs.previous),
        munis_count => obs.munis.len(),
        groups => group_counts(obs.group_counts),
        regions => regions,
        top => top,
        sources => Value::from_serialize(&obs.sources),
        indices => obs.indices(),
        has_unions => !obs.memberships().is_empty(),
        unions_example => obs.memberships().iter().any(|m| m.example),
    };
    let l = lang.labels();
    render(obs, lang, Page { template: "home.html", menu: "home", title: l["home"], path: "" }, ctx)
}

/// Filters of the ranking.
#[derive(Debug, Default, Clone, Serialize)]
struct Filters {
    /// The index shown (empty: the main one).
    index: String,
    region: String,
    province: String,
    size: String,
    sort: String,
    order: String,
}

const SORTS: [&str; 7] = ["rank", "name", "score", "context", "innovation", "stability", "population"];

fn filtered<'a>(obs: &'a Observatory, f: &'a Filters) -> Vec<&'a Muni> {
    let given = |s: &'a str| Some(s).filter(|s| !s.is_empty());
    let mut rows = obs.select(given(&f.region), given(&f.province), given(&f.size));
    let key = |m: &Muni| -> f64 {
        match f.sort.as_str() {
            "score" => m.result.score,
            "context" => m.result.context,
            "innovation" => m.result.innovation,
            "stability" => m.result.stability,
            "population" => m.body.population.map(|p| p as f64),
            _ => m.result.rank,
        }
        .unwrap_or(f64::NAN)
    };
    match f.sort.as_str() {
        "rank" => {}
        "name" => rows.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => rows.sort_by(|a, b| {
            let (x, y) = (key(a), key(b));
            x.is_nan().cmp(&y.is_nan()).then(y.total_cmp(&x))
        }),
    }
    let natural_desc = !matches!(f.sort.as_str(), "rank" | "name");
    if (f.order == "asc") == natural_desc {
        rows.reverse();
    }
    rows
}

fn filters(p: &Params) -> Result<Filters, AppError> {
    let sort = p.one("sort")?.unwrap_or("rank").to_string();
    if !SORTS.contains(&sort.as_str()) {
        return Err(AppError::BadRequest(format!("sort: expected one of {}, found `{sort}`", SORTS.join(", "))));
    }
    let order =
        p.one("order")?.unwrap_or(if matches!(sort.as_str(), "rank" | "name") { "asc" } else { "desc" }).to_string();
    if order != "asc" && order != "desc" {
        return Err(AppError::BadRequest(format!("order: expected asc or desc, found `{order}`")));
    }
    Ok(Filters {
        index: String::new(),
        region: p.one("region")?.unwrap_or("").to_string(),
        province: p.one("province")?.unwrap_or("").to_string(),
        size: p.one("size")?.unwrap_or("").to_string(),
        sort,
        order,
    })
}

fn query_string(f: &Filters, extra: &[(&str, String)]) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    let pairs = [
        ("index", &f.index),
        ("region", &f.region),
        ("province", &f.province),
        ("size", &f.size),
        ("sort", &f.sort),
        ("order", &f.order),
    ];
    for (k, v) in pairs {
        if !v.is_empty() {
            parts.push((k.to_string(), v.clone()));
        }
    }
    for (k, v) in extra {
        parts.retain(|(pk, _)| pk != k);
        parts.push((k.to_string(), v.clone()));
    }
    crate::http::query::encode(&parts)
}

/// The ranking, with filters, sorting and pages.
pub async fn ranking(State(site): S, lang: Lang, p: Params, RawQuery(q): RawQuery) -> Shown {
    let obs = site.obs.chosen(&p)?;
    let mut f = filters(&p)?;
    if !obs.is_main() {
        f.index = obs.run.index_code.clone();
    }
    let page: usize = match p.one("page")? {
        None => 1,
        Some(s) => s
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| AppError::BadRequest(format!("page: expected a whole number ≥ 1, found `{s}`")))?,
    };
    let rows = filtered(obs, &f);
    let per = 50;
    let pages = rows.len().div_ceil(per).max(1);
    if page > pages {
        return Err(AppError::NotFound(format!("page {page}: there are {pages}")));
    }
    let shown: Vec<&Muni> = rows.iter().skip((page - 1) * per).take(per).copied().collect();
    let l = lang.labels();
    let base = format!("/{}/indice", lang.code());
    #[derive(Serialize)]
    struct Column {
        key: &'static str,
        label: &'static str,
        numeric: bool,
        url: Option<String>,
    }
    let col = |key: &'static str, label: &'static str, numeric: bool, sortable: bool| {
        let order = if f.sort == key {
            if f.order == "asc" { "desc" } else { "asc" }
        } else if matches!(key, "rank" | "name") {
            "asc"
        } else {
            "desc"
        };
        Column {
            key,
            label,
            numeric,
            url: sortable
                .then(|| format!("{base}{}", query_string(&f, &[("sort", key.into()), ("order", order.into())]))),
        }
    };
    // An index without groups (one published from a coin's files) shows
    // neither them nor context and innovation; without uncertainty runs,
    // no rank interval.
    let grouped = obs.munis.iter().any(|m| m.result.group.is_some());
    let intervals = obs.munis.iter().any(|m| m.result.rank_low.is_some());
    let mut columns = vec![
        col("rank", l["rank"], true, true),
        col("name", l["municipality"], false, true),
        col("province", l["province"], false, false),
        col("region", l["region"], false, false),
        col("score", l["score"], true, true),
    ];
    if intervals {
        columns.push(col("interval", l["rank_interval"], true, false));
    }
    // Places gained since the run compared (the previous period's), when there is one.
    let changes = obs.previous.is_some();
    if changes {
        columns.push(col("change", l["change_label"], true, false));
    }
    if grouped {
        columns.extend([
            col("context", l["context"], true, true),
            col("innovation", l["innovation"], true, true),
            col("group", l["group"], false, false),
            col("stability", l["stability"], true, true),
        ]);
    }
    let api_query = query_string(&Filters { sort: String::new(), order: String::new(), ..f.clone() }, &[]);
    let ctx = context! {
        f => Value::from_serialize(&f),
        rows => shown,
        total => rows.len(),
        page => page,
        pages => pages,
        columns => columns,
        prev_url => (page > 1).then(|| format!("{base}{}", query_string(&f, &[("page", (page - 1).to_string())]))),
        next_url => (page < pages).then(|| format!("{base}{}", query_string(&f, &[("page", (page + 1).to_string())]))),
        region_names => &obs.region_names,
        size_classes => &obs.size_classes,
        csv_url => format!("/api/v1/municipalities.csv{api_query}"),
        json_url => format!("/api/v1/municipalities{api_query}"),
        grouped => grouped,
        intervals => intervals,
        changes => changes,
        change => shown.iter().map(|m| obs.rank_change(&m.body.code)).collect::<Vec<_>>(),
        previous_period => obs.previous.as_ref().map(|r| if r.period.is_empty() { r.created_at.get(..10).unwrap_or("").to_string() } else { r.period.clone() }),
        indices => site.obs.indices(),
        index_code => &obs.run.index_code,
        index_name => index_name(obs),
        is_main => obs.is_main(),
    };
    let path = format!("indice{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    render(obs, lang, Page { template: "ranking.html", menu: "ranking", title: l["ranking"], path: &path }, ctx)
}

/// Methodology: indicators, weights, steps.
pub async fn methodology(State(site): S, lang: Lang, p: Params) -> Shown {
    let obs = site.obs.chosen(&p)?;
    let ctx = context! {
        pillars => obs.pillars(),
        indicators => obs.leaf_indicators(),
        indices => site.obs.indices(),
        index_code => &obs.run.index_code,
        index_name => index_name(obs),
        is_main => obs.is_main(),
        sources => Value::from_serialize(&obs.sources),
    };
    let title = lang.labels()["methodology"];
    let path = format!("metodologia{}", obs.index_query());
    render(obs, lang, Page { template: "methodology.html", menu: "methodology", title, path: &path }, ctx)
}

/// An index's name as the pages show it: its name, else its code.
fn index_name(obs: &Observatory) -> &str {
    if obs.run.name.is_empty() { &obs.run.index_code } else { &obs.run.name }
}

fn unknown(code: &str) -> AppError {
    AppError::NotFound(format!("no municipality with ISTAT code `{code}`"))
}

/// A municipality's card.
pub async fn card(State(site): S, lang: Lang, Path((_, code)): Path<(String, String)>) -> Shown {
    let obs = &site.obs;
    let m = obs.muni(&code).ok_or_else(|| unknown(&code))?;
    let peers: Vec<&Muni> = m.peers.iter().filter_map(|(c, _)| obs.muni(c)).collect();
    let region: Vec<&Muni> = obs.munis.iter().filter(|x| x.body.region_code == m.body.region_code).collect();
    #[derive(Serialize)]
    struct PillarRow<'a> {
        name: &'a str,
        value: Option<f64>,
        peers: Option<f64>,
        mean: Option<f64>,
        min: Option<f64>,
        max: Option<f64>,
    }
    let stats = |code: &str, set: &[&Muni]| -> (Option<f64>, Option<f64>, Option<f64>) {
        let v: Vec<f64> = set.iter().filter_map(|x| x.values.get(code).and_then(|v| v.1)).collect();
        if v.is_empty() {
            return (None, None, None);
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (Some(mean), v.iter().copied().reduce(f64::min), v.iter().copied().reduce(f64::max))
    };
    let codes: Vec<&cantiere_store::IndicatorRow> = obs.indicators.iter().filter(|i| i.level >= 2).rev().collect();
    let pillar_rows: Vec<PillarRow> = codes
        .iter()
        .map(|i| {
            let (mean, min, max) = stats(&i.code, &region);
            PillarRow {
                name: &i.name,
                value: m.values.get(&i.code).and_then(|v| v.1),
                peers: stats(&i.code, &peers).0,
                mean,
                min,
                max,
            }
        })
        .collect();
    let name_of: HashMap<&str, &str> = obs.indicators.iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
    let named = |rows: &[cantiere_store::ProfileRow]| -> Vec<Value> {
        rows.iter()
            .map(|p| context! { name => name_of.get(p.code.as_str()).copied().unwrap_or(&p.code), value => p.value, peers_mean => p.peers_mean })
            .collect()
    };
    let (advice, advice_examples) = advice_rows(obs, m, &name_of);
    let mut compare: Vec<&str> = vec![&m.body.code];
    compare.extend(peers.iter().take(3).map(|p| p.body.code.as_str()));
    let ctx = context! {
        m => m,
        total => obs.munis.len(),
        peers => peers,
        pillar_rows => pillar_rows,
        strengths => named(&m.strengths),
        weaknesses => named(&m.weaknesses),
        apps => obs.applications(&code, false),
        compare_url => format!("/{}/confronta?c={}", lang.code(), compare.join(",")),
        advice => advice,
        advice_examples => advice_examples,
        adoptions => adoption_rows(obs, &Observatory::ipa_of(m)),
        has_catalog => obs.catalog().is_some(),
        series => series_sets(obs, &code),
        elsewhere => obs.elsewhere(&code).into_iter().map(|(index, result, total)| context! { index, result, total }).collect::<Vec<_>>(),
    };
    let path = format!("comuni/{code}");
    render(obs, lang, Page { template: "card.html", menu: "card", title: &m.body.name, path: &path }, ctx)
}

/// A comune's series in every index that has more than one period of it:
/// the main index first.
fn series_sets(obs: &Observatory, code: &str) -> Vec<Value> {
    obs.indices()
        .into_iter()
        .filter_map(|summary| {
            let index = obs.index(Some(&summary.code)).ok()?;
            let points = index.series(code);
            (points.len() > 1).then(|| context! { index => summary, points => points })
        })
        .collect()
}

/// Comparison of two or more municipalities (`?c=CODE,CODE` or repeated `c`).
pub async fn compare(State(site): S, lang: Lang, p: Params, RawQuery(q): RawQuery) -> Shown {
    let obs = &site.obs;
    let codes: Vec<String> =
        p.all("c").iter().flat_map(|v| v.split([',', ' '])).filter(|s| !s.is_empty()).map(String::from).collect();
    if codes.len() > 8 {
        return Err(AppError::BadRequest(format!("at most 8 municipalities, found {}", codes.len())));
    }
    let mut munis = Vec::new();
    for c in &codes {
        munis.push(obs.muni(c).ok_or_else(|| AppError::BadRequest(format!("no municipality with ISTAT code `{c}`")))?);
    }
    let rows: Vec<Value> = obs
        .indicators
        .iter()
        .filter(|i| i.level < 3)
        .map(|i| {
            let values: Vec<Option<f64>> = munis.iter().map(|m| m.values.get(&i.code).and_then(|v| if i.level == 1 { v.0 } else { v.1 })).collect();
            context! { name => if i.level == 1 { format!("{} ({})", i.name, i.unit) } else { i.name.clone() }, values => values }
        })
        .collect();
    let ctx = context! { munis => munis, rows => rows, codes => codes.join(",") };
    let path = format!("confronta{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    let title = lang.labels()["compare_title"];
    render(obs, lang, Page { template: "compare.html", menu: "compare", title, path: &path }, ctx)
}

fn area_page(obs: &Observatory, lang: Lang, level: &str, code: &str) -> Shown {
    let area = obs.area(level, code).ok_or_else(|| AppError::NotFound(format!("no {level} with code `{code}`")))?;
    let munis: Vec<&Muni> = obs
        .munis
        .iter()
        .filter(|m| if level == "region" { m.body.region_code == code } else { m.body.province_code == code })
        .collect();
    let counts: [usize; 4] = [0, 1, 2, 3].map(|i| area.groups.get(i).copied().unwrap_or(0) as usize);
    let means: Vec<Value> = obs
        .indicators
        .iter()
        .rev()
        .filter(|i| i.level >= 2)
        .map(|i| {
            let (m, w) = area.means.get(&i.code).copied().unwrap_or((None, None));
            context! { name => i.name.clone(), mean => m, wmean => w }
        })
        .collect();
    let l = lang.labels();
    let title = format!("{}: {}", if level == "region" { l["region"] } else { l["province"] }, area.name);
    let codes: Vec<&str> = munis.iter().map(|m| m.body.code.as_str()).collect();
    let trend = obs.trend(&codes);
    let ctx = context! { area => area, munis => munis, groups => group_counts(counts), means => means, trend => trend };
    let path = format!("{}/{code}", if level == "region" { "regioni" } else { "province" });
    render(obs, lang, Page { template: "area.html", menu: "area", title: &title, path: &path }, ctx)
}

/// A region's page.
pub async fn region(State(site): S, lang: Lang, Path((_, code)): Path<(String, String)>) -> Shown {
    area_page(&site.obs, lang, "region", &code)
}

/// A province's page.
pub async fn province(State(site): S, lang: Lang, Path((_, code)): Path<(String, String)>) -> Shown {
    area_page(&site.obs, lang, "province", &code)
}

/// The unions of the index and period asked for, and the period's last day.
fn scored_unions<'a>(
    site: &'a crate::http::Site,
    p: &Params,
) -> Result<(&'a Observatory, String, Vec<super::unions::UnionScore>), AppError> {
    let obs = site.obs.chosen(p)?;
    let period = p.one("period")?.unwrap_or(obs.period()).to_string();
    let results = obs.results_at(Some(&period))?;
    let end = super::unions::period_end(&period);
    Ok((obs, period.clone(), super::unions::union_scores(site.obs.memberships(), obs, results, &end)))
}

/// The unions of municipalities, ranked.
pub async fn unions(State(site): S, lang: Lang, p: Params, RawQuery(q): RawQuery) -> Shown {
    let (obs, period, unions) = scored_unions(&site, &p)?;
    let ctx = context! {
        unions => &unions,
        example => unions.iter().any(|u| u.example),
        period => period,
        index_name => index_name(obs),
        query => obs.index_query(),
    };
    let path = format!("unioni{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    let title = lang.labels()["unions_title"];
    render(obs, lang, Page { template: "unions.html", menu: "unions", title, path: &path }, ctx)
}

/// Provinces or regions as units of an index, ranked.
pub async fn areas_ranking(State(site): S, lang: Lang, p: Params, RawQuery(q): RawQuery) -> Shown {
    let obs = site.obs.chosen(&p)?;
    let level = match p.one("level")? {
        None | Some("region") => "region",
        Some("province") => "province",
        Some(other) => {
            return Err(AppError::BadRequest(format!("level: expected region or province, found `{other}`")));
        }
    };
    let period = p.one("period")?.unwrap_or(obs.period()).to_string();
    let areas = obs.area_scores(level, obs.results_at(Some(&period))?);
    let l = lang.labels();
    let ctx = context! {
        areas => &areas,
        level => level,
        period => period,
        index_name => index_name(obs),
        is_main => obs.is_main(),
        level_label => if level == "region" { l["regions"] } else { l["provinces"] },
    };
    let path = format!("aree{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    render(obs, lang, Page { template: "areas.html", menu: "areas", title: l["areas_title"], path: &path }, ctx)
}

/// A union's card: its members and their scores.
pub async fn union_card(
    State(site): S,
    lang: Lang,
    Path((_, code)): Path<(String, String)>,
    p: Params,
    RawQuery(q): RawQuery,
) -> Shown {
    let (obs, period, unions) = scored_unions(&site, &p)?;
    let total = unions.len();
    let u = unions
        .into_iter()
        .find(|u| u.code == code)
        .ok_or_else(|| AppError::NotFound(format!("no union with iPA code `{code}` in period {period}")))?;
    let ctx = context! { u => &u, total => total, period => period, index_name => index_name(obs), query => obs.index_query() };
    let path = format!("unioni/{code}{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    render(obs, lang, Page { template: "union.html", menu: "unions", title: &u.name, path: &path }, ctx)
}

/// Search by name.
pub async fn search(State(site): S, lang: Lang, p: Params, RawQuery(q): RawQuery) -> Shown {
    let obs = &site.obs;
    let query = p.one("q")?.unwrap_or("").to_string();
    if query.chars().count() > 100 {
        return Err(AppError::BadRequest("q: at most 100 characters".into()));
    }
    let hits = obs.search(&query, 50);
    let ctx = context! { hits => hits, query => query };
    let path = format!("cerca{}", q.map(|q| format!("?{q}")).unwrap_or_default());
    let title = lang.labels()["results_for"];
    render(obs, lang, Page { template: "search.html", menu: "search", title, path: &path }, ctx)
}

/// Downloads.
pub async fn downloads(State(site): S, lang: Lang) -> Shown {
    let l = lang.labels();
    let d = |name: &str, csv: &str, json: Option<&str>| context! { name => name, csv => csv, json => json };
    let downloads = vec![
        d(l["municipalities"], "/api/v1/municipalities.csv", Some("/api/v1/municipalities")),
        d(l["regions"], "/api/v1/areas.csv?level=region", Some("/api/v1/areas?level=region")),
        d(l["provinces"], "/api/v1/areas.csv?level=province", Some("/api/v1/areas?level=province")),
        d(l["indicators"], "/api/v1/indicators.csv", Some("/api/v1/indicators")),
        d(l["normalised"], "/api/v1/values.csv", None),
        d(l["projects"], "/api/v1/applications.csv", None),
    ];
    let page = Page { template: "downloads.html", menu: "downloads", title: l["downloads"], path: "dati" };
    render(&site.obs, lang, page, context! { downloads => downloads })
}

/// The card's recommendations, with the names the page shows.
/// The card's advice, and whether any of it is an invented example.
fn advice_rows(obs: &Observatory, m: &Muni, name_of: &HashMap<&str, &str>) -> (Vec<Value>, bool) {
    let advice = obs.advice(m, 3);
    let examples = advice.iter().any(|a| a.solutions.iter().any(|r| r.example))
        || obs.catalog().is_some_and(|c| {
            c.adoptions_of(&Observatory::ipa_of(m)).any(|a| c.get(a.solution_id).is_some_and(|s| s.example))
        });
    let rows = advice
        .into_iter()
        .map(|a| {
            let indicator = match &a.need.reason {
                Reason::Weak { indicator, .. } => {
                    Some(name_of.get(indicator.as_str()).copied().unwrap_or(indicator).to_string())
                }
                Reason::Missing => None,
            };
            let measure_name = obs.measure_name(&a.need.measure);
            context! { measure => a.need.measure, measure_name => measure_name, indicator => indicator, solutions => a.solutions }
        })
        .collect();
    (rows, examples)
}

/// An administration's recorded adoptions, with the solutions' names.
fn adoption_rows(obs: &Observatory, ipa: &str) -> Vec<Value> {
    let Some(catalog) = obs.catalog() else { return Vec::new() };
    catalog
        .adoptions_of(ipa)
        .filter_map(|a| {
            let s = catalog.get(a.solution_id)?;
            Some(context! { a => a, status => a.status.code(), name => s.name.clone(), id => s.id, example => s.example })
        })
        .collect()
}
