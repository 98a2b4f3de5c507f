//! The checked-in adapters are what `cargo xtask build-adapter` builds
//! from the sources now, byte for byte.
//!
//! The bytes depend on the compiler: the test compares only where the
//! toolchain they were built with (`adapter.rustc`) and the
//! `wasm32-unknown-unknown` target are present. Elsewhere it says why it
//! did not compare; under `CI=true` that is a failure.

#[path = "../tools/mod.rs"]
mod tools;

use std::path::Path;

fn target_installed() -> bool {
    compono_testutil::command("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        })
}

#[test]
fn checked_in_adapters_are_current() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.join("../..");
    let recorded = std::fs::read_to_string(crate_dir.join("adapter.rustc")).unwrap_or_default();
    let current = tools::build::rustc_version().unwrap_or_default();
    let wit = root.join("../shared/wit/wasi-0.2.6");
    let missing = if !target_installed() {
        Some("the wasm32-unknown-unknown target is not installed".to_string())
    } else if recorded != current {
        Some(format!(
            "the adapters were built with `{}`, this is `{}`",
            recorded.trim(),
            current.trim()
        ))
    } else if !wit.exists() {
        Some(format!("{} is missing", wit.display()))
    } else {
        None
    };
    if let Some(why) = missing {
        let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!on_ci, "cannot check the adapters on CI: {why}");
        eprintln!("not checking the adapters: {why}");
        return;
    }
    let target_dir = root.join("target/adapter-check");
    for flavour in ["command", "reactor"] {
        let built = tools::build::build(&root, &target_dir, flavour, &wit)
            .unwrap_or_else(|e| panic!("building the {flavour} adapter: {e}"));
        let path = crate_dir.join(format!("wasi_snapshot_preview1.{flavour}.wasm"));
        let checked_in = std::fs::read(&path).unwrap_or_default();
        assert!(
            built == checked_in,
            "{} is stale ({} bytes built, {} checked in): run `cargo xtask build-adapter`",
            path.display(),
            built.len(),
            checked_in.len()
        );
    }
}
