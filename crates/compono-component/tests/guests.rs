//! Modules from real producers, checked in under `fixtures/guests/NAME/
//! guest.wasm` (rebuilt by `fixtures/guests/build.sh`): a Rust guest made
//! with wit-bindgen and a C guest made with clang against a hand-written
//! canonical-ABI world. Each is wrapped by `compono new` and run in wasmtime
//! by `tests/guests/NAME.py`, which checks results and prints a transcript;
//! with `wasm-tools` on PATH the component `wasm-tools component new` makes
//! from the same module must give the same transcript. Where clang-19 is
//! installed, the checked-in C guest must be what its sources build to.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/guests")
}

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests")
}

fn available(program: &str, args: &[&str]) -> bool {
    compono_testutil::command(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `script` on `component`; its stdout is the transcript.
fn run_script(script: &Path, component: &[u8]) -> Result<String, Failed> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("component.wasm");
    std::fs::write(&path, component)?;
    let output = compono_testutil::command("python3")
        .arg(script)
        .arg(&path)
        .env(
            "PYTHONPATH",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime"),
        )
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "{} failed:\n{}{}",
            script.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn wasm_tools_component(module: &Path) -> Result<Vec<u8>, Failed> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("theirs.wasm");
    let output = compono_testutil::command("wasm-tools")
        .args(["component", "new"])
        .arg(module)
        .arg("-o")
        .arg(&out)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "wasm-tools component new failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(std::fs::read(out)?)
}

fn run_guest(name: &str, interop: bool) -> Result<(), Failed> {
    let module_path = guests_dir().join(name).join("guest.wasm");
    let module = std::fs::read(&module_path)?;
    let ours = compono_component::new(&module, &Default::default())
        .map_err(|e| format!("compono new: {e}"))?;
    let script = scripts_dir().join(format!("{name}.py"));
    let transcript = run_script(&script, &ours)?;
    if interop {
        let theirs = wasm_tools_component(&module_path)?;
        let expected = run_script(&script, &theirs)?;
        if transcript != expected {
            return Err(format!(
                "our component and wasm-tools' differ:\n{}",
                pretty_assertions::StrComparison::new(&expected, &transcript)
            )
            .into());
        }
    }
    Ok(())
}

/// The checked-in C guest is what `guest.c` and `world.wit` build to.
fn c_guest_is_current() -> Result<(), Failed> {
    let dir = guests_dir().join("c");
    let tmp = tempfile::tempdir()?;
    let core = tmp.path().join("guest.core.wasm");
    let output = compono_testutil::command("clang-19")
        .args([
            "--target=wasm32-unknown-unknown",
            "-O2",
            "-nostdlib",
            "-Wl,--no-entry",
            "-o",
        ])
        .arg(&core)
        .arg(dir.join("guest.c"))
        .output()?;
    if !output.status.success() {
        return Err(format!("clang-19: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_path(dir.join("world.wit"))?;
    let world = resolve.select_world(&[package], None)?;
    let built =
        compono_component::embed(&std::fs::read(&core)?, resolve, world, &Default::default())?;
    if built != std::fs::read(dir.join("guest.wasm"))? {
        return Err("fixtures/guests/c/guest.wasm is stale: run fixtures/guests/build.sh".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let python = available("python3", &["-c", "import wasmtime.component"]);
    let interop = available("wasm-tools", &["--version"]);
    let mut trials = Vec::new();
    if common::on_ci() && !(python && interop) {
        trials.push(Trial::test("oracles-available", || {
            Err("CI=true but Python's wasmtime or wasm-tools is missing".into())
        }));
    }
    for name in ["rust", "c"] {
        trials.push(
            Trial::test(format!("{name}-guest"), move || run_guest(name, interop))
                .with_ignored_flag(!python),
        );
    }
    let clang = available("clang-19", &["--version"]);
    trials.push(Trial::test("c-guest-is-current", c_guest_is_current).with_ignored_flag(!clang));
    libtest_mimic::run(&args, trials).exit();
}
