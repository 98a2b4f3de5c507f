//! The three kinds of failure a host sees: compile, link and trap.

use crate::trap::Trap;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a valid module (malformed or invalid).
    #[error("failed to compile module: {message}")]
    Compile {
        message: String,
        offset: Option<usize>,
    },
    /// An import could not be satisfied.
    #[error("failed to link import `{module}::{name}`: {reason}")]
    Link {
        module: String,
        name: String,
        reason: LinkError,
    },
    /// Guest code trapped (including a trapping start function or segment
    /// initialisation during instantiation).
    #[error("wasm trap: {0}")]
    Trap(Trap),
    /// The embedder used the API in a way that cannot work (wrong argument
    /// count or types, unknown export, exceeded store limits when creating).
    #[error("{0}")]
    Usage(String),
}

/// Why an import did not link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("unknown import")]
    Unknown,
    #[error("incompatible import type: expected {expected}, found {found}")]
    Mismatch { expected: String, found: String },
}

// Not `#[from]`: that would also make the trap the error's source, and
// reports would print it twice.
impl From<Trap> for Error {
    fn from(trap: Trap) -> Error {
        Error::Trap(trap)
    }
}

impl Error {
    pub(crate) fn compile(e: wasmparser::BinaryReaderError) -> Error {
        Error::Compile {
            message: e.message().to_string(),
            offset: Some(e.offset() as usize),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
