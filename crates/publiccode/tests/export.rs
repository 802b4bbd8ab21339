//! The normalised export reads back as the same document: for every file of the reference suite
//! that can be read, YAML → validate → YAML and JSON → document are lossless, and a valid file's
//! export is still valid.

use std::path::{Path, PathBuf};

use cantiere_publiccode::{Options, PublicCode, validate, validate_file};

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/publiccode/testdata/v0");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn exports_read_back_as_the_same_document() {
    // File checks off: the export is validated away from the assets its relative paths name.
    let options = Options { file_checks: false, ..Options::default() };
    let mut checked = 0;
    let mut valid = 0;
    for file in corpus_files() {
        let report = validate_file(&file, &options).unwrap();
        let Some(doc) = report.document.clone() else { continue };
        let yaml = doc.to_yaml();
        let again = validate(yaml.as_bytes(), &options);
        let back = again.document.as_ref().unwrap_or_else(|| panic!("{}: export unreadable:\n{yaml}", file.display()));
        assert_eq!(back, &doc, "{}: YAML export differs:\n{yaml}", file.display());
        let json: PublicCode = serde_json::from_str(&doc.to_json()).unwrap();
        assert_eq!(json, doc, "{}: JSON export differs", file.display());
        if report.is_valid() {
            assert!(again.is_valid(), "{}: export of a valid file is invalid: {:?}", file.display(), again.diagnostics);
            valid += 1;
        }
        checked += 1;
    }
    assert!(checked > 150 && valid > 35, "{checked} documents, {valid} valid");
}

#[test]
fn italian_section_is_normalised_as_the_reference_does() {
    let yaml = "publiccodeYmlVersion: \"0\"\nname: x\nlegal:\n  license: MIT\n  repoOwner: Comune di Roma\n\
                it:\n  riuso:\n    codiceIPA: c_h501\n  piattaforme:\n    spid: true\n";
    let doc = validate(yaml.as_bytes(), &Options::default()).document.unwrap();
    let it = doc.it.as_ref().expect("it: becomes IT");
    assert!(it.piattaforme.spid);
    assert_eq!(doc.it_lowercase, None);
    let org = doc.organisation.as_ref().expect("organisation made from codiceIPA");
    assert_eq!(org.uri, "urn:x-italian-pa:c_h501");
    assert_eq!(org.name.as_deref(), Some("Comune di Roma"));
    assert!(doc.to_yaml().contains("\nIT:\n"));
}
