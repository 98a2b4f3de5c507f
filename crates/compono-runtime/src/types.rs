//! Component value and function types, each with its canonical ABI layout
//! computed once when it is built (see [`crate::abi::layout`]).
//!
//! Resource types inside a value type are [`ResourceSlot`]s: the resource
//! types of a component are generative, so a slot names "the resource type
//! bound at this place of the component definition", and every instance
//! binds its slots to resource types of its own.

use crate::abi::layout::{
    FlatType, Layout, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, VariantAbi, flags_flat_count,
    flags_layout, layout_fields,
};
use std::fmt;
use std::sync::Arc;

/// A component value type.
#[derive(Clone, Debug)]
pub enum Type {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List(Arc<ListType>),
    /// `map<K, V>`: stored as a list of `tuple<K, V>`.
    Map(Arc<MapType>),
    Record(Arc<RecordType>),
    Tuple(Arc<TupleType>),
    Variant(Arc<VariantType>),
    Enum(Arc<EnumType>),
    Option(Arc<OptionType>),
    Result(Arc<ResultType>),
    Flags(Arc<FlagsType>),
    Own(ResourceSlot),
    Borrow(ResourceSlot),
}

/// A resource type as a component definition refers to it (see the module
/// docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceSlot(pub(crate) u32);

#[derive(Debug)]
pub struct ListType {
    pub element: Type,
}

#[derive(Debug)]
pub struct MapType {
    pub key: Type,
    pub value: Type,
    /// `tuple<key, value>`, the element of the list a map is stored as.
    pub(crate) entry: Type,
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    pub(crate) offset: u32,
}

#[derive(Debug)]
pub struct RecordType {
    pub fields: Box<[Field]>,
    pub(crate) layout: Layout,
    pub(crate) flat_count: usize,
}

#[derive(Debug)]
pub struct TupleType {
    pub types: Box<[Type]>,
    pub(crate) offsets: Box<[u32]>,
    pub(crate) layout: Layout,
    pub(crate) flat_count: usize,
}

#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub ty: Option<Type>,
}

#[derive(Debug)]
pub struct VariantType {
    pub cases: Box<[Case]>,
    pub(crate) abi: VariantAbi,
}

#[derive(Debug)]
pub struct EnumType {
    pub names: Box<[String]>,
    pub(crate) abi: VariantAbi,
}

#[derive(Debug)]
pub struct OptionType {
    pub some: Type,
    pub(crate) abi: VariantAbi,
}

#[derive(Debug)]
pub struct ResultType {
    pub ok: Option<Type>,
    pub err: Option<Type>,
    pub(crate) abi: VariantAbi,
}

#[derive(Debug)]
pub struct FlagsType {
    pub names: Box<[String]>,
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Arc::new(ListType { element }))
    }

    pub fn map(key: Type, value: Type) -> Type {
        let entry = Type::tuple([key.clone(), value.clone()]);
        Type::Map(Arc::new(MapType { key, value, entry }))
    }

    pub fn record(fields: impl IntoIterator<Item = (String, Type)>) -> Type {
        let fields: Vec<(String, Type)> = fields.into_iter().collect();
        let (offsets, layout) = layout_fields(fields.iter().map(|(_, t)| t));
        let flat_count = flat_sum(fields.iter().map(|(_, t)| t));
        let fields = fields
            .into_iter()
            .zip(offsets)
            .map(|((name, ty), offset)| Field { name, ty, offset })
            .collect();
        Type::Record(Arc::new(RecordType {
            fields,
            layout,
            flat_count,
        }))
    }

    pub fn tuple(types: impl IntoIterator<Item = Type>) -> Type {
        let types: Box<[Type]> = types.into_iter().collect();
        let (offsets, layout) = layout_fields(types.iter());
        let flat_count = flat_sum(types.iter());
        Type::Tuple(Arc::new(TupleType {
            types,
            offsets: offsets.into_boxed_slice(),
            layout,
            flat_count,
        }))
    }

    pub fn variant(cases: impl IntoIterator<Item = (String, Option<Type>)>) -> Type {
        let cases: Box<[Case]> = cases
            .into_iter()
            .map(|(name, ty)| Case { name, ty })
            .collect();
        let abi = VariantAbi::new(cases.len(), cases.iter().map(|c| c.ty.as_ref()));
        Type::Variant(Arc::new(VariantType { cases, abi }))
    }

    pub fn enumeration(names: impl IntoIterator<Item = String>) -> Type {
        let names: Box<[String]> = names.into_iter().collect();
        let abi = VariantAbi::new(names.len(), names.iter().map(|_| None));
        Type::Enum(Arc::new(EnumType { names, abi }))
    }

    pub fn option(some: Type) -> Type {
        let abi = VariantAbi::new(2, [None, Some(&some)]);
        Type::Option(Arc::new(OptionType { some, abi }))
    }

    pub fn result(ok: Option<Type>, err: Option<Type>) -> Type {
        let abi = VariantAbi::new(2, [ok.as_ref(), err.as_ref()]);
        Type::Result(Arc::new(ResultType { ok, err, abi }))
    }

    pub fn flags(names: impl IntoIterator<Item = String>) -> Type {
        Type::Flags(Arc::new(FlagsType {
            names: names.into_iter().collect(),
        }))
    }

    /// Size and alignment in linear memory.
    pub fn layout(&self) -> Layout {
        match self {
            Type::Bool | Type::S8 | Type::U8 => Layout::new(1, 1),
            Type::S16 | Type::U16 => Layout::new(2, 2),
            Type::S32 | Type::U32 | Type::F32 | Type::Char => Layout::new(4, 4),
            Type::S64 | Type::U64 | Type::F64 => Layout::new(8, 8),
            Type::String | Type::List(_) | Type::Map(_) => Layout::new(8, 4),
            Type::Own(_) | Type::Borrow(_) => Layout::new(4, 4),
            Type::Record(r) => r.layout,
            Type::Tuple(t) => t.layout,
            Type::Variant(v) => v.abi.layout,
            Type::Enum(e) => e.abi.layout,
            Type::Option(o) => o.abi.layout,
            Type::Result(r) => r.abi.layout,
            Type::Flags(f) => flags_layout(f.names.len()),
        }
    }

    /// How many core values this type flattens to.
    pub fn flat_count(&self) -> usize {
        match self {
            Type::String | Type::List(_) | Type::Map(_) => 2,
            Type::Record(r) => r.flat_count,
            Type::Tuple(t) => t.flat_count,
            Type::Variant(v) => v.abi.flat_count,
            Type::Enum(e) => e.abi.flat_count,
            Type::Option(o) => o.abi.flat_count,
            Type::Result(r) => r.abi.flat_count,
            Type::Flags(f) => flags_flat_count(f.names.len()),
            _ => 1,
        }
    }

    /// Appends the core types this type flattens to.
    pub fn push_flat(&self, out: &mut Vec<FlatType>) {
        match self {
            Type::Bool
            | Type::S8
            | Type::U8
            | Type::S16
            | Type::U16
            | Type::S32
            | Type::U32
            | Type::Char
            | Type::Own(_)
            | Type::Borrow(_) => out.push(FlatType::I32),
            Type::S64 | Type::U64 => out.push(FlatType::I64),
            Type::F32 => out.push(FlatType::F32),
            Type::F64 => out.push(FlatType::F64),
            Type::String | Type::List(_) | Type::Map(_) => {
                out.extend([FlatType::I32, FlatType::I32])
            }
            Type::Record(r) => r.fields.iter().for_each(|f| f.ty.push_flat(out)),
            Type::Tuple(t) => t.types.iter().for_each(|t| t.push_flat(out)),
            Type::Flags(f) => out.extend(std::iter::repeat_n(
                FlatType::I32,
                flags_flat_count(f.names.len()),
            )),
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
                out.push(FlatType::I32);
                if let Some(payload) = self.variant_abi().and_then(|a| a.flat_payload.as_ref()) {
                    out.extend(payload.iter().copied());
                }
            }
        }
    }

    /// The variant form of variants, enums, options and results
    /// (CanonicalABI.md "Despecialization").
    pub(crate) fn variant_abi(&self) -> Option<&VariantAbi> {
        match self {
            Type::Variant(v) => Some(&v.abi),
            Type::Enum(e) => Some(&e.abi),
            Type::Option(o) => Some(&o.abi),
            Type::Result(r) => Some(&r.abi),
            _ => None,
        }
    }

    /// The payload type of case `index` of a variant-like type.
    pub(crate) fn case_type(&self, index: usize) -> Option<&Type> {
        match (self, index) {
            (Type::Variant(v), i) => v.cases.get(i).and_then(|c| c.ty.as_ref()),
            (Type::Option(o), 1) => Some(&o.some),
            (Type::Result(r), 0) => r.ok.as_ref(),
            (Type::Result(r), 1) => r.err.as_ref(),
            _ => None,
        }
    }

    /// Number of cases of a variant-like type.
    pub(crate) fn case_count(&self) -> usize {
        match self {
            Type::Variant(v) => v.cases.len(),
            Type::Enum(e) => e.names.len(),
            Type::Option(_) | Type::Result(_) => 2,
            _ => 0,
        }
    }
}

fn flat_sum<'a>(types: impl Iterator<Item = &'a Type>) -> usize {
    types.fold(0usize, |n, t| n.saturating_add(t.flat_count()))
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::S8 => f.write_str("s8"),
            Type::U8 => f.write_str("u8"),
            Type::S16 => f.write_str("s16"),
            Type::U16 => f.write_str("u16"),
            Type::S32 => f.write_str("s32"),
            Type::U32 => f.write_str("u32"),
            Type::S64 => f.write_str("s64"),
            Type::U64 => f.write_str("u64"),
            Type::F32 => f.write_str("f32"),
            Type::F64 => f.write_str("f64"),
            Type::Char => f.write_str("char"),
            Type::String => f.write_str("string"),
            Type::List(l) => write!(f, "list<{}>", l.element),
            Type::Map(m) => write!(f, "map<{}, {}>", m.key, m.value),
            Type::Record(r) => {
                f.write_str("record { ")?;
                for (i, field) in r.fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", field.name, field.ty)?;
                }
                f.write_str(" }")
            }
            Type::Tuple(t) => {
                f.write_str("tuple<")?;
                for (i, ty) in t.types.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{ty}")?;
                }
                f.write_str(">")
            }
            Type::Variant(v) => {
                f.write_str("variant { ")?;
                for (i, case) in v.cases.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match &case.ty {
                        Some(ty) => write!(f, "{}({ty})", case.name)?,
                        None => f.write_str(&case.name)?,
                    }
                }
                f.write_str(" }")
            }
            Type::Enum(e) => write!(f, "enum {{ {} }}", e.names.join(", ")),
            Type::Option(o) => write!(f, "option<{}>", o.some),
            Type::Result(r) => match (&r.ok, &r.err) {
                (None, None) => f.write_str("result"),
                (Some(ok), None) => write!(f, "result<{ok}>"),
                (None, Some(err)) => write!(f, "result<_, {err}>"),
                (Some(ok), Some(err)) => write!(f, "result<{ok}, {err}>"),
            },
            Type::Flags(fl) => write!(f, "flags {{ {} }}", fl.names.join(", ")),
            Type::Own(_) => f.write_str("own<resource>"),
            Type::Borrow(_) => f.write_str("borrow<resource>"),
        }
    }
}

/// A component function type, with how it flattens for lifting and lowering.
#[derive(Debug)]
pub struct FuncType {
    pub params: Box<[(String, Type)]>,
    pub result: Option<Type>,
    /// The parameters' flat types, or `None` when they are passed through
    /// memory as one tuple.
    pub(crate) flat_params: Option<Box<[FlatType]>>,
    /// The parameters as one tuple, for passing them through memory.
    pub(crate) params_tuple: TupleType,
    /// The result's flat types (none or one), or `None` when it is
    /// returned through memory.
    pub(crate) flat_result: Option<Box<[FlatType]>>,
    /// Core parameters of `canon lift`'s callee: the flat parameters, or
    /// one pointer.
    pub(crate) core_params: Box<[FlatType]>,
    /// Core results of `canon lift`'s callee: the flat result, or one
    /// pointer.
    pub(crate) core_results: Box<[FlatType]>,
}

impl FuncType {
    pub fn new(params: Vec<(String, Type)>, result: Option<Type>) -> FuncType {
        let mut flat = Vec::new();
        let spilled = params.iter().map(|(_, t)| t.flat_count()).sum::<usize>() > MAX_FLAT_PARAMS;
        if !spilled {
            params.iter().for_each(|(_, t)| t.push_flat(&mut flat));
        }
        let (offsets, layout) = layout_fields(params.iter().map(|(_, t)| t));
        let params_tuple = TupleType {
            types: params.iter().map(|(_, t)| t.clone()).collect(),
            offsets: offsets.into_boxed_slice(),
            layout,
            flat_count: flat.len(),
        };
        let flat_result = match &result {
            Some(t) if t.flat_count() > MAX_FLAT_RESULTS => None,
            Some(t) => {
                let mut flat = Vec::new();
                t.push_flat(&mut flat);
                Some(flat.into_boxed_slice())
            }
            None => Some(Box::default()),
        };
        let flat_params = (!spilled).then(|| flat.into_boxed_slice());
        let core_params = flat_params
            .clone()
            .unwrap_or_else(|| Box::new([FlatType::I32]));
        let core_results = flat_result
            .clone()
            .unwrap_or_else(|| Box::new([FlatType::I32]));
        FuncType {
            params: params.into_boxed_slice(),
            result,
            flat_params,
            params_tuple,
            flat_result,
            core_params,
            core_results,
        }
    }

    /// The core signature `canon lower` produces: a spilled result is
    /// written through a pointer passed as the last parameter.
    pub(crate) fn lower_core_type(&self) -> compono_interp::FuncType {
        let mut params: Vec<_> = self.core_params.iter().map(|t| t.to_core()).collect();
        let results: Vec<_> = match &self.flat_result {
            Some(flat) => flat.iter().map(|t| t.to_core()).collect(),
            None => {
                params.push(compono_interp::ValType::I32);
                vec![]
            }
        };
        compono_interp::FuncType::new(params, results)
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("func(")?;
        for (i, (name, ty)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}: {ty}")?;
        }
        f.write_str(")")?;
        if let Some(result) = &self.result {
            write!(f, " -> {result}")?;
        }
        Ok(())
    }
}
