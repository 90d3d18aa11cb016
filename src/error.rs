//! Errors sinew reports to users: one line each, with the file and line of the offending input.

use std::fmt;
use std::path::PathBuf;

/// Where in an MJCF file something was written: file path and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file the element came from (the including file for `<include>`d content is not kept).
    pub file: PathBuf,
    /// 1-based line number of the element's start tag.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Everything that can go wrong in sinew, as values (no panics on bad input).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in an MJCF model file, with its location.
    #[error("{loc}: {msg}")]
    Mjcf {
        /// Where the problem is.
        loc: Location,
        /// What is wrong, naming the element, attribute and offending value or name.
        msg: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A model named on the command line was not found.
    #[error("{0}")]
    ModelNotFound(String),
    /// A model that parses but cannot be simulated (empty, degenerate).
    #[error("{0}")]
    Model(String),
    /// The GPU could not be set up or used.
    #[error("gpu: {0}")]
    Gpu(String),
    /// A bad environment or training configuration (file, field and value named).
    #[error("config: {0}")]
    Config(String),
    /// A reference motion that does not fit the model.
    #[error("motion: {0}")]
    Motion(String),
}

/// sinew's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An MJCF error at `loc`.
    pub fn mjcf(loc: &Location, msg: impl Into<String>) -> Self {
        Error::Mjcf { loc: loc.clone(), msg: msg.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
