//! Runtime tests: each `tests/runtime/NAME.py` runs against the component
//! compono builds from `fixtures/components/NAME`, in wasmtime (the Python
//! `wasmtime.component` API). The script provides imports that check what
//! they receive, calls the exports and checks the results; a non-zero exit
//! fails the trial. Without Python's wasmtime the trials are ignored, and
//! fail when `CI=true`.

mod common;

use common::{EmbedFailure, embedded_module, fixtures_dir, read_options};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime")
}

fn wasmtime_available() -> bool {
    compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_script(script: &Path, case: &Path) -> Result<(), Failed> {
    let options = read_options(case)?;
    let module = embedded_module(case, &options).map_err(|e| match e {
        EmbedFailure::Embed(e) => Failed::from(e),
        EmbedFailure::Case(e) => e,
    })?;
    let component =
        compono_component::new(&module, &options.new).map_err(|e| format!("compono new: {e}"))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("component.wasm");
    std::fs::write(&path, component)?;
    let output = compono_testutil::command("python3")
        .arg(script)
        .arg(&path)
        .current_dir(scripts_dir())
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
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let available = wasmtime_available();
    let mut trials = Vec::new();
    if common::on_ci() && !available {
        trials.push(Trial::test("python-wasmtime-available", || {
            Err("CI=true but Python's `wasmtime` package is not importable".into())
        }));
    }
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .filter(|p| p.file_stem().is_some_and(|s| s != "harness"))
                .collect()
        })
        .unwrap_or_default();
    scripts.sort();
    for script in scripts {
        let name = script.file_stem().unwrap().to_string_lossy().into_owned();
        let case = fixtures_dir().join(&name);
        trials.push(
            Trial::test(name, move || {
                if !case.join("module.wat").exists() {
                    return Err(format!("no fixture `{}`", case.display()).into());
                }
                run_script(&script, &case)
            })
            .with_ignored_flag(!available),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
