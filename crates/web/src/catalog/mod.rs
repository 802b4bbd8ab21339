//! The reuse catalog (`riuso`): solutions described by publiccode.yml,
//! searched with facets, the adoption registry, and the solutions each
//! municipality's peers use for what it misses.

mod api;
pub mod facets;
pub mod labels;
mod pages;
pub mod recommend;
mod report;
mod search;
pub mod signals;
mod stem;

pub use facets::{FACETS, PLATFORMS};
pub use search::{Catalog, Facet, FacetValue, IndexError, SearchQuery, SearchResult, Solution, Sort};

use crate::http::query::{SOLUTION_SEARCH, SOLUTION_SEARCH_PAGE};
use crate::http::routes::{CSV, JSON, Kept, Routes};

/// The catalog's routes: its pages and its API.
pub(crate) fn routes() -> Routes {
    Routes::new(Kept::Everyone)
        .page("/{lang}/soluzioni", SOLUTION_SEARCH_PAGE, pages::solutions)
        .page("/{lang}/soluzioni/{id}", &[], pages::solution)
        .api(
            "/api/v1/municipalities/{code}/recommendations",
            "Catalog solutions for the municipality's missing or weak PA digitale measures, ranked by its peers' adoptions",
            &[],
            JSON,
            api::recommendations,
        )
        .api(
            "/api/v1/solutions",
            "Catalog search: words, facet filters (repeat a key for alternatives), facet counts",
            SOLUTION_SEARCH,
            JSON,
            api::solutions,
        )
        .api("/api/v1/solutions.csv", "The same as CSV", SOLUTION_SEARCH, CSV, api::solutions_csv)
        .api(
            "/api/v1/solutions/{id}",
            "One solution: validation, normalised publiccode.yml document, adoptions",
            &[],
            JSON,
            api::solution,
        )
        .api(
            "/api/v1/catalog/report.csv",
            "The ingestion report: every file ingested, its errors, duplicate repositories and notes",
            &[],
            CSV,
            report::report_csv,
        )
        .api("/api/v1/adoptions", "The adoption registry", &["codice_ipa"], JSON, api::adoptions)
        .api("/api/v1/adoptions.csv", "The same as CSV", &["codice_ipa"], CSV, api::adoptions_csv)
}
