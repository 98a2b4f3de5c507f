//! Execution: invoking a function, running its code, calling the host.
//!
//! One invocation runs in one call of the dispatch (`handlers.rs`) until
//! the function returns, traps, or calls a host function; a host call
//! leaves the dispatch, runs, and execution resumes where it stopped.
//! Wasm-to-wasm calls stay inside the dispatch: frames are records on one
//! preallocated stack, and the values of all frames live in the store's
//! value stack, each frame starting where its caller put the arguments.
//! Guest recursion therefore never recurses on the host stack; it is
//! bounded by [`crate::Config::max_call_depth`] and the value stack's size.

mod handlers;
mod ops;
pub(crate) mod unchecked;

use crate::backtrace::{FrameInfo, MAX_FRAMES};
use crate::func::{Caller, Func};
use crate::instance::Instance;
use crate::ir::{Form, Op, Opcode};
use crate::store::{FuncData, FuncKind, GlobalData, Store, StoreInner, TableData};
use crate::trap::{Trap, TrapCode};
use crate::types::{ExnRef, Val};
pub(crate) use handlers::{Code, code_for, opcode_of};
use unchecked::{Ip, RawSlice, State};

/// What a handler tells the dispatch to do next.
pub(crate) enum Flow {
    /// The next record.
    Next,
    /// `n` records on (past the instruction's `Data` records).
    Skip(usize),
    /// `offset` records from this one.
    Jump(i32),
    /// Wherever the handler set `ip`.
    Continue,
    /// Through the `br_table` entry `n` records on: to its target, whose
    /// handler the entry holds (`Op::branch_table_entries`).
    Table(usize),
    Trap(TrapCode),
    /// The invocation's outermost function returned.
    Halt,
    /// A host function must be called (see `Ctx::host`).
    Host,
    /// The frame records or the value stack are full: they grow (the
    /// value stack to `Ctx::grow_slots` past `sp`) outside the dispatch,
    /// and the instruction runs again. Growing allocates, and a call of
    /// the allocator in the call handlers made them save registers on
    /// every call, so they leave the dispatch for it instead.
    Grow,
    /// A return to another instance or out of the invocation (the last
    /// frame record says which): outside the dispatch, because the call
    /// that loads the instance made every return save registers.
    Return,
}

/// Why the dispatch returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Halt,
    Trap,
    Host,
    Grow,
    Return,
}

/// Where a call returns to: offsets, so the store keeps no pointers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// The caller's next record, in its module's code.
    ip: u32,
    /// The caller's frame, as an index into the value stack.
    sp: u32,
    /// The caller's instance; `HALT` for the frame ending an invocation.
    instance: u32,
}

const HALT: u32 = u32::MAX;

/// Instructions the executor jumps to that are in no module.
static HALT_OP: [Op; 1] = [Op {
    code: code_for(Opcode::Halt, false, Form::PLAIN),
    p: 0,
    q: 0,
    r: 0,
}];
static RETURN_OP: [Op; 1] = [Op {
    code: code_for(Opcode::Return, false, Form::PLAIN),
    p: 0,
    q: 0,
    r: 0,
}];
/// Where execution resumes when a host function let an exception through:
/// it continues unwinding from the host function's caller (`Ctx::rethrow`).
static RETHROW_OP: [Op; 1] = [Op {
    code: code_for(Opcode::Rethrow, false, Form::PLAIN),
    p: 0,
    q: 0,
    r: 0,
}];

/// A host function a guest called.
#[derive(Clone, Copy)]
pub(crate) struct HostCall {
    /// The function, in the store.
    func: u32,
    /// Where its arguments are and its results go (a value-stack index).
    base: usize,
    /// A tail call: return the results from the caller afterwards.
    tail: bool,
}

/// Everything a running invocation needs besides its hot state.
pub(crate) struct Ctx {
    store: *mut StoreInner,
    /// The running instance and its parts.
    instance: u32,
    code: RawSlice<Op>,
    funcs: RawSlice<u32>,
    globals: RawSlice<u32>,
    tables: RawSlice<u32>,
    types: RawSlice<u32>,
    memory: Option<u32>,
    /// The running memory, for reloading after calls.
    mem: *mut u8,
    mem_len: usize,
    store_funcs: RawSlice<FuncData>,
    store_globals: RawSlice<GlobalData>,
    store_tables: RawSlice<TableData>,
    frames: Vec<Frame>,
    max_depth: usize,
    stack: RawSlice<u64>,
    /// One past the value stack's last slot: `frame_fits` compares a
    /// frame's end with it (a function entry's check).
    stack_end: *mut u64,
    fuel: u64,
    /// Where execution stopped (for traps and host calls).
    ip: Ip,
    sp: *mut u64,
    trap: TrapCode,
    host: HostCall,
    /// The frame size `Flow::Grow` needs room for at `sp` (0: only more
    /// frame records).
    grow_slots: u16,
    /// The exception a landing pad receives (an index in the store's
    /// exceptions), set by the unwinder.
    caught: u32,
    /// The exception leaving the invocation, with `TrapCode::UncaughtException`.
    thrown: u32,
    /// For `RETHROW_OP`: the exception and the record of the running code it
    /// is thrown at (`None`: the running function was replaced by a tail
    /// call to the host, so unwinding starts at its caller).
    rethrow: (u32, Option<u32>),
}

impl Ctx {
    fn new(store: &mut StoreInner, frames: Vec<Frame>) -> Ctx {
        let max_depth = store.engine.config.max_call_depth as usize;
        let mut ctx = Ctx {
            store,
            instance: HALT,
            code: RawSlice::default(),
            funcs: RawSlice::default(),
            globals: RawSlice::default(),
            tables: RawSlice::default(),
            types: RawSlice::default(),
            memory: None,
            mem: std::ptr::NonNull::dangling().as_ptr(),
            mem_len: 0,
            store_funcs: RawSlice::default(),
            store_globals: RawSlice::default(),
            store_tables: RawSlice::default(),
            frames,
            max_depth,
            stack: RawSlice::default(),
            stack_end: std::ptr::null_mut(),
            fuel: 0,
            ip: HALT_OP.as_ptr(),
            sp: std::ptr::null_mut(),
            trap: TrapCode::Unreachable,
            host: HostCall {
                func: 0,
                base: 0,
                tail: false,
            },
            grow_slots: 0,
            caught: 0,
            thrown: 0,
            rethrow: (0, None),
        };
        ctx.attach(store);
        ctx
    }

    /// Takes the store's vectors again (at the start and after the host
    /// ran, which may have changed any of them).
    fn attach(&mut self, store: &mut StoreInner) {
        self.store = store;
        self.store_funcs = RawSlice::new(&mut store.funcs);
        self.store_globals = RawSlice::new(&mut store.globals);
        self.store_tables = RawSlice::new(&mut store.tables);
        (self.stack, self.stack_end) = raw_stack(&mut store.stack);
        self.fuel = store.fuel;
        if self.instance != HALT {
            self.load_instance(self.instance);
        }
    }

    /// Whether the running code meters fuel (the loop dispatch asks; tail
    /// calls know from the handlers the records hold).
    #[cfg(not(compono_tail_dispatch))]
    fn metered(&mut self) -> bool {
        self.store().engine.config.consume_fuel
    }

    fn store(&mut self) -> &mut StoreInner {
        unchecked::store_of(self.store)
    }

    /// Returns to the instance of the last frame record: where its code
    /// goes on and its frame, or `None` if that ends the invocation.
    fn return_to_instance(&mut self) -> Option<(Ip, *mut u64)> {
        let frame = self.frames.pop().expect("an invocation's frame ends it");
        if frame.instance == HALT {
            return None;
        }
        self.load_instance(frame.instance);
        Some((self.code_at(frame.ip), self.stack_at(frame.sp)))
    }

    /// Makes `instance` the running one.
    fn load_instance(&mut self, instance: u32) {
        let store = unchecked::store_of(self.store);
        let data = &mut store.instances[instance as usize];
        self.instance = instance;
        self.code = RawSlice::from_shared(&data.module.code);
        self.funcs = RawSlice::new(&mut data.funcs);
        self.globals = RawSlice::new(&mut data.globals);
        self.tables = RawSlice::new(&mut data.tables);
        self.types = RawSlice::new(&mut data.types);
        self.memory = data.memories.first().copied();
        self.load_memory();
    }

    /// Reloads the running memory's address and size.
    fn load_memory(&mut self) {
        match self.memory {
            Some(m) => {
                let memory = &mut unchecked::store_of(self.store).memories[m as usize];
                self.mem = memory.data.as_mut_ptr();
                self.mem_len = memory.len;
            }
            None => {
                self.mem = std::ptr::NonNull::dangling().as_ptr();
                self.mem_len = 0;
            }
        }
    }

    /// The record at `offset` in the running code.
    fn code_at(&self, offset: u32) -> Ip {
        self.code.ptr().wrapping_add(offset as usize)
    }

    fn code_offset(&self, ip: Ip) -> u32 {
        // Wrapping: for a static record this is out of range, not a panic.
        ((ip as usize).wrapping_sub(self.code.ptr() as usize) / std::mem::size_of::<Op>()) as u32
    }

    /// The wasm functions of this invocation, from where execution
    /// stopped out to its first function (`frames[depth]` is the record
    /// ending the invocation, pushed by `execute`).
    fn backtrace(&self, depth: usize) -> Vec<FrameInfo> {
        let store = unchecked::store_of(self.store);
        let frame_at = |instance: u32, offset: u32| {
            let module = &store.instances.get(instance as usize)?.module;
            FrameInfo::at(module, offset)
        };
        let stopped = self.code_offset(self.ip);
        let innermost = (stopped < self.code.len() as u32)
            .then(|| frame_at(self.instance, stopped))
            .flatten();
        // A return record holds the caller's next record: one back is
        // still inside the call instruction.
        let callers = self.frames.get(depth + 1..).unwrap_or_default();
        let callers = callers
            .iter()
            .rev()
            .take_while(|f| f.instance != HALT)
            .filter_map(|f| frame_at(f.instance, f.ip.wrapping_sub(1)));
        innermost
            .into_iter()
            .chain(callers)
            .take(MAX_FRAMES)
            .collect()
    }

    /// The landing pad in the running code that catches exception `exn`
    /// thrown at record `offset`.
    fn handler(&self, offset: u32, exn: u32) -> Option<u32> {
        let store = unchecked::store_of(self.store);
        let instance = store.instances.get(self.instance as usize)?;
        let tag = store.exns.get(exn as usize)?.tag;
        instance.module.handlers.find(offset, |catches| {
            catches.is_none_or(|t| instance.tags[t as usize] == tag)
        })
    }

    fn stack_at(&self, index: u32) -> *mut u64 {
        self.stack.ptr().wrapping_add(index as usize)
    }

    fn stack_index(&self, sp: *mut u64) -> usize {
        (sp as usize - self.stack.ptr() as usize) / 8
    }

    /// Whether a frame of `slots` slots at `sp` fits the value stack.
    fn frame_fits(&self, sp: *mut u64, slots: u16) -> bool {
        sp.wrapping_add(usize::from(slots)) <= self.stack_end
    }

    /// Makes the room `Flow::Grow` asked for: a free frame record, and
    /// `grow_slots` slots at `sp`; returns where the frame at `sp` now
    /// is, or `None` if the stack may not grow that far.
    #[cold]
    fn make_room(&mut self) -> Option<*mut u64> {
        self.frames.reserve(1);
        self.grow_stack(self.sp, self.grow_slots)
    }

    /// Grows the value stack so a frame of `slots` slots at `sp` fits;
    /// returns where that frame now is, or `None` if the stack may not grow
    /// that far.
    #[cold]
    fn grow_stack(&mut self, sp: *mut u64, slots: u16) -> Option<*mut u64> {
        let index = self.stack_index(sp);
        let store = self.store();
        grow_stack(store, index + usize::from(slots))?;
        (self.stack, self.stack_end) = raw_stack(&mut store.stack);
        Some(self.stack_at(index as u32))
    }

    fn check_code(&self, ip: Ip) {
        let in_code = (ip as usize)
            .checked_sub(self.code.ptr() as usize)
            .is_some_and(|d| d / std::mem::size_of::<Op>() < self.code.len());
        let is_static = std::ptr::eq(ip, HALT_OP.as_ptr())
            || std::ptr::eq(ip, RETURN_OP.as_ptr())
            || std::ptr::eq(ip, RETHROW_OP.as_ptr());
        assert!(in_code || is_static, "instruction pointer outside the code");
    }

    fn check_slot(&self, at: *mut u64) {
        assert!(
            (at as usize)
                .checked_sub(self.stack.ptr() as usize)
                .is_some_and(|d| d / 8 < self.stack.len()),
            "slot outside the value stack"
        );
    }

    fn check_memory(&self, mem: *mut u8, len: usize) {
        let store = unchecked::store_of(self.store);
        match self.memory {
            Some(m) => {
                let memory = &store.memories[m as usize];
                assert!(
                    std::ptr::eq(memory.data.as_ptr(), mem) && memory.len == len,
                    "stale memory"
                );
            }
            None => assert_eq!(len, 0, "memory without a memory"),
        }
    }
}

/// Calls `func` with argument slots, returning result slots.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, args: &[u64]) -> Result<Vec<u64>, Trap> {
    let inner = &mut store.inner;
    let config = &inner.engine.config;
    if inner.frames.len() >= config.max_call_depth as usize
        || inner.active_invocations > config.max_reentry
    {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    let (instance, entry, results) = match inner.funcs[func.index()].kind {
        FuncKind::Host(_) => return call_host(store, func.index() as u32, None, args),
        FuncKind::Wasm {
            instance,
            entry,
            num_results,
            ..
        } => (instance, entry, usize::from(num_results)),
    };
    let base = inner.stack_in_use;
    if grow_stack(inner, base + args.len().max(results)).is_none() {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    inner.stack[base..base + args.len()].copy_from_slice(args);
    inner.active_invocations += 1;
    let result = execute(store, instance, entry, base);
    let inner = &mut store.inner;
    inner.active_invocations -= 1;
    result?;
    Ok(inner.stack[base..base + results].to_vec())
}

/// The value stack as the executor holds it: its slots, and its end.
fn raw_stack(stack: &mut [u64]) -> (RawSlice<u64>, *mut u64) {
    let raw = RawSlice::new(stack);
    let end = raw.ptr().wrapping_add(raw.len());
    (raw, end)
}

/// Makes the value stack at least `needed` slots long, doubling it (it
/// starts small: most programs never need the configured maximum); `None`
/// if that exceeds [`crate::Config::max_stack_slots`].
fn grow_stack(store: &mut StoreInner, needed: usize) -> Option<()> {
    const INITIAL_SLOTS: usize = 1 << 13;
    let len = store.stack.len();
    if needed <= len {
        return Some(());
    }
    let max = store.engine.config.max_stack_slots;
    if needed > max {
        return None;
    }
    let new_len = needed.max(len * 2).max(INITIAL_SLOTS).min(max);
    let mut stack = std::mem::take(&mut store.stack).into_vec();
    stack.resize(new_len, 0);
    store.stack = stack.into_boxed_slice();
    Some(())
}

/// Runs the function at `entry` of `instance` whose arguments are at
/// `base` in the value stack, until it returns.
fn execute<T>(store: &mut Store<T>, instance: u32, entry: u32, base: usize) -> Result<(), Trap> {
    let mut frames = std::mem::take(&mut store.inner.frames);
    let depth = frames.len();
    frames.push(Frame {
        ip: 0,
        sp: 0,
        instance: HALT,
    });
    let mut ctx = Ctx::new(&mut store.inner, frames);
    ctx.load_instance(instance);
    let mut ip = ctx.code_at(entry);
    let mut sp = ctx.stack_at(base as u32);
    let outcome = loop {
        let state = State {
            ip,
            sp,
            mem: ctx.mem,
            mem_len: ctx.mem_len,
            ctx: &mut ctx,
            acc: 0,
            acc_in: false,
            keep_out: true,
        };
        let mut exit = handlers::run(state);
        if exit == Exit::Return {
            match ctx.return_to_instance() {
                Some(resume) => {
                    (ip, sp) = resume;
                    continue;
                }
                None => exit = Exit::Halt,
            }
        }
        if exit == Exit::Grow {
            match ctx.make_room() {
                Some(moved) => {
                    (ip, sp) = (ctx.ip, moved);
                    continue;
                }
                None => {
                    ctx.trap = TrapCode::CallStackExhausted;
                    exit = Exit::Trap;
                }
            }
        }
        match exit {
            Exit::Halt => break Ok(()),
            Exit::Grow | Exit::Return => unreachable!("handled above"),
            Exit::Trap => {
                let mut trap = if ctx.trap == TrapCode::UncaughtException {
                    Trap::exception(ExnRef {
                        store: store.inner.id,
                        index: ctx.thrown,
                    })
                } else {
                    Trap::new(ctx.trap)
                };
                trap.push_frames(ctx.backtrace(depth));
                break Err(trap);
            }
            Exit::Host => {
                let call = ctx.host;
                let resume = ctx.ip;
                let caller_sp = ctx.stack_index(ctx.sp);
                store.inner.frames = std::mem::take(&mut ctx.frames);
                store.inner.fuel = ctx.fuel;
                let in_use = std::mem::replace(&mut store.inner.stack_in_use, call.base);
                let params = store.inner.func_type(call.func).params().len();
                let args = store.inner.stack[call.base..call.base + params].to_vec();
                let result = call_host(store, call.func, Some(ctx.instance), &args);
                store.inner.stack_in_use = in_use;
                ctx.frames = std::mem::take(&mut store.inner.frames);
                let results = match result {
                    Ok(results) => results,
                    Err(trap) if trap.thrown().is_some_and(|e| e.store == store.inner.id) => {
                        // The exception goes on to the host function's caller.
                        let exn = trap.thrown().map_or(0, |e| e.index);
                        ctx.attach(&mut store.inner);
                        let at = (!call.tail).then(|| ctx.code_offset(resume) - 1);
                        ctx.rethrow = (exn, at);
                        ip = RETHROW_OP.as_ptr();
                        sp = ctx.stack_at(caller_sp as u32);
                        continue;
                    }
                    Err(mut trap) => {
                        ctx.attach(&mut store.inner);
                        // The caller's position is the record after its call;
                        // a tail call replaced the caller, as in wasmtime's
                        // backtraces.
                        ctx.ip = ctx.ip.wrapping_sub(1);
                        let frames = ctx.backtrace(depth);
                        trap.push_frames(frames.into_iter().skip(usize::from(call.tail)));
                        break Err(trap);
                    }
                };
                let stack = &mut store.inner.stack;
                if call.base + results.len() > stack.len() {
                    ctx.attach(&mut store.inner);
                    break Err(Trap::new(TrapCode::CallStackExhausted));
                }
                stack[call.base..call.base + results.len()].copy_from_slice(&results);
                if call.tail {
                    // The host function replaced the caller: return from it.
                    stack.copy_within(call.base..call.base + results.len(), caller_sp);
                    ip = RETURN_OP.as_ptr();
                } else {
                    ip = resume;
                }
                ctx.attach(&mut store.inner);
                sp = ctx.stack_at(caller_sp as u32);
            }
        }
    };
    let mut frames = std::mem::take(&mut ctx.frames);
    store.inner.fuel = ctx.fuel;
    frames.truncate(depth);
    store.inner.frames = frames;
    outcome
}

fn call_host<T>(
    store: &mut Store<T>,
    func: u32,
    caller: Option<u32>,
    args: &[u64],
) -> Result<Vec<u64>, Trap> {
    let ty = store.inner.func_type(func).clone();
    let FuncKind::Host(host) = store.inner.funcs[func as usize].kind else {
        unreachable!("a host function");
    };
    let id = store.inner.id;
    let params: Vec<Val> = ty
        .params()
        .iter()
        .zip(args)
        .map(|(t, s)| store.inner.val_for_host(*t, *s))
        .collect();
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let f = store.host_funcs[host as usize].clone();
    store.inner.frames.push(Frame {
        ip: 0,
        sp: 0,
        instance: HALT,
    });
    let outcome = f(
        Caller {
            store,
            instance: caller.map(|i| Instance::from_index(id, i)),
        },
        &params,
        &mut results,
    );
    store.inner.frames.pop();
    outcome?;
    let mut out = Vec::with_capacity(results.len());
    for (v, t) in results.iter().zip(ty.results()) {
        if v.ty() != *t {
            return Err(Trap::host(format!(
                "host function returned a {} where {t} was expected",
                v.ty()
            )));
        }
        out.push(
            v.to_slot_in(id)
                .map_err(|_| Trap::host("host function returned a reference from another store"))?,
        );
    }
    Ok(out)
}
