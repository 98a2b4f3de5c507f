//! Resolving imports by module and name.

use crate::error::{Error, LinkError, Result};
use crate::func::{Caller, Func, HostFunc, IntoHostFunc};
use crate::instance::{Extern, Instance, instantiate};
use crate::module::Module;
use crate::store::AsContextMut;
use crate::trap::Trap;
use crate::types::{FuncType, Val};
use std::collections::HashMap;
use std::sync::Arc;

enum Definition<T> {
    Extern(Extern),
    /// Created in the store at each instantiation that imports it, so one
    /// linker serves many stores.
    HostFunc(FuncType, HostFunc<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(ty, f) => Definition::HostFunc(ty.clone(), f.clone()),
        }
    }
}

/// Named definitions that imports resolve against. A later definition of
/// the same module and name replaces the earlier one.
pub struct Linker<T> {
    definitions: HashMap<(String, String), Definition<T>>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker {
            definitions: HashMap::new(),
        }
    }
}

impl<T> Linker<T> {
    pub fn new() -> Linker<T> {
        Linker::default()
    }

    /// Defines a store object (function, memory, table or global).
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> &mut Self {
        self.definitions.insert(
            (module.to_string(), name.to_string()),
            Definition::Extern(item.into()),
        );
        self
    }

    /// Defines a host function usable from any store.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> &mut Self {
        self.definitions.insert(
            (module.to_string(), name.to_string()),
            Definition::HostFunc(ty, Arc::new(func)),
        );
        self
    }

    /// Defines a host function from a typed closure, e.g.
    /// `|caller: Caller<'_, T>, x: i32| -> Result<i64, Trap>`.
    pub fn func_wrap<P, R>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoHostFunc<T, P, R>,
    ) -> &mut Self {
        let (ty, func) = func.into_host_func();
        self.definitions.insert(
            (module.to_string(), name.to_string()),
            Definition::HostFunc(ty, func),
        );
        self
    }

    /// Makes every export of `instance` importable as `name::export`.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        name: &str,
        instance: Instance,
    ) -> &mut Self {
        for (export, item) in instance.exports(store.as_context_mut()) {
            self.define(name, &export, item);
        }
        self
    }

    /// Looks up a definition, creating host functions in `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        match self
            .definitions
            .get(&(module.to_string(), name.to_string()))?
        {
            Definition::Extern(e) => Some(*e),
            Definition::HostFunc(ty, f) => Some(Extern::Func(Func::from_host_func(
                store.as_context_mut(),
                ty,
                f.clone(),
            ))),
        }
    }

    /// Resolves the module's imports and instantiates it.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let store = store.as_context_mut();
        let mut imports = Vec::new();
        for import in module.imports() {
            let item = self
                .get(&mut *store, import.module, import.name)
                .ok_or_else(|| Error::Link {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    reason: LinkError::Unknown,
                })?;
            imports.push(item);
        }
        instantiate(store, module, &imports)
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<crate::Memory> for Extern {
    fn from(m: crate::Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<crate::Table> for Extern {
    fn from(t: crate::Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<crate::Global> for Extern {
    fn from(g: crate::Global) -> Extern {
        Extern::Global(g)
    }
}
impl From<crate::Tag> for Extern {
    fn from(t: crate::Tag) -> Extern {
        Extern::Tag(t)
    }
}
