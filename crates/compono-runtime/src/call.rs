//! The call protocols of CanonicalABI.md: `canon lift` ([`call_lifted`]),
//! `canon lower` ([`call_lowered`]) and the resource built-ins, with the
//! instance flags (`may_leave`, entered) and handle scopes they keep.

use crate::abi::layout::FlatType;
use crate::abi::{Cx, Options, Scope, StringEncoding, lift, lower};
use crate::error::{Error, Result, Trap, TrapCode};
use crate::func::{FuncData, LiftedFunc};
use crate::resources::{HandleElem, ResourceImpl};
use crate::store::{Data, ExportCall, StoreContextMut};
use crate::types::FuncType;
use crate::val::{ResourceAny, Val};
use compono_interp as core;
use compono_interp::AsContextMut as _;
use std::sync::Arc;

type CoreStore<T> = core::Store<Data<T>>;

/// Calls a core function, turning a core trap back into the component
/// error that caused it when a host function of ours raised it.
pub(crate) fn call_core<T>(
    store: &mut CoreStore<T>,
    func: core::Func,
    args: &[core::Val],
    results: &mut [core::Val],
) -> Result<()> {
    func.call(&mut *store, args, results)
        .map_err(|e| core_error(store, e))
}

/// A core error as a component error; see [`call_core`].
pub(crate) fn core_error<T>(store: &mut CoreStore<T>, error: core::Error) -> Error {
    match error {
        core::Error::Trap(trap) => match store.data_mut().rt.pending.take() {
            // A trap further in (another component's code called through
            // a lowered import) also happened in the core code running here.
            Some(Error::Trap(inner)) if trap.code() == core::TrapCode::Host => {
                let frames = inner.backtrace().iter().chain(trap.backtrace());
                let frames = frames.cloned().collect();
                Error::Trap(inner.with_backtrace(frames))
            }
            Some(error) if trap.code() == core::TrapCode::Host => error,
            _ => Trap::with_detail(TrapCode::Core(trap.code()), trap.to_string())
                .with_backtrace(trap.backtrace().to_vec())
                .into(),
        },
        other => Error::usage(other.to_string()),
    }
}

/// Makes a core function whose body is `f`; a component-level error from
/// `f` travels through the core trap to whoever called into core wasm.
pub(crate) fn core_host_func<T: 'static>(
    store: &mut CoreStore<T>,
    ty: core::FuncType,
    f: impl Fn(&mut CoreStore<T>, &[core::Val], &mut [core::Val]) -> Result<()> + Send + Sync + 'static,
) -> core::Func {
    core::Func::new(store, ty, move |mut caller, args, results| {
        let store = caller.as_context_mut();
        f(store, args, results).map_err(|error| {
            let message = error.to_string();
            store.data_mut().rt.pending = Some(error);
            core::Trap::host(message)
        })
    })
}

pub(crate) fn to_bits(v: &core::Val) -> u64 {
    match v {
        core::Val::I32(i) => *i as u32 as u64,
        core::Val::I64(i) => *i as u64,
        core::Val::F32(bits) => *bits as u64,
        core::Val::F64(bits) => *bits,
        _ => 0,
    }
}

pub(crate) fn from_bits(bits: u64, ty: FlatType) -> core::Val {
    match ty {
        FlatType::I32 => core::Val::I32(bits as u32 as i32),
        FlatType::I64 => core::Val::I64(bits as i64),
        FlatType::F32 => core::Val::F32(bits as u32),
        FlatType::F64 => core::Val::F64(bits),
    }
}

fn state<T>(store: &mut CoreStore<T>, instance: u32) -> Result<&mut crate::store::InstanceState> {
    store
        .data_mut()
        .rt
        .instances
        .get_mut(instance as usize)
        .ok_or_else(|| Error::usage("no such component instance"))
}

fn set_may_leave<T>(store: &mut CoreStore<T>, instance: u32, value: bool) -> Result<()> {
    state(store, instance)?.may_leave = value;
    Ok(())
}

/// Traps unless the instance may call out (CanonicalABI.md: every
/// `canon lower` and built-in begins with this check).
pub(crate) fn check_may_leave<T>(store: &mut CoreStore<T>, instance: u32) -> Result<()> {
    if !state(store, instance)?.may_leave {
        return Err(Trap::new(TrapCode::CannotLeave).into());
    }
    Ok(())
}

/// Calls any component function with values lifted from a side using the
/// string encoding `src`; returns the result and the encoding its strings
/// were lifted with.
pub(crate) fn call_func<T>(
    store: &mut CoreStore<T>,
    func: u32,
    args: &[Val],
    src: StringEncoding,
) -> Result<(Option<Val>, StringEncoding)> {
    let data = store
        .data()
        .rt
        .funcs
        .get(func as usize)
        .cloned()
        .ok_or_else(|| Error::usage("function does not belong to this store"))?;
    match data {
        FuncData::Lifted(f) => Ok((call_lifted(store, &f, args, src)?, f.opts.encoding)),
        FuncData::Host { func, ty, name } => {
            let mut results = vec![Val::Bool(false); usize::from(ty.result.is_some())];
            func(StoreContextMut(store), args, &mut results).map_err(|e| match e {
                Error::Trap(trap) => Error::Trap(trap),
                Error::Exit(status) => Error::Exit(status),
                other => Error::Trap(Trap::host(format!(
                    "host function `{name}` failed: {other}"
                ))),
            })?;
            Ok((results.pop(), StringEncoding::Utf8))
        }
    }
}

/// `canon lift`: enters the instance, lowers the arguments into it, runs
/// the core function, lifts its result and runs `post-return`.
fn call_lifted<T>(
    store: &mut CoreStore<T>,
    f: &LiftedFunc,
    args: &[Val],
    src: StringEncoding,
) -> Result<Option<Val>> {
    let entered = state(store, f.instance)?;
    if entered.entered {
        return Err(Trap::new(TrapCode::CannotEnter).into());
    }
    entered.entered = true;
    entered.context = [0; 2];
    store
        .data_mut()
        .rt
        .export_calls
        .push(ExportCall { borrow_count: 0 });
    let call = store.data().rt.export_calls.len() - 1;
    let outcome = run_lifted(store, f, args, src, call);
    let borrows = store
        .data_mut()
        .rt
        .export_calls
        .pop()
        .map_or(0, |c| c.borrow_count);
    if let Ok(state) = state(store, f.instance) {
        state.entered = false;
        state.may_leave = true;
    }
    let result = outcome?;
    if borrows != 0 {
        return Err(Trap::new(TrapCode::BorrowsRemain).into());
    }
    Ok(result)
}

fn run_lifted<T>(
    store: &mut CoreStore<T>,
    f: &LiftedFunc,
    args: &[Val],
    src: StringEncoding,
    call: usize,
) -> Result<Option<Val>> {
    set_may_leave(store, f.instance, false)?;
    let mut scope = Scope::Export { call };
    let flat = lower::lower_params(
        &mut Cx {
            store,
            opts: &f.opts,
            instance: f.instance,
            resources: &f.resources,
            scope: &mut scope,
        },
        &f.ty,
        args,
        src,
    )?;
    set_may_leave(store, f.instance, true)?;
    let core_args: Vec<core::Val> = flat
        .iter()
        .zip(f.ty.core_params.iter())
        .map(|(bits, ty)| from_bits(*bits, *ty))
        .collect();
    let mut core_results: Vec<core::Val> =
        f.ty.core_results
            .iter()
            .map(|ty| from_bits(0, *ty))
            .collect();
    call_core(store, f.core, &core_args, &mut core_results)?;
    let flat_results: Vec<u64> = core_results.iter().map(to_bits).collect();
    let mut scope = Scope::Results;
    let result = lift::lift_result(
        &mut Cx {
            store,
            opts: &f.opts,
            instance: f.instance,
            resources: &f.resources,
            scope: &mut scope,
        },
        &f.ty,
        &flat_results,
    )?;
    if let Some(post_return) = f.opts.post_return {
        set_may_leave(store, f.instance, false)?;
        call_core(store, post_return, &core_results, &mut [])?;
        set_may_leave(store, f.instance, true)?;
    }
    Ok(result)
}

/// A `canon lower`: the instance calling, the function it calls, and the
/// function's type and options as the caller sees them.
pub(crate) struct LowerPlan {
    pub instance: u32,
    pub callee: u32,
    pub ty: Arc<FuncType>,
    pub opts: Options,
    pub resources: Arc<[u32]>,
}

/// `canon lower`: lifts the caller's arguments, calls, and lowers the
/// result back into the caller; lends end when the call does.
pub(crate) fn call_lowered<T>(
    store: &mut CoreStore<T>,
    plan: &LowerPlan,
    args: &[core::Val],
    results: &mut [core::Val],
) -> Result<()> {
    check_may_leave(store, plan.instance)?;
    let flat: Vec<u64> = args.iter().map(to_bits).collect();
    let mut scope = Scope::Import {
        lenders: Vec::new(),
        host_borrows: Vec::new(),
    };
    let outcome = run_lowered(store, plan, &flat, results, &mut scope);
    if let Scope::Import {
        lenders,
        host_borrows,
    } = scope
    {
        let data = store.data_mut();
        for (instance, index) in lenders {
            if let Some(elem) = data
                .rt
                .instances
                .get_mut(instance as usize)
                .and_then(|s| s.handles.get_any(index))
            {
                elem.lend_count = elem.lend_count.saturating_sub(1);
            }
        }
        data.rt.host_handles.end_borrows(&host_borrows);
    }
    outcome
}

fn run_lowered<T>(
    store: &mut CoreStore<T>,
    plan: &LowerPlan,
    flat: &[u64],
    results: &mut [core::Val],
    scope: &mut Scope,
) -> Result<()> {
    let params = lift::lift_params(
        &mut Cx {
            store,
            opts: &plan.opts,
            instance: plan.instance,
            resources: &plan.resources,
            scope,
        },
        &plan.ty,
        flat,
    )?;
    let (result, src) = call_func(store, plan.callee, &params, plan.opts.encoding)?;
    // A spilled result goes where the pointer after the arguments says.
    let out_ptr = plan
        .ty
        .flat_result
        .is_none()
        .then(|| flat.get(plan.ty.core_params.len()).map(|p| *p as u32))
        .flatten();
    set_may_leave(store, plan.instance, false)?;
    let mut result_scope = Scope::Results;
    let flat_results = lower::lower_result(
        &mut Cx {
            store,
            opts: &plan.opts,
            instance: plan.instance,
            resources: &plan.resources,
            scope: &mut result_scope,
        },
        &plan.ty,
        result.as_ref(),
        out_ptr,
        src,
    );
    set_may_leave(store, plan.instance, true)?;
    let flat_results = flat_results?;
    if let Some(types) = &plan.ty.flat_result {
        for ((slot, bits), ty) in results.iter_mut().zip(flat_results).zip(types.iter()) {
            *slot = from_bits(bits, *ty);
        }
    }
    Ok(())
}

/// `canon resource.new`.
pub(crate) fn resource_new<T>(
    store: &mut CoreStore<T>,
    instance: u32,
    rt: u32,
    rep: u32,
) -> Result<u32> {
    check_may_leave(store, instance)?;
    state(store, instance)?.handles.add(HandleElem {
        rt,
        rep,
        own: true,
        scope: None,
        lend_count: 0,
    })
}

/// `canon resource.rep`.
pub(crate) fn resource_rep<T>(
    store: &mut CoreStore<T>,
    instance: u32,
    rt: u32,
    index: u32,
) -> Result<u32> {
    let data = store.data_mut();
    let state = data
        .rt
        .instances
        .get_mut(instance as usize)
        .ok_or_else(|| Error::usage("no such component instance"))?;
    match state.handles.get(rt, index) {
        Ok(elem) => Ok(elem.rep),
        Err(e) => Err(data.rt.handle_trap(e)),
    }
}

/// `canon resource.drop`.
pub(crate) fn resource_drop<T>(
    store: &mut CoreStore<T>,
    instance: u32,
    rt: u32,
    index: u32,
) -> Result<()> {
    check_may_leave(store, instance)?;
    let data = store.data_mut();
    let state = data
        .rt
        .instances
        .get_mut(instance as usize)
        .ok_or_else(|| Error::usage("no such component instance"))?;
    match state.handles.get(rt, index) {
        Ok(elem) if elem.own && elem.lend_count != 0 => {
            return Err(Trap::new(TrapCode::HandleLent).into());
        }
        Ok(_) => {}
        Err(e) => return Err(data.rt.handle_trap(e)),
    }
    let elem = match state.handles.remove(rt, index) {
        Ok(elem) => elem,
        Err(e) => return Err(data.rt.handle_trap(e)),
    };
    if !elem.own {
        if let Some(call) = elem.scope.and_then(|c| data.rt.export_calls.get_mut(c)) {
            call.borrow_count = call.borrow_count.saturating_sub(1);
        }
        return Ok(());
    }
    run_dtor(store, rt, elem.rep, Some(instance))
}

/// Runs the destructor of an own handle's resource: directly when the
/// dropping instance implements it, else as a call into its implementer,
/// which must not be running.
pub(crate) fn run_dtor<T>(
    store: &mut CoreStore<T>,
    rt: u32,
    rep: u32,
    dropper: Option<u32>,
) -> Result<()> {
    enum Dtor<T> {
        Guest(u32, Option<core::Func>),
        Host(Option<crate::store::HostDtor<T>>),
    }
    let dtor = match store.data().rt.resource_types.get(rt as usize) {
        Some(ResourceImpl::Guest { instance, dtor }) => Dtor::Guest(*instance, *dtor),
        Some(ResourceImpl::Host { dtor, .. }) => Dtor::Host(dtor.clone()),
        None => return Err(Error::usage("unknown resource type")),
    };
    match dtor {
        Dtor::Guest(implementer, dtor) if Some(implementer) == dropper => match dtor {
            Some(dtor) => call_core(store, dtor, &[core::Val::I32(rep as i32)], &mut []),
            None => Ok(()),
        },
        Dtor::Guest(implementer, dtor) => {
            let state = state(store, implementer)?;
            if state.entered {
                return Err(Trap::new(TrapCode::CannotEnter).into());
            }
            let Some(dtor) = dtor else {
                return Ok(());
            };
            state.entered = true;
            let outcome = call_core(store, dtor, &[core::Val::I32(rep as i32)], &mut []);
            if let Ok(state) = crate::call::state(store, implementer) {
                state.entered = false;
            }
            outcome
        }
        Dtor::Host(Some(dtor)) => dtor(StoreContextMut(store), rep),
        Dtor::Host(None) => Ok(()),
    }
}

/// Drops a resource handle the host holds: an own runs the destructor.
pub(crate) fn drop_host_handle<T>(store: &mut CoreStore<T>, r: &ResourceAny) -> Result<()> {
    let handle = store
        .data_mut()
        .rt
        .host_handles
        .remove(r)
        .ok_or_else(|| Error::usage("resource handle was already consumed or dropped"))?;
    if handle.own {
        run_dtor(store, handle.rt, handle.rep, None)?;
    }
    Ok(())
}
