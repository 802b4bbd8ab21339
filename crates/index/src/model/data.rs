//! Reading iData: the units and the raw data set.
//!
//! Two readers give the same result: [`read_data`] from a [`Table`] (any
//! source, `.xlsx` included), and [`super::stream::read_data_csv`] straight
//! from a CSV file, in blocks parsed in parallel, without a cell ever being a
//! `String` but the units' codes, names and groups. Both fill the same
//! [`Parsed`] columns, and [`assemble`] checks and orders them.

use super::*;
use crate::Column;

/// What each column of iData is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Kept as text: the unit code, name and group columns.
    Text,
    /// Read as numbers: indicators and denominators.
    Number,
    /// Read past (`Time`, other columns iMeta names).
    Skip,
}

/// The header of iData checked against the framework: every column known,
/// every indicator and denominator present; what each column is read as.
pub(crate) fn plan(file: &str, headers: &[String], fw: &Framework) -> Result<Vec<Kind>> {
    let at = |h: &str| Location::file(file).line(1).column(h);
    if !headers.iter().any(|h| h == "uCode") {
        return Err(Error::input(
            Location::file(file).line(1),
            format!("missing column `uCode` (the header has: {})", headers.join(", ")),
        ));
    }
    let mut kinds = Vec::with_capacity(headers.len());
    for h in headers {
        let indicator = fw.get(h).is_some_and(|n| n.kind == CodeType::Indicator);
        let kind = if h == "uCode" || h == "uName" || fw.groups.contains(h) {
            Kind::Text
        } else if indicator || fw.denominators.contains(h) {
            Kind::Number
        } else if h == "Time" || fw.other_names.contains_key(h) {
            Kind::Skip
        } else {
            let why = if fw.get(h).is_some() {
                "is an aggregate in iMeta: aggregates are computed, not read"
            } else {
                "is not declared in iMeta (expected an indicator, group, denominator or other column)"
            };
            return Err(Error::input(at(h), format!("column {why}")));
        };
        kinds.push(kind);
    }
    for code in fw.indicator_codes() {
        if !headers.contains(&code) {
            return Err(Error::input(
                Location::file(file).line(1),
                format!("indicator `{code}` is declared in iMeta but has no column in the data"),
            ));
        }
    }
    for d in fw.nodes().iter().filter_map(|n| n.denominator.as_ref()) {
        if !headers.contains(d) {
            return Err(Error::input(
                Location::file(file).line(1),
                format!("denominator column `{d}` is used in iMeta but missing from the data"),
            ));
        }
    }
    Ok(kinds)
}

/// A cell that is not a number where one is expected: its line, column and
/// text, and whether it was a number that is not finite.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BadCell {
    pub line: u64,
    pub column: usize,
    pub text: String,
    pub infinite: bool,
}

/// iData read by column: each row's line, the text and numeric columns (by
/// header position, `None` for the other kind), and the first bad numeric
/// cell in file order.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub lines: Vec<u64>,
    pub text: Vec<Option<Vec<String>>>,
    pub numbers: Vec<Option<Vec<f64>>>,
    pub bad: Option<BadCell>,
}

impl Parsed {
    /// Empty columns for these kinds.
    pub fn new(kinds: &[Kind]) -> Parsed {
        Parsed {
            lines: Vec::new(),
            text: kinds.iter().map(|k| (*k == Kind::Text).then(Vec::new)).collect(),
            numbers: kinds.iter().map(|k| (*k == Kind::Number).then(Vec::new)).collect(),
            bad: None,
        }
    }

    /// Adds one row (its trimmed cells, as many as the header has).
    pub fn push_row<'c>(&mut self, line: u64, cells: impl Iterator<Item = &'c str>) {
        self.lines.push(line);
        for (c, cell) in cells.enumerate() {
            if let Some(col) = self.text[c].as_mut() {
                col.push(cell.to_string());
            } else if let Some(col) = self.numbers[c].as_mut() {
                let x = number(cell, line, c, &mut self.bad);
                col.push(x);
            }
        }
    }

    /// Appends the rows of `pieces` (read after these, in order), one column
    /// at a time in parallel.
    pub fn append_all(&mut self, pieces: Vec<Parsed>) {
        use rayon::prelude::*;
        let mut text: Vec<Vec<Vec<String>>> = self.text.iter().map(|_| Vec::new()).collect();
        let mut numbers: Vec<Vec<Vec<f64>>> = self.numbers.iter().map(|_| Vec::new()).collect();
        for mut p in pieces {
            self.lines.append(&mut p.lines);
            if self.bad.is_none() {
                self.bad = p.bad.take();
            }
            for (c, column) in p.text.into_iter().enumerate() {
                text[c].extend(column);
            }
            for (c, column) in p.numbers.into_iter().enumerate() {
                numbers[c].extend(column);
            }
        }
        fn join<T: Send>(column: &mut Option<Vec<T>>, parts: Vec<Vec<T>>) {
            if let Some(column) = column {
                for mut part in parts {
                    column.append(&mut part);
                }
            }
        }
        self.text.par_iter_mut().zip(text).for_each(|(column, parts)| join(column, parts));
        self.numbers.par_iter_mut().zip(numbers).for_each(|(column, parts)| join(column, parts));
    }

    /// Makes room for `rows` rows.
    pub fn reserve(&mut self, rows: usize) {
        self.lines.reserve(rows);
        for c in self.text.iter_mut().flatten() {
            c.reserve(rows);
        }
        for c in self.numbers.iter_mut().flatten() {
            c.reserve(rows);
        }
    }
}

/// A numeric cell's value (`NaN` when missing); a bad cell is recorded in
/// `bad` if it is the first.
pub(crate) fn number(cell: &str, line: u64, column: usize, bad: &mut Option<BadCell>) -> f64 {
    match parse_number(cell) {
        Some(x) if x.is_finite() || x.is_nan() => x,
        other => {
            if bad.is_none() {
                *bad = Some(BadCell { line, column, text: cell.to_string(), infinite: other.is_some() });
            }
            f64::NAN
        }
    }
}

/// Reads iData against a validated framework: the units and the raw data set
/// (one column per indicator, in iMeta order, rows sorted by `uCode`).
pub fn read_data(t: &Table, fw: &Framework) -> Result<(Units, DataSet)> {
    let kinds = plan(&t.file, &t.headers, fw)?;
    let mut parsed = Parsed::new(&kinds);
    for (line, row) in &t.rows {
        parsed.push_row(*line, row.iter().map(String::as_str));
    }
    assemble(&t.file, &t.headers, parsed, fw)
}

/// Checks the rows read (no bad number, no empty or repeated unit code),
/// sorts them by `uCode` as COINr does, and makes the units and the raw data
/// set.
pub(crate) fn assemble(file: &str, headers: &[String], mut p: Parsed, fw: &Framework) -> Result<(Units, DataSet)> {
    let at = |line: u64, c: usize| Location::file(file).line(line).column(&headers[c]);
    let column = |name: &str| headers.iter().position(|h| h == name);
    if p.lines.is_empty() {
        return Err(Error::input(Location::file(file).line(2), "no units: the file has a header but no rows"));
    }
    let c_code = column("uCode").ok_or_else(|| Error::input(Location::file(file).line(1), "missing column `uCode`"))?;
    let codes = p.text[c_code].take().unwrap_or_default();
    if let Some(i) = codes.iter().position(String::is_empty) {
        return Err(Error::input(at(p.lines[i], c_code), "empty unit code"));
    }
    // COINr's order (`collate`), keys computed once; ties keep file order.
    let keys: Vec<String> = codes.iter().map(|c| c.to_lowercase()).collect();
    let by_code = |a: usize, b: usize| keys[a].cmp(&keys[b]).then_with(|| codes[b].cmp(&codes[a])).then(a.cmp(&b));
    let mut order: Vec<usize> = (0..codes.len()).collect();
    if !order.windows(2).all(|w| by_code(w[0], w[1]).is_lt()) {
        order.sort_unstable_by(|&a, &b| by_code(a, b));
    }
    for w in order.windows(2) {
        if codes[w[0]] == codes[w[1]] {
            let (first, second) = (p.lines[w[0]].min(p.lines[w[1]]), p.lines[w[0]].max(p.lines[w[1]]));
            return Err(Error::input(
                at(second, c_code),
                format!("duplicate unit code `{}` (first on line {first})", codes[w[0]]),
            ));
        }
    }
    if let Some(b) = p.bad.take() {
        let expected = if b.infinite { "a finite number" } else { "a number" };
        return Err(Error::input(at(b.line, b.column), format!("expected {expected}, found `{}`", b.text)));
    }
    let sorted = order.iter().enumerate().all(|(i, &o)| i == o);
    let reorder_text =
        |v: Vec<String>| -> Vec<String> { if sorted { v } else { order.iter().map(|&i| v[i].clone()).collect() } };
    let reorder = |v: Vec<f64>| -> Vec<f64> { if sorted { v } else { order.iter().map(|&i| v[i]).collect() } };
    let names = match column("uName").and_then(|c| p.text[c].take()) {
        Some(names) => names.into_iter().zip(&codes).map(|(n, c)| if n.is_empty() { c.clone() } else { n }).collect(),
        None => codes.clone(),
    };
    let mut units = Units { codes: reorder_text(codes), names: reorder_text(names), ..Default::default() };
    for g in &fw.groups {
        if let Some(v) = column(g).and_then(|c| p.text[c].take()) {
            units
                .groups
                .push((g.clone(), reorder_text(v).into_iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect()));
        }
    }
    for d in &fw.denominators {
        // A copy: a denominator may be an indicator too.
        if let Some(v) = column(d).and_then(|c| p.numbers[c].clone()) {
            units.denominators.push((d.clone(), reorder(v)));
        }
    }
    let indicator_codes = fw.indicator_codes();
    let taken: Vec<Vec<f64>> =
        indicator_codes.iter().map(|code| column(code).and_then(|c| p.numbers[c].take()).unwrap_or_default()).collect();
    let columns: Vec<Column> = {
        use rayon::prelude::*;
        taken.into_par_iter().map(|v| Column::from(reorder(v))).collect()
    };
    let data = DataSet::from_shared("Raw", units.codes.clone().into(), indicator_codes, columns);
    Ok((units, data))
}
