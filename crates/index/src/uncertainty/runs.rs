//! The runs of an uncertainty analysis: each run's plan (its pipeline,
//! shared between runs with the same discrete choices; its excluded
//! indicator; its weight set), and running them in parallel into the
//! scores, ranks and aggregates each run gives.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::blocks::{Compiled, aggregate_runs};
use super::*;

/// One run: its pipeline, its excluded indicator, its weight set.
struct RunPlan {
    pipeline: Arc<Pipeline>,
    exclude: Option<String>,
    weights: Option<(usize, usize)>,
}

impl Analysis<'_> {
    /// The plan of every run: its pipeline (shared between runs with the same
    /// discrete choices), excluded indicator and weight set.
    fn plans(&self, choices: &[Vec<Choice>]) -> Result<Vec<RunPlan>> {
        let mut cache: HashMap<Vec<u64>, Arc<Pipeline>> = HashMap::new();
        choices
            .iter()
            .map(|run| {
                let mut exclude = None;
                let mut weights = None;
                let mut edits = Vec::new();
                let mut key = Vec::new();
                for (i, (input, c)) in self.inputs.iter().zip(run).enumerate() {
                    if let (Choice::Alternative(k), Some(n)) = (c, input.alternatives.count())
                        && *k >= n
                    {
                        return Err(Error::step(
                            "uncertainty",
                            format!("input `{}`: no alternative {} (it has {n})", input.name, k + 1),
                        ));
                    }
                    match (&input.alternatives, *c) {
                        (Alternatives::Values { address, values }, Choice::Alternative(k)) => {
                            edits.push((address.as_str(), values[k].clone()));
                            key.push(k as u64);
                        }
                        (Alternatives::Range { address, .. }, Choice::Value(v)) => {
                            edits.push((address.as_str(), toml::Value::Float(v)));
                            key.push(v.to_bits());
                        }
                        (Alternatives::WeightSets(_), Choice::Alternative(k)) => weights = Some((i, k)),
                        (Alternatives::Exclude(codes), Choice::Alternative(k)) => exclude = Some(codes[k].clone()),
                        _ => {
                            return Err(Error::step(
                                "uncertainty",
                                format!("input `{}`: wrong kind of choice", input.name),
                            ));
                        }
                    }
                }
                let pipeline = match cache.get(&key) {
                    Some(p) => p.clone(),
                    None => {
                        let p = Arc::new(self.pipeline.with_all(edits)?);
                        cache.insert(key, p.clone());
                        p
                    }
                };
                if pipeline.aggregate.is_none() {
                    return Err(Error::step("uncertainty", "the pipeline has no [aggregate] step: nothing to rank"));
                }
                Ok(RunPlan { pipeline, exclude, weights })
            })
            .collect()
    }

    /// Runs every plan, handing `sink` batches of runs (run, scores, ranks),
    /// each run once, grouped by the steps runs share (ranks
    /// are computed with the runs, in parallel). Returns failed runs and
    /// distinct warnings.
    pub(super) fn execute(
        &self,
        code: &str,
        choices: &[Vec<Choice>],
        sink: &mut dyn FnMut(&[Scored]),
    ) -> Result<(Failures, Vec<String>)> {
        let plans = self.plans(choices)?;
        let indicators = self.framework.indicator_codes();
        // Group runs by what they compute before aggregation.
        let step_keys = |p: &RunPlan| -> Vec<String> {
            let excl = match &p.exclude {
                Some(c) => format!("exclude {c}"),
                None => "all".to_string(),
            };
            std::iter::once(excl).chain(p.pipeline.steps().iter().map(|s| s.key())).collect()
        };
        let mut groups: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (r, p) in plans.iter().enumerate() {
            groups.entry(step_keys(p)).or_default().push(r);
        }
        let mut groups: Vec<(Vec<String>, Vec<usize>)> = groups.into_iter().collect();
        // Sorted keys put groups that share a prefix of steps next to each other.
        groups.sort();

        let mut chain: Vec<(String, Arc<DataSet>, Arc<Framework>)> = Vec::new();
        let mut failed = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        let nan = vec![f64::NAN; self.units.len()];
        for (keys, runs) in groups {
            let plan = &plans[runs[0]];
            let shared = chain.iter().zip(&keys).take_while(|((k, _, _), key)| k == *key).count();
            chain.truncate(shared);
            let mut error = None;
            if chain.is_empty() {
                let (fw, raw) = match &plan.exclude {
                    Some(c) => {
                        let fw = self.framework.without(c).map_err(|e| Error::step("uncertainty", e))?;
                        let keep: Vec<String> = indicators.iter().filter(|x| *x != c).cloned().collect();
                        (fw, self.raw.select(&keep))
                    }
                    None => (self.framework.clone(), self.raw.clone()),
                };
                chain.push((keys[0].clone(), Arc::new(raw), Arc::new(fw)));
            }
            let steps = plan.pipeline.steps();
            for (k, step) in steps.iter().enumerate().skip(chain.len() - 1) {
                let (_, data, fw) = chain.last().expect("the chain starts with the raw data");
                match step.apply(data, fw, self.units) {
                    Ok((next, w)) => {
                        for w in w {
                            let text = w.to_string();
                            if warnings.len() < 100 && !warnings.contains(&text) {
                                warnings.push(text);
                            }
                        }
                        let fw = fw.clone();
                        chain.push((keys[k + 1].clone(), Arc::new(next), fw));
                    }
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
            }
            if let Some(e) = error {
                // Every run of the group fails at the same step.
                chain.clear();
                for &r in &runs {
                    failed.push((r, e.clone()));
                }
                let batch: Vec<Scored> = runs.iter().map(|&r| (r, nan.clone(), nan.clone())).collect();
                sink(&batch);
                continue;
            }
            let (_, data, fw) = chain.last().expect("the chain has the last step");
            // Logarithms of the indicators, once for all geometric runs of the group.
            let geometric = runs
                .iter()
                .any(|&r| plans[r].pipeline.aggregate.as_ref().is_some_and(|a| a.method == Aggregation::Geometric));
            let logs = if geometric { log_columns(data) } else { HashMap::new() };
            // Weights of the runs without a weight set: once per pipeline.
            let mut base: HashMap<usize, Result<Weights>> = HashMap::new();
            for &r in &runs {
                let p = &plans[r].pipeline;
                if plans[r].weights.is_none() && !base.contains_key(&(Arc::as_ptr(p) as usize)) {
                    let spec = p.aggregate.as_ref().expect("checked in plans");
                    base.insert(Arc::as_ptr(p) as usize, spec.weights(data, fw));
                }
            }
            let weights_of = |r: usize| -> std::result::Result<&Weights, String> {
                match plans[r].weights {
                    Some((i, k)) => match &self.inputs[i].alternatives {
                        Alternatives::WeightSets(sets) => Ok(&sets[k]),
                        _ => unreachable!("weights come from a weight-set input"),
                    },
                    None => base[&(Arc::as_ptr(&plans[r].pipeline) as usize)].as_ref().map_err(|e| e.to_string()),
                }
            };
            // The first level of aggregates, once for runs that share its
            // method and the indicators' weights (when weights vary only higher up).
            let first_level = |r: usize| -> Option<(String, Vec<u64>)> {
                let spec = plans[r].pipeline.aggregate.as_ref()?;
                let w = weights_of(r).ok()?;
                Some((
                    format!("{:?} {:?}", spec.method, spec.min_data),
                    indicators.iter().map(|c| w.get(c).to_bits()).collect(),
                ))
            };
            let level_keys: Vec<Option<(String, Vec<u64>)>> = runs.iter().map(|&r| first_level(r)).collect();
            let mut counts: HashMap<&(String, Vec<u64>), usize> = HashMap::new();
            for k in level_keys.iter().flatten() {
                *counts.entry(k).or_default() += 1;
            }
            // Each with the logarithms of its own aggregates, for the
            // geometric runs above it.
            let mut partial: HashMap<&(String, Vec<u64>), (DataSet, Logs)> = HashMap::new();
            if fw.levels() > 2 && counts.len() <= 16 {
                for (&r, k) in runs.iter().zip(&level_keys) {
                    let Some(k) = k else { continue };
                    if counts[k] < 2 || partial.contains_key(k) {
                        continue;
                    }
                    let spec = plans[r].pipeline.aggregate.as_ref().expect("checked in plans");
                    let Ok(w) = weights_of(r) else { continue };
                    if let Ok(full) = aggregate_with_logs(data, fw, w, spec.method, spec.min_data, &logs) {
                        let keep: Vec<String> = data
                            .codes
                            .iter()
                            .cloned()
                            .chain(fw.at_level(2).map(|a| a.code.clone()))
                            .filter(|c| full.position(c).is_some())
                            .collect();
                        let level2: Vec<String> =
                            fw.at_level(2).map(|a| a.code.clone()).filter(|c| full.position(c).is_some()).collect();
                        let mut own_logs = logs.clone();
                        if spec.method == Aggregation::Geometric {
                            own_logs.extend(log_columns(&full.select(&level2)));
                        }
                        partial.insert(k, (full.select(&keep), own_logs));
                    }
                }
            }
            // Runs of the group with the same pipeline and weights (e.g. one
            // of a hundred weight sets drawn twice) give the same scores:
            // each is aggregated once, and its twins get copies.
            let mut first: HashMap<(usize, Option<(usize, usize)>), usize> = HashMap::new();
            let mut twins: HashMap<usize, Vec<usize>> = HashMap::new();
            let mut unique = Vec::with_capacity(runs.len());
            let mut unique_keys = Vec::with_capacity(runs.len());
            for (&r, k) in runs.iter().zip(&level_keys) {
                match first.entry((Arc::as_ptr(&plans[r].pipeline) as usize, plans[r].weights)) {
                    std::collections::hash_map::Entry::Occupied(o) => twins.entry(*o.get()).or_default().push(r),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(r);
                        unique.push(r);
                        unique_keys.push(k.clone());
                    }
                }
            }
            // Aggregation, in parallel, in chunks to bound memory.
            for (chunk, keys) in unique.chunks(64).zip(unique_keys.chunks(64)) {
                let froms: Vec<(&DataSet, &Logs)> = keys
                    .iter()
                    .map(|k| k.as_ref().and_then(|k| partial.get(k)).map_or((&**data, &logs), |(d, l)| (d, l)))
                    .collect();
                // A block of units at a time for the runs that can (see `blocks`).
                let compiled: Vec<Option<Compiled>> = chunk
                    .iter()
                    .zip(&froms)
                    .map(|(&r, &(from, from_logs))| {
                        let spec = plans[r].pipeline.aggregate.as_ref().expect("checked in plans");
                        let w = weights_of(r).ok()?;
                        Compiled::new(from, fw, w, spec.method, spec.min_data, from_logs, code)
                    })
                    .collect();
                let blocked = aggregate_runs(&compiled);
                let outs: Vec<RunOutcome> = chunk
                    .par_iter()
                    .zip(froms)
                    .zip(blocked)
                    .map(|((&r, (from, from_logs)), by_row)| {
                        let w = weights_of(r)?;
                        let scores = match by_row {
                            Some(values) => self.by_unit(from, &values),
                            None => self
                                .aggregate_run(&plans[r], from, fw, w, from_logs, code)
                                .map_err(|e| e.to_string())?,
                        };
                        let ranks = stats::rank_descending(&scores);
                        Ok((scores, ranks))
                    })
                    .collect();
                let mut batch: Vec<Scored> = Vec::with_capacity(chunk.len());
                for (&r, out) in chunk.iter().zip(outs) {
                    let (scores, ranks) = out.unwrap_or_else(|e| {
                        failed.extend(twins.get(&r).into_iter().flatten().map(|&t| (t, e.clone())));
                        failed.push((r, e));
                        (nan.clone(), nan.clone())
                    });
                    for &t in twins.get(&r).into_iter().flatten() {
                        batch.push((t, scores.clone(), ranks.clone()));
                    }
                    batch.push((r, scores, ranks));
                }
                sink(&batch);
            }
        }
        failed.sort_by_key(|(r, _)| *r);
        Ok((failed, warnings))
    }

    fn aggregate_run(
        &self,
        plan: &RunPlan,
        data: &DataSet,
        fw: &Framework,
        weights: &Weights,
        logs: &HashMap<String, Column>,
        code: &str,
    ) -> Result<Vec<f64>> {
        let spec = plan.pipeline.aggregate.as_ref().expect("checked in plans");
        let out = aggregate_with_logs(data, fw, weights, spec.method, spec.min_data, logs)?;
        let col = out
            .column(code)
            .ok_or_else(|| Error::step("uncertainty", format!("code `{code}` is not in the aggregated data")))?;
        Ok(self.by_unit(&out, col))
    }
}
