//! compono as a drop-in for wasm-tools: the command lines in
//! `tests/drop-in/commands.txt`, taken from real use, run once with
//! wasm-tools and once with compono under the name `wasm-tools`, each in
//! its own copy of the inputs. Every counted line must give equal stdout
//! and write equal files; lines compono cannot run yet are listed as
//! pending, never skipped silently.

mod cli_common;

use cli_common::wasm_tools;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// At least this many lines must be counted (run and equal).
const MIN_COUNTED: usize = 30;

fn drop_in_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drop-in")
}

/// One line of the script.
#[derive(Debug)]
enum Line {
    Run {
        source: String,
        command: String,
    },
    Setup(String),
    Listed {
        kind: &'static str,
        reason: String,
        command: String,
    },
}

fn parse_script(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut source = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("# source:") {
            source = rest.trim().to_string();
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(command) = line.strip_prefix("setup:") {
            lines.push(Line::Setup(command.trim().to_string()));
            continue;
        }
        let listed = ["pending", "differs"].into_iter().find_map(|kind| {
            let rest = line.strip_prefix(kind)?.strip_prefix('(')?;
            let (reason, command) = rest.split_once("):")?;
            Some(Line::Listed {
                kind,
                reason: reason.to_string(),
                command: command.trim().to_string(),
            })
        });
        match listed {
            Some(listed) => lines.push(listed),
            None => {
                assert!(
                    line.contains("wasm-tools "),
                    "not a wasm-tools command line: {line}"
                );
                lines.push(Line::Run {
                    source: source.clone(),
                    command: line.to_string(),
                });
            }
        }
    }
    lines
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The binary inputs: real producers' modules from `fixtures/guests`, and
/// small modules made here from text.
fn write_binary_inputs(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let c_guest = root.join("fixtures/guests/c/guest.wasm");
    let write = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let c_guest = std::fs::read(c_guest).unwrap();
    // A clang-19 module with its world embedded, and that world.
    write("foo.wasm", &c_guest);
    write(
        "world.wit",
        &std::fs::read(root.join("fixtures/guests/c/world.wit")).unwrap(),
    );
    write("bachelor/c/add-core.wasm", &c_guest);
    std::fs::create_dir_all(dir.join("bachelor/components")).unwrap();
    let add = wat::parse_file(dir.join("add.wat")).unwrap();
    write("target/wasm/release/build/gen/gen.wasm", &add);
    write("empty.wat", b"(module)\n");
    let mvp = wat::parse_str(
        "(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))",
    )
    .unwrap();
    write("mvp.wasm", &mvp);
    write(
        "jco/wasmtime/target/wasm32-unknown-unknown/release/wasi_snapshot_preview1.wasm",
        &mvp,
    );
    std::fs::create_dir_all(dir.join("jco/lib")).unwrap();
    // Proposals past the default set: wide arithmetic.
    let fancy = wat::parse_str(
        "(module (func (export \"f\") (param i64 i64 i64 i64) (result i64 i64)
           local.get 0 local.get 1 local.get 2 local.get 3 i64.add128))",
    )
    .unwrap();
    write("fancy.wasm", &fancy);
    // The component of `metadata show --help`'s example: named, with named
    // modules inside.
    let meta = wat::parse_str(
        r#"(component $my-name
          (core module $submodule)
          (core module (@name "another submodule")))"#,
    )
    .unwrap();
    write("meta.wasm", &meta);
    // The `root` world of `wac/wit`: `greet(name: string) -> string`,
    // echoing its argument.
    let greet = wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (global $next (mut i32) (i32.const 1024))
          (func (export "greet") (param i32 i32) (result i32)
            (i32.store (i32.const 0) (local.get 0))
            (i32.store (i32.const 4) (local.get 1))
            i32.const 0)
          (func (export "cabi_post_greet") (param i32))
          (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $next))
            (global.set $next (i32.add (global.get $next) (local.get 3)))
            (local.get $ptr)))"#,
    )
    .unwrap();
    write("wac/target/wasm32-unknown-unknown/debug/main.wasm", &greet);
}

/// A workspace: the inputs and a `bin/wasm-tools` that is `tool`.
fn workspace(tool: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&drop_in_dir().join("inputs"), dir.path());
    write_binary_inputs(dir.path());
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tool, dir.path().join("bin/wasm-tools")).unwrap();
    dir
}

fn run_line(dir: &Path, command: &str) -> Output {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    compono_testutil::command("bash")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run bash")
}

/// Every file under `dir` (but `bin/`) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if relative == Path::new("bin") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// What two wasm outputs must agree on: whether they validate, the WIT of
/// a component or of a module's embedded world, and a core module's
/// imports and exports.
fn wasm_summary(bytes: &[u8], oracle: &Path, scratch: &Path) -> Result<String, String> {
    let file = scratch.join("summary-input.wasm");
    std::fs::write(&file, bytes).unwrap();
    let run = |args: &[&str]| {
        compono_testutil::command(oracle)
            .args(args)
            .arg(&file)
            .output()
            .expect("run wasm-tools")
    };
    let mut summary = String::new();
    let valid = run(&["validate", "--features", "all"]);
    summary.push_str(&format!("valid: {}\n", valid.status.success()));
    let is_component = wasmparser::Parser::is_component(bytes);
    let has_world = !is_component
        && wasmparser::Parser::new(0).parse_all(bytes).any(|p| {
            matches!(p, Ok(wasmparser::Payload::CustomSection(s)) if s.name().starts_with("component-type"))
        });
    if is_component || has_world {
        let wit = run(&["component", "wit"]);
        summary.push_str(&format!(
            "wit ({}):\n{}\n",
            wit.status.success(),
            String::from_utf8_lossy(&wit.stdout)
        ));
    }
    if !is_component {
        summary.push_str(&module_interface(bytes)?);
    }
    Ok(summary)
}

/// A core module's imports and exports with their types, sorted: what a
/// module is to everything outside it, whatever order its sections are in.
fn module_interface(bytes: &[u8]) -> Result<String, String> {
    use wasmparser::{Payload, TypeRef};
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.map_err(|e| e.to_string())?.into_types() {
                        types.push(format!("{:?}", ty.composite_type.inner));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let ty = match import.ty {
                        TypeRef::Func(t) => {
                            funcs.push(t);
                            types.get(t as usize).cloned().unwrap_or_default()
                        }
                        other => format!("{other:?}"),
                    };
                    imports.push(format!("import {} {}: {ty}", import.module, import.name));
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    funcs.push(t.map_err(|e| e.to_string())?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    let ty = match export.kind {
                        wasmparser::ExternalKind::Func => funcs
                            .get(export.index as usize)
                            .and_then(|t| types.get(*t as usize).cloned())
                            .unwrap_or_default(),
                        other => format!("{other:?}"),
                    };
                    exports.push(format!("export {}: {ty}", export.name));
                }
            }
            _ => {}
        }
    }
    imports.sort();
    exports.sort();
    Ok(imports
        .into_iter()
        .chain(exports)
        .map(|l| l + "\n")
        .collect())
}

/// wasm text as binary, for comparing printed modules and components.
fn as_wasm(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Some(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes).ok()?.trim_start();
    if !text.starts_with("(module") && !text.starts_with("(component") {
        return None;
    }
    wat::parse_str(text).ok()
}

/// Equal bytes, or equal wasm summaries.
fn same_output(theirs: &[u8], ours: &[u8], oracle: &Path, scratch: &Path) -> Result<(), String> {
    if theirs == ours {
        return Ok(());
    }
    let (Some(theirs_wasm), Some(ours_wasm)) = (as_wasm(theirs), as_wasm(ours)) else {
        return Err(format!(
            "differs:\n--- wasm-tools\n{}\n--- compono\n{}",
            String::from_utf8_lossy(theirs),
            String::from_utf8_lossy(ours)
        ));
    };
    let theirs = wasm_summary(&theirs_wasm, oracle, scratch)?;
    let ours = wasm_summary(&ours_wasm, oracle, scratch)?;
    if theirs == ours {
        Ok(())
    } else {
        Err(format!(
            "wasm differs:\n--- wasm-tools\n{theirs}\n--- compono\n{ours}"
        ))
    }
}

#[test]
fn real_world_command_lines_give_equal_outputs() {
    let Some(oracle) = wasm_tools() else {
        eprintln!("skipped: no wasm-tools to compare with");
        return;
    };
    let script = std::fs::read_to_string(drop_in_dir().join("commands.txt")).unwrap();
    let lines = parse_script(&script);
    let compono = PathBuf::from(env!("CARGO_BIN_EXE_compono"));
    let theirs_dir = workspace(oracle);
    let ours_dir = workspace(&compono);
    let scratch = tempfile::tempdir().unwrap();

    let mut counted = 0;
    let mut failures = Vec::new();
    let mut listed = Vec::new();
    for line in &lines {
        let (source, command) = match line {
            Line::Setup(command) => {
                for dir in [theirs_dir.path(), ours_dir.path()] {
                    let out = run_line(dir, command);
                    assert!(out.status.success(), "setup `{command}` failed");
                }
                continue;
            }
            Line::Listed {
                kind,
                reason,
                command,
            } => {
                println!("{kind:<8} {command}\n         ({reason})");
                listed.push(*kind);
                continue;
            }
            Line::Run { source, command } => (source, command),
        };
        let before_theirs = snapshot(theirs_dir.path());
        let before_ours = snapshot(ours_dir.path());
        let theirs = run_line(theirs_dir.path(), command);
        let ours = run_line(ours_dir.path(), command);
        let mut problems = Vec::new();
        if !theirs.status.success() {
            problems.push(format!(
                "wasm-tools itself fails (fix the script): {}",
                String::from_utf8_lossy(&theirs.stderr)
            ));
        }
        if theirs.status.success() != ours.status.success() {
            problems.push(format!(
                "exit status differs: wasm-tools {}, compono {}: {}",
                theirs.status,
                ours.status,
                String::from_utf8_lossy(&ours.stderr)
            ));
        }
        if let Err(e) = same_output(&theirs.stdout, &ours.stdout, oracle, scratch.path()) {
            problems.push(format!("stdout {e}"));
        }
        let after_theirs = snapshot(theirs_dir.path());
        let after_ours = snapshot(ours_dir.path());
        let written = |before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>| {
            after
                .iter()
                .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
                .map(|(path, _)| path.clone())
                .collect::<Vec<_>>()
        };
        let theirs_written = written(&before_theirs, &after_theirs);
        let ours_written = written(&before_ours, &after_ours);
        if theirs_written != ours_written {
            problems.push(format!(
                "files written differ: wasm-tools {theirs_written:?}, compono {ours_written:?}"
            ));
        }
        for path in &theirs_written {
            if let Some(ours) = after_ours.get(path)
                && let Err(e) = same_output(&after_theirs[path], ours, oracle, scratch.path())
            {
                problems.push(format!("`{}` {e}", path.display()));
            }
        }
        if problems.is_empty() {
            counted += 1;
            println!("equal    {command}");
        } else {
            println!("MISMATCH {command}");
            failures.push(format!(
                "`{command}` (from {source}):\n  {}",
                problems.join("\n  ")
            ));
        }
    }
    let pending = listed.iter().filter(|k| **k == "pending").count();
    let differs = listed.len() - pending;
    println!(
        "\n{counted} command lines equal, {} mismatched; {pending} pending, {differs} documented differences",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        counted >= MIN_COUNTED,
        "only {counted} counted command lines (want {MIN_COUNTED})"
    );
}
