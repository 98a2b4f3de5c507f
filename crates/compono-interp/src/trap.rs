//! Runtime failures of guest code.

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
}

impl TrapCode {
    const ALL: [TrapCode; 12] = [
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
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap: its code and, for host failures, the host's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    host_message: Option<String>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            host_message: None,
        }
    }

    /// A failure raised by a host function, carrying its explanation.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            code: TrapCode::Host,
            host_message: Some(message.into()),
        }
    }

    pub fn code(&self) -> TrapCode {
        self.code
    }
}

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
