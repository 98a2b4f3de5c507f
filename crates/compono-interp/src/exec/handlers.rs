//! The executor's handlers, one per instruction of the table in `isa.rs`,
//! and the dispatch that runs them.
//!
//! Two dispatch strategies come from the same handler bodies:
//!
//! - **tail calls** (optimised builds on x86-64 and AArch64): each handler
//!   is its own function, and ends by calling the next instruction's
//!   handler, whose address the record holds, in tail position. LLVM turns
//!   those calls into jumps, so the state stays in argument registers and
//!   every handler has its own indirect branch to predict.
//! - **a loop** over a `match` on the opcode (any other build: without
//!   optimisation LLVM does not turn tail calls into jumps, and the native
//!   stack would grow with every instruction).
//!
//! `cargo xtask bench interp` measures the two (see the README).

use super::Ctx;
use super::unchecked::Ip;
use super::unchecked::State;
use super::{Exit, Flow};
use crate::ir::{Op, Opcode, get_field};
use crate::isa::{flat_isa, with_isa};
use crate::numeric::*;
use crate::trap::TrapCode;

/// What a record holds to say which instruction it is.
#[cfg(compono_tail_dispatch)]
pub(crate) type Code = Handler;

/// What a record holds to say which instruction it is, and whether it reads
/// its `inp` operand from the accumulator.
#[cfg(not(compono_tail_dispatch))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Code {
    op: Opcode,
    acc: bool,
}

/// A handler: runs the instruction at `ip` and everything after it, until
/// execution leaves the dispatch. The last argument is the accumulator.
#[cfg(compono_tail_dispatch)]
pub(crate) type Handler = fn(Ip, *mut u64, *mut u8, usize, *mut Ctx, u64) -> Exit;

/// The handler of `$name`, in code that meters fuel or not (`$fuel`), in
/// the form that reads its `inp` operand from the accumulator if it has
/// one (and the plain form otherwise: no other is ever asked for).
#[cfg(compono_tail_dispatch)]
macro_rules! acc_form {
    ($name:ident $fuel:literal [inp $($rest:ident)*]) => {
        handlers::$name::<$fuel, true>
    };
    ($name:ident $fuel:literal [$other:ident $($rest:ident)*]) => {
        acc_form!($name $fuel [$($rest)*])
    };
    ($name:ident $fuel:literal []) => {
        handlers::$name::<$fuel, false>
    };
}

fn trap_code(code: u16) -> TrapCode {
    TrapCode::from_u16(code)
}

macro_rules! define_handlers {
    ($($name:ident { $($field:ident : $kind:ident @ $pos:ident),* } ($s:ident) $body:block)*) => {
        /// What a record of opcode `op` holds in its `code`, in code that
        /// meters fuel or not.
        #[cfg(compono_tail_dispatch)]
        pub(crate) const fn code_for(op: Opcode, metered: bool, acc: bool) -> Code {
            match (metered, acc) {
                (true, true) => match op {
                    $(Opcode::$name => acc_form!($name true [$($kind)*]),)*
                },
                (false, true) => match op {
                    $(Opcode::$name => acc_form!($name false [$($kind)*]),)*
                },
                (true, false) => match op {
                    $(Opcode::$name => handlers::$name::<true, false>,)*
                },
                (false, false) => match op {
                    $(Opcode::$name => handlers::$name::<false, false>,)*
                },
            }
        }

        /// The opcode of a record and whether it reads the accumulator
        /// (for inspecting translated code).
        #[cfg(compono_tail_dispatch)]
        pub(crate) fn opcode_of(op: &Op) -> (Opcode, bool) {
            for &o in Opcode::ALL {
                for acc in [false, true] {
                    if std::ptr::fn_addr_eq(code_for(o, false, acc), op.code)
                        || std::ptr::fn_addr_eq(code_for(o, true, acc), op.code)
                    {
                        return (o, acc);
                    }
                }
            }
            (Opcode::Data, false)
        }

        #[cfg(compono_tail_dispatch)]
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::all)]
        mod handlers {
            use super::*;
            $(
                pub(super) fn $name<const FUEL: bool, const ACC: bool>(ip: Ip, sp: *mut u64, mem: *mut u8, mem_len: usize, ctx: *mut Ctx, acc: u64) -> Exit {
                    let mut state = State { ip, sp, mem, mem_len, ctx, acc, acc_in: ACC };
                    let op = state.op();
                    $(let $field = get_field!(op, $pos, $kind);)*
                    let flow: Flow = {
                        let $s = &mut state;
                        $body
                    };
                    match flow {
                        Flow::Next => {
                            state.ip = state.ip.wrapping_add(1);
                            dispatch(state)
                        }
                        Flow::Skip(n) => {
                            state.ip = state.ip.wrapping_add(n);
                            dispatch(state)
                        }
                        Flow::Jump(offset) => {
                            if FUEL && offset <= 0 && !charge_backward_jump(&mut state) {
                                return exit(state.ip, state.sp, state.ctx, Flow::Trap(TrapCode::OutOfFuel));
                            }
                            state.ip = state.ip.wrapping_offset(offset as isize);
                            dispatch(state)
                        }
                        Flow::Continue => dispatch(state),
                        Flow::Table(n) => {
                            let entry = state.ext(n);
                            let offset = n as i32 + entry.r as i32;
                            if FUEL && offset <= 0 && !charge_backward_jump(&mut state) {
                                return exit(state.ip, state.sp, state.ctx, Flow::Trap(TrapCode::OutOfFuel));
                            }
                            state.ip = state.ip.wrapping_offset(offset as isize);
                            if cfg!(feature = "checked") {
                                assert!(std::ptr::fn_addr_eq(entry.code, state.op().code), "a br_table entry's handler is its target's");
                            }
                            // The entry's copy of the handler: no load of
                            // the target's record before the jump.
                            (entry.code)(state.ip, state.sp, state.mem, state.mem_len, state.ctx, state.acc)
                        }
                        other => exit(state.ip, state.sp, state.ctx, other),
                    }
                }
            )*
        }

        #[cfg(not(compono_tail_dispatch))]
        pub(crate) const fn code_for(op: Opcode, _metered: bool, acc: bool) -> Code {
            Code { op, acc }
        }

        #[cfg(not(compono_tail_dispatch))]
        pub(crate) fn opcode_of(op: &Op) -> (Opcode, bool) {
            (op.code.op, op.code.acc)
        }

        /// Runs from `state.ip` until execution halts, traps or calls the host.
        #[cfg(not(compono_tail_dispatch))]
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::all)]
        pub(crate) fn run(mut state: State) -> Exit {
            // All code of a store meters fuel or none does (it is the
            // engine's setting), so one look decides for the whole run.
            let metered = state.ctx().metered();
            loop {
                let op = state.op();
                state.acc_in = op.code.acc;
                let flow: Flow = match op.code.op {
                    $(Opcode::$name => {
                        $(let $field = get_field!(op, $pos, $kind);)*
                        let $s = &mut state;
                        $body
                    })*
                };
                match flow {
                    Flow::Next => state.ip = state.ip.wrapping_add(1),
                    Flow::Skip(n) => state.ip = state.ip.wrapping_add(n),
                    Flow::Jump(offset) => {
                        if metered && offset <= 0 && !charge_backward_jump(&mut state) {
                            return exit(state.ip, state.sp, state.ctx, Flow::Trap(TrapCode::OutOfFuel));
                        }
                        state.ip = state.ip.wrapping_offset(offset as isize)
                    }
                    Flow::Continue => {}
                    Flow::Table(n) => {
                        let offset = n as i32 + state.ext(n).r as i32;
                        if metered && offset <= 0 && !charge_backward_jump(&mut state) {
                            return exit(state.ip, state.sp, state.ctx, Flow::Trap(TrapCode::OutOfFuel));
                        }
                        state.ip = state.ip.wrapping_offset(offset as isize)
                    }
                    other => return exit(state.ip, state.sp, state.ctx, other),
                }
            }
        }
    };
}
with_isa!(flat_isa, define_handlers);

/// Runs from `state.ip` until execution halts, traps or calls the host.
#[cfg(compono_tail_dispatch)]
pub(crate) fn run(state: State) -> Exit {
    dispatch(state)
}

#[cfg(compono_tail_dispatch)]
#[inline(always)]
fn dispatch(state: State) -> Exit {
    let handler = state.op().code;
    handler(
        state.ip,
        state.sp,
        state.mem,
        state.mem_len,
        state.ctx,
        state.acc,
    )
}

/// Charges the unit of fuel a backward jump costs; false if none is left.
///
/// Metered code pays at function entries and on backward jumps: every
/// endless run makes infinitely many of one or the other (wasm branches
/// backward only to loop heads), and a backward jump is rarer and cheaper
/// to charge than a separate instruction at every loop head.
#[inline(always)]
fn charge_backward_jump(state: &mut State) -> bool {
    let ctx = state.ctx();
    if ctx.fuel == 0 {
        return false;
    }
    ctx.fuel -= 1;
    true
}

/// Leaves the dispatch, saving the state the executor resumes from.
///
/// It takes the state's fields, not a `State`: a struct goes by address,
/// and a handler would then keep its whole state on the native stack from
/// its first instruction on, just in case (as metered branches did).
#[cold]
#[inline(never)]
fn exit(ip: Ip, sp: *mut u64, ctx: *mut Ctx, flow: Flow) -> Exit {
    let state = State {
        ip,
        sp,
        mem: std::ptr::null_mut(),
        mem_len: 0,
        ctx,
        acc: 0,
        acc_in: false,
    };
    let ctx = state.ctx();
    ctx.ip = ip;
    ctx.sp = sp;
    match flow {
        Flow::Trap(code) => {
            ctx.trap = code;
            Exit::Trap
        }
        Flow::Halt => Exit::Halt,
        Flow::Host => Exit::Host,
        Flow::Grow => Exit::Grow,
        Flow::Next | Flow::Skip(_) | Flow::Jump(_) | Flow::Continue | Flow::Table(_) => {
            unreachable!("not an exit")
        }
    }
}
