//! Rendering pages: the templates (embedded at compile time) and their
//! filters — HTML escaping of the five significant characters,
//! `external_link` (the one way a URL from data becomes a link), `num` and
//! `pct` (Italian or English number formats) — and the frame every page
//! shares (language switch, labels, the run served).

use std::sync::OnceLock;

use axum::response::Html;
use minijinja::{Environment, Value, context};

use crate::http::error::{AppError, internal};
use crate::http::i18n::Lang;
use crate::observatory::Observatory;

fn labels(lang: Lang) -> Value {
    static IT: OnceLock<Value> = OnceLock::new();
    static EN: OnceLock<Value> = OnceLock::new();
    let cell = if lang == Lang::It { &IT } else { &EN };
    cell.get_or_init(|| Value::from_serialize(lang.labels())).clone()
}

/// What a page is: its template, its menu entry, its title, and its path
/// after the language (for the link to the other language).
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The template (`card.html`).
    pub template: &'a str,
    /// The menu entry it belongs to (`ranking`).
    pub menu: &'a str,
    /// The title.
    pub title: &'a str,
    /// The path after `/{lang}/`.
    pub path: &'a str,
}

/// Renders a page of the site with its own context `ctx`.
pub fn render(obs: &Observatory, lang: Lang, page: Page<'_>, ctx: Value) -> Result<Html<String>, AppError> {
    let base = context! {
        lang => lang.code(),
        other => lang.other().code(),
        switch_url => format!("/{}/{}", lang.other().code(), page.path),
        t => labels(lang),
        run => Value::from_serialize(&obs.run),
        page => page.menu,
        title => page.title,
    };
    let tmpl = env().get_template(page.template).map_err(internal)?;
    tmpl.render(context! { ..ctx, ..base }).map(Html).map_err(internal)
}

/// The error page (also used for unknown paths).
pub fn render_error(lang: Lang, e: &AppError) -> String {
    let l = lang.labels();
    let title = match e {
        AppError::NotFound(_) => l["not_found"],
        AppError::BadRequest(_) => l["bad_request"],
        AppError::Forbidden(_) => l["forbidden"],
        AppError::TooMany(_) => l["too_many"],
        AppError::TooLarge(_) => l["too_large"],
        AppError::Internal => l["server_error"],
    };
    let ctx = context! {
        lang => lang.code(), other => lang.other().code(), switch_url => format!("/{}/", lang.other().code()),
        t => labels(lang), run => context!{ created_at => "", index_code => "", index_version => "" },
        page => "error", title => title, message => e.to_string(),
    };
    env().get_template("error.html").and_then(|t| t.render(ctx)).unwrap_or_else(|e| {
        tracing::error!(cause = %e, "rendering the error page");
        format!("<!doctype html><html lang=\"{}\"><title>{title}</title><h1>{title}</h1></html>", lang.code())
    })
}

pub(crate) fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        macro_rules! templates {
            ($($name:literal),*) => { [$(($name, include_str!(concat!("../../templates/", $name)))),*] };
        }
        for (name, text) in templates!(
            "base.html",
            "macros.html",
            "home.html",
            "ranking.html",
            "methodology.html",
            "card.html",
            "compare.html",
            "area.html",
            "search.html",
            "downloads.html",
            "error.html",
            "solutions.html",
            "solution.html",
            "communities.html",
            "community.html",
            "meeting.html",
            "thread.html",
            "consultation.html",
            "coverage.html",
            "account.html",
            "profile.html",
            "import_report.html",
            "unions.html",
            "union.html",
            "areas.html"
        ) {
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
