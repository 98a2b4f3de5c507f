//! `compono link` end to end, through the binary: the CLI's own behaviour
//! (names, aliases, text output, flags it refuses). What linking does is
//! covered by the fixtures in `tests/link.rs`.

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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Two libraries in text form: `app.wat` (with an embedded world, as
/// `main.wasm`) needs `libdep.so`, which `dep.wat` holds.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dep.wat"),
        r#"(module (@dylink.0 (mem-info)) (func (export "dep") (result i32) i32.const 41))"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.wat"),
        r#"(module
            (@dylink.0 (mem-info) (needed "libdep.so"))
            (import "env" "dep" (func $dep (result i32)))
            (func (export "run") (result i32) call $dep i32.const 1 i32.add))"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("w.wit"),
        "package t:t; world w { export run: func() -> u32; }",
    )
    .unwrap();
    let out = compono(
        &["embed", "w.wit", "app.wat", "-o", "main.wasm"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn names_come_from_name_equals_path() {
    let dir = setup();
    // Without a name, `dep.wat` is not the `libdep.so` that main needs.
    let out = compono(
        &["link", "main.wasm", "dep.wat", "-o", "out.wasm"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`main.wasm` needs `libdep.so`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out.wasm").exists());
    let out = compono(
        &["link", "main.wasm", "libdep.so=dep.wat", "-o", "out.wasm"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = compono(&["wit", "out.wasm"], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("export run: func() -> u32;"));
}

#[test]
fn the_wasm_tools_spelling_prints_text() {
    let dir = setup();
    let out = compono(
        &["component", "link", "main.wasm", "libdep.so=dep.wat", "-t"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("(component"), "{text}");
    assert!(text.contains("(core module"), "{text}");
}

#[test]
fn refused_flags_and_missing_inputs_are_errors() {
    let dir = setup();
    for args in [
        &[
            "link",
            "main.wasm",
            "libdep.so=dep.wat",
            "--emit-canonical-names",
        ][..],
        &[
            "link",
            "main.wasm",
            "libdep.so=dep.wat",
            "--return-call-ref",
        ][..],
        &["link", "main.wasm", "nope.so"][..],
        &["link"][..],
    ] {
        let out = compono(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
    // Accepted for compatibility.
    let out = compono(
        &[
            "link",
            "main.wasm",
            "libdep.so=dep.wat",
            "-v",
            "--color",
            "never",
            "--validate=false",
            "--debug-names",
            "--stack-size",
            "65536",
            "-o",
            "out.wasm",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn bad_adapters_are_errors_naming_them() {
    let dir = setup();
    std::fs::write(
        dir.path().join("garbage.wasm"),
        b"\0asm\x01\0\0\0\x05garbage",
    )
    .unwrap();
    // A module, but no adapter: no world, and a memory of its own.
    std::fs::write(
        dir.path().join("plain.wat"),
        r#"(module (memory 1) (func (export "f")))"#,
    )
    .unwrap();
    for (adapter, what) in [
        ("wasi_snapshot_preview1=missing.wasm", "missing.wasm"),
        ("foo=garbage.wasm", "garbage.wasm"),
        ("foo=plain.wat", "foo"),
    ] {
        let out = compono(
            &[
                "link",
                "main.wasm",
                "libdep.so=dep.wat",
                "--adapt",
                adapter,
                "-o",
                "out.wasm",
            ],
            dir.path(),
        );
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{adapter}: {text}");
        assert!(text.starts_with("error: "), "{adapter}: {text}");
        assert!(text.contains(what), "{adapter}: {text}");
        assert!(!text.contains("panicked"), "{adapter}: {text}");
        assert!(!dir.path().join("out.wasm").exists(), "{adapter}");
    }
}
