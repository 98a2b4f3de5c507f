//! Decoding untrusted wasm into a `Resolve`.
//!
//! `wit_parser::decoding` validates its input first, but it still asserts
//! structural expectations of encoded WIT that a valid yet unusual component
//! can break. Every `.wasm` we are handed is untrusted, so its panics are
//! turned into errors here rather than taking the process down.

use std::panic::{AssertUnwindSafe, catch_unwind};
use wit_parser::decoding::DecodedWasm;
use wit_parser::{Resolve, WorldId};

use crate::Error;

/// `wit_parser::decoding::decode`, with panics reported as errors.
pub fn decode(bytes: &[u8]) -> Result<DecodedWasm, Error> {
    guarded(|| wit_parser::decoding::decode(bytes))
}

/// `wit_parser::decoding::decode_world`, with panics reported as errors.
pub fn decode_world(bytes: &[u8]) -> Result<(Resolve, WorldId), Error> {
    guarded(|| wit_parser::decoding::decode_world(bytes))
}

fn guarded<T>(f: impl FnOnce() -> anyhow::Result<T>) -> Result<T, Error> {
    // The default hook would print a panic message and backtrace for what
    // is, to the user, just malformed input.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
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
