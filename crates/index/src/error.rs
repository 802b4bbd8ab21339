//! The error type of the engine.
//!
//! Every error names where the problem is: the file, the line (1-based, the
//! header is line 1) and the column or key, and what was expected. Problems
//! that COINr only warns about (a constant column under min-max, say) are not
//! errors: they are [`Warning`]s collected on the build.

use std::fmt;

/// Where in an input file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file (as given by the caller) or a logical name such as `iMeta`.
    pub file: String,
    /// 1-based line number; the header is line 1.
    pub line: Option<u64>,
    /// Column name, or key of a configuration file.
    pub column: Option<String>,
}

impl Location {
    /// A location in a file, without line or column.
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), line: None, column: None }
    }

    /// The same location at a line.
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same location at a column.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ": column `{col}`")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong building or analysing an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{file}: cannot read: {message}")]
    Read {
        /// The file.
        file: String,
        /// What the operating system or parser said.
        message: String,
    },
    /// The content of an input table is malformed (missing column, text in a
    /// numeric cell, duplicate code, ...).
    #[error("{location}: {problem}")]
    Input {
        /// Where.
        location: Location,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// A pipeline or uncertainty configuration is invalid.
    #[error("{}: {problem}", config_location(location))]
    Config {
        /// Where (`file` and `column` = key path such as `normalise.method`).
        location: Location,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// A step cannot run on this data (geometric mean of a negative value, an
    /// unknown reference unit, ...).
    #[error("{step}: {problem}")]
    Step {
        /// The pipeline step, e.g. `aggregate`.
        step: &'static str,
        /// What is wrong, naming unit and indicator where they matter.
        problem: String,
    },
}

impl Error {
    /// An input error at a location.
    pub fn input(location: Location, problem: impl Into<String>) -> Self {
        Error::Input { location, problem: problem.into() }
    }

    /// A configuration error at `file`, key `key`.
    pub fn config(file: &str, key: &str, problem: impl Into<String>) -> Self {
        Error::Config { location: Location::file(file).column(key), problem: problem.into() }
    }

    /// A file that cannot be read.
    pub fn read(path: &std::path::Path, e: std::io::Error) -> Self {
        Error::Read { file: path.display().to_string(), message: e.to_string() }
    }

    /// A TOML file that does not parse into `T` (unknown keys, wrong types):
    /// the error names the line the parser stopped at.
    pub fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() as u64 + 1);
            Error::Config {
                location: Location { file: file.to_string(), line, column: None },
                problem: e.message().to_string(),
            }
        })
    }

    /// A step error.
    pub fn step(step: &'static str, problem: impl Into<String>) -> Self {
        Error::Step { step, problem: problem.into() }
    }
}

fn config_location(l: &Location) -> String {
    let mut s = l.file.clone();
    if let Some(line) = l.line {
        s.push_str(&format!(":{line}"));
    }
    if let Some(key) = &l.column {
        s.push_str(&format!(": key `{key}`"));
    }
    s
}

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something COINr would warn about: the build goes on, the value is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The step that warned, e.g. `normalise`.
    pub step: &'static str,
    /// The indicator or aggregate concerned, if any.
    pub code: Option<String>,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{}: {}: {}", self.step, code, self.message),
            None => write!(f, "{}: {}", self.step, self.message),
        }
    }
}
