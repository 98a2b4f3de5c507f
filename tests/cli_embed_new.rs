//! `compono embed` and `compono new` end to end, through the binary.

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
    let output = command("wasm-tools")
        .args(args)
        .current_dir(dir)
        .output()
        .ok();
    if output.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but `wasm-tools` is not on PATH");
    }
    output
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
    // One section holds the merged world.
    let wat = String::from_utf8(ok(compono(
        &["embed", "w.wit", "one.wasm", "--world", "second", "-t"],
        dir.path(),
    )))
    .unwrap();
    assert_eq!(wat.matches("@custom \"component-type").count(), 1, "{wat}");
}

#[test]
fn only_custom_outputs_just_the_section() {
    let dir = setup();
    let wat = String::from_utf8(ok(compono(
        &[
            "embed",
            "w.wit",
            "--world",
            "second",
            "--dummy",
            "--only-custom",
            "-t",
        ],
        dir.path(),
    )))
    .unwrap();
    assert!(wat.contains("@custom \"component-type:compono"), "{wat}");
    assert!(!wat.contains("(func"), "{wat}");
}

#[test]
fn adapters_are_reported_as_not_yet_supported() {
    let dir = setup();
    ok(compono(
        &[
            "embed", "w.wit", "--world", "second", "--dummy", "-o", "m.wasm",
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
    assert!(
        stderr.contains("adapter modules are not supported yet"),
        "{stderr}"
    );
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
            "embed", "w.wit", "--world", "second", "--dummy", "-o", "m.wasm",
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
