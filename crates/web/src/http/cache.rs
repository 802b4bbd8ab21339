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
//! Each entry belongs to a topic: the observatory and catalog pages
//! ([`Topic::Site`], kept for every visitor) and the community pages
//! ([`Topic::Community`], kept for visitors without a session); each topic is
//! emptied on its own. One URL is rendered once at a time: visitors of a page
//! that is being rendered wait for that rendering, visitors of other URLs do
//! not wait.
//!
//! URLs are keys, so the query parameters a route reads are the only ones
//! it accepts (the route table's, checked by [`middleware`] before the cache):
//! made-up parameters cannot multiply the entries of one page.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;

use crate::http::routes::Kept;

/// What a kept response shows, emptied on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// The observatory and the catalog.
    Site = 0,
    /// The communities.
    Community = 1,
}

/// A kept response and when it was last served.
#[derive(Debug)]
struct Entry {
    topic: Topic,
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
    generation: [AtomicU64; 2],
    clock: AtomicU64,
    /// One rendering of each URL at a time.
    rendering: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Cache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Cache {
        Cache {
            entries: RwLock::new(Entries::default()),
            budget,
            generation: [AtomicU64::new(0), AtomicU64::new(0)],
            clock: AtomicU64::new(0),
            rendering: std::sync::Mutex::new(HashMap::new()),
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

    /// The current generation of a topic: read it before rendering, give it
    /// to [`Cache::keep`].
    pub fn generation(&self, topic: Topic) -> u64 {
        self.generation[topic as usize].load(Ordering::Acquire)
    }

    /// The lock of one URL's rendering (dropped from the map once nobody
    /// holds it).
    fn rendering(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.rendering.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > 1_000 {
            map.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        map.entry(key.to_string()).or_default().clone()
    }

    /// Reads a response whole and keeps it under `key` in `topic`, unless it
    /// is larger than [`Cache::max_entry`] or the topic was emptied since
    /// `generation`; returns it.
    pub async fn keep(&self, key: String, topic: Topic, res: Response, generation: u64) -> Response {
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return res;
        };
        if bytes.len() <= self.max_entry()
            && let Ok(mut entries) = self.entries.write()
            && self.generation(topic) == generation
        {
            if let Some(old) = entries.map.remove(&key) {
                entries.bytes -= old.body.len();
            }
            if entries.bytes + bytes.len() > self.budget {
                self.evict(&mut entries, (self.budget / 8 * 7).saturating_sub(bytes.len()));
            }
            entries.bytes += bytes.len();
            let used = AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed));
            entries.map.insert(key, Entry { topic, headers: parts.headers.clone(), body: bytes.clone(), used });
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

    /// Forgets every response of a topic.
    pub fn clear(&self, topic: Topic) {
        self.generation[topic as usize].fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.write() {
            let mut freed = 0;
            entries.map.retain(|_, e| {
                let keep = e.topic != topic;
                if !keep {
                    freed += e.body.len();
                }
                keep
            });
            entries.bytes -= freed;
        }
    }
}

/// The site's one cache middleware, by the route table: a GET of a kept
/// route is answered from memory (for the community pages, only without a
/// session), after its query parameters were checked against the route's;
/// a form answered with a redirect (a change was made) empties the
/// community pages.
pub async fn middleware(State(site): State<crate::http::SiteState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().and_then(|m| site.routes.find(req.method(), m.as_str()));
    let Some((kept, params)) = route.map(|r| (r.kept, r.params)) else { return next.run(req).await };
    if req.method() == Method::POST {
        let res = next.run(req).await;
        if res.status() == StatusCode::SEE_OTHER {
            site.cache.clear(Topic::Community);
        }
        return res;
    }
    if let Err(e) = crate::http::query::check_known(params, req.uri().query()) {
        return e.into_response();
    }
    let signed_in = crate::community::auth::cookie(req.headers(), crate::community::auth::SESSION_COOKIE).is_some();
    let topic = match kept {
        Kept::Everyone => Topic::Site,
        Kept::Anonymous if !signed_in => Topic::Community,
        _ => return next.run(req).await,
    };
    let key = req.uri().to_string();
    if key.len() > 1024 {
        return next.run(req).await;
    }
    let cache = &site.cache;
    if let Some(res) = cache.get(&key) {
        return res;
    }
    let _rendering = cache.rendering(&key).lock_owned().await;
    if let Some(res) = cache.get(&key) {
        return res;
    }
    let generation = cache.generation(topic);
    let res = next.run(req).await;
    let private = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    // Community pages tell browsers not to store them (they change with every
    // post) but are kept here, where a change empties them.
    if res.status() != StatusCode::OK
        || !res.headers().contains_key(header::CONTENT_TYPE)
        || res.headers().contains_key(header::SET_COOKIE)
        || (private && topic == Topic::Site)
    {
        return res;
    }
    cache.keep(key, topic, res, generation).await
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
        let before = cache.generation(Topic::Site);
        cache.clear(Topic::Site);
        let res = cache.keep("/old".into(), Topic::Site, page("old data"), before).await;
        assert_eq!(text(res).await, "old data", "the visitor still gets the page");
        assert!(cache.get("/old").is_none(), "rendered from the data before the change: not kept");
        let now = cache.generation(Topic::Site);
        cache.keep("/new".into(), Topic::Site, page("new data"), now).await;
        assert_eq!(text(cache.get("/new").expect("kept")).await, "new data");
    }

    #[tokio::test]
    async fn each_topic_is_emptied_on_its_own() {
        let cache = Cache::new(1 << 20);
        let (site, community) = (cache.generation(Topic::Site), cache.generation(Topic::Community));
        cache.keep("/it/indice".into(), Topic::Site, page("ranking"), site).await;
        cache.keep("/it/comunita".into(), Topic::Community, page("communities"), community).await;
        assert_eq!(cache.size(), (18, 2));
        cache.clear(Topic::Community);
        assert!(cache.get("/it/comunita").is_none(), "a post in a community empties the community pages");
        assert_eq!(text(cache.get("/it/indice").expect("kept")).await, "ranking", "and no other");
        assert_eq!(cache.size(), (7, 1), "the bytes of the dropped page are freed");
        let late = cache.keep("/it/comunita/x".into(), Topic::Community, page("late"), community).await;
        assert_eq!(text(late).await, "late");
        assert!(cache.get("/it/comunita/x").is_none(), "begun before the community change: not kept");
        cache.keep("/it/x".into(), Topic::Site, page("site"), site).await;
        assert!(cache.get("/it/x").is_some(), "the site's generation did not move");
    }

    #[tokio::test]
    async fn the_least_recently_used_make_room_within_the_budget() {
        // Budget 80 bytes: entries of 10 bytes at most (an eighth), evicting down to 70.
        let cache = Cache::new(80);
        let g = cache.generation(Topic::Site);
        for k in 0..8 {
            cache.keep(format!("/{k}"), Topic::Site, page("0123456789"), g).await;
        }
        assert_eq!(cache.size(), (80, 8));
        assert!(cache.get("/0").is_some(), "/0 served again: now the most recent");
        cache.keep("/new".into(), Topic::Site, page("abcdefghij"), g).await;
        // 90 > 80: the oldest go until 60 remain (70 less the new 10), then the new one.
        assert_eq!(cache.size(), (70, 7));
        for gone in ["/1", "/2"] {
            assert!(cache.get(gone).is_none(), "{gone}, least recently used, was dropped");
        }
        for kept in ["/0", "/3", "/7", "/new"] {
            assert!(cache.get(kept).is_some(), "{kept} kept");
        }
        cache.keep("/big".into(), Topic::Site, page("eleven char"), g).await;
        assert!(cache.get("/big").is_none(), "11 bytes is more than an eighth of the budget: never kept");
    }
}
