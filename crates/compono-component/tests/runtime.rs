//! Runtime tests: every `fixtures/components/NAME/runtime.transcript` is
//! replayed against the component compono builds from that fixture, by
//! both transcript drivers: compono's runtime and wasmtime-py (see
//! `compono_runtime::transcript` for the format). Adding a case means
//! adding a transcript. Without Python's wasmtime the wasmtime trials are
//! ignored, and fail when `CI=true`.

mod common;

#[path = "../../compono-runtime/tests/support/drivers.rs"]
mod drivers;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{EmbedFailure, embedded_module, fixtures_dir, read_options};
use drivers::{Case, Outcome};
use libtest_mimic::{Arguments, Failed, Trial};

/// The component compono builds from the fixture in `case`.
fn build(case: &Path) -> Result<Vec<u8>, String> {
    let options = read_options(case).map_err(|e| e.message().unwrap_or_default().to_string())?;
    let module = embedded_module(case, &options).map_err(|e| match e {
        EmbedFailure::Embed(e) => e,
        EmbedFailure::Case(e) => e.message().unwrap_or_default().to_string(),
    })?;
    compono_component::new(&module, &options.new).map_err(|e| format!("compono new: {e}"))
}

fn main() {
    let args = Arguments::from_args();
    let wasmtime = drivers::wasmtime_available();
    let mut trials = Vec::new();
    if drivers::on_ci() && !wasmtime {
        trials.push(Trial::test("python-wasmtime-available", || {
            Err("CI=true but Python's `wasmtime` package is not importable".into())
        }));
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-runtime");
    std::fs::create_dir_all(&out).expect("create the components directory");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.join("runtime.transcript").exists());
    dirs.sort();

    // Components are built up front, so the wasmtime half can replay them
    // all in one batch.
    let mut cases = Vec::new();
    let mut built: HashMap<String, Result<Vec<u8>, String>> = HashMap::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let component = out.join(format!("{name}.wasm"));
        let bytes = build(dir).and_then(|bytes| {
            std::fs::write(&component, &bytes).map_err(|e| e.to_string())?;
            Ok(bytes)
        });
        if bytes.is_ok() {
            cases.push(Case {
                name: name.clone(),
                component,
                transcript: dir.join("runtime.transcript"),
            });
        }
        built.insert(name, bytes);
    }
    let cases: &'static [Case] = Vec::leak(cases);
    static WASMTIME: OnceLock<HashMap<String, Outcome>> = OnceLock::new();

    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let transcript = dir.join("runtime.transcript");
        let bytes = built.remove(&name).unwrap();
        let checks = compono_runtime::transcript::Transcript::parse(
            &std::fs::read_to_string(&transcript).unwrap_or_default(),
        )
        .map(|t| t.checks());
        let bytes2 = bytes.clone();
        trials.push(Trial::test(format!("{name}/compono"), move || {
            let bytes = bytes?;
            drivers::replay_in_compono(&bytes, &transcript).map_err(Failed::from)?;
            Ok(())
        }));
        let key = name.clone();
        trials.push(
            Trial::test(format!("{name}/wasmtime"), move || {
                bytes2?;
                let outcomes = WASMTIME.get_or_init(|| drivers::replay_in_wasmtime(cases));
                let got = outcomes
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| Err("not replayed".into()))?;
                // Both drivers count the steps and events they checked.
                if Ok(got) != checks {
                    return Err(
                        format!("wasmtime made {got} checks, compono's parser {checks:?}").into(),
                    );
                }
                Ok(())
            })
            .with_ignored_flag(!wasmtime),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
