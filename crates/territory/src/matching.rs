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
//! 4. by name, for municipalities that got a new IPA code and no ISTAT code
//!    yet (`COMUNE DI SOVIZZO`, `N/D`): the one municipality of that name in
//!    the row's province, else in its region (provinces were redrawn), else a
//!    deleted municipality of that name in the province, through its merger.
//!
//! Whatever stays unmatched is reported with the reason; nothing is dropped
//! silently. Applications of other bodies (schools, ASL, other bodies) are
//! placed in their municipality by ISTAT code, else by the name of their
//! municipality (`comune`) within their region.

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
    let mut in_province: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut in_region: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, m) in registry.municipalities.iter().enumerate() {
        in_province.entry((m.province_abbr.clone(), name_key(&m.name))).or_default().push(i);
        in_region.entry((name_key(&m.region), name_key(&m.name))).or_default().push(i);
    }
    let mut historical: HashMap<(String, String), Vec<String>> = HashMap::new();
    for e in registry.history.entries.iter().filter(|e| !e.active) {
        let list = historical.entry((e.province.clone(), name_key(&e.name))).or_default();
        if !list.contains(&e.cadastral) {
            list.push(e.cadastral.clone());
        }
    }
    let region_of = |a: &Application| name_key(a.regione.split('/').next().unwrap_or(""));
    let unique = |map: &HashMap<(String, String), Vec<usize>>, key: (String, String)| match map.get(&key) {
        Some(v) if v.len() == 1 => Some(v[0]),
        _ => None,
    };
    let no_istat = |a: &Application| match &a.cod_comune {
        Some(c) => format!("ISTAT code {c} is not in the registry"),
        None => "no ISTAT code (N/D)".to_string(),
    };
    // A deleted municipality's cadastral code → its successor, or why not.
    let through_history = |cad: &str| -> Result<Outcome, String> {
        match registry.history.fate(cad) {
            Fate::MergedInto { into, date } => match by_cad.get(into.as_str()) {
                Some(&m) => Ok(Outcome::Matched(m, Method::Merger { from: cad.to_string(), date: date.to_string() })),
                None => Err(format!("{cad} was merged into {into} on {date}, which is not in the registry")),
            },
            Fate::Ambiguous { date, candidates } => {
                Err(format!("{cad} was deleted on {date} with several possible successors ({})", candidates.join(", ")))
            }
            Fate::Deleted { date } => Err(format!(
                "{cad} was deleted{} with no successor",
                date.map(|d| format!(" on {d}")).unwrap_or_default()
            )),
            Fate::Active => Err(format!("{cad} is active but not in the registry")),
            Fate::Unknown => Err(format!("{cad} is not in the historical list")),
        }
    };
    let outcomes = apps
        .iter()
        .map(|a| {
            if let Some(&m) = a.cod_comune.as_deref().and_then(|c| by_code.get(c)) {
                return Outcome::Matched(m, Method::Istat);
            }
            let mut reasons = vec![no_istat(a)];
            if a.kind != BodyKind::Comune {
                // `Bolzano/Bozen`: the Italian name comes first.
                let key = name_key(a.comune.split('/').next().unwrap_or(""));
                if let Some(m) = unique(&in_region, (region_of(a), key.clone())) {
                    return Outcome::Matched(m, Method::Name);
                }
                if let Some([cad]) = historical.get(&(a.provincia.clone(), key)).map(Vec::as_slice)
                    && let Ok(o) = through_history(cad)
                {
                    return o;
                }
                reasons.push(format!(
                    "no single municipality named `{}` in region {}, now or formerly",
                    a.comune, a.regione
                ));
                return Outcome::Unmatched(reasons.join("; "));
            }
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
                    match through_history(cad) {
                        Ok(o) => return o,
                        Err(why) => reasons.push(format!("cadastral code {why}")),
                    }
                }
                None => reasons.push(format!("IPA code {} carries no cadastral code", a.codice_ipa)),
            }
            let key = name_key(&a.ente);
            if let Some(m) = unique(&in_province, (a.provincia.clone(), key.clone()))
                .or_else(|| unique(&in_region, (region_of(a), key.clone())))
            {
                return Outcome::Matched(m, Method::Name);
            }
            match historical.get(&(a.provincia.clone(), key)).map(Vec::as_slice) {
                Some([cad]) => match through_history(cad) {
                    Ok(o) => return o,
                    Err(why) => reasons.push(format!("former municipality `{}`: {why}", a.ente)),
                },
                Some(_) => reasons.push(format!("several former municipalities named `{}` in {}", a.ente, a.provincia)),
                None => reasons.push(format!(
                    "no single municipality named `{}` in province {} or region {}, now or formerly",
                    a.ente, a.provincia, a.regione
                )),
            }
            Outcome::Unmatched(reasons.join("; "))
        })
        .collect();
    Matching { outcomes }
}
