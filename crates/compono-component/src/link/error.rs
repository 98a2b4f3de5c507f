//! Why a set of shared libraries cannot be linked. Problems with symbols
//! and needed libraries are collected and reported together, so one run
//! shows everything to fix.

use std::fmt::Write;

/// An error from `link`.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no libraries to link; pass at least one shared library")]
    NoLibraries,
    #[error("two libraries are named `{name}`; give one of them another name with `NAME=PATH`")]
    DuplicateName { name: String },
    #[error(
        "`{library}` is not a shared library: it has no `dylink.0` custom section; build it \
         position-independent, e.g. `clang --target=wasm32-wasi -fPIC -shared \
         -Wl,--experimental-pic`"
    )]
    NotShared { library: String },
    /// The library is malformed, or asks for something the linker cannot
    /// give (the reason says what).
    #[error("`{library}`: {reason}")]
    Library { library: String, reason: String },
    #[error("{}", missing_libraries(.0))]
    MissingLibraries(Vec<MissingLibrary>),
    #[error("{}", symbol_problems(.0))]
    Symbols(Vec<SymbolProblem>),
    /// Wrapping a library's world imports and exports failed.
    #[error("library `{library}`: {error}")]
    InLibrary {
        library: String,
        error: Box<crate::Error>,
    },
    /// The libraries together need more memory or table than 32-bit
    /// addresses reach.
    #[error("{0}")]
    Layout(String),
}

/// A library named in another's `needed` list but not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingLibrary {
    pub needed_by: String,
    pub name: String,
}

/// Whether a symbol is a function or data (an address in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Function,
    Data,
}

impl std::fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SymbolKind::Function => "function",
            SymbolKind::Data => "data",
        })
    }
}

/// One thing wrong with the symbols of the libraries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolProblem {
    /// `library` needs `symbol`, and none of `searched` exports it.
    Unresolved {
        library: String,
        symbol: String,
        kind: SymbolKind,
        searched: Vec<String>,
    },
    /// More than one library defines `symbol` (none of them weakly).
    Duplicate {
        symbol: String,
        libraries: Vec<String>,
    },
    /// `library` uses `symbol` as `expected`, but `exporter` defines it
    /// as `found`.
    Mismatch {
        library: String,
        symbol: String,
        expected: String,
        exporter: String,
        found: String,
    },
}

fn missing_libraries(missing: &[MissingLibrary]) -> String {
    let mut text = String::from("needed libraries were not given:");
    for m in missing {
        let _ = write!(text, "\n  `{}` needs `{}`", m.needed_by, m.name);
    }
    text.push_str(
        "\npass each of them as an argument (as `NAME=PATH` if its file has another name)",
    );
    text
}

fn symbol_problems(problems: &[SymbolProblem]) -> String {
    let mut text = match problems.len() {
        1 => "a symbol cannot be linked:".to_string(),
        n => format!("{n} symbols cannot be linked:"),
    };
    let mut unresolved_function = false;
    for problem in problems {
        text.push_str("\n  ");
        match problem {
            SymbolProblem::Unresolved {
                library,
                symbol,
                kind,
                searched,
            } => {
                unresolved_function |= *kind == SymbolKind::Function;
                let _ = write!(text, "{library} needs `{symbol}` ({kind}), ");
                if searched.is_empty() {
                    text.push_str("and no other library was given");
                } else {
                    let _ = write!(text, "not exported by {}", searched.join(", "));
                }
            }
            SymbolProblem::Duplicate { symbol, libraries } => {
                let _ = write!(
                    text,
                    "`{symbol}` is defined by {}; keep one definition, or make the others weak",
                    libraries.join(" and ")
                );
            }
            SymbolProblem::Mismatch {
                library,
                symbol,
                expected,
                exporter,
                found,
            } => {
                let _ = write!(
                    text,
                    "{library} uses `{symbol}` as {expected}, but {exporter} defines it as {found}"
                );
            }
        }
    }
    if unresolved_function {
        text.push_str(
            "\npass --stub-missing-functions to link anyway (a call to a missing function traps)",
        );
    }
    text
}
