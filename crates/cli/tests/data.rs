//! `cantiere data import`: a dictionary and values stored all or nothing
//! (a file with a bad cell writes nothing and names its line and column),
//! units named by iPA code resolved through the stored administrations,
//! and a second import replacing a value; an index definition reading a
//! stored indicator (`kind = "data"`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cantiere"));
    c.current_dir(repo());
    c
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (bool, String) {
    let out = bin().args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn values_are_imported_all_or_nothing() {
    let dir = std::env::temp_dir().join(format!("cantiere-cli-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("db.sqlite").display());
    // Two administrations, named by an IndicePA-like list at catalog ingestion.
    let list = dir.join("ipa.csv");
    std::fs::write(&list, "cod_amm,des_amm,tipologia_istat,Comune,Regione\num_test,Unione di prova,Unioni di Comuni,,\nc_a944,Comune di Bologna,Comuni,Bologna,Emilia-Romagna\n").unwrap();
    let fixtures = repo().join("fixtures/catalog/sito-comunale");
    let (ok, err) = run(&[
        "catalog",
        "ingest",
        fixtures.to_str().unwrap(),
        "--database",
        &db,
        "--ipa-codes",
        list.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let dict = dir.join("dictionary.csv");
    std::fs::write(&dict, "code,name_it,name_en,unit,direction\nspid_uso,Accessi SPID,SPID logins,%,1\n").unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "unit,indicator,period,value\num_test,spid_uso,2024,0.5\nc_a944,spid_uso,2024-14,0.5\n")
        .unwrap();
    let (ok, err) =
        run(&["data", "import", bad.to_str().unwrap(), "--dictionary", dict.to_str().unwrap(), "--database", &db]);
    assert!(!ok);
    assert!(
        err.contains("bad.csv:3:3: column `period`: `2024-14`: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "unit,indicator,period,value,note\nUM_TEST,spid_uso,2024,0.5,\nc_a944,spid_uso,2024-Q4,0.25,stima\n",
    )
    .unwrap();
    let (ok, err) =
        run(&["data", "import", good.to_str().unwrap(), "--dictionary", dict.to_str().unwrap(), "--database", &db]);
    assert!(ok, "{err}");
    assert!(err.contains("2 values from 1 files") && err.contains("2 new, 0 replaced; 1 indicators defined"), "{err}");
    // The dictionary is stored: a second file needs none; one value replaced.
    std::fs::write(&good, "unit,indicator,period,value\nc_a944,spid_uso,2024-Q4,0.3\n").unwrap();
    let (ok, err) = run(&["data", "import", good.to_str().unwrap(), "--database", &db]);
    assert!(ok && err.contains("0 new, 1 replaced"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_index_definition_reads_stored_indicators() {
    let dir = std::env::temp_dir().join(format!("cantiere-cli-data-kind-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("db.sqlite").display());
    let root = repo();
    let (ok, err) = run(&["import", "--region", "Umbria", "--database", &db]);
    assert!(ok, "{err}");
    // Values of a region's own indicator: Perugia in two periods (by ISTAT and
    // cadastral code), Terni in one; no other comune.
    let dict = dir.join("dictionary.csv");
    std::fs::write(&dict, "code,name_it,name_en,unit,direction\nspid_uso,Accessi SPID,SPID logins,%,1\n").unwrap();
    let values = dir.join("values.csv");
    std::fs::write(
        &values,
        "unit,indicator,period,value\n054039,spid_uso,2024,0.5\nG478,spid_uso,2025-Q2,0.7\nL117,spid_uso,2023-06,0.2\n",
    )
    .unwrap();
    let (ok, err) =
        run(&["data", "import", values.to_str().unwrap(), "--dictionary", dict.to_str().unwrap(), "--database", &db]);
    assert!(ok, "{err}");
    // The ITD's definition with one more indicator, read from the store.
    let def = dir.join("itd-data");
    std::fs::create_dir_all(&def).unwrap();
    for f in ["index.toml", "pipeline.toml", "uncertainty.toml"] {
        std::fs::copy(root.join("indices/itd/v1").join(f), def.join(f)).unwrap();
    }
    let mut toml = std::fs::read_to_string(def.join("index.toml")).unwrap();
    toml.push_str("\n[[indicator]]\ncode = \"spid_regione\"\nname = \"Accessi SPID (dati della regione)\"\nparent = \"SRV\"\ndirection = 1\nkind = \"data\"\nindicator = \"spid_uso\"\nunit = \"%\"\n");
    std::fs::write(def.join("index.toml"), &toml).unwrap();
    let (ok, err) = run(&[
        "territory",
        "build",
        "--region",
        "Umbria",
        "--definition",
        def.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("reads stored indicators (kind = \"data\"): build it with `cantiere import`"), "{err}");
    let (ok, err) = run(&["import", "--region", "Umbria", "--definition", def.to_str().unwrap(), "--database", &db]);
    assert!(ok, "{err}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let snap = rt.block_on(async { cantiere_store::Store::open(&db).await.unwrap().load(None).await.unwrap() });
    let raw = |code: &str| snap.scores.iter().find(|s| s.ucode == code && s.code == "spid_regione").and_then(|s| s.raw);
    assert_eq!(raw("054039"), Some(0.7), "Perugia's latest period");
    assert_eq!(raw("055032"), Some(0.2));
    assert_eq!(raw("054001"), None, "Assisi has no value");
    // A data indicator must name what it reads.
    std::fs::write(def.join("index.toml"), toml.replace("indicator = \"spid_uso\"\n", "")).unwrap();
    let (ok, err) = run(&["import", "--region", "Umbria", "--definition", def.to_str().unwrap(), "--database", &db]);
    assert!(!ok && err.contains("kind = \"data\" needs the stored `indicator` it reads"), "{err}");
    // ANPR's files stored as indicators; the ITD v2 reads them.
    let (ok, err) = run(&["import", "--region", "Umbria", "--definition", "indices/itd/v2", "--database", &db]);
    assert!(!ok && err.contains("stored indicator `anpr_ansc` has no value"), "{err}");
    let (ok, err) = run(&["data", "anpr", "--database", &db]);
    assert!(ok && err.contains("of comuni not stored skipped"), "{err}");
    let residents =
        rt.block_on(async { cantiere_store::Store::open(&db).await.unwrap().values("anpr_residenti").await.unwrap() });
    // Read by hand: `23-11-2025,UMBRIA,PERUGIA,054039,PERUGIA,164081`; only Umbria's comuni are stored.
    let perugia: Vec<(&str, f64)> =
        residents.iter().filter(|v| v.unit == "054039").map(|v| (v.period.as_str(), v.value)).collect();
    assert_eq!(perugia, [("2025-11-23", 164_081.0)]);
    assert_eq!(residents.len(), 92, "Umbria's 92 comuni");
    let (ok, err) = run(&["import", "--region", "Umbria", "--definition", "indices/itd/v2", "--database", &db]);
    assert!(ok, "{err}");
    let snap = rt.block_on(async { cantiere_store::Store::open(&db).await.unwrap().load(None).await.unwrap() });
    assert_eq!(snap.run.as_ref().unwrap().index_version, "2.0.0");
    let raw = |code: &str, ind: &str| snap.scores.iter().find(|s| s.ucode == code && s.code == ind).and_then(|s| s.raw);
    // Read by hand in the ANPR files: Terni adopted ANSC on 18-11-2025 on its planned day; Perugia has not.
    assert_eq!((raw("055032", "ansc"), raw("055032", "ansc_ritardo")), (Some(1.0), Some(0.0)));
    assert_eq!((raw("054039", "ansc"), raw("054039", "ansc_ritardo")), (Some(0.0), None));
    assert_eq!(raw("054039", "liste_anpr"), Some(1.0));
    // v2 compares PA digitale's euros within size classes: the smallest
    // comuni no longer top innovation for their size. Umbria's top 10 by
    // innovation holds two comuni under 1,000 residents in v1 (446 and 975
    // residents), none in v2.
    let v1 = rt.block_on(async { cantiere_store::Store::open(&db).await.unwrap().load(Some(1)).await.unwrap() });
    assert_eq!(v1.run.as_ref().unwrap().index_version, "1.0.0");
    let small_in_top10 = |s: &cantiere_store::Snapshot| {
        let mut r: Vec<&cantiere_store::ResultRow> = s.results.iter().filter(|r| r.innovation.is_some()).collect();
        r.sort_by(|a, b| b.innovation.unwrap().total_cmp(&a.innovation.unwrap()));
        let pop = |c: &str| s.bodies.iter().find(|b| b.code == c).and_then(|b| b.population).unwrap_or(0);
        r.iter().take(10).filter(|r| pop(&r.ucode) < 1_000).count()
    };
    assert_eq!((small_in_top10(&v1), small_in_top10(&snap)), (2, 0));
    std::fs::remove_dir_all(&dir).unwrap();
}
