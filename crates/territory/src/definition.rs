//! An index definition: the versioned file that says which indicators make
//! the index, how they are computed, grouped, directed and weighted.
//!
//! It lives in the repository (`indices/itd/v1/index.toml`) beside the
//! engine's pipeline and uncertainty files, so anyone can rebuild the index
//! from the same sources. Format:
//!
//! ```toml
//! [index]
//! code = "ITD"
//! name = "…"
//! version = "1.0.0"
//! context = "CTX"        # the aggregate giving the context score
//! innovation = "INN"     # the aggregate giving the innovation score
//!
//! [[aggregate]]          # pillars, sub-indices, the index (no parent)
//! code = "SRV"
//! name = "…"
//! level = 2
//! parent = "INN"
//! weight = 1.0
//!
//! [[indicator]]
//! code = "adopt_141"
//! name = "…"
//! parent = "SRV"
//! direction = 1          # 1: higher is better, -1: lower is better
//! weight = 1.0
//! kind = "adopted"       # see `Kind`
//! measure = "1.4.1"      # for PA digitale kinds
//! indicator = "spid_uso" # for kind = "data": a stored indicator
//! unit = "0/1"
//! description = "…"
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// How an indicator is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Residents (registry).
    Population,
    /// Residents per km² (registry: population over the boundary's area).
    Density,
    /// Share of residents aged 65 and over, % (registry).
    #[serde(rename = "share_over_65")]
    ShareOver65,
    /// Share of residents aged 0–14, % (registry).
    #[serde(rename = "share_under_15")]
    ShareUnder15,
    /// Old-age index: residents 65+ per 100 residents aged 0–14 (registry).
    OldAgeIndex,
    /// 1 when the municipality is the capital of its province (registry).
    Capoluogo,
    /// 1 when the municipality holds at least one application of the
    /// measure that it has not renounced (state A or E).
    Adopted,
    /// 1 when at least one application of the measure is completed and paid (E).
    Completed,
    /// Days from sending the application to the payment (state E date), for
    /// the first application of the measure paid; missing when none is.
    DaysToCompletion,
    /// Euros per resident of the applications of the measure not renounced.
    FundingPerInhabitant,
    /// Euros of the applications of the measure not renounced, over the
    /// median of those euros among the comuni of the same ISTAT size class
    /// that hold any (1 = the class's typical amount; 0 = none): PA digitale
    /// vouchers are lump sums by population band, so euros per resident
    /// reward the smallest comuni for their size.
    FundingVsClass,
    /// A stored indicator (`cantiere data import`), named by `indicator`:
    /// each comune's value of the latest period stored (up to the date built).
    Data,
}

impl Kind {
    /// Whether the indicator comes from PA digitale (and needs a measure).
    pub fn needs_measure(self) -> bool {
        matches!(
            self,
            Kind::Adopted
                | Kind::Completed
                | Kind::DaysToCompletion
                | Kind::FundingPerInhabitant
                | Kind::FundingVsClass
        )
    }
}

/// The `[index]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexInfo {
    /// Code of the top aggregate.
    pub code: String,
    /// Name.
    pub name: String,
    /// Version of the definition.
    pub version: String,
    /// The aggregate giving the context score.
    pub context: String,
    /// The aggregate giving the innovation score.
    pub innovation: String,
    /// What the index measures.
    #[serde(default)]
    pub description: String,
    /// What ranks units made of comuni (unions, provinces, regions):
    /// `mean` (default) or `weighted` by residents.
    #[serde(default)]
    pub units_score: UnitsScore,
}

/// How units made of comuni are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitsScore {
    /// The mean of their comuni's scores.
    #[default]
    Mean,
    /// The mean weighted by residents.
    Weighted,
}

impl UnitsScore {
    /// As stored with a run.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitsScore::Mean => "mean",
            UnitsScore::Weighted => "weighted",
        }
    }
}

/// An aggregate: a pillar, a sub-index, the index.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateDef {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level (2 for pillars, up to the index).
    pub level: u32,
    /// Parent aggregate (none for the index).
    #[serde(default)]
    pub parent: Option<String>,
    /// Weight within its parent.
    #[serde(default = "one")]
    pub weight: f64,
}

/// An indicator.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Parent pillar.
    pub parent: String,
    /// +1 higher is better, −1 lower is better.
    pub direction: i8,
    /// Weight within its pillar.
    #[serde(default = "one")]
    pub weight: f64,
    /// How it is computed.
    pub kind: Kind,
    /// PNRR measure, for PA digitale kinds (`1.4.1`).
    #[serde(default)]
    pub measure: Option<String>,
    /// The stored indicator's code, for `kind = "data"`.
    #[serde(default)]
    pub indicator: Option<String>,
    /// Unit of measure.
    #[serde(default)]
    pub unit: String,
    /// Meaning and source.
    #[serde(default)]
    pub description: String,
}

fn one() -> f64 {
    1.0
}

/// A whole definition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// The index.
    pub index: IndexInfo,
    /// Aggregates.
    #[serde(rename = "aggregate")]
    pub aggregates: Vec<AggregateDef>,
    /// Indicators.
    #[serde(rename = "indicator")]
    pub indicators: Vec<IndicatorDef>,
}

impl Definition {
    /// Reads a definition file.
    pub fn from_file(path: &Path) -> Result<Definition> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Definition::from_toml(&path.display().to_string(), &text)
    }

    /// Parses and checks a definition.
    pub fn from_toml(file: &str, text: &str) -> Result<Definition> {
        let def: Definition =
            toml::from_str(text).map_err(|e| Error::Definition { file: file.to_string(), message: e.to_string() })?;
        let bad = |message: String| Error::Definition { file: file.to_string(), message };
        let mut codes = std::collections::HashSet::new();
        for code in def.aggregates.iter().map(|a| &a.code).chain(def.indicators.iter().map(|i| &i.code)) {
            if !codes.insert(code.as_str()) {
                return Err(bad(format!("code `{code}` is defined twice")));
            }
        }
        let is_aggregate = |c: &str| def.aggregates.iter().any(|a| a.code == c);
        for code in [&def.index.code, &def.index.context, &def.index.innovation] {
            if !is_aggregate(code) {
                return Err(bad(format!("[index] names `{code}`, which is not an aggregate")));
            }
        }
        for i in &def.indicators {
            if !is_aggregate(&i.parent) {
                return Err(bad(format!("indicator `{}`: parent `{}` is not an aggregate", i.code, i.parent)));
            }
            if i.direction != 1 && i.direction != -1 {
                return Err(bad(format!("indicator `{}`: direction must be 1 or -1", i.code)));
            }
            if (i.kind == Kind::Data) != i.indicator.is_some() {
                return Err(bad(format!(
                    "indicator `{}`: {}",
                    i.code,
                    if i.indicator.is_some() {
                        "only kind = \"data\" takes an `indicator`"
                    } else {
                        "kind = \"data\" needs the stored `indicator` it reads"
                    }
                )));
            }
            if i.kind.needs_measure() != i.measure.is_some() {
                return Err(bad(format!(
                    "indicator `{}`: {}",
                    i.code,
                    if i.measure.is_some() {
                        "a registry indicator takes no measure"
                    } else {
                        "a PA digitale indicator needs its measure"
                    }
                )));
            }
        }
        for a in &def.aggregates {
            if let Some(p) = &a.parent
                && !is_aggregate(p)
            {
                return Err(bad(format!("aggregate `{}`: parent `{p}` is not an aggregate", a.code)));
            }
        }
        Ok(def)
    }

    /// The iMeta table (COINr layout): indicators, aggregates, and the group
    /// columns of iData (`Region`, `Province`, `Zone`, `SizeClass`).
    pub fn imeta_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let row = |w: &mut csv::Writer<Vec<u8>>, r: [&str; 7]| w.write_record(r).expect("writing to memory");
        row(&mut w, ["iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type"]);
        for i in &self.indicators {
            let (dir, weight) = (i.direction.to_string(), i.weight.to_string());
            row(&mut w, [&i.code, &i.name, "1", &i.parent, &dir, &weight, "Indicator"]);
        }
        for a in &self.aggregates {
            let (level, weight) = (a.level.to_string(), a.weight.to_string());
            row(&mut w, [&a.code, &a.name, &level, a.parent.as_deref().unwrap_or(""), "1", &weight, "Aggregate"]);
        }
        for (code, name) in GROUPS {
            row(&mut w, [code, name, "", "", "", "", "Group"]);
        }
        w.into_inner().expect("writing to memory")
    }
}

/// Group columns written to iData.
pub const GROUPS: [(&str, &str); 4] =
    [("Region", "Regione"), ("Province", "Provincia"), ("Zone", "Ripartizione"), ("SizeClass", "Classe demografica")];
