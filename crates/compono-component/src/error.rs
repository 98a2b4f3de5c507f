//! What can go wrong wrapping a module. Every variant names the item it is
//! about (a core import or export, a world item, a section) and, where there
//! is one, the fix.

/// An error from `embed` or `new`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not a valid core module (or cannot be read as one).
    #[error("invalid core module: {0}")]
    InvalidModule(String),
    /// An input or option that cannot be used as given (a module or
    /// component that does not parse, a malformed option value).
    #[error("{0}")]
    InvalidInput(String),
    /// A `component-type` section cannot be decoded, or sections conflict.
    #[error("{0}")]
    Metadata(String),
    /// The WIT cannot be encoded or the world cannot be used.
    #[error(transparent)]
    Wit(#[from] compono_wit::Error),
    /// A core import that the world does not explain, or whose signature
    /// differs from the world's.
    #[error("module import `{module}::{field}`: {reason}")]
    Import {
        module: String,
        field: String,
        reason: String,
    },
    /// A core export whose signature differs from the world's, or that is
    /// malformed.
    #[error("module export `{name}`: {reason}")]
    Export { name: String, reason: String },
    /// An adapter that is not one, or that does not fit the module.
    #[error("adapter `{adapter}`: {reason}")]
    Adapter { adapter: String, reason: String },
    /// Something the world needs that the module does not provide.
    #[error("{0}")]
    Missing(String),
    /// Valid input that this version of compono cannot handle yet.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Shared libraries that cannot be linked (see [`crate::link::LinkError`]).
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
    /// The component compono produced does not validate: a bug in compono.
    #[error("the produced component does not validate (this is a bug in compono): {0}")]
    InvalidOutput(String),
}
