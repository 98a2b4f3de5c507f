//! The world's exports: core exports lifted with their canonical options,
//! and exported interfaces given their names and types.

use compono_wit::Lookup;
use std::collections::{HashMap, HashSet};

use indexmap::IndexSet;

use compono_wit::{Binding, Scope, StringEncoding};
use wasm_encoder::{
    CanonicalOption, ComponentBuilder, ComponentExportKind, ComponentTypeRef, ExportKind,
    TypeBounds,
};
use wit_parser::{Function, InterfaceId, Resolve, TypeId, TypeOwner, WorldItem, WorldKey};

use super::instances::Main;
use super::space::ComponentSpaceBuilder;
use super::{ComponentInput, Reallocs, encoding_option};
use crate::Error;
use crate::plan::{AbiNeeds, lift_needs};
use crate::world::is_resource;

/// Lifts the world's exports: each exported interface as an instance of
/// its own (see `typed_interface`), each world-level function directly.
pub fn export_world<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    input: &ComponentInput<'_, 'r>,
    main: &Main,
    local_resources: &HashMap<TypeId, u32>,
    reallocs: &mut Reallocs,
) -> Result<(), Error> {
    for (key, item) in input.resolve.world_at(input.world).exports.iter() {
        match item {
            WorldItem::Interface { .. } => {
                export_interface(scope, input, key, item, main, local_resources, reallocs)?
            }
            WorldItem::Function(func) => {
                scope.owner = TypeOwner::World(input.world);
                scope.binding = Binding::Export;
                let f = lift(scope, None, func, input, main, reallocs)?;
                let name = scope.interface_names.of_item(input.resolve, key, item)?;
                scope
                    .space
                    .component
                    .export(name, ComponentExportKind::Func, f, None);
            }
            WorldItem::Type { .. } => {}
        }
    }
    Ok(())
}

fn export_interface<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    input: &ComponentInput<'_, 'r>,
    key: &'r WorldKey,
    item: &WorldItem,
    main: &Main,
    local_resources: &HashMap<TypeId, u32>,
    reallocs: &mut Reallocs,
) -> Result<(), Error> {
    let resolve = input.resolve;
    let WorldItem::Interface { id, .. } = *item else {
        return Err(Error::Internal(
            "an exported item that is not an interface".into(),
        ));
    };
    let iface = &resolve.interface_at(id);
    // Types this interface owns are defined afresh for the export; what an
    // import of the same interface defined is not theirs.
    let owned = |t: &TypeId| resolve.type_at(*t).owner == TypeOwner::Interface(id);
    let imported: Vec<(TypeId, u32)> = scope
        .indices
        .iter()
        .filter(|(t, _)| owned(t))
        .map(|(&t, &i)| (t, i))
        .collect();
    scope.indices.retain(|t, _| !owned(t));
    for (&ty, &index) in local_resources {
        if resolve.type_at(ty).owner == TypeOwner::Interface(id) {
            scope.indices.insert(ty, index);
        }
    }
    scope.owner = TypeOwner::Interface(id);
    scope.binding = Binding::Local;
    let mut lifted = Vec::new();
    for func in iface.functions.values() {
        lifted.push(lift(scope, Some(key), func, input, main, reallocs)?);
    }
    let (nested, args) = typed_interface(scope, id, &lifted)?;
    let c = &mut scope.space.component;
    let name = resolve.name_world_key(key);
    let nested = c.component(input.debug(&name).as_deref(), nested);
    let instance = c.instantiate(input.debug(&name).as_deref(), nested, args);
    let extern_name = scope.interface_names.of_item(resolve, key, item)?;
    let c = &mut scope.space.component;
    let exported = c.export(extern_name, ComponentExportKind::Instance, instance, None);
    if *key == WorldKey::Interface(id) {
        // Later exports refer to this interface's types through the
        // export, where they have their names.
        scope.providers.insert(id, exported);
        for (name, &ty) in iface.types.iter() {
            let index =
                scope
                    .space
                    .component
                    .alias_export(exported, name, ComponentExportKind::Type);
            scope.indices.insert(ty, index);
        }
    } else {
        // An export under a name of its own (`export n: i;`) provides no
        // types: later exports take the interface's types from where they
        // took them before, its import (as the reference does; `live`
        // keeps that import).
        scope.indices.retain(|t, _| !owned(t));
        scope.indices.extend(imported);
    }
    // Anonymous types (handles, lists) cached so far may refer to the
    // definitions that the export has now replaced.
    scope
        .indices
        .retain(|t, _| resolve.type_at(*t).name.is_some());
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
fn typed_interface(
    outer: &mut Scope<'_, ComponentSpaceBuilder>,
    iface: InterfaceId,
    lifted: &[u32],
) -> Result<(ComponentBuilder, InstantiationArgs), Error> {
    let resolve = outer.resolve;
    let interface = &resolve.interface_at(iface);
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
    let mut args = InstantiationArgs::new();

    // Foreign named types, dependencies first, then the interface's own
    // resources: imported, so that after instantiation they are the outer
    // component's types.
    for id in foreign_types_in_dependency_order(resolve, iface) {
        if scope.indices.contains_key(&id) {
            continue;
        }
        let outer_index = outer.type_index(id, None)?;
        let bound = if is_resource(resolve, id) {
            TypeBounds::SubResource
        } else {
            // Defined structurally here, as its owner would.
            scope.owner = resolve.type_at(id).owner;
            let saved = scope.indices.remove(&id);
            let local = scope.type_index(id, None)?;
            scope.indices.remove(&id);
            if let Some(saved) = saved {
                scope.indices.insert(id, saved);
            }
            scope.owner = owner;
            TypeBounds::Eq(local)
        };
        let index = import_arg(
            &mut scope.space.component,
            &mut args,
            ComponentTypeRef::Type(bound),
            outer_index,
        );
        scope.indices.insert(id, index);
    }
    // The interface's own types: resources as abstract imports, the others
    // defined structurally and imported with that bound, so that every type
    // a function import uses is named.
    let mut own_imports: HashMap<TypeId, u32> = HashMap::new();
    for &id in interface.types.values() {
        let outer_index = outer.type_index(id, None)?;
        let bound = if is_resource(resolve, id) {
            TypeBounds::SubResource
        } else {
            scope.indices.remove(&id);
            TypeBounds::Eq(scope.type_index(id, None)?)
        };
        let index = import_arg(
            &mut scope.space.component,
            &mut args,
            ComponentTypeRef::Type(bound),
            outer_index,
        );
        scope.indices.insert(id, index);
        own_imports.insert(id, index);
    }
    // Anonymous types cached so far may refer to the structural
    // definitions rather than the imports.
    scope
        .indices
        .retain(|t, _| resolve.type_at(*t).name.is_some());

    // The lifted functions, with types made of the imports.
    let mut imported = Vec::new();
    for (func, &f) in interface.functions.values().zip(lifted) {
        let ty = scope.func_type(func, None)?;
        imported.push(import_arg(
            &mut scope.space.component,
            &mut args,
            ComponentTypeRef::Func(ty),
            f,
        ));
    }

    // Exports: the types by name, then the functions ascribed types that
    // use those names.
    scope
        .indices
        .retain(|t, _| resolve.type_at(*t).owner != owner && resolve.type_at(*t).name.is_some());
    // Resources are re-exported as imported (they are the outer ones after
    // instantiation); the other types are defined afresh here so that what
    // they refer to is named by this component's own exports.
    scope.binding = Binding::Export;
    for &id in interface.types.values() {
        if is_resource(resolve, id) {
            let def = &resolve.type_at(id);
            let name = def.name.as_deref().unwrap_or_default();
            let index = scope.space.component.export(
                compono_wit::extern_name(name, def.external_id.as_deref()),
                ComponentExportKind::Type,
                *own_imports.get(&id).ok_or_else(|| {
                    Error::Internal(format!("resource `{name}` was not imported"))
                })?,
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
            compono_wit::extern_name(&func.name, func.external_id.as_deref()),
            ComponentExportKind::Func,
            index,
            Some(ComponentTypeRef::Func(ty)),
        );
    }
    Ok((scope.space.component, args))
}

/// The named types of other interfaces that `iface` uses, directly or
/// through their definitions, each after the named types it uses itself
/// (a post-order walk, with an explicit stack).
fn foreign_types_in_dependency_order(resolve: &Resolve, iface: InterfaceId) -> Vec<TypeId> {
    let mut done: IndexSet<TypeId> = IndexSet::new();
    let mut entered: HashSet<TypeId> = HashSet::new();
    let roots = compono_wit::interface_foreign_refs(resolve, iface);
    // (type, whether its dependencies are already pushed)
    let mut stack: Vec<(TypeId, bool)> = roots.into_iter().rev().map(|t| (t, false)).collect();
    while let Some((id, expanded)) = stack.pop() {
        if done.contains(&id) {
            continue;
        }
        if expanded {
            done.insert(id);
            continue;
        }
        if !entered.insert(id) {
            continue;
        }
        stack.push((id, true));
        // Every named type the definition uses is imported too, those of
        // its own interface included: an imported type may only refer to
        // named (imported) types.
        let mut deps = Vec::new();
        compono_wit::foreign_refs_of_definition(
            resolve,
            id,
            TypeOwner::Interface(iface),
            &mut deps,
        );
        stack.extend(deps.into_iter().rev().map(|t| (t, false)));
    }
    done.into_iter().collect()
}

/// What a nested component is instantiated with: name, kind and outer
/// index of each of its imports.
type InstantiationArgs = Vec<(String, ComponentExportKind, u32)>;

/// Imports `ty` into the nested component `c` under the next numbered
/// name, and records `outer` as what to instantiate that import with.
fn import_arg(
    c: &mut ComponentBuilder,
    args: &mut InstantiationArgs,
    ty: ComponentTypeRef,
    outer: u32,
) -> u32 {
    let (prefix, kind) = match ty {
        ComponentTypeRef::Func(_) => ("import-func", ComponentExportKind::Func),
        _ => ("import-type", ComponentExportKind::Type),
    };
    let name = format!("{prefix}{}", args.len());
    let index = c.import(name.as_str(), ty);
    args.push((name, kind, outer));
    index
}

/// Lifts the core export behind `func` with the options its types need.
fn lift<'r>(
    scope: &mut Scope<'r, ComponentSpaceBuilder>,
    key: Option<&'r WorldKey>,
    func: &'r Function,
    input: &ComponentInput<'_, 'r>,
    main: &Main,
    reallocs: &mut Reallocs,
) -> Result<u32, Error> {
    let resolve = input.resolve;
    // The main module or the adapter that provides it.
    let (cls, exported, instance) = input
        .modules()
        .find_map(|(m, cls)| {
            let exported = cls
                .funcs
                .get(&(key, func.name.as_str()))
                .filter(|f| !f.core_name.is_empty())?;
            Some((cls, exported, main.instance_of(m)?))
        })
        .ok_or_else(|| Error::Missing(format!("the module does not export `{}`", func.name)))?;
    let ty = scope.func_type(func, None)?;
    let needs = lift_needs(resolve, func);
    let c = &mut scope.space.component;
    let core = c.core_alias_export(
        input.debug(&exported.core_name).as_deref(),
        instance,
        &exported.core_name,
        ExportKind::Func,
    );
    let realloc_name = cls.export_realloc.clone().or(cls.realloc.clone());
    let mut options = canonical_options(
        func,
        needs,
        input.encoding,
        main.memory,
        || reallocs.get(c, input, instance, &realloc_name),
        &exported.core_name,
        &realloc_name,
    )?;
    if let Some(post) = &exported.post_return {
        let p = c.core_alias_export(
            input.debug(post).as_deref(),
            instance,
            post,
            ExportKind::Func,
        );
        options.push(CanonicalOption::PostReturn(p));
    }
    Ok(c.lift_func(input.debug(&func.name).as_deref(), core, ty, options))
}

/// Memory, realloc and string encoding as `needs` asks; the error says
/// what the module must export.
pub fn canonical_options(
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
