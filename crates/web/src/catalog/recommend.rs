//! Recommendations: from a municipality's gaps to catalog solutions its
//! peers adopted.
//!
//! A **need** is a PA digitale measure the municipality has not applied to
//! (no application accepted or completed), or one of whose indicators is a
//! weakness against its peers. Each measure is served by solutions with
//! given platform integrations or categories ([`MEASURE_NEEDS`]). For each
//! need, the active solutions that serve it and that the municipality does
//! not already use are ranked by:
//!
//! 1. how many of its peers use them (`in_use` adoptions; evaluating and
//!    dismissed do not count),
//! 2. how many of those peers improved (their innovation score rose since
//!    the previous run; unknown without one),
//! 3. how many administrations use them in all,
//! 4. name.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog::{Catalog, Solution};

/// Which solutions serve a PA digitale measure: (measure, platforms, categories).
pub const MEASURE_NEEDS: [(&str, &[&str], &[&str]); 6] = [
    ("1.2", &[], &["cloud-management", "backup"]),
    ("1.3.1", &[], &["data-collection", "it-management"]),
    (
        "1.4.1",
        &[],
        &["website-builder", "content-management", "digital-citizenship", "appointment-scheduling", "online-booking"],
    ),
    ("1.4.3", &["pagopa", "io"], &["payment-gateway", "mobile-payment"]),
    ("1.4.4", &["spid", "cie", "anpr"], &["identity-management"]),
    ("1.4.5", &[], &["communications"]),
];

/// Why a measure is a need.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// No accepted or completed application for it.
    Missing,
    /// An indicator of it is a weakness (normalised value below the peers' mean by `gap`).
    Weak {
        /// The indicator.
        indicator: String,
        /// Peers' mean minus the value.
        gap: f64,
    },
}

/// A measure to act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Need {
    /// The PA digitale measure.
    pub measure: String,
    /// Why.
    pub reason: Reason,
}

/// The needs of a municipality: missing measures first (in measure order),
/// then weak ones by gap; each measure once.
///
/// `applied`: measures with an accepted or completed application;
/// `weak`: (indicator's measure, indicator, gap) of its weaknesses.
pub fn needs(applied: &BTreeSet<String>, weak: &[(String, String, f64)]) -> Vec<Need> {
    let mut out: Vec<Need> = MEASURE_NEEDS
        .iter()
        .filter(|(m, _, _)| !applied.contains(*m))
        .map(|(m, _, _)| Need { measure: m.to_string(), reason: Reason::Missing })
        .collect();
    let mut weak: Vec<&(String, String, f64)> = weak.iter().collect();
    weak.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    for (measure, indicator, gap) in weak {
        let served = MEASURE_NEEDS.iter().any(|(m, _, _)| m == measure);
        if served && !out.iter().any(|n| &n.measure == measure) {
            out.push(Need {
                measure: measure.clone(),
                reason: Reason::Weak { indicator: indicator.clone(), gap: *gap },
            });
        }
    }
    out
}

/// Whether a solution serves a measure.
pub fn serves(s: &Solution, measure: &str) -> bool {
    MEASURE_NEEDS.iter().filter(|(m, _, _)| *m == measure).any(|(_, platforms, categories)| {
        platforms.iter().any(|p| s.has("platform", p)) || categories.iter().any(|c| s.has("category", c))
    })
}

/// A peer as the ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    /// Its iPA code.
    pub codice_ipa: String,
    /// Whether its innovation score rose since the previous run (`None`: no previous run).
    pub improved: Option<bool>,
}

/// One recommended solution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The solution's catalog id.
    pub solution: i64,
    /// Its name.
    pub name: String,
    /// Peers that use it (iPA codes, in the peers' order).
    pub peers: Vec<String>,
    /// How many of them improved.
    pub improved: usize,
    /// Administrations that use it in all.
    pub adopters: usize,
    /// An invented example (its adoptions too): labelled so.
    pub example: bool,
}

/// The solutions serving `measure` for the administration `own`, ranked
/// (see the module's doc), at most `limit`.
pub fn recommend(catalog: &Catalog, own: &str, measure: &str, peers: &[Peer], limit: usize) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = catalog
        .serving(measure)
        .filter(|s| !catalog.uses(own, s.id))
        .map(|s| {
            let in_use: Vec<&str> = catalog.users(s).map(|a| a.codice_ipa.as_str()).collect();
            let adopting: Vec<&Peer> = peers.iter().filter(|p| in_use.contains(&p.codice_ipa.as_str())).collect();
            Recommendation {
                solution: s.id,
                name: s.name.clone(),
                peers: adopting.iter().map(|p| p.codice_ipa.clone()).collect(),
                improved: adopting.iter().filter(|p| p.improved == Some(true)).count(),
                adopters: in_use.iter().collect::<BTreeSet<_>>().len(),
                example: s.example,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.peers.len(), b.improved, b.adopters)
            .cmp(&(a.peers.len(), a.improved, a.adopters))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cantiere_store::adoption::{Adoption, AdoptionStatus};
    use cantiere_store::catalog::{SolutionRecord, StoredSolution};

    fn solution(id: i64, name: &str, active: bool, supports: &[&str], categories: &[&str]) -> StoredSolution {
        let doc = serde_json::json!({
            "name": name, "url": format!("https://example.org/{id}"),
            "supports": supports.iter().map(|s| serde_json::json!({"id": format!("alias:{s}")})).collect::<Vec<_>>(),
            "categories": categories,
        });
        StoredSolution {
            id,
            record: SolutionRecord {
                source: format!("s{id}"),
                name: name.into(),
                url: format!("https://example.org/{id}"),
                valid: active,
                errors: 0,
                warnings: 0,
                diagnostics: "[]".into(),
                document: Some(doc.to_string()),
                content_hash: String::new(),
                notes: "[]".into(),
            },
            active,
            first_seen: String::new(),
            last_seen: String::new(),
        }
    }

    fn adoption(id: i64, ipa: &str, solution_id: i64, status: AdoptionStatus) -> Adoption {
        Adoption {
            id,
            codice_ipa: ipa.into(),
            solution_id,
            status,
            since: None,
            evidence: None,
            verified_by: None,
            verified_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    /// The fixture, worked out by hand for measure 1.4.3 (pagoPA and IO:
    /// platforms pagopa, io; categories payment-gateway, mobile-payment):
    ///
    /// | solution | serves 1.4.3 | in use by peers | improved | in use in all |
    /// |----------|--------------|-----------------|----------|---------------|
    /// | A pagopa | yes          | p2, p4          | 0        | 2             |
    /// | B io + payment-gateway | yes | p1, p3    | 2        | 2             |
    /// | C payment-gateway | yes | p1 (p2 only evaluates) | 1 | 4 (x1–x3)    |
    /// | D spid, identity  | no  | p1, p2, p3      | —        | —             |
    /// | E pagopa, invalid | listed no | all four  | —        | —             |
    /// | F pagopa | yes, but the comune uses it   | — | —      | —             |
    /// | G mobile-payment | yes | none             | 0        | 1 (x1)        |
    /// | H mobile-payment | yes | none (p1 dismissed it) | 0  | 0             |
    ///
    /// Peers p1 and p3 improved, p2 did not, p4 unknown. Ranking by (peers,
    /// improved, in all, name): B (2, 2, 2), A (2, 0, 2), C (1, 1, 4),
    /// G (0, 0, 1), H (0, 0, 0).
    #[test]
    fn solutions_are_ranked_by_peers_adopting_then_peers_improving() {
        use AdoptionStatus::*;
        let solutions = vec![
            solution(1, "A", true, &["pagopa"], &[]),
            solution(2, "B", true, &["io"], &["payment-gateway"]),
            solution(3, "C", true, &[], &["payment-gateway"]),
            solution(4, "D", true, &["spid"], &["identity-management"]),
            solution(5, "E", false, &["pagopa"], &[]),
            solution(6, "F", true, &["pagopa"], &[]),
            solution(7, "G", true, &[], &["mobile-payment"]),
            solution(8, "H", true, &[], &["mobile-payment"]),
        ];
        let mut adoptions = Vec::new();
        let mut add = |ipa: &str, s: i64, st: AdoptionStatus| {
            let id = adoptions.len() as i64 + 1;
            adoptions.push(adoption(id, ipa, s, st));
        };
        for (ipa, s) in [("p2", 1), ("p4", 1), ("p1", 2), ("p3", 2), ("p1", 3), ("x1", 3), ("x2", 3), ("x3", 3)] {
            add(ipa, s, InUse);
        }
        add("p2", 3, Evaluating);
        add("p1", 1, Dismissed);
        for p in ["p1", "p2", "p3"] {
            add(p, 4, InUse);
        }
        for p in ["p1", "p2", "p3", "p4"] {
            add(p, 5, InUse);
        }
        for p in ["me", "p1", "p2", "p3"] {
            add(p, 6, InUse);
        }
        add("x1", 7, InUse);
        add("p1", 8, Dismissed);
        let catalog = Catalog::new(solutions, adoptions).unwrap();
        let peers = [("p1", Some(true)), ("p2", Some(false)), ("p3", Some(true)), ("p4", None)]
            .map(|(c, improved)| Peer { codice_ipa: c.into(), improved });

        let got = recommend(&catalog, "me", "1.4.3", &peers, 10);
        let summary: Vec<(&str, usize, usize, usize)> =
            got.iter().map(|r| (r.name.as_str(), r.peers.len(), r.improved, r.adopters)).collect();
        assert_eq!(summary, vec![("B", 2, 2, 2), ("A", 2, 0, 2), ("C", 1, 1, 4), ("G", 0, 0, 1), ("H", 0, 0, 0)]);
        assert_eq!(got[0].peers, vec!["p1", "p3"]);
        assert_eq!(recommend(&catalog, "me", "1.4.3", &peers, 2).len(), 2);
        // For identity (1.4.4) only D serves: three peers use it.
        let identity = recommend(&catalog, "me", "1.4.4", &peers, 10);
        assert_eq!(identity.iter().map(|r| (r.name.as_str(), r.peers.len())).collect::<Vec<_>>(), vec![("D", 3)]);
    }

    #[test]
    fn missing_measures_come_first_then_weak_ones_by_gap() {
        let applied: BTreeSet<String> = ["1.2", "1.3.1", "1.4.1", "1.4.4"].map(String::from).into();
        let weak = vec![
            ("1.4.1".to_string(), "done_141".to_string(), 0.1),
            ("1.4.4".to_string(), "days_144".to_string(), 0.3),
            ("1.4.3".to_string(), "eur_143".to_string(), 0.5),
            ("1.4.1".to_string(), "adopt_141".to_string(), 0.2),
            ("9.9".to_string(), "other".to_string(), 0.9),
        ];
        let got: Vec<(String, Option<String>)> = needs(&applied, &weak)
            .into_iter()
            .map(|n| {
                let ind = match n.reason {
                    Reason::Missing => None,
                    Reason::Weak { indicator, .. } => Some(indicator),
                };
                (n.measure, ind)
            })
            .collect();
        let expect = |m: &str, i: Option<&str>| (m.to_string(), i.map(String::from));
        assert_eq!(
            got,
            vec![
                expect("1.4.3", None),
                expect("1.4.5", None),
                expect("1.4.4", Some("days_144")),
                expect("1.4.1", Some("adopt_141")),
            ]
        );
    }
}
