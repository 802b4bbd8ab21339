//! What every feature of the site shares: the application state ([`Site`]),
//! the route table ([`routes`]), errors and their pages ([`error`]), the
//! extractors of the language ([`i18n::Lang`]) and of the query
//! ([`query::Params`]), rendering ([`render`]), the cache ([`cache`]), and
//! the layers every request goes through (request span, path check, body
//! limit, security headers).

pub mod cache;
mod download;
pub mod error;
pub mod i18n;
pub mod query;
pub mod render;
pub mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::community::Hub;
use crate::observatory::Observatory;
use crate::{Assets, CSP};
use cache::Cache;
pub use download::csv_response;
use error::AppError;
use routes::{JSON, Kept, Routes, Table};

/// The application state every handler is given: the observatory served,
/// the communities (when the site has them), the one page cache, and the
/// route table.
#[derive(Debug)]
pub struct Site {
    /// The run served, the catalog, the boundaries.
    pub obs: Arc<Observatory>,
    /// The communities: the open store, accounts, limits.
    pub hub: Option<Arc<Hub>>,
    /// Rendered responses.
    pub cache: Arc<Cache>,
    /// Every route with its parameters, cache policy and body limit.
    pub routes: Table,
}

/// The state as axum holds it.
pub type SiteState = Arc<Site>;

/// The budget of the site's page cache.
pub const CACHE_BYTES: usize = 512 << 20;

/// The site's own routes: liveness and the API's document.
fn own_routes() -> Routes {
    Routes::new(Kept::Everyone).api("/health", "Liveness and the run served", &[], JSON, health).uncached().api(
        "/api/v1/openapi.json",
        "This document: every API endpoint the site serves",
        &[],
        JSON,
        routes::openapi_document,
    )
}

/// `/health`.
async fn health(State(site): State<SiteState>) -> axum::Json<serde_json::Value> {
    let obs = &site.obs;
    axum::Json(serde_json::json!({"status": "ok", "run": obs.run.id, "municipalities": obs.munis.len()}))
}

/// The whole site: the features' routes (the communities' only with a
/// hub), the static assets, and the layers every request goes through.
pub fn assemble(obs: Arc<Observatory>, hub: Option<Arc<Hub>>, assets: &Assets) -> Router {
    let cache = hub.as_ref().map_or_else(|| Arc::new(Cache::new(CACHE_BYTES)), |h| h.cache.clone());
    let mut routes = own_routes().merge(crate::observatory::routes()).merge(crate::catalog::routes());
    if hub.is_some() {
        routes = routes.merge(crate::community::routes());
    }
    let site = Arc::new(Site { obs, hub, cache, routes: Table::new(&routes.table) });
    let node = |p: &str| ServeDir::new(assets.node_modules.join(p));
    routes
        .router
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/static/app.js", get(app_js))
        .route("/static/app.css", get(app_css))
        .nest_service("/static/bootstrap-italia", node("bootstrap-italia/dist"))
        .nest_service("/static/echarts", node("echarts/dist"))
        .fallback(fallback)
        .layer(from_fn_with_state(site.clone(), cache::middleware))
        .layer(from_fn_with_state(site.clone(), limit_body))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(site)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|payload: Box<dyn std::any::Any + Send>| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error::internal(format!("panic: {what}")).into_response()
        }))
        .layer(from_fn(error::render_errors))
        .layer(from_fn(clean_path))
        .layer(from_fn(trace))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../static/app.js"))
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../../static/app.css"))
}

/// Unknown paths: a 404 page in the language of the path (JSON under /api).
async fn fallback(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("no page at {}", uri.path().chars().take(200).collect::<String>()))
}

/// The body limit of the route (the table's; [`crate::MAX_BODY`] where a
/// path has no route): a declared length over it is refused at once, and a
/// body that grows past it stops being read (413), before the cache or any
/// handler sees the request.
async fn limit_body(State(site): State<SiteState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().and_then(|m| site.routes.find(req.method(), m.as_str()));
    let limit = route.map_or(crate::MAX_BODY, |r| r.body_limit);
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return AppError::TooLarge(format!("the request's body is larger than {} KiB", limit / 1024)).into_response();
    }
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// One span per request (`request`: id, method, route), in which every
/// log line of the request is written, and a `response` event (status,
/// latency) at DEBUG when it ends. Internal errors are logged in the span
/// with their cause (`error::internal`).
async fn trace(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let route = req.extensions().get::<MatchedPath>().map_or("", |m| m.as_str()).to_string();
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
async fn clean_path(req: Request, next: Next) -> Response {
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
