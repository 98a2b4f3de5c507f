//! Inputs at and past the component model's limits, end to end: a
//! 10,000-long chain of nested aliases is refused with the type named
//! (never a file that does not validate, never a stack overflow), and a
//! 10,000-long chain of plain aliases goes through `wit --wasm` and
//! `bindgen rust` with output linear in its length.

use std::path::Path;
use std::process::Output;

fn compono(args: &[&str]) -> Output {
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .args(args)
        .output()
        .expect("run compono")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `type t1 = list<t0>; type t2 = list<t1>; ...`, `n` long, used by a
/// function of a world, as the issue reported it.
fn nested_chain(n: usize) -> String {
    let mut wit = String::from("package test:chain;\n\ninterface i {\n  type t0 = u8;\n");
    for i in 1..n {
        wit.push_str(&format!("  type t{i} = list<t{}>;\n", i - 1));
    }
    wit.push_str(&format!(
        "  f: func(x: t{}) -> u32;\n}}\n\nworld w {{\n  import i;\n}}\n",
        n - 1
    ));
    wit
}

/// `type a1 = a0; type a2 = a1; ...`: names all the way, no nesting.
fn alias_chain(n: usize) -> String {
    let mut wit = String::from("package test:chain;\n\ninterface i {\n  record a0 { x: u32 }\n");
    for i in 1..n {
        wit.push_str(&format!("  type a{i} = a{};\n", i - 1));
    }
    wit.push_str(&format!(
        "  f: func(x: a{}) -> list<a{}>;\n}}\n\nworld w {{\n  import i;\n  use i.{{a{}}};\n  export run: func() -> a{};\n}}\n",
        n - 1,
        n / 2,
        n - 1,
        n - 1
    ));
    wit
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_10000_long_nested_chain_is_refused_naming_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let wit = write(dir.path(), "chain.wit", &nested_chain(10_000));
    let out = dir.path().join("chain.wasm");
    let o = compono(&["wit", &wit, "--wasm", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("type `t100` is nested more than 100 levels deep"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "a refused encoding must not leave a file");

    // Printing it is fine (types are printed by name).
    let o = compono(&["wit", &wit]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("type t9999 = list<t9998>;"));

    // Bindings for a world whose component could not validate are refused
    // the same way, without recursing 10,000 deep.
    for lang in ["rust", "c"] {
        let out_dir = dir.path().join(format!("gen-{lang}"));
        let o = compono(&[
            "bindgen",
            lang,
            &wit,
            "--out-dir",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{lang}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("nested more than 100 levels deep"),
            "{lang}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn the_deepest_chain_wasm_tools_accepts_is_encoded_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    // t94 nests 95 deep; a function, an instance and a world around it
    // take it to wasmparser's limit of 100 (one more and wasm-tools
    // refuses too, as compono does).
    let wit = write(dir.path(), "chain.wit", &nested_chain(95));
    let out = dir.path().join("chain.wasm");
    let o = compono(&["wit", &wit, "--wasm", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = compono(&["validate", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The size of `bindgen rust`'s output for an alias chain of `n`.
fn rust_bindings_size(dir: &Path, n: usize) -> usize {
    let wit = write(dir, &format!("aliases-{n}.wit"), &alias_chain(n));
    let out_dir = dir.join(format!("gen-{n}"));
    let o = compono(&[
        "bindgen",
        "rust",
        &wit,
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len() as usize)
        .sum()
}

#[test]
fn a_10000_long_alias_chain_encodes_and_binds_linearly() {
    let dir = tempfile::tempdir().unwrap();
    let wit = write(dir.path(), "aliases.wit", &alias_chain(10_000));
    let out = dir.path().join("aliases.wasm");
    let o = compono(&["wit", &wit, "--wasm", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = compono(&["validate", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let small = rust_bindings_size(dir.path(), 1_000);
    let large = rust_bindings_size(dir.path(), 10_000);
    // Ten times the aliases, about ten times the code (quadratic growth
    // would be a hundred times).
    assert!(
        large < small * 12,
        "bindgen rust output grows faster than the WIT: {small} bytes for 1,000 aliases, \
         {large} for 10,000"
    );
}
