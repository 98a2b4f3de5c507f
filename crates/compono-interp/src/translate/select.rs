//! Which instructions implement a wasm operator: the families of the table
//! in `isa.rs`, with each row's variants and a constant-folding function
//! built from the same expression the executor runs.

use crate::ir::Opcode;
use crate::numeric::*;
use crate::trap::TrapCode;
use wasmparser::Operator;

/// `dst = f(src)`.
#[derive(Clone, Copy)]
pub(crate) struct Unary {
    pub op: Opcode,
    /// The result for a constant operand (`None` if it traps).
    pub eval: fn(u64) -> Option<u64>,
}

/// `dst = f(a, b)`.
#[derive(Clone, Copy)]
pub(crate) struct Binary {
    pub op: Opcode,
    /// Takes `b` as an immediate.
    pub imm: Option<Opcode>,
    /// Takes `a` as an immediate.
    pub rev: Option<Opcode>,
    /// Takes `b` in `q`, where the accumulator form reads it.
    pub flip: Option<Opcode>,
    pub commutative: bool,
    /// Operates on 64-bit values (immediates are sign-extended).
    pub wide: bool,
    pub eval: fn(u64, u64) -> Option<u64>,
}

/// Whether `a OP b` is `a` for every `a` (`b` is a constant's slot bits:
/// an i32's zero-extended). Integer operators only: `x + 0.0` is not `x`
/// for `x = -0.0`, nor `x * 1.0` for a signalling NaN.
pub(crate) fn is_right_identity(op: Opcode, b: u64) -> bool {
    use Opcode::*;
    match op {
        I32Add | I32Sub | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr
        | I64Add | I64Sub | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr => {
            b == 0
        }
        I32Mul | I64Mul => b == 1,
        I32And => b == u64::from(u32::MAX),
        I64And => b == u64::MAX,
        _ => false,
    }
}

/// `dst = a CMP b` and its branch forms.
#[derive(Clone, Copy)]
pub(crate) struct Compare {
    pub op: Opcode,
    pub imm: Option<Opcode>,
    pub br: Opcode,
    pub br_imm: Option<Opcode>,
    /// Branches when the comparison is false (floats; integers negate).
    pub br_not: Option<Opcode>,
    /// Adds a step to the left operand first (integers; see `isa.rs`).
    pub br_inc: Option<Opcode>,
    /// The integer comparison that is true exactly when this one is false.
    pub negate: Option<Opcode>,
    /// The comparison with the operands the other way round.
    pub swap: Opcode,
    pub wide: bool,
    pub eval: fn(u64, u64) -> bool,
}

/// The memory a load or store uses. Validation admits only linear
/// memories (the GC proposal's array targets are not enabled); an array
/// target would name no memory, and every access to it would trap.
fn memory_of(memarg: &wasmparser::MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        wasmparser::MemArgTarget::Array(_) => u32::MAX,
    }
}

/// A load or store with its static offset and its memory.
#[derive(Clone, Copy)]
pub(crate) struct Access {
    pub op: Opcode,
    /// The `at` variant (see `isa.rs`).
    pub at: Option<Opcode>,
    /// A load's `idx` variant, and the shift that scales its index.
    pub idx: Option<(Opcode, u32)>,
    /// A store's `imm` variant, and whether its value type is 64 bits.
    pub imm: Option<(Opcode, bool)>,
    /// A store's `imm_at` variant.
    pub imm_at: Option<Opcode>,
    pub offset: u64,
    pub memory: u32,
}

macro_rules! is_wide {
    (u64) => {
        true
    };
    (i64) => {
        true
    };
    (f64) => {
        true
    };
    ($other:ident) => {
        false
    };
}

macro_rules! variant {
    ($want:ident;) => {
        None
    };
    (imm; imm $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (rev; rev $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (br; br $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (br_imm; br_imm $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (flip; flip $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (br_not; br_not $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    (br_inc; br_inc $n:ident $($rest:ident)*) => {
        Some(Opcode::$n)
    };
    ($want:ident; $other:ident $n:ident $($rest:ident)*) => {
        variant!($want; $($rest)*)
    };
}

macro_rules! flag {
    () => {
        false
    };
    (commutative) => {
        true
    };
}

macro_rules! option {
    () => {
        None
    };
    ($n:ident) => {
        Some(Opcode::$n)
    };
}

macro_rules! define_select {
    (() special { $($special:tt)* }
     unary { $($u:ident ($uty:ident) -> $uout:ident = |$ua:ident| $ue:expr;)* }
     unary_trap { $($ut:ident ($utty:ident) -> $utout:ident = |$uta:ident| $ute:expr;)* }
     binary { $($b:ident [$($bk:ident $bn:ident),*] $($bflag:ident)? ($bty:ident) -> $bout:ident
                = |$ba:ident, $bb:ident| $be:expr;)* }
     binary_trap { $($bt:ident [$($btk:ident $btn:ident),*] ($btty:ident) -> $btout:ident
                = |$bta:ident, $btb:ident| $bte:expr;)* }
     compare { $($c:ident [$($ck:ident $cn:ident),*] $(negate $cneg:ident)? swap $cswap:ident ($cty:ident)
                = |$ca:ident, $cb:ident| $ce:expr;)* }
     load { $($l:ident ($ln:literal) [at $lat:ident $(, idx $lidx:ident)?] -> $lout:ident = |$lb:ident| $le:expr;)* }
     store { $($s:ident ($sty:ident) [imm $simm:ident, at $sat:ident, imm_at $simmat:ident] -> $sn:literal = |$sv:ident| $se:expr;)* }) => {
        pub(crate) fn unary(op: &Operator<'_>) -> Option<Unary> {
            Some(match op {
                $(Operator::$u => Unary {
                    op: Opcode::$u,
                    eval: |x| {
                        let $ua = <$uty>::from_slot(x);
                        Some(<$uout>::to_slot($ue))
                    },
                },)*
                $(Operator::$ut => Unary {
                    op: Opcode::$ut,
                    eval: |x| {
                        let $uta = <$utty>::from_slot(x);
                        let result: Result<$utout, TrapCode> = $ute;
                        result.ok().map(<$utout>::to_slot)
                    },
                },)*
                _ => return None,
            })
        }

        pub(crate) fn binary(op: &Operator<'_>) -> Option<Binary> {
            Some(match op {
                $(Operator::$b => Binary {
                    op: Opcode::$b,
                    imm: variant!(imm; $($bk $bn)*),
                    rev: variant!(rev; $($bk $bn)*),
                    flip: variant!(flip; $($bk $bn)*),
                    commutative: flag!($($bflag)?),
                    wide: is_wide!($bty),
                    eval: |x, y| {
                        let $ba = <$bty>::from_slot(x);
                        let $bb = <$bty>::from_slot(y);
                        Some(<$bout>::to_slot($be))
                    },
                },)*
                $(Operator::$bt => Binary {
                    op: Opcode::$bt,
                    imm: variant!(imm; $($btk $btn)*),
                    rev: variant!(rev; $($btk $btn)*),
                    flip: variant!(flip; $($btk $btn)*),
                    commutative: false,
                    wide: is_wide!($btty),
                    eval: |x, y| {
                        let $bta = <$btty>::from_slot(x);
                        let $btb = <$btty>::from_slot(y);
                        let result: Result<$btout, TrapCode> = $bte;
                        result.ok().map(<$btout>::to_slot)
                    },
                },)*
                _ => return None,
            })
        }

        /// The comparison whose plain form is `op`.
        pub(crate) fn compare_row(op: Opcode) -> Option<Compare> {
            Some(match op {
                $(Opcode::$c => Compare {
                    op: Opcode::$c,
                    imm: variant!(imm; $($ck $cn)*),
                    br: match variant!(br; $($ck $cn)*) {
                        Some(br) => br,
                        None => unreachable!("every comparison has a branch form"),
                    },
                    br_imm: variant!(br_imm; $($ck $cn)*),
                    br_not: variant!(br_not; $($ck $cn)*),
                    br_inc: variant!(br_inc; $($ck $cn)*),
                    negate: option!($($cneg)?),
                    swap: Opcode::$cswap,
                    wide: is_wide!($cty),
                    eval: |x, y| {
                        let $ca = <$cty>::from_slot(x);
                        let $cb = <$cty>::from_slot(y);
                        $ce
                    },
                },)*
                _ => return None,
            })
        }

        /// The comparison whose `br` (false) or `br_imm` (true) row is `op`.
        pub(crate) fn compare_of_branch(op: Opcode) -> Option<(Compare, bool)> {
            [$(Opcode::$c),*].into_iter().filter_map(compare_row).find_map(|row| {
                if row.br == op {
                    Some((row, false))
                } else if row.br_imm == Some(op) {
                    Some((row, true))
                } else {
                    None
                }
            })
        }

        pub(crate) fn compare(op: &Operator<'_>) -> Option<Compare> {
            match op {
                $(Operator::$c => compare_row(Opcode::$c),)*
                _ => None,
            }
        }

        pub(crate) fn load(op: &Operator<'_>) -> Option<Access> {
            match op {
                $(Operator::$l { memarg } => Some(Access {
                    op: Opcode::$l,
                    at: Some(Opcode::$lat),
                    idx: None $(.or(Some((Opcode::$lidx, ($ln as u32).trailing_zeros()))))?,
                    imm: None,
                    imm_at: None,
                    offset: memarg.offset,
                    memory: memory_of(memarg),
                }),)*
                _ => None,
            }
        }

        pub(crate) fn store(op: &Operator<'_>) -> Option<Access> {
            match op {
                $(Operator::$s { memarg } => Some(Access {
                    op: Opcode::$s,
                    at: Some(Opcode::$sat),
                    idx: None,
                    imm: Some((Opcode::$simm, is_wide!($sty))),
                    imm_at: Some(Opcode::$simmat),
                    offset: memarg.offset,
                    memory: memory_of(memarg),
                }),)*
                _ => None,
            }
        }
    };
}
crate::isa::with_isa!(define_select);
