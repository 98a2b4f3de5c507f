//! C source compatibility with wit-bindgen 0.61's C generator (the
//! `wit-bindgen-c` crate, a test-only oracle), in two tests.
//!
//! `api`: for every world in `fixtures/` (and the WASI
//! worlds `wasi:cli/command` and `wasi:http/proxy`), the header compono
//! generates declares exactly what wit-bindgen's declares: the same functions,
//! typedefs, structs and macros with the same signatures, field lists and
//! values, read back with clang-19 (`decls.rs`). The generated file names
//! must match too.
//!
//! A few option sets run on every world (UTF-16 strings, borrows dropped
//! by the bindings) and a few more on chosen worlds (`--rename`,
//! `--rename-world`, no signature flattening, no helpers).
//!
//! Differences kept on purpose are listed in `KEPT` with their reason (and
//! in the README); a difference not listed there fails the test, and so
//! does a listed one that no longer occurs.
//!
//! `port`: the C and C++ guests in `fixtures/bindgen/guests/c`, written
//! against wit-bindgen's headers, compile with `-Wall -Wextra -Werror`
//! against wit-bindgen's bindings and against compono's, and both builds
//! give the same results in wasmtime (`fixtures/bindgen/runtime/host.py`
//! and the world's `cases.py`).
//!
//! Every tool runs with stdin closed and an explicit environment.

mod api;
mod decls;
mod generate;
mod port;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A tool with nothing inherited: stdin closed, only `PATH` and `HOME`
/// (where pip may have put the oracles) from the environment.
fn tool(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = compono_testutil::command(program);
    cmd.env_clear()
        .env("LC_ALL", "C")
        // host.py loads `cases.py`: no bytecode caches in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null());
    for var in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd
}
