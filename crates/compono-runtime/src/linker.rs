//! The host's definitions for a component's imports, by name, shaped like
//! `wasmtime::component::Linker`.
//!
//! Interface names match semver-compatibly: a definition of
//! `wasi:io/streams@0.2.3` satisfies an import of `wasi:io/streams@0.2.0`
//! (same major version, or same minor for `0.x`), the newest compatible
//! definition winning.

use crate::component::{Component, Shape};
use crate::error::{Error, Result};
use crate::func::{FuncData, HostFn};
use crate::instance::Instance;
use crate::instantiate::{Item, Items, instantiate};
use crate::store::{AsContextMut, HostDtor, StoreContextMut};
use crate::types::{FuncType, Type};
use crate::val::{ResourceType, Val};
use compono_interp as core;
use indexmap::{IndexMap, IndexSet};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) enum Definition<T> {
    Func(HostFn<T>),
    Instance(Definitions<T>),
    Resource(ResourceType, Option<HostDtor<T>>),
}

pub(crate) struct Definitions<T> {
    items: IndexMap<String, Definition<T>>,
}

impl<T> Default for Definitions<T> {
    fn default() -> Self {
        Definitions {
            items: IndexMap::new(),
        }
    }
}

/// Host definitions for components' imports.
pub struct Linker<T> {
    root: Definitions<T>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker {
            root: Definitions::default(),
        }
    }
}

/// The definitions at one level of a [`Linker`]: the root, or an instance.
pub struct LinkerInstance<'a, T> {
    defs: &'a mut Definitions<T>,
}

impl<T: 'static> Linker<T> {
    pub fn new(_engine: &core::Engine) -> Linker<T> {
        Linker::default()
    }

    /// Definitions at the root: top-level functions and instances.
    pub fn root(&mut self) -> LinkerInstance<'_, T> {
        LinkerInstance {
            defs: &mut self.root,
        }
    }

    /// The instance named `name` (made if needed), e.g.
    /// `wasi:cli/environment@0.2.0`.
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.root.instance(name)
    }

    /// Whether something is defined under `name` at the root (exactly).
    pub fn is_defined(&self, name: &str) -> bool {
        self.root.items.contains_key(name)
    }

    /// Instantiates `component`, giving each import its definition.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        component: &Component,
    ) -> Result<Instance> {
        let store = store.core_mut();
        let mut args = HashMap::new();
        for (name, shape) in &component.root.imports {
            let item = resolve(store, &self.root, name, name, shape)?;
            args.insert(name.clone(), item);
        }
        let exports = instantiate(store, &component.root, args, None)?;
        Ok(Instance {
            exports: Arc::new(exports),
        })
    }
}

impl<T: 'static> LinkerInstance<'_, T> {
    /// Defines a host function. It receives the arguments lifted from the
    /// caller and fills in `results` (one slot when the function has a
    /// result).
    pub fn func_new(
        &mut self,
        name: &str,
        func: impl Fn(StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        self.insert(name, Definition::Func(Arc::new(func)))
    }

    /// Defines a host resource type; `dtor` runs when a guest drops the
    /// last own handle to one of its resources, with its representation.
    pub fn resource(
        &mut self,
        name: &str,
        ty: ResourceType,
        dtor: impl Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        self.insert(name, Definition::Resource(ty, Some(Arc::new(dtor))))
    }

    /// The nested instance `name`, made if needed.
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.defs.instance(name)
    }

    fn insert(&mut self, name: &str, def: Definition<T>) -> Result<()> {
        if self.defs.items.contains_key(name) {
            return Err(Error::usage(format!("`{name}` is defined twice")));
        }
        self.defs.items.insert(name.to_string(), def);
        Ok(())
    }
}

impl<T> Definitions<T> {
    fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        let entry = self
            .items
            .entry(name.to_string())
            .or_insert_with(|| Definition::Instance(Definitions::default()));
        match entry {
            Definition::Instance(defs) => Ok(LinkerInstance { defs }),
            _ => Err(Error::usage(format!(
                "`{name}` is already defined, and not as an instance"
            ))),
        }
    }
}

/// Finds the definition for an import named `name`, exactly or by a
/// semver-compatible version.
fn lookup<'d, T>(defs: &'d Definitions<T>, name: &str) -> Option<&'d Definition<T>> {
    if let Some(def) = defs.items.get(name) {
        return Some(def);
    }
    let (base, version) = name.rsplit_once('@')?;
    let wanted = Version::parse(version)?;
    defs.items
        .iter()
        .filter_map(|(n, def)| {
            let (b, v) = n.rsplit_once('@')?;
            let v = Version::parse(v)?;
            (b == base && v.compatible(&wanted)).then_some((v, def))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, def)| def)
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
}

impl Version {
    /// Release versions only: pre-release and build metadata match exactly.
    fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.');
        let v = Version {
            major: parts.next()?.parse().ok()?,
            minor: parts.next()?.parse().ok()?,
            patch: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(v)
    }

    /// Whether a definition at `self` can stand for an import of `wanted`.
    fn compatible(&self, wanted: &Version) -> bool {
        match (wanted.major, wanted.minor) {
            (0, 0) => self == wanted,
            (0, minor) => self.major == 0 && self.minor == minor,
            (major, _) => self.major == major,
        }
    }
}

/// The item for import `name` (with `path` its full name for errors).
fn resolve<T>(
    store: &mut core::Store<crate::store::Data<T>>,
    defs: &Definitions<T>,
    name: &str,
    path: &str,
    shape: &Shape,
) -> Result<Item> {
    if matches!(shape, Shape::Type | Shape::Value) {
        return Ok(match shape {
            Shape::Value => Item::Value,
            _ => Item::Type,
        });
    }
    let def = lookup(defs, name).ok_or_else(|| Error::Link {
        name: path.to_string(),
        reason: "not defined by the host".into(),
    })?;
    let mismatch = |expected: &str, found: &str| Error::Link {
        name: path.to_string(),
        reason: format!("expected {expected}, but the host defines {found}"),
    };
    match (shape, def) {
        (Shape::Func(ty), Definition::Func(func)) => {
            let funcs = &mut store.data_mut().rt.funcs;
            funcs.push(FuncData::Host {
                name: Arc::from(path),
                func: func.clone(),
                ty: ty.clone(),
            });
            Ok(Item::Func(funcs.len() as u32 - 1))
        }
        (Shape::Instance(exports), Definition::Instance(inner)) => {
            let (mut names, mut items) = (IndexSet::new(), Vec::new());
            for (export, shape) in exports {
                // A resource type the instance only re-exports (`(eq ...)`
                // to one an earlier import defines, as `wasi:io/streams`
                // does `error`) need not be defined again: instantiation
                // accepts it missing when its type is already bound.
                if matches!(shape, Shape::Resource(_)) && lookup(inner, export).is_none() {
                    continue;
                }
                let item = resolve(store, inner, export, &format!("{path}#{export}"), shape)?;
                names.insert(export.clone());
                items.push(item);
            }
            Ok(Item::Instance(Arc::new(Items::new(
                Arc::new(names),
                items.into(),
            ))))
        }
        (Shape::Resource(_), Definition::Resource(ty, dtor)) => Ok(Item::Resource(
            store.data_mut().rt.host_resource_id(*ty, dtor.clone()),
        )),
        (Shape::Func(_), _) => Err(mismatch("a function", describe(def))),
        (Shape::Instance(_), _) => Err(mismatch("an instance", describe(def))),
        (Shape::Resource(_), _) => Err(mismatch("a resource type", describe(def))),
        (Shape::Module, _) | (Shape::Component, _) => Err(Error::Link {
            name: path.to_string(),
            reason: "importing modules or components from the host is not supported".into(),
        }),
        (Shape::Type | Shape::Value, _) => Ok(Item::Type),
    }
}

fn describe<T>(def: &Definition<T>) -> &'static str {
    match def {
        Definition::Func(_) => "a function",
        Definition::Instance(_) => "an instance",
        Definition::Resource(..) => "a resource type",
    }
}

/// A call of an import defined by [`Linker::define_unknown_imports`]:
/// which import it is, its type, and the resource types standing for the
/// component's imported resources.
pub struct ImportCall<'a> {
    pub path: &'a str,
    pub ty: &'a FuncType,
    resources: &'a HashMap<u32, ResourceType>,
}

impl ImportCall<'_> {
    /// The host resource type that an `own` or `borrow` in this import's
    /// signature refers to.
    pub fn resource_type(&self, ty: &Type) -> Option<ResourceType> {
        match ty {
            Type::Own(slot) | Type::Borrow(slot) => self.resources.get(&slot.0).copied(),
            _ => None,
        }
    }
}

/// Serves the calls of imports defined by [`Linker::define_unknown_imports`].
pub type ImportHandler<T> = Arc<
    dyn Fn(&ImportCall<'_>, StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync,
>;

/// Told when a guest drops the last own handle of an imported resource
/// defined by [`Linker::define_unknown_imports`]: the resource's import
/// path and representation.
pub type DropHandler<T> =
    Arc<dyn Fn(&str, StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync>;

impl<T: 'static> Linker<T> {
    /// Defines every import of `component` the linker does not define yet:
    /// functions call `on_call`, resource types become fresh host types
    /// whose drops call `on_drop`.
    pub fn define_unknown_imports(
        &mut self,
        component: &Component,
        on_call: ImportHandler<T>,
        on_drop: DropHandler<T>,
    ) -> Result<()> {
        // Resource types first: functions name them in their signatures.
        let mut resources = HashMap::new();
        for (name, shape) in &component.root.imports {
            define_resources(&mut self.root, name, name, shape, &on_drop, &mut resources);
        }
        let resources = Arc::new(resources);
        for (name, shape) in &component.root.imports {
            define_funcs(&mut self.root, name, name, shape, &on_call, &resources);
        }
        Ok(())
    }

    /// Defines every import the linker does not define yet with a stub:
    /// functions return the default value of their result type (zero,
    /// empty, the first case), resource types become fresh host types.
    /// Each call is reported to `log` in WAVE, as
    /// `interface#function(args)`.
    pub fn define_stubs(
        &mut self,
        component: &Component,
        log: impl Fn(String) + Send + Sync + 'static,
    ) -> Result<()> {
        let on_call: ImportHandler<T> = Arc::new(move |call, _store, args, results| {
            let args: Vec<String> = args.iter().map(Val::to_wave).collect();
            log(format!("{}({})", call.path, args.join(", ")));
            if let (Some(slot), Some(ty)) = (results.first_mut(), &call.ty.result) {
                *slot = Val::default_of(ty)?;
            }
            Ok(())
        });
        self.define_unknown_imports(component, on_call, Arc::new(|_, _, _| Ok(())))
    }
}

/// The definitions of an instance import at `name`, made if missing.
fn instance_defs<'d, T>(
    defs: &'d mut Definitions<T>,
    name: &str,
) -> Option<&'d mut Definitions<T>> {
    if lookup(defs, name).is_none() {
        defs.items.insert(
            name.to_string(),
            Definition::Instance(Definitions::default()),
        );
    }
    match defs.items.get_mut(name) {
        Some(Definition::Instance(inner)) => Some(inner),
        _ => None,
    }
}

fn define_resources<T: 'static>(
    defs: &mut Definitions<T>,
    name: &str,
    path: &str,
    shape: &Shape,
    on_drop: &DropHandler<T>,
    resources: &mut HashMap<u32, ResourceType>,
) {
    match shape {
        Shape::Resource(slot) => {
            if let Some(Definition::Resource(ty, _)) = lookup(defs, name) {
                resources.insert(slot.0, *ty);
                return;
            }
            // A type an earlier import bound (re-exported here, as
            // `wasi:io/streams` re-exports `wasi:io/error`'s `error`) needs
            // no definition; a fresh one would conflict with that binding.
            if resources.contains_key(&slot.0) {
                return;
            }
            // Counted down from the top, away from ids hosts pick.
            let ty = ResourceType::host_dynamic(u32::MAX - resources.len() as u32);
            resources.insert(slot.0, ty);
            let (on_drop, path) = (on_drop.clone(), path.to_string());
            defs.items.insert(
                name.to_string(),
                Definition::Resource(
                    ty,
                    Some(Arc::new(move |store, rep| on_drop(&path, store, rep))),
                ),
            );
        }
        Shape::Instance(exports) => {
            if let Some(inner) = instance_defs(defs, name) {
                for (export, shape) in exports {
                    define_resources(
                        inner,
                        export,
                        &format!("{path}#{export}"),
                        shape,
                        on_drop,
                        resources,
                    );
                }
            }
        }
        _ => {}
    }
}

fn define_funcs<T: 'static>(
    defs: &mut Definitions<T>,
    name: &str,
    path: &str,
    shape: &Shape,
    on_call: &ImportHandler<T>,
    resources: &Arc<HashMap<u32, ResourceType>>,
) {
    match shape {
        Shape::Func(ty) if lookup(defs, name).is_none() => {
            let (ty, on_call, path, resources) = (
                ty.clone(),
                on_call.clone(),
                path.to_string(),
                resources.clone(),
            );
            defs.items.insert(
                name.to_string(),
                Definition::Func(Arc::new(move |store, args: &[Val], results: &mut [Val]| {
                    let call = ImportCall {
                        path: &path,
                        ty: &ty,
                        resources: &resources,
                    };
                    on_call(&call, store, args, results)
                })),
            );
        }
        Shape::Instance(exports) => {
            if let Some(inner) = instance_defs(defs, name) {
                for (export, shape) in exports {
                    define_funcs(
                        inner,
                        export,
                        &format!("{path}#{export}"),
                        shape,
                        on_call,
                        resources,
                    );
                }
            }
        }
        _ => {}
    }
}
