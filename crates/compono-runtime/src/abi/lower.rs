//! Storing values into linear memory and lowering them to flat values
//! (CanonicalABI.md "Storing", "Flat Lowering", `lower_values`).
//!
//! The values come from the host or from another component's lift, so
//! they are checked against the type as they are lowered: a mismatch is
//! the host's error, reported as [`Error::Usage`].

use super::{Cx, Scope, StringEncoding, strings};
use crate::error::{Error, Result, Trap, TrapCode};
use crate::resources::{HandleElem, ResourceImpl};
use crate::types::{FuncType, Type};
use crate::val::{ResourceAny, Val};

/// Lowers arguments for a call into `cx`'s instance: flat values, or one
/// pointer to them stored in memory allocated with the callee's `realloc`.
pub(crate) fn lower_params<T>(
    cx: &mut Cx<'_, T>,
    ty: &FuncType,
    args: &[Val],
    src: StringEncoding,
) -> Result<Vec<u64>> {
    if args.len() != ty.params.len() {
        return Err(Error::usage(format!(
            "expected {} arguments, got {}",
            ty.params.len(),
            args.len()
        )));
    }
    let mut flat = Vec::with_capacity(ty.params_tuple.flat_count.max(1));
    if ty.flat_params.is_some() {
        for ((_, t), v) in ty.params.iter().zip(args) {
            lower_flat(cx, t, v, src, &mut flat)?;
        }
        return Ok(flat);
    }
    let layout = ty.params_tuple.layout;
    let ptr = cx.realloc(0, 0, layout.align, layout.size)?;
    for (((_, t), v), offset) in ty
        .params
        .iter()
        .zip(args)
        .zip(ty.params_tuple.offsets.iter())
    {
        store(cx, t, v, ptr + offset, src)?;
    }
    flat.push(ptr as u64);
    Ok(flat)
}

/// Lowers a result for the caller in `cx`: flat, or stored at the pointer
/// the caller passed after its arguments (`out_ptr`).
pub(crate) fn lower_result<T>(
    cx: &mut Cx<'_, T>,
    ty: &FuncType,
    result: Option<&Val>,
    out_ptr: Option<u32>,
    src: StringEncoding,
) -> Result<Vec<u64>> {
    let (Some(result_ty), Some(value)) = (&ty.result, result) else {
        return match (&ty.result, result) {
            (None, None) => Ok(Vec::new()),
            (Some(_), None) => Err(Error::usage("the function returned no result")),
            _ => Err(Error::usage(
                "the function returned a result it does not declare",
            )),
        };
    };
    let mut flat = Vec::with_capacity(1);
    if ty.flat_result.is_some() {
        lower_flat(cx, result_ty, value, src, &mut flat)?;
        return Ok(flat);
    }
    let ptr = out_ptr.ok_or_else(|| Error::usage("no return pointer"))?;
    let layout = result_ty.layout();
    if !ptr.is_multiple_of(layout.align) {
        return Err(Trap::new(TrapCode::UnalignedPointer).into());
    }
    if ptr as u64 + layout.size as u64 > cx.memory_len()? {
        return Err(Trap::new(TrapCode::OutOfBounds).into());
    }
    store(cx, result_ty, value, ptr, src)?;
    Ok(flat)
}

fn mismatch(ty: &Type, v: &Val) -> Error {
    Error::usage(format!(
        "type mismatch: expected {ty}, found a {} value",
        v.kind()
    ))
}

pub(crate) fn lower_flat<T>(
    cx: &mut Cx<'_, T>,
    ty: &Type,
    v: &Val,
    src: StringEncoding,
    out: &mut Vec<u64>,
) -> Result<()> {
    match (ty, v) {
        (Type::Bool, Val::Bool(b)) => out.push(*b as u64),
        (Type::S8, Val::S8(i)) => out.push(*i as i32 as u32 as u64),
        (Type::U8, Val::U8(i)) => out.push(*i as u64),
        (Type::S16, Val::S16(i)) => out.push(*i as i32 as u32 as u64),
        (Type::U16, Val::U16(i)) => out.push(*i as u64),
        (Type::S32, Val::S32(i)) => out.push(*i as u32 as u64),
        (Type::U32, Val::U32(i)) => out.push(*i as u64),
        (Type::S64, Val::S64(i)) => out.push(*i as u64),
        (Type::U64, Val::U64(i)) => out.push(*i),
        (Type::F32, Val::Float32(f)) => out.push(canonical_f32_bits(*f) as u64),
        (Type::F64, Val::Float64(f)) => out.push(canonical_f64_bits(*f)),
        (Type::Char, Val::Char(c)) => out.push(*c as u64),
        (Type::String, Val::String(s)) => {
            let (ptr, len) = strings::store_string_into_range(cx, s, src)?;
            out.extend([ptr as u64, len as u64]);
        }
        (Type::List(list), Val::List(items)) => {
            let (ptr, len) = store_list_into_range(cx, &list.element, items, src)?;
            out.extend([ptr as u64, len as u64]);
        }
        (Type::List(list), Val::Bytes(bytes)) if matches!(list.element, Type::U8) => {
            let (ptr, len) = store_bytes_into_range(cx, bytes)?;
            out.extend([ptr as u64, len as u64]);
        }
        (Type::Map(map), Val::Map(entries)) => {
            let (ptr, len) = store_list_into_range(cx, &map.entry, &map_entries(entries), src)?;
            out.extend([ptr as u64, len as u64]);
        }
        (Type::Record(record), Val::Record(fields)) => {
            for (i, field) in record.fields.iter().enumerate() {
                lower_flat(
                    cx,
                    &field.ty,
                    record_field(fields, i, &field.name, ty)?,
                    src,
                    out,
                )?;
            }
        }
        (Type::Tuple(tuple), Val::Tuple(items)) if items.len() == tuple.types.len() => {
            for (t, item) in tuple.types.iter().zip(items) {
                lower_flat(cx, t, item, src, out)?;
            }
        }
        (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
            let (case, payload) = match_case(ty, v)?;
            let payload_len = ty
                .variant_abi()
                .and_then(|abi| abi.flat_payload.as_ref())
                .map_or(0, |p| p.len());
            out.push(case as u64);
            let start = out.len();
            if let (Some(case_ty), Some(payload)) = (ty.case_type(case), payload) {
                lower_flat(cx, case_ty, payload, src, out)?;
            }
            // Unused payload slots are zero.
            out.resize(start + payload_len, 0);
        }
        (Type::Flags(flags), Val::Flags(set)) => {
            let words = flags_to_words(&flags.names, set, ty)?;
            out.extend(words.into_iter().map(|w| w as u64));
        }
        (Type::Own(slot), Val::Resource(r)) => out.push(lower_own(cx, r, slot.0)? as u64),
        (Type::Borrow(slot), Val::Resource(r)) => out.push(lower_borrow(cx, r, slot.0)? as u64),
        _ => return Err(mismatch(ty, v)),
    }
    Ok(())
}

pub(crate) fn store<T>(
    cx: &mut Cx<'_, T>,
    ty: &Type,
    v: &Val,
    ptr: u32,
    src: StringEncoding,
) -> Result<()> {
    match (ty, v) {
        (Type::Bool, Val::Bool(b)) => cx.write(ptr, &[*b as u8]),
        (Type::S8, Val::S8(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::U8, Val::U8(i)) => cx.write(ptr, &[*i]),
        (Type::S16, Val::S16(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::U16, Val::U16(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::S32, Val::S32(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::U32, Val::U32(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::S64, Val::S64(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::U64, Val::U64(i)) => cx.write(ptr, &i.to_le_bytes()),
        (Type::F32, Val::Float32(f)) => cx.write(ptr, &canonical_f32_bits(*f).to_le_bytes()),
        (Type::F64, Val::Float64(f)) => cx.write(ptr, &canonical_f64_bits(*f).to_le_bytes()),
        (Type::Char, Val::Char(c)) => cx.write(ptr, &(*c as u32).to_le_bytes()),
        (Type::String, Val::String(s)) => {
            let (begin, len) = strings::store_string_into_range(cx, s, src)?;
            store_pair(cx, ptr, begin, len)
        }
        (Type::List(list), Val::List(items)) => {
            let (begin, len) = store_list_into_range(cx, &list.element, items, src)?;
            store_pair(cx, ptr, begin, len)
        }
        (Type::List(list), Val::Bytes(bytes)) if matches!(list.element, Type::U8) => {
            let (begin, len) = store_bytes_into_range(cx, bytes)?;
            store_pair(cx, ptr, begin, len)
        }
        (Type::Map(map), Val::Map(entries)) => {
            let (begin, len) = store_list_into_range(cx, &map.entry, &map_entries(entries), src)?;
            store_pair(cx, ptr, begin, len)
        }
        (Type::Record(record), Val::Record(fields)) => {
            for (i, field) in record.fields.iter().enumerate() {
                let value = record_field(fields, i, &field.name, ty)?;
                store(cx, &field.ty, value, ptr + field.offset, src)?;
            }
            Ok(())
        }
        (Type::Tuple(tuple), Val::Tuple(items)) if items.len() == tuple.types.len() => {
            for ((t, item), offset) in tuple.types.iter().zip(items).zip(tuple.offsets.iter()) {
                store(cx, t, item, ptr + offset, src)?;
            }
            Ok(())
        }
        (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
            let Some(abi) = ty.variant_abi() else {
                return Err(mismatch(ty, v));
            };
            let (case, payload) = match_case(ty, v)?;
            let disc = (case as u32).to_le_bytes();
            cx.write(ptr, &disc[..abi.discriminant_size as usize])?;
            if let (Some(case_ty), Some(payload)) = (ty.case_type(case), payload) {
                store(cx, case_ty, payload, ptr + abi.payload_offset, src)?;
            }
            Ok(())
        }
        (Type::Flags(flags), Val::Flags(set)) => {
            let words = flags_to_words(&flags.names, set, ty)?;
            let size = ty.layout().size as usize;
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            cx.write(ptr, &bytes[..size.min(bytes.len())])
        }
        (Type::Own(slot), Val::Resource(r)) => {
            let index = lower_own(cx, r, slot.0)?;
            cx.write(ptr, &index.to_le_bytes())
        }
        (Type::Borrow(slot), Val::Resource(r)) => {
            let index = lower_borrow(cx, r, slot.0)?;
            cx.write(ptr, &index.to_le_bytes())
        }
        _ => Err(mismatch(ty, v)),
    }
}

/// A map's entries as the tuples it is stored as.
fn map_entries(entries: &[(Val, Val)]) -> Vec<Val> {
    entries
        .iter()
        .map(|(k, v)| Val::Tuple(vec![k.clone(), v.clone()]))
        .collect()
}

fn store_pair<T>(cx: &mut Cx<'_, T>, ptr: u32, a: u32, b: u32) -> Result<()> {
    let mut bytes = [0u8; 8];
    bytes[..4].copy_from_slice(&a.to_le_bytes());
    bytes[4..].copy_from_slice(&b.to_le_bytes());
    cx.write(ptr, &bytes)
}

fn store_list_into_range<T>(
    cx: &mut Cx<'_, T>,
    element: &Type,
    items: &[Val],
    src: StringEncoding,
) -> Result<(u32, u32)> {
    let layout = element.layout();
    let byte_len = items.len() as u64 * layout.size as u64;
    if byte_len >= 1 << 32 {
        return Err(
            Trap::with_detail(TrapCode::TooLarge, format!("a list of {byte_len} bytes")).into(),
        );
    }
    let ptr = cx.realloc(0, 0, layout.align, byte_len as u32)?;
    // Bytes are the common large case; write them in one go.
    if matches!(element, Type::U8) {
        let bytes: Vec<u8> = items
            .iter()
            .map(|v| match v {
                Val::U8(b) => Ok(*b),
                other => Err(mismatch(element, other)),
            })
            .collect::<Result<_>>()?;
        cx.write(ptr, &bytes)?;
        return Ok((ptr, items.len() as u32));
    }
    for (i, item) in items.iter().enumerate() {
        store(cx, element, item, ptr + i as u32 * layout.size, src)?;
    }
    Ok((ptr, items.len() as u32))
}

/// `store_list_into_range` for a `list<u8>` given as one buffer.
fn store_bytes_into_range<T>(cx: &mut Cx<'_, T>, bytes: &[u8]) -> Result<(u32, u32)> {
    let len = u32::try_from(bytes.len()).map_err(|_| {
        Trap::with_detail(
            TrapCode::TooLarge,
            format!("a list of {} bytes", bytes.len()),
        )
    })?;
    let ptr = cx.realloc(0, 0, 1, len)?;
    cx.write(ptr, bytes)?;
    Ok((ptr, len))
}

/// The value of field `i` named `name`: by position when the names line
/// up, else by name.
fn record_field<'v>(
    fields: &'v [(String, Val)],
    i: usize,
    name: &str,
    ty: &Type,
) -> Result<&'v Val> {
    match fields.get(i) {
        Some((n, v)) if n == name => Ok(v),
        _ => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::usage(format!("record value has no field `{name}` of {ty}"))),
    }
}

/// The case index and payload of a variant-like value.
fn match_case<'v>(ty: &Type, v: &'v Val) -> Result<(usize, Option<&'v Val>)> {
    let found = match (ty, v) {
        (Type::Variant(variant), Val::Variant(name, payload)) => variant
            .cases
            .iter()
            .position(|c| &c.name == name)
            .map(|i| (i, payload.as_deref())),
        (Type::Enum(e), Val::Enum(name)) => {
            e.names.iter().position(|n| n == name).map(|i| (i, None))
        }
        (Type::Option(_), Val::Option(None)) => Some((0, None)),
        (Type::Option(_), Val::Option(Some(payload))) => Some((1, Some(&**payload))),
        (Type::Result(_), Val::Result(Ok(payload))) => Some((0, payload.as_deref())),
        (Type::Result(_), Val::Result(Err(payload))) => Some((1, payload.as_deref())),
        _ => None,
    };
    let (case, payload) = found.ok_or_else(|| mismatch(ty, v))?;
    if ty.case_type(case).is_some() != payload.is_some() {
        return Err(mismatch(ty, v));
    }
    Ok((case, payload))
}

fn flags_to_words(names: &[String], set: &[String], ty: &Type) -> Result<Vec<u32>> {
    let mut words = vec![0u32; names.len().div_ceil(32)];
    for flag in set {
        let i = names
            .iter()
            .position(|n| n == flag)
            .ok_or_else(|| Error::usage(format!("`{flag}` is not a flag of {ty}")))?;
        words[i / 32] |= 1 << (i % 32);
    }
    Ok(words)
}

fn canonical_f32_bits(f: f32) -> u32 {
    if f.is_nan() { 0x7fc0_0000 } else { f.to_bits() }
}

fn canonical_f64_bits(f: f64) -> u64 {
    if f.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        f.to_bits()
    }
}

/// `lower_own`: the handle moves from the host table into the instance's.
fn lower_own<T>(cx: &mut Cx<'_, T>, r: &ResourceAny, slot: u32) -> Result<u32> {
    let rt = cx.resource(slot)?;
    let data = cx.store.data_mut();
    match data.rt.host_handles.get(r) {
        Some(h) if !h.own => {
            return Err(Error::usage(
                "a borrowed resource cannot be passed as an own",
            ));
        }
        Some(h) if h.rt != rt => {
            return Err(Error::usage("resource passed as a different resource type"));
        }
        Some(_) => {}
        None => {
            return Err(Error::usage(
                "resource handle was already consumed, dropped or is out of scope",
            ));
        }
    }
    let handle = data
        .rt
        .host_handles
        .remove(r)
        .ok_or_else(|| Error::usage("resource handle was already consumed"))?;
    cx.handles_add(HandleElem {
        rt,
        rep: handle.rep,
        own: true,
        scope: None,
        lend_count: 0,
    })
}

/// `lower_borrow`: the instance implementing the resource gets the
/// representation itself; any other gets a borrow handle that must be
/// dropped before the call returns.
fn lower_borrow<T>(cx: &mut Cx<'_, T>, r: &ResourceAny, slot: u32) -> Result<u32> {
    let rt = cx.resource(slot)?;
    let data = cx.store.data_mut();
    let handle = match data.rt.host_handles.get(r) {
        Some(h) if h.rt == rt => h.clone(),
        Some(_) => return Err(Error::usage("resource passed as a different resource type")),
        None => {
            return Err(Error::usage(
                "resource handle was already consumed, dropped or is out of scope",
            ));
        }
    };
    let implemented_here = matches!(
        data.rt.resource_types.get(rt as usize),
        Some(ResourceImpl::Guest { instance, .. }) if *instance == cx.instance
    );
    if implemented_here {
        return Ok(handle.rep);
    }
    let Scope::Export { call } = *cx.scope else {
        return Err(Error::usage("a borrow can only be passed as an argument"));
    };
    if let Some(export_call) = data.rt.export_calls.get_mut(call) {
        export_call.borrow_count += 1;
    }
    cx.handles_add(HandleElem {
        rt,
        rep: handle.rep,
        own: false,
        scope: Some(call),
        lend_count: 0,
    })
}
