//! Modules from real producers, checked in under `fixtures/guests/NAME/
//! guest.wasm` (rebuilt by `fixtures/guests/build.sh`): a Rust guest made
//! with wit-bindgen and a C guest made with clang against a hand-written
//! canonical-ABI world. Each is wrapped by `compono new` and by
//! `wasm-tools component new`, and both components replay
//! `fixtures/guests/NAME/runtime.transcript` in compono's runtime and in
//! wasmtime-py (`compono_runtime::transcript`). Where clang-19 is
//! installed, the checked-in C guest must be what its sources build to.

mod common;

#[path = "../../compono-runtime/tests/support/drivers.rs"]
mod drivers;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use drivers::Case;
use libtest_mimic::{Arguments, Failed, Trial};

fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/guests")
}

fn available(program: &str, args: &[&str]) -> bool {
    compono_testutil::command(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

fn wasm_tools_component(module: &Path, out: &Path) -> Result<(), Failed> {
    let output = compono_testutil::command("wasm-tools")
        .args(["component", "new"])
        .arg(module)
        .arg("-o")
        .arg(out)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "wasm-tools component new failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(())
}

/// Wraps the guest with both tools and replays its transcript on both
/// components in both runtimes.
fn run_guest(name: &str, interop: bool) -> Result<(), Failed> {
    let module_path = guests_dir().join(name).join("guest.wasm");
    let module = std::fs::read(&module_path)?;
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("real-guests");
    std::fs::create_dir_all(&out)?;
    let ours = out.join(format!("{name}.compono.wasm"));
    std::fs::write(
        &ours,
        compono_component::new(&module, &Default::default())
            .map_err(|e| format!("compono new: {e}"))?,
    )?;
    let transcript = guests_dir().join(name).join("runtime.transcript");
    let mut cases = vec![Case {
        name: format!("{name}, compono new"),
        component: ours,
        transcript: transcript.clone(),
    }];
    if interop {
        let theirs = out.join(format!("{name}.wasm-tools.wasm"));
        wasm_tools_component(&module_path, &theirs)?;
        cases.push(Case {
            name: format!("{name}, wasm-tools component new"),
            component: theirs,
            transcript,
        });
    }
    let totals = drivers::replay_in_both(&cases);
    if !totals.failures.is_empty() {
        return Err(totals.failures.join("\n").into());
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
    let interop = available("wasm-tools", &["--version"]);
    let mut trials = Vec::new();
    if common::on_ci() && !interop {
        trials.push(Trial::test("oracles-available", || {
            Err("CI=true but wasm-tools is missing".into())
        }));
    }
    for name in ["rust", "c"] {
        trials.push(Trial::test(format!("{name}-guest"), move || {
            run_guest(name, interop)
        }));
    }
    let clang = available("clang-19", &["--version"]);
    trials.push(Trial::test("c-guest-is-current", c_guest_is_current).with_ignored_flag(!clang));
    libtest_mimic::run(&args, trials).exit();
}
