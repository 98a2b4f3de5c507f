//! Encoding WIT in the component binary format.
//!
//! A package becomes a component exporting one component type per interface
//! and per world (the "v2" layout `wit_parser::decoding` reads):
//!
//! - an interface `i` is `(component (import <deps>...) (export "ns:pkg/i"
//!   (instance ...)))`, where the imports are the other interfaces whose
//!   types `i` uses, each carrying only the types needed;
//! - a world `w` is `(component (component <world>) (export "ns:pkg/w"
//!   (component 0)))`, where `<world>` imports and exports instances for its
//!   interfaces and functions for its functions.
//!
//! Every named WIT type is bound with a name (`export "t" (type (eq N))` in an
//! instance, `import` at world level) and referenced through that binding, so
//! that decoding recovers names and `use` aliases.

use crate::Lookup;
use std::collections::HashMap;
use wasm_encoder::{
    Alias, Component, ComponentExportKind, ComponentExternName, ComponentOuterAliasKind,
    ComponentType, ComponentTypeEncoder, ComponentTypeRef, ComponentTypeSection, ComponentValType,
    CustomSection, InstanceType, PrimitiveValType, TypeBounds,
};
use wit_parser::{
    Function, Handle, InterfaceId, PackageId, PackageMetadata, Resolve, Type, TypeDef, TypeDefKind,
    TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

use crate::Error;

/// How interfaces are named where they are imported or exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InterfaceNames {
    /// `ns:pkg/iface@1.2.3`.
    #[default]
    Full,
    /// `ns:pkg/iface@1` (the semver-compatible track), with the rest of the
    /// version (`.2.3`) in the name's `version-suffix`: what wasm-tools'
    /// `--emit-canonical-names` writes.
    Canonical,
}

impl InterfaceNames {
    /// How to name `world`'s interfaces: canonically when asked, once no
    /// two of its imports, and no two of its exports, share a canonical
    /// name.
    pub fn for_world(
        resolve: &Resolve,
        world: WorldId,
        canonical: bool,
    ) -> Result<InterfaceNames, Error> {
        if !canonical {
            return Ok(InterfaceNames::Full);
        }
        check_canonical_names(resolve, world)?;
        Ok(InterfaceNames::Canonical)
    }

    /// The import or export name of interface `iface`.
    pub fn of_interface(
        self,
        resolve: &Resolve,
        iface: InterfaceId,
    ) -> Result<ComponentExternName<'static>, Error> {
        let full = interface_id(resolve, iface)?;
        let mut name = ComponentExternName::from(full);
        if self == InterfaceNames::Canonical {
            if let Some(canonical) = resolve.canonicalized_id_of(iface) {
                name.name = canonical.into();
            }
            name.version_suffix = resolve.version_suffix_of(iface).map(Into::into);
        }
        Ok(name)
    }

    /// The import or export name of a world item.
    pub fn of_key(
        self,
        resolve: &Resolve,
        key: &WorldKey,
    ) -> Result<ComponentExternName<'static>, Error> {
        match key {
            WorldKey::Name(name) => Ok(ComponentExternName::from(name.clone())),
            WorldKey::Interface(id) => self.of_interface(resolve, *id),
        }
    }

    /// The import or export name of world item `item` under `key`: the
    /// key's name, which for a named interface (`import x: ns:pkg/iface;`)
    /// says which one it `implements`, with the item's `@external-id`.
    pub fn of_item(
        self,
        resolve: &Resolve,
        key: &WorldKey,
        item: &WorldItem,
    ) -> Result<ComponentExternName<'static>, Error> {
        let mut name = self.of_key(resolve, key)?;
        name.implements = match resolve.implements_interface(key, item) {
            Some(id) => Some(interface_id(resolve, id)?.into()),
            None => None,
        };
        name.external_id = resolve.external_id_value(key, item).map(Into::into);
        Ok(name)
    }
}

/// Checks that no two imports, and no two exports, of `world` share a
/// canonical name (`a:b/c@1.2.0` and `a:b/c@1.3.0` both are `a:b/c@1`).
fn check_canonical_names(resolve: &Resolve, world: WorldId) -> Result<(), Error> {
    let w = &resolve.world_at(world);
    for (what, keys) in [("import", &w.imports), ("export", &w.exports)] {
        let mut seen: HashMap<String, InterfaceId> = HashMap::new();
        for key in keys.keys() {
            let WorldKey::Interface(id) = key else {
                continue;
            };
            let Some(canonical) = resolve.canonicalized_id_of(*id) else {
                continue;
            };
            if let Some(previous) = seen.insert(canonical.clone(), *id) {
                return Err(Error::Unrepresentable(format!(
                    "{what}s `{}` and `{}` have the same canonical name `{canonical}`; \
                     merge semver-compatible versions before emitting canonical names",
                    interface_id(resolve, previous)?,
                    interface_id(resolve, *id)?
                )));
            }
        }
    }
    Ok(())
}

/// Encodes `package` as a component (the `wasm-tools component wit --wasm`
/// form), with its docs and stability in a `package-docs` custom section.
pub fn encode_package(resolve: &Resolve, package: PackageId) -> Result<Vec<u8>, Error> {
    encode_package_with(resolve, package, InterfaceNames::Full)
}

/// `encode_package`, naming interfaces as `names` says.
pub fn encode_package_with(
    resolve: &Resolve,
    package: PackageId,
    names: InterfaceNames,
) -> Result<Vec<u8>, Error> {
    crate::limits::check_package(resolve, package)?;
    let pkg = &resolve.package_at(package);
    let mut types = ComponentTypeSection::new();
    let mut exports = wasm_encoder::ComponentExportSection::new();
    for (name, &iface) in pkg.interfaces.iter() {
        let ty = interface_wrapper(resolve, iface, names)?;
        exports.export(name, ComponentExportKind::Type, types.len(), None);
        types.component(&ty);
    }
    for (name, &world) in pkg.worlds.iter() {
        let ty = world_wrapper(resolve, world, names)?;
        exports.export(name, ComponentExportKind::Type, types.len(), None);
        types.component(&ty);
    }
    // Each type is exported right after it is defined, so the two sections
    // interleave; emit them pairwise to keep indices in order.
    let mut component = Component::new();
    component.section(&types);
    component.section(&exports);
    let docs = PackageMetadata::extract(resolve, package)
        .encode()
        .map_err(|e| Error::Unrepresentable(format!("package docs: {e}")))?;
    component.section(&CustomSection {
        name: PackageMetadata::SECTION_NAME.into(),
        data: docs.into(),
    });
    Ok(component.finish())
}

/// Encodes `world` as `(component (component <world>) (export "ns:pkg/w"
/// (component 0)))`, the type a `component-type` section exports.
pub fn encode_world(resolve: &Resolve, world: WorldId) -> Result<ComponentType, Error> {
    encode_world_with(resolve, world, InterfaceNames::Full)
}

/// `encode_world`, naming interfaces as `names` says.
pub fn encode_world_with(
    resolve: &Resolve,
    world: WorldId,
    names: InterfaceNames,
) -> Result<ComponentType, Error> {
    crate::limits::check_world(resolve, world)?;
    world_wrapper(resolve, world, names)
}

fn world_wrapper(
    resolve: &Resolve,
    world: WorldId,
    names: InterfaceNames,
) -> Result<ComponentType, Error> {
    let inner = world_type(resolve, world, names)?;
    let w = &resolve.world_at(world);
    let package = w
        .package
        .ok_or_else(|| Error::Unrepresentable(format!("world `{}` has no package", w.name)))?;
    let mut wrapper = ComponentType::new();
    wrapper.ty().component(&inner);
    wrapper.export(
        resolve.id_of_name(package, &w.name).as_str(),
        ComponentTypeRef::Component(0),
    );
    Ok(wrapper)
}

/// `(component (import "ns:dep/j" (instance ...))... (export "ns:pkg/i"
/// (instance ...)))` for one interface of a package.
fn interface_wrapper(
    resolve: &Resolve,
    iface: InterfaceId,
    names: InterfaceNames,
) -> Result<ComponentType, Error> {
    let mut outer = Scope::new(
        resolve,
        ComponentType::new(),
        TypeOwner::None,
        Binding::Import,
    );
    outer.interface_names = names;
    let refs = interface_foreign_refs(resolve, iface);
    for &id in &refs {
        outer.import_types_of(owning_interface(resolve, id)?)?;
    }
    for id in refs {
        outer.type_index(id, None)?;
    }
    let instance = interface_instance(resolve, iface, &outer.indices)?;
    outer.space.ty().instance(&instance);
    let ty = outer.space.type_count() - 1;
    let name = names.of_interface(resolve, iface)?;
    outer.space.export(name, ComponentTypeRef::Instance(ty));
    Ok(outer.space)
}

/// The instance type of a whole interface: its types, then its functions.
/// `outer` maps the foreign types it uses to their indices in the
/// enclosing space (reached with `alias outer 1`).
pub fn interface_instance(
    resolve: &Resolve,
    iface: InterfaceId,
    outer: &HashMap<TypeId, u32>,
) -> Result<InstanceType, Error> {
    let interface = &resolve.interface_at(iface);
    let mut scope = Scope::new(
        resolve,
        InstanceType::new(),
        TypeOwner::Interface(iface),
        Binding::Export,
    );
    for &id in interface.types.values() {
        scope.type_index(id, Some(outer))?;
    }
    for func in interface.functions.values() {
        let ty = scope.func_type(func, Some(outer))?;
        scope.space.export(
            extern_name(&func.name, func.external_id.as_deref()),
            ComponentTypeRef::Func(ty),
        );
    }
    Ok(scope.space)
}

/// The component type of a world: imports, then exports.
fn world_type(
    resolve: &Resolve,
    world: WorldId,
    names: InterfaceNames,
) -> Result<ComponentType, Error> {
    let w = &resolve.world_at(world);
    let mut scope = Scope::new(
        resolve,
        ComponentType::new(),
        TypeOwner::World(world),
        Binding::Import,
    );
    scope.interface_names = names;
    for (key, item) in w.imports.iter() {
        scope.world_item(key, item, true)?;
    }
    scope.binding = Binding::Export;
    for (key, item) in w.exports.iter() {
        scope.world_item(key, item, false)?;
    }
    Ok(scope.space)
}

/// `name`, with its `@external-id` if it has one.
pub fn extern_name<'a>(name: &'a str, external_id: Option<&'a str>) -> ComponentExternName<'a> {
    ComponentExternName {
        name: name.into(),
        implements: None,
        version_suffix: None,
        external_id: external_id.map(Into::into),
    }
}

/// `ns:pkg/iface@version`.
fn interface_id(resolve: &Resolve, iface: InterfaceId) -> Result<String, Error> {
    resolve
        .id_of(iface)
        .ok_or_else(|| Error::Unrepresentable("an anonymous interface is used by name".to_string()))
}

/// Named types of other interfaces that `iface`'s types and functions
/// refer to, in order of first reference.
pub fn interface_foreign_refs(resolve: &Resolve, iface: InterfaceId) -> Vec<TypeId> {
    let interface = &resolve.interface_at(iface);
    let mut roots: Vec<TypeId> = interface.types.values().copied().collect();
    for func in interface.functions.values() {
        for ty in func.parameter_and_result_types() {
            if let Type::Id(id) = ty {
                roots.push(id);
            }
        }
    }
    let mut refs = Vec::new();
    walk_foreign_refs(resolve, roots, TypeOwner::Interface(iface), &mut refs);
    refs
}

fn owning_interface(resolve: &Resolve, id: TypeId) -> Result<InterfaceId, Error> {
    match resolve.type_at(id).owner {
        TypeOwner::Interface(i) => Ok(i),
        _ => Err(Error::Unrepresentable(format!(
            "type `{}` is not defined in an interface",
            resolve.type_at(id).name.as_deref().unwrap_or("<anonymous>")
        ))),
    }
}

/// Named types owned outside `owner` that the definition of `id` reaches
/// (looking inside `id` even when it is foreign itself), stopping at each.
pub fn foreign_refs_of_definition(
    resolve: &Resolve,
    id: TypeId,
    owner: TypeOwner,
    out: &mut Vec<TypeId>,
) {
    let mut parts = Vec::new();
    crate::limits::type_parts(&resolve.type_at(id).kind, &mut parts);
    let roots = parts
        .into_iter()
        .filter_map(|t| match t {
            Type::Id(t) => Some(t),
            _ => None,
        })
        .collect();
    walk_foreign_refs(resolve, roots, owner, out);
}

/// The walk behind both: depth-first from `roots` in order, each type
/// visited once, with an explicit stack (WIT text can chain types without
/// bound), appending the foreign named types in order of first reference.
fn walk_foreign_refs(
    resolve: &Resolve,
    roots: Vec<TypeId>,
    owner: TypeOwner,
    out: &mut Vec<TypeId>,
) {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<TypeId> = roots.into_iter().rev().collect();
    let mut parts = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let def = &resolve.type_at(id);
        if def.owner != owner && matches!(def.owner, TypeOwner::Interface(_)) && def.name.is_some()
        {
            out.push(id);
            continue;
        }
        parts.clear();
        crate::limits::type_parts(&def.kind, &mut parts);
        stack.extend(parts.iter().rev().filter_map(|t| match t {
            Type::Id(t) => Some(*t),
            _ => None,
        }));
    }
}

/// How a named type is bound in its space: worlds import their types,
/// instances export them. `Local` defines types without naming them, for a
/// real component that lifts functions whose types are named only in the
/// type ascribed to an export.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Binding {
    Import,
    Export,
    Local,
}

/// Where types are declared: a component type, an instance type, or a real
/// component under construction.
pub trait TypeSpace {
    fn ty(&mut self) -> ComponentTypeEncoder<'_>;
    fn type_count(&self) -> u32;
    fn alias(&mut self, alias: Alias<'_>);
    fn bind(&mut self, binding: Binding, name: ComponentExternName<'_>, ty: ComponentTypeRef);
}

impl TypeSpace for ComponentType {
    fn ty(&mut self) -> ComponentTypeEncoder<'_> {
        ComponentType::ty(self)
    }
    fn type_count(&self) -> u32 {
        ComponentType::type_count(self)
    }
    fn alias(&mut self, alias: Alias<'_>) {
        ComponentType::alias(self, alias);
    }
    fn bind(&mut self, binding: Binding, name: ComponentExternName<'_>, ty: ComponentTypeRef) {
        match binding {
            Binding::Import => {
                ComponentType::import(self, name, ty);
            }
            Binding::Export => {
                ComponentType::export(self, name, ty);
            }
            Binding::Local => {}
        }
    }
}

/// A space that can also hold instances: where whole world items go.
pub trait ComponentSpace: TypeSpace {
    fn instance_count(&self) -> u32;
}

impl ComponentSpace for ComponentType {
    fn instance_count(&self) -> u32 {
        ComponentType::instance_count(self)
    }
}

impl TypeSpace for InstanceType {
    fn ty(&mut self) -> ComponentTypeEncoder<'_> {
        InstanceType::ty(self)
    }
    fn type_count(&self) -> u32 {
        InstanceType::type_count(self)
    }
    fn alias(&mut self, alias: Alias<'_>) {
        InstanceType::alias(self, alias);
    }
    fn bind(&mut self, _: Binding, name: ComponentExternName<'_>, ty: ComponentTypeRef) {
        InstanceType::export(self, name, ty);
    }
}

/// A type space being filled, with the index each resolved type got in it.
pub struct Scope<'r, S> {
    pub resolve: &'r Resolve,
    pub space: S,
    /// The owner whose named types are defined (and bound by name) here;
    /// named types of other owners come from outside.
    pub owner: TypeOwner,
    pub binding: Binding,
    pub indices: HashMap<TypeId, u32>,
    /// Anonymous definitions emitted here, by what they are: another
    /// anonymous type of the same kind (a `Resolve` decoded from a binary
    /// has one per use) reuses it, as the reference encoder does. An entry
    /// holds only while the type it was made for still has that index.
    anonymous: HashMap<&'r TypeDefKind, (TypeId, u32)>,
    /// For component types: the instance (import or export) that provides
    /// each interface's types.
    pub providers: HashMap<InterfaceId, u32>,
    /// How interfaces imported or exported here are named.
    pub interface_names: InterfaceNames,
}

impl<'r, S: TypeSpace> Scope<'r, S> {
    pub fn new(resolve: &'r Resolve, space: S, owner: TypeOwner, binding: Binding) -> Self {
        Scope {
            resolve,
            space,
            owner,
            binding,
            indices: HashMap::new(),
            anonymous: HashMap::new(),
            providers: HashMap::new(),
            interface_names: InterfaceNames::Full,
        }
    }

    fn last_type(&self) -> u32 {
        self.space.type_count() - 1
    }

    pub fn valtype(
        &mut self,
        ty: &Type,
        outer: Option<&HashMap<TypeId, u32>>,
    ) -> Result<ComponentValType, Error> {
        Ok(match ty {
            Type::Bool => ComponentValType::Primitive(PrimitiveValType::Bool),
            Type::U8 => ComponentValType::Primitive(PrimitiveValType::U8),
            Type::U16 => ComponentValType::Primitive(PrimitiveValType::U16),
            Type::U32 => ComponentValType::Primitive(PrimitiveValType::U32),
            Type::U64 => ComponentValType::Primitive(PrimitiveValType::U64),
            Type::S8 => ComponentValType::Primitive(PrimitiveValType::S8),
            Type::S16 => ComponentValType::Primitive(PrimitiveValType::S16),
            Type::S32 => ComponentValType::Primitive(PrimitiveValType::S32),
            Type::S64 => ComponentValType::Primitive(PrimitiveValType::S64),
            Type::F32 => ComponentValType::Primitive(PrimitiveValType::F32),
            Type::F64 => ComponentValType::Primitive(PrimitiveValType::F64),
            Type::Char => ComponentValType::Primitive(PrimitiveValType::Char),
            Type::String => ComponentValType::Primitive(PrimitiveValType::String),
            Type::ErrorContext => ComponentValType::Primitive(PrimitiveValType::ErrorContext),
            Type::Id(id) => {
                let def = &self.resolve.type_at(*id);
                // An unnamed alias is transparent.
                if let (None, TypeDefKind::Type(inner)) = (&def.name, &def.kind) {
                    return self.valtype(inner, outer);
                }
                ComponentValType::Type(self.type_index(*id, outer)?)
            }
        })
    }

    /// The index of `id` in this space, declaring it (and what it refers to)
    /// on first use.
    pub fn type_index(
        &mut self,
        id: TypeId,
        outer: Option<&HashMap<TypeId, u32>>,
    ) -> Result<u32, Error> {
        if let Some(&index) = self.indices.get(&id) {
            return Ok(index);
        }
        let resolve = self.resolve;
        let def: &'r TypeDef = resolve.type_at(id);
        if def.name.is_none()
            && let Some(&(origin, index)) = self.anonymous.get(&def.kind)
            && self.indices.get(&origin) == Some(&index)
        {
            self.indices.insert(id, index);
            return Ok(index);
        }
        let is_foreign =
            def.name.is_some() && def.owner != self.owner && !matches!(def.owner, TypeOwner::None);
        if is_foreign {
            let index = self.foreign(id, outer)?;
            self.indices.insert(id, index);
            return Ok(index);
        }

        let index = match &def.kind {
            TypeDefKind::Resource => {
                let name = def
                    .name
                    .as_deref()
                    .ok_or_else(|| Error::Unrepresentable("an anonymous resource".to_string()))?;
                // A real component defines its resources itself (with a
                // representation and destructor) before asking for them.
                if self.binding == Binding::Local {
                    return Err(Error::Unrepresentable(format!(
                        "resource `{name}` is used before it is defined"
                    )));
                }
                self.space.bind(
                    self.binding,
                    extern_name(name, def.external_id.as_deref()),
                    ComponentTypeRef::Type(TypeBounds::SubResource),
                );
                let index = self.last_type();
                self.indices.insert(id, index);
                return Ok(index);
            }
            TypeDefKind::Handle(h) => {
                let (r, own) = match h {
                    Handle::Own(r) => (*r, true),
                    Handle::Borrow(r) => (*r, false),
                };
                let r = self.type_index(r, outer)?;
                let ty = self.space.ty().defined_type();
                if own {
                    ty.own(r)
                } else {
                    ty.borrow(r)
                }
                self.last_type()
            }
            TypeDefKind::Record(r) => {
                let fields = r
                    .fields
                    .iter()
                    .map(|f| Ok((f.name.as_str(), self.valtype(&f.ty, outer)?)))
                    .collect::<Result<Vec<_>, Error>>()?;
                self.space.ty().defined_type().record(fields);
                self.last_type()
            }
            TypeDefKind::Tuple(t) => {
                let types = t
                    .types
                    .iter()
                    .map(|t| self.valtype(t, outer))
                    .collect::<Result<Vec<_>, Error>>()?;
                self.space.ty().defined_type().tuple(types);
                self.last_type()
            }
            TypeDefKind::Variant(v) => {
                let cases = v
                    .cases
                    .iter()
                    .map(|c| {
                        let ty = c.ty.as_ref().map(|t| self.valtype(t, outer)).transpose()?;
                        Ok((c.name.as_str(), ty))
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                self.space.ty().defined_type().variant(cases);
                self.last_type()
            }
            TypeDefKind::Flags(f) => {
                self.space
                    .ty()
                    .defined_type()
                    .flags(f.flags.iter().map(|f| f.name.as_str()));
                self.last_type()
            }
            TypeDefKind::Enum(e) => {
                self.space
                    .ty()
                    .defined_type()
                    .enum_type(e.cases.iter().map(|c| c.name.as_str()));
                self.last_type()
            }
            TypeDefKind::Option(t) => {
                let t = self.valtype(t, outer)?;
                self.space.ty().defined_type().option(t);
                self.last_type()
            }
            TypeDefKind::Result(r) => {
                let ok = r.ok.as_ref().map(|t| self.valtype(t, outer)).transpose()?;
                let err = r.err.as_ref().map(|t| self.valtype(t, outer)).transpose()?;
                self.space.ty().defined_type().result(ok, err);
                self.last_type()
            }
            TypeDefKind::List(t) => {
                let t = self.valtype(t, outer)?;
                self.space.ty().defined_type().list(t);
                self.last_type()
            }
            TypeDefKind::FixedLengthList(t, n) => {
                let t = self.valtype(t, outer)?;
                self.space.ty().defined_type().fixed_length_list(t, *n);
                self.last_type()
            }
            TypeDefKind::Map(k, v) => {
                let k = self.valtype(k, outer)?;
                let v = self.valtype(v, outer)?;
                self.space.ty().defined_type().map(k, v);
                self.last_type()
            }
            TypeDefKind::Future(t) => {
                let t = t.as_ref().map(|t| self.valtype(t, outer)).transpose()?;
                self.space.ty().defined_type().future(t);
                self.last_type()
            }
            TypeDefKind::Stream(t) => {
                let t = t.as_ref().map(|t| self.valtype(t, outer)).transpose()?;
                self.space.ty().defined_type().stream(t);
                self.last_type()
            }
            TypeDefKind::Type(inner) => match self.valtype(inner, outer)? {
                ComponentValType::Type(index) => index,
                ComponentValType::Primitive(p) => {
                    self.space.ty().defined_type().primitive(p);
                    self.last_type()
                }
            },
            TypeDefKind::Unknown => {
                return Err(Error::Unrepresentable("a type is unresolved".to_string()));
            }
        };

        // Named types are referenced through their binding so they keep
        // their name when decoded.
        let index = match &def.name {
            Some(name) if self.binding != Binding::Local => {
                self.space.bind(
                    self.binding,
                    extern_name(name, def.external_id.as_deref()),
                    ComponentTypeRef::Type(TypeBounds::Eq(index)),
                );
                self.last_type()
            }
            _ => index,
        };
        self.indices.insert(id, index);
        if def.name.is_none() {
            self.anonymous.insert(&def.kind, (id, index));
        }
        Ok(index)
    }

    /// Brings a named type owned elsewhere into this space: from the
    /// enclosing space for instance types, from the instance providing its
    /// interface for component types.
    fn foreign(&mut self, id: TypeId, outer: Option<&HashMap<TypeId, u32>>) -> Result<u32, Error> {
        let def = &self.resolve.type_at(id);
        let name = def.name.as_deref().unwrap_or_default();
        if let Some(outer) = outer {
            let index = *outer.get(&id).ok_or_else(|| {
                Error::Unrepresentable(format!("type `{name}` is used but not available here"))
            })?;
            self.space.alias(Alias::Outer {
                kind: ComponentOuterAliasKind::Type,
                count: 1,
                index,
            });
            return Ok(self.last_type());
        }
        let TypeOwner::Interface(iface) = def.owner else {
            return Err(Error::Unrepresentable(format!(
                "type `{name}` is used outside its world"
            )));
        };
        let instance = *self.providers.get(&iface).ok_or_else(|| {
            Error::Unrepresentable(format!(
                "type `{name}` comes from an interface that is neither imported nor exported"
            ))
        })?;
        self.space.alias(Alias::InstanceExport {
            instance,
            kind: ComponentExportKind::Type,
            name,
        });
        Ok(self.last_type())
    }

    pub fn func_type(
        &mut self,
        func: &Function,
        outer: Option<&HashMap<TypeId, u32>>,
    ) -> Result<u32, Error> {
        let params = func
            .params
            .iter()
            .map(|p| Ok((p.name.as_str(), self.valtype(&p.ty, outer)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        let result = func
            .result
            .as_ref()
            .map(|t| self.valtype(t, outer))
            .transpose()?;
        let mut encoder = self.space.ty().function();
        encoder.async_(func.kind.is_async());
        encoder.params(params);
        encoder.result(result);
        Ok(self.last_type())
    }
}

impl<'r, S: ComponentSpace> Scope<'r, S> {
    fn instance_count(&self) -> u32 {
        self.space.instance_count()
    }

    /// Aliases, from the instances that provide them, every foreign named
    /// type that `iface`'s own definitions refer to, so that its instance
    /// type can reach them with `alias outer`.
    fn ensure_foreign_of_interface(&mut self, iface: InterfaceId) -> Result<(), Error> {
        for id in interface_foreign_refs(self.resolve, iface) {
            self.type_index(id, None)?;
        }
        Ok(())
    }

    /// Imports an instance with every type of `dep` (what a decoder sees of
    /// a foreign interface), after the interfaces those types use.
    fn import_types_of(&mut self, dep: InterfaceId) -> Result<(), Error> {
        if self.providers.contains_key(&dep) {
            return Ok(());
        }
        let mut refs = Vec::new();
        let roots = self
            .resolve
            .interface_at(dep)
            .types
            .values()
            .copied()
            .collect();
        walk_foreign_refs(self.resolve, roots, TypeOwner::Interface(dep), &mut refs);
        for &id in &refs {
            self.import_types_of(owning_interface(self.resolve, id)?)?;
        }
        for id in refs {
            self.type_index(id, None)?;
        }
        let mut instance = Scope::new(
            self.resolve,
            InstanceType::new(),
            TypeOwner::Interface(dep),
            Binding::Export,
        );
        for &id in self.resolve.interface_at(dep).types.values() {
            instance.type_index(id, Some(&self.indices))?;
        }
        self.space.ty().instance(&instance.space);
        let ty = self.last_type();
        let index = self.instance_count();
        let name = self.interface_names.of_interface(self.resolve, dep)?;
        self.space
            .bind(Binding::Import, name, ComponentTypeRef::Instance(ty));
        self.providers.insert(dep, index);
        Ok(())
    }

    /// Declares one import or export of a world: an instance for an
    /// interface, a function, or a type.
    pub fn world_item(
        &mut self,
        key: &WorldKey,
        item: &WorldItem,
        import: bool,
    ) -> Result<(), Error> {
        let name = self.interface_names.of_item(self.resolve, key, item)?;
        match item {
            WorldItem::Interface { id, .. } => {
                self.ensure_foreign_of_interface(*id)?;
                let instance = interface_instance(self.resolve, *id, &self.indices)?;
                self.space.ty().instance(&instance);
                let ty = self.last_type();
                let index = self.instance_count();
                self.space
                    .bind(self.binding, name, ComponentTypeRef::Instance(ty));
                // Imports provide types to everything after them; an export
                // only to what no import already provides.
                if import || !self.providers.contains_key(id) {
                    self.providers.insert(*id, index);
                }
            }
            WorldItem::Function(func) => {
                let ty = self.func_type(func, None)?;
                self.space
                    .bind(self.binding, name, ComponentTypeRef::Func(ty));
            }
            WorldItem::Type { id, .. } => {
                self.type_index(*id, None)?;
            }
        }
        Ok(())
    }
}
