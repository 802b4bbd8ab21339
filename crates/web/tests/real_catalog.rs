//! The catalog on the real publiccode.yml corpus (`shared/data/publiccode-corpus`):
//! every file ingested and reported, iPA codes checked against both lists,
//! searches on real queries with expectations read from the files
//! themselves, facets kept apart and labelled.

use std::collections::BTreeSet;
use std::path::PathBuf;

use cantiere_publiccode::{IpaCodes, Options};
use cantiere_store::catalog::{SolutionRecord, StoredSolution};
use cantiere_territory::catalog::{OUTSIDE_REPOSITORY, find_files, read_file};
use cantiere_web::catalog::{Catalog, PLATFORMS, SearchQuery, Solution, labels};

fn shared() -> PathBuf {
    std::env::var_os("CANTIERE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn corpus() -> Vec<PathBuf> {
    find_files(&[shared().join("data/publiccode-corpus/files")]).unwrap()
}

fn ipa(lists: &[&str]) -> Options {
    let mut codes = IpaCodes::default();
    for l in lists {
        codes.extend(IpaCodes::from_path(&shared().join(l)).unwrap());
    }
    Options { ipa: codes, ..Options::default() }
}

const PADIGITALE: &str = "data/padigitale2026";
const INDICEPA: &str = "data/indicepa-2018/amministrazioni.csv";

fn catalog(records: &[SolutionRecord]) -> Catalog {
    let stored = records
        .iter()
        .enumerate()
        .map(|(i, r)| StoredSolution {
            id: i as i64 + 1,
            record: r.clone(),
            active: r.valid,
            first_seen: "2026-12-01T00:00:00Z".into(),
            last_seen: "2026-12-01T00:00:00Z".into(),
        })
        .collect();
    Catalog::new(stored, Vec::new()).unwrap()
}

/// The words of a solution as the file gives them, folded.
fn text(s: &Solution) -> String {
    let mut t = s.name.clone();
    for d in s.doc.iter().flat_map(|d| d.description.values()) {
        for part in
            [d.localised_name.as_deref().unwrap_or(""), &d.generic_name, &d.short_description, &d.long_description]
        {
            t.push(' ');
            t.push_str(part);
        }
        for f in &d.features {
            t.push(' ');
            t.push_str(f);
        }
    }
    t.to_lowercase()
        .replace(['à', 'á'], "a")
        .replace(['è', 'é'], "e")
        .replace('ì', "i")
        .replace('ò', "o")
        .replace('ù', "u")
}

fn hits(c: &Catalog, q: &str) -> (Vec<usize>, bool) {
    let r = c.search(&SearchQuery { text: q.into(), ..SearchQuery::default() });
    (r.hits, r.partial)
}

#[test]
fn every_file_is_ingested_and_relative_files_outside_the_repository_fail_none() {
    let files = corpus();
    assert_eq!(files.len(), 267, "the corpus's README counts 267 files");
    let options = ipa(&[PADIGITALE, INDICEPA]);
    let records: Vec<SolutionRecord> = files.iter().map(|f| read_file(f, &options)).collect();
    let valid = records.iter().filter(|r| r.valid).count();
    assert!(valid >= 200, "{valid} of 267 valid");
    let mut noted = 0;
    for r in &records {
        let diagnostics: serde_json::Value = serde_json::from_str(&r.diagnostics).unwrap();
        let errors = diagnostics.as_array().unwrap().iter().filter(|d| d["type"] == "error").count();
        assert_eq!(errors, r.errors, "{}", r.source);
        let notes: serde_json::Value = serde_json::from_str(&r.notes).unwrap();
        if notes.as_array().unwrap().iter().any(|n| n["kind"] == OUTSIDE_REPOSITORY) {
            noted += 1;
        }
        // A relative logo or screenshot is never an error here: it is a note.
        assert!(
            !r.diagnostics.contains("no such file") && !r.diagnostics.contains("does not exist"),
            "{}: {}",
            r.source,
            r.diagnostics
        );
    }
    assert!(noted >= 59, "{noted} files name relative files that could not be checked (59 failed only for that)");
}

#[test]
fn ipa_codes_that_exist_are_accepted_once_both_lists_are_read() {
    let files = corpus();
    let ipa_errors = |options: &Options| -> BTreeSet<String> {
        files
            .iter()
            .map(|f| read_file(f, options))
            .filter(|r| r.diagnostics.contains("Italian Public Administration Code"))
            .map(|r| r.source)
            .collect()
    };
    let alone = ipa_errors(&ipa(&[PADIGITALE]));
    let both = ipa_errors(&ipa(&[PADIGITALE, INDICEPA]));
    assert!(both.is_subset(&alone));
    assert!(alone.len() - both.len() >= 25, "{} refused with PA digitale alone, {} with both", alone.len(), both.len());
    // Codes of bodies that never applied to PA digitale: known to IndicePA.
    let indicepa = IpaCodes::from_path(&shared().join(INDICEPA)).unwrap();
    let padigitale = IpaCodes::from_path(&shared().join(PADIGITALE)).unwrap();
    for code in ["arpa", "m_sa", "cmrc", "p_pe"] {
        assert_eq!(padigitale.check(code), cantiere_publiccode::IpaCheck::NotKnown, "{code}");
        assert_eq!(indicepa.check(code), cantiere_publiccode::IpaCheck::Known, "{code}");
        let owning: Vec<&PathBuf> = files
            .iter()
            .filter(|f| {
                let t = std::fs::read_to_string(f).unwrap().to_lowercase();
                let names = |prefix: &str| {
                    t.match_indices(&format!("{prefix}{code}")).any(|(at, m)| {
                        t[at + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_')
                    })
                };
                names("urn:x-italian-pa:") || names("codiceipa: ")
            })
            .collect();
        assert!(!owning.is_empty(), "a file owned by {code}");
        for f in owning {
            let source = f.display().to_string();
            assert!(alone.contains(&source) && !both.contains(&source), "{source}");
        }
    }
}

#[test]
fn real_queries_find_what_the_files_say() {
    let records: Vec<SolutionRecord> = {
        let options = ipa(&[PADIGITALE, INDICEPA]);
        corpus().iter().map(|f| read_file(f, &options)).collect()
    };
    let c = catalog(&records);
    let active: Vec<usize> = (0..c.solutions.len()).filter(|&i| c.solutions[i].active).collect();
    // (query, words every hit has (as stems), words whose files must all be hits)
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("protocollo", &["protocoll"], &["protocollo"]),
        ("pagamenti", &["pagament"], &["pagamenti"]),
        ("whistleblowing", &["whistleblow"], &["whistleblowing"]),
        (
            "sito comunale",
            &["sit", "comunal"],
            &["sito comunale", "siti comunali", "sito web comunale", "siti web comunali"],
        ),
    ];
    for (q, stems, phrases) in cases {
        let (found, partial) = hits(&c, q);
        assert!(!found.is_empty() && !partial, "{q}");
        for &i in &found {
            let t = text(&c.solutions[i]);
            assert!(stems.iter().all(|s| t.contains(s)), "{q}: {} has {stems:?}", c.solutions[i].name);
        }
        let expected: BTreeSet<usize> =
            active.iter().copied().filter(|&i| phrases.iter().any(|p| text(&c.solutions[i]).contains(p))).collect();
        assert!(!expected.is_empty(), "{q}: some file says {phrases:?}");
        let got: BTreeSet<usize> = found.iter().copied().collect();
        assert!(expected.is_subset(&got), "{q}: every file saying {phrases:?} is found");
    }
    // English: a plural finds the singular and its derivations.
    let (found, _) = hits(&c, "certificates");
    assert!(found.iter().all(|&i| text(&c.solutions[i]).contains("certificat")));
    let english = |s: &Solution| {
        s.doc.iter().flat_map(|d| d.description.iter()).filter(|(l, _)| l.starts_with("en")).any(|(_, d)| {
            format!(" {} {} ", d.short_description, d.long_description).to_lowercase().contains(" certificate ")
        })
    };
    let singular: BTreeSet<usize> = active.iter().copied().filter(|&i| english(&c.solutions[i])).collect();
    assert!(!singular.is_empty(), "some English description says `certificate`");
    assert!(singular.is_subset(&found.iter().copied().collect()), "`certificates` finds `certificate`");
    // No file says "albo pretorio": the solutions with either word, said so.
    let (found, partial) = hits(&c, "albo pretorio");
    assert!(partial, "no solution has both words");
    assert!(!found.is_empty());
    for &i in &found {
        let t = text(&c.solutions[i]);
        assert!(t.contains("albo") || t.contains("pretori"), "{}", c.solutions[i].name);
    }
}

#[test]
fn facets_keep_platforms_apart_and_every_vocabulary_value_has_a_label() {
    let records: Vec<SolutionRecord> = {
        let options = ipa(&[PADIGITALE, INDICEPA]);
        corpus().iter().map(|f| read_file(f, &options)).collect()
    };
    let c = catalog(&records);
    let result = c.search(&SearchQuery::default());
    let facet = |key: &str| -> Vec<String> {
        result.facets.iter().find(|f| f.key == key).unwrap().values.iter().map(|v| v.value.clone()).collect()
    };
    let platforms: BTreeSet<&str> = PLATFORMS.iter().map(|(p, _)| *p).collect();
    let seen = facet("platform");
    assert!(seen.iter().any(|p| p == "pagopa"), "{seen:?}");
    assert!(seen.iter().all(|p| platforms.contains(p.as_str())), "{seen:?}: only national platforms");
    assert!(facet("compliance").iter().any(|c| c == "gdpr"));
    for key in ["category", "scope", "status", "maintenance", "licence_family", "kind"] {
        let values = facet(key);
        assert!(!values.is_empty(), "{key}");
        for v in values {
            let it = labels::label(key, &v, cantiere_web::Lang::It);
            assert!(it.is_some_and(|l| !l.is_empty()), "{key} {v} has a label");
        }
    }
    // The owner is an iPA code; the site names it (see the http tests).
    assert!(facet("owner").iter().any(|o| o == "r_piemon"));
}
