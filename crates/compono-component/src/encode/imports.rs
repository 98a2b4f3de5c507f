//! The world's imports, as component imports: the functions the module
//! calls and the types that are live (see `live`).

use std::collections::{HashMap, HashSet};

use compono_wit::{Binding, ComponentSpace, Scope, TypeSpace};
use wasm_encoder::ComponentTypeRef;
use wit_parser::{Function, TypeId, TypeOwner, WorldId, WorldItem, WorldKey};

use super::ComponentInput;
use super::space::ComponentSpaceBuilder;
use crate::Error;
use crate::classify::ImportTarget;
use crate::live::{is_required, live_types};

/// Imports what the module needs of the world; returns the component
/// function index of each imported world-level function, by name.
pub fn import_world(
    scope: &mut Scope<'_, ComponentSpaceBuilder>,
    world: WorldId,
    input: &ComponentInput<'_, '_>,
) -> Result<HashMap<String, u32>, Error> {
    let resolve = scope.resolve;
    let mut required = HashSet::new();
    let mut roots = Vec::new();
    for (_, cls) in input.modules() {
        for import in &cls.imports {
            match &import.target {
                ImportTarget::Func {
                    interface, func, ..
                } => {
                    required.insert((*interface, func.name.as_str()));
                }
                ImportTarget::ImportedDrop(resource) => roots.push(*resource),
                ImportTarget::Exported(..)
                | ImportTarget::AdapterExport(_)
                | ImportTarget::MainExport => {}
            }
        }
    }
    let live = live_types(resolve, world, &required, &roots);
    let mut imported_funcs = HashMap::new();
    for (key, item) in resolve.worlds[world].imports.iter() {
        match item {
            WorldItem::Interface { id, .. } => import_interface(scope, key, *id, &live, &required)?,
            WorldItem::Function(func) => {
                if is_required(&required, None, &func.name) {
                    scope.world_item(key, item, true)?;
                    imported_funcs.insert(func.name.clone(), scope.space.last_import);
                }
            }
            WorldItem::Type { id, .. } => {
                if live.contains(id) {
                    scope.world_item(key, item, true)?;
                }
            }
        }
    }
    Ok(imported_funcs)
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
        .filter(|f| is_required(required, Some(iface), &f.name))
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
    let name = scope.interface_names.of_key(resolve, key)?;
    scope
        .space
        .bind(Binding::Import, name, ComponentTypeRef::Instance(ty));
    scope.providers.insert(iface, index);
    Ok(())
}
