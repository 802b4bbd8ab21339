//! Struct validation with the reference validator's semantics (go-playground/validator): fields
//! in declaration order, depth first; per field, rules in tag order up to the first that fails;
//! an absent optional field fails its first rule unless that rule is an "omit" or a "required".

use crate::decode::Val;
use crate::ipa::IpaCodes;
use crate::path::{Path, find_key_pos};
use crate::rules::{self, SupportsProblem, UriProblem};
use crate::schema::{Field, Kind, Rule};
use crate::yaml::Node;
use crate::{Diagnostic, goturl, vocab};

pub struct Validator<'a> {
    pub root: &'a Node,
    pub ipa: &'a IpaCodes,
    pub out: Vec<Diagnostic>,
}

impl Validator<'_> {
    pub fn validate_struct(&mut self, obj: &[Option<Val>], fields: &[Field], path: &Path) {
        for (i, field) in fields.iter().enumerate() {
            let p = path.key(field.name);
            let value = obj.get(i).and_then(Option::as_ref);
            self.apply(field.rules, field.kind, value, obj, fields, &p);
            if let Kind::Struct { fields: sub, optional } = field.kind {
                match value {
                    Some(Val::Obj(o)) => self.validate_struct(o, sub, &p),
                    None if !optional => self.validate_struct(&vec![None; sub.len()], sub, &p),
                    _ => {}
                }
            }
        }
    }

    fn apply(
        &mut self,
        rules: &[Rule],
        kind: Kind,
        value: Option<&Val>,
        obj: &[Option<Val>],
        fields: &[Field],
        p: &Path,
    ) {
        let empty = Val::Str(String::new());
        // A plain string field that is absent holds "", and its rules run on that.
        let value = match (value, kind) {
            (None, Kind::Str) => Some(&empty),
            _ => value,
        };
        for (i, rule) in rules.iter().enumerate() {
            let failed = match rule {
                Rule::Dive => {
                    self.dive(&rules[i + 1..], kind, value, p);
                    return;
                }
                Rule::OmitEmpty => {
                    // A present optional string is a value even when "" (go-playground's pointers).
                    if value.is_none() || matches!(kind, Kind::Str) && value == Some(&empty) {
                        return;
                    }
                    continue;
                }
                Rule::Required => !has_value(value),
                Rule::RequiredIf(t) => sibling_type(obj, fields) == *t && !has_value(value),
                Rule::ExcludedUnless(t) => sibling_type(obj, fields) != *t && value.is_some(),
                rule => match value {
                    None => true,
                    Some(v) => !self.holds(rule, v),
                },
            };
            if failed {
                let message = self.message(rule, value, &p.field_name());
                let pos = find_key_pos(self.root, p);
                self.out.push(Diagnostic::error(p.validator_key(), message, pos));
                return;
            }
        }
    }

    fn dive(&mut self, rules: &[Rule], kind: Kind, value: Option<&Val>, p: &Path) {
        match (kind, value) {
            (Kind::StructList(fields), Some(Val::List(items))) => {
                for (j, item) in items.iter().enumerate() {
                    match item {
                        Some(Val::Obj(o)) => self.validate_struct(o, fields, &p.index(j)),
                        _ => self.validate_struct(&vec![None; fields.len()], fields, &p.index(j)),
                    }
                }
            }
            (Kind::Map(fields), Some(Val::Map(entries))) => {
                for (key, v) in entries {
                    if let Val::Obj(o) = v {
                        self.validate_struct(o, fields, &p.map_key(key));
                    }
                }
            }
            (_, Some(Val::List(items))) => {
                let item_kind = if matches!(kind, Kind::UrlList) { Kind::Url } else { Kind::Str };
                for (j, item) in items.iter().enumerate() {
                    self.apply(rules, item_kind, item.as_ref(), &[], &[], &p.index(j));
                }
            }
            _ => {}
        }
    }

    fn holds(&self, rule: &Rule, v: &Val) -> bool {
        let s = v.as_str().unwrap_or_default();
        match rule {
            Rule::NotEmpty => match v {
                Val::List(l) => !l.is_empty(),
                Val::Map(m) => !m.is_empty(),
                Val::Str(s) => !s.is_empty(),
                _ => true,
            },
            Rule::OneOf(list) => list.contains(&s),
            Rule::ValidUrl => goturl::is_url(s),
            Rule::HttpUrl => goturl::is_http_url(s),
            Rule::Date => rules::is_date(s),
            Rule::MaxChars(n) => rules::at_most_graphemes(s, *n),
            Rule::MinChars(n) => rules::at_least_graphemes(s, *n),
            Rule::Bcp47 => rules::is_bcp47(s),
            Rule::Bcp47Keys => match v {
                Val::Map(m) => m.iter().all(|(k, _)| rules::is_bcp47(k)),
                _ => true,
            },
            Rule::Category => vocab::is_category(s),
            Rule::Scope => vocab::is_scope(s),
            Rule::Country => vocab::is_country(s),
            Rule::MimeType => rules::is_mime_type(s),
            Rule::Spdx => rules::is_spdx_expression(s),
            Rule::Email => rules::is_email(s),
            Rule::OrganisationUri => rules::check_organisation_uri(s, self.ipa).is_ok(),
            Rule::SupportsId => rules::check_supports_id(s).is_ok(),
            Rule::IpaCode => self.ipa.check(s) != crate::ipa::IpaCheck::NotKnown,
            Rule::OmitEmpty | Rule::Required | Rule::RequiredIf(_) | Rule::ExcludedUnless(_) | Rule::Dive => true,
        }
    }

    fn message(&self, rule: &Rule, value: Option<&Val>, n: &str) -> String {
        let s = value.and_then(Val::as_str).unwrap_or_default();
        match rule {
            Rule::Required => format!("{n} is a required field"),
            Rule::RequiredIf(t) => format!("{n} is a required field when \"type\" is \"{t}\""),
            Rule::ExcludedUnless(t) => format!("{n} must not be present unless \"type\" is \"{t}\""),
            Rule::NotEmpty => format!("{n} must contain more than 0 items"),
            Rule::OneOf(list) => format!("{n} must be one of the following: {}", one_of(list)),
            Rule::ValidUrl => format!("{n} must be a valid URL"),
            Rule::HttpUrl => format!("{n} must be an HTTP URL"),
            Rule::Date => format!("{n} must be a date with format 'YYYY-MM-DD'"),
            Rule::MaxChars(k) => format!("{n} must be a maximum of {k} characters in length"),
            Rule::MinChars(k) => format!("{n} must be at least {k} characters in length"),
            Rule::Bcp47 | Rule::Bcp47Keys => format!("{n} must be a valid BCP 47 language"),
            Rule::Category => format!(
                "{n} must be a valid category (see https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/categories-list.rst)"
            ),
            Rule::Scope => format!(
                "{n} must be a valid scope (see https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/scope-list.rst)"
            ),
            Rule::Country => format!("{n} must be a valid ISO 3166-1 alpha-2 two-letter country code"),
            Rule::MimeType => format!("{n} is not a valid MIME type"),
            Rule::Spdx => format!("{n} must be a valid license (see https://spdx.org/licenses)"),
            Rule::Email => format!("{n} must be a valid email address"),
            Rule::OrganisationUri => match rules::check_organisation_uri(s, self.ipa) {
                Err(UriProblem::UnknownIpa) => format!(
                    "{n} must be a valid Italian Public Administration Code (iPA) with format 'urn:x-italian-pa:[codiceIPA]' (see https://github.com/publiccodeyml/italian-organizations-ipa-vocabulary)"
                ),
                _ => format!("{n} is not a valid URI"),
            },
            Rule::SupportsId => match rules::check_supports_id(s) {
                Err(SupportsProblem::UnknownAlias) => format!(
                    "{n} contains an unknown alias (see https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/aliases-list.rst)"
                ),
                _ => format!("{n} must be a known alias ('alias:<name>') or a valid URI (URL or URN)"),
            },
            Rule::IpaCode => format!(
                "{n} must be a valid Italian Public Administration Code (iPA) (see https://github.com/publiccodeyml/italian-organizations-ipa-vocabulary)"
            ),
            Rule::OmitEmpty | Rule::Dive => String::new(),
        }
    }
}

/// go-playground's `required`: present, and not "" for a string.
fn has_value(value: Option<&Val>) -> bool {
    match value {
        None => false,
        Some(Val::Str(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn sibling_type<'v>(obj: &'v [Option<Val>], fields: &[Field]) -> &'v str {
    fields
        .iter()
        .position(|f| f.name == "type")
        .and_then(|i| obj.get(i))
        .and_then(Option::as_ref)
        .and_then(Val::as_str)
        .unwrap_or_default()
}

/// `"a", "b" or "c"`.
fn one_of(list: &[&str]) -> String {
    let quoted: Vec<String> = list.iter().map(|s| format!("\"{s}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
