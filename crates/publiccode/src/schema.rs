//! The v0 schema as data: every field in the reference's declaration order (which is the order
//! of decode errors and validator errors), its YAML type, and its validator rules in tag order.
//! All accepted versions are validated against this one schema, as the reference does.

use crate::vocab;

/// The YAML type a field decodes from. "Optional" kinds are the reference's pointer fields: a
/// null or missing value is absent, and an empty string is a value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string; scalars of other types are converted to their text. Absent means "".
    Str,
    /// An optional string.
    OptStr,
    /// An optional string that must parse as a URL (Go's `url.Parse`) when decoded.
    Url,
    /// A boolean (YAML 1.2 `true`/`false` only). Absent means false.
    Bool,
    /// An optional boolean.
    OptBool,
    /// A list of strings.
    StrList,
    /// A list of optional URLs (`videos`).
    UrlList,
    /// A string or a list of strings (`isBasedOn`).
    StrOrList,
    /// A nested mapping; `optional` ones are only validated when present.
    Struct { fields: &'static [Field], optional: bool },
    /// A list of mappings.
    StructList(&'static [Field]),
    /// A mapping from free keys (languages) to mappings (`description`).
    Map(&'static [Field]),
}

/// A validator rule (a go-playground tag).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Skip the remaining rules when the value is absent (or "" for a plain string).
    OmitEmpty,
    Required,
    /// Required when the sibling `type` equals the value.
    RequiredIf(&'static str),
    /// Must be absent unless the sibling `type` equals the value.
    ExcludedUnless(&'static str),
    /// A list or mapping with at least one item.
    NotEmpty,
    OneOf(&'static [&'static str]),
    /// go-playground's `url`: any scheme, with a host, opaque part or fragment.
    ValidUrl,
    HttpUrl,
    Date,
    MaxChars(usize),
    MinChars(usize),
    Bcp47,
    Bcp47Keys,
    Category,
    Scope,
    Country,
    MimeType,
    Spdx,
    Email,
    OrganisationUri,
    SupportsId,
    IpaCode,
    /// The following rules apply to each item.
    Dive,
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub rules: &'static [Rule],
}

const fn f(name: &'static str, kind: Kind, rules: &'static [Rule]) -> Field {
    Field { name, kind, rules }
}

use Kind::*;
use Rule::*;

pub const ORGANISATION: &[Field] = &[f("uri", Str, &[Required, OrganisationUri]), f("name", OptStr, &[])];

pub const SUPPORT: &[Field] = &[f("id", Str, &[Required, SupportsId])];

pub const INTENDED_AUDIENCE: &[Field] = &[
    f("scope", StrList, &[OmitEmpty, Dive, Scope]),
    f("countries", StrList, &[OmitEmpty, Dive, Country]),
    f("unsupportedCountries", StrList, &[OmitEmpty, Dive, Country]),
];

pub const DESCRIPTION: &[Field] = &[
    f("localisedName", OptStr, &[]),
    f("genericName", Str, &[MaxChars(35)]),
    f("shortDescription", Str, &[Required, MaxChars(150)]),
    f("longDescription", Str, &[Required, MinChars(150), MaxChars(10000)]),
    f("documentation", Url, &[OmitEmpty, HttpUrl]),
    f("apiDocumentation", Url, &[OmitEmpty, HttpUrl]),
    f("features", StrList, &[NotEmpty, Dive]),
    f("screenshots", StrList, &[]),
    f("videos", UrlList, &[Dive, OmitEmpty, HttpUrl]),
    f("awards", StrList, &[]),
];

pub const LEGAL: &[Field] = &[
    f("license", Str, &[Required, Spdx]),
    f("mainCopyrightOwner", OptStr, &[]),
    f("repoOwner", OptStr, &[]),
    f("authorsFile", OptStr, &[]),
];

pub const CONTRACTOR: &[Field] = &[
    f("name", Str, &[Required]),
    f("email", OptStr, &[OmitEmpty, Email]),
    f("website", Url, &[OmitEmpty, HttpUrl]),
    f("until", Str, &[Required, Date]),
];

pub const CONTACT: &[Field] = &[
    f("name", Str, &[Required]),
    f("email", OptStr, &[OmitEmpty, Email]),
    f("affiliation", OptStr, &[]),
    f("phone", OptStr, &[OmitEmpty]),
];

pub const MAINTENANCE: &[Field] = &[
    f("type", Str, &[Required, OneOf(vocab::MAINTENANCE_TYPES)]),
    f("contractors", StructList(CONTRACTOR), &[RequiredIf("contract"), ExcludedUnless("contract"), OmitEmpty, Dive]),
    f("contacts", StructList(CONTACT), &[RequiredIf("community"), RequiredIf("internal"), OmitEmpty, Dive]),
];

pub const LOCALISATION: &[Field] = &[
    f("localisationReady", OptBool, &[Required]),
    f("availableLanguages", StrList, &[Required, NotEmpty, Dive, Bcp47]),
];

pub const DEPENDENCY: &[Field] = &[
    f("name", Str, &[Required, NotEmpty]),
    f("versionMin", OptStr, &[]),
    f("versionMax", OptStr, &[]),
    f("optional", OptBool, &[]),
    f("version", OptStr, &[]),
];

pub const DEPENDS_ON: &[Field] = &[
    f("open", StructList(DEPENDENCY), &[OmitEmpty, Dive]),
    f("proprietary", StructList(DEPENDENCY), &[OmitEmpty, Dive]),
    f("hardware", StructList(DEPENDENCY), &[OmitEmpty, Dive]),
];

pub const CONFORME: &[Field] = &[
    f("lineeGuidaDesign", OptBool, &[]),
    f("modelloInteroperabilita", OptBool, &[]),
    f("misureMinimeSicurezza", OptBool, &[]),
    f("gdpr", OptBool, &[]),
];

pub const RIUSO: &[Field] = &[f("codiceIPA", Str, &[OmitEmpty, IpaCode])];

pub const PIATTAFORME: &[Field] =
    &[f("spid", Bool, &[]), f("pagopa", Bool, &[]), f("cie", Bool, &[]), f("anpr", Bool, &[]), f("io", Bool, &[])];

pub const IT: &[Field] = &[
    f("countryExtensionVersion", OptStr, &[OmitEmpty, OneOf(vocab::COUNTRY_EXTENSION_VERSIONS)]),
    f("conforme", Struct { fields: CONFORME, optional: true }, &[]),
    f("riuso", Struct { fields: RIUSO, optional: false }, &[]),
    f("piattaforme", Struct { fields: PIATTAFORME, optional: false }, &[]),
];

/// The top level, in declaration order.
pub const PUBLICCODE: &[Field] = &[
    f("publiccodeYmlVersion", Str, &[]),
    f("name", Str, &[Required]),
    f("applicationSuite", Str, &[]),
    f("url", Url, &[Required, ValidUrl]),
    f("landingURL", Url, &[OmitEmpty, HttpUrl]),
    f("isBasedOn", StrOrList, &[OmitEmpty, Dive, ValidUrl]),
    f("softwareVersion", Str, &[]),
    f("releaseDate", OptStr, &[OmitEmpty, Date]),
    f("logo", OptStr, &[]),
    f("monochromeLogo", OptStr, &[]),
    f("organisation", Struct { fields: ORGANISATION, optional: true }, &[]),
    f("inputTypes", StrList, &[OmitEmpty, Dive, MimeType]),
    f("outputTypes", StrList, &[OmitEmpty, Dive, MimeType]),
    f("platforms", StrList, &[NotEmpty]),
    f("categories", StrList, &[OmitEmpty, Dive, Category]),
    f("usedBy", StrList, &[]),
    f("fundedBy", StructList(ORGANISATION), &[OmitEmpty, Dive]),
    f("roadmap", Url, &[OmitEmpty, HttpUrl]),
    f("developmentStatus", Str, &[Required, OneOf(vocab::DEVELOPMENT_STATUS)]),
    f("softwareType", Str, &[Required, OneOf(vocab::SOFTWARE_TYPES)]),
    f("supports", StructList(SUPPORT), &[OmitEmpty, Dive]),
    f("intendedAudience", Struct { fields: INTENDED_AUDIENCE, optional: true }, &[]),
    f("description", Map(DESCRIPTION), &[NotEmpty, Bcp47Keys, Dive]),
    f("legal", Struct { fields: LEGAL, optional: false }, &[]),
    f("maintenance", Struct { fields: MAINTENANCE, optional: false }, &[]),
    f("localisation", Struct { fields: LOCALISATION, optional: false }, &[]),
    f("dependsOn", Struct { fields: DEPENDS_ON, optional: true }, &[]),
    f("IT", Struct { fields: IT, optional: true }, &[]),
    f("it", Struct { fields: IT, optional: true }, &[]),
];
