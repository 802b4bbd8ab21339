//! Peers: the municipalities most like one another by context, and how a
//! municipality compares with its peers.
//!
//! Peers of a municipality are the `k` others of the same size class and
//! geographic zone whose context scores are nearest to its own (ties by
//! ISTAT order). Where that pool has fewer than `k` others (the largest
//! cities), it widens to the same size class in any zone, then to every
//! municipality, and says so.

/// How far the pool of candidates had to widen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// Same size class and zone.
    ClassAndZone,
    /// Same size class, any zone.
    Class,
    /// Any municipality.
    All,
}

impl Pool {
    /// A short name for reports.
    pub fn label(self) -> &'static str {
        match self {
            Pool::ClassAndZone => "class+zone",
            Pool::Class => "class",
            Pool::All => "all",
        }
    }
}

/// The peers of one unit: (unit row, |context difference|), nearest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Peers {
    /// The pool they come from.
    pub pool: Pool,
    /// Peers, nearest first.
    pub peers: Vec<(usize, f64)>,
}

/// Peers of every unit. `class` and `zone` may be missing (`None`): such a
/// unit only matches in the widest pool. Units without a context score get
/// no peers.
pub fn peers(class: &[Option<usize>], zone: &[&str], context: &[f64], k: usize) -> Vec<Peers> {
    use rayon::prelude::*;
    use std::collections::HashMap;
    let n = context.len();
    let scored = |v: &usize| !context[*v].is_nan();
    let mut by_class_zone: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    let mut by_class: HashMap<usize, Vec<usize>> = HashMap::new();
    for v in (0..n).filter(scored) {
        if let Some(c) = class[v] {
            by_class_zone.entry((c, zone[v])).or_default().push(v);
            by_class.entry(c).or_default().push(v);
        }
    }
    let all: Vec<usize> = (0..n).filter(scored).collect();
    (0..n)
        .into_par_iter()
        .map(|u| {
            if context[u].is_nan() || k == 0 {
                return Peers { pool: Pool::ClassAndZone, peers: Vec::new() };
            }
            let pools = [
                (Pool::ClassAndZone, class[u].and_then(|c| by_class_zone.get(&(c, zone[u])))),
                (Pool::Class, class[u].and_then(|c| by_class.get(&c))),
                (Pool::All, Some(&all)),
            ];
            for (pool, members) in pools {
                let Some(members) = members else { continue };
                // `members` holds `u` itself when it is in that pool.
                if members.len() > k || pool == Pool::All {
                    let mut cands: Vec<(usize, f64)> =
                        members.iter().filter(|&&v| v != u).map(|&v| (v, (context[v] - context[u]).abs())).collect();
                    let by_distance = |a: &(usize, f64), b: &(usize, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
                    if cands.len() > k {
                        cands.select_nth_unstable_by(k - 1, by_distance);
                        cands.truncate(k);
                    }
                    cands.sort_by(by_distance);
                    return Peers { pool, peers: cands };
                }
            }
            unreachable!("the widest pool always returns")
        })
        .collect()
}

/// A unit's score on one code against its peers'.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The code (indicator or aggregate).
    pub code: String,
    /// The unit's value.
    pub value: f64,
    /// Mean of the peers' values (missing ones ignored).
    pub peers_mean: f64,
}

impl Comparison {
    /// Value minus the peers' mean.
    pub fn difference(&self) -> f64 {
        self.value - self.peers_mean
    }
}

/// Strengths (largest positive differences) and weaknesses (largest negative
/// ones) of a unit against its peers, at most `n` of each, over the given
/// columns (`columns[c][unit]`, normalised values so codes compare).
pub fn strengths_and_weaknesses(
    unit: usize,
    peers: &Peers,
    codes: &[String],
    columns: &[&[f64]],
    n: usize,
) -> (Vec<Comparison>, Vec<Comparison>) {
    let mut all: Vec<Comparison> = codes
        .iter()
        .zip(columns)
        .filter_map(|(code, col)| {
            let value = col[unit];
            let vals: Vec<f64> = peers.peers.iter().map(|&(p, _)| col[p]).filter(|v| !v.is_nan()).collect();
            if value.is_nan() || vals.is_empty() {
                return None;
            }
            let peers_mean = vals.iter().sum::<f64>() / vals.len() as f64;
            Some(Comparison { code: code.clone(), value, peers_mean })
        })
        .collect();
    all.sort_by(|a, b| b.difference().total_cmp(&a.difference()).then(a.code.cmp(&b.code)));
    let strengths: Vec<Comparison> = all.iter().filter(|c| c.difference() > 0.0).take(n).cloned().collect();
    let weaknesses: Vec<Comparison> = all.iter().rev().filter(|c| c.difference() < 0.0).take(n).cloned().collect();
    (strengths, weaknesses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_come_from_the_same_class_and_zone_then_widen() {
        let class = [Some(0), Some(0), Some(0), Some(1), Some(0)];
        let zone = ["N", "N", "N", "N", "S"];
        let context = [10.0, 12.0, 30.0, 11.0, 10.5];
        let p = peers(&class, &zone, &context, 2);
        assert_eq!(p[0], Peers { pool: Pool::ClassAndZone, peers: vec![(1, 2.0), (2, 20.0)] });
        // Unit 3 is alone in its class: every unit is a candidate.
        assert_eq!(p[3].pool, Pool::All);
        assert_eq!(p[3].peers, vec![(4, 0.5), (0, 1.0)]);
        // Unit 4 is alone in its zone: its class in any zone.
        assert_eq!(p[4].pool, Pool::Class);
        assert_eq!(p[4].peers, vec![(0, 0.5), (1, 1.5)]);
    }

    #[test]
    fn strengths_and_weaknesses_are_the_largest_differences_with_peers() {
        let set = Peers { pool: Pool::ClassAndZone, peers: vec![(1, 0.0), (2, 0.0)] };
        let codes = ["a", "b", "c"].map(String::from);
        let a = [100.0, 0.0, 50.0];
        let b = [0.0, 100.0, 50.0];
        let c = [50.0, 50.0, f64::NAN];
        let (s, w) = strengths_and_weaknesses(0, &set, &codes, &[&a, &b, &c], 3);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].code.as_str(), s[0].difference()), ("a", 75.0));
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].code.as_str(), w[0].difference()), ("b", -75.0));
    }
}
