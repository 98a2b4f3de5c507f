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

/// Writes `value` to the main module's memory at `at` (unaligned: preview1
/// only promises natural alignment, and a bad pointer traps like a bad
/// pointer would in the module itself).
#[inline(always)]
fn put<T>(at: usize, value: T) {
    unsafe { core::ptr::write_unaligned(at as *mut T, value) }
}

#[inline(always)]
fn get<T>(at: usize) -> T {
    unsafe { core::ptr::read_unaligned(at as *const T) }
}

/// An argument outside its enum (a whence, a clock, an advice, an event
/// type): a trap, as in wasmtime, which refuses to convert it.
fn invalid_enum() -> ! {
    core::arch::wasm32::unreachable()
}
