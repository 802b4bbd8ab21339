//! The SmartER cross-analysis: context against innovation.
//!
//! Emilia-Romagna's SmartER index sorts municipalities into four groups by
//! two scores, the favourability of their *context* and their digital
//! *innovation*, each cut at a threshold computed within the territory
//! analysed (the median by default): a municipality at or above a threshold
//! is *high* on that score.
//!
//! | context | innovation | group |
//! |---|---|---|
//! | high | high | sviluppo armonico e integrato (harmonious and integrated development) |
//! | high | low | benessere analogico (analog well-being) |
//! | low | high | riscatto smart (smart redemption) |
//! | low | low | transizione da avviare (transition to start): **our name**, SmartER does not name it |
//!
//! [`stability`] adds what no existing tool reports: the probability that a
//! municipality stays in its group when the index is rebuilt under the
//! method's uncertainty (the uncertainty analysis's runs), thresholds
//! recomputed in every run.

/// A SmartER group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// High context, high innovation.
    SviluppoArmonico,
    /// High context, low innovation.
    BenessereAnalogico,
    /// Low context, high innovation.
    RiscattoSmart,
    /// Low context, low innovation (the name is ours).
    TransizioneDaAvviare,
}

impl Group {
    /// All groups, in table order.
    pub const ALL: [Group; 4] =
        [Group::SviluppoArmonico, Group::BenessereAnalogico, Group::RiscattoSmart, Group::TransizioneDaAvviare];

    /// The group's name.
    pub fn name(self) -> &'static str {
        // The names are the stored run's vocabulary, in `ALL`'s order.
        let i = Group::ALL.iter().position(|g| *g == self).unwrap_or(0);
        cantiere_store::GROUP_NAMES[i]
    }

    /// The group of a high/low pair.
    pub fn of(high_context: bool, high_innovation: bool) -> Group {
        match (high_context, high_innovation) {
            (true, true) => Group::SviluppoArmonico,
            (true, false) => Group::BenessereAnalogico,
            (false, true) => Group::RiscattoSmart,
            (false, false) => Group::TransizioneDaAvviare,
        }
    }
}

/// Where a score is cut into high and low.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Threshold {
    /// The median of the territory's scores (the default).
    #[default]
    Median,
    /// The mean of the territory's scores.
    Mean,
    /// A quantile (0–1) of the territory's scores.
    Quantile(f64),
    /// A fixed value.
    Value(f64),
}

impl Threshold {
    /// Reads `median`, `mean`, `q0.75` or a number.
    pub fn parse(s: &str) -> Option<Threshold> {
        match s {
            "median" => Some(Threshold::Median),
            "mean" => Some(Threshold::Mean),
            _ => match s.strip_prefix('q') {
                Some(q) => q.parse().ok().filter(|q| (0.0..=1.0).contains(q)).map(Threshold::Quantile),
                None => s.parse().ok().filter(|v: &f64| v.is_finite()).map(Threshold::Value),
            },
        }
    }

    /// The threshold over these scores (missing ones ignored; `NaN` when none).
    pub fn over(self, scores: &[f64]) -> f64 {
        let v: Vec<f64> = scores.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return f64::NAN;
        }
        // R's default quantile (type 7), as the rest of the engine.
        match self {
            Threshold::Median => cantiere_index::uncertainty::quantile(&v, 0.5),
            Threshold::Quantile(q) => cantiere_index::uncertainty::quantile(&v, q),
            Threshold::Mean => v.iter().sum::<f64>() / v.len() as f64,
            Threshold::Value(x) => x,
        }
    }
}

/// Groups of units from their scores (`None` where a score is missing).
pub fn groups(context: &[f64], innovation: &[f64], threshold: Threshold) -> Vec<Option<Group>> {
    let (tc, ti) = (threshold.over(context), threshold.over(innovation));
    context
        .iter()
        .zip(innovation)
        .map(|(&c, &i)| (!c.is_nan() && !i.is_nan()).then(|| Group::of(c >= tc, i >= ti)))
        .collect()
}

/// For each unit, the share of runs in which its group equals `nominal`
/// (runs are score vectors, units in the same order; a run where the unit's
/// score is missing counts as a change).
pub fn stability(
    nominal: &[Option<Group>],
    context_runs: &[Vec<f64>],
    innovation_runs: &[Vec<f64>],
    threshold: Threshold,
) -> Vec<f64> {
    let mut same = vec![0usize; nominal.len()];
    let runs = context_runs.len().min(innovation_runs.len());
    for (c, i) in context_runs.iter().zip(innovation_runs) {
        for (u, g) in groups(c, i, threshold).into_iter().enumerate() {
            if g.is_some() && g == nominal[u] {
                same[u] += 1;
            }
        }
    }
    same.into_iter()
        .zip(nominal)
        .map(|(n, g)| if g.is_none() || runs == 0 { f64::NAN } else { n as f64 / runs as f64 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_thresholds_split_four_units_into_the_four_groups() {
        let context = [10.0, 20.0, 30.0, 40.0];
        let innovation = [40.0, 10.0, 30.0, 20.0];
        // Medians 25 and 25.
        let g = groups(&context, &innovation, Threshold::Median);
        assert_eq!(
            g,
            vec![
                Some(Group::RiscattoSmart),
                Some(Group::TransizioneDaAvviare),
                Some(Group::SviluppoArmonico),
                Some(Group::BenessereAnalogico)
            ]
        );
        let fixed = groups(&context, &innovation, Threshold::Value(30.0));
        assert_eq!(fixed[2], Some(Group::SviluppoArmonico), "at the threshold is high");
        assert_eq!(groups(&[f64::NAN], &[1.0], Threshold::Median), vec![None]);
    }

    #[test]
    fn stability_counts_the_runs_that_keep_the_group() {
        let nominal = groups(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], Threshold::Median);
        // Run 1 identical; run 2 swaps units 0 and 2 on both scores.
        let c = vec![vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.0]];
        let s = stability(&nominal, &c, &c, Threshold::Median);
        assert_eq!(s, vec![0.5, 1.0, 0.5]);
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!(Threshold::parse("median"), Some(Threshold::Median));
        assert_eq!(Threshold::parse("q0.75"), Some(Threshold::Quantile(0.75)));
        assert_eq!(Threshold::parse("50"), Some(Threshold::Value(50.0)));
        assert_eq!(Threshold::parse("q2"), None);
        assert_eq!(Threshold::over(Threshold::Quantile(0.0), &[3.0, 1.0, 2.0]), 1.0);
        assert_eq!(Threshold::over(Threshold::Mean, &[3.0, 1.0, f64::NAN]), 2.0);
    }
}
