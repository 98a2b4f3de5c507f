//! Reading, writing, seeking and polling.
//!
//! Stdio descriptors are WASI streams; files are read and written at
//! their position with `descriptor.read`/`write` (no streams to keep in
//! step), except in append mode, which writes through
//! `append-via-stream`. Like wasmtime, a read or write uses the first
//! non-empty buffer of its list only.

use super::p1::*;
use super::state::{self, DIR, FILE, Fd, READABLE, STDERR, STDIN, STDOUT, State, WRITABLE};
use super::{aligned, errno, get, invalid_enum, put, wasi};

/// The first non-empty `(ptr, len)` of a preview1 iovec list.
fn first_buffer(iovs: usize, count: usize) -> (usize, usize) {
    for i in 0..count {
        let ptr: u32 = get(iovs + 8 * i);
        let len: u32 = get(iovs + 8 * i + 4);
        if len != 0 {
            return (ptr as usize, len as usize);
        }
    }
    (0, 0)
}

/// What a failed stream operation means in preview1: a closed stream is
/// the end (`Ok(true)`), anything else an I/O error.
fn stream_error(ret: &wasi::Ret, at: usize) -> Result<bool, Errno> {
    if ret.u8(at) == 1 {
        return Ok(true);
    }
    unsafe { wasi::drop_error(ret.u32(at + 4)) };
    Err(EIO)
}

/// Writes all of `len` bytes at `ptr` to an output stream.
fn write_stream(stream: u32, ptr: usize, len: usize) -> Result<(), Errno> {
    let mut done = 0;
    while done < len {
        // `blocking-write-and-flush` takes at most 4096 bytes.
        let n = (len - done).min(4096);
        let mut ret = wasi::Ret::new();
        unsafe {
            wasi::blocking_write_and_flush(stream, (ptr + done) as *const u8, n, ret.ptr());
        }
        if ret.u8(0) != 0 {
            stream_error(&ret, 4)?;
            return Err(EPIPE);
        }
        done += n;
    }
    Ok(())
}

/// Writes to a file at `offset`; returns how much was written.
fn write_file(f: *mut Fd, ptr: usize, len: usize, offset: u64) -> Result<usize, Errno> {
    let mut ret = wasi::Ret::new();
    unsafe { wasi::write((*f).handle, ptr as *const u8, len, offset, ret.ptr()) };
    ret.result_u64().map(|n| n as usize).map_err(errno_of)
}

/// Reads from a file at `offset` into `ptr`; returns how much was read.
fn read_file(
    s: *mut State,
    f: *mut Fd,
    ptr: usize,
    len: usize,
    offset: u64,
) -> Result<usize, Errno> {
    state::target(s, ptr as *mut u8, len);
    let mut ret = wasi::Ret::new();
    unsafe { wasi::read((*f).handle, len as u64, offset, ret.ptr()) };
    let data = ret.result_u32().map_err(errno_of)? as usize;
    let n = ret.u32(8) as usize;
    copy_in(data, ptr, n.min(len));
    Ok(n.min(len))
}

/// Copies a result the host put elsewhere into the caller's buffer.
fn copy_in(from: usize, to: usize, n: usize) {
    if from != to && n != 0 {
        unsafe { core::ptr::copy(from as *const u8, to as *mut u8, n) };
    }
}

/// Whether file `f` was opened for `READABLE` or `WRITABLE`: wasmtime
/// answers `EBADF` otherwise, even with nothing to read or write.
fn opened_for(f: *mut Fd, mode: u8) -> bool {
    unsafe { (*f).fdflags & mode != 0 }
}

/// Whether file `f` is in append mode.
fn appends(f: *mut Fd) -> bool {
    (unsafe { (*f).fdflags } as u16) & FDFLAGS_APPEND != 0
}

/// Appends to file `f` through its append stream.
fn append(f: *mut Fd, ptr: usize, len: usize) -> Result<(), Errno> {
    let stream = unsafe {
        if (*f).append == 0 {
            let mut ret = wasi::Ret::new();
            wasi::append_via_stream((*f).handle, ret.ptr());
            (*f).append = ret.result_u32().map_err(errno_of)?;
        }
        (*f).append
    };
    write_stream(stream, ptr, len)
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_write(fd: u32, iovs: usize, iovs_len: usize, nwritten: usize) -> i32 {
    errno(|| {
        // The buffers before the descriptor, as wasmtime reads them.
        let (ptr, len) = first_buffer(iovs, iovs_len);
        let s = state::begin();
        let f = state::fd_open(s, fd)?;
        let n = match unsafe { (*f).kind } {
            STDOUT | STDERR => {
                write_stream(state::output_stream(f), ptr, len)?;
                len
            }
            FILE if appends(f) && !opened_for(f, WRITABLE) => return Err(EBADF),
            FILE if appends(f) => {
                append(f, ptr, len)?;
                // Like wasmtime, the position is the end of the file after
                // an append: the end now, not wherever it is when asked
                // (the file may grow or shrink through other descriptors).
                unsafe { (*f).pos = super::fs::file_size(f)? };
                len
            }
            // As for `fd_pwrite`: the position, then how it was opened.
            FILE if unsafe { (*f).pos } > i64::MAX as u64 => return Err(EINVAL),
            FILE if !opened_for(f, WRITABLE) => return Err(EBADF),
            FILE => {
                let n = write_file(f, ptr, len, unsafe { (*f).pos })?;
                unsafe { (*f).pos += n as u64 };
                n
            }
            _ => return Err(EBADF),
        };
        put(nwritten, n as u32);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_pwrite(
    fd: u32,
    iovs: usize,
    iovs_len: usize,
    offset: u64,
    nwritten: usize,
) -> i32 {
    errno(|| {
        // The buffers before the descriptor, as wasmtime reads them.
        let (ptr, len) = first_buffer(iovs, iovs_len);
        let s = state::begin();
        let f = state::fd_open(s, fd)?;
        let n = match unsafe { (*f).kind } {
            FILE if appends(f) && !opened_for(f, WRITABLE) => return Err(EBADF),
            // In append mode the offset is ignored, as with `O_APPEND`
            // (and wasmtime); otherwise the offset comes first, as Linux's
            // pwrite checks it.
            FILE if appends(f) => {
                append(f, ptr, len)?;
                len
            }
            FILE if offset > i64::MAX as u64 => return Err(EINVAL),
            FILE if !opened_for(f, WRITABLE) => return Err(EBADF),
            FILE => write_file(f, ptr, len, offset)?,
            // Not writable at all before not seekable, as in wasmtime.
            DIR | STDIN => return Err(EBADF),
            _ => return Err(ESPIPE),
        };
        put(nwritten, n as u32);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_read(fd: u32, iovs: usize, iovs_len: usize, nread: usize) -> i32 {
    errno(|| {
        // The buffers before the descriptor, as wasmtime reads them.
        let (ptr, len) = first_buffer(iovs, iovs_len);
        let s = state::begin();
        let f = state::fd_open(s, fd)?;
        let n = match unsafe { (*f).kind } {
            STDIN => read_stream(s, state::input_stream(f), ptr, len)?,
            // As for `fd_pread`, a position past `i64::MAX` first.
            FILE if unsafe { (*f).pos } > i64::MAX as u64 => return Err(EINVAL),
            FILE if !opened_for(f, READABLE) => return Err(EBADF),
            FILE => {
                let n = read_file(s, f, ptr, len, unsafe { (*f).pos })?;
                unsafe { (*f).pos += n as u64 };
                n
            }
            _ => return Err(EBADF),
        };
        put(nread, n as u32);
        Ok(())
    })
}

/// Reads what is there (blocking for at least a byte) from an input
/// stream into `ptr`; 0 at the end. A read that returns nothing before
/// the end (one of no bytes, while input is waiting) is `EINTR`, as in
/// wasmtime.
fn read_stream(s: *mut State, stream: u32, ptr: usize, len: usize) -> Result<usize, Errno> {
    state::target(s, ptr as *mut u8, len);
    let mut ret = wasi::Ret::new();
    unsafe { wasi::blocking_read(stream, len as u64, ret.ptr()) };
    if ret.u8(0) != 0 {
        stream_error(&ret, 4)?;
        return Ok(0);
    }
    let n = (ret.u32(8) as usize).min(len);
    if n == 0 {
        return Err(EINTR);
    }
    copy_in(ret.u32(4) as usize, ptr, n);
    Ok(n)
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_pread(
    fd: u32,
    iovs: usize,
    iovs_len: usize,
    offset: u64,
    nread: usize,
) -> i32 {
    errno(|| {
        // The buffers before the descriptor, as wasmtime reads them.
        let (ptr, len) = first_buffer(iovs, iovs_len);
        let s = state::begin();
        let f = state::fd_open(s, fd)?;
        let n = match unsafe { (*f).kind } {
            // An offset past `i64::MAX` (the operating system's are
            // signed) comes before how the file was opened, as Linux's
            // pread checks them (and so wasmtime).
            FILE if offset > i64::MAX as u64 => return Err(EINVAL),
            FILE if !opened_for(f, READABLE) => return Err(EBADF),
            FILE => read_file(s, f, ptr, len, offset)?,
            DIR | STDOUT | STDERR => return Err(EBADF),
            _ => return Err(ESPIPE),
        };
        put(nread, n as u32);
        Ok(())
    })
}

/// A file descriptor (not stdio, not a directory), for the operations
/// only files have.
fn file(fd: u32, stdio: Errno) -> Result<*mut Fd, Errno> {
    let s = state::begin();
    let f = state::fd_open(s, fd)?;
    match unsafe { (*f).kind } {
        FILE => Ok(f),
        DIR => Err(EBADF),
        _ => Err(stdio),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_seek(fd: u32, offset: i64, whence: u32, newoffset: usize) -> i32 {
    if whence > 2 {
        invalid_enum();
    }
    errno(|| {
        let f = file(fd, ESPIPE)?;
        let base = match whence {
            0 => 0,
            1 => unsafe { (*f).pos },
            _ => super::fs::file_size(f)?,
        };
        // Positions past `i64::MAX` are positions too, as in wasmtime.
        let pos = base.checked_add_signed(offset).ok_or(EINVAL)?;
        unsafe { (*f).pos = pos };
        put(newoffset, pos);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_tell(fd: u32, offset: usize) -> i32 {
    errno(|| {
        let f = file(fd, ESPIPE)?;
        put(offset, unsafe { (*f).pos });
        Ok(())
    })
}

/// Runs a `result<_, error-code>` descriptor operation on a file.
fn file_op(fd: u32, op: impl FnOnce(u32, *mut wasi::Ret)) -> i32 {
    errno(|| {
        let f = file(fd, EBADF)?;
        let mut ret = wasi::Ret::new();
        op(unsafe { (*f).handle }, ret.ptr());
        ret.result_u8().map(|_| ()).map_err(errno_of)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_sync(fd: u32) -> i32 {
    file_op(fd, |h, ret| unsafe { wasi::sync(h, ret) })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_datasync(fd: u32) -> i32 {
    file_op(fd, |h, ret| unsafe { wasi::sync_data(h, ret) })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32 {
    if advice > 5 {
        invalid_enum();
    }
    file_op(fd, |h, ret| unsafe {
        wasi::advise(h, offset, len, advice, ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_filestat_set_size(fd: u32, size: u64) -> i32 {
    file_op(fd, |h, ret| unsafe { wasi::set_size(h, size, ret) })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_allocate(fd: u32, _offset: u64, _len: u64) -> i32 {
    errno(|| {
        file(fd, EBADF)?;
        // WASI 0.2 has no way to reserve space.
        Err(ENOTSUP)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn poll_oneoff(subs: usize, events: usize, nsubs: usize, nevents: usize) -> i32 {
    errno(|| {
        if nsubs == 0 {
            return Err(EINVAL);
        }
        // wasmtime reads the subscriptions first: an array reaching past
        // 4 GiB is `ENOMEM`, one past the end of memory traps. (Checked
        // before the pollables' room is taken: that may grow memory.)
        let end = nsubs
            .checked_mul(SUBSCRIPTION_SIZE)
            .and_then(|len| len.checked_add(subs))
            .ok_or(ENOMEM)?;
        if end as u64 > core::arch::wasm32::memory_size(0) as u64 * state::PAGE as u64 {
            core::arch::wasm32::unreachable();
        }
        aligned::<u64>(subs);
        let s = state::begin();
        let pollables = state::scratch(s, 4 * nsubs).ok_or(ENOMEM)? as *mut u32;
        for i in 0..nsubs {
            let sub = subs + SUBSCRIPTION_SIZE * i;
            let tag: u8 = get(sub + 8);
            let p = match tag {
                0 => {
                    let clock: u32 = get(sub + 16);
                    let timeout: u64 = get(sub + 24);
                    let flags: u16 = get(sub + 40);
                    let absolute = flags & 1 != 0;
                    unsafe {
                        match (clock, flags & !1, absolute) {
                            (0, 0, true) => {
                                let now = super::misc::realtime_ns();
                                Ok(wasi::subscribe_duration(timeout.saturating_sub(now)))
                            }
                            (1, 0, true) => Ok(wasi::subscribe_instant(timeout)),
                            (0 | 1, 0, false) => Ok(wasi::subscribe_duration(timeout)),
                            // The CPU-time clocks are not in WASI 0.2;
                            // invalid clocks and flags are below.
                            _ => Err(EINVAL),
                        }
                    }
                }
                1 | 2 => subscribe_fd(s, get(sub + 16), tag == 1),
                // A subscription is read from memory, not passed as an
                // argument: wasmtime answers an invalid one with `EINVAL`
                // where an invalid argument traps.
                _ => Err(EINVAL),
            };
            match p {
                Ok(p) => unsafe { *pollables.add(i) = p },
                Err(e) => {
                    drop_pollables(pollables, i);
                    return Err(e);
                }
            }
        }
        let mut ret = wasi::Ret::new();
        unsafe { wasi::poll(pollables, nsubs, ret.ptr()) };
        let ready = ret.u32(0) as *const u32;
        let count = ret.u32(4) as usize;
        // Events in subscription order, as wasmtime writes them (the
        // host's list has an order of its own): each ready subscription's
        // pollable handle is marked with its top bit, which no handle
        // uses, then the subscriptions are walked in order.
        for j in 0..count {
            unsafe { *pollables.add(*ready.add(j) as usize) |= READY };
        }
        let mut j = 0;
        for i in 0..nsubs {
            let p = unsafe { &mut *pollables.add(i) };
            if *p & READY == 0 {
                continue;
            }
            *p &= !READY;
            let sub = subs + SUBSCRIPTION_SIZE * i;
            let event = events + EVENT_SIZE * j;
            j += 1;
            let tag: u8 = get(sub + 8);
            put(event, get::<u64>(sub));
            put(event + 8, 0u16);
            put(event + 10, tag);
            put(event + 16, if tag == 0 { 0u64 } else { 1 });
            let hangup = tag == 1 && at_end_of_file(s, get(sub + 16));
            put(event + 24, hangup as u16);
        }
        drop_pollables(pollables, nsubs);
        put(nevents, count as u32);
        Ok(())
    })
}

/// Marks a ready subscription's pollable in `poll_oneoff`.
const READY: u32 = 1 << 31;

/// Whether `fd` is a file read to its end: wasmtime flags its read
/// readiness as a hang-up then.
fn at_end_of_file(s: *mut State, fd: u32) -> bool {
    let Ok(f) = state::fd_open(s, fd) else {
        return false;
    };
    if unsafe { (*f).kind } != FILE {
        return false;
    }
    super::fs::file_size(f).is_ok_and(|size| unsafe { (*f).pos } >= size)
}

fn drop_pollables(pollables: *mut u32, n: usize) {
    for i in 0..n {
        unsafe { wasi::drop_pollable(*pollables.add(i)) };
    }
}

/// A pollable ready when descriptor `fd` can be read (or written): its
/// stream's for stdio, an immediately ready one for files.
fn subscribe_fd(s: *mut State, fd: u32, read: bool) -> Result<u32, Errno> {
    let f = state::fd_open(s, fd)?;
    unsafe {
        Ok(match ((*f).kind, read) {
            (STDIN, true) => wasi::input_subscribe(state::input_stream(f)),
            (STDOUT | STDERR, false) => wasi::output_subscribe(state::output_stream(f)),
            (FILE, _) => wasi::subscribe_duration(0),
            _ => return Err(EBADF),
        })
    }
}
