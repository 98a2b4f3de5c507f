//! The adapter's state: one 64 KiB page of the main module's memory, found
//! through a global (an adapter has no statics: they would be addresses in
//! memory that belongs to the main module).
//!
//! The page holds the descriptor table and an arena that the host's
//! results land in (`cabi_import_realloc`): a persistent part at the bottom
//! (the preopens' names), and above it a temporary part that every
//! preview1 call starts afresh. What a call needs beyond the arena (a
//! large environment, thousands of subscriptions) goes to the spill: a
//! block from the main module's allocator, kept for later calls and
//! replaced by one at least twice its size when too small.
//!
//! The state is only ever touched through raw pointers: the host calls
//! back into `cabi_import_realloc` in the middle of an import call, and a
//! `&mut` held across that call would let the compiler assume nothing
//! changed.

use core::ptr;

use super::globals;
use super::p1::*;
use super::wasi;

pub const PAGE: usize = 65536;
/// Descriptors in the state page; more go to a table of their own.
const INLINE_FDS: usize = 128;
const ARENA: usize = 57344;

// Descriptor kinds.
pub const FREE: u8 = 0;
pub const STDIN: u8 = 1;
pub const STDOUT: u8 = 2;
pub const STDERR: u8 = 3;
pub const FILE: u8 = 4;
pub const DIR: u8 = 5;

/// One entry of the descriptor table.
#[repr(C)]
pub struct Fd {
    pub kind: u8,
    /// preview1 `fdflags` (append, dsync, nonblock, rsync, sync), and
    /// `READABLE` and `WRITABLE` for a file opened for those.
    pub fdflags: u8,
    /// preview1 file type of a `FILE`.
    pub filetype: u8,
    pub preopen: u8,
    /// The `descriptor` (files, directories) or stream (stdio; 0 until
    /// first used).
    pub handle: u32,
    /// A file's output stream for appending (0: none yet).
    pub append: u32,
    /// A preopen's name, in the persistent arena.
    pub name_ptr: u32,
    pub name_len: u32,
    /// A file's position.
    pub pos: u64,
}

/// In `Fd::fdflags`: the file was opened for reading.
pub const READABLE: u8 = 0x80;
/// In `Fd::fdflags`: the file was opened for writing. (WASI 0.2 says so
/// itself for a write at an offset, but an append stream fails only as
/// `io`, where wasmtime's preview1 answers `EBADF`.)
pub const WRITABLE: u8 = 0x40;

#[repr(C)]
pub struct State {
    pub fds: [Fd; INLINE_FDS],
    /// Descriptors from `INLINE_FDS` on, `more_cap` of them, in a block
    /// from the main module's allocator (0: none yet).
    pub more: u32,
    pub more_cap: u32,
    /// The lowest descriptor number never used.
    pub next_fd: u32,
    pub preopens_loaded: u32,
    /// A buffer the next list from the host should land in directly
    /// (`fd_read` reads into the caller's buffer); 0 when none.
    pub target_ptr: u32,
    pub target_len: u32,
    /// End of the persistent part of the arena, end of what is in use.
    pub persist: u32,
    pub temp: u32,
    /// The spill block, its size and how much of it this call uses.
    pub spill: u32,
    pub spill_len: u32,
    pub spill_used: u32,
    pub arena: [u8; ARENA],
}

const _: () = assert!(core::mem::size_of::<State>() <= PAGE);

/// The state, allocated and set up on first use.
pub fn state() -> *mut State {
    let s = globals::get_state_ptr();
    if !s.is_null() {
        return s;
    }
    // The stack is being allocated through the main module's realloc, and
    // that realloc called back into the adapter: nothing can work yet.
    if globals::get_allocation_state() == 1 {
        core::arch::wasm32::unreachable();
    }
    let s = unsafe { cabi_realloc(ptr::null_mut(), 0, 16, PAGE) } as *mut State;
    unsafe {
        ptr::write_bytes(s as *mut u8, 0, core::mem::size_of::<State>() - ARENA);
        for fd in 0..3u32 {
            let kind = STDIN + fd as u8;
            (*fd_ptr(s, fd)).kind = kind;
        }
        (*s).next_fd = 3;
    }
    globals::set_state_ptr(s);
    s
}

#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    /// The main module's allocator (or, without one, whole pages from
    /// `memory.grow`: the adapter only ever asks it for whole pages).
    fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8;
}

/// Starts a preview1 call: the temporary arena is empty again.
pub fn begin() -> *mut State {
    let s = state();
    unsafe {
        (*s).temp = (*s).persist;
        (*s).spill_used = 0;
        (*s).target_ptr = 0;
    }
    s
}

/// Where the host puts the lists it returns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_import_realloc(
    old: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    // The host only ever allocates afresh.
    if !old.is_null() || old_len != 0 {
        core::arch::wasm32::unreachable();
    }
    let s = state();
    unsafe {
        let target = (*s).target_ptr;
        if target != 0 && new_len <= (*s).target_len as usize {
            (*s).target_ptr = 0;
            return target as *mut u8;
        }
        match temporary(s, align, new_len) {
            Some(at) => at,
            None => core::arch::wasm32::unreachable(),
        }
    }
}

/// Room in the temporary arena for `len` bytes (8-aligned), or `None`.
pub fn scratch(s: *mut State, len: usize) -> Option<*mut u8> {
    temporary(s, 8, len)
}

/// `len` bytes aligned to `align` (a power of two) for this call: in the
/// arena, or in the spill when the arena is full. `None` only when the
/// main module's allocator has no more.
fn temporary(s: *mut State, align: usize, len: usize) -> Option<*mut u8> {
    unsafe {
        let base = (*s).arena.as_mut_ptr() as usize;
        if let Some(at) = bump(base, ARENA, &mut (*s).temp, align, len) {
            return Some(at);
        }
        let spill = (*s).spill as usize;
        if spill != 0
            && let Some(at) = bump(
                spill,
                (*s).spill_len as usize,
                &mut (*s).spill_used,
                align,
                len,
            )
        {
            return Some(at);
        }
        // A new block. What this call put in the old one stays there, so
        // the old one is not given back (nor can it be, to an allocator
        // that is only `memory.grow`); each block is at least twice the
        // last, so what is left behind stays below what is in use.
        let size = len.checked_add(align)?.checked_add(PAGE - 1)? & !(PAGE - 1);
        let size = size.max(2 * (*s).spill_len as usize);
        let block = cabi_realloc(ptr::null_mut(), 0, 16, size);
        if block.is_null() {
            return None;
        }
        (*s).spill = block as u32;
        (*s).spill_len = size as u32;
        (*s).spill_used = 0;
        bump(block as usize, size, &mut (*s).spill_used, align, len)
    }
}

/// Bumps `used` (an offset from `base`, `size` bytes at most) past `len`
/// bytes aligned to `align`; returns where they start.
fn bump(base: usize, size: usize, used: &mut u32, align: usize, len: usize) -> Option<*mut u8> {
    let start = base.checked_add(*used as usize)?.checked_add(align - 1)? & !(align - 1);
    let end = start.checked_add(len)?;
    if end > base.checked_add(size)? {
        return None;
    }
    *used = (end - base) as u32;
    Some(start as *mut u8)
}

/// The next list the host returns goes to `ptr` if it fits in `len`.
pub fn target(s: *mut State, ptr: *mut u8, len: usize) {
    unsafe {
        (*s).target_ptr = ptr as u32;
        (*s).target_len = len as u32;
    }
}

/// Entry `fd`, which is below `next_fd`. (Not inlined: it is called from
/// most functions, and the adapter's size counts more than a call.)
#[inline(never)]
pub fn fd_ptr(s: *mut State, fd: u32) -> *mut Fd {
    let fd = fd as usize;
    unsafe {
        if fd < INLINE_FDS {
            (*s).fds.as_mut_ptr().add(fd)
        } else {
            ((*s).more as *mut Fd).add(fd - INLINE_FDS)
        }
    }
}

/// Descriptor `fd` if it is open. Directories opened from a preopen exist
/// only once the preopens are loaded; callers that can meet one load them
/// first (`fd_any`), the others (reading, writing, seeking: what a
/// directory refuses with `EBADF` anyway) do not need to.
pub fn fd_open(s: *mut State, fd: u32) -> Result<*mut Fd, Errno> {
    if fd >= unsafe { (*s).next_fd } {
        return Err(EBADF);
    }
    let f = fd_ptr(s, fd);
    if unsafe { (*f).kind } == FREE {
        return Err(EBADF);
    }
    Ok(f)
}

/// Descriptor `fd`, the preopens loaded first.
pub fn fd_any(s: *mut State, fd: u32) -> Result<*mut Fd, Errno> {
    load_preopens(s);
    fd_open(s, fd)
}

/// A directory descriptor (for `path_*`): anything else is `EBADF`, as in
/// wasmtime (`path_open` says `ENOTDIR` for a file itself).
pub fn dir(s: *mut State, fd: u32) -> Result<*mut Fd, Errno> {
    let f = fd_any(s, fd)?;
    match unsafe { (*f).kind } {
        DIR => Ok(f),
        _ => Err(EBADF),
    }
}

/// Puts the preopened directories into the table, from fd 3 on, once.
pub fn load_preopens(s: *mut State) {
    unsafe {
        if (*s).preopens_loaded != 0 {
            return;
        }
        (*s).preopens_loaded = 1;
        let mut ret = wasi::Ret::new();
        wasi::get_directories(ret.ptr());
        let list = ret.u32(0) as *const u32;
        let len = ret.u32(4) as usize;
        // The list and the names stay where they landed: a spill block
        // they reached becomes theirs.
        (*s).persist = (*s).temp;
        if (*s).spill_used != 0 {
            (*s).spill = 0;
            (*s).spill_len = 0;
        }
        for i in 0..len {
            let entry = list.add(3 * i);
            let Ok(fd) = alloc_fd(s) else {
                wasi::drop_descriptor(*entry);
                continue;
            };
            let f = fd_ptr(s, fd);
            (*f).kind = DIR;
            (*f).preopen = 1;
            (*f).handle = *entry;
            (*f).name_ptr = *entry.add(1);
            (*f).name_len = *entry.add(2);
            (*f).filetype = FILETYPE_DIRECTORY;
        }
    }
}

/// A free descriptor number: the highest one closed (as in wasmtime,
/// whose numbers a program may have come to expect), else the lowest
/// never used. The entry is reset.
pub fn alloc_fd(s: *mut State) -> Result<u32, Errno> {
    unsafe {
        let next = (*s).next_fd;
        let fd = match (0..next).rev().find(|&fd| (*fd_ptr(s, fd)).kind == FREE) {
            Some(fd) => fd,
            None => {
                if next as usize >= INLINE_FDS + (*s).more_cap as usize {
                    grow_fds(s)?;
                }
                (*s).next_fd = next + 1;
                next
            }
        };
        ptr::write_bytes(fd_ptr(s, fd), 0, 1);
        Ok(fd)
    }
}

/// Grows the table past `INLINE_FDS` to more than twice its size, in
/// whole pages (all that `memory.grow` as an allocator gives). The old
/// block is left behind, as the spill's are.
fn grow_fds(s: *mut State) -> Result<(), Errno> {
    unsafe {
        let old = (*s).more_cap as usize;
        let size = old
            .checked_mul(2 * core::mem::size_of::<Fd>())
            .and_then(|bytes| bytes.checked_add(PAGE))
            .ok_or(EMFILE)?
            & !(PAGE - 1);
        let cap = size / core::mem::size_of::<Fd>();
        let block = cabi_realloc(ptr::null_mut(), 0, 8, size) as *mut Fd;
        if block.is_null() {
            return Err(EMFILE);
        }
        if old != 0 {
            ptr::copy_nonoverlapping((*s).more as *const Fd, block, old);
        }
        (*s).more = block as u32;
        (*s).more_cap = cap as u32;
        Ok(())
    }
}

/// Releases what entry `fd` holds and marks it free.
pub fn close_fd(s: *mut State, fd: u32) {
    unsafe {
        let f = fd_ptr(s, fd);
        release(f);
        (*f).kind = FREE;
    }
}

/// Drops the handles an entry holds.
pub fn release(f: *mut Fd) {
    unsafe {
        match (*f).kind {
            STDIN if (*f).handle != 0 => wasi::drop_input_stream((*f).handle),
            STDOUT | STDERR if (*f).handle != 0 => wasi::drop_output_stream((*f).handle),
            FILE | DIR => {
                if (*f).append != 0 {
                    wasi::drop_output_stream((*f).append);
                }
                wasi::drop_descriptor((*f).handle);
            }
            _ => {}
        }
    }
}

/// The input stream of stdin, fetched on first use.
pub fn input_stream(f: *mut Fd) -> u32 {
    unsafe {
        if (*f).handle == 0 {
            (*f).handle = wasi::get_stdin();
        }
        (*f).handle
    }
}

/// The output stream of stdout or stderr, fetched on first use. (Apart
/// from `input_stream`, so that writing does not import stdin.)
pub fn output_stream(f: *mut Fd) -> u32 {
    unsafe {
        if (*f).handle == 0 {
            (*f).handle = if (*f).kind == STDOUT {
                wasi::get_stdout()
            } else {
                wasi::get_stderr()
            };
        }
        (*f).handle
    }
}
