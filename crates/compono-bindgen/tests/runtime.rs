//! Runtime tests: every world under `fixtures/bindgen/runtime/` has guests
//! built on our bindings (Rust in `fixtures/bindgen/guests/rust/<world>`,
//! C in `fixtures/bindgen/guests/c/<world>.c`), wrapped into components and
//! run in wasmtime (Python `wasmtime.component`) by `runtime/host.py`,
//! which checks values in both directions.
//!
//! All Rust guests build in one `cargo build` of the guest workspace, so
//! the macro and runtime compile once.

use compono_testutil::{cargo, command, target_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One wrapper's name and what running the guest wrapped by it printed.
type Transcript = (&'static str, Result<String, String>);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where a test writes the components it makes.
fn components_dir(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bindgen-components")
        .join(test)
}

/// Core module to component with `wasm-tools component new`, the oracle.
fn componentize(core: &Path, out: &Path) -> Result<(), String> {
    run(command("wasm-tools")
        .arg("component")
        .arg("new")
        .arg(core)
        .arg("-o")
        .arg(out))
}

/// The workspace's `compono` binary when it has `new` (the component
/// issue's subcommand): guests are then also wrapped by it and run.
fn compono_new() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()?
        .join("debug/compono");
    let ok = command(&bin)
        .args(["new", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(bin)
}

/// Wraps `core` with every componentizer available and runs the host on
/// each component: `(tool, summary or error)`.
fn wrap_and_run(
    core: &Path,
    out_stem: &Path,
    world: &str,
) -> Vec<(&'static str, Result<String, String>)> {
    let mut results = Vec::new();
    let oracle = out_stem.with_extension("wasm-tools.wasm");
    results.push((
        "wasm-tools component new",
        componentize(core, &oracle).and_then(|()| run_host(&oracle, world)),
    ));
    if let Some(compono) = compono_new() {
        let ours = out_stem.with_extension("compono.wasm");
        let made = run(command(compono).arg("new").arg(core).arg("-o").arg(&ours));
        results.push(("compono new", made.and_then(|()| run_host(&ours, world))));
    }
    results
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
    let target = target_dir!("bindgen-guests");
    run(cargo(&target)
        .current_dir(repo().join("fixtures/bindgen/guests"))
        .args(["build", "--quiet", "--target", "wasm32-unknown-unknown"]))?;
    Ok(target.join("wasm32-unknown-unknown/debug"))
}

fn run_host(component: &Path, world: &str) -> Result<String, String> {
    let world_dir = repo().join("fixtures/bindgen/runtime").join(world);
    let output = command("python3")
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
    let out_dir = components_dir("rust-guests");
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
        let mut all_ok = true;
        for (tool, result) in wrap_and_run(&core, &out_dir.join(format!("{world}.rust")), world) {
            match result {
                Ok(summary) => eprintln!("{world} (rust, {tool}): {summary}"),
                Err(e) => {
                    all_ok = false;
                    failures.push(format!("{world} (rust, {tool}): {e}"));
                }
            }
        }
        passed += usize::from(all_ok);
    }
    assert!(
        failures.is_empty(),
        "{} worlds failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{passed} Rust guest worlds passed");
}

/// C guests: `guests/c/<world>.c` (UTF-8) or `guests/c/<world>.utf16.c`,
/// compiled with bindings generated here and their component-type object.
#[test]
fn c_guests_run_in_wasmtime() {
    use compono_bindgen::c::{Opts, StringEncoding};
    let guests_dir = repo().join("fixtures/bindgen/guests/c");
    let mut guests: Vec<PathBuf> = std::fs::read_dir(&guests_dir)
        .expect("guests/c exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    guests.sort();
    assert!(!guests.is_empty(), "no C guests");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-c-guests");
    let mut failures = Vec::new();
    let mut passed = 0;
    for guest in &guests {
        let stem = guest.file_stem().unwrap().to_string_lossy().into_owned();
        let (world, encoding) = match stem.strip_suffix(".utf16") {
            Some(w) => (w.to_string(), StringEncoding::Utf16),
            None => (stem.clone(), StringEncoding::Utf8),
        };
        let result = (|| -> Result<Vec<Transcript>, String> {
            let wit = repo()
                .join("fixtures/bindgen/runtime")
                .join(&world)
                .join("world.wit");
            let loaded = compono_bindgen::load(&[wit], &compono_bindgen::Features::default())
                .map_err(|e| e.to_string())?;
            let id = compono_bindgen::select_world(&loaded.resolve, &loaded.packages, None)
                .map_err(|e| e.to_string())?;
            let opts = Opts {
                string_encoding: encoding,
                ..Opts::default()
            };
            let files = compono_bindgen::c::generate(&loaded.resolve, id, &opts)
                .map_err(|e| e.to_string())?;
            let dir = out.join(&stem);
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let mut inputs = vec![guest.clone()];
            for (name, bytes) in files.iter() {
                std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
                if name.ends_with(".c") || name.ends_with(".o") {
                    inputs.push(dir.join(name));
                }
            }
            let core = dir.join("core.wasm");
            run(command("clang-19")
                .args([
                    "--target=wasm32-wasi",
                    "-mexec-model=reactor",
                    "-O1",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                ])
                .arg("-I")
                .arg(&dir)
                .args(&inputs)
                .arg("-o")
                .arg(&core))?;
            Ok(wrap_and_run(&core, &dir.join("component"), &world))
        })();
        match result {
            Ok(runs) => {
                let mut all_ok = true;
                for (tool, result) in runs {
                    match result {
                        Ok(summary) => eprintln!("{stem} (c, {tool}): {summary}"),
                        Err(e) => {
                            all_ok = false;
                            failures.push(format!("{stem} (c, {tool}): {e}"));
                        }
                    }
                }
                passed += usize::from(all_ok);
            }
            Err(e) => failures.push(format!("{stem} (c): {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} C guests failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{passed} C guest worlds passed");
}

/// Porting: guests written against wit-bindgen (`fixtures/bindgen/porting`)
/// are built as they are with wit-bindgen (a test-only dependency) and again
/// with only the `generate!` line switched to `compono_guest::generate!`;
/// both builds must pass the same runtime checks.
#[test]
fn wit_bindgen_guests_port_by_changing_the_generate_line() {
    let porting = repo().join("fixtures/bindgen/porting");
    let mut crates: Vec<String> = std::fs::read_dir(&porting)
        .expect("porting fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("port-"))
        .collect();
    crates.sort();
    assert!(crates.len() >= 5, "at least five ported guests: {crates:?}");

    let original_target = target_dir!("bindgen-porting-wit-bindgen");
    run(cargo(&original_target).current_dir(&porting).args([
        "build",
        "--quiet",
        "--target",
        "wasm32-unknown-unknown",
    ]))
    .unwrap_or_else(|e| panic!("building the guests with wit-bindgen: {e}"));

    // The same sources with one line changed, in a workspace that depends
    // on compono-guest instead.
    let ported = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-porting-compono");
    let _ = std::fs::remove_dir_all(&ported);
    let runtime_dir = repo().join("fixtures/bindgen/runtime");
    let guest_crate = repo().join("crates/compono-guest");
    std::fs::create_dir_all(&ported).unwrap();
    std::fs::write(
        ported.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [\"port-*\"]\nresolver = \"3\"\n\n[workspace.dependencies]\ncompono-guest = {{ path = {:?} }}\n\n[profile.dev]\ndebug = false\nopt-level = 1\npanic = \"abort\"\n",
            guest_crate.display().to_string()
        ),
    )
    .unwrap();
    for name in &crates {
        let src = std::fs::read_to_string(porting.join(name).join("src/lib.rs")).unwrap();
        assert!(
            src.contains("wit_bindgen::generate!"),
            "{name} is not a wit-bindgen guest"
        );
        let src = src
            .replace("wit_bindgen::generate!", "compono_guest::generate!")
            .replace("\"../../runtime/", &format!("\"{}/", runtime_dir.display()));
        let manifest = std::fs::read_to_string(porting.join(name).join("Cargo.toml"))
            .unwrap()
            .replace(
                "wit-bindgen.workspace = true",
                "compono-guest.workspace = true",
            );
        std::fs::create_dir_all(ported.join(name).join("src")).unwrap();
        std::fs::write(ported.join(name).join("src/lib.rs"), src).unwrap();
        std::fs::write(ported.join(name).join("Cargo.toml"), manifest).unwrap();
    }
    let ported_target = target_dir!("bindgen-porting-compono");
    run(cargo(&ported_target).current_dir(&ported).args([
        "build",
        "--quiet",
        "--target",
        "wasm32-unknown-unknown",
    ]))
    .unwrap_or_else(|e| panic!("building the ported guests with compono-guest: {e}"));

    let out_dir = components_dir("porting");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut failures = Vec::new();
    for name in &crates {
        let world = name.strip_prefix("port-").unwrap();
        let core_name = format!("{}.wasm", name.replace('-', "_"));
        for (flavour, target) in [
            ("wit-bindgen", &original_target),
            ("compono", &ported_target),
        ] {
            let core = target.join("wasm32-unknown-unknown/debug").join(&core_name);
            for (tool, result) in
                wrap_and_run(&core, &out_dir.join(format!("{name}.{flavour}")), world)
            {
                match result {
                    Ok(summary) => eprintln!("{name} ({flavour}, {tool}): {summary}"),
                    Err(e) => failures.push(format!("{name} ({flavour}, {tool}): {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
