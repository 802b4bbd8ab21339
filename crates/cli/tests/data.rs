//! `cantiere data import`: a dictionary and values stored all or nothing
//! (a file with a bad cell writes nothing and names its line and column),
//! units named by iPA code resolved through the stored administrations,
//! and a second import replacing a value.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cantiere"))
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
