//! A site with the communities on a fresh database per backend, and a
//! browser-like client (cookies, form tokens, client address) for the web
//! tests.

// Each test binary uses some of these helpers.
#![allow(dead_code)]

// The store's test helpers (repository root, a region's run from the real data), one copy for both crates.
#[path = "../../../store/tests/common/mod.rs"]
pub mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use cantiere_store::community::CsvKind;
use cantiere_store::{Snapshot, Store};
use cantiere_web::auth::{Limits, MemoryMailer};
use cantiere_web::catalog::Catalog;
use cantiere_web::community::Hub;
use cantiere_web::{Assets, Observatory, app_with_communities};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::root().join("fixtures/communities").join(name)).unwrap()
}

/// Fresh databases named `purpose` per backend (the store tests' helper).
pub async fn databases(purpose: &str) -> Vec<String> {
    common::urls(purpose).await
}

pub struct Site {
    pub app: Router,
    pub store: Store,
    pub mailer: Arc<MemoryMailer>,
}

pub async fn site(url: &str, snap: &Snapshot, limits: Limits) -> Site {
    let store = Store::open(url).await.unwrap();
    store.import(snap).await.unwrap();
    let c = store.community();
    c.import_csv(CsvKind::Areas, "areas.csv", &fixture("areas.csv")).await.unwrap();
    c.import_csv(CsvKind::Communities, "communities.csv", &fixture("communities.csv")).await.unwrap();
    c.import_csv(CsvKind::Registrations, "registrations.csv", &fixture("registrations.csv")).await.unwrap();
    store.ingest_solutions(&common::demo_catalog()).await.unwrap();
    let catalog = Catalog::new(store.solutions().await.unwrap(), store.adoptions().await.unwrap()).unwrap();
    let obs = Arc::new(Observatory::new(store.load(None).await.unwrap()).with_catalog(catalog));
    let mailer = Arc::new(MemoryMailer::default());
    let hub = Hub::new(obs, store.clone(), mailer.clone(), "https://cantiere.example.org", limits);
    let assets = Assets { node_modules: common::root().join("web/node_modules") };
    Site { app: app_with_communities(Arc::new(hub), &assets), store, mailer }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser: cookies kept, the last form token seen.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    /// The client's address, as the server sees it (`local` when none).
    pub address: Option<SocketAddr>,
}

impl Client {
    pub fn new(app: &Router) -> Client {
        Client { app: app.clone(), cookies: HashMap::new(), csrf: String::new(), address: None }
    }

    /// A client connecting from `address`.
    pub fn from(app: &Router, address: &str) -> Client {
        Client { address: Some(address.parse().unwrap()), ..Client::new(app) }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> (StatusCode, String, String) {
        if let Some(a) = self.address {
            req.extensions_mut().insert(ConnectInfo(a));
        }
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            assert!(c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax"), "{c}");
            // `__Host-`: only this host over https may set it, for the whole site.
            assert!(c.starts_with("__Host-") && c.contains("Path=/;") && !c.contains("Domain"), "{c}");
            let (kv, _) = c.split_once(';').unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            self.csrf = body[i + 19..i + 19 + 64].to_string();
        }
        (status, body, location)
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let req = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        let (s, b, _) = self.send(req).await;
        (s, b)
    }

    /// Posts a form with the current token (unless `csrf` is false).
    pub async fn post_with(&mut self, path: &str, fields: &[(&str, &str)], csrf: bool) -> (StatusCode, String, String) {
        let mut body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        if csrf {
            body.push(format!("csrf={}", self.csrf));
        }
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.send(req).await
    }

    /// Posts a `multipart/form-data` form as a browser does: the token first
    /// (unless `csrf` is false), then the fields in order; the field `file` is
    /// a file part named by the field `filename` (not sent itself).
    pub async fn upload_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> (StatusCode, String, String) {
        let boundary = "----cantiere-test-boundary";
        let mut body = String::new();
        if csrf {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            ));
        }
        let filename = fields.iter().find(|(k, _)| *k == "filename").map_or("upload.csv", |(_, v)| *v);
        for (k, v) in fields.iter().filter(|(k, _)| *k != "filename") {
            let disposition = if *k == "file" {
                format!("form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv")
            } else {
                format!("form-data; name=\"{k}\"")
            };
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        self.post_with(path, fields, true).await
    }

    /// Registers (the answer: its status) and signs in; the token is the
    /// session's afterwards.
    pub async fn register(&mut self, name: &str, email: &str, password: &str) -> StatusCode {
        self.get("/it/accesso").await;
        let fields = [("name", name), ("email", email), ("password", password), ("password2", password)];
        let (s, _, _) = self.post("/it/accesso/registrati", &fields).await;
        self.sign_in(email, password).await;
        self.get("/it/profilo").await;
        s
    }

    /// Signs in; the status.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> StatusCode {
        self.get("/it/accesso").await;
        self.post("/it/accesso/entra", &[("email", email), ("password", password)]).await.0
    }

    /// The session cookie's value.
    pub fn session(&self) -> Option<&String> {
        self.cookies.get(cantiere_web::auth::SESSION_COOKIE)
    }
}

/// A JSON body.
pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap()
}

/// Emilia-Romagna's run, built once for every test of a file.
pub fn emilia_romagna() -> &'static Snapshot {
    static RUN: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
    RUN.get_or_init(|| common::snapshot("Emilia-Romagna"))
}
