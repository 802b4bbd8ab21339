//! Query strings: parsed by hand so that a malformed one gets the site's own
//! 400 page or JSON error, never a framework's plain-text rejection.

use crate::http::error::AppError;

/// Decoded `key=value` pairs, in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

fn decode(s: &str) -> Result<String, AppError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(hex.ok_or_else(|| AppError::BadRequest(format!("malformed percent-encoding in `{s}`")))?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| AppError::BadRequest("the query string is not UTF-8".into()))
}

/// `k=v&…` pairs, decoded; an error past `max` pairs.
fn pairs(text: &str, max: usize) -> Result<Vec<(String, String)>, AppError> {
    let mut pairs = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((decode(k)?, decode(v)?));
        if pairs.len() > max {
            return Err(AppError::BadRequest(format!("more than {max} query parameters")));
        }
    }
    Ok(pairs)
}

impl Params {
    /// Parses a raw query string (at most 50 parameters, 4 KiB).
    pub fn parse(q: Option<&str>) -> Result<Params, AppError> {
        let Some(q) = q.filter(|q| !q.is_empty()) else { return Ok(Params::default()) };
        if q.len() > 4096 {
            return Err(AppError::BadRequest("the query string is longer than 4 KiB".into()));
        }
        pairs(q, 50).map(Params)
    }

    /// Parses a posted `application/x-www-form-urlencoded` body (its size is
    /// bounded by the request-body limit; a form may repeat a field, e.g. one
    /// checkbox per attendee).
    pub fn form(body: &[u8]) -> Result<Params, AppError> {
        let text = std::str::from_utf8(body).map_err(|_| AppError::BadRequest("the form is not UTF-8".into()))?;
        pairs(text, usize::MAX).map(Params)
    }

    /// The first value of a field, or "" when absent.
    pub fn get(&self, key: &str) -> &str {
        self.0.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }

    /// The one value of a parameter (an error when repeated).
    pub fn one(&self, key: &str) -> Result<Option<&str>, AppError> {
        let mut it = self.0.iter().filter(|(k, _)| k == key);
        let first = it.next().map(|(_, v)| v.as_str());
        if it.next().is_some() {
            return Err(AppError::BadRequest(format!("{key}: expected one value, found several")));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }

    /// Every value of a parameter.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
}

/// The catalog search's parameters: words, invalid files too, the facets.
pub const SOLUTION_SEARCH: &[&str] = &[
    "q",
    "inactive",
    "sort",
    "platform",
    "compliance",
    "category",
    "scope",
    "kind",
    "licence_family",
    "licence",
    "status",
    "maintenance",
    "owner",
    "language",
];
/// … and the page of results.
pub const SOLUTION_SEARCH_PAGE: &[&str] = &[
    "q",
    "inactive",
    "sort",
    "platform",
    "compliance",
    "category",
    "scope",
    "kind",
    "licence_family",
    "licence",
    "status",
    "maintenance",
    "owner",
    "language",
    "page",
];

/// Refuses a query naming a parameter that is not in `known` (the ones the
/// route reads, from the route table): a made-up parameter would otherwise
/// be one more cached copy of the same page.
pub fn check_known(known: &[&str], query: Option<&str>) -> Result<(), AppError> {
    let Some(q) = query.filter(|q| !q.is_empty()) else { return Ok(()) };
    for (key, _) in &Params::parse(Some(q))?.0 {
        if !known.contains(&key.as_str()) {
            let expected = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            return Err(AppError::BadRequest(format!("unknown query parameter `{key}` (this page reads: {expected})")));
        }
    }
    Ok(())
}

/// The query of a request, parsed: a malformed one is the site's 400.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Params {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query())
    }
}

/// Encodes pairs as `?k=v&…` (empty when there are none).
pub fn encode(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
                b' ' => out.push('+'),
                b => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    if pairs.is_empty() {
        return String::new();
    }
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    format!("?{}", body.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_round_trip_and_malformed_ones_are_errors() {
        let pairs = vec![("region".to_string(), "Valle d'Aosta/Vallée d'Aoste".to_string())];
        let q = encode(&pairs);
        let p = Params::parse(Some(&q[1..])).unwrap();
        assert_eq!(p.one("region").unwrap(), Some("Valle d'Aosta/Vallée d'Aoste"));
        assert!(Params::parse(Some("a=%zz")).is_err());
        assert!(Params::parse(Some("a=%ff")).is_err());
        assert!(Params::parse(Some("a=1&a=2")).unwrap().one("a").is_err());
        assert_eq!(Params::parse(Some("c=1&c=2")).unwrap().all("c"), vec!["1", "2"]);
    }

    #[test]
    fn only_the_parameters_a_route_reads_are_accepted() {
        assert!(check_known(&[], None).is_ok());
        let e = check_known(&[], Some("junk=1")).unwrap_err();
        assert_eq!(e, AppError::BadRequest("unknown query parameter `junk` (this page reads: none)".into()));
        let ranking = ["sort", "page"];
        assert!(check_known(&ranking, Some("sort=score&page=2")).is_ok());
        let e = check_known(&ranking, Some("page=2&x=1")).unwrap_err();
        assert_eq!(e, AppError::BadRequest("unknown query parameter `x` (this page reads: sort, page)".into()));
        assert!(check_known(SOLUTION_SEARCH_PAGE, Some("q=protocollo&platform=pagopa&page=2")).is_ok());
        assert!(check_known(SOLUTION_SEARCH, Some("page=2")).is_err(), "the API has no pages");
    }

    #[test]
    fn forms_are_decoded_by_the_same_rules() {
        let f = Params::form(b"a=1+2&b=%3Cscript%3E&c=&e=%E2%82%AC&a=3").unwrap();
        assert_eq!((f.get("a"), f.get("b"), f.get("c"), f.get("e"), f.get("zz")), ("1 2", "<script>", "", "€", ""));
        assert_eq!(f.all("a"), vec!["1 2", "3"]);
        assert!(Params::form(b"d=%zz").is_err());
        assert!(Params::form(&[b'a', b'=', 0xff]).is_err());
    }
}
