//! Transcripts of the components in `fixtures/runtime/` (`NAME.wat` with
//! `NAME.transcript`), replayed by both drivers: compono's runtime
//! (`compono_runtime::transcript`) and wasmtime-py (`tests/transcript.py`).
//! Without Python's wasmtime the wasmtime half is skipped, and fails when
//! `CI=true`.

use compono_runtime::transcript::Transcript;
use compono_runtime::{Component, Engine};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/runtime")
}

fn wasmtime_available() -> bool {
    compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn replay_in_compono(bytes: &[u8], text: &str) -> Result<(), Failed> {
    let engine = Engine::default();
    let component = Component::new(&engine, bytes)?;
    let transcript = Transcript::parse(text)?;
    transcript.replay(&component)?;
    Ok(())
}

fn replay_in_wasmtime(bytes: &[u8], transcript: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let wasm = dir.path().join("component.wasm");
    std::fs::write(&wasm, bytes)?;
    let output = compono_testutil::command("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcript.py"))
        .arg(&wasm)
        .arg(transcript)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "wasmtime: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let wasmtime = wasmtime_available();
    let mut trials = Vec::new();
    if on_ci() && !wasmtime {
        trials.push(Trial::test("python-wasmtime-available", || {
            Err("CI=true but Python's `wasmtime` package is not importable".into())
        }));
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.retain(|p| p.extension().is_some_and(|e| e == "transcript"));
    cases.sort();
    for transcript in cases {
        let name = transcript
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = transcript.with_extension("wat");
        let load = move || -> Result<(Vec<u8>, String), Failed> {
            let bytes = wat::parse_file(&source).map_err(|e| format!("{e}"))?;
            Ok((bytes, std::fs::read_to_string(&transcript)?))
        };
        let load2 = load.clone();
        trials.push(Trial::test(format!("{name}/compono"), move || {
            let (bytes, text) = load()?;
            replay_in_compono(&bytes, &text)
        }));
        let path = fixtures().join(format!("{name}.transcript"));
        trials.push(
            Trial::test(format!("{name}/wasmtime"), move || {
                let (bytes, _) = load2()?;
                replay_in_wasmtime(&bytes, &path)
            })
            .with_ignored_flag(!wasmtime),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
