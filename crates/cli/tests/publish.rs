//! `cantiere index publish`: a coin's files stored as a run of their own
//! index beside the ITD, with exactly the values, scores and ranks
//! `cantiere index build` writes for the same files; units named by ISTAT,
//! cadastral or iPA code; a unit that names no comune refuses the whole
//! publication.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cantiere_store::Store;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cantiere")).args(args).current_dir(root()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A CSV file's rows as maps from header to cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records().map(|x| header.iter().cloned().zip(x.unwrap().iter().map(String::from)).collect()).collect()
}

const META: &str = "Level,iCode,iName,Direction,Weight,Unit,Parent,Type
1,spid,Accessi SPID per residente,1,1,per residente,Servizi,Indicator
1,pagopa,Pagamenti pagoPA per residente,1,1,per residente,Servizi,Indicator
1,tempi,Giorni medi di risposta,-1,1,giorni,Servizi,Indicator
1,banda,Copertura banda ultralarga,1,2,%,Reti,Indicator
2,Servizi,Servizi digitali,1,2,,Indice,Aggregate
2,Reti,Reti,1,1,,Indice,Aggregate
3,Indice,Indice regionale,1,1,,,Aggregate
";

/// Six Umbrian comuni, named four ways: ISTAT code, cadastral code (lower
/// case), iPA code, cadastral code (upper case).
const DATA: &str = "uCode,uName,spid,pagopa,tempi,banda
054039,Perugia,1.2,0.8,30,90
l117,Terni,0.9,0.7,25,85
c_a475,Assisi,0.5,0.4,40,70
D653,Foligno,0.7,,35,75
054051,Spoleto,0.6,0.5,45,60
055023,Orvieto,0.4,0.3,50,55
";

const PIPELINE: &str =
    "[normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n\n[aggregate]\nmethod = \"arithmetic\"\nweights = \"imeta\"\n";

#[test]
fn a_published_index_stores_what_the_build_gives() {
    let dir = std::env::temp_dir().join(format!("cantiere-cli-publish-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let (data, meta, pipeline) = (dir.join("iData.csv"), dir.join("iMeta.csv"), dir.join("p.toml"));
    std::fs::write(&data, DATA).unwrap();
    std::fs::write(&meta, META).unwrap();
    std::fs::write(&pipeline, PIPELINE).unwrap();
    let files = ["--data", data.to_str().unwrap(), "--meta", meta.to_str().unwrap()];
    let files = [&files[..], &["--pipeline", pipeline.to_str().unwrap()]].concat();
    let publish = |extra: &[&str]| {
        let args = [&["index", "publish"][..], &files, &["--database", &url], extra].concat();
        run(&args)
    };
    let named = ["--code", "DIGI_UMB", "--name", "Indice digitale umbro", "--period", "2025-Q4"];

    // Nothing stored yet: no comune to match against.
    let (ok, err) = publish(&named);
    assert!(!ok && err.contains("no comuni are stored"), "{err}");
    let (ok, err) = run(&["import", "--region", "Umbria", "--database", &url]);
    assert!(ok, "{err}");

    // Bad arguments are refused before the files are read.
    let (ok, err) = publish(&["--code", "DIGI UMB", "--name", " ", "--period", "2025-Q5"]);
    assert!(!ok, "{err}");
    assert!(err.contains("3 problems; nothing was published"), "{err}");
    assert!(err.contains("--code: `DIGI UMB`") && err.contains("--name:") && err.contains("--period: `2025-Q5`"));

    // A unit that is no comune, and one naming a comune twice: all refused.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, format!("{DATA}G478,Perugia di nuovo,1,1,1,1\nXX999,Atlantide,1,1,1,1\n")).unwrap();
    let args = [
        &["index", "publish", "--data", bad.to_str().unwrap(), "--meta", meta.to_str().unwrap()][..],
        &["--pipeline", pipeline.to_str().unwrap(), "--database", &url],
        &named,
    ]
    .concat();
    let (ok, err) = run(&args);
    assert!(!ok);
    assert!(err.contains("iData unit `G478` (Perugia di nuovo): comune 054039 (Perugia) is already unit `054039`"));
    assert!(err.contains("iData unit `XX999` (Atlantide): not the ISTAT, cadastral or iPA code of a stored comune"));

    let (ok, err) = publish(&named);
    assert!(ok, "{err}");
    assert!(err.contains("published DIGI_UMB (Indice digitale umbro), period 2025-Q4: 6 comuni"), "{err}");

    // The same files through `index build`.
    let out = dir.join("out");
    let build = [&["index", "build"][..], &files, &["--out", out.to_str().unwrap()]].concat();
    let (ok, err) = run(&build);
    assert!(ok, "{err}");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (runs, snap) = rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let runs = store.latest_runs().await.unwrap();
        let snap = store.load(Some(runs[1].id)).await.unwrap();
        (runs, snap)
    });
    // The ITD came first: it stays the main index; the new one follows.
    assert_eq!(runs.iter().map(|r| r.index_code.as_str()).collect::<Vec<_>>(), ["ITD", "DIGI_UMB"]);
    let info = snap.run.as_ref().unwrap();
    assert_eq!((info.name.as_str(), info.period.as_str()), ("Indice digitale umbro", "2025-Q4"));
    assert!(info.sources.contains("\"iData.csv\"") && info.definition == META, "{}", info.sources);

    // Units named by any code are stored under their ISTAT codes.
    let istat: HashMap<&str, &str> = [
        ("054039", "054039"),
        ("l117", "055032"),
        ("c_a475", "054001"),
        ("D653", "054018"),
        ("054051", "054051"),
        ("055023", "055023"),
    ]
    .into();
    let bodies: Vec<&str> = snap.bodies.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(bodies, ["054001", "054018", "054039", "054051", "055023", "055032"]);

    let close = |a: Option<f64>, b: &str, what: &str| match (a, b) {
        (None, "" | "NA") => {}
        (Some(x), s) => {
            let y: f64 = s.parse().unwrap_or_else(|_| panic!("{what}: stored {x}, built `{s}`"));
            assert!((x - y).abs() <= 1e-12, "{what}: stored {x}, built {y}");
        }
        (None, s) => panic!("{what}: stored nothing, built `{s}`"),
    };
    let result: HashMap<&str, &cantiere_store::ResultRow> =
        snap.results.iter().map(|r| (r.ucode.as_str(), r)).collect();
    let built = rows(&out.join("results.csv"));
    assert_eq!(built.len(), 6);
    for row in &built {
        let r = result[istat[row["uCode"].as_str()]];
        close(r.score, &row["Indice"], "score");
        close(r.rank, &row["Indice_Rank"], "rank");
    }
    let value: HashMap<(&str, &str), &cantiere_store::ScoreRow> =
        snap.scores.iter().map(|s| ((s.ucode.as_str(), s.code.as_str()), s)).collect();
    let mut compared = 0;
    for (file, raw, codes) in [
        ("Raw.csv", true, &["spid", "pagopa", "tempi", "banda"][..]),
        ("Normalised.csv", false, &["spid", "pagopa", "tempi", "banda"][..]),
        ("Aggregated.csv", false, &["Servizi", "Reti", "Indice"][..]),
    ] {
        for row in rows(&out.join(file)) {
            for code in codes {
                let v = value.get(&(istat[row["uCode"].as_str()], *code)).map_or((None, None), |s| (s.raw, s.value));
                close(if raw { v.0 } else { v.1 }, &row[*code], &format!("{file} {} {code}", row["uCode"]));
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 6 * 11);
    // Worked by hand: Orvieto is last on every indicator (tempi is reversed),
    // so every normalised value, every score and the index are 0.
    assert_eq!(result["055023"].score, Some(0.0));
    assert_eq!(result["055023"].rank, Some(6.0));
    assert_eq!(value.get(&("054018", "pagopa")), None, "Foligno's missing value is not stored");

    // Unions: a good file stored; a bad one refused whole, the good one kept.
    let unions = dir.join("unions.csv");
    std::fs::write(&unions, "union_ipa,union_name,member,from,to\num_x,Unione X,054039,2015-01-01,\num_x,Unione X,055032,2015-01-01,2020-12-31\n").unwrap();
    let (ok, err) = run(&["units", "import", "--unions", unions.to_str().unwrap(), "--database", &url]);
    assert!(ok && err.contains("2 memberships of 1 unions stored"), "{err}");
    std::fs::write(
        &unions,
        "union_ipa,union_name,member,from,to\num_y,Unione Y,054039,2015-01-01,\num_y,Unione Y,058091,2015-01-01,\n",
    )
    .unwrap();
    let (ok, err) = run(&["units", "import", "--unions", unions.to_str().unwrap(), "--database", &url]);
    assert!(
        !ok && err.contains("unions.csv:3:3: column `member`: `058091`: not the ISTAT code of a stored comune"),
        "{err}"
    );
    let kept = rt.block_on(async { Store::open(&url).await.unwrap().unions().await.unwrap() });
    assert_eq!(kept.iter().map(|m| m.union_ipa.as_str()).collect::<Vec<_>>(), ["um_x", "um_x"], "nothing replaced");
    std::fs::remove_dir_all(&dir).unwrap();
}
