//! The component model's limits on value types, checked before anything
//! walks them.
//!
//! WIT text can nest types without bound (`type t1 = list<t0>; type t2 =
//! list<t1>; ...`) and share them to grow exponentially (`type t1 =
//! tuple<t0, t0>; ...`). Neither can become a valid component: wasmparser
//! refuses types nested more than 100 deep or with an effective size over
//! 1,000,000. Checking those limits once, without recursion, on the types
//! an encoder, `new` or a generator is about to walk means every walk
//! after it is bounded: no stack overflow and no exponential time, on any
//! input.

use std::collections::HashMap;

use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId};

use crate::Error;

/// wasmparser's `MAX_WASM_COMPONENT_TYPE_DEPTH`.
pub const MAX_TYPE_DEPTH: u32 = 100;
/// wasmparser's `MAX_WASM_TYPE_SIZE`.
pub const MAX_TYPE_SIZE: u32 = 1_000_000;

/// How deep and how large a type is, counted as wasmparser counts: a
/// primitive or a type without parts is 1 deep and 1 large, a composite is
/// one deeper than its deepest part and one larger than its parts
/// together; an alias is its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeMeasure {
    pub depth: u32,
    pub size: u32,
}

const LEAF: TypeMeasure = TypeMeasure { depth: 1, size: 1 };

/// Measures of types, computed once each.
#[derive(Default)]
pub struct TypeLimits {
    measured: HashMap<TypeId, TypeMeasure>,
}

impl TypeLimits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `ty` (and everything it refers to) against the limits;
    /// the error names the outermost named type that breaks them.
    pub fn check(&mut self, resolve: &Resolve, ty: &Type) -> Result<(), Error> {
        let Type::Id(id) = ty else {
            return Ok(());
        };
        self.measure(resolve, *id)?;
        Ok(())
    }

    /// Checks every type in `types`.
    pub fn check_all(
        &mut self,
        resolve: &Resolve,
        types: impl IntoIterator<Item = Type>,
    ) -> Result<(), Error> {
        for ty in types {
            self.check(resolve, &ty)?;
        }
        Ok(())
    }

    /// The measure of `root`, measuring what it refers to first with an
    /// explicit stack.
    fn measure(&mut self, resolve: &Resolve, root: TypeId) -> Result<TypeMeasure, Error> {
        if let Some(m) = self.measured.get(&root) {
            return Ok(*m);
        }
        // (type, whether its parts are measured already)
        let mut stack = vec![(root, false)];
        let mut in_progress = std::collections::HashSet::new();
        let mut parts = Vec::new();
        while let Some((id, ready)) = stack.pop() {
            if self.measured.contains_key(&id) {
                continue;
            }
            let def = resolve.types.get(id).ok_or_else(|| {
                Error::Unrepresentable("a type refers to a type that does not exist".into())
            })?;
            parts.clear();
            // A handle is one deep whatever its resource.
            if !matches!(def.kind, TypeDefKind::Handle(_)) {
                type_parts(&def.kind, &mut parts);
            }
            if !ready {
                // Only a malformed resolve can make a type its own part.
                if !in_progress.insert(id) {
                    return Err(Error::Unrepresentable(
                        "types refer to each other in a cycle".into(),
                    ));
                }
                stack.push((id, true));
                for part in &parts {
                    if let Type::Id(p) = part
                        && !self.measured.contains_key(p)
                    {
                        stack.push((*p, false));
                    }
                }
                continue;
            }
            in_progress.remove(&id);
            let part_measure = |t: &Type| match t {
                Type::Id(p) => self.measured.get(p).copied().unwrap_or(LEAF),
                _ => LEAF,
            };
            let measure = match &def.kind {
                TypeDefKind::Type(t) => part_measure(t),
                _ if parts.is_empty() => LEAF,
                _ => {
                    let mut m = LEAF;
                    for part in &parts {
                        let p = part_measure(part);
                        m.depth = m.depth.max(p.depth.saturating_add(1));
                        m.size = m.size.saturating_add(p.size);
                    }
                    m
                }
            };
            if measure.depth > MAX_TYPE_DEPTH || measure.size > MAX_TYPE_SIZE {
                let name = outermost_name(resolve, root, id);
                return Err(if measure.depth > MAX_TYPE_DEPTH {
                    Error::TypeTooDeep {
                        name,
                        limit: MAX_TYPE_DEPTH,
                    }
                } else {
                    Error::TypeTooLarge {
                        name,
                        limit: MAX_TYPE_SIZE,
                    }
                });
            }
            self.measured.insert(id, measure);
        }
        Ok(self.measured.get(&root).copied().unwrap_or(LEAF))
    }
}

/// The name to report: the first of `at` (where the limit broke) and
/// `root` (what was asked for) that has one.
fn outermost_name(resolve: &Resolve, root: TypeId, at: TypeId) -> String {
    [at, root]
        .iter()
        .find_map(|&t| resolve.types.get(t).and_then(|d| d.name.clone()))
        .unwrap_or_else(|| "<anonymous>".to_string())
}

/// The types a definition is made of, in order.
pub(crate) fn type_parts(kind: &TypeDefKind, out: &mut Vec<Type>) {
    match kind {
        TypeDefKind::Record(r) => out.extend(r.fields.iter().map(|f| f.ty)),
        TypeDefKind::Tuple(t) => out.extend(t.types.iter().copied()),
        TypeDefKind::Variant(v) => out.extend(v.cases.iter().filter_map(|c| c.ty)),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => out.push(*t),
        TypeDefKind::FixedLengthList(t, _) => out.push(*t),
        TypeDefKind::Map(k, v) => {
            out.push(*k);
            out.push(*v);
        }
        TypeDefKind::Result(r) => {
            out.extend(r.ok);
            out.extend(r.err);
        }
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => out.extend(*t),
        TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => out.push(Type::Id(*r)),
        TypeDefKind::Resource
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Unknown => {}
    }
}

/// Checks the types of every function and named type of `world`'s items
/// (what encoding the world, wrapping a module for it or generating its
/// bindings walks).
pub fn check_world(resolve: &Resolve, world: wit_parser::WorldId) -> Result<(), Error> {
    let mut limits = TypeLimits::new();
    let w = resolve
        .worlds
        .get(world)
        .ok_or_else(|| Error::Unrepresentable("a world that does not exist".into()))?;
    for item in w.imports.values().chain(w.exports.values()) {
        match item {
            wit_parser::WorldItem::Interface { id, .. } => {
                check_interface(resolve, *id, &mut limits)?;
            }
            wit_parser::WorldItem::Function(f) => {
                limits.check_all(resolve, f.parameter_and_result_types())?;
            }
            wit_parser::WorldItem::Type { id, .. } => limits.check(resolve, &Type::Id(*id))?,
        }
    }
    Ok(())
}

/// Checks every type and function of an interface.
pub fn check_interface(
    resolve: &Resolve,
    iface: wit_parser::InterfaceId,
    limits: &mut TypeLimits,
) -> Result<(), Error> {
    let Some(interface) = resolve.interfaces.get(iface) else {
        return Err(Error::Unrepresentable(
            "an interface that does not exist".into(),
        ));
    };
    for &ty in interface.types.values() {
        limits.check(resolve, &Type::Id(ty))?;
    }
    for f in interface.functions.values() {
        limits.check_all(resolve, f.parameter_and_result_types())?;
    }
    Ok(())
}

/// Checks every type of every interface and world of `package`, and of
/// the interfaces they use.
pub fn check_package(resolve: &Resolve, package: wit_parser::PackageId) -> Result<(), Error> {
    let mut limits = TypeLimits::new();
    let Some(pkg) = resolve.packages.get(package) else {
        return Err(Error::Unrepresentable(
            "a package that does not exist".into(),
        ));
    };
    for &iface in pkg.interfaces.values() {
        check_interface(resolve, iface, &mut limits)?;
    }
    for &world in pkg.worlds.values() {
        check_world(resolve, world)?;
    }
    Ok(())
}
