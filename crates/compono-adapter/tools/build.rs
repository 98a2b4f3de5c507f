//! Building the adapter: `cargo rustc` for `wasm32-unknown-unknown` with
//! the `adapter` profile and the flavour's feature, then `finish`.
//! Shared by `cargo xtask build-adapter` and the freshness test (which
//! include this file with `finish.rs` beside it as `super::finish`).

use std::path::Path;
use std::process::Command;

/// `rustc -V` of the toolchain cargo uses.
pub fn rustc_version() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-V")
        .output()
        .map_err(|e| format!("rustc: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds the `flavour` adapter in `target_dir` and finishes it.
pub fn build(root: &Path, target_dir: &Path, flavour: &str, wit: &Path) -> Result<Vec<u8>, String> {
    let status = Command::new("cargo")
        .current_dir(root)
        .args([
            "rustc",
            "--quiet",
            "--locked",
            "-p",
            "compono-adapter",
            "--profile",
            "adapter",
            "--target",
            "wasm32-unknown-unknown",
            "--crate-type",
            "cdylib",
            "--features",
            flavour,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .args([
            "--",
            // The main module's memory, no stack of its own in it.
            "-C",
            "link-arg=--import-memory",
            "-C",
            "link-arg=-zstack-size=0",
        ])
        // Nothing from the environment may change the bytes.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the {flavour} adapter failed ({status})"));
    }
    let raw_path = target_dir.join("wasm32-unknown-unknown/adapter/compono_adapter.wasm");
    let raw = std::fs::read(&raw_path).map_err(|e| format!("{}: {e}", raw_path.display()))?;
    super::finish::finish(&raw, flavour, wit)
}
