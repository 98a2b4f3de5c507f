//! Component functions: lifted from a component instance's core code, or
//! defined by the host. [`Func`] is the handle the embedder calls.

use crate::abi::{Options, StringEncoding};
use crate::call;
use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::types::{FuncType, Type};
use crate::val::{ResourceType, Val};
use compono_interp as core;
use std::sync::Arc;

/// A host function: gets the store, the arguments, and fills in the
/// results (one slot when the function has a result).
pub type HostFn<T> =
    Arc<dyn Fn(StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync>;

/// A function `canon lift` made: its instance, core function, type (as its
/// component sees it) and options.
pub(crate) struct LiftedFunc {
    pub instance: u32,
    pub core: core::Func,
    pub ty: Arc<FuncType>,
    pub opts: Options,
    /// Store ids of the resource types of the instance's slots.
    pub resources: Arc<[u32]>,
}

pub(crate) enum FuncData<T> {
    Lifted(Arc<LiftedFunc>),
    Host {
        /// The import it was given for, in error messages.
        name: Arc<str>,
        func: HostFn<T>,
        ty: Arc<FuncType>,
    },
}

impl<T> Clone for FuncData<T> {
    fn clone(&self) -> Self {
        match self {
            FuncData::Lifted(f) => FuncData::Lifted(f.clone()),
            FuncData::Host { name, func, ty } => FuncData::Host {
                name: name.clone(),
                func: func.clone(),
                ty: ty.clone(),
            },
        }
    }
}

impl<T> FuncData<T> {
    pub fn ty(&self) -> &Arc<FuncType> {
        match self {
            FuncData::Lifted(f) => &f.ty,
            FuncData::Host { ty, .. } => ty,
        }
    }
}

/// A component function in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

impl Func {
    /// Calls the function. `results` must have one slot when the function
    /// has a result, none otherwise. The callee's `post-return` runs before
    /// this returns, since the results are copied out.
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.core_mut();
        let ty = self.ty_in(store)?;
        let expected = usize::from(ty.result.is_some());
        if results.len() != expected {
            return Err(Error::usage(format!(
                "expected {expected} result slots, got {}",
                results.len()
            )));
        }
        let (result, _) = call::call_func(store, self.0, params, StringEncoding::Utf8)?;
        if let (Some(slot), Some(value)) = (results.first_mut(), result) {
            *slot = value;
        }
        Ok(())
    }

    /// Kept for the shape of wasmtime's API: [`Func::call`] already ran
    /// `post-return`.
    pub fn post_return<T>(&self, _store: impl AsContextMut<Data = T>) -> Result<()> {
        Ok(())
    }

    /// Parameter names and types.
    pub fn params<T>(&self, store: impl AsContext<Data = T>) -> Vec<(String, Type)> {
        self.ty_in(store.core())
            .map(|ty| ty.params.to_vec())
            .unwrap_or_default()
    }

    /// The result type, if any.
    pub fn result<T>(&self, store: impl AsContext<Data = T>) -> Option<Type> {
        self.ty_in(store.core())
            .ok()
            .and_then(|ty| ty.result.clone())
    }

    /// The resource type that an `own` or `borrow` in this function's
    /// signature refers to, as this instance binds it (a host-defined
    /// type for an imported resource, the instance's own for one it
    /// defines). `None` for other types and for host functions.
    pub fn resource_type<T>(
        &self,
        store: impl AsContext<Data = T>,
        ty: &Type,
    ) -> Option<ResourceType> {
        let (Type::Own(slot) | Type::Borrow(slot)) = ty else {
            return None;
        };
        let rt = &store.core().data().rt;
        match rt.funcs.get(self.0 as usize)? {
            FuncData::Lifted(f) => {
                let id = *f.resources.get(slot.0 as usize)?;
                (id != u32::MAX).then(|| rt.resource_type(id))
            }
            FuncData::Host { .. } => None,
        }
    }

    pub(crate) fn ty_in<T>(
        &self,
        store: &core::Store<crate::store::Data<T>>,
    ) -> Result<Arc<FuncType>> {
        store
            .data()
            .rt
            .funcs
            .get(self.0 as usize)
            .map(|f| f.ty().clone())
            .ok_or_else(|| Error::usage("function does not belong to this store"))
    }
}
