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

pub mod auth;
pub mod coverage;
mod extract;
mod people;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cantiere_store::Store;
use cantiere_store::community::{
    CONSULTATION_STATUSES, Community, CsvKind, MEETING_MODES, MEETING_STATUSES, MeetingInput, PROPOSAL_STATUSES, Paged,
    RESOURCE_KINDS, ResourceInput, Slice,
};
use minijinja::{Value, context};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::http::cache::{Cache, Topic};
use crate::http::error::{AppError, internal};
use crate::http::i18n::Lang;
use crate::http::query::Params;
use crate::http::render::{Page, render};
use crate::http::routes::{CSV, JSON, Kept, Method, Routes};
use crate::observatory::Observatory;
use auth::{Backoff, CSRF_COOKIE, ClientAddress, FormKey, Hasher, Limiter, Limits, SESSION_COOKIE, SharedMailer};
use coverage::BodyInfo;
use extract::{Ctx, HubState, InCommunity, Item, PathId, Posted, check_token};

pub use extract::Viewer;

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
    /// The site's page cache: a change here empties the community pages, a
    /// verified adoption the catalog's.
    pub(crate) cache: Arc<Cache>,
    /// One catalog rebuilt at a time, so the last one put in place was read
    /// after every verification before it.
    refreshing: tokio::sync::Mutex<()>,
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
            cache: Arc::new(Cache::new(crate::http::CACHE_BYTES)),
            refreshing: tokio::sync::Mutex::new(()),
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
            cache: Arc::new(Cache::new(crate::http::CACHE_BYTES)),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Empties the community pages' cache (another process changed them).
    pub fn forget_pages(&self) {
        self.cache.clear(Topic::Community);
    }

    /// Form tokens signed with a key derived from `secret`, shared by every
    /// server of a deployment (`CANTIERE_SECRET`).
    pub fn with_secret(mut self, secret: &str) -> Hub {
        self.form_key = FormKey::from_secret(secret);
        self
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
        self.cache.clear(Topic::Site);
        Ok(())
    }

    fn body_name(&self, ipa: &str) -> String {
        self.bodies.get(ipa).map_or_else(|| ipa.to_string(), |b| b.name.clone())
    }
}

type Answer = Result<Response, AppError>;

/// The communities' routes: pages kept for anonymous visitors until the
/// next change, forms, the file upload, and the public API; each resource
/// registers its own.
pub(crate) fn routes() -> Routes {
    let resources = [
        accounts::routes,
        profile::routes,
        admin::routes,
        communities::routes,
        meetings::routes,
        threads::routes,
        consultations::routes,
        coverage_pages::routes,
        api::routes,
    ];
    resources.into_iter().fold(Routes::new(Kept::Anonymous), |r, add| add(r))
}

/// Every write endpoint (the path of each POST route), from the route
/// table: the authorization test posts to each.
pub fn writes() -> Vec<&'static str> {
    routes().table.iter().filter(|r| r.method == Method::Post).map(|r| r.path).collect()
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

/// What belongs to one community: a meeting, a thread, a consultation.
trait OfCommunity {
    /// Its community.
    fn community_id(&self) -> i64;
    /// What it is and its id, for messages.
    fn label(&self) -> String;
}

macro_rules! of_community {
    ($($t:ident: $what:literal),*) => {$(
        impl OfCommunity for cantiere_store::community::$t {
            fn community_id(&self) -> i64 {
                self.community_id
            }
            fn label(&self) -> String {
                format!("{} #{}", $what, self.id)
            }
        }
    )*};
}
of_community!(Meeting: "meeting", Thread: "thread", Consultation: "consultation");

/// `item`, when it belongs to the community of the path (else 404: an id
/// of another community's item in this community's path).
fn belongs<T: OfCommunity>(item: T, comm: &Community) -> Result<T, AppError> {
    if item.community_id() != comm.id {
        return Err(AppError::NotFound(format!("{} in «{}»", item.label(), comm.name)));
    }
    Ok(item)
}

/// Renders a community page for visitor `v` (never stored by browsers:
/// it changes with every post; the site's cache keeps it for anonymous
/// visitors until the next change).
fn show(hub: &Hub, lang: Lang, v: &Viewer, page: Page<'_>, ctx: Value) -> Answer {
    let ctx = context! { viewer => Value::from_serialize(v), ..ctx };
    Ok(no_store(render(&hub.obs, lang, page, ctx)?.into_response()))
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

use communities::{page_number, pages};
use coverage_pages::{Inputs, compute, region_param};

pub use admin::UPLOAD_MAX;
pub use communities::{PER_PAGE, POSTS_PER_PAGE};
