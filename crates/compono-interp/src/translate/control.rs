//! Blocks, loops, `if`, branches and returns, and exceptions: `throw`,
//! `throw_ref` and `try_table`.
//!
//! A label's values live in the temporaries of the heights they take when
//! the label is reached: branches copy them there, and a block's end finds
//! them there. Entering a block evaluates every operand that still reads a
//! local (or is a pending comparison), so the stack means the same on
//! every path into a label. Forward branches are patched when their label
//! is bound.

use super::locals::Written;
use super::stack::Operand;
use super::{Emitter, Result};
use crate::ir::{AccRole, CatchClause, Instr, NO_PARENT, Opcode, TryRange};

/// How many instructions a loop's head may have before its `br_table`
/// for `copy_loop_dispatch` to copy it, how many entries the table, and
/// how many records a function may grow by such copies.
const MAX_COPIED_HEAD: usize = 4;
const MAX_COPIED_ENTRIES: usize = 256;
const MAX_COPIED_RECORDS: usize = 8192;
use wasmparser::{BlockType, Catch, Operator, TryTable};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FrameKind {
    Function,
    Block,
    Loop,
    If,
    Else,
    TryTable,
}

pub(super) struct Frame {
    kind: FrameKind,
    /// Stack height below the frame's parameters.
    height: usize,
    params: usize,
    results: usize,
    /// Whether the frame's start is reachable (nothing inside a frame
    /// entered from dead code is emitted).
    live: bool,
    /// Where branches to a loop go.
    head: usize,
    /// Branches to the frame's end, patched when it is bound.
    fixups: Vec<usize>,
    /// The branch of an `if` to its `else` (or end).
    else_fixup: Option<usize>,
    /// Whether a branch targets the frame's end.
    branched: bool,
    /// For a `try_table` with catch clauses, its range in `Emitter::tries`.
    try_range: Option<u32>,
    /// The locals written on every path to the frame's start, and to its
    /// end so far (`locals.rs`).
    written_at_start: Written,
    written_at_end: Written,
}

impl Frame {
    pub(super) fn function(results: usize) -> Frame {
        Frame {
            kind: FrameKind::Function,
            height: 0,
            params: 0,
            results,
            live: true,
            head: 0,
            fixups: Vec::new(),
            else_fixup: None,
            branched: false,
            try_range: None,
            written_at_start: Written::NONE,
            written_at_end: Written::ALL,
        }
    }

    /// How many values a branch to the frame's label carries.
    fn arity(&self) -> usize {
        if self.kind == FrameKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

impl Emitter<'_> {
    fn block_type(&self, ty: BlockType) -> (usize, usize) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(index) => {
                let ty = &self.module.types[index as usize];
                (ty.params().len(), ty.results().len())
            }
        }
    }

    /// Handles control operators; `None` for any other operator.
    pub(super) fn control(&mut self, op: &Operator<'_>) -> Result<Option<()>> {
        use Operator as Op;
        match *op {
            Op::Block { blockty } => self.enter(FrameKind::Block, blockty, None),
            Op::Loop { blockty } => self.enter(FrameKind::Loop, blockty, None),
            Op::If { blockty } => {
                let cond = if self.reachable {
                    Some(self.stack.pop())
                } else {
                    None
                };
                self.enter(FrameKind::If, blockty, cond);
            }
            Op::Else => self.else_(),
            Op::End => self.end(),
            Op::TryTable { ref try_table } => self.try_table(try_table),
            _ if !self.reachable => return Ok(None),
            Op::Throw { tag_index } => {
                let tag = self.module.tags[tag_index as usize];
                let n = self.module.types[tag as usize].params().len();
                self.materialize_top(n);
                let height = self.stack.height() - n;
                let base = self.temp(height);
                self.emit(Instr::Throw {
                    base,
                    tag: tag_index,
                });
                self.stack.truncate(height);
                self.reachable = false;
            }
            Op::ThrowRef => {
                let exn = self.pop_slot();
                self.emit(Instr::ThrowRef { exn });
                self.reachable = false;
            }
            Op::Br { relative_depth } => {
                self.branch(relative_depth as usize);
                self.reachable = false;
            }
            Op::BrIf { relative_depth } => {
                let cond = self.stack.pop();
                self.branch_if_label(relative_depth as usize, cond);
            }
            Op::BrTable { ref targets } => {
                let depths = targets
                    .targets()
                    .collect::<Result<Vec<u32>, _>>()
                    .map_err(crate::error::Error::compile)?;
                let index = self.stack.pop();
                self.branch_table(index, &depths, targets.default() as usize);
                self.reachable = false;
            }
            Op::Return => {
                self.return_values();
                self.reachable = false;
            }
            _ => return Ok(None),
        }
        Ok(Some(()))
    }

    fn enter(&mut self, kind: FrameKind, ty: BlockType, cond: Option<Operand>) {
        let (params, results) = self.block_type(ty);
        let live = self.reachable;
        let mut frame = Frame {
            kind,
            height: self.stack.height().saturating_sub(params),
            params,
            results,
            live,
            head: 0,
            fixups: Vec::new(),
            else_fixup: None,
            branched: false,
            try_range: None,
            written_at_start: self.written,
            written_at_end: Written::ALL,
        };
        if live {
            // Every path into a label must find the stack the same way.
            for height in self.stack.lazy_from(0) {
                self.materialize(height);
            }
            self.materialize_top(params);
            match kind {
                FrameKind::Loop => {
                    self.retarget = None;
                    frame.head = self.ops.len();
                    self.label_at = self.ops.len();
                }
                FrameKind::If => {
                    let cond = cond.expect("a live `if` pops its condition");
                    frame.else_fixup = self.branch_if(cond, false);
                }
                _ => {}
            }
        }
        self.frames.push(frame);
    }

    fn else_(&mut self) {
        let frame = self.frames.last_mut().expect("validated");
        let live = frame.live;
        frame.kind = FrameKind::Else;
        if !live {
            return;
        }
        if self.reachable {
            let (height, results) = (frame.height, frame.results);
            self.move_to_label(height, results);
            let at = self.emit_jump();
            let written = self.written;
            let frame = self.frames.last_mut().expect("validated");
            frame.fixups.push(at);
            frame.branched = true;
            frame.written_at_end = frame.written_at_end.meet(written);
        }
        let frame = self.frames.last_mut().expect("validated");
        self.written = frame.written_at_start;
        let else_fixup = frame.else_fixup.take();
        let (height, params) = (frame.height, frame.params);
        if let Some(at) = else_fixup {
            self.bind(at);
        }
        self.retarget = None;
        self.stack.truncate(height);
        for _ in 0..params {
            self.stack.push(Operand::Temp);
        }
        self.reachable = true;
    }

    fn end(&mut self) {
        let frame = self.frames.pop().expect("validated");
        if !frame.live {
            return;
        }
        if let Some(range) = frame.try_range {
            // The body ends here: what follows is no longer covered by its
            // clauses (the copies to the label below cannot throw).
            self.tries[range as usize].end = self.ops.len() as u32;
            self.open_tries.pop();
        }
        if frame.kind == FrameKind::Function {
            if self.reachable {
                self.return_values();
            }
            self.reachable = false;
            return;
        }
        if self.reachable {
            self.move_to_label(frame.height, frame.results);
        }
        // A loop's end is reached only by falling through its body.
        if frame.kind != FrameKind::Loop {
            let mut written = frame.written_at_end;
            if self.reachable {
                written = written.meet(self.written);
            }
            if frame.kind == FrameKind::If {
                // Without `else`, the false path comes straight here.
                written = written.meet(frame.written_at_start);
            }
            self.written = written;
        }
        let reached_by_branch = frame.branched || frame.else_fixup.is_some();
        for at in frame.fixups.iter().copied().chain(frame.else_fixup) {
            self.bind(at);
        }
        self.retarget = None;
        self.reachable = self.reachable || (frame.kind != FrameKind::Loop && reached_by_branch);
        self.stack.truncate(frame.height);
        for _ in 0..frame.results {
            self.stack.push(Operand::Temp);
        }
    }

    /// A `try_table`: its catch clauses become landing pads, emitted
    /// before the body and jumped over. A pad receives the exception's
    /// values in the temporaries where the `try_table` starts (nothing
    /// there is live once its body is left) and branches to the clause's
    /// label as a `br` would; the unwinder (`exec`) enters it with the
    /// frame of the function that holds it.
    fn try_table(&mut self, try_table: &TryTable) {
        let live = self.reachable;
        if !live || try_table.catches.is_empty() {
            self.enter(FrameKind::TryTable, try_table.ty, None);
            return;
        }
        let (params, _) = self.block_type(try_table.ty);
        for height in self.stack.lazy_from(0) {
            self.materialize(height);
        }
        self.materialize_top(params);
        let height = self.stack.height() - params;
        let skip = self.emit(Instr::Br { offset: 0 });
        let first = self.catches.len() as u32;
        for catch in &try_table.catches {
            let (tag, label, with_ref) = match *catch {
                Catch::One { tag, label } => (Some(tag), label, false),
                Catch::OneRef { tag, label } => (Some(tag), label, true),
                Catch::All { label } => (None, label, false),
                Catch::AllRef { label } => (None, label, true),
            };
            let count = tag.map_or(0, |t| {
                let ty = self.module.tags[t as usize];
                self.module.types[ty as usize].params().len()
            });
            let pad = self.ops.len() as u32;
            self.label_at = self.ops.len();
            self.catches.push(CatchClause { tag, pad });
            self.stack.truncate(height);
            for _ in 0..count + usize::from(with_ref) {
                self.stack.push(Operand::Temp);
            }
            let dst = self.temp(height);
            self.emit(Instr::TakeExn {
                dst,
                count: count as u16,
                with_ref: u16::from(with_ref),
            });
            self.branch(label as usize);
        }
        self.stack.truncate(height);
        for _ in 0..params {
            self.stack.push(Operand::Temp);
        }
        self.bind(skip);
        self.retarget = None;
        self.enter(FrameKind::TryTable, try_table.ty, None);
        let range = self.tries.len() as u32;
        self.tries.push(TryRange {
            start: self.ops.len() as u32,
            end: self.ops.len() as u32,
            parent: self.open_tries.last().copied().unwrap_or(NO_PARENT),
            first,
            len: try_table.catches.len() as u32,
        });
        self.open_tries.push(range);
        let frame = self.frames.last_mut().expect("just entered");
        frame.try_range = Some(range);
    }

    /// Points the branch at `at` to the next instruction.
    fn bind(&mut self, at: usize) {
        let target = self.ops.len();
        self.patch(at, target);
    }

    fn patch(&mut self, at: usize, target: usize) {
        if target == self.ops.len() {
            self.label_at = target;
        }
        self.ops[at].fields.r = (target as i64 - at as i64) as i32 as u32;
    }

    /// Makes the branch at `at` go to the label `depth` levels out.
    fn link(&mut self, at: usize, depth: usize) {
        let index = self.frames.len() - 1 - depth;
        let frame = &mut self.frames[index];
        if frame.kind == FrameKind::Loop {
            let head = frame.head;
            self.patch(at, head);
            self.fuse_loop_increment(at, head);
        } else {
            frame.fixups.push(at);
            frame.branched = true;
            frame.written_at_end = frame.written_at_end.meet(self.written);
        }
    }

    fn is_function(&self, depth: usize) -> bool {
        depth + 1 == self.frames.len()
    }

    /// Whether the label's values are already where it wants them.
    fn label_ready(&self, depth: usize) -> bool {
        let frame = &self.frames[self.frames.len() - 1 - depth];
        let n = frame.arity();
        let height = self.stack.height();
        height - n == frame.height
            && (height - n..height).all(|h| self.stack.get(h) == Operand::Temp)
    }

    /// Copies the top `n` values to the temporaries at `height`, without
    /// changing what the operand stack says (a conditional branch's
    /// fall-through still finds them where they were).
    fn move_to_label(&mut self, height: usize, n: usize) {
        let top = self.stack.height();
        for i in 0..n {
            let from = top - n + i;
            let dst = self.temp(height + i);
            match self.stack.get(from) {
                Operand::Temp => {
                    let src = self.temp(from);
                    self.copy(dst, src);
                }
                other => self.evaluate_into(other, dst),
            }
        }
    }

    /// An unconditional branch to the label `depth` levels out.
    fn branch(&mut self, depth: usize) {
        if self.is_function(depth) {
            self.return_values();
            return;
        }
        let frame = &self.frames[self.frames.len() - 1 - depth];
        let (height, n) = (frame.height, frame.arity());
        self.move_to_label(height, n);
        if self.copy_loop_dispatch(depth) {
            return;
        }
        let at = self.emit_jump();
        self.link(at, depth);
    }

    /// In place of a branch back to a loop whose head only computes an
    /// index and dispatches on it with a `br_table` (the loop of a bytecode
    /// interpreter, a lexer or a state machine), emits a copy of that head.
    /// Each copy of the table then has its own indirect jump, which the
    /// CPU predicts from where it is: the jump at the end of each case
    /// learns which cases tend to follow that one, where one shared jump
    /// sees them all mixed. Returns whether it did.
    fn copy_loop_dispatch(&mut self, depth: usize) -> bool {
        let frame = &self.frames[self.frames.len() - 1 - depth];
        if frame.kind != FrameKind::Loop || frame.arity() != 0 {
            return false;
        }
        let head = frame.head;
        // The head: a few single-record instructions that only compute
        // values (no branch, call or `Data` record), then the table.
        let mut table = head;
        loop {
            let Some(op) = self.ops.get(table) else {
                return false;
            };
            if op.opcode == Opcode::BrTable {
                break;
            }
            let computes = Instr::acc_slot(op.opcode, op.fields, AccRole::Out).is_some()
                && self
                    .ops
                    .get(table + 1)
                    .is_some_and(|next| next.opcode != Opcode::Data);
            if !computes || table - head == MAX_COPIED_HEAD {
                return false;
            }
            table += 1;
        }
        let entries = self.ops[table].fields.r as usize + 1;
        let size = table - head + 1 + entries;
        if entries > MAX_COPIED_ENTRIES || self.copied + size > MAX_COPIED_RECORDS {
            return false;
        }
        // An entry is bound (its offset is not 0: no entry goes to itself)
        // or waits for a label. One that is neither is a trampoline not
        // bound yet, while the trampoline before it branches back here.
        let pending = |at: usize| self.frames.iter().any(|f| f.fixups.contains(&at));
        if (table + 1..=table + entries).any(|at| self.ops[at].fields.r == 0 && !pending(at)) {
            return false;
        }
        self.copied += size;
        for at in head..=table {
            let op = self.ops[at];
            self.emit_raw(op.opcode, op.fields);
        }
        // Each entry goes where the original's goes, or waits for the
        // same label if that is not bound yet.
        for i in 1..=entries {
            let (original, copy) = (table + i, self.emit(Instr::Data { p: 0, q: 0, r: 0 }));
            match self
                .frames
                .iter_mut()
                .find(|f| f.fixups.contains(&original))
            {
                Some(frame) => frame.fixups.push(copy),
                None => {
                    let offset = self.ops[original].fields.r as i32 as isize;
                    self.patch(copy, original.wrapping_add_signed(offset));
                }
            }
        }
        true
    }

    fn branch_if_label(&mut self, depth: usize, cond: Operand) {
        if !self.is_function(depth) && self.label_ready(depth) {
            if let Some(at) = self.branch_if(cond, true) {
                self.link(at, depth);
            }
            return;
        }
        let skip = self.branch_if(cond, false);
        self.branch(depth);
        if let Some(at) = skip {
            self.bind(at);
        }
        self.retarget = None;
    }

    fn branch_table(&mut self, index: Operand, depths: &[u32], default: usize) {
        if let Operand::Const(c) = index {
            let depth = depths
                .get(c as u32 as usize)
                .map_or(default, |d| *d as usize);
            self.branch(depth);
            return;
        }
        let height = self.stack.height();
        let index = self.slot_of(index, height);
        let len = depths.len() as u32;
        self.emit(Instr::BrTable { index, len });
        let first = self.ops.len();
        let all = depths.iter().map(|d| *d as usize).chain([default]);
        let mut trampolines = Vec::new();
        for (i, depth) in all.enumerate() {
            let at = self.emit(Instr::Data { p: 0, q: 0, r: 0 });
            debug_assert_eq!(at, first + i);
            if !self.is_function(depth) && self.label_ready(depth) {
                self.link(at, depth);
            } else {
                trampolines.push((at, depth));
            }
        }
        for (at, depth) in trampolines {
            self.bind(at);
            self.branch(depth);
        }
    }

    /// Returns the top values of the stack from the function, without
    /// changing what the operand stack says (see `move_to_label`).
    fn return_values(&mut self) {
        let n = usize::from(self.num_results);
        let top = self.stack.height();
        match n {
            0 => {
                self.emit(Instr::Return {});
            }
            1 => {
                let src = self.slot_of(self.stack.get(top - 1), top - 1);
                self.emit(Instr::Return1 { src });
            }
            _ => {
                for h in top - n..top {
                    let operand = self.stack.get(h);
                    if operand != Operand::Temp {
                        let dst = self.temp(h);
                        self.evaluate_into(operand, dst);
                    }
                }
                let src = self.temp(top - n);
                self.emit(Instr::ReturnSpan { src, len: n as u16 });
            }
        }
    }
}
