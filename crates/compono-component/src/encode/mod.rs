//! Emitting the component: the world's imports, the shim, the main module
//! and its instantiation, the fixups, `_initialize`, and the lifted
//! exports.
//!
//! Types go through `compono_wit::Scope`, the same machinery that encodes
//! `component-type` sections, so a world prints the same from the metadata
//! and from the component.

mod exports;
mod imports;
mod shim;
mod space;

use std::collections::HashMap;

use compono_wit::{Binding, Scope, StringEncoding};
use indexmap::IndexMap;
use wasm_encoder::{
    CanonicalOption, ComponentBuilder, ComponentExportKind, ExportKind, ModuleArg, ValType,
};
use wit_parser::{Function, Resolve, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey};

use crate::Error;
use crate::classify::{Classified, ExportedResourceIntrinsic, ImportTarget};
use crate::plan::{AbiNeeds, lower_needs};
use exports::{canonical_options, lift, typed_interface};
use imports::import_world;
use shim::CoreSig;
use space::ComponentSpaceBuilder;

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
    let imported_funcs = import_world(&mut scope, input.world, cls)?;

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
            _ => imported_funcs.get(&func.name).copied().ok_or_else(|| {
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
