//! A cache of rendered responses. The served run never changes while the
//! server runs, so a page or an API answer is rendered once per URL and then
//! served from memory. The cache holds successful GET responses only, up to a
//! byte budget (once full it stops growing; later URLs are rendered on each
//! request, as before). What can change (the adoption registry, when an
//! editor verifies an adoption; the communities) empties it: a response
//! rendered from the data before the change is then not kept, even if it ends
//! after it (each emptying starts a new generation, and a response is kept
//! only in the generation it began in).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
    generation: AtomicU64,
}

impl Cache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Cache {
        Cache { entries: RwLock::new((HashMap::new(), 0)), budget, generation: AtomicU64::new(0) }
    }

    /// The response kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let (headers, body) = entries.0.get(key)?;
        let mut res = Response::new(Body::from(body.clone()));
        *res.headers_mut() = headers.clone();
        Some(res)
    }

    /// The current generation: read it before rendering, give it to
    /// [`Cache::keep`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Reads a response whole and keeps it under `key` while the budget
    /// allows and the cache was not emptied since `generation`; returns it.
    pub async fn keep(&self, key: String, res: Response, generation: u64) -> Response {
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return res;
        };
        if let Ok(mut entries) = self.entries.write()
            && entries.1 + bytes.len() <= self.budget
            && self.generation() == generation
        {
            entries.1 += bytes.len();
            entries.0.insert(key, (parts.headers.clone(), bytes.clone()));
        }
        Response::from_parts(parts, Body::from(bytes))
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
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
    let generation = cache.generation();
    let res = next.run(req).await;
    let private = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if res.status() != StatusCode::OK || !res.headers().contains_key(header::CONTENT_TYPE) || private {
        return res;
    }
    cache.keep(key, res, generation).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &'static str) -> Response {
        let mut res = Response::new(Body::from(text));
        res.headers_mut().insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        res
    }

    async fn text(res: Response) -> String {
        String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_page_begun_before_an_emptying_is_served_but_not_kept() {
        let cache = Cache::new(1 << 20);
        let before = cache.generation();
        cache.clear();
        let res = cache.keep("/old".into(), page("old data"), before).await;
        assert_eq!(text(res).await, "old data", "the visitor still gets the page");
        assert!(cache.get("/old").is_none(), "rendered from the data before the change: not kept");
        let now = cache.generation();
        cache.keep("/new".into(), page("new data"), now).await;
        assert_eq!(text(cache.get("/new").expect("kept")).await, "new data");
    }

    #[tokio::test]
    async fn the_budget_bounds_what_is_kept() {
        let cache = Cache::new(10);
        let g = cache.generation();
        cache.keep("/a".into(), page("123456"), g).await;
        cache.keep("/b".into(), page("789012"), g).await;
        assert!(cache.get("/a").is_some());
        assert!(cache.get("/b").is_none(), "12 bytes would exceed the 10-byte budget");
    }
}
