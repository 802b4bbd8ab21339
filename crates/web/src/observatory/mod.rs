//! The observatory: the latest run of each index stored as pages (home,
//! ranking, methodology, a municipality's card, comparison, region and
//! province pages, search, downloads) and as the API beside them; the main
//! index without `index=`, another with `index=CODE` (`indices.rs`).

mod api;
mod geo;
mod indices;
mod model;
mod pages;
mod series;
mod unions;

pub use model::{Muni, Observatory};

use crate::http::routes::{CSV, JSON, Kept, Routes};

/// The levels of `/api/v1/geo/{level}`.
pub const GEO_LEVELS: [&str; 3] = ["comune", "provincia", "regione"];
/// The levels of `/api/v1/areas`.
const AREA_LEVELS: [&str; 2] = ["region", "province"];
/// The filters of the lists of municipalities.
const FILTERS: &[&str] = &["index", "period", "region", "province", "size"];

/// The observatory's routes: its pages and its API.
pub fn routes() -> Routes {
    Routes::new(Kept::Everyone)
        .page("/", &[], pages::root)
        .page("/{lang}", &[], pages::home)
        .page("/{lang}/", &[], pages::home)
        .page("/{lang}/indice", &["index", "sort", "order", "region", "province", "size", "page"], pages::ranking)
        .page("/{lang}/metodologia", &["index"], pages::methodology)
        .page("/{lang}/comuni/{code}", &[], pages::card)
        .page("/{lang}/confronta", &["c"], pages::compare)
        .page("/{lang}/regioni/{code}", &[], pages::region)
        .page("/{lang}/province/{code}", &[], pages::province)
        .page("/{lang}/cerca", &["q"], pages::search)
        .page("/{lang}/unioni", &["index", "period"], pages::unions)
        .page("/{lang}/aree", &["level", "index", "period"], pages::areas_ranking)
        .page("/{lang}/unioni/{code}", &["index", "period"], pages::union_card)
        .page("/{lang}/dati", &[], pages::downloads)
        .api("/api/v1/indices", "Every index served: code, name, version, periods, units", &[], JSON, api::indices)
        .api(
            "/api/v1/run",
            "The run of an index in a period (default: the run served): version, territory, sources",
            &["index", "period"],
            JSON,
            api::run,
        )
        .api(
            "/api/v1/municipalities",
            "Every municipality's score, rank, rank interval, group (of an index, in a period)",
            FILTERS,
            JSON,
            api::municipalities,
        )
        .api("/api/v1/municipalities.csv", "The same as CSV", FILTERS, CSV, api::municipalities_csv)
        .api(
            "/api/v1/municipalities/{code}",
            "One municipality: values, peers, strengths, weaknesses, projects (an earlier period: its result)",
            &["index", "period"],
            JSON,
            api::municipality,
        )
        .api(
            "/api/v1/municipalities/{code}/series",
            "One municipality over the periods of an index: score, rank, rank interval, group",
            &["index"],
            JSON,
            api::series,
        )
        .api(
            "/api/v1/unions",
            "Unions of municipalities: members, mean and population-weighted score, rank (of an index, in a period)",
            &["index", "period"],
            JSON,
            api::unions,
        )
        .api(
            "/api/v1/areas",
            "Provinces or regions: means and group counts (of an index, in a period)",
            &["level", "index", "period"],
            JSON,
            api::areas,
        )
        .values("level", &AREA_LEVELS)
        .api("/api/v1/areas.csv", "The same as CSV", &["level", "index", "period"], CSV, api::areas_csv)
        .values("level", &AREA_LEVELS)
        .api(
            "/api/v1/areas/ranking",
            "Provinces or regions as units of an index: mean and population-weighted score of their comuni, rank",
            &["level", "index", "period"],
            JSON,
            api::areas_ranking,
        )
        .values("level", &AREA_LEVELS)
        .api(
            "/api/v1/indicators",
            "Indicators and aggregates of the index (the same in every period of its version)",
            &["index", "period"],
            JSON,
            api::indicators,
        )
        .api("/api/v1/indicators.csv", "The same as CSV", &["index", "period"], CSV, api::indicators_csv)
        .api("/api/v1/values.csv", "Every raw and normalised value", &["index"], CSV, api::values_csv)
        .api(
            "/api/v1/applications.csv",
            "PA digitale applications (of one municipality with ucode)",
            &["ucode"],
            CSV,
            api::applications_csv,
        )
        .api(
            "/api/v1/geo/{level}",
            "Simplified boundaries (comune, provincia, regione) with scores (of an index, in a period)",
            &["index", "period"],
            "application/geo+json",
            api::geo,
        )
        .values("level", &GEO_LEVELS)
        .api("/api/v1/search", "Municipalities by name", &["q"], JSON, api::search)
}
