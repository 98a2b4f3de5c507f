//! What a world item holds, as classification, the placeholder module and
//! the encoder all walk it: its functions and its resources.

use compono_wit::Lookup;
use wit_parser::{Function, InterfaceId, Resolve, TypeDefKind, TypeId, WorldItem, WorldKey};

/// A function of a world item, with the key it is imported or exported
/// under and its interface (both `None` at world level).
pub type ItemFunc<'r> = (Option<&'r WorldKey>, Option<InterfaceId>, &'r Function);

/// The functions of a world item.
pub fn item_funcs<'r>(
    resolve: &'r Resolve,
    key: &'r WorldKey,
    item: &'r WorldItem,
) -> Vec<ItemFunc<'r>> {
    match item {
        WorldItem::Interface { id, .. } => resolve
            .interface_at(*id)
            .functions
            .values()
            .map(|f| (Some(key), Some(*id), f))
            .collect(),
        WorldItem::Function(f) => vec![(None, None, f)],
        WorldItem::Type { .. } => Vec::new(),
    }
}

/// The resources an interface defines.
pub fn interface_resources(
    resolve: &Resolve,
    iface: InterfaceId,
) -> impl Iterator<Item = TypeId> + '_ {
    resolve
        .interface_at(iface)
        .types
        .values()
        .copied()
        .filter(|&t| is_resource(resolve, t))
}

/// The resources an imported world item brings (whose drop a module may
/// import), with the key of their interface (`None` at world level).
pub fn imported_resources<'r>(
    resolve: &'r Resolve,
    key: &'r WorldKey,
    item: &'r WorldItem,
) -> (Option<&'r WorldKey>, Vec<TypeId>) {
    match item {
        WorldItem::Interface { id, .. } => (Some(key), interface_resources(resolve, *id).collect()),
        WorldItem::Type { id, .. } if is_resource(resolve, *id) => (None, vec![*id]),
        _ => (None, Vec::new()),
    }
}

pub fn is_resource(resolve: &Resolve, ty: TypeId) -> bool {
    matches!(resolve.type_at(ty).kind, TypeDefKind::Resource)
}
