//! How the preview1 corpus (`fixtures/preview1/*/`) is built: the command
//! for a case's `main.rs` (rustc, `wasm32-wasip1`) or `main.c` (clang-19
//! against Debian's wasi-libc), and the stamp recorded next to the built
//! `program.wasm` so that a test can tell it is current without
//! rebuilding. Shared by `cargo xtask fixtures` (which builds) and the
//! corpus test (which checks the stamps).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The source of a case and the command that builds `program.wasm` from
/// it (run in the case's directory).
pub fn build_command(case: &Path) -> Option<(PathBuf, Command)> {
    let rust = case.join("main.rs");
    let c = case.join("main.c");
    if rust.exists() {
        let mut cmd = compono_testutil::command("rustc");
        cmd.args([
            "--edition=2021",
            "--target=wasm32-wasip1",
            "-Copt-level=2",
            "-Cdebuginfo=0",
            "-Cstrip=debuginfo",
            "-o",
            "program.wasm",
            "main.rs",
        ]);
        Some((rust, cmd))
    } else if c.exists() {
        let mut cmd = compono_testutil::command("clang-19");
        cmd.args([
            "--target=wasm32-wasi",
            "-O2",
            "-Wall",
            "-Werror",
            "-Wl,--strip-debug",
            "-o",
            "program.wasm",
            "main.c",
        ]);
        Some((c, cmd))
    } else {
        None
    }
}

/// The stamp of a case: a hash of its source and of the build command.
pub fn stamp(case: &Path) -> Result<String, String> {
    let (source, cmd) = build_command(case).ok_or("no main.rs or main.c")?;
    let text = std::fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x100_0000_01b3);
        }
    };
    feed(&text);
    // The program and its arguments, not `{cmd:?}`: that also lists the
    // variables the hermetic command removes, which depend on the caller.
    feed(cmd.get_program().as_encoded_bytes());
    for arg in cmd.get_args() {
        feed(b"\0");
        feed(arg.as_encoded_bytes());
    }
    Ok(format!("{hash:016x}\n"))
}
