//! `compono wit` and `compono validate` end to end: flags, stdin, output
//! files, and what bad input does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn compono() -> Command {
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/wit/ok")
        .join(name)
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_text_and_wasm() {
    let text = ok(compono()
        .args(["wit"])
        .arg(fixture("records"))
        .output()
        .unwrap());
    let mut cmd = compono();
    cmd.args(["wit", "-"]);
    assert_eq!(ok(with_stdin(cmd, text.as_bytes())), text);

    let wasm = compono()
        .args(["wit", "--wasm", "-o", "-"])
        .arg(fixture("records"))
        .output()
        .unwrap();
    assert!(wasm.status.success());
    assert!(wasm.stdout.starts_with(b"\0asm"));
    let mut cmd = compono();
    cmd.args(["wit", "-"]);
    assert_eq!(ok(with_stdin(cmd, &wasm.stdout)), text);
}

#[test]
fn wat_output_is_text_of_the_encoding() {
    let wat = ok(compono()
        .args(["wit", "--wasm", "-t"])
        .arg(fixture("records"))
        .output()
        .unwrap());
    assert!(wat.starts_with("(component"), "{wat}");
    assert!(wat.contains("(@custom \"package-docs\""));
}

#[test]
fn component_alias_matches() {
    let a = ok(compono()
        .arg("wit")
        .arg(fixture("world-functions"))
        .output()
        .unwrap());
    let b = ok(compono()
        .args(["component", "wit"])
        .arg(fixture("world-functions"))
        .output()
        .unwrap());
    assert_eq!(a, b);
}

#[test]
fn out_dir_reads_back() {
    let input = fixture("deps-chain-multi");
    let tmp = tempfile::tempdir().unwrap();
    let listing = ok(compono()
        .arg("wit")
        .arg(&input)
        .arg("--out-dir")
        .arg(tmp.path())
        .output()
        .unwrap());
    assert!(listing.contains("Writing: "));
    assert!(tmp.path().join("deps").is_dir());
    let original = ok(compono().arg("wit").arg(&input).output().unwrap());
    let reread = ok(compono().arg("wit").arg(tmp.path()).output().unwrap());
    assert_eq!(original, reread);
}

#[test]
fn json_is_the_resolve() {
    let json = ok(compono()
        .args(["wit", "--json"])
        .arg(fixture("records"))
        .output()
        .unwrap());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["packages"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(value["types"].as_array().is_some_and(|t| !t.is_empty()));
}

#[test]
fn no_docs_drops_doc_comments() {
    let with = ok(compono()
        .arg("wit")
        .arg(fixture("docs-everywhere"))
        .output()
        .unwrap());
    let without = ok(compono()
        .args(["wit", "--no-docs"])
        .arg(fixture("docs-everywhere"))
        .output()
        .unwrap());
    assert!(with.contains("///"));
    assert!(!without.contains("///"));
}

#[test]
fn features_enable_unstable_items() {
    let dir = fixture("gates-unstable-feature");
    let features = std::fs::read_to_string(dir.join("features.txt")).unwrap();
    let off = ok(compono().arg("wit").arg(&dir).output().unwrap());
    let on = ok(compono()
        .arg("wit")
        .arg(&dir)
        .arg("--features")
        .arg(features.trim())
        .output()
        .unwrap());
    let all = ok(compono()
        .arg("wit")
        .arg(&dir)
        .arg("--all-features")
        .output()
        .unwrap());
    assert!(!off.contains("@unstable"));
    assert!(on.contains("@unstable"));
    assert!(all.contains("@unstable"));
}

#[test]
fn world_selects_and_encodes_metadata() {
    let dir = fixture("world-functions");
    let full = ok(compono().arg("wit").arg(&dir).output().unwrap());
    let world = full
        .lines()
        .find_map(|l| l.strip_prefix("world ").and_then(|w| w.strip_suffix(" {")))
        .expect("fixture has a world")
        .to_string();
    let only = ok(compono()
        .arg("wit")
        .arg(&dir)
        .args(["--world", &world])
        .output()
        .unwrap());
    assert!(only.contains(&format!("world {world} {{")));
    let wat = ok(compono()
        .arg("wit")
        .arg(&dir)
        .args(["--world", &world, "--wasm", "-t"])
        .output()
        .unwrap());
    assert!(wat.contains("wit-component-encoding"));

    let missing = compono()
        .arg("wit")
        .arg(&dir)
        .args(["--world", "no-such-world"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-world"));
}

#[test]
fn failed_run_leaves_no_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.wit");
    std::fs::write(&bad, "package a:b;\ninterface i { f: func(x: nope); }\n").unwrap();
    let out_file = tmp.path().join("out.wasm");
    let out = compono()
        .arg("wit")
        .arg(&bad)
        .arg("--wasm")
        .arg("-o")
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.wit:2:"), "{stderr}");
    assert!(!out_file.exists());
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "stray files left"
    );
}

#[test]
fn validate_reports_offsets() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.wat");
    std::fs::write(
        &good,
        "(module (func (export \"f\") (result i32) i32.const 1))",
    )
    .unwrap();
    ok(compono().arg("validate").arg(&good).output().unwrap());

    // A function whose body leaves the wrong type on the stack.
    let bad = tmp.path().join("bad.wasm");
    // `wat` checks syntax only, so this ill-typed module gets through it.
    let bytes = wat::parse_str("(module (func (result i32) i64.const 1))").unwrap();
    std::fs::write(&bad, &bytes).unwrap();
    let out = compono().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.wasm"), "{stderr}");
    assert!(stderr.contains("offset 0x"), "{stderr}");

    let truncated = tmp.path().join("truncated.wasm");
    std::fs::write(&truncated, &bytes[..bytes.len() - 3]).unwrap();
    let out = compono().arg("validate").arg(&truncated).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Corrupted encodings of real packages and worlds: every run ends with
/// success or a clean error, never a panic or a signal.
#[test]
fn corrupted_wasm_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seeds = Vec::new();
    for case in ["resource-methods", "world-include-with", "large-http-like"] {
        let out = compono()
            .args(["wit", "--wasm", "-o", "-"])
            .arg(fixture(case))
            .output()
            .unwrap();
        assert!(out.status.success());
        seeds.push(out.stdout);
    }
    // xorshift: deterministic, so a failure reproduces.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let path = tmp.path().join("mutant.wasm");
    let mut clean_errors = 0;
    for round in 0..150 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..1 + next() % 4 {
            let at = 8 + (next() as usize) % (bytes.len() - 8);
            bytes[at] = next() as u8;
        }
        if next() % 5 == 0 {
            bytes.truncate(8 + (next() as usize) % (bytes.len() - 8));
        }
        std::fs::write(&path, &bytes).unwrap();
        let out = compono().arg("wit").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "round {round}: exit {:?}\n{stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "round {round}: {stderr}");
        if out.status.code() == Some(1) {
            assert!(stderr.starts_with("error: "), "round {round}: {stderr}");
            clean_errors += 1;
        }
    }
    assert!(
        clean_errors > 50,
        "mutations were too gentle to test anything"
    );
}

/// Writes `records` as a binary to `out`; the output's permission bits.
#[cfg(unix)]
fn write_wasm_mode(out: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    ok(compono()
        .args(["wit", "--wasm", "-o"])
        .arg(out)
        .arg(fixture("records"))
        .output()
        .unwrap());
    std::fs::metadata(out).unwrap().permissions().mode() & 0o777
}

/// Outputs are written through a private temporary file, but end up with
/// ordinary permissions.
#[cfg(unix)]
#[test]
fn output_file_is_not_private() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(write_wasm_mode(&tmp.path().join("p.wasm")), 0o644);
}

/// An output replaces an existing file (removed first, then renamed into
/// place): the new bytes, the old file's permissions.
#[cfg(unix)]
#[test]
fn output_replaces_an_existing_file_keeping_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p.wasm");
    std::fs::write(&out, b"old contents").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o751)).unwrap();
    assert_eq!(write_wasm_mode(&out), 0o751);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\0asm"), "the old contents stayed");
}

/// Decoding validates what wit-parser's decoder does not: the function
/// bodies of the core modules inside a component. An ill-typed one is an
/// error naming the file and the offset, as a whole validation reports it.
#[test]
fn decoding_refuses_an_invalid_function_body() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad-body.wasm");
    let bytes =
        wat::parse_str("(component (core module (func (result i32) i64.const 1)))").unwrap();
    std::fs::write(&bad, &bytes).unwrap();
    let out = compono().arg("wit").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-body.wasm"), "{stderr}");
    assert!(
        stderr.contains("not valid wasm (at byte offset 0x") && stderr.contains("type mismatch"),
        "{stderr}"
    );
}
