//! # cantiere-web: the observatory, the catalog and the communities in a browser
//!
//! An axum application that serves one stored run of an index (the latest by
//! default) as a site in the Italian public administration's design system
//! (Bootstrap Italia, from npm) and as a JSON API, with the reuse catalog and,
//! on an open store, the communities of practice.
//!
//! ## Concepts
//!
//! - [`Observatory`]: the run, loaded whole from the store and indexed in
//!   memory at start (a country is ~8,000 municipalities: every page is
//!   rendered from memory, without a database round trip).
//! - One folder per feature, each with one `routes()` table that registers
//!   its routes **and** what the rest of the site knows of them (query
//!   parameters, cache policy, body limit, the OpenAPI entry):
//!   `observatory` (home, ranking, methodology, municipality card,
//!   comparison, region and province pages, search, downloads, and their
//!   API), [`catalog`] (solutions, adoptions, recommendations), [`community`]
//!   (accounts, profile, admin, communities, meetings, threads,
//!   consultations, coverage; mounted by [`app_with_communities`]).
//! - `http`: what the features share — the one application state (`Site`),
//!   the route table and the OpenAPI document built from it, errors
//!   ([`AppError`]: a handler returns it as it is and one middleware makes it
//!   a page in the path's language or `{"error": {"status", "message"}}`
//!   under `/api`), the extractors of the language and the query, rendering,
//!   and the one page cache.
//! - [`live`]: the running server, which follows the database.
//!
//! Pages are in Italian under `/it/` and English under `/en/`; charts and
//! maps are drawn in the browser (Apache ECharts) from the API's JSON and
//! GeoJSON, and every chart has its data in a table too.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod catalog;
pub mod community;
mod http;
pub mod live;
mod observatory;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;

pub use community::auth;
pub use http::error::AppError;
pub use http::i18n::Lang;
pub use observatory::Observatory;

/// The largest request body accepted (a form with the longest text allowed,
/// percent-encoded); larger ones get 413.
pub const MAX_BODY: usize = 128 * 1024;

/// The Content-Security-Policy of every response: scripts, styles, fonts,
/// images and requests from this site only (Bootstrap Italia and ECharts are
/// served from here), no inline script, no plugin, no framing. Inline
/// `style` attributes stay allowed: the charts size themselves with them.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Where the npm packages are (`web/node_modules` after `npm ci`).
#[derive(Debug, Clone)]
pub struct Assets {
    /// The `node_modules` folder.
    pub node_modules: PathBuf,
}

impl Assets {
    /// Checks that the packages the pages need are installed.
    pub fn check(&self) -> Result<(), String> {
        for f in ["bootstrap-italia/dist/css/bootstrap-italia.min.css", "echarts/dist/echarts.min.js"] {
            if !self.node_modules.join(f).is_file() {
                return Err(format!(
                    "{} is missing: run `npm ci` in web/ (./run.sh does)",
                    self.node_modules.join(f).display()
                ));
            }
        }
        Ok(())
    }
}

/// The application: the observatory and the catalog, read-only.
pub fn app(obs: Arc<Observatory>, assets: &Assets) -> Router {
    http::assemble(obs, None, assets)
}

/// The application with the communities (accounts, forms, coverage) on a
/// hub that holds the open store.
pub fn app_with_communities(hub: Arc<community::Hub>, assets: &Assets) -> Router {
    http::assemble(hub.obs.clone(), Some(hub), assets)
}

/// Renders every page a visitor is likely to open first (home, ranking,
/// methodology, and every municipality's card, in both languages; the
/// ranking and methodology of every other index) into the cache; returns
/// how many.
pub async fn warm(router: &Router, obs: &Observatory) -> usize {
    use tower::ServiceExt;
    let mut paths = Vec::new();
    for lang in ["it", "en"] {
        for p in ["/", "/indice", "/metodologia", "/dati"] {
            paths.push(format!("/{lang}{p}"));
        }
        paths.extend(obs.munis.iter().map(|m| format!("/{lang}/comuni/{}", m.body.code)));
        for other in obs.indices().into_iter().filter(|i| !i.main) {
            paths.push(format!("/{lang}/indice{}", other.query));
            paths.push(format!("/{lang}/metodologia{}", other.query));
        }
    }
    let n = paths.len();
    let tasks: Vec<_> = paths
        .chunks(n.div_ceil(4).max(1))
        .map(|chunk| {
            let (router, chunk) = (router.clone(), chunk.to_vec());
            tokio::spawn(async move {
                for p in chunk {
                    if let Ok(req) = axum::http::Request::get(p).body(axum::body::Body::empty()) {
                        let _ = router.clone().oneshot(req).await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    n
}

/// The default `node_modules` folder: `web/node_modules` under `root`.
pub fn default_assets(root: &Path) -> Assets {
    Assets { node_modules: root.join("web/node_modules") }
}
