//! The engine against COINr 1.1.14's own outputs on the ASEM data
//! (`shared/reference/coinr-asem`, see its manifest.csv): every step, every
//! method variant, the missing-data runs and the analyses, to 1e-9 relative
//! (ranks exactly).

mod common;

use cantiere_index::analysis::{self, Correlation};
use cantiere_index::steps::aggregate::{Aggregation, aggregate, aggregate_row, copeland};
use cantiere_index::steps::impute::{Imputation, impute};
use cantiere_index::steps::normalise::{Normalisation, normalise, normalise_column};
use cantiere_index::steps::treat::{self, TreatParams};
use cantiere_index::{Build, DataSet, Pipeline, Table, Weights, parse_number, stats};
use common::*;

fn standard() -> Build {
    let (units, fw, raw) = asem();
    let p = Pipeline::from_file(&repo().join("examples/asem/pipeline.toml")).unwrap();
    p.run(&units, &fw, &raw).unwrap()
}

#[test]
fn standard_pipeline_matches_every_step() {
    let b = standard();
    let names = ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"];
    let got: Vec<&str> = b.data_sets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(got, names);
    let mut n = 0;
    for name in names {
        n += assert_matches(b.data_set(name).unwrap(), &reference().join(format!("steps/{name}.csv")));
    }
    assert_eq!(n, 2499 * 6 + 3060);
}

#[test]
fn aggregated_columns_follow_coinr_order() {
    let b = standard();
    let ours = &b.data_set("Aggregated").unwrap().codes;
    let t = Table::read(&reference().join("steps/Aggregated.csv")).unwrap();
    assert_eq!(ours[..], t.headers[1..]);
}

#[test]
fn results_ranks_match_exactly() {
    let b = standard();
    let r = b.results().unwrap();
    let t = Table::read(&reference().join("steps/results_aggregates.csv")).unwrap();
    assert_eq!(t.rows.len(), r.units.len());
    // The reference has no unit column: rows are in rank order, as ours.
    for (i, (_, row)) in t.rows.iter().enumerate() {
        let rank = parse_number(&row[0]).unwrap();
        assert_eq!(r.ranks[0][i], rank, "row {i}");
        for (c, v) in t.headers[1..].iter().zip(&row[1..]) {
            let k = r.codes.iter().position(|x| x == c).unwrap();
            assert!(close(r.scores[k][i], parse_number(v).unwrap()), "{c} row {i}");
        }
    }
}

fn run_with(edit: impl FnOnce(&mut Pipeline)) -> Build {
    let (units, fw, raw) = asem();
    let mut p = Pipeline::from_file(&repo().join("examples/asem/pipeline.toml")).unwrap();
    edit(&mut p);
    p.run(&units, &fw, &raw).unwrap()
}

#[test]
fn imputation_variants_match() {
    let cases = [
        ("impute_i_mean", Imputation::Mean),
        ("impute_i_median", Imputation::Median),
        ("impute_i_mean_grp", Imputation::GroupMean { group: "EurAsia_group".into() }),
        ("impute_i_median_grp", Imputation::GroupMedian { group: "EurAsia_group".into() }),
        ("impute_i_mean_row_L2", Imputation::RowMean { level: 2 }),
    ];
    for (file, m) in cases {
        let b = run_with(|p| p.impute = Some(m));
        assert_matches(b.data_set("Imputed").unwrap(), &reference().join(format!("variants/{file}.csv")));
    }
}

fn details(path: &str) -> Vec<(String, Vec<String>)> {
    let t = Table::read(&reference().join(path)).unwrap();
    t.rows.iter().map(|(_, r)| (r[0].clone(), r[1..].to_vec())).collect()
}

#[test]
fn treatment_variants_and_their_details_match() {
    let cases = [
        ("treat_default", TreatParams::default()),
        ("treat_winmax1", TreatParams { winmax: 1, ..Default::default() }),
        ("treat_winmax5", TreatParams { winmax: 5, ..Default::default() }),
        ("treat_force_win", TreatParams { winmax: 3, force_winsorise: true, ..Default::default() }),
    ];
    for (file, params) in cases {
        let b = run_with(|p| p.treat = Some(params));
        assert_matches(b.data_set("Treated").unwrap(), &reference().join(format!("variants/{file}.csv")));
        let rows = details(&format!("variants/{file}_details.csv"));
        assert_eq!(rows.len(), b.treatment.len());
        for (code, cells) in rows {
            let rep = b.treatment.iter().find(|r| r.code == code).unwrap();
            let bool_of = |s: &str| match s {
                "TRUE" => Some(true),
                "FALSE" => Some(false),
                _ => None,
            };
            // Cells: pass0, skew0, kurt0, nwin, pass1, skew1, kurt1, [pass2, skew2, kurt2].
            assert_eq!(rep.checks[0].pass, bool_of(&cells[0]), "{file} {code}");
            assert!(close(rep.checks[0].skew, parse_number(&cells[1]).unwrap()));
            assert!(close(rep.checks[0].kurtosis, parse_number(&cells[2]).unwrap()));
            assert_eq!(rep.winsorised.map(|n| n.to_string()).unwrap_or_default(), cells[3], "{file} {code}");
            for (k, base) in [(1usize, 4usize), (2, 7)] {
                let expected = cells.get(base).map(|s| bool_of(s)).unwrap_or(None);
                match expected {
                    None => assert!(rep.checks.get(k).is_none(), "{file} {code} check {k}"),
                    Some(pass) => {
                        let c = rep.checks[k];
                        assert_eq!(c.pass, Some(pass), "{file} {code} check {k}");
                        assert!(close(c.skew, parse_number(&cells[base + 1]).unwrap()), "{file} {code}");
                        assert!(close(c.kurtosis, parse_number(&cells[base + 2]).unwrap()), "{file} {code}");
                    }
                }
            }
        }
    }
}

fn treated() -> (Build, DataSet) {
    let b = standard();
    let t = b.data_set("Treated").unwrap().clone();
    (b, t)
}

#[test]
fn normalisation_variants_and_their_aggregation_match() {
    let (b, treated) = treated();
    let fw = &b.framework;
    let cases: Vec<(&str, Normalisation)> = vec![
        ("minmax_0_100", Normalisation::MinMax { lower: 0.0, upper: 100.0 }),
        ("minmax_1_10", Normalisation::MinMax { lower: 1.0, upper: 10.0 }),
        ("minmax_1_100", Normalisation::MinMax { lower: 1.0, upper: 100.0 }),
        ("zscore_0_1", Normalisation::ZScore { mean: 0.0, sd: 1.0 }),
        ("zscore_10_2", Normalisation::ZScore { mean: 10.0, sd: 2.0 }),
        ("scaled", Normalisation::Scaled { lower: 0.0, upper: 100.0, factor: 100.0 }),
        ("dist2max", Normalisation::Dist2Max),
        ("dist2ref_1", Normalisation::Dist2Ref { unit: treated.units[0].clone(), cap: false }),
        ("fracmax", Normalisation::FracMax),
        ("rank", Normalisation::Rank),
        ("prank", Normalisation::PercentRank),
        ("borda", Normalisation::Borda),
        ("dist2targ_imeta", Normalisation::Dist2Target { cap: false }),
    ];
    let w = Weights::from_framework(fw);
    for (file, m) in cases {
        let (n, _) = normalise(&treated, &m, fw).unwrap();
        assert_matches(&n, &reference().join(format!("variants/normalise_{file}.csv")));
        let agg = reference().join(format!("variants/normalise_{file}_aggregated_amean.csv"));
        if agg.exists() {
            let a = aggregate(&n, fw, &w, Aggregation::Arithmetic, None).unwrap();
            assert_matches(&a, &agg);
        }
    }
}

#[test]
fn aggregation_variants_match() {
    let (b, treated) = treated();
    let fw = &b.framework;
    let (n, _) = normalise(&treated, &Normalisation::MinMax { lower: 1.0, upper: 100.0 }, fw).unwrap();
    let w = Weights::from_framework(fw);
    for (file, m) in [
        ("amean", Aggregation::Arithmetic),
        ("gmean", Aggregation::Geometric),
        ("hmean", Aggregation::Harmonic),
        ("genmean_p2", Aggregation::Generalised { p: 2.0 }),
        ("genmean_p05", Aggregation::Generalised { p: 0.5 }),
    ] {
        let a = aggregate(&n, fw, &w, m, None).unwrap();
        assert_matches(&a, &reference().join(format!("variants/aggregate_{file}_on_minmax_1_100.csv")));
    }
}

#[test]
fn copeland_per_pillar_matches_and_runs_through_the_normal_path() {
    let (b, treated) = treated();
    let fw = &b.framework;
    let (n, _) = normalise(&treated, &Normalisation::MinMax { lower: 1.0, upper: 100.0 }, fw).unwrap();
    let r = read_ref(&reference().join("variants/copeland_L1_groups_on_minmax_1_100.csv"));
    for pillar in &r.codes {
        let kids = fw.children(pillar);
        let cols: Vec<&[f64]> = kids.iter().map(|k| n.column(&k.code).unwrap()).collect();
        let s = copeland(&cols, &vec![1.0; cols.len()]);
        for (i, u) in n.units.iter().enumerate() {
            assert_eq!(s[i], r.values[&(u.clone(), pillar.clone())], "{pillar} {u}");
        }
    }
    // The same scores come out of the ordinary aggregation step (COINr 1.1.14 fails here).
    let a = aggregate(&n, fw, &Weights::from_framework(fw), Aggregation::Copeland, None).unwrap();
    for pillar in &r.codes {
        for u in n.units.iter() {
            assert_eq!(a.value(u, pillar).unwrap(), r.values[&(u.clone(), pillar.clone())]);
        }
    }
}

fn missing_pipeline(aggregate: &str) -> Pipeline {
    let text = format!(
        "[denominate]\n[screen]\nmin_data = 0.9\n[treat]\nwinmax = 5\n[normalise]\nmethod = \"minmax\"\nrange = [1, 100]\n[aggregate]\n{aggregate}\n"
    );
    Pipeline::from_toml("missing.toml", &text, None).unwrap()
}

fn assert_ranks(agg: &DataSet, path: &std::path::Path) {
    let r = read_ref(path);
    for c in &r.codes {
        let ranks = stats::rank_descending(agg.column(c).unwrap());
        for (i, u) in agg.units.iter().enumerate() {
            let expect = r.values[&(u.clone(), c.clone())];
            assert!(ranks[i] == expect || (ranks[i].is_nan() && expect.is_nan()), "{} {u}/{c}", path.display());
        }
    }
}

#[test]
fn missing_values_reaching_aggregation_match() {
    let (units, fw, raw) = asem();
    for (stem, spec) in [
        ("NA_a_amean", "method = \"arithmetic\""),
        ("NA_a_amean_datthresh0.8", "method = \"arithmetic\"\nmin_data = 0.8"),
        ("NA_a_gmean", "method = \"geometric\""),
        ("NA_a_hmean", "method = \"harmonic\""),
        ("NA_a_genmean_p2", "method = \"generalised\"\np = 2"),
        ("NA_a_copeland_wrapped", "method = \"copeland\""),
    ] {
        let b = missing_pipeline(spec).run(&units, &fw, &raw).unwrap();
        let dir = reference().join("missing");
        for step in ["Screened", "Treated", "Normalised", "Aggregated"] {
            // COINr's file names record the data set under the stem (all of
            // them are the data set of that name in the same coin).
            assert_matches(b.data_set(step).unwrap(), &dir.join(format!("{stem}__{step}.csv")));
        }
        assert_ranks(b.data_set("Aggregated").unwrap(), &dir.join(format!("{stem}__Ranks.csv")));
    }
}

#[test]
fn correlations_match() {
    let b = standard();
    let fw = &b.framework;
    let agg = b.data_set("Aggregated").unwrap();
    for (file, level, method, within) in [
        ("corr_L1_L2_pearson", 1, Correlation::Pearson, false),
        ("corr_L1_L2_spearman", 1, Correlation::Spearman, false),
        ("corr_L2_L2_pearson", 2, Correlation::Pearson, true),
    ] {
        let ours = if within {
            analysis::correlations_within_level(agg, fw, level, method)
        } else {
            analysis::correlations_with_parent(agg, fw, level, method)
        };
        let t = Table::read(&reference().join(format!("analysis/{file}.csv"))).unwrap();
        assert!(!t.rows.is_empty());
        for (_, row) in &t.rows {
            let p = ours.iter().find(|p| p.a == row[0] && p.b == row[1]).unwrap_or_else(|| panic!("{file}: {row:?}"));
            assert!(close(p.r, parse_number(&row[2]).unwrap()), "{file}: {} {} ours {}", row[0], row[1], p.r);
        }
    }
}

#[test]
fn cronbach_pca_and_effective_weights_match() {
    let b = standard();
    let fw = &b.framework;
    let alphas = analysis::cronbach_by_group(b.data_set("Normalised").unwrap(), fw, 1);
    let t = Table::read(&reference().join("analysis/cronbach_normalised_L1.csv")).unwrap();
    for (_, row) in &t.rows {
        let a = alphas.iter().find(|(g, _)| *g == row[0]).unwrap().1;
        assert!(close(a, parse_number(&row[1]).unwrap()), "alpha {}", row[0]);
    }

    let pcas = analysis::pca_by_group(b.data_set("Aggregated").unwrap(), fw, 1).unwrap();
    let t = Table::read(&reference().join("analysis/pca_pc1_variance_share_L1.csv")).unwrap();
    for (_, row) in &t.rows {
        let p = &pcas.iter().find(|(g, _)| *g == row[0]).unwrap().1;
        assert!(close(p.variance_shares()[0], parse_number(&row[1]).unwrap()), "pc1 {}", row[0]);
    }
    // Loadings: the sign of a component is arbitrary, so each group may be
    // flipped as a whole, never partly.
    let t = Table::read(&reference().join("analysis/pca_weights_L1.csv")).unwrap();
    for (g, p) in &pcas {
        let mut sign = None;
        for (c, l) in p.codes.iter().zip(&p.loadings[0]) {
            let row = &t.rows.iter().find(|(_, r)| r[0] == *c).unwrap().1;
            let expect = parse_number(&row[2]).unwrap();
            let s = *sign.get_or_insert(if (l - expect).abs() < (l + expect).abs() { 1.0 } else { -1.0 });
            assert!((l * s - expect).abs() < 1e-9, "{g} {c}: ours {l}, COINr {expect}");
        }
    }

    let eff = analysis::effective_weights(fw, &b.weights);
    let t = Table::read(&reference().join("analysis/effective_weights.csv")).unwrap();
    assert_eq!(t.rows.len(), eff.len());
    for (_, row) in &t.rows {
        let e = eff.iter().find(|(c, _)| *c == row[0]).unwrap().1;
        assert!(close(e, parse_number(&row[3]).unwrap()), "{}", row[0]);
    }
}

#[test]
fn descriptive_statistics_match_at_coinrs_three_significant_figures() {
    let b = standard();
    let s = analysis::describe(b.data_set("Raw").unwrap());
    let t = Table::read(&reference().join("analysis/stats_raw.csv")).unwrap();
    let col = |n: &str| t.column_index(n).unwrap();
    for (_, row) in &t.rows {
        let d = s.iter().find(|d| d.code == row[0]).unwrap();
        let num = |n: &str| parse_number(&row[col(n)]).unwrap();
        let sig = |x: f64| analysis::signif(x, 3);
        for (name, ours) in [
            ("Min", d.min),
            ("Max", d.max),
            ("Mean", d.mean),
            ("Median", d.median),
            ("Std", d.sd),
            ("Skew", d.skew),
            ("Kurt", d.kurtosis),
            ("Frc.Avail", d.share_present),
            ("Frc.NonZero", d.share_nonzero),
            ("Frc.Unique", d.share_unique),
            ("Frc.Same", d.share_same),
        ] {
            assert!(close(sig(ours), num(name)), "{} {name}: ours {ours}, COINr {}", d.code, num(name));
        }
        assert_eq!(d.n_present as f64, num("N.Avail"));
        assert_eq!(d.n_nonzero as f64, num("N.NonZero"));
        assert_eq!(d.n_unique as f64, num("N.Unique"));
        assert_eq!(d.n_same as f64, num("N.Same"));
        assert_eq!(d.outliers, row[col("Flag.SkewKurt")] == "OUT", "{}", d.code);
    }
}

#[test]
fn strengths_and_weaknesses_of_gbr_match() {
    let b = standard();
    let fw = &b.framework;
    // The reference omits indicator codes (withcodes = FALSE) and binary
    // indicators: it was produced with COINr's dashboard setting unq_discard = 0.2,
    // which is our default.
    let params = analysis::StrengthParams::default();
    let (s, w) = analysis::strengths_and_weaknesses(b.data_set("Raw").unwrap(), fw, "GBR", params).unwrap();
    for (file, got) in [("strengths_GBR", s), ("weaknesses_GBR", w)] {
        let t = Table::read(&reference().join(format!("analysis/{file}.csv"))).unwrap();
        assert_eq!(t.rows.len(), got.len());
        for ((_, row), g) in t.rows.iter().zip(&got) {
            let ind = fw.get(&g.code).unwrap();
            assert_eq!(ind.name, row[0], "{file}");
            assert_eq!(ind.parent.as_deref(), Some(row[1].as_str()));
            assert_eq!(g.rank, parse_number(&row[2]).unwrap());
            assert!(close(analysis::signif(g.value, 3), parse_number(&row[3]).unwrap()));
            assert_eq!(ind.unit.as_deref(), Some(row[4].as_str()));
        }
    }
}

/// `functions/vector_functions.csv`: every normalisation, imputation and
/// transformation function on small vectors (ties, missing, constant,
/// negative, skewed, zeros).
#[test]
fn vector_functions_match() {
    let t = Table::read(&reference().join("functions/vector_functions.csv")).unwrap();
    // (vector, call) -> rows of (x, expected y, COINr raised an error).
    type Rows = Vec<(f64, f64, bool)>;
    let mut groups: Vec<((String, String), Rows)> = Vec::new();
    for (_, r) in &t.rows {
        let key = (r[0].clone(), r[1].clone());
        let x = parse_number(&r[3]).unwrap();
        let y = parse_number(&r[4]).unwrap();
        let err = !r[5].is_empty();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((x, y, err)),
            None => groups.push((key, vec![(x, y, err)])),
        }
    }
    let mut checked = 0;
    for ((vector, call), rows) in &groups {
        let error_expected = rows.iter().any(|r| r.2);
        let x: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let expect: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        let n = |m: Normalisation, x: &[f64], dir: f64, target: Option<f64>, gp: Option<cantiere_index::Goalposts>| {
            normalise_column(x, &m, dir, target, gp, Some(2)).unwrap()
        };
        let gp = |lower, upper, scale, truncate| Some(cantiere_index::Goalposts { lower, upper, scale, truncate });
        let tp = TreatParams::default();
        let got: Option<Vec<f64>> = match call.as_str() {
            "n_minmax(x)" => Some(n(Normalisation::MinMax { lower: 0.0, upper: 100.0 }, &x, 1.0, None, None)),
            "n_minmax(x, l_u = c(1, 100))" => {
                Some(n(Normalisation::MinMax { lower: 1.0, upper: 100.0 }, &x, 1.0, None, None))
            }
            "n_zscore(x)" => Some(n(Normalisation::ZScore { mean: 0.0, sd: 1.0 }, &x, 1.0, None, None)),
            "n_zscore(x, m_sd = c(10, 2))" => {
                Some(n(Normalisation::ZScore { mean: 10.0, sd: 2.0 }, &x, 1.0, None, None))
            }
            "n_scaled(x, npara = c(-5, 5), scale_factor = 10)" => {
                Some(n(Normalisation::Scaled { lower: -5.0, upper: 5.0, factor: 10.0 }, &x, 1.0, None, None))
            }
            "n_rank(x)" => Some(n(Normalisation::Rank, &x, 1.0, None, None)),
            "n_rank(x, ties.method = \"average\")" => Some(stats::rank(&x, stats::Ties::Average)),
            "n_rank(x, ties.method = \"max\")" => Some(stats::rank(&x, stats::Ties::Max)),
            "n_borda(x)" => Some(n(Normalisation::Borda, &x, 1.0, None, None)),
            "n_prank(x)" => Some(n(Normalisation::PercentRank, &x, 1.0, None, None)),
            "n_fracmax(x)" => Some(n(Normalisation::FracMax, &x, 1.0, None, None)),
            "n_dist2max(x)" => Some(n(Normalisation::Dist2Max, &x, 1.0, None, None)),
            "n_dist2ref(x, iref = 3)" => {
                Some(n(Normalisation::Dist2Ref { unit: String::new(), cap: false }, &x, 1.0, None, None))
            }
            "n_dist2ref(x, iref = 3, cap_max = TRUE)" => {
                Some(n(Normalisation::Dist2Ref { unit: String::new(), cap: true }, &x, 1.0, None, None))
            }
            "n_dist2targ(x, targ = 4)" => Some(n(Normalisation::Dist2Target { cap: false }, &x, 1.0, Some(4.0), None)),
            "n_dist2targ(x, targ = 4, cap_max = TRUE)" => {
                Some(n(Normalisation::Dist2Target { cap: true }, &x, 1.0, Some(4.0), None))
            }
            // COINr's direction = -1 on the raw vector equals our flip of values and target.
            "n_dist2targ(x, targ = 2, direction = -1, cap_max = TRUE)" => {
                Some(n(Normalisation::Dist2Target { cap: true }, &neg, -1.0, Some(2.0), None))
            }
            "n_goalposts(x, gposts = c(0, 5, 1))" => {
                Some(n(Normalisation::Goalposts, &x, 1.0, None, gp(0.0, 5.0, 1.0, true)))
            }
            "n_goalposts(x, gposts = c(0, 5, 1), direction = -1)" => {
                Some(n(Normalisation::Goalposts, &neg, -1.0, None, gp(0.0, 5.0, 1.0, true)))
            }
            "n_goalposts(x, gposts = c(0, 5, 100), trunc2posts = FALSE)" => {
                Some(n(Normalisation::Goalposts, &x, 1.0, None, gp(0.0, 5.0, 100.0, false)))
            }
            "i_mean(x)" => Some(x.iter().map(|v| if v.is_nan() { stats::mean(&x) } else { *v }).collect()),
            "i_median(x)" => Some(x.iter().map(|v| if v.is_nan() { stats::median(&x) } else { *v }).collect()),
            "log_CT(x, na.rm = TRUE)$x" => Some(treat::log_ct(&x)),
            "log_CT_plus(x, na.rm = TRUE)$x" => {
                // COINr errors on a constant vector (its skew is undefined).
                if stats::skew(&x).is_none_or(f64::is_nan) { None } else { Some(treat::log_ct_plus(&x)) }
            }
            "log_CT_orig(x, na.rm = TRUE)$x" => Some(treat::log_ct_orig(&x)),
            // COINr's log_GII returns its input unchanged (a known COINr bug): not reproduced.
            "log_GII(x, na.rm = TRUE)$x" => continue,
            "boxcox(x, lambda = 0.5, na.rm = TRUE)" => Some(treat::boxcox(&x, 0.5)),
            "boxcox(x, lambda = 0, na.rm = TRUE)" => Some(treat::boxcox(&x, 0.0)),
            "winsorise(x, na.rm = TRUE)$x" => win(&x, tp),
            "winsorise(x, na.rm = TRUE, winmax = 1)$x" => win(&x, TreatParams { winmax: 1, ..tp }),
            "winsorise(x, na.rm = TRUE, winmax = 2, force_win = TRUE)$x" => {
                win(&x, TreatParams { winmax: 2, force_winsorise: true, ..tp })
            }
            "rep(skew(x, na.rm = TRUE), length(x))" => Some(vec![stats::skew(&x).unwrap(); x.len()]),
            "rep(kurt(x, na.rm = TRUE), length(x))" => Some(vec![stats::kurtosis(&x).unwrap(); x.len()]),
            other => panic!("unmapped call {other}"),
        };
        match got {
            None => assert!(error_expected, "{vector} {call}: we refuse but COINr computes"),
            Some(got) => {
                assert!(!error_expected, "{vector} {call}: COINr raises an error but we computed {got:?}");
                for (i, (a, b)) in got.iter().zip(&expect).enumerate() {
                    assert!(close(*a, *b), "{vector} {call} [{i}]: ours {a}, COINr {b}");
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 150, "checked {checked}");
}

fn win(x: &[f64], p: TreatParams) -> Option<Vec<f64>> {
    // COINr stops when the skew is undefined (a constant vector).
    if stats::skew(x).is_none_or(f64::is_nan) {
        return None;
    }
    Some(treat::winsorise(x, &p).x)
}

#[test]
fn aggregation_functions_match() {
    let t = Table::read(&reference().join("functions/aggregation_functions.csv")).unwrap();
    let v = |s: &str| -> Vec<f64> { s.split(';').map(|x| parse_number(x).unwrap()).collect() };
    for (_, r) in &t.rows {
        let (x, w) = (v(&r[2]), v(&r[3]));
        let m = match r[1].as_str() {
            "a_amean(x, w)" => Aggregation::Arithmetic,
            "a_gmean(x, w)" => Aggregation::Geometric,
            "a_hmean(x, w)" => Aggregation::Harmonic,
            "a_genmean(x, w, p = 2)" => Aggregation::Generalised { p: 2.0 },
            "a_genmean(x, w, p = -1)" => Aggregation::Generalised { p: -1.0 },
            "a_genmean(x, w, p = 0.5)" => Aggregation::Generalised { p: 0.5 },
            other => panic!("unmapped {other}"),
        };
        match aggregate_row(&x, &w, m) {
            Ok(y) => {
                assert!(r[5].is_empty(), "{} {:?}: COINr errors, we gave {y}", r[1], x);
                assert!(close(y, parse_number(&r[4]).unwrap()), "{} {:?}: ours {y}", r[1], x);
            }
            Err(_) => assert!(!r[5].is_empty(), "{} {:?}: we refuse, COINr computes", r[1], x),
        }
    }
}

#[test]
fn group_imputation_small_case_matches() {
    // functions/group_impute_small.csv: group 'c' is all missing, one unit has no group.
    let meta = Table::from_csv(
        "m",
        b"iCode,Level,Parent,Direction,Weight,Type\nx,1,I,1,1,Indicator\nI,2,,1,1,Aggregate\nf,,,,,Group\n",
    )
    .unwrap();
    let fw = cantiere_index::Framework::from_table(&meta).unwrap();
    let data = Table::from_csv("d", b"uCode,x,f\nu1,1,a\nu2,NA,a\nu3,3,a\nu4,10,b\nu5,NA,b\nu6,30,b\nu7,NA,c\nu8,5,\n")
        .unwrap();
    let (units, raw) = cantiere_index::read_data(&data, &fw).unwrap();
    let t = Table::read(&reference().join("functions/group_impute_small.csv")).unwrap();
    for (col, m) in
        [(2, Imputation::GroupMean { group: "f".into() }), (3, Imputation::GroupMedian { group: "f".into() })]
    {
        let (d, _) = impute(&raw, &m, &fw, &units).unwrap();
        let got = d.column("x").unwrap();
        for (i, (_, r)) in t.rows.iter().enumerate() {
            assert!(close(got[i], parse_number(&r[col]).unwrap()), "{m:?} row {i}");
        }
    }
}

/// Weights from a file and PCA weights reach the aggregation: each aggregate
/// equals the weighted mean of its children computed here by hand.
#[test]
fn file_and_pca_weights_are_used_by_aggregation() {
    let dir = std::env::temp_dir().join(format!("cantiere-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("w.csv"), "iCode,Weight\nLPI,3\nFlights,0.5\nConn,2\n").unwrap();
    let base = std::fs::read_to_string(repo().join("examples/asem/pipeline.toml")).unwrap();
    let (units, fw, raw) = asem();
    for (weights, check) in [("w.csv", "Physical"), ("pca", "P2P")] {
        let text = base.replace("weights = \"imeta\"", &format!("weights = \"{weights}\""));
        let b = Pipeline::from_toml("p.toml", &text, Some(&dir)).unwrap().run(&units, &fw, &raw).unwrap();
        if weights == "w.csv" {
            assert_eq!((b.weights.get("LPI"), b.weights.get("Conn"), b.weights.get("Ship")), (3.0, 2.0, 1.0));
        } else {
            let pca = analysis::pca_by_group(b.data_set("Normalised").unwrap(), &b.framework, 1).unwrap();
            let p = &pca.iter().find(|(g, _)| g == check).unwrap().1;
            for (c, l) in p.codes.iter().zip(&p.loadings[0]) {
                assert_eq!(b.weights.get(c), *l);
            }
        }
        let n = b.data_set("Normalised").unwrap();
        let a = b.data_set("Aggregated").unwrap();
        let kids = b.framework.children(check);
        for u in n.units.iter() {
            let (mut s, mut ws) = (0.0, 0.0);
            for k in &kids {
                let (v, w) = (n.value(u, &k.code).unwrap(), b.weights.get(&k.code));
                if !v.is_nan() {
                    s += w * v;
                    ws += w;
                }
            }
            assert!(close(a.value(u, check).unwrap(), s / ws), "{weights} {u}");
        }
    }
}
