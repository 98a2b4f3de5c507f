//! Instantiation: runs a [`ComponentDef`]'s steps in order in a frame
//! holding the component instance's index spaces, and returns its exports.

use crate::abi::Options;
use crate::call::{self, LowerPlan, core_host_func};
use crate::component::{Builtin, ComponentDef, CoreKind, Init, ItemRef, OptionsDef, Shape};
use crate::error::{Error, Result, Trap, TrapCode};
use crate::func::{FuncData, LiftedFunc};
use crate::store::Data;
use compono_interp as core;
use indexmap::IndexSet;
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::{ComponentExternalKind, ComponentOuterAliasKind};

type CoreStore<T> = core::Store<Data<T>>;

/// A component-level item at run time.
#[derive(Clone, Debug)]
pub(crate) enum Item {
    /// An index into the store's component functions.
    Func(u32),
    Instance(Arc<Items>),
    Component(ComponentClosure),
    Module(core::Module),
    /// A resource type: its id in the store.
    Resource(u32),
    /// A type that is not a resource.
    Type,
    Value,
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Func(_) => "function",
            Item::Instance(_) => "instance",
            Item::Component(_) => "component",
            Item::Module(_) => "module",
            Item::Resource(_) => "resource type",
            Item::Type => "type",
            Item::Value => "value",
        }
    }
}

/// Names of an instance's items, in order. Every instance made by the same
/// definition (a component's exports, an `instance` of exports) has the
/// same names, so they are made once and shared.
pub(crate) type Names = Arc<IndexSet<String>>;

/// An instance's items by name: the shared names and the instance's own
/// items, in the same order.
#[derive(Debug)]
pub(crate) struct Items {
    names: Names,
    items: Box<[Item]>,
}

impl Items {
    /// `items[i]` is named `names[i]`.
    pub fn new(names: Names, items: Box<[Item]>) -> Items {
        assert_eq!(names.len(), items.len(), "one item per name");
        Items { names, items }
    }

    pub fn get(&self, name: &str) -> Option<&Item> {
        self.names.get_index_of(name).map(|i| &self.items[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Item)> {
        self.names.iter().map(String::as_str).zip(self.items.iter())
    }
}

/// A component definition with the index spaces of the components
/// around it that its `alias outer`s may refer to.
#[derive(Clone, Debug)]
pub(crate) struct ComponentClosure {
    pub def: Arc<ComponentDef>,
    pub outer: Option<Arc<OuterEnv>>,
}

#[derive(Debug)]
pub(crate) struct OuterEnv {
    modules: Vec<core::Module>,
    components: Vec<ComponentClosure>,
    parent: Option<Arc<OuterEnv>>,
}

enum CoreInstance {
    Instance(core::Instance),
    Exports(HashMap<String, core::Extern>),
}

/// A component instance being made: its index spaces.
struct Frame {
    instance: u32,
    outer: Option<Arc<OuterEnv>>,
    core_funcs: Vec<core::Func>,
    core_tables: Vec<core::Table>,
    core_memories: Vec<core::Memory>,
    core_globals: Vec<core::Global>,
    core_tags: Vec<core::Tag>,
    core_instances: Vec<CoreInstance>,
    modules: Vec<core::Module>,
    funcs: Vec<u32>,
    instances: Vec<Arc<Items>>,
    components: Vec<ComponentClosure>,
    /// Store id of each resource slot's type (`u32::MAX` until bound).
    resources: Vec<u32>,
    resources_snapshot: Option<Arc<[u32]>>,
    /// The component's exports so far, in the order of `def.export_names`.
    exports: Vec<Item>,
}

fn missing(what: &str, index: u32) -> Error {
    Error::usage(format!(
        "component refers to {what} {index}, which does not exist"
    ))
}

fn get<'a, V>(space: &'a [V], index: u32, what: &str) -> Result<&'a V> {
    space
        .get(index as usize)
        .ok_or_else(|| missing(what, index))
}

/// Instantiates `def` with `args` as its imports.
pub(crate) fn instantiate<T: 'static>(
    store: &mut CoreStore<T>,
    def: &ComponentDef,
    mut args: HashMap<String, Item>,
    outer: Option<Arc<OuterEnv>>,
) -> Result<Items> {
    let instance = store.data_mut().rt.new_instance();
    let mut frame = Frame {
        instance,
        outer,
        core_funcs: Vec::new(),
        core_tables: Vec::new(),
        core_memories: Vec::new(),
        core_globals: Vec::new(),
        core_tags: Vec::new(),
        core_instances: Vec::new(),
        modules: Vec::new(),
        funcs: Vec::new(),
        instances: Vec::new(),
        components: Vec::new(),
        resources: vec![u32::MAX; def.resource_slots as usize],
        resources_snapshot: None,
        exports: Vec::with_capacity(def.exports.len()),
    };
    for init in &def.inits {
        frame.step(store, def, init, &mut args)?;
    }
    Ok(Items::new(
        def.export_names.clone(),
        frame.exports.into_boxed_slice(),
    ))
}

impl Frame {
    fn resources(&mut self) -> Arc<[u32]> {
        if self.resources.is_empty() {
            // A component without resource types: `Arc::default()` shares
            // one static empty slice, where `Arc::from` would allocate per
            // instance.
            return Arc::default();
        }
        self.resources_snapshot
            .get_or_insert_with(|| Arc::from(self.resources.as_slice()))
            .clone()
    }

    fn bind_resource(&mut self, slot: u32, rt: u32) -> Result<()> {
        let entry = self
            .resources
            .get_mut(slot as usize)
            .ok_or_else(|| missing("resource slot", slot))?;
        *entry = rt;
        self.resources_snapshot = None;
        Ok(())
    }

    fn resource(&self, slot: u32) -> Result<u32> {
        self.resources
            .get(slot as usize)
            .copied()
            .filter(|rt| *rt != u32::MAX)
            .ok_or_else(|| missing("resource type", slot))
    }

    /// Binds the resource slots `shape` names to the resource types of
    /// `item`, the value given for it, checking kinds on the way.
    fn bind(&mut self, name: &str, shape: &Shape, item: &Item) -> Result<()> {
        let mismatch = |expected: &str| Error::Link {
            name: name.to_string(),
            reason: format!("expected {expected}, found a {}", item.kind()),
        };
        match (shape, item) {
            (Shape::Func(_), Item::Func(_)) => Ok(()),
            (Shape::Func(_), _) => Err(mismatch("a function")),
            (Shape::Resource(slot), Item::Resource(rt)) => match self.resource(slot.0) {
                Ok(bound) if bound != *rt => Err(Error::Link {
                    name: name.to_string(),
                    reason: "the resource type given is not the one an earlier import bound it to"
                        .into(),
                }),
                _ => self.bind_resource(slot.0, *rt),
            },
            (Shape::Resource(_), _) => Err(mismatch("a resource type")),
            (Shape::Instance(exports), Item::Instance(items)) => {
                for (export, shape) in exports {
                    let path = format!("{name}#{export}");
                    match items.get(export) {
                        Some(item) => self.bind(&path, shape, item)?,
                        None if matches!(shape, Shape::Type) => {}
                        // Re-exported resource types bound by an earlier import.
                        None if matches!(shape, Shape::Resource(slot) if self.resource(slot.0).is_ok()) =>
                            {}
                        None if matches!(shape, Shape::Resource(_)) => {
                            return Err(Error::Link {
                                name: path,
                                reason: "not defined by the host".into(),
                            });
                        }
                        None => {
                            return Err(Error::Link {
                                name: path,
                                reason: "the instance given has no such export".into(),
                            });
                        }
                    }
                }
                Ok(())
            }
            (Shape::Instance(_), _) => Err(mismatch("an instance")),
            (Shape::Module, Item::Module(_)) | (Shape::Component, Item::Component(_)) => Ok(()),
            (Shape::Module, _) => Err(mismatch("a module")),
            (Shape::Component, _) => Err(mismatch("a component")),
            (Shape::Type | Shape::Value, _) => Ok(()),
        }
    }

    fn item(&self, item: &ItemRef) -> Result<Item> {
        Ok(match item {
            ItemRef::Func(i) => Item::Func(*get(&self.funcs, *i, "function")?),
            ItemRef::Instance(i) => Item::Instance(get(&self.instances, *i, "instance")?.clone()),
            ItemRef::Component(i) => {
                Item::Component(get(&self.components, *i, "component")?.clone())
            }
            ItemRef::Module(i) => Item::Module(get(&self.modules, *i, "module")?.clone()),
            ItemRef::Resource(slot) => Item::Resource(self.resource(slot.0)?),
            ItemRef::Type => Item::Type,
            ItemRef::Value => Item::Value,
        })
    }

    /// Adds an item to the index space of its kind.
    fn push(&mut self, item: Item) {
        match item {
            Item::Func(f) => self.funcs.push(f),
            Item::Instance(i) => self.instances.push(i),
            Item::Component(c) => self.components.push(c),
            Item::Module(m) => self.modules.push(m),
            Item::Resource(_) | Item::Type | Item::Value => {}
        }
    }

    fn core_extern(&self, kind: CoreKind, index: u32) -> Result<core::Extern> {
        Ok(match kind {
            CoreKind::Func => core::Extern::Func(*get(&self.core_funcs, index, "core function")?),
            CoreKind::Table => core::Extern::Table(*get(&self.core_tables, index, "core table")?),
            CoreKind::Memory => {
                core::Extern::Memory(*get(&self.core_memories, index, "core memory")?)
            }
            CoreKind::Global => {
                core::Extern::Global(*get(&self.core_globals, index, "core global")?)
            }
            CoreKind::Tag => core::Extern::Tag(*get(&self.core_tags, index, "core tag")?),
        })
    }

    fn core_export<T>(
        &self,
        store: &CoreStore<T>,
        instance: u32,
        name: &str,
    ) -> Result<core::Extern> {
        let found = match get(&self.core_instances, instance, "core instance")? {
            CoreInstance::Instance(i) => i.get_export(store, name),
            CoreInstance::Exports(map) => map.get(name).copied(),
        };
        found
            .ok_or_else(|| Error::usage(format!("core instance {instance} has no export `{name}`")))
    }

    fn push_core(&mut self, item: core::Extern) {
        match item {
            core::Extern::Func(f) => self.core_funcs.push(f),
            core::Extern::Table(t) => self.core_tables.push(t),
            core::Extern::Memory(m) => self.core_memories.push(m),
            core::Extern::Global(g) => self.core_globals.push(g),
            core::Extern::Tag(t) => self.core_tags.push(t),
        }
    }

    fn options(&self, def: &OptionsDef) -> Result<Options> {
        Ok(Options {
            memory: def
                .memory
                .map(|i| get(&self.core_memories, i, "core memory").copied())
                .transpose()?,
            realloc: def
                .realloc
                .map(|i| get(&self.core_funcs, i, "core function").copied())
                .transpose()?,
            post_return: def
                .post_return
                .map(|i| get(&self.core_funcs, i, "core function").copied())
                .transpose()?,
            encoding: def.encoding,
        })
    }

    fn step<T: 'static>(
        &mut self,
        store: &mut CoreStore<T>,
        def: &ComponentDef,
        init: &Init,
        args: &mut HashMap<String, Item>,
    ) -> Result<()> {
        match init {
            Init::DefineModule(module) => self.modules.push(module.clone()),
            Init::CoreInstantiate { module, args: with } => {
                let module = get(&self.modules, *module, "module")?.clone();
                let mut imports = Vec::new();
                for import in module.imports() {
                    let (_, instance) = with
                        .iter()
                        .find(|(name, _)| name == import.module)
                        .ok_or_else(|| {
                            Error::usage(format!("no instance given for `{}`", import.module))
                        })?;
                    imports.push(self.core_export(store, *instance, import.name)?);
                }
                let instance = core::Instance::new(&mut *store, &module, &imports)
                    .map_err(|e| call::core_error(store, e))?;
                self.core_instances.push(CoreInstance::Instance(instance));
            }
            Init::CoreInstanceFromExports(items) => {
                let mut map = HashMap::new();
                for (name, kind, index) in items {
                    map.insert(name.clone(), self.core_extern(*kind, *index)?);
                }
                self.core_instances.push(CoreInstance::Exports(map));
            }
            Init::CoreAlias {
                instance,
                name,
                kind,
            } => {
                let item = self.core_export(store, *instance, name)?;
                let matches = matches!(
                    (kind, item),
                    (CoreKind::Func, core::Extern::Func(_))
                        | (CoreKind::Table, core::Extern::Table(_))
                        | (CoreKind::Memory, core::Extern::Memory(_))
                        | (CoreKind::Global, core::Extern::Global(_))
                        | (CoreKind::Tag, core::Extern::Tag(_))
                );
                if !matches {
                    return Err(Error::usage(format!(
                        "core export `{name}` is not of the aliased kind"
                    )));
                }
                self.push_core(item);
            }
            Init::Import { name, shape } => {
                let item = args.remove(name).ok_or_else(|| Error::Link {
                    name: name.clone(),
                    reason: "no value was given for this import".into(),
                })?;
                self.bind(name, shape, &item)?;
                self.push(item);
            }
            Init::DefineResource { slot, dtor } => {
                let dtor = dtor
                    .map(|i| get(&self.core_funcs, i, "core function").copied())
                    .transpose()?;
                let rt = store.data_mut().rt.new_guest_resource(self.instance, dtor);
                self.bind_resource(slot.0, rt)?;
            }
            Init::Lift {
                core_func,
                ty,
                options,
            } => {
                let lifted = LiftedFunc {
                    instance: self.instance,
                    core: *get(&self.core_funcs, *core_func, "core function")?,
                    ty: ty.clone(),
                    opts: self.options(options)?,
                    resources: self.resources(),
                };
                let funcs = &mut store.data_mut().rt.funcs;
                funcs.push(FuncData::Lifted(Arc::new(lifted)));
                self.funcs.push(funcs.len() as u32 - 1);
            }
            Init::Lower { func, ty, options } => {
                let plan = LowerPlan {
                    instance: self.instance,
                    callee: *get(&self.funcs, *func, "function")?,
                    ty: ty.clone(),
                    opts: self.options(options)?,
                    resources: self.resources(),
                };
                let core_ty = ty.lower_core_type();
                let f = core_host_func(store, core_ty, move |store, args, results| {
                    call::call_lowered(store, &plan, args, results)
                });
                self.core_funcs.push(f);
            }
            Init::ResourceNew(slot) => {
                let (rt, instance) = (self.resource(slot.0)?, self.instance);
                let ty = core::FuncType::new([core::ValType::I32], [core::ValType::I32]);
                self.core_funcs
                    .push(core_host_func(store, ty, move |store, args, results| {
                        let rep = args.first().map_or(0, call::to_bits) as u32;
                        let index = call::resource_new(store, instance, rt, rep)?;
                        if let Some(slot) = results.first_mut() {
                            *slot = core::Val::I32(index as i32);
                        }
                        Ok(())
                    }));
            }
            Init::ResourceRep(slot) => {
                let (rt, instance) = (self.resource(slot.0)?, self.instance);
                let ty = core::FuncType::new([core::ValType::I32], [core::ValType::I32]);
                self.core_funcs
                    .push(core_host_func(store, ty, move |store, args, results| {
                        let index = args.first().map_or(0, call::to_bits) as u32;
                        let rep = call::resource_rep(store, instance, rt, index)?;
                        if let Some(slot) = results.first_mut() {
                            *slot = core::Val::I32(rep as i32);
                        }
                        Ok(())
                    }));
            }
            Init::ResourceDrop(slot) => {
                let (rt, instance) = (self.resource(slot.0)?, self.instance);
                let ty = core::FuncType::new([core::ValType::I32], []);
                self.core_funcs
                    .push(core_host_func(store, ty, move |store, args, _| {
                        let index = args.first().map_or(0, call::to_bits) as u32;
                        call::resource_drop(store, instance, rt, index)
                    }));
            }
            Init::Builtin { builtin, ty } => {
                let (builtin, instance) = (*builtin, self.instance);
                self.core_funcs.push(core_host_func(
                    store,
                    ty.clone(),
                    move |store, args, results| {
                        run_builtin(store, instance, builtin, args, results)
                    },
                ));
            }
            Init::DefineComponent(index) => {
                let def = get(&def.components, *index, "component definition")?.clone();
                let outer = Arc::new(OuterEnv {
                    modules: self.modules.clone(),
                    components: self.components.clone(),
                    parent: self.outer.clone(),
                });
                self.components.push(ComponentClosure {
                    def,
                    outer: Some(outer),
                });
            }
            Init::Instantiate {
                component,
                args: with,
                shape,
            } => {
                let closure = get(&self.components, *component, "component")?.clone();
                let mut child_args = HashMap::new();
                for (name, item) in with {
                    child_args.insert(name.clone(), self.item(item)?);
                }
                let exports = instantiate(store, &closure.def, child_args, closure.outer.clone())?;
                let item = Item::Instance(Arc::new(exports));
                self.bind("instance", shape, &item)?;
                self.push(item);
            }
            Init::InstanceFromExports { names, items } => {
                let items = items
                    .iter()
                    .map(|item| self.item(item))
                    .collect::<Result<Box<[Item]>>>()?;
                self.instances
                    .push(Arc::new(Items::new(names.clone(), items)));
            }
            Init::Alias {
                instance,
                name,
                kind,
            } => {
                let items = get(&self.instances, *instance, "instance")?;
                let item = items.get(name).cloned().ok_or_else(|| {
                    Error::usage(format!("instance {instance} has no export `{name}`"))
                })?;
                let ok = matches!(
                    (kind, &item),
                    (ComponentExternalKind::Func, Item::Func(_))
                        | (ComponentExternalKind::Instance, Item::Instance(_))
                        | (ComponentExternalKind::Component, Item::Component(_))
                        | (ComponentExternalKind::Module, Item::Module(_))
                        | (ComponentExternalKind::Value, Item::Value)
                );
                if !ok {
                    return Err(Error::usage(format!(
                        "export `{name}` is a {}",
                        item.kind()
                    )));
                }
                self.push(item);
            }
            Init::AliasOuter { count, kind, index } => {
                let item = self.outer_item(*count, *kind, *index)?;
                self.push(item);
            }
            Init::Export(item) => {
                let item = self.item(item)?;
                self.exports.push(item.clone());
                self.push(item);
            }
        }
        Ok(())
    }

    fn outer_item(&self, count: u32, kind: ComponentOuterAliasKind, index: u32) -> Result<Item> {
        let (modules, components) = if count == 0 {
            (&self.modules, &self.components)
        } else {
            let mut env = self
                .outer
                .as_ref()
                .ok_or_else(|| missing("enclosing component", count))?;
            for _ in 1..count {
                env = env
                    .parent
                    .as_ref()
                    .ok_or_else(|| missing("enclosing component", count))?;
            }
            (&env.modules, &env.components)
        };
        match kind {
            ComponentOuterAliasKind::CoreModule => {
                Ok(Item::Module(get(modules, index, "module")?.clone()))
            }
            ComponentOuterAliasKind::Component => Ok(Item::Component(
                get(components, index, "component")?.clone(),
            )),
            ComponentOuterAliasKind::Type | ComponentOuterAliasKind::CoreType => Ok(Item::Type),
        }
    }
}

fn run_builtin<T>(
    store: &mut CoreStore<T>,
    instance: u32,
    builtin: Builtin,
    args: &[core::Val],
    results: &mut [core::Val],
) -> Result<()> {
    let state = store
        .data_mut()
        .rt
        .instances
        .get_mut(instance as usize)
        .ok_or_else(|| Error::usage("no such component instance"))?;
    match builtin {
        Builtin::ContextGet(slot) => {
            let value = state.context.get(slot as usize).copied().unwrap_or(0);
            if let Some(result) = results.first_mut() {
                *result = match result {
                    core::Val::I64(_) => core::Val::I64(value as i64),
                    _ => core::Val::I32(value as u32 as i32),
                };
            }
            Ok(())
        }
        Builtin::ContextSet(slot) => {
            let value = args.first().map_or(0, call::to_bits);
            if let Some(entry) = state.context.get_mut(slot as usize) {
                *entry = value;
            }
            Ok(())
        }
        Builtin::BackpressureInc => {
            state.backpressure = state.backpressure.saturating_add(1);
            Ok(())
        }
        Builtin::BackpressureDec => {
            if state.backpressure == 0 {
                return Err(
                    Trap::with_detail(TrapCode::Host, "backpressure counter underflow").into(),
                );
            }
            state.backpressure -= 1;
            Ok(())
        }
        Builtin::Unsupported(what) => {
            if !state.may_leave {
                return Err(Trap::new(TrapCode::CannotLeave).into());
            }
            Err(Trap::with_detail(TrapCode::Host, format!("not supported: {what}")).into())
        }
    }
}
