//! compono's `wasi_snapshot_preview1` adapter.
//!
//! On the host, this crate is the built adapters, checked in next to it and
//! rebuilt byte for byte by `cargo xtask build-adapter`: [`COMMAND`] for
//! modules that export `_start` (it exports `wasi:cli/run` calling it),
//! [`REACTOR`] for the others.
//!
//! Built for `wasm32-unknown-unknown` it is the adapter: the 46 functions
//! of WASI preview1 over WASI 0.2.0 imports, with no memory of its own,
//! no data segments and no statics. Its state (the descriptor table, the
//! buffers import results land in) lives in one 64 KiB page it gets from
//! the main module's `cabi_realloc` (or `memory.grow`), found through a
//! global, and its stack is set up by whoever merges it (`compono new`).

#![no_std]

#[cfg(not(target_arch = "wasm32"))]
mod built {
    /// The command adapter: exports `wasi:cli/run@0.2.0`, which calls the
    /// main module's `_start`.
    pub const COMMAND: &[u8] = include_bytes!("../wasi_snapshot_preview1.command.wasm");
    /// The reactor adapter: the preview1 functions only.
    pub const REACTOR: &[u8] = include_bytes!("../wasi_snapshot_preview1.reactor.wasm");
}
#[cfg(not(target_arch = "wasm32"))]
pub use built::{COMMAND, REACTOR};

#[cfg(target_arch = "wasm32")]
mod adapter;
