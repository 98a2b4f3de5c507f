//! `compono new` with adapters, end to end through the binary: compono's
//! own preview1 adapter by default, `--adapt` with any adapter, and the
//! inputs that must be refused (each with an error that names the
//! function or the adapter, exit code 1 and no output file).

use std::path::Path;
use std::process::Output;

fn compono(args: &[&str], dir: &Path) -> Output {
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run compono")
}

fn write_wat(dir: &Path, name: &str, wat: &str) {
    std::fs::write(dir.join(name), wat::parse_str(wat).expect("valid wat")).unwrap();
}

/// Runs `compono new` expecting failure: exit code 1, no output written,
/// and a message mentioning each of `needles`.
fn refused(dir: &Path, args: &[&str], needles: &[&str]) {
    let out = dir.join("out.wasm");
    let _ = std::fs::remove_file(&out);
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "out.wasm"]);
    let output = compono(&all, dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(!out.exists(), "{args:?} left an output file");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: `{needle}` not in: {stderr}"
        );
    }
}

/// A preview1 command: `_start` writes with `fd_write`.
const COMMAND: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 8)))))"#;

/// The names the outermost component imports (`true`) or exports.
fn component_names(component: &[u8], imports: bool) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload.unwrap() {
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(reader) if depth == 0 && imports => {
                for import in reader {
                    names.push(import.unwrap().name.name.to_string());
                }
            }
            wasmparser::Payload::ComponentExportSection(reader) if depth == 0 && !imports => {
                for export in reader {
                    names.push(export.unwrap().name.name.to_string());
                }
            }
            _ => {}
        }
    }
    names
}

fn component_imports(component: &[u8]) -> Vec<String> {
    component_names(component, true)
}

fn component_exports(component: &[u8]) -> Vec<String> {
    component_names(component, false)
}

#[test]
fn preview1_modules_get_compono_adapter_by_default() {
    let dir = tempfile::tempdir().unwrap();
    write_wat(dir.path(), "app.wasm", COMMAND);
    let output = compono(&["new", "app.wasm", "-o", "app.component.wasm"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line about the adapter: {stderr}"
    );
    assert!(stderr.contains("command adapter"), "{stderr}");
    let component = std::fs::read(dir.path().join("app.component.wasm")).unwrap();
    // `fd_write` writes to stdio streams or files (and asks a file's size
    // after appending, whose `stat` brings the wall clock's `datetime`):
    // nothing else.
    let imports = component_imports(&component);
    assert_eq!(
        imports,
        [
            "wasi:io/error@0.2.0",
            "wasi:io/streams@0.2.0",
            "wasi:clocks/wall-clock@0.2.0",
            "wasi:filesystem/types@0.2.0",
            "wasi:cli/stdout@0.2.0",
            "wasi:cli/stderr@0.2.0"
        ],
        "{imports:?}"
    );
    assert_eq!(component_exports(&component), ["wasi:cli/run@0.2.0"]);

    // `--adapt wasi_snapshot_preview1` alone is the same adapter, silently.
    let output = compono(
        &[
            "new",
            "app.wasm",
            "--adapt",
            "wasi_snapshot_preview1",
            "-o",
            "again.wasm",
        ],
        dir.path(),
    );
    assert!(output.status.success());
    assert!(output.stderr.is_empty());
    assert_eq!(
        std::fs::read(dir.path().join("again.wasm")).unwrap(),
        component
    );
}

#[test]
fn reactors_get_the_reactor_adapter() {
    let dir = tempfile::tempdir().unwrap();
    write_wat(
        dir.path(),
        "lib.wasm",
        r#"(module
          (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_initialize"))
          (func (export "fill") (drop (call $random (i32.const 0) (i32.const 16)))))"#,
    );
    let output = compono(&["new", "lib.wasm", "-o", "lib.component.wasm"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("reactor adapter"), "{stderr}");
    let component = std::fs::read(dir.path().join("lib.component.wasm")).unwrap();
    assert_eq!(component_imports(&component), ["wasi:random/random@0.2.0"]);
    assert!(component_exports(&component).is_empty());
}

#[test]
fn no_auto_adapt_leaves_preview1_imports_unexplained() {
    let dir = tempfile::tempdir().unwrap();
    write_wat(dir.path(), "app.wasm", COMMAND);
    refused(
        dir.path(),
        &["app.wasm", "--no-auto-adapt"],
        &[
            "wasi_snapshot_preview1::fd_write",
            "--no-auto-adapt",
            "--adapt",
        ],
    );
}

#[test]
fn wrong_preview1_signature_names_the_function() {
    let dir = tempfile::tempdir().unwrap();
    write_wat(
        dir.path(),
        "app.wasm",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")))"#,
    );
    refused(
        dir.path(),
        &["app.wasm"],
        &[
            "fd_write",
            "(param i32) (result i32)",
            "(param i32 i32 i32 i32) (result i32)",
        ],
    );
}

/// `adapter.wasm` from `wat`, with an empty world embedded.
fn adapter(dir: &Path, name: &str, wat: &str) {
    write_wat(dir, "raw.wasm", wat);
    std::fs::write(
        dir.join("empty.wit"),
        "package t:adapter;\nworld adapter {}\n",
    )
    .unwrap();
    let output = compono(&["embed", "empty.wit", "raw.wasm", "-o", name], dir);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn bad_adapters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_wat(d, "app.wasm", COMMAND);
    adapter(
        d,
        "own-memory.wasm",
        r#"(module (memory 1) (func (export "fd_write") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
    );
    refused(
        d,
        &[
            "app.wasm",
            "--adapt",
            "wasi_snapshot_preview1=own-memory.wasm",
        ],
        &[
            "adapter `wasi_snapshot_preview1`",
            "memory of its own",
            "env::memory",
        ],
    );
    adapter(
        d,
        "data.wasm",
        r#"(module (import "env" "memory" (memory 0)) (data (i32.const 0) "state")
             (func (export "fd_write") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
    );
    refused(
        d,
        &["app.wasm", "--adapt", "wasi_snapshot_preview1=data.wasm"],
        &["adapter `wasi_snapshot_preview1`", "data segments"],
    );
    adapter(
        d,
        "missing.wasm",
        r#"(module (import "env" "memory" (memory 0))
             (func (export "fd_read") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
    );
    refused(
        d,
        &["app.wasm", "--adapt", "wasi_snapshot_preview1=missing.wasm"],
        &[
            "adapter `wasi_snapshot_preview1`",
            "does not export `fd_write`",
        ],
    );
    adapter(
        d,
        "wrong-sig.wasm",
        r#"(module (import "env" "memory" (memory 0))
             (func (export "fd_write") (param i32) (result i32) i32.const 0))"#,
    );
    refused(
        d,
        &[
            "app.wasm",
            "--adapt",
            "wasi_snapshot_preview1=wrong-sig.wasm",
        ],
        &[
            "wasi_snapshot_preview1::fd_write",
            "(param i32) (result i32)",
        ],
    );
    write_wat(
        d,
        "no-world.wasm",
        r#"(module (import "env" "memory" (memory 0))
             (func (export "fd_write") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
    );
    refused(
        d,
        &[
            "app.wasm",
            "--adapt",
            "wasi_snapshot_preview1=no-world.wasm",
        ],
        &["adapter `wasi_snapshot_preview1`", "component-type"],
    );
    refused(
        d,
        &[
            "app.wasm",
            "--adapt",
            "wasi_snapshot_preview1=missing.wasm",
            "--adapt",
            "wasi_snapshot_preview1=data.wasm",
        ],
        &["adapter `wasi_snapshot_preview1`", "two adapters"],
    );
    std::fs::write(d.join("garbage.wasm"), b"\0asm\x01\0\0\0garbage").unwrap();
    refused(
        d,
        &["app.wasm", "--adapt", "wasi_snapshot_preview1=garbage.wasm"],
        &["adapter `wasi_snapshot_preview1`"],
    );
}

#[test]
fn an_adapter_for_another_module_name() {
    // Any module name can be adapted, and several adapters at once: the
    // main module imports `log` from an adapter that implements it with
    // fd_write from another adapter (compono's preview1).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_wat(
        d,
        "app.wasm",
        r#"(module
          (import "logger" "log" (func $log (param i32 i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $log (i32.const 0) (i32.const 4))))"#,
    );
    adapter(
        d,
        "logger.wasm",
        r#"(module
          (import "env" "memory" (memory 0))
          (func (export "log") (param i32 i32)))"#,
    );
    let output = compono(
        &[
            "new",
            "app.wasm",
            "--adapt",
            "logger.wasm",
            "--adapt",
            "wasi_snapshot_preview1",
            "-o",
            "out.wasm",
        ],
        d,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let component = std::fs::read(d.join("out.wasm")).unwrap();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .unwrap();
    // compono's preview1 adapter is not needed by anything, so it is not
    // there; the logger imports nothing.
    assert!(component_imports(&component).is_empty());
}
