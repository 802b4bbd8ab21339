//! The pipeline file: unknown keys, bad values and absent steps.

use super::*;

#[test]
fn unknown_keys_are_errors_with_their_line() {
    let e = Pipeline::from_toml("p.toml", "[screen]\nmin_data = 0.9\n[treat]\nwinmax = 5\nwinmux = 3\n", None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("p.toml:5: unknown field `winmux`"), "{e}");
    let e = Pipeline::from_toml("p.toml", "[normalize]\nmethod = \"minmax\"\n", None).unwrap_err().to_string();
    assert!(e.contains("unknown field `normalize`"), "{e}");
}

#[test]
fn bad_values_name_their_key() {
    let e = Pipeline::from_toml("p.toml", "[normalise]\nmethod = \"minmax\"\nrange = [5, 1]\n", None)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "p.toml: key `normalise.range`: expected lower < upper, found [5, 1]");
    let e = Pipeline::from_toml("p.toml", "[impute]\nmethod = \"mean_group\"\n", None).unwrap_err().to_string();
    assert!(e.contains("`impute.group`"), "{e}");
}

#[test]
fn non_finite_numbers_and_malformed_pairs_are_refused_with_their_line() {
    let cases = [
        ("[normalise]\nmethod = \"minmax\"\nrange = [0, inf]\n", 3, "expected a finite number, found inf"),
        (
            "[normalise]\nmethod = \"minmax\"\nrange = [0, 50, 100]\n",
            3,
            "expected two numbers [a, b], found a list of 3",
        ),
        ("[aggregate]\nmethod = \"generalised\"\np = nan\n", 3, "expected a finite number, found NaN"),
        ("[treat]\nkurtosis = -1\n", 0, "expected a positive threshold, found -1"),
        ("[screen]\nmin_data = 1e309\n", 2, "floating-point number overflowed"),
    ];
    for (text, line, message) in cases {
        let e = Pipeline::from_toml("p.toml", text, None).unwrap_err().to_string();
        assert!(e.contains(message), "{text}: {e}");
        if line > 0 {
            assert!(e.starts_with(&format!("p.toml:{line}")), "{text}: {e}");
        }
    }
}

#[test]
fn absent_tables_skip_steps() {
    let p = Pipeline::from_toml("p.toml", "[denominate]\n[aggregate]\n", None).unwrap();
    assert!(p.denominate);
    assert!(p.impute.is_none() && p.normalise.is_none());
    assert_eq!(p.aggregate.unwrap().method, Aggregation::Arithmetic);
}
