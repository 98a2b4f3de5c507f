//! What compono does with WIT itself: print it as canonical text, encode a
//! package in the component binary format, and encode a world as the payload
//! of a `component-type` custom section (and decode that payload back).
//!
//! Decoding a component or an encoded package into a `Resolve` is
//! `wit_parser::decoding`'s job; everything here produces bytes or text that
//! it reads back.

// Every input is untrusted: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod decode;
mod encode;
pub mod limits;
mod lookup;
mod metadata;
mod print;
mod transform;
mod validate;

pub use decode::{decode, decode_world, decoding_in_progress};
pub use encode::{
    Binding, ComponentSpace, InterfaceNames, Scope, TypeSpace, encode_package, encode_package_with,
    encode_world, encode_world_with, extern_name, foreign_refs_of_definition,
    interface_foreign_refs, interface_instance,
};
pub use lookup::{Lookup, dealias};
pub use metadata::{
    StringEncoding, WorldMetadata, decode_world_metadata, encode_world_metadata,
    encode_world_metadata_with,
};
pub use print::{PrintOptions, escape, print, print_with};
pub use transform::{exportize, importize};
pub use validate::{validate, validate_binary, validate_embedding};

/// What can go wrong printing or encoding WIT.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The `Resolve` holds something WIT text or the binary format cannot
    /// express (an anonymous record, say), usually from a decoded component.
    #[error("cannot represent this in WIT: {0}")]
    Unrepresentable(String),
    /// A `component-type` payload that is not what `encode_world_metadata`
    /// writes.
    #[error("invalid component-type metadata: {0}")]
    Metadata(String),
    /// A world transform (`importize`, `exportize`) that cannot be done.
    #[error("{0}")]
    Transform(String),
    /// Wasm that does not decode to WIT.
    #[error("{0}")]
    Decode(String),
    /// A type nested deeper than the component model allows.
    #[error(
        "type `{name}` is nested more than {limit} levels deep, more than the component \
         model allows"
    )]
    TypeTooDeep { name: String, limit: u32 },
    /// A type larger than the component model allows (once shared parts
    /// are counted every time they occur).
    #[error(
        "type `{name}` is larger than the component model allows (effective size over {limit})"
    )]
    TypeTooLarge { name: String, limit: u32 },
    /// Output that does not validate: never written (see `validate`).
    #[error("the {what} does not validate (at byte offset {offset:#x}): {message}")]
    InvalidOutput {
        what: &'static str,
        offset: u64,
        message: String,
    },
}
