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
use crate::pages::{lang_of, render};
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
type Page = Result<Response, PageError>;

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

// ---------------------------------------------------------------------------
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

fn page_err(lang: Lang) -> impl Fn(AppError) -> PageError {
    move |e| PageError(lang, e)
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

// ---------------------------------------------------------------------------
// Accounts.

/// Renders a page with forms for a visitor who may have no form token yet
/// (no session, no `cantiere_csrf` cookie): gives one, and sets its cookie.
fn with_form_token(hub: &Hub, mut v: Viewer, page: impl FnOnce(&Viewer) -> Page) -> Page {
    let cookie = v.csrf.is_empty().then(|| {
        v.csrf = hub.form_key.issue();
        auth::set_cookie(CSRF_COOKIE, &v.csrf, auth::SESSION_SECONDS)
    });
    let mut res = page(&v)?;
    if let Some(c) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

async fn account_page(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    if v.account.is_some() {
        return Ok(see(format!("/{}/profilo", lang.code())));
    }
    let l = lang.labels();
    let ctx = context! { mode => "sign_in" };
    with_form_token(&hub, v, |v| show(&hub, lang, v, "account.html", "account", l["sign_in"], "accesso", ctx))
}

async fn login(
    State(hub): Shared,
    Path(lang): Path<String>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let (_, f) = form(&hub, &headers, &body).await.map_err(page_err(lang))?;
    let email = f.get("email").trim().to_lowercase();
    if !hub.limiter.hit(&format!("login:{address}"), hub.limits.login_per_address) {
        return Err(PageError(lang, AppError::TooMany("too many sign-in attempts: wait a few minutes".into())));
    }
    // Failures slow down this account from this address only: its owner elsewhere is not locked out.
    let pair = format!("{email}\n{address}");
    if let Some(wait) = hub.backoff.wait(&pair) {
        let secs = wait.as_secs() + 1;
        return Err(PageError(
            lang,
            AppError::TooMany(format!("too many failed sign-ins for this account from here: try again in {secs} s")),
        ));
    }
    let found = hub.store.community().credentials(&email).await.map_err(|e| PageError(lang, e.into()))?;
    let ok = match &found {
        Some((_, Some(hash))) => hub.hasher.verify(f.get("password"), hash).await.map_err(page_err(lang))?,
        _ => {
            // The same work for an unknown email, so timing does not tell.
            let _ = hub.hasher.hash("a-password-nobody-has").await;
            false
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        hub.backoff.fail(&pair);
        return Err(PageError(lang, AppError::Forbidden("wrong email or password".into())));
    };
    hub.backoff.clear(&pair);
    let cookie = auth::open_session(&hub.store, account.id).await.map_err(page_err(lang))?;
    let mut res = see(format!("/{}/profilo", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

async fn register(
    State(hub): Shared,
    Path(lang): Path<String>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let (v, f) = form(&hub, &headers, &body).await.map_err(page_err(lang))?;
    if !hub.limiter.hit(&format!("register:{address}"), hub.limits.registrations_per_address) {
        return Err(PageError(lang, AppError::TooMany("too many registrations from this address: retry later".into())));
    }
    if f.get("password") != f.get("password2") {
        return Err(PageError(lang, AppError::BadRequest("password: the two passwords differ".into())));
    }
    let email = cantiere_store::community::email(f.get("email")).map_err(|e| PageError(lang, e.into()))?;
    cantiere_store::community::text("name", f.get("name"), cantiere_store::community::MAX_TITLE)
        .map_err(|e| PageError(lang, e.into()))?;
    let c = hub.store.community();
    // The same work and the same answer whether or not the address has an
    // account (no enumeration); its owner is told by mail instead.
    let hash = hub.hasher.hash(f.get("password")).await.map_err(page_err(lang))?;
    let l = lang.labels();
    match c.credentials(&email).await.map_err(|e| PageError(lang, e.into()))? {
        Some((owner, _)) => {
            let link = format!("{}/{}/accesso", hub.base_url, lang.code());
            hub.mailer
                .send(
                    &owner.email,
                    l["registered_again_subject"],
                    &format!("{}\n\n{link}\n", l["registered_again_body"]),
                )
                .map_err(page_err(lang))?;
        }
        None => {
            c.create_account(&email, f.get("name"), Some(&hash)).await.map_err(|e| PageError(lang, e.into()))?;
        }
    }
    let ctx = context! { mode => "registered" };
    with_form_token(&hub, v, |v| show(&hub, lang, v, "account.html", "account", l["register"], "accesso", ctx))
}

async fn logout(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let (v, _) = form(&hub, &headers, &body).await.map_err(page_err(lang))?;
    v.id().map_err(page_err(lang))?;
    if let Some(t) = auth::cookie(&headers, SESSION_COOKIE) {
        hub.store.community().delete_session(&auth::digest(t)).await.map_err(|e| PageError(lang, e.into()))?;
    }
    let mut res = see(format!("/{}/", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0));
    Ok(res)
}

async fn reset_request(
    State(hub): Shared,
    Path(lang): Path<String>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let (v, f) = form(&hub, &headers, &body).await.map_err(page_err(lang))?;
    if !hub.limiter.hit(&format!("reset:{address}"), hub.limits.resets_per_address) {
        return Err(PageError(lang, AppError::TooMany("too many reset requests: retry later".into())));
    }
    let c = hub.store.community();
    // The answer is the same whether or not the email has an account.
    if let Some((account, _)) = c.credentials(f.get("email")).await.map_err(|e| PageError(lang, e.into()))? {
        let t = auth::token();
        c.create_reset(account.id, &auth::digest(&t), auth::now_secs() + auth::RESET_SECONDS)
            .await
            .map_err(|e| PageError(lang, e.into()))?;
        let link = format!("{}/{}/accesso/nuova-password?token={t}", hub.base_url, lang.code());
        let l = lang.labels();
        hub.mailer
            .send(&account.email, l["reset_subject"], &format!("{}\n\n{link}\n", l["reset_body"]))
            .map_err(page_err(lang))?;
    }
    let l = lang.labels();
    show(&hub, lang, &v, "account.html", "account", l["reset"], "accesso", context! { mode => "reset_sent" })
}

async fn reset_page(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> Page {
    let lang = lang_of(&lang)?;
    let p = Params::parse(q.as_deref()).map_err(page_err(lang))?;
    let token = p.one("token").map_err(page_err(lang))?.unwrap_or("").to_string();
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let l = lang.labels();
    let ctx = context! { mode => "new_password", token => token };
    with_form_token(&hub, v, |v| show(&hub, lang, v, "account.html", "account", l["new_password"], "accesso", ctx))
}

async fn reset(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let (_, f) = form(&hub, &headers, &body).await.map_err(page_err(lang))?;
    if f.get("password") != f.get("password2") {
        return Err(PageError(lang, AppError::BadRequest("password: the two passwords differ".into())));
    }
    let hash = hub.hasher.hash(f.get("password")).await.map_err(page_err(lang))?;
    let account = hub
        .store
        .community()
        .use_reset(&auth::digest(f.get("token")), auth::now_secs(), &hash)
        .await
        .map_err(|e| PageError(lang, e.into()))?;
    let cookie = auth::open_session(&hub.store, account.id).await.map_err(page_err(lang))?;
    let mut res = see(format!("/{}/profilo", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

// ---------------------------------------------------------------------------
// Profile and the editor's tasks.

async fn profile(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let Some(account) = v.account.clone() else { return Ok(see(format!("/{}/accesso", lang.code()))) };
    let c = hub.store.community();
    let err = |e: cantiere_store::Error| PageError(lang, e.into());
    let communities: HashMap<i64, Community> =
        c.communities().await.map_err(err)?.into_iter().map(|c| (c.id, c)).collect();
    #[derive(Serialize)]
    struct Mine {
        id: i64,
        community: String,
        slug: String,
        codice_ipa: String,
        body: String,
        referent: bool,
        confirmed_by: Option<String>,
        name: String,
    }
    let mine = |m: cantiere_store::community::Membership| {
        let comm = communities.get(&m.community_id);
        Mine {
            id: m.id,
            community: comm.map(|c| c.name.clone()).unwrap_or_default(),
            slug: comm.map(|c| c.slug.clone()).unwrap_or_default(),
            body: hub.body_name(&m.codice_ipa),
            codice_ipa: m.codice_ipa,
            referent: m.referent,
            confirmed_by: m.confirmed_by,
            name: m.name,
        }
    };
    let own: Vec<Mine> = c.memberships_of(account.id).await.map_err(err)?.into_iter().map(mine).collect();
    let mut to_confirm: Vec<Mine> = Vec::new();
    for ipa in &v.grants.editor_of {
        to_confirm.extend(c.memberships_for(ipa).await.map_err(err)?.into_iter().map(mine));
    }
    #[derive(Serialize)]
    struct Adopted {
        id: i64,
        solution: String,
        solution_id: i64,
        codice_ipa: String,
        status: &'static str,
        verified_by: Option<String>,
    }
    let mut adoptions = Vec::new();
    if !v.grants.editor_of.is_empty() {
        let names: HashMap<i64, String> = hub
            .obs
            .catalog()
            .map(|cat| cat.solutions.iter().map(|s| (s.id, s.name.clone())).collect())
            .unwrap_or_default();
        for ipa in &v.grants.editor_of {
            for a in hub.store.adoptions_of(ipa).await.map_err(err)? {
                adoptions.push(Adopted {
                    id: a.id,
                    solution: names.get(&a.solution_id).cloned().unwrap_or_else(|| format!("#{}", a.solution_id)),
                    solution_id: a.solution_id,
                    codice_ipa: a.codice_ipa,
                    status: a.status.code(),
                    verified_by: a.verified_by,
                });
            }
        }
    }
    let editor_of: Vec<(String, String)> = v.grants.editor_of.iter().map(|i| (i.clone(), hub.body_name(i))).collect();
    let coordinates: Vec<&Community> = v.grants.coordinator_of.iter().filter_map(|id| communities.get(id)).collect();
    let ctx = context! {
        own => own, to_confirm => to_confirm, adoptions => adoptions, editor_of => editor_of,
        coordinates => Value::from_serialize(&coordinates),
    };
    let l = lang.labels();
    show(&hub, lang, &v, "profile.html", "profile", l["profile"], "profilo", ctx)
}

async fn confirm_membership(
    State(hub): Shared,
    Path((lang, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        v.id()?;
        let c = hub.store.community();
        let m = c.membership(id_of(&id, "membership")?).await?;
        let editor = v.edits(&m.codice_ipa).ok_or_else(|| {
            AppError::Forbidden(format!("only an editor of `{}` may confirm its members", m.codice_ipa))
        })?;
        c.confirm(m.id, &editor, f.get("referent") == "1").await?;
        Ok::<_, AppError>(see(format!("/{}/profilo", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn verify_adoption(
    State(hub): Shared,
    Path((lang, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, _) = form(&hub, &headers, &body).await?;
        v.id()?;
        let id = id_of(&id, "adoption")?;
        let adoption = hub.store.adoption(id).await?;
        let editor = v.edits(&adoption.codice_ipa).ok_or_else(|| {
            AppError::Forbidden(format!("only an editor of `{}` may verify its adoptions", adoption.codice_ipa))
        })?;
        hub.store.verify_adoption(id, &editor).await?;
        hub.refresh_catalog().await?;
        Ok::<_, AppError>(see(format!("/{}/profilo", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

// ---------------------------------------------------------------------------
// Areas, communities, roles.

async fn communities(State(hub): Shared, Path(lang): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    // After an import: how many rows it wrote.
    let params = Params::parse(q.as_deref()).map_err(page_err(lang))?;
    let imported: Option<usize> = params.one("importate").map_err(page_err(lang))?.and_then(|n| n.parse().ok());
    let (cov, Inputs { areas, communities: comms, .. }) = compute(&hub, None).await.map_err(page_err(lang))?;
    let by_slug: HashMap<&str, &coverage::Row> = cov.communities.iter().map(|r| (r.slug.as_str(), r)).collect();
    let groups: Vec<Value> = areas
        .iter()
        .map(|a| {
            let list: Vec<Value> = comms
                .iter()
                .filter(|c| c.area_id == a.id)
                .map(|c| context! { c => Value::from_serialize(c), f => Value::from_serialize(by_slug.get(c.slug.as_str()).map(|r| &r.figures)) })
                .collect();
            context! { area => Value::from_serialize(a), communities => list }
        })
        .collect();
    let ctx = context! {
        groups => groups, totals => Value::from_serialize(&cov.totals), scope => Value::from_serialize(&cov.scope),
        imported => imported,
    };
    let l = lang.labels();
    show(&hub, lang, &v, "communities.html", "communities", l["communities"], "comunita", ctx)
}

/// The largest file the import form takes (a region's registrations are
/// about 100 KB).
pub const UPLOAD_MAX: usize = 2 << 20;

/// The routes that take files, with their own body limit ([`UPLOAD_MAX`]
/// instead of the site's).
pub fn upload_routes(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/{lang}/comunita/importa", post(import_file))
        .layer(DefaultBodyLimit::max(UPLOAD_MAX))
        .layer(axum::middleware::from_fn_with_state(hub.clone(), public_cache))
        .with_state(hub)
}

/// An admin imports a CSV file of areas, communities or registrations: all
/// or nothing, as `cantiere community import`; a refused file gets the list
/// of its bad rows (400).
async fn import_file(
    State(hub): Shared,
    Path(lang): Path<String>,
    headers: HeaderMap,
    upload: Result<Multipart, MultipartRejection>,
) -> Page {
    let lang = lang_of(&lang)?;
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("the uploaded form: {e}"));
    let run = async {
        let mut upload = upload.map_err(|e| {
            AppError::BadRequest(format!("the import form is sent as multipart/form-data with a file: {e}"))
        })?;
        let v = viewer(&hub, &headers).await?;
        // The token is the form's first field, checked before the file is read.
        let sent = match upload.next_field().await.map_err(bad)? {
            Some(f) if f.name() == Some("csrf") => f.text().await.map_err(bad)?,
            _ => String::new(),
        };
        check_token(&v, &sent)?;
        require_admin(&v)?;
        let (mut kind, mut file) = (None, None);
        while let Some(f) = upload.next_field().await.map_err(bad)? {
            match f.name() {
                Some("kind") => kind = Some(f.text().await.map_err(bad)?),
                Some("file") => {
                    let name = f.file_name().filter(|n| !n.is_empty()).unwrap_or("upload.csv").to_string();
                    file = Some((name, f.bytes().await.map_err(bad)?));
                }
                _ => {}
            }
        }
        let kind = match kind.as_deref() {
            Some("areas") => CsvKind::Areas,
            Some("communities") => CsvKind::Communities,
            Some("registrations") => CsvKind::Registrations,
            other => {
                return Err(AppError::BadRequest(format!(
                    "kind: expected areas, communities or registrations, got `{}`",
                    other.unwrap_or("")
                )));
            }
        };
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err(AppError::BadRequest("file: choose a non-empty CSV file".into()));
        };
        match hub.store.community().import_csv(kind, &name, &bytes).await {
            Ok(n) => Ok(see(format!("/{}/comunita?importate={n}", lang.code()))),
            Err(cantiere_store::Error::Rows { file, errors }) => {
                let ctx = context! { file => file, errors => Value::from_serialize(&errors) };
                let l = lang.labels();
                let title = l["import_refused"];
                let page = show(&hub, lang, &v, "import_report.html", "communities", title, "comunita", ctx);
                let mut res = page.map_err(|PageError(_, e)| e)?;
                *res.status_mut() = StatusCode::BAD_REQUEST;
                Ok(res)
            }
            Err(e) => Err(e.into()),
        }
    };
    run.await.map_err(page_err(lang))
}

async fn create_area(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        require_admin(&v)?;
        hub.store.community().create_area(f.get("slug"), f.get("name"), f.get("description")).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn create_community(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        require_admin(&v)?;
        let c = hub.store.community();
        let made = c.create_community(f.get("slug"), f.get("area"), f.get("name"), f.get("description")).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{}", lang.code(), made.slug)))
    };
    run.await.map_err(page_err(lang))
}

async fn grant_role(State(hub): Shared, Path(lang): Path<String>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        require_admin(&v)?;
        let c = hub.store.community();
        let (account, _) = c
            .credentials(f.get("email"))
            .await?
            .ok_or_else(|| AppError::BadRequest(format!("email: no account `{}`", f.get("email").trim())))?;
        let by = v.account.as_ref().map(|a| a.email.clone()).unwrap_or_default();
        match f.get("role") {
            "admin" => c.set_admin(account.id, true).await?,
            "editor" => c.grant_editor(account.id, f.get("target"), &by).await?,
            "coordinator" => {
                let comm = community_of(&hub, f.get("target").trim()).await?;
                c.grant_coordinator(account.id, comm.id).await?
            }
            other => return Err(AppError::BadRequest(format!("role: `{other}` is not admin, editor or coordinator"))),
        }
        Ok::<_, AppError>(see(format!("/{}/comunita", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

// ---------------------------------------------------------------------------
// One community.

/// Threads and resources on a page of a community.
pub const PER_PAGE: usize = 20;
/// Messages on a page of a thread.
pub const POSTS_PER_PAGE: usize = 50;

/// Page `name` of a query (`1` when absent); a number out of range is 404.
fn page_number(p: &Params, name: &str) -> Result<usize, AppError> {
    match p.one(name)? {
        None => Ok(1),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("{name}: expected a page number, found `{t}`"))),
    }
}

/// The pages of a list: (number, total pages).
fn pages<T>(list: &Paged<T>, page: usize, per_page: usize) -> Value {
    context! { page => page, pages => list.total.div_ceil(per_page).max(1), total => list.total }
}

async fn community(
    State(hub): Shared,
    Path((lang, slug)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let p = Params::parse(q.as_deref()).map_err(page_err(lang))?;
    let (thread_page, resource_page) =
        (page_number(&p, "discussioni").map_err(page_err(lang))?, page_number(&p, "risorse").map_err(page_err(lang))?);
    let c = hub.store.community();
    let err = |e: cantiere_store::Error| PageError(lang, e.into());
    let comm = c.community_by_slug(&slug).await.map_err(err)?;
    let signed_in = v.account.is_some();
    let members = people::for_visitor(c.memberships(Some(comm.id)).await.map_err(err)?, signed_in);
    let mine: Vec<i64> = v
        .account
        .as_ref()
        .map(|a| members.iter().filter(|m| m.account_id == a.id).map(|m| m.id).collect())
        .unwrap_or_default();
    // Bodies with their people (names shown to signed-in visitors only).
    let mut bodies: Vec<(String, Vec<&cantiere_store::community::Membership>)> = Vec::new();
    for m in &members {
        match bodies.last_mut() {
            Some((ipa, list)) if *ipa == m.codice_ipa => list.push(m),
            _ => bodies.push((m.codice_ipa.clone(), vec![m])),
        }
    }
    let bodies: Vec<Value> = bodies
        .iter()
        .map(|(ipa, list)| {
            context! { codice_ipa => ipa, name => hub.body_name(ipa), members => Value::from_serialize(list),
            referent => list.iter().find(|m| m.referent).map(|m| m.name.clone()) }
        })
        .collect();
    let solutions: Vec<(i64, String)> = hub
        .obs
        .catalog()
        .map(|cat| cat.solutions.iter().filter(|s| s.active).map(|s| (s.id, s.name.clone())).collect())
        .unwrap_or_default();
    let participant = v.account.is_some() && (v.coordinates(comm.id) || !mine.is_empty());
    let threads = c.threads_page(comm.id, Slice::page(thread_page, PER_PAGE)).await.map_err(err)?;
    let resources = c.resources_page(comm.id, Slice::page(resource_page, PER_PAGE)).await.map_err(err)?;
    let ctx = context! {
        c => Value::from_serialize(&comm),
        coordinators => Value::from_serialize(people::for_visitor(c.coordinators(comm.id).await.map_err(err)?, signed_in)),
        bodies => bodies,
        registrations => members.len(),
        mine => mine,
        participant => participant,
        coordinator => v.coordinates(comm.id),
        meetings => Value::from_serialize(people::for_visitor(c.meetings(comm.id).await.map_err(err)?, signed_in)),
        resources_pages => pages(&resources, resource_page, PER_PAGE),
        threads_pages => pages(&threads, thread_page, PER_PAGE),
        resources => Value::from_serialize(people::for_visitor(resources.items, signed_in)),
        threads => Value::from_serialize(people::for_visitor(threads.items, signed_in)),
        consultations => Value::from_serialize(people::for_visitor(c.consultations(comm.id).await.map_err(err)?, signed_in)),
        solutions => solutions,
        modes => MEETING_MODES, kinds => RESOURCE_KINDS, consultation_statuses => CONSULTATION_STATUSES,
    };
    show(&hub, lang, &v, "community.html", "communities", &comm.name, &format!("comunita/{slug}"), ctx)
}

async fn join(State(hub): Shared, Path((lang, slug)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let id = v.id()?;
        let comm = community_of(&hub, &slug).await?;
        hub.store.community().join(comm.id, id, f.get("codice_ipa")).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn leave(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, _) = form(&hub, &headers, &body).await?;
        let me = v.id()?;
        hub.store.community().leave(id_of(&id, "membership")?, me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn create_meeting(
    State(hub): Shared,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let by = require_coordinator(&v, &comm)?;
        let input = MeetingInput {
            title: f.get("title").into(),
            starts_at: f.get("starts_at").into(),
            mode: f.get("mode").into(),
            link: Some(f.get("link").to_string()),
            place: Some(f.get("place").to_string()),
            agenda: f.get("agenda").into(),
        };
        let m = hub.store.community().create_meeting(comm.id, &input, by).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/incontri/{}", lang.code(), m.id)))
    };
    run.await.map_err(page_err(lang))
}

async fn meeting(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let run = async {
        let comm = community_of(&hub, &slug).await?;
        let c = hub.store.community();
        let m = people::for_visitor(meeting_of(&hub, &comm, &id).await?, v.account.is_some());
        let regs = people::for_visitor(c.registrations(m.id).await?, v.account.is_some());
        let registered = v.account.as_ref().is_some_and(|a| regs.iter().any(|r| r.account_id == a.id));
        let participant = require_participant(&hub, &v, &comm).await.is_ok();
        Ok((comm, m, regs, registered, participant))
    };
    let (comm, m, regs, registered, participant) = run.await.map_err(page_err(lang))?;
    let ctx = context! {
        c => Value::from_serialize(&comm), m => Value::from_serialize(&m),
        registrations => Value::from_serialize(&regs), registered => registered, participant => participant,
        coordinator => v.coordinates(comm.id), statuses => MEETING_STATUSES,
    };
    show(&hub, lang, &v, "meeting.html", "communities", &m.title, &format!("comunita/{slug}/incontri/{id}"), ctx)
}

async fn register_meeting(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, _) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        let m = meeting_of(&hub, &comm, &id).await?;
        hub.store.community().register(m.id, me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/incontri/{id}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn update_meeting(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        require_coordinator(&v, &comm)?;
        let c = hub.store.community();
        let m = meeting_of(&hub, &comm, &id).await?;
        let attended: Vec<i64> = f.all("attended").iter().filter_map(|a| a.parse().ok()).collect();
        c.set_attendance(m.id, &attended).await?;
        c.update_meeting(m.id, f.get("status"), Some(f.get("minutes"))).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/incontri/{id}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn add_resource(
    State(hub): Shared,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        let solution_id = match f.get("solution").trim() {
            "" => None,
            s => Some(s.parse().map_err(|_| AppError::BadRequest(format!("solution: `{s}` is not a solution id")))?),
        };
        let input = ResourceInput {
            kind: f.get("kind").into(),
            title: f.get("title").into(),
            url: Some(f.get("url").to_string()),
            solution_id,
            description: f.get("description").into(),
        };
        hub.store.community().add_resource(comm.id, &input, me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}#risorse", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn create_thread(
    State(hub): Shared,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        let t = hub.store.community().create_thread(comm.id, f.get("title"), f.get("body"), me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/discussioni/{}", lang.code(), t.id)))
    };
    run.await.map_err(page_err(lang))
}

async fn thread(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let signed_in = v.account.is_some();
    let run = async {
        let page = page_number(&Params::parse(q.as_deref())?, "pagina")?;
        let comm = community_of(&hub, &slug).await?;
        let c = hub.store.community();
        let t = people::for_visitor(thread_of(&hub, &comm, &id).await?, signed_in);
        let posts = people::for_visitor(c.posts_page(t.id, Slice::page(page, POSTS_PER_PAGE)).await?, signed_in);
        let participant = require_participant(&hub, &v, &comm).await.is_ok();
        Ok((comm, t, posts, page, participant))
    };
    let (comm, t, posts, page, participant) = run.await.map_err(page_err(lang))?;
    let ctx = context! {
        c => Value::from_serialize(&comm), thread => Value::from_serialize(&t),
        posts_pages => pages(&posts, page, POSTS_PER_PAGE),
        posts => Value::from_serialize(&posts.items), participant => participant,
    };
    show(&hub, lang, &v, "thread.html", "communities", &t.title, &format!("comunita/{slug}/discussioni/{id}"), ctx)
}

async fn reply(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        let c = hub.store.community();
        let t = thread_of(&hub, &comm, &id).await?;
        c.reply(t.id, f.get("body"), me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/discussioni/{id}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn create_consultation(
    State(hub): Shared,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let comm = community_of(&hub, &slug).await?;
        let by = require_coordinator(&v, &comm)?;
        let status = if f.get("status").is_empty() { "open" } else { f.get("status") };
        let made =
            hub.store.community().create_consultation(comm.id, f.get("title"), f.get("body"), status, by).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{}", lang.code(), made.id)))
    };
    run.await.map_err(page_err(lang))
}

/// A meeting of a community, by the id in the path.
async fn meeting_of(hub: &Hub, comm: &Community, id: &str) -> Result<cantiere_store::community::Meeting, AppError> {
    let m = hub.store.community().meeting(id_of(id, "meeting")?).await?;
    if m.community_id != comm.id {
        return Err(AppError::NotFound(format!("meeting #{id} in «{}»", comm.name)));
    }
    Ok(m)
}

/// A thread of a community, by the id in the path.
async fn thread_of(hub: &Hub, comm: &Community, id: &str) -> Result<cantiere_store::community::Thread, AppError> {
    let t = hub.store.community().thread(id_of(id, "thread")?).await?;
    if t.community_id != comm.id {
        return Err(AppError::NotFound(format!("thread #{id} in «{}»", comm.name)));
    }
    Ok(t)
}

/// A consultation of the community named in the path.
async fn consultation_in(hub: &Hub, slug: &str, id: &str) -> Result<(Community, i64), AppError> {
    let comm = community_of(hub, slug).await?;
    let cons = hub.store.community().consultation(id_of(id, "consultation")?).await?;
    if cons.community_id != comm.id {
        return Err(AppError::NotFound(format!("consultation #{id} in «{}»", comm.name)));
    }
    Ok((comm, cons.id))
}

/// A proposal of the community named in the path.
async fn proposal_in(hub: &Hub, slug: &str, id: &str) -> Result<(Community, i64, i64), AppError> {
    let p = hub.store.community().proposal(id_of(id, "proposal")?).await?;
    let (comm, cons) = consultation_in(hub, slug, &p.consultation_id.to_string()).await?;
    Ok((comm, cons, p.id))
}

async fn consultation(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let run = async {
        let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
        let c = hub.store.community();
        let signed_in = v.account.is_some();
        let cons = people::for_visitor(c.consultation(cid).await?, signed_in);
        let mut proposals = Vec::new();
        for p in people::for_visitor(c.proposals(cid).await?, signed_in) {
            let comments = people::for_visitor(c.comments(p.id).await?, signed_in);
            proposals.push(context! { p => Value::from_serialize(&p), comments => Value::from_serialize(&comments) });
        }
        let participant = require_participant(&hub, &v, &comm).await.is_ok();
        Ok((comm, cons, proposals, participant))
    };
    let (comm, cons, proposals, participant) = run.await.map_err(page_err(lang))?;
    let ctx = context! {
        c => Value::from_serialize(&comm), cons => Value::from_serialize(&cons), proposals => proposals,
        participant => participant, coordinator => v.coordinates(comm.id),
        statuses => CONSULTATION_STATUSES, proposal_statuses => PROPOSAL_STATUSES,
    };
    show(
        &hub,
        lang,
        &v,
        "consultation.html",
        "communities",
        &cons.title,
        &format!("comunita/{slug}/consultazioni/{id}"),
        ctx,
    )
}

async fn consultation_status(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
        require_coordinator(&v, &comm)?;
        hub.store.community().set_consultation_status(cid, f.get("status")).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{id}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn add_proposal(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        hub.store.community().add_proposal(cid, f.get("title"), f.get("body"), me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{id}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn comment(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        hub.store.community().comment(pid, f.get("body"), me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn support(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, _) = form(&hub, &headers, &body).await?;
        let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
        let me = require_participant(&hub, &v, &comm).await?;
        hub.store.community().support(pid, me).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

async fn proposal_status(
    State(hub): Shared,
    Path((lang, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Page {
    let lang = lang_of(&lang)?;
    let run = async {
        let (v, f) = form(&hub, &headers, &body).await?;
        let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
        require_coordinator(&v, &comm)?;
        hub.store.community().set_proposal_status(pid, f.get("status")).await?;
        Ok::<_, AppError>(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
    };
    run.await.map_err(page_err(lang))
}

// ---------------------------------------------------------------------------
// Coverage.

/// What the coverage is computed from, read once per request.
struct Inputs {
    areas: Vec<cantiere_store::community::Area>,
    communities: Vec<Community>,
    memberships: Vec<cantiere_store::community::Membership>,
}

/// The coverage over a region (or the registered bodies' regions), with the
/// rows it was computed from.
async fn compute(hub: &Hub, region: Option<&str>) -> Result<(coverage::Coverage, Inputs), AppError> {
    if let Some(r) = region
        && !hub.obs.munis.iter().any(|m| m.body.region_code == r)
    {
        return Err(AppError::BadRequest(format!("regione: no region `{r}` in this run (e.g. 08)")));
    }
    let c = hub.store.community();
    let i = Inputs {
        areas: c.areas().await?,
        communities: c.communities().await?,
        memberships: c.memberships(None).await?,
    };
    let cov = coverage::coverage(&hub.obs, &hub.bodies, &i.areas, &i.communities, &i.memberships, region);
    Ok((cov, i))
}

fn region_param(q: Option<&str>) -> Result<Option<String>, AppError> {
    let p = Params::parse(q)?;
    Ok(p.one("regione")?.filter(|r| !r.is_empty()).map(str::to_string))
}

async fn coverage_page(
    State(hub): Shared,
    Path(lang): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Page {
    let lang = lang_of(&lang)?;
    let v = viewer(&hub, &headers).await.map_err(page_err(lang))?;
    let region = region_param(q.as_deref()).map_err(page_err(lang))?;
    let (cov, _) = compute(&hub, region.as_deref()).await.map_err(page_err(lang))?;
    let shares: HashMap<&str, f64> =
        cov.provinces.iter().map(|p| (p.code.as_str(), (p.share * 1000.0).round() / 10.0)).collect();
    let mut regions: Vec<(&str, &str)> =
        hub.obs.areas.iter().filter(|a| a.level == "region").map(|a| (a.code.as_str(), a.name.as_str())).collect();
    regions.sort_by(|a, b| a.1.cmp(b.1));
    let ctx = context! {
        cov => Value::from_serialize(&cov),
        shares => serde_json::to_string(&shares).unwrap_or_default(),
        regions => regions, region => region,
        missing_shown => Value::from_serialize(cov.missing.iter().take(200).collect::<Vec<_>>()),
    };
    let l = lang.labels();
    show(&hub, lang, &v, "coverage.html", "coverage", l["coverage"], "copertura", ctx)
}

// ---------------------------------------------------------------------------
// API.

fn json(value: &impl Serialize) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(serde_json::to_value(value).unwrap_or_default())).into_response()
}

fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Result<Response, ApiError> {
    Ok(no_store(crate::api::csv_response(name, rows)?))
}

/// `/api/v1/communities`: areas and communities with their figures.
async fn api_communities(State(hub): Shared) -> Result<Response, ApiError> {
    let (cov, Inputs { areas, communities: comms, .. }) = compute(&hub, None).await?;
    let figures: HashMap<&str, &coverage::Figures> =
        cov.communities.iter().map(|r| (r.slug.as_str(), &r.figures)).collect();
    let list: Vec<serde_json::Value> = comms
        .iter()
        .map(|c| serde_json::json!({"slug": c.slug, "name": c.name, "area": c.area_slug, "description": c.description, "figures": figures.get(c.slug.as_str())}))
        .collect();
    Ok(json(&serde_json::json!({"areas": areas, "communities": list})))
}

/// `/api/v1/communities/{slug}`: one community: bodies, meetings, resources,
/// threads, consultations (people are not listed: counts only).
/// An item of the public API, its (blanked) `author` field left out.
fn without_author(item: &impl Serialize) -> serde_json::Value {
    let mut v = serde_json::to_value(item).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("author");
    }
    v
}

async fn api_community(State(hub): Shared, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let c = hub.store.community();
    let comm = community_of(&hub, &slug).await?;
    let members = c.memberships(Some(comm.id)).await.map_err(AppError::from)?;
    let mut bodies: Vec<serde_json::Value> = Vec::new();
    let mut counted: HashMap<&str, usize> = HashMap::new();
    for m in &members {
        *counted.entry(m.codice_ipa.as_str()).or_default() += 1;
    }
    let mut ipas: Vec<&&str> = counted.keys().collect();
    ipas.sort();
    for ipa in ipas {
        bodies.push(serde_json::json!({"codice_ipa": ipa, "name": hub.body_name(ipa), "registrations": counted[*ipa]}));
    }
    let e = AppError::from;
    Ok(json(&serde_json::json!({
        "community": comm,
        "registrations": members.len(),
        "bodies": bodies,
        "meetings": people::public(c.meetings(comm.id).await.map_err(e)?).iter().map(without_author).collect::<Vec<_>>(),
        "resources": people::public(c.resources(Some(comm.id)).await.map_err(e)?).iter().map(without_author).collect::<Vec<_>>(),
        "threads": people::public(c.threads(comm.id).await.map_err(e)?).iter().map(without_author).collect::<Vec<_>>(),
        "consultations": people::public(c.consultations(comm.id).await.map_err(e)?).iter().map(without_author).collect::<Vec<_>>(),
    })))
}

/// `/api/v1/registrations.csv`: one row per registration (no personal data).
async fn api_registrations_csv(State(hub): Shared) -> Result<Response, ApiError> {
    let c = hub.store.community();
    let comms: HashMap<i64, Community> =
        c.communities().await.map_err(AppError::from)?.into_iter().map(|c| (c.id, c)).collect();
    let mut rows = vec![
        ["community", "area", "codice_ipa", "administration", "referent", "confirmed", "registered_at"]
            .map(String::from)
            .to_vec(),
    ];
    for m in c.memberships(None).await.map_err(AppError::from)? {
        let comm = comms.get(&m.community_id);
        rows.push(vec![
            comm.map(|c| c.slug.clone()).unwrap_or_default(),
            comm.map(|c| c.area_slug.clone()).unwrap_or_default(),
            m.codice_ipa.clone(),
            hub.body_name(&m.codice_ipa),
            if m.referent { "1" } else { "0" }.into(),
            if m.confirmed_by.is_some() { "1" } else { "0" }.into(),
            m.created_at,
        ]);
    }
    csv_response("registrations.csv", rows)
}

/// `/api/v1/coverage[?regione=]`.
async fn api_coverage(State(hub): Shared, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let region = region_param(q.as_deref())?;
    Ok(json(&compute(&hub, region.as_deref()).await?.0))
}

/// `/api/v1/coverage.csv[?regione=]`: every comune of the scope with its
/// registrations.
async fn api_coverage_csv(State(hub): Shared, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let region = region_param(q.as_deref())?;
    let (cov, inputs) = compute(&hub, region.as_deref()).await?;
    let mut per: HashMap<&str, usize> = HashMap::new();
    for m in &inputs.memberships {
        *per.entry(m.codice_ipa.as_str()).or_default() += 1;
    }
    let regions: HashSet<&str> = cov.scope.iter().map(|(c, _)| c.as_str()).collect();
    let mut rows = vec![
        ["code", "codice_ipa", "name", "province", "size_class", "population", "registrations"]
            .map(String::from)
            .to_vec(),
    ];
    for m in hub.obs.munis.iter().filter(|m| regions.contains(m.body.region_code.as_str())) {
        let ipa = Observatory::ipa_of(m);
        rows.push(vec![
            m.body.code.clone(),
            ipa.clone(),
            m.body.name.clone(),
            m.body.province_abbr.clone(),
            m.body.size_class.clone(),
            m.body.population.map(|p| p.to_string()).unwrap_or_default(),
            per.get(ipa.as_str()).copied().unwrap_or(0).to_string(),
        ]);
    }
    rows[1..].sort();
    csv_response("coverage.csv", rows)
}

/// The community API's endpoints, as the OpenAPI document lists them (same
/// shape as [`crate::PATHS`]: path, summary, query parameters, media type).
pub const READS: &[(&str, &str, &[&str], &str)] = &[
    ("/api/v1/communities", "Thematic areas and communities with their coverage figures", &[], "application/json"),
    (
        "/api/v1/communities/{slug}",
        "One community: bodies, meetings, resources, threads, consultations",
        &[],
        "application/json",
    ),
    ("/api/v1/registrations.csv", "Registrations by community and administration (no personal data)", &[], "text/csv"),
    (
        "/api/v1/coverage",
        "Coverage of the territory: totals, by community, area, province, size class",
        &["regione"],
        "application/json",
    ),
    ("/api/v1/coverage.csv", "Every comune of the scope with its number of registrations", &["regione"], "text/csv"),
];
