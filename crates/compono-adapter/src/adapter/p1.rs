//! WASI preview1's numbers: errno values, file types, flags and rights,
//! and the mapping from WASI 0.2's `error-code`.

pub type Errno = u16;

pub const EACCES: Errno = 2;
pub const EAGAIN: Errno = 6;
pub const EALREADY: Errno = 7;
pub const EBADF: Errno = 8;
pub const EBUSY: Errno = 10;
pub const EDEADLK: Errno = 16;
pub const EDQUOT: Errno = 19;
pub const EEXIST: Errno = 20;
pub const EFBIG: Errno = 22;
pub const EILSEQ: Errno = 25;
pub const EINPROGRESS: Errno = 26;
pub const EINTR: Errno = 27;
pub const EINVAL: Errno = 28;
pub const EIO: Errno = 29;
pub const EISDIR: Errno = 31;
pub const ELOOP: Errno = 32;
pub const EMFILE: Errno = 33;
pub const EMLINK: Errno = 34;
pub const EMSGSIZE: Errno = 35;
pub const ENAMETOOLONG: Errno = 37;
pub const ENODEV: Errno = 43;
pub const ENOENT: Errno = 44;
pub const ENOLCK: Errno = 46;
pub const ENOMEM: Errno = 48;
pub const ENOSPC: Errno = 51;
pub const ENOTDIR: Errno = 54;
pub const ENOTEMPTY: Errno = 55;
pub const ENOTRECOVERABLE: Errno = 56;
pub const ENOTSOCK: Errno = 57;
pub const ENOTSUP: Errno = 58;
pub const ENOTTY: Errno = 59;
pub const ENXIO: Errno = 60;
pub const EOVERFLOW: Errno = 61;
pub const EPERM: Errno = 63;
pub const EPIPE: Errno = 64;
pub const EROFS: Errno = 69;
pub const ESPIPE: Errno = 70;
pub const ETXTBSY: Errno = 74;
pub const EXDEV: Errno = 75;

/// The errnos of WASI 0.2's `error-code` cases, in case order.
const ERRNOS: [Errno; 37] = [
    EACCES,
    EAGAIN,
    EALREADY,
    EBADF,
    EBUSY,
    EDEADLK,
    EDQUOT,
    EEXIST,
    EFBIG,
    EILSEQ,
    EINPROGRESS,
    EINTR,
    EINVAL,
    EIO,
    EISDIR,
    ELOOP,
    EMLINK,
    EMSGSIZE,
    ENAMETOOLONG,
    ENODEV,
    ENOENT,
    ENOLCK,
    ENOMEM,
    ENOSPC,
    ENOTDIR,
    ENOTEMPTY,
    ENOTRECOVERABLE,
    ENOTSUP,
    ENOTTY,
    ENXIO,
    EOVERFLOW,
    EPERM,
    EPIPE,
    EROFS,
    ESPIPE,
    ETXTBSY,
    EXDEV,
];

/// Nine 7-bit errnos from `ERRNOS`, starting at case `first`, in one word.
const fn pack(first: usize) -> u64 {
    let mut word = 0u64;
    let mut i = 0;
    while i < 9 && first + i < ERRNOS.len() {
        word |= (ERRNOS[first + i] as u64) << (7 * i);
        i += 1;
    }
    word
}

/// The errno of a WASI 0.2 `error-code` (by its case number).
pub fn errno_of(code: u8) -> Errno {
    // Constants selected by comparisons rather than a `match` or an array:
    // LLVM turns those into lookup tables, which would be data segments,
    // and an adapter has none.
    let code = code as u64;
    let word = if code < 9 {
        pack(0)
    } else if code < 18 {
        pack(9)
    } else if code < 27 {
        pack(18)
    } else if code < 36 {
        pack(27)
    } else if code < 37 {
        pack(36)
    } else {
        return EIO;
    };
    ((word >> (7 * (code % 9))) & 0x7f) as Errno
}

// File types.
pub const FILETYPE_UNKNOWN: u8 = 0;
pub const FILETYPE_BLOCK_DEVICE: u8 = 1;
pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;
pub const FILETYPE_SOCKET_STREAM: u8 = 6;
pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;

/// The preview1 file type of a WASI 0.2 `descriptor-type`.
pub fn filetype_of(ty: u8) -> u8 {
    // unknown, block-device, character-device, directory, fifo,
    // symbolic-link, regular-file, socket
    if ty == 1 {
        FILETYPE_BLOCK_DEVICE
    } else if ty == 2 {
        FILETYPE_CHARACTER_DEVICE
    } else if ty == 3 {
        FILETYPE_DIRECTORY
    } else if ty == 5 {
        FILETYPE_SYMBOLIC_LINK
    } else if ty == 6 {
        FILETYPE_REGULAR_FILE
    } else if ty == 7 {
        FILETYPE_SOCKET_STREAM
    } else {
        FILETYPE_UNKNOWN
    }
}

// Each flags type's defined bits (`OFLAGS` ... `SDFLAGS`): any other bit
// traps (`super::flags`).
pub const OFLAGS: u64 = 0xf;
pub const FDFLAGS: u64 = 0x1f;
pub const LOOKUPFLAGS: u64 = 0x1;
pub const FSTFLAGS: u64 = 0xf;
pub const RIFLAGS: u64 = 0x3;
pub const SDFLAGS: u64 = 0x3;
/// `siflags` is a plain `u16`.
pub const SIFLAGS: u64 = 0xffff;

// oflags
pub const OFLAGS_CREAT: u32 = 1;
pub const OFLAGS_TRUNC: u32 = 8;

// fdflags
pub const FDFLAGS_APPEND: u16 = 1;
pub const FDFLAGS_DSYNC: u16 = 2;
pub const FDFLAGS_NONBLOCK: u16 = 4;
pub const FDFLAGS_RSYNC: u16 = 8;
pub const FDFLAGS_SYNC: u16 = 16;

// fstflags
pub const FST_ATIM: u16 = 1;
pub const FST_ATIM_NOW: u16 = 2;
pub const FST_MTIM: u16 = 4;
pub const FST_MTIM_NOW: u16 = 8;

// rights
pub const RIGHT_FD_READ: u64 = 1 << 1;
pub const RIGHT_FD_WRITE: u64 = 1 << 6;
pub const RIGHT_FD_READDIR: u64 = 1 << 14;

pub const RIGHTS_ALL: u64 = 0x3fff_ffff;
/// The rights `fd_fdstat_get` reports, as wasmtime does: a preopened
/// directory's, another directory's, and a file's (less `READ_RIGHTS`
/// when it was not opened for reading).
pub const PREOPEN_RIGHTS_BASE: u64 = 0x7b7_fe00;
pub const PREOPEN_RIGHTS_INHERITING: u64 = 0xff7_ffff;
pub const DIR_RIGHTS: u64 = 0x3fb7_ffbb;
pub const READ_RIGHTS: u64 = RIGHT_FD_READ | RIGHT_FD_READDIR;

// Layouts (offsets in bytes).
pub const FILESTAT_SIZE: usize = 64;
pub const DIRENT_SIZE: usize = 24;
pub const SUBSCRIPTION_SIZE: usize = 48;
pub const EVENT_SIZE: usize = 32;
