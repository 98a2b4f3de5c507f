//! The filesystem sandbox: every path a guest names is resolved here, one
//! component at a time, relative to a directory handle the guest holds, so
//! that nothing outside that directory can be reached.
//!
//! The rules are cap-std's (which wasmtime uses): absolute paths, `..`
//! above the starting directory and symbolic links whose target is
//! absolute or climbs out all fail with a permission error (the WASI
//! `not-permitted`); links inside are followed by this code, never by the
//! operating system. Each step opens the next directory relative to the
//! file descriptor of the previous one with `O_NOFOLLOW`, through
//! `/proc/self/fd/N/name` (std has no `openat`), so a directory swapped
//! for a symbolic link while a path is being resolved (a symlink race) is
//! seen as a link and checked, not followed. This needs Linux; elsewhere
//! preopening a directory fails with a clear error.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How many symbolic links one path may go through (Linux's limit).
const MAX_SYMLINKS: usize = 40;

/// The error of any attempt to leave the directory, as cap-std words it.
pub(crate) fn escape() -> io::Error {
    io::Error::new(
        ErrorKind::PermissionDenied,
        "a path led outside of the filesystem",
    )
}

/// A directory the guest can name paths relative to.
pub(crate) struct Dir {
    file: fs::File,
}

/// An open file (or directory, for descriptor operations that work on
/// both).
pub(crate) struct File {
    file: fs::File,
}

/// How to open the last component of a path.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpenOptions {
    pub read: bool,
    pub write: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
    pub follow: bool,
}

/// What `open` found.
pub(crate) enum Opened {
    File(File),
    Dir(Dir),
}

/// Why resolving failed: the last component, which a trailing `/` asked to
/// enter, is missing or no directory.
#[derive(Debug)]
struct TrailingSlash;

impl std::fmt::Display for TrailingSlash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a path ending in `/` names no directory")
    }
}

impl std::error::Error for TrailingSlash {}

/// `path` without its trailing slashes, unless that leaves nothing
/// (`mkdir("a/")` makes `a`: a trailing slash only says "a directory").
pub(crate) fn trim_trailing_slashes(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() { path } else { trimmed }
}

/// A path resolved down to its last component: the directory holding it
/// (opened by the resolution, or the starting directory) and its name;
/// `.` when the path names that directory itself (`.`, `a/..`).
struct Resolved<'a> {
    start: &'a Dir,
    stack: Vec<fs::File>,
    name: String,
}

impl Resolved<'_> {
    fn parent(&self) -> &fs::File {
        self.stack.last().unwrap_or(&self.start.file)
    }

    /// The path the operating system resolves as "`name` in the parent"
    /// without looking at anything else.
    fn path(&self) -> PathBuf {
        sys::at(self.parent(), OsStr::new(&self.name))
    }
}

impl Dir {
    /// Opens a directory of the host to preopen it.
    pub fn open_preopen(path: &Path) -> io::Result<Dir> {
        let file = sys::open_dir(path)?;
        if !file.metadata()?.is_dir() {
            return Err(io::Error::new(
                ErrorKind::NotADirectory,
                format!("`{}` is not a directory", path.display()),
            ));
        }
        sys::check_fd_paths(&file)?;
        Ok(Dir { file })
    }

    /// Resolves `path` down to its last component, following symbolic
    /// links on the way (and at the end when `follow`), never leaving
    /// `self`.
    fn resolve(&self, path: &str, follow: bool) -> io::Result<Resolved<'_>> {
        if path.is_empty() {
            return Err(io::Error::from(ErrorKind::NotFound));
        }
        if path.starts_with('/') {
            return Err(escape());
        }
        let mut pending: Vec<String> = Vec::new();
        push_components(&mut pending, path);
        let mut resolved = Resolved {
            start: self,
            stack: Vec::new(),
            name: ".".to_string(),
        };
        let mut links = 0;
        // `pending` is a stack: the next component is last.
        while let Some(component) = pending.pop() {
            if component == ".." {
                if resolved.stack.pop().is_none() {
                    return Err(escape());
                }
                continue;
            }
            let last = pending.is_empty();
            // A trailing `/` (kept as a final `.`) makes the component
            // before it a directory that must be entered.
            let is_dir_marker = component == ".";
            if is_dir_marker {
                continue;
            }
            let must_enter = !last;
            if !must_enter && !follow {
                resolved.name = component;
                return Ok(resolved);
            }
            let at = sys::at(resolved.parent(), OsStr::new(&component));
            if must_enter {
                match sys::open_path_dir(&at) {
                    Ok(dir) => {
                        resolved.stack.push(dir);
                        continue;
                    }
                    // Only a trailing `/` asked to enter it: `open` answers
                    // that differently when creating.
                    Err(e)
                        if !is_symlink(&at)
                            && pending.iter().all(|c| c == ".")
                            && matches!(
                                e.kind(),
                                ErrorKind::NotFound | ErrorKind::NotADirectory
                            ) =>
                    {
                        return Err(io::Error::new(e.kind(), TrailingSlash));
                    }
                    Err(e) if !is_symlink(&at) => return Err(e),
                    Err(_) => {}
                }
            } else if !is_symlink(&at) {
                resolved.name = component;
                return Ok(resolved);
            }
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(io::Error::from_raw_os_error(sys::ELOOP));
            }
            let target = fs::read_link(&at)?;
            let target = target
                .to_str()
                .ok_or_else(|| io::Error::from(ErrorKind::InvalidData))?;
            if target.starts_with('/') {
                return Err(escape());
            }
            push_components(&mut pending, target);
        }
        resolved.name = ".".to_string();
        Ok(resolved)
    }

    /// Opens `path` (creating, truncating as asked). A symbolic link as
    /// the last component is followed only with `follow`; without, it
    /// fails with `ELOOP` as POSIX's `O_NOFOLLOW` does.
    pub fn open(&self, path: &str, options: OpenOptions) -> io::Result<Opened> {
        // Creating through a trailing `/` asks for a directory: once the
        // rest resolves, `EISDIR`, as Linux and wasmtime answer, whatever
        // is there (a directory too).
        if options.create && path.ends_with('/') && !path.starts_with('/') {
            self.resolve(path.trim_end_matches('/'), false)?;
            return Err(io::Error::from(ErrorKind::IsADirectory));
        }
        // `O_CREAT | O_EXCL` never follows a link: the link exists.
        let exclusive = options.create && options.exclusive;
        let resolved = match self.resolve(path, options.follow && !exclusive) {
            // The same through a link whose target ends in `/`.
            Err(e) if options.create && e.get_ref().is_some_and(|e| e.is::<TrailingSlash>()) => {
                return Err(io::Error::from(ErrorKind::IsADirectory));
            }
            r => r?,
        };
        // Without `follow`, a link is `ELOOP` even where the operating
        // system would say `ENOTDIR` first (`O_DIRECTORY`), as in cap-std.
        if !options.follow && !exclusive && is_symlink(&resolved.path()) {
            return Err(io::Error::from_raw_os_error(sys::ELOOP));
        }
        let file = sys::open(&resolved.path(), &options)?;
        if file.metadata()?.is_dir() {
            Ok(Opened::Dir(Dir { file }))
        } else if options.directory {
            Err(io::Error::from(ErrorKind::NotADirectory))
        } else {
            Ok(Opened::File(File { file }))
        }
    }

    pub fn create_dir(&self, path: &str) -> io::Result<()> {
        fs::create_dir(self.resolve(path, false)?.path())
    }

    pub fn remove_dir(&self, path: &str) -> io::Result<()> {
        fs::remove_dir(self.resolve(path, false)?.path())
    }

    pub fn unlink(&self, path: &str) -> io::Result<()> {
        let resolved = self.resolve(path, false)?;
        if path.ends_with('/') {
            // `unlink("file/")`: the trailing slash asks for a directory.
            let meta = fs::symlink_metadata(resolved.path())?;
            return Err(io::Error::from(if meta.is_dir() {
                ErrorKind::IsADirectory
            } else {
                ErrorKind::NotADirectory
            }));
        }
        fs::remove_file(resolved.path())
    }

    pub fn rename(&self, old: &str, new_dir: &Dir, new: &str) -> io::Result<()> {
        // Both parents are resolved first; then, as rename(2) checks, a
        // missing source, and a trailing `/` on a source that is no
        // directory.
        let from = self.resolve(trim_trailing_slashes(old), false)?;
        let to = new_dir.resolve(trim_trailing_slashes(new), false)?;
        // A directory through itself (`.`, `d/..`) is in use.
        if from.name == "." || to.name == "." {
            return Err(io::Error::from(ErrorKind::ResourceBusy));
        }
        let meta = fs::symlink_metadata(from.path())?;
        if (old.ends_with('/') || new.ends_with('/')) && !meta.is_dir() {
            return Err(io::Error::from(ErrorKind::NotADirectory));
        }
        fs::rename(from.path(), to.path())
    }

    pub fn hard_link(&self, old: &str, new_dir: &Dir, new: &str) -> io::Result<()> {
        let from = self.resolve(old, false)?;
        let to = new_dir.resolve(new, false)?;
        fs::hard_link(from.path(), to.path())
    }

    /// Makes a symbolic link at `path` to `target`, which may not be
    /// absolute (the link could never be followed).
    pub fn symlink(&self, target: &str, path: &str) -> io::Result<()> {
        if target.starts_with('/') {
            return Err(escape());
        }
        sys::symlink(target, &self.resolve(path, false)?.path())
    }

    /// The target of the symbolic link at `path`; an absolute target is
    /// refused, as cap-std's `read_link` does.
    pub fn read_link(&self, path: &str) -> io::Result<PathBuf> {
        let target = fs::read_link(self.resolve(path, false)?.path())?;
        if target.has_root() {
            return Err(escape());
        }
        Ok(target)
    }

    pub fn metadata_at(&self, path: &str, follow: bool) -> io::Result<fs::Metadata> {
        fs::symlink_metadata(self.resolve(path, follow)?.path())
    }

    pub fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        accessed: Option<SystemTime>,
        modified: Option<SystemTime>,
    ) -> io::Result<()> {
        let resolved = self.resolve(path, follow)?;
        // Nothing to change succeeds without looking at the file, as
        // Linux's utimensat does (with both times `UTIME_OMIT`) when it
        // does not follow the last link; following, wasmtime opens it.
        if !follow && accessed.is_none() && modified.is_none() {
            return Ok(());
        }
        if !follow && is_symlink(&resolved.path()) {
            // A link's own times need `utimensat(AT_SYMLINK_NOFOLLOW)`,
            // which Rust's standard library does not offer.
            return Err(io::Error::new(
                ErrorKind::Unsupported,
                "setting a symbolic link's own times",
            ));
        }
        let options = OpenOptions {
            read: true,
            ..OpenOptions::default()
        };
        let file = sys::open(&resolved.path(), &options)?;
        set_times(&file, accessed, modified)
    }

    /// The directory's entries (without `.` and `..`): name and type.
    pub fn entries(&self) -> io::Result<Vec<(std::ffi::OsString, fs::FileType)>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(sys::at(&self.file, OsStr::new(".")))? {
            let entry = entry?;
            entries.push((entry.file_name(), entry.file_type()?));
        }
        Ok(entries)
    }

    pub fn as_file(&self) -> &fs::File {
        &self.file
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Pushes the components of `path` onto `pending` (a stack, so in reverse
/// order), dropping empty and `.` ones except a trailing `/`, kept as `.`
/// so the component before it is entered as a directory.
fn push_components(pending: &mut Vec<String>, path: &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let trailing_slash = parts.len() > 1 && parts.last() == Some(&"");
    parts.retain(|p| !p.is_empty() && *p != ".");
    if trailing_slash && !parts.is_empty() {
        pending.push(".".to_string());
    }
    pending.extend(parts.into_iter().rev().map(str::to_string));
}

fn set_times(
    file: &fs::File,
    accessed: Option<SystemTime>,
    modified: Option<SystemTime>,
) -> io::Result<()> {
    let mut times = fs::FileTimes::new();
    if let Some(t) = accessed {
        times = times.set_accessed(t);
    }
    if let Some(t) = modified {
        times = times.set_modified(t);
    }
    file.set_times(times)
}

impl File {
    pub fn from_dir(dir: &Dir) -> io::Result<File> {
        Ok(File {
            file: dir.file.try_clone()?,
        })
    }

    pub fn read_at(&self, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
        loop {
            match sys::read_at(&self.file, buffer, offset) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    pub fn write_all_at(&self, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
        while !bytes.is_empty() {
            match sys::write_at(&self.file, bytes, offset) {
                Ok(0) => return Err(io::Error::from(ErrorKind::WriteZero)),
                Ok(n) => {
                    bytes = &bytes[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes at `offset`, returning how much was written.
    pub fn write_at(&self, bytes: &[u8], offset: u64) -> io::Result<usize> {
        self.write_all_at(bytes, offset).map(|()| bytes.len())
    }

    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    pub fn metadata(&self) -> io::Result<fs::Metadata> {
        self.file.metadata()
    }

    pub fn set_len(&self, size: u64) -> io::Result<()> {
        self.file.set_len(size)
    }

    pub fn sync_all(&self) -> io::Result<()> {
        self.file.sync_all()
    }

    pub fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    pub fn set_times(
        &self,
        accessed: Option<SystemTime>,
        modified: Option<SystemTime>,
    ) -> io::Result<()> {
        set_times(&self.file, accessed, modified)
    }
}

/// The operating-system specifics: open flags, `/proc/self/fd` paths,
/// positioned reads and writes.
#[cfg(target_os = "linux")]
mod sys {
    use super::OpenOptions;
    use std::ffi::OsStr;
    use std::fs;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{FileExt, OpenOptionsExt};
    use std::path::{Path, PathBuf};

    // Linux's open flags, which std does not name; they differ between
    // architectures.
    #[cfg(any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64"
    ))]
    mod flags {
        pub const O_DIRECTORY: i32 = 0o40000;
        pub const O_NOFOLLOW: i32 = 0o100000;
    }
    #[cfg(not(any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64"
    )))]
    mod flags {
        pub const O_DIRECTORY: i32 = 0o200000;
        pub const O_NOFOLLOW: i32 = 0o400000;
    }
    const O_PATH: i32 = 0o10000000;
    pub const ELOOP: i32 = 40;
    use flags::{O_DIRECTORY, O_NOFOLLOW};

    /// `name` inside the directory open as `dir`: the kernel resolves
    /// `/proc/self/fd/N` to the open directory itself, whatever its path
    /// is now, and then looks up the one component `name` in it.
    pub fn at(dir: &fs::File, name: &OsStr) -> PathBuf {
        let mut path = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
        path.push(name);
        path
    }

    pub fn check_fd_paths(dir: &fs::File) -> io::Result<()> {
        fs::metadata(at(dir, OsStr::new(".")))
            .map(drop)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("preopened directories need /proc/self/fd: {e}"),
                )
            })
    }

    pub fn open_dir(path: &Path) -> io::Result<fs::File> {
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(O_DIRECTORY)
            .open(path)
    }

    /// Opens a directory to look paths up in (not to read it); a symbolic
    /// link is not followed (`ENOTDIR`).
    pub fn open_path_dir(path: &Path) -> io::Result<fs::File> {
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(O_PATH | O_DIRECTORY | O_NOFOLLOW)
            .open(path)
    }

    pub fn open(path: &Path, options: &OpenOptions) -> io::Result<fs::File> {
        let mut flags = O_NOFOLLOW;
        if options.directory {
            flags |= O_DIRECTORY;
        }
        let mut open = fs::OpenOptions::new();
        open.read(options.read || !options.write)
            .write(options.write)
            .truncate(options.truncate)
            .custom_flags(flags);
        if options.exclusive {
            open.create_new(options.create);
        } else {
            open.create(options.create);
        }
        open.open(path)
    }

    pub fn symlink(target: &str, link: &Path) -> io::Result<()> {
        std::os::unix::fs::symlink(target, link)
    }

    pub fn read_at(file: &fs::File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
        file.read_at(buffer, offset)
    }

    pub fn write_at(file: &fs::File, bytes: &[u8], offset: u64) -> io::Result<usize> {
        file.write_at(bytes, offset)
    }
}

/// Elsewhere there is no race-free way to resolve paths with std alone:
/// preopening fails, so no path is ever resolved.
#[cfg(not(target_os = "linux"))]
mod sys {
    use super::OpenOptions;
    use std::ffi::OsStr;
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    pub const ELOOP: i32 = 40;

    fn unsupported() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "preopened directories are only supported on Linux",
        )
    }

    pub fn at(_dir: &fs::File, name: &OsStr) -> PathBuf {
        PathBuf::from(name)
    }

    pub fn check_fd_paths(_dir: &fs::File) -> io::Result<()> {
        Err(unsupported())
    }

    pub fn open_dir(_path: &Path) -> io::Result<fs::File> {
        Err(unsupported())
    }

    pub fn open_path_dir(_path: &Path) -> io::Result<fs::File> {
        Err(unsupported())
    }

    pub fn open(_path: &Path, _options: &OpenOptions) -> io::Result<fs::File> {
        Err(unsupported())
    }

    pub fn symlink(_target: &str, _link: &Path) -> io::Result<()> {
        Err(unsupported())
    }

    pub fn read_at(_file: &fs::File, _buffer: &mut [u8], _offset: u64) -> io::Result<usize> {
        Err(unsupported())
    }

    pub fn write_at(_file: &fs::File, _bytes: &[u8], _offset: u64) -> io::Result<usize> {
        Err(unsupported())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A sandbox `root/box` with a file and a directory inside, and a
    /// secret outside it (`root/secret`).
    fn sandbox() -> (tempfile::TempDir, Dir) {
        let root = tempfile::tempdir().unwrap();
        let inside = root.path().join("box");
        fs::create_dir_all(inside.join("sub")).unwrap();
        fs::write(inside.join("file"), "inside").unwrap();
        fs::write(root.path().join("secret"), "OUTSIDE").unwrap();
        let dir = Dir::open_preopen(&inside).unwrap();
        (root, dir)
    }

    fn read(dir: &Dir, path: &str) -> io::Result<String> {
        let options = OpenOptions {
            read: true,
            follow: true,
            ..OpenOptions::default()
        };
        match dir.open(path, options)? {
            Opened::File(f) => {
                let mut buffer = vec![0; 64];
                let n = f.read_at(&mut buffer, 0)?;
                Ok(String::from_utf8_lossy(&buffer[..n]).into_owned())
            }
            Opened::Dir(_) => Ok("<dir>".to_string()),
        }
    }

    fn is_escape(r: io::Result<impl std::fmt::Debug>) -> bool {
        matches!(r, Err(e) if e.kind() == ErrorKind::PermissionDenied)
    }

    #[test]
    fn paths_inside_resolve() {
        let (_root, dir) = sandbox();
        assert_eq!(read(&dir, "file").unwrap(), "inside");
        assert_eq!(read(&dir, "./sub/../file").unwrap(), "inside");
        assert_eq!(read(&dir, "sub//..//file").unwrap(), "inside");
        assert_eq!(read(&dir, ".").unwrap(), "<dir>");
        assert_eq!(read(&dir, "sub/").unwrap(), "<dir>");
        assert_eq!(
            read(&dir, "file/").unwrap_err().kind(),
            ErrorKind::NotADirectory
        );
        assert_eq!(read(&dir, "").unwrap_err().kind(), ErrorKind::NotFound);
    }

    #[test]
    fn dot_dot_and_absolute_paths_cannot_leave() {
        let (_root, dir) = sandbox();
        assert!(is_escape(read(&dir, "../secret")));
        assert!(is_escape(read(&dir, "sub/../../secret")));
        assert!(is_escape(read(&dir, "..")));
        assert!(is_escape(read(&dir, "/etc/passwd")));
        assert!(is_escape(dir.metadata_at("../secret", false)));
        assert!(is_escape(dir.create_dir("../made")));
        assert!(is_escape(dir.unlink("sub/../../secret")));
        assert!(is_escape(dir.rename("file", &dir, "../moved")));
    }

    #[test]
    fn symlinks_are_followed_only_inside() {
        let (root, dir) = sandbox();
        let inside = root.path().join("box");
        symlink("file", inside.join("good")).unwrap();
        symlink("sub/../file", inside.join("good2")).unwrap();
        symlink("../secret", inside.join("out")).unwrap();
        symlink(root.path().join("secret"), inside.join("abs")).unwrap();
        symlink("..", inside.join("sub/up")).unwrap();
        symlink("loop", inside.join("loop")).unwrap();
        assert_eq!(read(&dir, "good").unwrap(), "inside");
        assert_eq!(read(&dir, "good2").unwrap(), "inside");
        assert_eq!(read(&dir, "sub/up/file").unwrap(), "inside");
        assert!(is_escape(read(&dir, "out")));
        assert!(is_escape(read(&dir, "abs")));
        assert!(is_escape(read(&dir, "sub/up/../secret")));
        assert!(is_escape(dir.metadata_at("out", true)));
        assert!(is_escape(dir.metadata_at("abs/x", false)));
        // Not following: the link itself is there to see.
        assert!(dir.metadata_at("out", false).unwrap().is_symlink());
        assert_eq!(dir.read_link("out").unwrap(), Path::new("../secret"));
        assert!(is_escape(dir.read_link("abs")));
        let no_follow = OpenOptions {
            read: true,
            ..OpenOptions::default()
        };
        assert_eq!(
            dir.open("out", no_follow).err().unwrap().raw_os_error(),
            Some(40)
        );
        assert_eq!(
            read(&dir, "loop").unwrap_err().raw_os_error(),
            Some(sys::ELOOP)
        );
        assert!(is_escape(dir.symlink("/etc/passwd", "new")));
        // Creating through a link that leads out fails too.
        let create = OpenOptions {
            write: true,
            create: true,
            follow: true,
            ..OpenOptions::default()
        };
        symlink("../created", inside.join("dangling")).unwrap();
        assert!(is_escape(dir.open("dangling", create).map(drop)));
        assert!(!root.path().join("created").exists());
    }

    /// A directory on the path is swapped for a symbolic link that leads
    /// out while the guest keeps opening a file through it: each open
    /// either finds the file inside or fails, never the secret outside.
    #[test]
    fn symlink_races_never_leave_the_sandbox() {
        let (root, dir) = sandbox();
        let inside = root.path().join("box");
        fs::create_dir(inside.join("d")).unwrap();
        fs::write(inside.join("d/secret"), "inside").unwrap();
        symlink("..", inside.join("link")).unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flipper = {
            let (inside, stop) = (inside.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut flips = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = fs::rename(inside.join("d"), inside.join("parked"));
                    let _ = fs::rename(inside.join("link"), inside.join("d"));
                    let _ = fs::rename(inside.join("d"), inside.join("link"));
                    let _ = fs::rename(inside.join("parked"), inside.join("d"));
                    flips += 1;
                }
                flips
            })
        };
        let (mut inside_reads, mut failures) = (0, 0);
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(500) {
            match read(&dir, "d/secret") {
                Ok(text) => {
                    assert_eq!(text, "inside", "read through a link that leads out");
                    inside_reads += 1;
                }
                Err(_) => failures += 1,
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let flips = flipper.join().unwrap();
        assert!(flips > 10, "the race did not run ({flips} flips)");
        assert!(inside_reads + failures > 10);
    }

    use std::sync::Arc;
}
