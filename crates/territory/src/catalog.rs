//! The reuse catalog's sources: publiccode.yml files read from folders, from
//! a local git repository's default branch (as the national crawler reads
//! it) or from repository URLs (cloned shallow), each validated offline
//! into the record the store keeps (`cantiere_store::catalog::SolutionRecord`).
//! A source that cannot be read is a record too, with the reason as its one
//! error: nothing is dropped.

use std::path::{Path, PathBuf};

use cantiere_publiccode::{Options, ReadError, Report, validate_at, validate_read};
use cantiere_store::catalog::SolutionRecord;

fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Reads and validates one file (offline: no network checks).
pub fn read_file(path: &Path, options: &Options) -> SolutionRecord {
    let source = path.display().to_string();
    // Read once: the same bytes are hashed and validated.
    match std::fs::read(path) {
        Ok(bytes) => from_report(source, &bytes, validate_read(path, &bytes, options)),
        Err(error) => unreadable(source, &ReadError { path: path.to_path_buf(), source: error }.to_string()),
    }
}

/// Validates the bytes of a file that came from `source`, with no folder
/// to resolve relative references against (a git object, a download).
pub fn read_bytes(source: String, bytes: &[u8], options: &Options) -> SolutionRecord {
    let report = validate_at(bytes, options, None);
    from_report(source, bytes, report)
}

fn from_report(source: String, bytes: &[u8], report: Report) -> SolutionRecord {
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let doc = report.document.as_ref();
    SolutionRecord {
        source,
        name: doc.map(|d| d.name.clone()).unwrap_or_default(),
        url: doc.map(|d| d.url.clone()).unwrap_or_default(),
        valid: report.is_valid(),
        errors,
        warnings: report.diagnostics.len() - errors,
        diagnostics: serde_json::to_string(&report.diagnostics).unwrap_or_else(|_| "[]".into()),
        document: doc.map(|d| d.to_json()),
        content_hash: fnv1a(bytes),
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
    fn fnv1a_has_its_published_test_vectors() {
        assert_eq!(super::fnv1a(b""), "cbf29ce484222325");
        assert_eq!(super::fnv1a(b"a"), "af63dc4c8601ec8c");
    }
}
