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
    valid_input(bytes)?;
    guarded(|| wit_parser::decoding::decode(bytes))
}

/// `wit_parser::decoding::decode_world`, with panics reported as errors.
pub fn decode_world(bytes: &[u8]) -> Result<(Resolve, WorldId), Error> {
    valid_input(bytes)?;
    guarded(|| wit_parser::decoding::decode_world(bytes))
}

/// Validates `bytes` before wit-parser reads them: its decoder trusts the
/// counts it reads, and a 732-byte module with a huge one made it
/// allocate 4 GB (found by the `malformed` fuzz target).
fn valid_input(bytes: &[u8]) -> Result<(), Error> {
    crate::validate_binary(bytes).map_err(|e| {
        Error::Decode(format!(
            "not valid wasm (at byte offset {:#x}): {}",
            e.offset(),
            e.message()
        ))
    })
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
