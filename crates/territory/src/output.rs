//! Writing a built territory to a folder of CSV (and GeoJSON) files.

use std::io::Write;
use std::path::Path;

use cantiere_index::format_number;

use crate::build::{Scored, Sources};
use crate::error::{Error, Result};
use crate::matching::{Method, Outcome};
use crate::padigitale::BodyKind;
use crate::registry::SIZE_CLASSES;
use crate::smarter::Group;

/// The files [`write()`] creates.
pub const FILES: [&str; 12] = [
    "iData.csv",
    "iMeta.csv",
    "results.csv",
    "groups.csv",
    "match_report.csv",
    "peers.csv",
    "profile.csv",
    "areas.csv",
    "applications.csv",
    "import_summary.csv",
    "registry_report.csv",
    "municipalities.geojson",
];

struct Out<'a> {
    dir: &'a Path,
}

impl Out<'_> {
    fn csv(&self, name: &str, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<()> {
        let path = self.dir.join(name);
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let io = |e: csv::Error| Error::file(path.display().to_string(), e.to_string());
        w.write_record(header).map_err(io)?;
        for r in rows {
            w.write_record(&r).map_err(io)?;
        }
        w.flush().map_err(|e| Error::io(&path, e))
    }

    fn bytes(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }
}

fn num(x: f64) -> String {
    format_number(x)
}

/// Rounds to 4 decimals for reports (iData and results keep full precision).
fn num4(x: f64) -> String {
    if x.is_nan() { String::new() } else { format_number((x * 1e4).round() / 1e4) }
}

/// Writes every output file into `dir` (created if needed).
pub fn write(dir: &Path, sources: &Sources, scored: &Scored) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let out = Out { dir };
    let reg = &sources.registry;
    let units = &scored.indicators.units;
    out.bytes("iData.csv", &scored.idata)?;
    out.bytes("iMeta.csv", &scored.imeta)?;
    let mut results = Vec::new();
    scored.results.write_csv(&mut results).map_err(|e| Error::file("results.csv", e.to_string()))?;
    out.bytes("results.csv", &results)?;

    out.csv(
        "groups.csv",
        &[
            "uCode",
            "name",
            "region",
            "province",
            "context",
            "innovation",
            "group",
            "index",
            "rank",
            "group_stability",
            "size_class",
            "zone",
        ],
        units.iter().enumerate().map(|(r, &u)| {
            let m = &reg.municipalities[u];
            vec![
                m.code.clone(),
                m.name.clone(),
                m.region.clone(),
                m.province.clone(),
                num4(scored.scores[1][r]),
                num4(scored.scores[2][r]),
                scored.groups[r].map(Group::name).unwrap_or_default().to_string(),
                num4(scored.scores[0][r]),
                num(scored.rank[r]),
                scored.stability.as_ref().map(|s| num4(s[r])).unwrap_or_default(),
                m.size_class().map(|c| SIZE_CLASSES[c].1).unwrap_or_default().to_string(),
                m.zone.clone(),
            ]
        }),
    )?;

    let apps = &sources.import.applications;
    let file_name = |i: usize| {
        sources.import.files[i].path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    };
    out.csv(
        "match_report.csv",
        &["file", "line", "codice_ipa", "ente", "tipologia_ente", "cod_comune", "method", "uCode", "uName", "detail"],
        apps.iter().zip(&sources.matching.outcomes).filter_map(|(a, o)| {
            let (method, code, name, detail) = match o {
                Outcome::Matched(_, Method::Istat) => return None,
                Outcome::Matched(m, method) => {
                    let m = &reg.municipalities[*m];
                    let detail = match method {
                        Method::Merger { from, date } => format!("{from} merged on {date}"),
                        _ => String::new(),
                    };
                    (method.label(), m.code.clone(), m.name.clone(), detail)
                }
                Outcome::Unmatched(why) => ("unmatched", String::new(), String::new(), why.clone()),
            };
            Some(vec![
                file_name(a.file),
                a.line.to_string(),
                a.codice_ipa.clone(),
                a.ente.clone(),
                a.kind.label().to_string(),
                a.cod_comune.clone().unwrap_or_default(),
                method.to_string(),
                code,
                name,
                detail,
            ])
        }),
    )?;

    let code_of = |r: usize| reg.municipalities[units[r]].code.clone();
    out.csv(
        "peers.csv",
        &["uCode", "pool", "peer_rank", "peer_uCode", "peer_name", "context_distance"],
        scored.peers.iter().enumerate().flat_map(|(r, p)| {
            p.peers.iter().enumerate().map(move |(i, &(v, d))| {
                vec![
                    code_of(r),
                    p.pool.label().to_string(),
                    (i + 1).to_string(),
                    code_of(v),
                    reg.municipalities[units[v]].name.clone(),
                    num4(d),
                ]
            })
        }),
    )?;
    out.csv(
        "profile.csv",
        &["uCode", "kind", "iCode", "value", "peers_mean", "difference"],
        scored.profile.iter().enumerate().flat_map(|(r, (s, w))| {
            let s = s.iter().map(move |c| ("strength", c));
            let w = w.iter().map(move |c| ("weakness", c));
            s.chain(w).map(move |(kind, c)| {
                vec![code_of(r), kind.into(), c.code.clone(), num4(c.value), num4(c.peers_mean), num4(c.difference())]
            })
        }),
    )?;

    let mut header: Vec<String> = ["level", "code", "name", "municipalities", "population"].map(String::from).to_vec();
    header.extend(Group::ALL.iter().map(|g| format!("n_{}", g.name().replace(' ', "_"))));
    for c in &scored.score_codes {
        header.push(format!("{c}_mean"));
        header.push(format!("{c}_popweighted"));
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    out.csv(
        "areas.csv",
        &header_refs,
        scored.areas.iter().map(|a| {
            let mut r = vec![
                a.level.to_string(),
                a.code.clone(),
                a.name.clone(),
                a.municipalities.to_string(),
                a.population.to_string(),
            ];
            r.extend(a.groups.iter().map(|n| n.to_string()));
            for (m, w) in &a.means {
                r.push(num4(*m));
                r.push(num4(*w));
            }
            r
        }),
    )?;

    out.csv(
        "applications.csv",
        &[
            "file",
            "line",
            "measure",
            "codice_ipa",
            "ente",
            "tipologia_ente",
            "uCode",
            "amount",
            "avviso",
            "submitted",
            "funded",
            "cup",
            "status",
            "status_date",
        ],
        apps.iter().enumerate().map(|(i, a)| {
            vec![
                file_name(a.file),
                a.line.to_string(),
                a.measure.clone(),
                a.codice_ipa.clone(),
                a.ente.clone(),
                a.kind.label().to_string(),
                sources.matching.municipality(i).map(|m| reg.municipalities[m].code.clone()).unwrap_or_default(),
                num(a.amount),
                a.avviso.clone(),
                a.submitted.to_string(),
                a.funded.map(|d| d.to_string()).unwrap_or_default(),
                a.cup.clone(),
                a.status.letter().to_string(),
                a.status_date.map(|d| d.to_string()).unwrap_or_default(),
            ]
        }),
    )?;

    out.csv(
        "import_summary.csv",
        &[
            "file",
            "rows",
            "applications",
            "comuni_matched",
            "comuni_unmatched",
            "duplicate_rows",
            "shared_cups",
            "without_cup",
            "missing_columns",
        ],
        sources.import.files.iter().enumerate().map(|(f, s)| {
            let comuni = apps.iter().enumerate().filter(|(_, a)| a.file == f && a.kind == BodyKind::Comune);
            let (mut ok, mut ko) = (0, 0);
            for (i, _) in comuni {
                if sources.matching.municipality(i).is_some() { ok += 1 } else { ko += 1 }
            }
            vec![
                file_name(f),
                s.rows.to_string(),
                s.applications.to_string(),
                ok.to_string(),
                ko.to_string(),
                s.duplicate_rows.len().to_string(),
                s.shared_cups.to_string(),
                s.without_cup.len().to_string(),
                s.missing_columns.join(" "),
            ]
        }),
    )?;

    let rep = &reg.report;
    out.csv(
        "registry_report.csv",
        &["uCode", "case", "detail"],
        rep.from_predecessors
            .iter()
            .map(|(c, p)| vec![c.clone(), "population and area from predecessors".into(), p.join(" ")])
            .chain(
                rep.by_cadastral.iter().map(|(c, old)| vec![c.clone(), "found by cadastral code".into(), old.clone()]),
            )
            .chain(
                rep.other_year
                    .iter()
                    .map(|(c, y)| vec![c.clone(), "population and area of another year".into(), y.to_string()]),
            )
            .chain(rep.without_population.iter().map(|c| vec![c.clone(), "no population".into(), String::new()])),
    )?;

    // Boundaries simplified to ~50 m (0.0005°), coordinates to ~1 m.
    let path = dir.join("municipalities.geojson");
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let io = |e| Error::io(&path, e);
    write!(w, r#"{{"type":"FeatureCollection","features":["#).map_err(io)?;
    let mut first = true;
    for (r, &u) in units.iter().enumerate() {
        let Some(shape) = &reg.shapes[u] else { continue };
        let m = &reg.municipalities[u];
        let props = serde_json::json!({
            "uCode": m.code, "name": m.name, "index": finite(scored.scores[0][r]),
            "group": scored.groups[r].map(Group::name),
        });
        write!(
            w,
            r#"{}{{"type":"Feature","properties":{props},"geometry":{}}}"#,
            if first { "" } else { "," },
            shape.simplified(0.0005).geojson(5)
        )
        .map_err(io)?;
        first = false;
    }
    writeln!(w, "]}}").map_err(io)?;
    w.flush().map_err(io)
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some((x * 1e4).round() / 1e4)
}
