//! `cantiere publiccode validate|export`: the output formats and exit statuses the issue fixes,
//! on files of the reference suite and on files written by the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cantiere"))
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/publiccode/testdata/v0")
}

fn run(args: &[&str]) -> (i32, String, String) {
    // Run from the repository root so the default iPA source (../shared/data/padigitale2026) is found.
    let out = bin().args(args).current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn text_output_names_file_line_column_key_and_message_and_exits_1_on_errors() {
    let file = testdata().join("invalid/legal_license_invalid.yml");
    let (code, stdout, _) = run(&["publiccode", "validate", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!(
            "{}:42:3: error: legal.license: license must be a valid license (see https://spdx.org/licenses)\n",
            file.display()
        )
    );
}

#[test]
fn warnings_only_exit_0_and_json_lists_every_file() {
    let warn = testdata().join("valid_with_warnings/valid_with_legal_repoOwner.yml");
    let valid = testdata().join("valid/valid.minimal.yml");
    let (code, stdout, stderr) =
        run(&["publiccode", "validate", "--format", "json", warn.to_str().unwrap(), valid.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let files = json.as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[0]["results"][0]["type"], "warning");
    assert_eq!(files[0]["results"][0]["key"], "legal.repoOwner");
    assert_eq!(files[0]["results"][0]["line"], 70);
    assert_eq!(files[1]["results"].as_array().unwrap().len(), 0);
    assert!(stderr.contains("2 files: 2 valid, 0 with errors"), "{stderr}");
}

#[test]
fn folders_are_walked_and_json_mode_still_exits_1_on_errors() {
    let dir = std::env::temp_dir().join(format!("cantiere-publiccode-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.yml"), std::fs::read(testdata().join("valid/valid.minimal.yml")).unwrap()).unwrap();
    std::fs::write(dir.join("sub/b.yaml"), "publiccodeYmlVersion: \"0\"\nname: [oops]\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a publiccode file").unwrap();
    let (code, stdout, _) = run(&["publiccode", "validate", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let files = json.as_array().unwrap();
    assert_eq!(files.len(), 2, "{stdout}");
    assert_eq!(files[1]["valid"], false);
    assert_eq!(files[1]["results"][0]["description"], "wrong type for this field");
    assert_eq!(files[1]["results"][0]["key"], "name");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_file_is_a_clear_error_with_status_2() {
    let (code, _, stderr) = run(&["publiccode", "validate", "/no/such/publiccode.yml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/publiccode.yml"), "{stderr}");
}

#[test]
fn export_prints_the_normalised_document() {
    let file = testdata().join("valid_with_warnings/valid_with_IT_riuso_codiceIPA.yml");
    let (code, stdout, stderr) = run(&["publiccode", "export", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["organisation"]["uri"], "urn:x-italian-pa:pcm");
    let (code, yaml, _) = run(&["publiccode", "export", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(yaml.starts_with("publiccodeYmlVersion:"), "{yaml}");
    assert!(yaml.contains("\norganisation:\n  uri: urn:x-italian-pa:pcm\n"), "{yaml}");
}
