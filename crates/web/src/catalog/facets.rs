//! What a solution is filtered on, read from its publiccode.yml: the
//! national platforms it integrates (kept apart from compliance claims and
//! from any other `supports` value), its categories and scopes, whether it
//! is an administration's `riuso`, its licence and licence family, its
//! development status and maintenance, its owner and its languages.

use std::collections::{BTreeMap, BTreeSet};

use cantiere_publiccode::PublicCode;

/// The facets, in the order the page shows them: (key, Italian label, English label).
pub const FACETS: [(&str, &str, &str); 11] = [
    ("platform", "Piattaforme nazionali integrate", "National platform integrations"),
    ("compliance", "Conformità dichiarata", "Declared compliance"),
    ("category", "Categoria", "Category"),
    ("scope", "Ambito", "Scope"),
    ("kind", "Tipo", "Kind"),
    ("licence_family", "Famiglia di licenza", "Licence family"),
    ("licence", "Licenza", "Licence"),
    ("status", "Stato di sviluppo", "Development status"),
    ("maintenance", "Manutenzione", "Maintenance"),
    ("owner", "Amministrazione titolare", "Owner administration"),
    ("language", "Lingua", "Language"),
];

/// The national platforms (the PA digitale measures are about the first
/// five), as the `supports` aliases and the old `IT.piattaforme` flags name
/// them, with the hosts a `supports` URL names them by.
pub const PLATFORMS: [(&str, &[&str]); 7] = [
    ("pagopa", &["pagopa.gov.it", "pagopa.it", "checkout.pagopa.it"]),
    ("io", &["io.italia.it", "io.gov.it"]),
    ("spid", &["spid.gov.it"]),
    ("cie", &["cartaidentita.interno.gov.it", "cie.gov.it"]),
    ("anpr", &["anpr.interno.it", "anagrafenazionale.interno.it"]),
    ("pdnd", &["interop.pagopa.it", "pdnd.italia.it", "docs.pagopa.it/interoperabilita"]),
    ("send", &["notifichedigitali.it", "send.pagopa.it", "notifichedigitali.pagopa.it"]),
];

/// `supports` aliases that are laws or standards: compliance claims.
const COMPLIANCE_ALIASES: [&str; 4] = ["gdpr", "eidas", "nis2", "cra"];

/// The owner's iPA code from `organisation.uri` (`urn:x-italian-pa:<code>`)
/// or the old `IT.riuso.codiceIPA`.
pub fn owner(doc: &PublicCode) -> Option<String> {
    let from_uri = doc.organisation.as_ref().and_then(|o| o.uri.strip_prefix("urn:x-italian-pa:"));
    let from_riuso = doc.it.as_ref().map(|it| it.riuso.codice_ipa.as_str());
    from_uri.or(from_riuso).map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty())
}

/// The host and path of a URL, lower case, without `www.`.
fn host_path(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1.to_ascii_lowercase();
    Some(rest.strip_prefix("www.").unwrap_or(&rest).to_string())
}

/// The platform a `supports` value names, if any.
pub fn platform_of(id: &str) -> Option<&'static str> {
    if let Some(alias) = id.strip_prefix("alias:") {
        return PLATFORMS.iter().find(|(p, _)| *p == alias).map(|(p, _)| *p);
    }
    let hp = host_path(id)?;
    PLATFORMS.iter().find(|(_, hosts)| hosts.iter().any(|h| hp.starts_with(h))).map(|(p, _)| *p)
}

/// The compliance claim a `supports` value makes, if any.
fn compliance_of(id: &str) -> Option<&'static str> {
    if let Some(alias) = id.strip_prefix("alias:") {
        return COMPLIANCE_ALIASES.iter().find(|a| **a == alias).copied();
    }
    let hp = host_path(id)?;
    if hp.contains("accessib") || hp.contains("wcag") {
        Some("accessibility")
    } else if hp.contains("eur-lex.europa.eu/eli/reg/2016/679") {
        Some("gdpr")
    } else {
        None
    }
}

/// The licence family of an SPDX expression, by its first licence:
/// `copyleft` (GPL, AGPL, EUPL, OSL), `weak-copyleft` (LGPL, MPL, EPL,
/// CDDL), `permissive` (MIT, BSD, Apache, ISC, …), else `other`.
pub fn licence_family(spdx: &str) -> &'static str {
    let first = spdx.trim().trim_start_matches('(').split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    let starts = |ps: &[&str]| ps.iter().any(|p| first.starts_with(p));
    if first.is_empty() {
        "other"
    } else if starts(&["LGPL", "MPL", "EPL", "CDDL", "CECILL-C"]) {
        "weak-copyleft"
    } else if starts(&["GPL", "AGPL", "EUPL", "OSL", "CECILL-2", "CECILL-1"]) {
        "copyleft"
    } else if starts(&["MIT", "BSD", "APACHE", "ISC", "0BSD", "UNLICENSE", "CC0", "ZLIB", "BSL", "PYTHON", "PSF"]) {
        "permissive"
    } else {
        "other"
    }
}

/// Whether a repository URL is on a domain reserved for examples
/// (RFC 2606: `example.org`, `.com`, `.net` and their subdomains): the demo
/// catalog's invented solutions, whose adoptions are examples too.
pub fn is_example(url: &str) -> bool {
    let Some(hp) = host_path(url) else { return false };
    let host = hp.split(['/', ':']).next().unwrap_or("");
    ["example.org", "example.com", "example.net"].iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The facet values of a document, by facet key.
pub fn facets_of(doc: &PublicCode) -> BTreeMap<&'static str, Vec<String>> {
    let mut platforms: BTreeSet<&str> = BTreeSet::new();
    let mut compliance: BTreeSet<&str> = BTreeSet::new();
    for s in &doc.supports {
        if let Some(p) = platform_of(&s.id) {
            platforms.insert(p);
        } else if let Some(c) = compliance_of(&s.id) {
            compliance.insert(c);
        }
    }
    if let Some(it) = &doc.it {
        let p = &it.piattaforme;
        for (on, name) in [(p.pagopa, "pagopa"), (p.io, "io"), (p.spid, "spid"), (p.cie, "cie"), (p.anpr, "anpr")] {
            if on {
                platforms.insert(name);
            }
        }
        if let Some(c) = &it.conforme {
            for (on, name) in [
                (c.gdpr, "gdpr"),
                (c.linee_guida_design, "design"),
                (c.modello_interoperabilita, "interoperability"),
                (c.misure_minime_sicurezza, "security"),
            ] {
                if on == Some(true) {
                    compliance.insert(name);
                }
            }
        }
    }
    let one = |s: &str| if s.trim().is_empty() { Vec::new() } else { vec![s.trim().to_string()] };
    let set = |v: &mut Vec<String>| {
        v.sort();
        v.dedup();
    };
    let owner = owner(doc);
    let mut scopes: Vec<String> = doc.intended_audience.as_ref().map(|a| a.scope.clone()).unwrap_or_default();
    set(&mut scopes);
    let mut categories = doc.categories.clone();
    set(&mut categories);
    let mut languages: Vec<String> = doc
        .localisation
        .available_languages
        .iter()
        .filter_map(|l| l.split(['-', '_']).next())
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    set(&mut languages);
    let mut f = BTreeMap::new();
    f.insert("platform", platforms.into_iter().map(str::to_string).collect());
    f.insert("compliance", compliance.into_iter().map(str::to_string).collect());
    f.insert("category", categories);
    f.insert("scope", scopes);
    f.insert("kind", vec![if owner.is_some() { "riuso" } else { "open-source" }.to_string()]);
    let licence = doc.legal.license.trim();
    f.insert("licence_family", if licence.is_empty() { Vec::new() } else { vec![licence_family(licence).to_string()] });
    f.insert("licence", one(licence));
    f.insert("status", one(&doc.development_status));
    f.insert("maintenance", one(&doc.maintenance.kind));
    f.insert("owner", owner.into_iter().collect());
    f.insert("language", languages);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_kept_apart_from_compliance_and_other_supports() {
        let mut doc = PublicCode::default();
        for id in [
            "alias:pagopa",
            "https://www.spid.gov.it/",
            "https://docs.pagopa.it/interoperabilita-1",
            "alias:gdpr",
            "https://www.agid.gov.it/it/design-servizi/accessibilita",
            "https://example.org/some-standard",
            "alias:nis2",
        ] {
            doc.supports.push(cantiere_publiccode::Support { id: id.into() });
        }
        let f = facets_of(&doc);
        assert_eq!(f["platform"], ["pagopa", "pdnd", "spid"]);
        assert_eq!(f["compliance"], ["accessibility", "gdpr", "nis2"]);
    }

    #[test]
    fn licence_families_and_example_domains() {
        assert_eq!(licence_family("AGPL-3.0-or-later"), "copyleft");
        assert_eq!(licence_family("EUPL-1.2"), "copyleft");
        assert_eq!(licence_family("LGPL-2.1-only"), "weak-copyleft");
        assert_eq!(licence_family("MPL-2.0"), "weak-copyleft");
        assert_eq!(licence_family("MIT OR GPL-3.0"), "permissive");
        assert_eq!(licence_family("BSD-3-Clause"), "permissive");
        assert_eq!(licence_family("LicenseRef-proprietary"), "other");
        assert!(is_example("https://git.example.org/cantiere-demo/x.git"));
        assert!(is_example("https://example.com"));
        assert!(!is_example("https://github.com/example.org/x"));
        assert!(!is_example("https://notexample.org/x"));
    }
}
