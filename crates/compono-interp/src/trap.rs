//! Runtime failures of guest code.

use crate::backtrace::{FrameInfo, MAX_FRAMES};
use crate::types::ExnRef;
use std::fmt;

/// Why execution stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    UndefinedElement,
    UninitializedElement,
    CallStackExhausted,
    OutOfFuel,
    /// A host function reported a failure.
    Host,
    /// An exception no `try_table` caught reached the invocation's caller.
    UncaughtException,
    /// `throw_ref` of a null `exnref`.
    NullExceptionReference,
}

impl TrapCode {
    const ALL: [TrapCode; 14] = [
        TrapCode::Unreachable,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallTypeMismatch,
        TrapCode::UndefinedElement,
        TrapCode::UninitializedElement,
        TrapCode::CallStackExhausted,
        TrapCode::OutOfFuel,
        TrapCode::Host,
        TrapCode::UncaughtException,
        TrapCode::NullExceptionReference,
    ];

    /// The code a translated `Trap` instruction carries (its position in
    /// the declaration order); `Unreachable` for anything else.
    pub(crate) fn from_u16(code: u16) -> TrapCode {
        TrapCode::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or(TrapCode::Unreachable)
    }

    /// The wording the spec test suite uses for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "out of fuel",
            TrapCode::Host => "host function failed",
            TrapCode::UncaughtException => "uncaught exception",
            TrapCode::NullExceptionReference => "null exception reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap: its code, for host failures the host's message, and the wasm
/// functions that were running.
#[derive(Clone, Debug)]
pub struct Trap {
    code: TrapCode,
    host_message: Option<String>,
    backtrace: Vec<FrameInfo>,
    /// For [`TrapCode::UncaughtException`], the exception.
    exception: Option<ExnRef>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            host_message: None,
            backtrace: Vec::new(),
            exception: None,
        }
    }

    /// An exception leaving the invocation uncaught. A host function that
    /// returns it rethrows it into its wasm caller.
    pub fn exception(exn: ExnRef) -> Trap {
        Trap {
            exception: Some(exn),
            ..Trap::new(TrapCode::UncaughtException)
        }
    }

    /// The exception that left the invocation uncaught, if that is what
    /// this trap is.
    pub fn thrown(&self) -> Option<ExnRef> {
        self.exception
    }

    /// A failure raised by a host function, carrying its explanation.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            code: TrapCode::Host,
            host_message: Some(message.into()),
            backtrace: Vec::new(),
            exception: None,
        }
    }

    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The wasm functions on the stack when it trapped, innermost first
    /// (at most the innermost thousand).
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }

    /// Adds the frames of callers further out.
    pub(crate) fn push_frames(&mut self, frames: impl IntoIterator<Item = FrameInfo>) {
        let room = MAX_FRAMES.saturating_sub(self.backtrace.len());
        self.backtrace.extend(frames.into_iter().take(room));
    }
}

/// Two traps are equal when they say the same; where they happened is not
/// part of what a trap is.
impl PartialEq for Trap {
    fn eq(&self, other: &Trap) -> bool {
        self.code == other.code && self.host_message == other.host_message
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
        match &self.host_message {
            Some(message) => write!(f, "{}: {message}", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for Trap {}
