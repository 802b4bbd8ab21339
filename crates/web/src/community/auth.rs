//! Who is asking: passwords, sessions, form tokens, rate limits, mail.
//!
//! - **Passwords** are hashed with argon2id (the `argon2` crate's defaults,
//!   RFC 9106's second recommended option: 19 MiB, 2 passes, 1 lane, a
//!   random 16-byte salt) on the blocking thread pool, at most as many at a
//!   time as there are cores; only the PHC string reaches the store. A
//!   password is 10 to 128 characters.
//! - **Sessions**: a random 32-byte token in a cookie (`__Host-` prefixed,
//!   `HttpOnly; Secure; SameSite=Lax; Path=/`, 14 days): the prefix means a
//!   sibling subdomain or a plain-http page cannot set it. The store keeps
//!   its SHA-256 digest only, so a copy of the database opens no session. A
//!   forged or expired cookie is simply no session.
//! - **CSRF**: every form carries a token. A signed-in visitor's token is
//!   bound to the session (stored beside it); a visitor without a session
//!   (sign-in, registration, reset forms) gets a token that this server
//!   issued ([`FormKey`]: a random nonce and its HMAC-SHA256 under the
//!   server's key) in a `__Host-` cookie, and the form repeats it (signed
//!   double submit): a value an attacker makes up is refused, which stops
//!   login CSRF. A POST without the matching token is refused with 403
//!   before anything is read or written.
//! - **Rate limits** ([`Limits`]): sign-in attempts per client address,
//!   registrations and reset requests per address, in fixed windows; failed
//!   sign-ins per (account, client address) slow that pair down
//!   exponentially ([`Backoff`]) instead of locking the account, so a
//!   stranger's guesses never lock its owner out; in memory.
//! - **Mail** ([`Mailer`]): reset links are handed to a mailer; the default
//!   writes each message to a spool folder for the deployment's mail relay
//!   to send (no SMTP client here); tests keep them in memory.
//! - **External identity** (SPID, CIE): a deployment's adapter verifies the
//!   provider's assertion and calls
//!   `Store::community().external_sign_in(provider, subject, email, name)`,
//!   then [`open_session`] — the rest of the site does not change.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::{HeaderMap, HeaderValue, header};
use cantiere_store::Store;
use cantiere_store::community::Session;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::http::error::{AppError, internal};

/// The session cookie (`__Host-`: set only by this host over https, path `/`).
pub const SESSION_COOKIE: &str = "__Host-cantiere_session";
/// The anonymous form-token cookie.
pub const CSRF_COOKIE: &str = "__Host-cantiere_csrf";
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 14 * 86_400;
/// How long a reset link works.
pub const RESET_SECONDS: i64 = 3_600;
/// Shortest password.
pub const MIN_PASSWORD: usize = 10;
/// Longest password.
pub const MAX_PASSWORD: usize = 128;

/// Now, Unix seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A random token: 32 bytes, hex.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 digest of a token, hex (what the store keeps).
pub fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Hashes passwords on the blocking pool, a bounded number at a time.
#[derive(Debug)]
pub struct Hasher {
    permits: Semaphore,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher { permits: Semaphore::new(cores) }
    }
}

impl Hasher {
    /// Checks a new password's length.
    pub fn check(password: &str) -> Result<(), AppError> {
        let n = password.chars().count();
        if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
            return Err(AppError::BadRequest(format!(
                "password: {MIN_PASSWORD} to {MAX_PASSWORD} characters (got {n})"
            )));
        }
        Ok(())
    }

    /// The argon2id PHC string of a password.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        Hasher::check(password)?;
        let _permit = self.permits.acquire().await.map_err(internal)?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await
        .map_err(internal)?
        .map_err(internal)
    }

    /// Whether a password matches a PHC string (false for a malformed one).
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, AppError> {
        if password.chars().count() > MAX_PASSWORD {
            return Ok(false);
        }
        let _permit = self.permits.acquire().await.map_err(internal)?;
        let (password, phc) = (password.to_string(), phc.to_string());
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        })
        .await
        .map_err(internal)
    }
}

/// The key that signs the form tokens given before sign-in.
#[derive(Clone)]
pub struct FormKey([u8; 32]);

impl std::fmt::Debug for FormKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormKey(…)")
    }
}

impl FormKey {
    /// A random key (tokens issued before a restart are then refused: the
    /// visitor reloads the form).
    pub fn random() -> FormKey {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        FormKey(key)
    }

    /// A key derived from a secret shared by every server of a deployment
    /// (`CANTIERE_SECRET`), so that a form served by one is accepted by another.
    pub fn from_secret(secret: &str) -> FormKey {
        FormKey(Sha256::digest(format!("cantiere form key\n{secret}").as_bytes()).into())
    }

    fn mac(&self, nonce: &str) -> String {
        use hmac::{KeyInit, Mac};
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes a key of any size");
        mac.update(b"csrf:");
        mac.update(nonce.as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// A new token: 32 hex digits of nonce, 32 of their truncated HMAC.
    pub fn issue(&self) -> String {
        let nonce = token()[..32].to_string();
        let mac = self.mac(&nonce);
        nonce + &mac
    }

    /// Whether this key issued `token`.
    pub fn issued(&self, token: &str) -> bool {
        token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) && same(&token[32..], &self.mac(&token[..32]))
    }
}

/// Failed sign-ins per key (an account and a client address): the first
/// `free` cost nothing, then each further attempt must wait twice as long as
/// the one before (1 s, 2 s, 4 s … at most `max_wait`); failures older than
/// `window` are forgotten. The owner, from another address, is not slowed.
#[derive(Debug)]
pub struct Backoff {
    entries: Mutex<HashMap<String, (Instant, u32)>>,
    free: u32,
    window: Duration,
    max_wait: Duration,
}

impl Backoff {
    /// A backoff after `free` failures within `window`.
    pub fn new(free: u32, window: Duration, max_wait: Duration) -> Backoff {
        Backoff { entries: Mutex::new(HashMap::new()), free, window, max_wait }
    }

    /// How long `key` must still wait before its next attempt, if at all.
    pub fn wait(&self, key: &str) -> Option<Duration> {
        let entries = self.entries.lock().ok()?;
        let (last, failures) = entries.get(key)?;
        if *failures < self.free || last.elapsed() >= self.window {
            return None;
        }
        let wait = Duration::from_secs(1u64 << (failures - self.free).min(20)).min(self.max_wait);
        wait.checked_sub(last.elapsed()).filter(|d| !d.is_zero())
    }

    /// Counts a failure of `key`.
    pub fn fail(&self, key: &str) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, (last, _)| last.elapsed() < window);
        }
        let e = entries.entry(key.to_string()).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= self.window {
            e.1 = 0;
        }
        *e = (Instant::now(), e.1 + 1);
    }

    /// Forgets `key` (a successful sign-in).
    pub fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

/// Rate limits: (attempts, window).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sign-in attempts per client address.
    pub login_per_address: (u32, Duration),
    /// Failed sign-ins per (account, client address) before each further
    /// attempt waits (see [`Backoff`]), and the window they are counted in.
    pub failures_before_backoff: (u32, Duration),
    /// Registrations per client address.
    pub registrations_per_address: (u32, Duration),
    /// Reset requests per client address.
    pub resets_per_address: (u32, Duration),
    /// Posted forms per signed-in account (threads, replies, resources…).
    pub posts_per_account: (u32, Duration),
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_address: (30, Duration::from_secs(60)),
            failures_before_backoff: (5, Duration::from_secs(15 * 60)),
            registrations_per_address: (10, Duration::from_secs(3600)),
            resets_per_address: (5, Duration::from_secs(3600)),
            posts_per_account: (30, Duration::from_secs(60)),
        }
    }
}

impl Limits {
    /// Every limit multiplied (a load test's clients share one address).
    pub fn scaled(self, factor: u32) -> Limits {
        let s = |(n, w): (u32, Duration)| (n.saturating_mul(factor), w);
        Limits {
            login_per_address: s(self.login_per_address),
            failures_before_backoff: s(self.failures_before_backoff),
            registrations_per_address: s(self.registrations_per_address),
            resets_per_address: s(self.resets_per_address),
            posts_per_account: s(self.posts_per_account),
        }
    }
}

/// Fixed-window counters in memory.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Counts one event under `key`; false once the limit is passed.
    pub fn hit(&self, key: &str, (limit, window): (u32, Duration)) -> bool {
        let Ok(mut w) = self.windows.lock() else { return false };
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = w.entry(key.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }

    /// Whether `key` is over its limit, without counting.
    pub fn over(&self, key: &str, (limit, window): (u32, Duration)) -> bool {
        self.windows
            .lock()
            .map(|w| w.get(key).is_some_and(|(start, n)| start.elapsed() < window && *n >= limit))
            .unwrap_or(true)
    }

    /// Forgets `key` (a successful sign-in clears its failures).
    pub fn clear(&self, key: &str) {
        if let Ok(mut w) = self.windows.lock() {
            w.remove(key);
        }
    }
}

/// Sends mail (a password-reset link).
pub trait Mailer: Send + Sync + std::fmt::Debug {
    /// Hands one message over.
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), AppError>;
}

/// Writes each message as a file (`<time>-<n>.eml`) into a spool folder.
#[derive(Debug)]
pub struct SpoolMailer {
    /// The folder.
    pub dir: PathBuf,
}

impl Mailer for SpoolMailer {
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        std::fs::create_dir_all(&self.dir).map_err(internal)?;
        let name = format!("{}-{}.eml", now_secs(), &token()[..8]);
        let text =
            format!("To: {to}\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");
        std::fs::write(self.dir.join(name), text).map_err(internal)
    }
}

/// Keeps messages in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryMailer {
    /// (to, subject, body).
    pub sent: Mutex<Vec<(String, String, String)>>,
}

impl Mailer for MemoryMailer {
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        self.sent.lock().map_err(internal)?.push((to.into(), subject.into(), body.into()));
        Ok(())
    }
}

/// A cookie's value from the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, Secure, SameSite=Lax, path `/`, no
/// domain (what the `__Host-` prefix requires).
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    let v = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The client's address, for rate limits (the connection's; `local` in
/// in-process tests, which have no connection).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddress(ip.unwrap_or_else(|| "local".to_string())))
    }
}

/// The session of a request's cookie, if it names a live one.
pub async fn session(store: &Store, headers: &HeaderMap) -> Result<Option<Session>, AppError> {
    let Some(t) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    store.community().session(&digest(t), now_secs()).await.map_err(internal)
}

/// Opens a session for an account; returns the cookie to set.
pub async fn open_session(store: &Store, account_id: i64) -> Result<HeaderValue, AppError> {
    let t = token();
    store
        .community()
        .create_session(account_id, &digest(&t), &token(), now_secs() + SESSION_SECONDS)
        .await
        .map_err(internal)?;
    Ok(set_cookie(SESSION_COOKIE, &t, SESSION_SECONDS))
}

/// A shared handle for the handlers.
pub type SharedMailer = Arc<dyn Mailer>;
