//! `wasi:filesystem`: `types` (descriptors and directory-entry streams)
//! and `preopens`. Paths go through the [`sandbox`](super::sandbox);
//! permissions, and the error codes the operating system's errors become,
//! follow wasmtime.

use super::clocks::datetime;
use super::ctx::DirPerms;
use super::host::{
    Host, bytes_arg, define, define_resource, enum_case, err, flags_arg, none, ok, ok_unit, record,
    some, string_arg, u64_arg, variant_arg,
};
use super::io::{FileReader, FileWriter, InputStream, OutputStream};
use super::sandbox::{Dir, File, OpenOptions, Opened, trim_trailing_slashes};
use super::table::{Resource, ty};
use super::{VERSION, WasiView};
use crate::error::Result;
use crate::linker::Linker;
use crate::val::{ResourceType, Val};
use std::io;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A WASI `error-code` case name.
type Code = &'static str;
type FsResult<V> = std::result::Result<V, Code>;

pub(crate) struct Descriptor {
    kind: Kind,
    /// What the preopen it came from allows.
    perms: DirPerms,
    /// How it was opened, for `get-flags`.
    read: bool,
    write: bool,
}

enum Kind {
    File(Arc<File>),
    Dir(Arc<Dir>),
}

impl Descriptor {
    pub fn preopen(dir: Arc<Dir>, perms: DirPerms) -> Descriptor {
        Descriptor {
            kind: Kind::Dir(dir),
            perms,
            read: true,
            write: perms == DirPerms::ReadWrite,
        }
    }

    fn file(&self) -> FsResult<&Arc<File>> {
        match &self.kind {
            Kind::File(f) => Ok(f),
            Kind::Dir(_) => Err("bad-descriptor"),
        }
    }

    fn dir(&self) -> FsResult<&Arc<Dir>> {
        match &self.kind {
            Kind::Dir(d) => Ok(d),
            Kind::File(_) => Err("not-directory"),
        }
    }

    fn writable(&self) -> bool {
        self.perms == DirPerms::ReadWrite
    }

    /// Directories must allow mutation for anything that changes them.
    fn mutable_dir(&self) -> FsResult<&Arc<Dir>> {
        let dir = self.dir()?;
        if !self.writable() {
            return Err("not-permitted");
        }
        Ok(dir)
    }

    fn metadata(&self) -> io::Result<std::fs::Metadata> {
        match &self.kind {
            Kind::File(f) => f.metadata(),
            Kind::Dir(d) => d.as_file().metadata(),
        }
    }
}

/// The entries of a directory, read when the stream is made.
pub(crate) struct DirEntries {
    entries: std::vec::IntoIter<FsResult<(Code, String)>>,
}

/// The WASI error code for an operating-system error, as wasmtime maps
/// them: by errno where it has one, else by kind.
pub(crate) fn error_code(e: &io::Error) -> Code {
    if let Some(code) = e.raw_os_error().and_then(errno_code) {
        return code;
    }
    match e.kind() {
        io::ErrorKind::NotFound => "no-entry",
        io::ErrorKind::PermissionDenied => "not-permitted",
        io::ErrorKind::AlreadyExists => "exist",
        io::ErrorKind::InvalidInput => "invalid",
        io::ErrorKind::NotADirectory => "not-directory",
        io::ErrorKind::IsADirectory => "is-directory",
        io::ErrorKind::Unsupported => "unsupported",
        io::ErrorKind::ResourceBusy => "busy",
        _ => "io",
    }
}

/// Linux's errno numbers (the same on every architecture for these).
#[cfg(target_os = "linux")]
fn errno_code(errno: i32) -> Option<Code> {
    Some(match errno {
        1 => "not-permitted",
        2 => "no-entry",
        4 => "interrupted",
        5 => "io",
        9 => "bad-descriptor",
        11 => "would-block",
        12 => "insufficient-memory",
        13 => "access",
        16 => "busy",
        17 => "exist",
        18 => "cross-device",
        20 => "not-directory",
        21 => "is-directory",
        22 => "invalid",
        27 => "file-too-large",
        28 => "insufficient-space",
        29 => "invalid-seek",
        30 => "read-only",
        31 => "too-many-links",
        32 => "pipe",
        36 => "name-too-long",
        39 => "not-empty",
        40 => "loop",
        75 => "overflow",
        84 => "illegal-byte-sequence",
        95 => "unsupported",
        114 => "already",
        115 => "in-progress",
        _ => return None,
    })
}

#[cfg(not(target_os = "linux"))]
fn errno_code(_errno: i32) -> Option<Code> {
    None
}

/// A `filesize` argument used as an offset or a length: the operating
/// system's are signed, and wasmtime answers `invalid` past `i64::MAX`,
/// even where nothing would be read or written.
fn file_offset(args: &[Val], i: usize) -> FsResult<u64> {
    match u64_arg(args, i) {
        Ok(n) if i64::try_from(n).is_ok() => Ok(n),
        _ => Err("invalid"),
    }
}

fn io_code<V>(r: io::Result<V>) -> FsResult<V> {
    r.map_err(|e| error_code(&e))
}

fn descriptor_type(ty: std::fs::FileType) -> Code {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_block_device() {
            return "block-device";
        }
        if ty.is_char_device() {
            return "character-device";
        }
        if ty.is_fifo() {
            return "fifo";
        }
        if ty.is_socket() {
            return "socket";
        }
    }
    if ty.is_dir() {
        "directory"
    } else if ty.is_symlink() {
        "symbolic-link"
    } else if ty.is_file() {
        "regular-file"
    } else {
        "unknown"
    }
}

fn timestamp(t: io::Result<SystemTime>) -> Val {
    match t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()) {
        Some(d) => some(datetime(d.as_secs(), d.subsec_nanos())),
        None => none(),
    }
}

fn stat(meta: &std::fs::Metadata) -> Val {
    #[cfg(unix)]
    let (links, changed) = {
        use std::os::unix::fs::MetadataExt;
        let changed = u64::try_from(meta.ctime())
            .ok()
            .map(|secs| some(datetime(secs, meta.ctime_nsec() as u32)))
            .unwrap_or_else(none);
        (meta.nlink(), changed)
    };
    #[cfg(not(unix))]
    let (links, changed) = (1, none());
    record([
        ("type", enum_case(descriptor_type(meta.file_type()))),
        ("link-count", Val::U64(links)),
        ("size", Val::U64(meta.len())),
        ("data-access-timestamp", timestamp(meta.accessed())),
        ("data-modification-timestamp", timestamp(meta.modified())),
        ("status-change-timestamp", changed),
    ])
}

/// A 128-bit value that is the same for two descriptors exactly when they
/// name the same file (device and inode), as `metadata-hash` asks.
fn metadata_hash(meta: &std::fs::Metadata) -> Val {
    let (dev, ino) = file_id(meta);
    let lower = mix(dev ^ mix(ino));
    let upper = mix(lower ^ 0x9e37_79b9_7f4a_7c15);
    record([("lower", Val::U64(lower)), ("upper", Val::U64(upper))])
}

fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// SplitMix64's finalizer.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn has(flags: &[String], name: &str) -> bool {
    flags.iter().any(|f| f == name)
}

/// A `new-timestamp` argument: `None` for `no-change`.
fn new_timestamp<T: WasiView>(
    host: &mut Host<'_, T>,
    args: &[Val],
    i: usize,
) -> Result<Option<SystemTime>> {
    let (case, payload) = variant_arg(args, i)?;
    Ok(match (case, payload) {
        ("now", _) => Some(host.ctx().clock.wall_time()),
        ("timestamp", Some(t)) => {
            let secs = match super::host::field(t, "seconds")? {
                Val::U64(s) => *s,
                _ => 0,
            };
            let nanos = match super::host::field(t, "nanoseconds")? {
                Val::U32(n) => *n,
                _ => 0,
            };
            Some(UNIX_EPOCH + std::time::Duration::new(secs, nanos))
        }
        _ => None,
    })
}

/// Turns an `FsResult` into the WIT's `result<T, error-code>`.
fn fs(r: FsResult<Option<Val>>) -> Val {
    match r {
        Ok(Some(v)) => ok(v),
        Ok(None) => ok_unit(),
        Err(code) => err(enum_case(code)),
    }
}

fn open_at(
    parent: &Descriptor,
    follow: bool,
    path: &str,
    open_flags: &[String],
    flags: &[String],
) -> FsResult<Descriptor> {
    let dir = parent.dir()?;
    let create = has(open_flags, "create");
    let truncate = has(open_flags, "truncate");
    let exclusive = has(open_flags, "exclusive");
    let directory = has(open_flags, "directory");
    let want_write = has(flags, "write");
    if !parent.writable() && (create || truncate || want_write) {
        return Err("not-permitted");
    }
    if has(flags, "file-integrity-sync")
        || has(flags, "data-integrity-sync")
        || has(flags, "requested-write-sync")
    {
        return Err("unsupported");
    }
    if directory && (create || exclusive || truncate) {
        return Err("invalid");
    }
    let write = want_write || create || truncate;
    let read = has(flags, "read") || !want_write;
    let options = OpenOptions {
        read,
        write,
        create,
        exclusive,
        truncate,
        directory,
        follow,
    };
    let opened = io_code(dir.open(path, options))?;
    let kind = match opened {
        Opened::Dir(d) => Kind::Dir(Arc::new(d)),
        Opened::File(f) => Kind::File(Arc::new(f)),
    };
    Ok(Descriptor {
        kind,
        perms: parent.perms,
        read,
        write,
    })
}

fn read_directory(d: &Descriptor) -> FsResult<DirEntries> {
    let entries = io_code(d.dir()?.entries())?
        .into_iter()
        .map(|(name, ty)| match name.into_string() {
            Ok(name) => Ok((descriptor_type(ty), name)),
            Err(_) => Err("illegal-byte-sequence"),
        })
        .collect::<Vec<_>>();
    Ok(DirEntries {
        entries: entries.into_iter(),
    })
}

pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    let mut types = linker.instance(&format!("wasi:filesystem/types@{VERSION}"))?;
    define_resource(
        &mut types,
        "descriptor",
        ResourceType::host::<ty::Descriptor>(),
    )?;
    define_resource(
        &mut types,
        "directory-entry-stream",
        ResourceType::host::<ty::DirectoryEntryStream>(),
    )?;

    // Methods that only look at the descriptor: `f` gets it and the
    // arguments after `self`.
    fn method<T: WasiView + 'static>(
        types: &mut crate::linker::LinkerInstance<'_, T>,
        name: &str,
        f: impl Fn(&Descriptor, &[Val]) -> FsResult<Option<Val>> + Send + Sync + 'static,
    ) -> Result<()> {
        define(
            types,
            &format!("[method]descriptor.{name}"),
            move |host: &mut Host<'_, T>, args| {
                let rep = host.rep(&args[0])?;
                let d = host.table().descriptor(rep)?;
                Ok(fs(f(d, &args[1..])))
            },
        )
    }

    method(&mut types, "advise", |d, args| {
        d.file()?;
        // Only the length is checked, as wasmtime does.
        file_offset(args, 1)?;
        Ok(None)
    })?;
    method(&mut types, "sync-data", |d, _| {
        io_code(match &d.kind {
            Kind::File(f) => f.sync_data(),
            Kind::Dir(dir) => dir.as_file().sync_data(),
        })
        .map(|()| None)
    })?;
    method(&mut types, "sync", |d, _| {
        io_code(match &d.kind {
            Kind::File(f) => f.sync_all(),
            Kind::Dir(dir) => dir.as_file().sync_all(),
        })
        .map(|()| None)
    })?;
    method(&mut types, "get-flags", |d, _| {
        let mut flags = Vec::new();
        if d.read {
            flags.push("read".to_string());
        }
        if d.write {
            flags.push(match d.kind {
                Kind::File(_) => "write".to_string(),
                Kind::Dir(_) => "mutate-directory".to_string(),
            });
        }
        Ok(Some(Val::Flags(flags)))
    })?;
    method(&mut types, "get-type", |d, _| {
        let ty = match &d.kind {
            Kind::Dir(_) => "directory",
            Kind::File(f) => descriptor_type(io_code(f.metadata())?.file_type()),
        };
        Ok(Some(enum_case(ty)))
    })?;
    method(&mut types, "set-size", |d, args| {
        let file = d.file()?;
        if !d.writable() {
            return Err("not-permitted");
        }
        io_code(file.set_len(u64_arg(args, 0).map_err(|_| "invalid")?)).map(|()| None)
    })?;
    method(&mut types, "read", |d, args| {
        let file = d.file()?;
        let len = u64_arg(args, 0).map_err(|_| "invalid")?;
        let offset = file_offset(args, 1)?;
        let mut buffer = vec![0; len.min(1 << 20) as usize];
        let n = io_code(file.read_at(&mut buffer, offset))?;
        buffer.truncate(n);
        Ok(Some(Val::Tuple(vec![
            Val::Bytes(buffer),
            Val::Bool(n == 0),
        ])))
    })?;
    method(&mut types, "write", |d, args| {
        let file = d.file()?;
        // Not opened for writing: wasmtime's error, even for nothing to
        // write (which the operating system would allow).
        if !d.write {
            return Err("bad-descriptor");
        }
        let bytes = bytes_arg(args, 0).map_err(|_| "invalid")?;
        let offset = file_offset(args, 1)?;
        let n = io_code(file.write_at(&bytes, offset))?;
        Ok(Some(Val::U64(n as u64)))
    })?;
    method(&mut types, "create-directory-at", |d, args| {
        let path = string_arg(args, 0).map_err(|_| "invalid")?;
        let path = trim_trailing_slashes(path);
        io_code(d.mutable_dir()?.create_dir(path)).map(|()| None)
    })?;
    method(&mut types, "stat", |d, _| {
        Ok(Some(stat(&io_code(d.metadata())?)))
    })?;
    method(&mut types, "stat-at", |d, args| {
        let follow = has(flags_arg(args, 0).map_err(|_| "invalid")?, "symlink-follow");
        let path = string_arg(args, 1).map_err(|_| "invalid")?;
        let meta = io_code(d.dir()?.metadata_at(path, follow))?;
        Ok(Some(stat(&meta)))
    })?;
    method(&mut types, "readlink-at", |d, args| {
        let path = string_arg(args, 0).map_err(|_| "invalid")?;
        let target = io_code(d.dir()?.read_link(path))?;
        match target.into_os_string().into_string() {
            Ok(s) => Ok(Some(Val::String(s))),
            Err(_) => Err("illegal-byte-sequence"),
        }
    })?;
    method(&mut types, "remove-directory-at", |d, args| {
        let path = string_arg(args, 0).map_err(|_| "invalid")?;
        io_code(d.mutable_dir()?.remove_dir(path)).map(|()| None)
    })?;
    method(&mut types, "symlink-at", |d, args| {
        let target = string_arg(args, 0).map_err(|_| "invalid")?;
        let path = string_arg(args, 1).map_err(|_| "invalid")?;
        io_code(d.mutable_dir()?.symlink(target, path)).map(|()| None)
    })?;
    method(&mut types, "unlink-file-at", |d, args| {
        let path = string_arg(args, 0).map_err(|_| "invalid")?;
        io_code(d.mutable_dir()?.unlink(path)).map(|()| None)
    })?;
    method(&mut types, "metadata-hash", |d, _| {
        Ok(Some(metadata_hash(&io_code(d.metadata())?)))
    })?;
    method(&mut types, "metadata-hash-at", |d, args| {
        let follow = has(flags_arg(args, 0).map_err(|_| "invalid")?, "symlink-follow");
        let path = string_arg(args, 1).map_err(|_| "invalid")?;
        let meta = io_code(d.dir()?.metadata_at(path, follow))?;
        Ok(Some(metadata_hash(&meta)))
    })?;

    define(
        &mut types,
        "[method]descriptor.set-times",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let accessed = new_timestamp(host, args, 1)?;
            let modified = new_timestamp(host, args, 2)?;
            let d = host.table().descriptor(rep)?;
            let r = if !d.writable() {
                Err("not-permitted")
            } else {
                io_code(match &d.kind {
                    Kind::File(f) => f.set_times(accessed, modified),
                    Kind::Dir(dir) => {
                        File::from_dir(dir).and_then(|f| f.set_times(accessed, modified))
                    }
                })
                .map(|()| None)
            };
            Ok(fs(r))
        },
    )?;
    define(
        &mut types,
        "[method]descriptor.set-times-at",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let follow = has(flags_arg(args, 1)?, "symlink-follow");
            let path = string_arg(args, 2)?.to_string();
            let accessed = new_timestamp(host, args, 3)?;
            let modified = new_timestamp(host, args, 4)?;
            let d = host.table().descriptor(rep)?;
            let r = d.mutable_dir().and_then(|dir| {
                io_code(dir.set_times_at(&path, follow, accessed, modified)).map(|()| None)
            });
            Ok(fs(r))
        },
    )?;
    define(
        &mut types,
        "[method]descriptor.open-at",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let follow = has(flags_arg(args, 1)?, "symlink-follow");
            let path = string_arg(args, 2)?;
            let open_flags = flags_arg(args, 3)?;
            let flags = flags_arg(args, 4)?;
            let parent = host.table().descriptor(rep)?;
            match open_at(parent, follow, path, open_flags, flags) {
                Ok(d) => Ok(ok(host.new_resource(Resource::Descriptor(d), None)?)),
                Err(code) => Ok(err(enum_case(code))),
            }
        },
    )?;
    for (name, is_rename) in [("link-at", false), ("rename-at", true)] {
        define(
            &mut types,
            &format!("[method]descriptor.{name}"),
            move |host: &mut Host<'_, T>, args| {
                // link-at has path flags before the old path.
                let (old, new_d, new) = if is_rename { (1, 2, 3) } else { (2, 3, 4) };
                let rep = host.rep(&args[0])?;
                let new_rep = host.rep(&args[new_d])?;
                let follow = !is_rename && has(flags_arg(args, 1)?, "symlink-follow");
                let old_path = string_arg(args, old)?.to_string();
                let new_path = string_arg(args, new)?.to_string();
                let table = host.table();
                let from = table.descriptor(rep)?.mutable_dir().cloned();
                let to = table.descriptor(new_rep)?.mutable_dir().cloned();
                let r = from.and_then(|from| {
                    let to = to?;
                    if follow {
                        return Err("invalid");
                    }
                    io_code(if is_rename {
                        from.rename(&old_path, &to, &new_path)
                    } else {
                        from.hard_link(&old_path, &to, &new_path)
                    })
                    .map(|()| None)
                });
                Ok(fs(r))
            },
        )?;
    }
    define(
        &mut types,
        "[method]descriptor.is-same-object",
        |host: &mut Host<'_, T>, args| {
            let a = host.rep(&args[0])?;
            let b = host.rep(&args[1])?;
            let table = host.table();
            let meta_a = table.descriptor(a)?.metadata();
            let meta_b = table.descriptor(b)?.metadata();
            Ok(Val::Bool(match (meta_a, meta_b) {
                (Ok(a), Ok(b)) => file_id(&a) == file_id(&b),
                _ => false,
            }))
        },
    )?;
    define(
        &mut types,
        "[method]descriptor.read-via-stream",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let offset = u64_arg(args, 1)?;
            let d = host.table().descriptor(rep)?;
            // wasmtime answers a directory with `is-directory` here (and
            // with `bad-descriptor` everywhere else).
            let file = match d.kind {
                Kind::Dir(_) => Err("is-directory"),
                Kind::File(ref f) => Ok(f.clone()),
            };
            match file {
                Ok(file) => {
                    let stream = InputStream::File(FileReader {
                        file,
                        position: offset,
                    });
                    Ok(ok(host.new_resource(Resource::Input(stream), None)?))
                }
                Err(code) => Ok(err(enum_case(code))),
            }
        },
    )?;
    for (name, append) in [("write-via-stream", false), ("append-via-stream", true)] {
        define(
            &mut types,
            &format!("[method]descriptor.{name}"),
            move |host: &mut Host<'_, T>, args| {
                let rep = host.rep(&args[0])?;
                let position = if append {
                    None
                } else {
                    Some(u64_arg(args, 1)?)
                };
                let d = host.table().descriptor(rep)?;
                let file = d.file().cloned().and_then(|f| {
                    if d.writable() {
                        Ok(f)
                    } else {
                        Err("bad-descriptor")
                    }
                });
                match file {
                    Ok(file) => {
                        let stream = OutputStream::File(FileWriter {
                            file,
                            position,
                            failed: false,
                        });
                        Ok(ok(host.new_resource(Resource::Output(stream), None)?))
                    }
                    Err(code) => Ok(err(enum_case(code))),
                }
            },
        )?;
    }
    define(
        &mut types,
        "[method]descriptor.read-directory",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            match read_directory(host.table().descriptor(rep)?) {
                Ok(entries) => Ok(ok(host.new_resource(Resource::DirEntries(entries), None)?)),
                Err(code) => Ok(err(enum_case(code))),
            }
        },
    )?;
    define(
        &mut types,
        "[method]directory-entry-stream.read-directory-entry",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let next = host.table().dir_entries(rep)?.entries.next();
            Ok(fs(match next {
                None => Ok(Some(none())),
                Some(Ok((ty, name))) => Ok(Some(some(record([
                    ("type", enum_case(ty)),
                    ("name", Val::String(name)),
                ])))),
                Some(Err(code)) => Err(code),
            }))
        },
    )?;
    define(
        &mut types,
        "filesystem-error-code",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            Ok(match host.table().error(rep)?.code {
                Some(code) => some(enum_case(code)),
                None => none(),
            })
        },
    )?;

    let mut preopens = linker.instance(&format!("wasi:filesystem/preopens@{VERSION}"))?;
    define(
        &mut preopens,
        "get-directories",
        |host: &mut Host<'_, T>, _| {
            let dirs: Vec<_> = host
                .ctx()
                .preopens
                .iter()
                .map(|p| (p.dir.clone(), p.perms, p.name.clone()))
                .collect();
            let mut list = Vec::new();
            for (dir, perms, name) in dirs {
                let d = Descriptor::preopen(dir, perms);
                let handle = host.new_resource(Resource::Descriptor(d), None)?;
                list.push(Val::Tuple(vec![handle, Val::String(name)]));
            }
            Ok(Val::List(list))
        },
    )?;
    Ok(())
}
