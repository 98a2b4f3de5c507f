//! The store: owns every instance, function, memory, table and global, and
//! the host's state.

use crate::engine::Engine;
use crate::exec::Frame;
use crate::func::{Caller, HostFunc};
use crate::instance::{InstanceData, InstanceSegments};
use crate::memory::LinearMemory;
use crate::tag::{ExnData, TagData};
use crate::types::{ExternRef, FuncType, GlobalType, TableType};
use crate::types::{Val, ValType};
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which store a handle belongs to: every store gets a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StoreId(u64);

impl StoreId {
    /// Belongs to no store (values that hold no reference).
    pub(crate) const NONE: StoreId = StoreId(0);

    fn next() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

#[derive(Clone, Copy)]
pub(crate) enum FuncKind {
    Wasm {
        instance: u32,
        /// The function's `Enter` record in its module's code.
        entry: u32,
        num_params: u16,
        num_results: u16,
    },
    /// Index into [`Store::host_funcs`].
    Host(u32),
}

pub(crate) struct FuncData {
    /// Interned type id (see [`StoreInner::intern_type`]).
    pub ty: u32,
    pub kind: FuncKind,
}

pub(crate) type MemoryData = LinearMemory;

pub(crate) struct TableData {
    pub ty: TableType,
    pub elems: Vec<u64>,
}

pub(crate) struct GlobalData {
    pub ty: GlobalType,
    pub value: u64,
}

/// How much a store's guests may grow memories and tables.
#[derive(Clone, Copy, Debug)]
pub struct StoreLimits {
    /// Largest size in 64 KiB pages any one memory may reach.
    pub max_memory_pages: u64,
    /// Largest number of elements any one table may reach.
    pub max_table_elements: u64,
}

impl Default for StoreLimits {
    fn default() -> StoreLimits {
        StoreLimits {
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
        }
    }
}

/// Everything in a store that does not depend on the host state type.
pub(crate) struct StoreInner {
    pub id: StoreId,
    pub engine: Engine,
    pub funcs: Vec<FuncData>,
    pub memories: Vec<MemoryData>,
    pub tables: Vec<TableData>,
    pub globals: Vec<GlobalData>,
    pub instances: Vec<InstanceData>,
    /// Parallel to `instances`.
    pub instance_segments: Vec<InstanceSegments>,
    pub types: Vec<FuncType>,
    type_ids: HashMap<FuncType, u32>,
    pub extern_refs: Vec<Box<dyn Any + Send + Sync>>,
    pub tags: Vec<TagData>,
    /// Exceptions thrown so far; an `exnref` is an index here plus one.
    pub exns: Vec<ExnData>,
    /// Entries of `exns` no reference can reach any more, for reuse.
    pub free_exns: Vec<u32>,
    /// How many exceptions make `new_exn` look for unreachable ones.
    pub collect_exns_at: usize,
    pub limits: StoreLimits,
    pub fuel: u64,
    /// Return records of the wasm calls in progress, across nested
    /// invocations (host functions calling back into wasm); one per active
    /// wasm or host function.
    pub frames: Vec<Frame>,
    /// The value stack, allocated on first use (zeroed pages are mapped
    /// lazily); the frames of every invocation live in it.
    pub stack: Box<[u64]>,
    /// Slots of `stack` used by invocations in progress (a host function
    /// calling back into wasm continues above them).
    pub stack_in_use: usize,
    /// Invocations in progress (more than one when host functions call
    /// back into wasm).
    pub active_invocations: u32,
}

impl StoreInner {
    /// Function types are interned so `call_indirect` compares integers.
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        if let Some(id) = self.type_ids.get(ty) {
            return *id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), id);
        id
    }

    /// A slot's value of type `ty` as the host receives it.
    pub(crate) fn val_for_host(&self, ty: ValType, slot: u64) -> Val {
        if ty == ValType::ExnRef {
            self.hand_to_host(slot);
        }
        Val::from_slot(ty, slot, self.id)
    }

    pub(crate) fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize].ty as usize]
    }

    /// An error unless a handle with store id `store` belongs here.
    pub(crate) fn check(&self, store: StoreId, what: &str) -> crate::Result<()> {
        if store == self.id {
            Ok(())
        } else {
            Err(crate::Error::Usage(format!(
                "{what} belongs to a different store"
            )))
        }
    }

    /// Panics unless a handle with store id `store` belongs here, for
    /// accessors that cannot return an error.
    #[track_caller]
    pub(crate) fn assert_owns(&self, store: StoreId, what: &str) {
        assert!(
            store == self.id,
            "{what} used with a store it does not belong to"
        );
    }
}

/// Owns all wasm objects and the host state `T`.
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) host_funcs: Vec<HostFunc<T>>,
    data: T,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: StoreInner {
                id: StoreId::next(),
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                instance_segments: Vec::new(),
                types: Vec::new(),
                type_ids: HashMap::new(),
                extern_refs: Vec::new(),
                tags: Vec::new(),
                exns: Vec::new(),
                free_exns: Vec::new(),
                collect_exns_at: 0,
                limits: StoreLimits::default(),
                fuel: 0,
                frames: Vec::new(),
                stack: Box::new([]),
                stack_in_use: 0,
                active_invocations: 0,
            },
            host_funcs: Vec::new(),
            data,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub fn data(&self) -> &T {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    pub fn into_data(self) -> T {
        self.data
    }

    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.inner.limits = limits;
    }

    pub fn limits(&self) -> StoreLimits {
        self.inner.limits
    }

    /// Sets the remaining fuel. Only meaningful when the engine was
    /// configured with [`crate::Config::consume_fuel`].
    pub fn set_fuel(&mut self, fuel: u64) {
        self.inner.fuel = fuel;
    }

    pub fn get_fuel(&self) -> u64 {
        self.inner.fuel
    }

    /// Wraps a host value so guests can hold it as an `externref`.
    pub fn new_extern_ref(&mut self, value: impl Any + Send + Sync) -> ExternRef {
        let index = self.inner.extern_refs.len() as u32;
        self.inner.extern_refs.push(Box::new(value));
        ExternRef {
            store: self.inner.id,
            index,
        }
    }

    /// The host value behind an `externref` created by this store (`None`
    /// for one created by another store).
    pub fn extern_ref_data(&self, r: ExternRef) -> Option<&(dyn Any + Send + Sync)> {
        if r.store != self.inner.id {
            return None;
        }
        self.inner
            .extern_refs
            .get(r.index as usize)
            .map(|b| b.as_ref())
    }
}

/// Read access to a store, through the store itself or a [`Caller`].
pub trait AsContext {
    type Data;
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Write access to a store, through the store itself or a [`Caller`].
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn as_context(&self) -> &Store<S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn as_context(&self) -> &Store<S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn as_context_mut(&mut self) -> &mut Store<S::Data> {
        (**self).as_context_mut()
    }
}
