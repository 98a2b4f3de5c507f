//! The component-model conformance suite (`../shared/conformance/component-model`),
//! one trial per file. Files under `async/` run too, but this runtime is
//! synchronous: their checks are reported, and only a crash fails them.
//! Every other file must pass all of its checks, except the known gaps
//! below, which must fail exactly as many checks as listed: when one is
//! fixed the trial fails until the entry is removed, so the list only
//! shrinks. Without the suite the trial is ignored, and fails when
//! `CI=true`.

use compono_runtime::{Config, Engine};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/component-model")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wast") {
            out.push(path);
        }
    }
}

/// Files with checks this runtime fails today: (file, failed checks, why).
const KNOWN_GAPS: &[(&str, u32, &str)] = &[
    (
        "binary/binary.wast",
        1,
        "wasmparser 0.263 rejects a byte the newer suite accepts (component-model#716)",
    ),
    (
        "validation/kebab.wast",
        1,
        "wasmparser 0.263 treats `a1` and `a-1` as the same name",
    ),
];

fn main() {
    let args = Arguments::from_args();
    let root = suite();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let mut trials = Vec::new();
    if paths.is_empty() {
        let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        trials.push(
            Trial::test("component-model-suite-present", move || {
                Err(format!("no .wast files under {}", suite().display()).into())
            })
            .with_ignored_flag(!on_ci),
        );
    }
    for path in paths {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let is_async = name.starts_with("async");
        let gap = KNOWN_GAPS
            .iter()
            .find(|(file, ..)| *file == name)
            .map(|(_, n, _)| *n);
        trials.push(Trial::test(name, move || run(&path, is_async, gap)));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn run(path: &Path, is_async: bool, known_gap: Option<u32>) -> Result<(), Failed> {
    let engine = Engine::new(&Config::default());
    let report = match compono_runtime::wast::run_file(&engine, path) {
        Ok(report) => report,
        // Scripts using async syntax newer than the `wast` crate's.
        Err(e) if is_async => {
            println!(
                "{}: unsupported (the script does not parse: {e})",
                path.display()
            );
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let summary = format!(
        "{} passed, {} failed, {} unsupported",
        report.passed, report.failed, report.unsupported
    );
    println!("{}: {summary}", path.display());
    match known_gap {
        _ if is_async => Ok(()),
        Some(expected) if report.failed == expected => Ok(()),
        Some(expected) => Err(format!(
            "known gap of {expected} failed checks, now {summary}: update KNOWN_GAPS\n{}",
            report.failures.join("\n")
        )
        .into()),
        None if report.failed == 0 => Ok(()),
        None => Err(format!("{summary}\n{}", report.failures.join("\n")).into()),
    }
}
