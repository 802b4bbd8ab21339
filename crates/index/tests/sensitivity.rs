//! Uncertainty and sensitivity analysis, specified by closed forms and by
//! COINr's own runs.
//!
//! - The Saltelli design, the index estimators and the mapping of a uniform
//!   sample to discrete alternatives reproduce COINr's `SA_sample`,
//!   `SA_estimate` and `sample_2_para` on `functions/`.
//! - Replaying COINr's sample of the vignette's sensitivity analysis (600
//!   runs, with COINr's own noisy weights) gives every run's scores to 1e-9
//!   and ranks exactly, the rank statistics and the sensitivity indices.
//! - The Ishigami function and a linear model have known indices; our
//!   estimates fall within the stated Monte Carlo error.
//! - The ordering of total indices on ASEM is stable across seeds at N = 1000.

mod common;

use std::collections::HashMap;

use cantiere_index::Weights;
use cantiere_index::stats;
use cantiere_index::uncertainty::{
    Alternatives, Analysis, Choice, Inputs, PipelineSource, Rng, Sampling, Settings, Target, UnitStats, cut,
    saltelli_design, sobol_indices, unit_points,
};
use cantiere_index::{Table, parse_number};

fn table(path: &std::path::Path) -> Table {
    Table::read(path).unwrap_or_else(|e| panic!("{e}"))
}

fn col(t: &Table, name: &str) -> usize {
    t.headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn num(s: &str) -> f64 {
    if s == "NA" { f64::NAN } else { parse_number(s).unwrap_or_else(|| panic!("not a number: {s}")) }
}

#[test]
fn the_design_is_coinr_sa_sample() {
    let t = table(&common::reference().join("functions/SA_sample_N4_d3_seed42.csv"));
    let rows: Vec<Vec<f64>> = t.rows.iter().map(|(_, r)| r.iter().map(|c| num(c)).collect()).collect();
    assert_eq!(rows.len(), 4 * (3 + 2));
    // COINr's A and B are its first 2N rows; the rest is the design.
    let design = saltelli_design(&rows[0..4], &rows[4..8]);
    assert_eq!(design, rows);
}

#[test]
fn the_estimators_are_coinr_sa_estimate() {
    let t = table(&common::reference().join("functions/SA_estimate_N4_d3.csv"));
    let yy: Vec<f64> = t.rows[0].1[col(&t, "yy")].split(';').map(num).collect();
    let est = sobol_indices(&yy, 4, 3, 0, &mut Rng::new(1));
    assert!(common::close(est.variance, num(&t.rows[0].1[col(&t, "Variance")])));
    for (i, (_, row)) in t.rows.iter().enumerate() {
        let (si, sti) = (num(&row[col(&t, "Si")]), num(&row[col(&t, "STi")]));
        assert!(common::close(est.indices[i].si, si), "S{i}: {} vs {si}", est.indices[i].si);
        assert!(common::close(est.indices[i].sti, sti), "ST{i}: {} vs {sti}", est.indices[i].sti);
        assert!(est.indices[i].si_q5.is_nan(), "no bootstrap, no interval");
    }
}

#[test]
fn discrete_choices_cut_the_range_of_the_sample_itself() {
    let t = table(&common::reference().join("functions/sample_2_para.csv"));
    let x: Vec<f64> = t.rows.iter().map(|(_, r)| num(&r[0])).collect();
    let expected = |c: usize| -> Vec<Option<usize>> {
        t.rows.iter().map(|(_, r)| (r[c] != "NA").then(|| num(&r[c]) as usize - 1)).collect()
    };
    assert_eq!(cut(&x, 3), expected(col(&t, "discrete_1to3")));
    // Rows 2 to 9 only: the bins span 0.1 to 0.9, not 0 to 1.
    let mut subset = cut(&x[1..9], 3);
    subset.insert(0, None);
    subset.push(None);
    assert_eq!(subset, expected(col(&t, "discrete_1to3_subset_rows2to9")));
    let continuous: Vec<f64> = t.rows.iter().map(|(_, r)| num(&r[col(&t, "continuous_5_10")])).collect();
    for (u, c) in x.iter().zip(continuous) {
        assert!(common::close(u * (10.0 - 5.0) + 5.0, c));
    }
}

/// COINr's noisy weight sets of the vignette (`noisy_weights_seed2024.csv`).
fn coinr_weight_sets() -> Vec<Weights> {
    let t = table(&common::reference().join("sensitivity/noisy_weights_seed2024.csv"));
    let (s, c, w) = (col(&t, "set"), col(&t, "iCode"), col(&t, "Weight"));
    let mut sets: Vec<Weights> = Vec::new();
    for (_, r) in &t.rows {
        let k = num(&r[s]) as usize - 1;
        if sets.len() <= k {
            sets.resize_with(k + 1, || Weights(HashMap::new()));
        }
        sets[k].0.insert(r[c].clone(), num(&r[w]));
    }
    sets
}

/// The ASEM data, the example pipeline and the example inputs; the weight
/// sets are replaced by COINr's own for a replay.
fn vignette(
    coinr_weights: bool,
) -> (cantiere_index::Units, cantiere_index::Framework, cantiere_index::DataSet, PipelineSource, Inputs) {
    let (units, fw, raw) = common::asem();
    let pipeline = PipelineSource::from_file(&common::repo().join("examples/asem/pipeline.toml")).unwrap();
    let mut inputs =
        Inputs::from_file(&common::repo().join("examples/asem/uncertainty.toml"), &pipeline, &fw, 2024).unwrap();
    let names: Vec<&str> = inputs.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Winmax", "Normalisation", "Weights", "Aggregation"]);
    if coinr_weights {
        inputs.inputs[2].alternatives = Alternatives::WeightSets(coinr_weight_sets());
    }
    (units, fw, raw, pipeline, inputs)
}

/// A unit × run table of COINr's (`Scores` or `Ranks`): unit → (nominal, runs).
fn runs_table(name: &str) -> HashMap<String, (f64, Vec<f64>)> {
    let t = table(&common::reference().join("sensitivity").join(name));
    t.rows.iter().map(|(_, r)| (r[0].clone(), (num(&r[1]), r[2..].iter().map(|c| num(c)).collect()))).collect()
}

#[test]
fn replaying_coinr_vignette_sample_gives_its_scores_ranks_and_indices() {
    let (units, fw, raw, pipeline, inputs) = vignette(true);
    let sample = table(&common::reference().join("sensitivity/SA_N100_vignette4_seed2024__Sample.csv"));
    let choice_cols: Vec<usize> = ["Winmax", "Normalisation", "Weights", "Aggregation"]
        .iter()
        .map(|n| col(&sample, &format!("{n}_choice")))
        .collect();
    let choices: Vec<Vec<Choice>> = sample
        .rows
        .iter()
        .map(|(_, r)| choice_cols.iter().map(|&c| Choice::Alternative(num(&r[c]) as usize - 1)).collect())
        .collect();
    assert_eq!(choices.len(), 100 * (4 + 2));
    let analysis = Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
    let replay = analysis.replay(&choices, None).unwrap();

    let scores = runs_table("SA_N100_vignette4_seed2024__Scores.csv");
    let ranks = runs_table("SA_N100_vignette4_seed2024__Ranks.csv");
    let mut compared = 0;
    for (u, code) in units.codes.iter().enumerate() {
        let (nominal, runs) = &scores[code];
        assert!(common::close(replay.nominal[u], *nominal), "{code} nominal");
        let (_, rank_runs) = &ranks[code];
        for r in 0..choices.len() {
            assert!(
                common::close(replay.scores[r][u], runs[r]),
                "{code} run {}: {} vs COINr {}",
                r + 1,
                replay.scores[r][u],
                runs[r]
            );
            assert_eq!(replay.ranks[r][u], rank_runs[r], "{code} rank in run {}", r + 1);
            compared += 1;
        }
    }
    assert_eq!(compared, 51 * 600);

    // Rank statistics over the A and B runs (the first 2N).
    let nominal_ranks = stats::rank_descending(&replay.nominal);
    let stats_table = table(&common::reference().join("sensitivity/SA_N100_vignette4_seed2024__RankStats.csv"));
    for (_, row) in &stats_table.rows {
        let u = units.position(&row[0]).unwrap();
        let runs: Vec<f64> = (0..200).map(|r| replay.ranks[r][u]).collect();
        let s = UnitStats::of(&row[0], nominal_ranks[u], &runs);
        let ours = [s.nominal, s.mean, s.median, s.q5, s.q95];
        for (k, ours) in ours.iter().enumerate() {
            assert!(
                common::close(*ours, num(&row[k + 1])),
                "{} {}: {ours} vs {}",
                row[0],
                stats_table.headers[k + 1],
                row[k + 1]
            );
        }
    }

    // Sensitivity indices of the mean absolute rank change.
    let y: Vec<f64> = replay
        .ranks
        .iter()
        .map(|r| stats::mean(&r.iter().zip(&nominal_ranks).map(|(a, b)| (a - b).abs()).collect::<Vec<_>>()))
        .collect();
    let est = sobol_indices(&y, 100, 4, 100, &mut Rng::new(2024));
    let sens = table(&common::reference().join("sensitivity/SA_N100_vignette4_seed2024__Sensitivity.csv"));
    for (i, (_, row)) in sens.rows.iter().enumerate() {
        let idx = est.indices[i];
        assert!(common::close(idx.si, num(&row[1])), "{} Si {} vs {}", row[0], idx.si, row[1]);
        assert!(common::close(idx.sti, num(&row[2])), "{} STi {} vs {}", row[0], idx.sti, row[2]);
        // Bootstrap intervals use R's generator, so only their coverage is comparable.
        assert!(idx.sti_q5 <= idx.sti && idx.sti <= idx.sti_q95, "{} STi outside its interval", row[0]);
    }
}

#[test]
fn total_indices_of_the_vignette_are_ordered_the_same_across_seeds() {
    let (units, fw, raw, pipeline, _) = vignette(false);
    let mut orders = Vec::new();
    for seed in [1u64, 2024, 77] {
        // The weight sets are drawn from the seed too.
        let inputs =
            Inputs::from_file(&common::repo().join("examples/asem/uncertainty.toml"), &pipeline, &fw, seed).unwrap();
        let analysis =
            Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
        let settings = Settings { runs: 1000, sensitivity: true, bootstrap: 100, seed, ..Settings::default() };
        let out = analysis.run(&settings, &|_, _| {}).unwrap();
        assert!(out.failed.is_empty(), "{:?}", &out.failed[..out.failed.len().min(3)]);
        let s = &out.sensitivity[0];
        assert_eq!(s.target, Target::MeanAbsoluteRankChange);
        let mut by_total: Vec<(&str, f64)> = s.indices.iter().map(|(n, i)| (n.as_str(), i.sti)).collect();
        by_total.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("seed {seed}: {by_total:?}");
        orders.push(by_total.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>());
    }
    assert!(orders.windows(2).all(|w| w[0] == w[1]), "{orders:?}");
    assert_eq!(orders[0], ["Aggregation", "Normalisation", "Weights", "Winmax"]);
}

/// Ishigami: y = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³.
fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    let p = |u: f64| std::f64::consts::PI * (2.0 * u - 1.0);
    let (x1, x2, x3) = (p(x[0]), p(x[1]), p(x[2]));
    x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
}

#[test]
fn ishigami_indices_match_their_closed_form() {
    let (a, b) = (7.0f64, 0.1f64);
    let pi4 = std::f64::consts::PI.powi(4);
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi4 * pi4 * 8.0 / 225.0;
    let v = v1 + v2 + v13;
    let (s, st) = ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]);
    let n = 20_000;
    for sampling in [Sampling::Random, Sampling::Sobol] {
        let base = unit_points(n, 6, sampling, 5);
        let a_: Vec<Vec<f64>> = base.iter().map(|r| r[..3].to_vec()).collect();
        let b_: Vec<Vec<f64>> = base.iter().map(|r| r[3..].to_vec()).collect();
        let y: Vec<f64> = saltelli_design(&a_, &b_).iter().map(|x| ishigami(x)).collect();
        let est = sobol_indices(&y, n, 3, 200, &mut Rng::new(9));
        for i in 0..3 {
            let e = est.indices[i];
            // At N = 20,000 the standard error of these estimators on Ishigami is
            // below 0.01 (Saltelli et al. 2010); 0.03 is three of them.
            assert!((e.si - s[i]).abs() < 0.03, "{sampling:?} S{}: {} vs {}", i + 1, e.si, s[i]);
            assert!((e.sti - st[i]).abs() < 0.03, "{sampling:?} ST{}: {} vs {}", i + 1, e.sti, st[i]);
            assert!(e.sti_q5 < st[i] + 0.03 && st[i] - 0.03 < e.sti_q95, "{sampling:?} ST{} interval", i + 1);
        }
    }
}

#[test]
fn a_linear_model_has_indices_proportional_to_squared_coefficients() {
    // y = x1 + 2 x2 + 3 x3 with independent U(0,1): S_i = ST_i = c_i² / Σ c².
    let c = [1.0, 2.0, 3.0];
    let n = 20_000;
    let base = unit_points(n, 6, Sampling::Random, 11);
    let a: Vec<Vec<f64>> = base.iter().map(|r| r[..3].to_vec()).collect();
    let b: Vec<Vec<f64>> = base.iter().map(|r| r[3..].to_vec()).collect();
    let y: Vec<f64> = saltelli_design(&a, &b).iter().map(|x| x.iter().zip(&c).map(|(x, c)| x * c).sum()).collect();
    let est = sobol_indices(&y, n, 3, 0, &mut Rng::new(1));
    for (i, (c, e)) in c.iter().zip(&est.indices).enumerate() {
        let exact = c * c / 14.0;
        assert!((e.si - exact).abs() < 0.02, "S{}: {}", i + 1, e.si);
        assert!((e.sti - exact).abs() < 0.02, "ST{}: {}", i + 1, e.sti);
    }
}

#[test]
fn excluding_an_indicator_is_the_index_built_without_it() {
    let (units, fw, raw) = common::asem();
    let pipeline = PipelineSource::from_file(&common::repo().join("examples/asem/pipeline.toml")).unwrap();
    let text = "[[input]]\nname = \"Exclusion\"\nexclude = [\"Goods\", \"LPI\"]\n\
                [[input]]\nname = \"Threshold\"\naddress = \"screen.min_data\"\nrange = [0.5, 0.9]\n";
    let inputs = Inputs::from_toml("inputs.toml", text, &pipeline, &fw, 1).unwrap();
    let analysis = Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
    let choices =
        vec![vec![Choice::Alternative(1), Choice::Value(0.9)], vec![Choice::Alternative(0), Choice::Value(0.5)]];
    let replay = analysis.replay(&choices, None).unwrap();
    for (run, code) in [(0, "LPI"), (1, "Goods")] {
        let fw_without = fw.without(code).unwrap();
        let keep: Vec<String> = fw_without.indicator_codes();
        let mut p = pipeline.pipeline().unwrap();
        p.screen = Some(if run == 0 { 0.9 } else { 0.5 });
        let build = p.run(&units, &fw_without, &raw.select(&keep)).unwrap();
        let index = build.last().column("Index").unwrap();
        assert_eq!(replay.scores[run].len(), index.len());
        for (a, b) in replay.scores[run].iter().zip(index) {
            assert_eq!(a.to_bits(), b.to_bits(), "without {code}");
        }
        // And it differs from the nominal index.
        assert!(replay.scores[run].iter().zip(&replay.nominal).any(|(a, b)| a != b));
    }
    // A replayed choice beyond the alternatives is an error, not a panic.
    let err = analysis.replay(&[vec![Choice::Alternative(2), Choice::Value(0.9)]], None).unwrap_err().to_string();
    assert!(err.contains("input `Exclusion`: no alternative 3 (it has 2)"), "{err}");
    // An exclusion that would empty a pillar is refused before any run.
    let lone = fw.nodes().iter().find(|n| n.level == 2 && fw.children(&n.code).len() == 1);
    if let Some(p) = lone {
        let only = &fw.children(&p.code)[0].code;
        let text = format!("[[input]]\nname = \"E\"\nexclude = [\"{only}\"]\n");
        let err = Inputs::from_toml("inputs.toml", &text, &pipeline, &fw, 1).unwrap_err().to_string();
        assert!(err.contains("without indicators"), "{err}");
    }
}

/// Runs with the same choices are aggregated once and copied: each run of a
/// sample that repeats choices (the same weight set drawn twice) has the
/// bits it has when replayed alone, failures included (the geometric mean
/// of the example's min-max [0, 100] scores meets zeros).
#[test]
fn repeated_runs_have_the_scores_of_the_run_alone() {
    let (units, fw, raw) = common::asem();
    let pipeline = PipelineSource::from_file(&common::repo().join("examples/asem/pipeline.toml")).unwrap();
    let text = "[[input]]\nname = \"Weights\"\nnoise = [{ level = 2, factor = 0.25 }]\nsets = 2\n\
                [[input]]\nname = \"Aggregation\"\naddress = \"aggregate.method\"\nvalues = [\"arithmetic\", \"geometric\"]\n";
    let inputs = Inputs::from_toml("inputs.toml", text, &pipeline, &fw, 7).unwrap();
    let analysis = Analysis { units: &units, framework: &fw, raw: &raw, pipeline: &pipeline, inputs: &inputs.inputs };
    let c = |set, method| vec![Choice::Alternative(set), Choice::Alternative(method)];
    let choices = vec![c(0, 0), c(1, 1), c(0, 0), c(1, 1), c(1, 0), c(0, 0), c(1, 0)];
    let together = analysis.replay(&choices, None).unwrap();
    let mut distinct = 0;
    for (run, choice) in choices.iter().enumerate() {
        let alone = analysis.replay(std::slice::from_ref(choice), None).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&together.scores[run]), bits(&alone.scores[0]), "scores of run {run}");
        assert_eq!(bits(&together.ranks[run]), bits(&alone.ranks[0]), "ranks of run {run}");
        let failed = choice[1] == Choice::Alternative(1);
        assert_eq!(together.scores[run].iter().all(|s| s.is_nan()), failed, "run {run}");
        distinct += usize::from(!failed && together.scores[run] != together.scores[0]);
    }
    // The two weight sets give different scores: the copies are not all one run's.
    assert_eq!(distinct, 2);
}
