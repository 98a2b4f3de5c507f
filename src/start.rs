//! The process's entry point on Linux, in place of std's start-up.
//!
//! std's start-up costs a short command about 6% of its time (a
//! six-library `link`, median of runs alternating with wasm-tools: 1.74 ms
//! with it, 1.63 ms without). Most of that is finding the main thread's stack for std's
//! stack-overflow message: glibc's `pthread_getattr_np` reads and
//! `sscanf`s `/proc/self/maps`; then an alternate signal stack is mapped
//! and the handlers installed. What else std does there, a command line
//! needs, and it is done here the same way:
//! - descriptors 0 to 2 that are closed are opened on `/dev/null`, so that
//!   a file opened later never becomes stdout by accident;
//! - `SIGPIPE` is ignored, so that writing to a closed pipe is an `EPIPE`
//!   error, reported, and not death by signal;
//! - a panic ends the process with status 101, after the hook reported it;
//! - stdout is flushed at the end.
//!
//! What is given up: a stack overflow is a plain `SIGSEGV` (the kernel's
//! guard gap below the stack still stops it), without std's message.
//! `std::env::args` needs nothing from here: glibc hands std the
//! arguments through `.init_array`.

use std::ffi::{c_char, c_int, c_short, c_ulong};

#[repr(C)]
struct PollFd {
    fd: c_int,
    events: c_short,
    revents: c_short,
}

const POLLNVAL: c_short = 0x20;
const O_RDWR: c_int = 2;
const SIGPIPE: c_int = 13;
const SIG_IGN: usize = 1;

unsafe extern "C" {
    fn poll(fds: *mut PollFd, count: c_ulong, timeout: c_int) -> c_int;
    fn fcntl(fd: c_int, command: c_int, ...) -> c_int;
    fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    fn signal(signal: c_int, handler: usize) -> usize;
    fn abort() -> !;
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    // SAFETY: single-threaded here; the calls only touch descriptors 0-2
    // and the SIGPIPE disposition.
    unsafe {
        keep_standard_descriptors_open();
        signal(SIGPIPE, SIG_IGN);
    }
    let status = std::panic::catch_unwind(crate::run).unwrap_or(101);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    c_int::from(status)
}

/// Opens `/dev/null` on whichever of descriptors 0, 1 and 2 is closed.
unsafe fn keep_standard_descriptors_open() {
    const F_GETFD: c_int = 1;
    let mut fds: [PollFd; 3] = std::array::from_fn(|fd| PollFd {
        fd: fd as c_int,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is three valid entries; a zero timeout never blocks.
    let polled = unsafe { poll(fds.as_mut_ptr(), fds.len() as c_ulong, 0) } >= 0;
    for entry in &fds {
        // When poll itself fails (it can under a tight RLIMIT_NOFILE), ask
        // each descriptor instead.
        let closed = if polled {
            entry.revents & POLLNVAL != 0
        } else {
            // SAFETY: F_GETFD takes no argument and reads nothing.
            unsafe { fcntl(entry.fd, F_GETFD) == -1 }
        };
        // SAFETY: a NUL-terminated path; the lowest free descriptor is the
        // closed one, since the lower ones are open by now.
        if closed && unsafe { open(c"/dev/null".as_ptr(), O_RDWR) } != entry.fd {
            // As std does: a process that cannot even do this should not
            // run on with stdout unset.
            unsafe { abort() }
        }
    }
}
