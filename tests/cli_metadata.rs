//! `compono metadata show|add`, against `wasm-tools metadata` on the same
//! files.

mod cli_common;

use cli_common::{run_compono, run_wasm_tools, success};
use std::path::Path;

/// Every `metadata add` flag wasm-tools has, in one command line.
const ADD_ALL: &[&str] = &[
    "--name",
    "renamed",
    "--language",
    "Rust=1.90",
    "--language",
    "C=11",
    "--processed-by",
    "tool=0.1",
    "--sdk",
    "rustc=1.95",
    "--authors",
    "J. Random Hacker <j@example.com>",
    "--description",
    "a test module",
    "--licenses",
    "Apache-2.0 WITH LLVM-exception OR MIT",
    "--source",
    "https://example.com/src",
    "--homepage",
    "https://example.com",
    "--revision",
    "de978e17a80c",
    "--version",
    "1.2.3",
];

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let module = wat::parse_str("(module $original (func (export \"f\")))").unwrap();
    std::fs::write(dir.path().join("m.wasm"), module).unwrap();
    let component = wat::parse_str(
        "(component $outer (core module $inner (func)) (component $nested (core module)))",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.wasm"), component).unwrap();
    dir
}

/// `compono` and `wasm-tools` agree byte for byte on `args` (when the
/// oracle is present); returns compono's stdout.
fn same_stdout(args: &[&str], dir: &Path) -> Vec<u8> {
    let ours = success(&format!("compono {args:?}"), run_compono(args, dir));
    if let Some(theirs) = run_wasm_tools(args, dir) {
        let theirs = success(&format!("wasm-tools {args:?}"), theirs);
        pretty_assertions::assert_eq!(
            String::from_utf8_lossy(&theirs),
            String::from_utf8_lossy(&ours),
            "`{args:?}` differs from wasm-tools"
        );
    }
    ours
}

#[test]
fn add_writes_what_wasm_tools_writes_and_show_json_is_identical() {
    let dir = setup();
    for input in ["m.wasm", "c.wasm"] {
        let mut args = vec!["metadata", "add", input];
        args.extend_from_slice(ADD_ALL);
        let ours_file = format!("ours-{input}");
        let theirs_file = format!("theirs-{input}");
        let mut ours_args = args.clone();
        ours_args.extend(["-o", &ours_file]);
        success("compono metadata add", run_compono(&ours_args, dir.path()));
        let mut theirs_args = args.clone();
        theirs_args.extend(["-o", &theirs_file]);
        if let Some(out) = run_wasm_tools(&theirs_args, dir.path()) {
            success("wasm-tools metadata add", out);
            let ours = std::fs::read(dir.path().join(&ours_file)).unwrap();
            let theirs = std::fs::read(dir.path().join(&theirs_file)).unwrap();
            assert!(ours == theirs, "`metadata add` output differs for {input}");
        }
        let json = same_stdout(&["metadata", "show", "--json", &ours_file], dir.path());
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let kind = if input == "m.wasm" {
            "module"
        } else {
            "component"
        };
        let metadata = if kind == "module" {
            &value[kind]
        } else {
            &value[kind]["metadata"]
        };
        assert_eq!(metadata["name"], "renamed");
        assert_eq!(metadata["authors"], "J. Random Hacker <j@example.com>");
        assert_eq!(metadata["homepage"], "https://example.com/");
        assert!(
            !json.ends_with(b"\n"),
            "wasm-tools prints no trailing newline"
        );

        let text = String::from_utf8(success(
            "compono metadata show",
            run_compono(&["metadata", "show", &ours_file], dir.path()),
        ))
        .unwrap();
        for line in [
            &format!("{kind} renamed (bytes 0.."),
            "  language: Rust 1.90, C 11",
            "  sdk: rustc 1.95",
            "  licenses: Apache-2.0 WITH LLVM-exception OR MIT",
            "  version: 1.2.3",
        ] {
            assert!(text.contains(line), "no `{line}` in:\n{text}");
        }
    }
    // Nested items: names and ranges of everything inside.
    same_stdout(&["metadata", "show", "--json", "c.wasm"], dir.path());
}

#[test]
fn clear_flags_remove_what_add_set() {
    let dir = setup();
    let mut args = vec!["metadata", "add", "m.wasm", "-o", "full.wasm"];
    args.extend_from_slice(ADD_ALL);
    success("add", run_compono(&args, dir.path()));
    let clear = [
        "metadata",
        "add",
        "full.wasm",
        "--clear-name",
        "--clear-authors",
        "--clear-description",
        "--clear-licenses",
        "--clear-source",
        "--clear-homepage",
        "--clear-revision",
        "--clear-version",
        "-o",
        "cleared.wasm",
    ];
    success("clear", run_compono(&clear, dir.path()));
    let json = same_stdout(&["metadata", "show", "--json", "cleared.wasm"], dir.path());
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    for field in [
        "name",
        "authors",
        "description",
        "licenses",
        "source",
        "homepage",
        "revision",
        "version",
    ] {
        assert!(value["module"][field].is_null(), "{field} left: {value}");
    }
    // Producers are only ever added to.
    assert!(!value["module"]["producers"].is_null());
}

#[test]
fn show_writes_to_output_and_add_prints_text() {
    let dir = setup();
    success(
        "show -o",
        run_compono(
            &["metadata", "show", "c.wasm", "--json", "-o", "shown.json"],
            dir.path(),
        ),
    );
    let shown = std::fs::read_to_string(dir.path().join("shown.json")).unwrap();
    assert!(shown.starts_with("{\"component\":"), "{shown}");
    let text = String::from_utf8(success(
        "add -t",
        run_compono(
            &["metadata", "add", "m.wasm", "--language", "foo=1", "-t"],
            dir.path(),
        ),
    ))
    .unwrap();
    assert!(text.contains("(language \"foo\" \"1\")"), "{text}");
}

#[test]
fn bad_values_and_garbage_are_clean_errors() {
    let dir = setup();
    let out = run_compono(
        &[
            "metadata",
            "add",
            "m.wasm",
            "--licenses",
            "NOT A LICENSE",
            "-o",
            "x.wasm",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--licenses"), "{stderr}");
    assert!(!dir.path().join("x.wasm").exists());

    std::fs::write(dir.path().join("junk.wasm"), b"\0asm\x01\0\0\0\x00\xff\xff").unwrap();
    std::fs::write(dir.path().join("text.txt"), b"hello").unwrap();
    for file in ["junk.wasm", "text.txt"] {
        for args in [
            &["metadata", "show", file][..],
            &["metadata", "add", file, "--name", "x", "-o", "y.wasm"],
        ] {
            let out = run_compono(args, dir.path());
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(file), "{stderr}");
            assert!(!stderr.contains("<anon>"), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}
