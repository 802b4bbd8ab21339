//! The administrations by iPA code, merged from the lists an operator has:
//! PA digitale 2026's applications (`codice_ipa`, `ente`, `tipologia_ente`,
//! `comune`, `cod_comune`, `regione`: every body that applied, 2022–2025)
//! and IndicePA's list (`cod_amm`, `des_amm`, `tipologia_istat`, `Comune`,
//! `Regione`: every administration as of its date, the 2018 snapshot in
//! `shared/data/indicepa-2018`). Lists are given newest first: for a code
//! two lists know, the first one's name wins and the other fills what it
//! lacks (a category, a seat); every code records the lists that knew it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cantiere_store::administration::Administration;

use crate::error::{Error, Result};

/// The name a list is recorded under: `padigitale2026` for PA digitale's
/// applications, `indicepa` plus the folder's year for IndicePA.
fn list_name(path: &Path, indicepa: bool) -> String {
    if !indicepa {
        return "padigitale2026".into();
    }
    let folder = if path.is_dir() { Some(path) } else { path.parent() };
    let year = folder
        .and_then(|f| f.file_name())
        .map(|n| n.to_string_lossy().chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|y| y.len() == 4);
    match year {
        Some(y) => format!("indicepa-{y}"),
        None => "indicepa".into(),
    }
}

/// The CSV files of a path: the file, or a folder's `.csv` files, sorted.
fn csv_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    Ok(files)
}

/// The columns of a list: (code, name, category, comune, comune's ISTAT code, region).
const PADIGITALE: [&str; 6] = ["codice_ipa", "ente", "tipologia_ente", "comune", "cod_comune", "regione"];
const INDICEPA: [&str; 6] = ["cod_amm", "des_amm", "tipologia_istat", "comune", "", "regione"];

/// Reads the lists (files or folders of CSV files; a CSV with neither
/// PA digitale's nor IndicePA's columns adds nothing), newest first, into
/// one administration per code, by code.
pub fn read_lists(paths: &[PathBuf]) -> Result<Vec<Administration>> {
    let mut merged: BTreeMap<String, Administration> = BTreeMap::new();
    for path in paths {
        for file in csv_files(path)? {
            read_list(&file, &mut merged)?;
        }
    }
    Ok(merged.into_values().collect())
}

fn read_list(file: &Path, merged: &mut BTreeMap<String, Administration>) -> Result<()> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(&name, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |c: &str| if c.is_empty() { None } else { headers.iter().position(|h| h == c) };
    let (columns, indicepa) = if find("codice_ipa").is_some() && find("ente").is_some() {
        (PADIGITALE, false)
    } else if find("cod_amm").is_some() && find("des_amm").is_some() {
        (INDICEPA, true)
    } else {
        return Ok(());
    };
    let at: Vec<Option<usize>> = columns.iter().map(|c| find(c)).collect();
    let list = list_name(file, indicepa);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::field(&name, i as u64 + 2, columns[0], e.to_string()))?;
        let get = |k: usize| at[k].and_then(|c| record.get(c)).map(str::trim).unwrap_or("").to_string();
        let code = get(0).to_lowercase();
        if code.is_empty() {
            continue;
        }
        let read = Administration {
            codice_ipa: code.clone(),
            name: get(1),
            category: get(2),
            municipality: get(3),
            municipality_code: get(4),
            region: get(5),
            lists: list.clone(),
        };
        match merged.get_mut(&code) {
            None => {
                merged.insert(code, read);
            }
            Some(known) => {
                for (mine, theirs) in [
                    (&mut known.name, read.name),
                    (&mut known.category, read.category),
                    (&mut known.municipality, read.municipality),
                    (&mut known.municipality_code, read.municipality_code),
                    (&mut known.region, read.region),
                ] {
                    if mine.is_empty() {
                        *mine = theirs;
                    }
                }
                if !known.lists.split(';').any(|l| l == list) {
                    known.lists = format!("{};{list}", known.lists);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newer_list_names_a_code_both_know_and_each_code_says_which_lists_knew_it() {
        let dir = std::env::temp_dir().join(format!("cantiere-admin-{}", std::process::id()));
        let pad = dir.join("padigitale2026");
        let ipa = dir.join("indicepa-2018");
        std::fs::create_dir_all(&pad).unwrap();
        std::fs::create_dir_all(&ipa).unwrap();
        std::fs::write(
            pad.join("candidature_finanziate_11.csv"),
            "codice_ipa,ente,tipologia_ente,comune,cod_comune,regione\n\
             C_A001,Comune di Abano Terme,Comuni,Abano Terme,028001,Veneto\n\
             c_a001,Comune di Abano Terme,Comuni,Abano Terme,028001,Veneto\n",
        )
        .unwrap();
        std::fs::write(pad.join("avvisi.csv"), "titolo,misura\nx,1.1\n").unwrap();
        std::fs::write(
            ipa.join("amministrazioni.csv"),
            "cod_amm,des_amm,tipologia_istat,Comune,Provincia,Regione\n\
             c_a001,COMUNE DI ABANO TERME,Comuni e loro Consorzi e Associazioni,Abano Terme,PD,Veneto\n\
             arpa,Agenzia Regionale per la Protezione Ambientale del Piemonte,Agenzie regionali,Torino,TO,Piemonte\n",
        )
        .unwrap();
        let list = read_lists(&[pad, ipa.join("amministrazioni.csv")]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(list.len(), 2);
        let abano = &list[1];
        assert_eq!(abano.codice_ipa, "c_a001");
        assert_eq!(abano.name, "Comune di Abano Terme");
        assert_eq!(abano.municipality_code, "028001");
        assert_eq!(abano.lists, "padigitale2026;indicepa-2018");
        let arpa = &list[0];
        assert_eq!((arpa.codice_ipa.as_str(), arpa.lists.as_str()), ("arpa", "indicepa-2018"));
        assert_eq!((arpa.municipality.as_str(), arpa.region.as_str()), ("Torino", "Piemonte"));
        assert_eq!(arpa.category, "Agenzie regionali");
    }
}
