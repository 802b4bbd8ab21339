//! The reuse catalog's pages: search with facets, and a solution with its
//! validity, maintainers and adopters.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use minijinja::{Value, context};

use super::signals::{related, signals, today, who_needs};
use super::{Catalog, FACETS, SearchQuery, Solution, Sort, labels};
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
    let sort = match p.one("sort")?.filter(|s| !s.is_empty()) {
        None => Sort::Relevance,
        Some(s) => Sort::parse(s)
            .ok_or_else(|| AppError::BadRequest(format!("sort `{s}`: expected relevance, adopters or release")))?,
    };
    Ok(SearchQuery { text, filters, include_inactive, sort })
}

/// The name people read for a facet's value: an administration's name for
/// an owner, the vocabulary's label, else the value.
pub(crate) fn value_label(obs: &Observatory, key: &str, value: &str, lang: Lang) -> String {
    match key {
        "owner" => obs.administrations.get(value).map(|a| a.name.clone()).unwrap_or_else(|| value.to_string()),
        "language" => labels::label(key, value, lang).map_or_else(|| value.to_uppercase(), str::to_string),
        _ => labels::label(key, value, lang).unwrap_or(value).to_string(),
    }
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
        .map(|&i| solution_summary(obs, &catalog, &catalog.solutions[i], lang))
        .collect();
    let facet_labels: Vec<Value> = FACETS
        .iter()
        .zip(&result.facets)
        .map(|((key, it, en), f)| {
            let values: Vec<Value> = f
                .values
                .iter()
                .map(|v| {
                    let label = value_label(obs, key, &v.value, lang);
                    context! { value => v.value, count => v.count, selected => v.selected, label => label }
                })
                .collect();
            context! { key => key, label => if lang == Lang::It { it } else { en }, values => values }
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
    let sort = params.one("sort")?.unwrap_or("relevance").to_string();
    if sort != "relevance" {
        pairs.push(("sort".into(), sort.clone()));
    }
    let base_qs = crate::http::query::encode(&pairs);
    let ctx = context! {
        q => query.text, total => result.hits.len(), hits => hits, facets => facet_labels,
        include_inactive => query.include_inactive, page_no => page, pages => pages, base_qs => base_qs,
        active => catalog.active(), adoptions => catalog.adoptions.len(), partial => result.partial, sort => sort,
    };
    let title = lang.labels()["solutions"];
    render(obs, lang, Page { template: "solutions.html", menu: "solutions", title, path: "soluzioni" }, ctx)
}

/// A long description's paragraphs: split at blank lines, each one's lines
/// joined (YAML block scalars wrap lines at a width, not at sentences).
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim).chain([""]) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    out
}

/// The labels of a solution's values of a facet.
fn labelled(obs: &Observatory, s: &Solution, key: &str, lang: Lang) -> Vec<String> {
    s.facets.get(key).into_iter().flatten().map(|v| value_label(obs, key, v, lang)).collect()
}

pub(crate) fn solution_summary(obs: &Observatory, catalog: &Catalog, s: &Solution, lang: Lang) -> Value {
    let desc = s.description(lang.code());
    let labelled = |key| labelled(obs, s, key, lang);
    let owner = s.facets.get("owner").and_then(|o| o.first()).map(|c| value_label(obs, "owner", c, lang));
    context! {
        id => s.id, name => s.name, active => s.active, url => s.url, example => s.example,
        short => desc.map(|d| d.short_description.trim().to_string()),
        platforms => labelled("platform"), kind => labelled("kind"), owner => owner,
        release_date => s.doc.as_ref().and_then(|d| d.release_date.clone()),
        in_use => catalog.users(s).count(), verified => catalog.verified_users(s),
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
            let known = obs.administrations.get(&a.codice_ipa);
            let name = known.map_or(a.codice_ipa.as_str(), |k| k.name.as_str());
            let muni = known.and_then(|k| k.muni.clone());
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
        let known = obs.administrations.get(code);
        let declared = doc.and_then(|d| d.organisation.as_ref()).and_then(|o| o.name.clone());
        let name = known.map(|k| k.name.clone()).or(declared);
        let lists = known.map(|k| k.lists.replace(';', ", ")).unwrap_or_default();
        context! { code => code, name => name, known => known.is_some(), lists => lists, category => known.map(|k| k.category.clone()) }
    });
    let signals = signals(&catalog, s, &today());
    let labelled = |key| labelled(obs, s, key, lang);
    let related: Vec<Value> =
        related(&catalog, s, 6).into_iter().map(|r| solution_summary(obs, &catalog, r, lang)).collect();
    let needs: Vec<Value> = who_needs(obs, s, 8)
        .into_iter()
        .map(|w| context! { measure_name => obs.measure_name(w.measure), w => w })
        .collect();
    let ctx = context! {
        s => s,
        paragraphs => s.description(lang.code()).map(|d| paragraphs(&d.long_description)).unwrap_or_default(),
        desc => s.description(lang.code()).map(Value::from_serialize),
        legal => doc.map(|d| Value::from_serialize(&d.legal)),
        signals => signals,
        platforms => labelled("platform"), compliance => labelled("compliance"),
        categories => labelled("category"), scopes => labelled("scope"),
        licence_family => labelled("licence_family"), status_label => labelled("status"),
        maintenance_label => labelled("maintenance"), languages => labelled("language"),
        owner => owner,
        adopters => adopters,
        related => related,
        needs => needs,
        region_counts => serde_json::to_string(&region_counts).unwrap_or_default(),
    };
    let path = format!("soluzioni/{}", s.id);
    render(obs, lang, Page { template: "solution.html", menu: "solutions", title: &s.name, path: &path }, ctx)
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_are_split_at_blank_lines_and_wrapped_lines_joined() {
        let text = "Il progetto fornisce\nun sistema integrato.\n\n\n  I vantaggi:  \n1) pagamenti\n";
        assert_eq!(super::paragraphs(text), ["Il progetto fornisce un sistema integrato.", "I vantaggi: 1) pagamenti"]);
        assert!(super::paragraphs("  \n\n").is_empty());
    }
}
