//! Indicators per municipality, from the registry and the applications, as
//! the COINr-layout `iData` table the engine reads.

use std::collections::HashMap;

use cantiere_index::format_number;

use crate::definition::{Definition, Kind};
use crate::matching::Matching;
use crate::padigitale::{Application, BodyKind, Status};
use crate::registry::{Municipality, Registry, SIZE_CLASSES};

/// Indicator values of a set of municipalities.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    /// Registry positions of the municipalities (the rows).
    pub units: Vec<usize>,
    /// Indicator codes, in definition order.
    pub codes: Vec<String>,
    /// `values[i][u]`: indicator `i` of unit `u` (`NaN` when missing).
    pub values: Vec<Vec<f64>>,
}

/// Applications of each municipality (comuni only), by measure.
pub fn applications_by_municipality<'a>(
    apps: &'a [Application],
    matching: &Matching,
) -> HashMap<(usize, &'a str), Vec<usize>> {
    let mut map: HashMap<(usize, &'a str), Vec<usize>> = HashMap::new();
    for (i, a) in apps.iter().enumerate() {
        if a.kind != BodyKind::Comune {
            continue;
        }
        if let Some(m) = matching.municipality(i) {
            map.entry((m, a.measure.as_str())).or_default().push(i);
        }
    }
    map
}

/// The value of one indicator for one municipality.
pub fn value(kind: Kind, m: &Municipality, apps: &[&Application]) -> f64 {
    let pop = m.population.map(|p| p.total as f64).filter(|&p| p > 0.0);
    let share = |n: Option<u64>| match (n, pop) {
        (Some(n), Some(p)) => 100.0 * n as f64 / p,
        _ => f64::NAN,
    };
    let live = || apps.iter().filter(|a| a.status != Status::Renounced);
    match kind {
        Kind::Population => pop.unwrap_or(f64::NAN),
        Kind::Density => match (pop, m.area_km2) {
            (Some(p), Some(a)) if a > 0.0 => p / a,
            _ => f64::NAN,
        },
        Kind::ShareOver65 => share(m.population.map(|p| p.over_65)),
        Kind::ShareUnder15 => share(m.population.map(|p| p.under_15)),
        Kind::OldAgeIndex => match m.population {
            Some(p) if p.under_15 > 0 => 100.0 * p.over_65 as f64 / p.under_15 as f64,
            _ => f64::NAN,
        },
        Kind::Capoluogo => f64::from(u8::from(m.capoluogo)),
        Kind::Adopted => f64::from(u8::from(live().next().is_some())),
        Kind::Completed => f64::from(u8::from(apps.iter().any(|a| a.status == Status::Paid))),
        Kind::DaysToCompletion => apps
            .iter()
            .filter(|a| a.status == Status::Paid)
            .filter_map(|a| a.status_date.map(|d| (d, a.submitted)))
            .min()
            .map(|(paid, sent)| f64::from(paid.0 - sent.0))
            .unwrap_or(f64::NAN),
        // Read from the stored values, or compared across comuni, by `compute`.
        Kind::Data | Kind::FundingVsClass => f64::NAN,
        Kind::FundingPerInhabitant => match pop {
            // `+ 0.0`: a float sum of nothing is −0.
            Some(p) => (live().map(|a| a.amount).sum::<f64>() + 0.0) / p,
            None => f64::NAN,
        },
    }
}

/// Each unit's euros over the median euros of the units of its size class
/// that hold any (`Kind::FundingVsClass`); `units` are (size class, euros).
/// A unit without a class is missing; a unit holding nothing is 0.
pub fn funding_vs_class(units: &[(Option<usize>, f64)]) -> Vec<f64> {
    let mut by_class: HashMap<usize, Vec<f64>> = HashMap::new();
    for &(class, euros) in units {
        if let Some(c) = class.filter(|_| euros > 0.0) {
            by_class.entry(c).or_default().push(euros);
        }
    }
    let medians: HashMap<usize, f64> = by_class
        .into_iter()
        .map(|(c, mut v)| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            (c, if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
        })
        .collect();
    units
        .iter()
        .map(|&(class, euros)| match class {
            None => f64::NAN,
            Some(_) if euros <= 0.0 => 0.0,
            Some(c) => euros / medians[&c],
        })
        .collect()
}

/// Computes every indicator of the definition for the given municipalities.
pub fn compute(
    def: &Definition,
    registry: &Registry,
    apps: &[Application],
    matching: &Matching,
    data: &crate::data::DataValues,
    units: &[usize],
) -> Indicators {
    let by_muni = applications_by_municipality(apps, matching);
    let stored = data.latest();
    let empty = Vec::new();
    let values = def
        .indicators
        .iter()
        .map(|ind| {
            if ind.kind == Kind::FundingVsClass {
                let euros: Vec<(Option<usize>, f64)> = units
                    .iter()
                    .map(|&u| {
                        let idx = ind.measure.as_deref().and_then(|m| by_muni.get(&(u, m))).unwrap_or(&empty);
                        let live = idx.iter().map(|&i| &apps[i]).filter(|a| a.status != Status::Renounced);
                        (registry.municipalities[u].size_class(), live.map(|a| a.amount).sum::<f64>())
                    })
                    .collect();
                return funding_vs_class(&euros);
            }
            units
                .iter()
                .map(|&u| {
                    if let Some(code) = ind.indicator.as_deref() {
                        let m = &registry.municipalities[u];
                        return stored.get(&(code, m.code.as_str())).copied().unwrap_or(f64::NAN);
                    }
                    let idx = ind.measure.as_deref().and_then(|m| by_muni.get(&(u, m))).unwrap_or(&empty);
                    let list: Vec<&Application> = idx.iter().map(|&i| &apps[i]).collect();
                    value(ind.kind, &registry.municipalities[u], &list)
                })
                .collect()
        })
        .collect();
    Indicators { units: units.to_vec(), codes: def.indicators.iter().map(|i| i.code.clone()).collect(), values }
}

impl Indicators {
    /// The iData table: `uCode` (ISTAT code), `uName`, the group columns,
    /// then one column per indicator.
    pub fn idata_csv(&self, registry: &Registry) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["uCode".to_string(), "uName".to_string()];
        header.extend(crate::definition::GROUPS.iter().map(|(c, _)| c.to_string()));
        header.extend(self.codes.iter().cloned());
        w.write_record(&header).expect("writing to memory");
        for (row, &u) in self.units.iter().enumerate() {
            let m = &registry.municipalities[u];
            let mut rec = vec![
                m.code.clone(),
                m.name.clone(),
                m.region.clone(),
                m.province.clone(),
                m.zone.clone(),
                m.size_class().map(|c| SIZE_CLASSES[c].1.to_string()).unwrap_or_default(),
            ];
            rec.extend(self.values.iter().map(|col| format_number(col[row])));
            w.write_record(&rec).expect("writing to memory");
        }
        w.into_inner().expect("writing to memory")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: class 0 holds 1,000 and 3,000 and 2,000 (median 2,000)
    /// and one comune with nothing; class 1 holds 10,000 and 30,000 (median
    /// 20,000); a comune without population has no class.
    #[test]
    fn euros_are_compared_with_the_median_of_the_size_class() {
        let units = [
            (Some(0), 1_000.0),
            (Some(0), 3_000.0),
            (Some(0), 2_000.0),
            (Some(0), 0.0),
            (Some(1), 10_000.0),
            (Some(1), 30_000.0),
            (None, 5_000.0),
        ];
        let r = funding_vs_class(&units);
        assert_eq!(&r[..6], [0.5, 1.5, 1.0, 0.0, 0.5, 1.5]);
        assert!(r[6].is_nan());
    }
}
