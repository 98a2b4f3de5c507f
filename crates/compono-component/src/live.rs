//! What of the world's imports a component needs: the functions the core
//! module calls, the types those reach, and the types that exports and
//! world-level items use. An interface imported only for its types (through
//! `use`) brings just those types, so that a host is not asked for
//! functions or resources nothing uses.

use compono_wit::Lookup;
use std::collections::HashSet;

use indexmap::IndexSet;

use wit_parser::{
    FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId,
    WorldItem, WorldKey,
};

use crate::world::is_resource;

/// A world import function the module calls: the key of the interface it
/// is imported with (`None` at world level; one interface may be imported
/// under several names) and its name.
pub type RequiredFunc<'r> = (Option<&'r WorldKey>, &'r str);

/// Whether an import function is required.
pub fn is_required<'r>(
    required: &HashSet<RequiredFunc<'r>>,
    key: Option<&'r WorldKey>,
    func: &'r str,
) -> bool {
    required.contains(&(key, func))
}

/// What a core module imports that makes types live, in the order of its
/// import section.
#[derive(Clone, Copy)]
pub enum ModuleImport<'r> {
    /// A world import function, from the interface imported as `key`
    /// (`None` at world level).
    Func(Option<&'r WorldKey>, &'r wit_parser::Function),
    /// `resource.drop` of an imported resource.
    ImportedDrop(Option<&'r WorldKey>, TypeId),
    /// `resource.new`, `.rep` or `.drop` of a resource the module exports.
    ExportedResource(TypeId),
}

/// Every type the component needs, in the order the reference encoder
/// reaches them (dependencies first), which is the order their definitions
/// are emitted in: world-level types, then what the modules import in the
/// order they import it (`uses`: the main module's, then each adapter's),
/// then what the exports use.
pub fn live_types<'r>(
    resolve: &'r Resolve,
    world: WorldId,
    uses: &[ModuleImport<'r>],
) -> IndexSet<TypeId> {
    let mut live = IndexSet::new();
    let w = &resolve.world_at(world);
    // World-level resources are live when their drop is imported or
    // something else reaches them.
    let dropped = |id: &TypeId| {
        uses.iter()
            .any(|u| matches!(u, ModuleImport::ImportedDrop(_, t) if t == id))
    };
    // World-level types first, as the reference encoder orders them: the
    // interface types they use are then declared before any function's.
    for item in w.imports.values() {
        if let WorldItem::Type { id, .. } = item
            && (!is_resource(resolve, *id) || dropped(id))
        {
            visit(resolve, &Type::Id(*id), &[], &mut live);
        }
    }
    for u in uses {
        match *u {
            ModuleImport::Func(_, func) => visit_func(resolve, func, &[], &mut live),
            ModuleImport::ImportedDrop(_, ty) | ModuleImport::ExportedResource(ty) => {
                visit(resolve, &Type::Id(ty), &[], &mut live)
            }
        }
    }
    // Interfaces exported so far under their own names: an exported
    // interface takes what it uses of them from their exports, not from
    // imports.
    let mut exported_ifaces: Vec<InterfaceId> = Vec::new();
    for (key, item) in w.exports.iter() {
        match item {
            WorldItem::Interface { id, .. } => {
                // An exported interface defines its own types (even when
                // the same interface is imported too) and uses those of
                // interfaces exported before it under their own names (one
                // exported under a name of its own, `export n: i;`, provides
                // no types); what they use from elsewhere is live. The
                // reference counts only exported interfaces reached through
                // exported dependencies; the two agree because the only way
                // to differ, an export using an import that uses an
                // exported interface, is a world wit-parser refuses ("depends
                // on an interface in incompatible ways").
                let mut own = exported_ifaces.clone();
                own.push(*id);
                if *key == WorldKey::Interface(*id) {
                    exported_ifaces.push(*id);
                }
                // Its types first, then its functions, as the reference
                // walks an interface.
                let iface = &resolve.interface_at(*id);
                for &ty in iface.types.values() {
                    visit(resolve, &Type::Id(ty), &own, &mut live);
                }
                for func in iface.functions.values() {
                    visit_func(resolve, func, &own, &mut live);
                }
            }
            WorldItem::Function(func) => visit_func(resolve, func, &[], &mut live),
            WorldItem::Type { id, .. } => {
                if !is_resource(resolve, *id) || dropped(id) {
                    visit(resolve, &Type::Id(*id), &[], &mut live)
                }
            }
        }
    }
    live
}

/// The live types of an interface imported under a name that does not
/// provide its types (see `encode::imports`): what the modules import from
/// that import, in their import order. The reference encoder decodes such
/// an import as an interface of its own, so world-level `use`s and other
/// imports of the same interface do not reorder it.
pub fn live_types_of_import<'r>(
    resolve: &'r Resolve,
    key: &'r WorldKey,
    uses: &[ModuleImport<'r>],
) -> IndexSet<TypeId> {
    let mut live = IndexSet::new();
    for u in uses {
        match *u {
            ModuleImport::Func(Some(k), func) if k == key => {
                visit_func(resolve, func, &[], &mut live)
            }
            ModuleImport::ImportedDrop(Some(k), ty) if k == key => {
                visit(resolve, &Type::Id(ty), &[], &mut live)
            }
            _ => {}
        }
    }
    live
}

/// Marks what a function's parameters and results reach.
fn visit_func(
    resolve: &Resolve,
    func: &wit_parser::Function,
    own: &[InterfaceId],
    live: &mut IndexSet<TypeId>,
) {
    // A `[static]r.f` function is named after its resource, which must
    // then be in scope even when no value of it crosses. (A method's or
    // constructor's resource is reached through its parameters or result,
    // in that order, as the reference walks them.)
    if let FunctionKind::Static(resource)
    | FunctionKind::AsyncStatic(resource)
    | FunctionKind::StaticGetter(resource)
    | FunctionKind::StaticSetter(resource) = func.kind
    {
        visit(resolve, &Type::Id(resource), own, live);
    }
    for ty in func.parameter_and_result_types() {
        visit(resolve, &ty, own, live);
    }
}

/// Marks what `ty` reaches; types owned by `own` (exported interfaces)
/// are looked through but not marked.
fn visit(resolve: &Resolve, ty: &Type, own: &[InterfaceId], live: &mut IndexSet<TypeId>) {
    // A chain of aliases (`type a2 = a1; type a1 = a0;`) is walked in a
    // loop, not a recursion per alias (WIT puts no bound on its length);
    // what is left to recurse into is nesting, which the type depth limit
    // bounds.
    let mut chain = Vec::new();
    let mut next = *ty;
    while let Type::Id(id) = next {
        let owned = own
            .iter()
            .any(|&i| resolve.type_at(id).owner == TypeOwner::Interface(i));
        if !owned && live.contains(&id) {
            break;
        }
        chain.push((id, owned));
        match resolve.type_at(id).kind {
            TypeDefKind::Type(target) => next = target,
            _ => {
                visit_definition(resolve, id, own, live);
                break;
            }
        }
    }
    // Dependencies first: the end of the chain, then the aliases of it.
    for (id, owned) in chain.into_iter().rev() {
        if !owned {
            live.insert(id);
        }
    }
}

/// Visits what the definition of `id` refers to.
fn visit_definition(
    resolve: &Resolve,
    id: TypeId,
    own: &[InterfaceId],
    live: &mut IndexSet<TypeId>,
) {
    let mut each = |t: &Type| visit(resolve, t, own, live);
    match &resolve.type_at(id).kind {
        TypeDefKind::Record(r) => r.fields.iter().for_each(|f| each(&f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().for_each(each),
        TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).for_each(each),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => each(t),
        TypeDefKind::FixedLengthList(t, _) => each(t),
        TypeDefKind::Map(k, v) => {
            each(k);
            each(v);
        }
        TypeDefKind::Result(r) => {
            r.ok.iter().for_each(&mut each);
            r.err.iter().for_each(each);
        }
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(each),
        TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => each(&Type::Id(*r)),
        TypeDefKind::Resource
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Unknown => {}
    }
}
