//! Which canonical options each lowered or lifted function needs, decided
//! from its WIT types: a memory only when something lives in memory, a
//! realloc only when the callee side must allocate, a string encoding only
//! when strings cross.

use compono_wit::Lookup;
use wit_parser::abi::AbiVariant;
use wit_parser::{Function, Resolve, Type, TypeDefKind};

use crate::world::item_funcs;

/// The canonical options a function needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AbiNeeds {
    pub memory: bool,
    pub realloc: bool,
    pub strings: bool,
}

/// For `canon lower` of an import called by the module.
pub fn lower_needs(resolve: &Resolve, func: &Function) -> AbiNeeds {
    let m = MemoryUse::of(resolve, func, AbiVariant::GuestImport);
    AbiNeeds {
        memory: m.any(),
        // Lists returned to the module are allocated in its memory.
        realloc: m.result_lists,
        strings: has_strings(resolve, func),
    }
}

/// For `canon lift` of an export of the module.
pub fn lift_needs(resolve: &Resolve, func: &Function) -> AbiNeeds {
    let m = MemoryUse::of(resolve, func, AbiVariant::GuestExport);
    AbiNeeds {
        memory: m.any(),
        // Arguments passed to the module, lists or spilled parameters, are
        // allocated in its memory.
        realloc: m.param_lists || m.indirect_params,
        strings: has_strings(resolve, func),
    }
}

/// What of a call of `func`, from one side of the ABI, lives in memory.
struct MemoryUse {
    indirect_params: bool,
    retptr: bool,
    param_lists: bool,
    result_lists: bool,
}

impl MemoryUse {
    fn of(resolve: &Resolve, func: &Function, variant: AbiVariant) -> Self {
        let sig = resolve.wasm_signature(variant, func);
        MemoryUse {
            indirect_params: sig.indirect_params,
            retptr: sig.retptr,
            param_lists: func.params.iter().any(|p| has_list(resolve, &p.ty)),
            result_lists: func.result.as_ref().is_some_and(|t| has_list(resolve, t)),
        }
    }

    fn any(&self) -> bool {
        self.indirect_params || self.retptr || self.param_lists || self.result_lists
    }
}

fn has_strings(resolve: &Resolve, func: &Function) -> bool {
    func.parameter_and_result_types()
        .any(|t| contains(resolve, &t, &|t| matches!(t, Type::String)))
}

/// Whether a value of `ty` points into memory (a string or list inside).
fn has_list(resolve: &Resolve, ty: &Type) -> bool {
    contains(resolve, ty, &|t| {
        matches!(t, Type::String)
            || matches!(t, Type::Id(id) if matches!(resolve.type_at(*id).kind, TypeDefKind::List(_) | TypeDefKind::Map(..)))
    })
}

fn contains(resolve: &Resolve, ty: &Type, pred: &dyn Fn(&Type) -> bool) -> bool {
    // No predicate here is about an alias itself.
    let ty = &compono_wit::dealias(resolve, *ty);
    if pred(ty) {
        return true;
    }
    let Type::Id(id) = ty else {
        return false;
    };
    let any = |tys: &mut dyn Iterator<Item = &Type>| {
        for t in tys {
            if contains(resolve, t, pred) {
                return true;
            }
        }
        false
    };
    match &resolve.type_at(*id).kind {
        TypeDefKind::Record(r) => any(&mut r.fields.iter().map(|f| &f.ty)),
        TypeDefKind::Tuple(t) => any(&mut t.types.iter()),
        TypeDefKind::Variant(v) => any(&mut v.cases.iter().filter_map(|c| c.ty.as_ref())),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
            contains(resolve, t, pred)
        }
        TypeDefKind::FixedLengthList(t, _) => contains(resolve, t, pred),
        TypeDefKind::Map(k, v) => contains(resolve, k, pred) || contains(resolve, v, pred),
        TypeDefKind::Result(r) => any(&mut r.ok.iter().chain(r.err.iter())),
        TypeDefKind::Future(_)
        | TypeDefKind::Stream(_)
        | TypeDefKind::Handle(_)
        | TypeDefKind::Resource
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Unknown => false,
    }
}

/// Rejects, with a clear message, what this version cannot lift or lower:
/// async functions and the async types (`future`, `stream`,
/// `error-context`).
pub fn check_supported(resolve: &Resolve, world: wit_parser::WorldId) -> Result<(), crate::Error> {
    let w = &resolve.world_at(world);
    let async_type = |t: &Type| {
        contains(resolve, t, &|t| {
            matches!(t, Type::ErrorContext)
                || matches!(t, Type::Id(id) if matches!(resolve.type_at(*id).kind, TypeDefKind::Future(_) | TypeDefKind::Stream(_)))
        })
    };
    for (key, item) in w.imports.iter().chain(w.exports.iter()) {
        for (_, _, func) in item_funcs(resolve, key, item) {
            if func.kind.is_async() {
                return Err(crate::Error::Unsupported {
                    item: func.name.clone(),
                    feature: crate::error::Unimplemented::AsyncFunction,
                });
            }
            if func.parameter_and_result_types().any(|t| async_type(&t)) {
                return Err(crate::Error::Unsupported {
                    item: func.name.clone(),
                    feature: crate::error::Unimplemented::AsyncTypes,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world_funcs(wit: &str) -> (Resolve, Vec<Function>) {
        let mut resolve = Resolve::default();
        let package = resolve.push_str("test.wit", wit).unwrap();
        let world = resolve.select_world(&[package], None).unwrap();
        let funcs = resolve.worlds[world]
            .imports
            .values()
            .filter_map(|item| match item {
                wit_parser::WorldItem::Function(f) => Some(f.clone()),
                _ => None,
            })
            .collect();
        (resolve, funcs)
    }

    #[test]
    fn options_follow_the_types() {
        let (resolve, funcs) = world_funcs(
            "package t:t; world w {
                import scalar: func(a: u32) -> u64;
                import takes-string: func(s: string);
                import returns-list: func() -> list<u8>;
                import returns-pair: func() -> tuple<u64, u64>;
            }",
        );
        let by_name = |n: &str| funcs.iter().find(|f| f.name == n).unwrap();
        let none = AbiNeeds::default();
        assert_eq!(lower_needs(&resolve, by_name("scalar")), none);
        assert_eq!(lift_needs(&resolve, by_name("scalar")), none);
        // A string argument: lowering reads the caller's memory; lifting
        // allocates in the callee's.
        let s = by_name("takes-string");
        assert_eq!(
            lower_needs(&resolve, s),
            AbiNeeds {
                memory: true,
                realloc: false,
                strings: true
            }
        );
        assert_eq!(
            lift_needs(&resolve, s),
            AbiNeeds {
                memory: true,
                realloc: true,
                strings: true
            }
        );
        let l = by_name("returns-list");
        assert_eq!(
            lower_needs(&resolve, l),
            AbiNeeds {
                memory: true,
                realloc: true,
                strings: false
            }
        );
        assert_eq!(
            lift_needs(&resolve, l),
            AbiNeeds {
                memory: true,
                realloc: false,
                strings: false
            }
        );
        // Two results spill to memory, but nothing is allocated.
        let p = by_name("returns-pair");
        assert_eq!(
            lower_needs(&resolve, p),
            AbiNeeds {
                memory: true,
                realloc: false,
                strings: false
            }
        );
    }
}
