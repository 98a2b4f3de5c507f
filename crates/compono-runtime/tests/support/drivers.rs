//! The two transcript drivers as the test runners use them: compono's
//! (`compono_runtime::transcript`) in process, and wasmtime-py's
//! (`tests/transcript.py`) in one Python process per batch of transcripts,
//! so Python and wasmtime start once rather than once per transcript.
//!
//! Shared by the runners of compono-runtime, compono-component and
//! compono-bindgen (`#[path]`-included), so every runner drives both
//! runtimes the same way.

#![allow(dead_code)]

use compono_runtime::transcript::Transcript;
use compono_runtime::{Component, Engine};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// One component to replay one transcript against.
#[derive(Clone, Debug)]
pub struct Case {
    /// The trial's name, unique in its runner.
    pub name: String,
    pub component: PathBuf,
    pub transcript: PathBuf,
}

/// What one driver made of one case: the number of checks, or the first
/// difference.
pub type Outcome = Result<usize, String>;

/// Replays `transcript` on compono's runtime.
pub fn replay_in_compono(component: &[u8], transcript: &Path) -> Outcome {
    let text = std::fs::read_to_string(transcript)
        .map_err(|e| format!("{}: {e}", transcript.display()))?;
    let parsed = Transcript::parse(&text).map_err(|e| format!("{}: {e}", transcript.display()))?;
    let engine = Engine::default();
    let component = Component::new(&engine, component).map_err(|e| e.to_string())?;
    parsed
        .replay(&component)
        .map_err(|e| format!("{}: {e}", transcript.display()))?;
    Ok(parsed.checks())
}

/// `transcript.py`, the wasmtime-py driver.
pub fn wasmtime_driver() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../compono-runtime/tests/transcript.py")
        .canonicalize()
        .expect("crates/compono-runtime/tests/transcript.py exists")
}

/// python3 with nothing inherited but `PATH` and `HOME` (where pip may
/// have put wasmtime), stdin closed.
fn python() -> std::process::Command {
    let mut cmd = compono_testutil::command("python3");
    cmd.env_clear()
        .env("LC_ALL", "C.UTF-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null());
    for var in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd
}

/// Whether Python's `wasmtime.component` can be imported.
pub fn wasmtime_available() -> bool {
    python()
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success())
}

pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Replays every case in wasmtime-py: the cases are split over two Python
/// processes (the machines this runs on have two cores), each replaying
/// its share in order. Outcomes by case name.
pub fn replay_in_wasmtime(cases: &[Case]) -> HashMap<String, Outcome> {
    let (a, b): (Vec<&Case>, Vec<&Case>) =
        cases
            .iter()
            .enumerate()
            .fold((Vec::new(), Vec::new()), |(mut a, mut b), (i, c)| {
                if i % 2 == 0 {
                    a.push(c)
                } else {
                    b.push(c)
                }
                (a, b)
            });
    std::thread::scope(|s| {
        let halves: Vec<_> = [a, b]
            .into_iter()
            .filter(|h| !h.is_empty())
            .map(|half| s.spawn(move || replay_batch(&half)))
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().expect("wasmtime batch thread"))
            .collect()
    })
}

fn replay_batch(cases: &[&Case]) -> Vec<(String, Outcome)> {
    let mut cmd = python();
    cmd.arg(wasmtime_driver());
    for case in cases {
        cmd.arg(&case.component).arg(&case.transcript);
    }
    let output = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            return cases
                .iter()
                .map(|c| (c.name.clone(), Err(format!("running python3: {e}"))))
                .collect();
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; cases.len()];
    for line in stdout.lines() {
        let mut words = line.splitn(3, ' ');
        let (Some(status), Some(index), rest) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Some(slot) = index
            .parse::<usize>()
            .ok()
            .and_then(|i| outcomes.get_mut(i))
        else {
            continue;
        };
        *slot = Some(match (status, rest) {
            ("ok", Some(n)) => n.trim().parse().map_err(|_| format!("bad line `{line}`")),
            (_, rest) => Err(rest.unwrap_or("").to_string()),
        });
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    cases
        .iter()
        .zip(outcomes)
        .map(|(c, o)| {
            let o = o.unwrap_or_else(|| {
                Err(format!(
                    "transcript.py gave no result ({}): {stderr}",
                    output.status
                ))
            });
            (c.name.clone(), o)
        })
        .collect()
}

/// Replays every case in both drivers (compono's in this process while
/// wasmtime-py's batches run): the checks each driver made, and one line
/// per failure. Without Python's wasmtime the wasmtime half is skipped
/// (noted on stderr), and is a failure when `CI=true`.
pub fn replay_in_both(cases: &[Case]) -> Totals {
    let wasmtime = wasmtime_available();
    let mut totals = Totals::default();
    if !wasmtime {
        if on_ci() {
            totals
                .failures
                .push("CI=true but Python's `wasmtime` package is not importable".into());
        } else {
            eprintln!("Python's wasmtime is missing: the wasmtime half is skipped");
        }
    }
    let (ours, theirs) = std::thread::scope(|s| {
        let theirs = s.spawn(|| wasmtime.then(|| replay_in_wasmtime(cases)));
        let ours: Vec<Outcome> = cases
            .iter()
            .map(|c| {
                let bytes = std::fs::read(&c.component)
                    .map_err(|e| format!("{}: {e}", c.component.display()))?;
                replay_in_compono(&bytes, &c.transcript)
            })
            .collect();
        (ours, theirs.join().expect("wasmtime thread"))
    });
    for (case, ours) in cases.iter().zip(ours) {
        match ours {
            Ok(n) => totals.compono += n,
            Err(e) => totals
                .failures
                .push(format!("{} (compono): {e}", case.name)),
        }
        if let Some(theirs) = &theirs {
            match theirs
                .get(&case.name)
                .cloned()
                .unwrap_or(Err("not replayed".into()))
            {
                Ok(n) => totals.wasmtime += n,
                Err(e) => totals
                    .failures
                    .push(format!("{} (wasmtime): {e}", case.name)),
            }
        }
    }
    totals
}

/// What [`replay_in_both`] found.
#[derive(Debug, Default)]
pub struct Totals {
    /// Checks passed in compono's runtime.
    pub compono: usize,
    /// Checks passed in wasmtime.
    pub wasmtime: usize,
    pub failures: Vec<String>,
}
