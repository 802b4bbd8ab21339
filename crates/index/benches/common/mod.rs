//! What the benchmarks share: synthetic data of any size, in the shape of a
//! municipal index.

use cantiere_index::{Column, DataSet, Framework, Table, Units};

fn splitmix(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// The synthetic iMeta: 131 indicators in 20 pillars, 4 sub-indices, 1
/// index, and a group column.
pub fn synthetic_meta() -> String {
    let k = 131;
    let mut meta = String::from("iCode,Level,Parent,Direction,Weight,Type\n");
    for i in 0..k {
        let dir = if i % 7 == 0 { -1 } else { 1 };
        meta.push_str(&format!("i{i},1,P{},{dir},1,Indicator\n", i % 20));
    }
    for p in 0..20 {
        meta.push_str(&format!("P{p},2,S{},1,1,Aggregate\n", p % 4));
    }
    for s in 0..4 {
        meta.push_str(&format!("S{s},3,Index,1,1,Aggregate\n"));
    }
    meta.push_str("Index,4,,1,1,Aggregate\nregion,,,,,Group\n");
    meta
}

/// 131 indicators in 20 pillars, 4 sub-indices, 1 index; a group column with
/// 5 groups; a third of the indicators heavily skewed (so treatment works).
pub fn synthetic(n: usize) -> (Units, Framework, DataSet) {
    let k = 131;
    let meta = synthetic_meta();
    let fw = Framework::from_table(&Table::from_csv("synthetic iMeta", meta.as_bytes()).unwrap()).unwrap();
    let mut state = 42u64;
    let units: Vec<String> = (0..n).map(|u| format!("U{u:06}")).collect();
    // Columns go straight into shared slices: no transient copy of the input.
    let columns: Vec<Column> = (0..k)
        .map(|i| {
            (0..n)
                .map(|_| {
                    if splitmix(&mut state) < 0.03 {
                        f64::NAN
                    } else if i % 3 == 0 {
                        (4.0 * splitmix(&mut state)).exp()
                    } else {
                        100.0 * splitmix(&mut state)
                    }
                })
                .collect::<Column>()
        })
        .collect();
    let groups = (0..n).map(|u| Some(format!("G{}", u % 5))).collect();
    let codes = fw.indicator_codes();
    let u = Units {
        codes: units.clone(),
        names: units.clone(),
        groups: vec![("region".into(), groups)],
        denominators: vec![],
    };
    (u, fw, DataSet::from_shared("Raw", units.into(), codes, columns))
}

/// The pipeline the synthetic benchmarks run (the ASEM example's steps).
pub const PIPELINE: &str = "[impute]\nmethod = \"mean_group\"\ngroup = \"region\"\n[screen]\nmin_data = 0.9\n\
[treat]\nwinmax = 5\n[normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n[aggregate]\n";

/// Peak resident memory of this process so far (Linux), in bytes.
pub fn peak_rss_bytes() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<usize>().ok()? * 1024)
}

/// Writes the synthetic data of `n` units as `iData.csv`, `iMeta.csv` and
/// `pipeline.toml` in `dir` (what a user of the command would have).
#[allow(dead_code)]
pub fn write_inputs(n: usize, dir: &std::path::Path) {
    use std::io::Write;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("iMeta.csv"), synthetic_meta()).unwrap();
    std::fs::write(dir.join("pipeline.toml"), PIPELINE).unwrap();
    let (units, _, raw) = synthetic(n);
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("iData.csv")).unwrap());
    let header = ["uCode", "uName", "region"].into_iter().map(String::from).chain(raw.codes.iter().cloned());
    cantiere_index::write_header(&mut out, header).unwrap();
    let groups = &units.groups[0].1;
    cantiere_index::write_rows(&mut out, n, |r, buf| {
        for cell in [&units.codes[r], &units.names[r], groups[r].as_deref().unwrap_or("")] {
            cantiere_index::push_text(buf, cell);
            buf.push(b',');
        }
        for (i, c) in raw.columns.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            cantiere_index::push_number(buf, c[r]);
        }
    })
    .unwrap();
    out.flush().unwrap();
}
