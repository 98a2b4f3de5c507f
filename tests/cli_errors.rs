//! The rough edges a user hits first: what errors say (files, WIT
//! positions, what to do), flags that must not swallow the next word,
//! binary output refused on a terminal, `-v` and `--color`, and
//! `validate --features` agreeing with wasm-tools.

mod cli_common;

use cli_common::{in_ci, run_compono, run_wasm_tools, success};
use std::path::Path;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("fixtures/guests/c/guest.wasm"),
        dir.path().join("guest.wasm"),
    )
    .unwrap();
    std::fs::copy(
        root.join("fixtures/guests/c/world.wit"),
        dir.path().join("world.wit"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello, not wasm\n").unwrap();
    std::fs::write(dir.path().join("garbage.wasm"), [0xff, 0x00, 0x13, 0x37]).unwrap();
    dir
}

fn failure(args: &[&str], dir: &Path) -> String {
    let out = run_compono(args, dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "`compono {args:?}` should fail with 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn embed_keeps_the_wit_position() {
    let dir = setup();
    std::fs::write(
        dir.path().join("bad.wit"),
        "package a:b;\n\nworld w {\n  export f: func() -> nope;\n}\n",
    )
    .unwrap();
    let stderr = failure(
        &["embed", "bad.wit", "guest.wasm", "-o", "x.wasm"],
        dir.path(),
    );
    assert!(stderr.contains("bad.wit:4:"), "{stderr}");
    assert!(stderr.contains("export f: func() -> nope;"), "{stderr}");
    // The same position `wit` reports.
    let wit = failure(&["wit", "bad.wit"], dir.path());
    let position = |s: &str| s.lines().find(|l| l.contains("-->")).map(str::to_string);
    assert_eq!(position(&stderr), position(&wit));
    assert!(!dir.path().join("x.wasm").exists());
}

#[test]
fn inputs_that_are_not_wasm_are_named() {
    let dir = setup();
    for file in ["notes.txt", "garbage.wasm"] {
        for args in [
            &["validate", file][..],
            &["new", file, "-o", "out.wasm"],
            &["metadata", "show", file],
            &["metadata", "add", file, "--name", "n", "-o", "out.wasm"],
            &["print", file],
            &["embed", "world.wit", file, "-o", "out.wasm"],
        ] {
            let stderr = failure(args, dir.path());
            assert!(stderr.contains(file), "{args:?}: {stderr}");
            assert!(!stderr.contains("<anon>"), "{args:?}: {stderr}");
            assert!(stderr.contains("is not WebAssembly"), "{args:?}: {stderr}");
        }
    }
    assert!(!dir.path().join("out.wasm").exists());
    // A module cut short, and a component where a module belongs: named too.
    let guest = std::fs::read(dir.path().join("guest.wasm")).unwrap();
    std::fs::write(dir.path().join("cut.wasm"), &guest[..guest.len() / 2]).unwrap();
    std::fs::write(dir.path().join("comp.wasm"), b"\0asm\x0d\0\x01\0").unwrap();
    for file in ["cut.wasm", "comp.wasm"] {
        for args in [
            &["new", file, "-o", "out.wasm"][..],
            &["link", file, "-o", "out.wasm"],
        ] {
            let stderr = failure(args, dir.path());
            assert!(stderr.contains(file), "{args:?}: {stderr}");
        }
    }
    assert!(!dir.path().join("out.wasm").exists());
    // Text that is meant as wasm keeps the parser's position, with the file.
    std::fs::write(dir.path().join("broken.wat"), "(module (func (bogus)))").unwrap();
    let stderr = failure(&["validate", "broken.wat"], dir.path());
    assert!(stderr.contains("broken.wat:1:"), "{stderr}");
}

#[test]
fn a_preview1_module_gets_the_adapter_or_is_told_it_needs_one() {
    let dir = setup();
    std::fs::write(
        dir.path().join("p1.wat"),
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")))"#,
    )
    .unwrap();
    let mut inputs = vec!["p1.wat".to_string()];
    // A real one: wasi-libc's hello world from clang-19, when it is here.
    std::fs::write(
        dir.path().join("hello.c"),
        "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
    )
    .unwrap();
    let clang = compono_testutil::command("clang-19")
        .args(["--target=wasm32-wasi", "-O1", "-o", "hello.wasm", "hello.c"])
        .current_dir(dir.path())
        .output();
    match clang {
        Ok(out) if out.status.success() => inputs.push("hello.wasm".to_string()),
        other => {
            assert!(
                !in_ci(),
                "CI=true but clang-19 cannot build a wasi-libc program: {other:?}"
            );
            eprintln!("no clang-19 preview1 program (only the hand-written module)");
        }
    }
    for input in &inputs {
        // By default compono's own adapter is merged, and says so.
        let out = run_compono(&["new", input, "-o", "c.wasm"], dir.path());
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("compono's command adapter"), "{stderr}");
        // Without it, the error says what is needed.
        let stderr = failure(
            &["new", "--no-auto-adapt", input, "-o", "c.wasm"],
            dir.path(),
        );
        assert!(
            stderr.contains("needs an adapter")
                && stderr.contains("--adapt wasi_snapshot_preview1=ADAPTER.wasm"),
            "{stderr}"
        );
        assert!(stderr.contains(input.as_str()), "{stderr}");
    }
}

#[test]
fn boolean_flags_take_a_value_only_with_equals() {
    let dir = setup();
    for flags in [
        &["--debug-names"][..],
        &["--validate"],
        &["--merge-imports-based-on-semver"],
        &["--return-call-ref=false"],
        &["--debug-names=false", "--validate=true"],
    ] {
        // The flag comes right before the input, which it must not take.
        let mut args = vec!["new"];
        args.extend_from_slice(flags);
        args.extend(["guest.wasm", "-o", "c.wasm"]);
        success(&format!("{args:?}"), run_compono(&args, dir.path()));
    }
    let out = run_compono(&["new", "--debug-names=maybe", "guest.wasm"], dir.path());
    assert_eq!(out.status.code(), Some(2), "a bad value is a usage error");
}

/// Runs `command` in a pseudo-terminal (util-linux `script`), so that
/// stdout is a terminal; returns what it printed.
fn in_terminal(command: &str, dir: &Path) -> Option<String> {
    let out = compono_testutil::command("script")
        .args(["-qec", command, "/dev/null"])
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn binary_output_is_refused_on_a_terminal() {
    let dir = setup();
    let compono = env!("CARGO_BIN_EXE_compono");
    let probe = in_terminal("true", dir.path());
    if probe.is_none() {
        assert!(
            !in_ci(),
            "CI=true but no `script` (util-linux) for a terminal"
        );
        eprintln!("skipped: no `script` to make a terminal");
        return;
    }
    for args in [
        "new guest.wasm",
        "embed world.wit guest.wasm",
        "embed world.wit --dummy",
        "metadata add guest.wasm --name x",
        "parse guest.wasm",
        "wit world.wit --wasm",
    ] {
        let shown = in_terminal(&format!("{compono} {args}"), dir.path()).unwrap();
        assert!(
            shown.contains("cannot print binary wasm output to a terminal"),
            "`{args}` on a terminal printed: {shown:?}"
        );
        assert!(!shown.contains("\0asm"), "`{args}` wrote binary: {shown:?}");
        // `-t` prints text there instead.
        let text = in_terminal(&format!("{compono} {args} -t"), dir.path()).unwrap();
        assert!(
            text.contains("(module") || text.contains("(component"),
            "{text:?}"
        );
    }
}

#[test]
fn verbose_and_color() {
    let dir = setup();
    let out = run_compono(&["new", "guest.wasm", "-o", "c.wasm", "-v"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(stderr.contains("info: read `guest.wasm`"), "{stderr}");
    assert!(stderr.contains("info: write `c.wasm`"), "{stderr}");
    let quiet = run_compono(&["new", "guest.wasm", "-o", "c.wasm"], dir.path());
    assert!(quiet.stderr.is_empty());

    let colored = failure(&["validate", "notes.txt", "--color", "always"], dir.path());
    assert!(colored.starts_with("\x1b["), "{colored:?}");
    let plain = failure(&["validate", "notes.txt", "--color=never"], dir.path());
    assert!(plain.starts_with("error: "), "{plain:?}");
    let bad = run_compono(
        &["validate", "guest.wasm", "--color", "sometimes"],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));

    // Both are also taken before the command's name, and in the nested
    // commands; after the name, `--color` wins over the one before it.
    let out = run_compono(&["-v", "new", "guest.wasm", "-o", "c.wasm"], dir.path());
    assert!(String::from_utf8_lossy(&out.stderr).contains("info: read `guest.wasm`"));
    let out = run_compono(&["metadata", "show", "guest.wasm", "-v"], dir.path());
    assert!(String::from_utf8_lossy(&out.stderr).contains("info: read `guest.wasm`"));
    let colored = failure(&["--color", "always", "validate", "notes.txt"], dir.path());
    assert!(colored.starts_with("\x1b["), "{colored:?}");
    let plain = failure(
        &[
            "--color",
            "always",
            "validate",
            "notes.txt",
            "--color",
            "never",
        ],
        dir.path(),
    );
    assert!(plain.starts_with("error: "), "{plain:?}");
    let plain = failure(
        &["bindgen", "c", "notes.txt", "--color", "never"],
        dir.path(),
    );
    assert!(plain.starts_with("error: "), "{plain:?}");
    let colored = failure(
        &["bindgen", "c", "notes.txt", "--color", "always"],
        dir.path(),
    );
    assert!(colored.starts_with("\x1b["), "{colored:?}");
}

/// `validate --features` accepts and rejects what wasm-tools does, on
/// modules that need features outside the default set, inside it, and
/// none beyond the first version.
#[test]
fn validate_features_agree_with_wasm_tools() {
    let dir = setup();
    let modules = [
        ("mvp.wat", "(module (func (result i32) i32.const 1))"),
        (
            "mutable-global.wat",
            "(module (global (export \"g\") (mut i32) (i32.const 0)))",
        ),
        (
            "simd.wat",
            "(module (func (result v128) v128.const i64x2 0 0))",
        ),
        (
            "wide.wat",
            "(module (func (param i64 i64 i64 i64) (result i64 i64) local.get 0 local.get 1 local.get 2 local.get 3 i64.add128))",
        ),
        ("component.wat", "(component)"),
    ];
    for (name, text) in modules {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let features = [
        None,
        Some("all"),
        Some("-all"),
        Some("mvp"),
        Some("wasm1"),
        Some("wasm2"),
        Some("wasm3"),
        Some("lime1"),
        Some("-simd"),
        Some("all,-simd"),
        Some("wasm1,simd"),
        Some("wide-arithmetic"),
        Some("-component-model"),
        Some("bogus"),
    ];
    let mut compared = 0;
    for (name, _) in modules {
        for feature in features {
            let mut args = vec!["validate", name];
            if let Some(f) = feature {
                args.extend(["--features", f]);
            }
            let ours = run_compono(&args, dir.path());
            let Some(theirs) = run_wasm_tools(&args, dir.path()) else {
                return;
            };
            assert_eq!(
                ours.status.code(),
                theirs.status.code(),
                "`validate {args:?}`: compono {}, wasm-tools {}",
                String::from_utf8_lossy(&ours.stderr),
                String::from_utf8_lossy(&theirs.stderr)
            );
            compared += 1;
        }
    }
    assert_eq!(compared, modules.len() * features.len());
    // `--validate-custom` reads the name section, which plain validation
    // skips.
    let mut module = wat::parse_str("(module)").unwrap();
    let name = b"\x04name\x01\x05\xff\xff\xff\xff\xff";
    module.push(0);
    module.push(name.len() as u8);
    module.extend_from_slice(name);
    std::fs::write(dir.path().join("bad-names.wasm"), &module).unwrap();
    success(
        "plain",
        run_compono(&["validate", "bad-names.wasm"], dir.path()),
    );
    failure(
        &["validate", "--validate-custom", "bad-names.wasm"],
        dir.path(),
    );
}

#[test]
fn a_large_input_that_fails_validation_leaves_the_output_alone() {
    // Past 1 MiB, `new` and `link` write the component while validating
    // it; an invalid input must still leave no trace in the output.
    let dir = setup();
    let padded = |text: &str| {
        let mut module = wat::parse_str(text).unwrap();
        let padding = wasm_encoder::CustomSection {
            name: "padding".into(),
            data: vec![0; 2 << 20].into(),
        };
        module.push(wasm_encoder::Section::id(&padding));
        wasm_encoder::Encode::encode(&padding, &mut module);
        module
    };
    let body = "(func (export \"f\") (result i32) i64.const 0)";
    std::fs::write(
        dir.path().join("big.wasm"),
        padded(&format!("(module {body})")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("libbig.so"),
        padded(&format!("(module (@dylink.0 (mem-info)) {body})")),
    )
    .unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    for args in [
        &["new", "big.wasm", "-o", "notes.txt"][..],
        &["link", "libbig.so", "-o", "notes.txt"],
    ] {
        let stderr = failure(args, dir.path());
        assert!(stderr.contains("type mismatch"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "hello, not wasm\n"
        );
        let mut after: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        after.sort();
        let mut expected = before.clone();
        expected.sort();
        assert_eq!(after, expected, "{args:?} left a file behind");
        // The input's error comes before the output's, as in wasm-tools.
        let mut to_nowhere = args.to_vec();
        to_nowhere[3] = "missing/out.wasm";
        let stderr = failure(&to_nowhere, dir.path());
        assert!(stderr.contains("type mismatch"), "{stderr}");
    }
}

/// What std's start-up did and `src/start.rs` does in its place: a reader
/// that goes away is a reported write error (`EPIPE`), not death by
/// `SIGPIPE`.
#[test]
fn a_closed_pipe_is_an_error() {
    use std::io::Read;
    let dir = setup();
    // More than a pipe holds, so that the writer meets a closed pipe.
    let mut wit = String::from("package a:b;\ninterface big {\n");
    for i in 0..4000 {
        wit.push_str(&format!("  function-number-{i}: func(x: u32) -> u32;\n"));
    }
    wit.push_str("}\n");
    std::fs::write(dir.path().join("big.wit"), wit).unwrap();
    let mut child = cli_common::compono()
        .args(["wit", "big.wit"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 7];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, b"package");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("Broken pipe"), "{stderr}");
}
