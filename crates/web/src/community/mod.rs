//! The communities of practice on the site: accounts (sign-in,
//! registration, password reset), profiles with the editor's tasks, thematic
//! areas and communities, meetings, resources, threads, consultations, the
//! coverage report, and their JSON/CSV API.
//!
//! Handlers are thin: read the visitor ([`Viewer`]), check the form token
//! and the role, call the store, redirect (303) to the page that shows the
//! result. Who may do what is decided here, in one place per action (the
//! `require_*` functions); the store checks the data.
//!
//! Pages seen without a session are the same for every visitor: they are
//! kept in memory until the next successful change (any POST answered with a
//! redirect empties the cache).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cantiere_store::Store;
use cantiere_store::adoption::Editor;
use cantiere_store::community::{
    Account, CONSULTATION_STATUSES, Community, CsvKind, Grants, MEETING_MODES, MEETING_STATUSES, MeetingInput,
    PROPOSAL_STATUSES, Paged, RESOURCE_KINDS, ResourceInput, Slice,
};
use minijinja::{Value, context};
use serde::Serialize;

use crate::auth::{
    self, Backoff, CSRF_COOKIE, ClientAddress, FormKey, Hasher, Limiter, Limits, SESSION_COOKIE, SharedMailer,
};
use crate::cache::Cache;
use crate::catalog::Catalog;
use crate::coverage::{self, BodyInfo};
use crate::error::{ApiError, AppError, PageError, internal};
use crate::i18n::Lang;
use crate::observatory::Observatory;
use crate::pages::render;
use crate::people;
use crate::query::Params;

/// Everything the community pages need.
pub struct Hub {
    /// The observatory (administrations, comuni, boundaries).
    pub obs: Arc<Observatory>,
    /// The database.
    pub store: Store,
    /// Password hashing.
    pub hasher: Arc<Hasher>,
    /// Rate limits.
    pub limits: Limits,
    limiter: Arc<Limiter>,
    /// Failed sign-ins per (account, address).
    backoff: Arc<Backoff>,
    /// Signs the form tokens given before sign-in.
    form_key: FormKey,
    /// Where reset links go.
    pub mailer: SharedMailer,
    /// The site's public address, for links in mail (`https://…`, no `/` at the end).
    pub base_url: String,
    bodies: HashMap<String, BodyInfo>,
    pages: Cache,
    /// The rest of the site's cache (observatory pages, catalog, API), emptied
    /// when a change made here shows there: a verified adoption.
    pub(crate) site_pages: Arc<Cache>,
    /// One catalog rebuilt at a time, so the last one put in place was read
    /// after every verification before it.
    refreshing: tokio::sync::Mutex<()>,
    /// One rendering of each anonymous URL at a time: after a change empties
    /// the cache, 200 visitors of a page wait for one rendering instead of
    /// making 200; visitors of other URLs do not wait for it.
    rendering: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub on an observatory and an open store.
    pub fn new(obs: Arc<Observatory>, store: Store, mailer: SharedMailer, base_url: &str, limits: Limits) -> Hub {
        let bodies = coverage::bodies(&obs);
        Hub {
            obs,
            store,
            hasher: Arc::new(Hasher::default()),
            limits,
            limiter: Arc::new(Limiter::default()),
            backoff: Arc::new(Backoff::new(
                limits.failures_before_backoff.0,
                limits.failures_before_backoff.1,
                std::time::Duration::from_secs(15 * 60),
            )),
            form_key: FormKey::random(),
            mailer,
            base_url: base_url.trim_end_matches('/').to_string(),
            bodies,
            pages: Cache::new(64 << 20),
            site_pages: Arc::new(Cache::new(crate::SITE_CACHE_BYTES)),
            refreshing: tokio::sync::Mutex::new(()),
            rendering: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// A hub on a new observatory (the database changed) that keeps this
    /// one's store, mail, limits and their counters, and form key; its page
    /// caches start empty.
    pub fn reloaded(&self, obs: Arc<Observatory>) -> Hub {
        Hub {
            bodies: coverage::bodies(&obs),
            obs,
            store: self.store.clone(),
            hasher: self.hasher.clone(),
            limits: self.limits,
            limiter: self.limiter.clone(),
            backoff: self.backoff.clone(),
            form_key: self.form_key.clone(),
            mailer: self.mailer.clone(),
            base_url: self.base_url.clone(),
            pages: Cache::new(64 << 20),
            site_pages: Arc::new(Cache::new(crate::SITE_CACHE_BYTES)),
            refreshing: tokio::sync::Mutex::new(()),
            rendering: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Empties the community pages' cache (another process changed them).
    pub fn forget_pages(&self) {
        self.pages.clear();
    }

    /// Form tokens signed with a key derived from `secret`, shared by every
    /// server of a deployment (`CANTIERE_SECRET`).
    pub fn with_secret(mut self, secret: &str) -> Hub {
        self.form_key = FormKey::from_secret(secret);
        self
    }

    /// The lock of one URL's rendering (dropped from the map once nobody
    /// holds it).
    fn rendering_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.rendering.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > 1_000 {
            map.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        map.entry(key.to_string()).or_default().clone()
    }

    /// Reads the catalog and its adoptions from the store again and serves
    /// them (after a verification), then empties the site's cache: solution
    /// pages, cards and the adoptions API show the new status at once instead
    /// of after a restart. A site without a catalog stays without.
    async fn refresh_catalog(&self) -> Result<(), AppError> {
        if self.obs.catalog().is_none() {
            return Ok(());
        }
        let _one = self.refreshing.lock().await;
        let (solutions, adoptions) = (self.store.solutions().await?, self.store.adoptions().await?);
        let built = tokio::task::spawn_blocking(move || Catalog::new(solutions, adoptions)).await;
        let catalog = built.map_err(internal)?.map_err(|e| internal(format!("rebuilding the catalog: {e}")))?;
        self.obs.replace_catalog(catalog);
        self.site_pages.clear();
        Ok(())
    }

    fn body_name(&self, ipa: &str) -> String {
        self.bodies.get(ipa).map_or_else(|| ipa.to_string(), |b| b.name.clone())
    }
}

type Shared = State<Arc<Hub>>;
type Page = Result<Response, AppError>;

/// The routes (merged into the site by [`crate::app_with_communities`]).
pub fn routes(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/{lang}/accesso", get(account_page))
        .route("/{lang}/accesso/entra", post(login))
        .route("/{lang}/accesso/registrati", post(register))
        .route("/{lang}/accesso/esci", post(logout))
        .route("/{lang}/accesso/recupero", post(reset_request))
        .route("/{lang}/accesso/nuova-password", get(reset_page).post(reset))
        .route("/{lang}/profilo", get(profile))
        .route("/{lang}/profilo/iscrizioni/{id}/conferma", post(confirm_membership))
        .route("/{lang}/profilo/adozioni/{id}/verifica", post(verify_adoption))
        .route("/{lang}/comunita", get(communities).post(create_community))
        .route("/{lang}/comunita/aree", post(create_area))
        .route("/{lang}/comunita/ruoli", post(grant_role))
        .route("/{lang}/comunita/{slug}", get(community))
        .route("/{lang}/comunita/{slug}/aderisci", post(join))
        .route("/{lang}/comunita/{slug}/lascia/{id}", post(leave))
        .route("/{lang}/comunita/{slug}/incontri", post(create_meeting))
        .route("/{lang}/comunita/{slug}/incontri/{id}", get(meeting))
        .route("/{lang}/comunita/{slug}/incontri/{id}/iscrizione", post(register_meeting))
        .route("/{lang}/comunita/{slug}/incontri/{id}/verbale", post(update_meeting))
        .route("/{lang}/comunita/{slug}/risorse", post(add_resource))
        .route("/{lang}/comunita/{slug}/discussioni", post(create_thread))
        .route("/{lang}/comunita/{slug}/discussioni/{id}", get(thread).post(reply))
        .route("/{lang}/comunita/{slug}/consultazioni", post(create_consultation))
        .route("/{lang}/comunita/{slug}/consultazioni/{id}", get(consultation))
        .route("/{lang}/comunita/{slug}/consultazioni/{id}/stato", post(consultation_status))
        .route("/{lang}/comunita/{slug}/consultazioni/{id}/proposte", post(add_proposal))
        .route("/{lang}/comunita/{slug}/proposte/{id}/commenti", post(comment))
        .route("/{lang}/comunita/{slug}/proposte/{id}/sostegno", post(support))
        .route("/{lang}/comunita/{slug}/proposte/{id}/stato", post(proposal_status))
        .route("/{lang}/copertura", get(coverage_page))
        .route("/api/v1/communities", get(api_communities))
        .route("/api/v1/communities/{slug}", get(api_community))
        .route("/api/v1/registrations.csv", get(api_registrations_csv))
        .route("/api/v1/coverage", get(api_coverage))
        .route("/api/v1/coverage.csv", get(api_coverage_csv))
        .layer(axum::middleware::from_fn_with_state(hub.clone(), public_cache))
        .with_state(hub)
}

/// Every write endpoint (method, path pattern), for the OpenAPI-style list
/// and the authorization test.
pub const WRITES: &[&str] = &[
    "/{lang}/accesso/entra",
    "/{lang}/accesso/registrati",
    "/{lang}/accesso/esci",
    "/{lang}/accesso/recupero",
    "/{lang}/accesso/nuova-password",
    "/{lang}/profilo/iscrizioni/{id}/conferma",
    "/{lang}/profilo/adozioni/{id}/verifica",
    "/{lang}/comunita",
    "/{lang}/comunita/aree",
    "/{lang}/comunita/importa",
    "/{lang}/comunita/ruoli",
    "/{lang}/comunita/{slug}/aderisci",
    "/{lang}/comunita/{slug}/lascia/{id}",
    "/{lang}/comunita/{slug}/incontri",
    "/{lang}/comunita/{slug}/incontri/{id}/iscrizione",
    "/{lang}/comunita/{slug}/incontri/{id}/verbale",
    "/{lang}/comunita/{slug}/risorse",
    "/{lang}/comunita/{slug}/discussioni",
    "/{lang}/comunita/{slug}/discussioni/{id}",
    "/{lang}/comunita/{slug}/consultazioni",
    "/{lang}/comunita/{slug}/consultazioni/{id}/stato",
    "/{lang}/comunita/{slug}/consultazioni/{id}/proposte",
    "/{lang}/comunita/{slug}/proposte/{id}/commenti",
    "/{lang}/comunita/{slug}/proposte/{id}/sostegno",
    "/{lang}/comunita/{slug}/proposte/{id}/stato",
];

/// Anonymous pages from memory; any successful change empties the memory.
async fn public_cache(State(hub): Shared, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let anonymous = auth::cookie(req.headers(), SESSION_COOKIE).is_none();
    let cacheable = req.method() == Method::GET
        && anonymous
        && (path.contains("/comunita") || path.ends_with("/copertura") || path.starts_with("/api/v1/"))
        && req.uri().to_string().len() <= 1024;
    let key = req.uri().to_string();
    if cacheable && let Some(res) = hub.pages.get(&key) {
        return res;
    }
    let _rendering = if cacheable {
        let guard = hub.rendering_lock(&key).lock_owned().await;
        if let Some(res) = hub.pages.get(&key) {
            return res;
        }
        Some(guard)
    } else {
        None
    };
    let is_post = req.method() == Method::POST;
    let generation = hub.pages.generation();
    let res = next.run(req).await;
    if is_post && res.status() == StatusCode::SEE_OTHER {
        hub.pages.clear();
        return res;
    }
    if !cacheable || res.status() != StatusCode::OK || res.headers().contains_key(header::SET_COOKIE) {
        return res;
    }
    hub.pages.keep(key, res, generation).await
}

// The visitor.

/// Who is asking, and what they may do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Viewer {
    /// The account, if signed in.
    pub account: Option<Account>,
    /// Its scoped roles.
    pub grants: Grants,
    /// The form token to put in forms.
    pub csrf: String,
}

impl Viewer {
    fn admin(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_admin)
    }

    fn coordinates(&self, community: i64) -> bool {
        self.admin() || self.grants.coordinator_of.contains(&community)
    }

    fn edits(&self, ipa: &str) -> Option<Editor> {
        let a = self.account.as_ref()?;
        self.grants.editor_of.iter().any(|e| e == ipa).then(|| Editor { name: a.name.clone(), codice_ipa: ipa.into() })
    }

    fn id(&self) -> Result<i64, AppError> {
        self.account.as_ref().map(|a| a.id).ok_or_else(|| AppError::Forbidden("sign in first".into()))
    }
}

async fn viewer(hub: &Hub, headers: &HeaderMap) -> Result<Viewer, AppError> {
    let Some(session) = auth::session(&hub.store, headers).await? else {
        let csrf = auth::cookie(headers, CSRF_COOKIE)
            .filter(|c| hub.form_key.issued(c))
            .map(str::to_string)
            .unwrap_or_default();
        return Ok(Viewer { csrf, ..Viewer::default() });
    };
    let grants = hub.store.community().grants(session.account.id).await?;
    Ok(Viewer { account: Some(session.account.clone()), grants, csrf: session.csrf.clone() })
}

/// A posted form, read and checked before the handler runs: the visitor,
/// and the fields once the form token was found right (and the account's
/// posts within their limit). A refused form is the site's error page, in
/// the path's language; a body over the limit is 413.
pub(crate) struct Posted(pub Viewer, pub Params);

impl axum::extract::FromRequest<Arc<Hub>> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, hub: &Arc<Hub>) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts as _;
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, hub).await.map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let bytes =
            Bytes::from_request(Request::from_parts(parts, body), hub).await.map_err(IntoResponse::into_response)?;
        let (v, f) = form(hub, &headers, &bytes).await.map_err(|e| PageError(lang, e).into_response())?;
        Ok(Posted(v, f))
    }
}

/// A posted form with its token checked: the visitor, the fields.
async fn form(hub: &Hub, headers: &HeaderMap, body: &Bytes) -> Result<(Viewer, Params), AppError> {
    let v = viewer(hub, headers).await?;
    let f = Params::form(body)?;
    check_token(&v, f.get("csrf"))?;
    if let Some(a) = &v.account
        && !hub.limiter.hit(&format!("post:{}", a.id), hub.limits.posts_per_account)
    {
        return Err(AppError::TooMany("too many posts from this account: wait a minute".into()));
    }
    Ok((v, f))
}

/// The form token rule: the session's token, or before sign-in the
/// double-submit cookie's, which this server must have issued ([`viewer`]
/// keeps it only then).
fn check_token(v: &Viewer, sent: &str) -> Result<(), AppError> {
    let expected = v.csrf.as_str();
    if sent.is_empty() || expected.is_empty() || !auth::same(sent, expected) {
        return Err(AppError::Forbidden(
            "the form's security token is missing or out of date: reload the page and try again".into(),
        ));
    }
    Ok(())
}

/// A 303 redirect. Paths are built from validated parameters (the site
/// refuses control characters in paths before any handler runs); should one
/// still not be a valid header, the visitor is sent home rather than the
/// server panicking after a write.
fn see(to: String) -> Response {
    let location = HeaderValue::from_str(&to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn community_of(hub: &Hub, slug: &str) -> Result<Community, AppError> {
    if cantiere_store::community::slug("slug", slug).ok().as_deref() != Some(slug) {
        return Err(AppError::NotFound(format!("community `{slug}`")));
    }
    Ok(hub.store.community().community_by_slug(slug).await?)
}

/// Members of a community, coordinators and admins take part.
async fn require_participant(hub: &Hub, v: &Viewer, c: &Community) -> Result<i64, AppError> {
    let id = v.id()?;
    if v.coordinates(c.id) {
        return Ok(id);
    }
    let member = hub.store.community().memberships_of(id).await?.iter().any(|m| m.community_id == c.id);
    if member { Ok(id) } else { Err(AppError::Forbidden(format!("join «{}» first", c.name))) }
}

fn require_coordinator(v: &Viewer, c: &Community) -> Result<i64, AppError> {
    let id = v.id()?;
    if v.coordinates(c.id) {
        Ok(id)
    } else {
        Err(AppError::Forbidden(format!("only the coordinators of «{}» may do this", c.name)))
    }
}

fn require_admin(v: &Viewer) -> Result<i64, AppError> {
    let id = v.id()?;
    if v.admin() { Ok(id) } else { Err(AppError::Forbidden("only a platform admin may do this".into())) }
}

/// A numeric id from the path: digits only (no sign, no spaces), or 404.
fn id_of(text: &str, what: &str) -> Result<i64, AppError> {
    Some(text)
        .filter(|t| !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| AppError::NotFound(format!("{what} `{text}`")))
}

#[allow(clippy::too_many_arguments)]
fn show(hub: &Hub, lang: Lang, v: &Viewer, name: &str, page: &str, title: &str, path: &str, ctx: Value) -> Page {
    let ctx = context! { viewer => Value::from_serialize(v), ..ctx };
    let html = render(&hub.obs, lang, name, page, title, path, ctx)?;
    Ok(no_store(html.into_response()))
}

mod accounts;
mod admin;
mod api;
mod communities;
mod consultations;
mod coverage_pages;
mod meetings;
mod profile;
mod threads;

use accounts::*;
use admin::*;
use api::*;
use communities::*;
use consultations::*;
use coverage_pages::*;
use meetings::*;
use profile::*;
use threads::*;

pub use admin::{UPLOAD_MAX, upload_routes};
pub use api::READS;
pub use communities::{PER_PAGE, POSTS_PER_PAGE};
