//! How tests spawn programs (`cargo`, `rustc`, `clang-19`, `python3`,
//! `wasm-tools`, our own binaries): every test in the workspace goes through
//! this crate, so that no test depends on the caller's environment.
//!
//! In a new test, write `compono_testutil::command(program)` where you would
//! write `Command::new(program)`, and for a nested cargo build
//! `compono_testutil::cargo(&compono_testutil::target_dir!("<test name>"))`.
//! A workspace test rejects `Command::new(` in any `tests/` directory.
//!
//! In an integration test (`target_dir!` needs the test's `CARGO_TARGET_TMPDIR`,
//! so this is not a doctest):
//!
//! ```text
//! // A nested build: its own target directory, nothing inherited that changes it.
//! let target = compono_testutil::target_dir!("codegen-corpus");
//! let out = compono_testutil::cargo(&target)
//!     .args(["check", "--quiet"])
//!     .env("RUSTFLAGS", "-D warnings") // flags are opt-in, per call
//!     .output()
//!     .unwrap();
//!
//! // Any other program.
//! let out = compono_testutil::command("clang-19").arg("--version").output().unwrap();
//! ```
//!
//! What [`command`] fixes, whatever the caller exported:
//!
//! - stdin is `/dev/null`: a child never reads the terminal or a pipe the
//!   test runner was started with. Tests that feed input set their own
//!   `.stdin(Stdio::piped())` afterwards.
//! - `RUSTFLAGS` and `RUSTDOCFLAGS` are set to empty (no flags: this also
//!   overrides `build.rustflags` in a cargo config), and their
//!   `CARGO_ENCODED_*` forms, which would take precedence, are removed. A
//!   test that wants flags sets `RUSTFLAGS` on the returned command.
//! - `RUSTC_WRAPPER` and `RUSTC_WORKSPACE_WRAPPER` are set to empty (no
//!   wrapper such as sccache, also overriding config); `RUSTC_BOOTSTRAP` is
//!   removed (it makes a stable compiler accept `#![feature]`, which changes
//!   what build scripts detect).
//! - `RUST_BACKTRACE=0` and no `RUST_LIB_BACKTRACE`: errors printed through
//!   `anyhow` carry no backtrace, so their text does not depend on the caller.
//! - every `CARGO_BUILD_*` (target, jobs, ...), `CARGO_TARGET_*` (target
//!   directory, per-target linker, runner and flags) and `CARGO_PROFILE_*`
//!   variable is removed; `CARGO_TERM_COLOR=never` keeps diagnostics plain
//!   text for the assertions that read them.
//!
//! [`cargo`] also sets `CARGO_TARGET_DIR` to the directory it is given; use
//! [`target_dir!`] with a name of its own for each test, so that tests never
//! share a target directory, whether they run alone, in parallel or twice.
//!
//! The first spawn also checks that `/dev/null` is the null device (see
//! [`check_dev_null`]).
//!
//! [`Rng`] is the seeded generator of the tests that generate their inputs.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Variables set to a fixed value on every spawned program.
const SET: &[(&str, &str)] = &[
    ("RUSTFLAGS", ""),
    ("RUSTDOCFLAGS", ""),
    ("RUSTC_WRAPPER", ""),
    ("RUSTC_WORKSPACE_WRAPPER", ""),
    ("RUST_BACKTRACE", "0"),
    ("CARGO_TERM_COLOR", "never"),
];

/// Variables removed from every spawned program.
const REMOVED: &[&str] = &[
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "RUSTC_BOOTSTRAP",
    "RUST_LIB_BACKTRACE",
];

/// Prefixes of variables removed from every spawned program.
const REMOVED_PREFIXES: &[&str] = &["CARGO_BUILD_", "CARGO_TARGET_", "CARGO_PROFILE_"];

/// `program`, spawned with stdin from `/dev/null` and the environment
/// described in the crate docs.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    if let Err(e) = dev_null_checked() {
        panic!("{e}");
    }
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null());
    for name in removed_vars(std::env::vars_os().map(|(name, _)| name)) {
        cmd.env_remove(name);
    }
    for (name, value) in SET {
        cmd.env(name, value);
    }
    cmd
}

/// The cargo running the tests, building into `target_dir` (see
/// [`target_dir!`]).
pub fn cargo(target_dir: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = command(cargo);
    cmd.env("CARGO_TARGET_DIR", target_dir);
    cmd
}

/// A target directory for one test's nested builds:
/// `<CARGO_TARGET_TMPDIR>/targets/<name>`. Give each test its own name.
#[macro_export]
macro_rules! target_dir {
    ($name:expr) => {
        $crate::target_dir_under(::std::path::Path::new(env!("CARGO_TARGET_TMPDIR")), $name)
    };
}

/// What [`target_dir!`] expands to (it needs the calling test's
/// `CARGO_TARGET_TMPDIR`, which only exists while that test compiles).
#[doc(hidden)]
pub fn target_dir_under(tmp: &Path, name: &str) -> PathBuf {
    tmp.join("targets").join(name)
}

/// Of the caller's variable names, those a spawned program must not see.
fn removed_vars(names: impl Iterator<Item = OsString>) -> Vec<OsString> {
    let mut removed: Vec<OsString> = REMOVED.iter().map(OsString::from).collect();
    removed.extend(names.filter(|name| {
        name.to_str()
            .is_some_and(|n| REMOVED_PREFIXES.iter().any(|p| n.starts_with(p)))
    }));
    removed
}

fn dev_null_checked() -> Result<(), &'static str> {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    CHECKED
        .get_or_init(check_dev_null)
        .as_ref()
        .map_err(String::as_str)
        .copied()
}

/// Whether `/dev/null` is the null device, with what to do when it is not.
///
/// Where it is a regular file (a container whose device node was removed,
/// after which any `> /dev/null` creates a file), what one process discards
/// becomes what the next one reads as its empty stdin. That is how builds
/// fail there: a build script's `#![feature]` probe (anyhow, thiserror,
/// proc-macro2) sends rustc's "error[E0554]: `#![feature]` may not be used
/// on the stable release channel" to `/dev/null`, and cargo's next
/// target-information probe, `rustc - --print=file-names ...` with stdin
/// from `/dev/null`, compiles that text and fails with "unknown start of
/// token". Nothing a test does can work around it, so we stop early and say so.
pub fn check_dev_null() -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let meta = std::fs::metadata("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
        if !meta.file_type().is_char_device() {
            return Err(format!(
                "/dev/null is not the null device but a {} of {} bytes: what programs \
                 discard there becomes the input of programs that read it, and nested \
                 builds fail (cargo's `rustc -` probe reads it). Recreate it as root: \
                 rm /dev/null && mknod -m 666 /dev/null c 1 3",
                if meta.is_file() {
                    "regular file"
                } else {
                    "non-device file"
                },
                meta.len()
            ));
        }
    }
    Ok(())
}

/// A count or a seed for a generated-input test from the environment
/// variable `name`, else `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The seeded generator of the tests that make their own inputs
/// (xorshift64*): small and deterministic, so a failing seed reproduces.
/// The state must not be zero.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_null_is_the_null_device() {
        check_dev_null().unwrap();
    }

    #[test]
    fn build_changing_variables_are_removed() {
        let names = [
            "CARGO_BUILD_TARGET",
            "CARGO_BUILD_RUSTC_WRAPPER",
            "CARGO_TARGET_DIR",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS",
            "CARGO_PROFILE_DEV_PANIC",
            "CARGO_HOME",
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "PATH",
        ];
        let removed = removed_vars(names.iter().map(OsString::from));
        let removed: Vec<&str> = removed.iter().map(|n| n.to_str().unwrap()).collect();
        for kept in ["CARGO_HOME", "CARGO", "CARGO_MANIFEST_DIR", "PATH"] {
            assert!(!removed.contains(&kept), "{kept} removed");
        }
        for name in &names[..5] {
            assert!(removed.contains(name), "{name} kept");
        }
        for name in REMOVED {
            assert!(removed.contains(name), "{name} kept");
        }
    }

    /// What a spawned program sees, whatever this test process was given
    /// (`cargo xtask test` runs it with `RUST_BACKTRACE=1` and data on stdin).
    #[cfg(target_os = "linux")]
    #[test]
    fn spawned_programs_see_null_stdin_and_fixed_variables() {
        let out = command("sh")
            .args([
                "-c",
                "printf '%s|%s|%s|%s|%s' \"$(readlink /proc/self/fd/0)\" \"$RUST_BACKTRACE\" \
                 \"${RUSTFLAGS-unset}\" \"${CARGO_ENCODED_RUSTFLAGS-unset}\" \"${RUSTC_WRAPPER-unset}\"",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), "/dev/null|0||unset|");
    }

    #[test]
    fn cargo_builds_into_the_given_directory() {
        let cmd = cargo(Path::new("/some/target"));
        let set = cmd
            .get_envs()
            .find(|(name, _)| *name == "CARGO_TARGET_DIR")
            .and_then(|(_, value)| value);
        assert_eq!(set, Some(OsStr::new("/some/target")));
    }

    /// Every test in the workspace spawns through this crate: a test
    /// calling `Command::new` directly would inherit the caller's environment.
    #[test]
    fn every_test_spawns_through_testutil() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root.join("tests")];
        for krate in std::fs::read_dir(root.join("crates")).unwrap() {
            dirs.push(krate.unwrap().path().join("tests"));
        }
        let mut offenders = Vec::new();
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && std::fs::read_to_string(&path)
                        .unwrap()
                        .contains("Command::new(")
                {
                    offenders.push(path.strip_prefix(&root).unwrap().display().to_string());
                }
            }
        }
        offenders.sort();
        assert!(
            offenders.is_empty(),
            "these tests spawn with `Command::new`; use `compono_testutil::command` \
             or `compono_testutil::cargo` instead: {offenders:?}"
        );
    }
}
