//! Translation of one validated function body into register-form
//! instructions (see `isa.rs`).
//!
//! Validation and translation run in lock step: every operator is first fed
//! to wasmparser's function validator. Operands are tracked lazily
//! (`stack.rs`): `local.get` and constants emit nothing, an instruction
//! reads its operands where they are and writes its result to the slot of
//! its stack height, or straight into a local when a `local.set` follows;
//! comparisons wait for the branch that tests them. Code that cannot be
//! reached (after `br`, `return`, `unreachable`, ...) is not emitted.
//!
//! The frame of a function is `[params | locals | constants | temporaries]`.
//! The number of constants is known only at the end, so constants get
//! provisional slots counted down from `CONST_SLOTS_TOP` and temporaries
//! provisional slots right after the locals; `Emitter::finish` moves both
//! into place.

mod control;
mod locals;
pub(crate) mod select;
mod stack;
mod visit;

use crate::error::{Error, Result};
use crate::ir::{
    AccRole, CONST_CHUNK, CatchClause, CompiledFunc, Fields, Form, Handlers, Instr, NO_PARENT, Op,
    Opcode, TryRange, ZERO_CHUNK,
};
use crate::module::ModuleInner;
use crate::numeric::{Imm, fits_imm16, fits_imm32};
use crate::trap::TrapCode;
use control::Frame;
use locals::Written;
use select::Compare;
use stack::{Operand, Source, Stack};
use std::collections::HashMap;
use wasmparser::{FuncValidator, FunctionBody, Operator, OperatorsReader, ValidatorResources};

/// Provisional slot of the function's first constant (the next count down).
const CONST_SLOTS_TOP: u16 = u16::MAX;

/// An instruction as the translator holds it before the function's frame
/// layout is final.
#[derive(Clone, Copy, Debug)]
struct RawOp {
    opcode: Opcode,
    fields: Fields,
    /// Reads its `inp` operand from the accumulator (see `emit_raw`).
    acc: bool,
    /// The slot it reads from the accumulator, if that value is dead
    /// after it (see `Emitter::is_dead_temp`).
    kills: Option<u16>,
}

/// The translated code of a module, built one function at a time.
#[derive(Default)]
pub(crate) struct CodeBuilder {
    pub ops: Vec<Op>,
    pub funcs: Vec<CompiledFunc>,
    /// `Call` and `ReturnCall` records whose target is a defined function
    /// (by index among the defined functions), patched by `finish`.
    calls: Vec<(usize, u32)>,
    handlers: Handlers,
}

impl CodeBuilder {
    /// Resolves calls to their callees' entries.
    pub fn finish(mut self) -> Result<(Vec<Op>, Vec<CompiledFunc>, Handlers)> {
        for (at, callee) in std::mem::take(&mut self.calls) {
            let entry = self
                .funcs
                .get(callee as usize)
                .ok_or_else(|| unsupported("call to a function without a body", 0))?
                .entry;
            self.ops[at].r = entry;
        }
        for _ in 1..CONST_CHUNK {
            self.ops.push(Op::new(
                Opcode::Data,
                Fields::from_bits(0),
                false,
                Form::PLAIN,
            ));
        }
        Ok((self.ops, self.funcs, self.handlers))
    }
}

/// Whether `op` need write its result only to the accumulator: `next`
/// reads it from there, and nothing reads it after `next`.
fn only_to_next(op: &RawOp, next: &RawOp) -> bool {
    let written = Instr::acc_slot(op.opcode, op.fields, AccRole::Out);
    next.acc && written.is_some() && next.kills == written
}

fn unsupported(what: &str, offset: usize) -> Error {
    Error::Compile {
        message: format!("unsupported: {what}"),
        offset: Some(offset),
    }
}

/// Per-function translation state; its buffers are reused from one
/// function to the next.
pub(crate) struct Emitter<'m> {
    module: &'m ModuleInner,
    consume_fuel: bool,
    ops: Vec<RawOp>,
    pub(crate) stack: Stack,
    consts: Vec<u64>,
    const_index: HashMap<u64, usize>,
    /// Provisional slot of the temporary at height 0 (the number of locals).
    temp_base: u16,
    num_params: u16,
    /// The declared locals written on every path to here (`locals.rs`).
    written: Written,
    /// The first declared local that may be read before it is written:
    /// `Enter` zeroes the locals from it on.
    zero_from: u16,
    num_results: u16,
    frames: Vec<Frame>,
    reachable: bool,
    /// The last instruction, if it wrote the top temporary and nothing has
    /// been emitted or bound since: a `local.set` may redirect it.
    retarget: Option<usize>,
    /// The latest position that became a branch target or a landing pad
    /// while it was the next one to be emitted: what is emitted there must
    /// stay an instruction of its own (see `emit_jump`).
    label_at: usize,
    /// `Call`/`ReturnCall` records in `ops` and their defined callees.
    calls: Vec<(usize, u32)>,
    /// The function's `try_table` ranges and catch clauses, with offsets
    /// into `ops` (see [`Handlers`]).
    tries: Vec<TryRange>,
    catches: Vec<CatchClause>,
    /// Indices in `tries` of the `try_table`s being translated, innermost last.
    open_tries: Vec<u32>,
    /// Byte offset of the operator being translated, for errors.
    offset: usize,
    /// Records added by copying loop heads (see `copy_loop_dispatch`).
    copied: usize,
}

impl<'m> Emitter<'m> {
    pub fn new(module: &'m ModuleInner, consume_fuel: bool) -> Emitter<'m> {
        Emitter {
            module,
            consume_fuel,
            ops: Vec::new(),
            stack: Stack::default(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            temp_base: 0,
            num_params: 0,
            written: Written::NONE,
            zero_from: 0,
            num_results: 0,
            frames: Vec::new(),
            reachable: true,
            retarget: None,
            label_at: usize::MAX,
            calls: Vec::new(),
            tries: Vec::new(),
            catches: Vec::new(),
            open_tries: Vec::new(),
            offset: 0,
            copied: 0,
        }
    }

    /// Translates the body of defined function `func_index`, appending its
    /// code to `code`.
    pub fn translate(
        &mut self,
        code: &mut CodeBuilder,
        func_index: u32,
        body: &FunctionBody<'_>,
        validator: &mut FuncValidator<ValidatorResources>,
    ) -> Result<()> {
        let ty = self.module.func_type(func_index);
        let num_params = ty.params().len();
        let num_results = ty.results().len();
        let mut reader = body.get_binary_reader();
        validator.read_locals(&mut reader).map_err(Error::compile)?;
        reader.set_features(*validator.features());
        let Ok(num_locals) = u16::try_from(validator.len_locals()) else {
            return Err(too_many_slots(reader.original_position() as usize));
        };
        self.ops.clear();
        self.copied = 0;
        self.consts.clear();
        self.const_index.clear();
        self.calls.clear();
        self.tries.clear();
        self.catches.clear();
        self.open_tries.clear();
        self.stack.reset(num_locals);
        self.temp_base = num_locals;
        self.num_params = num_params as u16;
        self.written = Written::NONE;
        self.zero_from = num_locals;
        self.num_results = num_results as u16;
        self.reachable = true;
        self.retarget = None;
        self.frames.clear();
        self.frames.push(Frame::function(num_results));

        let mut reader = OperatorsReader::new(reader);
        let mut visitor = visit::Visitor {
            emitter: self,
            validator,
            offset: 0,
            error: None,
        };
        while !reader.eof() {
            visitor.offset = reader.original_position();
            visitor.emitter.offset = visitor.offset as usize;
            reader
                .visit_operator(&mut visitor)
                .map_err(Error::compile)?;
            if let Some(error) = visitor.error.take() {
                return Err(error);
            }
        }
        reader.finish().map_err(Error::compile)?;
        self.finish(code, num_locals)
    }

    /// Lays out the frame and appends the function's records to `code`.
    fn finish(&mut self, code: &mut CodeBuilder, num_locals: u16) -> Result<()> {
        let consts = self.consts.len();
        let temps = self.stack.max_height;
        // `Enter` zeroes the locals and copies the constants in whole
        // chunks (see `ZERO_CHUNK` and `CONST_CHUNK`).
        let above_locals = (consts + temps)
            .max(consts.next_multiple_of(usize::from(CONST_CHUNK)))
            .max(usize::from(ZERO_CHUNK));
        let frame = usize::from(num_locals) + above_locals;
        if frame > usize::from(u16::MAX) {
            return Err(too_many_slots(self.offset));
        }
        let entry = code.ops.len();
        let enter = Instr::Enter {
            zero_from: self.zero_from,
            locals: num_locals,
            consts: consts as u16,
            frame: frame as u16,
        };
        let enter_op = if self.consume_fuel {
            Opcode::EnterFuel
        } else {
            Opcode::Enter
        };
        code.ops.push(Op::new(
            enter_op,
            enter.fields(),
            self.consume_fuel,
            Form::PLAIN,
        ));
        for value in &self.consts {
            code.ops.push(Op::new(
                Opcode::Data,
                Fields::from_bits(*value),
                false,
                Form::PLAIN,
            ));
        }
        let body_start = code.ops.len();
        let first_const = CONST_SLOTS_TOP - consts as u16;
        let relocate = |slot: u16| {
            if slot < num_locals {
                slot
            } else if slot > first_const {
                num_locals + (CONST_SLOTS_TOP - slot)
            } else {
                slot + consts as u16
            }
        };
        code.ops.reserve(self.ops.len());
        for (at, raw) in self.ops.iter().enumerate() {
            let fields = if consts == 0 {
                raw.fields
            } else {
                Instr::map_slots(raw.opcode, raw.fields, relocate)
            };
            let form = Form {
                acc_in: raw.acc,
                acc_only: self
                    .ops
                    .get(at + 1)
                    .is_some_and(|next| only_to_next(raw, next)),
            };
            code.ops
                .push(Op::new(raw.opcode, fields, self.consume_fuel, form));
        }
        for (at, raw) in self.ops.iter().enumerate() {
            if raw.opcode == Opcode::BrTable {
                Op::branch_table_entries(&mut code.ops, body_start + at);
            }
        }
        code.calls.extend(
            self.calls
                .iter()
                .map(|(at, callee)| (body_start + at, *callee)),
        );
        let (range_base, catch_base) = (
            code.handlers.ranges.len() as u32,
            code.handlers.catches.len() as u32,
        );
        let at = |offset: u32| offset + body_start as u32;
        code.handlers
            .ranges
            .extend(self.tries.iter().map(|r| TryRange {
                start: at(r.start),
                end: at(r.end),
                parent: if r.parent == NO_PARENT {
                    NO_PARENT
                } else {
                    r.parent + range_base
                },
                first: r.first + catch_base,
                len: r.len,
            }));
        code.handlers
            .catches
            .extend(self.catches.iter().map(|c| CatchClause {
                tag: c.tag,
                pad: at(c.pad),
            }));
        code.funcs.push(CompiledFunc {
            entry: entry as u32,
            num_params: self.num_params,
            num_results: self.num_results,
        });
        Ok(())
    }

    // ---- emission

    /// Appends an instruction; returns its index.
    fn emit(&mut self, instr: Instr) -> usize {
        self.emit_raw(instr.opcode(), instr.fields())
    }

    /// Appends an instruction; returns its index.
    ///
    /// If the instruction before it wrote the slot this one reads as its
    /// `inp` operand, and nothing branches to this one, it runs only right
    /// after that one and reads the value from the accumulator instead.
    fn emit_raw(&mut self, opcode: Opcode, fields: Fields) -> usize {
        self.retarget = None;
        let acc_slot = self.acc_slot();
        let acc = acc_slot.is_some() && Instr::acc_slot(opcode, fields, AccRole::In) == acc_slot;
        // The value read is dead after this instruction if nothing else
        // reads it or if this one overwrites it (a `local.set` that
        // redirects the write afterwards pops the temporary), provided
        // this one reads it only from the accumulator: a local can be
        // both operands (`local.get 0; local.get 0; i32.ne`).
        let overwrites = Instr::acc_slot(opcode, fields, AccRole::Out) == acc_slot;
        let named_once =
            |slot: u16| Instr::slot_uses(opcode, fields, slot) == 1 + usize::from(overwrites);
        let kills = acc_slot
            .filter(|&slot| acc && (overwrites || self.is_dead_temp(slot)) && named_once(slot));
        self.ops.push(RawOp {
            opcode,
            fields,
            acc,
            kills,
        });
        self.ops.len() - 1
    }

    /// The slot the last instruction wrote, if the next one can read it
    /// from the accumulator: the last one leaves it there and nothing
    /// branches to the next.
    fn acc_slot(&self) -> Option<u16> {
        if self.label_at == self.ops.len() {
            return None;
        }
        let prev = self.ops.last()?;
        Instr::acc_slot(prev.opcode, prev.fields, AccRole::Out)
    }

    /// Whether `slot` is a temporary whose value nothing reads any more:
    /// above the operand stack (every operand is read once, when it is
    /// popped) and not the right operand of a comparison pending on top.
    fn is_dead_temp(&self, slot: u16) -> bool {
        let height = self.stack.height();
        let top = usize::from(self.temp(height));
        let end = usize::from(self.temp_base) + self.stack.max_height;
        if !(top..end).contains(&usize::from(slot)) {
            return false;
        }
        height == 0
            || !matches!(self.stack.get(height - 1),
                Operand::Cmp { lhs, rhs, .. } if lhs == Source::Slot(slot) || rhs == Source::Slot(slot))
    }

    /// Whether a two-slot instruction reading `(lhs, rhs)` should swap them
    /// (when it can) so that it reads the accumulator: only its left
    /// operand can come from there.
    fn swap_for_acc(&self, lhs: u16, rhs: u16) -> bool {
        lhs != rhs && self.acc_slot() == Some(rhs)
    }

    /// Appends an unconditional jump (offset patched later); returns its
    /// index. A `Copy` just before it that nothing branches to becomes a
    /// `CopyBr`: a branch carrying a value or a loop variable back is most
    /// often a copy and a jump, and one dispatch is cheaper than two.
    fn emit_jump(&mut self) -> usize {
        let next = self.ops.len();
        let label_at = self.label_at;
        if let Some(op) = self.ops.last_mut()
            && op.opcode == Opcode::Copy
            && label_at != next
        {
            op.opcode = Opcode::CopyBr;
            op.fields.r = 0;
            self.retarget = None;
            return next - 1;
        }
        self.emit(Instr::Br { offset: 0 })
    }

    /// Appends an instruction that writes a new top temporary (its `p`).
    fn emit_result(&mut self, opcode: Opcode, fields: Fields) {
        let at = self.emit_raw(opcode, fields);
        self.retarget = Some(at);
    }

    fn raw(p: u16, q: u16, r: u32) -> Fields {
        Fields { p, q, r }
    }

    // ---- operators

    fn operator(&mut self, op: &Operator<'_>) -> Result<()> {
        use Operator as Op;
        if let Some(done) = self.control(op)? {
            return Ok(done);
        }
        if !self.reachable {
            return Ok(());
        }
        match *op {
            Op::Unreachable => {
                self.emit(Instr::Trap {
                    code: TrapCode::Unreachable as u16,
                });
                self.reachable = false;
            }
            Op::Nop
            | Op::I32ReinterpretF32
            | Op::I64ReinterpretF64
            | Op::F32ReinterpretI32
            | Op::F64ReinterpretI64 => {}
            Op::Drop => {
                self.stack.pop();
            }
            Op::Select | Op::TypedSelect { .. } => self.select(),
            Op::LocalGet { local_index } => {
                let local = local_index as u16;
                if !self.written.has(local, self.num_params) {
                    self.zero_from = self.zero_from.min(local);
                }
                self.stack.push(Operand::Local(local));
            }
            Op::LocalSet { local_index } => {
                let value = self.stack.pop();
                self.write_local(local_index as u16, value);
                self.written.write(local_index as u16, self.num_params);
            }
            Op::LocalTee { local_index } => {
                let local = local_index as u16;
                let value = self.stack.pop();
                self.write_local(local, value);
                self.written.write(local, self.num_params);
                self.stack.push(match value {
                    Operand::Const(c) => Operand::Const(c),
                    _ => Operand::Local(local),
                });
            }
            Op::I32Const { value } => self.stack.push(Operand::Const(u64::from(value as u32))),
            Op::I64Const { value } => self.stack.push(Operand::Const(value as u64)),
            Op::F32Const { value } => self.stack.push(Operand::Const(u64::from(value.bits()))),
            Op::F64Const { value } => self.stack.push(Operand::Const(value.bits())),
            Op::RefNull { .. } => self.stack.push(Operand::Const(0)),
            Op::RefFunc { function_index } => {
                let dst = self.push_temp();
                self.emit_result(Opcode::RefFunc, Self::raw(dst, 0, function_index));
            }
            Op::GlobalGet { global_index } => {
                let dst = self.push_temp();
                self.emit_result(Opcode::GlobalGet, Self::raw(dst, 0, global_index));
            }
            Op::GlobalSet { global_index } => {
                let src = self.pop_slot();
                self.emit(Instr::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            Op::I32Eqz | Op::I64Eqz => {
                let cmp = if matches!(op, Op::I32Eqz) {
                    Opcode::I32Eq
                } else {
                    Opcode::I64Eq
                };
                let operand = self.stack.pop();
                self.push_compare(cmp, operand, Operand::Const(0));
            }
            Op::Call { function_index } => self.call(function_index, false)?,
            Op::ReturnCall { function_index } => self.call(function_index, true)?,
            Op::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, false),
            Op::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, true),
            Op::MemorySize { mem } => {
                let dst = self.push_temp();
                self.in_memory(mem, |t| {
                    t.emit_result(Opcode::MemorySize, Self::raw(dst, 0, 0))
                });
            }
            Op::MemoryGrow { mem } => {
                let delta = self.pop_slot();
                let dst = self.push_temp();
                self.in_memory(mem, |t| {
                    t.emit_result(Opcode::MemoryGrow, Self::raw(dst, delta, 0))
                });
            }
            Op::MemoryCopy { dst_mem, src_mem } if dst_mem != src_mem => {
                let [dst, src, len] = self.pop_slots3();
                self.emit(Instr::MemoryCopyAcross { dst, src, len });
                let memory =
                    |m: u32| u16::try_from(m).map_err(|_| unsupported("memory index", self.offset));
                let (p, q) = (memory(dst_mem)?, memory(src_mem)?);
                self.emit(Instr::Data { p, q, r: 0 });
            }
            Op::MemoryCopy { dst_mem, .. } => {
                let [dst, src, len] = self.pop_slots3();
                self.in_memory(dst_mem, |t| {
                    t.emit(Instr::MemoryCopy { dst, src, len });
                });
            }
            Op::MemoryFill { mem } => {
                let [dst, value, len] = self.pop_slots3();
                self.in_memory(mem, |t| {
                    t.emit(Instr::MemoryFill { dst, value, len });
                });
            }
            Op::MemoryInit { data_index, mem } => {
                let [dst, src, len] = self.pop_slots3();
                self.in_memory(mem, |t| {
                    t.emit(Instr::MemoryInit { dst, src, len });
                    t.emit(Instr::Data {
                        p: 0,
                        q: 0,
                        r: data_index,
                    });
                });
            }
            Op::DataDrop { data_index } => {
                self.emit(Instr::DataDrop {
                    segment: data_index,
                });
            }
            Op::TableGet { table } => {
                let index = self.pop_slot();
                let dst = self.push_temp();
                self.emit_result(Opcode::TableGet, Self::raw(dst, index, table));
            }
            Op::TableSet { table } => {
                let value = self.pop_slot();
                let index = self.pop_slot();
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Op::TableSize { table } => {
                let dst = self.push_temp();
                self.emit_result(Opcode::TableSize, Self::raw(dst, 0, table));
            }
            Op::TableGrow { table } => {
                let delta = self.pop_slot();
                let init = self.pop_slot();
                let dst = self.push_temp();
                let table = table as u16;
                self.emit_result(
                    Opcode::TableGrow,
                    Instr::TableGrow {
                        dst,
                        delta,
                        init,
                        table,
                    }
                    .fields(),
                );
            }
            Op::TableFill { table } => {
                let [dst, value, len] = self.pop_slots3();
                self.emit(Instr::TableFill {
                    dst,
                    value,
                    len,
                    table: table as u16,
                });
            }
            Op::TableCopy {
                dst_table,
                src_table,
            } => {
                let [dst, src, len] = self.pop_slots3();
                self.emit(Instr::TableCopy { dst, src, len });
                self.emit(Instr::Data {
                    p: dst_table as u16,
                    q: src_table as u16,
                    r: 0,
                });
            }
            Op::TableInit { elem_index, table } => {
                let [dst, src, len] = self.pop_slots3();
                self.emit(Instr::TableInit { dst, src, len });
                self.emit(Instr::Data {
                    p: table as u16,
                    q: 0,
                    r: elem_index,
                });
            }
            Op::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop {
                    segment: elem_index,
                });
            }
            ref other => self.numeric(other)?,
        }
        Ok(())
    }

    /// Arithmetic, comparisons, conversions, loads and stores.
    fn numeric(&mut self, op: &Operator<'_>) -> Result<()> {
        if let Some(unary) = select::unary(op) {
            let operand = self.stack.pop();
            // A slot holding an i64 is an i32 slot holding its wrapped value:
            // what reads an i32 reads the low 32 bits (`SlotValue`).
            if matches!(op, Operator::I32WrapI64) && !matches!(operand, Operand::Const(_)) {
                self.stack.push(operand);
                return Ok(());
            }
            if let Operand::Const(c) = operand
                && let Some(value) = (unary.eval)(c)
            {
                self.stack.push(Operand::Const(value));
                return Ok(());
            }
            let height = self.stack.height();
            let src = self.slot_of(operand, height);
            let dst = self.push_temp();
            self.emit_result(unary.op, Self::raw(dst, src, 0));
        } else if let Some(binary) = select::binary(op) {
            let rhs = self.stack.pop();
            let lhs = self.stack.pop();
            self.binary(binary, lhs, rhs);
        } else if let Some(compare) = select::compare(op) {
            let rhs = self.stack.pop();
            let lhs = self.stack.pop();
            self.push_compare(compare.op, lhs, rhs);
        } else if let Some(load) = select::load(op) {
            let offset = self.static_offset(load.offset)?;
            let ptr = self.pop_slot();
            let folded = if load.memory == 0 && offset == 0 {
                load.at.zip(self.take_address_add(ptr))
            } else {
                None
            };
            let dst = self.push_temp();
            match folded {
                Some((at, (base, add))) => match load
                    .idx
                    .filter(|_| base == ptr)
                    .and_then(|idx| self.take_index(base, idx))
                {
                    Some((idx, index)) => self.emit_result(idx, Self::raw(dst, index, add)),
                    None => self.emit_result(at, Self::raw(dst, base, add)),
                },
                None => self.in_memory(load.memory, |t| {
                    t.emit_result(load.op, Self::raw(dst, ptr, offset))
                }),
            }
        } else if let Some(store) = select::store(op) {
            let offset = self.static_offset(store.offset)?;
            // A constant value that fits 16 bits is the instruction's.
            let (op, value) = match (self.stack.pop(), store.imm) {
                (Operand::Const(c), Some((imm, wide))) if let Some(v) = fits_imm16(c, wide) => {
                    (imm, v as u16)
                }
                (value, _) => {
                    let height = self.stack.height();
                    (store.op, self.slot_of(value, height))
                }
            };
            let ptr = self.pop_slot();
            let at = if op == store.op {
                store.at
            } else {
                store.imm_at
            };
            let folded = if store.memory == 0 && offset == 0 {
                at.zip(self.take_address_add(ptr))
            } else {
                None
            };
            match folded {
                Some((at, (base, add))) => {
                    self.emit_raw(at, Self::raw(base, value, add));
                }
                None => self.in_memory(store.memory, |t| {
                    t.emit_raw(op, Self::raw(ptr, value, offset));
                }),
            }
        } else {
            return Err(unsupported("operator", self.offset));
        }
        Ok(())
    }

    /// If the last instruction is `ptr = base + add` (an `I32AddImm`) into
    /// the temporary just popped, and nothing branches to what comes next,
    /// removes it and returns `(base, add)` for a load or store to do the
    /// add itself: the temporary is dead, as every popped one is. (A
    /// store's value, popped before its address, is above it on the
    /// operand stack, so it is not that temporary.)
    fn take_address_add(&mut self, ptr: u16) -> Option<(u16, u32)> {
        let last = self.last_unbranched()?;
        let popped = self.temp(self.stack.height());
        if ptr != popped || last.opcode != Opcode::I32AddImm || last.fields.p != ptr {
            return None;
        }
        self.ops.pop();
        Some((last.fields.q, last.fields.r))
    }

    /// The last instruction, if nothing branches to what comes after it:
    /// only then may the next one absorb it.
    fn last_unbranched(&self) -> Option<RawOp> {
        let last = *self.ops.last()?;
        (self.label_at != self.ops.len()).then_some(last)
    }

    /// If the last instruction is `base = index << shift` (an
    /// `I32ShlImm` by the access size's shift), `base` being the popped
    /// temporary a load's folded add read, and nothing branches to what
    /// comes next: removes it and returns the load's `idx` variant and
    /// `index`, for the load to scale the index itself (an element of an
    /// array at a constant address).
    fn take_index(&mut self, base: u16, (idx, shift): (Opcode, u32)) -> Option<(Opcode, u16)> {
        let last = self.last_unbranched()?;
        if last.opcode != Opcode::I32ShlImm || last.fields.p != base || last.fields.r % 32 != shift
        {
            return None;
        }
        self.ops.pop();
        Some((idx, last.fields.q))
    }

    /// If the last instruction wrote the temporary `temp` (the operand just
    /// popped), scaling some `index` by a constant (`i32.shl` by less than
    /// 16 mod 32, `i32.mul` by at most 65,535), and nothing branches to
    /// what comes next: removes that instruction and returns `(index,
    /// scale)`, for an `i32.add` of `temp` to be one `I32AddScaled`.
    fn take_scaled(&mut self, temp: u16) -> Option<(u16, u16)> {
        let last = self.last_unbranched()?;
        let scale = match (last.opcode, last.fields.r) {
            // A shift counts modulo 32.
            (Opcode::I32ShlImm, shift) if shift % 32 < 16 => 1u16 << (shift % 32),
            (Opcode::I32MulImm, factor @ 0..=0xffff) => factor as u16,
            _ => return None,
        };
        if last.fields.p != temp {
            return None;
        }
        self.ops.pop();
        Some((last.fields.q, scale))
    }

    /// Emits `dst = base + index * scale` for an `i32.add` whose scaled
    /// operand `take_scaled` took.
    fn emit_scaled(&mut self, (index, scale): (u16, u16), base: u16) {
        let dst = self.push_temp();
        self.emit_result(Opcode::I32AddScaled, Self::scaled(dst, index, base, scale));
    }

    fn scaled(dst: u16, index: u16, base: u16, scale: u16) -> Fields {
        Instr::I32AddScaled {
            dst,
            index,
            base,
            scale,
        }
        .fields()
    }

    /// The last instruction, at `at`, now writes a local. If it is `x + c`
    /// (an `I32AddImm`) of a scaled index the instruction before computed
    /// into a temporary, and nothing branches to it: makes the two one
    /// `I32AddScaled` with `c` from its constant slot. That is an address
    /// in an array at a constant address kept in a local (`p = &a[i]`, a
    /// pointer a loop then walks). Only here: an address a load or store
    /// uses at once becomes part of that access instead (`take_index`).
    fn fuse_scaled_address(&mut self, at: usize) {
        let add = self.ops[at];
        if at + 1 != self.ops.len()
            || add.opcode != Opcode::I32AddImm
            || add.fields.q < self.temp_base
        {
            return;
        }
        self.ops.pop();
        match self.take_scaled(add.fields.q) {
            Some((index, scale)) => {
                let base = self.const_slot(u64::from(add.fields.r));
                self.emit_raw(
                    Opcode::I32AddScaled,
                    Self::scaled(add.fields.p, index, base, scale),
                );
            }
            None => self.ops.push(add),
        }
    }

    /// If the branch at `at`, the last instruction, jumps back to `head`
    /// on comparing what the instruction before it wrote, and that one is
    /// `x = x + step` (nothing branching between): makes the two one
    /// `br_inc` instruction. That is a loop's back edge, `i += step;
    /// br_if (i CMP n)`, and then one dispatch per iteration instead of two.
    fn fuse_loop_increment(&mut self, at: usize, head: usize) {
        if at == 0 || at + 1 != self.ops.len() || !self.ops[at].acc {
            return;
        }
        let (br, add) = (self.ops[at], self.ops[at - 1]);
        let Some((row, imm)) = select::compare_of_branch(br.opcode) else {
            return;
        };
        let Some(inc) = row.br_inc else {
            return;
        };
        // An immediate's value as the row's type reads it (see `Imm`), as
        // a slot holds it.
        let wide = row.wide;
        let slot_value = |narrow: u32, wide_value: u64| {
            if wide { wide_value } else { u64::from(narrow) }
        };
        let counter = add.fields.p;
        let rlo = add.fields.r as u16;
        let r = add.fields.r;
        let step = match (add.opcode, wide) {
            (Opcode::I32AddImm, false) | (Opcode::I64AddImm, true) if add.fields.q == counter => {
                Source::Const(slot_value(u32::imm32(r), u64::imm32(r)))
            }
            (Opcode::I32Add, false) | (Opcode::I64Add, true) if add.fields.q == counter => {
                Source::Slot(rlo)
            }
            (Opcode::I32Add, false) | (Opcode::I64Add, true) if rlo == counter => {
                Source::Slot(add.fields.q)
            }
            _ => return,
        };
        let Ok(offset) = i16::try_from(head as i64 - (at - 1) as i64) else {
            return;
        };
        let bound = if imm {
            let q = br.fields.q as i16;
            Source::Const(slot_value(u32::imm16(q), u64::imm16(q)))
        } else {
            Source::Slot(br.fields.q)
        };
        let step = self.source_slot(step);
        let bound = self.source_slot(bound);
        self.ops.truncate(at - 1);
        self.emit_raw(
            inc,
            Self::raw(
                counter,
                bound,
                u32::from(step) | u32::from(offset as u16) << 16,
            ),
        );
    }

    /// Emits what `emit` emits so that it uses memory `memory`: memory 0
    /// is the one the executor keeps at hand; another is selected around
    /// the instruction (see `SelectMemory`).
    fn in_memory(&mut self, memory: u32, emit: impl FnOnce(&mut Self)) {
        if memory == 0 {
            emit(self);
        } else {
            self.emit(Instr::SelectMemory { memory });
            emit(self);
            self.emit(Instr::SelectMemory { memory: 0 });
        }
    }

    fn static_offset(&self, offset: u64) -> Result<u32> {
        u32::try_from(offset).map_err(|_| unsupported("64-bit memory offset", self.offset))
    }

    fn binary(&mut self, binary: select::Binary, lhs: Operand, rhs: Operand) {
        if let (Operand::Const(a), Operand::Const(b)) = (lhs, rhs)
            && let Some(value) = (binary.eval)(a, b)
        {
            self.stack.push(Operand::Const(value));
            return;
        }
        // `x + 0`, `x * 1`, ...: `x`, left where it is. (An identity on
        // the left is taken only from a local: a temporary would change
        // its slot with its height.)
        match (lhs, rhs) {
            (_, Operand::Const(b)) if select::is_right_identity(binary.op, b) => {
                self.stack.push(lhs);
                return;
            }
            (Operand::Const(a), Operand::Local(_))
                if binary.commutative && select::is_right_identity(binary.op, a) =>
            {
                self.stack.push(rhs);
                return;
            }
            _ => {}
        }
        let height = self.stack.height();
        let imm = |c: u64| fits_imm32(c, binary.wide);
        let (opcode, q, r) = match (lhs, rhs) {
            (_, Operand::Const(b)) if binary.imm.is_some() && imm(b).is_some() => {
                let a = self.slot_of(lhs, height);
                (binary.imm.unwrap(), a, imm(b).unwrap())
            }
            (Operand::Const(a), _)
                if binary.commutative && binary.imm.is_some() && imm(a).is_some() =>
            {
                let b = self.slot_of(rhs, height + 1);
                (binary.imm.unwrap(), b, imm(a).unwrap())
            }
            (Operand::Const(a), _) if binary.rev.is_some() && imm(a).is_some() => {
                let b = self.slot_of(rhs, height + 1);
                (binary.rev.unwrap(), b, imm(a).unwrap())
            }
            _ => {
                let mut a = self.slot_of(lhs, height);
                let mut b = self.slot_of(rhs, height + 1);
                if binary.op == Opcode::I32Add {
                    if b == self.temp(height + 1)
                        && let Some(scaled) = self.take_scaled(b)
                    {
                        return self.emit_scaled(scaled, a);
                    }
                    if a == self.temp(height)
                        && let Some(scaled) = self.take_scaled(a)
                    {
                        return self.emit_scaled(scaled, b);
                    }
                }
                if self.swap_for_acc(a, b) {
                    if binary.commutative {
                        std::mem::swap(&mut a, &mut b);
                    } else if let Some(flip) = binary.flip {
                        let fields = Self::raw(self.push_temp(), b, u32::from(a));
                        self.emit_result(flip, fields);
                        return;
                    }
                }
                (binary.op, a, u32::from(b))
            }
        };
        let dst = self.push_temp();
        self.emit_result(opcode, Self::raw(dst, q, r));
    }

    /// Pushes `lhs CMP rhs`, folded if both are constants, and otherwise
    /// left for a branch to test or evaluated where it is used.
    fn push_compare(&mut self, cmp: Opcode, lhs: Operand, rhs: Operand) {
        let row = select::compare_row(cmp).expect("a comparison");
        if let (Operand::Const(a), Operand::Const(b)) = (lhs, rhs) {
            self.stack.push(Operand::Const(u64::from((row.eval)(a, b))));
            return;
        }
        // The left operand first: if it is a pending comparison, it may
        // read the temporary the right one is evaluated into.
        let height = self.stack.height();
        let lhs = match lhs {
            Operand::Const(c) => Source::Const(c),
            other => Source::Slot(self.slot_of(other, height)),
        };
        let rhs = match rhs {
            Operand::Const(c) => Source::Const(c),
            other => Source::Slot(self.slot_of(other, height + 1)),
        };
        self.stack.push(Operand::Cmp { cmp, lhs, rhs });
    }

    /// Emits `dst = lhs CMP rhs`.
    fn emit_compare(&mut self, cmp: Opcode, lhs: Source, rhs: Source, dst: u16) {
        let mut row = select::compare_row(cmp).expect("a comparison");
        let (mut lhs, mut rhs) = (lhs, rhs);
        if matches!((lhs, rhs), (Source::Const(_), Source::Slot(_))) {
            row = select::compare_row(row.swap).expect("a comparison");
            std::mem::swap(&mut lhs, &mut rhs);
        }
        let lhs_slot = self.source_slot(lhs);
        if let Source::Const(c) = rhs
            && let Some(imm_op) = row.imm
            && let Some(imm) = fits_imm32(c, row.wide)
        {
            self.emit_raw(imm_op, Self::raw(dst, lhs_slot, imm));
        } else {
            let rhs_slot = self.source_slot(rhs);
            let (lhs_slot, rhs_slot) = self.for_acc(&mut row, lhs_slot, rhs_slot);
            self.emit_raw(row.op, Self::raw(dst, lhs_slot, u32::from(rhs_slot)));
        }
    }

    fn source_slot(&mut self, source: Source) -> u16 {
        match source {
            Source::Slot(slot) => slot,
            Source::Const(c) => self.const_slot(c),
        }
    }

    /// Emits a branch taken when `lhs CMP rhs` is `when`; returns its index
    /// (its offset is patched by the caller).
    fn emit_compare_branch(&mut self, cmp: Opcode, lhs: Source, rhs: Source, when: bool) -> usize {
        let mut row: Compare = select::compare_row(cmp).expect("a comparison");
        let (mut lhs, mut rhs) = (lhs, rhs);
        if !when {
            match row.negate {
                Some(negated) => row = select::compare_row(negated).expect("a comparison"),
                None => {
                    let lhs = self.source_slot(lhs);
                    let rhs = self.source_slot(rhs);
                    let (lhs, rhs) = self.for_acc(&mut row, lhs, rhs);
                    let br_not = row.br_not.expect("floats branch on false");
                    return self.emit_raw(br_not, Self::raw(lhs, rhs, 0));
                }
            }
        }
        if matches!((lhs, rhs), (Source::Const(_), Source::Slot(_))) {
            row = select::compare_row(row.swap).expect("a comparison");
            std::mem::swap(&mut lhs, &mut rhs);
        }
        let lhs_slot = self.source_slot(lhs);
        if let Source::Const(c) = rhs
            && let Some(br_imm) = row.br_imm
            && let Some(imm) = fits_imm16(c, row.wide)
        {
            return self.emit_raw(br_imm, Self::raw(lhs_slot, imm as u16, 0));
        }
        let rhs_slot = self.source_slot(rhs);
        let (lhs_slot, rhs_slot) = self.for_acc(&mut row, lhs_slot, rhs_slot);
        self.emit_raw(row.br, Self::raw(lhs_slot, rhs_slot, 0))
    }

    /// The operands of a comparison of two slots, swapped (and `row` with
    /// them) if that lets it read the accumulator.
    fn for_acc(&self, row: &mut Compare, lhs: u16, rhs: u16) -> (u16, u16) {
        if self.swap_for_acc(lhs, rhs) {
            *row = select::compare_row(row.swap).expect("a comparison");
            (rhs, lhs)
        } else {
            (lhs, rhs)
        }
    }

    /// Emits a branch taken when `cond` (an i32) is non-zero (`when`) or
    /// zero (`!when`); `None` when it is a constant that never branches.
    fn branch_if(&mut self, cond: Operand, when: bool) -> Option<usize> {
        match cond {
            Operand::Const(c) => {
                ((c as u32 != 0) == when).then(|| self.emit(Instr::Br { offset: 0 }))
            }
            Operand::Cmp { cmp, lhs, rhs } => Some(self.emit_compare_branch(cmp, lhs, rhs, when)),
            other => {
                let height = self.stack.height();
                let slot = self.slot_of(other, height);
                Some(self.emit_compare_branch(
                    Opcode::I32Ne,
                    Source::Slot(slot),
                    Source::Const(0),
                    when,
                ))
            }
        }
    }

    fn write_local(&mut self, local: u16, value: Operand) {
        self.preserve(local);
        match value {
            Operand::Temp => {
                let height = self.stack.height();
                let src = self.temp(height);
                match self.retarget {
                    Some(at) if self.ops[at].fields.p == src => {
                        self.ops[at].fields.p = local;
                        self.fuse_scaled_address(at);
                    }
                    _ => self.copy(local, src),
                }
                self.retarget = None;
            }
            other => self.evaluate_into(other, local),
        }
    }

    fn select(&mut self) {
        let cond = self.pop_slot();
        let b = self.pop_slot();
        let a = self.pop_slot();
        let dst = self.push_temp();
        self.emit_result(Opcode::Select, Instr::Select { dst, cond, a, b }.fields());
    }

    fn pop_slots3(&mut self) -> [u16; 3] {
        let c = self.pop_slot();
        let b = self.pop_slot();
        let a = self.pop_slot();
        [a, b, c]
    }

    // ---- calls

    fn call(&mut self, function_index: u32, tail: bool) -> Result<()> {
        let ty = self.module.func_type(function_index);
        let (params, results) = (ty.params().len(), ty.results().len());
        self.materialize_top(params);
        let height = self.stack.height() - params;
        let base = self.temp(height);
        // The callee's frame starts at `base` and overwrites what is above.
        self.claim_temp(height);
        let imported = function_index < self.module.num_imported_funcs;
        let at = match (imported, tail) {
            (true, false) => self.emit(Instr::CallImport {
                base,
                func: function_index,
            }),
            (true, true) => self.emit(Instr::ReturnCallImport {
                base,
                func: function_index,
            }),
            (false, false) => self.emit(Instr::Call { base, target: 0 }),
            (false, true) => self.emit(Instr::ReturnCall {
                base,
                params: params as u16,
                target: 0,
            }),
        };
        if !imported {
            self.calls
                .push((at, function_index - self.module.num_imported_funcs));
        }
        self.after_call(params, results, tail);
        Ok(())
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) {
        let ty = &self.module.types[type_index as usize];
        let (params, results) = (ty.params().len(), ty.results().len());
        let index = self.pop_slot();
        self.materialize_top(params);
        let height = self.stack.height() - params;
        let base = self.temp(height);
        self.claim_temp(height);
        if tail {
            self.emit(Instr::ReturnCallIndirect {
                base,
                index,
                ty: type_index,
            });
        } else {
            self.emit(Instr::CallIndirect {
                base,
                index,
                ty: type_index,
            });
        }
        self.emit(Instr::Data {
            p: table as u16,
            q: params as u16,
            r: 0,
        });
        self.after_call(params, results, tail);
    }

    /// Replaces the arguments by the results (which the callee left where
    /// its frame started).
    fn after_call(&mut self, params: usize, results: usize, tail: bool) {
        let height = self.stack.height() - params;
        self.stack.truncate(height);
        if tail {
            self.reachable = false;
            return;
        }
        for _ in 0..results {
            self.stack.push(Operand::Temp);
        }
    }
}

fn too_many_slots(offset: usize) -> Error {
    Error::Compile {
        message: "function too large for the interpreter: its locals and operands need more than 65535 value slots".into(),
        offset: Some(offset),
    }
}
