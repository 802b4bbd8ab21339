//! Key paths (`description[en-GB].features`, `maintenance.contacts[0].email`) and how the
//! reference turns them into positions.

use crate::yaml::{Kind, Node, Pos};

/// One step of a path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A field of a struct.
    Key(String),
    /// A key of a free-form mapping (a language under `description`).
    MapKey(String),
    Index(usize),
}

/// A path from the document root to a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    pub fn map_key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::MapKey(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// The validator's spelling: map keys that are not purely alphabetic stay in brackets
    /// (`description[en-GB].shortDescription`, but `description.en.shortDescription`).
    pub fn validator_key(&self) -> String {
        self.spell(true)
    }

    fn spell(&self, brackets: bool) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            match seg {
                Seg::MapKey(k) if brackets && !k.chars().all(|c| c.is_ascii_alphabetic()) => {
                    out.push('[');
                    out.push_str(k);
                    out.push(']');
                }
                Seg::Key(k) | Seg::MapKey(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }

    /// Dotted spelling, indices in brackets: `description.en-GB.genericName`, `countries[0]`.
    pub fn dotted(&self) -> String {
        self.spell(false)
    }

    /// The last segment as the validator names a field in its messages (`countries[2]`, `name`).
    pub fn field_name(&self) -> String {
        match self.0.as_slice() {
            [.., Seg::Key(k) | Seg::MapKey(k), Seg::Index(n)] => format!("{k}[{n}]"),
            [.., Seg::Key(k) | Seg::MapKey(k)] => k.clone(),
            _ => String::new(),
        }
    }
}

/// Where the reference reports a result on `path`: the key's token; the enclosing mapping's
/// first key (or its `{`) when the last segment is missing; 0:0 when an intermediate one is;
/// a sequence item's token for `[n]`, or the key when the value is not a sequence.
pub fn find_key_pos(root: &Node, path: &Path) -> Pos {
    let mut node = root;
    let mut key_pos = Pos::default();
    let last = path.0.len().saturating_sub(1);
    for (i, seg) in path.0.iter().enumerate() {
        match seg {
            Seg::Key(k) | Seg::MapKey(k) => match node.entry(k) {
                Some((key, value)) => {
                    if i == last {
                        return key.pos;
                    }
                    key_pos = key.pos;
                    node = value;
                }
                None if i == last => return node.pos,
                None => return Pos::default(),
            },
            Seg::Index(n) => match &node.kind {
                Kind::Seq(items) => match items.get(*n) {
                    Some(item) if i == last => return item.pos,
                    Some(item) => node = item,
                    None => return Pos::default(),
                },
                _ => return key_pos,
            },
        }
    }
    node.pos
}

/// The dotted path of the first key or sequence item whose token is on `line`.
pub fn find_key_at_line(root: &Node, line: u32) -> Option<String> {
    fn walk(node: &Node, line: u32, path: &Path) -> Option<Path> {
        match &node.kind {
            Kind::Scalar(_) => None,
            Kind::Map(entries) => entries.iter().find_map(|(k, v)| {
                let p = path.key(k.key_text().unwrap_or_default());
                if k.pos.line == line { Some(p) } else { walk(v, line, &p) }
            }),
            Kind::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
                let p = path.index(i);
                if item.pos.line == line { Some(p) } else { walk(item, line, &p) }
            }),
        }
    }
    walk(root, line, &Path::default()).map(|p| p.dotted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, read};

    fn path(segs: &[&str]) -> Path {
        let seg = |(i, s): (usize, &&str)| match s.parse() {
            Ok(n) => Seg::Index(n),
            Err(_) if i == 1 => Seg::MapKey(s.to_string()),
            Err(_) => Seg::Key(s.to_string()),
        };
        Path(segs.iter().enumerate().map(seg).collect())
    }

    #[test]
    fn keys_are_spelled_as_the_reference_spells_them() {
        let p = path(&["description", "en-GB", "features"]);
        assert_eq!(p.validator_key(), "description[en-GB].features");
        assert_eq!(path(&["description", "en", "features"]).validator_key(), "description.en.features");
        assert_eq!(p.dotted(), "description.en-GB.features");
        assert_eq!(path(&["intendedAudience", "countries", "2"]).field_name(), "countries[2]");
    }

    #[test]
    fn positions_follow_the_reference_rules() {
        let doc = read("a: 1\nlegal: []\nd:\n  en-US: {}\n  it:\n    x: 1\ni: foo\nl:\n  - v\n", &Limits::default())
            .unwrap()
            .unwrap();
        let pos = |segs: &[&str]| {
            let p = find_key_pos(&doc, &path(segs));
            (p.line, p.column)
        };
        assert_eq!(pos(&["name"]), (1, 1));
        assert_eq!(pos(&["legal", "license"]), (2, 8));
        assert_eq!(pos(&["d", "en-US", "x"]), (4, 10));
        assert_eq!(pos(&["d", "it", "y"]), (6, 5));
        assert_eq!(pos(&["missing", "license"]), (0, 0));
        assert_eq!(pos(&["i", "0"]), (7, 1));
        assert_eq!(pos(&["l", "0"]), (9, 5));
        assert_eq!(find_key_at_line(&doc, 9).as_deref(), Some("l[0]"));
        assert_eq!(find_key_at_line(&doc, 6).as_deref(), Some("d.it.x"));
    }
}
