//! The publiccode.yml document as typed data, in the standard's field order, and its
//! normalised export (JSON, YAML) as a catalog stores it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::decode::Val;
use crate::schema::{Field, Kind};

/// A publiccode.yml document (schema v0, every accepted version).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PublicCode {
    pub publiccode_yml_version: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_suite: Option<String>,
    pub url: String,
    #[serde(rename = "landingURL", skip_serializing_if = "Option::is_none")]
    pub landing_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub is_based_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Deprecated since 0.3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monochrome_logo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// Deprecated since 0.3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_types: Option<Vec<String>>,
    /// Deprecated since 0.3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_types: Option<Vec<String>>,
    pub platforms: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Deprecated and unreliable: who declares to use the software.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub funded_by: Vec<Organisation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roadmap: Option<String>,
    pub development_status: String,
    pub software_type: String,
    /// Platforms, laws and standards the software supports (`alias:pagopa`, URLs, URNs). Since 0.7.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supports: Vec<Support>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intended_audience: Option<IntendedAudience>,
    /// Descriptions by BCP 47 language, in document order.
    pub description: IndexMap<String, Description>,
    pub legal: Legal,
    pub maintenance: Maintenance,
    pub localisation: Localisation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<DependsOn>,
    /// The Italian section (deprecated since 0.7 in favour of `supports` and `organisation`).
    #[serde(rename = "IT", skip_serializing_if = "Option::is_none")]
    pub it: Option<ItSection>,
    /// The lowercase `it:` spelling, as read; moved to [`PublicCode::it`] after validation.
    #[serde(rename = "it", skip_serializing)]
    pub it_lowercase: Option<ItSection>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organisation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Support {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IntendedAudience {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported_countries: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Description {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localised_name: Option<String>,
    /// Deprecated since 0.3.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub generic_name: String,
    pub short_description: String,
    pub long_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_documentation: Option<String>,
    pub features: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub screenshots: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub videos: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Legal {
    pub license: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_copyright_owner: Option<String>,
    /// Deprecated since 0.5: use `organisation.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_owner: Option<String>,
    /// Deprecated since 0.4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors_file: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Maintenance {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contractors: Option<Vec<Contractor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contractor {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    pub until: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Localisation {
    pub localisation_ready: Option<bool>,
    pub available_languages: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DependsOn {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proprietary: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hardware: Vec<Dependency>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Dependency {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_max: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The Italian country section: compliance, reuse (`riuso`) and national platforms (`piattaforme`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_extension_version: Option<String>,
    /// Deprecated since 0.5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conforme: Option<Conforme>,
    pub riuso: Riuso,
    pub piattaforme: Piattaforme,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Conforme {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linee_guida_design: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modello_interoperabilita: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misure_minime_sicurezza: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gdpr: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Riuso {
    /// The owner's iPA code (deprecated since 0.5: use `organisation.uri`).
    #[serde(rename = "codiceIPA", skip_serializing_if = "String::is_empty")]
    pub codice_ipa: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Piattaforme {
    pub spid: bool,
    pub pagopa: bool,
    pub cie: bool,
    pub anpr: bool,
    pub io: bool,
}

impl PublicCode {
    /// Builds the typed document from decoded values.
    pub(crate) fn from_decoded(obj: &[Option<Val>], fields: &[Field]) -> Option<PublicCode> {
        serde_json::from_value(object(obj, fields)).ok()
    }

    /// The reference's post-processing: a lone lowercase `it:` becomes `IT`; a `codiceIPA`
    /// without an `organisation` gives `organisation = {uri: urn:x-italian-pa:<code>, name: repoOwner}`.
    pub(crate) fn normalise(&mut self) {
        if let Some(lower) = self.it_lowercase.take() {
            self.it.get_or_insert(lower);
        }
        if self.organisation.is_none()
            && let Some(code) = self.it.as_ref().map(|it| &it.riuso.codice_ipa).filter(|c| !c.is_empty())
        {
            self.organisation =
                Some(Organisation { uri: format!("urn:x-italian-pa:{code}"), name: self.legal.repo_owner.clone() });
        }
    }

    /// The document as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The document as YAML, keys in the standard's order.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        if let Ok(Value::Object(map)) = serde_json::to_value(self) {
            write_map(&mut out, &map, 0);
        }
        out
    }
}

fn object(obj: &[Option<Val>], fields: &[Field]) -> Value {
    let mut map = serde_json::Map::new();
    for (field, value) in fields.iter().zip(obj) {
        if let Some(v) = value {
            map.insert(field.name.to_string(), to_json(v, field.kind));
        }
    }
    Value::Object(map)
}

fn to_json(v: &Val, kind: Kind) -> Value {
    match v {
        Val::Str(s) => Value::String(s.clone()),
        Val::Bool(b) => Value::Bool(*b),
        Val::List(items) => Value::Array(
            items
                .iter()
                .map(|item| match (item, kind) {
                    (Some(i), Kind::StructList(fields)) => match i {
                        Val::Obj(o) => object(o, fields),
                        other => to_json(other, kind),
                    },
                    (Some(i), _) => to_json(i, kind),
                    (None, Kind::StructList(_)) => Value::Object(serde_json::Map::new()),
                    (None, _) => Value::String(String::new()),
                })
                .collect(),
        ),
        Val::Obj(o) => match kind {
            Kind::Struct { fields, .. } => object(o, fields),
            _ => Value::Null,
        },
        Val::Map(entries) => match kind {
            Kind::Map(fields) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let inner = match v {
                            Val::Obj(o) => object(o, fields),
                            _ => Value::Null,
                        };
                        (k.clone(), inner)
                    })
                    .collect(),
            ),
            _ => Value::Null,
        },
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (k, v) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(k));
        out.push(':');
        write_value(out, v, indent);
    }
}

fn write_value(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(indent + 2));
                out.push('-');
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key goes on the dash's line.
                        let mut inner = String::new();
                        write_map(&mut inner, m, indent + 4);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    other => write_value(out, other, indent + 2),
                }
            }
        }
        Value::Array(_) => out.push_str(" []\n"),
        Value::String(s) if s.contains('\n') && block_safe(s) => {
            let chomp = if !s.ends_with('\n') {
                "-"
            } else if s.ends_with("\n\n") {
                "+"
            } else {
                ""
            };
            out.push_str(&format!(" |{chomp}\n"));
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        other => {
            out.push(' ');
            out.push_str(&match other {
                Value::String(s) => scalar(s),
                Value::Null => "null".to_string(),
                v => v.to_string(),
            });
            out.push('\n');
        }
    }
}

/// A literal block keeps the text exactly unless a line starts with a space or has a control character.
fn block_safe(s: &str) -> bool {
    !s.starts_with([' ', '\n']) && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// A string as a YAML scalar: plain when it reads back as the same string, double-quoted otherwise.
fn scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(char::is_control)
        && crate::yaml::Scalar { text: s.to_string(), plain: true, tag: None }.resolve()
            == crate::yaml::Resolved::Str(s);
    if plain_ok { s.to_string() } else { serde_json::to_string(s).unwrap_or_default() }
}
