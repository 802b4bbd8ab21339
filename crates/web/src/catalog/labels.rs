//! The names people read for the values of the catalog's facets: the
//! publiccode.yml vocabularies (categories, scopes) and ours (platforms,
//! compliance, licence families, statuses, maintenance, kinds), in Italian
//! and English, from `i18n/publiccode.toml` (embedded, read once). A value
//! with no label is shown as it is.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::http::i18n::Lang;

type Table = BTreeMap<String, BTreeMap<String, [String; 2]>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../../i18n/publiccode.toml")).unwrap_or_else(|e| {
            tracing::error!(cause = %e, "i18n/publiccode.toml");
            Table::new()
        })
    })
}

/// The label of a facet's value in a language, if the vocabulary has one.
pub fn label(facet: &str, value: &str, lang: Lang) -> Option<&'static str> {
    let pair = table().get(facet)?.get(value)?;
    Some(if lang == Lang::It { &pair[0] } else { &pair[1] })
}

/// Every value of a facet's vocabulary.
pub fn values(facet: &str) -> impl Iterator<Item = &'static str> {
    table().get(facet).into_iter().flat_map(|m| m.keys().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_publiccode::vocab::{CATEGORIES, SCOPES};

    #[test]
    fn every_category_and_scope_of_the_standard_has_both_labels() {
        assert!(toml::from_str::<Table>(include_str!("../../i18n/publiccode.toml")).is_ok());
        for (facet, slugs) in [("category", CATEGORIES), ("scope", SCOPES)] {
            for slug in slugs {
                let (it, en) = (label(facet, slug, Lang::It), label(facet, slug, Lang::En));
                assert!(it.is_some_and(|l| !l.is_empty()) && en.is_some_and(|l| !l.is_empty()), "{facet} {slug}");
            }
            assert_eq!(values(facet).count(), slugs.len(), "{facet}: no label for a value outside the vocabulary");
        }
        assert_eq!(label("category", "payment-gateway", Lang::It), Some("Pagamenti elettronici"));
        assert_eq!(label("platform", "io", Lang::En), Some("IO app"));
        assert_eq!(label("category", "no-such-slug", Lang::It), None);
        assert_eq!(label("language", "de", Lang::It), Some("Tedesco"));
    }

    #[test]
    fn every_platform_and_facet_key_has_labels() {
        for (p, _) in super::super::facets::PLATFORMS {
            assert!(label("platform", p, Lang::It).is_some(), "{p}");
        }
        for family in ["copyleft", "weak-copyleft", "permissive", "other"] {
            assert!(label("licence_family", family, Lang::En).is_some(), "{family}");
        }
    }
}
