//! The world's imports, as component imports: the functions the module
//! calls and the types that are live (see `live`).

use compono_wit::Lookup;
use std::collections::{HashMap, HashSet};

use compono_wit::{Binding, ComponentSpace, Scope, TypeSpace};
use wasm_encoder::ComponentTypeRef;
use wit_parser::{Function, InterfaceId, TypeId, TypeOwner, WorldId, WorldItem, WorldKey};

use super::ComponentInput;
use super::space::ComponentSpaceBuilder;
use crate::Error;
use crate::classify::ImportTarget;
use crate::live::{ModuleImport, is_required, live_types, live_types_of_import};

/// What `import_world` imported that lowering refers to: the component
/// function of each world-level function, by name, and the instance of each
/// imported interface, by import name.
#[derive(Default)]
pub struct Imported {
    pub funcs: HashMap<String, u32>,
    pub instances: HashMap<String, u32>,
}

/// Imports what the module needs of the world.
pub fn import_world<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    world: WorldId,
    input: &ComponentInput<'_, 'r>,
) -> Result<Imported, Error> {
    let resolve = scope.resolve;
    let mut required = HashSet::new();
    let mut uses = Vec::new();
    for (_, cls) in input.modules() {
        // Grouped by import module, in the order each module first
        // appears, as the reference encoder walks a module's imports.
        let mut by_module: indexmap::IndexMap<&str, Vec<&ImportTarget>> = indexmap::IndexMap::new();
        for import in &cls.imports {
            by_module
                .entry(import.module.as_str())
                .or_default()
                .push(&import.target);
        }
        for target in by_module.into_values().flatten() {
            match target {
                ImportTarget::Func { key, func } => {
                    required.insert((*key, func.name.as_str()));
                    uses.push(ModuleImport::Func(*key, func));
                }
                ImportTarget::ImportedDrop(key, resource) => {
                    uses.push(ModuleImport::ImportedDrop(*key, *resource));
                }
                ImportTarget::Exported(resource, _) => {
                    uses.push(ModuleImport::ExportedResource(*resource));
                }
                ImportTarget::AdapterExport(_) | ImportTarget::MainExport => {}
            }
        }
    }
    let live = live_types(resolve, world, &uses);
    let imports = &resolve.world_at(world).imports;
    // An interface imported under several names (`import x: ns:pkg/i;`
    // beside `import ns:pkg/i;`) has its types provided by its import
    // under its own name, else by its first import; the others bring only
    // the functions the module calls from them.
    let mut type_providers: HashMap<InterfaceId, &WorldKey> = HashMap::new();
    for (key, item) in imports.iter() {
        if let WorldItem::Interface { id, .. } = item {
            let own_name = *key == WorldKey::Interface(*id);
            if own_name || !type_providers.contains_key(id) {
                type_providers.insert(*id, key);
            }
        }
    }
    let mut imported = Imported::default();
    for (key, item) in imports.iter() {
        match item {
            WorldItem::Interface { id, .. } => {
                let provides_types = type_providers.get(id) == Some(&key);
                // Other imports of the interface bring the resources whose
                // drop is imported from them.
                let own_live: indexmap::IndexSet<TypeId>;
                let live = if provides_types {
                    &live
                } else {
                    own_live = live_types_of_import(resolve, key, &uses);
                    &own_live
                };
                if let Some(instance) =
                    import_interface(scope, key, item, *id, live, &required, provides_types)?
                {
                    imported
                        .instances
                        .insert(resolve.name_world_key(key), instance);
                }
            }
            WorldItem::Function(func) => {
                if is_required(&required, None, &func.name) {
                    scope.world_item(key, item, true)?;
                    imported
                        .funcs
                        .insert(func.name.clone(), scope.space.last_import);
                }
            }
            WorldItem::Type { id, .. } => {
                if live.contains(id) {
                    scope.world_item(key, item, true)?;
                }
            }
        }
    }
    Ok(imported)
}

/// Imports interface `iface` as an instance holding its functions and its
/// live types only (see `live`); an interface with neither is not
/// imported.
fn import_interface<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    key: &'r WorldKey,
    item: &WorldItem,
    iface: InterfaceId,
    live: &indexmap::IndexSet<TypeId>,
    required: &HashSet<crate::live::RequiredFunc<'r>>,
    provides_types: bool,
) -> Result<Option<u32>, Error> {
    let resolve = scope.resolve;
    let interface = &resolve.interface_at(iface);
    let funcs: Vec<&Function> = interface
        .functions
        .values()
        .filter(|f| is_required(required, Some(key), &f.name))
        .collect();
    // In the order the walk of the world reached them.
    let owner = TypeOwner::Interface(iface);
    let types: Vec<TypeId> = live
        .iter()
        .copied()
        .filter(|&t| resolve.type_at(t).owner == owner)
        .collect();
    if types.is_empty() && funcs.is_empty() {
        return Ok(None);
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
        instance.space.export(
            compono_wit::extern_name(&func.name, func.external_id.as_deref()),
            ComponentTypeRef::Func(ty),
        );
    }
    let ty = scope.space.component.type_instance(None, &instance.space);
    let index = scope.space.instance_count();
    let name = scope.interface_names.of_item(resolve, key, item)?;
    scope
        .space
        .bind(Binding::Import, name, ComponentTypeRef::Instance(ty));
    if provides_types {
        scope.providers.insert(iface, index);
    }
    Ok(Some(index))
}
