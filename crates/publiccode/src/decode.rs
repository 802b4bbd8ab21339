//! Decoding the YAML tree into schema-shaped values, with the reference decoder's semantics
//! (goccy/go-yaml, SPEC.md §2.1): fields in declaration order; the first error is the only one
//! reported; a nested mapping or list with an error is dropped whole, so its top-level field is
//! left empty; unknown keys are looked for only when every known field decoded; scalars are
//! converted into string fields; booleans must be YAML 1.2 booleans.

use crate::goturl;
use crate::schema::{Field, Kind};
use crate::yaml::{self, Node, Resolved};

/// A decoded value. Struct fields are stored by position in their schema table; `None` is absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Bool(bool),
    List(Vec<Option<Val>>),
    Obj(Vec<Option<Val>>),
    Map(Vec<(String, Val)>),
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The one decode error the reference reports.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// A value of the wrong YAML type; `line` is its first token's.
    WrongType { line: u32 },
    /// A key the schema does not have.
    UnknownField { name: String, line: u32 },
    /// Any other error, reported without key or position (Go's text).
    Other(String),
}

/// Decodes the root mapping. Fields that fail are left absent; the first error is returned.
pub fn decode_root(root: &Node, fields: &[Field]) -> (Vec<Option<Val>>, Option<DecodeError>) {
    let mut first = None;
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match root.get(field.name) {
            Some(node) => match decode(node, field.kind) {
                Ok(v) => v,
                Err(e) => {
                    first.get_or_insert(e);
                    None
                }
            },
            None => None,
        };
        out.push(value);
    }
    if first.is_none() {
        first = unknown_field(root, fields).err();
    }
    (out, first)
}

fn unknown_field(node: &Node, fields: &[Field]) -> Result<(), DecodeError> {
    for (k, _) in node.as_map().unwrap_or_default() {
        let name = k.key_text().unwrap_or_default();
        if !fields.iter().any(|f| f.name == name) {
            return Err(DecodeError::UnknownField { name: name.to_string(), line: k.pos.line });
        }
    }
    Ok(())
}

fn wrong(node: &Node) -> DecodeError {
    DecodeError::WrongType { line: node.pos.line }
}

fn decode(node: &Node, kind: Kind) -> Result<Option<Val>, DecodeError> {
    if node.is_null() {
        return Ok(None);
    }
    Ok(Some(match kind {
        Kind::Str | Kind::OptStr => Val::Str(string(node)?),
        Kind::Url => {
            let s = string(node)?;
            if let Err(e) = goturl::parse(&s) {
                return Err(DecodeError::Other(format!("parsing URL {}: {e}", goturl::go_quote(&s))));
            }
            Val::Str(s)
        }
        Kind::Bool | Kind::OptBool => match node.as_scalar().map(yaml::Scalar::resolve) {
            Some(Resolved::Bool(b)) => Val::Bool(b),
            _ => return Err(wrong(node)),
        },
        Kind::StrList => Val::List(items(node, Kind::Str)?),
        Kind::UrlList => Val::List(items(node, Kind::Url)?),
        Kind::StrOrList => match node.as_scalar() {
            Some(_) => Val::List(vec![Some(Val::Str(string(node)?))]),
            None => Val::List(items(node, Kind::Str)?),
        },
        Kind::Struct { fields, .. } => Val::Obj(decode_struct(node, fields)?),
        Kind::StructList(fields) => {
            let seq = node.as_seq().ok_or_else(|| wrong(node))?;
            let mut out = Vec::with_capacity(seq.len());
            for item in seq {
                out.push(if item.is_null() { None } else { Some(Val::Obj(decode_struct(item, fields)?)) });
            }
            Val::List(out)
        }
        Kind::Map(fields) => {
            let map = node.as_map().ok_or_else(|| wrong(node))?;
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                let obj = if v.is_null() { vec![None; fields.len()] } else { decode_struct(v, fields)? };
                out.push((k.key_text().unwrap_or_default().to_string(), Val::Obj(obj)));
            }
            Val::Map(out)
        }
    }))
}

fn decode_struct(node: &Node, fields: &[Field]) -> Result<Vec<Option<Val>>, DecodeError> {
    if node.as_map().is_none() {
        return Err(wrong(node));
    }
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        out.push(match node.get(field.name) {
            Some(v) => decode(v, field.kind)?,
            None => None,
        });
    }
    unknown_field(node, fields)?;
    Ok(out)
}

fn items(node: &Node, kind: Kind) -> Result<Vec<Option<Val>>, DecodeError> {
    let seq = node.as_seq().ok_or_else(|| wrong(node))?;
    seq.iter()
        .map(|item| match (kind, item.is_null()) {
            (Kind::Str, true) => Ok(Some(Val::Str(String::new()))),
            _ => decode(item, kind),
        })
        .collect()
}

/// A scalar's text as a Go string field receives it: integers in decimal, floats as Go prints
/// them (`1.0` becomes `1`), booleans as `true`/`false`.
fn string(node: &Node) -> Result<String, DecodeError> {
    let scalar = node.as_scalar().ok_or_else(|| wrong(node))?;
    Ok(match scalar.resolve() {
        Resolved::Null => String::new(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => go_float(f),
        Resolved::Str(s) => s.to_string(),
    })
}

/// Go's `fmt.Sprint(float64)` (`%g`, shortest): exponent form below 1e-4 and from 1e6.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(123456789.0), "1.23456789e+08");
    }
}
