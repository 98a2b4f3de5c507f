//! What a Rust guest built on compono bindings depends on: the `generate!`
//! macro and the small runtime its expansion calls (`rt`), plus the
//! `cabi_realloc` export the canonical ABI needs.
//!
//! `no_std` + `alloc`: the guest's own global allocator (std's on
//! `wasm32-wasip1`, or whatever a `no_std` guest installs) backs every
//! allocation made here.
//!
//! A guest written for wit-bindgen ports by changing its `generate!` line:
//!
//! ```ignore
//! compono_guest::generate!({ path: "wit", world: "greeter" });
//!
//! struct Component;
//!
//! impl Guest for Component {
//!     fn greet(name: String) -> String {
//!         format!("hello, {name}")
//!     }
//! }
//!
//! export!(Component);
//! ```
//!
//! Build for `wasm32-unknown-unknown` or `wasm32-wasip1`; the world travels
//! in a `component-type` custom section, so `compono new` (or
//! `wasm-tools component new`) needs nothing else. Off wasm the bindings
//! still compile (imports become stubs that panic), for `cargo check` and
//! IDEs.

#![no_std]

extern crate alloc;

pub use compono_bindgen_macro::generate;

pub mod rt;

/// The canonical ABI's allocator entry point, exported under its
/// conventional name so component encoders find it.
///
/// # Safety
/// Called by the host with a pointer it got from an earlier call (or null
/// with `old_len == 0`) and a power-of-two `align`.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    unsafe { rt::realloc(old_ptr, old_len, align, new_len) }
}
