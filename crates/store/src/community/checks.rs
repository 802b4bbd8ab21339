//! Every check of a value, shared by the forms and the CSV imports.

use super::*;

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
        return Err(Error::invalid(field, "required"));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("at most {max} characters (got {})", v.chars().count())));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, "control characters are not allowed"));
    }
    Ok(v)
}

pub(super) fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
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
    if ok { Ok(v) } else { Err(Error::invalid("email", format!("`{}` is not an email address", value.trim()))) }
}

/// A URL name: 1–60 of `a-z`, `0-9`, `-`.
pub fn slug(field: &str, value: &str) -> Result<String> {
    let v = value.trim().to_string();
    if v.is_empty() || v.len() > 60 || !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(Error::invalid(field, format!("`{v}` is not a URL name (1–60 of a-z, 0-9, -)")));
    }
    Ok(v)
}

/// An http(s) link (the adoption registry's rule), at most 2,000 characters.
pub fn link(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if check_url(v) && v.len() <= 2000 {
        Ok(v.to_string())
    } else {
        Err(Error::invalid(field, format!("`{v}` is not an http(s) link")))
    }
}

pub(super) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<String> {
    let v = value.trim();
    if allowed.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(Error::invalid(field, format!("`{v}` is not one of {}", allowed.join(", "))))
    }
}

/// `YYYY-MM-DDTHH:MM` (the browser's `datetime-local`, seconds dropped),
/// the date calendar-checked by the adoption registry's rule.
pub fn datetime(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let bad = || Error::invalid(field, format!("`{v}` is not a date and time (YYYY-MM-DDTHH:MM)"));
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

pub(super) fn flag(field: &str, value: &str) -> Result<bool> {
    match value.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "false" | "n" => Ok(false),
        "1" | "yes" | "si" | "sì" | "true" | "y" | "s" | "x" => Ok(true),
        v => Err(Error::invalid(field, format!("`{v}` is not yes/no (sì, no, 1, 0)"))),
    }
}

pub(super) async fn known_ipa(pool: &AnyPool, code: &str) -> Result<String> {
    let c = code.trim().to_lowercase();
    if c.is_empty() {
        return Err(Error::invalid("codice_ipa", "required"));
    }
    if !ipa_known(pool, &c).await? {
        return Err(Error::invalid("codice_ipa", format!("`{c}` is not a known administration")));
    }
    Ok(c)
}
