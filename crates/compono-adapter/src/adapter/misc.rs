//! Arguments, environment, clocks, randomness, exit, yielding, sockets
//! (which WASI 0.2.0 cannot reach from a preview1 descriptor), and the
//! command's `run`.

use super::p1::*;
use super::state;
use super::{errno, flags, invalid_enum, put, wasi};

/// A `list<string>` (or, with `pairs`, `list<tuple<string, string>>`)
/// the host returned: `(ptr, count)`.
fn strings(pairs: bool) -> (*const u32, usize) {
    state::begin();
    let mut ret = wasi::Ret::new();
    unsafe {
        if pairs {
            wasi::get_environment(ret.ptr());
        } else {
            wasi::get_arguments(ret.ptr());
        }
    }
    (ret.u32(0) as *const u32, ret.u32(4) as usize)
}

/// Counts and sizes the strings (`NAME=value` for pairs, each with its
/// NUL).
fn sizes(pairs: bool, count_out: usize, size_out: usize) -> i32 {
    let (list, n) = strings(pairs);
    let words = if pairs { 4 } else { 2 };
    let mut size = 0;
    for i in 0..n {
        unsafe {
            let item = list.add(words * i);
            size += *item.add(1) as usize + 1;
            if pairs {
                size += *item.add(3) as usize + 1;
            }
        }
    }
    // The size first, as wasmtime writes them: given one address for
    // both, a program reads the count there.
    put(size_out, size as u32);
    put(count_out, n as u32);
    0
}

/// Copies the strings to `buf`, NUL-terminated, and their addresses to
/// `ptrs`.
fn copy_strings(pairs: bool, ptrs: usize, buf: usize) -> i32 {
    let (list, n) = strings(pairs);
    let words = if pairs { 4 } else { 2 };
    let mut at = buf;
    for i in 0..n {
        put(ptrs + 4 * i, at as u32);
        unsafe {
            let item = list.add(words * i);
            let mut copy = |ptr: u32, len: u32, end: u8| {
                core::ptr::copy(ptr as *const u8, at as *mut u8, len as usize);
                at += len as usize;
                put(at, end);
                at += 1;
            };
            if pairs {
                copy(*item, *item.add(1), b'=');
                copy(*item.add(2), *item.add(3), 0);
            } else {
                copy(*item, *item.add(1), 0);
            }
        }
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn args_sizes_get(argc: usize, size: usize) -> i32 {
    sizes(false, argc, size)
}

#[unsafe(no_mangle)]
pub extern "C" fn args_get(argv: usize, buf: usize) -> i32 {
    copy_strings(false, argv, buf)
}

#[unsafe(no_mangle)]
pub extern "C" fn environ_sizes_get(count: usize, size: usize) -> i32 {
    sizes(true, count, size)
}

#[unsafe(no_mangle)]
pub extern "C" fn environ_get(environ: usize, buf: usize) -> i32 {
    copy_strings(true, environ, buf)
}

/// The wall clock in nanoseconds since the epoch.
pub fn realtime_ns() -> u64 {
    let mut ret = wasi::Ret::new();
    unsafe { wasi::wall_now(ret.ptr()) };
    datetime_ns(&ret)
}

fn datetime_ns(ret: &wasi::Ret) -> u64 {
    ret.u64(0)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ret.u32(8) as u64)
}

/// Realtime and monotonic are WASI 0.2's clocks; the CPU-time clocks are
/// not there, and wasmtime answers `EBADF` for them.
fn clock(id: u32, resolution: bool) -> Result<u64, Errno> {
    let mut ret = wasi::Ret::new();
    unsafe {
        match (id, resolution) {
            (0, false) => Ok(realtime_ns()),
            (0, true) => {
                wasi::wall_resolution(ret.ptr());
                Ok(datetime_ns(&ret))
            }
            (1, false) => Ok(wasi::monotonic_now()),
            (1, true) => Ok(wasi::monotonic_resolution()),
            (2 | 3, _) => Err(EBADF),
            _ => invalid_enum(),
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn clock_res_get(id: u32, out: usize) -> i32 {
    errno(|| {
        put(out, clock(id, true)?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn clock_time_get(id: u32, _precision: u64, out: usize) -> i32 {
    errno(|| {
        put(out, clock(id, false)?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn random_get(buf: usize, len: usize) -> i32 {
    let s = state::begin();
    let mut done = 0;
    while done < len {
        // Bounded by what the arena holds, should the host not put the
        // bytes straight into `buf`.
        let n = (len - done).min(16384);
        state::target(s, (buf + done) as *mut u8, n);
        let mut ret = wasi::Ret::new();
        unsafe { wasi::get_random_bytes(n as u64, ret.ptr()) };
        let ptr = ret.u32(0) as usize;
        let got = (ret.u32(4) as usize).min(n);
        if ptr != buf + done {
            unsafe { core::ptr::copy(ptr as *const u8, (buf + done) as *mut u8, got) };
        }
        unsafe { (*s).temp = (*s).persist };
        done += got;
        if got == 0 {
            return EIO as i32;
        }
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn proc_exit(code: u32) -> ! {
    // wasmtime traps on a status of 126 or more (those mean a signal or a
    // failure to start in a shell).
    if code >= 126 {
        core::arch::wasm32::unreachable();
    }
    // WASI 0.2.0 only tells success from failure.
    unsafe { wasi::exit((code != 0) as u32) };
    core::arch::wasm32::unreachable()
}

#[unsafe(no_mangle)]
pub extern "C" fn proc_raise(signal: u32) -> i32 {
    // `signal` has 31 cases.
    if signal > 30 {
        invalid_enum();
    }
    ENOTSUP as i32
}

#[unsafe(no_mangle)]
pub extern "C" fn sched_yield() -> i32 {
    0
}

/// No preview1 descriptor is a socket: `ENOTSOCK` for an open one,
/// `EBADF` for the others.
fn not_a_socket(fd: u32) -> i32 {
    errno(|| {
        let s = state::begin();
        state::fd_any(s, fd)?;
        Err(ENOTSOCK)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn sock_accept(fd: u32, fdflags: u32, _out: usize) -> i32 {
    flags(fdflags.into(), FDFLAGS);
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub extern "C" fn sock_recv(
    fd: u32,
    _iovs: usize,
    _iovs_len: usize,
    riflags: u32,
    _nread: usize,
    _oflags: usize,
) -> i32 {
    flags(riflags.into(), RIFLAGS);
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub extern "C" fn sock_send(
    fd: u32,
    _iovs: usize,
    _iovs_len: usize,
    siflags: u32,
    _nsent: usize,
) -> i32 {
    flags(siflags.into(), SIFLAGS);
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub extern "C" fn sock_shutdown(fd: u32, how: u32) -> i32 {
    flags(how.into(), SDFLAGS);
    not_a_socket(fd)
}

#[cfg(feature = "command")]
mod command {
    #[link(wasm_import_module = "__main_module__")]
    unsafe extern "C" {
        #[link_name = "_start"]
        fn start();
    }

    /// `wasi:cli/run@0.2.0#run`: the program's `_start`; a program that
    /// ends with `proc_exit` leaves through the host instead.
    #[unsafe(export_name = "wasi:cli/run@0.2.0#run")]
    pub extern "C" fn run() -> u32 {
        unsafe { start() };
        0
    }
}
