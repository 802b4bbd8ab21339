//! The templates (embedded at compile time) and their filters: HTML
//! escaping of the five significant characters, `external_link` (the one
//! way a URL from data becomes a link), `num` and `pct` (Italian or English
//! number formats).

use std::sync::OnceLock;

use minijinja::{Environment, Value};

pub(crate) fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("../templates/base.html")),
            ("macros.html", include_str!("../templates/macros.html")),
            ("home.html", include_str!("../templates/home.html")),
            ("ranking.html", include_str!("../templates/ranking.html")),
            ("methodology.html", include_str!("../templates/methodology.html")),
            ("card.html", include_str!("../templates/card.html")),
            ("compare.html", include_str!("../templates/compare.html")),
            ("area.html", include_str!("../templates/area.html")),
            ("search.html", include_str!("../templates/search.html")),
            ("downloads.html", include_str!("../templates/downloads.html")),
            ("error.html", include_str!("../templates/error.html")),
            ("solutions.html", include_str!("../templates/solutions.html")),
            ("solution.html", include_str!("../templates/solution.html")),
            ("communities.html", include_str!("../templates/communities.html")),
            ("community.html", include_str!("../templates/community.html")),
            ("meeting.html", include_str!("../templates/meeting.html")),
            ("thread.html", include_str!("../templates/thread.html")),
            ("consultation.html", include_str!("../templates/consultation.html")),
            ("coverage.html", include_str!("../templates/coverage.html")),
            ("account.html", include_str!("../templates/account.html")),
            ("profile.html", include_str!("../templates/profile.html")),
            ("import_report.html", include_str!("../templates/import_report.html")),
        ] {
            env.add_template(name, text).expect("the templates are valid");
        }
        // HTML escaping of the five significant characters only (minijinja's
        // default also escapes `/`, which makes every URL unreadable).
        env.set_formatter(|out, _state, value| {
            let text = value.to_string();
            if value.is_safe() {
                out.write_str(&text)?;
                return Ok(());
            }
            out.write_str(&escape(&text))?;
            Ok(())
        });
        env.add_filter("external_link", external_link);
        env.add_filter("num", num);
        env.add_filter("pct", pct);
        env
    })
}

/// HTML escaping of the five significant characters.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a URL from data may become a link: `http://` or `https://`
/// (any case) followed by a host, and no character that a browser would strip
/// or reinterpret (controls, spaces, backslashes).
pub(crate) fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// `{{ url|external_link(text) }}`: the one way a URL that comes from data
/// (a publiccode.yml, an adoption's evidence, a community resource, a
/// meeting) is shown. An http(s) URL becomes a link (`rel="nofollow noopener
/// noreferrer"`) with `text` (the URL itself when none); anything else
/// (`javascript:`, `data:`, a relative path) is shown as text, never a link.
fn external_link(url: Value, text: Option<Value>) -> Value {
    let url = url.as_str().map_or_else(|| url.to_string(), str::to_string);
    let text = text.map_or_else(|| url.clone(), |t| t.as_str().map_or_else(|| t.to_string(), str::to_string));
    if is_http_url(&url) {
        Value::from_safe_string(format!(
            "<a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a>",
            escape(&url),
            escape(&text)
        ))
    } else {
        Value::from_safe_string(escape(&text))
    }
}

/// Formats a number with `digits` decimals, Italian or English separators;
/// missing values are a dash.
fn num(v: Value, digits: usize, lang: &str) -> String {
    let Some(x) = f64::try_from(v).ok().filter(|x| x.is_finite()) else { return "—".into() };
    let s = format!("{:.*}", digits, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (thousands, decimal) = if lang == "it" { ('.', ',') } else { (',', '.') };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '−');
    }
    out
}

fn pct(v: Value, lang: &str) -> String {
    match f64::try_from(v).ok().filter(|x| x.is_finite()) {
        Some(x) => format!("{} %", num(Value::from(x * 100.0), 0, lang)),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        for good in ["https://example.org/a?b=1", "HTTP://example.org"] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "/relative",
            "https://",
            "https://a b",
            "http:\\\\evil",
            "https://x\u{0}y",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
        let link = external_link(Value::from("https://e.org/?a=1&b=\"2\""), Some(Value::from("<b>T</b>")));
        assert_eq!(
            link.to_string(),
            "<a href=\"https://e.org/?a=1&amp;b=&quot;2&quot;\" rel=\"nofollow noopener noreferrer\">&lt;b&gt;T&lt;/b&gt;</a>"
        );
        assert_eq!(external_link(Value::from("javascript:alert(1)"), None).to_string(), "javascript:alert(1)");
    }

    #[test]
    fn numbers_are_formatted_for_each_language() {
        assert_eq!(num(Value::from(1234567.891), 2, "it"), "1.234.567,89");
        assert_eq!(num(Value::from(1234567.891), 1, "en"), "1,234,567.9");
        assert_eq!(num(Value::from(-0.04), 1, "en"), "0.0");
        assert_eq!(num(Value::from(-12.5), 0, "it"), "−12");
        assert_eq!(num(Value::from(()), 1, "it"), "—");
        assert_eq!(pct(Value::from(0.935), "it"), "94 %");
    }
}
