//! The store: the core interpreter's store, plus what the component layer
//! keeps per store (component instances' handle tables and flags, resource
//! types, component functions, the host's handles).

use crate::error::{Error, Result, Trap, TrapCode};
use crate::func::FuncData;
use crate::resources::{HandleError, HandleTable, HostTable, ResourceImpl};
use crate::val::{ResourceType, ResourceTypeKind};
use compono_interp as core;
use std::collections::HashMap;
use std::sync::Arc;

pub use compono_interp::{Config, Engine, StoreLimits};

/// A host resource destructor: gets the resource's representation.
pub type HostDtor<T> = Arc<dyn Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync>;

/// What the core store carries for the component layer.
#[doc(hidden)]
pub struct Data<T> {
    pub(crate) user: T,
    pub(crate) rt: Runtime<T>,
}

/// The state of one component instance that the canonical ABI needs.
pub(crate) struct InstanceState {
    pub handles: HandleTable,
    /// False while the instance lowers values, runs `realloc` for a
    /// lowering, or runs `post-return`: it may not call out then.
    pub may_leave: bool,
    /// True while a call into the instance is running (it may not be
    /// entered again).
    pub entered: bool,
    /// `context.get`/`context.set` storage of the running call.
    pub context: [u64; 2],
    /// `backpressure.inc`/`backpressure.dec`'s counter; a synchronous
    /// runtime never waits, so it only has to stay in range.
    pub backpressure: u32,
}

/// A call into a lifted export in progress: the borrows it was lent.
pub(crate) struct ExportCall {
    pub borrow_count: u32,
}

pub(crate) struct Runtime<T> {
    pub instances: Vec<InstanceState>,
    pub resource_types: Vec<ResourceImpl<T>>,
    /// Host resource types already given an id in this store.
    pub host_resource_ids: HashMap<ResourceType, u32>,
    pub funcs: Vec<FuncData<T>>,
    pub host_handles: HostTable,
    pub export_calls: Vec<ExportCall>,
    /// A component-level error raised inside a host function the core
    /// interpreter called, kept here while the core trap unwinds so the
    /// caller gets the original error back.
    pub pending: Option<Error>,
}

impl<T> Runtime<T> {
    pub fn new_instance(&mut self) -> u32 {
        self.instances.push(InstanceState {
            handles: HandleTable::default(),
            may_leave: true,
            entered: false,
            context: [0; 2],
            backpressure: 0,
        });
        self.instances.len() as u32 - 1
    }

    /// The store's id of a host resource type, made on first use.
    pub fn host_resource_id(&mut self, ty: ResourceType, dtor: Option<HostDtor<T>>) -> u32 {
        if let Some(id) = self.host_resource_ids.get(&ty) {
            // A later definition's destructor replaces none.
            if let (Some(dtor), Some(ResourceImpl::Host { dtor: slot, .. })) =
                (dtor, self.resource_types.get_mut(*id as usize))
                && slot.is_none()
            {
                *slot = Some(dtor);
            }
            return *id;
        }
        self.resource_types.push(ResourceImpl::Host { ty, dtor });
        let id = self.resource_types.len() as u32 - 1;
        self.host_resource_ids.insert(ty, id);
        id
    }

    pub fn new_guest_resource(&mut self, instance: u32, dtor: Option<core::Func>) -> u32 {
        self.resource_types
            .push(ResourceImpl::Guest { instance, dtor });
        self.resource_types.len() as u32 - 1
    }

    /// The public identity of the resource type with store id `rt`.
    pub fn resource_type(&self, rt: u32) -> ResourceType {
        match self.resource_types.get(rt as usize) {
            Some(ResourceImpl::Host { ty, .. }) => *ty,
            _ => ResourceType(ResourceTypeKind::Guest(rt)),
        }
    }

    /// The trap for a bad handle index, worded as wasmtime words it.
    pub fn handle_trap(&self, error: HandleError) -> Error {
        let kind = |rt: u32| match self.resource_types.get(rt as usize) {
            Some(ResourceImpl::Host { .. }) => "host-defined resource",
            _ => "guest-defined resource",
        };
        let trap = match error {
            HandleError::Unknown(index) => Trap::with_detail(
                TrapCode::UnknownHandle,
                format!("unknown handle index {index}"),
            ),
            HandleError::WrongType {
                index,
                expected,
                found,
            } => {
                let found = if kind(found) == kind(expected) {
                    format!("a different {}", kind(found))
                } else {
                    kind(found).to_string()
                };
                Trap::with_detail(
                    TrapCode::WrongHandleType,
                    format!(
                        "handle index {index} used with the wrong type, expected {} but found {found}",
                        kind(expected)
                    ),
                )
            }
        };
        Error::Trap(trap)
    }
}

/// Owns everything of the components instantiated in it, and the host's
/// state `T`.
pub struct Store<T> {
    pub(crate) inner: core::Store<Data<T>>,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: core::Store::new(
                engine,
                Data {
                    user: data,
                    rt: Runtime {
                        instances: Vec::new(),
                        resource_types: Vec::new(),
                        host_resource_ids: HashMap::new(),
                        funcs: Vec::new(),
                        host_handles: HostTable::default(),
                        export_calls: Vec::new(),
                        pending: None,
                    },
                },
            ),
        }
    }

    pub fn engine(&self) -> &Engine {
        self.inner.engine()
    }

    pub fn data(&self) -> &T {
        &self.inner.data().user
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data_mut().user
    }

    pub fn into_data(self) -> T {
        self.inner.into_data().user
    }

    /// Sets the remaining fuel (engines configured with
    /// [`Config::consume_fuel`]).
    pub fn set_fuel(&mut self, fuel: u64) {
        self.inner.set_fuel(fuel);
    }

    pub fn get_fuel(&self) -> u64 {
        self.inner.get_fuel()
    }

    /// Bounds the growth of memories and tables.
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.inner.set_limits(limits);
    }
}

/// Mutable access to a store from inside a host function.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut core::Store<Data<T>>);

impl<T> StoreContextMut<'_, T> {
    pub fn data(&self) -> &T {
        &self.0.data().user
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data_mut().user
    }
}

/// Read access to a store.
pub trait AsContext {
    type Data;
    #[doc(hidden)]
    fn core(&self) -> &core::Store<Data<Self::Data>>;
}

/// Write access to a store: the store itself, a [`StoreContextMut`], or a
/// mutable reference to either.
pub trait AsContextMut: AsContext {
    #[doc(hidden)]
    fn core_mut(&mut self) -> &mut core::Store<Data<Self::Data>>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn core(&self) -> &core::Store<Data<T>> {
        &self.inner
    }
}

impl<T> AsContextMut for Store<T> {
    fn core_mut(&mut self) -> &mut core::Store<Data<T>> {
        &mut self.inner
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn core(&self) -> &core::Store<Data<T>> {
        self.0
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn core_mut(&mut self) -> &mut core::Store<Data<T>> {
        self.0
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn core(&self) -> &core::Store<Data<S::Data>> {
        (**self).core()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn core(&self) -> &core::Store<Data<S::Data>> {
        (**self).core()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn core_mut(&mut self) -> &mut core::Store<Data<S::Data>> {
        (**self).core_mut()
    }
}
