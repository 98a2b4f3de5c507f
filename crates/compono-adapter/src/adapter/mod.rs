//! The adapter itself (built for wasm32 only).
//!
//! Every preview1 function is an export of the same name taking the
//! preview1 ABI's flat arguments (pointers into the main module's memory)
//! and returning its errno; the work is in `fs` (descriptors and paths),
//! `io` (reading, writing, polling) and `misc` (arguments, environment,
//! clocks, randomness, exit, sockets).

mod fs;
mod globals;
mod io;
mod misc;
mod p1;
mod state;
mod wasi;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Runs `body` and turns its outcome into an errno.
#[inline(always)]
fn errno(body: impl FnOnce() -> Result<(), p1::Errno>) -> i32 {
    match body() {
        Ok(()) => 0,
        Err(e) => e as i32,
    }
}

/// Writes `value` to the main module's memory at `at`, which preview1
/// types as a pointer to a `T`. Misaligned, it traps, as the witx
/// conventions say and wasmtime does; out of bounds, it traps like a bad
/// pointer would in the module itself.
#[inline(always)]
fn put<T>(at: usize, value: T) {
    aligned::<T>(at);
    unsafe { core::ptr::write_unaligned(at as *mut T, value) }
}

#[inline(always)]
fn get<T>(at: usize) -> T {
    aligned::<T>(at);
    unsafe { core::ptr::read_unaligned(at as *const T) }
}

/// Traps unless `at` is aligned for a `T`. A record is aligned as its
/// widest field: call this with that field's type before writing the
/// record's first field, as wasmtime checks the whole record first.
#[inline(always)]
fn aligned<T>(at: usize) {
    if at & (core::mem::align_of::<T>() - 1) != 0 {
        core::arch::wasm32::unreachable()
    }
}

/// Flags with a bit outside `defined` (which also bounds their type's
/// width, the argument arriving as a wider integer): a trap before the
/// call does anything, as in wasmtime, whose bindings refuse to convert
/// them.
#[inline(always)]
fn flags(value: u64, defined: u64) {
    if value & !defined != 0 {
        core::arch::wasm32::unreachable()
    }
}

/// An argument outside its enum (a whence, a clock, an advice, an event
/// type): a trap, as in wasmtime, which refuses to convert it.
fn invalid_enum() -> ! {
    core::arch::wasm32::unreachable()
}
