//! The YAML reader: a node tree that keeps the line and column of every node.
//!
//! Built on the event stream of `saphyr-parser` (YAML 1.2). On top of it this module enforces what
//! the reference rejects and the YAML specification tolerates: duplicate keys, several documents;
//! and it bounds what a hostile file can cost: nesting depth and the number of nodes after alias
//! expansion ([`Limits`]).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

/// A 1-based line and column (in characters), as the reference reports them; `0:0` means "no position".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A YAML node: where it starts, and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Position of the node's first token (for a block mapping, its first key).
    pub pos: Pos,
    /// Written in flow style (`[...]`, `{...}`).
    pub flow: bool,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar as written, and whether it was quoted (quoted scalars are always strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub plain: bool,
    /// The tag's suffix when the scalar was tagged (`!!str` gives `str`).
    pub tag: Option<String>,
}

/// What a scalar resolves to under the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a str),
}

impl Scalar {
    /// Resolves a plain scalar as YAML 1.2 does: `yes`/`no`/`on`/`off` stay strings.
    pub fn resolve(&self) -> Resolved<'_> {
        let t = self.text.as_str();
        match self.tag.as_deref() {
            Some("str") => return Resolved::Str(t),
            Some("null") => return Resolved::Null,
            _ => {}
        }
        if !self.plain {
            return Resolved::Str(t);
        }
        match t {
            "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
            "true" | "True" | "TRUE" => return Resolved::Bool(true),
            "false" | "False" | "FALSE" => return Resolved::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Resolved::Float(f64::INFINITY),
            "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
            _ => {}
        }
        if let Some(i) = parse_int(t) {
            return Resolved::Int(i);
        }
        let digits = t.trim_start_matches(['-', '+']);
        let octal_like = digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
        if is_float(t)
            && !octal_like
            && let Ok(f) = t.parse::<f64>()
        {
            return Resolved::Float(f);
        }
        Resolved::Str(t)
    }
}

fn parse_int(t: &str) -> Option<i128> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // The reference's decoder reads a leading zero as YAML 1.1 octal (`0755`), and keeps the
    // text of what is not octal (`012345678901234567890123456789012345` stays a string).
    if radix == 10 && body.len() > 1 && body.starts_with('0') {
        let v = i64::from_str_radix(&body[1..], 8).ok()? as i128;
        return Some(if neg { -v } else { v });
    }
    let v = i64::from_str_radix(body, radix).ok()? as i128;
    Some(if neg { -v } else { v })
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

impl Node {
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar key.
    pub fn key_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.key_text() == Some(key)).map(|(k, v)| (k, v))
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.resolve() == Resolved::Null)
    }
}

/// Bounds on what one file may cost to read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes in the tree, aliases expanded (a "billion laughs" file stops here).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 16 << 20, max_depth: 256, max_nodes: 1_000_000 }
    }
}

/// Why a text is not one readable YAML document, with the position the reference gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// A YAML syntax error (including duplicate keys and tabs), at a line.
    Syntax { message: String, line: u32 },
    /// More than one document in the stream.
    MultipleDocuments,
    /// The file exceeds one of the [`Limits`].
    TooLarge(String),
}

/// Reads one YAML document. `Ok(None)` when the stream holds no document (empty, comments only).
pub fn read(text: &str, limits: &Limits) -> Result<Option<Node>, ReadError> {
    if text.len() > limits.max_bytes {
        return Err(ReadError::TooLarge(format!("the file is larger than {} bytes", limits.max_bytes)));
    }
    let mut builder = Builder { limits, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None, docs: 0 };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(syntax)?;
        let pos = Pos { line: span.start.line() as u32, column: span.start.col() as u32 + 1 };
        builder.event(event, pos)?;
    }
    Ok(builder.root)
}

fn syntax(e: ScanError) -> ReadError {
    let info = e.info();
    if info.contains("recursion limit") {
        return ReadError::TooLarge(format!("the document nests too deeply ({info})"));
    }
    // Keep the reference's wording for the errors its users meet most.
    let message = if info.contains("mapping values are not allowed")
        || info.contains("while parsing a block mapping, did not find expected key")
    {
        "value is not allowed in this context. map key-value is pre-defined".to_string()
    } else if info.contains("tab") {
        // The reference prints the tab character itself between the quotes.
        "found character '\t' that cannot start any token".to_string()
    } else {
        info.to_string()
    };
    ReadError::Syntax { message, line: e.marker().line() as u32 }
}

enum Open {
    Seq {
        node: Node,
        anchor: usize,
    },
    /// `seen`: where each key of the mapping was first written, so that a duplicate is found in
    /// constant time (a file of 150,000 keys is read in linear time).
    Map {
        node: Node,
        anchor: usize,
        key: Option<Node>,
        seen: HashMap<String, Pos>,
    },
}

struct Builder<'a> {
    limits: &'a Limits,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
    docs: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, pos: Pos) -> Result<(), ReadError> {
        match event {
            Event::DocumentStart(_) => {
                self.docs += 1;
                if self.docs > 1 {
                    return Err(ReadError::MultipleDocuments);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                    tag: tag.map(|t| t.suffix.clone()),
                };
                self.count(1)?;
                self.complete(Node { pos, flow: false, kind: Kind::Scalar(scalar) }, anchor)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Open::Seq { node: Node { pos, flow: false, kind: Kind::Seq(Vec::new()) }, anchor })?;
            }
            Event::MappingStart(anchor, _) => {
                let node = Node { pos, flow: false, kind: Kind::Map(Vec::new()) };
                self.open(Open::Map { node, anchor, key: None, seen: HashMap::new() })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq { node, anchor }) => (node, anchor),
                    Some(Open::Map { mut node, anchor, .. }) => {
                        merge_keys(&mut node);
                        (node, anchor)
                    }
                    None => return Ok(()),
                };
                let mut node = node;
                if matches!(&node.kind, Kind::Seq(v) if v.is_empty())
                    || matches!(&node.kind, Kind::Map(m) if m.is_empty())
                {
                    node.flow = true;
                }
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| ReadError::Syntax { message: "unknown anchor".to_string(), line: pos.line })?;
                self.count(size(&node))?;
                self.complete(node, 0)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn count(&mut self, n: usize) -> Result<(), ReadError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(ReadError::TooLarge(format!(
                "the document has more than {} nodes once aliases are expanded",
                self.limits.max_nodes
            )));
        }
        Ok(())
    }

    fn open(&mut self, open: Open) -> Result<(), ReadError> {
        self.count(1)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(ReadError::TooLarge(format!(
                "the document nests deeper than {} levels",
                self.limits.max_depth
            )));
        }
        self.stack.push(open);
        Ok(())
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), ReadError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { node: parent, .. }) => {
                if matches!(&parent.kind, Kind::Seq(items) if items.is_empty()) {
                    set_flow(parent, &node);
                }
                if let Kind::Seq(items) = &mut parent.kind {
                    items.push(node);
                }
            }
            Some(Open::Map { node: parent, key, seen, .. }) => match key.take() {
                None => {
                    if let Some(text) = node.key_text()
                        && text != "<<"
                    {
                        if let Some(first) = seen.get(text) {
                            return Err(ReadError::Syntax {
                                message: format!(
                                    "mapping key \"{text}\" already defined at [{}:{}]",
                                    first.line, first.column
                                ),
                                line: node.pos.line,
                            });
                        }
                        seen.insert(text.to_string(), node.pos);
                    }
                    if matches!(&parent.kind, Kind::Map(entries) if entries.is_empty()) {
                        set_flow(parent, &node);
                    }
                    *key = Some(node);
                }
                Some(k) => {
                    if let Kind::Map(entries) = &mut parent.kind {
                        entries.push((k, node));
                    }
                }
            },
        }
        Ok(())
    }
}

/// A collection whose event starts before its first child was written in flow style (`[`, `{`);
/// a block collection starts at its first child.
fn set_flow(parent: &mut Node, first_child: &Node) {
    parent.flow = parent.pos != first_child.pos;
}

fn size(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Scalar(_) => 0,
        Kind::Seq(items) => items.iter().map(size).sum(),
        Kind::Map(entries) => entries.iter().map(|(k, v)| size(k) + size(v)).sum(),
    }
}

/// Applies `<<` merge keys: entries of the merged mappings that the mapping does not set itself.
fn merge_keys(node: &mut Node) {
    let Kind::Map(entries) = &mut node.kind else { return };
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = std::mem::take(entries).into_iter().partition(|(k, _)| is_merge_key(k));
    let mut keys: std::collections::HashSet<String> =
        own.iter().filter_map(|(k, _)| k.key_text().map(str::to_string)).collect();
    for (_, value) in merges {
        let sources: Vec<Node> = match value.kind {
            Kind::Map(_) => vec![value],
            Kind::Seq(items) => items,
            Kind::Scalar(_) => Vec::new(),
        };
        for source in sources {
            if let Kind::Map(inherited) = source.kind {
                for (k, v) in inherited {
                    match k.key_text() {
                        Some(text) if !keys.insert(text.to_string()) => {}
                        _ => own.push((k, v)),
                    }
                }
            }
        }
    }
    *entries = own;
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&k.kind, Kind::Scalar(s) if s.plain && s.text == "<<")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(text: &str) -> Node {
        read(text, &Limits::default()).unwrap().unwrap()
    }

    #[test]
    fn positions_are_one_based_and_block_mappings_start_at_their_first_key() {
        let doc = node("a: 1\nb:\n  c: [x, y]\n  d: {}\nl:\n  - v\n");
        assert_eq!(doc.pos, Pos { line: 1, column: 1 });
        let b = doc.get("b").unwrap();
        assert_eq!((b.pos, b.flow), (Pos { line: 3, column: 3 }, false));
        let c = b.get("c").unwrap();
        assert_eq!((c.pos, c.flow), (Pos { line: 3, column: 6 }, true));
        assert_eq!(c.as_seq().unwrap()[1].pos, Pos { line: 3, column: 10 });
        let d = b.get("d").unwrap();
        assert_eq!((d.pos, d.flow), (Pos { line: 4, column: 6 }, true));
        assert_eq!(doc.get("l").unwrap().as_seq().unwrap()[0].pos, Pos { line: 6, column: 5 });
    }

    #[test]
    fn scalars_resolve_as_yaml_1_2() {
        let doc = node("a: yes\nb: True\nc: 0x1F\nd: 1.0\ne: '1'\nf: ~\ng: 2017-04-15\nh: 0755\ni: 0129\n");
        let r = |k: &str| doc.get(k).unwrap().as_scalar().unwrap().resolve();
        assert_eq!(r("a"), Resolved::Str("yes"));
        assert_eq!(r("b"), Resolved::Bool(true));
        assert_eq!(r("c"), Resolved::Int(31));
        assert_eq!(r("d"), Resolved::Float(1.0));
        assert_eq!(r("e"), Resolved::Str("1"));
        assert_eq!(r("f"), Resolved::Null);
        assert_eq!(r("g"), Resolved::Str("2017-04-15"));
        assert_eq!(r("h"), Resolved::Int(0o755));
        assert_eq!(r("i"), Resolved::Str("0129"));
    }

    #[test]
    fn duplicate_keys_and_several_documents_are_errors() {
        let dup = read("name: a\nurl: b\nname: c\n", &Limits::default()).unwrap_err();
        assert_eq!(dup, ReadError::Syntax { message: "mapping key \"name\" already defined at [1:1]".into(), line: 3 });
        assert_eq!(read("a: 1\n---\nb: 2\n", &Limits::default()).unwrap_err(), ReadError::MultipleDocuments);
        assert_eq!(read("# nothing\n", &Limits::default()).unwrap(), None);
    }

    #[test]
    fn aliases_and_merge_keys_expand_within_limits() {
        let doc = node("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = doc.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().key_text(), Some("1"));
        assert_eq!(m.get("y").unwrap().key_text(), Some("3"));
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(matches!(read(laughs, &Limits::default()), Err(ReadError::TooLarge(_))));
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let r = read(&deep, &Limits::default());
        assert!(matches!(r, Err(ReadError::TooLarge(_))), "{r:?}");
    }
}
