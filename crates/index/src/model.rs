//! The input model: units, indicator metadata and the hierarchy.
//!
//! The layout is COINr's: an *iData* table with one row per unit (`uCode`,
//! optional `uName`, group columns, denominator columns, one column per
//! indicator) and an *iMeta* table with one row per code (`iCode`, `iName`,
//! `Level`, `Parent`, `Direction`, `Weight`, `Type`, optional `Denominator`,
//! `Target`, `Unit` and goalpost columns). Reading validates everything a
//! build relies on, so the pipeline steps never meet a malformed hierarchy.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::dataset::DataSet;
use crate::error::{Error, Location, Result};
use crate::table::{Table, parse_number};

/// What a row of iMeta describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeType {
    /// A measured indicator (level 1), a column of iData.
    Indicator,
    /// An aggregate (pillar, sub-index, index) at level 2 or above.
    Aggregate,
    /// A grouping column of iData (used for group imputation and peers).
    Group,
    /// A denominator column of iData (population, area, GDP ...).
    Denominator,
    /// Any other column of iData kept along (ignored by the pipeline).
    Other,
}

impl CodeType {
    fn parse(s: &str) -> Option<CodeType> {
        Some(match s {
            "Indicator" => CodeType::Indicator,
            "Aggregate" => CodeType::Aggregate,
            "Group" => CodeType::Group,
            "Denominator" => CodeType::Denominator,
            "Other" => CodeType::Other,
            _ => return None,
        })
    }
}

/// Goalposts of an indicator for goalpost normalisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goalposts {
    /// Lower goalpost (score 0).
    pub lower: f64,
    /// Upper goalpost (score 1 before scaling).
    pub upper: f64,
    /// Multiplier applied to the result (e.g. 100).
    pub scale: f64,
    /// Whether values outside the goalposts are truncated to them.
    pub truncate: bool,
}

/// A node of the hierarchy: an indicator (level 1) or an aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Unique code (`iCode`).
    pub code: String,
    /// Human-readable name (`iName`).
    pub name: String,
    /// Level: 1 for indicators, 2 and above for aggregates.
    pub level: u32,
    /// Code of the parent aggregate; `None` only at the top level.
    pub parent: Option<String>,
    /// +1 when higher is better, -1 when lower is better.
    pub direction: f64,
    /// Weight within the parent (relative to its siblings).
    pub weight: f64,
    /// Indicator or aggregate.
    pub kind: CodeType,
    /// Unit of measure, free text.
    pub unit: Option<String>,
    /// Code of the denominator column this indicator is divided by.
    pub denominator: Option<String>,
    /// Target value, for distance-to-target normalisation.
    pub target: Option<f64>,
    /// Goalposts, for goalpost normalisation.
    pub goalposts: Option<Goalposts>,
    /// Whether distance-to-target scores above the target are capped at 1.
    pub target_cap: Option<bool>,
}

/// The validated hierarchy of indicators and aggregates.
#[derive(Debug, Clone)]
pub struct Framework {
    nodes: Vec<Indicator>,
    by_code: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
    levels: u32,
    /// Names of the levels, from 1 up (e.g. Indicator, Pillar, Sub-index, Index).
    pub level_names: Vec<String>,
    /// Codes of group columns declared in iMeta.
    pub groups: Vec<String>,
    /// Codes of denominator columns declared in iMeta.
    pub denominators: Vec<String>,
    /// Names of groups and denominators (code -> name).
    pub other_names: BTreeMap<String, String>,
}

impl Framework {
    /// All indicators and aggregates, in iMeta order.
    pub fn nodes(&self) -> &[Indicator] {
        &self.nodes
    }

    /// The node with this code.
    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.by_code.get(code).map(|&i| &self.nodes[i])
    }

    /// The framework without one indicator (as if its iMeta row were
    /// deleted). Fails, saying why, when the code is not an indicator or its
    /// parent would be left without children.
    pub fn without(&self, code: &str) -> std::result::Result<Framework, String> {
        let node = self.get(code).ok_or_else(|| format!("`{code}` is not in iMeta"))?;
        if node.kind != CodeType::Indicator {
            return Err(format!("`{code}` is an aggregate: only indicators can be excluded"));
        }
        if let Some(p) = &node.parent
            && self.children(p).len() == 1
        {
            return Err(format!("excluding `{code}` would leave `{p}` without indicators"));
        }
        let nodes: Vec<Indicator> = self.nodes.iter().filter(|n| n.code != code).cloned().collect();
        let by_code: HashMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (n.code.clone(), i)).collect();
        let mut children = vec![Vec::new(); nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            if let Some(p) = &n.parent {
                children[by_code[p]].push(i);
            }
        }
        Ok(Framework { nodes, by_code, children, ..self.clone() })
    }

    /// Number of levels (the level of the top).
    pub fn levels(&self) -> u32 {
        self.levels
    }

    /// The level-1 indicators, in iMeta order.
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.nodes.iter().filter(|n| n.level == 1)
    }

    /// Codes of the level-1 indicators, in iMeta order.
    pub fn indicator_codes(&self) -> Vec<String> {
        self.indicators().map(|n| n.code.clone()).collect()
    }

    /// Nodes at a level, in iMeta order.
    pub fn at_level(&self, level: u32) -> impl Iterator<Item = &Indicator> {
        self.nodes.iter().filter(move |n| n.level == level)
    }

    /// Aggregates at a level in COINr's output order: alphabetical by code
    /// (COINr groups children with `tapply`, which sorts the parent codes).
    pub fn aggregates_in_output_order(&self, level: u32) -> Vec<&Indicator> {
        let mut v: Vec<&Indicator> = self.at_level(level).collect();
        v.sort_by(|a, b| collate(&a.code, &b.code));
        v
    }

    /// Children of a node, in iMeta order.
    pub fn children(&self, code: &str) -> Vec<&Indicator> {
        match self.by_code.get(code) {
            Some(&i) => self.children[i].iter().map(|&c| &self.nodes[c]).collect(),
            None => Vec::new(),
        }
    }

    /// The ancestor of `code` at `level` (the code itself at its own level).
    pub fn ancestor_at(&self, code: &str, level: u32) -> Option<&Indicator> {
        let mut node = self.get(code)?;
        while node.level < level {
            node = self.get(node.parent.as_deref()?)?;
        }
        (node.level == level).then_some(node)
    }

    /// Builds and validates a framework from an iMeta table.
    pub fn from_table(t: &Table) -> Result<Framework> {
        let c_code = t.require_column("iCode")?;
        let c_type = t.require_column("Type")?;
        let c_level = t.require_column("Level")?;
        let c_parent = t.require_column("Parent")?;
        let c_dir = t.require_column("Direction")?;
        let c_weight = t.require_column("Weight")?;
        let c_name = t.column_index("iName");
        let c_unit = t.column_index("Unit");
        let c_denom = t.column_index("Denominator");
        let c_target = t.column_index("Target");
        let c_gp =
            ["goalpost_lower", "goalpost_upper", "goalpost_scale", "goalpost_trunc2posts"].map(|n| t.column_index(n));
        let c_cap = t.column_index("dist2targ_cap_max");

        let mut nodes: Vec<Indicator> = Vec::new();
        let mut lines: Vec<u64> = Vec::new();
        let mut groups = Vec::new();
        let mut denominators = Vec::new();
        let mut other_names = BTreeMap::new();
        let mut seen: HashMap<String, u64> = HashMap::new();

        for (line, row) in &t.rows {
            let line = *line;
            let code = row[c_code].clone();
            if code.is_empty() {
                return Err(Error::input(t.at(line, c_code), "empty code: every row needs an iCode"));
            }
            if let Some(first) = seen.insert(code.clone(), line) {
                return Err(Error::input(
                    t.at(line, c_code),
                    format!("duplicate code `{code}` (first defined on line {first})"),
                ));
            }
            let kind = CodeType::parse(&row[c_type]).ok_or_else(|| {
                Error::input(
                    t.at(line, c_type),
                    format!(
                        "unknown type `{}`: expected Indicator, Aggregate, Group, Denominator or Other",
                        row[c_type]
                    ),
                )
            })?;
            let name = c_name.map(|c| row[c].clone()).filter(|s| !s.is_empty()).unwrap_or(code.clone());
            match kind {
                CodeType::Group => {
                    groups.push(code.clone());
                    other_names.insert(code, name);
                    continue;
                }
                CodeType::Denominator => {
                    denominators.push(code.clone());
                    other_names.insert(code, name);
                    continue;
                }
                CodeType::Other => {
                    other_names.insert(code, name);
                    continue;
                }
                CodeType::Indicator | CodeType::Aggregate => {}
            }
            let level = row[c_level].parse::<u32>().ok().filter(|&l| l >= 1).ok_or_else(|| {
                Error::input(t.at(line, c_level), format!("expected a level ≥ 1, found `{}`", row[c_level]))
            })?;
            if kind == CodeType::Indicator && level != 1 {
                return Err(Error::input(t.at(line, c_level), format!("indicator `{code}` must be at level 1")));
            }
            if kind == CodeType::Aggregate && level < 2 {
                return Err(Error::input(
                    t.at(line, c_level),
                    format!("aggregate `{code}` must be at level 2 or above"),
                ));
            }
            let direction = match row[c_dir].as_str() {
                "1" | "1.0" | "+1" => 1.0,
                "-1" | "-1.0" => -1.0,
                "" if kind == CodeType::Aggregate => 1.0,
                other => {
                    return Err(Error::input(
                        t.at(line, c_dir),
                        format!("expected direction 1 or -1, found `{other}`"),
                    ));
                }
            };
            let weight = parse_number(&row[c_weight]).filter(|w| w.is_finite()).ok_or_else(|| {
                Error::input(t.at(line, c_weight), format!("expected a numeric weight, found `{}`", row[c_weight]))
            })?;
            // Weights are relative; a huge one overflows every weighted sum (each score 0 or infinite).
            if weight.abs() > MAX_WEIGHT {
                return Err(Error::input(
                    t.at(line, c_weight),
                    format!(
                        "expected a weight between -{MAX_WEIGHT:e} and {MAX_WEIGHT:e} (weights are relative), found {weight}"
                    ),
                ));
            }
            let parent = Some(row[c_parent].clone()).filter(|p| !p.is_empty());
            let opt_text = |c: Option<usize>| c.map(|c| row[c].clone()).filter(|s| !s.is_empty());
            let opt_num = |c: Option<usize>| -> Result<Option<f64>> {
                match c {
                    Some(c) if !row[c].is_empty() => match parse_number(&row[c]) {
                        Some(v) if v.is_infinite() => {
                            Err(Error::input(t.at(line, c), format!("expected a finite number, found `{}`", row[c])))
                        }
                        Some(v) if !v.is_nan() => Ok(Some(v)),
                        Some(_) => Ok(None),
                        None => Err(Error::input(t.at(line, c), format!("expected a number, found `{}`", row[c]))),
                    },
                    _ => Ok(None),
                }
            };
            let opt_bool = |c: Option<usize>| -> Result<Option<bool>> {
                match c {
                    Some(c) if !row[c].is_empty() => match row[c].to_ascii_uppercase().as_str() {
                        "TRUE" | "1" => Ok(Some(true)),
                        "FALSE" | "0" => Ok(Some(false)),
                        other => Err(Error::input(t.at(line, c), format!("expected TRUE or FALSE, found `{other}`"))),
                    },
                    _ => Ok(None),
                }
            };
            let goalposts = match (opt_num(c_gp[0])?, opt_num(c_gp[1])?) {
                (Some(lower), Some(upper)) => Some(Goalposts {
                    lower,
                    upper,
                    scale: opt_num(c_gp[2])?.unwrap_or(1.0),
                    truncate: opt_bool(c_gp[3])?.unwrap_or(true),
                }),
                _ => None,
            };
            nodes.push(Indicator {
                code,
                name,
                level,
                parent,
                direction,
                weight,
                kind,
                unit: opt_text(c_unit),
                denominator: opt_text(c_denom),
                target: opt_num(c_target)?,
                goalposts,
                target_cap: opt_bool(c_cap)?,
            });
            lines.push(line);
        }

        if nodes.is_empty() {
            return Err(Error::input(Location::file(&t.file), "no indicators: expected rows of Type Indicator"));
        }

        let by_code: HashMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (n.code.clone(), i)).collect();
        let levels = nodes.iter().map(|n| n.level).max().unwrap_or(1);
        let at = |i: usize, col: usize| t.at(lines[i], col);

        // Parents exist, no cycles, and a parent is one level up.
        for (i, n) in nodes.iter().enumerate() {
            if let Some(p) = &n.parent
                && !by_code.contains_key(p)
            {
                return Err(Error::input(
                    at(i, c_parent),
                    format!("`{}` has unknown parent `{p}`: expected the iCode of an aggregate", n.code),
                ));
            }
        }
        for (i, n) in nodes.iter().enumerate() {
            let mut path = vec![n.code.as_str()];
            let mut cur = n;
            let mut visited = HashSet::new();
            visited.insert(i);
            while let Some(p) = &cur.parent {
                let pi = by_code[p];
                path.push(p);
                if !visited.insert(pi) {
                    return Err(Error::input(
                        at(i, c_parent),
                        format!("the hierarchy has a cycle: {}", path.join(" → ")),
                    ));
                }
                cur = &nodes[pi];
            }
        }
        for (i, n) in nodes.iter().enumerate() {
            match &n.parent {
                Some(p) => {
                    let parent = &nodes[by_code[p]];
                    if parent.kind != CodeType::Aggregate {
                        return Err(Error::input(
                            at(i, c_parent),
                            format!("parent `{p}` of `{}` is an indicator: expected an aggregate", n.code),
                        ));
                    }
                    if parent.level != n.level + 1 {
                        return Err(Error::input(
                            at(i, c_parent),
                            format!(
                                "`{}` is at level {} but its parent `{p}` is at level {}: expected level {}",
                                n.code,
                                n.level,
                                parent.level,
                                n.level + 1
                            ),
                        ));
                    }
                }
                None if n.level != levels => {
                    return Err(Error::input(
                        at(i, c_parent),
                        format!("`{}` (level {}) has no parent: only the top level {levels} may", n.code, n.level),
                    ));
                }
                None => {}
            }
        }
        let mut children = vec![Vec::new(); nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            if let Some(p) = &n.parent {
                children[by_code[p]].push(i);
            }
        }
        for (i, n) in nodes.iter().enumerate() {
            if n.kind == CodeType::Aggregate && children[i].is_empty() {
                return Err(Error::input(
                    at(i, c_code),
                    format!("aggregate `{}` at level {} has no children", n.code, n.level),
                ));
            }
        }
        for l in 1..=levels {
            if !nodes.iter().any(|n| n.level == l) {
                return Err(Error::input(Location::file(&t.file).column("Level"), format!("level {l} has no codes")));
            }
        }
        for (i, n) in nodes.iter().enumerate() {
            if let Some(d) = &n.denominator
                && !denominators.contains(d)
            {
                return Err(Error::input(
                    at(i, c_denom.unwrap_or(c_code)),
                    format!("denominator `{d}` of `{}` is not declared in iMeta with Type Denominator", n.code),
                ));
            }
        }

        let level_names = (1..=levels)
            .map(|l| match (l, levels) {
                (1, _) => "Indicator".to_string(),
                (l, m) if l == m => "Index".to_string(),
                (l, _) => format!("Level {l}"),
            })
            .collect();
        Ok(Framework { nodes, by_code, children, levels, level_names, groups, denominators, other_names })
    }
}

/// Orders codes the way R's `sort()` does in an English locale for the codes
/// met in practice: case-insensitive first, then lowercase before uppercase.
pub fn collate(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase().cmp(&b.to_lowercase()).then_with(|| b.cmp(a))
}

/// The units (rows) of iData: codes, names, groups and denominators.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// Unit codes (`uCode`), sorted as COINr sorts them.
    pub codes: Vec<String>,
    /// Unit names (`uName`; the code when absent).
    pub names: Vec<String>,
    /// Group columns: name and one value per unit (`None` when empty).
    pub groups: Vec<(String, Vec<Option<String>>)>,
    /// Denominator columns: name and one value per unit (`NaN` when missing).
    pub denominators: Vec<(String, Vec<f64>)>,
}

impl Units {
    /// The values of a group column.
    pub fn group(&self, name: &str) -> Option<&[Option<String>]> {
        self.groups.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// The values of a denominator column.
    pub fn denominator(&self, name: &str) -> Option<&[f64]> {
        self.denominators.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// Position of a unit by code (a linear search: use [`Units::positions`] in loops).
    pub fn position(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }

    /// For each code of `rows`, its position among these units.
    pub fn positions(&self, rows: &[String]) -> Vec<Option<usize>> {
        if rows.len() == self.codes.len() && rows.iter().zip(&self.codes).all(|(a, b)| a == b) {
            return (0..rows.len()).map(Some).collect();
        }
        let map: std::collections::HashMap<&str, usize> =
            self.codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        rows.iter().map(|r| map.get(r.as_str()).copied()).collect()
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no units.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// The largest weight (in absolute value) iMeta may give: weights are
/// relative, and sums of weights times values must stay finite.
pub const MAX_WEIGHT: f64 = 1e9;

mod data;
mod stream;
pub use data::read_data;
pub use stream::{MAX_COLUMNS, MAX_RECORD, read_data_csv};

#[cfg(test)]
mod tests;
