//! The translator's operand stack: what each wasm operand is while the
//! function is being translated, so values are only copied where they must
//! be.
//!
//! An operand is a local (read where it lives), a constant (an immediate
//! or a slot of the function's constant pool), a temporary (the slot of
//! its stack height) or a comparison not yet evaluated (so a following
//! branch can test it directly). Writing a local first evaluates every
//! operand that still reads it.

use super::Emitter;
use crate::ir::Instr;

/// An operand a comparison reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Slot(u16),
    Const(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    Local(u16),
    Const(u64),
    /// Lives in the temporary slot of its height.
    Temp,
    /// `lhs CMP rhs` for the comparison whose plain opcode is `cmp`.
    Cmp {
        cmp: crate::ir::Opcode,
        lhs: Source,
        rhs: Source,
    },
}

impl Operand {
    /// Whether evaluating the operand reads local `local`.
    fn reads_local(&self, local: u16, locals: u16) -> bool {
        match *self {
            Operand::Local(l) => l == local,
            Operand::Cmp { lhs, rhs, .. } => [lhs, rhs]
                .iter()
                .any(|s| *s == Source::Slot(local) && local < locals),
            _ => false,
        }
    }

    /// The locals an operand reads (at most two).
    fn locals_read(&self, locals: u16) -> [Option<u16>; 2] {
        let local = |s: Source| match s {
            Source::Slot(slot) if slot < locals => Some(slot),
            _ => None,
        };
        match *self {
            Operand::Local(l) => [Some(l), None],
            Operand::Cmp { lhs, rhs, .. } => [local(lhs), local(rhs)],
            _ => [None, None],
        }
    }
}

/// The operand stack, with per-local counts of the operands reading each
/// local so a write only scans the stack when it must.
#[derive(Default)]
pub(crate) struct Stack {
    entries: Vec<Operand>,
    readers: Vec<u32>,
    locals: u16,
    pub max_height: usize,
}

impl Stack {
    pub fn reset(&mut self, locals: u16) {
        self.entries.clear();
        self.readers.clear();
        self.readers.resize(usize::from(locals), 0);
        self.locals = locals;
        self.max_height = 0;
    }

    pub fn height(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, height: usize) -> Operand {
        self.entries[height]
    }

    fn count(&mut self, operand: &Operand, delta: i32) {
        for local in operand.locals_read(self.locals).into_iter().flatten() {
            let n = &mut self.readers[usize::from(local)];
            *n = n.wrapping_add_signed(delta);
        }
    }

    pub fn push(&mut self, operand: Operand) {
        self.count(&operand, 1);
        self.entries.push(operand);
        self.max_height = self.max_height.max(self.entries.len());
    }

    pub fn pop(&mut self) -> Operand {
        let operand = self
            .entries
            .pop()
            .expect("validation keeps the stack balanced");
        self.count(&operand, -1);
        operand
    }

    /// Replaces the operand at `height`.
    pub fn set(&mut self, height: usize, operand: Operand) {
        let old = self.entries[height];
        self.count(&old, -1);
        self.count(&operand, 1);
        self.entries[height] = operand;
    }

    pub fn truncate(&mut self, height: usize) {
        while self.entries.len() > height {
            self.pop();
        }
    }

    /// Whether any operand reads local `local`.
    pub fn is_read(&self, local: u16) -> bool {
        self.readers[usize::from(local)] != 0
    }

    /// Heights of the operands that read local `local`.
    pub fn readers_of(&self, local: u16) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|h| self.entries[*h].reads_local(local, self.locals))
            .collect()
    }

    /// Heights of operands other than temporaries and constants at or
    /// above `from` (what entering a block evaluates).
    pub fn lazy_from(&self, from: usize) -> Vec<usize> {
        (from..self.entries.len())
            .filter(|h| matches!(self.entries[*h], Operand::Local(_) | Operand::Cmp { .. }))
            .collect()
    }
}

impl Emitter<'_> {
    /// The slot of a temporary at `height`.
    pub fn temp(&self, height: usize) -> u16 {
        (usize::from(self.temp_base) + height) as u16
    }

    /// The constant-pool slot holding `value` (provisional until the pool's
    /// size is known; see `Emitter::finish`).
    pub fn const_slot(&mut self, value: u64) -> u16 {
        let next = self.consts.len();
        let index = *self.const_index.entry(value).or_insert_with(|| next);
        if index == next {
            self.consts.push(value);
        }
        super::CONST_SLOTS_TOP - index as u16
    }

    /// Makes sure the temporary at `height` may be written: a pending
    /// comparison just below may still need it as its right operand.
    pub fn claim_temp(&mut self, height: usize) {
        if height == 0 || height > self.stack.height() {
            return;
        }
        if let Operand::Cmp { rhs, .. } = self.stack.get(height - 1)
            && rhs == Source::Slot(self.temp(height))
        {
            self.materialize(height - 1);
        }
    }

    /// Evaluates the operand at `height` into its temporary.
    pub fn materialize(&mut self, height: usize) {
        let operand = self.stack.get(height);
        if operand == Operand::Temp {
            return;
        }
        let dst = self.temp(height);
        self.claim_temp(height);
        self.evaluate_into(operand, dst);
        self.stack.set(height, Operand::Temp);
    }

    /// Emits what writes `operand`'s value to slot `dst`.
    pub fn evaluate_into(&mut self, operand: Operand, dst: u16) {
        match operand {
            Operand::Local(l) => self.copy(dst, l),
            // Held in the instruction when it fits: a constant in the pool
            // costs a copy at every call of the function.
            Operand::Const(c) => match (u32::try_from(c), i32::try_from(c as i64)) {
                (Ok(value), _) => {
                    self.emit(Instr::Const32 { dst, value });
                }
                (_, Ok(value)) => {
                    self.emit(Instr::Const32S { dst, value });
                }
                _ => {
                    let src = self.const_slot(c);
                    self.copy(dst, src);
                }
            },
            Operand::Temp => unreachable!("temporaries are evaluated where they live"),
            Operand::Cmp { cmp, lhs, rhs } => self.emit_compare(cmp, lhs, rhs, dst),
        }
    }

    pub fn copy(&mut self, dst: u16, src: u16) {
        if dst != src {
            self.emit(Instr::Copy { dst, src });
        }
    }

    /// The slot an operand at `height` can be read from, evaluating pending
    /// comparisons first.
    pub fn slot_of(&mut self, operand: Operand, height: usize) -> u16 {
        match operand {
            Operand::Local(l) => l,
            Operand::Const(c) => self.const_slot(c),
            Operand::Temp => self.temp(height),
            Operand::Cmp { .. } => {
                // Popped already: evaluate into the temporary of its height.
                let dst = self.temp(height);
                self.claim_temp(height);
                self.evaluate_into(operand, dst);
                dst
            }
        }
    }

    /// Pops the top operand and returns the slot to read it from.
    pub fn pop_slot(&mut self) -> u16 {
        let operand = self.stack.pop();
        let height = self.stack.height();
        self.slot_of(operand, height)
    }

    /// Pushes a temporary and returns its slot, for the instruction about
    /// to be emitted to write.
    pub fn push_temp(&mut self) -> u16 {
        let height = self.stack.height();
        self.claim_temp(height);
        self.stack.push(Operand::Temp);
        self.temp(height)
    }

    /// Evaluates every operand that reads `local` before it is written.
    pub fn preserve(&mut self, local: u16) {
        if self.stack.is_read(local) {
            for height in self.stack.readers_of(local) {
                self.materialize(height);
            }
        }
    }

    /// Evaluates the top `n` operands into their temporaries, so they are
    /// consecutive slots (call arguments, returned values).
    pub fn materialize_top(&mut self, n: usize) {
        let height = self.stack.height();
        for h in height - n..height {
            self.materialize(h);
        }
    }
}
