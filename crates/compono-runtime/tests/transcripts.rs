//! Transcripts of the components in `fixtures/runtime/`, replayed by both
//! drivers: compono's runtime (`compono_runtime::transcript`) and
//! wasmtime-py (`tests/transcript.py`).
//!
//! `NAME.transcript` is replayed against `NAME.wat` and must pass;
//! `NAME.fail-WHAT.transcript` is a wrong transcript of the same component
//! that both drivers must reject (so a driver that accepts anything
//! fails). Without Python's wasmtime the wasmtime half is skipped, and
//! fails when `CI=true`.

#[path = "support/drivers.rs"]
mod drivers;

use drivers::{Case, Outcome};
use libtest_mimic::{Arguments, Trial};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/runtime")
}

/// What a driver's outcome must be: passing with the transcript's own
/// check count, or failing.
fn judge(outcome: Outcome, must_fail: bool, checks: usize) -> Result<(), String> {
    match (outcome, must_fail) {
        (Ok(n), false) if n == checks => Ok(()),
        (Ok(n), false) => Err(format!("{n} checks made, the transcript has {checks}")),
        (Err(e), false) => Err(e),
        (Ok(_), true) => Err("a wrong transcript was accepted".into()),
        (Err(e), true) => {
            eprintln!("rejected as it must be: {e}");
            Ok(())
        }
    }
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
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-transcripts");
    std::fs::create_dir_all(&out).expect("create the components directory");
    let mut transcripts: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    transcripts.retain(|p| p.extension().is_some_and(|e| e == "transcript"));
    transcripts.sort();

    let mut cases = Vec::new();
    let mut compono = Vec::new();
    for transcript in transcripts {
        let file = transcript
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = file.strip_suffix(".transcript").unwrap().to_string();
        let component = name.split('.').next().unwrap().to_string();
        let must_fail = name.contains(".fail-");
        let bytes = wat::parse_file(fixtures().join(format!("{component}.wat")))
            .map_err(|e| format!("{component}.wat: {e}"));
        let wasm = out.join(format!("{component}.wasm"));
        if let Ok(bytes) = &bytes {
            std::fs::write(&wasm, bytes).expect("write the component");
        }
        let checks = std::fs::read_to_string(&transcript)
            .map_err(|e| e.to_string())
            .and_then(|t| compono_runtime::transcript::Transcript::parse(&t))
            .map(|t| t.checks());
        cases.push(Case {
            name: name.clone(),
            component: wasm,
            transcript: transcript.clone(),
        });
        compono.push((name, transcript, bytes, checks, must_fail));
    }
    let cases: &'static [Case] = Vec::leak(cases);
    static WASMTIME: OnceLock<HashMap<String, Outcome>> = OnceLock::new();
    for (name, transcript, bytes, checks, must_fail) in compono {
        let (key, checks2, bytes2) = (name.clone(), checks.clone(), bytes.clone());
        trials.push(Trial::test(format!("{name}/compono"), move || {
            let outcome = drivers::replay_in_compono(&bytes?, &transcript);
            // A transcript that does not parse is a wrong one too.
            Ok(judge(outcome, must_fail, checks.unwrap_or(0))?)
        }));
        trials.push(
            Trial::test(format!("{name}/wasmtime"), move || {
                bytes2?;
                let outcomes = WASMTIME.get_or_init(|| drivers::replay_in_wasmtime(cases));
                let outcome = outcomes
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| Err("not replayed".into()));
                Ok(judge(outcome, must_fail, checks2.unwrap_or(0))?)
            })
            .with_ignored_flag(!wasmtime),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
