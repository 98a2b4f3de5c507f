//! The dispatch loop.
//!
//! All wasm frames of one invocation live in a `Vec<Frame>`; a wasm-to-wasm
//! call pushes a frame and continues the same loop, so guest recursion is
//! bounded by [`crate::Config::max_call_depth`] rather than the host stack.
//! Values are untyped `u64` slots; a function's locals start at its frame
//! base and its operands follow them.

mod numeric;

use crate::func::{Caller, Func};
use crate::instance::{Instance, InstanceData};
use crate::ir::Instr;
use crate::memory::{PAGE_SIZE, grow_memory};
use crate::store::{FuncData, FuncKind, MemoryData, Store, StoreInner, TableData};
use crate::table::grow_table;
use crate::trap::{Trap, TrapCode};
use crate::types::Val;
use numeric::*;
use std::sync::Arc;

/// Called on the fall-through side of every conditional branch in the
/// dispatch loop. Without it LLVM turns `if cond { pc = target }` into a
/// conditional move, so the next instruction fetch waits for the condition
/// (often a load) instead of being predicted, and loops run at the latency
/// of their dependency chain (sort ran ~1.3x slower). Being `#[cold]` and
/// empty, it is inlined to nothing but keeps the branch a branch.
#[cold]
fn cold_path() {}

struct Frame {
    func: u32,
    pc: usize,
    base: usize,
    instance: u32,
}

/// Calls `func` with argument slots, returning result slots.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, args: &[u64]) -> Result<Vec<u64>, Trap> {
    let depth_at_entry = store.inner.call_depth;
    let config = &store.inner.engine.config;
    if depth_at_entry >= config.max_call_depth
        || store.inner.active_invocations > config.max_reentry
    {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    store.inner.active_invocations += 1;
    // One value stack per store, allocated whole on first use (zeroed pages
    // are mapped lazily) so the dispatch loop works on a fixed slice. A call
    // made from inside a host function continues above its caller's slots.
    let mut stack = std::mem::take(&mut store.inner.stack);
    let slots = store.inner.engine.config.max_stack_slots;
    if stack.len() != slots {
        stack = vec![0; slots];
        store.inner.stack_in_use = 0;
    }
    let start = store.inner.stack_in_use;
    let result = execute(store, &mut stack, start, func.0, args);
    store.inner.call_depth = depth_at_entry;
    store.inner.active_invocations -= 1;
    store.inner.stack = stack;
    store.inner.stack_in_use = start;
    result
}

fn call_host<T>(
    store: &mut Store<T>,
    func: u32,
    host: u32,
    caller: Option<u32>,
    args: &[u64],
) -> Result<Vec<u64>, Trap> {
    let ty = store.inner.func_type(func).clone();
    let params: Vec<Val> = ty
        .params()
        .iter()
        .zip(args)
        .map(|(t, s)| Val::from_slot(*t, *s))
        .collect();
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let f = store.host_funcs[host as usize].clone();
    f(
        Caller {
            store,
            instance: caller.map(Instance),
        },
        &params,
        &mut results,
    )?;
    let mut out = Vec::with_capacity(results.len());
    for (v, t) in results.iter().zip(ty.results()) {
        if v.ty() != *t {
            return Err(Trap::host(format!(
                "host function returned a {} where {t} was expected",
                v.ty()
            )));
        }
        out.push(v.to_slot());
    }
    Ok(out)
}

/// Moves `count` slots from `from` down to `to`. Calls and branches move
/// few slots, for which a plain loop beats a call to `memmove`.
#[inline(always)]
fn move_slots(stack: &mut [u64], from: usize, to: usize, count: usize) {
    if count == 1 {
        stack[to] = stack[from];
    } else if count != 0 && from != to {
        stack.copy_within(from..from + count, to);
    }
}

/// Zeroes a function's declared locals; usually only a few.
#[inline(always)]
fn zero_slots(slots: &mut [u64]) {
    if slots.len() <= 4 {
        for slot in slots {
            *slot = 0;
        }
    } else {
        slots.fill(0);
    }
}

/// Traps unless `stack` has at least `needed` slots.
fn reserve_stack(stack: &[u64], needed: usize) -> Result<(), Trap> {
    if needed > stack.len() {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    Ok(())
}

/// The memory an instance's code accesses (Wasm 2.0 has at most one).
fn memory_of<'a>(
    memories: &'a mut [MemoryData],
    instances: &[InstanceData],
    instance: u32,
    no_memory: &'a mut MemoryData,
) -> &'a mut MemoryData {
    match instances[instance as usize].memories.first() {
        Some(&m) => &mut memories[m as usize],
        None => no_memory,
    }
}

fn effective_address<const N: usize>(addr: u64, offset: u32) -> usize {
    // Both fit in 33 bits, so the sum cannot overflow; on 32-bit hosts the
    // saturation makes every such address out of bounds.
    usize::try_from((addr as u32 as u64) + u64::from(offset)).unwrap_or(usize::MAX - N)
}

fn load<const N: usize>(bytes: &[u8], addr: u64, offset: u32) -> Result<[u8; N], Trap> {
    let at = effective_address::<N>(addr, offset);
    match bytes.get(at..at + N) {
        Some(s) => {
            let mut out = [0; N];
            out.copy_from_slice(s);
            Ok(out)
        }
        None => Err(Trap::new(TrapCode::MemoryOutOfBounds)),
    }
}

fn store_bytes<const N: usize>(
    bytes: &mut [u8],
    addr: u64,
    offset: u32,
    value: [u8; N],
) -> Result<(), Trap> {
    let at = effective_address::<N>(addr, offset);
    match bytes.get_mut(at..at + N) {
        Some(s) => {
            s.copy_from_slice(&value);
            Ok(())
        }
        None => Err(Trap::new(TrapCode::MemoryOutOfBounds)),
    }
}

// Bulk table operations are kept out of line so the dispatch loop's
// register allocation is not shaped by their code.

#[inline(never)]
fn table_copy(
    tables: &mut [TableData],
    dst: usize,
    src: usize,
    [d, s, n]: [u64; 3],
) -> Result<(), Trap> {
    let out_of_bounds = || Trap::new(TrapCode::TableOutOfBounds);
    let src_range = range(s, n, tables[src].elems.len()).ok_or_else(out_of_bounds)?;
    let dst_range = range(d, n, tables[dst].elems.len()).ok_or_else(out_of_bounds)?;
    if src == dst {
        tables[dst].elems.copy_within(src_range, dst_range.start);
    } else {
        let items = tables[src].elems[src_range].to_vec();
        tables[dst].elems[dst_range].copy_from_slice(&items);
    }
    Ok(())
}

#[inline(never)]
fn table_init(elems: &mut [u64], segment: &[u64], [d, s, n]: [u64; 3]) -> Result<(), Trap> {
    let out_of_bounds = || Trap::new(TrapCode::TableOutOfBounds);
    let src = range(s, n, segment.len()).ok_or_else(out_of_bounds)?;
    let dst = range(d, n, elems.len()).ok_or_else(out_of_bounds)?;
    elems[dst].copy_from_slice(&segment[src]);
    Ok(())
}

/// `[start, start + len)` as a range within `size`, or `None`.
fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let start = start as u32 as usize;
    let end = start.checked_add(len as u32 as usize)?;
    (end <= size).then_some(start..end)
}

/// Where the dispatch loop stopped without finishing the invocation.
enum Exit {
    /// The outermost function returned these result slots.
    Return(Vec<u64>),
    /// A host function must be called; the loop resumes afterwards.
    HostCall { callee: u32, host: u32, tail: bool },
}

/// Execution state that survives leaving the dispatch loop for a host call.
struct Registers {
    pc: usize,
    sp: usize,
    base: usize,
    /// The running function (an index into the store's functions).
    func: u32,
    instance: u32,
    frames: Vec<Frame>,
}

fn execute<T>(
    store: &mut Store<T>,
    stack_vec: &mut Vec<u64>,
    start: usize,
    func: u32,
    args: &[u64],
) -> Result<Vec<u64>, Trap> {
    let depth_base = store.inner.call_depth as usize;
    let (instance, entry) = match &store.inner.funcs[func as usize].kind {
        FuncKind::Wasm { instance, code } => (*instance, code.clone()),
        FuncKind::Host(host) => {
            let host = *host;
            store.inner.call_depth += 1;
            store.inner.stack = std::mem::take(stack_vec);
            let results = call_host(store, func, host, None, args);
            *stack_vec = std::mem::take(&mut store.inner.stack);
            return results;
        }
    };
    let stack = &mut stack_vec[start..];
    reserve_stack(stack, entry.max_height as usize)?;
    stack[..args.len()].copy_from_slice(args);
    stack[args.len()..entry.num_locals as usize].fill(0);
    let mut regs = Registers {
        pc: 0,
        sp: entry.num_locals as usize,
        base: 0,
        func,
        instance,
        frames: Vec::new(),
    };
    loop {
        let stack = &mut stack_vec[start..];
        match run(&mut store.inner, stack, &mut regs, depth_base)? {
            Exit::Return(results) => return Ok(results),
            Exit::HostCall { callee, host, tail } => {
                let params = store.inner.func_type(callee).params().len();
                store.inner.call_depth = (depth_base + regs.frames.len() + 1) as u32;
                let sp = regs.sp;
                let args = stack[sp - params..sp].to_vec();
                // Lend the stack to the store for calls back into wasm.
                store.inner.stack = std::mem::take(stack_vec);
                store.inner.stack_in_use = start + sp;
                let results = call_host(store, callee, host, Some(regs.instance), &args);
                *stack_vec = std::mem::take(&mut store.inner.stack);
                store.inner.stack_in_use = start;
                let results = results?;
                let stack = &mut stack_vec[start..];
                store.inner.call_depth = depth_base as u32;
                let sp = sp - params;
                reserve_stack(stack, sp + results.len())?;
                stack[sp..sp + results.len()].copy_from_slice(&results);
                regs.sp = sp + results.len();
                if tail {
                    // The host call replaced the caller's frame: return from it.
                    let keep = results.len();
                    stack.copy_within(regs.sp - keep..regs.sp, regs.base);
                    regs.sp = regs.base + keep;
                    match regs.frames.pop() {
                        None => return Ok(stack[regs.base..regs.sp].to_vec()),
                        Some(frame) => {
                            regs.func = frame.func;
                            regs.pc = frame.pc;
                            regs.base = frame.base;
                            regs.instance = frame.instance;
                        }
                    }
                }
            }
        }
    }
}

/// The code of a wasm function; host functions have none (and are never
/// the running function of a frame).
fn code_of(funcs: &[FuncData], func: u32) -> &[Instr] {
    const NO_CODE: &[Instr] = &[Instr::Unreachable];
    match funcs.get(func as usize).map(|f| &f.kind) {
        Some(FuncKind::Wasm { code, .. }) => &code.code,
        _ => NO_CODE,
    }
}

/// The dispatch loop. Not generic over the host state, and it borrows the
/// function table for the whole run so the running code is a plain slice.
fn run(
    inner: &mut StoreInner,
    stack: &mut [u64],
    regs: &mut Registers,
    depth_base: usize,
) -> Result<Exit, Trap> {
    let max_depth = inner.engine.config.max_call_depth as usize;
    let limits = inner.limits;
    let StoreInner {
        funcs,
        memories,
        tables,
        globals,
        instances,
        instance_segments,
        fuel,
        ..
    } = inner;
    let funcs: &[FuncData] = funcs;
    let instances: &[InstanceData] = instances;
    let mut pc = regs.pc;
    let mut sp = regs.sp;
    let mut base = regs.base;
    let mut func = regs.func;
    let mut inst = regs.instance;
    let mut code = code_of(funcs, func);
    // Stands in for the memory of instances without one; validation keeps
    // their code from touching it.
    let mut no_memory = MemoryData {
        ty: crate::types::MemoryType::new(0, Some(0), false),
        bytes: Vec::new(),
    };
    let mut memory = memory_of(memories, instances, inst, &mut no_memory);
    // The running instance: its functions, globals, tables and types.
    let mut cur = &instances[inst as usize];
    let frames = &mut regs.frames;

    macro_rules! bin {
        ($get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
            sp -= 1;
            let $b = $get(stack[sp]);
            let $a = $get(stack[sp - 1]);
            stack[sp - 1] = $put($e);
        }};
    }
    macro_rules! un {
        ($get:ident, $put:ident, |$a:ident| $e:expr) => {{
            let $a = $get(stack[sp - 1]);
            stack[sp - 1] = $put($e);
        }};
    }
    macro_rules! load {
        ($off:expr, $n:literal, |$b:ident| $e:expr) => {{
            let $b = load::<$n>(&memory.bytes, stack[sp - 1], $off)?;
            stack[sp - 1] = $e;
        }};
    }
    macro_rules! store {
        ($off:expr, |$v:ident| $e:expr) => {{
            sp -= 2;
            let $v = stack[sp + 1];
            store_bytes(&mut memory.bytes, stack[sp], $off, $e)?;
        }};
    }
    macro_rules! do_return {
        ($keep:expr) => {{
            let keep = $keep as usize;
            move_slots(stack, sp - keep, base, keep);
            sp = base + keep;
            match frames.pop() {
                None => return Ok(Exit::Return(stack[base..sp].to_vec())),
                Some(frame) => {
                    func = frame.func;
                    code = code_of(funcs, func);
                    pc = frame.pc;
                    base = frame.base;
                    if frame.instance != inst {
                        inst = frame.instance;
                        memory = memory_of(memories, instances, inst, &mut no_memory);
                        cur = &instances[inst as usize];
                    }
                }
            }
        }};
    }
    macro_rules! call {
        ($callee:expr, $tail:expr) => {{
            let callee: u32 = $callee;
            match &funcs[callee as usize].kind {
                FuncKind::Wasm {
                    instance,
                    code: callee_code,
                } => {
                    let params = callee_code.num_params as usize;
                    let new_base = if $tail {
                        stack.copy_within(sp - params..sp, base);
                        base
                    } else {
                        if depth_base + frames.len() + 1 >= max_depth {
                            return Err(Trap::new(TrapCode::CallStackExhausted));
                        }
                        frames.push(Frame {
                            func,
                            pc,
                            base,
                            instance: inst,
                        });
                        sp - params
                    };
                    reserve_stack(stack, new_base + callee_code.max_height as usize)?;
                    let locals_end = new_base + callee_code.num_locals as usize;
                    zero_slots(&mut stack[new_base + params..locals_end]);
                    sp = locals_end;
                    base = new_base;
                    func = callee;
                    code = &callee_code.code;
                    pc = 0;
                    if *instance != inst {
                        inst = *instance;
                        memory = memory_of(memories, instances, inst, &mut no_memory);
                        cur = &instances[inst as usize];
                    }
                }
                FuncKind::Host(host) => {
                    if depth_base + frames.len() + 1 >= max_depth {
                        return Err(Trap::new(TrapCode::CallStackExhausted));
                    }
                    regs.pc = pc;
                    regs.sp = sp;
                    regs.base = base;
                    regs.func = func;
                    regs.instance = inst;
                    return Ok(Exit::HostCall {
                        callee,
                        host: *host,
                        tail: $tail,
                    });
                }
            }
        }};
    }
    macro_rules! indirect_target {
        ($ty:expr, $table:expr) => {{
            sp -= 1;
            let index = stack[sp] as u32 as usize;
            let instance = cur;
            let table = &tables[instance.tables[$table as usize] as usize];
            let Some(&slot) = table.elems.get(index) else {
                return Err(Trap::new(TrapCode::UndefinedElement));
            };
            if slot == 0 {
                return Err(Trap::new(TrapCode::UninitializedElement));
            }
            let callee = (slot - 1) as u32;
            if funcs[callee as usize].ty != instance.types[$ty as usize] {
                return Err(Trap::new(TrapCode::IndirectCallTypeMismatch));
            }
            callee
        }};
    }

    loop {
        let instr = code[pc];
        pc += 1;
        match instr {
            Instr::Unreachable => return Err(Trap::new(TrapCode::Unreachable)),
            Instr::ConsumeFuel => {
                if *fuel == 0 {
                    return Err(Trap::new(TrapCode::OutOfFuel));
                }
                *fuel -= 1;
            }
            Instr::Br { target, drop, keep } => {
                if drop != 0 {
                    let keep = keep as usize;
                    move_slots(stack, sp - keep, sp - keep - drop as usize, keep);
                    sp -= drop as usize;
                }
                pc = target as usize;
            }
            Instr::BrIf { target, drop, keep } => {
                sp -= 1;
                if stack[sp] as u32 != 0 {
                    if drop != 0 {
                        let keep = keep as usize;
                        move_slots(stack, sp - keep, sp - keep - drop as usize, keep);
                        sp -= drop as usize;
                    }
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfEqz { target } => {
                sp -= 1;
                if stack[sp] as u32 == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrTable { len } => {
                sp -= 1;
                let index = (stack[sp] as u32).min(len);
                pc += index as usize;
            }
            Instr::Return { keep } => do_return!(keep),
            Instr::Call { func } => {
                let callee = cur.funcs[func as usize];
                call!(callee, false)
            }
            Instr::ReturnCall { func } => {
                let callee = cur.funcs[func as usize];
                call!(callee, true)
            }
            Instr::CallIndirect { ty, table } => {
                let callee = indirect_target!(ty, table);
                call!(callee, false)
            }
            Instr::ReturnCallIndirect { ty, table } => {
                let callee = indirect_target!(ty, table);
                call!(callee, true)
            }
            Instr::Drop => sp -= 1,
            Instr::Select => {
                sp -= 2;
                if stack[sp + 1] as u32 == 0 {
                    stack[sp - 1] = stack[sp];
                }
            }
            Instr::LocalGet(i) => {
                stack[sp] = stack[base + i as usize];
                sp += 1;
            }
            Instr::LocalSet(i) => {
                sp -= 1;
                stack[base + i as usize] = stack[sp];
            }
            Instr::LocalTee(i) => stack[base + i as usize] = stack[sp - 1],
            Instr::GlobalGet(i) => {
                let g = cur.globals[i as usize];
                stack[sp] = globals[g as usize].value;
                sp += 1;
            }
            Instr::GlobalSet(i) => {
                sp -= 1;
                let g = cur.globals[i as usize];
                globals[g as usize].value = stack[sp];
            }
            Instr::TableGet(t) => {
                let t = cur.tables[t as usize];
                let elems = &tables[t as usize].elems;
                let index = stack[sp - 1] as u32 as usize;
                stack[sp - 1] = *elems
                    .get(index)
                    .ok_or(Trap::new(TrapCode::TableOutOfBounds))?;
            }
            Instr::TableSet(t) => {
                sp -= 2;
                let t = cur.tables[t as usize];
                let elems = &mut tables[t as usize].elems;
                let index = stack[sp] as u32 as usize;
                *elems
                    .get_mut(index)
                    .ok_or(Trap::new(TrapCode::TableOutOfBounds))? = stack[sp + 1];
            }
            Instr::TableSize(t) => {
                let t = cur.tables[t as usize];
                stack[sp] = tables[t as usize].elems.len() as u64;
                sp += 1;
            }
            Instr::TableGrow(t) => {
                sp -= 1;
                let t = cur.tables[t as usize];
                let delta = stack[sp] as u32 as u64;
                let init = stack[sp - 1];
                stack[sp - 1] = grow_table(
                    &mut tables[t as usize],
                    limits.max_table_elements,
                    delta,
                    init,
                )
                .map_or(u32::MAX as u64, |old| old);
            }
            Instr::TableFill(t) => {
                sp -= 3;
                let t = cur.tables[t as usize];
                let elems = &mut tables[t as usize].elems;
                let r = range(stack[sp], stack[sp + 2], elems.len())
                    .ok_or(Trap::new(TrapCode::TableOutOfBounds))?;
                elems[r].fill(stack[sp + 1]);
            }
            Instr::TableCopy { dst, src } => {
                sp -= 3;
                let (dst, src) = (
                    cur.tables[dst as usize] as usize,
                    cur.tables[src as usize] as usize,
                );
                table_copy(tables, dst, src, [stack[sp], stack[sp + 1], stack[sp + 2]])?;
            }
            Instr::TableInit { table, elem } => {
                sp -= 3;
                let t = cur.tables[table as usize] as usize;
                let segment = &instance_segments[inst as usize].elems[elem as usize];
                table_init(
                    &mut tables[t].elems,
                    segment,
                    [stack[sp], stack[sp + 1], stack[sp + 2]],
                )?;
            }
            Instr::ElemDrop(e) => {
                instance_segments[inst as usize].elems[e as usize] = Arc::from([])
            }
            Instr::I32Load(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
            Instr::I64Load(o) => load!(o, 8, |b| u64::from_le_bytes(b)),
            Instr::F32Load(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
            Instr::F64Load(o) => load!(o, 8, |b| u64::from_le_bytes(b)),
            Instr::I32Load8S(o) => load!(o, 1, |b| b[0] as i8 as i32 as u32 as u64),
            Instr::I32Load8U(o) => load!(o, 1, |b| b[0] as u64),
            Instr::I32Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            Instr::I32Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
            Instr::I64Load8S(o) => load!(o, 1, |b| b[0] as i8 as i64 as u64),
            Instr::I64Load8U(o) => load!(o, 1, |b| b[0] as u64),
            Instr::I64Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i64 as u64),
            Instr::I64Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
            Instr::I64Load32S(o) => load!(o, 4, |b| i32::from_le_bytes(b) as i64 as u64),
            Instr::I64Load32U(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
            Instr::I32Store(o) | Instr::F32Store(o) => store!(o, |v| (v as u32).to_le_bytes()),
            Instr::I64Store(o) | Instr::F64Store(o) => store!(o, |v| v.to_le_bytes()),
            Instr::I32Store8(o) | Instr::I64Store8(o) => store!(o, |v| [v as u8]),
            Instr::I32Store16(o) | Instr::I64Store16(o) => store!(o, |v| (v as u16).to_le_bytes()),
            Instr::I64Store32(o) => store!(o, |v| (v as u32).to_le_bytes()),
            Instr::MemorySize => {
                stack[sp] = (memory.bytes.len() / PAGE_SIZE) as u64;
                sp += 1;
            }
            Instr::MemoryGrow => {
                let delta = stack[sp - 1] as u32 as u64;
                stack[sp - 1] = grow_memory(memory, limits.max_memory_pages, delta)
                    .map_or(u32::MAX as u64, |old| old);
            }
            Instr::MemoryInit(d) => {
                sp -= 3;
                let segment = instance_segments[inst as usize].datas[d as usize].clone();
                let (dst, src, n) = (stack[sp], stack[sp + 1], stack[sp + 2]);
                let src =
                    range(src, n, segment.len()).ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
                let bytes = &mut memory.bytes;
                let dst =
                    range(dst, n, bytes.len()).ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
                bytes[dst].copy_from_slice(&segment[src]);
            }
            Instr::DataDrop(d) => {
                instance_segments[inst as usize].datas[d as usize] = Arc::from([])
            }
            Instr::MemoryCopy => {
                sp -= 3;
                let bytes = &mut memory.bytes;
                let (d, s, n) = (stack[sp], stack[sp + 1], stack[sp + 2]);
                let src = range(s, n, bytes.len()).ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
                let dst = range(d, n, bytes.len()).ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
                bytes.copy_within(src, dst.start);
            }
            Instr::MemoryFill => {
                sp -= 3;
                let bytes = &mut memory.bytes;
                let dst = range(stack[sp], stack[sp + 2], bytes.len())
                    .ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
                bytes[dst].fill(stack[sp + 1] as u8);
            }
            Instr::Const32(v) => {
                stack[sp] = v as u64;
                sp += 1;
            }
            Instr::Const64(v) => {
                stack[sp] = v;
                sp += 1;
            }
            Instr::RefIsNull => un!(gu64, pbool, |a| a == 0),
            Instr::RefFunc(f) => {
                stack[sp] = cur.funcs[f as usize] as u64 + 1;
                sp += 1;
            }
            // BEGIN GENERATED ARMS
            // Generated by gen_fused.py; edit the script, not this region.
            Instr::I32AddL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.wrapping_add(b)
            }),
            Instr::I32AddI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.wrapping_add(b)
            }),
            Instr::I32AddLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.wrapping_add(b));
                sp += 1;
            }
            Instr::I32AddLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.wrapping_add(b));
                sp += 1;
            }
            Instr::I32AddLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.wrapping_add(b));
            }
            Instr::I32AddLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.wrapping_add(b));
            }
            Instr::I32SubL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.wrapping_sub(b)
            }),
            Instr::I32SubI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.wrapping_sub(b)
            }),
            Instr::I32SubLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.wrapping_sub(b));
                sp += 1;
            }
            Instr::I32SubLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.wrapping_sub(b));
                sp += 1;
            }
            Instr::I32SubLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.wrapping_sub(b));
            }
            Instr::I32SubLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.wrapping_sub(b));
            }
            Instr::I32MulL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.wrapping_mul(b)
            }),
            Instr::I32MulI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.wrapping_mul(b)
            }),
            Instr::I32MulLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.wrapping_mul(b));
                sp += 1;
            }
            Instr::I32MulLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.wrapping_mul(b));
                sp += 1;
            }
            Instr::I32MulLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.wrapping_mul(b));
            }
            Instr::I32MulLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.wrapping_mul(b));
            }
            Instr::I32AndL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a & b
            }),
            Instr::I32AndI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a & b
            }),
            Instr::I32AndLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a & b);
                sp += 1;
            }
            Instr::I32AndLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a & b);
                sp += 1;
            }
            Instr::I32AndLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a & b);
            }
            Instr::I32AndLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a & b);
            }
            Instr::I32OrL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a | b
            }),
            Instr::I32OrI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a | b
            }),
            Instr::I32OrLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a | b);
                sp += 1;
            }
            Instr::I32OrLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a | b);
                sp += 1;
            }
            Instr::I32OrLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a | b);
            }
            Instr::I32OrLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a | b);
            }
            Instr::I32XorL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a ^ b
            }),
            Instr::I32XorI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a ^ b
            }),
            Instr::I32XorLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a ^ b);
                sp += 1;
            }
            Instr::I32XorLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a ^ b);
                sp += 1;
            }
            Instr::I32XorLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a ^ b);
            }
            Instr::I32XorLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a ^ b);
            }
            Instr::I32ShlL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.wrapping_shl(b)
            }),
            Instr::I32ShlI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.wrapping_shl(b)
            }),
            Instr::I32ShlLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.wrapping_shl(b));
                sp += 1;
            }
            Instr::I32ShlLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.wrapping_shl(b));
                sp += 1;
            }
            Instr::I32ShlLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.wrapping_shl(b));
            }
            Instr::I32ShlLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.wrapping_shl(b));
            }
            Instr::I32ShrSL(l) => un!(gi32, pi32, |a| {
                let b = gi32(stack[base + l as usize]);
                a.wrapping_shr(b as u32)
            }),
            Instr::I32ShrSI(imm) => un!(gi32, pi32, |a| {
                let b = gi32(u64::from(imm));
                a.wrapping_shr(b as u32)
            }),
            Instr::I32ShrSLL(l, r) => {
                let a = gi32(stack[base + l as usize]);
                let b = gi32(stack[base + r as usize]);
                stack[sp] = pi32(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I32ShrSLI(l, imm) => {
                let a = gi32(stack[base + l as usize]);
                let b = gi32(u64::from(imm));
                stack[sp] = pi32(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I32ShrSLLS { a, b, dst } => {
                let (a, b) = (
                    gi32(stack[base + a as usize]),
                    gi32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pi32(a.wrapping_shr(b as u32));
            }
            Instr::I32ShrSLIS { a, imm, dst } => {
                let (a, b) = (gi32(stack[base + a as usize]), gi32(u64::from(imm)));
                stack[base + dst as usize] = pi32(a.wrapping_shr(b as u32));
            }
            Instr::I32ShrUL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.wrapping_shr(b)
            }),
            Instr::I32ShrUI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.wrapping_shr(b)
            }),
            Instr::I32ShrULL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.wrapping_shr(b));
                sp += 1;
            }
            Instr::I32ShrULI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.wrapping_shr(b));
                sp += 1;
            }
            Instr::I32ShrULLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.wrapping_shr(b));
            }
            Instr::I32ShrULIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.wrapping_shr(b));
            }
            Instr::I32RotlL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.rotate_left(b % 32)
            }),
            Instr::I32RotlI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.rotate_left(b % 32)
            }),
            Instr::I32RotlLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.rotate_left(b % 32));
                sp += 1;
            }
            Instr::I32RotlLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.rotate_left(b % 32));
                sp += 1;
            }
            Instr::I32RotlLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.rotate_left(b % 32));
            }
            Instr::I32RotlLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.rotate_left(b % 32));
            }
            Instr::I32RotrL(l) => un!(gu32, pu32, |a| {
                let b = gu32(stack[base + l as usize]);
                a.rotate_right(b % 32)
            }),
            Instr::I32RotrI(imm) => un!(gu32, pu32, |a| {
                let b = gu32(u64::from(imm));
                a.rotate_right(b % 32)
            }),
            Instr::I32RotrLL(l, r) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(stack[base + r as usize]);
                stack[sp] = pu32(a.rotate_right(b % 32));
                sp += 1;
            }
            Instr::I32RotrLI(l, imm) => {
                let a = gu32(stack[base + l as usize]);
                let b = gu32(u64::from(imm));
                stack[sp] = pu32(a.rotate_right(b % 32));
                sp += 1;
            }
            Instr::I32RotrLLS { a, b, dst } => {
                let (a, b) = (
                    gu32(stack[base + a as usize]),
                    gu32(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu32(a.rotate_right(b % 32));
            }
            Instr::I32RotrLIS { a, imm, dst } => {
                let (a, b) = (gu32(stack[base + a as usize]), gu32(u64::from(imm)));
                stack[base + dst as usize] = pu32(a.rotate_right(b % 32));
            }
            Instr::I32EqL(l) => un!(gu32, pbool, |a| a == gu32(stack[base + l as usize])),
            Instr::I32EqI(imm) => un!(gu32, pbool, |a| a == gu32(u64::from(imm))),
            Instr::I32EqLL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) == gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32EqLI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) == gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32Eq { target } => {
                sp -= 2;
                if gu32(stack[sp]) == gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) == gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqLL { target, a, b } => {
                if gu32(stack[base + a as usize]) == gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqLI { target, a, imm } => {
                if gu32(stack[base + a as usize]) == gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) == gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) == gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) == gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) == gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32NeL(l) => un!(gu32, pbool, |a| a != gu32(stack[base + l as usize])),
            Instr::I32NeI(imm) => un!(gu32, pbool, |a| a != gu32(u64::from(imm))),
            Instr::I32NeLL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) != gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32NeLI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) != gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32Ne { target } => {
                sp -= 2;
                if gu32(stack[sp]) != gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) != gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeLL { target, a, b } => {
                if gu32(stack[base + a as usize]) != gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeLI { target, a, imm } => {
                if gu32(stack[base + a as usize]) != gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) != gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) != gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) != gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NeStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) != gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32LtSL(l) => un!(gi32, pbool, |a| a < gi32(stack[base + l as usize])),
            Instr::I32LtSI(imm) => un!(gi32, pbool, |a| a < gi32(u64::from(imm))),
            Instr::I32LtSLL(l, r) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) < gi32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32LtSLI(l, imm) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) < gi32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32LtS { target } => {
                sp -= 2;
                if gi32(stack[sp]) < gi32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSI { target, imm } => {
                sp -= 1;
                if gi32(stack[sp]) < gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSLL { target, a, b } => {
                if gi32(stack[base + a as usize]) < gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSLI { target, a, imm } => {
                if gi32(stack[base + a as usize]) < gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) < gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) < gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) < gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) < gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32LtUL(l) => un!(gu32, pbool, |a| a < gu32(stack[base + l as usize])),
            Instr::I32LtUI(imm) => un!(gu32, pbool, |a| a < gu32(u64::from(imm))),
            Instr::I32LtULL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) < gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32LtULI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) < gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32LtU { target } => {
                sp -= 2;
                if gu32(stack[sp]) < gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtUI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) < gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtULL { target, a, b } => {
                if gu32(stack[base + a as usize]) < gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtULI { target, a, imm } => {
                if gu32(stack[base + a as usize]) < gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) < gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) < gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) < gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LtUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) < gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32GtSL(l) => un!(gi32, pbool, |a| a > gi32(stack[base + l as usize])),
            Instr::I32GtSI(imm) => un!(gi32, pbool, |a| a > gi32(u64::from(imm))),
            Instr::I32GtSLL(l, r) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) > gi32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32GtSLI(l, imm) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) > gi32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32GtS { target } => {
                sp -= 2;
                if gi32(stack[sp]) > gi32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSI { target, imm } => {
                sp -= 1;
                if gi32(stack[sp]) > gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSLL { target, a, b } => {
                if gi32(stack[base + a as usize]) > gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSLI { target, a, imm } => {
                if gi32(stack[base + a as usize]) > gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) > gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) > gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) > gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) > gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32GtUL(l) => un!(gu32, pbool, |a| a > gu32(stack[base + l as usize])),
            Instr::I32GtUI(imm) => un!(gu32, pbool, |a| a > gu32(u64::from(imm))),
            Instr::I32GtULL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) > gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32GtULI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) > gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32GtU { target } => {
                sp -= 2;
                if gu32(stack[sp]) > gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtUI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) > gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtULL { target, a, b } => {
                if gu32(stack[base + a as usize]) > gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtULI { target, a, imm } => {
                if gu32(stack[base + a as usize]) > gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) > gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) > gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) > gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GtUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) > gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32LeSL(l) => un!(gi32, pbool, |a| a <= gi32(stack[base + l as usize])),
            Instr::I32LeSI(imm) => un!(gi32, pbool, |a| a <= gi32(u64::from(imm))),
            Instr::I32LeSLL(l, r) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) <= gi32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32LeSLI(l, imm) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) <= gi32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32LeS { target } => {
                sp -= 2;
                if gi32(stack[sp]) <= gi32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSI { target, imm } => {
                sp -= 1;
                if gi32(stack[sp]) <= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSLL { target, a, b } => {
                if gi32(stack[base + a as usize]) <= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSLI { target, a, imm } => {
                if gi32(stack[base + a as usize]) <= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) <= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) <= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) <= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) <= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32LeUL(l) => un!(gu32, pbool, |a| a <= gu32(stack[base + l as usize])),
            Instr::I32LeUI(imm) => un!(gu32, pbool, |a| a <= gu32(u64::from(imm))),
            Instr::I32LeULL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) <= gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32LeULI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) <= gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32LeU { target } => {
                sp -= 2;
                if gu32(stack[sp]) <= gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeUI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) <= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeULL { target, a, b } => {
                if gu32(stack[base + a as usize]) <= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeULI { target, a, imm } => {
                if gu32(stack[base + a as usize]) <= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) <= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) <= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) <= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32LeUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) <= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32GeSL(l) => un!(gi32, pbool, |a| a >= gi32(stack[base + l as usize])),
            Instr::I32GeSI(imm) => un!(gi32, pbool, |a| a >= gi32(u64::from(imm))),
            Instr::I32GeSLL(l, r) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) >= gi32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32GeSLI(l, imm) => {
                stack[sp] = pbool(gi32(stack[base + l as usize]) >= gi32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32GeS { target } => {
                sp -= 2;
                if gi32(stack[sp]) >= gi32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSI { target, imm } => {
                sp -= 1;
                if gi32(stack[sp]) >= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSLL { target, a, b } => {
                if gi32(stack[base + a as usize]) >= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSLI { target, a, imm } => {
                if gi32(stack[base + a as usize]) >= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) >= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gi32(stack[base + a as usize]) >= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) >= gi32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gi32(stack[base + a as usize]) >= gi32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32GeUL(l) => un!(gu32, pbool, |a| a >= gu32(stack[base + l as usize])),
            Instr::I32GeUI(imm) => un!(gu32, pbool, |a| a >= gu32(u64::from(imm))),
            Instr::I32GeULL(l, r) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) >= gu32(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I32GeULI(l, imm) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) >= gu32(u64::from(imm)));
                sp += 1;
            }
            Instr::BrIfI32GeU { target } => {
                sp -= 2;
                if gu32(stack[sp]) >= gu32(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeUI { target, imm } => {
                sp -= 1;
                if gu32(stack[sp]) >= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeULL { target, a, b } => {
                if gu32(stack[base + a as usize]) >= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeULI { target, a, imm } => {
                if gu32(stack[base + a as usize]) >= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) >= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu32(gu32(stack[base + a as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + a as usize]) >= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) >= gu32(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32GeUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu32(
                    gu32(stack[base + a as usize]).wrapping_add(gu32(stack[base + step as usize])),
                );
                if gu32(stack[base + a as usize]) >= gu32(u64::from(imm)) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I32EqzL(l) => {
                stack[sp] = pbool(gu32(stack[base + l as usize]) == 0);
                sp += 1;
            }
            Instr::BrIfI32EqzL { target, local } => {
                if gu32(stack[base + local as usize]) == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NezL { target, local } => {
                if gu32(stack[base + local as usize]) != 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32EqzIncL { target, local, add } => {
                stack[base + local as usize] =
                    pu32(gu32(stack[base + local as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + local as usize]) == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI32NezIncL { target, local, add } => {
                stack[base + local as usize] =
                    pu32(gu32(stack[base + local as usize]).wrapping_add(add as i32 as u32));
                if gu32(stack[base + local as usize]) != 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64AddL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.wrapping_add(b)
            }),
            Instr::I64AddI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.wrapping_add(b)
            }),
            Instr::I64AddLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.wrapping_add(b));
                sp += 1;
            }
            Instr::I64AddLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.wrapping_add(b));
                sp += 1;
            }
            Instr::I64AddLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.wrapping_add(b));
            }
            Instr::I64AddLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.wrapping_add(b));
            }
            Instr::I64SubL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.wrapping_sub(b)
            }),
            Instr::I64SubI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.wrapping_sub(b)
            }),
            Instr::I64SubLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.wrapping_sub(b));
                sp += 1;
            }
            Instr::I64SubLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.wrapping_sub(b));
                sp += 1;
            }
            Instr::I64SubLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.wrapping_sub(b));
            }
            Instr::I64SubLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.wrapping_sub(b));
            }
            Instr::I64MulL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.wrapping_mul(b)
            }),
            Instr::I64MulI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.wrapping_mul(b)
            }),
            Instr::I64MulLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.wrapping_mul(b));
                sp += 1;
            }
            Instr::I64MulLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.wrapping_mul(b));
                sp += 1;
            }
            Instr::I64MulLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.wrapping_mul(b));
            }
            Instr::I64MulLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.wrapping_mul(b));
            }
            Instr::I64AndL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a & b
            }),
            Instr::I64AndI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a & b
            }),
            Instr::I64AndLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a & b);
                sp += 1;
            }
            Instr::I64AndLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a & b);
                sp += 1;
            }
            Instr::I64AndLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a & b);
            }
            Instr::I64AndLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a & b);
            }
            Instr::I64OrL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a | b
            }),
            Instr::I64OrI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a | b
            }),
            Instr::I64OrLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a | b);
                sp += 1;
            }
            Instr::I64OrLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a | b);
                sp += 1;
            }
            Instr::I64OrLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a | b);
            }
            Instr::I64OrLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a | b);
            }
            Instr::I64XorL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a ^ b
            }),
            Instr::I64XorI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a ^ b
            }),
            Instr::I64XorLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a ^ b);
                sp += 1;
            }
            Instr::I64XorLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a ^ b);
                sp += 1;
            }
            Instr::I64XorLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a ^ b);
            }
            Instr::I64XorLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a ^ b);
            }
            Instr::I64ShlL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.wrapping_shl(b as u32)
            }),
            Instr::I64ShlI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.wrapping_shl(b as u32)
            }),
            Instr::I64ShlLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.wrapping_shl(b as u32));
                sp += 1;
            }
            Instr::I64ShlLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.wrapping_shl(b as u32));
                sp += 1;
            }
            Instr::I64ShlLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.wrapping_shl(b as u32));
            }
            Instr::I64ShlLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.wrapping_shl(b as u32));
            }
            Instr::I64ShrSL(l) => un!(gi64, pi64, |a| {
                let b = gi64(stack[base + l as usize]);
                a.wrapping_shr(b as u32)
            }),
            Instr::I64ShrSI(imm) => un!(gi64, pi64, |a| {
                let b = gi64(imm);
                a.wrapping_shr(b as u32)
            }),
            Instr::I64ShrSLL(l, r) => {
                let a = gi64(stack[base + l as usize]);
                let b = gi64(stack[base + r as usize]);
                stack[sp] = pi64(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I64ShrSLI(l, imm) => {
                let a = gi64(stack[base + l as usize]);
                let b = gi64(imm);
                stack[sp] = pi64(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I64ShrSLLS { a, b, dst } => {
                let (a, b) = (
                    gi64(stack[base + a as usize]),
                    gi64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pi64(a.wrapping_shr(b as u32));
            }
            Instr::I64ShrSLIS { a, imm, dst } => {
                let (a, b) = (
                    gi64(stack[base + a as usize]),
                    gi64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pi64(a.wrapping_shr(b as u32));
            }
            Instr::I64ShrUL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.wrapping_shr(b as u32)
            }),
            Instr::I64ShrUI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.wrapping_shr(b as u32)
            }),
            Instr::I64ShrULL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I64ShrULI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.wrapping_shr(b as u32));
                sp += 1;
            }
            Instr::I64ShrULLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.wrapping_shr(b as u32));
            }
            Instr::I64ShrULIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.wrapping_shr(b as u32));
            }
            Instr::I64RotlL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.rotate_left((b % 64) as u32)
            }),
            Instr::I64RotlI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.rotate_left((b % 64) as u32)
            }),
            Instr::I64RotlLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.rotate_left((b % 64) as u32));
                sp += 1;
            }
            Instr::I64RotlLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.rotate_left((b % 64) as u32));
                sp += 1;
            }
            Instr::I64RotlLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.rotate_left((b % 64) as u32));
            }
            Instr::I64RotlLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.rotate_left((b % 64) as u32));
            }
            Instr::I64RotrL(l) => un!(gu64, pu64, |a| {
                let b = gu64(stack[base + l as usize]);
                a.rotate_right((b % 64) as u32)
            }),
            Instr::I64RotrI(imm) => un!(gu64, pu64, |a| {
                let b = gu64(imm);
                a.rotate_right((b % 64) as u32)
            }),
            Instr::I64RotrLL(l, r) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(stack[base + r as usize]);
                stack[sp] = pu64(a.rotate_right((b % 64) as u32));
                sp += 1;
            }
            Instr::I64RotrLI(l, imm) => {
                let a = gu64(stack[base + l as usize]);
                let b = gu64(imm);
                stack[sp] = pu64(a.rotate_right((b % 64) as u32));
                sp += 1;
            }
            Instr::I64RotrLLS { a, b, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(stack[base + b as usize]),
                );
                stack[base + dst as usize] = pu64(a.rotate_right((b % 64) as u32));
            }
            Instr::I64RotrLIS { a, imm, dst } => {
                let (a, b) = (
                    gu64(stack[base + a as usize]),
                    gu64(imm as i32 as i64 as u64),
                );
                stack[base + dst as usize] = pu64(a.rotate_right((b % 64) as u32));
            }
            Instr::I64EqL(l) => un!(gu64, pbool, |a| a == gu64(stack[base + l as usize])),
            Instr::I64EqI(imm) => un!(gu64, pbool, |a| a == gu64(imm)),
            Instr::I64EqLL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) == gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64EqLI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) == gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64Eq { target } => {
                sp -= 2;
                if gu64(stack[sp]) == gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) == gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqLL { target, a, b } => {
                if gu64(stack[base + a as usize]) == gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqLI { target, a, imm } => {
                if gu64(stack[base + a as usize]) == gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) == gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) == gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) == gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) == gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64NeL(l) => un!(gu64, pbool, |a| a != gu64(stack[base + l as usize])),
            Instr::I64NeI(imm) => un!(gu64, pbool, |a| a != gu64(imm)),
            Instr::I64NeLL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) != gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64NeLI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) != gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64Ne { target } => {
                sp -= 2;
                if gu64(stack[sp]) != gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) != gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeLL { target, a, b } => {
                if gu64(stack[base + a as usize]) != gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeLI { target, a, imm } => {
                if gu64(stack[base + a as usize]) != gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) != gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) != gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) != gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NeStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) != gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64LtSL(l) => un!(gi64, pbool, |a| a < gi64(stack[base + l as usize])),
            Instr::I64LtSI(imm) => un!(gi64, pbool, |a| a < gi64(imm)),
            Instr::I64LtSLL(l, r) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) < gi64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64LtSLI(l, imm) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) < gi64(imm));
                sp += 1;
            }
            Instr::BrIfI64LtS { target } => {
                sp -= 2;
                if gi64(stack[sp]) < gi64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSI { target, imm } => {
                sp -= 1;
                if gi64(stack[sp]) < gi64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSLL { target, a, b } => {
                if gi64(stack[base + a as usize]) < gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSLI { target, a, imm } => {
                if gi64(stack[base + a as usize]) < gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) < gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) < gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) < gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) < gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64LtUL(l) => un!(gu64, pbool, |a| a < gu64(stack[base + l as usize])),
            Instr::I64LtUI(imm) => un!(gu64, pbool, |a| a < gu64(imm)),
            Instr::I64LtULL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) < gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64LtULI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) < gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64LtU { target } => {
                sp -= 2;
                if gu64(stack[sp]) < gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtUI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) < gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtULL { target, a, b } => {
                if gu64(stack[base + a as usize]) < gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtULI { target, a, imm } => {
                if gu64(stack[base + a as usize]) < gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) < gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) < gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) < gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LtUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) < gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64GtSL(l) => un!(gi64, pbool, |a| a > gi64(stack[base + l as usize])),
            Instr::I64GtSI(imm) => un!(gi64, pbool, |a| a > gi64(imm)),
            Instr::I64GtSLL(l, r) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) > gi64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64GtSLI(l, imm) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) > gi64(imm));
                sp += 1;
            }
            Instr::BrIfI64GtS { target } => {
                sp -= 2;
                if gi64(stack[sp]) > gi64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSI { target, imm } => {
                sp -= 1;
                if gi64(stack[sp]) > gi64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSLL { target, a, b } => {
                if gi64(stack[base + a as usize]) > gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSLI { target, a, imm } => {
                if gi64(stack[base + a as usize]) > gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) > gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) > gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) > gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) > gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64GtUL(l) => un!(gu64, pbool, |a| a > gu64(stack[base + l as usize])),
            Instr::I64GtUI(imm) => un!(gu64, pbool, |a| a > gu64(imm)),
            Instr::I64GtULL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) > gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64GtULI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) > gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64GtU { target } => {
                sp -= 2;
                if gu64(stack[sp]) > gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtUI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) > gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtULL { target, a, b } => {
                if gu64(stack[base + a as usize]) > gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtULI { target, a, imm } => {
                if gu64(stack[base + a as usize]) > gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) > gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) > gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) > gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GtUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) > gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64LeSL(l) => un!(gi64, pbool, |a| a <= gi64(stack[base + l as usize])),
            Instr::I64LeSI(imm) => un!(gi64, pbool, |a| a <= gi64(imm)),
            Instr::I64LeSLL(l, r) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) <= gi64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64LeSLI(l, imm) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) <= gi64(imm));
                sp += 1;
            }
            Instr::BrIfI64LeS { target } => {
                sp -= 2;
                if gi64(stack[sp]) <= gi64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSI { target, imm } => {
                sp -= 1;
                if gi64(stack[sp]) <= gi64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSLL { target, a, b } => {
                if gi64(stack[base + a as usize]) <= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSLI { target, a, imm } => {
                if gi64(stack[base + a as usize]) <= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) <= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) <= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) <= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) <= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64LeUL(l) => un!(gu64, pbool, |a| a <= gu64(stack[base + l as usize])),
            Instr::I64LeUI(imm) => un!(gu64, pbool, |a| a <= gu64(imm)),
            Instr::I64LeULL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) <= gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64LeULI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) <= gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64LeU { target } => {
                sp -= 2;
                if gu64(stack[sp]) <= gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeUI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) <= gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeULL { target, a, b } => {
                if gu64(stack[base + a as usize]) <= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeULI { target, a, imm } => {
                if gu64(stack[base + a as usize]) <= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) <= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) <= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) <= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64LeUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) <= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64GeSL(l) => un!(gi64, pbool, |a| a >= gi64(stack[base + l as usize])),
            Instr::I64GeSI(imm) => un!(gi64, pbool, |a| a >= gi64(imm)),
            Instr::I64GeSLL(l, r) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) >= gi64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64GeSLI(l, imm) => {
                stack[sp] = pbool(gi64(stack[base + l as usize]) >= gi64(imm));
                sp += 1;
            }
            Instr::BrIfI64GeS { target } => {
                sp -= 2;
                if gi64(stack[sp]) >= gi64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSI { target, imm } => {
                sp -= 1;
                if gi64(stack[sp]) >= gi64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSLL { target, a, b } => {
                if gi64(stack[base + a as usize]) >= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSLI { target, a, imm } => {
                if gi64(stack[base + a as usize]) >= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) >= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gi64(stack[base + a as usize]) >= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) >= gi64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeSStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gi64(stack[base + a as usize]) >= gi64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64GeUL(l) => un!(gu64, pbool, |a| a >= gu64(stack[base + l as usize])),
            Instr::I64GeUI(imm) => un!(gu64, pbool, |a| a >= gu64(imm)),
            Instr::I64GeULL(l, r) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) >= gu64(stack[base + r as usize]));
                sp += 1;
            }
            Instr::I64GeULI(l, imm) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) >= gu64(imm));
                sp += 1;
            }
            Instr::BrIfI64GeU { target } => {
                sp -= 2;
                if gu64(stack[sp]) >= gu64(stack[sp + 1]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeUI { target, imm } => {
                sp -= 1;
                if gu64(stack[sp]) >= gu64(imm) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeULL { target, a, b } => {
                if gu64(stack[base + a as usize]) >= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeULI { target, a, imm } => {
                if gu64(stack[base + a as usize]) >= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeUIncLL { target, a, b, add } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) >= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeUIncLI {
                target,
                a,
                imm,
                add,
            } => {
                stack[base + a as usize] =
                    pu64(gu64(stack[base + a as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + a as usize]) >= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeUStepLL { target, a, b, step } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) >= gu64(stack[base + b as usize]) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64GeUStepLI {
                target,
                imm,
                a,
                step,
            } => {
                stack[base + a as usize] = pu64(
                    gu64(stack[base + a as usize]).wrapping_add(gu64(stack[base + step as usize])),
                );
                if gu64(stack[base + a as usize]) >= gu64(imm as i32 as i64 as u64) {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::I64EqzL(l) => {
                stack[sp] = pbool(gu64(stack[base + l as usize]) == 0);
                sp += 1;
            }
            Instr::BrIfI64EqzL { target, local } => {
                if gu64(stack[base + local as usize]) == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NezL { target, local } => {
                if gu64(stack[base + local as usize]) != 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64EqzIncL { target, local, add } => {
                stack[base + local as usize] =
                    pu64(gu64(stack[base + local as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + local as usize]) == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64NezIncL { target, local, add } => {
                stack[base + local as usize] =
                    pu64(gu64(stack[base + local as usize]).wrapping_add(add as i64 as u64));
                if gu64(stack[base + local as usize]) != 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64Eqz { target } => {
                sp -= 1;
                if stack[sp] == 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::BrIfI64Nez { target } => {
                sp -= 1;
                if stack[sp] != 0 {
                    pc = target as usize;
                } else {
                    cold_path();
                }
            }
            Instr::LocalCopy { from, to } => {
                stack[base + to as usize] = stack[base + from as usize]
            }
            Instr::I32ShlAddLI { a, imm, shift } => {
                stack[sp] = u64::from(
                    gu32(stack[base + a as usize])
                        .wrapping_shl(u32::from(shift))
                        .wrapping_add(imm),
                );
                sp += 1;
            }
            Instr::I32ShlAddLIS { a, imm, dst, shift } => {
                stack[base + dst as usize] = u64::from(
                    gu32(stack[base + a as usize])
                        .wrapping_shl(u32::from(shift))
                        .wrapping_add(imm),
                )
            }
            Instr::I32AddLIS2 { a, dst, dst2, imm } => {
                let v = u64::from(gu32(stack[base + a as usize]).wrapping_add(imm as i32 as u32));
                stack[base + dst as usize] = v;
                stack[base + dst2 as usize] = v;
            }
            Instr::LocalCopy2 {
                from,
                to,
                from2,
                to2,
            } => {
                stack[base + to as usize] = stack[base + from as usize];
                stack[base + to2 as usize] = stack[base + from2 as usize];
            }
            Instr::I32LoadL { local, offset } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = u32::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::I32LoadLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<4>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = u32::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::I32LoadLS { local, offset, dst } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
            }
            Instr::I32LoadLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<4>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
            }
            Instr::I32LoadLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I32LoadLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I64LoadL { local, offset } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = u64::from_le_bytes(b);
                sp += 1;
            }
            Instr::I64LoadLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<8>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = u64::from_le_bytes(b);
                sp += 1;
            }
            Instr::I64LoadLS { local, offset, dst } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
            }
            Instr::I64LoadLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<8>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
            }
            Instr::I64LoadLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I64LoadLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::F32LoadL { local, offset } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = u32::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::F32LoadLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<4>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = u32::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::F32LoadLS { local, offset, dst } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
            }
            Instr::F32LoadLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<4>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
            }
            Instr::F32LoadLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::F32LoadLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<4>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u32::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::F64LoadL { local, offset } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = u64::from_le_bytes(b);
                sp += 1;
            }
            Instr::F64LoadLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<8>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = u64::from_le_bytes(b);
                sp += 1;
            }
            Instr::F64LoadLS { local, offset, dst } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
            }
            Instr::F64LoadLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<8>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
            }
            Instr::F64LoadLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::F64LoadLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<8>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u64::from_le_bytes(b);
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I32Load8UL { local, offset } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = b[0] as u64;
                sp += 1;
            }
            Instr::I32Load8ULI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<1>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = b[0] as u64;
                sp += 1;
            }
            Instr::I32Load8ULS { local, offset, dst } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as u64;
            }
            Instr::I32Load8ULSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<1>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = b[0] as u64;
            }
            Instr::I32Load8ULSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I32Load8ULSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I32Load8SL { local, offset } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = b[0] as i8 as i32 as u32 as u64;
                sp += 1;
            }
            Instr::I32Load8SLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<1>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = b[0] as i8 as i32 as u32 as u64;
                sp += 1;
            }
            Instr::I32Load8SLS { local, offset, dst } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as i8 as i32 as u32 as u64;
            }
            Instr::I32Load8SLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<1>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = b[0] as i8 as i32 as u32 as u64;
            }
            Instr::I32Load8SLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as i8 as i32 as u32 as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I32Load8SLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<1>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = b[0] as i8 as i32 as u32 as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I32Load16UL { local, offset } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = u16::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::I32Load16ULI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<2>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = u16::from_le_bytes(b) as u64;
                sp += 1;
            }
            Instr::I32Load16ULS { local, offset, dst } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u16::from_le_bytes(b) as u64;
            }
            Instr::I32Load16ULSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<2>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = u16::from_le_bytes(b) as u64;
            }
            Instr::I32Load16ULSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u16::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I32Load16ULSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = u16::from_le_bytes(b) as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I32Load16SL { local, offset } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[sp] = i16::from_le_bytes(b) as i32 as u32 as u64;
                sp += 1;
            }
            Instr::I32Load16SLI { local, imm, offset } => {
                let addr = (stack[base + local as usize] as u32).wrapping_add(imm);
                let b = load::<2>(&memory.bytes, addr as u64, offset)?;
                stack[sp] = i16::from_le_bytes(b) as i32 as u32 as u64;
                sp += 1;
            }
            Instr::I32Load16SLS { local, offset, dst } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = i16::from_le_bytes(b) as i32 as u32 as u64;
            }
            Instr::I32Load16SLSInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32);
                stack[base + local as usize] = u64::from(addr);
                let b = load::<2>(&memory.bytes, u64::from(addr), offset)?;
                stack[base + dst as usize] = i16::from_le_bytes(b) as i32 as u32 as u64;
            }
            Instr::I32Load16SLSPostInc {
                local,
                offset,
                dst,
                imm,
            } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = i16::from_le_bytes(b) as i32 as u32 as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + local as usize] = p;
            }
            Instr::I32Load16SLSPostInc2 {
                offset,
                local,
                dst,
                p: p1,
                p2,
                imm,
            } => {
                let b = load::<2>(&memory.bytes, stack[base + local as usize], offset)?;
                stack[base + dst as usize] = i16::from_le_bytes(b) as i32 as u32 as u64;
                let p =
                    u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));
                stack[base + p1 as usize] = p;
                stack[base + p2 as usize] = p;
            }
            Instr::I32StoreL { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[sp],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::I32StoreLL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::I32StoreLIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(
                    &mut memory.bytes,
                    u64::from(at),
                    0,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::I32StoreI { value, offset } => {
                sp -= 1;
                let v = value as u64;
                store_bytes(
                    &mut memory.bytes,
                    stack[sp],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::I32StoreLI {
                addr,
                value,
                offset,
            } => {
                let v = value as u64;
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::I64StoreL { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(&mut memory.bytes, stack[sp], offset, v.to_le_bytes())?;
            }
            Instr::I64StoreLL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    v.to_le_bytes(),
                )?;
            }
            Instr::I64StoreLIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(&mut memory.bytes, u64::from(at), 0, v.to_le_bytes())?;
            }
            Instr::F32StoreL { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[sp],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::F32StoreLL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::F32StoreLIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(
                    &mut memory.bytes,
                    u64::from(at),
                    0,
                    (v as u32).to_le_bytes(),
                )?;
            }
            Instr::F64StoreL { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(&mut memory.bytes, stack[sp], offset, v.to_le_bytes())?;
            }
            Instr::F64StoreLL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    v.to_le_bytes(),
                )?;
            }
            Instr::F64StoreLIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(&mut memory.bytes, u64::from(at), 0, v.to_le_bytes())?;
            }
            Instr::I32Store8L { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(&mut memory.bytes, stack[sp], offset, [v as u8])?;
            }
            Instr::I32Store8LL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    [v as u8],
                )?;
            }
            Instr::I32Store8LIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(&mut memory.bytes, u64::from(at), 0, [v as u8])?;
            }
            Instr::I32Store8I { value, offset } => {
                sp -= 1;
                let v = value as u64;
                store_bytes(&mut memory.bytes, stack[sp], offset, [v as u8])?;
            }
            Instr::I32Store8LI {
                addr,
                value,
                offset,
            } => {
                let v = value as u64;
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    [v as u8],
                )?;
            }
            Instr::I32Store16L { value, offset } => {
                sp -= 1;
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[sp],
                    offset,
                    (v as u16).to_le_bytes(),
                )?;
            }
            Instr::I32Store16LL {
                addr,
                value,
                offset,
            } => {
                let v = stack[base + value as usize];
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    (v as u16).to_le_bytes(),
                )?;
            }
            Instr::I32Store16LIL { addr, imm, value } => {
                let v = stack[base + value as usize];
                let at = (stack[base + addr as usize] as u32).wrapping_add(imm);
                store_bytes(
                    &mut memory.bytes,
                    u64::from(at),
                    0,
                    (v as u16).to_le_bytes(),
                )?;
            }
            Instr::I32Store16I { value, offset } => {
                sp -= 1;
                let v = value as u64;
                store_bytes(
                    &mut memory.bytes,
                    stack[sp],
                    offset,
                    (v as u16).to_le_bytes(),
                )?;
            }
            Instr::I32Store16LI {
                addr,
                value,
                offset,
            } => {
                let v = value as u64;
                store_bytes(
                    &mut memory.bytes,
                    stack[base + addr as usize],
                    offset,
                    (v as u16).to_le_bytes(),
                )?;
            }
            // END GENERATED ARMS
            Instr::I32Eqz => un!(gu32, pbool, |a| a == 0),
            Instr::I32Eq => bin!(gu32, pbool, |a, b| a == b),
            Instr::I32Ne => bin!(gu32, pbool, |a, b| a != b),
            Instr::I32LtS => bin!(gi32, pbool, |a, b| a < b),
            Instr::I32LtU => bin!(gu32, pbool, |a, b| a < b),
            Instr::I32GtS => bin!(gi32, pbool, |a, b| a > b),
            Instr::I32GtU => bin!(gu32, pbool, |a, b| a > b),
            Instr::I32LeS => bin!(gi32, pbool, |a, b| a <= b),
            Instr::I32LeU => bin!(gu32, pbool, |a, b| a <= b),
            Instr::I32GeS => bin!(gi32, pbool, |a, b| a >= b),
            Instr::I32GeU => bin!(gu32, pbool, |a, b| a >= b),
            Instr::I64Eqz => un!(gu64, pbool, |a| a == 0),
            Instr::I64Eq => bin!(gu64, pbool, |a, b| a == b),
            Instr::I64Ne => bin!(gu64, pbool, |a, b| a != b),
            Instr::I64LtS => bin!(gi64, pbool, |a, b| a < b),
            Instr::I64LtU => bin!(gu64, pbool, |a, b| a < b),
            Instr::I64GtS => bin!(gi64, pbool, |a, b| a > b),
            Instr::I64GtU => bin!(gu64, pbool, |a, b| a > b),
            Instr::I64LeS => bin!(gi64, pbool, |a, b| a <= b),
            Instr::I64LeU => bin!(gu64, pbool, |a, b| a <= b),
            Instr::I64GeS => bin!(gi64, pbool, |a, b| a >= b),
            Instr::I64GeU => bin!(gu64, pbool, |a, b| a >= b),
            Instr::F32Eq => bin!(gf32, pbool, |a, b| a == b),
            Instr::F32Ne => bin!(gf32, pbool, |a, b| a != b),
            Instr::F32Lt => bin!(gf32, pbool, |a, b| a < b),
            Instr::F32Gt => bin!(gf32, pbool, |a, b| a > b),
            Instr::F32Le => bin!(gf32, pbool, |a, b| a <= b),
            Instr::F32Ge => bin!(gf32, pbool, |a, b| a >= b),
            Instr::F64Eq => bin!(gf64, pbool, |a, b| a == b),
            Instr::F64Ne => bin!(gf64, pbool, |a, b| a != b),
            Instr::F64Lt => bin!(gf64, pbool, |a, b| a < b),
            Instr::F64Gt => bin!(gf64, pbool, |a, b| a > b),
            Instr::F64Le => bin!(gf64, pbool, |a, b| a <= b),
            Instr::F64Ge => bin!(gf64, pbool, |a, b| a >= b),
            Instr::I32Clz => un!(gu32, pu32, |a| a.leading_zeros()),
            Instr::I32Ctz => un!(gu32, pu32, |a| a.trailing_zeros()),
            Instr::I32Popcnt => un!(gu32, pu32, |a| a.count_ones()),
            Instr::I32Add => bin!(gu32, pu32, |a, b| a.wrapping_add(b)),
            Instr::I32Sub => bin!(gu32, pu32, |a, b| a.wrapping_sub(b)),
            Instr::I32Mul => bin!(gu32, pu32, |a, b| a.wrapping_mul(b)),
            Instr::I32DivS => bin!(gi32, pi32, |a, b| i32_div_s(a, b)?),
            Instr::I32DivU => bin!(gu32, pu32, |a, b| i32_div_u(a, b)?),
            Instr::I32RemS => bin!(gi32, pi32, |a, b| i32_rem_s(a, b)?),
            Instr::I32RemU => bin!(gu32, pu32, |a, b| i32_rem_u(a, b)?),
            Instr::I32And => bin!(gu32, pu32, |a, b| a & b),
            Instr::I32Or => bin!(gu32, pu32, |a, b| a | b),
            Instr::I32Xor => bin!(gu32, pu32, |a, b| a ^ b),
            Instr::I32Shl => bin!(gu32, pu32, |a, b| a.wrapping_shl(b)),
            Instr::I32ShrS => bin!(gi32, pi32, |a, b| a.wrapping_shr(b as u32)),
            Instr::I32ShrU => bin!(gu32, pu32, |a, b| a.wrapping_shr(b)),
            Instr::I32Rotl => bin!(gu32, pu32, |a, b| a.rotate_left(b % 32)),
            Instr::I32Rotr => bin!(gu32, pu32, |a, b| a.rotate_right(b % 32)),
            Instr::I64Clz => un!(gu64, pu64, |a| a.leading_zeros() as u64),
            Instr::I64Ctz => un!(gu64, pu64, |a| a.trailing_zeros() as u64),
            Instr::I64Popcnt => un!(gu64, pu64, |a| a.count_ones() as u64),
            Instr::I64Add => bin!(gu64, pu64, |a, b| a.wrapping_add(b)),
            Instr::I64Sub => bin!(gu64, pu64, |a, b| a.wrapping_sub(b)),
            Instr::I64Mul => bin!(gu64, pu64, |a, b| a.wrapping_mul(b)),
            Instr::I64DivS => bin!(gi64, pi64, |a, b| i64_div_s(a, b)?),
            Instr::I64DivU => bin!(gu64, pu64, |a, b| i64_div_u(a, b)?),
            Instr::I64RemS => bin!(gi64, pi64, |a, b| i64_rem_s(a, b)?),
            Instr::I64RemU => bin!(gu64, pu64, |a, b| i64_rem_u(a, b)?),
            Instr::I64And => bin!(gu64, pu64, |a, b| a & b),
            Instr::I64Or => bin!(gu64, pu64, |a, b| a | b),
            Instr::I64Xor => bin!(gu64, pu64, |a, b| a ^ b),
            Instr::I64Shl => bin!(gu64, pu64, |a, b| a.wrapping_shl(b as u32)),
            Instr::I64ShrS => bin!(gi64, pi64, |a, b| a.wrapping_shr(b as u32)),
            Instr::I64ShrU => bin!(gu64, pu64, |a, b| a.wrapping_shr(b as u32)),
            Instr::I64Rotl => bin!(gu64, pu64, |a, b| a.rotate_left((b % 64) as u32)),
            Instr::I64Rotr => bin!(gu64, pu64, |a, b| a.rotate_right((b % 64) as u32)),
            Instr::F32Abs => un!(gu32, pu32, |a| a & 0x7fff_ffff),
            Instr::F32Neg => un!(gu32, pu32, |a| a ^ 0x8000_0000),
            Instr::F32Ceil => un!(gf32, pf32, |a| quiet_f32(a.ceil())),
            Instr::F32Floor => un!(gf32, pf32, |a| quiet_f32(a.floor())),
            Instr::F32Trunc => un!(gf32, pf32, |a| quiet_f32(a.trunc())),
            Instr::F32Nearest => un!(gf32, pf32, |a| quiet_f32(f32_nearest(a))),
            Instr::F32Sqrt => un!(gf32, pf32, |a| quiet_f32(a.sqrt())),
            Instr::F32Add => bin!(gf32, pf32, |a, b| a + b),
            Instr::F32Sub => bin!(gf32, pf32, |a, b| a - b),
            Instr::F32Mul => bin!(gf32, pf32, |a, b| a * b),
            Instr::F32Div => bin!(gf32, pf32, |a, b| a / b),
            Instr::F32Min => bin!(gf32, pf32, |a, b| f32_min(a, b)),
            Instr::F32Max => bin!(gf32, pf32, |a, b| f32_max(a, b)),
            Instr::F32Copysign => bin!(gu32, pu32, |a, b| f32_copysign(a, b)),
            Instr::F64Abs => un!(gu64, pu64, |a| a & 0x7fff_ffff_ffff_ffff),
            Instr::F64Neg => un!(gu64, pu64, |a| a ^ 0x8000_0000_0000_0000),
            Instr::F64Ceil => un!(gf64, pf64, |a| quiet_f64(a.ceil())),
            Instr::F64Floor => un!(gf64, pf64, |a| quiet_f64(a.floor())),
            Instr::F64Trunc => un!(gf64, pf64, |a| quiet_f64(a.trunc())),
            Instr::F64Nearest => un!(gf64, pf64, |a| quiet_f64(f64_nearest(a))),
            Instr::F64Sqrt => un!(gf64, pf64, |a| quiet_f64(a.sqrt())),
            Instr::F64Add => bin!(gf64, pf64, |a, b| a + b),
            Instr::F64Sub => bin!(gf64, pf64, |a, b| a - b),
            Instr::F64Mul => bin!(gf64, pf64, |a, b| a * b),
            Instr::F64Div => bin!(gf64, pf64, |a, b| a / b),
            Instr::F64Min => bin!(gf64, pf64, |a, b| f64_min(a, b)),
            Instr::F64Max => bin!(gf64, pf64, |a, b| f64_max(a, b)),
            Instr::F64Copysign => bin!(gu64, pu64, |a, b| f64_copysign(a, b)),
            Instr::I32WrapI64 => un!(gu64, pu32, |a| a as u32),
            Instr::I32TruncF32S => un!(gf32, pi32, |a| i32_trunc_s(a as f64)?),
            Instr::I32TruncF32U => un!(gf32, pu32, |a| i32_trunc_u(a as f64)?),
            Instr::I32TruncF64S => un!(gf64, pi32, |a| i32_trunc_s(a)?),
            Instr::I32TruncF64U => un!(gf64, pu32, |a| i32_trunc_u(a)?),
            Instr::I64ExtendI32S => un!(gi32, pi64, |a| a as i64),
            Instr::I64ExtendI32U => un!(gu32, pu64, |a| a as u64),
            Instr::I64TruncF32S => un!(gf32, pi64, |a| i64_trunc_s(a as f64)?),
            Instr::I64TruncF32U => un!(gf32, pu64, |a| i64_trunc_u(a as f64)?),
            Instr::I64TruncF64S => un!(gf64, pi64, |a| i64_trunc_s(a)?),
            Instr::I64TruncF64U => un!(gf64, pu64, |a| i64_trunc_u(a)?),
            Instr::F32ConvertI32S => un!(gi32, pf32, |a| a as f32),
            Instr::F32ConvertI32U => un!(gu32, pf32, |a| a as f32),
            Instr::F32ConvertI64S => un!(gi64, pf32, |a| a as f32),
            Instr::F32ConvertI64U => un!(gu64, pf32, |a| a as f32),
            Instr::F32DemoteF64 => un!(gf64, pf32, |a| a as f32),
            Instr::F64ConvertI32S => un!(gi32, pf64, |a| a as f64),
            Instr::F64ConvertI32U => un!(gu32, pf64, |a| a as f64),
            Instr::F64ConvertI64S => un!(gi64, pf64, |a| a as f64),
            Instr::F64ConvertI64U => un!(gu64, pf64, |a| a as f64),
            Instr::F64PromoteF32 => un!(gf32, pf64, |a| a as f64),
            Instr::I32Extend8S => un!(gu32, pi32, |a| a as i8 as i32),
            Instr::I32Extend16S => un!(gu32, pi32, |a| a as i16 as i32),
            Instr::I64Extend8S => un!(gu64, pi64, |a| a as i8 as i64),
            Instr::I64Extend16S => un!(gu64, pi64, |a| a as i16 as i64),
            Instr::I64Extend32S => un!(gu64, pi64, |a| a as i32 as i64),
            Instr::I32TruncSatF32S => un!(gf32, pi32, |a| a as i32),
            Instr::I32TruncSatF32U => un!(gf32, pu32, |a| a as u32),
            Instr::I32TruncSatF64S => un!(gf64, pi32, |a| a as i32),
            Instr::I32TruncSatF64U => un!(gf64, pu32, |a| a as u32),
            Instr::I64TruncSatF32S => un!(gf32, pi64, |a| a as i64),
            Instr::I64TruncSatF32U => un!(gf32, pu64, |a| a as u64),
            Instr::I64TruncSatF64S => un!(gf64, pi64, |a| a as i64),
            Instr::I64TruncSatF64U => un!(gf64, pu64, |a| a as u64),
        }
    }
}
