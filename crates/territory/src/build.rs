//! Building the index of a territory: sources → indicators → scores →
//! groups, peers and area aggregates.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cantiere_index::uncertainty::{Analysis, Inputs, PipelineSource, Sampling, quantile, unit_points};
use cantiere_index::{Build, Framework, Results, Table, read_data};

use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::indicators::{Indicators, compute};
use crate::matching::{Matching, match_applications};
use crate::packages::Packages;
use crate::padigitale::{Import, import_dir};
use crate::peers::{Comparison, Peers, peers, strengths_and_weaknesses};
use crate::registry::{Municipality, Registry};
use crate::smarter::{Group, Threshold, groups, stability};

/// The data an index is built from: the registry, the applications and how
/// they match.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Municipalities.
    pub registry: Registry,
    /// PA digitale applications.
    pub import: Import,
    /// Application → municipality.
    pub matching: Matching,
    /// Stored indicator values, for the definition's `kind = "data"`.
    pub data: crate::data::DataValues,
}

impl Sources {
    /// Loads the registry packages (population year `year`) and a PA digitale folder, and matches them.
    pub fn load(registry: &Path, padigitale: &Path, year: u16) -> Result<Sources> {
        let registry = Registry::load(&Packages::open(registry)?, year)?;
        let import = import_dir(padigitale)?;
        Ok(Sources::new(registry, import))
    }

    /// Matches an import against a registry.
    pub fn new(registry: Registry, import: Import) -> Sources {
        let matching = match_applications(&import.applications, &registry);
        Sources { registry, import, matching, data: Default::default() }
    }
}

/// The files of an index definition folder (`indices/itd/v1`): `index.toml`,
/// `pipeline.toml` and, for group stability, `uncertainty.toml`.
#[derive(Debug, Clone)]
pub struct IndexFiles {
    /// The folder.
    pub dir: PathBuf,
    /// The definition.
    pub definition: Definition,
    /// The engine's pipeline, editable by the uncertainty analysis.
    pub pipeline: PipelineSource,
    /// The uncertain inputs (file name and text), when present.
    pub uncertainty: Option<(String, String)>,
}

impl IndexFiles {
    /// Reads a definition folder.
    pub fn load(dir: &Path) -> Result<IndexFiles> {
        let definition = Definition::from_file(&dir.join("index.toml"))?;
        let pipeline = PipelineSource::from_file(&dir.join("pipeline.toml"))?;
        let path = dir.join("uncertainty.toml");
        let uncertainty = if path.is_file() {
            Some((path.display().to_string(), std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?))
        } else {
            None
        };
        Ok(IndexFiles { dir: dir.to_path_buf(), definition, pipeline, uncertainty })
    }
}

/// The municipalities an index is built for.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Territory {
    /// All of Italy.
    #[default]
    Italy,
    /// One region, by name (case-insensitive).
    Region(String),
    /// One province (UTS), by name or car-plate abbreviation (case-insensitive).
    Province(String),
}

impl Territory {
    /// Whether a municipality is in the territory.
    pub fn contains(&self, m: &Municipality) -> bool {
        match self {
            Territory::Italy => true,
            Territory::Region(r) => m.region.eq_ignore_ascii_case(r) || m.region.to_lowercase() == r.to_lowercase(),
            Territory::Province(p) => {
                m.province.to_lowercase() == p.to_lowercase() || m.province_abbr.eq_ignore_ascii_case(p)
            }
        }
    }
}

/// Settings of a build.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The territory.
    pub territory: Territory,
    /// Where context and innovation are cut into high and low.
    pub threshold: Threshold,
    /// Peers per municipality.
    pub peers: usize,
    /// Strengths and weaknesses per municipality.
    pub strengths: usize,
    /// Runs of the uncertainty analysis behind group stability (0: none).
    pub runs: usize,
    /// Seed of the uncertainty analysis.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { territory: Territory::Italy, threshold: Threshold::Median, peers: 5, strengths: 3, runs: 0, seed: 1 }
    }
}

/// The most peers a municipality may be given.
pub const MAX_PEERS: usize = 100;
/// The most runs behind group stability (each run rebuilds the whole index).
pub const MAX_RUNS: usize = 10_000;

impl Settings {
    /// Refuses counts beyond the bounds, before any source is read.
    pub fn check(&self) -> Result<()> {
        if !(1..=MAX_PEERS).contains(&self.peers) {
            return Err(Error::file("--peers", format!("expected 1 to {MAX_PEERS} peers, found {}", self.peers)));
        }
        if self.runs > MAX_RUNS {
            return Err(Error::file(
                "--runs",
                format!("expected at most {MAX_RUNS} runs of group stability, found {}", self.runs),
            ));
        }
        if self.strengths > 50 {
            return Err(Error::file("strengths", format!("expected at most 50, found {}", self.strengths)));
        }
        Ok(())
    }
}

/// A province or region: its municipalities' scores summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// `province` or `region`.
    pub level: &'static str,
    /// ISTAT code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Municipalities in the territory built.
    pub municipalities: usize,
    /// Their residents.
    pub population: u64,
    /// Municipalities per group, in [`Group::ALL`] order.
    pub groups: [usize; 4],
    /// For each score code: (plain mean, population-weighted mean) of its municipalities.
    pub means: Vec<(f64, f64)>,
}

/// A built index.
#[derive(Debug, Clone)]
pub struct Scored {
    /// Indicator values (rows: registry positions, ISTAT order).
    pub indicators: Indicators,
    /// The iData table written for the engine.
    pub idata: Vec<u8>,
    /// The iMeta table.
    pub imeta: Vec<u8>,
    /// The engine's build (every intermediate data set).
    pub build: Build,
    /// Scores and ranks of every aggregate.
    pub results: Results,
    /// Score codes summarised per unit and area: the index, context, innovation, then the pillars.
    pub score_codes: Vec<String>,
    /// `scores[c][u]`: score code `c` of unit `u` (rows as `indicators.units`).
    pub scores: Vec<Vec<f64>>,
    /// Rank of every unit on the index (1 = best).
    pub rank: Vec<f64>,
    /// SmartER group of every unit.
    pub groups: Vec<Option<Group>>,
    /// Thresholds used: (context, innovation).
    pub thresholds: (f64, f64),
    /// Probability of staying in the group under uncertainty (when runs > 0).
    pub stability: Option<Vec<f64>>,
    /// 5th and 95th percentiles of each unit's index rank over the
    /// uncertainty runs (when runs > 0).
    pub rank_interval: Option<Vec<(f64, f64)>>,
    /// Peers of every unit (rows as `indicators.units`).
    pub peers: Vec<Peers>,
    /// Strengths and weaknesses of every unit against its peers.
    pub profile: Vec<(Vec<Comparison>, Vec<Comparison>)>,
    /// Provinces, then regions.
    pub areas: Vec<Area>,
}

impl Scored {
    /// A column of one of the engine's data sets (`Normalised`,
    /// `Aggregated`, …), rows as `indicators.units`.
    pub fn column(&self, registry: &Registry, data_set: &str, code: &str) -> Option<Vec<f64>> {
        let ds = self.build.data_set(data_set)?;
        let col = ds.column(code)?;
        Some(in_our_order(col, &engine_rows(&ds.units, registry, &self.indicators.units)))
    }

    /// Scores of one code, if it is a score code.
    pub fn score(&self, code: &str) -> Option<&[f64]> {
        self.score_codes.iter().position(|c| c == code).map(|i| self.scores[i].as_slice())
    }
}

/// Builds the index of a territory.
pub fn score(sources: &Sources, files: &IndexFiles, settings: &Settings) -> Result<Scored> {
    settings.check()?;
    let reg = &sources.registry;
    let def = &files.definition;
    let units: Vec<usize> =
        (0..reg.municipalities.len()).filter(|&u| settings.territory.contains(&reg.municipalities[u])).collect();
    if units.len() < 4 {
        return Err(Error::file(
            "territory",
            format!("{:?} has {} municipalities: an index needs at least 4", settings.territory, units.len()),
        ));
    }
    let indicators = compute(def, reg, &sources.import.applications, &sources.matching, &sources.data, &units);
    let idata = indicators.idata_csv(reg);
    let imeta = def.imeta_csv();
    let fw = Framework::from_table(&Table::from_csv("iMeta.csv", &imeta)?)?;
    let (eunits, raw) = read_data(&Table::from_csv("iData.csv", &idata)?, &fw)?;
    let pipeline = files.pipeline.pipeline()?;
    let build = pipeline.run(&eunits, &fw, &raw)?;
    let results = build.results().ok_or_else(|| {
        Error::file(files.dir.join("pipeline.toml").display().to_string(), "the pipeline must aggregate")
    })?;
    let agg = build.data_set("Aggregated").expect("an aggregating build has Aggregated");

    // Engine rows (COINr order) → our rows (ISTAT order).
    let agg_rows = engine_rows(&agg.units, reg, &units);
    let ours = |col: &[f64]| in_our_order(col, &agg_rows);

    let mut score_codes = vec![def.index.code.clone(), def.index.context.clone(), def.index.innovation.clone()];
    for a in def.aggregates.iter().filter(|a| a.level == 2) {
        score_codes.push(a.code.clone());
    }
    let scores: Vec<Vec<f64>> =
        score_codes.iter().map(|c| ours(agg.column(c).expect("every aggregate is in Aggregated"))).collect();
    let rank = cantiere_index::stats::rank_descending(&scores[0]);
    let (context, innovation) = (&scores[1], &scores[2]);
    let nominal_groups = groups(context, innovation, settings.threshold);
    let thresholds = (settings.threshold.over(context), settings.threshold.over(innovation));

    let (stability, rank_interval) = if settings.runs > 0 {
        let (file, text) = files.uncertainty.as_ref().ok_or_else(|| {
            Error::file(
                files.dir.display().to_string(),
                "group stability needs uncertainty.toml in the definition folder",
            )
        })?;
        let inputs = Inputs::from_toml(file, text, &files.pipeline, &fw, settings.seed)?;
        let analysis =
            Analysis { units: &eunits, framework: &fw, raw: &raw, pipeline: &files.pipeline, inputs: &inputs.inputs };
        let points = unit_points(settings.runs, inputs.inputs.len(), Sampling::Random, settings.seed);
        let choices = analysis.choices(&points);
        let run_rows = engine_rows(&eunits.codes, reg, &units);
        let to_ours =
            |runs: Vec<Vec<f64>>| -> Vec<Vec<f64>> { runs.iter().map(|run| in_our_order(run, &run_rows)).collect() };
        let c_runs = to_ours(analysis.replay(&choices, Some(&def.index.context))?.scores);
        let i_runs = to_ours(analysis.replay(&choices, Some(&def.index.innovation))?.scores);
        let ranks = to_ours(analysis.replay(&choices, Some(&def.index.code))?.ranks);
        let interval = (0..units.len())
            .map(|u| {
                let r: Vec<f64> = ranks.iter().map(|run| run[u]).collect();
                (quantile(&r, 0.05), quantile(&r, 0.95))
            })
            .collect();
        (Some(stability(&nominal_groups, &c_runs, &i_runs, settings.threshold)), Some(interval))
    } else {
        (None, None)
    };

    // Peers by context; strengths and weaknesses on the innovation side's
    // normalised indicators (what a municipality can act on).
    let class: Vec<Option<usize>> = units.iter().map(|&u| reg.municipalities[u].size_class()).collect();
    let zone: Vec<&str> = units.iter().map(|&u| reg.municipalities[u].zone.as_str()).collect();
    let peer_sets = peers(&class, &zone, context, settings.peers);
    let normalised = build.data_set("Normalised").unwrap_or(agg);
    let innovation_codes: Vec<String> = def
        .indicators
        .iter()
        .filter(|i| fw.ancestor_at(&i.code, 3).map(|a| a.code.as_str()) == Some(def.index.innovation.as_str()))
        .map(|i| i.code.clone())
        .filter(|c| normalised.column(c).is_some())
        .collect();
    let innovation_cols: Vec<Vec<f64>> =
        innovation_codes.iter().map(|c| ours(normalised.column(c).expect("filtered above"))).collect();
    let col_refs: Vec<&[f64]> = innovation_cols.iter().map(Vec::as_slice).collect();
    let profile = (0..units.len())
        .map(|u| strengths_and_weaknesses(u, &peer_sets[u], &innovation_codes, &col_refs, settings.strengths))
        .collect();

    let areas = areas(reg, &units, &scores, &nominal_groups);
    Ok(Scored {
        indicators,
        idata,
        imeta,
        build,
        results,
        score_codes,
        scores,
        rank,
        groups: nominal_groups,
        thresholds,
        stability,
        rank_interval,
        peers: peer_sets,
        profile,
        areas,
    })
}

/// For each of our units (registry positions), its row among the engine's
/// units (which the engine sorts its own way).
fn engine_rows(engine_units: &[String], reg: &Registry, units: &[usize]) -> Vec<Option<usize>> {
    let row_of: HashMap<&str, usize> = engine_units.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    units.iter().map(|&u| row_of.get(reg.municipalities[u].code.as_str()).copied()).collect()
}

/// An engine column in our units' order (`NaN` where a unit has no row).
fn in_our_order(col: &[f64], rows: &[Option<usize>]) -> Vec<f64> {
    rows.iter().map(|r| r.and_then(|r| col.get(r).copied()).unwrap_or(f64::NAN)).collect()
}

/// Provinces and regions: plain and population-weighted means of their
/// municipalities' scores (missing scores ignored).
fn areas(reg: &Registry, units: &[usize], scores: &[Vec<f64>], groups: &[Option<Group>]) -> Vec<Area> {
    let mut out = Vec::new();
    for level in ["province", "region"] {
        let mut keys: Vec<(String, String)> = Vec::new();
        let mut members: HashMap<String, Vec<usize>> = HashMap::new();
        for (row, &u) in units.iter().enumerate() {
            let m = &reg.municipalities[u];
            let (code, name) =
                if level == "province" { (&m.province_code, &m.province) } else { (&m.region_code, &m.region) };
            let list = members.entry(code.clone()).or_default();
            if list.is_empty() {
                keys.push((code.clone(), name.clone()));
            }
            list.push(row);
        }
        keys.sort();
        for (code, name) in keys {
            let rows = &members[&code];
            let pop = |r: usize| reg.municipalities[units[r]].population.map_or(0, |p| p.total);
            let mut g = [0usize; 4];
            for &r in rows {
                if let Some(x) = groups[r] {
                    g[Group::ALL.iter().position(|a| *a == x).expect("every group is in ALL")] += 1;
                }
            }
            let means = scores
                .iter()
                .map(|col| {
                    let present: Vec<usize> = rows.iter().copied().filter(|&r| !col[r].is_nan()).collect();
                    let n = present.len() as f64;
                    let mean = present.iter().map(|&r| col[r]).sum::<f64>() / n;
                    let w: f64 = present.iter().map(|&r| pop(r) as f64).sum();
                    let wmean = present.iter().map(|&r| col[r] * pop(r) as f64).sum::<f64>() / w;
                    (mean, wmean)
                })
                .collect();
            out.push(Area {
                level,
                code,
                name,
                municipalities: rows.len(),
                population: rows.iter().map(|&r| pop(r)).sum(),
                groups: g,
                means,
            });
        }
    }
    out
}
