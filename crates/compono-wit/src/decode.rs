//! Decoding untrusted wasm into a `Resolve`.
//!
//! `wit_parser::decoding` validates its input first, but it still asserts
//! structural expectations of encoded WIT that a valid yet unusual component
//! can break. Every `.wasm` we are handed is untrusted, so a panic inside
//! the decoder is caught here and reported as an error.
//!
//! Catching does not touch the process-wide panic hook (swapping it is racy
//! when other threads panic meanwhile). Instead, while a decode runs, the
//! thread is marked (`decoding_in_progress`), so a program that does not
//! want the hook's message for a caught decoder panic can install, once at
//! startup, a hook that stays quiet while the mark is set (the `compono`
//! binary does). Under `panic = "abort"` nothing can be caught and such an
//! input aborts the process; compono is built with unwinding, and the
//! `malformed` fuzz target (whose libFuzzer hook aborts on any panic, caught
//! or not) looks for inputs that reach a decoder panic at all.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use wasmparser::{BinaryReaderError, Encoding, Parser, Payload, WasmFeatures};
use wit_parser::decoding::DecodedWasm;
use wit_parser::{Resolve, WorldId};

use crate::Error;

thread_local! {
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside `decode` or `decode_world`, for a panic
/// hook that keeps quiet about the decoder panics they turn into errors.
pub fn decoding_in_progress() -> bool {
    DECODING.with(Cell::get)
}

/// `wit_parser::decoding::decode`, with panics reported as errors.
pub fn decode(bytes: &[u8]) -> Result<DecodedWasm, Error> {
    checked(bytes, || wit_parser::decoding::decode(bytes))
}

/// `wit_parser::decoding::decode_world`, with panics reported as errors.
pub fn decode_world(bytes: &[u8]) -> Result<(Resolve, WorldId), Error> {
    checked(bytes, || wit_parser::decoding::decode_world(bytes))
}

/// Runs wit-parser's decoder on `bytes` so that it never sees what it
/// cannot take, and any input it refuses is reported as compono's
/// validator reports it.
///
/// The decoder validates each payload as it reads it, but not function
/// bodies, and it trusts section sizes: it makes room for a section before
/// it has read it, and a 732-byte module claiming a huge one made it
/// allocate 4 GB (found by the `malformed` fuzz target). So the sections
/// are framed first (a parse, no validation, which fails on a size past
/// the end), and the core modules inside are validated afterwards. A
/// whole validation before decoding also did this, but the decoder then
/// validated everything again: decoding took 1.5 to 1.7 times
/// wasm-tools' time.
fn checked<T>(bytes: &[u8], decode: impl FnOnce() -> anyhow::Result<T>) -> Result<T, Error> {
    let modules = framed(bytes).map_err(not_valid)?;
    let decoded = guarded(decode);
    let bodies_valid = || {
        modules.iter().all(|range| {
            bytes
                .get(range.clone())
                .is_some_and(|m| crate::validate_binary(m).is_ok())
        })
    };
    match decoded {
        Ok(value) if bodies_valid() => Ok(value),
        // Rare: an invalid input, or one that is not encoded WIT. The
        // whole validation names the first problem with its offset.
        other => {
            crate::validate_binary(bytes).map_err(not_valid)?;
            other
        }
    }
}

/// Parses the payloads of `bytes`, nested ones included (a section
/// reaching past its parent's end is an error); returns the byte ranges
/// of the core modules inside, or the whole input when it is one.
fn framed(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, BinaryReaderError> {
    let mut parser = Parser::new(0);
    parser.set_features(WasmFeatures::all());
    let mut modules = Vec::new();
    for (i, payload) in parser.parse_all(bytes).enumerate() {
        match payload? {
            Payload::Version {
                encoding: Encoding::Module,
                ..
            } if i == 0 => modules.push(0..bytes.len()),
            Payload::ModuleSection {
                unchecked_range, ..
            } => modules.push(unchecked_range.start as usize..unchecked_range.end as usize),
            _ => {}
        }
    }
    Ok(modules)
}

fn not_valid(e: BinaryReaderError) -> Error {
    Error::Decode(format!(
        "not valid wasm (at byte offset {:#x}): {}",
        e.offset(),
        e.message()
    ))
}

fn guarded<T>(f: impl FnOnce() -> anyhow::Result<T>) -> Result<T, Error> {
    let outer = DECODING.with(|d| d.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    DECODING.with(|d| d.set(outer));
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::Decode(format!("{e:#}"))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unexpected structure");
            Err(Error::Decode(format!(
                "the component does not have the structure of encoded WIT ({what})"
            )))
        }
    }
}
