//! Unions of municipalities as units of an index.
//!
//! **Rule.** In a period, a union's members are the comuni whose
//! membership spans the period's last day (`2025-Q4` → 2025-12-31, `2025`
//! → 2025-12-31, `2025-06` → 2025-06-30). Its score is the mean of its
//! members' scores in that period, and beside it the mean weighted by the
//! members' residents (members without a score are listed and left out of
//! both); unions are ranked by the mean, or by the weighted mean when the
//! index says so (`units_score`), 1 the highest, ties sharing the best
//! rank, a union with no such score unranked.

use std::collections::{BTreeMap, HashMap};

use cantiere_store::unions::UnionMember;
use cantiere_store::{AreaRow, ResultRow};
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
        let r = obs.result_in(results, &m.member);
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
    // The index says what ranks them: the mean, or the weighted mean.
    let weighted = obs.run.units_score == "weighted";
    let means: Vec<Option<f64>> = out.iter().map(|u| if weighted { u.weighted } else { u.score }).collect();
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

    /// Provinces or regions (`level`) as `/api/v1/areas` gives them, from
    /// an earlier period's `results` or the run served's: the comuni with a
    /// score, their residents, how many are in each group (SmartER order),
    /// and the mean and the residents-weighted mean of their scores, under
    /// the index's code; by code.
    pub fn area_rows(&self, level: &str, results: Option<&HashMap<String, ResultRow>>) -> Vec<AreaRow> {
        let names = cantiere_store::Snapshot::group_names();
        let group = |code: &str| {
            let g = self.result_in(results, code)?.group.as_deref()?;
            names.iter().position(|n| *n == g)
        };
        let mut rows: Vec<AreaRow> = self
            .area_scores(level, results)
            .into_iter()
            .map(|a| {
                let scored: Vec<&MemberScore> = a.members.iter().filter(|m| m.score.is_some()).collect();
                let mut groups = vec![0_i64; names.len()];
                for i in scored.iter().filter_map(|m| group(&m.code)) {
                    groups[i] += 1;
                }
                AreaRow {
                    level: level.to_string(),
                    code: a.code,
                    name: a.name,
                    municipalities: scored.len() as i64,
                    population: scored.iter().filter_map(|m| m.population).sum(),
                    groups,
                    means: BTreeMap::from([(self.run.index_code.clone(), (a.score, a.weighted))]),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        rows
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
    use cantiere_store::{Body, RunInfo, Snapshot};

    /// Worked by hand: A scores 90 (100 residents), B 10 (10,000), C 40
    /// (100). Union U1 = {A, B}: mean 50, weighted (9,000 + 100,000) /
    /// 10,100 = 10.79…; U2 = {C}: 40 either way. By the mean U1 is first;
    /// weighted by residents, U2.
    #[test]
    fn unions_are_ranked_by_the_measure_the_index_chooses() {
        let body = |code: &str, pop: i64| Body {
            code: code.into(),
            kind: "comune".into(),
            name: code.into(),
            region_code: "10".into(),
            region: "R".into(),
            province_code: "054".into(),
            province: "P".into(),
            province_abbr: "PG".into(),
            zone: String::new(),
            size_class: String::new(),
            capoluogo: false,
            population: Some(pop),
            area_km2: None,
            cadastral: String::new(),
        };
        let result = |code: &str, score: f64| ResultRow {
            ucode: code.into(),
            score: Some(score),
            rank: None,
            context: None,
            innovation: None,
            group: None,
            stability: None,
            rank_low: None,
            rank_high: None,
        };
        let obs = |units_score: &str| {
            Observatory::new(Snapshot {
                run: Some(RunInfo {
                    id: 1,
                    index_code: "X".into(),
                    index_version: "1".into(),
                    sources: "{}".into(),
                    period: "2025".into(),
                    units_score: units_score.into(),
                    ..RunInfo::default()
                }),
                bodies: vec![body("A", 100), body("B", 10_000), body("C", 100)],
                results: vec![result("A", 90.0), result("B", 10.0), result("C", 40.0)],
                ..Snapshot::default()
            })
        };
        let member = |u: &str, c: &str| UnionMember {
            union_ipa: u.into(),
            union_name: u.into(),
            member: c.into(),
            from_date: "2020-01-01".into(),
            to_date: String::new(),
            example: false,
        };
        let list = [member("u1", "A"), member("u1", "B"), member("u2", "C")];
        let by_mean = union_scores(&list, &obs("mean"), None, "2025-12-31");
        assert_eq!(
            by_mean.iter().map(|u| (u.code.as_str(), u.rank)).collect::<Vec<_>>(),
            [("u1", Some(1.0)), ("u2", Some(2.0))]
        );
        assert_eq!(by_mean[0].score, Some(50.0));
        assert!((by_mean[0].weighted.unwrap() - 109_000.0 / 10_100.0).abs() < 1e-12);
        let weighted = union_scores(&list, &obs("weighted"), None, "2025-12-31");
        assert_eq!(
            weighted.iter().map(|u| (u.code.as_str(), u.rank)).collect::<Vec<_>>(),
            [("u2", Some(1.0)), ("u1", Some(2.0))]
        );
        // Before any membership began, no union.
        assert!(union_scores(&list, &obs("mean"), None, "2019-12-31").is_empty());
    }

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
