//! Canonical ABI helpers shared by the generators: flattening without a
//! length limit (variant payloads need the flat types of every case),
//! joining of flat types, sizes and alignments on wasm32, and the core
//! signatures of imports and exports.

use wit_parser::abi::{AbiVariant, WasmSignature, WasmType};
use wit_parser::{Function, Handle, Int, Resolve, SizeAlign, Type, TypeDefKind};

/// The most flat parameters passed directly; more go through memory.
pub const MAX_FLAT_PARAMS: usize = 16;

/// Sizes and alignments of every type in a resolve, on wasm32.
pub struct Layouts {
    sizes: SizeAlign,
}

impl Layouts {
    pub fn new(resolve: &Resolve) -> crate::Result<Layouts> {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve).map_err(|e| crate::Error::Unsupported {
            item: "type layout".into(),
            reason: format!("{e:#}"),
        })?;
        Ok(Layouts { sizes })
    }

    pub fn size(&self, ty: &Type) -> usize {
        self.sizes.size(ty).size_wasm32()
    }

    pub fn align(&self, ty: &Type) -> usize {
        self.sizes.align(ty).align_wasm32()
    }

    /// Offsets of each field of a record or tuple.
    pub fn field_offsets<'a>(&self, types: impl IntoIterator<Item = &'a Type>) -> Vec<usize> {
        self.sizes
            .field_offsets(types)
            .into_iter()
            .map(|(off, _)| off.size_wasm32())
            .collect()
    }

    /// Offset of a variant's payload, after its discriminant.
    pub fn payload_offset<'a>(
        &self,
        tag: Int,
        cases: impl IntoIterator<Item = Option<&'a Type>>,
    ) -> usize {
        self.sizes.payload_offset(tag, cases).size_wasm32()
    }

    /// Size and alignment of a function's parameters laid out as a record.
    pub fn params(&self, types: &[Type]) -> (usize, usize) {
        let info = self.sizes.record(types.iter());
        (info.size.size_wasm32(), info.align.align_wasm32())
    }
}

/// Size of a discriminant of this width.
pub fn int_size(tag: Int) -> usize {
    match tag {
        Int::U8 => 1,
        Int::U16 => 2,
        Int::U32 => 4,
        Int::U64 => 8,
    }
}

/// The flat types of `ty`, however many.
pub fn flatten(resolve: &Resolve, ty: &Type) -> Vec<WasmType> {
    let mut out = Vec::new();
    push_flat(resolve, ty, &mut out);
    out
}

fn push_flat(resolve: &Resolve, ty: &Type, out: &mut Vec<WasmType>) {
    // Aliases are followed in a loop (chains of them are unbounded).
    match &compono_wit::dealias(resolve, *ty) {
        Type::Bool
        | Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::Char
        | Type::ErrorContext => out.push(WasmType::I32),
        Type::U64 | Type::S64 => out.push(WasmType::I64),
        Type::F32 => out.push(WasmType::F32),
        Type::F64 => out.push(WasmType::F64),
        Type::String => out.extend([WasmType::Pointer, WasmType::Length]),
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Type(t) => push_flat(resolve, t, out),
            TypeDefKind::Handle(_)
            | TypeDefKind::Resource
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_) => out.push(WasmType::I32),
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| push_flat(resolve, &f.ty, out)),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(|t| push_flat(resolve, t, out)),
            TypeDefKind::Flags(f) => out.extend((0..f.repr().count()).map(|_| WasmType::I32)),
            TypeDefKind::List(_) | TypeDefKind::Map(..) => {
                out.extend([WasmType::Pointer, WasmType::Length])
            }
            TypeDefKind::FixedLengthList(t, n) => {
                for _ in 0..*n {
                    push_flat(resolve, t, out)
                }
            }
            TypeDefKind::Variant(v) => {
                out.push(v.tag().into());
                out.extend(join_cases(resolve, v.cases.iter().map(|c| c.ty.as_ref())));
            }
            TypeDefKind::Enum(e) => out.push(e.tag().into()),
            TypeDefKind::Option(t) => {
                out.push(WasmType::I32);
                out.extend(join_cases(resolve, [None, Some(t)]));
            }
            TypeDefKind::Result(r) => {
                out.push(WasmType::I32);
                out.extend(join_cases(resolve, [r.ok.as_ref(), r.err.as_ref()]));
            }
            TypeDefKind::Unknown => {}
        },
    }
}

/// The joined payload slots of a variant's cases.
pub fn join_cases<'a>(
    resolve: &Resolve,
    cases: impl IntoIterator<Item = Option<&'a Type>>,
) -> Vec<WasmType> {
    let mut slots: Vec<WasmType> = Vec::new();
    for ty in cases.into_iter().flatten() {
        for (i, flat) in flatten(resolve, ty).into_iter().enumerate() {
            match slots.get_mut(i) {
                Some(slot) => *slot = join(*slot, flat),
                None => slots.push(flat),
            }
        }
    }
    slots
}

/// The canonical ABI's join of two flat types sharing a variant slot.
pub fn join(a: WasmType, b: WasmType) -> WasmType {
    use WasmType::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        (Length, I32 | F32) | (I32 | F32, Length) => Length,
        (Length, I64 | F64) | (I64 | F64, Length) => I64,
        (Pointer, I32 | F32 | Length) | (I32 | F32 | Length, Pointer) => Pointer,
        (Pointer, I64 | F64) | (I64 | F64, Pointer) => PointerOrI64,
        (PointerOrI64, _) | (_, PointerOrI64) => PointerOrI64,
        _ => I64,
    }
}

/// The core signature of `func` as imported or exported by a guest.
pub fn signature(resolve: &Resolve, variant: AbiVariant, func: &Function) -> WasmSignature {
    resolve.wasm_signature(variant, func)
}

/// Whether values of `ty` own memory or handles the bindings must free or
/// transfer (strings, lists, resources).
pub fn needs_cleanup(resolve: &Resolve, ty: &Type) -> bool {
    match &compono_wit::dealias(resolve, *ty) {
        Type::String => true,
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Type(t) => needs_cleanup(resolve, t),
            TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
            TypeDefKind::Record(r) => r.fields.iter().any(|f| needs_cleanup(resolve, &f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| needs_cleanup(resolve, t)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .any(|c| c.ty.as_ref().is_some_and(|t| needs_cleanup(resolve, t))),
            TypeDefKind::Option(t) => needs_cleanup(resolve, t),
            TypeDefKind::Result(r) => [&r.ok, &r.err]
                .into_iter()
                .flatten()
                .any(|t| needs_cleanup(resolve, t)),
            TypeDefKind::FixedLengthList(t, _) => needs_cleanup(resolve, t),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `ty` contains a handle of the given kind anywhere.
pub fn contains_handle(resolve: &Resolve, ty: &Type, borrow: bool) -> bool {
    match &compono_wit::dealias(resolve, *ty) {
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Handle(Handle::Own(_)) => !borrow,
            TypeDefKind::Handle(Handle::Borrow(_)) => borrow,
            TypeDefKind::Type(t) | TypeDefKind::List(t) | TypeDefKind::Option(t) => {
                contains_handle(resolve, t, borrow)
            }
            TypeDefKind::FixedLengthList(t, _) => contains_handle(resolve, t, borrow),
            TypeDefKind::Map(k, v) => {
                contains_handle(resolve, k, borrow) || contains_handle(resolve, v, borrow)
            }
            TypeDefKind::Record(r) => r
                .fields
                .iter()
                .any(|f| contains_handle(resolve, &f.ty, borrow)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| contains_handle(resolve, t, borrow)),
            TypeDefKind::Variant(v) => v.cases.iter().any(|c| {
                c.ty.as_ref()
                    .is_some_and(|t| contains_handle(resolve, t, borrow))
            }),
            TypeDefKind::Result(r) => [&r.ok, &r.err]
                .into_iter()
                .flatten()
                .any(|t| contains_handle(resolve, t, borrow)),
            _ => false,
        },
        _ => false,
    }
}

/// The legacy core export name of `func` and of its `cabi_post_` function,
/// which every guest generator exports under these exact names.
pub fn export_names(
    resolve: &Resolve,
    interface: Option<&wit_parser::WorldKey>,
    func: &Function,
) -> (String, String) {
    use wit_parser::{LiftLowerAbi, ManglingAndAbi, WasmExport, WasmExportKind};
    let name = |kind| {
        resolve.wasm_export_name(
            ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
            WasmExport::Func {
                interface,
                func,
                kind,
            },
        )
    };
    (
        name(WasmExportKind::Normal),
        name(WasmExportKind::PostReturn),
    )
}

/// The named or anonymous types a definition is made of (not primitives).
pub fn type_parts(kind: &TypeDefKind, out: &mut Vec<wit_parser::TypeId>) {
    let mut push = |t: &Type| {
        if let Type::Id(id) = t {
            out.push(*id);
        }
    };
    match kind {
        TypeDefKind::Record(r) => r.fields.iter().for_each(|f| push(&f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().for_each(push),
        TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).for_each(push),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => push(t),
        TypeDefKind::FixedLengthList(t, _) => push(t),
        TypeDefKind::Map(k, v) => {
            push(k);
            push(v);
        }
        TypeDefKind::Result(r) => {
            r.ok.iter().for_each(&mut push);
            r.err.iter().for_each(push);
        }
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(push),
        TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => out.push(*r),
        TypeDefKind::Resource
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Unknown => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wit_parser::abi::WasmType::*;

    fn world_of(src: &str) -> (Resolve, Vec<Type>) {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("t.wit", src).unwrap();
        let iface = resolve.packages[pkg].interfaces["i"];
        let f = &resolve.interfaces[iface].functions["f"];
        let tys = f.params.iter().map(|p| p.ty).collect();
        (resolve, tys)
    }

    #[test]
    fn join_follows_the_canonical_abi() {
        assert_eq!(join(I32, F32), I32);
        assert_eq!(join(F32, I64), I64);
        assert_eq!(join(F64, I32), I64);
        assert_eq!(join(Pointer, I32), Pointer);
        assert_eq!(join(Pointer, I64), PointerOrI64);
        assert_eq!(join(Length, F64), I64);
        assert_eq!(join(F64, F64), F64);
    }

    #[test]
    fn variants_flatten_to_joined_slots() {
        let (resolve, tys) = world_of(
            "package t:t; interface i { variant v { a(u64), b(f32), c(string), d } f: func(x: v, y: option<f64>, z: result<f32, u32>); }",
        );
        assert_eq!(flatten(&resolve, &tys[0]), vec![I32, PointerOrI64, Length]);
        assert_eq!(flatten(&resolve, &tys[1]), vec![I32, F64]);
        assert_eq!(flatten(&resolve, &tys[2]), vec![I32, I32]);
    }

    #[test]
    fn cleanup_and_handles_are_found_through_nesting() {
        let (resolve, tys) = world_of(
            "package t:t; interface i { resource r; record a { x: option<list<u8>> } record b { h: own<r> } f: func(x: a, y: b, z: tuple<u32, borrow<r>>, w: u8); }",
        );
        assert!(needs_cleanup(&resolve, &tys[0]));
        assert!(!needs_cleanup(&resolve, &tys[1]));
        assert!(contains_handle(&resolve, &tys[1], false));
        assert!(contains_handle(&resolve, &tys[2], true));
        assert!(!contains_handle(&resolve, &tys[3], true));
    }
}
