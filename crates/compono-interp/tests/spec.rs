//! The spec conformance gate: one trial per `.wast` file, each required to
//! pass every check. Covers every non-SIMD file of `spec-wasm2` (as Wasm
//! 2.0, so with one memory) and the tail-call, extended-constant,
//! multi-memory and exception-handling files of `spec-wasm3`.

use compono_interp::{Config, Engine};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

/// `spec-wasm3` files for the tail-call proposal: every check must pass.
const WASM3_TAIL_CALL_FILES: &[&str] = &["return_call.wast", "return_call_indirect.wast"];

/// `spec-wasm3` files for exception handling (not the `legacy/` ones, for
/// the withdrawn `try`/`catch` instructions). `tag.wast` also declares
/// types in recursion groups (GC) and `try_table.wast` catches typed
/// function references: those checks are counted unsupported.
const WASM3_EXCEPTION_FILES: &[(&str, bool)] = &[
    ("throw.wast", false),
    ("throw_ref.wast", false),
    ("try_table.wast", true),
    ("tag.wast", true),
];

/// Extended constant expressions have no files of their own in the Wasm 3.0
/// suite: their tests were merged into these, next to checks that need GC
/// or function references (e.g. `global.get` of a non-imported global in a
/// constant, non-nullable references). Every check must pass except those
/// the driver classifies as needing an unimplemented proposal.
const WASM3_EXTENDED_CONST_FILES: &[&str] = &["global.wast", "data.wast", "elem.wast"];

/// `spec-wasm3` files for the multi-memory proposal: the files named
/// after their Wasm 2.0 counterparts with a number (`load1.wast`), and
/// `memory-multi.wast` (not `i31.wast`, GC's, nor the memory64 files).
fn is_multi_memory_file(name: &str) -> bool {
    let stem = name.strip_suffix(".wast").unwrap_or(name);
    !stem.starts_with("simd_")
        && stem != "i31"
        && (stem.ends_with(|c: char| c.is_ascii_digit()) && !stem.ends_with("64")
            || stem == "memory-multi")
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

fn trial(engine: &Engine, path: PathBuf, name: String, allow_unsupported: bool) -> Trial {
    let engine = engine.clone();
    Trial::test(name, move || {
        let report = compono_interp::wast::run_file(&engine, &path)?;
        if report.failed == 0 && report.passed > 0 && (allow_unsupported || report.unsupported == 0)
        {
            return Ok(());
        }
        let mut message = format!(
            "{} passed, {} failed, {} unsupported\n",
            report.passed, report.failed, report.unsupported
        );
        for failure in report.failures.iter().take(20) {
            message.push_str(failure);
            message.push('\n');
        }
        Err(Failed::from(message))
    })
}

fn main() {
    let args = Arguments::from_args();
    let dir = suite_dir();
    let engine = Engine::new(&Config::default());
    let wasm2_engine = Engine::new(Config::default().wasm_multi_memory(false));
    let mut trials = Vec::new();
    if dir.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("spec-wasm2"))
            .expect("spec-wasm2 is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wast"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("simd_"))
            })
            .collect();
        files.sort();
        for path in files {
            let name = format!(
                "spec-wasm2/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            trials.push(trial(&wasm2_engine, path, name, false));
        }
        let mut multi_memory: Vec<String> = std::fs::read_dir(dir.join("spec-wasm3"))
            .expect("spec-wasm3 is readable")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| is_multi_memory_file(n))
            .collect();
        multi_memory.sort();
        assert!(
            multi_memory.len() >= 40,
            "multi-memory files: {multi_memory:?}"
        );
        for file in multi_memory {
            let name = format!("spec-wasm3/{file} (multi-memory)");
            trials.push(trial(
                &engine,
                dir.join("spec-wasm3").join(&file),
                name,
                false,
            ));
        }
        for file in WASM3_TAIL_CALL_FILES {
            trials.push(trial(
                &engine,
                dir.join("spec-wasm3").join(file),
                format!("spec-wasm3/{file}"),
                false,
            ));
        }
        for (file, allow_unsupported) in WASM3_EXCEPTION_FILES {
            let name = format!("spec-wasm3/{file} (exceptions)");
            trials.push(trial(
                &engine,
                dir.join("spec-wasm3").join(file),
                name,
                *allow_unsupported,
            ));
        }
        for file in WASM3_EXTENDED_CONST_FILES {
            let name = format!("spec-wasm3/{file} (extended-const)");
            trials.push(trial(
                &engine,
                dir.join("spec-wasm3").join(file),
                name,
                true,
            ));
        }
    } else {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        trials.push(Trial::test("conformance suite present", move || {
            if in_ci {
                Err(format!("conformance suite missing at {}", dir.display()).into())
            } else {
                eprintln!(
                    "conformance suite missing at {}; skipped outside CI",
                    dir.display()
                );
                Ok(())
            }
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
