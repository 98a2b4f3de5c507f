//! `cargo xtask spec [--failures] [FILTER]`: runs every conformance script
//! on the interpreter and prints pass/fail counts per file, grouped by suite
//! and proposal, with totals.

use anyhow::{Context, Result, bail};
use compono_interp::{Config, Engine};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The proposal a Wasm 3.0 suite file belongs to, judged by its name: the
/// 3.0 suite keeps the merged proposals' files side by side.
fn wasm3_group(relative: &str) -> &'static str {
    let name = relative
        .rsplit('/')
        .next()
        .unwrap_or(relative)
        .trim_end_matches(".wast");
    if let Some(rest) = relative.strip_prefix("proposals/") {
        return match rest.split('/').next().unwrap_or("") {
            "threads" => "proposal: threads",
            "wide-arithmetic" => "proposal: wide-arithmetic",
            "custom-page-sizes" => "proposal: custom-page-sizes",
            "custom-descriptors" => "proposal: custom-descriptors",
            _ => "proposal: other",
        };
    }
    if relative.starts_with("legacy/") {
        return "legacy exceptions";
    }
    if relative.starts_with("custom/") {
        return "custom annotations";
    }
    match name {
        "return_call" | "return_call_indirect" => "tail-call",
        "return_call_ref" | "call_ref" | "br_on_null" | "br_on_non_null" | "ref_as_non_null"
        | "local_init" => "function-references",
        "throw" | "throw_ref" | "try_table" | "tag" => "exception-handling",
        "array" | "struct" | "i31" | "extern" | "ref_cast" | "ref_test" | "ref_eq"
        | "br_on_cast" | "br_on_cast_fail" | "type-canon" | "type-equivalence" | "type-rec"
        | "type-subtyping" | "binary-gc" => "gc",
        _ if name.starts_with("array_") => "gc",
        _ if name.starts_with("simd_") => "simd",
        _ if name.starts_with("relaxed_") || name.contains("_relaxed_") => "relaxed-simd",
        _ if name.ends_with("64") || name.contains("64_") => "memory64",
        _ if name.ends_with(char::is_numeric) || name.contains("multi") => "multi-memory",
        _ => "core (incl. extended-const in global/data/elem)",
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "wast") {
            out.push(path);
        }
    }
    Ok(())
}

pub fn main(args: &[String]) -> Result<()> {
    let show_failures = args.iter().any(|a| a == "--failures");
    let filter = args.iter().find(|a| !a.starts_with("--")).cloned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if !root.is_dir() {
        bail!("conformance suites not found at {}", root.display());
    }
    let engine = Engine::new(&Config::default());
    // The Wasm 2.0 suite checks that a second memory is invalid there.
    let wasm2_engine = Engine::new(Config::default().wasm_multi_memory(false));
    // group -> rows of (file, passed, failed, unsupported)
    let mut groups: BTreeMap<String, Vec<(String, u32, u32, u32)>> = BTreeMap::new();
    for suite in ["spec-wasm2", "spec-wasm3"] {
        let dir = root.join(suite);
        let mut files = Vec::new();
        collect(&dir, &mut files)?;
        files.sort();
        for path in files {
            let relative = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let label = format!("{suite}/{relative}");
            if filter.as_ref().is_some_and(|f| !label.contains(f.as_str())) {
                continue;
            }
            let group = if suite == "spec-wasm2" {
                match relative
                    .strip_prefix("proposals/")
                    .and_then(|r| r.split_once('/'))
                {
                    Some((proposal, _)) => format!("spec-wasm2: proposals/{proposal}"),
                    None if relative.starts_with("simd_") => "spec-wasm2: simd".to_string(),
                    None => "spec-wasm2".to_string(),
                }
            } else {
                format!("spec-wasm3: {}", wasm3_group(&relative))
            };
            let engine = if group == "spec-wasm2" {
                &wasm2_engine
            } else {
                &engine
            };
            let (passed, failed, unsupported) = match compono_interp::wast::run_file(engine, &path)
            {
                Ok(report) => {
                    if show_failures {
                        for failure in &report.failures {
                            println!("{label}:{failure}");
                        }
                    }
                    (report.passed, report.failed, report.unsupported)
                }
                Err(message) => {
                    if show_failures {
                        println!("{label}: {message}");
                    }
                    (0, 1, 0)
                }
            };
            groups
                .entry(group)
                .or_default()
                .push((label, passed, failed, unsupported));
        }
    }
    let (mut all_passed, mut all_failed, mut all_unsupported) = (0u64, 0u64, 0u64);
    let header = || {
        println!(
            "{:<60} {:>8} {:>8} {:>12}",
            "", "passed", "failed", "unsupported"
        )
    };
    header();
    let mut summary = Vec::new();
    for (group, rows) in &groups {
        println!("\n== {group}");
        let (mut passed, mut failed, mut unsupported, mut clean) = (0u64, 0u64, 0u64, 0usize);
        for (file, p, f, u) in rows {
            println!("{file:<60} {p:>8} {f:>8} {u:>12}");
            passed += u64::from(*p);
            failed += u64::from(*f);
            unsupported += u64::from(*u);
            clean += usize::from(*f == 0 && *u == 0);
        }
        let label = format!("total ({clean}/{} files at 100%)", rows.len());
        println!("{label:<60} {passed:>8} {failed:>8} {unsupported:>12}");
        summary.push((
            group.clone(),
            passed,
            failed,
            unsupported,
            clean,
            rows.len(),
        ));
        all_passed += passed;
        all_failed += failed;
        all_unsupported += unsupported;
    }
    println!("\n== summary (files at 100%: no failed and no unsupported checks)");
    header();
    for (group, passed, failed, unsupported, clean, files) in summary {
        println!(
            "{group:<60} {passed:>8} {failed:>8} {unsupported:>12}   {clean}/{files} files at 100%"
        );
    }
    println!(
        "{:<60} {all_passed:>8} {all_failed:>8} {all_unsupported:>12}",
        "all suites"
    );
    Ok(())
}
