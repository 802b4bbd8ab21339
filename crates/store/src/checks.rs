//! The checks of a value shared by the adoption registry and the
//! communities: a calendar date, an http(s) link, a known iPA code.

use std::collections::BTreeSet;

use sqlx::AnyPool;

use crate::Result;
use crate::adoption::comune_ipa;
use crate::db::{db, fetch_column};

/// Whether a text is a date of the calendar, `YYYY-MM` or `YYYY-MM-DD`.
pub(crate) fn check_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let ok_month = |m: &str| num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0));
    match parts.as_slice() {
        [y, m] => num(y, 4) && ok_month(m),
        [y, m, d] => {
            let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
                return false;
            };
            let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
            let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            num(y, 4) && ok_month(m) && num(d, 2) && day >= 1 && day <= days[month as usize - 1]
        }
        _ => false,
    }
}

/// Whether a text is an http(s) link with a host.
pub(crate) fn check_url(text: &str) -> bool {
    // The scheme is case-insensitive (RFC 3986 §3.1).
    let scheme = text.find("://").map(|i| text[..i].to_ascii_lowercase());
    let rest = match scheme.as_deref() {
        Some("http") => Some(&text[7..]),
        Some("https") => Some(&text[8..]),
        _ => None,
    };
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace))
}

/// The iPA codes the store knows: every comune of the reference run (`c_`
/// and its cadastral code: see `run::reference_run`) and every body that
/// applied to PA digitale in it.
pub(crate) async fn known_ipa_codes(pool: &AnyPool) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let Some(run) = crate::run::reference_run(pool).await? else { return Ok(out) };
    let q = sqlx::query("SELECT cadastral FROM body WHERE run_id = $1 AND cadastral <> ''").bind(run);
    let cadastral: Vec<String> = fetch_column(q, pool, "cadastral codes").await?;
    out.extend(cadastral.iter().map(|c| comune_ipa(c)));
    let q = sqlx::query("SELECT DISTINCT codice_ipa FROM application WHERE run_id = $1").bind(run);
    let applicants: Vec<String> = fetch_column(q, pool, "iPA codes").await?;
    out.extend(applicants.iter().map(|c| c.trim().to_lowercase()));
    Ok(out)
}

/// Whether one iPA code is known: the same rule as `known_ipa_codes`, asked
/// of the database for one code instead of reading them all.
pub async fn ipa_known(pool: &AnyPool, code: &str) -> Result<bool> {
    let code = code.trim().to_lowercase();
    let Some(run) = crate::run::reference_run(pool).await? else { return Ok(false) };
    if let Some(cadastral) = code.strip_prefix("c_") {
        let row = sqlx::query("SELECT 1 FROM body WHERE run_id = $1 AND lower(cadastral) = $2")
            .bind(run)
            .bind(cadastral.to_string())
            .fetch_optional(pool)
            .await
            .map_err(db("checking an iPA code"))?;
        if row.is_some() {
            return Ok(true);
        }
    }
    let row = sqlx::query("SELECT 1 FROM application WHERE run_id = $1 AND lower(trim(codice_ipa)) = $2 LIMIT 1")
        .bind(run)
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(db("checking an iPA code"))?;
    Ok(row.is_some())
}
