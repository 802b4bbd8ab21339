//! Reading iMeta and iData: what is accepted and what is refused, with where.

use super::*;

const META: &str = "iCode,iName,Level,Parent,Direction,Weight,Type,Denominator\n\
    a,A,1,P,1,1,Indicator,pop\n\
    b,B,1,P,-1,2,Indicator,\n\
    c,C,1,Q,1,1,Indicator,\n\
    P,P,2,I,1,1,Aggregate,\n\
    Q,Q,2,I,1,1,Aggregate,\n\
    I,Index,3,,1,1,Aggregate,\n\
    pop,Population,,,,,Denominator,\n\
    g,Group,,,,,Group,\n";

fn meta(s: &str) -> Result<Framework> {
    Framework::from_table(&Table::from_csv("iMeta.csv", s.as_bytes()).unwrap())
}

#[test]
fn framework_reads_levels_children_and_order() {
    let fw = meta(META).unwrap();
    assert_eq!(fw.levels(), 3);
    assert_eq!(fw.indicator_codes(), ["a", "b", "c"]);
    let kids: Vec<_> = fw.children("P").iter().map(|n| n.code.as_str()).collect();
    assert_eq!(kids, ["a", "b"]);
    assert_eq!(fw.ancestor_at("c", 3).unwrap().code, "I");
    assert_eq!(fw.groups, ["g"]);
}

#[test]
fn unknown_parent_names_file_line_and_column() {
    let e = meta(&META.replace("c,C,1,Q", "c,C,1,X")).unwrap_err().to_string();
    assert_eq!(e, "iMeta.csv:4: column `Parent`: `c` has unknown parent `X`: expected the iCode of an aggregate");
}

#[test]
fn cycle_is_reported_as_a_cycle() {
    let s = META.replace("P,P,2,I", "P,P,2,Q").replace("Q,Q,2,I", "Q,Q,2,P");
    let e = meta(&s).unwrap_err().to_string();
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn aggregate_without_children_is_an_error() {
    let s = META.replace("c,C,1,Q", "c,C,1,P");
    let e = meta(&s).unwrap_err().to_string();
    assert!(e.contains("aggregate `Q` at level 2 has no children"), "{e}");
}

#[test]
fn duplicate_codes_and_bad_directions_are_errors() {
    let e = meta(&META.replace("b,B,1", "a,B,1")).unwrap_err().to_string();
    assert!(e.starts_with("iMeta.csv:3: column `iCode`: duplicate code `a`"), "{e}");
    let e = meta(&META.replace("b,B,1,P,-1", "b,B,1,P,2")).unwrap_err().to_string();
    assert!(e.contains("expected direction 1 or -1"), "{e}");
}

#[test]
fn data_with_text_in_numeric_cell_names_line_and_column() {
    let fw = meta(META).unwrap();
    let data = "uCode,uName,a,b,c,pop,g\nX,x,1,2,3,10,G1\nY,y,1,two,3,10,G2\n";
    let t = Table::from_csv("iData.csv", data.as_bytes()).unwrap();
    let e = read_data(&t, &fw).unwrap_err().to_string();
    assert_eq!(e, "iData.csv:3: column `b`: expected a number, found `two`");
}

#[test]
fn non_finite_cells_headers_alone_and_huge_weights_are_refused() {
    let fw = meta(META).unwrap();
    for (cell, column) in [("inf", "a"), ("-Inf", "b"), ("1e309", "c")] {
        let mut row = ["1", "2", "3"];
        row[(column.as_bytes()[0] - b'a') as usize] = cell;
        let data = format!("uCode,a,b,c,pop\nX,1,2,3,10\nY,{},{},{},10\n", row[0], row[1], row[2]);
        let t = Table::from_csv("iData.csv", data.as_bytes()).unwrap();
        let e = read_data(&t, &fw).unwrap_err().to_string();
        assert_eq!(e, format!("iData.csv:3: column `{column}`: expected a finite number, found `{cell}`"));
    }
    let t = Table::from_csv("iData.csv", b"uCode,a,b,c,pop\n").unwrap();
    let e = read_data(&t, &fw).unwrap_err().to_string();
    assert_eq!(e, "iData.csv:2: no units: the file has a header but no rows");
    let huge = META.replacen("a,A,1,P,1,1,", "a,A,1,P,1,1e308,", 1);
    let e = meta(&huge).unwrap_err().to_string();
    assert!(e.contains(":2: column `Weight`: expected a weight between"), "{e}");
}

#[test]
fn data_rows_are_sorted_and_duplicates_rejected() {
    let fw = meta(META).unwrap();
    let t = Table::from_csv("iData.csv", b"uCode,a,b,c,pop\nZ,1,2,3,1\nA,4,5,6,1\n").unwrap();
    let (units, raw) = read_data(&t, &fw).unwrap();
    assert_eq!(units.codes, ["A", "Z"]);
    assert_eq!(raw.column("a").unwrap(), &[4.0, 1.0]);
    let t = Table::from_csv("iData.csv", b"uCode,a,b,c,pop\nZ,1,2,3,1\nZ,4,5,6,1\n").unwrap();
    let e = read_data(&t, &fw).unwrap_err().to_string();
    assert!(e.starts_with("iData.csv:3: column `uCode`: duplicate unit code `Z`"), "{e}");
}

#[test]
fn orphan_columns_and_missing_indicators_are_errors() {
    let fw = meta(META).unwrap();
    let t = Table::from_csv("iData.csv", b"uCode,a,b,c,pop,zz\nZ,1,2,3,1,1\n").unwrap();
    let e = read_data(&t, &fw).unwrap_err().to_string();
    assert!(e.contains("column `zz`: column is not declared in iMeta"), "{e}");
    let t = Table::from_csv("iData.csv", b"uCode,a,b,pop\nZ,1,2,1\n").unwrap();
    let e = read_data(&t, &fw).unwrap_err().to_string();
    assert!(e.contains("indicator `c` is declared in iMeta but has no column"), "{e}");
}
