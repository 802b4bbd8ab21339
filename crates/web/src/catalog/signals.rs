//! What a person weighing a solution for reuse looks at, each read from its
//! publiccode.yml (as ingested on `last_seen`) or from the registry:
//!
//! - **release**: `releaseDate` and `softwareVersion`; `developmentStatus`;
//! - **maintenance**: its type, the contractors with their contract end
//!   date and whether one is still ahead of `today`, how many contacts are
//!   named (their names are personal data: only their affiliations are
//!   shown);
//! - **licence** and its family (copyleft, weak copyleft, permissive);
//! - **languages** available;
//! - **riuso owner**: the administration named by `organisation.uri` (or
//!   the old `IT.riuso.codiceIPA`), and whether an iPA list knows it;
//! - **adopters**: administrations the registry records using it, how many
//!   of them an editor verified, against the users the file declares
//!   (`usedBy`: deprecated, unverified, shown apart).
//!
//! And around it: **related** solutions (sharing a category or a platform,
//! most shared first) and **who needs it**: for each PA digitale measure
//! it serves, the comuni of the run with no accepted or completed
//! application for it.

use serde::Serialize;

use super::facets::licence_family;
use super::{Catalog, Solution};

/// A contractor as the file names it (a company: not personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contractor {
    /// Its name.
    pub name: String,
    /// Contract end date (`YYYY-MM-DD`).
    pub until: String,
    /// Whether the end date is on or after today.
    pub ahead: bool,
}

/// A solution's signals (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signals {
    /// `releaseDate`.
    pub release_date: Option<String>,
    /// `softwareVersion`.
    pub version: Option<String>,
    /// `developmentStatus`.
    pub status: String,
    /// `maintenance.type`.
    pub maintenance: String,
    /// The contractors.
    pub contractors: Vec<Contractor>,
    /// Whether some contract is still running.
    pub contract_ahead: bool,
    /// How many contacts are named.
    pub contacts: usize,
    /// Their affiliations, each once.
    pub affiliations: Vec<String>,
    /// `legal.license`.
    pub licence: String,
    /// Its family.
    pub licence_family: &'static str,
    /// `localisation.availableLanguages`.
    pub languages: Vec<String>,
    /// The riuso owner's iPA code.
    pub owner: Option<String>,
    /// Administrations using it (the registry).
    pub adopters: usize,
    /// Of which verified by an editor.
    pub verified: usize,
    /// `usedBy`: declared, not verified.
    pub declared_users: Vec<String>,
    /// When the file was last read.
    pub read_on: String,
}

/// Today's date, `YYYY-MM-DD` (UTC), the day contracts are compared with.
pub fn today() -> String {
    let mut now = cantiere_store::now();
    now.truncate(10);
    now
}

/// The signals of a solution, `today` being `YYYY-MM-DD`.
pub fn signals(catalog: &Catalog, s: &Solution, today: &str) -> Option<Signals> {
    let doc = s.doc.as_ref()?;
    let m = &doc.maintenance;
    let contractors: Vec<Contractor> = m
        .contractors
        .iter()
        .flatten()
        .map(|c| Contractor {
            name: c.name.trim().to_string(),
            until: c.until.clone(),
            ahead: c.until.as_str() >= today,
        })
        .collect();
    let contacts = m.contacts.as_deref().unwrap_or_default();
    let mut affiliations: Vec<String> = contacts
        .iter()
        .filter_map(|c| c.affiliation.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_string))
        .collect();
    affiliations.sort();
    affiliations.dedup();
    Some(Signals {
        release_date: doc.release_date.clone(),
        version: doc.software_version.clone(),
        status: doc.development_status.clone(),
        maintenance: m.kind.clone(),
        contract_ahead: contractors.iter().any(|c| c.ahead),
        contractors,
        contacts: contacts.len(),
        affiliations,
        licence: doc.legal.license.clone(),
        licence_family: licence_family(&doc.legal.license),
        languages: doc.localisation.available_languages.clone(),
        owner: s.facets.get("owner").and_then(|o| o.first().cloned()),
        adopters: catalog.users(s).count(),
        verified: catalog.verified_users(s),
        declared_users: doc.used_by.clone(),
        read_on: s.last_seen.get(..10).unwrap_or(&s.last_seen).to_string(),
    })
}

/// The active solutions sharing a category or a platform with `s`, most
/// shared first (then by name), at most `limit`.
pub fn related<'a>(catalog: &'a Catalog, s: &Solution, limit: usize) -> Vec<&'a Solution> {
    let shared = |o: &Solution| {
        ["category", "platform"]
            .iter()
            .map(|f| s.facets.get(f).into_iter().flatten().filter(|v| o.has(f, v)).count())
            .sum::<usize>()
    };
    let mut out: Vec<(usize, &Solution)> = catalog
        .solutions
        .iter()
        .filter(|o| o.active && o.id != s.id)
        .map(|o| (shared(o), o))
        .filter(|(n, _)| *n > 0)
        .collect();
    // The catalog is by name: a stable sort keeps that among equals.
    out.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    out.into_iter().take(limit).map(|(_, o)| o).collect()
}

/// The comuni that miss a measure a solution serves.
#[derive(Debug, Clone, Serialize)]
pub struct WhoNeeds {
    /// The PA digitale measure.
    pub measure: &'static str,
    /// Comuni of the run without an accepted or completed application for it.
    pub missing: usize,
    /// Comuni in the run.
    pub of: usize,
    /// The largest of them: (ISTAT code, name).
    pub largest: Vec<(String, String)>,
}

/// For each measure `s` serves, the comuni that miss it (the largest
/// `limit` named).
pub fn who_needs(obs: &crate::observatory::Observatory, s: &Solution, limit: usize) -> Vec<WhoNeeds> {
    super::recommend::MEASURE_NEEDS
        .iter()
        .filter(|(m, _, _)| super::recommend::serves(s, m))
        .map(|(measure, _, _)| {
            let missing = obs.missing_measure(measure);
            WhoNeeds {
                measure,
                missing: missing.len(),
                of: obs.munis.len(),
                largest: missing.iter().take(limit).map(|m| (m.body.code.clone(), m.body.name.clone())).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::catalog::{SolutionRecord, StoredSolution};

    fn stored(id: i64, name: &str, doc: serde_json::Value) -> StoredSolution {
        StoredSolution {
            id,
            record: SolutionRecord {
                source: format!("s{id}"),
                name: name.into(),
                url: format!("https://code.example.it/{id}"),
                valid: true,
                errors: 0,
                warnings: 0,
                diagnostics: "[]".into(),
                document: Some(doc.to_string()),
                content_hash: String::new(),
                notes: "[]".into(),
            },
            active: true,
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-11-30T10:00:00Z".into(),
        }
    }

    fn doc(categories: &[&str], supports: &[&str]) -> serde_json::Value {
        serde_json::json!({
            "name": "x", "url": "https://code.example.it/x", "categories": categories,
            "supports": supports.iter().map(|s| serde_json::json!({"id": s})).collect::<Vec<_>>(),
            "developmentStatus": "stable", "softwareType": "standalone/web", "releaseDate": "2025-03-01",
            "softwareVersion": "2.1.0", "usedBy": ["Comune di Esempio"],
            "legal": {"license": "EUPL-1.2"},
            "maintenance": {"type": "contract",
                "contractors": [{"name": "Alfa srl", "until": "2027-06-30"}, {"name": "Beta spa", "until": "2024-12-31"}],
                "contacts": [{"name": "Maria Rossi", "affiliation": "Comune di Esempio"},
                             {"name": "Luca Bianchi", "affiliation": "Comune di Esempio"}]},
            "localisation": {"localisationReady": true, "availableLanguages": ["it", "en"]},
            "description": {"it": {"shortDescription": "x", "longDescription": "x", "genericName": "x", "features": []}},
        })
    }

    #[test]
    fn signals_are_read_from_the_file_with_contacts_as_affiliations_only() {
        let catalog =
            Catalog::new(vec![stored(1, "Uno", doc(&["payment-gateway"], &["alias:pagopa"]))], vec![]).unwrap();
        let s = signals(&catalog, &catalog.solutions[0], "2026-12-05").unwrap();
        assert_eq!((s.release_date.as_deref(), s.version.as_deref()), (Some("2025-03-01"), Some("2.1.0")));
        assert_eq!(s.contractors.iter().map(|c| c.ahead).collect::<Vec<_>>(), [true, false]);
        assert!(s.contract_ahead);
        assert_eq!((s.contacts, s.affiliations.as_slice()), (2, ["Comune di Esempio".to_string()].as_slice()));
        assert!(!serde_json::to_string(&s).unwrap().contains("Rossi"), "no personal name in the signals");
        assert_eq!((s.licence_family, s.read_on.as_str()), ("copyleft", "2026-11-30"));
        assert_eq!((s.adopters, s.verified, s.declared_users.len()), (0, 0, 1));
        let later = signals(&catalog, &catalog.solutions[0], "2027-07-01").unwrap();
        assert!(!later.contract_ahead, "both contracts ended");
    }

    #[test]
    fn related_solutions_share_a_category_or_a_platform_most_shared_first() {
        let catalog = Catalog::new(
            vec![
                stored(1, "Alfa", doc(&["payment-gateway"], &["alias:pagopa"])),
                stored(2, "Beta", doc(&["payment-gateway"], &["alias:pagopa"])),
                stored(3, "Gamma", doc(&["blog"], &["alias:pagopa"])),
                stored(4, "Delta", doc(&["blog"], &[])),
            ],
            vec![],
        )
        .unwrap();
        let alfa = catalog.get(1).unwrap();
        let names: Vec<&str> = related(&catalog, alfa, 5).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Beta", "Gamma"], "Beta shares two, Gamma one, Delta none");
    }
}
