//! Strings in the three encodings, and transcoding between them with the
//! sequence of `realloc` calls CanonicalABI.md gives
//! (`load_string_from_range`, `store_string_into_range` and its helpers).
//!
//! A lifted string is a Rust `String`; what the spec calls its source
//! encoding is the encoding of the side it was lifted from, which the
//! caller passes to [`store_string_into_range`]. For `latin1+utf16`
//! sources the tag is recomputed from the text (Latin-1 when every
//! character fits), which is what a conforming producer writes.

use super::{Cx, StringEncoding};
use crate::error::{Result, Trap, TrapCode};

const UTF16_TAG: u32 = 1 << 31;
const MAX_STRING_BYTE_LENGTH: u64 = (1 << 31) - 1;

pub(crate) fn load_string_from_range<T>(
    cx: &mut Cx<'_, T>,
    ptr: u32,
    tagged_len: u32,
) -> Result<String> {
    let (align, byte_len, encoding) = match cx.opts.encoding {
        StringEncoding::Utf8 => (1, tagged_len as u64, Simple::Utf8),
        StringEncoding::Utf16 => (2, 2 * tagged_len as u64, Simple::Utf16),
        StringEncoding::CompactUtf16 if tagged_len & UTF16_TAG != 0 => {
            (2, 2 * (tagged_len ^ UTF16_TAG) as u64, Simple::Utf16)
        }
        StringEncoding::CompactUtf16 => (2, tagged_len as u64, Simple::Latin1),
    };
    if !ptr.is_multiple_of(align) {
        return Err(Trap::new(TrapCode::UnalignedPointer).into());
    }
    let bytes = cx.bytes(ptr, byte_len, TrapCode::StringOutOfBounds)?;
    match encoding {
        Simple::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) if e.error_len().is_none() => Err(Trap::with_detail(
                TrapCode::InvalidString,
                "incomplete utf-8 byte sequence",
            )
            .into()),
            Err(_) => Err(Trap::with_detail(TrapCode::InvalidString, "invalid utf-8").into()),
        },
        Simple::Utf16 => {
            let units = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| Trap::with_detail(TrapCode::InvalidString, "invalid utf-16").into())
        }
        Simple::Latin1 => Ok(bytes.iter().map(|b| *b as char).collect()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Simple {
    Utf8,
    Utf16,
    Latin1,
}

/// Stores `s`, lifted from a side using `src`, in the encoding of `cx`;
/// returns the pointer and the (tagged) length in code units.
pub(crate) fn store_string_into_range<T>(
    cx: &mut Cx<'_, T>,
    s: &str,
    src: StringEncoding,
) -> Result<(u32, u32)> {
    let all_latin1 = || s.chars().all(|c| (c as u32) < 0x100);
    let src_simple = match src {
        StringEncoding::Utf8 => Simple::Utf8,
        StringEncoding::Utf16 => Simple::Utf16,
        StringEncoding::CompactUtf16 if all_latin1() => Simple::Latin1,
        StringEncoding::CompactUtf16 => Simple::Utf16,
    };
    let src_code_units = match src_simple {
        Simple::Utf8 => s.len() as u64,
        Simple::Utf16 => s.encode_utf16().count() as u64,
        Simple::Latin1 => s.chars().count() as u64,
    };
    match (cx.opts.encoding, src_simple) {
        (StringEncoding::Utf8, Simple::Utf8) => store_copy(cx, s, src_code_units, Simple::Utf8),
        (StringEncoding::Utf8, Simple::Utf16) => {
            store_to_utf8(cx, s, src_code_units, 3 * src_code_units)
        }
        (StringEncoding::Utf8, Simple::Latin1) => {
            store_to_utf8(cx, s, src_code_units, 2 * src_code_units)
        }
        (StringEncoding::Utf16, Simple::Utf8) => store_utf8_to_utf16(cx, s, src_code_units),
        (StringEncoding::Utf16, _) => store_copy(cx, s, src_code_units, Simple::Utf16),
        (StringEncoding::CompactUtf16, Simple::Latin1) if src == StringEncoding::CompactUtf16 => {
            store_copy(cx, s, src_code_units, Simple::Latin1)
        }
        (StringEncoding::CompactUtf16, Simple::Utf16) if src == StringEncoding::CompactUtf16 => {
            store_probably_utf16_to_latin1_or_utf16(cx, s, src_code_units)
        }
        (StringEncoding::CompactUtf16, _) => store_to_latin1_or_utf16(cx, s, src_code_units),
    }
}

fn too_long(bytes: u64) -> Result<()> {
    if bytes > MAX_STRING_BYTE_LENGTH {
        return Err(
            Trap::with_detail(TrapCode::TooLarge, format!("a string of {bytes} bytes")).into(),
        );
    }
    Ok(())
}

fn encode(s: &str, encoding: Simple) -> Vec<u8> {
    match encoding {
        Simple::Utf8 => s.as_bytes().to_vec(),
        Simple::Utf16 => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Simple::Latin1 => s.chars().map(|c| c as u32 as u8).collect(),
    }
}

/// `store_string_copy`: the destination length is known up front. A
/// Latin-1 copy (into `latin1+utf16`) has one-byte code units but the
/// encoding's alignment of 2.
fn store_copy<T>(cx: &mut Cx<'_, T>, s: &str, code_units: u64, dst: Simple) -> Result<(u32, u32)> {
    let (unit_size, align) = match dst {
        Simple::Utf8 => (1, 1),
        Simple::Utf16 => (2, 2),
        Simple::Latin1 => (1, 2),
    };
    let byte_len = code_units * unit_size;
    too_long(byte_len)?;
    let ptr = cx.realloc(0, 0, align, byte_len as u32)?;
    cx.write(ptr, &encode(s, dst))?;
    Ok((ptr, code_units as u32))
}

/// `store_string_to_utf8`: starts with one byte per source code unit and
/// grows to the worst case at the first non-ASCII character.
fn store_to_utf8<T>(
    cx: &mut Cx<'_, T>,
    s: &str,
    src_code_units: u64,
    worst_case: u64,
) -> Result<(u32, u32)> {
    too_long(src_code_units)?;
    let mut ptr = cx.realloc(0, 0, 1, src_code_units as u32)?;
    let encoded = s.as_bytes();
    let ascii_prefix = encoded.iter().take_while(|b| b.is_ascii()).count();
    if ascii_prefix == encoded.len() {
        cx.write(ptr, encoded)?;
        return Ok((ptr, encoded.len() as u32));
    }
    cx.write(ptr, &encoded[..ascii_prefix])?;
    too_long(worst_case)?;
    ptr = cx.realloc(ptr, src_code_units as u32, 1, worst_case as u32)?;
    cx.write(ptr + ascii_prefix as u32, &encoded[ascii_prefix..])?;
    if worst_case > encoded.len() as u64 {
        ptr = cx.realloc(ptr, worst_case as u32, 1, encoded.len() as u32)?;
    }
    Ok((ptr, encoded.len() as u32))
}

/// `store_utf8_to_utf16`: two bytes per UTF-8 byte, then shrunk.
fn store_utf8_to_utf16<T>(cx: &mut Cx<'_, T>, s: &str, src_code_units: u64) -> Result<(u32, u32)> {
    let worst_case = 2 * src_code_units;
    too_long(worst_case)?;
    let mut ptr = cx.realloc(0, 0, 2, worst_case as u32)?;
    let encoded = encode(s, Simple::Utf16);
    cx.write(ptr, &encoded)?;
    if (encoded.len() as u64) < worst_case {
        ptr = cx.realloc(ptr, worst_case as u32, 2, encoded.len() as u32)?;
    }
    Ok((ptr, encoded.len() as u32 / 2))
}

/// `store_string_to_latin1_or_utf16`: Latin-1 until the first character
/// that does not fit, then inflated to UTF-16 in place.
fn store_to_latin1_or_utf16<T>(
    cx: &mut Cx<'_, T>,
    s: &str,
    src_code_units: u64,
) -> Result<(u32, u32)> {
    too_long(src_code_units)?;
    let mut ptr = cx.realloc(0, 0, 2, src_code_units as u32)?;
    let latin1_prefix = s.chars().take_while(|c| (*c as u32) < 0x100).count();
    let total_chars = s.chars().count();
    if latin1_prefix == total_chars {
        let latin1 = encode(s, Simple::Latin1);
        cx.write(ptr, &latin1)?;
        let len = latin1.len() as u32;
        if (len as u64) < src_code_units {
            ptr = cx.realloc(ptr, src_code_units as u32, 2, len)?;
        }
        return Ok((ptr, len));
    }
    let prefix: String = s.chars().take(latin1_prefix).collect();
    cx.write(ptr, &encode(&prefix, Simple::Latin1))?;
    let worst_case = 2 * src_code_units;
    too_long(worst_case)?;
    ptr = cx.realloc(ptr, src_code_units as u32, 2, worst_case as u32)?;
    // The spec widens the Latin-1 prefix in place; writing the whole
    // string as UTF-16 gives the same bytes.
    let encoded = encode(s, Simple::Utf16);
    cx.write(ptr, &encoded)?;
    if worst_case > encoded.len() as u64 {
        ptr = cx.realloc(ptr, worst_case as u32, 2, encoded.len() as u32)?;
    }
    Ok((ptr, (encoded.len() as u32 / 2) | UTF16_TAG))
}

/// `store_probably_utf16_to_latin1_or_utf16`: copied as UTF-16, then
/// narrowed to Latin-1 when every character fits.
fn store_probably_utf16_to_latin1_or_utf16<T>(
    cx: &mut Cx<'_, T>,
    s: &str,
    src_code_units: u64,
) -> Result<(u32, u32)> {
    let src_byte_len = 2 * src_code_units;
    too_long(src_byte_len)?;
    let mut ptr = cx.realloc(0, 0, 2, src_byte_len as u32)?;
    let encoded = encode(s, Simple::Utf16);
    cx.write(ptr, &encoded)?;
    if s.chars().any(|c| (c as u32) >= 0x100) {
        return Ok((ptr, (encoded.len() as u32 / 2) | UTF16_TAG));
    }
    let latin1 = encode(s, Simple::Latin1);
    cx.write(ptr, &latin1)?;
    ptr = cx.realloc(ptr, src_byte_len as u32, 1, latin1.len() as u32)?;
    Ok((ptr, latin1.len() as u32))
}
