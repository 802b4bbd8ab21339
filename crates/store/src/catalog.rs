//! The reuse catalog's first stage: publiccode.yml files ingested with their
//! validation result.
//!
//! Every file is kept, valid or not: an invalid one is stored *inactive*
//! with its diagnostics, never dropped. Sources are keyed by where the file
//! came from (its path); ingesting again is idempotent: an unchanged file
//! (same content hash) only has its last-seen date updated.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use cantiere_publiccode::{Options, ReadError, Report, validate_at, validate_read};
use serde::Serialize;
use sqlx::{AnyPool, Row};

use crate::adoption::{SolutionRef, url_key};
use crate::snapshot::now;
use crate::{Result, db};

/// One file, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolutionRecord {
    /// Where it came from.
    pub source: String,
    /// `name` of the document (empty when unreadable).
    pub name: String,
    /// `url` of the document.
    pub url: String,
    /// No error diagnostics.
    pub valid: bool,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Diagnostics as JSON (the validator's `{type, key, description, line, column}`).
    pub diagnostics: String,
    /// The normalised document as JSON, when the file could be read.
    pub document: Option<String>,
    /// FNV-1a 64 of the file's bytes, hex.
    pub content_hash: String,
}

fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl SolutionRecord {
    /// Reads and validates one file (offline: no network checks).
    pub fn from_file(path: &Path, options: &Options) -> SolutionRecord {
        let source = path.display().to_string();
        // Read once: the same bytes are hashed and validated.
        match std::fs::read(path) {
            Ok(bytes) => SolutionRecord::from_report(source, &bytes, validate_read(path, &bytes, options)),
            Err(error) => {
                SolutionRecord::unreadable(source, &ReadError { path: path.to_path_buf(), source: error }.to_string())
            }
        }
    }

    /// Validates the bytes of a file that came from `source`, with no folder
    /// to resolve relative references against (a git object, a download).
    pub fn from_bytes(source: String, bytes: &[u8], options: &Options) -> SolutionRecord {
        let report = validate_at(bytes, options, None);
        SolutionRecord::from_report(source, bytes, report)
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
    pub fn from_git(repo: &Path, options: &Options) -> SolutionRecord {
        let source = format!("git:{}", std::path::absolute(repo).unwrap_or_else(|_| repo.to_path_buf()).display());
        SolutionRecord::from_git_as(source, repo, options)
    }

    fn from_git_as(source: String, repo: &Path, options: &Options) -> SolutionRecord {
        match read_from_git(repo) {
            Ok((bytes, _)) => SolutionRecord::from_bytes(source, &bytes, options),
            Err(message) => SolutionRecord::unreadable(source, &message),
        }
    }

    /// Clones a repository by URL (shallow, into `cache`) and reads its
    /// publiccode.yml like [`SolutionRecord::from_git`]. Source: the URL. A
    /// repository that cannot be cloned is a record with the reason.
    pub fn from_url(url: &str, cache: &Path, options: &Options) -> SolutionRecord {
        let dir = cache.join(fnv1a(url.as_bytes()));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(cache) {
            return SolutionRecord::unreadable(url.to_string(), &format!("cannot create {}: {e}", cache.display()));
        }
        let out = std::process::Command::new("git")
            .args(["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=30", "clone", "--quiet", "--depth", "1"])
            .args(["--no-tags", "--", url])
            .arg(&dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output();
        match out {
            Ok(o) if o.status.success() => SolutionRecord::from_git_as(url.to_string(), &dir, options),
            Ok(o) => SolutionRecord::unreadable(
                url.to_string(),
                &format!("git clone failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
            ),
            Err(e) => SolutionRecord::unreadable(url.to_string(), &format!("cannot run git: {e}")),
        }
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
        by_url.entry(crate::adoption::url_key(&r.url)).or_default().push(r.source.clone());
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

/// What an ingestion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct IngestSummary {
    /// Sources seen for the first time.
    pub new: usize,
    /// Known sources whose content changed.
    pub updated: usize,
    /// Known sources unchanged.
    pub unchanged: usize,
    /// Valid files (active).
    pub valid: usize,
    /// Invalid files (stored inactive).
    pub invalid: usize,
}

/// A stored solution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSolution {
    /// The catalog's id (stable across ingestions of the same source).
    pub id: i64,
    /// The record.
    pub record: SolutionRecord,
    /// Whether it is listed (valid).
    pub active: bool,
    /// First ingested.
    pub first_seen: String,
    /// Last ingested.
    pub last_seen: String,
}

pub(crate) async fn ingest(pool: &AnyPool, records: &[SolutionRecord]) -> Result<IngestSummary> {
    let mut summary = IngestSummary::default();
    let now = now();
    let mut tx = pool.begin().await.map_err(db("starting the catalog ingestion"))?;
    for r in records {
        if r.valid {
            summary.valid += 1;
        } else {
            summary.invalid += 1;
        }
        let known = sqlx::query("SELECT content_hash FROM solution WHERE source = $1")
            .bind(r.source.clone())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db(format!("reading solution {}", r.source)))?;
        let write = |sql: &'static str| {
            sqlx::query(sql)
                .bind(r.name.clone())
                .bind(r.url.clone())
                .bind(i64::from(r.valid))
                .bind(i64::from(r.valid))
                .bind(r.errors as i64)
                .bind(r.warnings as i64)
                .bind(r.diagnostics.clone())
                .bind(r.document.clone())
                .bind(r.content_hash.clone())
                .bind(now.clone())
        };
        match known {
            None => {
                write(
                    "INSERT INTO solution (name, url, valid, active, errors, warnings, diagnostics, document, \
                     content_hash, last_seen, first_seen, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(now.clone())
                .bind(r.source.clone())
                .execute(&mut *tx)
                .await
                .map_err(db(format!("storing solution {}", r.source)))?;
                summary.new += 1;
            }
            Some(row) => {
                let hash: String = row.try_get(0).map_err(db("reading a content hash"))?;
                if hash == r.content_hash {
                    summary.unchanged += 1;
                    sqlx::query("UPDATE solution SET last_seen = $1 WHERE source = $2")
                        .bind(now.clone())
                        .bind(r.source.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(db(format!("touching solution {}", r.source)))?;
                } else {
                    summary.updated += 1;
                    write(
                        "UPDATE solution SET name = $1, url = $2, valid = $3, active = $4, errors = $5, warnings = $6, \
                         diagnostics = $7, document = $8, content_hash = $9, last_seen = $10 WHERE source = $11",
                    )
                    .bind(r.source.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(db(format!("updating solution {}", r.source)))?;
                }
            }
        }
    }
    tx.commit().await.map_err(db("committing the catalog ingestion"))?;
    Ok(summary)
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<StoredSolution>> {
    let rows = sqlx::query(
        "SELECT source, name, url, valid, active, errors, warnings, diagnostics, document, content_hash, \
         first_seen, last_seen, id FROM solution ORDER BY source",
    )
    .fetch_all(pool)
    .await
    .map_err(db("reading the catalog"))?;
    rows.iter()
        .map(|r| {
            let get_i = |i: usize| r.try_get::<i64, _>(i).map_err(db("reading the catalog"));
            let get_s = |i: usize| r.try_get::<String, _>(i).map_err(db("reading the catalog"));
            Ok(StoredSolution {
                id: get_i(12)?,
                record: SolutionRecord {
                    source: get_s(0)?,
                    name: get_s(1)?,
                    url: get_s(2)?,
                    valid: get_i(3)? != 0,
                    errors: get_i(5)? as usize,
                    warnings: get_i(6)? as usize,
                    diagnostics: get_s(7)?,
                    document: r.try_get::<Option<String>, _>(8).map_err(db("reading the catalog"))?,
                    content_hash: get_s(9)?,
                },
                active: get_i(4)? != 0,
                first_seen: get_s(10)?,
                last_seen: get_s(11)?,
            })
        })
        .collect()
}

/// Ids of the stored solutions by id and by repository URL key (only URLs
/// that name one active solution; a URL claimed by several is ambiguous).
pub(crate) struct SolutionIndex {
    ids: BTreeSet<i64>,
    by_url: HashMap<String, Vec<i64>>,
}

impl SolutionIndex {
    pub(crate) async fn read(pool: &AnyPool) -> Result<SolutionIndex> {
        let rows = sqlx::query("SELECT id, url, active FROM solution")
            .fetch_all(pool)
            .await
            .map_err(db("reading the catalog"))?;
        let mut ids = BTreeSet::new();
        let mut by_url: HashMap<String, Vec<i64>> = HashMap::new();
        for r in rows {
            let id: i64 = r.try_get(0).map_err(db("reading the catalog"))?;
            let url: String = r.try_get(1).map_err(db("reading the catalog"))?;
            let active: i64 = r.try_get(2).map_err(db("reading the catalog"))?;
            ids.insert(id);
            if active != 0 && !url.is_empty() {
                by_url.entry(url_key(&url)).or_default().push(id);
            }
        }
        Ok(SolutionIndex { ids, by_url })
    }

    pub(crate) fn resolve(&self, r: &SolutionRef) -> std::result::Result<i64, String> {
        match r {
            SolutionRef::Id(id) if self.ids.contains(id) => Ok(*id),
            SolutionRef::Id(id) => Err(format!("no solution #{id} in the catalog")),
            SolutionRef::Url(u) => match self.by_url.get(&url_key(u)).map(Vec::as_slice) {
                Some([id]) => Ok(*id),
                Some(many) => Err(format!(
                    "{} catalog solutions have the repository `{u}` ({}): name one by its id",
                    many.len(),
                    many.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
                )),
                None => Err(format!("no active catalog solution has the repository `{u}`")),
            },
        }
    }
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
