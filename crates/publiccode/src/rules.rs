//! The leaf checks the reference's validator applies to single values, each one written to
//! accept exactly what the reference accepts (SPEC.md §3): dates, e-mail addresses, MIME types,
//! SPDX expressions, BCP 47 tags, organisation URIs and `supports` ids.

use unicode_segmentation::UnicodeSegmentation;

use crate::goturl;
use crate::ipa::{IpaCheck, IpaCodes};
use crate::vocab::SUPPORT_ALIASES;

/// At most `n` characters as the standard counts them (extended grapheme clusters); counting
/// stops as soon as the answer is known.
pub fn at_most_graphemes(s: &str, n: usize) -> bool {
    s.len() <= n || !plain_ascii(s) && s.graphemes(true).nth(n).is_none()
}

/// ASCII without carriage returns: one grapheme per byte.
fn plain_ascii(s: &str) -> bool {
    s.is_ascii() && !s.contains('\r')
}

/// At least `n` graphemes (a grapheme is at least one byte).
pub fn at_least_graphemes(s: &str, n: usize) -> bool {
    n == 0 || s.len() >= n && (plain_ascii(s) || s.graphemes(true).nth(n - 1).is_some())
}

/// Go's `time.Parse("2006-01-02", s)`: four-digit year, two-digit month and day, a real date.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r.clone()].iter().all(u8::is_ascii_digit).then(|| s[r].parse().ok()).flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `^ *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *$`
pub fn is_mime_type(s: &str) -> bool {
    let Some((t, sub)) = s.trim_matches(' ').split_once('/') else { return false };
    let part = |p: &str, extra: &str| {
        let mut chars = p.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
            && p.len() <= 127
            && chars.all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    part(t, "!#$&^_-") && part(sub, "!#$&^_.+-")
}

/// go-playground's `email`: a dot-atom or quoted local part, `@`, and a domain of at least two
/// labels (letters, digits, non-ASCII letters, inner hyphens); no display names, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    if local.is_empty() || local.len() > 64 || domain.is_empty() || s.len() > 254 {
        return false;
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local[1..local.len() - 1].chars().all(|c| c != '"' && c != '\\' && !c.is_control())
    } else {
        local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
    };
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
    };
    local_ok
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(|tld| tld.chars().next().is_some_and(|c| !c.is_ascii_digit()))
}

/// An SPDX license expression as github/go-spdx validates it: identifiers and exceptions
/// case-insensitive (deprecated ones included), `LicenseRef-`/`DocumentRef-` references, a `+`
/// suffix, parentheses, and the operators `AND`, `OR`, `WITH` in upper case only.
pub fn is_spdx_expression(s: &str) -> bool {
    let tokens = match spdx_tokens(s) {
        Some(t) if !t.is_empty() => t,
        _ => return false,
    };
    let mut p = SpdxParser { tokens, at: 0 };
    p.or_expr() && p.at == p.tokens.len()
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Open,
    Close,
    Word(&'a str),
}

fn spdx_tokens(s: &str) -> Option<Vec<Tok<'_>>> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\n']);
        let Some(c) = rest.chars().next() else { return Some(out) };
        match c {
            '(' => {
                out.push(Tok::Open);
                rest = &rest[1..];
            }
            ')' => {
                out.push(Tok::Close);
                rest = &rest[1..];
            }
            _ => {
                let end = rest.find([' ', '\t', '\n', '(', ')']).unwrap_or(rest.len());
                let word = &rest[..end];
                if !word.chars().all(|c| c.is_ascii_alphanumeric() || "-.+:".contains(c)) {
                    return None;
                }
                out.push(Tok::Word(word));
                rest = &rest[end..];
            }
        }
    }
}

struct SpdxParser<'a> {
    tokens: Vec<Tok<'a>>,
    at: usize,
}

impl SpdxParser<'_> {
    fn word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn or_expr(&mut self) -> bool {
        self.chain("OR", Self::and_expr)
    }

    fn and_expr(&mut self) -> bool {
        self.chain("AND", Self::with_expr)
    }

    /// `operand (op operand)*`.
    fn chain(&mut self, op: &str, operand: fn(&mut Self) -> bool) -> bool {
        if !operand(self) {
            return false;
        }
        while self.word() == Some(op) {
            self.at += 1;
            if !operand(self) {
                return false;
            }
        }
        true
    }

    fn with_expr(&mut self) -> bool {
        if !self.primary() {
            return false;
        }
        if self.word() == Some("WITH") {
            self.at += 1;
            let ok = self.word().is_some_and(|w| {
                spdx::identifiers::EXCEPTIONS.iter().any(|e| e.name.eq_ignore_ascii_case(w))
                    || w.starts_with("AdditionRef-")
            });
            self.at += 1;
            return ok;
        }
        true
    }

    fn primary(&mut self) -> bool {
        match self.tokens.get(self.at) {
            Some(Tok::Open) => {
                self.at += 1;
                let ok = self.or_expr() && self.tokens.get(self.at) == Some(&Tok::Close);
                self.at += 1;
                ok
            }
            Some(Tok::Word(w)) => {
                self.at += 1;
                is_license_id(w)
            }
            _ => false,
        }
    }
}

fn is_license_id(w: &str) -> bool {
    if matches!(w, "AND" | "OR" | "WITH" | "NONE" | "NOASSERTION") {
        return false;
    }
    if let Some(r) = w.strip_prefix("LicenseRef-") {
        return !r.is_empty();
    }
    if let Some(doc) = w.strip_prefix("DocumentRef-") {
        return doc.split_once(":LicenseRef-").is_some_and(|(d, r)| !d.is_empty() && !r.is_empty());
    }
    let id = w.strip_suffix('+').unwrap_or(w);
    spdx::identifiers::LICENSES.iter().any(|l| l.name.eq_ignore_ascii_case(id))
}

/// `bcp47_strict_language_tag`: well formed, and every subtag registered (primary languages in
/// their shortest ISO 639 form: `en`, not `eng`). Case-insensitive; private-use and grandfathered
/// tags pass.
pub fn is_bcp47(s: &str) -> bool {
    if s.is_empty() || s.contains('_') {
        return false;
    }
    match language_tags::LanguageTag::parse(s) {
        Ok(tag) => tag.validate().is_ok(),
        Err(_) => false,
    }
}

/// What is wrong with an organisation URI, if anything.
#[derive(Debug, PartialEq, Eq)]
pub enum UriProblem {
    Invalid,
    UnknownIpa,
}

/// `organisation_uri`: a URN (RFC 2141; `urn:x-italian-pa:<code>` must name a known
/// administration) or a URI with a scheme and a host.
pub fn check_organisation_uri(s: &str, ipa: &IpaCodes) -> Result<(), UriProblem> {
    let u = goturl::parse_request_uri(s).map_err(|_| UriProblem::Invalid)?;
    if u.scheme == "urn" {
        let rest = s.get(4..).unwrap_or("");
        let italian_pa = rest.get(..13).is_some_and(|p| p.eq_ignore_ascii_case("x-italian-pa:"));
        // The reference names the missing code (`urn:x-italian-pa:`) as an unknown iPA code,
        // not as a malformed URN.
        if italian_pa && rest.len() == 13 {
            return Err(UriProblem::UnknownIpa);
        }
        if !is_urn(s) {
            return Err(UriProblem::Invalid);
        }
        if italian_pa {
            return match ipa.check(&rest[13..]) {
                IpaCheck::NotKnown => Err(UriProblem::UnknownIpa),
                IpaCheck::Known | IpaCheck::Unknown => Ok(()),
            };
        }
        return Ok(());
    }
    if u.host.is_empty() { Err(UriProblem::Invalid) } else { Ok(()) }
}

/// What is wrong with a `supports` id, if anything.
#[derive(Debug, PartialEq, Eq)]
pub enum SupportsProblem {
    UnknownAlias,
    Invalid,
}

/// `alias:<name>` with a known name, or a URL with a host, or an RFC 2141 URN.
pub fn check_supports_id(s: &str) -> Result<(), SupportsProblem> {
    if let Some(name) = s.strip_prefix("alias:") {
        return if SUPPORT_ALIASES.iter().any(|(a, _)| *a == name) {
            Ok(())
        } else {
            Err(SupportsProblem::UnknownAlias)
        };
    }
    let u = goturl::parse_request_uri(s).map_err(|_| SupportsProblem::Invalid)?;
    let ok = if u.scheme == "urn" { is_urn(s) } else { !u.host.is_empty() };
    if ok { Ok(()) } else { Err(SupportsProblem::Invalid) }
}

/// RFC 2141: `urn:<NID>:<NSS>`, NID 1–32 letters, digits and inner hyphens; NSS of URN characters.
fn is_urn(s: &str) -> bool {
    let Some(rest) = s.get(4..).filter(|_| s[..4].eq_ignore_ascii_case("urn:")) else { return false };
    let Some((nid, nss)) = rest.split_once(':') else { return false };
    let nid_ok = !nid.is_empty()
        && nid.len() <= 32
        && nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !nid.starts_with('-')
        && !nid.eq_ignore_ascii_case("urn");
    let b = nss.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"()+,-.:=@;$_!*'/?#".contains(&c)) {
            return false;
        }
        i += 1;
    }
    nid_ok && !nss.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_dates_in_one_layout() {
        for ok in ["2024-02-29", "2017-04-15", "2001-01-01"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in ["2023-02-29", "2024-02-30", "2024-1-5", "", "2011-01-01 20:04:05", "foobar", "20240-01-01"] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn emails_follow_the_reference() {
        for ok in ["francesco.rossi@example.org", "a+b@example.org", "a@münchen.de"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in ["not_an_email", "a@localhost", "Foo <a@b.com>", "a b@c.org", "@b.org", "a@b..org"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn mime_types() {
        assert!(is_mime_type("text/plain"));
        assert!(is_mime_type(" application/vnd.oasis.opendocument.text "));
        assert!(!is_mime_type("foobar"));
        assert!(!is_mime_type("text/"));
    }

    #[test]
    fn spdx_expressions_follow_go_spdx() {
        for ok in [
            "MIT",
            "mit",
            "EUPL-1.2",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "Apache-2.0+",
            "GPL-3.0",
            "GPL-2.0+",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "LicenseRef-custom",
            "AGPL-3.0-or-later",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in [
            "Invalid License",
            "MIT or Apache-2.0",
            "NONE",
            "NOASSERTION",
            "EUPL",
            "Proprietary",
            "",
            "MIT WITH no-such-exception",
            "(MIT",
            "MIT AND",
        ] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }

    #[test]
    fn bcp47_is_strict() {
        for ok in ["en", "EN", "en-GB", "it", "es-419", "sl-IT-nedis", "x-klingon", "i-klingon", "und", "zh-Hant-TW"] {
            assert!(is_bcp47(ok), "{ok}");
        }
        for bad in ["eng", "ita", "hr_HR", "no such language", "zz", "en_GB", "abcd", ""] {
            assert!(!is_bcp47(bad), "{bad}");
        }
    }

    #[test]
    fn organisation_uris_and_supports_ids() {
        let ipa = IpaCodes::from_codes(["pcm", "c_h501"]);
        assert_eq!(check_organisation_uri("urn:x-italian-pa:PCM", &ipa), Ok(()));
        assert_eq!(check_organisation_uri("urn:x-italian-pa:no_such_pa", &ipa), Err(UriProblem::UnknownIpa));
        // An empty code is the reference's iPA error, with a list or without one.
        assert_eq!(check_organisation_uri("urn:x-italian-pa:", &ipa), Err(UriProblem::UnknownIpa));
        assert_eq!(check_organisation_uri("URN:X-Italian-PA:", &IpaCodes::default()), Err(UriProblem::UnknownIpa));
        assert_eq!(check_organisation_uri("https://example.org/org", &ipa), Ok(()));
        for bad in ["pcm", "1", "urn:foobar", "mailto:a@b.org", "example.org", ""] {
            assert_eq!(check_organisation_uri(bad, &ipa), Err(UriProblem::Invalid), "{bad}");
        }
        assert_eq!(check_supports_id("alias:pagopa"), Ok(()));
        assert_eq!(check_supports_id("alias:nonexistent"), Err(SupportsProblem::UnknownAlias));
        assert_eq!(check_supports_id("https://example.org/x"), Ok(()));
        assert_eq!(check_supports_id("urn:ietf:rfc:2141"), Ok(()));
        assert_eq!(check_supports_id("foo"), Err(SupportsProblem::Invalid));
    }

    #[test]
    fn graphemes_count_clusters() {
        let exactly = |s: &str, n| at_least_graphemes(s, n) && at_most_graphemes(s, n);
        assert!(exactly("e\u{301}e\u{301}", 2));
        assert!(exactly("👨‍👩‍👧‍👦", 1));
        let family = "👨‍👩‍👧‍👦".repeat(150);
        assert!(at_least_graphemes(&family, 150) && !at_least_graphemes(&family, 151));
        assert!(at_most_graphemes(&family, 150) && !at_most_graphemes(&family, 149));
        assert!(at_most_graphemes("abc", 3) && !at_most_graphemes("abcd", 3) && at_least_graphemes("", 0));
    }
}
