//! Loading values from linear memory and lifting flat values
//! (CanonicalABI.md "Loading", "Flat Lifting", `lift_values`).

use super::layout::Layout;
use super::{Cx, Scope, strings};
use crate::error::{Error, Result, Trap, TrapCode};
use crate::resources::HostHandle;
use crate::types::{FuncType, Type};
use crate::val::Val;

/// Zero-sized list elements take no memory, so memory does not bound how
/// many a guest can claim; this does.
const MAX_ZERO_SIZED_ELEMENTS: u32 = 1 << 20;

/// Flat values consumed in order.
pub(crate) struct Flat<'a> {
    values: &'a [u64],
    next: usize,
}

impl<'a> Flat<'a> {
    pub fn new(values: &'a [u64]) -> Flat<'a> {
        Flat { values, next: 0 }
    }

    /// The next value; validation matched the core signature to the
    /// flattened type, so there always is one.
    fn next(&mut self) -> u64 {
        let value = self.values.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        value
    }

    fn next_u32(&mut self) -> u32 {
        self.next() as u32
    }

    /// The next `n` values, as their own sequence.
    fn take(&mut self, n: usize) -> Flat<'a> {
        let start = self.next.min(self.values.len());
        let end = (self.next + n).min(self.values.len());
        self.next += n;
        Flat::new(&self.values[start..end])
    }
}

/// Lifts a function's parameters from the flat values a caller passed.
pub(crate) fn lift_params<T>(cx: &mut Cx<'_, T>, ty: &FuncType, flat: &[u64]) -> Result<Vec<Val>> {
    let mut flat = Flat::new(flat);
    if ty.flat_params.is_some() {
        return ty
            .params
            .iter()
            .map(|(_, t)| lift_flat(cx, t, &mut flat))
            .collect();
    }
    let ptr = flat.next_u32();
    load_tuple_in_memory(cx, &ty.params_tuple.layout, ptr)?;
    let offsets = ty.params_tuple.offsets.iter();
    ty.params
        .iter()
        .zip(offsets)
        .map(|((_, t), offset)| load(cx, t, ptr + offset))
        .collect()
}

/// Lifts a function's result from what its core function returned.
pub(crate) fn lift_result<T>(
    cx: &mut Cx<'_, T>,
    ty: &FuncType,
    flat: &[u64],
) -> Result<Option<Val>> {
    let Some(result) = &ty.result else {
        return Ok(None);
    };
    let mut flat = Flat::new(flat);
    if ty.flat_result.is_some() {
        return lift_flat(cx, result, &mut flat).map(Some);
    }
    let ptr = flat.next_u32();
    load_tuple_in_memory(cx, &result.layout(), ptr)?;
    load(cx, result, ptr).map(Some)
}

/// The checks `lift_values` makes on a pointer to values passed through
/// memory.
fn load_tuple_in_memory<T>(cx: &Cx<'_, T>, layout: &Layout, ptr: u32) -> Result<()> {
    if !ptr.is_multiple_of(layout.align) {
        return Err(Trap::new(TrapCode::UnalignedPointer).into());
    }
    if ptr as u64 + layout.size as u64 > cx.memory_len()? {
        return Err(Trap::new(TrapCode::OutOfBounds).into());
    }
    Ok(())
}

pub(crate) fn lift_flat<T>(cx: &mut Cx<'_, T>, ty: &Type, flat: &mut Flat<'_>) -> Result<Val> {
    Ok(match ty {
        Type::Bool => Val::Bool(flat.next_u32() != 0),
        Type::S8 => Val::S8(flat.next() as i8),
        Type::U8 => Val::U8(flat.next() as u8),
        Type::S16 => Val::S16(flat.next() as i16),
        Type::U16 => Val::U16(flat.next() as u16),
        Type::S32 => Val::S32(flat.next() as i32),
        Type::U32 => Val::U32(flat.next() as u32),
        Type::S64 => Val::S64(flat.next() as i64),
        Type::U64 => Val::U64(flat.next()),
        Type::F32 => Val::Float32(canonical_f32(f32::from_bits(flat.next_u32()))),
        Type::F64 => Val::Float64(canonical_f64(f64::from_bits(flat.next()))),
        Type::Char => Val::Char(to_char(flat.next_u32())?),
        Type::String => {
            let ptr = flat.next_u32();
            let tagged_len = flat.next_u32();
            Val::String(strings::load_string_from_range(cx, ptr, tagged_len)?)
        }
        Type::List(list) => {
            let ptr = flat.next_u32();
            let len = flat.next_u32();
            load_list_from_range(cx, ptr, len, &list.element)?.into_val()
        }
        Type::Map(map) => {
            let ptr = flat.next_u32();
            let len = flat.next_u32();
            map_from_entries(load_list_from_range(cx, ptr, len, &map.entry)?.into_vals())
        }
        Type::Record(record) => Val::Record(
            record
                .fields
                .iter()
                .map(|f| Ok((f.name.clone(), lift_flat(cx, &f.ty, flat)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Tuple(tuple) => Val::Tuple(
            tuple
                .types
                .iter()
                .map(|t| lift_flat(cx, t, flat))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            let case = flat.next_u32();
            let payload_len = ty
                .variant_abi()
                .and_then(|abi| abi.flat_payload.as_ref())
                .map_or(0, |p| p.len());
            let mut payload = flat.take(payload_len);
            let value = match ty.case_type(case as usize) {
                Some(case_ty) => Some(lift_flat(cx, case_ty, &mut payload)?),
                None => None,
            };
            make_case(ty, case, value)?
        }
        Type::Flags(flags) => {
            let words: Vec<u32> = (0..flags.names.len().div_ceil(32))
                .map(|_| flat.next_u32())
                .collect();
            flags_from_words(&flags.names, &words)
        }
        Type::Own(slot) => lift_own(cx, flat.next_u32(), slot.0)?,
        Type::Borrow(slot) => lift_borrow(cx, flat.next_u32(), slot.0)?,
    })
}

pub(crate) fn load<T>(cx: &mut Cx<'_, T>, ty: &Type, ptr: u32) -> Result<Val> {
    Ok(match ty {
        Type::Bool => Val::Bool(cx.read::<1>(ptr)?[0] != 0),
        Type::S8 => Val::S8(cx.read::<1>(ptr)?[0] as i8),
        Type::U8 => Val::U8(cx.read::<1>(ptr)?[0]),
        Type::S16 => Val::S16(i16::from_le_bytes(cx.read(ptr)?)),
        Type::U16 => Val::U16(u16::from_le_bytes(cx.read(ptr)?)),
        Type::S32 => Val::S32(i32::from_le_bytes(cx.read(ptr)?)),
        Type::U32 => Val::U32(u32::from_le_bytes(cx.read(ptr)?)),
        Type::S64 => Val::S64(i64::from_le_bytes(cx.read(ptr)?)),
        Type::U64 => Val::U64(u64::from_le_bytes(cx.read(ptr)?)),
        Type::F32 => Val::Float32(canonical_f32(f32::from_le_bytes(cx.read(ptr)?))),
        Type::F64 => Val::Float64(canonical_f64(f64::from_le_bytes(cx.read(ptr)?))),
        Type::Char => Val::Char(to_char(u32::from_le_bytes(cx.read(ptr)?))?),
        Type::String => {
            let (begin, tagged_len) = load_pair(cx, ptr)?;
            Val::String(strings::load_string_from_range(cx, begin, tagged_len)?)
        }
        Type::List(list) => {
            let (begin, len) = load_pair(cx, ptr)?;
            load_list_from_range(cx, begin, len, &list.element)?.into_val()
        }
        Type::Map(map) => {
            let (begin, len) = load_pair(cx, ptr)?;
            map_from_entries(load_list_from_range(cx, begin, len, &map.entry)?.into_vals())
        }
        Type::Record(record) => Val::Record(
            record
                .fields
                .iter()
                .map(|f| Ok((f.name.clone(), load(cx, &f.ty, ptr + f.offset)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Tuple(tuple) => Val::Tuple(
            tuple
                .types
                .iter()
                .zip(tuple.offsets.iter())
                .map(|(t, offset)| load(cx, t, ptr + offset))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            let Some(abi) = ty.variant_abi() else {
                return Err(Error::usage("not a variant"));
            };
            let case = match abi.discriminant_size {
                1 => cx.read::<1>(ptr)?[0] as u32,
                2 => u16::from_le_bytes(cx.read(ptr)?) as u32,
                _ => u32::from_le_bytes(cx.read(ptr)?),
            };
            let value = match ty.case_type(case as usize) {
                Some(case_ty) => Some(load(cx, case_ty, ptr + abi.payload_offset)?),
                None => None,
            };
            make_case(ty, case, value)?
        }
        Type::Flags(flags) => {
            let n = flags.names.len();
            let words: Vec<u32> = match n {
                0 => Vec::new(),
                1..=8 => vec![cx.read::<1>(ptr)?[0] as u32],
                9..=16 => vec![u16::from_le_bytes(cx.read(ptr)?) as u32],
                _ => (0..n.div_ceil(32) as u32)
                    .map(|i| cx.read(ptr + 4 * i).map(u32::from_le_bytes))
                    .collect::<Result<_>>()?,
            };
            flags_from_words(&flags.names, &words)
        }
        Type::Own(slot) => lift_own(cx, u32::from_le_bytes(cx.read(ptr)?), slot.0)?,
        Type::Borrow(slot) => lift_borrow(cx, u32::from_le_bytes(cx.read(ptr)?), slot.0)?,
    })
}

fn load_pair<T>(cx: &Cx<'_, T>, ptr: u32) -> Result<(u32, u32)> {
    let bytes = cx.read::<8>(ptr)?;
    let [a0, a1, a2, a3, b0, b1, b2, b3] = bytes;
    Ok((
        u32::from_le_bytes([a0, a1, a2, a3]),
        u32::from_le_bytes([b0, b1, b2, b3]),
    ))
}

fn load_list_from_range<T>(
    cx: &mut Cx<'_, T>,
    ptr: u32,
    len: u32,
    element: &Type,
) -> Result<ListItems> {
    let layout = element.layout();
    if !ptr.is_multiple_of(layout.align) {
        return Err(Trap::new(TrapCode::UnalignedPointer).into());
    }
    let byte_len = len as u64 * layout.size as u64;
    if ptr as u64 + byte_len > cx.memory_len()? {
        return Err(Trap::new(TrapCode::ListOutOfBounds).into());
    }
    if layout.size == 0 && len > MAX_ZERO_SIZED_ELEMENTS {
        return Err(Trap::with_detail(
            TrapCode::TooLarge,
            format!("a list of {len} zero-sized elements"),
        )
        .into());
    }
    // Bytes are the common large case; copy them in one go.
    match element {
        Type::U8 => {
            let bytes = cx.bytes(ptr, byte_len, TrapCode::ListOutOfBounds)?;
            return Ok(ListItems::Bytes(bytes.to_vec()));
        }
        Type::S8 => {
            let bytes = cx.bytes(ptr, byte_len, TrapCode::ListOutOfBounds)?;
            return Ok(ListItems::Vals(
                bytes.iter().map(|b| Val::S8(*b as i8)).collect(),
            ));
        }
        _ => {}
    }
    (0..len)
        .map(|i| load(cx, element, ptr + i * layout.size))
        .collect::<Result<_>>()
        .map(ListItems::Vals)
}

/// A lifted list's elements: bytes in one buffer, anything else as values.
enum ListItems {
    Bytes(Vec<u8>),
    Vals(Vec<Val>),
}

impl ListItems {
    fn into_val(self) -> Val {
        match self {
            ListItems::Bytes(bytes) => Val::Bytes(bytes),
            ListItems::Vals(vals) => Val::List(vals),
        }
    }

    fn into_vals(self) -> Vec<Val> {
        match self {
            ListItems::Bytes(bytes) => bytes.into_iter().map(Val::U8).collect(),
            ListItems::Vals(vals) => vals,
        }
    }
}

fn map_from_entries(entries: Vec<Val>) -> Val {
    Val::Map(
        entries
            .into_iter()
            .filter_map(|entry| match entry {
                Val::Tuple(kv) => {
                    let mut kv = kv.into_iter();
                    Some((kv.next()?, kv.next()?))
                }
                _ => None,
            })
            .collect(),
    )
}

/// A variant-like value for case `case` (CanonicalABI.md: a discriminant
/// past the last case traps).
fn make_case(ty: &Type, case: u32, value: Option<Val>) -> Result<Val> {
    if case as usize >= ty.case_count() {
        return Err(Trap::new(TrapCode::InvalidDiscriminant).into());
    }
    let value = value.map(Box::new);
    Ok(match ty {
        Type::Variant(v) => Val::Variant(v.cases[case as usize].name.clone(), value),
        Type::Enum(e) => Val::Enum(e.names[case as usize].clone()),
        Type::Option(_) => Val::Option(if case == 0 { None } else { value }),
        Type::Result(_) if case == 0 => Val::Result(Ok(value)),
        Type::Result(_) => Val::Result(Err(value)),
        _ => return Err(Error::usage("not a variant")),
    })
}

/// Bits past the last label are ignored, as the spec says.
fn flags_from_words(names: &[String], words: &[u32]) -> Val {
    Val::Flags(
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1))
            .map(|(_, name)| name.clone())
            .collect(),
    )
}

fn to_char(i: u32) -> Result<char> {
    char::from_u32(i).ok_or_else(|| Trap::new(TrapCode::InvalidChar).into())
}

fn canonical_f32(f: f32) -> f32 {
    if f.is_nan() {
        f32::from_bits(0x7fc0_0000)
    } else {
        f
    }
}

fn canonical_f64(f: f64) -> f64 {
    if f.is_nan() {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        f
    }
}

/// `lift_own`: the handle leaves the instance's table and goes to the
/// host table, from where whoever receives the value takes it.
fn lift_own<T>(cx: &mut Cx<'_, T>, index: u32, slot: u32) -> Result<Val> {
    let rt = cx.resource(slot)?;
    let instance = cx.instance as usize;
    let data = cx.store.data_mut();
    let state = data
        .rt
        .instances
        .get_mut(instance)
        .ok_or_else(|| Error::usage("no such component instance"))?;
    let elem = match state.handles.get(rt, index) {
        Ok(elem) => elem,
        Err(e) => return Err(data.rt.handle_trap(e)),
    };
    if elem.lend_count != 0 {
        return Err(Trap::new(TrapCode::HandleLent).into());
    }
    if !elem.own {
        return Err(Trap::with_detail(
            TrapCode::WrongHandleKind,
            format!("handle index {index} is a borrow, passed as an own"),
        )
        .into());
    }
    let elem = match state.handles.remove(rt, index) {
        Ok(elem) => elem,
        Err(e) => return Err(data.rt.handle_trap(e)),
    };
    let ty = data.rt.resource_type(rt);
    let handle = data.rt.host_handles.insert(
        HostHandle {
            rt,
            rep: elem.rep,
            own: true,
        },
        ty,
    );
    Ok(Val::Resource(handle))
}

/// `lift_borrow`: an own handle is lent for the duration of the call.
fn lift_borrow<T>(cx: &mut Cx<'_, T>, index: u32, slot: u32) -> Result<Val> {
    let rt = cx.resource(slot)?;
    let instance = cx.instance as usize;
    let data = cx.store.data_mut();
    let state = data
        .rt
        .instances
        .get_mut(instance)
        .ok_or_else(|| Error::usage("no such component instance"))?;
    let elem = match state.handles.get(rt, index) {
        Ok(elem) => elem,
        Err(e) => return Err(data.rt.handle_trap(e)),
    };
    let Scope::Import {
        lenders,
        host_borrows,
    } = &mut *cx.scope
    else {
        return Err(Error::usage("a borrow can only be passed as an argument"));
    };
    if elem.own {
        elem.lend_count += 1;
        lenders.push((cx.instance, index));
    }
    let rep = elem.rep;
    let ty = data.rt.resource_type(rt);
    let handle = data.rt.host_handles.insert(
        HostHandle {
            rt,
            rep,
            own: false,
        },
        ty,
    );
    host_borrows.push(handle);
    Ok(Val::Resource(handle))
}
