//! The reuse catalog as the site serves it: the stored solutions with their
//! facets, the adoption registry, and a full-text index (tantivy, in memory)
//! over names and descriptions in every language.
//!
//! Text is indexed four ways and a query is looked up in all four: the name
//! (boosted), Italian descriptions with the Italian Snowball stemmer, English
//! ones with the English stemmer (both guarded against short stems that
//! merge unrelated words: [`super::stem`]), and every description
//! unstemmed; all of
//! them lower-cased and accent-folded (`identita` finds `identità`,
//! `pagamento` finds `pagamenti`, `payments` finds `payment`). Every query
//! word must match (in any of the four); when no solution has them all, the
//! solutions with some of them are given and the result says so. Facets are counted over the matches
//! after the filters; values within a facet are alternatives, facets
//! combine.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cantiere_publiccode::PublicCode;
use cantiere_store::adoption::{Adoption, AdoptionStatus};
use cantiere_store::catalog::StoredSolution;
use frostem::Algorithm;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::{Index, IndexReader, TantivyDocument, doc};

use super::facets::{FACETS, facets_of, is_example};
use super::stem::GuardedStemmer;

/// One solution with what the site shows and filters on.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// The catalog's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Repository URL.
    pub url: String,
    /// Where it was ingested from.
    pub source: String,
    /// Listed (valid).
    pub active: bool,
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// The validator's diagnostics.
    pub diagnostics: serde_json::Value,
    /// What ingestion noted beside them (`[{kind, key, description}]`).
    pub notes: serde_json::Value,
    /// An invented example (its repository is on a domain reserved for
    /// examples): it and its adoptions are labelled so wherever shown.
    pub example: bool,
    /// First ingested.
    pub first_seen: String,
    /// Last ingested.
    pub last_seen: String,
    /// The document (when readable).
    #[serde(skip)]
    pub doc: Option<PublicCode>,
    /// Facet values by facet key.
    pub facets: BTreeMap<&'static str, Vec<String>>,
    /// Adoptions of it (indices into [`Catalog::adoptions`]).
    #[serde(skip)]
    pub adoptions: Vec<usize>,
}

impl Solution {
    /// The description in a language (`it`, `en`; `IT` and `it-IT` too),
    /// else the first one.
    pub fn description(&self, lang: &str) -> Option<&cantiere_publiccode::Description> {
        let d = &self.doc.as_ref()?.description;
        d.iter()
            .find(|(k, _)| k.split(['-', '_']).next().is_some_and(|l| l.eq_ignore_ascii_case(lang)))
            .or_else(|| d.iter().next())
            .map(|(_, v)| v)
    }

    /// Whether it has a facet value.
    pub fn has(&self, facet: &str, value: &str) -> bool {
        self.facets.get(facet).is_some_and(|v| v.iter().any(|x| x == value))
    }
}

struct Fields {
    id: Field,
    name: Field,
    it: Field,
    en: Field,
    all: Field,
}

/// The catalog, indexed.
pub struct Catalog {
    /// Every stored solution (active or not), by name.
    pub solutions: Vec<Solution>,
    by_id: HashMap<i64, usize>,
    /// Every adoption.
    pub adoptions: Vec<Adoption>,
    /// Adoptions by iPA code.
    pub by_ipa: HashMap<String, Vec<usize>>,
    reader: IndexReader,
    parser: QueryParser,
    /// Facet values by facet (in [`FACETS`] order), each once.
    values: Vec<Vec<String>>,
    /// Per solution, its (facet, value) pairs as indices: facets are counted
    /// over thousands of hits per search, without string work.
    tags: Vec<Vec<(usize, u32)>>,
    /// The active solutions serving each PA digitale measure
    /// ([`crate::catalog::recommend::MEASURE_NEEDS`]), found once: every card asks.
    serving: HashMap<&'static str, Vec<usize>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("solutions", &self.solutions.len())
            .field("adoptions", &self.adoptions.len())
            .finish()
    }
}

/// A search request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// Words.
    pub text: String,
    /// Facet → accepted values.
    pub filters: BTreeMap<String, BTreeSet<String>>,
    /// Also invalid (inactive) solutions.
    pub include_inactive: bool,
    /// The order of the results.
    pub sort: Sort,
}

/// The order of search results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (by name without words).
    #[default]
    Relevance,
    /// Most verified adopters first (then relevance).
    Adopters,
    /// Latest `releaseDate` first (undated last, then relevance).
    Release,
}

impl Sort {
    /// The sort a query parameter names (`relevance`, `adopters`, `release`).
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "adopters" => Some(Sort::Adopters),
            "release" => Some(Sort::Release),
            _ => None,
        }
    }
}

/// One facet value with its count among the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacetValue {
    /// The value.
    pub value: String,
    /// Results that have it.
    pub count: usize,
    /// Whether it filters the results.
    pub selected: bool,
}

/// A facet's values, most frequent first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facet {
    /// Its key.
    pub key: &'static str,
    /// Its values.
    pub values: Vec<FacetValue>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// Indices into [`Catalog::solutions`], best first (by name without words).
    pub hits: Vec<usize>,
    /// The facets over the hits.
    pub facets: Vec<Facet>,
    /// No solution had every word: these have some of them.
    pub partial: bool,
}

/// Building the index failed (it is in memory: this is a bug, not bad data).
#[derive(Debug, thiserror::Error)]
#[error("building the catalog's search index: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

fn analyzer(stem: Option<Algorithm>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match stem {
        Some(a) => base.filter(GuardedStemmer(a)).build(),
        None => base.build(),
    }
}

impl Catalog {
    /// Indexes the stored solutions and adoptions.
    pub fn new(stored: Vec<StoredSolution>, adoptions: Vec<Adoption>) -> Result<Catalog, IndexError> {
        let mut solutions: Vec<Solution> = stored
            .into_iter()
            .map(|s| {
                let doc: Option<PublicCode> = s.record.document.as_deref().and_then(|d| serde_json::from_str(d).ok());
                let example = is_example(&s.record.url);
                let url = s.record.url;
                Solution {
                    id: s.id,
                    name: s.record.name,
                    url,
                    source: s.record.source,
                    active: s.active,
                    errors: s.record.errors,
                    warnings: s.record.warnings,
                    diagnostics: serde_json::from_str(&s.record.diagnostics).unwrap_or_default(),
                    notes: serde_json::from_str(&s.record.notes).unwrap_or_default(),
                    example,
                    first_seen: s.first_seen,
                    last_seen: s.last_seen,
                    facets: doc.as_ref().map(facets_of).unwrap_or_default(),
                    doc,
                    adoptions: Vec::new(),
                }
            })
            .collect();
        solutions.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        let by_id: HashMap<i64, usize> = solutions.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut by_ipa: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in adoptions.iter().enumerate() {
            if let Some(&s) = by_id.get(&a.solution_id) {
                solutions[s].adoptions.push(i);
            }
            by_ipa.entry(a.codice_ipa.clone()).or_default().push(i);
        }

        let mut sb = Schema::builder();
        let text = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let fields = Fields {
            id: sb.add_u64_field("id", INDEXED | STORED | FAST),
            name: sb.add_text_field("name", text("folded")),
            it: sb.add_text_field("it", text("italian")),
            en: sb.add_text_field("en", text("english")),
            all: sb.add_text_field("all", text("folded")),
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register("folded", analyzer(None));
        index.tokenizers().register("italian", analyzer(Some(Algorithm::Italian)));
        index.tokenizers().register("english", analyzer(Some(Algorithm::English)));
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
        for (i, s) in solutions.iter().enumerate() {
            let mut d = doc!(fields.id => i as u64, fields.name => s.name.clone());
            if let Some(doc) = &s.doc {
                for (lang, desc) in &doc.description {
                    let mut text = String::new();
                    for part in [desc.localised_name.as_deref().unwrap_or(""), &desc.generic_name]
                        .into_iter()
                        .chain([desc.short_description.as_str(), desc.long_description.as_str()])
                        .chain(desc.features.iter().map(String::as_str))
                    {
                        text.push_str(part);
                        text.push('\n');
                    }
                    match lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
                        "it" => d.add_text(fields.it, &text),
                        "en" => d.add_text(fields.en, &text),
                        _ => {}
                    }
                    d.add_text(fields.all, &text);
                }
            }
            writer.add_document(d)?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
        let mut parser = QueryParser::for_index(&index, vec![fields.name, fields.it, fields.en, fields.all]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(fields.name, 3.0);
        let mut values: Vec<Vec<String>> = vec![Vec::new(); FACETS.len()];
        let mut ids: Vec<HashMap<String, u32>> = vec![HashMap::new(); FACETS.len()];
        let tags = solutions
            .iter()
            .map(|s| {
                let mut t = Vec::new();
                for (f, (key, _, _)) in FACETS.iter().enumerate() {
                    for v in s.facets.get(key).into_iter().flatten() {
                        let id = *ids[f].entry(v.clone()).or_insert_with(|| {
                            values[f].push(v.clone());
                            values[f].len() as u32 - 1
                        });
                        if !t.contains(&(f, id)) {
                            t.push((f, id));
                        }
                    }
                }
                t
            })
            .collect();
        let serving = crate::catalog::recommend::MEASURE_NEEDS
            .iter()
            .map(|(m, _, _)| {
                let v = (0..solutions.len())
                    .filter(|&i| solutions[i].active && crate::catalog::recommend::serves(&solutions[i], m))
                    .collect();
                (*m, v)
            })
            .collect();
        Ok(Catalog { solutions, by_id, adoptions, by_ipa, reader, parser, values, tags, serving })
    }

    /// A solution by its catalog id.
    pub fn get(&self, id: i64) -> Option<&Solution> {
        self.by_id.get(&id).map(|&i| &self.solutions[i])
    }

    /// A solution by the id in a URL path (`/soluzioni/{id}`), or a 404.
    pub fn by_path(&self, id: &str) -> Result<&Solution, crate::AppError> {
        id.parse::<i64>()
            .ok()
            .and_then(|id| self.get(id))
            .ok_or_else(|| crate::AppError::NotFound(format!("no solution `{id}` in the catalog")))
    }

    /// The active solutions that serve a PA digitale measure, by name.
    pub fn serving(&self, measure: &str) -> impl Iterator<Item = &Solution> {
        self.serving.get(measure).into_iter().flatten().map(|&i| &self.solutions[i])
    }

    /// The number of active (listed) solutions.
    pub fn active(&self) -> usize {
        self.solutions.iter().filter(|s| s.active).count()
    }

    /// Indices of the solutions matching the words, best first; every
    /// solution, by name, without words. `all`: every word must match,
    /// else any of them.
    fn matches(&self, text: &str, all: bool) -> Vec<usize> {
        // Words only: the query syntax (fields, quotes, +/-) is not offered,
        // so a stray `:` or `"` is a character, not an error.
        let words: String = text.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        if words.trim().is_empty() {
            return (0..self.solutions.len()).collect();
        }
        let words = if all { words } else { words.split_whitespace().collect::<Vec<_>>().join(" OR ") };
        let (query, _) = self.parser.parse_query_lenient(&words);
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(self.solutions.len().max(1)).order_by_score())
        else {
            return Vec::new();
        };
        let columns: Vec<_> = searcher.segment_readers().iter().map(|r| r.fast_fields().u64("id").ok()).collect();
        top.into_iter()
            .filter_map(|(_, addr)| columns.get(addr.segment_ord as usize)?.as_ref()?.first(addr.doc_id))
            .map(|i| i as usize)
            .collect()
    }

    /// Searches: words, then filters, then the facets over what is left.
    pub fn search(&self, q: &SearchQuery) -> SearchResult {
        // Each filter as the value indices it accepts (an unknown value accepts nothing).
        let wanted: Vec<(usize, Vec<u32>)> = FACETS
            .iter()
            .enumerate()
            .filter_map(|(f, (key, _, _))| {
                let sel = q.filters.get(*key).filter(|v| !v.is_empty())?;
                let ids = self.values[f].iter().enumerate().filter(|(_, v)| sel.contains(*v)).map(|(i, _)| i as u32);
                Some((f, ids.collect()))
            })
            .collect();
        let keep = |found: Vec<usize>| -> Vec<usize> {
            found
                .into_iter()
                .filter(|&i| q.include_inactive || self.solutions[i].active)
                .filter(|&i| {
                    let tags = &self.tags[i];
                    wanted.iter().all(|(f, ids)| tags.iter().any(|(tf, tv)| tf == f && ids.contains(tv)))
                })
                .collect()
        };
        let mut hits = keep(self.matches(&q.text, true));
        // When no solution has every word, those with some of them, said so.
        let partial = hits.is_empty() && q.text.split_whitespace().nth(1).is_some() && {
            hits = keep(self.matches(&q.text, false));
            !hits.is_empty()
        };
        match q.sort {
            Sort::Relevance => {}
            // Stable sorts: ties keep the relevance order.
            Sort::Adopters => hits.sort_by_key(|&i| std::cmp::Reverse(self.verified_users(&self.solutions[i]))),
            Sort::Release => hits.sort_by(|&a, &b| self.release(b).cmp(&self.release(a))),
        }
        let mut counts: Vec<Vec<usize>> = self.values.iter().map(|v| vec![0; v.len()]).collect();
        for &i in &hits {
            for &(f, v) in &self.tags[i] {
                counts[f][v as usize] += 1;
            }
        }
        let facets = FACETS
            .iter()
            .enumerate()
            .map(|(f, (key, _, _))| {
                let selected = q.filters.get(*key);
                let is_selected = |v: &str| selected.is_some_and(|s| s.contains(v));
                let mut values: Vec<FacetValue> = self.values[f]
                    .iter()
                    .zip(&counts[f])
                    .filter(|(v, c)| **c > 0 || is_selected(v))
                    .map(|(v, &count)| FacetValue { value: v.clone(), count, selected: is_selected(v) })
                    .collect();
                // A selected value stays visible even when no solution has it.
                for v in selected.into_iter().flatten() {
                    if !values.iter().any(|x| &x.value == v) {
                        values.push(FacetValue { value: v.clone(), count: 0, selected: true });
                    }
                }
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                Facet { key, values }
            })
            .collect();
        SearchResult { hits, facets, partial }
    }

    /// A solution's `releaseDate` when it reads as a date (`YYYY-MM-DD`), for sorting.
    fn release(&self, i: usize) -> Option<&str> {
        let d = self.solutions[i].doc.as_ref()?.release_date.as_deref()?;
        (d.len() == 10 && d.as_bytes()[4] == b'-').then_some(d)
    }

    /// The administrations whose use of a solution an editor verified.
    pub fn verified_users(&self, s: &Solution) -> usize {
        self.users(s).filter(|a| a.verified_by.is_some()).count()
    }

    /// The adoptions of a solution.
    pub fn adoptions_for<'a>(&'a self, s: &'a Solution) -> impl Iterator<Item = &'a Adoption> {
        s.adoptions.iter().map(|&i| &self.adoptions[i])
    }

    /// The administrations that use a solution now (`in_use` adoptions).
    pub fn users<'a>(&'a self, s: &'a Solution) -> impl Iterator<Item = &'a Adoption> {
        self.adoptions_for(s).filter(|a| a.status == AdoptionStatus::InUse)
    }

    /// The adoptions of an administration.
    pub fn adoptions_of(&self, codice_ipa: &str) -> impl Iterator<Item = &Adoption> {
        self.by_ipa.get(codice_ipa).into_iter().flatten().map(|&i| &self.adoptions[i])
    }

    /// Whether an administration uses a solution now.
    pub fn uses(&self, codice_ipa: &str, solution_id: i64) -> bool {
        self.adoptions_of(codice_ipa).any(|a| a.solution_id == solution_id && a.status == AdoptionStatus::InUse)
    }
}
