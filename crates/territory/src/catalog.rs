//! The reuse catalog's sources: publiccode.yml files read from folders, from
//! a local git repository's default branch (as the national crawler reads
//! it) or from repository URLs (cloned shallow), each validated offline
//! into the record the store keeps (`cantiere_store::catalog::SolutionRecord`).
//! A source that cannot be read is a record too, with the reason as its one
//! error: nothing is dropped.

use std::path::{Path, PathBuf};

use cantiere_publiccode::{Options, PublicCode, ReadError, Report, validate_at, validate_read};
use cantiere_store::catalog::SolutionRecord;

/// FNV-1a 64 of bytes, hex: the content hash of what is ingested or imported.
pub(crate) fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A note ingestion adds to a file beside the validator's diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// [`OUTSIDE_REPOSITORY`] or [`SCRIPT_LINK`].
    pub kind: String,
    /// The key it is about (`logo`, `description.it.screenshots[0]`), or empty.
    pub key: String,
    /// What it means, in English.
    pub description: String,
}

/// The file was read outside its repository (a copy, a corpus): its
/// relative logo and screenshots could not be checked, and were not.
pub const OUTSIDE_REPOSITORY: &str = "outside_repository";
/// A value is a `javascript:`, `vbscript:` or `data:` link: never shown as a link.
pub const SCRIPT_LINK: &str = "script_link";

/// Reads and validates one file (offline: no network checks). A file in a
/// folder with no `.git` beside it is a copy out of its repository: its
/// relative logo and screenshots cannot be checked, so they are not (a
/// note says so) rather than failing the file.
pub fn read_file(path: &Path, options: &Options) -> SolutionRecord {
    let source = path.display().to_string();
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let in_repository = folder.join(".git").exists();
    // Read once: the same bytes are hashed and validated.
    match std::fs::read(path) {
        Ok(bytes) if in_repository || !options.file_checks => {
            from_report(source, &bytes, validate_read(path, &bytes, options), None)
        }
        Ok(bytes) => {
            let unchecked = Options { file_checks: false, ..options.clone() };
            let report = validate_read(path, &bytes, &unchecked);
            let note = unchecked_files(&report);
            from_report(source, &bytes, report, note)
        }
        Err(error) => unreadable(source, &ReadError { path: path.to_path_buf(), source: error }.to_string()),
    }
}

/// The note for a file whose relative files could not be checked, if it names any.
fn unchecked_files(report: &Report) -> Option<Note> {
    report.document.as_ref().and_then(relative_files).map(|keys| Note {
        kind: OUTSIDE_REPOSITORY.into(),
        key: keys.join(", "),
        description: "read without its repository's files: these relative files were not checked".into(),
    })
}

/// The keys of a document naming relative files (not URLs), if any.
fn relative_files(doc: &PublicCode) -> Option<Vec<String>> {
    let relative = |v: &str| !v.contains("://");
    let mut keys: Vec<String> = Vec::new();
    for (key, value) in [("logo", &doc.logo), ("monochromeLogo", &doc.monochrome_logo)] {
        if value.as_deref().is_some_and(relative) {
            keys.push(key.into());
        }
    }
    for (lang, d) in &doc.description {
        for (i, shot) in d.screenshots.iter().enumerate() {
            if relative(shot) {
                keys.push(format!("description.{lang}.screenshots[{i}]"));
            }
        }
    }
    if doc.legal.authors_file.as_deref().is_some_and(relative) {
        keys.push("legal.authorsFile".into());
    }
    (!keys.is_empty()).then_some(keys)
}

/// The document's string values whose link scheme is `javascript:`,
/// `vbscript:` or `data:`, read as a browser reads a URL: ASCII
/// whitespace and control characters dropped, case ignored.
fn script_links(value: &serde_json::Value, key: &str, out: &mut Vec<Note>) {
    match value {
        serde_json::Value::String(s) => {
            let folded: String =
                s.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).take(16).collect::<String>();
            let folded = folded.to_ascii_lowercase();
            if ["javascript:", "vbscript:", "data:"].iter().any(|p| folded.starts_with(p)) {
                out.push(Note {
                    kind: SCRIPT_LINK.into(),
                    key: key.to_string(),
                    description: "a script or data link: shown as text, never as a link".into(),
                });
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                script_links(v, &format!("{key}[{i}]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                script_links(v, &path, out);
            }
        }
        _ => {}
    }
}

/// Validates the bytes of a file that came from `source`, with no folder
/// to resolve relative references against (a git object, a download): a
/// note names the relative files that could not be checked.
pub fn read_bytes(source: String, bytes: &[u8], options: &Options) -> SolutionRecord {
    let report = validate_at(bytes, options, None);
    let note = if options.file_checks { unchecked_files(&report) } else { None };
    from_report(source, bytes, report, note)
}

fn from_report(source: String, bytes: &[u8], report: Report, note: Option<Note>) -> SolutionRecord {
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let doc = report.document.as_ref();
    let mut notes: Vec<Note> = note.into_iter().collect();
    if let Some(json) = doc.and_then(|d| serde_json::to_value(d).ok()) {
        script_links(&json, "", &mut notes);
    }
    let diagnostics = serde_json::to_string(&report.diagnostics).unwrap_or_else(|_| "[]".into());
    let notes = serde_json::to_string(&notes).unwrap_or_else(|_| "[]".into());
    // The hash covers what is derived from the bytes too: a new validator
    // or a new list of iPA codes refreshes a stored file.
    let mut hashed = bytes.to_vec();
    hashed.extend_from_slice(diagnostics.as_bytes());
    hashed.extend_from_slice(notes.as_bytes());
    SolutionRecord {
        source,
        name: doc.map(|d| d.name.clone()).unwrap_or_default(),
        url: doc.map(|d| d.url.clone()).unwrap_or_default(),
        valid: report.is_valid(),
        errors,
        warnings: report.diagnostics.len() - errors,
        diagnostics,
        document: doc.map(|d| d.to_json()),
        content_hash: fnv1a(&hashed),
        notes,
    }
}

/// A source that could not be read: kept, inactive, with the reason as
/// its one error diagnostic.
pub fn unreadable(source: String, message: &str) -> SolutionRecord {
    SolutionRecord {
        source,
        name: String::new(),
        url: String::new(),
        valid: false,
        errors: 1,
        warnings: 0,
        diagnostics: serde_json::json!([{"type": "error", "key": "", "description": message}]).to_string(),
        document: None,
        content_hash: fnv1a(message.as_bytes()),
        notes: "[]".into(),
    }
}

/// The publiccode.yml at the root of a local git repository's default
/// branch, as the national crawler reads it: the branch the remote's
/// `HEAD` names when the repository is a clone, its own `HEAD` otherwise
/// (a bare mirror, a repository of one's own). The working tree and
/// other branches are not looked at. Source: `git:<absolute path>`.
pub fn read_git(repo: &Path, options: &Options) -> SolutionRecord {
    let source = format!("git:{}", std::path::absolute(repo).unwrap_or_else(|_| repo.to_path_buf()).display());
    read_git_as(source, repo, options)
}

fn read_git_as(source: String, repo: &Path, options: &Options) -> SolutionRecord {
    match read_from_git(repo) {
        Ok((bytes, _)) => read_bytes(source, &bytes, options),
        Err(message) => unreadable(source, &message),
    }
}

/// Clones a repository by URL (shallow, into `cache`) and reads its
/// publiccode.yml like [`read_git`]. Source: the URL. A
/// repository that cannot be cloned is a record with the reason.
pub fn clone_url(url: &str, cache: &Path, options: &Options) -> SolutionRecord {
    let dir = cache.join(fnv1a(url.as_bytes()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(cache) {
        return unreadable(url.to_string(), &format!("cannot create {}: {e}", cache.display()));
    }
    let out = std::process::Command::new("git")
        .args(["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=30", "clone", "--quiet", "--depth", "1"])
        .args(["--no-tags", "--", url])
        .arg(&dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output();
    match out {
        Ok(o) if o.status.success() => read_git_as(url.to_string(), &dir, options),
        Ok(o) => {
            unreadable(url.to_string(), &format!("git clone failed: {}", String::from_utf8_lossy(&o.stderr).trim()))
        }
        Err(e) => unreadable(url.to_string(), &format!("cannot run git: {e}")),
    }
}

fn git(repo: &Path, args: &[&str]) -> std::result::Result<Vec<u8>, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_string()) }
}

/// The default branch's publiccode.yml (or .yaml) and the ref it was read at.
fn read_from_git(repo: &Path) -> std::result::Result<(Vec<u8>, String), String> {
    git(repo, &["rev-parse", "--git-dir"]).map_err(|e| format!("{} is not a git repository: {e}", repo.display()))?;
    let branch = git(repo, &["symbolic-ref", "-q", "refs/remotes/origin/HEAD"])
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "HEAD".to_string());
    for name in ["publiccode.yml", "publiccode.yaml"] {
        if let Ok(bytes) = git(repo, &["show", &format!("{branch}:{name}")]) {
            return Ok((bytes, branch));
        }
    }
    Err(format!("{}: no publiccode.yml at the root of the default branch ({branch})", repo.display()))
}

/// Repository URLs from a list: one per line; blank lines and `#` comments
/// skipped.
pub fn read_url_list(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

/// The `.yml` and `.yaml` files under the given files and folders (the
/// validator's walk), sorted, each once.
pub fn find_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = cantiere_publiccode::find_files(paths)?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Repository URLs claimed by more than one source, with those sources
/// (sorted; empty URLs are not compared). Both copies are kept: which one is
/// authoritative is for the catalog's editors to say.
pub fn duplicate_urls(records: &[SolutionRecord]) -> Vec<(String, Vec<String>)> {
    let mut by_url: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for r in records.iter().filter(|r| !r.url.is_empty()) {
        by_url.entry(cantiere_store::adoption::url_key(&r.url)).or_default().push(r.source.clone());
    }
    by_url
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(u, mut v)| {
            v.sort();
            (u, v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(source: &str, url: &str) -> SolutionRecord {
        SolutionRecord {
            source: source.into(),
            name: String::new(),
            url: url.into(),
            valid: true,
            errors: 0,
            warnings: 0,
            diagnostics: "[]".into(),
            document: None,
            content_hash: String::new(),
            notes: "[]".into(),
        }
    }

    #[test]
    fn the_same_repository_under_two_sources_is_reported() {
        let records = [
            record("a/publiccode.yml", "https://github.com/x/y.git"),
            record("b/publiccode.yml", "https://GitHub.com/x/y/"),
            record("c/publiccode.yml", "https://github.com/x/z"),
            record("d/publiccode.yml", ""),
            record("e/publiccode.yml", ""),
        ];
        assert_eq!(
            duplicate_urls(&records),
            vec![(
                "https://github.com/x/y".to_string(),
                vec!["a/publiccode.yml".to_string(), "b/publiccode.yml".to_string()]
            )]
        );
    }

    #[test]
    fn script_links_are_found_as_a_browser_reads_them() {
        let doc = serde_json::json!({
            "url": "https://example.org/x",
            "landingURL": " JaVa\tScript:alert(1)",
            "description": {"it": {"documentation": "data:text/html,<b>", "videos": ["https://v", "vbscript:x"]}},
            "name": "javascript is a language",
        });
        let mut notes = Vec::new();
        script_links(&doc, "", &mut notes);
        let mut keys: Vec<&str> = notes.iter().map(|n| n.key.as_str()).collect();
        keys.sort();
        assert_eq!(keys, ["description.it.documentation", "description.it.videos[1]", "landingURL"]);
        assert!(notes.iter().all(|n| n.kind == SCRIPT_LINK));
    }

    #[test]
    fn fnv1a_has_its_published_test_vectors() {
        assert_eq!(super::fnv1a(b""), "cbf29ce484222325");
        assert_eq!(super::fnv1a(b"a"), "af63dc4c8601ec8c");
    }
}
