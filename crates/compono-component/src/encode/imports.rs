//! The world's imported interfaces, as component imports.

use std::collections::HashSet;

use compono_wit::{Binding, ComponentSpace, Scope, TypeSpace};
use wasm_encoder::ComponentTypeRef;
use wit_parser::{Function, TypeId, TypeOwner, WorldKey};

use super::space::ComponentSpaceBuilder;
use crate::Error;

/// Imports interface `iface` as an instance holding its functions and its
/// live types only (see `live`); an interface with neither is not
/// imported.
pub fn import_interface(
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
