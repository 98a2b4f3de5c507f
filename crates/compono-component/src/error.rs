//! What can go wrong wrapping a module. Every variant names the item it is
//! about (a core import or export, a world item, a section) as data, and
//! its message says what to do about it.

use std::fmt;

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
        reason: Problem,
    },
    /// A core export whose signature differs from the world's, or that is
    /// malformed.
    #[error("module export `{name}`: {reason}")]
    Export { name: String, reason: Problem },
    /// An adapter that is not one, or that does not fit the module.
    #[error("adapter `{adapter}`: {reason}")]
    Adapter { adapter: String, reason: String },
    /// Something the world needs that the module does not provide.
    #[error("{0}")]
    Missing(String),
    /// Valid input that this version of compono cannot handle yet: `item`
    /// (a function or export name) uses `feature`.
    #[error("not supported: {}", feature.describe(item))]
    Unsupported {
        item: String,
        feature: Unimplemented,
    },
    /// Shared libraries that cannot be linked (see [`crate::link::LinkError`]).
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
    /// The component compono produced does not validate: a bug in compono.
    #[error("the produced component does not validate (this is a bug in compono): {0}")]
    InvalidOutput(compono_wit::Error),
    /// The component could not be written to the caller's sink.
    #[error("failed to write the component: {0}")]
    Write(std::io::Error),
    /// An inconsistency between compono's own steps: a bug in compono.
    #[error("internal error (this is a bug in compono): {0}")]
    Internal(String),
}

/// What is wrong with one core import or export.
#[derive(Debug)]
pub enum Problem {
    /// Its signature is not the one the world (or the canonical ABI) gives
    /// the item it is for.
    Signature(Box<SignatureMismatch>),
    /// A legacy name, under `--reject-legacy-names`.
    LegacyName,
    /// Anything else, explained.
    Other(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Signature(m) => write!(
                f,
                "the signature does not match {}: expected `{}`, found `{}`; the module \
                 was built for a different world, so rebuild it against this WIT (or embed \
                 the WIT it was built for)",
                m.item, m.expected, m.found
            ),
            Problem::LegacyName => f.write_str(
                "this name follows the legacy mangling, which `--reject-legacy-names` \
                 forbids; use the `cm32p2` names instead",
            ),
            Problem::Other(reason) => f.write_str(reason),
        }
    }
}

/// A core function whose type is not the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMismatch {
    pub item: SignatureOf,
    pub expected: CoreSignature,
    pub found: CoreSignature,
}

/// What a core function's signature is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureOf {
    /// A WIT function (by name), lowered or lifted.
    WitFunction(String),
    /// The post-return function of a WIT function.
    PostReturn(String),
    /// `resource.drop` of a resource (by name).
    ResourceDrop(String),
    /// `resource.new` or `resource.rep` of an exported resource.
    ResourceIntrinsic(String),
    /// The destructor of an exported resource.
    Destructor(String),
    /// `cabi_realloc` and its variants.
    Realloc,
    /// `_initialize`.
    Initialize,
}

impl fmt::Display for SignatureOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureOf::WitFunction(n) => write!(f, "WIT function `{n}`"),
            SignatureOf::PostReturn(n) => write!(f, "the post-return function of `{n}`"),
            SignatureOf::ResourceDrop(r) => write!(f, "`resource.drop` of `{r}`"),
            SignatureOf::ResourceIntrinsic(r) => write!(f, "the intrinsic of resource `{r}`"),
            SignatureOf::Destructor(r) => write!(f, "the destructor of resource `{r}`"),
            SignatureOf::Realloc => f.write_str("a realloc function"),
            SignatureOf::Initialize => f.write_str("an initialization function"),
        }
    }
}

/// A core function type, printed in the text format's `(param ..)
/// (result ..)` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSignature {
    pub params: Vec<wasmparser::ValType>,
    pub results: Vec<wasmparser::ValType>,
}

impl fmt::Display for CoreSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |kw: &str, tys: &[wasmparser::ValType]| {
            if tys.is_empty() {
                String::new()
            } else {
                let tys: Vec<String> = tys.iter().map(|t| t.to_string()).collect();
                format!("({kw} {})", tys.join(" "))
            }
        };
        let s = [list("param", &self.params), list("result", &self.results)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if s.is_empty() {
            f.write_str("(func)")
        } else {
            f.write_str(&s)
        }
    }
}

/// What this version of compono does not implement yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unimplemented {
    /// An `async` function (the async canonical ABI).
    AsyncFunction,
    /// `future`, `stream` or `error-context` in a function's types.
    AsyncTypes,
    /// A 64-bit or shared memory as the canonical ABI's memory.
    WideMemory,
    /// An adapter importing an intrinsic (`resource.new`, `.rep`, `.drop`)
    /// of a resource the component exports.
    AdapterResourceIntrinsic,
}

impl Unimplemented {
    fn describe(self, item: &str) -> String {
        match self {
            Unimplemented::AsyncFunction => {
                format!("async function `{item}`: the async canonical ABI is not implemented yet")
            }
            Unimplemented::AsyncTypes => format!(
                "function `{item}` uses `future`, `stream` or `error-context`, which are \
                 not implemented yet"
            ),
            Unimplemented::AdapterResourceIntrinsic => format!(
                "an adapter imports an intrinsic of exported resource `{item}`, which is not \
                 implemented yet"
            ),
            Unimplemented::WideMemory => format!(
                "memory export `{item}` is a 64-bit or shared memory; the canonical ABI \
                 here needs a plain 32-bit memory"
            ),
        }
    }
}
