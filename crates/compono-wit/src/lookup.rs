//! Arena lookups by id, in one place.
//!
//! A `Resolve`'s ids are issued by the `Resolve` itself (wit-parser checks
//! every reference when it parses or decodes), so looking one up cannot
//! fail for ids read out of the same `Resolve`. Having the lookups here,
//! rather than as `resolve.types[id]` everywhere, lets
//! `clippy::indexing_slicing` hold in the rest of compono-wit and
//! compono-component, where indexing would be on data from the input.

use wit_parser::{
    Interface, InterfaceId, Package, PackageId, Resolve, TypeDef, TypeId, World, WorldId,
};

/// `resolve.types[id]` and friends, by name.
pub trait Lookup {
    fn type_at(&self, id: TypeId) -> &TypeDef;
    fn interface_at(&self, id: InterfaceId) -> &Interface;
    fn world_at(&self, id: WorldId) -> &World;
    fn package_at(&self, id: PackageId) -> &Package;
}

#[allow(clippy::indexing_slicing)]
impl Lookup for Resolve {
    fn type_at(&self, id: TypeId) -> &TypeDef {
        &self.types[id]
    }
    fn interface_at(&self, id: InterfaceId) -> &Interface {
        &self.interfaces[id]
    }
    fn world_at(&self, id: WorldId) -> &World {
        &self.worlds[id]
    }
    fn package_at(&self, id: PackageId) -> &Package {
        &self.packages[id]
    }
}

/// `ty` with aliases (`type a = b`) followed to what they name, in a loop:
/// WIT can chain aliases without bound, so walkers that look through them
/// call this rather than recursing once per alias.
pub fn dealias(resolve: &Resolve, mut ty: wit_parser::Type) -> wit_parser::Type {
    while let wit_parser::Type::Id(id) = ty {
        match resolve.types.get(id).map(|d| &d.kind) {
            Some(wit_parser::TypeDefKind::Type(next)) => ty = *next,
            _ => break,
        }
    }
    ty
}
