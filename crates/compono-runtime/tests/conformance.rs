//! The component-model conformance suite (`../shared/conformance/component-model`),
//! one trial per file. Files under `async/` run too, but this runtime is
//! synchronous: their checks are reported, and only a crash fails them.
//! Every other file must pass all of its checks. Without the suite the
//! trial is ignored, and fails when `CI=true`.

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
        trials.push(Trial::test(name, move || run(&path, is_async)));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn run(path: &Path, is_async: bool) -> Result<(), Failed> {
    let engine = Engine::new(&Config::default());
    let report = compono_runtime::wast::run_file(&engine, path)?;
    let summary = format!(
        "{} passed, {} failed, {} unsupported",
        report.passed, report.failed, report.unsupported
    );
    if report.failed > 0 && !is_async {
        return Err(format!("{summary}\n{}", report.failures.join("\n")).into());
    }
    println!("{}: {summary}", path.display());
    Ok(())
}
