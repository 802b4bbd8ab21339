//! Reading iData: the units and the raw data set.

use super::*;

/// Reads iData against a validated framework: the units and the raw data set
/// (one column per indicator, in iMeta order, rows sorted by `uCode`).
pub fn read_data(t: &Table, fw: &Framework) -> Result<(Units, DataSet)> {
    let c_code = t.require_column("uCode")?;
    let c_name = t.column_index("uName");
    let indicator_codes = fw.indicator_codes();
    // Every column must be known.
    for (ci, h) in t.headers.iter().enumerate() {
        if h == "uCode" || h == "uName" || h == "Time" {
            continue;
        }
        let known = fw.get(h).is_some_and(|n| n.kind == CodeType::Indicator)
            || fw.groups.contains(h)
            || fw.denominators.contains(h)
            || fw.other_names.contains_key(h);
        if !known {
            let why = if fw.get(h).is_some() {
                "is an aggregate in iMeta: aggregates are computed, not read".to_string()
            } else {
                "is not declared in iMeta (expected an indicator, group, denominator or other column)".to_string()
            };
            return Err(Error::input(Location::file(&t.file).line(1).column(&t.headers[ci]), format!("column {why}")));
        }
    }
    let mut ind_cols = Vec::with_capacity(indicator_codes.len());
    for code in &indicator_codes {
        let c = t.column_index(code).ok_or_else(|| {
            Error::input(
                Location::file(&t.file).line(1),
                format!("indicator `{code}` is declared in iMeta but has no column in the data"),
            )
        })?;
        ind_cols.push(c);
    }
    for d in fw.nodes().iter().filter_map(|n| n.denominator.as_ref()) {
        if t.column_index(d).is_none() {
            return Err(Error::input(
                Location::file(&t.file).line(1),
                format!("denominator column `{d}` is used in iMeta but missing from the data"),
            ));
        }
    }

    if t.rows.is_empty() {
        return Err(Error::input(Location::file(&t.file).line(2), "no units: the file has a header but no rows"));
    }
    // Sort rows by uCode (COINr's new_coin does), rejecting duplicates.
    let mut order: Vec<usize> = (0..t.rows.len()).collect();
    for &i in &order {
        let (line, row) = &t.rows[i];
        if row[c_code].is_empty() {
            return Err(Error::input(t.at(*line, c_code), "empty unit code"));
        }
    }
    order.sort_by(|&a, &b| collate(&t.rows[a].1[c_code], &t.rows[b].1[c_code]).then(a.cmp(&b)));
    for w in order.windows(2) {
        let (la, ra) = &t.rows[w[0]];
        let (lb, rb) = &t.rows[w[1]];
        if ra[c_code] == rb[c_code] {
            let (first, second) = if la < lb { (la, lb) } else { (lb, la) };
            return Err(Error::input(
                t.at(*second, c_code),
                format!("duplicate unit code `{}` (first on line {first})", ra[c_code]),
            ));
        }
    }

    let n = order.len();
    let mut units = Units {
        codes: order.iter().map(|&i| t.rows[i].1[c_code].clone()).collect(),
        names: order
            .iter()
            .map(|&i| {
                let row = &t.rows[i].1;
                c_name.map(|c| row[c].clone()).filter(|s| !s.is_empty()).unwrap_or_else(|| row[c_code].clone())
            })
            .collect(),
        ..Default::default()
    };
    for g in &fw.groups {
        if let Some(c) = t.column_index(g) {
            let v = order.iter().map(|&i| Some(t.rows[i].1[c].clone()).filter(|s| !s.is_empty())).collect();
            units.groups.push((g.clone(), v));
        }
    }
    let numeric_column = |c: usize| -> Result<Vec<f64>> {
        let mut v = Vec::with_capacity(n);
        for &i in &order {
            let (line, row) = &t.rows[i];
            match parse_number(&row[c]) {
                Some(x) if !x.is_infinite() => v.push(x),
                // `inf`, `-Inf`, `1e309`: every score it touches would be infinite or missing.
                Some(_) => {
                    return Err(Error::input(t.at(*line, c), format!("expected a finite number, found `{}`", row[c])));
                }
                None => {
                    return Err(Error::input(t.at(*line, c), format!("expected a number, found `{}`", row[c])));
                }
            }
        }
        Ok(v)
    };
    for d in &fw.denominators {
        if let Some(c) = t.column_index(d) {
            units.denominators.push((d.clone(), numeric_column(c)?));
        }
    }
    let mut columns = Vec::with_capacity(ind_cols.len());
    for &c in &ind_cols {
        columns.push(numeric_column(c)?);
    }
    let data = DataSet::new("Raw", units.codes.clone(), indicator_codes, columns);
    Ok((units, data))
}
