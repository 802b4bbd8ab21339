//! URL parsing with the semantics of Go's `net/url` (`Parse` and `ParseRequestURI`), which the
//! reference uses for every URL rule. Only what the rules look at is kept: scheme, opaque part,
//! host, fragment. Error texts are Go's, since the reference prints them.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub opaque: String,
    pub host: String,
    pub path: String,
    pub fragment: String,
}

/// `url.Parse`: the fragment is split off first.
pub fn parse(raw: &str) -> Result<Url, String> {
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    let mut u = parse_inner(rest, false).map_err(|e| go_error(raw, &e))?;
    if let Some(f) = frag {
        u.fragment = unescape(f, Mode::Fragment).map_err(|e| go_error(raw, &e))?;
    }
    Ok(u)
}

/// `url.ParseRequestURI`: the whole string is the URI, no fragment.
pub fn parse_request_uri(raw: &str) -> Result<Url, String> {
    parse_inner(raw, true).map_err(|e| go_error(raw, &e))
}

fn go_error(raw: &str, err: &str) -> String {
    format!("parse {}: {err}", go_quote(raw))
}

/// Go's `strconv.Quote`, enough for URLs: escapes quotes, backslashes and control characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn parse_inner(raw: &str, via_request: bool) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".into());
    }
    let mut u = Url::default();
    if raw == "*" {
        u.path = "*".into();
        return Ok(u);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    u.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, _query)) = rest.split_once('?') {
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        if via_request {
            return Err("invalid URI for request".into());
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || !via_request && !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        u.host = parse_authority(authority)?;
        rest = path;
    }
    u.path = unescape(rest, Mode::Path)?;
    Ok(u)
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            '0'..='9' | '+' | '-' | '.' => return Ok(("", raw)),
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<String, String> {
    let host = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            if !userinfo.chars().all(valid_userinfo) {
                return Err("net/url: invalid userinfo".into());
            }
            &authority[i + 1..]
        }
        None => authority,
    };
    parse_host(host)
}

fn valid_userinfo(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c)
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[end + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Mode {
    Host,
    Path,
    Fragment,
}

fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |x: u8| (x as char).to_digit(16);
                match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        let end = (i + 3).min(b.len());
                        let bad = String::from_utf8_lossy(&b[i..end]);
                        return Err(format!("invalid URL escape {}", go_quote(&bad)));
                    }
                }
            }
            c if mode == Mode::Host && c < 0x80 && !valid_host_byte(c) => {
                return Err(format!("invalid character {} in host name", go_quote(&(c as char).to_string())));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn valid_host_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]<>\"".contains(&c)
}

/// Go-playground's `url` rule: lowercased, parsed, with a scheme and a host, opaque part or fragment.
pub fn is_url(s: &str) -> bool {
    let s = s.to_lowercase();
    if s.is_empty() {
        return false;
    }
    if s.starts_with("file:/") && parse_request_uri(&s).is_ok() {
        return true;
    }
    match parse(&s) {
        Ok(u) => !(u.scheme.is_empty() || u.host.is_empty() && u.fragment.is_empty() && u.opaque.is_empty()),
        Err(_) => false,
    }
}

/// Go-playground's `http_url` rule: a URL with scheme http or https and a host.
pub fn is_http_url(s: &str) -> bool {
    if !is_url(s) {
        return false;
    }
    match parse(&s.to_lowercase()) {
        Ok(u) => !u.host.is_empty() && (u.scheme == "http" || u.scheme == "https"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_go_writes_them() {
        assert_eq!(
            parse("git@github.com:foo/bar.git").unwrap_err(),
            "parse \"git@github.com:foo/bar.git\": first path segment in URL cannot contain colon"
        );
        assert_eq!(parse(":x").unwrap_err(), "parse \":x\": missing protocol scheme");
        assert_eq!(
            parse("http://a b.com/").unwrap_err(),
            "parse \"http://a b.com/\": invalid character \" \" in host name"
        );
        assert_eq!(parse("http://h:x/").unwrap_err(), "parse \"http://h:x/\": invalid port \":x\" after host");
        assert_eq!(parse("/a%zz").unwrap_err(), "parse \"/a%zz\": invalid URL escape \"%zz\"");
        assert_eq!(parse_request_uri("pcm").unwrap_err(), "parse \"pcm\": invalid URI for request");
    }

    #[test]
    fn url_rules_match_go_playground() {
        for ok in ["https://example.org", "ftp://x.org/a", "ssh://git@host/repo", "mailto:a@b.org", "file:///tmp/x"] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in ["foobar", "???", "", "example.org", "//host/path", "http://"] {
            assert!(!is_url(bad), "{bad}");
        }
        assert!(is_http_url("HTTPS://Example.org/x"));
        assert!(!is_http_url("ftp://example.org"));
        assert!(!is_http_url("abc"));
    }
}
