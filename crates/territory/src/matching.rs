//! Matching applications to the municipalities of the registry.
//!
//! An application of a comune is matched, in this order:
//! 1. by the ISTAT code of its row (`cod_comune`), when the registry has it;
//! 2. by the cadastral code inside its IPA code (`c_h501` → `H501`), when the
//!    registry has it (ISTAT codes change when provinces are redrawn, as in
//!    Sardinia in 2025; cadastral codes do not);
//! 3. through the historical list, when that cadastral code belongs to a
//!    municipality merged into another: the application counts for the
//!    successor;
//! 4. by name within the row's province, for municipalities that got a new
//!    IPA code and no ISTAT code yet (`COMUNE DI SOVIZZO`, `N/D`).
//!
//! Whatever stays unmatched is reported with the reason; nothing is dropped
//! silently. Applications of other bodies (schools, ASL, other bodies) are
//! placed in their municipality by ISTAT code only.

use std::collections::HashMap;

use crate::padigitale::{Application, BodyKind};
use crate::registry::{Fate, Registry};
use crate::text::name_key;

/// How an application was matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// By ISTAT code.
    Istat,
    /// By the cadastral code of the IPA code.
    Cadastral,
    /// Through a merger: the cadastral code of a deleted municipality.
    Merger {
        /// The deleted municipality's cadastral code.
        from: String,
        /// The date of the merger.
        date: String,
    },
    /// By name within the province.
    Name,
}

impl Method {
    /// A short name for reports.
    pub fn label(&self) -> &'static str {
        match self {
            Method::Istat => "istat",
            Method::Cadastral => "cadastral",
            Method::Merger { .. } => "merger",
            Method::Name => "name",
        }
    }
}

/// The outcome for one application.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Matched to the municipality at this registry position.
    Matched(usize, Method),
    /// Not matched, and why.
    Unmatched(String),
}

/// Outcomes, parallel to the applications.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matching {
    /// One outcome per application.
    pub outcomes: Vec<Outcome>,
}

impl Matching {
    /// The municipality of an application, if matched.
    pub fn municipality(&self, app: usize) -> Option<usize> {
        match self.outcomes[app] {
            Outcome::Matched(m, _) => Some(m),
            Outcome::Unmatched(_) => None,
        }
    }
}

/// Matches every application.
pub fn match_applications(apps: &[Application], registry: &Registry) -> Matching {
    let by_code = registry.by_code();
    let by_cad = registry.by_cadastral();
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, m) in registry.municipalities.iter().enumerate() {
        by_name.entry((m.province_abbr.clone(), name_key(&m.name))).or_default().push(i);
    }
    let outcomes = apps
        .iter()
        .map(|a| {
            let istat = a.cod_comune.as_deref().and_then(|c| by_code.get(c).copied());
            if a.kind != BodyKind::Comune {
                return match istat {
                    Some(m) => Outcome::Matched(m, Method::Istat),
                    None => Outcome::Unmatched(match &a.cod_comune {
                        Some(c) => format!("ISTAT code {c} is not in the registry"),
                        None => "no ISTAT code (N/D)".to_string(),
                    }),
                };
            }
            if let Some(m) = istat {
                return Outcome::Matched(m, Method::Istat);
            }
            let mut reasons = vec![match &a.cod_comune {
                Some(c) => format!("ISTAT code {c} is not in the registry"),
                None => "no ISTAT code (N/D)".to_string(),
            }];
            let ipa = a.codice_ipa.to_lowercase();
            let cadastral = ipa
                .strip_prefix("c_")
                .filter(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
                .map(str::to_uppercase);
            match &cadastral {
                Some(cad) => {
                    if let Some(&m) = by_cad.get(cad.as_str()) {
                        return Outcome::Matched(m, Method::Cadastral);
                    }
                    match registry.history.fate(cad) {
                        Fate::MergedInto { into, date } => match by_cad.get(into.as_str()) {
                            Some(&m) => {
                                return Outcome::Matched(
                                    m,
                                    Method::Merger { from: cad.clone(), date: date.to_string() },
                                );
                            }
                            None => reasons.push(format!(
                                "cadastral code {cad} was merged into {into} on {date}, which is not in the registry"
                            )),
                        },
                        Fate::Ambiguous { date, candidates } => reasons.push(format!(
                            "cadastral code {cad} was deleted on {date} with several possible successors ({})",
                            candidates.join(", ")
                        )),
                        Fate::Deleted { date } => reasons.push(format!(
                            "cadastral code {cad} was deleted{} with no successor",
                            date.map(|d| format!(" on {d}")).unwrap_or_default()
                        )),
                        Fate::Active => {
                            reasons.push(format!("cadastral code {cad} is active but not in the registry"))
                        }
                        Fate::Unknown => reasons.push(format!("cadastral code {cad} is not in the historical list")),
                    }
                }
                None => reasons.push(format!("IPA code {} carries no cadastral code", a.codice_ipa)),
            }
            match by_name.get(&(a.provincia.clone(), name_key(&a.ente))).map(Vec::as_slice) {
                Some([m]) => return Outcome::Matched(*m, Method::Name),
                Some(many) if many.len() > 1 => {
                    reasons.push(format!("{} municipalities of {} share the name", many.len(), a.provincia))
                }
                _ => reasons.push(format!("no municipality named `{}` in province {}", a.ente, a.provincia)),
            }
            Outcome::Unmatched(reasons.join("; "))
        })
        .collect();
    Matching { outcomes }
}
