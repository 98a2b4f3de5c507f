//! One trial per directory under `fixtures/components/`.
//!
//! A case holds `module.wat` and usually `world.wit` (plus `world2.wit`, embedded
//! second, to test merging), optionally `options.txt` (one option a line:
//! `encoding utf16`, `reject-legacy-names`, `no-semver-merge`,
//! `import-name OLD=NEW`, `debug-names`, `world NAME`), and the expected
//! outcome: `component.wit` (the output's world as `compono wit` prints it)
//! or `error.txt` (the error message). `BLESS=1` rewrites the expected files.
//!
//! When `wasm-tools` is on PATH (required when `CI=true`), the same embedded
//! module goes through `wasm-tools component new`, which must agree on
//! success or failure (unless `wasm-tools-accepts.txt` says why not), and
//! `wasm-tools component wit` must print the expected WIT for our component
//! and for theirs.

mod common;

use std::path::{Path, PathBuf};

use common::{EmbedFailure, embedded_module, fixtures_dir, read_options, wasm_tools_new_args};
use libtest_mimic::{Arguments, Failed, Trial};

fn wasm_tools_available() -> bool {
    compono_testutil::command("wasm-tools")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The world of a component, printed.
fn component_wit(component: &[u8]) -> Result<String, Failed> {
    match wit_parser::decoding::decode(component).map_err(|e| format!("{e:#}"))? {
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => {
            let package = resolve.worlds[world]
                .package
                .ok_or("world without package")?;
            Ok(compono_wit::print(&resolve, package)?)
        }
        _ => Err("the output decodes as a WIT package, not a component".into()),
    }
}

fn check_expected(path: &Path, actual: &str) -> Result<(), Failed> {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, actual)?;
        return Ok(());
    }
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

fn run_wasm_tools<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    input: &[u8],
) -> Result<(bool, String), Failed> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("input.wasm");
    std::fs::write(&path, input)?;
    let output = compono_testutil::command("wasm-tools")
        .args(args)
        .arg(&path)
        .output()?;
    Ok((
        output.status.success(),
        if output.status.success() {
            String::from_utf8_lossy(&output.stdout).into_owned()
        } else {
            String::from_utf8_lossy(&output.stderr).into_owned()
        },
    ))
}

fn run_case(dir: &Path, interop: bool) -> Result<(), Failed> {
    let options = read_options(dir)?;
    // Embedding can already fail (conflicting worlds); that is the case's
    // outcome then, and there is no module to compare with wasm-tools.
    let (module, result) = match embedded_module(dir, &options) {
        Ok(module) => {
            let result = compono_component::new(&module, &options.new);
            (Some(module), result.map_err(|e| e.to_string()))
        }
        Err(EmbedFailure::Embed(e)) => (None, Err(e)),
        Err(EmbedFailure::Case(e)) => return Err(e),
    };
    let bless = std::env::var_os("BLESS").is_some();
    let expect_error = dir.join("error.txt").exists();
    match result {
        Ok(component) => {
            if expect_error && !bless {
                return Err("expected an error (error.txt), but `new` succeeded".into());
            }
            let _ = std::fs::remove_file(dir.join("error.txt"));
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                .validate_all(&component)
                .map_err(|e| format!("output does not validate: {e}"))?;
            let wit = component_wit(&component)?;
            check_expected(&dir.join("component.wit"), &wit)?;
            if interop {
                let (ok, text) = run_wasm_tools(&["component", "wit"], &component)?;
                if !ok {
                    return Err(format!("wasm-tools component wit failed: {text}").into());
                }
                if text != wit {
                    return Err(format!(
                        "wasm-tools component wit prints differently:\n{}",
                        pretty_assertions::StrComparison::new(&wit, &text)
                    )
                    .into());
                }
                let module = module.as_deref().ok_or("no module")?;
                let mut args = wasm_tools_new_args(&options);
                let dir = tempfile::tempdir()?;
                let theirs = dir.path().join("theirs.wasm");
                args.push("-o".into());
                args.push(theirs.display().to_string());
                let (ok, text) = run_wasm_tools(&args, module)?;
                if !ok {
                    return Err(format!(
                        "we accept this module but `wasm-tools component new` rejects it: {text}"
                    )
                    .into());
                }
                // The component wasm-tools makes has the same world.
                let (ok, text) = run_wasm_tools(&["component", "wit"], &std::fs::read(&theirs)?)?;
                if !ok || text != wit {
                    return Err(format!(
                        "the world of wasm-tools' component differs from ours:\n{}",
                        pretty_assertions::StrComparison::new(&wit, &text)
                    )
                    .into());
                }
            }
        }
        Err(error) => {
            if !expect_error && !bless {
                return Err(format!("`new` failed: {error}").into());
            }
            let _ = std::fs::remove_file(dir.join("component.wit"));
            check_expected(&dir.join("error.txt"), &format!("{error}\n"))?;
            if let (true, false, Some(module)) = (
                interop,
                dir.join("wasm-tools-accepts.txt").exists(),
                &module,
            ) {
                let (ok, _) = run_wasm_tools(&wasm_tools_new_args(&options), module)?;
                if ok {
                    return Err(
                        "we reject this module but `wasm-tools component new` accepts \
                                it (explain why in wasm-tools-accepts.txt if intended)"
                            .into(),
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let interop = wasm_tools_available();
    let ci = common::on_ci();
    let mut trials = Vec::new();
    if ci && !interop {
        trials.push(Trial::test("wasm-tools-on-path", || {
            Err("CI=true but `wasm-tools` is not on PATH: the interop checks cannot run".into())
        }));
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("module.wat").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        trials.push(Trial::test(name, move || run_case(&dir, interop)));
    }
    libtest_mimic::run(&args, trials).exit();
}
