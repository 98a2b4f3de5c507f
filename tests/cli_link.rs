//! `compono link` end to end, through the binary: the CLI's own behaviour
//! (names, aliases, text output, flags it refuses). What linking does is
//! covered by the fixtures in `tests/link.rs`.

mod cli_common;

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

/// `--emit-canonical-names` names a linked component's interfaces as
/// wasm-tools' `component link` does (`wasi:clocks/clock@0.2` with the
/// `version-suffix` `.3`), and both read back as the same world.
#[test]
fn canonical_names_match_wasm_tools() {
    let dir = tempfile::tempdir().unwrap();
    cli_common::write_files(
        dir.path(),
        &[
            (
                "wit/main.wit",
                "package t:canon@1.4.2;\n\
             interface api { get: func() -> u64; }\n\
             world w {\n  import wasi:clocks/clock@0.2.3;\n  import plain:unversioned/u;\n  \
             export api;\n}\n",
            ),
            (
                "wit/deps/clock.wit",
                "package wasi:clocks@0.2.3;\ninterface clock { now: func() -> u64; }\n",
            ),
            (
                "wit/deps/plain.wit",
                "package plain:unversioned;\ninterface u { use-it: func(); }\n",
            ),
            (
                "app.wat",
                r#"(module
                (@dylink.0 (mem-info))
                (import "wasi:clocks/clock@0.2.3" "now" (func $now (result i64)))
                (import "plain:unversioned/u" "use-it" (func $use))
                (func (export "t:canon/api@1.4.2#get") (result i64) call $use call $now))"#,
            ),
        ],
    );
    let out = compono(
        &["embed", "wit", "app.wat", "--world", "w", "-o", "main.wasm"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(tool) = cli_common::wasm_tools() else {
        return;
    };
    let link = ["link", "main.wasm", "--emit-canonical-names", "-o"];
    let out = compono(&[&link[..], &["ours.wasm"]].concat(), dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli_common::run_wasm_tools(
        &[&["component"][..], &link[..], &["theirs.wasm"]].concat(),
        dir.path(),
    )
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let names = |file| cli_common::version_suffixed_names(tool, dir.path(), file);
    assert_eq!(
        names("ours.wasm"),
        [
            "\"t:canon/api@1\" (version-suffix \".4.2\")",
            "\"wasi:clocks/clock@0.2\" (version-suffix \".3\")"
        ]
    );
    assert_eq!(names("ours.wasm"), names("theirs.wasm"));
    let wit = |file| {
        cli_common::run_wasm_tools(&["component", "wit", file], dir.path())
            .unwrap()
            .stdout
    };
    assert_eq!(wit("ours.wasm"), wit("theirs.wasm"));
}

/// Two semver-compatible imports cannot share one canonical name: without
/// merging them, `--emit-canonical-names` is an error naming both, exit 1,
/// no output; wasm-tools refuses the same input.
#[test]
fn canonical_names_that_collide_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    cli_common::write_files(
        dir.path(),
        &[
            (
                "wit/main.wit",
                "package t:canon@1.4.2;\n\
             world twice {\n  import wasi:clocks/clock@0.2.3;\n  \
             import wasi:clocks/clock@0.2.5;\n  export run: func() -> u64;\n}\n",
            ),
            (
                "wit/deps/clock3.wit",
                "package wasi:clocks@0.2.3;\ninterface clock { now: func() -> u64; }\n",
            ),
            (
                "wit/deps/clock5.wit",
                "package wasi:clocks@0.2.5;\ninterface clock { now: func() -> u64; }\n",
            ),
            (
                "app.wat",
                r#"(module
                (@dylink.0 (mem-info))
                (import "wasi:clocks/clock@0.2.3" "now" (func $a (result i64)))
                (import "wasi:clocks/clock@0.2.5" "now" (func $b (result i64)))
                (func (export "run") (result i64) call $a call $b i64.add))"#,
            ),
        ],
    );
    let out = compono(
        &[
            "embed",
            "wit",
            "app.wat",
            "--world",
            "twice",
            "-o",
            "main.wasm",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let link = [
        "link",
        "main.wasm",
        "--merge-imports-based-on-semver=false",
        "--emit-canonical-names",
        "-o",
        "out.wasm",
    ];
    let out = compono(&link, dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`wasi:clocks/clock@0.2.3` and `wasi:clocks/clock@0.2.5`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out.wasm").exists());
    if let Some(out) =
        cli_common::run_wasm_tools(&[&["component"][..], &link[..]].concat(), dir.path())
    {
        assert!(!out.status.success(), "wasm-tools accepted it");
    }
}
