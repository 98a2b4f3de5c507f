//! The adapter's globals. Rust cannot define a wasm global, so each access
//! is a call to one of these functions, whose bodies `cargo xtask
//! build-adapter` replaces with `global.get` or `global.set` of a global it
//! adds (named, so that whoever merges the adapter finds
//! `allocation_state`), and whose exports it removes.
//!
//! The placeholder bodies touch memory through volatile accesses so that
//! the compiler keeps every call, in order, and assumes nothing of the
//! result.

use super::state::State;

/// Where the placeholders pretend to keep the globals; never used once
/// the bodies are replaced.
const PLACEHOLDER: usize = 16;

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn compono_adapter_get_state_ptr() -> *mut State {
    unsafe { core::ptr::read_volatile(PLACEHOLDER as *const *mut State) }
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn compono_adapter_set_state_ptr(state: *mut State) {
    unsafe { core::ptr::write_volatile(PLACEHOLDER as *mut *mut State, state) }
}

/// `allocation_state`: 0 before the stack is allocated, 1 while it is
/// being allocated, 2 after.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn compono_adapter_get_allocation_state() -> u32 {
    unsafe { core::ptr::read_volatile((PLACEHOLDER + 4) as *const u32) }
}

pub fn get_state_ptr() -> *mut State {
    compono_adapter_get_state_ptr()
}

pub fn set_state_ptr(state: *mut State) {
    compono_adapter_set_state_ptr(state)
}

pub fn get_allocation_state() -> u32 {
    compono_adapter_get_allocation_state()
}
