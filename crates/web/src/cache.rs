//! A cache of rendered responses. The served run never changes while the
//! server runs, so a page or an API answer is rendered once per URL and then
//! served from memory. The cache holds successful GET responses only, up to a
//! byte budget (once full it stops growing; later URLs are rendered on each
//! request, as before).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Responses by URL, and the bytes they hold.
type Entries = (HashMap<String, (HeaderMap, Bytes)>, usize);

/// The cache.
#[derive(Debug)]
pub struct Cache {
    entries: RwLock<Entries>,
    budget: usize,
}

impl Cache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Cache {
        Cache { entries: RwLock::new((HashMap::new(), 0)), budget }
    }
}

/// The middleware.
pub async fn middleware(State(cache): State<Arc<Cache>>, req: Request, next: Next) -> Response {
    let cacheable_path = {
        let p = req.uri().path();
        !p.starts_with("/static/") && p != "/health"
    };
    if req.method() != Method::GET || !cacheable_path || req.uri().to_string().len() > 1024 {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    if let Ok(entries) = cache.entries.read()
        && let Some((headers, body)) = entries.0.get(&key)
    {
        let mut res = Response::new(Body::from(body.clone()));
        *res.headers_mut() = headers.clone();
        return res;
    }
    let res = next.run(req).await;
    let private = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if res.status() != StatusCode::OK || !res.headers().contains_key(header::CONTENT_TYPE) || private {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        return res;
    };
    if let Ok(mut entries) = cache.entries.write()
        && entries.1 + bytes.len() <= cache.budget
    {
        entries.1 += bytes.len();
        entries.0.insert(key, (parts.headers.clone(), bytes.clone()));
    }
    Response::from_parts(parts, Body::from(bytes))
}
