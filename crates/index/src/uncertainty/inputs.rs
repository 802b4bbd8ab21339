//! The uncertain inputs of an analysis, and their TOML file (`inputs.toml`).
//!
//! ```toml
//! [[input]]                        # a pipeline parameter, discrete alternatives
//! name = "Winmax"
//! address = "treat.winmax"
//! values = [1, 2, 3, 4, 5]
//!
//! [[input]]                        # a whole step's choice
//! name = "Normalisation"
//! address = "normalise"
//! values = [{ method = "minmax", range = [1, 100] }, { method = "zscore", mean_sd = [10, 2] }]
//!
//! [[input]]                        # a continuous uniform range
//! name = "Screening"
//! address = "screen.min_data"
//! range = [0.8, 0.95]
//!
//! [[input]]                        # weights: ±factor × nominal, uniform, at these levels
//! name = "Weights"
//! noise = [{ level = 2, factor = 0.25 }, { level = 3, factor = 0.25 }]
//! sets = 100                       # number of noisy weight sets drawn (default 100)
//!
//! [[input]]                        # exclusion of one indicator at a time
//! name = "Exclusion"
//! exclude = ["Goods", "Services"]  # or "all": every indicator
//! ```
//!
//! An address is a step (`denominate`, `impute`, `screen`, `treat`,
//! `normalise`, `aggregate`: its alternatives are whole tables, or the string
//! `"skip"` to leave the step out) or one of its keys (`treat.winmax`,
//! `aggregate.method`, ...), which the pipeline must already have.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::sampling::Rng;
use crate::error::{Error, Result};
use crate::model::{CodeType, Framework};
use crate::pipeline::Pipeline;
use crate::steps::aggregate::Weights;

/// The parameters an address may name, by step.
const PARAMETERS: &[(&str, &[&str])] = &[
    ("denominate", &[]),
    ("impute", &["method", "group", "level"]),
    ("screen", &["min_data"]),
    ("treat", &["winmax", "skew", "kurtosis", "force_winsorise"]),
    ("normalise", &["method", "range", "mean_sd", "scale_factor", "reference", "cap_max"]),
    ("aggregate", &["method", "p", "weights", "min_data"]),
];

/// What an uncertain input varies.
#[derive(Debug, Clone, PartialEq)]
pub enum Alternatives {
    /// Discrete alternatives for the pipeline value at `address`.
    Values {
        /// `step` or `step.key`.
        address: String,
        /// The alternatives, as TOML values.
        values: Vec<toml::Value>,
    },
    /// A continuous uniform range for the number at `address`.
    Range {
        /// `step.key`.
        address: String,
        /// Lower bound.
        lower: f64,
        /// Upper bound (> lower).
        upper: f64,
    },
    /// Complete weight sets to choose from (e.g. noisy replicates of the
    /// nominal weights, COINr's `get_noisy_weights`).
    WeightSets(Vec<Weights>),
    /// Exclusion of one indicator per alternative.
    Exclude(Vec<String>),
}

impl Alternatives {
    /// Number of discrete alternatives (`None` for a continuous range).
    pub fn count(&self) -> Option<usize> {
        match self {
            Alternatives::Values { values, .. } => Some(values.len()),
            Alternatives::Range { .. } => None,
            Alternatives::WeightSets(w) => Some(w.len()),
            Alternatives::Exclude(c) => Some(c.len()),
        }
    }
}

/// One uncertain input: a name (reported in the results) and what it varies.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Name, e.g. `Winmax`.
    pub name: String,
    /// What it varies.
    pub alternatives: Alternatives,
}

/// Noise on weights at one level (COINr's `noise_specs` row).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Noise {
    /// Level whose weights are perturbed (2 = weights of pillars' children...).
    pub level: u32,
    /// Each weight w becomes w + (2u − 1) · factor · w, u uniform in [0, 1).
    pub factor: f64,
}

/// `sets` noisy replicates of `nominal`: at every level of `noise`, each
/// weight moves uniformly within ±factor of its value (COINr's
/// `get_noisy_weights`). Drawn from `rng` in framework order.
pub fn noisy_weights(nominal: &Weights, fw: &Framework, noise: &[Noise], sets: usize, rng: &mut Rng) -> Vec<Weights> {
    (0..sets)
        .map(|_| {
            let mut w = nominal.clone();
            for n in noise {
                for node in fw.nodes().iter().filter(|x| x.level == n.level) {
                    let v = nominal.get(&node.code);
                    w.0.insert(node.code.clone(), v + (rng.uniform() * 2.0 - 1.0) * n.factor * v);
                }
            }
            w
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputsToml {
    input: Vec<InputToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputToml {
    name: String,
    address: Option<String>,
    values: Option<Vec<toml::Value>>,
    range: Option<crate::numbers::Pair>,
    noise: Option<Vec<Noise>>,
    sets: Option<usize>,
    exclude: Option<toml::Value>,
}

/// The most noisy weight sets an input may draw (COINr's default is 100);
/// each set holds a weight per code.
pub const MAX_WEIGHT_SETS: usize = 100_000;

/// The inputs of an analysis, read from `inputs.toml`, checked against the
/// pipeline (as a TOML table) and the framework before any run.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The inputs, in file order.
    pub inputs: Vec<Input>,
}

impl Inputs {
    /// Reads and checks an inputs file. Noisy weight sets are drawn from
    /// `seed`, so the same seed gives the same sets.
    pub fn from_file(path: &Path, pipeline: &PipelineSource, fw: &Framework, seed: u64) -> Result<Inputs> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        Inputs::from_toml(&path.display().to_string(), &text, pipeline, fw, seed)
    }

    /// Parses and checks inputs from TOML text (`file` names it in errors).
    pub fn from_toml(file: &str, text: &str, pipeline: &PipelineSource, fw: &Framework, seed: u64) -> Result<Inputs> {
        let raw: InputsToml = Error::parse_toml(file, text)?;
        let mut rng = Rng::new(seed ^ 0x5745_4947_4854_5321);
        let mut names = HashSet::new();
        let mut inputs = Vec::new();
        for (i, t) in raw.input.into_iter().enumerate() {
            let key = |k: &str| format!("input[{}].{k}", i + 1);
            let err = |k: &str, msg: String| Error::config(file, &key(k), format!("input `{}`: {msg}", t.name));
            if !names.insert(t.name.clone()) {
                return Err(err("name", "the name is used twice".into()));
            }
            let given = [t.values.is_some(), t.range.is_some(), t.noise.is_some(), t.exclude.is_some()];
            if given.iter().filter(|&&g| g).count() != 1 {
                return Err(err("values", "expected exactly one of `values`, `range`, `noise` or `exclude`".into()));
            }
            if (t.values.is_some() || t.range.is_some()) != t.address.is_some() {
                return Err(err("address", "`values` and `range` need an `address`; the others take none".into()));
            }
            if t.sets.is_some() && t.noise.is_none() {
                return Err(err("sets", "`sets` goes with `noise`".into()));
            }
            if let Some(a) = &t.address {
                pipeline.check_address(a).map_err(|e| err("address", e))?;
            }
            let alternatives = if let Some(values) = t.values {
                let address = t.address.clone().unwrap_or_default();
                if values.is_empty() {
                    return Err(err("values", "the list of alternatives is empty".into()));
                }
                for (j, v) in values.iter().enumerate() {
                    pipeline.check(&address, v).map_err(|e| err("values", format!("alternative {}: {e}", j + 1)))?;
                }
                Alternatives::Values { address, values }
            } else if let Some(crate::numbers::Pair([lower, upper])) = t.range {
                let address = t.address.clone().unwrap_or_default();
                if !(lower < upper) {
                    return Err(err("range", format!("expected lower < upper, found [{lower}, {upper}]")));
                }
                for v in [lower, upper] {
                    pipeline.check(&address, &toml::Value::Float(v)).map_err(|e| err("range", e))?;
                }
                Alternatives::Range { address, lower, upper }
            } else if let Some(noise) = t.noise {
                let sets = t.sets.unwrap_or(100);
                if sets == 0 {
                    return Err(err("sets", "expected at least one weight set".into()));
                }
                if sets > MAX_WEIGHT_SETS {
                    return Err(err("sets", format!("expected at most {MAX_WEIGHT_SETS} weight sets, found {sets}")));
                }
                if noise.is_empty() {
                    return Err(err("noise", "expected at least one level".into()));
                }
                for n in &noise {
                    if n.level < 1 || n.level > fw.levels() {
                        return Err(err("noise", format!("level {} is not between 1 and {}", n.level, fw.levels())));
                    }
                    if !(n.factor >= 0.0 && n.factor.is_finite()) {
                        return Err(err("noise", format!("factor {} is not a non-negative number", n.factor)));
                    }
                }
                let nominal = pipeline.nominal_weights(fw).map_err(|e| err("noise", e))?;
                Alternatives::WeightSets(noisy_weights(&nominal, fw, &noise, sets, &mut rng))
            } else {
                let codes: Vec<String> = match t.exclude.as_ref() {
                    Some(toml::Value::String(s)) if s == "all" => fw.indicator_codes(),
                    Some(toml::Value::Array(a)) => a
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<_>>()
                        .ok_or_else(|| err("exclude", "expected indicator codes as strings".into()))?,
                    _ => return Err(err("exclude", "expected a list of indicator codes or \"all\"".into())),
                };
                if codes.is_empty() {
                    return Err(err("exclude", "the list of indicators is empty".into()));
                }
                for c in &codes {
                    match fw.get(c) {
                        Some(n) if n.kind == CodeType::Indicator => {}
                        _ => return Err(err("exclude", format!("`{c}` is not an indicator of iMeta"))),
                    }
                    fw.without(c).map_err(|e| err("exclude", e))?;
                }
                Alternatives::Exclude(codes)
            };
            inputs.push(Input { name: t.name, alternatives });
        }
        if inputs.is_empty() {
            return Err(Error::config(file, "input", "no inputs: expected at least one [[input]] table"));
        }
        Ok(Inputs { inputs })
    }
}

/// A pipeline kept as its TOML table, so that runs can change any value in
/// it and rebuild it.
#[derive(Debug, Clone)]
pub struct PipelineSource {
    file: String,
    table: toml::Table,
    base: Option<PathBuf>,
}

impl PipelineSource {
    /// Reads a pipeline file (checking it builds).
    pub fn from_file(path: &Path) -> Result<PipelineSource> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        PipelineSource::from_toml(&path.display().to_string(), &text, path.parent())
    }

    /// Parses pipeline TOML text (checking it builds).
    pub fn from_toml(file: &str, text: &str, base: Option<&Path>) -> Result<PipelineSource> {
        Pipeline::from_toml(file, text, base)?;
        let table: toml::Table = Error::parse_toml(file, text)?;
        Ok(PipelineSource { file: file.to_string(), table, base: base.map(Path::to_path_buf) })
    }

    /// The nominal pipeline.
    pub fn pipeline(&self) -> Result<Pipeline> {
        Pipeline::from_table(&self.file, &self.table, self.base.as_deref())
    }

    /// Checks that the pipeline with `value` placed at `address` builds.
    pub fn check(&self, address: &str, value: &toml::Value) -> std::result::Result<(), String> {
        let mut t = self.table.clone();
        set(&mut t, address, value)?;
        Pipeline::from_table(&self.file, &t, self.base.as_deref()).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The table with several values placed (already checked one by one).
    pub fn with_all<'a>(&self, edits: impl IntoIterator<Item = (&'a str, toml::Value)>) -> Result<Pipeline> {
        let mut t = self.table.clone();
        for (address, value) in edits {
            set(&mut t, address, &value).map_err(|e| Error::step("uncertainty", e))?;
        }
        Pipeline::from_table(&self.file, &t, self.base.as_deref())
    }

    /// Checks that `address` names a step or a parameter of a step the
    /// pipeline has.
    pub fn check_address(&self, address: &str) -> std::result::Result<(), String> {
        let mut t = self.table.clone();
        let probe = match address.contains('.') {
            true => toml::Value::Boolean(false),
            false => toml::Value::String("skip".into()),
        };
        set(&mut t, address, &probe)
    }

    fn nominal_weights(&self, fw: &Framework) -> std::result::Result<Weights, String> {
        let p = self.pipeline().map_err(|e| e.to_string())?;
        let spec = p.aggregate.ok_or("the pipeline has no [aggregate] step: there are no weights to vary")?;
        match spec.weights {
            crate::pipeline::WeightSource::Pca => {
                Err("PCA weights depend on the data: noise needs fixed weights (imeta, equal or a file)".into())
            }
            _ => {
                let empty = crate::dataset::DataSet::new("none", Vec::new(), Vec::new(), Vec::new());
                spec.weights(&empty, fw).map_err(|e| e.to_string())
            }
        }
    }
}

/// Places `value` at `address` in a pipeline table.
fn set(t: &mut toml::Table, address: &str, value: &toml::Value) -> std::result::Result<(), String> {
    let (step, key) = match address.split_once('.') {
        Some((s, k)) => (s, Some(k)),
        None => (address, None),
    };
    let known = PARAMETERS.iter().find(|(s, _)| *s == step).ok_or_else(|| {
        let steps: Vec<&str> = PARAMETERS.iter().map(|(s, _)| *s).collect();
        format!("address `{address}` names no pipeline step: expected one of {}", steps.join(", "))
    })?;
    match key {
        None => match value {
            toml::Value::String(s) if s == "skip" => {
                t.remove(step);
            }
            toml::Value::Table(_) => {
                t.insert(step.to_string(), value.clone());
            }
            _ => return Err(format!("a whole step takes a table of settings or \"skip\", found `{value}`")),
        },
        Some(k) => {
            if !known.1.contains(&k) {
                return Err(format!(
                    "address `{address}` names no parameter of [{step}]: expected one of {}",
                    known.1.join(", ")
                ));
            }
            let table = t
                .get_mut(step)
                .and_then(toml::Value::as_table_mut)
                .ok_or_else(|| format!("the pipeline has no [{step}] step, so `{address}` cannot vary"))?;
            // Integer parameters take the nearest integer of a number (a range's draw).
            let v = match (value, k) {
                (toml::Value::Float(f), "winmax" | "level") => toml::Value::Integer(f.round() as i64),
                _ => value.clone(),
            };
            table.insert(k.to_string(), v);
        }
    }
    Ok(())
}
