use super::*;

/// A scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cantiere-written-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What [`DataSet::write_csv`] writes.
fn plain(d: &DataSet) -> Vec<u8> {
    let mut out = Vec::new();
    d.write_csv(&mut out).unwrap();
    out
}

/// Units whose codes need quoting (a comma, a quote, a line break), and
/// enough of them for several chunks.
fn units(n: usize) -> Vec<String> {
    (0..n)
        .map(|u| match u % 97 {
            3 => format!("U{u}, quoted"),
            5 => format!("U{u} \"q\""),
            7 => format!("U{u}\ntwo lines"),
            _ => format!("U{u}"),
        })
        .collect()
}

/// Values of every kind the writer meets: missing, whole, negative, long
/// fractions, infinities.
fn value(u: usize, j: usize) -> f64 {
    match (u * 7 + j) % 11 {
        0 => f64::NAN,
        1 => (u % 100) as f64,
        2 => -1.0 / (u + 3) as f64,
        3 => f64::INFINITY,
        _ => (u as f64 + 0.1) * (j as f64 + 1.0).sqrt(),
    }
}

/// A previous data set and the next: a shared column, a column with a
/// few cells changed, missing cells filled, a column dropped, a new
/// column, and the columns in another order.
fn pair(n: usize) -> (DataSet, DataSet) {
    let codes: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
    let columns: Vec<Vec<f64>> = (0..4).map(|j| (0..n).map(|u| value(u, j)).collect()).collect();
    let before = DataSet::new("Imputed", units(n), codes, columns);
    let mut b: Vec<f64> = before.column("b").unwrap().to_vec();
    for u in (0..n).step_by(13) {
        b[u] = 1e-7 * u as f64;
    }
    let filled: Vec<f64> = before.column("c").unwrap().iter().map(|x| if x.is_nan() { 42.5 } else { *x }).collect();
    let new: Vec<f64> = (0..n).map(|u| value(u, 9) * 3.0).collect();
    let after = DataSet::from_shared(
        "Treated",
        before.units.clone(),
        ["c", "new", "a", "b"].map(String::from).to_vec(),
        vec![filled.into(), new.into(), before.shared_column("a").unwrap().clone(), b.into()],
    );
    (before, after)
}

#[test]
fn a_data_set_written_after_another_has_the_bytes_written_alone() {
    let dir = scratch("after");
    for n in [0, 1, 40, 5_000] {
        let (before, after) = pair(n);
        let first = before.write_csv_file(&dir.join("Imputed.csv"), None).unwrap();
        assert_eq!(std::fs::read(first.path()).unwrap(), plain(&before), "{n} units");
        let second = after.write_csv_file(&dir.join("Treated.csv"), Some(&first)).unwrap();
        assert_eq!(std::fs::read(second.path()).unwrap(), plain(&after), "{n} units");
        // Then a data set that repeats all of these columns and adds one.
        let mut codes = after.codes.clone();
        codes.push("index".into());
        let mut columns = after.columns.clone();
        columns.push((0..n).map(|u| value(u, 5) / 7.0).collect());
        let aggregated = DataSet::from_shared("Aggregated", after.units.clone(), codes, columns);
        let third = aggregated.write_csv_file(&dir.join("Aggregated.csv"), Some(&second)).unwrap();
        assert_eq!(std::fs::read(third.path()).unwrap(), plain(&aggregated), "{n} units");
        // Row by row: each row starts where the one before it ended.
        let text = std::fs::read(second.path()).unwrap();
        assert_eq!(second.rows.len(), n + 1);
        assert_eq!(*second.rows.last().unwrap(), text.len() as u64);
        for (u, w) in second.rows.windows(2).enumerate() {
            let row = &text[w[0] as usize..w[1] as usize];
            let mut unit = Vec::new();
            push_text(&mut unit, &after.units[u]);
            assert!(row.starts_with(&unit) && row.ends_with(b"\n"), "row {u}");
        }
    }
}

#[test]
fn an_unchanged_data_set_is_a_copy_of_the_file() {
    let dir = scratch("same");
    let (before, _) = pair(300);
    let first = before.write_csv_file(&dir.join("Imputed.csv"), None).unwrap();
    let screened = before.renamed("Screened");
    let copy = screened.write_csv_file(&dir.join("Screened.csv"), Some(&first)).unwrap();
    assert_eq!(std::fs::read(copy.path()).unwrap(), plain(&screened));
    assert_eq!(copy.rows, first.rows);
}

#[test]
fn a_previous_file_that_is_not_what_was_written_is_not_trusted() {
    let dir = scratch("untrusted");
    let (before, after) = pair(2_000);
    let first = before.write_csv_file(&dir.join("Imputed.csv"), None).unwrap();
    // Rows shifted by a byte (a unit's code no longer where it was), then
    // a file cut short, then no file at all: every row is formatted.
    let text = std::fs::read(first.path()).unwrap();
    let mut shifted = text.clone();
    shifted.insert(first.rows[10] as usize, b'X');
    for damaged in [Some(shifted), Some(text[..text.len() / 2].to_vec()), None] {
        match damaged {
            Some(bytes) => std::fs::write(first.path(), bytes).unwrap(),
            None => std::fs::remove_file(first.path()).unwrap(),
        }
        let second = after.write_csv_file(&dir.join("Treated.csv"), Some(&first)).unwrap();
        assert_eq!(std::fs::read(second.path()).unwrap(), plain(&after));
    }
}

#[test]
fn only_the_values_the_previous_data_set_held_are_copied_from_its_file() {
    // The previous file's text of row 0 replaced by marks: a value the next
    // data set shares comes out as its mark (copied, not formatted), a
    // changed one as its number.
    let dir = scratch("copied");
    let codes: Vec<String> = ["a", "b"].map(String::from).to_vec();
    let before = DataSet::new("Raw", vec!["X".into(), "Y".into()], codes.clone(), vec![vec![1.5, 2.5], vec![3.5, 4.5]]);
    let first = before.write_csv_file(&dir.join("Raw.csv"), None).unwrap();
    let text = std::fs::read_to_string(first.path()).unwrap();
    assert_eq!(text, "uCode,a,b\nX,1.5,3.5\nY,2.5,4.5\n");
    std::fs::write(first.path(), text.replace("X,1.5,3.5", "X,one,two")).unwrap();
    let after = DataSet::from_shared(
        "Imputed",
        before.units.clone(),
        codes,
        vec![before.shared_column("a").unwrap().clone(), vec![3.25, 4.5].into()],
    );
    let second = after.write_csv_file(&dir.join("Imputed.csv"), Some(&first)).unwrap();
    assert_eq!(std::fs::read_to_string(second.path()).unwrap(), "uCode,a,b\nX,one,3.25\nY,2.5,4.5\n");
}

#[test]
fn a_column_that_changed_everywhere_is_formatted_without_reading_back() {
    let then: Vec<f64> = (0..1_000).map(|u| u as f64).collect();
    let normalised: Vec<f64> = then.iter().map(|x| x / 10.0 + 0.5).collect();
    assert!(mostly_changed(&normalised, &then));
    // One sampled row (every 15th of 1,000) that kept its value is enough
    // to compare them all; one that is not sampled is not.
    let mut kept = normalised.clone();
    kept[30] = then[30];
    assert!(!mostly_changed(&kept, &then));
    let mut unsampled = normalised.clone();
    unsampled[31] = then[31];
    assert!(mostly_changed(&unsampled, &then));
}
