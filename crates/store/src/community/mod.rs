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
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use crate::adoption::Editor;
use crate::checks::{check_date, check_url, ipa_known, known_ipa_codes};
use crate::csv::{RowError, missing_columns, open_csv};
use crate::db::{
    Column, FromRow, columns, db, fetch_all, fetch_column, fetch_optional, fetch_value, returning_id, row, sql,
};
use crate::run::now;
use crate::{Error, Result};

// ---------------------------------------------------------------------------
// Reading rows.

const ACCOUNT: &str = "SELECT account.id, email, name, is_admin, password_hash IS NOT NULL AS has_password, \
                       password_hash, created_at FROM account";

/// An account and its password hash (PHC string, if one is set).
struct Credentials {
    account: Account,
    password_hash: Option<String>,
}

impl FromRow for Credentials {
    const COLUMNS: &'static [&'static str] = &[];

    fn from_row(row: &AnyRow) -> std::result::Result<Self, sqlx::Error> {
        Ok(Credentials { account: Account::from_row(row)?, password_hash: Column::read(row, "password_hash")? })
    }

    fn values(&self) -> Vec<crate::db::Value> {
        Vec::new()
    }
}

const MEMBERSHIP: &str = "SELECT m.id, m.community_id, m.account_id, a.name, m.codice_ipa, m.referent, \
                          m.confirmed_by, m.created_at FROM membership m JOIN account a ON a.id = m.account_id";

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

/// Whether a database error is a uniqueness violation.
fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The community part of the store (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Communities<'a> {
    pub(crate) pool: &'a AnyPool,
}

/// Every row of `$sql` (its parameters bound in order) as `$ty`.
macro_rules! fetch_as {
    ($pool:expr, $ty:ty, $sql:expr, $what:expr $(, $bind:expr)*) => {
        fetch_all::<$ty, _>(sqlx::query(sql($sql))$(.bind($bind))*, $pool, $what).await
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
    T: FromRow,
{
    let (limit, offset) =
        (i64::try_from(slice.limit).unwrap_or(i64::MAX), i64::try_from(slice.offset).unwrap_or(i64::MAX));
    let q = sqlx::query(sql(format!("{select} LIMIT $2 OFFSET $3"))).bind(parent).bind(limit).bind(offset);
    let items = fetch_all(q, pool, what).await?;
    let total: Option<i64> = fetch_value(sqlx::query(sql(count_sql.to_string())).bind(parent), pool, what).await?;
    Ok(Paged { items, total: total.and_then(|t| usize::try_from(t).ok()).unwrap_or(0) })
}

/// One row of a `SELECT … FROM table alias` by id, or `NotFound` naming
/// `what`.
async fn by_id<T>(pool: &AnyPool, select: &str, alias: &str, what: &str, id: i64) -> Result<T>
where
    T: FromRow,
{
    let q = sqlx::query(sql(format!("{select} WHERE {alias}.id = $1"))).bind(id);
    fetch_optional(q, pool, &format!("a {what}")).await?.ok_or_else(|| Error::NotFound(format!("{what} #{id}")))
}

type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

mod accounts;
mod checks;
mod communities;
mod import;
mod meetings;
mod model;
mod posts;

use checks::{flag, known_ipa, one_of, optional};
use communities::{area_id, community_id, insert_area, insert_community, insert_membership};

pub use checks::{MAX_PENDING_BODIES, MAX_TEXT, MAX_TITLE, datetime, email, link, slug, text};
pub use model::*;
