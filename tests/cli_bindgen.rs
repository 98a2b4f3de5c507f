//! `compono bindgen` / `compono-bindgen` end to end: files written, `--check`,
//! both program names agreeing, and errors naming the file.

use compono_testutil::command;
use std::path::Path;
use std::process::Output;

const WIT: &str = r#"package test:cli;

/// Greets people.
interface greet {
  /// Someone to greet.
  record person { name: string, age: u8 }
  /// Says hello.
  hello: func(p: person) -> string;
}

world greeter {
  import greet;
  export run: func() -> u32;
}
"#;

fn compono(args: &[&str]) -> Output {
    command(env!("CARGO_BIN_EXE_compono"))
        .args(args)
        .output()
        .expect("run compono")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("greeter.wit");
    std::fs::write(&wit, WIT).unwrap();
    let out = dir.path().join("out");
    let (wit, out) = (wit.display().to_string(), out.display().to_string());
    (dir, wit, out)
}

#[test]
fn rust_bindings_are_written_and_checked() {
    let (_dir, wit, out) = setup();
    let o = compono(&["bindgen", "rust", &wit, "--out-dir", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = Path::new(&out).join("greeter.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("pub struct Person"), "{text}");
    assert!(text.contains("pub fn hello(p: &"), "{text}");
    assert!(text.contains("pub trait Guest"), "{text}");
    assert!(text.contains("link_section = \"component-type:"), "{text}");

    let o = compono(&["bindgen", "rust", &wit, "--out-dir", &out, "--check"]);
    assert!(
        o.status.success(),
        "fresh output must pass --check: {}",
        stderr(&o)
    );

    std::fs::write(&file, text.replace("Person", "Persona")).unwrap();
    let before = std::fs::read(&file).unwrap();
    let o = compono(&["bindgen", "rust", &wit, "--out-dir", &out, "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("greeter.rs"), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of date"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "--check must not write"
    );

    std::fs::remove_file(&file).unwrap();
    let o = compono(&["bindgen", "rust", &wit, "--out-dir", &out, "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    assert!(!file.exists());
}

#[test]
fn both_program_names_generate_the_same_bytes() {
    let (_dir, wit, out) = setup();
    let a = format!("{out}/a");
    let b = format!("{out}/b");
    assert!(
        compono(&["bindgen", "rust", &wit, "--out-dir", &a])
            .status
            .success()
    );
    let o = command(env!("CARGO_BIN_EXE_compono-bindgen"))
        .args(["rust", &wit, "--out-dir", &b])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(format!("{a}/greeter.rs")).unwrap(),
        std::fs::read(format!("{b}/greeter.rs")).unwrap()
    );
}

#[test]
fn markdown_documents_types_functions_and_docs() {
    let (_dir, wit, out) = setup();
    let o = compono(&["bindgen", "markdown", &wit, "--out-dir", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(format!("{out}/greeter.md")).unwrap();
    for needle in [
        "# World `greeter`",
        "test:cli/greet",
        "record `person`",
        "Someone to greet.",
        "`name`: `string`",
        "hello: func(p: person) -> string",
        "Says hello.",
        "run: func() -> u32",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    }
}

#[test]
fn wit_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("broken.wit");
    std::fs::write(
        &wit,
        "package a:b;\n\ninterface i {\n  f: func(x: nope);\n}\n",
    )
    .unwrap();
    let out = dir.path().display().to_string();
    let o = compono(&[
        "bindgen",
        "rust",
        &wit.display().to_string(),
        "--out-dir",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("broken.wit:4"), "{err}");
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn unknown_world_is_an_error() {
    let (_dir, wit, out) = setup();
    let o = compono(&[
        "bindgen",
        "rust",
        &wit,
        "--world",
        "nope",
        "--out-dir",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
}

#[test]
fn c_bindings_header_source_and_object() {
    let (_dir, wit, out) = setup();
    let o = compono(&["bindgen", "c", &wit, "--out-dir", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let h = std::fs::read_to_string(format!("{out}/greeter.h")).unwrap();
    let c = std::fs::read_to_string(format!("{out}/greeter.c")).unwrap();
    let obj = std::fs::read(format!("{out}/greeter_component_type.o")).unwrap();
    assert!(h.contains("typedef struct greeter_string_t"), "{h}");
    assert!(h.contains("test_cli_greet_person_t"), "{h}");
    assert!(
        h.contains("void test_cli_greet_person_free(test_cli_greet_person_t *ptr);"),
        "{h}"
    );
    assert!(
        h.contains("void test_cli_greet_hello(test_cli_greet_person_t *p, greeter_string_t *ret);"),
        "{h}"
    );
    assert!(h.contains("uint32_t exports_greeter_run(void);"), "{h}");
    assert!(
        c.contains("__component_type_object_force_link_greeter"),
        "{c}"
    );
    assert_eq!(&obj[..4], b"\0asm", "the object is a wasm module");
    assert!(
        obj.windows(7).any(|w| w == b"linking"),
        "no linking section"
    );
    assert!(
        obj.windows(15).any(|w| w == b"component-type:"),
        "no component-type section"
    );

    let plain = format!("{out}/plain");
    let o = compono(&[
        "bindgen",
        "c",
        &wit,
        "--out-dir",
        &plain,
        "--no-object-file",
        "--rename",
        "test:cli/greet=hi",
        "--string-encoding",
        "utf16",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!Path::new(&format!("{plain}/greeter_component_type.o")).exists());
    let h = std::fs::read_to_string(format!("{plain}/greeter.h")).unwrap();
    let c = std::fs::read_to_string(format!("{plain}/greeter.c")).unwrap();
    assert!(
        h.contains("void hi_hello(hi_person_t *p, greeter_string_t *ret);"),
        "{h}"
    );
    assert!(
        h.contains("uint16_t *ptr;"),
        "utf16 strings hold 16-bit units: {h}"
    );
    assert!(
        !c.contains("__component_type_object_force_link_greeter"),
        "{c}"
    );
}

#[test]
fn unstable_features_are_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("gated.wit");
    std::fs::write(
        &wit,
        "package t:gated;\n\ninterface i {\n  stable-fn: func();\n  @unstable(feature = shiny)\n  shiny-fn: func();\n}\n\nworld w {\n  import i;\n}\n",
    )
    .unwrap();
    let wit = wit.display().to_string();
    let read = |sub: &str, extra: &[&str]| {
        let out = dir.path().join(sub).display().to_string();
        let mut args = vec!["bindgen", "rust", &wit, "--out-dir", &out];
        args.extend_from_slice(extra);
        let o = compono(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(format!("{out}/w.rs")).unwrap()
    };
    let plain = read("plain", &[]);
    assert!(plain.contains("fn stable_fn(") && !plain.contains("fn shiny_fn("));
    assert!(read("feature", &["--features", "shiny"]).contains("fn shiny_fn("));
    assert!(read("all", &["--all-features"]).contains("fn shiny_fn("));
}
