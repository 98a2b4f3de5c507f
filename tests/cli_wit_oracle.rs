//! `compono wit` against `wasm-tools component wit`, byte for byte, on every
//! WIT fixture and every world in it: `--json`, `--out-dir` (listing, file
//! names and contents), `--importize-world`, `--exportize-world`,
//! `--merge-world-imports-based-on-semver`, `--generate-nominal-type-ids`;
//! and on each world's placeholder module (a core module with an embedded
//! world) and its component: plain printing, `--json`, `--importize`,
//! `--exportize`, `--out-dir`.

mod cli_common;

use cli_common::{compono, wasm_tools};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wit_parser::Resolve;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wit/ok");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn feature_args(dir: &Path) -> Vec<String> {
    match std::fs::read_to_string(dir.join("features.txt")) {
        Ok(text) if !text.trim().is_empty() => {
            vec!["--features".to_string(), text.trim().replace(' ', "")]
        }
        _ => Vec::new(),
    }
}

/// The worlds of the fixture's main package.
fn worlds(dir: &Path, features: &[String]) -> Vec<String> {
    let mut resolve = Resolve::default();
    if let Some(list) = features.get(1) {
        resolve.features.extend(list.split(',').map(String::from));
    }
    let (package, _) = resolve.push_dir(dir).expect("fixture resolves");
    resolve.packages[package]
        .worlds
        .keys()
        .map(|w| compono_wit::escape(w).into_owned())
        .collect()
}

struct Comparison<'a> {
    oracle: &'a Path,
    scratch: &'a Path,
    compared: usize,
    failures: Vec<String>,
}

impl Comparison<'_> {
    /// Runs `component wit ARGS` with both tools; stdout and exit status
    /// must be equal. With `out_dir`, the files written there must be too.
    fn wit(&mut self, args: &[String], out_dir: bool) {
        let run = |tool: Command, dir: &Path| -> Output {
            let mut tool = tool;
            let mut args = args.to_vec();
            if out_dir {
                args.push("--out-dir".into());
                args.push(dir.display().to_string());
            }
            tool.args(["component", "wit"])
                .args(&args)
                .output()
                .expect("run")
        };
        let theirs_dir = self.scratch.join("theirs-out");
        let ours_dir = self.scratch.join("ours-out");
        for dir in [&theirs_dir, &ours_dir] {
            let _ = std::fs::remove_dir_all(dir);
        }
        let theirs = run(compono_testutil::command(self.oracle), &theirs_dir);
        let ours = run(compono(), &ours_dir);
        self.compared += 1;
        let shown = args.join(" ");
        if theirs.status.success() != ours.status.success() {
            self.failures.push(format!(
                "`wit {shown}`: wasm-tools {}, compono {}:\n{}{}",
                theirs.status,
                ours.status,
                String::from_utf8_lossy(&theirs.stderr),
                String::from_utf8_lossy(&ours.stderr)
            ));
            return;
        }
        // The listing names the directory each tool wrote to.
        let listing = |out: &Output, dir: &Path| {
            String::from_utf8_lossy(&out.stdout).replace(&dir.display().to_string(), "OUT")
        };
        if listing(&theirs, &theirs_dir) != listing(&ours, &ours_dir) {
            self.failures.push(format!(
                "`wit {shown}` stdout differs:\n--- wasm-tools\n{}\n--- compono\n{}",
                String::from_utf8_lossy(&theirs.stdout),
                String::from_utf8_lossy(&ours.stdout)
            ));
        }
        if out_dir && snapshot(&theirs_dir) != snapshot(&ours_dir) {
            self.failures
                .push(format!("`wit {shown} --out-dir`: the files differ"));
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Every comparison for one fixture directory.
fn compare_fixture(
    dir: &Path,
    cmp: &mut Comparison<'_>,
    worlds_seen: &mut usize,
    no_placeholder: &mut Vec<String>,
) {
    let features = feature_args(dir);
    let path = dir.display().to_string();
    let with = |extra: &[&str]| {
        let mut args = vec![path.clone()];
        args.extend(features.iter().cloned());
        args.extend(strings(extra));
        args
    };
    cmp.wit(&with(&["--json"]), false);
    cmp.wit(&with(&[]), true);
    for world in worlds(dir, &features) {
        *worlds_seen += 1;
        cmp.wit(&with(&["--importize-world", &world]), false);
        cmp.wit(
            &with(&[
                "--importize-world",
                &world,
                "--importize-out-world-name",
                "renamed",
            ]),
            false,
        );
        cmp.wit(&with(&["--exportize-world", &world]), false);
        cmp.wit(
            &with(&["--merge-world-imports-based-on-semver", &world]),
            false,
        );
        cmp.wit(
            &with(&["--generate-nominal-type-ids", &world, "--json"]),
            false,
        );

        // The world's placeholder module, and its component.
        let module = cmp.scratch.join("placeholder.wasm");
        let component = cmp.scratch.join("component.wasm");
        let mut embed = compono();
        embed
            .args(["embed", &path, "--dummy", "--world", &world, "-o"])
            .arg(&module)
            .args(&features);
        let embedded = embed.output().unwrap();
        if !embedded.status.success() {
            // Worlds compono cannot wrap yet (async functions): named.
            no_placeholder.push(format!(
                "{}/{world}: {}",
                dir.file_name().unwrap().to_string_lossy(),
                String::from_utf8_lossy(&embedded.stderr).trim()
            ));
            continue;
        }
        let module = module.display().to_string();
        for extra in [&[][..], &["--json"], &["--importize"], &["--exportize"]] {
            let mut args = vec![module.clone()];
            args.extend(strings(extra));
            cmp.wit(&args, false);
        }
        let made = compono()
            .args(["new", &module, "-o"])
            .arg(&component)
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let component = component.display().to_string();
        for extra in [&["--importize"][..], &["--exportize"]] {
            let mut args = vec![component.clone()];
            args.extend(strings(extra));
            cmp.wit(&args, false);
        }
        cmp.wit(std::slice::from_ref(&component), true);
    }
}

#[test]
fn wit_outputs_equal_wasm_tools_on_every_fixture_world() {
    let Some(oracle) = wasm_tools() else {
        eprintln!("skipped: no wasm-tools to compare with");
        return;
    };
    // Two workers (the machine's cores), each with its own scratch space.
    const WORKERS: usize = 2;
    let dirs = fixtures();
    let results: Vec<(usize, usize, Vec<String>, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let dirs = &dirs;
                s.spawn(move || {
                    let scratch = tempfile::tempdir().unwrap();
                    let mut cmp = Comparison {
                        oracle,
                        scratch: scratch.path(),
                        compared: 0,
                        failures: Vec::new(),
                    };
                    let mut worlds_seen = 0;
                    let mut no_placeholder = Vec::new();
                    for dir in dirs.iter().skip(worker).step_by(WORKERS) {
                        compare_fixture(dir, &mut cmp, &mut worlds_seen, &mut no_placeholder);
                    }
                    (cmp.compared, worlds_seen, cmp.failures, no_placeholder)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let compared: usize = results.iter().map(|r| r.0).sum();
    let worlds_seen: usize = results.iter().map(|r| r.1).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    let no_placeholder: Vec<&String> = results.iter().flat_map(|r| &r.3).collect();
    println!(
        "{} comparisons over {} fixtures and {worlds_seen} worlds; {} failed",
        compared,
        dirs.len(),
        failures.len()
    );
    for line in &no_placeholder {
        println!("no placeholder module (not compared): {line}");
    }
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
