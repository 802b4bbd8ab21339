//! Unions of municipalities as units of an index.
//!
//! **Rule.** In a period, a union's members are the comuni whose
//! membership spans the period's last day (`2025-Q4` → 2025-12-31, `2025`
//! → 2025-12-31, `2025-06` → 2025-06-30). Its score is the mean of its
//! members' scores in that period, and beside it the mean weighted by the
//! members' residents (members without a score are listed and left out of
//! both); unions are ranked by the mean, 1 the highest, ties sharing the
//! best rank, a union with no scored member unranked.

use std::collections::{BTreeMap, HashMap};

use cantiere_store::ResultRow;
use cantiere_store::unions::UnionMember;
use serde::Serialize;

use super::Observatory;

/// A member of a union in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberScore {
    /// ISTAT code.
    pub code: String,
    /// Name (the code when the index does not rank it).
    pub name: String,
    /// Residents.
    pub population: Option<i64>,
    /// Its score in the period.
    pub score: Option<f64>,
    /// Its rank among comuni.
    pub rank: Option<f64>,
}

/// A union's result in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionScore {
    /// The union's iPA code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its members in the period, by score (highest first).
    pub members: Vec<MemberScore>,
    /// Mean of the members' scores.
    pub score: Option<f64>,
    /// Mean weighted by residents.
    pub weighted: Option<f64>,
    /// Rank among unions by `score`.
    pub rank: Option<f64>,
    /// Whether its memberships are invented examples.
    pub example: bool,
}

pub use cantiere_store::data::period_end;

/// The unions of `memberships` scored by `obs` in its period served, or in
/// an earlier period's `results`, with members as of `date`.
pub fn union_scores(
    memberships: &[UnionMember],
    obs: &Observatory,
    results: Option<&HashMap<String, ResultRow>>,
    date: &str,
) -> Vec<UnionScore> {
    let result = |code: &str| match results {
        Some(r) => r.get(code),
        None => obs.muni(code).map(|m| &m.result),
    };
    let mut unions: BTreeMap<&str, UnionScore> = BTreeMap::new();
    for m in memberships.iter().filter(|m| m.on(date)) {
        let u = unions.entry(m.union_ipa.as_str()).or_insert_with(|| UnionScore {
            code: m.union_ipa.clone(),
            name: m.union_name.clone(),
            members: Vec::new(),
            score: None,
            weighted: None,
            rank: None,
            example: false,
        });
        u.example |= m.example;
        let muni = obs.muni(&m.member);
        let r = result(&m.member);
        u.members.push(MemberScore {
            code: m.member.clone(),
            name: muni.map_or_else(|| m.member.clone(), |x| x.body.name.clone()),
            population: muni.and_then(|x| x.body.population),
            score: r.and_then(|r| r.score),
            rank: r.and_then(|r| r.rank),
        });
    }
    let mut out: Vec<UnionScore> = unions.into_values().collect();
    for u in &mut out {
        u.members.sort_by(|a, b| {
            let (x, y) = (a.score.unwrap_or(f64::NEG_INFINITY), b.score.unwrap_or(f64::NEG_INFINITY));
            y.total_cmp(&x).then(a.code.cmp(&b.code))
        });
        let scored: Vec<(f64, Option<i64>)> = u.members.iter().filter_map(|m| Some((m.score?, m.population))).collect();
        if !scored.is_empty() {
            u.score = Some(scored.iter().map(|s| s.0).sum::<f64>() / scored.len() as f64);
        }
        let weighed: Vec<(f64, f64)> =
            scored.iter().filter_map(|&(s, p)| Some((s, p.filter(|&p| p > 0)? as f64))).collect();
        let total: f64 = weighed.iter().map(|w| w.1).sum();
        if total > 0.0 {
            u.weighted = Some(weighed.iter().map(|(s, p)| s * p).sum::<f64>() / total);
        }
    }
    let means: Vec<Option<f64>> = out.iter().map(|u| u.score).collect();
    for (u, mean) in out.iter_mut().zip(&means) {
        u.rank = mean.map(|x| 1.0 + means.iter().flatten().filter(|&&y| y > x).count() as f64);
    }
    out.sort_by(|a, b| {
        let (x, y) = (a.rank.unwrap_or(f64::INFINITY), b.rank.unwrap_or(f64::INFINITY));
        x.total_cmp(&y).then(a.code.cmp(&b.code))
    });
    out
}

impl Observatory {
    /// Provinces or regions (`level`) of this index's comuni as units,
    /// scored and ranked by the rule of unions (every comune a member).
    pub fn area_scores(&self, level: &str, results: Option<&HashMap<String, ResultRow>>) -> Vec<UnionScore> {
        let members: Vec<UnionMember> = self
            .munis
            .iter()
            .map(|m| {
                let (code, name) = if level == "province" {
                    (&m.body.province_code, &m.body.province)
                } else {
                    (&m.body.region_code, &m.body.region)
                };
                UnionMember {
                    union_ipa: code.clone(),
                    union_name: name.clone(),
                    member: m.body.code.clone(),
                    from_date: String::new(),
                    to_date: String::new(),
                    example: false,
                }
            })
            .collect();
        union_scores(&members, self, results, "")
    }

    /// Adds the unions' memberships (served with every index).
    pub fn with_unions(mut self, memberships: Vec<UnionMember>) -> Observatory {
        self.unions = memberships;
        self
    }

    /// The unions' memberships.
    pub fn memberships(&self) -> &[UnionMember] {
        &self.unions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_on_their_last_day() {
        assert_eq!(period_end("2025"), "2025-12-31");
        assert_eq!(period_end("2024-Q1"), "2024-03-31");
        assert_eq!(period_end("2025-Q3"), "2025-09-30");
        assert_eq!(period_end("2024-02"), "2024-02-29");
        assert_eq!(period_end("2023-02"), "2023-02-28");
        assert_eq!(period_end("2025-06-15"), "2025-06-15");
    }
}
