//! `compono embed` and `compono new` end to end, through the binary.

mod cli_common;

use compono_testutil::command;
use std::path::Path;
use std::process::Output;

fn compono(args: &[&str], dir: &Path) -> Output {
    command(env!("CARGO_BIN_EXE_compono"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run compono")
}

fn ok(output: Output) -> Vec<u8> {
    assert!(
        output.status.success(),
        "compono failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn wasm_tools(args: &[&str], dir: &Path) -> Option<Output> {
    cli_common::run_wasm_tools(args, dir)
}

const WORLD: &str = r#"
package test:cli;

interface types {
  record point { x: s32, y: s32 }
  resource counter {
    constructor(start: u32);
    get: func() -> u32;
    merge: static func(a: counter, b: borrow<counter>) -> counter;
  }
}

interface host {
  use types.{point};
  log: func(msg: string);
  nums: func() -> list<u32>;
  shift: func(p: point) -> point;
}

world everything {
  import host;
  resource thing { id: func() -> u32; }
  import make-thing: func() -> thing;
  export types;
  export run: func(s: string, xs: list<list<u8>>) -> result<string, u32>;
  export spill: func(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64, i: u64, j: u64, k: u64, l: u64, m: u64, n: u64, o: u64, p: u64, q: u64);
}

world second {
  import extra: func() -> u32;
  export more: func() -> string;
}
"#;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("w.wit"), WORLD).unwrap();
    dir
}

#[test]
fn dummy_modules_of_both_manglings_become_components() {
    let dir = setup();
    for names in ["legacy", "standard32"] {
        let out = format!("dummy-{names}.wasm");
        ok(compono(
            &[
                "embed",
                "w.wit",
                "--world",
                "everything",
                "--dummy",
                "--dummy-names",
                names,
                "-o",
                &out,
            ],
            dir.path(),
        ));
        let component = format!("c-{names}.wasm");
        ok(compono(&["new", &out, "-o", &component], dir.path()));
        ok(compono(
            &["component", "new", &out, "-o", "alias.wasm"],
            dir.path(),
        ));
        let wat = String::from_utf8(ok(compono(
            &["new", &out, "--debug-names", "-t"],
            dir.path(),
        )))
        .unwrap();
        for name in [
            "compono:shim",
            "compono:fixups",
            "compono:initialize",
            "$main",
        ] {
            assert!(wat.contains(name), "no `{name}` with --debug-names:\n{wat}");
        }
        let plain = String::from_utf8(ok(compono(&["new", &out, "-t"], dir.path()))).unwrap();
        assert!(
            !plain.contains("compono:shim"),
            "names without --debug-names"
        );
        let ours = ok(compono(&["wit", &component], dir.path()));
        let text = String::from_utf8(ours).unwrap();
        assert!(
            text.contains(
                "export run: func(s: string, xs: list<list<u8>>) -> result<string, u32>;"
            ),
            "{text}"
        );
        assert!(text.contains("resource thing"), "{text}");
        if let Some(output) =
            wasm_tools(&["component", "new", &out, "-o", "theirs.wasm"], dir.path())
        {
            assert!(
                output.status.success(),
                "wasm-tools rejects our {names} dummy: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let theirs = wasm_tools(&["component", "wit", &component], dir.path()).unwrap();
            assert!(theirs.status.success());
            assert_eq!(String::from_utf8_lossy(&theirs.stdout), text);
        }
    }
}

#[test]
fn embedding_twice_merges_the_worlds() {
    let dir = setup();
    ok(compono(
        &[
            "embed",
            "w.wit",
            "--world",
            "everything",
            "--dummy",
            "-o",
            "one.wasm",
        ],
        dir.path(),
    ));
    ok(compono(
        &[
            "embed", "w.wit", "one.wasm", "--world", "second", "-o", "two.wasm",
        ],
        dir.path(),
    ));
    let text = String::from_utf8(ok(compono(&["wit", "two.wasm"], dir.path()))).unwrap();
    assert!(text.contains("import extra: func() -> u32;"), "{text}");
    assert!(
        text.contains("import make-thing: func() -> thing;"),
        "{text}"
    );
    // As with wasm-tools, the module keeps its section and gains one; both
    // tools read the two back as the same merged world.
    let wat = String::from_utf8(ok(compono(&["print", "two.wasm"], dir.path()))).unwrap();
    assert_eq!(wat.matches("@custom \"component-type").count(), 2, "{wat}");
    if let Some(theirs) = wasm_tools(&["component", "wit", "two.wasm"], dir.path()) {
        assert_eq!(String::from_utf8_lossy(&theirs.stdout), text);
    }
    // A world that cannot be merged with the one there is refused at
    // embedding, not later by `new`.
    std::fs::write(
        dir.path().join("clash.wit"),
        "package test:clash;\nworld w { import extra: func(x: u32) -> u32; }\n",
    )
    .unwrap();
    let clash = compono(
        &["embed", "clash.wit", "two.wasm", "-o", "three.wasm"],
        dir.path(),
    );
    assert_eq!(clash.status.code(), Some(1));
    assert!(!dir.path().join("three.wasm").exists());
}

/// `--only-custom` writes the section's payload alone (the world encoded
/// as a component) and reads no module, as wasm-tools does.
#[test]
fn only_custom_outputs_just_the_payload() {
    let dir = setup();
    ok(compono(
        &[
            "embed",
            "w.wit",
            "--world",
            "second",
            "--only-custom",
            "-o",
            "ours.wasm",
        ],
        dir.path(),
    ));
    let ours = std::fs::read(dir.path().join("ours.wasm")).unwrap();
    assert!(ours.starts_with(b"\0asm\x0d\0\x01\0"), "a component");
    let wit = ok(compono(&["wit", "ours.wasm"], dir.path()));
    let wit = String::from_utf8(wit).unwrap();
    assert!(wit.contains("world second {"), "{wit}");
    if let Some(out) = wasm_tools(
        &[
            "component",
            "embed",
            "w.wit",
            "--world",
            "second",
            "--only-custom",
            "-o",
            "theirs.wasm",
        ],
        dir.path(),
    ) {
        assert!(out.status.success());
        let theirs = wasm_tools(&["component", "wit", "theirs.wasm"], dir.path()).unwrap();
        let ours = wasm_tools(&["component", "wit", "ours.wasm"], dir.path()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&theirs.stdout),
            String::from_utf8_lossy(&ours.stdout)
        );
    }
}

#[test]
fn a_missing_adapter_file_is_an_error() {
    let dir = setup();
    ok(compono(
        &[
            "embed",
            "w.wit",
            "--world",
            "second",
            "--dummy-names",
            "legacy",
            "-o",
            "m.wasm",
        ],
        dir.path(),
    ));
    let output = compono(
        &[
            "new",
            "m.wasm",
            "--adapt",
            "wasi_snapshot_preview1=adapter.wasm",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("adapter.wasm"), "{stderr}");
}

#[test]
fn errors_name_the_file_and_the_import() {
    let dir = setup();
    std::fs::write(
        dir.path().join("m.wat"),
        r#"(module (import "env" "missing_symbol" (func)) (func (export "more") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    ok(compono(
        &[
            "embed", "w.wit", "m.wat", "--world", "second", "-o", "m.wasm",
        ],
        dir.path(),
    ));
    let output = compono(&["new", "m.wasm", "-o", "out.wasm"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`m.wasm`"), "{stderr}");
    assert!(stderr.contains("env::missing_symbol"), "{stderr}");
    assert!(stderr.contains("undefined at link time"), "{stderr}");
    assert!(
        !dir.path().join("out.wasm").exists(),
        "no output on failure"
    );
}

#[test]
fn validation_flags_parse() {
    let dir = setup();
    ok(compono(
        &[
            "embed",
            "w.wit",
            "--world",
            "second",
            "--dummy-names",
            "legacy",
            "-o",
            "m.wasm",
        ],
        dir.path(),
    ));
    for flags in [
        &["--validate=false"][..],
        &["--skip-validation"],
        &["--validate"],
        &["--merge-imports-based-on-semver=false"],
        &["--debug-names"],
        &["--debug-names=false"],
        &["--reject-legacy-names"],
    ] {
        let mut args = vec!["new", "m.wasm", "-o", "out.wasm"];
        args.extend_from_slice(flags);
        let output = compono(&args, dir.path());
        if flags == ["--reject-legacy-names"] {
            // The dummy uses legacy names.
            assert_eq!(output.status.code(), Some(1));
        } else {
            ok(output);
        }
    }
}

/// The WASI 0.2 worlds from `../shared/wit` (beside the repository), with
/// every interface and resource: our component of a `--dummy` module has
/// the same world as wasm-tools' component of it.
#[test]
fn wasi_worlds_match_wasm_tools() {
    let wasi = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/wit/wasi-0.2.6");
    if !wasi.join("cli").exists() {
        eprintln!("skipped: no {}", wasi.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("wit");
    std::fs::create_dir_all(wit.join("deps")).unwrap();
    let copy_dir = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wit") {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    };
    copy_dir(&wasi.join("cli"), &wit);
    for dep in ["clocks", "filesystem", "io", "random", "sockets"] {
        copy_dir(&wasi.join(dep), &wit.join("deps").join(dep));
    }
    for world in ["command", "imports"] {
        let dummy = format!("{world}.dummy.wasm");
        let ours = format!("{world}.ours.wasm");
        ok(compono(
            &["embed", "wit", "--world", world, "--dummy", "-o", &dummy],
            dir.path(),
        ));
        ok(compono(&["new", &dummy, "-o", &ours], dir.path()));
        let Some(output) = wasm_tools(
            &["component", "new", &dummy, "-o", "theirs.wasm"],
            dir.path(),
        ) else {
            continue;
        };
        assert!(output.status.success());
        let ours = wasm_tools(&["component", "wit", &ours], dir.path()).unwrap();
        let theirs = wasm_tools(&["component", "wit", "theirs.wasm"], dir.path()).unwrap();
        assert!(ours.status.success() && theirs.status.success());
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "world {world}"
        );
    }
}

/// A component made from a `--dummy` module instantiates (its
/// `_initialize` returns), whichever tool wraps it, with both name
/// manglings; wasm-tools' `--dummy` defaults are followed (`--dummy` is the
/// standard `cm32p2` mangling, `--dummy-names` replaces it).
#[test]
fn dummy_components_instantiate() {
    let python_wasmtime = compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python_wasmtime {
        assert!(
            !cli_common::in_ci(),
            "CI=true but Python's wasmtime is missing"
        );
        eprintln!("skipped: no Python wasmtime");
        return;
    }
    let dir = setup();
    let mut components = Vec::new();
    for (flags, expect_standard) in [
        (&["--dummy"][..], true),
        (&["--dummy-names", "legacy"], false),
        (&["--dummy-names", "standard32"], true),
        (&["--dummy-names", "legacy", "--dummy"], false),
    ] {
        let module = format!("m{}.wasm", components.len());
        let mut args = vec!["embed", "w.wit", "--world", "everything", "-o", &module];
        args.extend_from_slice(flags);
        ok(compono(&args, dir.path()));
        let wat = String::from_utf8(ok(compono(&["print", &module], dir.path()))).unwrap();
        assert_eq!(
            wat.contains("cm32p2_initialize"),
            expect_standard,
            "{flags:?}"
        );
        assert_eq!(
            wat.contains("\"_initialize\""),
            !expect_standard,
            "{flags:?}"
        );
        let ours = format!("ours-{module}");
        ok(compono(&["new", &module, "-o", &ours], dir.path()));
        components.push(ours);
        let theirs = format!("theirs-{module}");
        if let Some(out) = wasm_tools(&["component", "new", &module, "-o", &theirs], dir.path()) {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            components.push(theirs);
        }
    }
    let script = r#"
import sys
from wasmtime import Engine, Store
from wasmtime.component import Component, Linker
for path in sys.argv[1:]:
    engine = Engine()
    store = Store(engine)
    component = Component.from_file(engine, path)
    linker = Linker(engine)
    linker.define_unknown_imports_as_traps(component)
    linker.instantiate(store, component)
"#;
    let out = compono_testutil::command("python3")
        .arg("-c")
        .arg(script)
        .args(&components)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a dummy component does not instantiate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The names `--emit-canonical-names` writes (`a:b/c@0.2` with the
/// `version-suffix` `.1`) are wasm-tools', in `wit --wasm`, in `embed`'s
/// section and in `new`'s component; semver-compatible duplicates are
/// refused by both.
#[test]
fn canonical_names_match_wasm_tools() {
    let dir = tempfile::tempdir().unwrap();
    cli_common::write_files(
        dir.path(),
        &[
            (
                "wit/main.wit",
                "package test:canon@1.4.2;\n\
             interface api { get: func() -> u32; }\n\
             world w {\n  import wasi:clocks/clock@0.2.3;\n  import pre:view/v@0.0.7;\n  \
             import plain:unversioned/u;\n  export api;\n  export run: func();\n}\n",
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
                "wit/deps/pre.wit",
                "package pre:view@0.0.7;\ninterface v { see: func(); }\n",
            ),
            (
                "wit/deps/plain.wit",
                "package plain:unversioned;\ninterface u { use-it: func(); }\n",
            ),
        ],
    );
    let Some(tool) = cli_common::wasm_tools() else {
        return;
    };
    let suffixed = |file: &str| cli_common::version_suffixed_names(tool, dir.path(), file);
    let both = |args: &[&str], ours: &str, theirs: &str| {
        let mut a = args.to_vec();
        a.extend(["-o", ours]);
        ok(compono(&a, dir.path()));
        let mut a = args.to_vec();
        a.extend(["-o", theirs]);
        let out = wasm_tools(&a, dir.path()).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (o, t) = (suffixed(ours), suffixed(theirs));
        assert!(
            !t.is_empty(),
            "{args:?}: wasm-tools wrote no version suffix"
        );
        assert_eq!(o, t, "{args:?}");
    };
    both(
        &[
            "component",
            "wit",
            "wit",
            "--wasm",
            "--emit-canonical-names",
        ],
        "pkg-ours.wasm",
        "pkg-theirs.wasm",
    );
    both(
        &[
            "component",
            "embed",
            "wit",
            "--world",
            "w",
            "--only-custom",
            "--emit-canonical-names",
        ],
        "s-ours.wasm",
        "s-theirs.wasm",
    );
    ok(compono(
        &[
            "embed",
            "wit",
            "--world",
            "w",
            "--dummy",
            "--emit-canonical-names",
            "-o",
            "m-ours.wasm",
        ],
        dir.path(),
    ));
    both(
        &["component", "new", "m-ours.wasm", "--emit-canonical-names"],
        "c-ours.wasm",
        "c-theirs.wasm",
    );
    // Both still read as the same world.
    let wit = |file: &str| {
        wasm_tools(&["component", "wit", file], dir.path())
            .unwrap()
            .stdout
    };
    assert_eq!(wit("c-ours.wasm"), wit("c-theirs.wasm"));
    // Two semver-compatible imports cannot share one canonical name.
    let dup = [
        "component",
        "embed",
        "wit",
        "--world",
        "twice",
        "--dummy",
        "--emit-canonical-names",
        "-o",
        "dup.wasm",
    ];
    assert_eq!(compono(&dup, dir.path()).status.code(), Some(1));
    assert!(!wasm_tools(&dup, dir.path()).unwrap().status.success());
}
