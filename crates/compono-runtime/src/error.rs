//! The kinds of failure a host sees: compile, link, trap, and misuse of the
//! API.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a valid component, or use something this runtime
    /// does not implement.
    #[error("failed to compile component: {message}")]
    Compile {
        message: String,
        /// Byte offset in the component, where known.
        offset: Option<u64>,
    },
    /// An import is missing or does not fit.
    #[error("failed to link import `{name}`: {reason}")]
    Link { name: String, reason: String },
    /// Guest code trapped, or a call broke a rule of the canonical ABI.
    #[error("{0}")]
    Trap(Trap),
    /// The embedder used the API in a way that cannot work (wrong argument
    /// count or types, unknown export, a consumed resource handle).
    #[error("{0}")]
    Usage(String),
    /// A host function ended the program with this exit status (WASI's
    /// `exit`); it unwinds every call in progress like a trap, but is not
    /// a failure of the runtime or the guest's code.
    #[error("exited with status {0}")]
    Exit(i32),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Trap> for Error {
    fn from(trap: Trap) -> Error {
        Error::Trap(trap)
    }
}

impl Error {
    pub(crate) fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }

    /// The exit status, if this error is a program's exit.
    pub fn exit_status(&self) -> Option<i32> {
        match self {
            Error::Exit(status) => Some(*status),
            _ => None,
        }
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            _ => None,
        }
    }
}

/// Why a call trapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    /// Core wasm trapped (`unreachable`, out-of-bounds access, ...).
    Core(compono_interp::TrapCode),
    /// A component called out while it may not (during `post-return`, a
    /// `realloc` call or while its values are being lowered).
    CannotLeave,
    /// A component instance was entered while it is already running.
    CannotEnter,
    /// A handle index that is not in the instance's table.
    UnknownHandle,
    /// A handle used as a resource type it does not have.
    WrongHandleType,
    /// An own handle dropped or moved while it is lent out.
    HandleLent,
    /// An own handle expected, a borrow given (or the reverse).
    WrongHandleKind,
    /// A call returned while borrows it received were not dropped.
    BorrowsRemain,
    /// A pointer not aligned for its type.
    UnalignedPointer,
    /// A pointer (and length) running past the end of memory.
    OutOfBounds,
    /// A string whose bytes run past the end of memory.
    StringOutOfBounds,
    /// A list whose elements run past the end of memory.
    ListOutOfBounds,
    /// A string that is not valid in its encoding.
    InvalidString,
    /// An `i32` that is not a Unicode scalar value, lifted as a `char`.
    InvalidChar,
    /// A variant discriminant past the last case.
    InvalidDiscriminant,
    /// `realloc` returned a pointer running past the end of memory.
    ReallocOutOfBounds,
    /// `realloc` returned a pointer not aligned as asked.
    ReallocUnaligned,
    /// A list or string longer than the canonical ABI allows.
    TooLarge,
    /// A handle table reached its maximum size.
    TableFull,
    /// A host function failed.
    Host,
}

impl TrapCode {
    /// The wording of the trap; for the canonical ABI's own traps it is
    /// wasmtime's, so messages read the same in both runtimes.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Core(code) => code.message(),
            TrapCode::CannotLeave => "cannot leave component instance",
            TrapCode::CannotEnter => "cannot enter component instance",
            TrapCode::UnknownHandle => "unknown handle index",
            TrapCode::WrongHandleType => "handle used with the wrong type",
            TrapCode::HandleLent => "cannot remove owned resource while borrowed",
            TrapCode::WrongHandleKind => "handle is not of the expected kind (own or borrow)",
            TrapCode::BorrowsRemain => "borrow handles still remain at the end of the call",
            TrapCode::UnalignedPointer => "unaligned pointer",
            TrapCode::OutOfBounds => "pointer out of bounds of memory",
            TrapCode::StringOutOfBounds => "string content out-of-bounds",
            TrapCode::ListOutOfBounds => "list content out-of-bounds",
            TrapCode::InvalidString => "invalid string encoding",
            TrapCode::InvalidChar => "invalid `char` bit pattern",
            TrapCode::InvalidDiscriminant => "invalid variant discriminant",
            TrapCode::ReallocOutOfBounds => "realloc return: beyond end of memory",
            TrapCode::ReallocUnaligned => "realloc return: result not aligned",
            TrapCode::TooLarge => "list or string too large",
            TrapCode::TableFull => "handle table full",
            TrapCode::Host => "host function failed",
        }
    }
}

/// A trap: its code, what exactly happened and, for a trap in core wasm,
/// the core functions that were running.
#[derive(Clone, Debug)]
pub struct Trap {
    code: TrapCode,
    detail: Option<String>,
    backtrace: Vec<compono_interp::FrameInfo>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            detail: None,
            backtrace: Vec::new(),
        }
    }

    pub fn with_detail(code: TrapCode, detail: impl Into<String>) -> Trap {
        Trap {
            code,
            detail: Some(detail.into()),
            backtrace: Vec::new(),
        }
    }

    /// The trap with the core wasm frames it happened in.
    pub fn with_backtrace(mut self, frames: Vec<compono_interp::FrameInfo>) -> Trap {
        self.backtrace = frames;
        self
    }

    /// The core wasm functions on the stack, innermost first (empty for a
    /// trap the canonical ABI raised outside core code).
    pub fn backtrace(&self) -> &[compono_interp::FrameInfo] {
        &self.backtrace
    }

    /// A failure of a host function, with its explanation.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap::with_detail(TrapCode::Host, message)
    }

    pub fn code(&self) -> TrapCode {
        self.code
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

/// Where a trap happened is not part of what it is.
impl PartialEq for Trap {
    fn eq(&self, other: &Trap) -> bool {
        self.code == other.code && self.detail == other.detail
    }
}

impl Eq for Trap {}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Trap {
        Trap::new(code)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.detail) {
            (TrapCode::Host, Some(detail)) => write!(f, "{detail}"),
            // A detail is the whole message, with the specifics filled in.
            (_, Some(detail)) => write!(f, "wasm trap: {detail}"),
            (_, None) => write!(f, "wasm trap: {}", self.code.message()),
        }
    }
}

impl std::error::Error for Trap {}

pub(crate) fn trap_detail<T>(code: TrapCode, detail: impl Into<String>) -> Result<T> {
    Err(Error::Trap(Trap::with_detail(code, detail)))
}
