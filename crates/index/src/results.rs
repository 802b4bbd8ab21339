//! Results: scores and ranks of every aggregate.
//!
//! Rank 1 is the highest score; tied units share the best rank of the tie and
//! missing scores have no rank (COINr's `rank_df()`).

use crate::pipeline::Build;
use crate::stats;
use crate::table::format_number;

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
        let ranks: Vec<Vec<f64>> = cols.iter().map(|c| stats::rank_descending(c)).collect();
        let top = &ranks[0];
        let mut order: Vec<usize> = (0..agg.n_units()).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (top[a], top[b]);
            ra.is_nan().cmp(&rb.is_nan()).then(ra.total_cmp(&rb)).then(agg.units[a].cmp(&agg.units[b]))
        });
        let name_of = |u: &str| b.units.position(u).map(|i| b.units.names[i].clone()).unwrap_or_else(|| u.to_string());
        Some(Results {
            units: order.iter().map(|&i| agg.units[i].clone()).collect(),
            names: order.iter().map(|&i| name_of(&agg.units[i])).collect(),
            scores: cols.iter().map(|c| order.iter().map(|&i| c[i]).collect()).collect(),
            ranks: ranks.iter().map(|r| order.iter().map(|&i| r[i]).collect()).collect(),
            codes,
        })
    }

    /// Writes `uCode, uName`, then for each aggregate its score and its rank
    /// (column `<code>_Rank`).
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec!["uCode".to_string(), "uName".to_string()];
        for c in &self.codes {
            header.push(c.clone());
            header.push(format!("{c}_Rank"));
        }
        w.write_record(&header)?;
        for (i, u) in self.units.iter().enumerate() {
            let mut rec = vec![u.clone(), self.names[i].clone()];
            for (s, r) in self.scores.iter().zip(&self.ranks) {
                rec.push(format_number(s[i]));
                rec.push(format_number(r[i]));
            }
            w.write_record(&rec)?;
        }
        w.flush()?;
        Ok(())
    }
}
