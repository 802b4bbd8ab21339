//! Accounts, roles and the thematic communities of practice.
//!
//! ## Concepts
//!
//! - An **account** is a person: an email (unique, lower-case), a name, and
//!   either an argon2id password hash (the web crate hashes; this module
//!   never sees a password) or none yet (people imported from a
//!   registrations file, or signed in through an external identity provider,
//!   set one with a password reset). Sessions and reset tokens are stored as
//!   SHA-256 digests of the token, never the token itself.
//! - **Roles**: a platform admin (`is_admin`), a community **coordinator**
//!   (per community), an administration **editor** (per iPA code: acts for
//!   that administration, confirms its members, names its referent, verifies
//!   its adoptions), a **member** (any signed-in account) and the public.
//! - **Thematic areas** group **communities**. A person joins a community
//!   *on behalf of an administration* (a **membership**: community, account,
//!   iPA code); one person may represent several bodies (a union's shared
//!   office), each its own membership. The administration's editor confirms
//!   the membership and may nominate it as the body's **referent** in that
//!   community (one per body and community).
//! - A community has **meetings** (online link and/or place, start, agenda,
//!   registrations, attendance, minutes, status planned/held/cancelled),
//!   shared **resources** (procedures, templates, tools, methods; a tool may
//!   point to a catalog solution), discussion **threads** with replies, and
//!   co-design **consultations** (status draft/open/closed) whose
//!   **proposals** (submitted/accepted/rejected) gather comments and support.
//!
//! Every check of a value lives here, so the web forms and the CSV imports
//! refuse the same things with the same messages (`field: what was
//! expected`). Who may do what is decided by the web crate; this module only
//! enforces the rules of the data (an editor confirms only its own body's
//! memberships, proposals only while a consultation is open, …).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::adoption::{
    Editor, RowError, check_date, check_url, ipa_known, known_ipa_codes, line_of, open_csv, width_error,
};
use crate::snapshot::now;
use crate::{Error, Result, db};

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Email, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// A platform admin.
    pub is_admin: bool,
    /// Whether a password is set.
    pub has_password: bool,
    /// When created (RFC 3339).
    pub created_at: String,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub account: Account,
    /// The form token bound to the session.
    pub csrf: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// The scoped roles of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grants {
    /// iPA codes it edits for.
    pub editor_of: Vec<String>,
    /// Community ids it coordinates.
    pub coordinator_of: Vec<i64>,
}

/// A thematic area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Area {
    /// Id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// A community of practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Community {
    /// Id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Its area's id.
    pub area_id: i64,
    /// Its area's slug.
    pub area_slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// When created.
    pub created_at: String,
}

/// A person's registration in a community on behalf of an administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// Id.
    pub id: i64,
    /// The community.
    pub community_id: i64,
    /// The person.
    pub account_id: i64,
    /// The person's name.
    pub name: String,
    /// The administration represented.
    pub codice_ipa: String,
    /// Nominated by the administration as its referent in the community.
    pub referent: bool,
    /// The editor who confirmed it, if any.
    pub confirmed_by: Option<String>,
    /// When registered.
    pub created_at: String,
}

/// How a meeting is held.
pub const MEETING_MODES: [&str; 3] = ["online", "in_person", "hybrid"];
/// A meeting's statuses.
pub const MEETING_STATUSES: [&str; 3] = ["planned", "held", "cancelled"];
/// Kinds of shared resources.
pub const RESOURCE_KINDS: [&str; 4] = ["procedure", "template", "tool", "method"];
/// A consultation's statuses.
pub const CONSULTATION_STATUSES: [&str; 3] = ["draft", "open", "closed"];
/// A proposal's statuses.
pub const PROPOSAL_STATUSES: [&str; 3] = ["submitted", "accepted", "rejected"];

/// A new meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingInput {
    /// Title.
    pub title: String,
    /// Start, `YYYY-MM-DDTHH:MM` (local time).
    pub starts_at: String,
    /// One of [`MEETING_MODES`].
    pub mode: String,
    /// Video-call link (online and hybrid).
    pub link: Option<String>,
    /// Place (in person and hybrid).
    pub place: Option<String>,
    /// Agenda.
    pub agenda: String,
}

/// A meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Meeting {
    /// Id.
    pub id: i64,
    /// The community.
    pub community_id: i64,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: String,
    /// Mode.
    pub mode: String,
    /// Link.
    pub link: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Agenda.
    pub agenda: String,
    /// Minutes, once held.
    pub minutes: Option<String>,
    /// Status.
    pub status: String,
    /// Who created it.
    pub author: String,
    /// Registrations.
    pub registrations: i64,
    /// Attendees.
    pub attended: i64,
}

/// A registration to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// The person.
    pub account_id: i64,
    /// Name.
    pub name: String,
    /// Attended.
    pub attended: bool,
}

/// A new shared resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceInput {
    /// One of [`RESOURCE_KINDS`].
    pub kind: String,
    /// Title.
    pub title: String,
    /// Link.
    pub url: Option<String>,
    /// The catalog solution it is, for software.
    pub solution_id: Option<i64>,
    /// Description.
    pub description: String,
}

/// A shared resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Resource {
    /// Id.
    pub id: i64,
    /// The community.
    pub community_id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Link.
    pub url: Option<String>,
    /// Catalog solution.
    pub solution_id: Option<i64>,
    /// Description.
    pub description: String,
    /// Who shared it.
    pub author: String,
    /// When.
    pub created_at: String,
}

/// A discussion thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Thread {
    /// Id.
    pub id: i64,
    /// The community.
    pub community_id: i64,
    /// Title.
    pub title: String,
    /// Who opened it.
    pub author: String,
    /// When.
    pub created_at: String,
    /// Messages, the opening one included.
    pub posts: i64,
}

/// A message of a thread or a comment on a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Post {
    /// Id.
    pub id: i64,
    /// Text.
    pub body: String,
    /// Author.
    pub author: String,
    /// When.
    pub created_at: String,
}

/// A co-design consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Consultation {
    /// Id.
    pub id: i64,
    /// The community.
    pub community_id: i64,
    /// Title.
    pub title: String,
    /// What is asked.
    pub body: String,
    /// Status.
    pub status: String,
    /// Who opened it.
    pub author: String,
    /// When.
    pub created_at: String,
    /// Proposals.
    pub proposals: i64,
}

/// A proposal of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Proposal {
    /// Id.
    pub id: i64,
    /// The consultation.
    pub consultation_id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Status.
    pub status: String,
    /// Author.
    pub author: String,
    /// When.
    pub created_at: String,
    /// Supporters.
    pub supports: i64,
    /// Comments.
    pub comments: i64,
}

/// Which kind of community file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// `slug, name, description`.
    Areas,
    /// `slug, area, name, description`.
    Communities,
    /// `community, email, name, codice_ipa, referent`.
    Registrations,
}

impl CsvKind {
    /// The columns (required first).
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            CsvKind::Areas => (&["slug", "name"], &["description"]),
            CsvKind::Communities => (&["slug", "area", "name"], &["description"]),
            CsvKind::Registrations => (&["community", "email", "name", "codice_ipa"], &["referent"]),
        }
    }
}

// ---------------------------------------------------------------------------
// Checks shared by the forms and the imports.

/// Longest title, name or place.
pub const MAX_TITLE: usize = 200;
/// The most administrations one account may claim to represent before
/// their editors confirm it.
pub const MAX_PENDING_BODIES: usize = 3;
/// Longest text (a message, an agenda, minutes).
pub const MAX_TEXT: usize = 20_000;

/// A required one-line or multi-line text: trimmed, not empty, at most `max`
/// characters, no control characters but newlines and tabs.
pub fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim().replace("\r\n", "\n");
    if v.is_empty() {
        return Err(Error::Invalid(format!("{field}: required")));
    }
    if v.chars().count() > max {
        return Err(Error::Invalid(format!("{field}: at most {max} characters (got {})", v.chars().count())));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::Invalid(format!("{field}: control characters are not allowed")));
    }
    Ok(v)
}

fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => text(field, v, max).map(Some),
        None => Ok(None),
    }
}

/// An email address, lower-cased: one `@`, a local part, a dotted domain, no
/// spaces, at most 254 characters.
pub fn email(value: &str) -> Result<String> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"')
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok { Ok(v) } else { Err(Error::Invalid(format!("email: `{}` is not an email address", value.trim()))) }
}

/// A URL name: 1–60 of `a-z`, `0-9`, `-`.
pub fn slug(field: &str, value: &str) -> Result<String> {
    let v = value.trim().to_string();
    if v.is_empty() || v.len() > 60 || !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(Error::Invalid(format!("{field}: `{v}` is not a URL name (1–60 of a-z, 0-9, -)")));
    }
    Ok(v)
}

/// An http(s) link (the adoption registry's rule), at most 2,000 characters.
pub fn link(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if check_url(v) && v.len() <= 2000 {
        Ok(v.to_string())
    } else {
        Err(Error::Invalid(format!("{field}: `{v}` is not an http(s) link")))
    }
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<String> {
    let v = value.trim();
    if allowed.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(Error::Invalid(format!("{field}: `{v}` is not one of {}", allowed.join(", "))))
    }
}

/// `YYYY-MM-DDTHH:MM` (the browser's `datetime-local`, seconds dropped),
/// the date calendar-checked by the adoption registry's rule.
pub fn datetime(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let bad = || Error::Invalid(format!("{field}: `{v}` is not a date and time (YYYY-MM-DDTHH:MM)"));
    let (date, time) = v.split_once('T').ok_or_else(bad)?;
    let time = time.get(..5).filter(|_| time.len() == 5 || (time.len() == 8 && &time[5..6] == ":")).ok_or_else(bad)?;
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
    let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>()) else { return Err(bad()) };
    if date.len() != 10 || !check_date(date) || !two_digits(&time[..2]) || !two_digits(&time[3..]) || h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(format!("{date}T{time}"))
}

fn flag(field: &str, value: &str) -> Result<bool> {
    match value.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "false" | "n" => Ok(false),
        "1" | "yes" | "si" | "sì" | "true" | "y" | "s" | "x" => Ok(true),
        v => Err(Error::Invalid(format!("{field}: `{v}` is not yes/no (sì, no, 1, 0)"))),
    }
}

async fn known_ipa(pool: &AnyPool, code: &str) -> Result<String> {
    let c = code.trim().to_lowercase();
    if c.is_empty() {
        return Err(Error::Invalid("codice_ipa: required".into()));
    }
    if !ipa_known(pool, &c).await? {
        return Err(Error::Invalid(format!("codice_ipa: `{c}` is not a known administration")));
    }
    Ok(c)
}

// ---------------------------------------------------------------------------
// Reading rows.

const ACCOUNT: &str = "SELECT id, email, name, is_admin, password_hash, created_at FROM account";

fn account_row(r: &AnyRow) -> Result<(Account, Option<String>)> {
    let e = || db("reading an account");
    let hash: Option<String> = r.try_get(4).map_err(e())?;
    let admin: i64 = r.try_get(3).map_err(e())?;
    Ok((
        Account {
            id: r.try_get(0).map_err(e())?,
            email: r.try_get(1).map_err(e())?,
            name: r.try_get(2).map_err(e())?,
            is_admin: admin != 0,
            has_password: hash.is_some(),
            created_at: r.try_get(5).map_err(e())?,
        },
        hash,
    ))
}

const MEMBERSHIP: &str = "SELECT m.id, m.community_id, m.account_id, a.name, m.codice_ipa, m.referent, \
                          m.confirmed_by, m.created_at FROM membership m JOIN account a ON a.id = m.account_id";

fn membership_row(r: &AnyRow) -> Result<Membership> {
    let e = || db("reading a membership");
    let referent: i64 = r.try_get(5).map_err(e())?;
    Ok(Membership {
        id: r.try_get(0).map_err(e())?,
        community_id: r.try_get(1).map_err(e())?,
        account_id: r.try_get(2).map_err(e())?,
        name: r.try_get(3).map_err(e())?,
        codice_ipa: r.try_get(4).map_err(e())?,
        referent: referent != 0,
        confirmed_by: r.try_get(6).map_err(e())?,
        created_at: r.try_get(7).map_err(e())?,
    })
}

const COMMUNITY: &str = "SELECT c.id, c.slug, c.area_id, t.slug AS area_slug, c.name, c.description, c.created_at \
                         FROM community c JOIN thematic_area t ON t.id = c.area_id";

const MEETING: &str = "SELECT m.id, m.community_id, m.title, m.starts_at, m.mode, m.link, m.place, m.agenda, \
     m.minutes, m.status, a.name AS author, \
     (SELECT COUNT(*) FROM meeting_registration r WHERE r.meeting_id = m.id) AS registrations, \
     (SELECT COUNT(*) FROM meeting_registration r WHERE r.meeting_id = m.id AND r.attended = 1) AS attended \
     FROM meeting m JOIN account a ON a.id = m.created_by";

const RESOURCE: &str = "SELECT r.id, r.community_id, r.kind, r.title, r.url, r.solution_id, r.description, \
     a.name AS author, r.created_at FROM resource r JOIN account a ON a.id = r.created_by";

const THREAD: &str = "SELECT t.id, t.community_id, t.title, a.name AS author, t.created_at, \
     (SELECT COUNT(*) FROM post p WHERE p.thread_id = t.id) AS posts \
     FROM thread t JOIN account a ON a.id = t.created_by";

const CONSULTATION: &str = "SELECT c.id, c.community_id, c.title, c.body, c.status, a.name AS author, c.created_at, \
     (SELECT COUNT(*) FROM proposal p WHERE p.consultation_id = c.id) AS proposals \
     FROM consultation c JOIN account a ON a.id = c.created_by";

const PROPOSAL: &str = "SELECT p.id, p.consultation_id, p.title, p.body, p.status, a.name AS author, p.created_at, \
     (SELECT COUNT(*) FROM support s WHERE s.proposal_id = p.id) AS supports, \
     (SELECT COUNT(*) FROM post c WHERE c.proposal_id = p.id) AS comments \
     FROM proposal p JOIN account a ON a.id = p.created_by";

const POST: &str =
    "SELECT p.id, p.body, a.name AS author, p.created_at FROM post p JOIN account a ON a.id = p.author_id";

fn sql(s: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(s)
}

/// Whether a database error is a uniqueness violation.
fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The community part of the store (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Communities<'a> {
    pub(crate) pool: &'a AnyPool,
}

macro_rules! fetch_as {
    ($pool:expr, $ty:ty, $sql:expr, $what:expr $(, $bind:expr)*) => {
        sqlx::query_as::<_, $ty>(sql($sql))$(.bind($bind))*.fetch_all($pool).await.map_err(db($what))
    };
}

/// A part of a long list: `limit` items from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// Items skipped.
    pub offset: usize,
    /// Items at most.
    pub limit: usize,
}

impl Slice {
    /// Page `page` (from 1) of `per_page` items.
    pub fn page(page: usize, per_page: usize) -> Slice {
        Slice { offset: page.saturating_sub(1).saturating_mul(per_page), limit: per_page }
    }
}

/// Some items of a list, and how long the whole list is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paged<T> {
    /// The items of the slice.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: usize,
}

/// A slice of `SELECT …` (ordered, with `$1` bound to `parent`) and the count
/// of `count_sql` for the same parent.
async fn paged<T>(
    pool: &AnyPool,
    select: String,
    count_sql: &str,
    parent: i64,
    slice: Slice,
    what: &str,
) -> Result<Paged<T>>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let (limit, offset) =
        (i64::try_from(slice.limit).unwrap_or(i64::MAX), i64::try_from(slice.offset).unwrap_or(i64::MAX));
    let items = sqlx::query_as::<_, T>(sql(format!("{select} LIMIT $2 OFFSET $3")))
        .bind(parent)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(db(format!("reading {what}")))?;
    let total: i64 = sqlx::query(sql(count_sql.to_string()))
        .bind(parent)
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db(format!("counting {what}")))?;
    Ok(Paged { items, total: usize::try_from(total).unwrap_or(0) })
}

/// One row of a `SELECT … FROM table alias` by id, or `NotFound` naming
/// `what`.
async fn by_id<T>(pool: &AnyPool, select: &str, alias: &str, what: &str, id: i64) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    sqlx::query_as::<_, T>(sql(format!("{select} WHERE {alias}.id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db(format!("reading a {what}")))?
        .ok_or_else(|| Error::NotFound(format!("{what} #{id}")))
}

impl Communities<'_> {
    // -- accounts ----------------------------------------------------------

    /// Creates an account; `password_hash` is an argon2id PHC string (or none).
    pub async fn create_account(&self, email_text: &str, name: &str, password_hash: Option<&str>) -> Result<Account> {
        let email = email(email_text)?;
        let name = text("name", name, MAX_TITLE)?;
        if let Some(h) = password_hash
            && !h.starts_with("$argon2id$")
        {
            return Err(Error::Invalid("password_hash: expected an argon2id PHC string".into()));
        }
        let res = sqlx::query(
            "INSERT INTO account (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, 0, $4) \
             RETURNING id",
        )
        .bind(email.clone())
        .bind(name)
        .bind(password_hash.map(str::to_string))
        .bind(now())
        .fetch_one(self.pool)
        .await;
        match res {
            Ok(row) => self.account(row.try_get(0).map_err(db("creating an account"))?).await,
            Err(e) if unique_violation(&e) => {
                Err(Error::Invalid(format!("email: an account with `{email}` already exists")))
            }
            Err(e) => Err(db("creating an account")(e)),
        }
    }

    /// An account by id.
    pub async fn account(&self, id: i64) -> Result<Account> {
        let row = sqlx::query(sql(format!("{ACCOUNT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool)
            .await
            .map_err(db("reading an account"))?
            .ok_or_else(|| Error::NotFound(format!("account #{id}")))?;
        Ok(account_row(&row)?.0)
    }

    /// An account and its password hash by email (none if unknown).
    pub async fn credentials(&self, email_text: &str) -> Result<Option<(Account, Option<String>)>> {
        let Ok(email) = email(email_text) else { return Ok(None) };
        let row = sqlx::query(sql(format!("{ACCOUNT} WHERE email = $1")))
            .bind(email)
            .fetch_optional(self.pool)
            .await
            .map_err(db("reading an account"))?;
        row.as_ref().map(account_row).transpose()
    }

    /// Every account, by email.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query(sql(format!("{ACCOUNT} ORDER BY email")))
            .fetch_all(self.pool)
            .await
            .map_err(db("reading the accounts"))?;
        rows.iter().map(|r| account_row(r).map(|a| a.0)).collect()
    }

    /// Makes an account a platform admin (or not).
    pub async fn set_admin(&self, account_id: i64, admin: bool) -> Result<()> {
        self.account(account_id).await?;
        sqlx::query("UPDATE account SET is_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(account_id)
            .execute(self.pool)
            .await
            .map_err(db("changing a role"))?;
        Ok(())
    }

    /// The account's scoped roles.
    pub async fn grants(&self, account_id: i64) -> Result<Grants> {
        let editor_of = sqlx::query("SELECT codice_ipa FROM editor WHERE account_id = $1 ORDER BY codice_ipa")
            .bind(account_id)
            .fetch_all(self.pool)
            .await
            .map_err(db("reading roles"))?
            .iter()
            .map(|r| r.try_get(0).map_err(db("reading roles")))
            .collect::<Result<_>>()?;
        let coordinator_of =
            sqlx::query("SELECT community_id FROM coordinator WHERE account_id = $1 ORDER BY community_id")
                .bind(account_id)
                .fetch_all(self.pool)
                .await
                .map_err(db("reading roles"))?
                .iter()
                .map(|r| r.try_get(0).map_err(db("reading roles")))
                .collect::<Result<_>>()?;
        Ok(Grants { editor_of, coordinator_of })
    }

    /// Lets an account act for an administration.
    pub async fn grant_editor(&self, account_id: i64, codice_ipa: &str, granted_by: &str) -> Result<()> {
        self.account(account_id).await?;
        let ipa = known_ipa(self.pool, codice_ipa).await?;
        let res =
            sqlx::query("INSERT INTO editor (account_id, codice_ipa, granted_by, granted_at) VALUES ($1, $2, $3, $4)")
                .bind(account_id)
                .bind(ipa)
                .bind(granted_by.to_string())
                .bind(now())
                .execute(self.pool)
                .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Ok(()),
            Err(e) => Err(db("granting the editor role")(e)),
        }
    }

    /// Makes an account coordinator of a community.
    pub async fn grant_coordinator(&self, account_id: i64, community_id: i64) -> Result<()> {
        self.account(account_id).await?;
        self.community(community_id).await?;
        let res = sqlx::query("INSERT INTO coordinator (account_id, community_id) VALUES ($1, $2)")
            .bind(account_id)
            .bind(community_id)
            .execute(self.pool)
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Ok(()),
            Err(e) => Err(db("granting the coordinator role")(e)),
        }
    }

    /// A community's coordinators.
    pub async fn coordinators(&self, community_id: i64) -> Result<Vec<Account>> {
        let rows = sqlx::query(sql(format!(
            "{ACCOUNT} WHERE id IN (SELECT account_id FROM coordinator WHERE community_id = $1) ORDER BY name"
        )))
        .bind(community_id)
        .fetch_all(self.pool)
        .await
        .map_err(db("reading coordinators"))?;
        rows.iter().map(|r| account_row(r).map(|a| a.0)).collect()
    }

    // -- sessions and password resets --------------------------------------

    /// Stores a session (the token's digest, its form token, its expiry).
    pub async fn create_session(&self, account_id: i64, token_hash: &str, csrf: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash.to_string())
        .bind(account_id)
        .bind(csrf.to_string())
        .bind(now())
        .bind(expires_at)
        .execute(self.pool)
        .await
        .map_err(db("opening a session"))?;
        Ok(())
    }

    /// The live session of a token digest at `now_secs`.
    pub async fn session(&self, token_hash: &str, now_secs: i64) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT account_id, csrf, expires_at FROM session WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_optional(self.pool)
            .await
            .map_err(db("reading a session"))?;
        let Some(row) = row else { return Ok(None) };
        let e = || db("reading a session");
        let expires_at: i64 = row.try_get(2).map_err(e())?;
        if expires_at <= now_secs {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        let account = self.account(row.try_get(0).map_err(e())?).await?;
        Ok(Some(Session { account, csrf: row.try_get(1).map_err(e())?, expires_at }))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(self.pool)
            .await
            .map_err(db("closing a session"))?;
        Ok(())
    }

    /// Stores a password-reset token digest.
    pub async fn create_reset(&self, account_id: i64, token_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query("INSERT INTO password_reset (token_hash, account_id, expires_at, used) VALUES ($1, $2, $3, 0)")
            .bind(token_hash.to_string())
            .bind(account_id)
            .bind(expires_at)
            .execute(self.pool)
            .await
            .map_err(db("storing a reset token"))?;
        Ok(())
    }

    /// Uses a reset token once: sets the new password hash and closes every
    /// session of the account, in one transaction.
    pub async fn use_reset(&self, token_hash: &str, now_secs: i64, new_hash: &str) -> Result<Account> {
        if !new_hash.starts_with("$argon2id$") {
            return Err(Error::Invalid("password_hash: expected an argon2id PHC string".into()));
        }
        let mut tx = self.pool.begin().await.map_err(db("starting a password reset"))?;
        let row = sqlx::query("SELECT account_id, expires_at, used FROM password_reset WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading a reset token"))?;
        let invalid = || Error::Invalid("token: this reset link is unknown, used or expired".into());
        let row = row.ok_or_else(invalid)?;
        let e = || db("reading a reset token");
        let (account_id, expires_at, used): (i64, i64, i64) =
            (row.try_get(0).map_err(e())?, row.try_get(1).map_err(e())?, row.try_get(2).map_err(e())?);
        if used != 0 || expires_at <= now_secs {
            return Err(invalid());
        }
        for (q, what) in [
            // Every link of the account is spent, not only this one.
            ("UPDATE password_reset SET used = 1 WHERE account_id = $1", "using a reset token"),
            ("UPDATE account SET password_hash = $1 WHERE id = $2", "setting a password"),
            ("DELETE FROM session WHERE account_id = $1", "closing sessions"),
        ] {
            let query = sqlx::query(q);
            let query = match what {
                "using a reset token" => query.bind(account_id),
                "setting a password" => query.bind(new_hash.to_string()).bind(account_id),
                _ => query.bind(account_id),
            };
            query.execute(&mut *tx).await.map_err(db(what))?;
        }
        tx.commit().await.map_err(db("committing a password reset"))?;
        self.account(account_id).await
    }

    /// Signs in through an external identity provider (SPID, CIE…): the
    /// account linked to `(provider, subject)`, else the account with that
    /// email (then linked), else a new account without password (linked).
    pub async fn external_sign_in(
        &self,
        provider: &str,
        subject: &str,
        email_text: &str,
        name: &str,
    ) -> Result<Account> {
        let provider = slug("provider", provider)?;
        let subject = text("subject", subject, MAX_TITLE)?;
        let row = sqlx::query("SELECT account_id FROM external_identity WHERE provider = $1 AND subject = $2")
            .bind(provider.clone())
            .bind(subject.clone())
            .fetch_optional(self.pool)
            .await
            .map_err(db("reading an external identity"))?;
        if let Some(row) = row {
            return self.account(row.try_get(0).map_err(db("reading an external identity"))?).await;
        }
        let account = match self.credentials(email_text).await? {
            Some((a, _)) => a,
            None => self.create_account(email_text, name, None).await?,
        };
        sqlx::query(
            "INSERT INTO external_identity (provider, subject, account_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(provider)
        .bind(subject)
        .bind(account.id)
        .bind(now())
        .execute(self.pool)
        .await
        .map_err(db("linking an external identity"))?;
        Ok(account)
    }

    // -- areas and communities ---------------------------------------------

    /// Creates a thematic area.
    pub async fn create_area(&self, slug_text: &str, name: &str, description: &str) -> Result<Area> {
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        insert_area(&mut tx, slug_text, name, description).await?;
        tx.commit().await.map_err(db("committing an area"))?;
        self.areas().await?.into_iter().find(|a| a.slug == slug_text.trim()).ok_or(Error::Empty)
    }

    /// Every area, by name.
    pub async fn areas(&self) -> Result<Vec<Area>> {
        fetch_as!(
            self.pool,
            Area,
            "SELECT id, slug, name, description FROM thematic_area ORDER BY name".into(),
            "reading the areas"
        )
    }

    /// Creates a community in an area (by the area's slug).
    pub async fn create_community(
        &self,
        slug_text: &str,
        area: &str,
        name: &str,
        description: &str,
    ) -> Result<Community> {
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        let id = insert_community(&mut tx, slug_text, area, name, description).await?;
        tx.commit().await.map_err(db("committing a community"))?;
        self.community(id).await
    }

    /// Every community, by area and name.
    pub async fn communities(&self) -> Result<Vec<Community>> {
        fetch_as!(self.pool, Community, format!("{COMMUNITY} ORDER BY t.name, c.name"), "reading the communities")
    }

    /// A community by id.
    pub async fn community(&self, id: i64) -> Result<Community> {
        by_id(self.pool, COMMUNITY, "c", "community", id).await
    }

    /// A community by its URL name.
    pub async fn community_by_slug(&self, slug: &str) -> Result<Community> {
        let rows = fetch_as!(
            self.pool,
            Community,
            format!("{COMMUNITY} WHERE c.slug = $1"),
            "reading a community",
            slug.to_string()
        )?;
        rows.into_iter().next().ok_or_else(|| Error::NotFound(format!("community `{slug}`")))
    }

    // -- memberships ---------------------------------------------------------

    /// Registers a person in a community on behalf of an administration.
    /// An account may claim at most [`MAX_PENDING_BODIES`] bodies whose
    /// editors have not confirmed it yet.
    pub async fn join(&self, community_id: i64, account_id: i64, codice_ipa: &str) -> Result<Membership> {
        self.community(community_id).await?;
        let ipa = known_ipa(self.pool, codice_ipa).await?;
        let pending: HashSet<String> = self
            .memberships_of(account_id)
            .await?
            .into_iter()
            .filter(|m| m.confirmed_by.is_none())
            .map(|m| m.codice_ipa)
            .collect();
        if !pending.contains(&ipa) && pending.len() >= MAX_PENDING_BODIES {
            return Err(Error::Invalid(format!(
                "codice_ipa: you already represent {} administrations awaiting their editors' confirmation \
                 (at most {MAX_PENDING_BODIES}): ask them to confirm you first",
                pending.len()
            )));
        }
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        let id = insert_membership(&mut tx, community_id, account_id, &ipa, false, None).await?;
        tx.commit().await.map_err(db("committing a membership"))?;
        self.membership(id).await
    }

    /// One membership.
    pub async fn membership(&self, id: i64) -> Result<Membership> {
        let row = sqlx::query(sql(format!("{MEMBERSHIP} WHERE m.id = $1")))
            .bind(id)
            .fetch_optional(self.pool)
            .await
            .map_err(db("reading a membership"))?
            .ok_or_else(|| Error::NotFound(format!("membership #{id}")))?;
        membership_row(&row)
    }

    /// Memberships: of one community, or all (by community, body, name).
    pub async fn memberships(&self, community_id: Option<i64>) -> Result<Vec<Membership>> {
        let q = match community_id {
            Some(_) => format!("{MEMBERSHIP} WHERE m.community_id = $1 ORDER BY m.codice_ipa, a.name"),
            None => format!("{MEMBERSHIP} ORDER BY m.community_id, m.codice_ipa, a.name"),
        };
        let mut query = sqlx::query(sql(q));
        if let Some(c) = community_id {
            query = query.bind(c);
        }
        let rows = query.fetch_all(self.pool).await.map_err(db("reading memberships"))?;
        rows.iter().map(membership_row).collect()
    }

    /// A person's memberships.
    pub async fn memberships_of(&self, account_id: i64) -> Result<Vec<Membership>> {
        let rows = sqlx::query(sql(format!("{MEMBERSHIP} WHERE m.account_id = $1 ORDER BY m.community_id")))
            .bind(account_id)
            .fetch_all(self.pool)
            .await
            .map_err(db("reading memberships"))?;
        rows.iter().map(membership_row).collect()
    }

    /// The memberships held on behalf of one body, by community.
    pub async fn memberships_for(&self, codice_ipa: &str) -> Result<Vec<Membership>> {
        let rows = sqlx::query(sql(format!("{MEMBERSHIP} WHERE m.codice_ipa = $1 ORDER BY m.community_id, a.name")))
            .bind(codice_ipa.trim().to_lowercase())
            .fetch_all(self.pool)
            .await
            .map_err(db("reading memberships"))?;
        rows.iter().map(membership_row).collect()
    }

    /// Ends one's own membership.
    pub async fn leave(&self, membership_id: i64, account_id: i64) -> Result<()> {
        let m = self.membership(membership_id).await?;
        if m.account_id != account_id {
            return Err(Error::NotAllowed("only the member can leave".into()));
        }
        sqlx::query("DELETE FROM membership WHERE id = $1")
            .bind(membership_id)
            .execute(self.pool)
            .await
            .map_err(db("ending a membership"))?;
        Ok(())
    }

    /// The administration's editor confirms a membership, and may nominate it
    /// the body's referent in the community (replacing the previous one).
    pub async fn confirm(&self, membership_id: i64, editor: &Editor, referent: bool) -> Result<Membership> {
        let m = self.membership(membership_id).await?;
        if m.codice_ipa != editor.codice_ipa.to_lowercase() {
            return Err(Error::NotAllowed(format!(
                "{} edits for `{}` and cannot confirm a member of `{}`",
                editor.name, editor.codice_ipa, m.codice_ipa
            )));
        }
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        if referent {
            sqlx::query("UPDATE membership SET referent = 0 WHERE community_id = $1 AND codice_ipa = $2")
                .bind(m.community_id)
                .bind(m.codice_ipa.clone())
                .execute(&mut *tx)
                .await
                .map_err(db("nominating a referent"))?;
        }
        sqlx::query("UPDATE membership SET confirmed_by = $1, referent = $2 WHERE id = $3")
            .bind(editor.name.clone())
            .bind(i64::from(referent))
            .bind(membership_id)
            .execute(&mut *tx)
            .await
            .map_err(db("confirming a membership"))?;
        tx.commit().await.map_err(db("committing a confirmation"))?;
        self.membership(membership_id).await
    }

    // -- meetings ------------------------------------------------------------

    /// Plans a meeting.
    pub async fn create_meeting(&self, community_id: i64, m: &MeetingInput, by: i64) -> Result<Meeting> {
        self.community(community_id).await?;
        let title = text("title", &m.title, MAX_TITLE)?;
        let starts_at = datetime("starts_at", &m.starts_at)?;
        let mode = one_of("mode", &m.mode, &MEETING_MODES)?;
        let link = m.link.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| link("link", l)).transpose()?;
        let place = optional("place", m.place.as_deref(), MAX_TITLE)?;
        if mode != "in_person" && link.is_none() {
            return Err(Error::Invalid("link: an online or hybrid meeting needs its link".into()));
        }
        if mode != "online" && place.is_none() {
            return Err(Error::Invalid("place: a meeting in person or hybrid needs its place".into()));
        }
        let agenda = text("agenda", &m.agenda, MAX_TEXT)?;
        let insert = sqlx::query(
            "INSERT INTO meeting (community_id, title, starts_at, mode, link, place, agenda, status, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $9) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(starts_at)
        .bind(mode)
        .bind(link)
        .bind(place)
        .bind(agenda)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "creating a meeting").await?;
        self.meeting(id).await
    }

    /// A meeting.
    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        by_id(self.pool, MEETING, "m", "meeting", id).await
    }

    /// A community's meetings, by start.
    pub async fn meetings(&self, community_id: i64) -> Result<Vec<Meeting>> {
        fetch_as!(
            self.pool,
            Meeting,
            format!("{MEETING} WHERE m.community_id = $1 ORDER BY m.starts_at, m.id"),
            "reading meetings",
            community_id
        )
    }

    /// Sets a meeting's status and minutes.
    pub async fn update_meeting(&self, id: i64, status: &str, minutes: Option<&str>) -> Result<Meeting> {
        self.meeting(id).await?;
        let status = one_of("status", status, &MEETING_STATUSES)?;
        let minutes = optional("minutes", minutes, MAX_TEXT)?;
        sqlx::query("UPDATE meeting SET status = $1, minutes = $2 WHERE id = $3")
            .bind(status)
            .bind(minutes)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a meeting"))?;
        self.meeting(id).await
    }

    /// Registers a person to a planned meeting.
    pub async fn register(&self, meeting_id: i64, account_id: i64) -> Result<()> {
        let m = self.meeting(meeting_id).await?;
        if m.status != "planned" {
            return Err(Error::Invalid(format!("meeting: registrations are closed ({})", m.status)));
        }
        let res = sqlx::query(
            "INSERT INTO meeting_registration (meeting_id, account_id, attended, created_at) VALUES ($1, $2, 0, $3)",
        )
        .bind(meeting_id)
        .bind(account_id)
        .bind(now())
        .execute(self.pool)
        .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Err(Error::Invalid("meeting: already registered".into())),
            Err(e) => Err(db("registering to a meeting")(e)),
        }
    }

    /// A meeting's registrations, by name.
    pub async fn registrations(&self, meeting_id: i64) -> Result<Vec<Registration>> {
        let rows = sqlx::query(
            "SELECT r.account_id, a.name, r.attended FROM meeting_registration r JOIN account a ON a.id = r.account_id \
             WHERE r.meeting_id = $1 ORDER BY a.name, r.account_id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool)
        .await
        .map_err(db("reading registrations"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading registrations");
                let attended: i64 = r.try_get(2).map_err(e())?;
                Ok(Registration {
                    account_id: r.try_get(0).map_err(e())?,
                    name: r.try_get(1).map_err(e())?,
                    attended: attended != 0,
                })
            })
            .collect()
    }

    /// Records who attended (the registrations not listed did not).
    pub async fn set_attendance(&self, meeting_id: i64, attended: &[i64]) -> Result<()> {
        self.meeting(meeting_id).await?;
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        sqlx::query("UPDATE meeting_registration SET attended = 0 WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording attendance"))?;
        for a in attended {
            sqlx::query("UPDATE meeting_registration SET attended = 1 WHERE meeting_id = $1 AND account_id = $2")
                .bind(meeting_id)
                .bind(*a)
                .execute(&mut *tx)
                .await
                .map_err(db("recording attendance"))?;
        }
        tx.commit().await.map_err(db("committing attendance"))?;
        Ok(())
    }

    // -- resources -----------------------------------------------------------

    /// Shares a resource.
    pub async fn add_resource(&self, community_id: i64, r: &ResourceInput, by: i64) -> Result<Resource> {
        self.community(community_id).await?;
        let kind = one_of("kind", &r.kind, &RESOURCE_KINDS)?;
        let title = text("title", &r.title, MAX_TITLE)?;
        let url = r.url.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| link("url", l)).transpose()?;
        let description = text("description", &r.description, MAX_TEXT)?;
        if let Some(s) = r.solution_id {
            let row = sqlx::query("SELECT 1 FROM solution WHERE id = $1")
                .bind(s)
                .fetch_optional(self.pool)
                .await
                .map_err(db("reading the catalog"))?;
            if row.is_none() {
                return Err(Error::Invalid(format!("solution: #{s} is not in the catalog")));
            }
        }
        let insert = sqlx::query(
            "INSERT INTO resource (community_id, kind, title, url, solution_id, description, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(community_id)
        .bind(kind)
        .bind(title)
        .bind(url)
        .bind(r.solution_id)
        .bind(description)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "sharing a resource").await?;
        by_id(self.pool, RESOURCE, "r", "resource", id).await
    }

    /// Resources: of one community, or all.
    pub async fn resources(&self, community_id: Option<i64>) -> Result<Vec<Resource>> {
        match community_id {
            Some(c) => fetch_as!(
                self.pool,
                Resource,
                format!("{RESOURCE} WHERE r.community_id = $1 ORDER BY r.kind, r.title"),
                "reading resources",
                c
            ),
            None => fetch_as!(self.pool, Resource, format!("{RESOURCE} ORDER BY r.id"), "reading resources"),
        }
    }

    // -- threads -------------------------------------------------------------

    /// Opens a thread with its first message.
    pub async fn create_thread(&self, community_id: i64, title: &str, body: &str, by: i64) -> Result<Thread> {
        self.community(community_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        let insert = sqlx::query(
            "INSERT INTO thread (community_id, title, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, &mut *tx, "opening a thread").await?;
        insert_post(&mut tx, Some(id), None, &body, by).await?;
        tx.commit().await.map_err(db("committing a thread"))?;
        self.thread(id).await
    }

    /// A thread.
    pub async fn thread(&self, id: i64) -> Result<Thread> {
        by_id(self.pool, THREAD, "t", "thread", id).await
    }

    /// A community's threads, newest first.
    pub async fn threads(&self, community_id: i64) -> Result<Vec<Thread>> {
        fetch_as!(
            self.pool,
            Thread,
            format!("{THREAD} WHERE t.community_id = $1 ORDER BY t.id DESC"),
            "reading threads",
            community_id
        )
    }

    /// A page of a community's threads, newest first.
    pub async fn threads_page(&self, community_id: i64, slice: Slice) -> Result<Paged<Thread>> {
        let select = format!("{THREAD} WHERE t.community_id = $1 ORDER BY t.id DESC");
        let count = "SELECT COUNT(*) FROM thread WHERE community_id = $1";
        paged(self.pool, select, count, community_id, slice, "threads").await
    }

    /// Replies to a thread.
    pub async fn reply(&self, thread_id: i64, body: &str, by: i64) -> Result<Post> {
        self.thread(thread_id).await?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        let id = insert_post(&mut tx, Some(thread_id), None, &body, by).await?;
        tx.commit().await.map_err(db("committing a reply"))?;
        self.post(id).await
    }

    /// A thread's messages, in order.
    pub async fn posts(&self, thread_id: i64) -> Result<Vec<Post>> {
        fetch_as!(self.pool, Post, format!("{POST} WHERE p.thread_id = $1 ORDER BY p.id"), "reading posts", thread_id)
    }

    /// A page of a thread's messages, in order.
    pub async fn posts_page(&self, thread_id: i64, slice: Slice) -> Result<Paged<Post>> {
        let select = format!("{POST} WHERE p.thread_id = $1 ORDER BY p.id");
        paged(self.pool, select, "SELECT COUNT(*) FROM post WHERE thread_id = $1", thread_id, slice, "posts").await
    }

    /// A page of a community's resources, by kind and title.
    pub async fn resources_page(&self, community_id: i64, slice: Slice) -> Result<Paged<Resource>> {
        let select = format!("{RESOURCE} WHERE r.community_id = $1 ORDER BY r.kind, r.title, r.id");
        let count = "SELECT COUNT(*) FROM resource WHERE community_id = $1";
        paged(self.pool, select, count, community_id, slice, "resources").await
    }

    async fn post(&self, id: i64) -> Result<Post> {
        by_id(self.pool, POST, "p", "post", id).await
    }

    // -- consultations -------------------------------------------------------

    /// Opens a consultation (status `draft` or `open`).
    pub async fn create_consultation(
        &self,
        community_id: i64,
        title: &str,
        body: &str,
        status: &str,
        by: i64,
    ) -> Result<Consultation> {
        self.community(community_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let status = one_of("status", status, &CONSULTATION_STATUSES)?;
        let insert = sqlx::query(
            "INSERT INTO consultation (community_id, title, body, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(body)
        .bind(status)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "opening a consultation").await?;
        self.consultation(id).await
    }

    /// A consultation.
    pub async fn consultation(&self, id: i64) -> Result<Consultation> {
        by_id(self.pool, CONSULTATION, "c", "consultation", id).await
    }

    /// A community's consultations, newest first.
    pub async fn consultations(&self, community_id: i64) -> Result<Vec<Consultation>> {
        fetch_as!(
            self.pool,
            Consultation,
            format!("{CONSULTATION} WHERE c.community_id = $1 ORDER BY c.id DESC"),
            "reading consultations",
            community_id
        )
    }

    /// Changes a consultation's status.
    pub async fn set_consultation_status(&self, id: i64, status: &str) -> Result<Consultation> {
        self.consultation(id).await?;
        let status = one_of("status", status, &CONSULTATION_STATUSES)?;
        sqlx::query("UPDATE consultation SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a consultation"))?;
        self.consultation(id).await
    }

    async fn open_consultation_of(&self, consultation_id: i64) -> Result<Consultation> {
        let c = self.consultation(consultation_id).await?;
        if c.status != "open" {
            return Err(Error::Invalid(format!("consultation: not open ({})", c.status)));
        }
        Ok(c)
    }

    /// Adds a proposal to an open consultation.
    pub async fn add_proposal(&self, consultation_id: i64, title: &str, body: &str, by: i64) -> Result<Proposal> {
        self.open_consultation_of(consultation_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let insert = sqlx::query(
            "INSERT INTO proposal (consultation_id, title, body, status, created_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
        )
        .bind(consultation_id)
        .bind(title)
        .bind(body)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "adding a proposal").await?;
        self.proposal(id).await
    }

    /// A proposal.
    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        by_id(self.pool, PROPOSAL, "p", "proposal", id).await
    }

    /// A consultation's proposals, most supported first.
    pub async fn proposals(&self, consultation_id: i64) -> Result<Vec<Proposal>> {
        let mut out = fetch_as!(
            self.pool,
            Proposal,
            format!("{PROPOSAL} WHERE p.consultation_id = $1 ORDER BY p.id"),
            "reading proposals",
            consultation_id
        )?;
        out.sort_by(|a, b| b.supports.cmp(&a.supports).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Changes a proposal's status.
    pub async fn set_proposal_status(&self, id: i64, status: &str) -> Result<Proposal> {
        self.proposal(id).await?;
        let status = one_of("status", status, &PROPOSAL_STATUSES)?;
        sqlx::query("UPDATE proposal SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a proposal"))?;
        self.proposal(id).await
    }

    /// Comments on a proposal of an open consultation.
    pub async fn comment(&self, proposal_id: i64, body: &str, by: i64) -> Result<Post> {
        let p = self.proposal(proposal_id).await?;
        self.open_consultation_of(p.consultation_id).await?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = self.pool.begin().await.map_err(db("starting"))?;
        let id = insert_post(&mut tx, None, Some(proposal_id), &body, by).await?;
        tx.commit().await.map_err(db("committing a comment"))?;
        self.post(id).await
    }

    /// A proposal's comments, in order.
    pub async fn comments(&self, proposal_id: i64) -> Result<Vec<Post>> {
        fetch_as!(
            self.pool,
            Post,
            format!("{POST} WHERE p.proposal_id = $1 ORDER BY p.id"),
            "reading comments",
            proposal_id
        )
    }

    /// Supports a proposal of an open consultation (once per person).
    pub async fn support(&self, proposal_id: i64, account_id: i64) -> Result<Proposal> {
        let p = self.proposal(proposal_id).await?;
        self.open_consultation_of(p.consultation_id).await?;
        let res = sqlx::query("INSERT INTO support (proposal_id, account_id, created_at) VALUES ($1, $2, $3)")
            .bind(proposal_id)
            .bind(account_id)
            .bind(now())
            .execute(self.pool)
            .await;
        match res {
            Ok(_) => self.proposal(proposal_id).await,
            Err(e) if unique_violation(&e) => Err(Error::Invalid("support: already supported".into())),
            Err(e) => Err(db("supporting a proposal")(e)),
        }
    }

    // -- files ---------------------------------------------------------------

    /// Imports a file of areas, communities or registrations, all or nothing:
    /// a file with any bad row writes nothing and is refused with one error
    /// per bad row ([`Error::Rows`]). Registrations create the accounts they
    /// name that do not exist yet (without a password: a reset sets one).
    /// Returns the rows written (rows already stored are skipped).
    pub async fn import_csv(&self, kind: CsvKind, file: &str, bytes: &[u8]) -> Result<usize> {
        let rows = read_rows(kind, bytes).map_err(|errors| Error::Rows { file: file.to_string(), errors })?;
        let mut errors = Vec::new();
        if kind == CsvKind::Registrations {
            let known = known_ipa_codes(self.pool).await?;
            for (line, cells) in &rows {
                let ipa = cells["codice_ipa"].trim().to_lowercase();
                if !known.contains(&ipa) {
                    errors.push(RowError {
                        line: *line,
                        column: "codice_ipa".into(),
                        message: format!("`{ipa}` is not a known administration"),
                    });
                }
            }
        }
        let mut tx = self.pool.begin().await.map_err(db("starting the import"))?;
        let mut written = 0;
        let mut seen = HashSet::new();
        // (community, body) → the line of its referent in this file.
        let mut referents: HashMap<(String, String), u64> = HashMap::new();
        for (line, cells) in &rows {
            let c = |k: &str| cells.get(k).map(String::as_str).unwrap_or("");
            let res = match kind {
                CsvKind::Areas => {
                    if !seen.insert(c("slug").trim().to_string()) {
                        Err(Error::Invalid("slug: repeated in the file".into()))
                    } else if area_id(&mut tx, c("slug").trim()).await?.is_some() {
                        Ok(false)
                    } else {
                        insert_area(&mut tx, c("slug"), c("name"), c("description")).await.map(|_| true)
                    }
                }
                CsvKind::Communities => {
                    if !seen.insert(c("slug").trim().to_string()) {
                        Err(Error::Invalid("slug: repeated in the file".into()))
                    } else if community_id(&mut tx, c("slug").trim()).await?.is_some() {
                        Ok(false)
                    } else {
                        insert_community(&mut tx, c("slug"), c("area"), c("name"), c("description")).await.map(|_| true)
                    }
                }
                CsvKind::Registrations => {
                    if errors.iter().any(|e: &RowError| e.line == *line) {
                        continue;
                    }
                    let body = (c("community").trim().to_string(), c("codice_ipa").trim().to_lowercase());
                    let referent = flag("referent", c("referent")).unwrap_or(false);
                    match referents.get(&body) {
                        Some(first) if referent => Err(Error::Invalid(format!(
                            "referent: `{}` already has a referent in `{}` on line {first}: one per body",
                            body.1, body.0
                        ))),
                        _ => {
                            if referent {
                                referents.insert(body, *line);
                            }
                            let by = format!("import of {file}");
                            let cells = [c("community"), c("email"), c("name"), c("codice_ipa"), c("referent")];
                            import_registration(&mut tx, cells, &by).await
                        }
                    }
                }
            };
            match res {
                Ok(true) => written += 1,
                Ok(false) => {}
                Err(Error::Invalid(m)) | Err(Error::NotFound(m)) => {
                    let (column, message) =
                        m.split_once(": ").map_or((String::new(), m.clone()), |(a, b)| (a.to_string(), b.to_string()));
                    errors.push(RowError { line: *line, column, message });
                }
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
            // Dropping the transaction rolls it back: nothing written.
            return Err(Error::Rows { file: file.to_string(), errors });
        }
        tx.commit().await.map_err(db("committing the import"))?;
        Ok(written)
    }
}

type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

/// Runs an `INSERT … RETURNING id` and gives the id; `what` names the step
/// in the error.
async fn returning_id<'q, 'c, E>(
    insert: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    executor: E,
    what: &str,
) -> Result<i64>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = insert.fetch_one(executor).await.map_err(db(what))?;
    row.try_get(0).map_err(db(what))
}

async fn area_id(tx: &mut Tx<'_>, slug: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM thematic_area WHERE slug = $1")
        .bind(slug.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading an area"))?;
    row.map(|r| r.try_get(0).map_err(db("reading an area"))).transpose()
}

async fn community_id(tx: &mut Tx<'_>, slug: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM community WHERE slug = $1")
        .bind(slug.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a community"))?;
    row.map(|r| r.try_get(0).map_err(db("reading a community"))).transpose()
}

async fn insert_area(tx: &mut Tx<'_>, slug_text: &str, name: &str, description: &str) -> Result<i64> {
    let slug = slug("slug", slug_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let description = description.trim().to_string();
    if area_id(tx, &slug).await?.is_some() {
        return Err(Error::Invalid(format!("slug: an area `{slug}` already exists")));
    }
    let insert = sqlx::query("INSERT INTO thematic_area (slug, name, description) VALUES ($1, $2, $3) RETURNING id")
        .bind(slug)
        .bind(name)
        .bind(description);
    returning_id(insert, &mut **tx, "creating an area").await
}

async fn insert_community(tx: &mut Tx<'_>, slug_text: &str, area: &str, name: &str, description: &str) -> Result<i64> {
    let slug = slug("slug", slug_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let area_id = area_id(tx, area.trim())
        .await?
        .ok_or_else(|| Error::Invalid(format!("area: no thematic area `{}`", area.trim())))?;
    if community_id(tx, &slug).await?.is_some() {
        return Err(Error::Invalid(format!("slug: a community `{slug}` already exists")));
    }
    let insert = sqlx::query(
        "INSERT INTO community (slug, area_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(slug)
    .bind(area_id)
    .bind(name)
    .bind(description.trim().to_string())
    .bind(now());
    returning_id(insert, &mut **tx, "creating a community").await
}

async fn insert_membership(
    tx: &mut Tx<'_>,
    community: i64,
    account: i64,
    ipa: &str,
    referent: bool,
    confirmed_by: Option<&str>,
) -> Result<i64> {
    let existing =
        sqlx::query("SELECT id FROM membership WHERE community_id = $1 AND account_id = $2 AND codice_ipa = $3")
            .bind(community)
            .bind(account)
            .bind(ipa.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("reading a membership"))?;
    if existing.is_some() {
        return Err(Error::Invalid(format!("codice_ipa: already a member of this community for `{ipa}`")));
    }
    let insert = sqlx::query(
        "INSERT INTO membership (community_id, account_id, codice_ipa, referent, confirmed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(community)
    .bind(account)
    .bind(ipa.to_string())
    .bind(i64::from(referent))
    .bind(confirmed_by.map(str::to_string))
    .bind(now());
    returning_id(insert, &mut **tx, "registering a membership").await
}

async fn insert_post(tx: &mut Tx<'_>, thread: Option<i64>, proposal: Option<i64>, body: &str, by: i64) -> Result<i64> {
    let insert = sqlx::query(
        "INSERT INTO post (thread_id, proposal_id, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(thread)
    .bind(proposal)
    .bind(body.to_string())
    .bind(by)
    .bind(now());
    returning_id(insert, &mut **tx, "writing a message").await
}

/// One registration row: the account (created if new), the membership
/// (skipped if stored). Returns whether a membership was written.
async fn import_registration(tx: &mut Tx<'_>, cells: [&str; 5], confirmed_by: &str) -> Result<bool> {
    let [community, email_text, name, ipa, referent] = cells;
    let community_id = community_id(tx, community.trim())
        .await?
        .ok_or_else(|| Error::Invalid(format!("community: no community `{}`", community.trim())))?;
    let email = email(email_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let referent = flag("referent", referent)?;
    let ipa = ipa.trim().to_lowercase();
    let row = sqlx::query("SELECT id FROM account WHERE email = $1")
        .bind(email.clone())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading an account"))?;
    let account: i64 = match row {
        Some(r) => r.try_get(0).map_err(db("reading an account"))?,
        None => sqlx::query(
            "INSERT INTO account (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, NULL, 0, $3) \
             RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(now())
        .fetch_one(&mut **tx)
        .await
        .map_err(db("creating an account"))?
        .try_get(0)
        .map_err(db("creating an account"))?,
    };
    let stored =
        sqlx::query("SELECT id FROM membership WHERE community_id = $1 AND account_id = $2 AND codice_ipa = $3")
            .bind(community_id)
            .bind(account)
            .bind(ipa.clone())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("reading a membership"))?;
    if stored.is_some() {
        return Ok(false);
    }
    // The region vouches for the file it imports: its rows count as confirmed.
    insert_membership(tx, community_id, account, &ipa, referent, Some(confirmed_by)).await?;
    Ok(true)
}

/// The rows of a community file as (line, column → cell), or every problem
/// of its header and rows.
/// Cells of a row by column name, with the row's line.
type Cells = (u64, BTreeMap<String, String>);

fn read_rows(kind: CsvKind, bytes: &[u8]) -> std::result::Result<Vec<Cells>, Vec<RowError>> {
    let err = |line, column: &str, message: String| RowError { line, column: column.to_string(), message };
    let (text, mut reader, header) = open_csv(bytes).map_err(|e| vec![e])?;
    let (required, extra) = kind.columns();
    let missing: Vec<RowError> = required
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| err(1, c, format!("missing column: the header must name {}", required.join(", "))))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(line_of(text, e.position()), "", format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = line_of(text, record.position());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(e) = width_error(&record, header.len(), line) {
            errors.push(e);
            continue;
        }
        let mut cells = BTreeMap::new();
        for name in required.iter().chain(extra) {
            let cell = header.iter().position(|h| h == name).and_then(|p| record.get(p)).unwrap_or("");
            if required.contains(name) && cell.trim().is_empty() {
                errors.push(err(line, name, "required".into()));
            }
            cells.insert((*name).to_string(), cell.to_string());
        }
        rows.push((line, cells));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}
