//! Alignment, element size and flattening (CanonicalABI.md: "Alignment",
//! "Element Size", "Flattening"). Each compound type computes these once,
//! when it is built; here are the rules they follow.

use crate::types::Type;

/// The core value types a component value flattens to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlatType {
    I32,
    I64,
    F32,
    F64,
}

impl FlatType {
    pub(crate) fn to_core(self) -> compono_interp::ValType {
        match self {
            FlatType::I32 => compono_interp::ValType::I32,
            FlatType::I64 => compono_interp::ValType::I64,
            FlatType::F32 => compono_interp::ValType::F32,
            FlatType::F64 => compono_interp::ValType::F64,
        }
    }
}

/// More flat parameters than this are passed through memory.
pub const MAX_FLAT_PARAMS: usize = 16;
/// More flat results than this are returned through memory.
pub const MAX_FLAT_RESULTS: usize = 1;

/// Size and alignment of a value stored in linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub size: u32,
    pub align: u32,
}

impl Layout {
    pub const fn new(size: u32, align: u32) -> Layout {
        Layout { size, align }
    }
}

pub fn align_to(offset: u32, align: u32) -> u32 {
    offset.div_ceil(align) * align
}

/// Lays out fields one after another, each at its own alignment; returns
/// the offset of every field and the layout of the whole.
pub fn layout_fields<'a>(types: impl IntoIterator<Item = &'a Type>) -> (Vec<u32>, Layout) {
    let mut offsets = Vec::new();
    let mut size = 0u32;
    let mut align = 1u32;
    for ty in types {
        let field = ty.layout();
        size = align_to(size, field.align);
        offsets.push(size);
        size = size.saturating_add(field.size);
        align = align.max(field.align);
    }
    (offsets, Layout::new(align_to(size, align), align))
}

/// Bytes of a variant's discriminant for `cases` cases.
pub fn discriminant_size(cases: usize) -> u32 {
    match cases {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    }
}

/// How a variant (and every type that despecializes to one: enum, option,
/// result) is stored and flattened.
#[derive(Clone, Debug)]
pub struct VariantAbi {
    pub discriminant_size: u32,
    /// Offset of the payload from the start of the value.
    pub payload_offset: u32,
    pub layout: Layout,
    /// The joined flat types of the payloads (the discriminant's `i32`
    /// not included), or `None` when the variant is too large to be passed
    /// flat anywhere.
    pub flat_payload: Option<Box<[FlatType]>>,
    /// Flat values of the whole variant, discriminant included.
    pub flat_count: usize,
}

impl VariantAbi {
    pub fn new<'a>(
        cases: usize,
        payloads: impl IntoIterator<Item = Option<&'a Type>>,
    ) -> VariantAbi {
        let discriminant_size = discriminant_size(cases);
        let mut max_align = 1u32;
        let mut max_size = 0u32;
        let mut flat: Vec<FlatType> = Vec::new();
        let mut flat_overflow = false;
        for payload in payloads.into_iter().flatten() {
            let layout = payload.layout();
            max_align = max_align.max(layout.align);
            max_size = max_size.max(layout.size);
            if payload.flat_count() > MAX_FLAT_PARAMS {
                flat_overflow = true;
                continue;
            }
            let mut case_flat = Vec::new();
            payload.push_flat(&mut case_flat);
            for (i, ty) in case_flat.into_iter().enumerate() {
                match flat.get_mut(i) {
                    Some(slot) => *slot = join(*slot, ty),
                    None => flat.push(ty),
                }
            }
        }
        let payload_offset = align_to(discriminant_size, max_align);
        let align = max_align.max(discriminant_size);
        let size = align_to(payload_offset.saturating_add(max_size), align);
        let flat_count = if flat_overflow {
            MAX_FLAT_PARAMS + 1
        } else {
            1 + flat.len()
        };
        VariantAbi {
            discriminant_size,
            payload_offset,
            layout: Layout::new(size, align),
            flat_payload: (!flat_overflow && flat_count <= MAX_FLAT_PARAMS)
                .then(|| flat.into_boxed_slice()),
            flat_count,
        }
    }
}

/// The flat type that can hold either of two (CanonicalABI.md `join`).
pub fn join(a: FlatType, b: FlatType) -> FlatType {
    use FlatType::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

/// Bytes of a flags value with `n` labels.
pub fn flags_layout(n: usize) -> Layout {
    match n {
        0 => Layout::new(0, 1),
        1..=8 => Layout::new(1, 1),
        9..=16 => Layout::new(2, 2),
        _ => Layout::new(4 * n.div_ceil(32) as u32, 4),
    }
}

/// `i32`s a flags value with `n` labels flattens to.
pub fn flags_flat_count(n: usize) -> usize {
    n.div_ceil(32)
}
