//! The executor's only unsafe code: reading instructions, frame slots,
//! linear memory and the store's tables through raw pointers.
//!
//! Every access here is to memory whose bounds an invariant established by
//! validation or translation guarantees:
//!
//! - **code**: `ip` points into the running module's code, or at one of
//!   the executor's static instructions. Translation ends every function
//!   with a return or branch, resolves every branch target and call inside
//!   the same code, and `Data` records are never dispatched (they are
//!   skipped by the instruction they belong to). The code ends in
//!   `CONST_CHUNK - 1` padding records.
//! - **slots**: `sp` is the base of the running function's frame inside the
//!   store's value stack, and translation never names a slot at or beyond
//!   the frame size that the function's `Enter` checked against the end of
//!   the stack. A frame has at least `ZERO_CHUNK` slots above its last
//!   local, and room for its constants rounded up to whole chunks, so that
//!   `Enter` may zero its locals and copy its constants a chunk at a time
//!   (`ZERO_CHUNK`, `CONST_CHUNK`).
//! - **memory**: `mem` and `mem_len` describe the running instance's
//!   default memory; every access is bounds-checked against `mem_len`
//!   first, and the executor reloads both after anything that may move or
//!   grow the memory (`memory.grow`, calls, host calls).
//! - **store tables** (`RawSlice`): pointers into the store's vectors,
//!   taken when execution starts or resumes after a host call (the only
//!   time those vectors can change); indices come from validated modules
//!   and from instantiation.
//!
//! With the `checked` feature every one of these accesses is checked
//! against the real bounds first and panics if an invariant is broken.

#![allow(unsafe_code)]

use super::{Ctx, Flow};
use crate::ir::{CONST_CHUNK, Op, ZERO_CHUNK};
use crate::numeric::SlotValue;
use crate::trap::TrapCode;

const CHECKED: bool = cfg!(feature = "checked");

/// What the `checked` build writes to a slot whose value only went to the
/// accumulator.
const DEAD_SLOT: u64 = 0xdead_5107_dead_5107;

/// A pointer to an instruction record.
pub(crate) type Ip = *const Op;

/// The executor's hot state, kept in registers while code runs.
pub(crate) struct State {
    pub ip: Ip,
    /// Slot 0 of the running function's frame.
    pub sp: *mut u64,
    /// The running instance's default memory.
    pub mem: *mut u8,
    pub mem_len: usize,
    pub ctx: *mut Ctx,
    /// The accumulator: what the last instruction with an `out` field
    /// wrote (see `ir::field_type`).
    pub acc: u64,
    /// Whether the running instruction reads its `inp` operand from `acc`
    /// (a constant in each tail-call handler).
    pub acc_in: bool,
    /// Whether the running instruction writes its `out` slot as well as
    /// `acc`: not when the next instruction reads the value from `acc` and
    /// nothing else reads it (see `ir::Form`).
    pub keep_out: bool,
}

impl State {
    /// Runs `op`, an instruction's slow path, in a function of its own.
    ///
    /// A handler ends in a tail call only while its state's address has not
    /// reached a function LLVM cannot see into (another codegen unit's):
    /// that function might keep the address, so the next handler is called,
    /// not jumped to, and the native stack grows by a frame each time the
    /// instruction runs. Here the state goes over in registers and comes
    /// back by value, so the handler's own copy never leaves it. `op`
    /// captures nothing (it reads its operands from the record), so no
    /// address of the handler's goes with it either.
    /// `tests/tail_dispatch.rs` runs every slow path many times over.
    #[inline(always)]
    pub fn out_of_line<F: FnOnce(&mut State) -> Flow>(&mut self, op: F) -> Flow {
        const { assert!(size_of::<F>() == 0, "a slow path captures nothing") };
        // The accumulator does not go over: a slow path is never the
        // instruction right before one that reads it.
        #[inline(never)]
        fn run<F: FnOnce(&mut State) -> Flow>(
            ip: Ip,
            sp: *mut u64,
            mem: *mut u8,
            mem_len: usize,
            ctx: *mut Ctx,
            op: F,
        ) -> (State, Flow) {
            let mut state = State {
                ip,
                sp,
                mem,
                mem_len,
                ctx,
                acc: 0,
                acc_in: false,
                keep_out: true,
            };
            let flow = op(&mut state);
            (state, flow)
        }
        let (state, flow) = run(self.ip, self.sp, self.mem, self.mem_len, self.ctx, op);
        *self = state;
        flow
    }

    /// The current instruction record.
    #[inline(always)]
    pub fn op(&self) -> Op {
        self.ext(0)
    }

    /// The record `k` records after the current one (a `Data` record of
    /// the current instruction).
    #[inline(always)]
    pub fn ext(&self, k: usize) -> Op {
        let at = self.ip.wrapping_add(k);
        if CHECKED {
            self.ctx().check_code(at);
        }
        // SAFETY: `ip` is a dispatched instruction, and an instruction's
        // `Data` records follow it in the same code (code invariant).
        unsafe { *at }
    }

    #[inline(always)]
    fn slot(&self, slot: u16) -> *mut u64 {
        let at = self.sp.wrapping_add(usize::from(slot));
        if CHECKED {
            self.ctx().check_slot(at);
        }
        at
    }

    /// Panics unless the slots below `end` are inside a frame of `frame`
    /// slots that fits the stack.
    fn check_in_frame(&self, end: usize, frame: u16) {
        assert!(end <= usize::from(frame), "a chunk write past the frame");
        self.ctx().check_slot(self.sp.wrapping_add(end - 1));
    }

    /// Zeroes the `ZERO_CHUNK` slots from `from` on in one write.
    #[inline(always)]
    pub fn zero_chunk(&mut self, from: u16, frame: u16) {
        let at = self.slot(from);
        if CHECKED {
            self.check_in_frame(usize::from(from) + usize::from(ZERO_CHUNK), frame);
        }
        // SAFETY: `from` is a local of the running frame, and a frame has
        // at least `ZERO_CHUNK` slots above its last local (slot invariant).
        unsafe {
            at.cast::<[u64; ZERO_CHUNK as usize]>()
                .write([0; ZERO_CHUNK as usize])
        }
    }

    /// Copies the `consts` constants in the `Data` records after the
    /// running `Enter` to the slots from `locals` on, `CONST_CHUNK` at a
    /// time.
    #[inline(always)]
    pub fn load_consts(&mut self, locals: u16, consts: u16, frame: u16) {
        let chunk = usize::from(CONST_CHUNK);
        let mut from = self.ip.wrapping_add(1);
        let mut to = self.slot(locals);
        let end = to.wrapping_add(usize::from(consts));
        if CHECKED && consts > 0 {
            let last = usize::from(consts).next_multiple_of(chunk);
            self.check_in_frame(usize::from(locals) + last, frame);
        }
        while to < end {
            if CHECKED {
                self.ctx().check_code(from.wrapping_add(chunk - 1));
            }
            for k in 0..chunk {
                // SAFETY: the code ends in `CONST_CHUNK - 1` padding
                // records, so a chunk started at a constant's record is
                // inside it (code invariant), and a frame has room for its
                // constants rounded up to whole chunks (slot invariant).
                unsafe { *to.add(k) = (*from.add(k)).bits() }
            }
            from = from.wrapping_add(chunk);
            to = to.wrapping_add(chunk);
        }
    }

    #[inline(always)]
    pub fn get<T: SlotValue>(&self, slot: u16) -> T {
        // SAFETY: slots are inside the running frame (slot invariant).
        T::from_slot(unsafe { *self.slot(slot) })
    }

    #[inline(always)]
    pub fn set<T: SlotValue>(&mut self, slot: u16, value: T) {
        // SAFETY: as for `get`.
        unsafe { *self.slot(slot) = value.to_slot() }
    }

    /// An instruction's `inp` operand: from the accumulator or its slot.
    #[inline(always)]
    pub fn input<T: SlotValue>(&self, slot: u16) -> T {
        if self.acc_in {
            T::from_slot(self.acc)
        } else {
            self.get(slot)
        }
    }

    /// Writes an instruction's result to the accumulator and, unless the
    /// slot's value is dead, to its `out` slot.
    #[inline(always)]
    pub fn output<T: SlotValue>(&mut self, slot: u16, value: T) {
        let bits = value.to_slot();
        self.acc = bits;
        if self.keep_out {
            // SAFETY: as for `get`.
            unsafe { *self.slot(slot) = bits }
        } else if CHECKED {
            // A read of a value the translator called dead gets garbage,
            // which the tests' results show.
            // SAFETY: as for `get`.
            unsafe { *self.slot(slot) = DEAD_SLOT }
        }
    }

    /// Lets the accumulator hold `value` in an instruction without an `out`
    /// field, after which nothing reads it (the next instruction reads it
    /// only if this one wrote it). The handler may then keep `value` in the
    /// accumulator's register instead of needing one more, which a handler
    /// that has used up the free ones would save and restore.
    #[inline(always)]
    pub fn clobber_acc<T: SlotValue>(&mut self, value: T) {
        self.acc = value.to_slot();
    }

    /// Moves `len` slots from `src` to `dst` (which may overlap).
    #[inline(always)]
    pub fn move_slots(&mut self, src: u16, dst: u16, len: u16) {
        if len == 0 || src == dst {
            return;
        }
        let (from, to) = (self.slot(src), self.slot(dst));
        if CHECKED {
            self.slot(src + (len - 1));
            self.slot(dst + (len - 1));
        }
        // SAFETY: both ranges are inside the running frame (slot
        // invariant: translation only names runs of slots it allocated).
        unsafe { std::ptr::copy(from, to, usize::from(len)) }
    }

    /// Where an access of `N` bytes at the effective address starts, if it
    /// is in bounds.
    ///
    /// The check compares the start with `mem_len - N` (in `i64`: a memory
    /// shorter than `N` makes that negative) rather than the end with
    /// `mem_len`: the start is what the access needs, so the offset is
    /// added once (LLVM computes the end and the start separately, since
    /// it does not form three-operand `lea`s), and `mem_len - N` takes one
    /// `lea`.
    #[inline(always)]
    fn access<const N: usize>(&self, addr: u32, offset: u32) -> Option<*mut u8> {
        let at = u64::from(addr) + u64::from(offset);
        // Both sides fit: `at < 2^33` and `mem_len <= 2^32` (no 32-bit
        // memory is larger). A byte is in bounds if `at < mem_len`, one
        // comparison with no `lea`.
        let outside = if N == 1 {
            at >= self.mem_len as u64
        } else {
            at as i64 > self.mem_len as i64 - N as i64
        };
        if outside {
            return None;
        }
        if CHECKED {
            self.ctx().check_memory(self.mem, self.mem_len);
        }
        // SAFETY: `at + N <= mem_len`, the length of the memory at `mem`
        // (memory invariant).
        Some(unsafe { self.mem.add(at as usize) })
    }

    #[inline(always)]
    pub fn load<const N: usize>(&self, addr: u32, offset: u32) -> Option<[u8; N]> {
        let at = self.access::<N>(addr, offset)?;
        // SAFETY: the `N` bytes at `at` are inside the memory (`access`).
        Some(unsafe { std::ptr::read_unaligned(at.cast::<[u8; N]>()) })
    }

    /// A store instruction's effect: the bytes written, or its trap.
    #[inline(always)]
    pub fn store<const N: usize>(&mut self, addr: u32, offset: u32, bytes: [u8; N]) -> Flow {
        let Some(at) = self.access::<N>(addr, offset) else {
            return Flow::Trap(TrapCode::MemoryOutOfBounds);
        };
        // SAFETY: as for `load`.
        unsafe { std::ptr::write_unaligned(at.cast::<[u8; N]>(), bytes) };
        Flow::Next
    }

    /// The running memory as a slice (for bulk operations).
    pub fn memory(&mut self) -> &mut [u8] {
        if CHECKED {
            self.ctx().check_memory(self.mem, self.mem_len);
        }
        if self.mem_len == 0 {
            return &mut [];
        }
        // SAFETY: `mem` and `mem_len` describe the running memory (memory
        // invariant), which nothing else references while code runs.
        unsafe { std::slice::from_raw_parts_mut(self.mem, self.mem_len) }
    }

    /// The invocation's context (not borrowed from `self`: the state and
    /// the context are separate objects).
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn ctx<'a>(&self) -> &'a mut Ctx {
        // SAFETY: `ctx` points to the context of the running invocation,
        // which outlives it; the executor holds no other reference to it
        // while an instruction runs.
        unsafe { &mut *self.ctx }
    }

    /// Leaves `Flow::Continue` after the caller moved `ip` itself.
    #[inline(always)]
    pub fn goto(&mut self, ip: Ip) -> Flow {
        self.ip = ip;
        Flow::Continue
    }
}

/// A view of a vector owned by the store, valid while execution runs.
pub(crate) struct RawSlice<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> Clone for RawSlice<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for RawSlice<T> {}

impl<T> Default for RawSlice<T> {
    fn default() -> Self {
        RawSlice {
            ptr: std::ptr::NonNull::dangling().as_ptr(),
            len: 0,
        }
    }
}

impl<T> RawSlice<T> {
    pub fn new(slice: &mut [T]) -> RawSlice<T> {
        RawSlice {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// A view of shared data the executor only reads (code).
    pub fn from_shared(slice: &[T]) -> RawSlice<T> {
        RawSlice {
            ptr: slice.as_ptr().cast_mut(),
            len: slice.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn ptr(&self) -> *mut T {
        self.ptr
    }

    /// The element `index`; a view, so it hands out the store's element
    /// mutably without borrowing the view.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self, index: usize) -> &mut T {
        if CHECKED {
            assert!(index < self.len, "store index {index} out of bounds");
        }
        // SAFETY: the slice was taken from the store when execution started
        // or resumed, and the store's vectors do not change while code runs
        // (store invariant); indices come from validated modules and from
        // instantiation, which bound them by these lengths.
        unsafe { &mut *self.ptr.add(index) }
    }
}

/// Pushes the frame a call returns to (`ip`, `sp` and the running
/// instance) if `ctx.frames` has room for it without allocating; false if
/// not (growing is a slow path: see `Flow::Grow`).
///
/// Each field is stored as soon as it is computed. The frame's memory may,
/// for all LLVM knows, be the context's, so nothing read from the context
/// after a store can be read before it: computing the whole frame first
/// would keep every field in a register at once, and a call handler would
/// save and restore registers for them.
#[inline(always)]
pub(crate) fn push_frame(ctx: &mut Ctx, ip: Ip, sp: *mut u64) -> bool {
    let len = ctx.frames.len();
    if len == ctx.frames.capacity() {
        return false;
    }
    // SAFETY: `len < capacity`, so the element at `len` is inside the
    // vector's allocation; all three fields are written before `set_len`
    // makes it part of the vector.
    unsafe {
        let frame = ctx.frames.as_mut_ptr().add(len);
        (&raw mut (*frame).ip).write(ctx.code_offset(ip));
        (&raw mut (*frame).sp).write(ctx.stack_index(sp) as u32);
        (&raw mut (*frame).instance).write(ctx.instance);
        ctx.frames.set_len(len + 1);
    }
    true
}

/// Borrows the store that `ctx` executes in.
pub(crate) fn store_of<'a>(
    store: *mut crate::store::StoreInner,
) -> &'a mut crate::store::StoreInner {
    // SAFETY: the pointer is the `&mut StoreInner` the invocation was given,
    // which outlives execution; execution holds no other reference to the
    // store itself while an instruction uses this one, and refreshes its
    // `RawSlice`s afterwards where the instruction may change them.
    unsafe { &mut *store }
}

/// A zeroed buffer of `len` bytes whose pages the operating system maps
/// only when touched, or `None` if the allocation fails.
pub(crate) fn zeroed_bytes(len: usize) -> Option<Box<[u8]>> {
    if len == 0 {
        return Some(Box::new([]));
    }
    let layout = std::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is a fresh allocation of `len` zeroed bytes with the
    // layout `Box<[u8]>` uses, so the box owns and frees it correctly.
    Some(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) })
}
