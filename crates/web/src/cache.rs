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

    /// The response kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let (headers, body) = entries.0.get(key)?;
        let mut res = Response::new(Body::from(body.clone()));
        *res.headers_mut() = headers.clone();
        Some(res)
    }

    /// Reads a response whole and keeps it under `key` while the budget
    /// allows; returns it.
    pub async fn keep(&self, key: String, res: Response) -> Response {
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return res;
        };
        if let Ok(mut entries) = self.entries.write()
            && entries.1 + bytes.len() <= self.budget
        {
            entries.1 += bytes.len();
            entries.0.insert(key, (parts.headers.clone(), bytes.clone()));
        }
        Response::from_parts(parts, Body::from(bytes))
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            *entries = (HashMap::new(), 0);
        }
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
    if let Some(res) = cache.get(&key) {
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
    cache.keep(key, res).await
}
