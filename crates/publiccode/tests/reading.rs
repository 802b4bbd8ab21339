//! What the reader rejects, as the reference rejects it (SPEC.md table 1.2 and §2.1), written as a
//! table: input → the single diagnostic (key, message, line, column).

use cantiere_publiccode::{Limits, Options, validate};

/// Key, message, line, column.
type Expected<'a> = (&'a str, &'a str, u32, u32);

fn only(input: &[u8], options: &Options) -> (String, String, u32, u32) {
    let report = validate(input, options);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    let d = &report.diagnostics[0];
    (d.key.clone(), d.message.clone(), d.line, d.column)
}

#[test]
fn unreadable_documents_give_one_error_each() {
    let required: Expected = ("publiccodeYmlVersion", "publiccodeYmlVersion is a required field", 0, 0);
    let unsupported = "unsupported version: '0.6'. Supported versions: 0, 0.2, 0.2.0, 0.2.1, 0.2.2, 0.3, 0.3.0, 0.4, \
                       0.4.0, 0.5.0, 0.5, 0.7.0, 0.7";
    let cases: &[(&[u8], Expected)] = &[
        (b"name: \xff\xfe\n", ("", "Invalid UTF-8", 0, 0)),
        (b"", required),
        (b"# only a comment\n", required),
        (b"- a\n- b\n", required),
        (
            b"publiccodeYmlVersion: \"0\"\n---\nname: b\n",
            ("", "multiple YAML documents in one file are not supported", 0, 0),
        ),
        (
            b"publiccodeYmlVersion: \"0\"\nname: a\nname: b\n",
            ("", "mapping key \"name\" already defined at [2:1]", 3, 1),
        ),
        (
            b"publiccodeYmlVersion: \"0\"\nlegal:\n\tlicense: MIT\n",
            // The tab itself, as the reference prints it (not a backslash and a `t`).
            ("", "found character '\t' that cannot start any token", 3, 1),
        ),
        (b"# v\npubliccodeYmlVersion: 0.2\n", ("publiccodeYmlVersion", "wrong type for this field", 2, 1)),
        (b"publiccodeYmlVersion: \"0.6\"\n", ("publiccodeYmlVersion", unsupported, 0, 0)),
    ];
    for (input, (key, message, line, column)) in cases {
        let got = only(input, &Options::default());
        assert_eq!(
            got,
            (key.to_string(), message.to_string(), *line, *column),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn a_byte_order_mark_gives_the_reference_error_then_says_what_is_wrong() {
    let report = validate(b"\xef\xbb\xbfpubliccodeYmlVersion: \"0\"\n", &Options::default());
    let got: Vec<_> =
        report.diagnostics.iter().map(|d| (d.key.as_str(), d.message.as_str(), d.line, d.column)).collect();
    assert_eq!(
        got,
        vec![
            ("publiccodeYmlVersion", "publiccodeYmlVersion is a required field", 0, 0),
            ("", cantiere_publiccode::BOM_MESSAGE, 1, 1)
        ]
    );
    assert!(cantiere_publiccode::BOM_MESSAGE.contains("byte-order mark"));
}

#[test]
fn an_empty_ipa_code_gets_the_reference_ipa_message() {
    let doc = b"publiccodeYmlVersion: \"0\"\norganisation:\n  uri: \"urn:x-italian-pa:\"\n";
    let report = validate(doc, &Options::default());
    let d = report.diagnostics.iter().find(|d| d.key == "organisation.uri").expect("an organisation.uri error");
    assert_eq!(
        (d.message.as_str(), d.line, d.column),
        (
            "uri must be a valid Italian Public Administration Code (iPA) with format 'urn:x-italian-pa:[codiceIPA]' \
             (see https://github.com/publiccodeyml/italian-organizations-ipa-vocabulary)",
            3,
            3
        )
    );
}

#[test]
fn duplicate_keys_among_150000_are_found_where_they_are() {
    // Read in linear time (the benchmark times it); here: the right duplicate at the right place.
    let mut doc = String::from("publiccodeYmlVersion: \"0\"\n");
    for i in 0..150_000 {
        doc.push_str(&format!("k{i}: v\n"));
    }
    doc.push_str("k74999: again\n");
    let got = only(doc.as_bytes(), &Options::default());
    assert_eq!(got, (String::new(), "mapping key \"k74999\" already defined at [75001:1]".to_string(), 150_002, 1));
}

#[test]
fn yaml_1_1_booleans_are_not_booleans() {
    let report =
        validate(b"publiccodeYmlVersion: \"0\"\nlocalisation:\n  localisationReady: yes\n", &Options::default());
    let first = &report.diagnostics[0];
    assert_eq!(
        (first.key.as_str(), first.message.as_str(), first.line, first.column),
        ("localisation.localisationReady", "wrong type for this field", 3, 1)
    );
}

#[test]
fn hostile_inputs_stop_at_the_limits_with_a_clear_error() {
    let options = Options { limits: Limits { max_bytes: 1000, max_depth: 20, max_nodes: 500 }, ..Options::default() };
    let huge = format!("publiccodeYmlVersion: \"0\"\nname: {}\n", "x".repeat(2000));
    assert!(only(huge.as_bytes(), &options).1.contains("larger than 1000 bytes"));
    let deep = format!("publiccodeYmlVersion: \"0\"\nx: {}{}\n", "[".repeat(30), "]".repeat(30));
    assert!(only(deep.as_bytes(), &options).1.contains("deeper than 20 levels"));
    let laughs = "publiccodeYmlVersion: \"0\"\na: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n\
                  c: [*b, *b, *b, *b, *b, *b, *b, *b]\n";
    assert!(only(laughs.as_bytes(), &options).1.contains("more than 500 nodes"));
}

#[test]
fn a_folder_that_links_to_itself_is_walked_once() {
    let dir = std::env::temp_dir().join(format!("cantiere-pc-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/publiccode.yml"), "publiccodeYmlVersion: \"0\"\n").unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(dir.join("sub/publiccode.yml"), dir.join("again.yml")).unwrap();
    let files = cantiere_publiccode::find_files(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(files, vec![dir.join("again.yml")], "one file, through the first path met, once");
    std::fs::remove_dir_all(&dir).unwrap();
}
