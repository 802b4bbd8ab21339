//! # cantiere-web: the observatory in a browser
//!
//! An axum application that serves one stored run of an index (the latest by
//! default) as a site in the Italian public administration's design system
//! (Bootstrap Italia, from npm) and as a JSON API.
//!
//! ## Concepts
//!
//! - [`Observatory`]: the run, loaded whole from the store and indexed in
//!   memory at start (a country is ~8,000 municipalities: every page is
//!   rendered from memory, without a database round trip).
//! - Pages (`pages`): home, ranking, methodology, municipality card,
//!   comparison, region and province pages, search, downloads; in Italian
//!   under `/it/` and English under `/en/`; charts and maps are drawn in the
//!   browser (Apache ECharts) from the API's JSON and GeoJSON, and every chart
//!   has its data in a table too.
//! - API (`api`): `/api/v1/…` JSON and CSV, described by `/api/v1/openapi.json`;
//!   `/health`.
//! - Rendered responses are cached per URL (`cache`, 512 MiB budget): the
//!   run never changes while the server runs.
//! - Communities (`community`, `auth`, `coverage`): accounts, roles, thematic
//!   areas and communities, meetings, resources, threads, consultations and
//!   the coverage report, on the open store ([`community::Hub`]); mounted by
//!   [`app_with_communities`].
//! - Errors ([`AppError`]) become responses in one place: a page in the
//!   site's style, or `{"error": {"status", "message"}}` under `/api`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod api;
pub mod auth;
mod cache;
pub mod catalog;
mod catalog_pages;
pub mod community;
pub mod coverage;
mod error;
mod i18n;
pub mod live;
mod observatory;
mod pages;
mod people;
mod query;
pub mod recommend;
mod templates;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use api::PATHS;
pub use error::AppError;
pub use i18n::Lang;
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

async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/app.js"))
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css"))
}

/// The application: the observatory, read-only.
pub fn app(obs: Arc<Observatory>, assets: &Assets) -> Router {
    site(obs, None, assets)
}

/// The application with the communities (accounts, forms, coverage) on a
/// hub that holds the open store.
pub fn app_with_communities(hub: Arc<community::Hub>, assets: &Assets) -> Router {
    site(hub.obs.clone(), Some(hub), assets)
}

/// The budget of the site's page cache.
pub(crate) const SITE_CACHE_BYTES: usize = 512 << 20;

fn site(obs: Arc<Observatory>, hub: Option<Arc<community::Hub>>, assets: &Assets) -> Router {
    // With communities, the hub empties the cache when an adoption is verified.
    let cache = hub.as_ref().map_or_else(|| Arc::new(cache::Cache::new(SITE_CACHE_BYTES)), |h| h.site_pages.clone());
    let node = |p: &str| ServeDir::new(assets.node_modules.join(p));
    let router = Router::new()
        .route("/", get(pages::root))
        .route("/health", get(api::health))
        .route("/{lang}/", get(pages::home))
        .route("/{lang}", get(pages::home))
        .route("/{lang}/indice", get(pages::ranking))
        .route("/{lang}/metodologia", get(pages::methodology))
        .route("/{lang}/comuni/{code}", get(pages::card))
        .route("/{lang}/confronta", get(pages::compare))
        .route("/{lang}/regioni/{code}", get(pages::region))
        .route("/{lang}/province/{code}", get(pages::province))
        .route("/{lang}/cerca", get(pages::search))
        .route("/{lang}/dati", get(pages::downloads))
        .route("/{lang}/soluzioni", get(pages::solutions))
        .route("/{lang}/soluzioni/{id}", get(pages::solution))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/run", get(api::run))
        .route("/api/v1/municipalities", get(api::municipalities))
        .route("/api/v1/municipalities.csv", get(api::municipalities_csv))
        .route("/api/v1/municipalities/{code}", get(api::municipality))
        .route("/api/v1/areas", get(api::areas))
        .route("/api/v1/areas.csv", get(api::areas_csv))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators.csv", get(api::indicators_csv))
        .route("/api/v1/values.csv", get(api::values_csv))
        .route("/api/v1/applications.csv", get(api::applications_csv))
        .route("/api/v1/geo/{level}", get(api::geo))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/municipalities/{code}/recommendations", get(api::recommendations))
        .route("/api/v1/solutions", get(api::solutions))
        .route("/api/v1/solutions.csv", get(api::solutions_csv))
        .route("/api/v1/solutions/{id}", get(api::solution))
        .route("/api/v1/adoptions", get(api::adoptions))
        .route("/api/v1/adoptions.csv", get(api::adoptions_csv))
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/static/app.js", get(app_js))
        .route("/static/app.css", get(app_css))
        .nest_service("/static/bootstrap-italia", node("bootstrap-italia/dist"))
        .nest_service("/static/echarts", node("echarts/dist"))
        .fallback(pages::fallback)
        .with_state(obs);
    // Every body is small but a file sent to the import form; the limit is
    // checked before the cache answers (a cached page is no excuse for a huge body).
    let (router, uploads) = match hub {
        Some(hub) => (router.merge(community::routes(hub.clone())), Some(community::upload_routes(hub))),
        None => (router, None),
    };
    let router = router
        .layer(axum::middleware::from_fn_with_state(cache, cache::middleware))
        .layer(RequestBodyLimitLayer::new(MAX_BODY));
    let router = match uploads {
        Some(u) => router.merge(u.layer(RequestBodyLimitLayer::new(community::UPLOAD_MAX))),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(clean_path))
        .layer(axum::middleware::from_fn(trace))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|payload: Box<dyn std::any::Any + Send>| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error::ApiError(error::internal(format!("panic: {what}"))).into_response()
        }))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

/// One span per request (`request`: id, method, route), in which every
/// log line of the request is written, and a `response` event (status,
/// latency) at DEBUG when it ends. Internal errors are logged in the span
/// with their cause (`error::internal`).
async fn trace(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use tracing::Instrument;
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let route = req.extensions().get::<axum::extract::MatchedPath>().map_or("", |m| m.as_str()).to_string();
    let span = tracing::info_span!("request", id, method = %req.method(), route = %route);
    let start = std::time::Instant::now();
    let res = next.run(req).instrument(span.clone()).await;
    let micros = start.elapsed().as_micros() as u64;
    span.in_scope(|| tracing::debug!(status = res.status().as_u16(), latency_us = micros, "response"));
    res
}

/// Refuses a path with a control character (`%0d%0a`, `%00`…) before any
/// handler runs: no parameter taken from the path can then break a header
/// (a redirect's `Location`) after a write, or reach the store.
async fn clean_path(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let path = req.uri().path();
    let bytes = path.as_bytes();
    let control = bytes.iter().enumerate().any(|(i, &b)| {
        b.is_ascii_control()
            || (b == b'%'
                && path
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .is_some_and(|d| d.is_ascii_control()))
    });
    if control {
        return error::respond(path, AppError::BadRequest("the path contains a control character".into()));
    }
    next.run(req).await
}

/// Renders every page a visitor is likely to open first (home, ranking,
/// methodology, and every municipality's card, in both languages) into the
/// cache; returns how many.
pub async fn warm(router: &Router, obs: &Observatory) -> usize {
    use tower::ServiceExt;
    let mut paths = Vec::new();
    for lang in ["it", "en"] {
        for p in ["/", "/indice", "/metodologia", "/dati"] {
            paths.push(format!("/{lang}{p}"));
        }
        paths.extend(obs.munis.iter().map(|m| format!("/{lang}/comuni/{}", m.body.code)));
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
