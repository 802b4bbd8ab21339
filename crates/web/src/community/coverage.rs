//! Coverage of the territory by the communities: the figures a region
//! reports (registrations, people, distinct bodies, territorial bodies,
//! share of the local bodies represented) for all communities, each
//! community, each thematic area, each province and size class of comuni,
//! and the comuni not yet in any community.
//!
//! Definitions:
//! - a **body** is an administration by iPA code; a **territorial body** is
//!   a local authority: a comune, or a union of comuni, province,
//!   metropolitan city, mountain community or region (recognised by its
//!   name, as PA digitale 2026 lists them all as "Altri Enti");
//! - only **confirmed** registrations count (confirmed by the body's editor,
//!   or imported by a platform admin): anyone may join on behalf of any body,
//!   so an unconfirmed registration claims nothing yet; those awaiting
//!   confirmation are counted apart (`pending`);
//! - the **scope** is a set of regions: the one asked for, else the regions
//!   where the registered bodies have their seat;
//! - **share of comuni** = comuni of the scope with at least one
//!   registration / comuni of the scope in the run; **share of local
//!   bodies** = territorial bodies of the scope represented / the scope's
//!   comuni plus the other local authorities known there (those that applied
//!   to PA digitale 2026 and, when an operator loaded it, those IndicePA
//!   lists — unions, mountain communities, provinces that never applied —
//!   located by their seat).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cantiere_store::community::{Area, Community, Membership};
use serde::Serialize;

use crate::observatory::Observatory;

/// What kind of body an iPA code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// A comune of the run.
    Comune,
    /// Another local authority.
    LocalAuthority,
    /// Anything else (a school, a health authority, a university…).
    Other,
}

/// Whether a body's name is a local authority's (other than a comune).
pub fn local_authority(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    ["unione ", "provincia ", "citta' metropolitana", "città metropolitana", "comunita' montana", "comunità montana"]
        .iter()
        .any(|p| n.starts_with(p))
        || n.starts_with("regione ")
}

/// Whether an IndicePA category (`tipologia_istat`) is a local authority's
/// other than a comune: unions, mountain communities, provinces,
/// metropolitan cities, regions.
pub fn local_category(category: &str) -> bool {
    let c = category.trim().to_lowercase();
    [
        "unioni di comuni",
        "comunita' montane",
        "comunità montane",
        "province",
        "citta' metropolitane",
        "città metropolitane",
        "regioni",
    ]
    .iter()
    .any(|p| c.starts_with(p))
}

/// A body with its seat.
#[derive(Debug, Clone, Serialize)]
pub struct BodyInfo {
    /// iPA code.
    pub codice_ipa: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: BodyKind,
    /// Region code of its seat.
    pub region_code: String,
    /// Province code of its seat.
    pub province_code: String,
}

/// The figures of a set of registrations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Registrations (memberships).
    pub registrations: usize,
    /// Distinct people.
    pub people: usize,
    /// Distinct bodies.
    pub bodies: usize,
    /// … of which territorial bodies.
    pub territorial: usize,
    /// … of which other organisations.
    pub other: usize,
    /// Comuni of the scope represented.
    pub comuni: usize,
    /// Share of the scope's comuni represented.
    pub comuni_share: f64,
    /// Territorial bodies of the scope represented.
    pub local: usize,
    /// Share of the scope's local bodies represented.
    pub local_share: f64,
}

/// One row of a table by community or area.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Its figures.
    pub figures: Figures,
}

/// Comuni represented in a province or size class.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    /// Code (province code or size class).
    pub code: String,
    /// Name.
    pub name: String,
    /// Comuni.
    pub comuni: usize,
    /// Represented.
    pub represented: usize,
    /// Share.
    pub share: f64,
    /// Registrations of its bodies.
    pub registrations: usize,
}

/// A comune of the scope in no community.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// ISTAT code.
    pub code: String,
    /// iPA code.
    pub codice_ipa: String,
    /// Name.
    pub name: String,
    /// Province abbreviation.
    pub province: String,
    /// Size class.
    pub size_class: String,
    /// Population.
    pub population: Option<i64>,
}

/// The whole coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The regions in scope: (code, name).
    pub scope: Vec<(String, String)>,
    /// Comuni of the scope.
    pub comuni_total: usize,
    /// Local bodies of the scope (comuni and other local authorities).
    pub local_total: usize,
    /// All communities together.
    pub totals: Figures,
    /// By community.
    pub communities: Vec<Row>,
    /// By thematic area.
    pub areas: Vec<Row>,
    /// By province of the scope.
    pub provinces: Vec<Share>,
    /// By size class.
    pub size_classes: Vec<Share>,
    /// Comuni of the scope in no community, smallest first.
    pub missing: Vec<Missing>,
    /// Registrations of the scope awaiting their body's confirmation (not
    /// counted in any figure above).
    pub pending: usize,
}

/// Every administration the run knows, with its kind and seat.
pub fn bodies(obs: &Observatory) -> HashMap<String, BodyInfo> {
    let mut out = HashMap::new();
    for (ipa, a) in &obs.administrations {
        let name = &a.name;
        let seat = a.muni.as_deref().and_then(|c| obs.muni(c));
        let is_comune = seat.is_some_and(|m| Observatory::ipa_of(m) == *ipa);
        let kind = if is_comune {
            BodyKind::Comune
        } else if local_authority(name) || local_category(&a.category) {
            BodyKind::LocalAuthority
        } else {
            BodyKind::Other
        };
        out.insert(
            ipa.clone(),
            BodyInfo {
                codice_ipa: ipa.clone(),
                name: name.clone(),
                kind,
                region_code: seat.map(|m| m.body.region_code.clone()).unwrap_or_default(),
                province_code: seat.map(|m| m.body.province_code.clone()).unwrap_or_default(),
            },
        );
    }
    out
}

struct Universe<'a> {
    bodies: &'a HashMap<String, BodyInfo>,
    regions: BTreeSet<String>,
    comuni_total: usize,
    local_total: usize,
}

impl Universe<'_> {
    fn in_scope(&self, b: &BodyInfo) -> bool {
        self.regions.contains(&b.region_code)
    }

    fn figures<'m>(&self, ms: impl Iterator<Item = &'m Membership>) -> Figures {
        let mut f = Figures::default();
        let mut people = HashSet::new();
        let mut seen = HashSet::new();
        for m in ms {
            f.registrations += 1;
            people.insert(m.account_id);
            if !seen.insert(m.codice_ipa.as_str()) {
                continue;
            }
            let b = self.bodies.get(&m.codice_ipa);
            match b.map(|b| b.kind) {
                Some(BodyKind::Comune) | Some(BodyKind::LocalAuthority) => f.territorial += 1,
                _ => f.other += 1,
            }
            if let Some(b) = b.filter(|b| self.in_scope(b)) {
                match b.kind {
                    BodyKind::Comune => {
                        f.comuni += 1;
                        f.local += 1;
                    }
                    BodyKind::LocalAuthority => f.local += 1,
                    BodyKind::Other => {}
                }
            }
        }
        f.people = people.len();
        f.bodies = seen.len();
        f.comuni_share = ratio(f.comuni, self.comuni_total);
        f.local_share = ratio(f.local, self.local_total);
        f
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Computes the coverage of `memberships` over the scope (`region`: a region
/// code, else the regions of the registered bodies' seats).
pub fn coverage(
    obs: &Observatory,
    bodies: &HashMap<String, BodyInfo>,
    areas: &[Area],
    communities: &[Community],
    memberships: &[Membership],
    region: Option<&str>,
) -> Coverage {
    let (confirmed, pending): (Vec<Membership>, Vec<Membership>) =
        memberships.iter().cloned().partition(|m| m.confirmed_by.is_some());
    let memberships = confirmed.as_slice();
    let regions: BTreeSet<String> = match region {
        Some(r) => [r.to_string()].into(),
        None => memberships
            .iter()
            .filter_map(|m| bodies.get(&m.codice_ipa))
            .map(|b| b.region_code.clone())
            .filter(|r| !r.is_empty())
            .collect(),
    };
    let comuni: Vec<_> = obs.munis.iter().filter(|m| regions.contains(&m.body.region_code)).collect();
    let other_local =
        bodies.values().filter(|b| b.kind == BodyKind::LocalAuthority && regions.contains(&b.region_code));
    let u = Universe { bodies, comuni_total: comuni.len(), local_total: comuni.len() + other_local.count(), regions };
    let totals = u.figures(memberships.iter());
    let row = |slug: &str, name: &str, f: Figures| Row { slug: slug.into(), name: name.into(), figures: f };
    let communities_rows: Vec<Row> = communities
        .iter()
        .map(|c| row(&c.slug, &c.name, u.figures(memberships.iter().filter(|m| m.community_id == c.id))))
        .collect();
    let area_of: HashMap<i64, i64> = communities.iter().map(|c| (c.id, c.area_id)).collect();
    let areas_rows: Vec<Row> = areas
        .iter()
        .map(|a| {
            let ms = memberships.iter().filter(|m| area_of.get(&m.community_id) == Some(&a.id));
            row(&a.slug, &a.name, u.figures(ms))
        })
        .collect();
    // Registrations per body, for the province and size-class tables.
    let mut per_body: HashMap<&str, usize> = HashMap::new();
    for m in memberships {
        *per_body.entry(m.codice_ipa.as_str()).or_default() += 1;
    }
    let mut provinces: BTreeMap<String, Share> = BTreeMap::new();
    let mut sizes: BTreeMap<usize, Share> = BTreeMap::new();
    let mut missing = Vec::new();
    for m in &comuni {
        let ipa = Observatory::ipa_of(m);
        let n = per_body.get(ipa.as_str()).copied().unwrap_or(0);
        let p = provinces.entry(m.body.province_code.clone()).or_insert_with(|| Share {
            code: m.body.province_code.clone(),
            name: m.body.province.clone(),
            comuni: 0,
            represented: 0,
            share: 0.0,
            registrations: 0,
        });
        let size_pos = obs.size_classes.iter().position(|s| *s == m.body.size_class).unwrap_or(usize::MAX);
        let s = sizes.entry(size_pos).or_insert_with(|| Share {
            code: m.body.size_class.clone(),
            name: m.body.size_class.clone(),
            comuni: 0,
            represented: 0,
            share: 0.0,
            registrations: 0,
        });
        for t in [p, s] {
            t.comuni += 1;
            t.represented += usize::from(n > 0);
            t.registrations += n;
        }
        if n == 0 {
            missing.push(Missing {
                code: m.body.code.clone(),
                codice_ipa: ipa,
                name: m.body.name.clone(),
                province: m.body.province_abbr.clone(),
                size_class: m.body.size_class.clone(),
                population: m.body.population,
            });
        }
    }
    let finish = |mut v: Vec<Share>| {
        for s in &mut v {
            s.share = ratio(s.represented, s.comuni);
        }
        v
    };
    missing.sort_by(|a, b| a.population.unwrap_or(0).cmp(&b.population.unwrap_or(0)).then(a.name.cmp(&b.name)));
    let scope = u
        .regions
        .iter()
        .map(|r| {
            let name = obs.area_bodies.get(r).map(|b| b.name.clone()).unwrap_or_else(|| r.clone());
            (r.clone(), name)
        })
        .collect();
    Coverage {
        scope,
        comuni_total: u.comuni_total,
        local_total: u.local_total,
        totals,
        communities: communities_rows,
        areas: areas_rows,
        provinces: finish(provinces.into_values().collect()),
        size_classes: finish(sizes.into_values().collect()),
        missing,
        pending: match region {
            None => pending.len(),
            Some(r) => pending.iter().filter(|m| bodies.get(&m.codice_ipa).is_some_and(|b| b.region_code == r)).count(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::local_authority;

    #[test]
    fn local_authorities_are_recognised_by_name() {
        for n in [
            "Unione Comuni Del Sorbara",
            "Provincia di Piacenza",
            "Città metropolitana di Bologna",
            "Regione Emilia-Romagna",
        ] {
            assert!(local_authority(n), "{n}");
        }
        for n in ["Universita' degli Studi di Parma", "Ordine degli Ingegneri", "Consorzio di Bonifica della Romagna"] {
            assert!(!local_authority(n), "{n}");
        }
    }
}
