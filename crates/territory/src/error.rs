//! The crate's error type: every error names the file, and where it applies
//! the line and the field, and says what was expected.

use std::path::{Path, PathBuf};

/// What went wrong while reading a source or building the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not what it should be (not a zip, not a Feather table, a
    /// package member that is missing, ...).
    #[error("{file}: {message}")]
    File {
        /// The file (for a package member: `wheel!member`).
        file: String,
        /// What was expected.
        message: String,
    },
    /// A header lacks a column the importer needs.
    #[error("{file}: line 1: missing column `{column}` ({expected})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
        /// Why it is needed, or what it may be called.
        expected: String,
    },
    /// A value that cannot be read.
    #[error("{file}: line {line}: column `{field}`: {message}")]
    Field {
        /// The file.
        file: String,
        /// 1-based line of the record (its first line when a field spans several).
        line: u64,
        /// The column.
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// An index definition that is not valid.
    #[error("{file}: {message}")]
    Definition {
        /// The definition file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The composite-indicator engine refused the generated tables.
    #[error(transparent)]
    Index(#[from] cantiere_index::Error),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn file(file: impl Into<String>, message: impl Into<String>) -> Error {
        Error::File { file: file.into(), message: message.into() }
    }

    pub(crate) fn field(file: &str, line: u64, field: &str, message: impl Into<String>) -> Error {
        Error::Field { file: file.to_string(), line, field: field.to_string(), message: message.into() }
    }
}
