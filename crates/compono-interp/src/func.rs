//! Functions: wasm-defined or host-defined, called dynamically or typed.

use crate::error::{Error, Result};
use crate::exec;
use crate::instance::{Extern, Instance};
use crate::store::{AsContext, AsContextMut, FuncData, FuncKind, Store, StoreId};
use crate::trap::Trap;
use crate::types::{FuncType, Val, ValType};
use std::marker::PhantomData;
use std::sync::Arc;

/// A host function: gets the caller (for the store and the calling
/// instance's exports), the arguments, and fills in the results.
pub type HostFunc<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync>;

/// A function in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// What a host function sees of its caller.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<Instance>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        self.store.data()
    }

    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance, e.g. its `memory`.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance.and_then(|i| i.get_export(&*self.store, name))
    }
}

impl Func {
    pub(crate) fn index(&self) -> usize {
        self.index as usize
    }

    fn push<T>(store: &mut Store<T>, ty: &FuncType, func: HostFunc<T>) -> Func {
        let host_index = store.host_funcs.len() as u32;
        store.host_funcs.push(func);
        let ty = store.inner.intern_type(ty);
        store.inner.funcs.push(FuncData {
            ty,
            kind: FuncKind::Host(host_index),
        });
        Func {
            store: store.inner.id,
            index: store.inner.funcs.len() as u32 - 1,
        }
    }

    /// Defines a host function of type `ty`.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        Func::push(store.as_context_mut(), &ty, Arc::new(func))
    }

    pub(crate) fn from_host_func<T>(
        store: &mut Store<T>,
        ty: &FuncType,
        func: HostFunc<T>,
    ) -> Func {
        Func::push(store, ty, func)
    }

    /// # Panics
    ///
    /// If the function belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context();
        store.inner.assert_owns(self.store, "function");
        store.inner.func_type(self.index).clone()
    }

    /// Calls with dynamically typed arguments; `results` must have the
    /// length of the function's result list.
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut();
        store.inner.check(self.store, "function")?;
        let ty = store.inner.func_type(self.index);
        if ty.params().len() != params.len()
            || params.iter().zip(ty.params()).any(|(v, t)| v.ty() != *t)
        {
            return Err(Error::Usage(format!(
                "arguments do not match the function type {ty}"
            )));
        }
        if ty.results().len() != results.len() {
            return Err(Error::Usage(format!(
                "expected {} result slots for {ty}",
                ty.results().len()
            )));
        }
        let id = store.inner.id;
        let slots = params
            .iter()
            .map(|v| v.to_slot_in(id))
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| Error::Usage("argument is a reference from a different store".into()))?;
        let out = exec::invoke(store, *self, &slots)?;
        let ty = store.inner.func_type(self.index);
        for ((result, slot), ty) in results.iter_mut().zip(out).zip(ty.results()) {
            *result = store.inner.val_for_host(*ty, slot);
        }
        Ok(())
    }

    /// A statically typed view, checked once here so calls are cheap.
    pub fn typed<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>> {
        let store = store.as_context();
        store.inner.check(self.store, "function")?;
        let ty = store.inner.func_type(self.index);
        if ty.params() != P::types().as_slice() || ty.results() != R::types().as_slice() {
            return Err(Error::Usage(format!(
                "function type {ty} does not match the requested typed signature"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// A Rust type that maps to one wasm value type.
pub trait WasmTy: Copy {
    const TYPE: ValType;
    fn to_slot(self) -> u64;
    fn from_slot(slot: u64) -> Self;
}

impl WasmTy for i32 {
    const TYPE: ValType = ValType::I32;
    fn to_slot(self) -> u64 {
        self as u32 as u64
    }
    fn from_slot(slot: u64) -> Self {
        slot as u32 as i32
    }
}
impl WasmTy for u32 {
    const TYPE: ValType = ValType::I32;
    fn to_slot(self) -> u64 {
        self as u64
    }
    fn from_slot(slot: u64) -> Self {
        slot as u32
    }
}
impl WasmTy for i64 {
    const TYPE: ValType = ValType::I64;
    fn to_slot(self) -> u64 {
        self as u64
    }
    fn from_slot(slot: u64) -> Self {
        slot as i64
    }
}
impl WasmTy for u64 {
    const TYPE: ValType = ValType::I64;
    fn to_slot(self) -> u64 {
        self
    }
    fn from_slot(slot: u64) -> Self {
        slot
    }
}
impl WasmTy for f32 {
    const TYPE: ValType = ValType::F32;
    fn to_slot(self) -> u64 {
        self.to_bits() as u64
    }
    fn from_slot(slot: u64) -> Self {
        f32::from_bits(slot as u32)
    }
}
impl WasmTy for f64 {
    const TYPE: ValType = ValType::F64;
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
    fn from_slot(slot: u64) -> Self {
        f64::from_bits(slot)
    }
}

/// Argument lists of typed calls: `()`, a single value, or tuples.
pub trait WasmParams {
    fn types() -> Vec<ValType>;
    fn to_slots(self) -> Vec<u64>;
}

/// Result lists of typed calls.
pub trait WasmResults: Sized {
    fn types() -> Vec<ValType>;
    fn from_slots(slots: &[u64]) -> Self;
    fn into_slots(self) -> Vec<u64>;
}

impl<A: WasmTy> WasmParams for A {
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn to_slots(self) -> Vec<u64> {
        vec![self.to_slot()]
    }
}

impl<A: WasmTy> WasmResults for A {
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn from_slots(slots: &[u64]) -> Self {
        A::from_slot(slots[0])
    }
    fn into_slots(self) -> Vec<u64> {
        vec![self.to_slot()]
    }
}

macro_rules! tuple_impls {
    ($($name:ident $idx:tt),*) => {
        impl<$($name: WasmTy),*> WasmParams for ($($name,)*) {
            fn types() -> Vec<ValType> {
                vec![$($name::TYPE),*]
            }
            #[allow(clippy::unused_unit, unused_variables)]
            fn to_slots(self) -> Vec<u64> {
                vec![$(self.$idx.to_slot()),*]
            }
        }
        impl<$($name: WasmTy),*> WasmResults for ($($name,)*) {
            fn types() -> Vec<ValType> {
                vec![$($name::TYPE),*]
            }
            #[allow(clippy::unused_unit, unused_variables)]
            fn from_slots(slots: &[u64]) -> Self {
                ($($name::from_slot(slots[$idx]),)*)
            }
            fn into_slots(self) -> Vec<u64> {
                vec![$(self.$idx.to_slot()),*]
            }
        }
    };
}
tuple_impls!();
tuple_impls!(A 0, B 1);
tuple_impls!(A 0, B 1, C 2);
tuple_impls!(A 0, B 1, C 2, D 3);
tuple_impls!(A 0, B 1, C 2, D 3, E 4);
tuple_impls!(A 0, B 1, C 2, D 3, E 4, F 5);

/// The bits of a numeric value (typed host functions take only numbers).
fn number_bits(v: &Val) -> u64 {
    match *v {
        Val::I32(v) => v as u32 as u64,
        Val::I64(v) => v as u64,
        Val::F32(v) => v as u64,
        Val::F64(v) => v,
        Val::FuncRef(_) | Val::ExternRef(_) | Val::ExnRef(_) => 0,
    }
}

/// A Rust closure usable as a host function: `Fn(Caller<T>, A, B, ...) ->
/// Result<R, Trap>` where the arguments are [`WasmTy`] and `R` is
/// [`WasmResults`]. The wasm type is derived from the Rust types.
pub trait IntoHostFunc<T, Params, Results>: Send + Sync + 'static {
    fn into_host_func(self) -> (FuncType, HostFunc<T>);
}

macro_rules! into_host_func_impls {
    ($($param:ident)*) => {
        impl<T, F, R, $($param),*> IntoHostFunc<T, ($($param,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($param),*) -> Result<R, Trap> + Send + Sync + 'static,
            R: WasmResults,
            $($param: WasmTy,)*
        {
            fn into_host_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new([$($param::TYPE),*], R::types());
                let result_types = R::types();
                let func: HostFunc<T> = Arc::new(move |caller, args, results| {
                    #[allow(unused_mut, unused_variables)]
                    let mut args = args.iter();
                    let out = self(caller, $($param::from_slot(args.next().map_or(0, number_bits))),*)?;
                    for ((result, slot), ty) in results.iter_mut().zip(out.into_slots()).zip(&result_types) {
                        // Typed results are numbers: no store is involved.
                        *result = Val::from_slot(*ty, slot, StoreId::NONE);
                    }
                    Ok(())
                });
                (ty, func)
            }
        }
    };
}
into_host_func_impls!();
into_host_func_impls!(A1);
into_host_func_impls!(A1 A2);
into_host_func_impls!(A1 A2 A3);
into_host_func_impls!(A1 A2 A3 A4);
into_host_func_impls!(A1 A2 A3 A4 A5);
into_host_func_impls!(A1 A2 A3 A4 A5 A6);

impl Func {
    /// Defines a host function from a typed closure.
    pub fn wrap<T, P, R>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoHostFunc<T, P, R>,
    ) -> Func {
        let (ty, func) = func.into_host_func();
        Func::from_host_func(store.as_context_mut(), &ty, func)
    }
}

/// A function whose signature was checked against `P -> R`.
pub struct TypedFunc<P, R> {
    func: Func,
    _marker: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    pub fn call<T>(&self, mut store: impl AsContextMut<Data = T>, params: P) -> Result<R> {
        let store = store.as_context_mut();
        store.inner.check(self.func.store, "function")?;
        let out = exec::invoke(store, self.func, &params.to_slots())?;
        Ok(R::from_slots(&out))
    }

    pub fn func(&self) -> Func {
        self.func
    }
}
