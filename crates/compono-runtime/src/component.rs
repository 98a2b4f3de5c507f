//! Loading a component: validate it with wasmparser and decode it, once,
//! into a [`ComponentDef`]: per (nested) component, the list of steps that
//! instantiating it performs, in section order, with every type converted
//! to [`crate::types`]. Core modules are compiled here, so every instance
//! shares their code.

use crate::abi::StringEncoding;
use crate::error::{Error, Result};
use crate::instantiate::Names;
use crate::types::{FuncType, ResourceSlot, Type};
use compono_interp as core;
use indexmap::IndexSet;
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentEntityType, ComponentFuncTypeId,
    ComponentValType, ResourceId,
};
use wasmparser::types::TypesRef;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind, ComponentInstance,
    ComponentOuterAliasKind, ExternalKind, Instance, Parser, Payload, PrimitiveValType, Validator,
    WasmFeatures,
};

/// A compiled component; cheap to clone, shareable between stores.
#[derive(Clone)]
pub struct Component {
    pub(crate) engine: core::Engine,
    pub(crate) root: Arc<ComponentDef>,
}

/// What instantiating one component (the root, or one nested in it) does.
#[derive(Default, Debug)]
pub(crate) struct ComponentDef {
    pub inits: Vec<Init>,
    /// How many resource slots its types use.
    pub resource_slots: u32,
    /// Components defined inside, referred to by [`Init::DefineComponent`].
    pub components: Vec<Arc<ComponentDef>>,
    pub imports: Vec<(String, Shape)>,
    pub exports: Vec<(String, Shape)>,
    /// The names of `exports`, which every instance of the component
    /// shares (see [`crate::instantiate::Items`]).
    pub export_names: Names,
}

/// The type of an import or export, as far as instantiation needs it:
/// which functions, instances and resource types there are, and which
/// resource slot each resource type binds.
#[derive(Clone, Debug)]
pub(crate) enum Shape {
    Func(Arc<FuncType>),
    Instance(Vec<(String, Shape)>),
    Resource(ResourceSlot),
    /// A type that is not a resource: nothing to provide.
    Type,
    Module,
    Component,
    Value,
}

/// A reference, decoded, to an item of the component's index spaces.
#[derive(Clone, Debug)]
pub(crate) enum ItemRef {
    Func(u32),
    Instance(u32),
    Component(u32),
    Module(u32),
    Resource(ResourceSlot),
    Type,
    Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CoreKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// Canonical options with core indices, resolved at instantiation.
#[derive(Clone, Debug, Default)]
pub(crate) struct OptionsDef {
    pub memory: Option<u32>,
    pub realloc: Option<u32>,
    pub post_return: Option<u32>,
    pub encoding: StringEncoding,
}

/// Canonical built-ins other than lift, lower and the resource ones.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Builtin {
    ContextGet(u32),
    ContextSet(u32),
    BackpressureInc,
    BackpressureDec,
    /// An async or threading built-in: traps when called, since this
    /// runtime runs synchronous components only.
    Unsupported(&'static str),
}

/// One step of instantiation. Each pushes onto the index space its
/// section defines, in order, so indices in later steps line up.
#[derive(Debug)]
pub(crate) enum Init {
    DefineModule(core::Module),
    CoreInstantiate {
        module: u32,
        args: Vec<(String, u32)>,
    },
    CoreInstanceFromExports(Vec<(String, CoreKind, u32)>),
    CoreAlias {
        instance: u32,
        name: String,
        kind: CoreKind,
    },
    Import {
        name: String,
        shape: Shape,
    },
    DefineResource {
        slot: ResourceSlot,
        dtor: Option<u32>,
    },
    Lift {
        core_func: u32,
        ty: Arc<FuncType>,
        options: OptionsDef,
    },
    Lower {
        func: u32,
        ty: Arc<FuncType>,
        options: OptionsDef,
    },
    ResourceNew(ResourceSlot),
    ResourceDrop(ResourceSlot),
    ResourceRep(ResourceSlot),
    Builtin {
        builtin: Builtin,
        ty: core::FuncType,
    },
    DefineComponent(u32),
    Instantiate {
        component: u32,
        args: Vec<(String, ItemRef)>,
        shape: Shape,
    },
    InstanceFromExports {
        names: Names,
        items: Vec<ItemRef>,
    },
    Alias {
        instance: u32,
        name: String,
        kind: ComponentExternalKind,
    },
    AliasOuter {
        count: u32,
        kind: ComponentOuterAliasKind,
        index: u32,
    },
    /// The next export, named by [`ComponentDef::export_names`] in order.
    Export(ItemRef),
}

/// The wasm features components are validated with: the core proposals
/// and component-model extensions the component-model test suite assumes.
/// What compono cannot run (async, maps, fixed-length lists, core features
/// the interpreter lacks) is refused after validation, naming it.
fn features() -> WasmFeatures {
    WasmFeatures::default()
        | WasmFeatures::CM_ASYNC_STACKFUL
        | WasmFeatures::CM_MORE_ASYNC_BUILTINS
        | WasmFeatures::CM_THREADING
        | WasmFeatures::CM_FIXED_LENGTH_LISTS
}

fn compile_error(e: wasmparser::BinaryReaderError) -> Error {
    Error::Compile {
        message: e.message().to_string(),
        offset: Some(e.offset()),
    }
}

fn unsupported(what: impl std::fmt::Display, offset: u64) -> Error {
    Error::Compile {
        message: format!("not supported: {what}"),
        offset: Some(offset),
    }
}

fn internal(what: &str) -> Error {
    Error::Compile {
        message: format!("internal error decoding the component: {what}"),
        offset: None,
    }
}

/// Sizes of a component's index spaces, as far as decoding has got.
#[derive(Default)]
struct Counts {
    core_funcs: u32,
    types: u32,
    funcs: u32,
    instances: u32,
}

/// The component being decoded at one nesting level.
#[derive(Default)]
struct Builder {
    def: ComponentDef,
    counts: Counts,
    slots: HashMap<ResourceId, u32>,
    value_types: HashMap<wasmparser::component_types::ComponentDefinedTypeId, Type>,
    func_types: HashMap<ComponentFuncTypeId, Arc<FuncType>>,
}

enum Level {
    Module,
    Component(Box<Builder>),
}

impl Component {
    /// Validates and decodes `bytes` (binary; see [`Component::from_wat`]
    /// for text).
    pub fn new(engine: &core::Engine, bytes: &[u8]) -> Result<Component> {
        if !Parser::is_component(bytes) {
            return Err(Error::Compile {
                message: "not a component (a core module, or not wasm)".into(),
                offset: Some(0),
            });
        }
        let mut validator = Validator::new_with_features(features());
        let mut stack: Vec<Level> = Vec::new();
        let mut root = None;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(compile_error)?;
            // Function bodies are validated when the interpreter compiles
            // their module.
            let _ = validator.payload(&payload).map_err(compile_error)?;
            match &payload {
                Payload::Version { .. } if stack.is_empty() => {
                    stack.push(Level::Component(Box::default()));
                    continue;
                }
                Payload::End(_) => {
                    match stack.pop() {
                        Some(Level::Component(builder)) => {
                            let def = Arc::new(builder.def);
                            match stack.last_mut() {
                                Some(Level::Component(parent)) => {
                                    parent.def.components.push(def);
                                    let index = parent.def.components.len() as u32 - 1;
                                    parent.def.inits.push(Init::DefineComponent(index));
                                }
                                Some(Level::Module) => return Err(internal("component in module")),
                                None => root = Some(def),
                            }
                        }
                        Some(Level::Module) | None => {}
                    }
                    continue;
                }
                _ => {}
            }
            let Some(Level::Component(builder)) = stack.last_mut() else {
                // Inside a core module: only the validator cares.
                continue;
            };
            let types = validator.types(0).ok_or_else(|| internal("no types"))?;
            match payload {
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    let range = usize::try_from(unchecked_range.start).unwrap_or(usize::MAX)
                        ..usize::try_from(unchecked_range.end).unwrap_or(usize::MAX);
                    let module_bytes = bytes.get(range).ok_or_else(|| internal("module range"))?;
                    let module = core::Module::new(engine, module_bytes).map_err(|e| {
                        let message = match e {
                            core::Error::Compile { message, .. } => message,
                            other => other.to_string(),
                        };
                        Error::Compile {
                            message: format!("core module: {message}"),
                            offset: Some(unchecked_range.start),
                        }
                    })?;
                    builder.def.inits.push(Init::DefineModule(module));
                    stack.push(Level::Module);
                }
                Payload::ComponentSection { .. } => {
                    stack.push(Level::Component(Box::default()));
                }
                Payload::InstanceSection(reader) => {
                    for instance in reader {
                        builder
                            .def
                            .inits
                            .push(match instance.map_err(compile_error)? {
                                Instance::Instantiate { module_index, args } => {
                                    Init::CoreInstantiate {
                                        module: module_index,
                                        args: args
                                            .iter()
                                            .map(|a| (a.name.to_string(), a.index))
                                            .collect(),
                                    }
                                }
                                Instance::FromExports(exports) => {
                                    let mut items = Vec::new();
                                    for e in exports.iter() {
                                        items.push((
                                            e.name.to_string(),
                                            core_kind(e.kind),
                                            e.index,
                                        ));
                                    }
                                    Init::CoreInstanceFromExports(items)
                                }
                            });
                    }
                }
                Payload::CoreTypeSection(_) | Payload::CustomSection(_) => {}
                Payload::ComponentTypeSection(reader) => {
                    for ty in reader {
                        let ty = ty.map_err(compile_error)?;
                        let index = builder.counts.types;
                        builder.counts.types += 1;
                        if let wasmparser::ComponentType::Resource { dtor, .. } = ty {
                            let ComponentAnyTypeId::Resource(id) =
                                types.component_any_type_at(index)
                            else {
                                return Err(internal("resource type"));
                            };
                            let slot = builder.slot(id.resource());
                            builder.def.inits.push(Init::DefineResource { slot, dtor });
                        }
                    }
                }
                Payload::ComponentImportSection(reader) => {
                    let offset = reader.range().start;
                    for import in reader {
                        let import = import.map_err(compile_error)?;
                        let item = types
                            .component_item_for_import(import.name.name)
                            .ok_or_else(|| internal("import type"))?;
                        let shape = builder.shape(&types, &item.ty, offset)?;
                        builder.count_kind(import.ty.kind());
                        let name = item.full_name(import.name.name).into_owned();
                        builder.def.imports.push((name.clone(), shape.clone()));
                        builder.def.inits.push(Init::Import { name, shape });
                    }
                }
                Payload::ComponentCanonicalSection(reader) => {
                    let offset = reader.range().start;
                    for function in reader {
                        let function = function.map_err(compile_error)?;
                        builder.canonical(&types, function, offset)?;
                    }
                }
                Payload::ComponentInstanceSection(reader) => {
                    let offset = reader.range().start;
                    for instance in reader {
                        let instance = instance.map_err(compile_error)?;
                        let index = builder.counts.instances;
                        builder.counts.instances += 1;
                        let init = match instance {
                            ComponentInstance::Instantiate {
                                component_index,
                                args,
                            } => {
                                let mut refs = Vec::new();
                                for arg in args.iter() {
                                    refs.push((
                                        arg.name.to_string(),
                                        builder.item_ref(&types, arg.kind, arg.index)?,
                                    ));
                                }
                                let instance_ty = types.component_instance_at(index);
                                let shape = builder.shape(
                                    &types,
                                    &ComponentEntityType::Instance(instance_ty),
                                    offset,
                                )?;
                                Init::Instantiate {
                                    component: component_index,
                                    args: refs,
                                    shape,
                                }
                            }
                            ComponentInstance::FromExports(exports) => {
                                let mut names = IndexSet::new();
                                let mut items = Vec::new();
                                for e in exports.iter() {
                                    if !names.insert(e.name.name.to_string()) {
                                        return Err(internal("duplicate instance export"));
                                    }
                                    items.push(builder.item_ref(&types, e.kind, e.index)?);
                                }
                                Init::InstanceFromExports {
                                    names: Arc::new(names),
                                    items,
                                }
                            }
                        };
                        builder.def.inits.push(init);
                    }
                }
                Payload::ComponentAliasSection(reader) => {
                    for alias in reader {
                        let init = match alias.map_err(compile_error)? {
                            ComponentAlias::InstanceExport {
                                kind,
                                instance_index,
                                name,
                            } => {
                                builder.count_kind(kind);
                                if kind == ComponentExternalKind::Type {
                                    // Types need nothing at run time: a
                                    // resource's slot was bound with the
                                    // instance it comes from.
                                    continue;
                                }
                                Init::Alias {
                                    instance: instance_index,
                                    name: name.to_string(),
                                    kind,
                                }
                            }
                            ComponentAlias::CoreInstanceExport {
                                kind,
                                instance_index,
                                name,
                            } => {
                                let kind = core_kind(kind);
                                if kind == CoreKind::Func {
                                    builder.counts.core_funcs += 1;
                                }
                                Init::CoreAlias {
                                    instance: instance_index,
                                    name: name.to_string(),
                                    kind,
                                }
                            }
                            ComponentAlias::Outer { kind, count, index } => {
                                match kind {
                                    ComponentOuterAliasKind::Type => {
                                        builder.counts.types += 1;
                                        continue;
                                    }
                                    ComponentOuterAliasKind::CoreType => continue,
                                    _ => {}
                                }
                                Init::AliasOuter { count, kind, index }
                            }
                        };
                        builder.def.inits.push(init);
                    }
                }
                Payload::ComponentExportSection(reader) => {
                    let offset = reader.range().start;
                    for export in reader {
                        let export = export.map_err(compile_error)?;
                        let item = builder.item_ref(&types, export.kind, export.index)?;
                        builder.count_kind(export.kind);
                        let entity = types
                            .component_item_for_export(export.name.name)
                            .ok_or_else(|| internal("export type"))?;
                        let shape = builder.shape(&types, &entity.ty, offset)?;
                        let name = entity.full_name(export.name.name).into_owned();
                        if !Arc::make_mut(&mut builder.def.export_names).insert(name.clone()) {
                            return Err(internal("duplicate export"));
                        }
                        builder.def.exports.push((name, shape));
                        builder.def.inits.push(Init::Export(item));
                    }
                }
                Payload::ComponentStartSection { range, .. } => {
                    return Err(unsupported(
                        "component start functions (component values)",
                        range.start,
                    ));
                }
                Payload::Version { .. } => {}
                other => {
                    // Core module sections only appear inside modules.
                    let offset = other.as_section().map_or(0, |(_, r)| r.start);
                    return Err(unsupported("this section in a component", offset));
                }
            }
        }
        let root = root.ok_or_else(|| internal("no component"))?;
        Ok(Component {
            engine: engine.clone(),
            root,
        })
    }

    pub fn engine(&self) -> &core::Engine {
        &self.engine
    }

    /// The component's imports: names and what kind of item each is.
    pub fn imports(&self) -> impl Iterator<Item = (&str, ItemKind)> + '_ {
        self.root
            .imports
            .iter()
            .map(|(n, s)| (n.as_str(), ItemKind::of(s)))
    }

    /// The component's exports: names and what kind of item each is.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ItemKind)> + '_ {
        self.root
            .exports
            .iter()
            .map(|(n, s)| (n.as_str(), ItemKind::of(s)))
    }
}

/// What kind of item an import or export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Func,
    Instance,
    Type,
    Module,
    Component,
    Value,
}

impl ItemKind {
    fn of(shape: &Shape) -> ItemKind {
        match shape {
            Shape::Func(_) => ItemKind::Func,
            Shape::Instance(_) => ItemKind::Instance,
            Shape::Resource(_) | Shape::Type => ItemKind::Type,
            Shape::Module => ItemKind::Module,
            Shape::Component => ItemKind::Component,
            Shape::Value => ItemKind::Value,
        }
    }
}

fn core_kind(kind: ExternalKind) -> CoreKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => CoreKind::Func,
        ExternalKind::Table => CoreKind::Table,
        ExternalKind::Memory => CoreKind::Memory,
        ExternalKind::Global => CoreKind::Global,
        ExternalKind::Tag => CoreKind::Tag,
    }
}

fn options(opts: &[CanonicalOption], offset: u64) -> Result<OptionsDef> {
    let mut def = OptionsDef::default();
    for opt in opts {
        match *opt {
            CanonicalOption::UTF8 => def.encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => def.encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => def.encoding = StringEncoding::CompactUtf16,
            CanonicalOption::Memory(i) => def.memory = Some(i),
            CanonicalOption::Realloc(i) => def.realloc = Some(i),
            CanonicalOption::PostReturn(i) => def.post_return = Some(i),
            CanonicalOption::Async | CanonicalOption::Callback(_) => {
                return Err(unsupported("async lifting and lowering", offset));
            }
            CanonicalOption::CoreType(_) | CanonicalOption::Gc => {
                return Err(unsupported("the GC canonical ABI", offset));
            }
        }
    }
    Ok(def)
}

impl Builder {
    fn slot(&mut self, id: ResourceId) -> ResourceSlot {
        let next = self.def.resource_slots;
        let slot = *self.slots.entry(id).or_insert(next);
        if slot == next {
            self.def.resource_slots += 1;
        }
        ResourceSlot(slot)
    }

    fn count_kind(&mut self, kind: ComponentExternalKind) {
        match kind {
            ComponentExternalKind::Func => self.counts.funcs += 1,
            ComponentExternalKind::Instance => self.counts.instances += 1,
            ComponentExternalKind::Type => self.counts.types += 1,
            _ => {}
        }
    }

    fn item_ref(
        &mut self,
        types: &TypesRef<'_>,
        kind: ComponentExternalKind,
        index: u32,
    ) -> Result<ItemRef> {
        Ok(match kind {
            ComponentExternalKind::Func => ItemRef::Func(index),
            ComponentExternalKind::Instance => ItemRef::Instance(index),
            ComponentExternalKind::Component => ItemRef::Component(index),
            ComponentExternalKind::Module => ItemRef::Module(index),
            ComponentExternalKind::Value => ItemRef::Value,
            ComponentExternalKind::Type => {
                if index >= types.component_type_count() {
                    return Err(internal("type index"));
                }
                match types.component_any_type_at(index) {
                    ComponentAnyTypeId::Resource(id) => ItemRef::Resource(self.slot(id.resource())),
                    _ => ItemRef::Type,
                }
            }
        })
    }

    fn shape(
        &mut self,
        types: &TypesRef<'_>,
        ty: &ComponentEntityType,
        offset: u64,
    ) -> Result<Shape> {
        Ok(match ty {
            ComponentEntityType::Func(id) => Shape::Func(self.func_type(types, *id, offset)?),
            ComponentEntityType::Instance(id) => {
                let instance = types.get(*id).ok_or_else(|| internal("instance type"))?;
                let mut exports = Vec::new();
                for (name, item) in &instance.exports {
                    exports.push((
                        item.full_name(name).into_owned(),
                        self.shape(types, &item.ty, offset)?,
                    ));
                }
                Shape::Instance(exports)
            }
            ComponentEntityType::Type {
                referenced,
                created,
            } => match (referenced, created) {
                (ComponentAnyTypeId::Resource(r), ComponentAnyTypeId::Resource(c)) => {
                    let slot = self.slot(c.resource());
                    self.slots.insert(r.resource(), slot.0);
                    Shape::Resource(slot)
                }
                (_, ComponentAnyTypeId::Resource(c)) => Shape::Resource(self.slot(c.resource())),
                _ => Shape::Type,
            },
            ComponentEntityType::Module(_) => Shape::Module,
            ComponentEntityType::Component(_) => Shape::Component,
            ComponentEntityType::Value(_) => Shape::Value,
        })
    }

    fn func_type(
        &mut self,
        types: &TypesRef<'_>,
        id: ComponentFuncTypeId,
        offset: u64,
    ) -> Result<Arc<FuncType>> {
        if let Some(ty) = self.func_types.get(&id) {
            return Ok(ty.clone());
        }
        let func = types.get(id).ok_or_else(|| internal("function type"))?;
        if func.async_ {
            return Err(unsupported("async functions", offset));
        }
        let mut params = Vec::new();
        for (name, ty) in func.params.iter() {
            params.push((name.to_string(), self.val_type(types, ty, offset)?));
        }
        let result = match &func.result {
            Some(ty) => Some(self.val_type(types, ty, offset)?),
            None => None,
        };
        let ty = Arc::new(FuncType::new(params, result));
        self.func_types.insert(id, ty.clone());
        Ok(ty)
    }

    fn val_type(
        &mut self,
        types: &TypesRef<'_>,
        ty: &ComponentValType,
        offset: u64,
    ) -> Result<Type> {
        let id = match ty {
            ComponentValType::Primitive(p) => return primitive(*p, offset),
            ComponentValType::Type(id) => *id,
        };
        if let Some(ty) = self.value_types.get(&id) {
            return Ok(ty.clone());
        }
        let defined = types.get(id).ok_or_else(|| internal("value type"))?;
        // Recursion is bounded: wasmparser limits type nesting to 100.
        let ty = match defined {
            ComponentDefinedType::Primitive(p) => primitive(*p, offset)?,
            ComponentDefinedType::Record(r) => {
                let mut fields = Vec::new();
                for (name, ty) in &r.fields {
                    fields.push((name.to_string(), self.val_type(types, ty, offset)?));
                }
                Type::record(fields)
            }
            ComponentDefinedType::Variant(v) => {
                let mut cases = Vec::new();
                for (name, case) in &v.cases {
                    let ty = match &case.ty {
                        Some(ty) => Some(self.val_type(types, ty, offset)?),
                        None => None,
                    };
                    cases.push((name.to_string(), ty));
                }
                Type::variant(cases)
            }
            ComponentDefinedType::List { element, .. } => {
                Type::list(self.val_type(types, element, offset)?)
            }
            ComponentDefinedType::Tuple(t) => {
                let mut elems = Vec::new();
                for ty in t.types.iter() {
                    elems.push(self.val_type(types, ty, offset)?);
                }
                Type::tuple(elems)
            }
            ComponentDefinedType::Flags(names) => Type::flags(names.iter().map(|n| n.to_string())),
            ComponentDefinedType::Enum(names) => {
                Type::enumeration(names.iter().map(|n| n.to_string()))
            }
            ComponentDefinedType::Option { ty, .. } => {
                Type::option(self.val_type(types, ty, offset)?)
            }
            ComponentDefinedType::Result { ok, err, .. } => {
                let ok = match ok {
                    Some(t) => Some(self.val_type(types, t, offset)?),
                    None => None,
                };
                let err = match err {
                    Some(t) => Some(self.val_type(types, t, offset)?),
                    None => None,
                };
                Type::result(ok, err)
            }
            ComponentDefinedType::Own(id) => Type::Own(self.slot(id.resource())),
            ComponentDefinedType::Borrow(id) => Type::Borrow(self.slot(id.resource())),
            ComponentDefinedType::Map { key, value, .. } => Type::map(
                self.val_type(types, key, offset)?,
                self.val_type(types, value, offset)?,
            ),
            ComponentDefinedType::FixedLengthList { .. } => {
                return Err(unsupported("fixed-length lists", offset));
            }
            ComponentDefinedType::Future { .. } | ComponentDefinedType::Stream { .. } => {
                return Err(unsupported("futures and streams (async)", offset));
            }
        };
        self.value_types.insert(id, ty.clone());
        Ok(ty)
    }

    fn canonical(
        &mut self,
        types: &TypesRef<'_>,
        function: CanonicalFunction,
        offset: u64,
    ) -> Result<()> {
        let init = match function {
            CanonicalFunction::Lift {
                core_func_index,
                type_index,
                options: opts,
            } => {
                self.counts.funcs += 1;
                let ComponentAnyTypeId::Func(id) = types.component_any_type_at(type_index) else {
                    return Err(internal("lift type"));
                };
                Init::Lift {
                    core_func: core_func_index,
                    ty: self.func_type(types, id, offset)?,
                    options: options(&opts, offset)?,
                }
            }
            CanonicalFunction::Lower {
                func_index,
                options: opts,
            } => {
                self.counts.core_funcs += 1;
                if func_index >= types.component_function_count() {
                    return Err(internal("lower function index"));
                }
                let id = types.component_function_at(func_index);
                Init::Lower {
                    func: func_index,
                    ty: self.func_type(types, id, offset)?,
                    options: options(&opts, offset)?,
                }
            }
            CanonicalFunction::ResourceNew { resource } => {
                self.counts.core_funcs += 1;
                Init::ResourceNew(self.resource_at(types, resource)?)
            }
            CanonicalFunction::ResourceDrop { resource } => {
                self.counts.core_funcs += 1;
                Init::ResourceDrop(self.resource_at(types, resource)?)
            }
            CanonicalFunction::ResourceRep { resource } => {
                self.counts.core_funcs += 1;
                Init::ResourceRep(self.resource_at(types, resource)?)
            }
            other => {
                let index = self.counts.core_funcs;
                self.counts.core_funcs += 1;
                let builtin = match other {
                    CanonicalFunction::ContextGet { slot, .. } => Builtin::ContextGet(slot),
                    CanonicalFunction::ContextSet { slot, .. } => Builtin::ContextSet(slot),
                    CanonicalFunction::BackpressureInc => Builtin::BackpressureInc,
                    CanonicalFunction::BackpressureDec => Builtin::BackpressureDec,
                    _ => Builtin::Unsupported("async and threading built-ins"),
                };
                Init::Builtin {
                    builtin,
                    ty: core_func_type(types, index)?,
                }
            }
        };
        self.def.inits.push(init);
        Ok(())
    }

    fn resource_at(&mut self, types: &TypesRef<'_>, index: u32) -> Result<ResourceSlot> {
        if index >= types.component_type_count() {
            return Err(internal("resource index"));
        }
        match types.component_any_type_at(index) {
            ComponentAnyTypeId::Resource(id) => Ok(self.slot(id.resource())),
            _ => Err(internal("not a resource")),
        }
    }
}

fn core_func_type(types: &TypesRef<'_>, index: u32) -> Result<core::FuncType> {
    if index >= types.function_count() {
        return Err(internal("core function index"));
    }
    let id = types.core_function_at(index);
    let sub = types
        .get(id)
        .ok_or_else(|| internal("core function type"))?;
    let wasmparser::CompositeInnerType::Func(func) = &sub.composite_type.inner else {
        return Err(internal("core function type"));
    };
    let convert = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I32 => Ok(core::ValType::I32),
        wasmparser::ValType::I64 => Ok(core::ValType::I64),
        wasmparser::ValType::F32 => Ok(core::ValType::F32),
        wasmparser::ValType::F64 => Ok(core::ValType::F64),
        _ => Err(unsupported("built-ins with reference or vector types", 0)),
    };
    let params = func
        .params()
        .iter()
        .map(convert)
        .collect::<Result<Vec<_>>>()?;
    let results = func
        .results()
        .iter()
        .map(convert)
        .collect::<Result<Vec<_>>>()?;
    Ok(core::FuncType::new(params, results))
}

fn primitive(p: PrimitiveValType, offset: u64) -> Result<Type> {
    Ok(match p {
        PrimitiveValType::Bool => Type::Bool,
        PrimitiveValType::S8 => Type::S8,
        PrimitiveValType::U8 => Type::U8,
        PrimitiveValType::S16 => Type::S16,
        PrimitiveValType::U16 => Type::U16,
        PrimitiveValType::S32 => Type::S32,
        PrimitiveValType::U32 => Type::U32,
        PrimitiveValType::S64 => Type::S64,
        PrimitiveValType::U64 => Type::U64,
        PrimitiveValType::F32 => Type::F32,
        PrimitiveValType::F64 => Type::F64,
        PrimitiveValType::Char => Type::Char,
        PrimitiveValType::String => Type::String,
        PrimitiveValType::ErrorContext => {
            return Err(unsupported("error contexts (async)", offset));
        }
    })
}
