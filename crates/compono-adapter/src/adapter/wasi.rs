//! The WASI 0.2.0 functions the adapter calls, as the canonical ABI lowers
//! them (written by hand: a handle is an `i32`, a list or string a pointer
//! and a length, and what does not fit in one result comes back through a
//! return area the caller passes last).
//!
//! Lists the host returns are allocated with the adapter's
//! `cabi_import_realloc`, which hands out memory from the state page (see
//! `state::ImportAlloc`).

#[link(wasm_import_module = "wasi:cli/environment@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-arguments"]
    pub fn get_arguments(ret: *mut Ret);
    #[link_name = "get-environment"]
    pub fn get_environment(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:cli/exit@0.2.0")]
unsafe extern "C" {
    /// `exit: func(status: result)`: 0 for `ok`, 1 for `err`.
    pub fn exit(status: u32);
}

#[link(wasm_import_module = "wasi:cli/stdin@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-stdin"]
    pub fn get_stdin() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-stdout"]
    pub fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stderr@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-stderr"]
    pub fn get_stderr() -> u32;
}

#[link(wasm_import_module = "wasi:cli/terminal-stdin@0.2.0")]
unsafe extern "C" {
    /// `option<terminal-input>`
    #[link_name = "get-terminal-stdin"]
    pub fn get_terminal_stdin(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:cli/terminal-stdout@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-terminal-stdout"]
    pub fn get_terminal_stdout(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:cli/terminal-stderr@0.2.0")]
unsafe extern "C" {
    #[link_name = "get-terminal-stderr"]
    pub fn get_terminal_stderr(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:cli/terminal-input@0.2.0")]
unsafe extern "C" {
    #[link_name = "[resource-drop]terminal-input"]
    pub fn drop_terminal_input(handle: u32);
}

#[link(wasm_import_module = "wasi:cli/terminal-output@0.2.0")]
unsafe extern "C" {
    #[link_name = "[resource-drop]terminal-output"]
    pub fn drop_terminal_output(handle: u32);
}

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
unsafe extern "C" {
    #[link_name = "now"]
    pub fn monotonic_now() -> u64;
    #[link_name = "resolution"]
    pub fn monotonic_resolution() -> u64;
    #[link_name = "subscribe-instant"]
    pub fn subscribe_instant(when: u64) -> u32;
    #[link_name = "subscribe-duration"]
    pub fn subscribe_duration(when: u64) -> u32;
}

#[link(wasm_import_module = "wasi:clocks/wall-clock@0.2.0")]
unsafe extern "C" {
    /// `datetime`: seconds (u64) at 0, nanoseconds (u32) at 8.
    #[link_name = "now"]
    pub fn wall_now(ret: *mut Ret);
    #[link_name = "resolution"]
    pub fn wall_resolution(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
unsafe extern "C" {
    /// `poll(in: list<borrow<pollable>>) -> list<u32>`
    pub fn poll(list: *const u32, len: usize, ret: *mut Ret);
    #[link_name = "[resource-drop]pollable"]
    pub fn drop_pollable(handle: u32);
}

#[link(wasm_import_module = "wasi:io/error@0.2.0")]
unsafe extern "C" {
    #[link_name = "[resource-drop]error"]
    pub fn drop_error(handle: u32);
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
unsafe extern "C" {
    /// `result<list<u8>, stream-error>`
    #[link_name = "[method]input-stream.blocking-read"]
    pub fn blocking_read(stream: u32, len: u64, ret: *mut Ret);
    #[link_name = "[method]input-stream.subscribe"]
    pub fn input_subscribe(stream: u32) -> u32;
    #[link_name = "[resource-drop]input-stream"]
    pub fn drop_input_stream(handle: u32);
    /// `result<_, stream-error>`; at most 4096 bytes at a time.
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    pub fn blocking_write_and_flush(stream: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    #[link_name = "[method]output-stream.subscribe"]
    pub fn output_subscribe(stream: u32) -> u32;
    #[link_name = "[resource-drop]output-stream"]
    pub fn drop_output_stream(handle: u32);
}

#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.0")]
unsafe extern "C" {
    /// `list<tuple<own<descriptor>, string>>`
    #[link_name = "get-directories"]
    pub fn get_directories(ret: *mut Ret);
}

#[link(wasm_import_module = "wasi:filesystem/types@0.2.0")]
unsafe extern "C" {
    /// `result<own<output-stream>, error-code>`
    #[link_name = "[method]descriptor.append-via-stream"]
    pub fn append_via_stream(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.advise"]
    pub fn advise(fd: u32, offset: u64, len: u64, advice: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.sync-data"]
    pub fn sync_data(fd: u32, ret: *mut Ret);
    /// `result<descriptor-type, error-code>`
    #[link_name = "[method]descriptor.get-type"]
    pub fn get_type(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.set-size"]
    pub fn set_size(fd: u32, size: u64, ret: *mut Ret);
    #[link_name = "[method]descriptor.set-times"]
    pub fn set_times(
        fd: u32,
        atim_tag: u32,
        atim_s: u64,
        atim_ns: u32,
        mtim_tag: u32,
        mtim_s: u64,
        mtim_ns: u32,
        ret: *mut Ret,
    );
    /// `result<tuple<list<u8>, bool>, error-code>`
    #[link_name = "[method]descriptor.read"]
    pub fn read(fd: u32, len: u64, offset: u64, ret: *mut Ret);
    /// `result<filesize, error-code>`
    #[link_name = "[method]descriptor.write"]
    pub fn write(fd: u32, ptr: *const u8, len: usize, offset: u64, ret: *mut Ret);
    /// `result<own<directory-entry-stream>, error-code>`
    #[link_name = "[method]descriptor.read-directory"]
    pub fn read_directory(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.sync"]
    pub fn sync(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.create-directory-at"]
    pub fn create_directory_at(fd: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    /// `result<descriptor-stat, error-code>`
    #[link_name = "[method]descriptor.stat"]
    pub fn stat(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.stat-at"]
    pub fn stat_at(fd: u32, flags: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    #[link_name = "[method]descriptor.set-times-at"]
    pub fn set_times_at(
        fd: u32,
        flags: u32,
        ptr: *const u8,
        len: usize,
        atim_tag: u32,
        atim_s: u64,
        atim_ns: u32,
        mtim_tag: u32,
        mtim_s: u64,
        mtim_ns: u32,
        ret: *mut Ret,
    );
    #[link_name = "[method]descriptor.link-at"]
    pub fn link_at(
        fd: u32,
        flags: u32,
        old_ptr: *const u8,
        old_len: usize,
        new_fd: u32,
        new_ptr: *const u8,
        new_len: usize,
        ret: *mut Ret,
    );
    /// `result<own<descriptor>, error-code>`
    #[link_name = "[method]descriptor.open-at"]
    pub fn open_at(
        fd: u32,
        path_flags: u32,
        ptr: *const u8,
        len: usize,
        open_flags: u32,
        flags: u32,
        ret: *mut Ret,
    );
    /// `result<string, error-code>`
    #[link_name = "[method]descriptor.readlink-at"]
    pub fn readlink_at(fd: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    #[link_name = "[method]descriptor.remove-directory-at"]
    pub fn remove_directory_at(fd: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    #[link_name = "[method]descriptor.rename-at"]
    pub fn rename_at(
        fd: u32,
        old_ptr: *const u8,
        old_len: usize,
        new_fd: u32,
        new_ptr: *const u8,
        new_len: usize,
        ret: *mut Ret,
    );
    #[link_name = "[method]descriptor.symlink-at"]
    pub fn symlink_at(
        fd: u32,
        old_ptr: *const u8,
        old_len: usize,
        new_ptr: *const u8,
        new_len: usize,
        ret: *mut Ret,
    );
    #[link_name = "[method]descriptor.unlink-file-at"]
    pub fn unlink_file_at(fd: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    /// `result<metadata-hash-value, error-code>`: lower (u64) at 8.
    #[link_name = "[method]descriptor.metadata-hash"]
    pub fn metadata_hash(fd: u32, ret: *mut Ret);
    #[link_name = "[method]descriptor.metadata-hash-at"]
    pub fn metadata_hash_at(fd: u32, flags: u32, ptr: *const u8, len: usize, ret: *mut Ret);
    /// `result<option<directory-entry>, error-code>`
    #[link_name = "[method]directory-entry-stream.read-directory-entry"]
    pub fn read_directory_entry(stream: u32, ret: *mut Ret);
    #[link_name = "[resource-drop]descriptor"]
    pub fn drop_descriptor(handle: u32);
    #[link_name = "[resource-drop]directory-entry-stream"]
    pub fn drop_directory_entry_stream(handle: u32);
}

#[link(wasm_import_module = "wasi:random/random@0.2.0")]
unsafe extern "C" {
    /// `list<u8>`
    #[link_name = "get-random-bytes"]
    pub fn get_random_bytes(len: u64, ret: *mut Ret);
}

/// A return area: big enough and aligned for every result above (the
/// largest is `result<descriptor-stat, error-code>`, 104 bytes).
#[repr(C, align(8))]
pub struct Ret(pub [u8; 104]);

impl Ret {
    pub fn new() -> Ret {
        Ret([0; 104])
    }
    pub fn ptr(&mut self) -> *mut Ret {
        self
    }
    pub fn u8(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }
    pub fn u32(&self, at: usize) -> u32 {
        let mut b = [0u8; 4];
        if let Some(s) = self.0.get(at..at + 4) {
            b.copy_from_slice(s);
        }
        u32::from_le_bytes(b)
    }
    pub fn u64(&self, at: usize) -> u64 {
        let mut b = [0u8; 8];
        if let Some(s) = self.0.get(at..at + 8) {
            b.copy_from_slice(s);
        }
        u64::from_le_bytes(b)
    }
    /// `result<_, error-code>` and friends with a one-byte payload:
    /// the error code at 1.
    pub fn result_u8(&self) -> Result<u8, u8> {
        if self.u8(0) == 0 {
            Ok(self.u8(1))
        } else {
            Err(self.u8(1))
        }
    }
    /// A result whose payload is 4-aligned (handles, lists, strings): the
    /// value at 4, or the error code at 4.
    pub fn result_u32(&self) -> Result<u32, u8> {
        if self.u8(0) == 0 {
            Ok(self.u32(4))
        } else {
            Err(self.u8(4))
        }
    }
    /// A result whose payload is 8-aligned: the value at 8, or the error
    /// code at 8.
    pub fn result_u64(&self) -> Result<u64, u8> {
        if self.u8(0) == 0 {
            Ok(self.u64(8))
        } else {
            Err(self.u8(8))
        }
    }
}
