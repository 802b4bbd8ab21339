//! The iPA vocabulary: the codes of Italian public administrations (`codice_ipa`, the key of
//! IndicePA, the national index of public administrations).
//!
//! The reference embeds a copy of the IndicePA list (23,735 codes). No registry package ships it,
//! so this crate embeds none: the caller loads one from data it has — an IndicePA export, or the
//! `codice_ipa` column of the PA digitale 2026 open data (16,983 administrations) — with
//! [`IpaCodes::from_path`], [`IpaCodes::from_csv`] or [`IpaCodes::from_codes`]. Without a list, [`IpaCodes::check`] answers
//! [`IpaCheck::Unknown`] and the validator accepts any well-formed code.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ReadError;

/// A set of iPA codes, matched case-insensitively as the reference does
/// (shared: cloning a list of 20,000 codes costs a counter).
#[derive(Debug, Clone, Default)]
pub struct IpaCodes {
    codes: Arc<HashSet<String>>,
}

/// The answer of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpaCheck {
    Known,
    NotKnown,
    /// No list was loaded: nothing can be said beyond the code's form.
    Unknown,
}

impl IpaCodes {
    pub fn from_codes<I: IntoIterator<Item = S>, S: AsRef<str>>(codes: I) -> IpaCodes {
        IpaCodes {
            codes: Arc::new(
                codes.into_iter().map(|c| c.as_ref().trim().to_lowercase()).filter(|c| !c.is_empty()).collect(),
            ),
        }
    }

    /// Reads the codes of a CSV file whose header has a `codice_ipa` column (PA digitale 2026) or a
    /// `cod_amm` column (IndicePA's exports) (any case, `,` or `;` separated), or of a plain list
    /// with one code per line. A CSV without either column gives none.
    pub fn from_csv(mut reader: impl Read) -> std::io::Result<IpaCodes> {
        let mut text = String::new();
        reader.read_to_string(&mut text)?;
        let header = text.lines().next().unwrap_or_default();
        let sep = if header.contains(';') {
            b';'
        } else if header.contains(',') {
            b','
        } else {
            return Ok(IpaCodes::from_codes(text.lines()));
        };
        let mut csv = csv::ReaderBuilder::new().delimiter(sep).flexible(true).from_reader(text.as_bytes());
        let is_code = |h: &str| h.trim().eq_ignore_ascii_case("codice_ipa") || h.trim().eq_ignore_ascii_case("cod_amm");
        let column = csv.headers()?.iter().position(is_code);
        let Some(column) = column else { return Ok(IpaCodes::default()) };
        let mut codes = HashSet::new();
        for record in csv.records() {
            if let Some(code) = record?.get(column).map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()) {
                codes.insert(code);
            }
        }
        Ok(IpaCodes { codes: Arc::new(codes) })
    }

    /// Reads a file as [`IpaCodes::from_csv`] does, or every `.csv` file of a folder (the PA
    /// digitale 2026 folder, say: its files without a `codice_ipa` column add nothing).
    pub fn from_path(path: &Path) -> Result<IpaCodes, ReadError> {
        let error = |source| ReadError { path: path.to_path_buf(), source };
        if !path.is_dir() {
            let file = std::fs::File::open(path).map_err(error)?;
            return IpaCodes::from_csv(file).map_err(error);
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(error)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.sort();
        let mut codes = IpaCodes::default();
        for file in files {
            codes.extend(IpaCodes::from_path(&file)?);
        }
        Ok(codes)
    }

    /// Adds the codes of another list.
    pub fn extend(&mut self, other: IpaCodes) {
        if self.codes.is_empty() {
            self.codes = other.codes;
        } else {
            Arc::make_mut(&mut self.codes).extend(other.codes.iter().cloned());
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn check(&self, code: &str) -> IpaCheck {
        if self.codes.is_empty() {
            if well_formed(code) { IpaCheck::Unknown } else { IpaCheck::NotKnown }
        } else if self.codes.contains(&code.to_lowercase()) {
            IpaCheck::Known
        } else {
            IpaCheck::NotKnown
        }
    }
}

/// iPA codes are short words of letters, digits and underscores (`c_h501`, `pcm`, `r_lazio`).
fn well_formed(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_a_csv_column_or_a_list_and_match_ignoring_case() {
        let csv = "ente;codice_ipa;x\nRoma;c_h501;1\nPCM;\"pcm\";2\n";
        let codes = IpaCodes::from_csv(csv.as_bytes()).unwrap();
        assert_eq!(codes.len(), 2);
        assert_eq!(codes.check("C_H501"), IpaCheck::Known);
        assert_eq!(codes.check("no_such_pa"), IpaCheck::NotKnown);
        let list = IpaCodes::from_csv("pcm\nc_h501\n".as_bytes()).unwrap();
        assert_eq!(list.check("PCM"), IpaCheck::Known);
        let indicepa = IpaCodes::from_csv("cod_amm,des_amm\narpa,ARPA Piemonte\n".as_bytes()).unwrap();
        assert_eq!(indicepa.check("ARPA"), IpaCheck::Known);
        let other = IpaCodes::from_csv("a,b\n1,2\n".as_bytes()).unwrap();
        assert!(other.is_empty());
        let none = IpaCodes::default();
        assert_eq!(none.check("no_such_pa"), IpaCheck::Unknown);
        assert_eq!(none.check("not a code"), IpaCheck::NotKnown);
    }
}
