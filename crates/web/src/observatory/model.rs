//! The data the site serves, indexed in memory from one stored run.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use crate::catalog::Catalog;
use crate::catalog::recommend::{Need, Peer, Recommendation, needs, recommend};

use cantiere_store::{ApplicationRow, AreaRow, Body, IndicatorRow, ProfileRow, ResultRow, RunInfo, Snapshot};
use serde::Serialize;

/// Code → (raw value, normalised value or score).
pub type Values = BTreeMap<String, (Option<f64>, Option<f64>)>;

/// One municipality with everything its card shows.
#[derive(Debug, Clone, Serialize)]
pub struct Muni {
    /// The body.
    pub body: Body,
    /// Its result.
    pub result: ResultRow,
    /// Code → (raw, normalised value or score).
    pub values: Values,
    /// Peers: (code, context distance).
    pub peers: Vec<(String, f64)>,
    /// Strengths against the peers.
    pub strengths: Vec<ProfileRow>,
    /// Weaknesses against the peers.
    pub weaknesses: Vec<ProfileRow>,
    /// Lower-case, accent-folded name, for search.
    #[serde(skip)]
    pub key: String,
}

/// The whole observatory.
#[derive(Debug, Clone)]
pub struct Observatory {
    /// The run served.
    pub run: RunInfo,
    /// Municipalities in rank order (missing ranks last).
    pub munis: Vec<Muni>,
    by_code: HashMap<String, usize>,
    /// Indicators and aggregates, in definition order.
    pub indicators: Vec<IndicatorRow>,
    /// Provinces and regions.
    pub areas: Vec<AreaRow>,
    /// Province and region bodies by code.
    pub area_bodies: HashMap<String, Body>,
    apps: Vec<ApplicationRow>,
    apps_by_ucode: HashMap<String, Vec<usize>>,
    /// The boundaries, and their maps by period (see `geo.rs`).
    pub(super) shapes: Arc<super::geo::Shapes>,
    /// The sources, parsed.
    pub sources: serde_json::Value,
    /// Municipalities per group, SmartER order.
    pub group_counts: [usize; 4],
    /// Rank changes since the previous run of the same index and territory:
    /// (code, previous rank, rank), largest rises first (empty without one).
    pub movers: Vec<(String, f64, f64)>,
    /// The previous run compared, if any.
    pub previous: Option<RunInfo>,
    /// Region names, sorted.
    pub region_names: Vec<String>,
    /// Size classes in order.
    pub size_classes: Vec<String>,
    /// The reuse catalog and adoption registry (none until attached);
    /// replaced whole when an adoption changes while the site runs.
    catalog: CatalogSlot,
    /// Innovation scores of the previous run, by municipality.
    previous_innovation: HashMap<String, f64>,
    /// Administrations by iPA code: the run's comuni, PA digitale's
    /// applicants, then the stored iPA lists ([`Observatory::with_administrations`]).
    pub administrations: HashMap<String, Administration>,
    /// The other indices served beside this one (see `indices.rs`).
    pub(super) others: Vec<Arc<Observatory>>,
    /// The periods stored for this index, newest first.
    pub(super) periods: Vec<String>,
    /// Whether this is the index served without `index=`.
    pub(super) main: bool,
    /// Results of the earlier periods, oldest first (see `series.rs`).
    pub(super) history: Vec<super::series::Earlier>,
    /// Ranks in the run compared ([`Observatory::with_previous`]).
    pub(super) previous_rank: HashMap<String, f64>,
    /// Unions' memberships (see `unions.rs`).
    pub(super) unions: Vec<cantiere_store::unions::UnionMember>,
}

/// An administration the site names.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Administration {
    /// Its name.
    pub name: String,
    /// The ISTAT code of the comune of its seat, when located in the run.
    pub muni: Option<String>,
    /// Its category (PA digitale's `tipologia_ente`, IndicePA's `tipologia_istat`).
    pub category: String,
    /// The iPA lists that know its code (`padigitale2026;indicepa-2018`), empty when none was loaded.
    pub lists: String,
}

/// Where the observatory keeps its catalog: readers take the current one,
/// a verification puts a new one in place.
#[derive(Debug, Default)]
struct CatalogSlot(RwLock<Option<Arc<Catalog>>>);

impl CatalogSlot {
    fn get(&self) -> Option<Arc<Catalog>> {
        // A lock poisoned by a panicking writer still holds a whole catalog.
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn set(&self, catalog: Arc<Catalog>) {
        *self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(catalog);
    }
}

impl Clone for CatalogSlot {
    fn clone(&self) -> CatalogSlot {
        CatalogSlot(RwLock::new(self.get()))
    }
}

/// An administration's recommendations for one need.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// The need.
    pub need: Need,
    /// The solutions, ranked.
    pub solutions: Vec<Recommendation>,
}

/// Folds a name for search: lower case, no accents or apostrophes.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'à' | 'á' | 'â' => Some('a'),
            'è' | 'é' | 'ê' => Some('e'),
            'ì' | 'í' => Some('i'),
            'ò' | 'ó' | 'ô' | 'ö' => Some('o'),
            'ù' | 'ú' | 'ü' => Some('u'),
            '\'' | '’' => None,
            c => Some(c),
        })
        .collect()
}

impl Observatory {
    /// Indexes a snapshot.
    pub fn new(s: Snapshot) -> Observatory {
        let run =
            s.run.clone().unwrap_or(RunInfo { sources: "{}".into(), units_score: "mean".into(), ..RunInfo::default() });
        let results: HashMap<&str, &ResultRow> = s.results.iter().map(|r| (r.ucode.as_str(), r)).collect();
        let mut values: HashMap<&str, Values> = HashMap::new();
        for v in &s.scores {
            values.entry(v.ucode.as_str()).or_default().insert(v.code.clone(), (v.raw, v.value));
        }
        let mut peers: HashMap<&str, Vec<(String, f64)>> = HashMap::new();
        for p in &s.peers {
            peers.entry(p.ucode.as_str()).or_default().push((p.peer.clone(), p.distance));
        }
        let mut profiles: HashMap<&str, Vec<&ProfileRow>> = HashMap::new();
        for p in &s.profiles {
            profiles.entry(p.ucode.as_str()).or_default().push(p);
        }
        let sort_diff = |v: &mut Vec<ProfileRow>, desc: bool| {
            v.sort_by(|a, b| {
                let (x, y) = (a.value - a.peers_mean, b.value - b.peers_mean);
                if desc { y.total_cmp(&x) } else { x.total_cmp(&y) }.then_with(|| a.code.cmp(&b.code))
            })
        };
        let mut munis: Vec<Muni> = s
            .bodies
            .iter()
            .filter(|b| b.kind == "comune")
            .filter_map(|b| {
                let result = (*results.get(b.code.as_str())?).clone();
                let prof = profiles.get(b.code.as_str()).cloned().unwrap_or_default();
                let mut strengths: Vec<ProfileRow> =
                    prof.iter().filter(|p| p.kind == "strength").map(|p| (*p).clone()).collect();
                let mut weaknesses: Vec<ProfileRow> =
                    prof.iter().filter(|p| p.kind == "weakness").map(|p| (*p).clone()).collect();
                sort_diff(&mut strengths, true);
                sort_diff(&mut weaknesses, false);
                Some(Muni {
                    key: fold(&b.name),
                    body: b.clone(),
                    result,
                    values: values.remove(b.code.as_str()).unwrap_or_default(),
                    peers: peers.remove(b.code.as_str()).unwrap_or_default(),
                    strengths,
                    weaknesses,
                })
            })
            .collect();
        munis.sort_by(|a, b| {
            let (x, y) = (a.result.rank.unwrap_or(f64::INFINITY), b.result.rank.unwrap_or(f64::INFINITY));
            x.total_cmp(&y).then(a.body.code.cmp(&b.body.code))
        });
        let by_code = munis.iter().enumerate().map(|(i, m)| (m.body.code.clone(), i)).collect();
        let mut apps_by_ucode: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in s.applications.iter().enumerate() {
            if let Some(u) = &a.ucode {
                apps_by_ucode.entry(u.clone()).or_default().push(i);
            }
        }
        let area_bodies: HashMap<String, Body> = s
            .bodies
            .iter()
            .filter(|b| b.kind != "comune")
            .map(|b| (format!("{}:{}", b.kind, b.code), b.clone()))
            .collect();

        let mut administrations: HashMap<String, Administration> = HashMap::new();
        for a in &s.applications {
            administrations.entry(a.codice_ipa.trim().to_lowercase()).or_insert_with(|| Administration {
                name: a.ente.clone(),
                muni: a.ucode.clone(),
                category: a.kind.clone(),
                lists: String::new(),
            });
        }
        for m in &munis {
            administrations.insert(
                Observatory::ipa_of(m),
                Administration {
                    name: format!("Comune di {}", m.body.name),
                    muni: Some(m.body.code.clone()),
                    category: "Comune".into(),
                    lists: String::new(),
                },
            );
        }
        let names = Snapshot::group_names();
        let mut group_counts = [0; 4];
        for m in &munis {
            if let Some(i) = m.result.group.as_deref().and_then(|g| names.iter().position(|n| *n == g)) {
                group_counts[i] += 1;
            }
        }
        let mut region_names: Vec<String> = munis.iter().map(|m| m.body.region.clone()).collect();
        region_names.sort();
        region_names.dedup();
        let mut size_classes: Vec<String> = Vec::new();
        for (_, c) in cantiere_store::SIZE_CLASSES {
            if munis.iter().any(|m| m.body.size_class == c) {
                size_classes.push(c.to_string());
            }
        }
        Observatory {
            sources: serde_json::from_str(&run.sources).unwrap_or_default(),
            run,
            munis,
            by_code,
            indicators: s.indicators,
            areas: s.areas,
            area_bodies,
            apps: s.applications,
            apps_by_ucode,
            shapes: Arc::new(super::geo::Shapes::new(s.boundaries)),
            group_counts,
            movers: Vec::new(),
            previous: None,
            region_names,
            size_classes,
            catalog: CatalogSlot::default(),
            previous_innovation: HashMap::new(),
            administrations,
            others: Vec::new(),
            periods: Vec::new(),
            main: true,
            history: Vec::new(),
            previous_rank: HashMap::new(),
            unions: Vec::new(),
        }
    }

    /// Adds the administrations of the stored iPA lists: a code the run
    /// already names keeps its name and seat and learns its category and
    /// lists; another is added, its seat located by the comune's ISTAT code
    /// or, for IndicePA (which gives names), by the comune's name within its
    /// region.
    pub fn with_administrations(mut self, list: Vec<cantiere_store::administration::Administration>) -> Observatory {
        // Letters and digits only, the region before any `/` (ISTAT's
        // bilingual names): `Emilia Romagna` is `Emilia-Romagna`.
        let fold = |s: &str| {
            fold(s.split('/').next().unwrap_or("")).chars().filter(|c| c.is_alphanumeric()).collect::<String>()
        };
        let by_name: HashMap<(String, String), String> =
            self.munis.iter().map(|m| ((fold(&m.body.name), fold(&m.body.region)), m.body.code.clone())).collect();
        for a in list {
            let seat = Some(a.municipality_code.clone())
                .filter(|c| self.by_code.contains_key(c))
                .or_else(|| by_name.get(&(fold(&a.municipality), fold(&a.region))).cloned());
            match self.administrations.get_mut(&a.codice_ipa) {
                Some(known) => {
                    known.lists = a.lists;
                    if known.category.is_empty() || known.category == "Altri Enti" {
                        known.category = a.category;
                    }
                    if known.muni.is_none() {
                        known.muni = seat;
                    }
                }
                None => {
                    let named = Administration { name: a.name, muni: seat, category: a.category, lists: a.lists };
                    self.administrations.insert(a.codice_ipa, named);
                }
            }
        }
        self
    }

    /// Attaches the catalog.
    pub fn with_catalog(self, catalog: Catalog) -> Observatory {
        self.replace_catalog(catalog);
        self
    }

    /// The catalog, if one is attached: the version current when asked, kept
    /// whole by the caller however long it renders.
    pub fn catalog(&self) -> Option<Arc<Catalog>> {
        self.catalog.get()
    }

    /// Puts a catalog in place of the current one (requests already holding
    /// the old one finish with it).
    pub fn replace_catalog(&self, catalog: Catalog) {
        self.catalog.set(Arc::new(catalog));
    }

    /// The iPA code of a municipality's comune (`c_` and its cadastral code).
    pub fn ipa_of(m: &Muni) -> String {
        cantiere_store::adoption::comune_ipa(&m.body.cadastral)
    }

    /// What the card recommends: for each need (missing or weak PA digitale
    /// measure), the catalog solutions serving it, ranked by its peers'
    /// adoptions (see [`crate::catalog::recommend`]).
    pub fn advice(&self, m: &Muni, per_need: usize) -> Vec<Advice> {
        let Some(catalog) = self.catalog() else { return Vec::new() };
        let applied = self.applied_measures(&m.body.code);
        let measure_of: HashMap<&str, &str> =
            self.indicators.iter().map(|i| (i.code.as_str(), i.measure.as_str())).collect();
        let weak: Vec<(String, String, f64)> = m
            .weaknesses
            .iter()
            .filter_map(|w| {
                Some((measure_of.get(w.code.as_str())?.to_string(), w.code.clone(), w.peers_mean - w.value))
            })
            .collect();
        let peers: Vec<Peer> = m
            .peers
            .iter()
            .filter_map(|(code, _)| self.muni(code))
            .map(|p| Peer {
                codice_ipa: Observatory::ipa_of(p),
                improved: self
                    .previous_innovation
                    .get(&p.body.code)
                    .and_then(|before| Some(p.result.innovation? > *before)),
            })
            .collect();
        let own = Observatory::ipa_of(m);
        needs(&applied, &weak)
            .into_iter()
            .map(|need| {
                let solutions = recommend(&catalog, &own, &need.measure, &peers, per_need);
                Advice { need, solutions }
            })
            .filter(|a| !a.solutions.is_empty())
            .collect()
    }

    /// Compares with an earlier run (its info and results): every
    /// municipality ranked in both whose rank changed, largest rises first.
    pub fn with_previous(mut self, run: &RunInfo, results: &[ResultRow]) -> Observatory {
        let before: HashMap<&str, f64> = results.iter().filter_map(|r| Some((r.ucode.as_str(), r.rank?))).collect();
        let mut movers: Vec<(String, f64, f64)> = self
            .munis
            .iter()
            .filter_map(|m| {
                let (then, now) = (*before.get(m.body.code.as_str())?, m.result.rank?);
                (then != now).then(|| (m.body.code.clone(), then, now))
            })
            .collect();
        movers.sort_by(|a, b| (b.1 - b.2).total_cmp(&(a.1 - a.2)).then(a.0.cmp(&b.0)));
        self.movers = movers;
        self.previous_innovation = results.iter().filter_map(|r| Some((r.ucode.clone(), r.innovation?))).collect();
        self.previous_rank = results.iter().filter_map(|r| Some((r.ucode.clone(), r.rank?))).collect();
        self.previous = Some(run.clone());
        self
    }

    /// A municipality by ISTAT code.
    pub fn muni(&self, code: &str) -> Option<&Muni> {
        self.by_code.get(code).map(|&i| &self.munis[i])
    }

    /// The applications made in a municipality (by the comune and, with
    /// `all_bodies`, by the schools and other bodies located there), by
    /// measure, newest first.
    pub fn applications(&self, code: &str, all_bodies: bool) -> Vec<&ApplicationRow> {
        let mut v: Vec<&ApplicationRow> = self
            .apps_by_ucode
            .get(code)
            .into_iter()
            .flatten()
            .map(|&i| &self.apps[i])
            .filter(|a| all_bodies || a.kind == "Comune")
            .collect();
        v.sort_by(|a, b| (&a.measure, &b.submitted).cmp(&(&b.measure, &a.submitted)));
        v
    }

    /// The PA digitale measures a comune has an accepted (`A`) or completed
    /// (`E`) application for: what the recommendations and "who needs it"
    /// count as done.
    pub fn applied_measures(&self, code: &str) -> std::collections::BTreeSet<String> {
        self.apps_by_ucode
            .get(code)
            .into_iter()
            .flatten()
            .map(|&i| &self.apps[i])
            .filter(|a| a.kind == "Comune" && (a.status == "A" || a.status == "E"))
            .map(|a| a.measure.clone())
            .collect()
    }

    /// The comuni of the run without an accepted or completed application
    /// for a measure, largest first.
    pub fn missing_measure(&self, measure: &str) -> Vec<&Muni> {
        let mut out: Vec<&Muni> = self
            .munis
            .iter()
            .filter(|m| {
                !self
                    .apps_by_ucode
                    .get(&m.body.code)
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.apps[i])
                    .any(|a| a.kind == "Comune" && a.measure == measure && (a.status == "A" || a.status == "E"))
            })
            .collect();
        out.sort_by_key(|m| std::cmp::Reverse(m.body.population.unwrap_or(0)));
        out
    }

    /// A PA digitale measure's name, as its first indicator names it (the
    /// part before `:`), else its code.
    pub fn measure_name(&self, measure: &str) -> String {
        self.indicators
            .iter()
            .find(|i| i.measure == measure)
            .map_or_else(|| measure.to_string(), |i| i.name.split(':').next().unwrap_or(&i.name).to_string())
    }

    /// Every application.
    pub fn all_applications(&self) -> &[ApplicationRow] {
        &self.apps
    }

    /// Municipalities whose folded name contains the folded query (names
    /// starting with it first), at most `limit`.
    pub fn search(&self, q: &str, limit: usize) -> Vec<&Muni> {
        let q = fold(q.trim());
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<&Muni> = self.munis.iter().filter(|m| m.key.contains(&q) || m.body.code == q).collect();
        hits.sort_by_key(|m| (!m.key.starts_with(&q), m.key.len(), m.body.code.clone()));
        hits.truncate(limit);
        hits
    }

    /// Municipalities in rank order, restricted to a region (exact name), a
    /// province (name or abbreviation, any case) and a size class; `None`
    /// does not restrict.
    pub fn select(&self, region: Option<&str>, province: Option<&str>, size: Option<&str>) -> Vec<&Muni> {
        let province = province.map(str::to_lowercase);
        self.munis
            .iter()
            .filter(|m| region.is_none_or(|r| m.body.region == r))
            .filter(|m| {
                province
                    .as_deref()
                    .is_none_or(|p| m.body.province.to_lowercase() == p || m.body.province_abbr.to_lowercase() == p)
            })
            .filter(|m| size.is_none_or(|s| m.body.size_class == s))
            .collect()
    }

    /// An area by level (`province`, `region`) and code.
    pub fn area(&self, level: &str, code: &str) -> Option<&AreaRow> {
        self.areas.iter().find(|a| a.level == level && a.code == code)
    }

    /// Pillar codes (level 2), in definition order.
    pub fn pillars(&self) -> Vec<&IndicatorRow> {
        self.indicators.iter().filter(|i| i.level == 2).collect()
    }

    /// Indicators (level 1).
    pub fn leaf_indicators(&self) -> Vec<&IndicatorRow> {
        self.indicators.iter().filter(|i| i.level == 1).collect()
    }
}
