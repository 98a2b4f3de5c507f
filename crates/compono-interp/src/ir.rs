//! The translated form of a module's functions.
//!
//! The instruction set itself is the table in `isa.rs`; this module turns
//! it into the IR enum [`Instr`] the translator builds, the [`Opcode`] of
//! each instruction and the 16-byte record [`Op`] the executor runs. All
//! functions of a module live in one array of records; a function is the
//! index of its `Enter` record.

use crate::isa::{flat_isa, with_isa};

/// How many slots `Enter` zeroes in one write (64 bytes, a few vector
/// stores). Every frame has at least this many slots above its last local,
/// so `Enter` clears the locals of most functions in one or two such
/// writes inline, instead of calling `memset`, a call that made every
/// entry save and restore the handler's registers.
pub(crate) const ZERO_CHUNK: u16 = 8;

/// How many constants `Enter` copies from its `Data` records into the
/// frame at a time. A frame has room for its constants rounded up to a
/// whole chunk, and the code ends in `CONST_CHUNK - 1` padding records, so
/// a chunk read past the last constant stays inside the code: a copy
/// without a loop per constant, whose vectorised form made every entry
/// save and restore registers.
pub(crate) const CONST_CHUNK: u16 = 4;

/// One encoded instruction: what executes it, and three operand fields
/// (see `isa.rs` for what each instruction keeps in them).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Op {
    pub(crate) code: crate::exec::Code,
    pub(crate) p: u16,
    pub(crate) q: u16,
    pub(crate) r: u32,
}

impl Op {
    /// A record of `code` in `form`; `metered` code charges fuel as it
    /// runs.
    pub(crate) fn new(code: Opcode, f: Fields, metered: bool, form: Form) -> Op {
        Op {
            code: crate::exec::code_for(code, metered, form),
            p: f.p,
            q: f.q,
            r: f.r,
        }
    }

    /// Gives each entry of the `br_table` at `ops[at]` its target's
    /// handler, so that the jump through the table is one dependent load
    /// shorter (the entries are `Data` records, never dispatched
    /// themselves). Their offsets must be final.
    pub(crate) fn branch_table_entries(ops: &mut [Op], at: usize) {
        let len = ops[at].r as usize;
        for entry in at + 1..=at + len + 1 {
            let target = entry.wrapping_add_signed(ops[entry].r as i32 as isize);
            ops[entry].code = ops[target].code;
        }
    }

    pub(crate) fn fields(&self) -> Fields {
        Fields {
            p: self.p,
            q: self.q,
            r: self.r,
        }
    }

    /// Operand bits in the record, for `Data` records carrying 64 bits.
    pub(crate) fn bits(&self) -> u64 {
        self.fields().bits()
    }
}

impl Fields {
    /// The fields packed as `p | q << 16 | r << 32`.
    pub(crate) fn bits(self) -> u64 {
        u64::from(self.p) | u64::from(self.q) << 16 | u64::from(self.r) << 32
    }

    /// A `Data` record's fields holding 64 bits.
    pub(crate) fn from_bits(bits: u64) -> Fields {
        Fields {
            p: bits as u16,
            q: (bits >> 16) as u16,
            r: (bits >> 32) as u32,
        }
    }
}

/// The Rust type of an operand field of each kind.
///
/// `out` and `inp` are slots too, with a role in the accumulator: an
/// instruction with an `out` field also leaves the value it writes there
/// in the executor's accumulator register, and one with an `inp` field has
/// a form that reads that operand from the accumulator instead of its slot.
/// The translator picks that form when the instruction right before wrote
/// the slot and nothing branches in between, so a value passed from one
/// instruction to the next never makes the round trip through memory.
macro_rules! field_type {
    (slot) => {
        u16
    };
    (out) => {
        u16
    };
    (inp) => {
        u16
    };
    (u16) => {
        u16
    };
    (i16) => {
        i16
    };
    (u32) => {
        u32
    };
    (i32) => {
        i32
    };
}

/// Stores a field into the `(p, q, r)` of a record.
macro_rules! put_field {
    ($f:ident, p, $v:expr) => {
        $f.0 = $v as u16
    };
    ($f:ident, q, $v:expr) => {
        $f.1 = $v as u16
    };
    ($f:ident, r, $v:expr) => {
        $f.2 = $v as u32
    };
    ($f:ident, rlo, $v:expr) => {
        $f.2 = ($f.2 & 0xffff_0000) | u32::from($v as u16)
    };
    ($f:ident, rhi, $v:expr) => {
        $f.2 = ($f.2 & 0xffff) | (u32::from($v as u16) << 16)
    };
}

/// Reads a field of kind `$k` from a record's `p`, `q` or `r`.
macro_rules! get_field {
    ($op:expr, p, $k:ident) => {
        $op.p as $crate::ir::field_type!($k)
    };
    ($op:expr, q, $k:ident) => {
        $op.q as $crate::ir::field_type!($k)
    };
    ($op:expr, r, $k:ident) => {
        $op.r as $crate::ir::field_type!($k)
    };
    ($op:expr, rlo, $k:ident) => {
        ($op.r as u16) as $crate::ir::field_type!($k)
    };
    ($op:expr, rhi, $k:ident) => {
        (($op.r >> 16) as u16) as $crate::ir::field_type!($k)
    };
}

/// The operand fields of a record, apart from what executes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fields {
    pub p: u16,
    pub q: u16,
    pub r: u32,
}
pub(crate) use {field_type, get_field};

/// Whether a field kind names a frame slot.
macro_rules! is_slot {
    (slot) => {
        true
    };
    (out) => {
        true
    };
    (inp) => {
        true
    };
    ($other:ident) => {
        false
    };
}

/// Whether a field kind is `$role` (`out` or `inp`).
macro_rules! is_kind {
    (out, out) => {
        true
    };
    (inp, inp) => {
        true
    };
    ($role:ident, $other:ident) => {
        false
    };
}
/// For the tail-call handlers, which pick a form by the fields a row has.
#[cfg(compono_tail_dispatch)]
pub(crate) use is_kind;

/// The 16-bit lane of a field in a record's fields packed as
/// `p | q << 16 | r << 32` (a slot in `r` is its low half).
macro_rules! lane {
    (p) => {
        0
    };
    (q) => {
        1
    };
    (r) => {
        2
    };
    (rlo) => {
        2
    };
    (rhi) => {
        3
    };
}

macro_rules! define_ir {
    ($($name:ident { $($field:ident : $kind:ident @ $pos:ident),* } ($s:ident) $body:block)*) => {
        /// Which instruction a record holds.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Opcode {
            $($name,)*
        }

        impl Opcode {
            /// Every opcode, in declaration order.
            pub const ALL: &[Opcode] = &[$(Opcode::$name,)*];
        }

        /// Where each opcode's slot operands sit, indexed by opcode: the
        /// translator asks this of every instruction it emits, and a table
        /// answers without a `match` over hundreds of rows.
        const SHAPES: &[Shape] = &[$(Shape::of(&[$((lane!($pos), is_slot!($kind), is_kind!(out, $kind), is_kind!(inp, $kind))),*]),)*];

        // An instruction's accumulator form reads every `inp` field from
        // the one accumulator, so no row may have two.
        const _: () = {
            $(assert!(
                0 $(+ is_kind!(inp, $kind) as usize)* <= 1,
                concat!(stringify!($name), " has more than one `inp` field")
            );)*
        };

        /// An instruction with its operands, as the translator builds it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $($name { $($field: field_type!($kind)),* },)*
        }

        impl Instr {
            pub fn opcode(&self) -> Opcode {
                match self {
                    $(Instr::$name { .. } => Opcode::$name,)*
                }
            }

            /// The operand fields of the record.
            #[allow(unused_mut)]
            pub(crate) fn fields(&self) -> Fields {
                match *self {
                    $(Instr::$name { $($field),* } => {
                        let mut f = (0u16, 0u16, 0u32);
                        $(put_field!(f, $pos, $field);)*
                        Fields { p: f.0, q: f.1, r: f.2 }
                    })*
                }
            }

            /// The instruction of opcode `code` with operand fields `op`.
            #[allow(unused_variables)]
            pub(crate) fn decode(code: Opcode, op: Fields) -> Instr {
                match code {
                    $(Opcode::$name => Instr::$name { $($field: get_field!(op, $pos, $kind)),* },)*
                }
            }
        }
    };
}
with_isa!(flat_isa, define_ir);

/// Which lanes of an opcode's fields are slots, and which of them is its
/// `out` and its `inp` field.
#[derive(Clone, Copy, Debug)]
struct Shape {
    /// Bit `n` set: lane `n` is a slot.
    slots: u8,
    out: Option<u8>,
    inp: Option<u8>,
}

impl Shape {
    /// From each field's `(lane, is a slot, is out, is inp)`.
    const fn of(fields: &[(u8, bool, bool, bool)]) -> Shape {
        let mut shape = Shape {
            slots: 0,
            out: None,
            inp: None,
        };
        let mut i = 0;
        while i < fields.len() {
            let (lane, slot, out, inp) = fields[i];
            if slot {
                shape.slots |= 1 << lane;
            }
            if out {
                shape.out = Some(lane);
            }
            if inp {
                shape.inp = Some(lane);
            }
            i += 1;
        }
        shape
    }

    fn get(opcode: Opcode) -> Shape {
        SHAPES[opcode as usize]
    }
}

impl Fields {
    fn lane(self, lane: u8) -> u16 {
        (self.bits() >> (16 * lane)) as u16
    }
}

impl Instr {
    /// The slot of a record of `code`'s field in `role` with the
    /// accumulator: the `out` field, whose value the accumulator holds
    /// after the instruction ran, or the `inp` field, which its
    /// accumulator form reads from there instead.
    pub(crate) fn acc_slot(code: Opcode, op: Fields, role: AccRole) -> Option<u16> {
        let shape = Shape::get(code);
        let lane = match role {
            AccRole::Out => shape.out,
            AccRole::In => shape.inp,
        };
        lane.map(|lane| op.lane(lane))
    }

    /// How many of a record of `code`'s slot fields name `slot`.
    pub(crate) fn slot_uses(code: Opcode, op: Fields, slot: u16) -> usize {
        let slots = Shape::get(code).slots;
        (0..4)
            .filter(|&lane| slots & (1 << lane) != 0 && op.lane(lane) == slot)
            .count()
    }

    /// A record of `code`'s fields with every slot passed through `f`.
    pub(crate) fn map_slots(code: Opcode, op: Fields, mut f: impl FnMut(u16) -> u16) -> Fields {
        let slots = Shape::get(code).slots;
        let mut bits = op.bits();
        for lane in 0..4 {
            if slots & (1 << lane) != 0 {
                let shift = 16 * lane;
                let slot = f((bits >> shift) as u16);
                bits = bits & !(0xffff << shift) | u64::from(slot) << shift;
            }
        }
        Fields::from_bits(bits)
    }
}

/// How an instruction uses the accumulator (see [`AccRole`]); each form
/// of a row is a handler of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Form {
    /// Reads its `inp` operand from the accumulator, not from its slot.
    pub acc_in: bool,
    /// Writes its `out` result only to the accumulator: the next
    /// instruction reads it from there, and nothing reads the slot's value
    /// before it is written again.
    pub acc_only: bool,
}

impl Form {
    pub const PLAIN: Form = Form {
        acc_in: false,
        acc_only: false,
    };
}

/// What a field does with the accumulator (see `field_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccRole {
    /// An `out` field: the instruction leaves its value there too.
    Out,
    /// An `inp` field: the instruction's accumulator form reads it there.
    In,
}

/// The instructions of records, for inspecting translated code, each with
/// its form.
pub(crate) fn decode(ops: &[Op]) -> Vec<(Instr, Form)> {
    let mut entries = 0;
    ops.iter()
        .map(|op| {
            if entries > 0 {
                // A `br_table` entry holds its target's handler (see
                // `Op::branch_table_entries`), but it is a `Data` record.
                entries -= 1;
                return (Instr::decode(Opcode::Data, op.fields()), Form::PLAIN);
            }
            let (code, form) = crate::exec::opcode_of(op);
            if code == Opcode::BrTable {
                entries = op.r as usize + 1;
            }
            (Instr::decode(code, op.fields()), form)
        })
        .collect()
}

/// What the executor needs to know of a function defined in a module.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompiledFunc {
    /// Index of the function's `Enter` record in the module's code.
    pub entry: u32,
    pub num_params: u16,
    pub num_results: u16,
}

/// Where a module's code catches exceptions: the code range of every
/// `try_table` body with catch clauses, and what each clause catches.
#[derive(Debug, Default)]
pub(crate) struct Handlers {
    /// Ordered by `start`; a `try_table` nested in another comes after it
    /// (ranges nest or are disjoint, as the blocks they come from do).
    pub ranges: Vec<TryRange>,
    pub catches: Vec<CatchClause>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct TryRange {
    /// The body's records: `start..end` in the module's code.
    pub start: u32,
    pub end: u32,
    /// The innermost range enclosing this one, if any (`NO_PARENT`).
    pub parent: u32,
    /// This range's clauses: `first..first + len` in `catches`.
    pub first: u32,
    pub len: u32,
}

pub(crate) const NO_PARENT: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub(crate) struct CatchClause {
    /// The module's tag index it catches; `None` for `catch_all`.
    pub tag: Option<u32>,
    /// The record its landing pad starts at (a `TakeExn`).
    pub pad: u32,
}

impl Handlers {
    /// The landing pad of the first clause, from the innermost `try_table`
    /// around the record at `offset` outwards, that `catches` accepts.
    pub fn find(&self, offset: u32, catches: impl Fn(Option<u32>) -> bool) -> Option<u32> {
        // The last range starting at or before `offset` is the innermost
        // containing it or nested in it; the ranges containing `offset` are
        // that range and its ancestors that still reach past `offset`.
        let after = self.ranges.partition_point(|r| r.start <= offset);
        let mut index = after.checked_sub(1)? as u32;
        while index != NO_PARENT {
            let range = self.ranges.get(index as usize)?;
            if offset < range.end {
                let first = range.first as usize;
                let clauses = self.catches.get(first..first + range.len as usize)?;
                if let Some(clause) = clauses.iter().find(|c| catches(c.tag)) {
                    return Some(clause.pad);
                }
            }
            index = range.parent;
        }
        None
    }
}
