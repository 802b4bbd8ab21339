//! A region's file of unions of municipalities and their members over time
//! (`union_ipa, union_name, member, from, to`, any order and case; `member`
//! an ISTAT code of a stored comune; `from` and `to` dates `YYYY-MM-DD`,
//! `to` empty while the membership lasts). All or nothing: every bad cell
//! is reported with its line and column.

use std::collections::HashMap;
use std::path::Path;

use cantiere_store::unions::UnionMember;

use crate::data::RowError;

const COLUMNS: [&str; 5] = ["union_ipa", "union_name", "member", "from", "to"];

/// The largest file read.
pub const MAX_FILE: u64 = 64 << 20;

/// Reads a union file; `known` tells whether an ISTAT code is a stored
/// comune; `example` marks the memberships as invented examples.
pub fn read(path: &Path, known: &dyn Fn(&str) -> bool, example: bool) -> Result<Vec<UnionMember>, Vec<RowError>> {
    let (t, _) = crate::data::table(path, MAX_FILE).map_err(|e| vec![e])?;
    let at = crate::data::columns(&t, &COLUMNS, &[]).map_err(|e| vec![e])?;
    let file = &t.file;
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
    for &(line, ref record) in &t.rows {
        let cell = |c: &str| record[at[c]].clone();
        let mut bad = |c: &str, message: String| {
            errors.push(RowError { file: file.clone(), line, column: Some((at[c] + 1, c.to_string())), message });
        };
        let (ipa, name, member, from, to) =
            (cell("union_ipa").to_lowercase(), cell("union_name"), cell("member"), cell("from"), cell("to"));
        if !crate::data::valid_code(&ipa) {
            bad("union_ipa", format!("`{ipa}`: expected an iPA code (letters, digits, `_`)"));
        }
        if name.is_empty() || name.chars().count() > 300 {
            bad("union_name", "expected the union's name (1 to 300 characters)".into());
        }
        if !known(&member) {
            bad("member", format!("`{member}`: not the ISTAT code of a stored comune"));
        }
        let date = |d: &str| cantiere_publiccode::rules::is_date(d);
        if !date(&from) {
            bad("from", format!("`{from}`: expected a date YYYY-MM-DD"));
        }
        if !to.is_empty() && !date(&to) {
            bad("to", format!("`{to}`: expected a date YYYY-MM-DD, or nothing while the membership lasts"));
        } else if !to.is_empty() && to < from {
            bad("to", format!("`{to}` is before `from` ({from})"));
        }
        if let Some(first) = seen.insert((ipa.clone(), member.clone(), from.clone()), line) {
            bad("member", format!("`{member}` joins `{ipa}` on {from} on line {first} too"));
        }
        out.push(UnionMember { union_ipa: ipa, union_name: name, member, from_date: from, to_date: to, example });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(RowError {
            file: file.clone(),
            line: 1,
            column: None,
            message: "no membership: the file has a header only".into(),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole_or_refused_with_every_bad_cell() {
        let dir = std::env::temp_dir().join(format!("cantiere-unions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let known = |c: &str| ["037006", "037011"].contains(&c);
        let good = dir.join("good.csv");
        std::fs::write(&good, "Union_IPA,union_name,member,from,to\nUM_RENO,Unione Reno,037006,2014-01-01,\num_reno,Unione Reno,037011,2014-01-01,2020-12-31\n").unwrap();
        let read_ok = read(&good, &known, true).unwrap();
        assert_eq!(read_ok.len(), 2);
        assert_eq!(
            (read_ok[0].union_ipa.as_str(), read_ok[0].to_date.as_str(), read_ok[0].example),
            ("um_reno", "", true)
        );
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "union_ipa,union_name,member,from,to\num_reno,Unione Reno,999999,2014-13-01,\num_reno,Unione Reno,037006,2014-01-01,2013-01-01\num_reno,Unione Reno,037006,2014-01-01,\n").unwrap();
        let errors: Vec<String> = read(&bad, &known, false).unwrap_err().iter().map(ToString::to_string).collect();
        let f = bad.display();
        assert_eq!(
            errors,
            [
                format!("{f}:2:3: column `member`: `999999`: not the ISTAT code of a stored comune"),
                format!("{f}:2:4: column `from`: `2014-13-01`: expected a date YYYY-MM-DD"),
                format!("{f}:3:5: column `to`: `2013-01-01` is before `from` (2014-01-01)"),
                format!("{f}:4:3: column `member`: `037006` joins `um_reno` on 2014-01-01 on line 3 too"),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
