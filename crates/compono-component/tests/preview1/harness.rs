//! Running preview1 programs in Python's wasmtime (`harness.py`, beside
//! this file), shared by the corpus test (`tests/preview1.rs`) and the
//! generated one (the workspace's `tests/preview1_generated.rs`).

use libtest_mimic::Failed;
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;

/// Runs `spec` (the JSON `harness.py` describes) through the harness at
/// `harness` and returns its report.
pub fn run(harness: &Path, spec: &Value) -> Result<Value, Failed> {
    let mut child = compono_testutil::command("python3")
        .arg(harness)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        input.write_all(spec.to_string().as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!(
            "the harness failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// What the report says of one way, as one text to compare: the exit
/// class, stdout, stderr and the files left.
pub fn outcome(report: &Value, way: &str) -> String {
    let r = &report[way];
    let files: Vec<&str> = r["files"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!(
        "exit: {}\n--- stdout\n{}\n--- stderr\n{}\n--- files\n{}\n",
        r["exit"].as_str().unwrap_or("?"),
        r["stdout"].as_str().unwrap_or(""),
        r["stderr"].as_str().unwrap_or(""),
        files.join("\n")
    )
}
