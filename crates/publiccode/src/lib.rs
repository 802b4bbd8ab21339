//! publiccode.yml: the model, reader and validator of the standard Italian and European public
//! administrations use to describe software they publish for reuse (*riuso*).
//!
//! # Concepts
//!
//! A **publiccode.yml** file sits at the root of a software repository and describes the software:
//! name, URL, descriptions per language, licence, maintenance, platforms it integrates with. The
//! Italian national catalog (Developers Italia) only lists software whose file passes the
//! reference validator, `italia/publiccode-parser-go`. This crate reproduces that validator's
//! results exactly — same checks, same order, same message texts, same keys, lines and columns —
//! so a file valid here is valid there, and the reverse.
//!
//! Validation runs in the reference's stages, and each stage's results come in that order:
//!
//! 1. **Reading**: UTF-8, YAML syntax (duplicate keys and tabs are errors), one document, and a
//!    supported `publiccodeYmlVersion` (every accepted version is validated with the latest
//!    schema; versions other than `0` and `0.7` get a warning). A failure here is the only result.
//! 2. **Decoding** into the schema: wrong YAML types and unknown keys. At most one error, as the
//!    reference reports; the mapping that holds it is then treated as missing.
//! 3. **Rules** per field (required fields, enumerations, URLs, dates, languages, licences…).
//! 4. **Checks** across fields: relative files (logo, screenshots) exist and decode, video links
//!    have an oEmbed provider, and deprecation warnings (the Italian `IT` section, `genericName`…).
//!
//! The result is a [`Report`]: a list of [`Diagnostic`]s (error or warning, key path, message,
//! line, column) and the typed [`PublicCode`] document whenever the file could be read. Only a
//! file that cannot be opened is an `Err`. A file is valid when it has no errors.
//!
//! # What needs outside data
//!
//! - Organisation URIs `urn:x-italian-pa:<code>` and `IT.riuso.codiceIPA` must name a known
//!   administration: load an [`IpaCodes`] list into [`Options::ipa`]. Without one, any
//!   well-formed code passes.
//! - Local file checks read the file system (relative to the file's folder); turn them off with
//!   [`Options::file_checks`]. Network checks (URL reachability) are not done: this crate never
//!   opens a connection.
//!
//! ```
//! use cantiere_publiccode::{Options, validate};
//!
//! let report = validate(b"publiccodeYmlVersion: \"0\"\nname: Medusa\n", &Options::default());
//! assert!(!report.is_valid());
//! assert_eq!(report.diagnostics[0].to_string(), "1:1: error: url: url is a required field");
//! ```

#![forbid(unsafe_code)]

use std::fmt;
use std::path::{Path as FsPath, PathBuf};

mod checks;
mod decode;
pub mod goturl;
mod ipa;
mod model;
mod path;
pub mod rules;
mod schema;
mod validate;
pub mod vocab;
pub mod yaml;

pub use ipa::{IpaCheck, IpaCodes};
pub use model::*;
pub use yaml::{Limits, Pos};

/// Error or warning. Warnings do not make a file invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One result of validation, as the reference reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    #[serde(rename = "type")]
    pub severity: Severity,
    /// Path of the key (`description[en-GB].features`, `maintenance.contacts[0].email`); "" for
    /// errors about the whole file.
    pub key: String,
    #[serde(rename = "description")]
    pub message: String,
    /// 1-based; 0 when the reference gives no position.
    pub line: u32,
    pub column: u32,
}

impl Diagnostic {
    fn new(severity: Severity, key: impl Into<String>, message: impl Into<String>, pos: Pos) -> Diagnostic {
        Diagnostic { severity, key: key.into(), message: message.into(), line: pos.line, column: pos.column }
    }

    pub(crate) fn error(key: impl Into<String>, message: impl Into<String>, pos: Pos) -> Diagnostic {
        Diagnostic::new(Severity::Error, key, message, pos)
    }

    pub(crate) fn warning(key: impl Into<String>, message: impl Into<String>, pos: Pos) -> Diagnostic {
        Diagnostic::new(Severity::Warning, key, message, pos)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `LINE:COL: error|warning: KEY: MESSAGE` (the key part is left out when empty).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {kind}: ", self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// What validation found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// The document, normalised as the reference does (`it:` moved to `IT`, an organisation made
    /// from `IT.riuso.codiceIPA`), whenever the file could be read past its version.
    pub document: Option<PublicCode>,
}

impl Report {
    /// No errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn fail(key: &str, message: impl Into<String>, pos: Pos) -> Report {
        Report { diagnostics: vec![Diagnostic::error(key, message, pos)], document: None }
    }
}

/// How to validate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Known iPA codes; empty means "accept any well-formed code".
    pub ipa: IpaCodes,
    /// Check that relative logo, screenshot and authors files exist (and PNGs decode).
    pub file_checks: bool,
    /// Folder relative files are resolved against when validating bytes; [`validate_file`] uses
    /// the file's folder. Without one, file checks are skipped.
    pub base_dir: Option<PathBuf>,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options { ipa: IpaCodes::default(), file_checks: true, base_dir: None, limits: Limits::default() }
    }
}

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct ReadError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The files to validate under `paths`: a file as given (whatever its
/// name), and the `.yml`/`.yaml` files under a folder, walked in sorted order.
/// Links are followed, but no folder or file is visited twice (a link to a
/// parent folder would otherwise repeat its files until the path is too long).
pub fn find_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    struct Walk {
        seen: std::collections::HashSet<PathBuf>,
        files: Vec<PathBuf>,
    }
    impl Walk {
        /// True the first time a path's real location is met.
        fn first(&mut self, path: &FsPath) -> bool {
            self.seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
        fn walk(&mut self, path: &FsPath) -> std::io::Result<()> {
            if !path.is_dir() {
                if self.first(path) {
                    self.files.push(path.to_path_buf());
                }
                return Ok(());
            }
            if !self.first(path) {
                return Ok(());
            }
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            entries.sort();
            for entry in entries {
                if entry.is_dir() {
                    self.walk(&entry)?;
                } else if entry.extension().is_some_and(|e| e == "yml" || e == "yaml") && self.first(&entry) {
                    self.files.push(entry);
                }
            }
            Ok(())
        }
    }
    let mut w = Walk { seen: std::collections::HashSet::new(), files: Vec::new() };
    for path in paths {
        w.walk(path)?;
    }
    Ok(w.files)
}

/// The folder relative references of a file are resolved against.
fn base_of(path: &FsPath) -> Option<PathBuf> {
    std::path::absolute(path).ok().and_then(|p| p.parent().map(FsPath::to_path_buf))
}

/// Validates bytes read from `path` (relative references are resolved
/// against its folder), for callers that also need the bytes.
pub fn validate_read(path: &FsPath, bytes: &[u8], options: &Options) -> Report {
    let dir = base_of(path);
    validate_at(bytes, options, dir.as_deref().or(options.base_dir.as_deref()))
}

/// Validates a file; relative references are resolved against its folder.
pub fn validate_file(path: &FsPath, options: &Options) -> Result<Report, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError { path: path.to_path_buf(), source })?;
    Ok(validate_read(path, &bytes, options))
}

/// Validates the bytes of a publiccode.yml.
pub fn validate(bytes: &[u8], options: &Options) -> Report {
    validate_at(bytes, options, options.base_dir.as_deref())
}

/// What we add to the reference's error for a file that begins with a byte-order mark.
pub const BOM_MESSAGE: &str = "the file begins with a UTF-8 byte-order mark (U+FEFF), which hides its first key \
     (publiccodeYmlVersion) from the reference validator: save the file as UTF-8 without BOM";

/// Validates bytes read from a file in the folder `base` (relative references resolve there).
pub fn validate_at(bytes: &[u8], options: &Options, base: Option<&FsPath>) -> Report {
    const VERSION: &str = "publiccodeYmlVersion";
    let none = Pos::default();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Report::fail("", "Invalid UTF-8", none);
    };
    let root = match yaml::read(text, &options.limits) {
        Ok(Some(root)) => root,
        Ok(None) => return Report::fail(VERSION, "publiccodeYmlVersion is a required field", none),
        Err(yaml::ReadError::Syntax { message, line }) => return Report::fail("", message, Pos { line, column: 1 }),
        Err(yaml::ReadError::MultipleDocuments) => {
            return Report::fail("", "multiple YAML documents in one file are not supported", none);
        }
        Err(yaml::ReadError::TooLarge(why)) => return Report::fail("", why, none),
    };
    // A byte-order mark becomes part of the first key for the reference: the version is not found.
    // We give the reference's error, then say what is really wrong.
    if text.starts_with('\u{feff}') {
        let mut report = Report::fail(VERSION, "publiccodeYmlVersion is a required field", none);
        report.diagnostics.push(Diagnostic::error("", BOM_MESSAGE, Pos { line: 1, column: 1 }));
        return report;
    }
    let version = root.entry(VERSION);
    let Some((key, value)) = version else {
        return Report::fail(VERSION, "publiccodeYmlVersion is a required field", none);
    };
    let version = match value.as_scalar().map(|s| s.resolve()) {
        Some(yaml::Resolved::Str(v)) => v,
        _ => return Report::fail(VERSION, "wrong type for this field", key.pos),
    };
    if !vocab::SUPPORTED_VERSIONS.contains(&version) {
        let list = vocab::SUPPORTED_VERSIONS.join(", ");
        return Report::fail(VERSION, format!("unsupported version: '{version}'. Supported versions: {list}"), none);
    }
    let mut diagnostics = Vec::new();
    if version != "0" && !version.starts_with("0.7") {
        let message = format!("v{version} is not the latest version, use '0'. Parsing this file as v0.7.");
        diagnostics.push(Diagnostic::warning(VERSION, message, key.pos));
    }

    let (decoded, error) = decode::decode_root(&root, schema::PUBLICCODE);
    if let Some(error) = error {
        diagnostics.push(match error {
            decode::DecodeError::WrongType { line } => Diagnostic::error(
                path::find_key_at_line(&root, line).unwrap_or_default(),
                "wrong type for this field",
                Pos { line, column: 1 },
            ),
            decode::DecodeError::UnknownField { name, line } => Diagnostic::error(
                path::find_key_at_line(&root, line).unwrap_or_default(),
                format!("unknown field \"{name}\""),
                Pos { line, column: 1 },
            ),
            decode::DecodeError::Other(message) => Diagnostic::error("", message, none),
        });
    }

    let mut validator = validate::Validator { root: &root, ipa: &options.ipa, out: diagnostics };
    validator.validate_struct(&decoded, schema::PUBLICCODE, &path::Path::default());
    let mut document = PublicCode::from_decoded(&decoded, schema::PUBLICCODE);
    let mut checks = checks::Checks {
        root: &root,
        base: base.filter(|_| options.file_checks),
        ipa: &options.ipa,
        out: validator.out,
    };
    if let Some(doc) = &mut document {
        checks.run(doc);
        doc.normalise();
    }
    Report { diagnostics: checks.out, document }
}
