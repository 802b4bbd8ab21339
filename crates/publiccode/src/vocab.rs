//! The controlled vocabularies of the standard (publiccode.yml docs, CC0) and of the rules the
//! reference applies: categories, scopes, ISO 3166-1 alpha-2 countries, `supports` aliases, enums.
//! Kept sorted: lookups are binary searches.

/// The 106 software categories (`other` since 0.5).
pub const CATEGORIES: &[&str] = &[
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "design",
    "design-system",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "educational-content",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fundraising",
    "gamification",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "integrated-library-system",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "other",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "regulations-and-directives",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conferencing",
    "website-builder",
    "whistleblowing",
    "workflow-management",
];

/// The 24 scopes of `intendedAudience.scope`.
pub const SCOPES: &[&str] = &[
    "agriculture",
    "culture",
    "defence",
    "education",
    "emergency-services",
    "employment",
    "energy",
    "environment",
    "finance-and-economic-development",
    "foreign-affairs",
    "government",
    "healthcare",
    "infrastructures",
    "justice",
    "local-authorities",
    "manufacturing",
    "research",
    "science-and-technology",
    "security",
    "society",
    "sport",
    "tourism",
    "transportation",
    "welfare",
];

/// ISO 3166-1 alpha-2, as go-playground's table has it: the 249 assigned codes plus `XK`.
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "XK", "YE", "YT",
    "ZA", "ZM", "ZW",
];

/// `supports[].id` aliases (`alias:<name>`), with the page each stands for.
pub const SUPPORT_ALIASES: &[(&str, &str)] = &[
    ("anpr", "https://www.anpr.interno.it/"),
    ("cie", "https://www.cartaidentita.interno.gov.it/"),
    ("cra", "https://eur-lex.europa.eu/eli/reg/2024/2847/oj"),
    ("eidas", "https://eur-lex.europa.eu/eli/reg/2014/910/oj"),
    ("gdpr", "https://eur-lex.europa.eu/eli/reg/2016/679/oj"),
    ("io", "https://io.italia.it/"),
    ("nis2", "https://eur-lex.europa.eu/eli/dir/2022/2555/oj"),
    ("pagopa", "https://www.pagopa.gov.it/"),
    ("spid", "https://www.spid.gov.it/"),
];

pub const DEVELOPMENT_STATUS: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];

pub const SOFTWARE_TYPES: &[&str] = &[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
];

pub const MAINTENANCE_TYPES: &[&str] = &["internal", "contract", "community", "none"];

pub const COUNTRY_EXTENSION_VERSIONS: &[&str] = &["0.2", "1.0"];

/// `publiccodeYmlVersion` values the reference accepts, in its order.
pub const SUPPORTED_VERSIONS: &[&str] =
    &["0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5.0", "0.5", "0.7.0", "0.7"];

pub fn is_category(s: &str) -> bool {
    CATEGORIES.binary_search(&s).is_ok()
}

pub fn is_scope(s: &str) -> bool {
    SCOPES.binary_search(&s).is_ok()
}

/// All upper or all lower case, and an assigned code once upper-cased.
pub fn is_country(s: &str) -> bool {
    let upper = s.to_ascii_uppercase();
    (s == upper || s == s.to_ascii_lowercase()) && COUNTRIES.binary_search(&upper.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_complete_and_sorted() {
        assert_eq!(CATEGORIES.len(), 106);
        assert_eq!(SCOPES.len(), 24);
        assert_eq!(COUNTRIES.len(), 250);
        for list in [CATEGORIES, SCOPES, COUNTRIES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(SUPPORT_ALIASES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn country_codes_follow_the_reference() {
        for ok in ["IT", "it", "XK", "de"] {
            assert!(is_country(ok), "{ok}");
        }
        for bad in ["It", "Fr", "EU", "UK", "mouseton", ""] {
            assert!(!is_country(bad), "{bad}");
        }
    }
}
