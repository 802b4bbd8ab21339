//! The checks the reference runs after struct validation (`validateFieldsV0`, SPEC.md §4), in
//! its order: file references (logo, screenshots, authors file), oEmbed video links, lowercase
//! country codes and every deprecation warning. Keys are always dotted here.

use std::path::{Component, Path as FsPath, PathBuf};
use std::sync::OnceLock;

use crate::ipa::{IpaCheck, IpaCodes};
use crate::model::PublicCode;
use crate::path::{Path, find_key_pos};
use crate::yaml::Node;
use crate::{Diagnostic, goturl, vocab};

const SAFE_TO_DROP: &str = "This key is DEPRECATED and will be removed in the future. It's safe to drop it";

pub struct Checks<'a> {
    pub root: &'a Node,
    /// The directory relative file references are resolved against; `None` skips file checks.
    pub base: Option<&'a FsPath>,
    pub ipa: &'a IpaCodes,
    pub out: Vec<Diagnostic>,
}

impl Checks<'_> {
    fn error(&mut self, path: &Path, message: String) {
        let pos = find_key_pos(self.root, path);
        self.out.push(Diagnostic::error(path.dotted(), message, pos));
    }

    fn warning(&mut self, path: &Path, message: String) {
        let pos = find_key_pos(self.root, path);
        self.out.push(Diagnostic::warning(path.dotted(), message, pos));
    }

    pub fn run(&mut self, doc: &PublicCode) {
        let root = Path::default();
        if let Some(logo) = doc.logo.as_deref().filter(|l| !l.is_empty()) {
            self.logo(&root.key("logo"), logo);
        }
        if let Some(logo) = doc.monochrome_logo.as_deref() {
            let p = root.key("monochromeLogo");
            self.warning(&p, "This key is DEPRECATED and will be removed in the future. Use 'logo' instead".into());
            if !logo.is_empty() {
                self.logo(&p, logo);
            }
        }
        if let Some(audience) = &doc.intended_audience {
            let p = root.key("intendedAudience");
            for (key, list) in
                [("countries", &audience.countries), ("unsupportedCountries", &audience.unsupported_countries)]
            {
                for (i, code) in list.iter().enumerate() {
                    if code.chars().all(|c| c.is_ascii_lowercase()) && vocab::is_country(code) {
                        let upper = code.to_ascii_uppercase();
                        let message =
                            format!("Lowercase country codes are DEPRECATED. Use uppercase instead ('{upper}')");
                        self.warning(&p.key(key).index(i), message);
                    }
                }
            }
        }
        if let Some(file) = &doc.legal.authors_file {
            let p = root.key("legal").key("authorsFile");
            self.warning(&p, SAFE_TO_DROP.into());
            if self.forbidden_reference(&p, file)
                && let Some(abs) = self.local_file(file)
                && !abs.exists()
            {
                let abs = abs.display();
                self.error(&p, format!("'{abs}' does not exist: no such file: {abs}"));
            }
        }
        if doc.legal.repo_owner.is_some() {
            self.warning(
                &root.key("legal").key("repoOwner"),
                "This key is DEPRECATED and will be removed in the future. Use 'organisation.name' instead".into(),
            );
        }
        if doc.input_types.is_some() {
            self.warning(&root.key("inputTypes"), SAFE_TO_DROP.into());
        }
        if doc.output_types.is_some() {
            self.warning(&root.key("outputTypes"), SAFE_TO_DROP.into());
        }
        for (lang, desc) in &doc.description {
            let p = root.key("description").key(lang);
            if !desc.generic_name.is_empty() {
                self.warning(&p.key("genericName"), SAFE_TO_DROP.into());
            }
            for (i, shot) in desc.screenshots.iter().enumerate() {
                self.screenshot(&p.key("screenshots").index(i), shot);
            }
            for (i, video) in desc.videos.iter().enumerate() {
                if !is_oembed_video(video) {
                    let message =
                        format!("'{video}' is not a valid video URL supporting oEmbed: invalid oEmbed link: {video}");
                    self.error(&p.key("videos").index(i), message);
                }
            }
        }
        self.italian_section(doc);
    }

    fn italian_section(&mut self, doc: &PublicCode) {
        let it = Path::default().key("it");
        if doc.it_lowercase.is_some() {
            self.warning(
                &it,
                "Lowercase country codes are DEPRECATED and will be removed in the future. Use 'IT' instead".into(),
            );
            if doc.it.is_some() {
                self.error(&it, "'IT' key already present. Remove this key".into());
            }
        }
        let Some(section) = doc.it.as_ref().or(doc.it_lowercase.as_ref()) else { return };
        let p = Path::default().key("IT");
        if section.conforme.is_some() {
            self.warning(&p.key("conforme"), SAFE_TO_DROP.into());
        }
        let code = &section.riuso.codice_ipa;
        if !code.is_empty() && self.ipa.check(code) != IpaCheck::NotKnown {
            self.warning(
                &p.key("riuso").key("codiceIPA"),
                format!(
                    "This key is DEPRECATED and will be removed in the future. Use 'organisation.uri' and set it to 'urn:x-italian-pa:{code}' instead"
                ),
            );
        }
    }

    /// Absolute paths and `file:` URLs are refused in every mode. Returns whether to go on.
    fn forbidden_reference(&mut self, p: &Path, value: &str) -> bool {
        if value.starts_with('/') {
            self.error(p, "is an absolute path. Only relative paths or HTTP(s) URLs allowed".into());
            false
        } else if value.starts_with("file:") {
            self.error(p, "is a file:// URL. Only relative paths or HTTP(s) URLs allowed".into());
            false
        } else {
            true
        }
    }

    /// The local file a relative reference names; `None` for absolute URLs (a network check) or
    /// when file checks are off.
    fn local_file(&self, value: &str) -> Option<PathBuf> {
        let base = self.base?;
        if goturl::parse_request_uri(value).is_ok() {
            return None;
        }
        Some(clean(&base.join(value)))
    }

    fn logo(&mut self, p: &Path, value: &str) {
        if !self.forbidden_reference(p, value) {
            return;
        }
        let Some(abs) = self.local_file(value) else { return };
        let ext = extension(&abs);
        if !matches!(ext.as_str(), "svg" | "svgz" | "png") {
            self.error(p, format!("invalid file extension for: {}", abs.display()));
        } else if !abs.is_file() {
            self.error(p, format!("no such file: {}", abs.display()));
        } else if ext == "png"
            && let Err(e) = decode_png(&abs)
        {
            self.error(p, e);
        }
    }

    fn screenshot(&mut self, p: &Path, value: &str) {
        if !self.forbidden_reference(p, value) {
            return;
        }
        let Some(abs) = self.local_file(value) else { return };
        let cause = if !matches!(extension(&abs).as_str(), "jpg" | "png") {
            format!("invalid file extension for: {}", abs.display())
        } else if !abs.is_file() {
            format!("no such file: {}", abs.display())
        } else {
            return;
        };
        self.error(p, format!("'{value}' is not an image: {cause}"));
    }
}

fn extension(p: &FsPath) -> String {
    p.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

/// Lexical clean, as Go's `filepath.Join` does: no `.`, `..` folded into its parent.
fn clean(p: &FsPath) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Decodes a PNG completely, as the reference does (`image.Decode`).
fn decode_png(path: &FsPath) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("image: unknown format".into());
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().map_err(|e| format!("png: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    reader.next_frame(&mut buf).map_err(|e| format!("png: {e}"))?;
    Ok(())
}

/// A video link one of the known oEmbed providers serves (the providers' URL schemes, `*`
/// matching any text). The provider list is the one the `oembed` crate ships.
pub fn is_oembed_video(url: &str) -> bool {
    static SCHEMA: OnceLock<oembed::client::Schema> = OnceLock::new();
    let schema = SCHEMA.get_or_init(oembed::client::Schema::load_included);
    schema.match_endpoint(url).is_some_and(|m| glob(m.matched_scheme.as_bytes(), url.as_bytes()))
}

/// Anchored glob where `*` matches any run of characters.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_links_need_an_oembed_provider() {
        assert!(is_oembed_video("https://www.youtube.com/watch?v=RaHmGbBOP84"));
        assert!(is_oembed_video("https://vimeo.com/76979871"));
        assert!(!is_oembed_video("https://google.com"));
        assert!(!is_oembed_video("ABC"));
        assert!(!is_oembed_video("https://www.youtube.com/"));
    }

    #[test]
    fn glob_matches_anchored() {
        assert!(glob(b"https://*.example.com/v/*", b"https://a.b.example.com/v/1"));
        assert!(!glob(b"https://*.example.com/v/*", b"https://a.example.com/w/1"));
        assert!(glob(b"a*", b"a"));
    }

    #[test]
    fn paths_are_cleaned_like_go() {
        assert_eq!(clean(FsPath::new("/a/b/../c/./d.png")), PathBuf::from("/a/c/d.png"));
    }
}
