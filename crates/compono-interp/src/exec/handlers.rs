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
#[cfg(compono_tail_dispatch)]
use crate::ir::is_kind;
use crate::ir::{Form, Op, Opcode, get_field};
use crate::isa::{flat_isa, with_isa};
use crate::numeric::*;
use crate::trap::TrapCode;

/// What a record holds to say which instruction it is.
#[cfg(compono_tail_dispatch)]
pub(crate) type Code = Handler;

/// What a record holds to say which instruction it is, in which form.
#[cfg(not(compono_tail_dispatch))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Code {
    op: Opcode,
    form: Form,
}

/// A handler: runs the instruction at `ip` and everything after it, until
/// execution leaves the dispatch. The last argument is the accumulator.
#[cfg(compono_tail_dispatch)]
pub(crate) type Handler = fn(Ip, *mut u64, *mut u8, usize, *mut Ctx, u64) -> Exit;

/// The handler of row `$name` (`$inp`, `$out`: whether it has such a
/// field) in code that meters fuel or not, in `$form`: a form about a
/// field the row does not have is its plain form, so that only handlers
/// that differ are instantiated.
#[cfg(compono_tail_dispatch)]
macro_rules! handler_in_form {
    ($name:ident, $inp:ident, $out:ident, $metered:expr, $form:expr) => {
        match ($metered, $form.acc_in, $form.acc_only) {
            (false, false, false) => handlers::$name::<false, false, true>,
            (false, false, true) => handlers::$name::<false, false, { !$out }>,
            (false, true, false) => handlers::$name::<false, { $inp }, true>,
            (false, true, true) => handlers::$name::<false, { $inp }, { !$out }>,
            (true, false, false) => handlers::$name::<true, false, true>,
            (true, false, true) => handlers::$name::<true, false, { !$out }>,
            (true, true, false) => handlers::$name::<true, { $inp }, true>,
            (true, true, true) => handlers::$name::<true, { $inp }, { !$out }>,
        }
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
        pub(crate) const fn code_for(op: Opcode, metered: bool, form: Form) -> Code {
            match op {
                $(Opcode::$name => {
                    const INP: bool = false $(|| is_kind!(inp, $kind))*;
                    const OUT: bool = false $(|| is_kind!(out, $kind))*;
                    handler_in_form!($name, INP, OUT, metered, form)
                })*
            }
        }

        /// The opcode of a record and its form (for inspecting translated
        /// code).
        #[cfg(compono_tail_dispatch)]
        pub(crate) fn opcode_of(op: &Op) -> (Opcode, Form) {
            let forms = [false, true]
                .into_iter()
                .flat_map(|acc_in| [false, true].map(|acc_only| Form { acc_in, acc_only }));
            for &o in Opcode::ALL {
                for form in forms.clone() {
                    if std::ptr::fn_addr_eq(code_for(o, false, form), op.code)
                        || std::ptr::fn_addr_eq(code_for(o, true, form), op.code)
                    {
                        return (o, form);
                    }
                }
            }
            (Opcode::Data, Form::PLAIN)
        }

        #[cfg(compono_tail_dispatch)]
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::all)]
        mod handlers {
            use super::*;
            $(
                pub(super) fn $name<const FUEL: bool, const ACC: bool, const KEEP: bool>(ip: Ip, sp: *mut u64, mem: *mut u8, mem_len: usize, ctx: *mut Ctx, acc: u64) -> Exit {
                    let mut state = State { ip, sp, mem, mem_len, ctx, acc, acc_in: ACC, keep_out: KEEP };
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
        pub(crate) const fn code_for(op: Opcode, _metered: bool, form: Form) -> Code {
            Code { op, form }
        }

        #[cfg(not(compono_tail_dispatch))]
        pub(crate) fn opcode_of(op: &Op) -> (Opcode, Form) {
            (op.code.op, op.code.form)
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
                state.acc_in = op.code.form.acc_in;
                state.keep_out = !op.code.form.acc_only;
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
        keep_out: true,
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
        Flow::Return => Exit::Return,
        Flow::Next | Flow::Skip(_) | Flow::Jump(_) | Flow::Continue | Flow::Table(_) => {
            unreachable!("not an exit")
        }
    }
}
