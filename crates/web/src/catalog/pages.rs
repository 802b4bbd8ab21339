//! The reuse catalog's pages: search with facets, and a solution with its
//! validity, maintainers and adopters.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use minijinja::{Value, context};

use super::{Catalog, FACETS, SearchQuery, Solution};
use crate::http::SiteState;
use crate::http::error::AppError;
use crate::http::i18n::Lang;
use crate::http::query::Params;
use crate::http::render::{Page, render};
use crate::observatory::Observatory;

type S = State<SiteState>;

/// The catalog search's request: words, facet filters, invalid files too.
pub(crate) fn solution_query(p: &Params) -> Result<SearchQuery, AppError> {
    let text = p.one("q")?.unwrap_or("").trim().to_string();
    if text.chars().count() > 200 {
        return Err(AppError::BadRequest("the search text is longer than 200 characters".into()));
    }
    let mut filters = std::collections::BTreeMap::new();
    for (key, _, _) in FACETS {
        let values: std::collections::BTreeSet<String> =
            p.all(key).into_iter().filter(|v| !v.is_empty()).map(str::to_string).collect();
        if !values.is_empty() {
            filters.insert(key.to_string(), values);
        }
    }
    let include_inactive = matches!(p.one("inactive")?, Some("1" | "true" | "on"));
    Ok(SearchQuery { text, filters, include_inactive })
}

pub(crate) fn catalog_of(obs: &Observatory) -> Result<Arc<Catalog>, AppError> {
    obs.catalog().ok_or_else(|| AppError::NotFound("this server has no catalog loaded".into()))
}

/// `/{lang}/soluzioni`: search the catalog with facets.
pub async fn solutions(State(site): S, lang: Lang, params: Params) -> Result<Html<String>, AppError> {
    let obs = &site.obs;
    let catalog = catalog_of(obs)?;
    let query = solution_query(&params)?;
    let page: usize = params.one("page")?.and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let result = catalog.search(&query);
    const PER_PAGE: usize = 20;
    let pages = result.hits.len().div_ceil(PER_PAGE).max(1);
    let hits: Vec<Value> = result
        .hits
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|&i| solution_summary(&catalog, &catalog.solutions[i], lang))
        .collect();
    let facet_labels: Vec<Value> = FACETS
        .iter()
        .zip(&result.facets)
        .map(|((key, it, en), f)| {
            context! { key => key, label => if lang == Lang::It { it } else { en }, values => f.values }
        })
        .collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    if !query.text.is_empty() {
        pairs.push(("q".into(), query.text.clone()));
    }
    for (k, vs) in &query.filters {
        pairs.extend(vs.iter().map(|v| (k.clone(), v.clone())));
    }
    if query.include_inactive {
        pairs.push(("inactive".into(), "1".into()));
    }
    let base_qs = crate::http::query::encode(&pairs);
    let ctx = context! {
        q => query.text, total => result.hits.len(), hits => hits, facets => facet_labels,
        include_inactive => query.include_inactive, page_no => page, pages => pages, base_qs => base_qs,
        active => catalog.active(), adoptions => catalog.adoptions.len(),
    };
    let title = lang.labels()["solutions"];
    render(obs, lang, Page { template: "solutions.html", menu: "solutions", title, path: "soluzioni" }, ctx)
}

pub(crate) fn solution_summary(catalog: &Catalog, s: &Solution, lang: Lang) -> Value {
    let desc = s.description(lang.code());
    context! {
        id => s.id, name => s.name, active => s.active, url => s.url,
        short => desc.map(|d| d.short_description.trim().to_string()),
        facets => s.facets, in_use => catalog.users(s).count(),
    }
}

/// `/{lang}/soluzioni/{id}`: one solution and who uses it.
pub async fn solution(
    State(site): S,
    lang: Lang,
    Path((_, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let obs = &site.obs;
    let catalog = catalog_of(obs)?;
    let s = catalog.by_path(&id)?;
    // One pass: the table's rows, and the users by region for the map.
    let mut region_counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let adopters: Vec<Value> = catalog
        .adoptions_for(s)
        .map(|a| {
            let (name, muni) = obs.administrations.get(&a.codice_ipa).cloned().unwrap_or((a.codice_ipa.clone(), None));
            let located = muni.as_deref().and_then(|c| obs.muni(c));
            if let (Some(m), cantiere_store::adoption::AdoptionStatus::InUse) = (located, a.status) {
                *region_counts.entry(&m.body.region_code).or_default() += 1;
            }
            let region = located.map(|m| m.body.region.clone());
            context! { a => a, status => a.status.code(), name => name, muni => muni, region => region }
        })
        .collect();
    let doc = s.doc.as_ref();
    let owner = s.facets.get("owner").and_then(|o| o.first()).map(|code| {
        let name = obs.administrations.get(code).map(|(n, _)| n.clone());
        let declared = doc.and_then(|d| d.organisation.as_ref()).and_then(|o| o.name.clone());
        context! { code => code, name => name.or(declared) }
    });
    let ctx = context! {
        s => s,
        desc => s.description(lang.code()).map(Value::from_serialize),
        legal => doc.map(|d| Value::from_serialize(&d.legal)),
        maintenance => doc.map(|d| Value::from_serialize(&d.maintenance)),
        development_status => doc.map(|d| d.development_status.clone()),
        software_version => doc.and_then(|d| d.software_version.clone()),
        release_date => doc.and_then(|d| d.release_date.clone()),
        owner => owner,
        adopters => adopters,
        region_counts => serde_json::to_string(&region_counts).unwrap_or_default(),
    };
    let path = format!("soluzioni/{}", s.id);
    render(obs, lang, Page { template: "solution.html", menu: "solutions", title: &s.name, path: &path }, ctx)
}
