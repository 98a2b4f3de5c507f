//! Descriptors and paths: stat, flags, preopens, close and renumber,
//! directory listings, and every `path_*` function.

use super::p1::*;
use super::state::{self, DIR, FILE, Fd, READABLE, STDIN, STDOUT, State, WRITABLE};
use super::{aligned, errno, flags, put, wasi};

/// A `result<_, error-code>` as an errno result.
fn unit(ret: &wasi::Ret) -> Result<(), Errno> {
    ret.result_u8().map(|_| ()).map_err(errno_of)
}

/// The size of a file, from `stat`.
pub fn file_size(f: *mut Fd) -> Result<u64, Errno> {
    let mut ret = wasi::Ret::new();
    unsafe { wasi::stat((*f).handle, ret.ptr()) };
    if ret.u8(0) != 0 {
        return Err(errno_of(ret.u8(8)));
    }
    Ok(ret.u64(24))
}

/// Whether a stdio descriptor is a terminal.
fn is_terminal(kind: u8) -> bool {
    let mut ret = wasi::Ret::new();
    unsafe {
        match kind {
            STDIN => wasi::get_terminal_stdin(ret.ptr()),
            STDOUT => wasi::get_terminal_stdout(ret.ptr()),
            _ => wasi::get_terminal_stderr(ret.ptr()),
        }
        if ret.u8(0) == 0 {
            return false;
        }
        if kind == STDIN {
            wasi::drop_terminal_input(ret.u32(4));
        } else {
            wasi::drop_terminal_output(ret.u32(4));
        }
    }
    true
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_fdstat_get(fd: u32, out: usize) -> i32 {
    errno(|| {
        let s = state::begin();
        let f = state::fd_any(s, fd)?;
        let (kind, fdflags) = unsafe { ((*f).kind, (*f).fdflags) };
        let (filetype, base, inheriting) = match kind {
            FILE => {
                let mut rights = RIGHTS_ALL;
                if fdflags & READABLE == 0 {
                    rights &= !READ_RIGHTS;
                }
                if fdflags & WRITABLE == 0 {
                    rights &= !RIGHT_FD_WRITE;
                }
                (unsafe { (*f).filetype }, rights, rights)
            }
            DIR if unsafe { (*f).preopen } != 0 => (
                FILETYPE_DIRECTORY,
                PREOPEN_RIGHTS_BASE,
                PREOPEN_RIGHTS_INHERITING,
            ),
            DIR => (FILETYPE_DIRECTORY, DIR_RIGHTS, DIR_RIGHTS),
            _ => {
                let rights = if kind == STDIN {
                    RIGHT_FD_READ
                } else {
                    RIGHT_FD_WRITE
                };
                let filetype = if is_terminal(kind) {
                    FILETYPE_CHARACTER_DEVICE
                } else {
                    FILETYPE_UNKNOWN
                };
                (filetype, rights, rights)
            }
        };
        aligned::<u64>(out);
        put(out, filetype);
        put(out + 2, (fdflags & 0x1f) as u16);
        put(out + 8, base);
        put(out + 16, inheriting);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_fdstat_set_flags(fd: u32, fdflags: u32) -> i32 {
    flags(fdflags.into(), FDFLAGS);
    errno(|| {
        let s = state::begin();
        let f = state::fd_open(s, fd)?;
        if unsafe { (*f).kind } != FILE {
            return Err(EBADF);
        }
        // The sync flags cannot be set after opening: wasmtime says EINVAL.
        if fdflags as u16 & !(FDFLAGS_APPEND | FDFLAGS_NONBLOCK) != 0 {
            return Err(EINVAL);
        }
        unsafe { (*f).fdflags = ((*f).fdflags & (READABLE | WRITABLE)) | fdflags as u8 };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32 {
    flags(base, RIGHTS_ALL);
    flags(inheriting, RIGHTS_ALL);
    errno(|| {
        let s = state::begin();
        let f = state::fd_any(s, fd)?;
        match unsafe { (*f).kind } {
            FILE | DIR => Err(ENOTSUP),
            _ => Err(EBADF),
        }
    })
}

/// Writes a preview1 `filestat` from a `descriptor-stat` at `at` in `ret`
/// and the metadata hash `ino`.
fn put_filestat(out: usize, ret: &wasi::Ret, at: usize, ino: u64) {
    put(out, 1u64);
    put(out + 8, ino);
    put(out + 16, filetype_of(ret.u8(at)));
    put(out + 24, ret.u64(at + 8));
    put(out + 32, ret.u64(at + 16));
    for (i, ts) in [at + 24, at + 48, at + 72].into_iter().enumerate() {
        let ns = if ret.u8(ts) == 0 {
            0
        } else {
            ret.u64(ts + 8)
                .wrapping_mul(1_000_000_000)
                .wrapping_add(ret.u32(ts + 16) as u64)
        };
        put(out + 40 + 8 * i, ns);
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_filestat_get(fd: u32, out: usize) -> i32 {
    errno(|| {
        let s = state::begin();
        let f = state::fd_any(s, fd)?;
        let kind = unsafe { (*f).kind };
        if kind != FILE && kind != DIR {
            aligned::<u64>(out);
            unsafe { core::ptr::write_bytes(out as *mut u8, 0, FILESTAT_SIZE) };
            if is_terminal(kind) {
                put(out + 16, FILETYPE_CHARACTER_DEVICE);
            }
            return Ok(());
        }
        let handle = unsafe { (*f).handle };
        let mut hash = wasi::Ret::new();
        unsafe { wasi::metadata_hash(handle, hash.ptr()) };
        let ino = hash.result_u64().map_err(errno_of)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::stat(handle, ret.ptr()) };
        if ret.u8(0) != 0 {
            return Err(errno_of(ret.u8(8)));
        }
        put_filestat(out, &ret, 8, ino);
        Ok(())
    })
}

/// A preview1 `(timestamp, now)` pair as a WASI 0.2 `new-timestamp`:
/// (case, seconds, nanoseconds).
fn new_timestamp(ns: u64, set: bool, now: bool) -> Result<(u32, u64, u32), Errno> {
    match (set, now) {
        (true, true) => Err(EINVAL),
        (true, false) => Ok((2, ns / 1_000_000_000, (ns % 1_000_000_000) as u32)),
        (false, true) => Ok((1, 0, 0)),
        (false, false) => Ok((0, 0, 0)),
    }
}

type Times = ((u32, u64, u32), (u32, u64, u32));

fn times(atim: u64, mtim: u64, fst: u32) -> Result<Times, Errno> {
    let fst = fst as u16;
    Ok((
        new_timestamp(atim, fst & FST_ATIM != 0, fst & FST_ATIM_NOW != 0)?,
        new_timestamp(mtim, fst & FST_MTIM != 0, fst & FST_MTIM_NOW != 0)?,
    ))
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst: u32) -> i32 {
    flags(fst.into(), FSTFLAGS);
    errno(|| {
        // The flags' meaning before the descriptor, as in wasmtime.
        let (a, m) = times(atim, mtim, fst)?;
        let s = state::begin();
        let f = state::fd_any(s, fd)?;
        if !matches!(unsafe { (*f).kind }, FILE | DIR) {
            return Err(EBADF);
        }
        let mut ret = wasi::Ret::new();
        unsafe { wasi::set_times((*f).handle, a.0, a.1, a.2, m.0, m.1, m.2, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_prestat_get(fd: u32, out: usize) -> i32 {
    errno(|| {
        let s = state::begin();
        let f = preopen(s, fd, EBADF)?;
        put(out, 0u32);
        put(out + 4, unsafe { (*f).name_len });
        Ok(())
    })
}

/// A preopen; `other` for an open descriptor that is not one (wasmtime
/// answers `fd_prestat_get` and `fd_prestat_dir_name` differently there).
fn preopen(s: *mut State, fd: u32, other: Errno) -> Result<*mut Fd, Errno> {
    let f = state::fd_any(s, fd)?;
    if unsafe { (*f).preopen } == 0 {
        return Err(other);
    }
    Ok(f)
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_prestat_dir_name(fd: u32, path: usize, len: usize) -> i32 {
    errno(|| {
        let s = state::begin();
        let f = preopen(s, fd, ENOTDIR)?;
        let (ptr, n) = unsafe { ((*f).name_ptr as usize, (*f).name_len as usize) };
        if len < n {
            return Err(ENAMETOOLONG);
        }
        unsafe { core::ptr::copy(ptr as *const u8, path as *mut u8, n) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_close(fd: u32) -> i32 {
    errno(|| {
        let s = state::begin();
        state::fd_any(s, fd)?;
        state::close_fd(s, fd);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_renumber(from: u32, to: u32) -> i32 {
    errno(|| {
        let s = state::begin();
        let src = state::fd_any(s, from)?;
        let dst = state::fd_open(s, to)?;
        if from == to {
            return Ok(());
        }
        state::release(dst);
        unsafe {
            core::ptr::copy_nonoverlapping(src, dst, 1);
            // `from` is free; what it held now belongs to `to`.
            (*src).kind = state::FREE;
            (*src).handle = 0;
            (*src).append = 0;
        }
        state::close_fd(s, from);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn fd_readdir(fd: u32, buf: usize, len: usize, cookie: u64, used: usize) -> i32 {
    errno(|| {
        let s = state::begin();
        // Unlike the `path_*` functions, a file here is `EBADF`.
        let d = state::fd_any(s, fd)?;
        if unsafe { (*d).kind } != DIR {
            return Err(EBADF);
        }
        let handle = unsafe { (*d).handle };
        let mut hash = wasi::Ret::new();
        unsafe { wasi::metadata_hash(handle, hash.ptr()) };
        let dir_ino = hash.result_u64().map_err(errno_of)?;
        // wasmtime reads every entry before it writes one: an entry it
        // cannot read (a name that is not UTF-8) fails the call, however
        // small the buffer, and leaves the buffer alone.
        with_listing(handle, |stream| {
            loop {
                let mark = unsafe { (*s).temp };
                let entry = next_entry(stream)?;
                unsafe { (*s).temp = mark };
                if entry.is_none() {
                    return Ok(());
                }
            }
        })?;
        let mut written = 0;
        let mut next = cookie;
        // On the stack: a literal would be a data segment.
        let dots = [b'.', b'.'];
        // `.` and `..` first, as wasmtime lists them.
        while next < 2 && written < len {
            let name_len = next as usize + 1;
            written += put_dirent(
                buf + written,
                len - written,
                next + 1,
                dir_ino,
                name_len,
                FILETYPE_DIRECTORY,
                dots.as_ptr(),
            );
            next += 1;
        }
        if written < len {
            written = with_listing(handle, |stream| {
                list(s, handle, stream, buf, len, next, written)
            })?;
        }
        put(used, written as u32);
        Ok(())
    })
}

/// Runs `f` over a new listing of directory `dir`. A new one every call,
/// as wasmtime does: a stream kept from an earlier call would still list
/// what has been removed since (WASI 0.2 hosts read a directory whole).
fn with_listing<T>(dir: u32, f: impl FnOnce(u32) -> Result<T, Errno>) -> Result<T, Errno> {
    let mut ret = wasi::Ret::new();
    unsafe { wasi::read_directory(dir, ret.ptr()) };
    let stream = ret.result_u32().map_err(errno_of)?;
    let result = f(stream);
    unsafe { wasi::drop_directory_entry_stream(stream) };
    result
}

/// The next entry of `stream` (its type, name and name's length), its
/// name in the temporary arena; `None` at the end.
fn next_entry(stream: u32) -> Result<Option<(u8, *const u8, usize)>, Errno> {
    let mut ret = wasi::Ret::new();
    unsafe { wasi::read_directory_entry(stream, ret.ptr()) };
    if ret.u8(0) != 0 {
        return Err(errno_of(ret.u8(4)));
    }
    if ret.u8(4) == 0 {
        return Ok(None);
    }
    Ok(Some((
        ret.u8(8),
        ret.u32(12) as *const u8,
        ret.u32(16) as usize,
    )))
}

/// Lists the entries of `stream` from cookie `next` on (the entries
/// before are skipped) into `buf` after the `written` bytes already there,
/// until `len` is full or the listing ends; returns how much is written.
fn list(
    s: *mut State,
    dir: u32,
    stream: u32,
    buf: usize,
    len: usize,
    mut next: u64,
    mut written: usize,
) -> Result<usize, Errno> {
    // The cookie of the entry read last (`.` and `..` are 1 and 2).
    let mut cookie = 2;
    while written < len {
        let mark = unsafe { (*s).temp };
        let Some((ty, name, name_len)) = next_entry(stream)? else {
            break;
        };
        cookie += 1;
        if cookie > next {
            let mut hash = wasi::Ret::new();
            unsafe { wasi::metadata_hash_at(dir, 0, name, name_len, hash.ptr()) };
            let ino = hash.result_u64().unwrap_or(0);
            next += 1;
            // The last entry may be cut short: the caller asks for it
            // again by its cookie.
            written += put_dirent(
                buf + written,
                len - written,
                next,
                ino,
                name_len,
                filetype_of(ty),
                name,
            );
        }
        unsafe { (*s).temp = mark };
    }
    Ok(written)
}

/// Writes as much of a dirent and its name as fits in `room`; returns
/// how much that was.
fn put_dirent(
    at: usize,
    room: usize,
    next: u64,
    ino: u64,
    name_len: usize,
    ty: u8,
    name: *const u8,
) -> usize {
    let mut entry = [0u8; DIRENT_SIZE];
    entry[..8].copy_from_slice(&next.to_le_bytes());
    entry[8..16].copy_from_slice(&ino.to_le_bytes());
    entry[16..20].copy_from_slice(&(name_len as u32).to_le_bytes());
    entry[20] = ty;
    let n = room.min(DIRENT_SIZE);
    unsafe { core::ptr::copy_nonoverlapping(entry.as_ptr(), at as *mut u8, n) };
    let m = (room - n).min(name_len);
    unsafe { core::ptr::copy(name, (at + n) as *mut u8, m) };
    n + m
}

// Paths.

/// The handle of directory `fd` for a `path_*` function.
fn dir_handle(s: *mut State, fd: u32) -> Result<u32, Errno> {
    Ok(unsafe { (*state::dir(s, fd)?).handle })
}

/// Checks a path argument, after its directory (wasmtime's order): WASI
/// 0.2 takes paths as strings, and lifting one that is not UTF-8 traps,
/// where wasmtime's preview1 answers `EILSEQ`. (By hand, with
/// comparisons: `core::str::from_utf8` reads a table, and the adapter may
/// have no data.)
fn utf8(path: *const u8, len: usize) -> Result<(), Errno> {
    let bytes = unsafe { core::slice::from_raw_parts(path, len) };
    let cont = |i: usize, lo: u8, hi: u8| bytes.get(i).is_some_and(|b| (lo..=hi).contains(b));
    let mut i = 0;
    while i < len {
        let b = bytes[i];
        // The first continuation byte's range, and how many follow it.
        let (lo, hi, more) = if b < 0x80 {
            i += 1;
            continue;
        } else if (0xc2..=0xdf).contains(&b) {
            (0x80, 0xbf, 0)
        } else if b == 0xe0 {
            (0xa0, 0xbf, 1)
        } else if b == 0xed {
            (0x80, 0x9f, 1)
        } else if (0xe1..=0xef).contains(&b) {
            (0x80, 0xbf, 1)
        } else if b == 0xf0 {
            (0x90, 0xbf, 2)
        } else if (0xf1..=0xf3).contains(&b) {
            (0x80, 0xbf, 2)
        } else if b == 0xf4 {
            (0x80, 0x8f, 2)
        } else {
            return Err(EILSEQ);
        };
        if !cont(i + 1, lo, hi) {
            return Err(EILSEQ);
        }
        for k in 0..more {
            if !cont(i + 2 + k, 0x80, 0xbf) {
                return Err(EILSEQ);
            }
        }
        i += 2 + more;
    }
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn path_create_directory(fd: u32, path: *const u8, len: usize) -> i32 {
    errno(|| {
        let h = dir_handle(state::begin(), fd)?;
        utf8(path, len)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::create_directory_at(h, path, len, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> i32 {
    errno(|| {
        let h = dir_handle(state::begin(), fd)?;
        utf8(path, len)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::remove_directory_at(h, path, len, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> i32 {
    errno(|| {
        let h = dir_handle(state::begin(), fd)?;
        utf8(path, len)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::unlink_file_at(h, path, len, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_filestat_get(
    fd: u32,
    lookup: u32,
    path: *const u8,
    len: usize,
    out: usize,
) -> i32 {
    flags(lookup.into(), LOOKUPFLAGS);
    errno(|| {
        let h = dir_handle(state::begin(), fd)?;
        utf8(path, len)?;
        let mut hash = wasi::Ret::new();
        unsafe { wasi::metadata_hash_at(h, lookup, path, len, hash.ptr()) };
        let ino = hash.result_u64().map_err(errno_of)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::stat_at(h, lookup, path, len, ret.ptr()) };
        if ret.u8(0) != 0 {
            return Err(errno_of(ret.u8(8)));
        }
        put_filestat(out, &ret, 8, ino);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_filestat_set_times(
    fd: u32,
    lookup: u32,
    path: *const u8,
    len: usize,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> i32 {
    flags(lookup.into(), LOOKUPFLAGS);
    flags(fst.into(), FSTFLAGS);
    errno(|| {
        let (a, m) = times(atim, mtim, fst)?;
        let h = dir_handle(state::begin(), fd)?;
        utf8(path, len)?;
        let mut ret = wasi::Ret::new();
        unsafe {
            wasi::set_times_at(
                h,
                lookup,
                path,
                len,
                a.0,
                a.1,
                a.2,
                m.0,
                m.1,
                m.2,
                ret.ptr(),
            )
        };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_link(
    old_fd: u32,
    old_flags: u32,
    old_path: *const u8,
    old_len: usize,
    new_fd: u32,
    new_path: *const u8,
    new_len: usize,
) -> i32 {
    flags(old_flags.into(), LOOKUPFLAGS);
    errno(|| {
        let s = state::begin();
        let old = dir_handle(s, old_fd)?;
        let new = dir_handle(s, new_fd)?;
        utf8(old_path, old_len)?;
        utf8(new_path, new_len)?;
        let mut ret = wasi::Ret::new();
        unsafe {
            wasi::link_at(
                old,
                old_flags,
                old_path,
                old_len,
                new,
                new_path,
                new_len,
                ret.ptr(),
            )
        };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_rename(
    old_fd: u32,
    old_path: *const u8,
    old_len: usize,
    new_fd: u32,
    new_path: *const u8,
    new_len: usize,
) -> i32 {
    errno(|| {
        let s = state::begin();
        let old = dir_handle(s, old_fd)?;
        let new = dir_handle(s, new_fd)?;
        utf8(old_path, old_len)?;
        utf8(new_path, new_len)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::rename_at(old, old_path, old_len, new, new_path, new_len, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_symlink(
    old_path: *const u8,
    old_len: usize,
    fd: u32,
    new_path: *const u8,
    new_len: usize,
) -> i32 {
    errno(|| {
        let h = dir_handle(state::begin(), fd)?;
        utf8(old_path, old_len)?;
        utf8(new_path, new_len)?;
        let mut ret = wasi::Ret::new();
        unsafe { wasi::symlink_at(h, old_path, old_len, new_path, new_len, ret.ptr()) };
        unit(&ret)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_readlink(
    fd: u32,
    path: *const u8,
    len: usize,
    buf: usize,
    buf_len: usize,
    used: usize,
) -> i32 {
    errno(|| {
        let s = state::begin();
        let h = dir_handle(s, fd)?;
        utf8(path, len)?;
        state::target(s, buf as *mut u8, buf_len);
        let mut ret = wasi::Ret::new();
        unsafe { wasi::readlink_at(h, path, len, ret.ptr()) };
        let ptr = ret.result_u32().map_err(errno_of)? as usize;
        // A longer link is cut short, as in wasmtime.
        let n = (ret.u32(8) as usize).min(buf_len);
        if ptr != buf && n != 0 {
            unsafe { core::ptr::copy(ptr as *const u8, buf as *mut u8, n) };
        }
        put(used, n as u32);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn path_open(
    fd: u32,
    dirflags: u32,
    path: *const u8,
    len: usize,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    opened: usize,
) -> i32 {
    flags(dirflags.into(), LOOKUPFLAGS);
    flags(oflags.into(), OFLAGS);
    flags(rights_base, RIGHTS_ALL);
    flags(rights_inheriting, RIGHTS_ALL);
    flags(fdflags.into(), FDFLAGS);
    errno(|| {
        let s = state::begin();
        // wasmtime checks the path first here, and calls a file given
        // for the directory ENOTDIR, not EBADF as the other functions do.
        utf8(path, len)?;
        let h = match dir_handle(s, fd) {
            Err(EBADF) if unsafe { (*state::fd_any(s, fd)?).kind } == FILE => Err(ENOTDIR),
            other => other,
        }?;
        let fdflags = fdflags as u16;
        // wasmtime opens for reading what is not opened for writing.
        let readable = rights_base & (RIGHT_FD_READ | RIGHT_FD_READDIR) != 0
            || rights_base & RIGHT_FD_WRITE == 0;
        // descriptor-flags: read, write, file-integrity-sync,
        // data-integrity-sync, requested-write-sync.
        let mut flags = 0;
        if rights_base & RIGHT_FD_READ != 0 {
            flags |= 1;
        }
        if rights_base & RIGHT_FD_WRITE != 0 {
            flags |= 2;
        }
        if fdflags & FDFLAGS_SYNC != 0 {
            flags |= 4;
        }
        if fdflags & FDFLAGS_DSYNC != 0 {
            flags |= 8;
        }
        if fdflags & FDFLAGS_RSYNC != 0 {
            flags |= 16;
        }
        // preview1's oflags and WASI 0.2's open-flags share their bits.
        let mut ret = wasi::Ret::new();
        unsafe { wasi::open_at(h, dirflags, path, len, oflags, flags, ret.ptr()) };
        let handle = ret.result_u32().map_err(errno_of)?;
        let mut ty = wasi::Ret::new();
        unsafe { wasi::get_type(handle, ty.ptr()) };
        let ty = match ty.result_u8() {
            Ok(ty) => ty,
            Err(e) => {
                unsafe { wasi::drop_descriptor(handle) };
                return Err(errno_of(e));
            }
        };
        let new = match state::alloc_fd(s) {
            Ok(new) => new,
            Err(e) => {
                unsafe { wasi::drop_descriptor(handle) };
                return Err(e);
            }
        };
        let f = state::fd_ptr(s, new);
        unsafe {
            (*f).handle = handle;
            if ty == 3 {
                (*f).kind = DIR;
                (*f).filetype = FILETYPE_DIRECTORY;
            } else {
                (*f).kind = FILE;
                (*f).filetype = filetype_of(ty);
                (*f).fdflags = fdflags as u8
                    | if readable { READABLE } else { 0 }
                    // wasmtime opens for writing to create or truncate.
                    | if flags & 2 != 0 || oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0 {
                        WRITABLE
                    } else {
                        0
                    };
            }
        }
        put(opened, new);
        Ok(())
    })
}
