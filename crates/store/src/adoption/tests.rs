//! The adoption file's rows: what is read and what is refused, with where.

use super::*;

#[test]
fn statuses_are_read_in_english_and_italian() {
    assert_eq!(AdoptionStatus::parse("In uso"), Some(AdoptionStatus::InUse));
    assert_eq!(AdoptionStatus::parse("in_valutazione"), Some(AdoptionStatus::Evaluating));
    assert_eq!(AdoptionStatus::parse("DISMISSED"), Some(AdoptionStatus::Dismissed));
    assert_eq!(AdoptionStatus::parse("maybe"), None);
}

#[test]
fn dates_are_checked_to_the_day() {
    assert!(check_date("2024-02-29"));
    assert!(!check_date("2023-02-29"));
    assert!(!check_date("1900-02-29"));
    assert!(check_date("2000-02-29"));
    assert!(check_date("2024-11"));
    assert!(!check_date("2024-13"));
    assert!(!check_date("24-11-01"));
    assert!(!check_date("2024-11-31"));
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_column() {
    let csv = "codice_ipa;solution;status;since;evidence\n\
               c_h501;https://github.com/a/b;in uso;2024-03-01;https://comune.example/delibera\n\
               c_h501;7;forse;;\n\
               c h501;7;in_use;2024-31-01;ftp://x\n\
               \n\
               c_a001;not a url;evaluating;;\n\
               C_H501;https://github.com/A/b.git;dismissed;;\n";
    let (rows, errors) = parse_csv(csv.as_bytes());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 2);
    let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        got,
        vec![(3, "status"), (4, "codice_ipa"), (4, "since"), (4, "evidence"), (6, "solution"), (7, "solution")]
    );
    assert!(errors[5].message.contains("repeats line 2"), "{}", errors[5]);
}

#[test]
fn a_file_without_the_required_columns_is_refused_at_its_header() {
    let (rows, errors) = parse_csv(b"ipa,solution\nc_h501,1\n");
    assert!(rows.is_empty());
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(|e| e.line == 1));
    assert_eq!(errors[0].column, "codice_ipa");
    assert_eq!(errors[1].column, "status");
}
