//! Emitting the component: the world's imports, the shim, the main module
//! and its instantiation, the fixups, `_initialize`, and the lifted
//! exports.
//!
//! Types go through `compono_wit::Scope`, the same machinery that encodes
//! `component-type` sections, so a world prints the same from the metadata
//! and from the component.

mod shim;

use std::collections::{HashMap, HashSet};

use compono_wit::{Binding, ComponentSpace, Scope, StringEncoding, TypeSpace};
use indexmap::IndexMap;
use wasm_encoder::{
    Alias, CanonicalOption, ComponentBuilder, ComponentExportKind, ComponentTypeEncoder,
    ComponentTypeRef, ExportKind, ModuleArg, TypeBounds, ValType,
};
use wit_parser::{Function, Resolve, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey};

use crate::Error;
use crate::classify::{Classified, ExportedResourceIntrinsic, ImportTarget};
use crate::plan::{AbiNeeds, lift_needs, lower_needs};
use shim::CoreSig;

/// A component under construction, as a space `Scope` can fill.
struct ComponentSpaceBuilder {
    component: ComponentBuilder,
    /// `--import-name` renames of instance imports.
    renames: HashMap<String, String>,
    /// The index of the last item imported through `bind`.
    last_import: u32,
}

impl TypeSpace for ComponentSpaceBuilder {
    fn ty(&mut self) -> ComponentTypeEncoder<'_> {
        self.component.ty(None).1
    }
    fn type_count(&self) -> u32 {
        self.component.type_count()
    }
    fn alias(&mut self, alias: Alias<'_>) {
        self.component.alias(None, alias);
    }
    fn bind(&mut self, binding: Binding, name: &str, ty: ComponentTypeRef) {
        match binding {
            Binding::Import => {
                let name = match (&ty, self.renames.get(name)) {
                    (ComponentTypeRef::Instance(_), Some(new)) => new.as_str(),
                    _ => name,
                };
                self.last_import = self.component.import(name, ty);
            }
            Binding::Export => {
                // Only named types are bound by export in a real component
                // (world-level types of exported functions).
                if let ComponentTypeRef::Type(TypeBounds::Eq(index)) = ty {
                    self.component
                        .export(name, ComponentExportKind::Type, index, None);
                }
            }
            Binding::Local => {}
        }
    }
}

impl ComponentSpace for ComponentSpaceBuilder {
    fn instance_count(&self) -> u32 {
        self.component.instance_count()
    }
}

/// Everything `encode_component` needs.
pub struct ComponentInput<'a, 'r> {
    pub resolve: &'r Resolve,
    pub world: WorldId,
    pub encoding: StringEncoding,
    pub classified: &'a Classified<'r>,
    pub module: &'a [u8],
    pub renames: HashMap<String, String>,
    pub debug_names: bool,
}

/// Where a core function import of the main module comes from.
enum CoreFuncSource {
    /// Already a core function index.
    Ready(u32),
    /// Slot `n` of the shim.
    Shim(usize),
}

/// A function that goes through the shim, filled in by the fixup.
enum ShimTarget<'r> {
    Lower {
        component_func: u32,
        func: &'r Function,
        needs: AbiNeeds,
        name: String,
    },
    Dtor {
        core_export: String,
    },
}

fn encoding_option(encoding: StringEncoding) -> CanonicalOption {
    match encoding {
        StringEncoding::Utf8 => CanonicalOption::UTF8,
        StringEncoding::Utf16 => CanonicalOption::UTF16,
        StringEncoding::CompactUtf16 => CanonicalOption::CompactUTF16,
    }
}

fn wasm_types(types: &[wasmparser::ValType]) -> Vec<ValType> {
    types
        .iter()
        .map(|t| match t {
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            _ => ValType::I32,
        })
        .collect()
}

pub fn encode_component(input: ComponentInput<'_, '_>) -> Result<Vec<u8>, Error> {
    let resolve = input.resolve;
    let cls = input.classified;
    let w = &resolve.worlds[input.world];
    let debug = |name: &str| -> Option<String> { input.debug_names.then(|| name.to_string()) };

    let mut scope = Scope::new(
        resolve,
        ComponentSpaceBuilder {
            component: ComponentBuilder::default(),
            renames: input.renames.clone(),
            last_import: 0,
        },
        TypeOwner::World(input.world),
        Binding::Import,
    );

    // The world's imports, as component imports.
    let mut imported_funcs: HashMap<&str, u32> = HashMap::new();
    let mut required = HashSet::new();
    let mut roots = Vec::new();
    for import in &cls.imports {
        match &import.target {
            ImportTarget::Func {
                interface, func, ..
            } => {
                required.insert((*interface, func.name.as_str()));
            }
            ImportTarget::ImportedDrop(resource) => roots.push(*resource),
            ImportTarget::Exported(..) => {}
        }
    }
    let live = crate::live::live_types(resolve, input.world, &required, &roots);
    for (key, item) in w.imports.iter() {
        match item {
            WorldItem::Interface { id, .. } => {
                import_interface(&mut scope, key, *id, &live, &required)?
            }
            WorldItem::Function(func) => {
                if crate::live::is_required(&required, None, &func.name) {
                    scope.world_item(key, item, true)?;
                }
            }
            WorldItem::Type { id, .. } => {
                if live.contains(id) {
                    scope.world_item(key, item, true)?;
                }
            }
        }
        if let (WorldKey::Name(name), WorldItem::Function(_)) = (key, item) {
            imported_funcs.insert(name.as_str(), scope.space.last_import);
        }
    }

    // The component function behind each imported WIT function.
    let component_func = |scope: &mut Scope<'_, ComponentSpaceBuilder>,
                          key: Option<&WorldKey>,
                          interface: Option<wit_parser::InterfaceId>,
                          func: &Function|
     -> Result<u32, Error> {
        match (key, interface) {
            (Some(_), Some(iface)) => {
                let instance = *scope.providers.get(&iface).ok_or_else(|| {
                    Error::Unsupported(format!("interface of `{}` is not imported", func.name))
                })?;
                Ok(scope.space.component.alias_export(
                    instance,
                    &func.name,
                    ComponentExportKind::Func,
                ))
            }
            _ => imported_funcs
                .get(func.name.as_str())
                .copied()
                .ok_or_else(|| {
                    Error::Unsupported(format!("function `{}` is not imported", func.name))
                }),
        }
    };

    // Decide, per core import, whether it can be lowered now or must wait
    // for the main module's memory behind the shim.
    let mut shim_sigs: Vec<CoreSig> = Vec::new();
    let mut shim_names: Vec<String> = Vec::new();
    let mut shim_targets: Vec<ShimTarget<'_>> = Vec::new();
    let mut sources: Vec<CoreFuncSource> = Vec::new();
    let mut pending_exported: Vec<(usize, TypeId, ExportedResourceIntrinsic)> = Vec::new();
    for (i, import) in cls.imports.iter().enumerate() {
        let source = match &import.target {
            ImportTarget::Func {
                key,
                interface,
                func,
            } => {
                let needs = lower_needs(resolve, func);
                let f = component_func(&mut scope, *key, *interface, func)?;
                if needs.memory || needs.realloc {
                    shim_sigs.push(CoreSig {
                        params: wasm_types(import.ty.params()),
                        results: wasm_types(import.ty.results()),
                    });
                    shim_names.push(format!("indirect-{}-{}", import.module, import.field));
                    shim_targets.push(ShimTarget::Lower {
                        component_func: f,
                        func,
                        needs,
                        name: format!("{}::{}", import.module, import.field),
                    });
                    CoreFuncSource::Shim(shim_sigs.len() - 1)
                } else {
                    let options = if needs.strings {
                        vec![encoding_option(input.encoding)]
                    } else {
                        Vec::new()
                    };
                    CoreFuncSource::Ready(scope.space.component.lower_func(
                        debug(&import.field).as_deref(),
                        f,
                        options,
                    ))
                }
            }
            ImportTarget::ImportedDrop(resource) => {
                let ty = scope.type_index(*resource, None)?;
                CoreFuncSource::Ready(scope.space.component.resource_drop(ty))
            }
            ImportTarget::Exported(resource, which) => {
                // Defined once the resource type exists, below.
                pending_exported.push((i, *resource, *which));
                CoreFuncSource::Ready(u32::MAX)
            }
        };
        sources.push(source);
    }

    // Destructors of exported resources also live in the main module.
    let mut exported_resources: Vec<(TypeId, Option<usize>)> = Vec::new();
    for item in w.exports.values() {
        if let WorldItem::Interface { id, .. } = item {
            for &ty in resolve.interfaces[*id].types.values() {
                if !matches!(resolve.types[ty].kind, TypeDefKind::Resource) {
                    continue;
                }
                let slot = cls.dtors.get(&ty).map(|core_export| {
                    shim_sigs.push(CoreSig {
                        params: vec![ValType::I32],
                        results: vec![],
                    });
                    shim_names.push(format!(
                        "dtor-{}",
                        resolve.types[ty].name.as_deref().unwrap_or("")
                    ));
                    shim_targets.push(ShimTarget::Dtor {
                        core_export: core_export.clone(),
                    });
                    shim_sigs.len() - 1
                });
                exported_resources.push((ty, slot));
            }
        }
    }

    let mut shim_funcs: Vec<u32> = Vec::new();
    let mut shim_instance = None;
    let mut shim_memory = None;
    if !shim_sigs.is_empty() || cls.imported_memory.is_some() {
        let names = input.debug_names.then_some(shim_names.as_slice());
        let module = shim::shim_module(&shim_sigs, cls.imported_memory, names);
        let c = &mut scope.space.component;
        let m = c.core_module_raw(debug("compono:shim").as_deref(), &module);
        let inst = c.core_instantiate(debug("compono:shim").as_deref(), m, []);
        for i in 0..shim_sigs.len() {
            shim_funcs.push(c.core_alias_export(None, inst, &i.to_string(), ExportKind::Func));
        }
        if cls.imported_memory.is_some() {
            shim_memory = Some(c.core_alias_export(
                debug("memory").as_deref(),
                inst,
                shim::MEMORY,
                ExportKind::Memory,
            ));
        }
        if !shim_sigs.is_empty() {
            shim_instance = Some(inst);
        }
    }

    // Exported resources: defined here, with their destructors behind the
    // shim.
    let mut local_resources: HashMap<TypeId, u32> = HashMap::new();
    for (ty, slot) in &exported_resources {
        let dtor = slot.map(|s| shim_funcs[s]);
        let name = resolve.types[*ty].name.as_deref();
        let index = scope.space.component.type_resource(
            name.and_then(&debug).as_deref(),
            ValType::I32,
            dtor,
        );
        local_resources.insert(*ty, index);
    }
    for (i, resource, which) in pending_exported {
        let ty = *local_resources.get(&resource).ok_or_else(|| {
            Error::Unsupported("a resource intrinsic of a resource that is not exported".into())
        })?;
        let c = &mut scope.space.component;
        let f = match which {
            ExportedResourceIntrinsic::New => c.resource_new(ty),
            ExportedResourceIntrinsic::Rep => c.resource_rep(ty),
            ExportedResourceIntrinsic::Drop => c.resource_drop(ty),
        };
        sources[i] = CoreFuncSource::Ready(f);
    }

    // The main module, instantiated with one instance per import module.
    let mut by_module: IndexMap<&str, Vec<(&str, ExportKind, u32)>> = IndexMap::new();
    for (import, source) in cls.imports.iter().zip(&sources) {
        let index = match source {
            CoreFuncSource::Ready(f) => *f,
            CoreFuncSource::Shim(slot) => shim_funcs[*slot],
        };
        by_module.entry(import.module.as_str()).or_default().push((
            import.field.as_str(),
            ExportKind::Func,
            index,
        ));
    }
    if let Some(memory) = shim_memory {
        by_module
            .entry("env")
            .or_default()
            .push(("memory", ExportKind::Memory, memory));
    }
    let c = &mut scope.space.component;
    let mut args = Vec::new();
    for (module, fields) in &by_module {
        let inst = c.core_instantiate_exports(debug(module).as_deref(), fields.iter().copied());
        args.push((*module, ModuleArg::Instance(inst)));
    }
    let main_module = c.core_module_raw(debug("main").as_deref(), input.module);
    let main = c.core_instantiate(debug("main").as_deref(), main_module, args);

    let memory = shim_memory.or_else(|| {
        cls.memory
            .as_ref()
            .map(|m| c.core_alias_export(debug("memory").as_deref(), main, m, ExportKind::Memory))
    });
    let mut realloc_index: HashMap<String, u32> = HashMap::new();
    let mut realloc = |c: &mut ComponentBuilder, name: &Option<String>| -> Option<u32> {
        let name = name.as_ref()?;
        Some(*realloc_index.entry(name.clone()).or_insert_with(|| {
            c.core_alias_export(debug(name).as_deref(), main, name, ExportKind::Func)
        }))
    };

    // Fill the shim's table now that memory and realloc exist.
    if let Some(shim_instance) = shim_instance {
        let mut fixup_args: Vec<(String, ExportKind, u32)> = Vec::new();
        let table = c.core_alias_export(None, shim_instance, shim::TABLE, ExportKind::Table);
        fixup_args.push((shim::TABLE.to_string(), ExportKind::Table, table));
        for (i, target) in shim_targets.iter().enumerate() {
            let f = match target {
                ShimTarget::Lower {
                    component_func,
                    func,
                    needs,
                    name,
                } => {
                    let realloc_name = cls.import_realloc.clone().or(cls.realloc.clone());
                    let options = canonical_options(
                        func,
                        *needs,
                        input.encoding,
                        memory,
                        || realloc(c, &realloc_name),
                        name,
                        &realloc_name,
                    )?;
                    c.lower_func(debug(name).as_deref(), *component_func, options)
                }
                ShimTarget::Dtor { core_export } => c.core_alias_export(
                    debug(core_export).as_deref(),
                    main,
                    core_export,
                    ExportKind::Func,
                ),
            };
            fixup_args.push((i.to_string(), ExportKind::Func, f));
        }
        let module = shim::fixup_module(&shim_sigs, input.debug_names);
        let m = c.core_module_raw(debug("compono:fixups").as_deref(), &module);
        let args_instance = c.core_instantiate_exports(
            None,
            fixup_args.iter().map(|(n, k, i)| (n.as_str(), *k, *i)),
        );
        c.core_instantiate(
            debug("compono:fixups").as_deref(),
            m,
            [("", ModuleArg::Instance(args_instance))],
        );
    }

    // `_initialize` runs once the imports are wired.
    if let Some(init) = &cls.initialize {
        let f = c.core_alias_export(debug(init).as_deref(), main, init, ExportKind::Func);
        let module = shim::init_module(input.debug_names);
        let m = c.core_module_raw(debug("compono:initialize").as_deref(), &module);
        let args_instance = c.core_instantiate_exports(None, [("", ExportKind::Func, f)]);
        c.core_instantiate(
            debug("compono:initialize").as_deref(),
            m,
            [("", ModuleArg::Instance(args_instance))],
        );
    }

    // The world's exports, lifted.
    for (key, item) in w.exports.iter() {
        match item {
            WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                // Types this interface owns are defined afresh for the
                // export; what an import of the same interface defined is
                // not theirs.
                scope
                    .indices
                    .retain(|t, _| resolve.types[*t].owner != TypeOwner::Interface(*id));
                for (&ty, &index) in &local_resources {
                    if resolve.types[ty].owner == TypeOwner::Interface(*id) {
                        scope.indices.insert(ty, index);
                    }
                }
                scope.owner = TypeOwner::Interface(*id);
                scope.binding = Binding::Local;
                let mut lifted = Vec::new();
                for func in iface.functions.values() {
                    lifted.push(lift(
                        &mut scope,
                        Some(key),
                        func,
                        &input,
                        main,
                        memory,
                        &mut realloc,
                    )?);
                }
                let (nested, args) = typed_interface(&mut scope, *id, &lifted)?;
                let c = &mut scope.space.component;
                let name = resolve.name_world_key(key);
                let nested = c.component(debug(&name).as_deref(), nested);
                let instance = c.instantiate(debug(&name).as_deref(), nested, args);
                let exported =
                    c.export(name.as_str(), ComponentExportKind::Instance, instance, None);
                // Later exports refer to this interface's types through the
                // export, where they have their names.
                scope.providers.insert(*id, exported);
                for (name, &ty) in iface.types.iter() {
                    let index = scope.space.component.alias_export(
                        exported,
                        name,
                        ComponentExportKind::Type,
                    );
                    scope.indices.insert(ty, index);
                }
                // Anonymous types (handles, lists) cached so far may refer
                // to the definitions that the export has now replaced.
                scope
                    .indices
                    .retain(|t, _| resolve.types[*t].name.is_some());
            }
            WorldItem::Function(func) => {
                scope.owner = TypeOwner::World(input.world);
                scope.binding = Binding::Export;
                let f = lift(&mut scope, None, func, &input, main, memory, &mut realloc)?;
                scope.space.component.export(
                    func.name.as_str(),
                    ComponentExportKind::Func,
                    f,
                    None,
                );
            }
            WorldItem::Type { .. } => {}
        }
    }

    let mut component = scope.space.component;
    if input.debug_names {
        component.append_names();
    }
    Ok(component.finish())
}

/// Imports interface `iface` as an instance holding its functions and its
/// live types only (see `live`); an interface with neither is not
/// imported.
fn import_interface(
    scope: &mut Scope<'_, ComponentSpaceBuilder>,
    key: &WorldKey,
    iface: wit_parser::InterfaceId,
    live: &indexmap::IndexSet<TypeId>,
    required: &HashSet<crate::live::RequiredFunc<'_>>,
) -> Result<(), Error> {
    let resolve = scope.resolve;
    let interface = &resolve.interfaces[iface];
    let funcs: Vec<&Function> = interface
        .functions
        .values()
        .filter(|f| crate::live::is_required(required, Some(iface), &f.name))
        .collect();
    // In the order the walk of the world reached them.
    let owner = TypeOwner::Interface(iface);
    let types: Vec<TypeId> = live
        .iter()
        .copied()
        .filter(|&t| resolve.types[t].owner == owner)
        .collect();
    if types.is_empty() && funcs.is_empty() {
        return Ok(());
    }
    let foreign: HashSet<TypeId> = compono_wit::interface_foreign_refs(resolve, iface)
        .into_iter()
        .collect();
    for &id in live {
        if foreign.contains(&id) {
            scope.type_index(id, None)?;
        }
    }
    let mut instance = Scope::new(
        resolve,
        wasm_encoder::InstanceType::new(),
        TypeOwner::Interface(iface),
        Binding::Export,
    );
    for id in types {
        instance.type_index(id, Some(&scope.indices))?;
    }
    for func in funcs {
        let ty = instance.func_type(func, Some(&scope.indices))?;
        instance
            .space
            .export(func.name.as_str(), ComponentTypeRef::Func(ty));
    }
    let ty = scope.space.component.type_instance(None, &instance.space);
    let index = scope.space.instance_count();
    scope.space.bind(
        Binding::Import,
        &resolve.name_world_key(key),
        ComponentTypeRef::Instance(ty),
    );
    scope.providers.insert(iface, index);
    Ok(())
}

/// A component that gives the lifted functions of an exported interface
/// their names and types: it imports the interface's resources, the foreign
/// types it uses and the lifted functions, and exports the interface's types
/// by name and the functions with types that refer to those names. Returns
/// it with the arguments to instantiate it with.
///
/// A bag of exports cannot do this: resource names and the types of
/// `[method]` functions are only checked against names bound in a
/// component.
#[allow(clippy::type_complexity)]
fn typed_interface(
    outer: &mut Scope<'_, ComponentSpaceBuilder>,
    iface: wit_parser::InterfaceId,
    lifted: &[u32],
) -> Result<(ComponentBuilder, Vec<(String, ComponentExportKind, u32)>), Error> {
    let resolve = outer.resolve;
    let interface = &resolve.interfaces[iface];
    let owner = TypeOwner::Interface(iface);
    let mut scope = Scope::new(
        resolve,
        ComponentSpaceBuilder {
            component: ComponentBuilder::default(),
            renames: HashMap::new(),
            last_import: 0,
        },
        owner,
        Binding::Local,
    );
    let mut args: Vec<(String, ComponentExportKind, u32)> = Vec::new();

    // Foreign named types, dependencies first, then the interface's own
    // resources: imported, so that after instantiation they are the outer
    // component's types.
    let mut foreign = Vec::new();
    let mut pending = compono_wit::interface_foreign_refs(resolve, iface);
    while let Some(id) = pending.pop() {
        if foreign.contains(&id) {
            continue;
        }
        foreign.insert(0, id);
        let mut deps = Vec::new();
        compono_wit::foreign_refs_of_definition(resolve, id, resolve.types[id].owner, &mut deps);
        pending.extend(deps);
    }
    for id in foreign {
        if scope.indices.contains_key(&id) {
            continue;
        }
        let outer_index = outer.type_index(id, None)?;
        let bound = if matches!(resolve.types[id].kind, TypeDefKind::Resource) {
            TypeBounds::SubResource
        } else {
            // Defined structurally here, as its owner would.
            scope.owner = resolve.types[id].owner;
            let saved = scope.indices.remove(&id);
            let local = scope.type_index(id, None)?;
            scope.indices.remove(&id);
            if let Some(saved) = saved {
                scope.indices.insert(id, saved);
            }
            scope.owner = owner;
            TypeBounds::Eq(local)
        };
        let name = format!("import-type{}", args.len());
        let index = scope
            .space
            .component
            .import(name.as_str(), ComponentTypeRef::Type(bound));
        scope.indices.insert(id, index);
        args.push((name, ComponentExportKind::Type, outer_index));
    }
    // The interface's own types: resources as abstract imports, the others
    // defined structurally and imported with that bound, so that every type
    // a function import uses is named.
    let mut own_imports: HashMap<TypeId, u32> = HashMap::new();
    for &id in interface.types.values() {
        let outer_index = outer.type_index(id, None)?;
        let bound = if matches!(resolve.types[id].kind, TypeDefKind::Resource) {
            TypeBounds::SubResource
        } else {
            scope.indices.remove(&id);
            TypeBounds::Eq(scope.type_index(id, None)?)
        };
        let name = format!("import-type{}", args.len());
        let index = scope
            .space
            .component
            .import(name.as_str(), ComponentTypeRef::Type(bound));
        scope.indices.insert(id, index);
        own_imports.insert(id, index);
        args.push((name, ComponentExportKind::Type, outer_index));
    }
    // Anonymous types cached so far may refer to the structural
    // definitions rather than the imports.
    scope
        .indices
        .retain(|t, _| resolve.types[*t].name.is_some());

    // The lifted functions, with types made of the imports.
    let mut imported = Vec::new();
    for (func, &f) in interface.functions.values().zip(lifted) {
        let ty = scope.func_type(func, None)?;
        let name = format!("import-func{}", args.len());
        let index = scope
            .space
            .component
            .import(name.as_str(), ComponentTypeRef::Func(ty));
        imported.push(index);
        args.push((name, ComponentExportKind::Func, f));
    }

    // Exports: the types by name, then the functions ascribed types that
    // use those names.
    scope
        .indices
        .retain(|t, _| resolve.types[*t].owner != owner && resolve.types[*t].name.is_some());
    // Resources are re-exported as imported (they are the outer ones after
    // instantiation); the other types are defined afresh here so that what
    // they refer to is named by this component's own exports.
    scope.binding = Binding::Export;
    for &id in interface.types.values() {
        if matches!(resolve.types[id].kind, TypeDefKind::Resource) {
            let name = resolve.types[id].name.as_deref().unwrap_or_default();
            let index = scope.space.component.export(
                name,
                ComponentExportKind::Type,
                own_imports[&id],
                None,
            );
            scope.indices.insert(id, index);
        } else {
            scope.type_index(id, None)?;
        }
    }
    for (func, index) in interface.functions.values().zip(imported) {
        let ty = scope.func_type(func, None)?;
        scope.space.component.export(
            func.name.as_str(),
            ComponentExportKind::Func,
            index,
            Some(ComponentTypeRef::Func(ty)),
        );
    }
    Ok((scope.space.component, args))
}

/// Lifts the core export behind `func` with the options its types need.
fn lift<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    key: Option<&'r WorldKey>,
    func: &'r Function,
    input: &ComponentInput<'_, 'r>,
    main: u32,
    memory: Option<u32>,
    realloc: &mut impl FnMut(&mut ComponentBuilder, &Option<String>) -> Option<u32>,
) -> Result<u32, Error> {
    let resolve = input.resolve;
    let cls = input.classified;
    let exported = cls
        .funcs
        .get(&(key, func.name.as_str()))
        .ok_or_else(|| Error::Missing(format!("the module does not export `{}`", func.name)))?;
    let ty = scope.func_type(func, None)?;
    let needs = lift_needs(resolve, func);
    let debug = |name: &str| input.debug_names.then(|| name.to_string());
    let c = &mut scope.space.component;
    let core = c.core_alias_export(
        debug(&exported.core_name).as_deref(),
        main,
        &exported.core_name,
        ExportKind::Func,
    );
    let realloc_name = cls.export_realloc.clone().or(cls.realloc.clone());
    let mut options = canonical_options(
        func,
        needs,
        input.encoding,
        memory,
        || realloc(c, &realloc_name),
        &exported.core_name,
        &realloc_name,
    )?;
    if let Some(post) = &exported.post_return {
        let p = c.core_alias_export(debug(post).as_deref(), main, post, ExportKind::Func);
        options.push(CanonicalOption::PostReturn(p));
    }
    Ok(c.lift_func(debug(&func.name).as_deref(), core, ty, options))
}

/// Memory, realloc and string encoding as `needs` asks; the error says
/// what the module must export.
fn canonical_options(
    func: &Function,
    needs: AbiNeeds,
    encoding: StringEncoding,
    memory: Option<u32>,
    realloc: impl FnOnce() -> Option<u32>,
    item: &str,
    realloc_name: &Option<String>,
) -> Result<Vec<CanonicalOption>, Error> {
    let mut options = Vec::new();
    if needs.memory {
        let memory = memory.ok_or_else(|| {
            Error::Missing(format!(
                "`{item}` (WIT function `{}`) passes values through linear memory, but the \
                 module exports no memory; export it as `memory`",
                func.name
            ))
        })?;
        options.push(CanonicalOption::Memory(memory));
    }
    if needs.realloc {
        let realloc = realloc().ok_or_else(|| {
            let _ = realloc_name;
            Error::Missing(format!(
                "`{item}` (WIT function `{}`) needs the module to allocate memory for \
                 lists or strings, but the module exports no `cabi_realloc`; export a \
                 `cabi_realloc: (func (param i32 i32 i32 i32) (result i32))`",
                func.name
            ))
        })?;
        options.push(CanonicalOption::Realloc(realloc));
    }
    if needs.strings {
        options.push(encoding_option(encoding));
    }
    Ok(options)
}
