//! The two languages of the site: Italian (default) and English.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Italiano.
    It,
    /// English.
    En,
}

impl Lang {
    /// From the first path segment.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The path segment and `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::It => Lang::En,
            Lang::En => Lang::It,
        }
    }

    /// Every label of the interface in this language (read once from
    /// `i18n/labels.toml`, embedded at compile time, and kept for the life
    /// of the process).
    pub fn labels(self) -> &'static BTreeMap<&'static str, &'static str> {
        static IT: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
        static EN: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
        let cell = if self == Lang::It { &IT } else { &EN };
        cell.get_or_init(|| {
            let all = labels().unwrap_or_else(|e| {
                tracing::error!(cause = %e, "i18n/labels.toml");
                BTreeMap::new()
            });
            let keep = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
            all.into_iter().map(|(k, [it, en])| (keep(k), keep(if self == Lang::It { it } else { en }))).collect()
        })
    }
}

/// The language of a page, from the first segment of its path (`/it/…`,
/// `/en/…`); any other is the site's 404 page.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = crate::http::error::AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let first = parts.uri.path().trim_start_matches('/').split('/').next().unwrap_or("");
        Lang::parse(first)
            .ok_or_else(|| crate::http::error::AppError::NotFound(format!("no language `{first}`: use it or en")))
    }
}

/// Every label: key → [Italian, English]; an error names the key whose
/// table is not two strings `it` and `en`.
fn labels() -> Result<BTreeMap<String, [String; 2]>, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Label {
        it: String,
        en: String,
    }
    let all: BTreeMap<String, Label> =
        toml::from_str(include_str!("../../i18n/labels.toml")).map_err(|e| e.to_string())?;
    all.into_iter()
        .map(|(k, l)| {
            if l.it.is_empty() || l.en.is_empty() {
                Err(format!("{k}: a label is empty"))
            } else {
                Ok((k, [l.it, l.en]))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_label_is_in_both_languages() {
        let all = super::labels().expect("i18n/labels.toml reads");
        assert!(all.len() > 300, "{} labels", all.len());
        assert_eq!(all["ranking"], ["Classifica".to_string(), "Ranking".to_string()]);
        let it = super::Lang::It.labels();
        let en = super::Lang::En.labels();
        assert_eq!((it.len(), en.len()), (all.len(), all.len()));
        assert_eq!(en["not_found"], "Page not found");
        assert_eq!(it["not_found"], "Pagina non trovata");
    }
}
