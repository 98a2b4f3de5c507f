//! What the instructions with hand-written bodies do (see `isa.rs`):
//! frames, calls and returns, fuel, globals, and the memory and table
//! instructions that go through the store.

use super::unchecked::{State, push_frame};
use super::{Flow, HALT, HostCall};
use crate::ir::ZERO_CHUNK;
use crate::memory::PAGE_SIZE;
use crate::store::FuncKind;
use crate::table::grow_table;
use crate::trap::TrapCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// `[start, start + len)` as a range within `size`, or `None`.
fn range(start: u32, len: u32, size: usize) -> Option<std::ops::Range<usize>> {
    let start = start as usize;
    let end = start.checked_add(len as usize)?;
    (end <= size).then_some(start..end)
}

impl State {
    /// A `Data` record was dispatched: translation never lets that happen.
    #[cold]
    pub fn corrupt(&mut self) -> Flow {
        unreachable!("dispatched an operand record")
    }

    /// A function's entry (see `Enter`).
    #[inline(always)]
    pub fn enter(&mut self, zero_from: u16, locals: u16, consts: u16, frame: u16) -> Flow {
        if let Some(flow) = self.make_room(frame) {
            return flow;
        }
        self.init_frame(zero_from, locals, consts, frame)
    }

    /// Zeroes the locals and loads the constants of a frame that fits.
    #[inline(always)]
    fn init_frame(&mut self, zero_from: u16, locals: u16, consts: u16, frame: u16) -> Flow {
        // Whole chunks: the slots after the last local are constants and
        // temporaries, written before they are read.
        let mut chunk = zero_from;
        while chunk < locals {
            self.zero_chunk(chunk, frame);
            chunk += ZERO_CHUNK;
        }
        self.load_consts(locals, consts, frame);
        // Live until here, `consts` may as well be in the accumulator's
        // register (the function's first instruction does not read it).
        self.clobber_acc(u32::from(consts));
        Flow::Skip(1 + usize::from(consts))
    }

    /// `None` if a frame of `frame` slots fits the value stack; otherwise
    /// leaves the dispatch to grow the stack (see `Flow::Grow`).
    #[inline(always)]
    pub fn make_room(&mut self, frame: u16) -> Option<Flow> {
        let ctx = self.ctx();
        if ctx.frame_fits(self.sp, frame) {
            return None;
        }
        ctx.grow_slots = frame;
        Some(Flow::Grow)
    }

    /// `enter`, charging a unit of fuel first (once: not again when the
    /// entry runs again after the stack grew).
    #[inline(always)]
    pub fn enter_metered(&mut self, zero_from: u16, locals: u16, consts: u16, frame: u16) -> Flow {
        if self.ctx().fuel == 0 {
            return Flow::Trap(TrapCode::OutOfFuel);
        }
        if let Some(flow) = self.make_room(frame) {
            return flow;
        }
        self.ctx().fuel -= 1;
        self.init_frame(zero_from, locals, consts, frame)
    }

    /// Pushes the frame returning to the record `next` records on; `None`
    /// if it did, or what the instruction does instead: trap at the depth
    /// limit, or leave the dispatch to make room for more frames.
    #[inline(always)]
    fn push_frame(&mut self, next: usize) -> Option<Flow> {
        let ctx = self.ctx();
        if ctx.frames.len() >= ctx.max_depth {
            return Some(Flow::Trap(TrapCode::CallStackExhausted));
        }
        if push_frame(ctx, self.ip.wrapping_add(next), self.sp) {
            return None;
        }
        ctx.grow_slots = 0;
        Some(Flow::Grow)
    }

    #[inline(always)]
    pub fn call(&mut self, base: u16, target: u32) -> Flow {
        if let Some(flow) = self.push_frame(1) {
            return flow;
        }
        self.sp = self.sp.wrapping_add(usize::from(base));
        // Read before the frame's stores, `target` is live across them.
        self.clobber_acc(target);
        let ip = self.ctx().code_at(target);
        self.goto(ip)
    }

    /// Continues at `target` in the running code (a tail call).
    #[inline(always)]
    pub fn jump_to(&mut self, target: u32) -> Flow {
        let ip = self.ctx().code_at(target);
        self.goto(ip)
    }

    #[inline(always)]
    pub fn return_from_call(&mut self) -> Flow {
        let ctx = self.ctx();
        let frame = *ctx.frames.last().expect("an invocation's frame ends it");
        if frame.instance != ctx.instance {
            return Flow::Return;
        }
        ctx.frames.pop();
        self.ip = ctx.code_at(frame.ip);
        self.sp = ctx.stack_at(frame.sp);
        self.mem = ctx.mem;
        self.mem_len = ctx.mem_len;
        Flow::Continue
    }

    /// Calls store function `func` whose arguments are at slot `base`;
    /// `next` records on is where the call returns to.
    #[inline(always)]
    fn call_store_func(&mut self, func: u32, base: u16, next: usize, tail: bool) -> Flow {
        let ctx = self.ctx();
        match ctx.store_funcs.get(func as usize).kind {
            FuncKind::Wasm {
                instance,
                entry,
                num_params,
                ..
            } => {
                if tail {
                    self.move_slots(base, 0, num_params);
                } else {
                    if let Some(flow) = self.push_frame(next) {
                        return flow;
                    }
                    self.sp = self.sp.wrapping_add(usize::from(base));
                }
                let ctx = self.ctx();
                if instance != ctx.instance {
                    ctx.load_instance(instance);
                    self.mem = ctx.mem;
                    self.mem_len = ctx.mem_len;
                }
                let ip = ctx.code_at(entry);
                self.goto(ip)
            }
            FuncKind::Host(_) => {
                if ctx.frames.len() >= ctx.max_depth {
                    return Flow::Trap(TrapCode::CallStackExhausted);
                }
                ctx.host = HostCall {
                    func,
                    base: ctx.stack_index(self.sp) + usize::from(base),
                    tail,
                };
                self.ip = self.ip.wrapping_add(next);
                Flow::Host
            }
        }
    }

    #[inline(always)]
    pub fn call_import(&mut self, base: u16, func: u32, tail: bool) -> Flow {
        let func = *self.ctx().funcs.get(func as usize);
        self.call_store_func(func, base, 1, tail)
    }

    #[inline(always)]
    pub fn call_indirect(&mut self, base: u16, index: u16, ty: u32, tail: bool) -> Flow {
        let table = self.ext(1).p;
        let index = self.get::<u32>(index);
        let ctx = self.ctx();
        let table = *ctx.tables.get(usize::from(table));
        let elems = &ctx.store_tables.get(table as usize).elems;
        let Some(&element) = elems.get(index as usize) else {
            return Flow::Trap(TrapCode::UndefinedElement);
        };
        let Some(func) = element.checked_sub(1) else {
            return Flow::Trap(TrapCode::UninitializedElement);
        };
        let func = func as u32;
        if ctx.store_funcs.get(func as usize).ty != *ctx.types.get(ty as usize) {
            return Flow::Trap(TrapCode::IndirectCallTypeMismatch);
        }
        self.call_store_func(func, base, 2, tail)
    }

    #[inline(always)]
    pub fn global(&mut self, global: u32) -> u64 {
        let ctx = self.ctx();
        let index = *ctx.globals.get(global as usize);
        ctx.store_globals.get(index as usize).value
    }

    #[inline(always)]
    pub fn set_global(&mut self, global: u32, value: u64) {
        let ctx = self.ctx();
        let index = *ctx.globals.get(global as usize);
        ctx.store_globals.get(index as usize).value = value;
    }

    #[inline(always)]
    pub fn ref_func(&mut self, func: u32) -> u64 {
        u64::from(*self.ctx().funcs.get(func as usize)) + 1
    }

    #[inline(always)]
    pub fn memory_pages(&mut self) -> u32 {
        (self.mem_len / PAGE_SIZE) as u32
    }

    /// `memory.grow`: the old size in pages, or -1.
    #[inline(always)]
    pub fn memory_grow(&mut self, delta: u32) -> u32 {
        let ctx = self.ctx();
        let Some(memory) = ctx.memory else {
            return u32::MAX;
        };
        let store = ctx.store();
        let limit = store.limits.max_memory_pages;
        let old = store.memories[memory as usize].grow(u64::from(delta), limit);
        ctx.load_memory();
        self.mem = ctx.mem;
        self.mem_len = ctx.mem_len;
        old.map_or(u32::MAX, |old| old as u32)
    }

    /// See `SelectMemory`.
    #[inline(always)]
    pub fn select_memory(&mut self, index: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        ctx.memory = ctx.store().instances[instance]
            .memories
            .get(index as usize)
            .copied();
        ctx.load_memory();
        self.mem = ctx.mem;
        self.mem_len = ctx.mem_len;
        Flow::Next
    }

    /// `memory.copy` from `(memory, address)` `src` to `dst`, memory
    /// indices of the running instance.
    pub fn memory_copy_across(&mut self, dst: (u32, u32), src: (u32, u32), len: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        let store = ctx.store();
        let memories = &store.instances[instance].memories;
        let (dst_memory, src_memory) = (
            memories[dst.0 as usize] as usize,
            memories[src.0 as usize] as usize,
        );
        let (Some(src_range), Some(dst_range)) = (
            range(src.1, len, store.memories[src_memory].len),
            range(dst.1, len, store.memories[dst_memory].len),
        ) else {
            return Flow::Trap(TrapCode::MemoryOutOfBounds);
        };
        if src_memory == dst_memory {
            // Two imports of one memory.
            store.memories[src_memory]
                .bytes_mut()
                .copy_within(src_range, dst_range.start);
        } else {
            let (low, high) = store.memories.split_at_mut(src_memory.max(dst_memory));
            let (src_mem, dst_mem) = if src_memory < dst_memory {
                (&mut low[src_memory], &mut high[0])
            } else {
                (&mut high[0], &mut low[dst_memory])
            };
            dst_mem.bytes_mut()[dst_range].copy_from_slice(&src_mem.bytes_mut()[src_range]);
        }
        Flow::Skip(2)
    }

    #[inline(always)]
    pub fn memory_copy(&mut self, dst: u32, src: u32, len: u32) -> Flow {
        let bytes = self.memory();
        let (Some(src), Some(dst)) = (range(src, len, bytes.len()), range(dst, len, bytes.len()))
        else {
            return Flow::Trap(TrapCode::MemoryOutOfBounds);
        };
        bytes.copy_within(src, dst.start);
        Flow::Next
    }

    #[inline(always)]
    pub fn memory_fill(&mut self, dst: u32, value: u32, len: u32) -> Flow {
        let bytes = self.memory();
        let Some(dst) = range(dst, len, bytes.len()) else {
            return Flow::Trap(TrapCode::MemoryOutOfBounds);
        };
        bytes[dst].fill(value as u8);
        Flow::Next
    }

    pub fn memory_init(&mut self, segment: u32, dst: u32, src: u32, len: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        let data: Arc<[u8]> =
            ctx.store().instance_segments[instance].datas[segment as usize].clone();
        let bytes = self.memory();
        let (Some(src), Some(dst)) = (range(src, len, data.len()), range(dst, len, bytes.len()))
        else {
            return Flow::Trap(TrapCode::MemoryOutOfBounds);
        };
        bytes[dst].copy_from_slice(&data[src]);
        Flow::Skip(2)
    }

    #[inline(always)]
    pub fn data_drop(&mut self, segment: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        ctx.store().instance_segments[instance].datas[segment as usize] = Arc::default();
        Flow::Next
    }

    #[inline(always)]
    pub fn elem_drop(&mut self, segment: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        ctx.store().instance_segments[instance].elems[segment as usize] = Arc::default();
        Flow::Next
    }

    /// The store index of the running instance's table `table`.
    #[inline(always)]
    fn table(&mut self, table: u32) -> usize {
        *self.ctx().tables.get(table as usize) as usize
    }

    #[inline(always)]
    pub fn table_get(&mut self, dst: u16, table: u32, index: u32) -> Flow {
        let table = self.table(table);
        let elems = &self.ctx().store_tables.get(table).elems;
        let Some(&value) = elems.get(index as usize) else {
            return Flow::Trap(TrapCode::TableOutOfBounds);
        };
        self.set::<u64>(dst, value);
        Flow::Next
    }

    #[inline(always)]
    pub fn table_set(&mut self, table: u32, index: u32, value: u64) -> Flow {
        let table = self.table(table);
        let elems = &mut self.ctx().store_tables.get(table).elems;
        let Some(slot) = elems.get_mut(index as usize) else {
            return Flow::Trap(TrapCode::TableOutOfBounds);
        };
        *slot = value;
        Flow::Next
    }

    #[inline(always)]
    pub fn table_size(&mut self, table: u32) -> u32 {
        let table = self.table(table);
        self.ctx().store_tables.get(table).elems.len() as u32
    }

    #[inline(always)]
    pub fn table_grow(&mut self, table: u16, delta: u32, init: u64) -> u32 {
        let table = self.table(u32::from(table));
        let ctx = self.ctx();
        let limit = ctx.store().limits.max_table_elements;
        grow_table(ctx.store_tables.get(table), limit, u64::from(delta), init)
            .map_or(u32::MAX, |old| old as u32)
    }

    #[inline(always)]
    pub fn table_fill(&mut self, table: u16, dst: u32, value: u64, len: u32) -> Flow {
        let table = self.table(u32::from(table));
        let elems = &mut self.ctx().store_tables.get(table).elems;
        let Some(dst) = range(dst, len, elems.len()) else {
            return Flow::Trap(TrapCode::TableOutOfBounds);
        };
        elems[dst].fill(value);
        Flow::Next
    }

    pub fn table_copy(
        &mut self,
        dst_table: u16,
        src_table: u16,
        dst: u32,
        src: u32,
        len: u32,
    ) -> Flow {
        let dst_table = self.table(u32::from(dst_table));
        let src_table = self.table(u32::from(src_table));
        let tables = self.ctx().store_tables;
        let (Some(src), Some(dst)) = (
            range(src, len, tables.get(src_table).elems.len()),
            range(dst, len, tables.get(dst_table).elems.len()),
        ) else {
            return Flow::Trap(TrapCode::TableOutOfBounds);
        };
        if src_table == dst_table {
            tables.get(dst_table).elems.copy_within(src, dst.start);
        } else {
            let items = tables.get(src_table).elems[src].to_vec();
            tables.get(dst_table).elems[dst].copy_from_slice(&items);
        }
        Flow::Skip(2)
    }

    pub fn table_init(&mut self, table: u16, segment: u32, dst: u32, src: u32, len: u32) -> Flow {
        let table = self.table(u32::from(table));
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        let items = ctx.store().instance_segments[instance].elems[segment as usize].clone();
        let elems = &mut ctx.store_tables.get(table).elems;
        let (Some(src), Some(dst)) = (range(src, len, items.len()), range(dst, len, elems.len()))
        else {
            return Flow::Trap(TrapCode::TableOutOfBounds);
        };
        elems[dst].copy_from_slice(&items[src]);
        Flow::Skip(2)
    }
}

/// Exceptions: throwing, unwinding to a landing pad, and what the pad
/// receives.
impl State {
    pub fn throw(&mut self, base: u16, tag: u32) -> Flow {
        let ctx = self.ctx();
        let instance = ctx.instance as usize;
        let store = ctx.store();
        let tag = store.instances[instance].tags[tag as usize];
        let count = store.tags[tag as usize].ty.params().len();
        let values: Box<[u64]> = (0..count)
            .map(|i| self.get::<u64>(base + i as u16))
            .collect();
        let exn = self.ctx().store().new_exn(tag, values);
        let at = self.ctx().code_offset(self.ip);
        self.unwind(exn, Some(at))
    }

    pub fn throw_ref(&mut self, exn: u16) -> Flow {
        let Some(exn) = self.get::<u64>(exn).checked_sub(1) else {
            return Flow::Trap(TrapCode::NullExceptionReference);
        };
        let at = self.ctx().code_offset(self.ip);
        self.unwind(exn as u32, Some(at))
    }

    pub fn rethrow(&mut self) -> Flow {
        let (exn, at) = self.ctx().rethrow;
        self.unwind(exn, at)
    }

    /// Finds the landing pad for exception `exn` thrown at record `at` of
    /// the running code (`None`: the running function is not a candidate),
    /// leaving the frames of functions that do not catch it; continues at
    /// the pad, or leaves the invocation if none catches it.
    fn unwind(&mut self, exn: u32, mut at: Option<u32>) -> Flow {
        loop {
            let ctx = self.ctx();
            if let Some(offset) = at {
                self.ip = ctx.code_at(offset);
                if let Some(pad) = ctx.handler(offset, exn) {
                    ctx.caught = exn;
                    self.ip = ctx.code_at(pad);
                    self.mem = ctx.mem;
                    self.mem_len = ctx.mem_len;
                    return Flow::Continue;
                }
            }
            let frame = *ctx.frames.last().expect("an invocation's frame ends it");
            if frame.instance == HALT {
                ctx.thrown = exn;
                ctx.store().hand_to_host(u64::from(exn) + 1);
                return Flow::Trap(TrapCode::UncaughtException);
            }
            ctx.frames.pop();
            if frame.instance != ctx.instance {
                ctx.load_instance(frame.instance);
            }
            self.sp = ctx.stack_at(frame.sp);
            // The return address follows the call: one back is inside it.
            at = Some(frame.ip - 1);
        }
    }

    pub fn take_exn(&mut self, dst: u16, count: u16, with_ref: bool) -> Flow {
        let ctx = self.ctx();
        let exn = ctx.caught;
        let store = ctx.store();
        for i in 0..count {
            let value = store.exns[exn as usize].values[usize::from(i)];
            self.set::<u64>(dst + i, value);
        }
        let store = self.ctx().store();
        if with_ref {
            store.exns[exn as usize].exposed = true;
            self.set::<u64>(dst + count, u64::from(exn) + 1);
        } else if !store.exns[exn as usize].exposed
            && !store.exns[exn as usize].host.load(Ordering::Relaxed)
        {
            // Nothing can refer to it any more.
            store.free_exns.push(exn);
        }
        Flow::Next
    }
}
