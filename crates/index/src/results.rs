//! Results: scores and ranks of every aggregate.
//!
//! Rank 1 is the highest score; tied units share the best rank of the tie and
//! missing scores have no rank (COINr's `rank_df()`).

use crate::pipeline::Build;
use crate::stats;

/// Scores and ranks of the aggregates, one row per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Unit codes, sorted by the top aggregate's rank (then by code).
    pub units: Vec<String>,
    /// Unit names, parallel to `units`.
    pub names: Vec<String>,
    /// Aggregate codes: the top level first, then each level down, each level
    /// in iMeta order.
    pub codes: Vec<String>,
    /// Scores: `scores[c][u]` for code `c` and unit `u`.
    pub scores: Vec<Vec<f64>>,
    /// Ranks, parallel to `scores`.
    pub ranks: Vec<Vec<f64>>,
}

impl Results {
    /// Results of a build (`None` when it did not aggregate).
    pub fn from_build(b: &Build) -> Option<Results> {
        let agg = b.data_set("Aggregated")?;
        let fw = &b.framework;
        let mut codes = Vec::new();
        for level in (2..=fw.levels()).rev() {
            codes.extend(fw.at_level(level).map(|n| n.code.clone()));
        }
        let cols: Vec<&[f64]> = codes.iter().map(|c| agg.column(c).expect("aggregates are in Aggregated")).collect();
        let ranks: Vec<Vec<f64>> = crate::par::map(&cols, cols.len() * agg.n_units(), |c| stats::rank_descending(c));
        let top = &ranks[0];
        let mut order: Vec<usize> = (0..agg.n_units()).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (top[a], top[b]);
            ra.is_nan().cmp(&rb.is_nan()).then(ra.total_cmp(&rb)).then(agg.units[a].cmp(&agg.units[b]))
        });
        // Each row's unit, once (by position when the rows are the units,
        // else by a map): a search per unit would make this quadratic.
        let position = b.units.positions(&agg.units);
        let name_of = |i: usize| position[i].map_or_else(|| agg.units[i].clone(), |p| b.units.names[p].clone());
        Some(Results {
            units: order.iter().map(|&i| agg.units[i].clone()).collect(),
            names: order.iter().map(|&i| name_of(i)).collect(),
            scores: cols.iter().map(|c| order.iter().map(|&i| c[i]).collect()).collect(),
            ranks: ranks.iter().map(|r| order.iter().map(|&i| r[i]).collect()).collect(),
            codes,
        })
    }

    /// Writes `uCode, uName`, then for each aggregate its score and its rank
    /// (column `<code>_Rank`).
    pub fn write_csv<W: std::io::Write + Send>(&self, mut out: W) -> std::io::Result<()> {
        let header = self.codes.iter().flat_map(|c| [c.clone(), format!("{c}_Rank")]);
        crate::write::write_header(&mut out, ["uCode".to_string(), "uName".to_string()].into_iter().chain(header))?;
        let columns: Vec<&[f64]> = self.scores.iter().zip(&self.ranks).flat_map(|(s, r)| [&s[..], &r[..]]).collect();
        crate::write::write_column_rows(&mut out, self.units.len(), &columns, |i, values, buf| {
            crate::write::push_text(buf, &self.units[i]);
            buf.push(b',');
            crate::write::push_text(buf, &self.names[i]);
            for &x in values {
                buf.push(b',');
                crate::write::push_number(buf, x);
            }
        })?;
        out.flush()
    }
}
