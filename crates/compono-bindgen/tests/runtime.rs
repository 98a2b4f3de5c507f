//! Runtime tests: every world under `fixtures/bindgen/runtime/` has guests
//! built on our bindings (Rust in `fixtures/bindgen/guests/rust/<world>`,
//! C in `fixtures/bindgen/guests/c/<world>.c`), wrapped into components and
//! run in wasmtime (Python `wasmtime.component`) by `runtime/host.py`,
//! which checks values in both directions.
//!
//! All Rust guests build in one `cargo build` of the guest workspace, so
//! the macro and runtime compile once.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guest_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-guests")
}

/// Core module to component. `wasm-tools component new` is the oracle
/// until `compono new` lands; swapping is this one function.
fn componentize(core: &Path, out: &Path) -> Result<(), String> {
    run(Command::new("wasm-tools")
        .arg("component")
        .arg("new")
        .arg(core)
        .arg("-o")
        .arg(out))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let output = cmd
        .output()
        .map_err(|e| format!("failed to run {cmd:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn worlds() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("fixtures/bindgen/runtime"))
        .expect("fixtures/bindgen/runtime exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("world.wit").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn build_rust_guests() -> Result<PathBuf, String> {
    let target = guest_target_dir();
    run(Command::new(env!("CARGO"))
        .current_dir(repo().join("fixtures/bindgen/guests"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .args(["build", "--quiet", "--target", "wasm32-unknown-unknown"]))?;
    Ok(target.join("wasm32-unknown-unknown/debug"))
}

fn run_host(component: &Path, world: &str) -> Result<String, String> {
    let world_dir = repo().join("fixtures/bindgen/runtime").join(world);
    let output = Command::new("python3")
        .arg(repo().join("fixtures/bindgen/runtime/host.py"))
        .arg(component)
        .arg(&world_dir)
        .output()
        .map_err(|e| format!("failed to run python3: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() && stdout.trim_end().ends_with(" passed, 0 failed") {
        Ok(stdout.trim().lines().last().unwrap_or("").to_string())
    } else {
        Err(format!(
            "host for `{world}` failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[test]
fn rust_guests_run_in_wasmtime() {
    let worlds = worlds();
    assert!(!worlds.is_empty(), "no runtime worlds found");
    let out_dir = guest_target_dir().join("components");
    std::fs::create_dir_all(&out_dir).expect("create components dir");
    let wasm_dir = build_rust_guests().unwrap_or_else(|e| panic!("building the Rust guests: {e}"));
    let mut failures = Vec::new();
    let mut passed = 0;
    for world in &worlds {
        let core = wasm_dir.join(format!("guest_{}.wasm", world.replace('-', "_")));
        if !core.exists() {
            failures.push(format!("{world}: no Rust guest built ({})", core.display()));
            continue;
        }
        let component = out_dir.join(format!("{world}.rust.wasm"));
        let result = componentize(&core, &component).and_then(|()| run_host(&component, world));
        match result {
            Ok(summary) => {
                passed += 1;
                eprintln!("{world} (rust): {summary}");
            }
            Err(e) => failures.push(format!("{world} (rust): {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} worlds failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{passed} Rust guest worlds passed");
}
