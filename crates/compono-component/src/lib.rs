//! Wrapping core modules into components.
//!
//! - [`embed()`]: put a WIT world into a core module as a `component-type`
//!   custom section (or make a placeholder module for the world with
//!   [`dummy_module`]).
//! - [`new()`](new::new): read the world back out of a module, classify its imports and
//!   exports against it, and emit a component that lowers the world's
//!   imports into the module and lifts its exports out of it.
//!
//! - [`link()`]: link shared libraries (`clang -fPIC -shared`) into one
//!   component whose modules share a memory and a table.
//!
//! The flow of `new` is one module per step: [`metadata`] (read and strip
//! the sections), `classify` (names to world items, signature checks),
//! `plan` (canonical options and shims), `encode` (the component bytes).

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

pub mod adapter;
mod classify;
mod dummy;
mod embed;
mod encode;
mod error;
pub mod link;
mod live;
pub mod metadata;
mod new;
mod payloads;
mod plan;
mod producers;
mod validate;
mod world;

pub use dummy::{DummyNames, dummy_module};
pub use embed::{EmbedOptions, embed, section_payload};
pub use error::{CoreSignature, Error, Problem, SignatureMismatch, SignatureOf, Unimplemented};
pub use link::{LinkOptions, link, link_into};
pub use new::{NewOptions, new, new_into};
pub use producers::{
    FieldChange, ItemMetadata, MetadataToAdd, add_metadata, metadata_json, read_metadata,
};
pub use validate::Sink;

pub use compono_wit::StringEncoding;

/// The version written into `producers` sections and section names.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
