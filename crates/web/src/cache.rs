//! A cache of rendered responses. The served run changes rarely, so a page
//! or an API answer is rendered once per URL and then served from memory.
//! The cache holds successful GET responses only, within a byte budget:
//! when a new response would pass it, the least recently used responses are
//! dropped (down to 7/8 of the budget, so that eviction is rare), and a
//! response larger than an eighth of the budget is never kept. What can
//! change (a new run, the adoption registry, the communities) empties it: a
//! response rendered from the data before the change is then not kept, even
//! if it ends after it (each emptying starts a new generation, and a
//! response is kept only in the generation it began in).
//!
//! URLs are keys, so the query parameters a route reads are the only ones
//! it accepts ([`crate::query::check_known`], before the cache): made-up
//! parameters cannot multiply the entries of one page.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// A kept response and when it was last served.
#[derive(Debug)]
struct Entry {
    headers: HeaderMap,
    body: Bytes,
    used: AtomicU64,
}

/// Responses by URL, and the bytes their bodies hold.
#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

/// The cache.
#[derive(Debug)]
pub struct Cache {
    entries: RwLock<Entries>,
    budget: usize,
    generation: AtomicU64,
    clock: AtomicU64,
}

impl Cache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Cache {
        Cache {
            entries: RwLock::new(Entries::default()),
            budget,
            generation: AtomicU64::new(0),
            clock: AtomicU64::new(0),
        }
    }

    /// The largest response kept.
    pub fn max_entry(&self) -> usize {
        self.budget / 8
    }

    /// The response kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let e = entries.map.get(key)?;
        e.used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        let mut res = Response::new(Body::from(e.body.clone()));
        *res.headers_mut() = e.headers.clone();
        Some(res)
    }

    /// The bytes held and the number of responses.
    #[cfg(test)]
    pub fn size(&self) -> (usize, usize) {
        self.entries.read().map_or((0, 0), |e| (e.bytes, e.map.len()))
    }

    /// The current generation: read it before rendering, give it to
    /// [`Cache::keep`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Reads a response whole and keeps it under `key`, unless it is larger
    /// than [`Cache::max_entry`] or the cache was emptied since `generation`;
    /// returns it.
    pub async fn keep(&self, key: String, res: Response, generation: u64) -> Response {
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return res;
        };
        if bytes.len() <= self.max_entry()
            && let Ok(mut entries) = self.entries.write()
            && self.generation() == generation
        {
            if let Some(old) = entries.map.remove(&key) {
                entries.bytes -= old.body.len();
            }
            if entries.bytes + bytes.len() > self.budget {
                self.evict(&mut entries, (self.budget / 8 * 7).saturating_sub(bytes.len()));
            }
            entries.bytes += bytes.len();
            let used = AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed));
            entries.map.insert(key, Entry { headers: parts.headers.clone(), body: bytes.clone(), used });
        }
        Response::from_parts(parts, Body::from(bytes))
    }

    /// Drops the least recently used responses until at most `target` bytes remain.
    fn evict(&self, entries: &mut Entries, target: usize) {
        let mut by_age: Vec<(u64, String, usize)> =
            entries.map.iter().map(|(k, e)| (e.used.load(Ordering::Relaxed), k.clone(), e.body.len())).collect();
        by_age.sort_unstable_by_key(|(used, _, _)| *used);
        for (_, key, len) in by_age {
            if entries.bytes <= target {
                break;
            }
            entries.map.remove(&key);
            entries.bytes -= len;
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.write() {
            *entries = Entries::default();
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
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    if let Some(route) = route
        && let Err(e) = crate::query::check_known(&route, req.uri().query())
    {
        return crate::error::respond(req.uri().path(), e);
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
    async fn the_least_recently_used_make_room_within_the_budget() {
        // Budget 80 bytes: entries of 10 bytes at most (an eighth), evicting down to 70.
        let cache = Cache::new(80);
        let g = cache.generation();
        for k in 0..8 {
            cache.keep(format!("/{k}"), page("0123456789"), g).await;
        }
        assert_eq!(cache.size(), (80, 8));
        assert!(cache.get("/0").is_some(), "/0 served again: now the most recent");
        cache.keep("/new".into(), page("abcdefghij"), g).await;
        // 90 > 80: the oldest go until 60 remain (70 less the new 10), then the new one.
        assert_eq!(cache.size(), (70, 7));
        for gone in ["/1", "/2"] {
            assert!(cache.get(gone).is_none(), "{gone}, least recently used, was dropped");
        }
        for kept in ["/0", "/3", "/7", "/new"] {
            assert!(cache.get(kept).is_some(), "{kept} kept");
        }
        cache.keep("/big".into(), page("eleven char"), g).await;
        assert!(cache.get("/big").is_none(), "11 bytes is more than an eighth of the budget: never kept");
    }
}
