//! `compono metadata show|add`.

use compono_testutil::command;
use std::process::Command;

fn compono() -> Command {
    command(env!("CARGO_BIN_EXE_compono"))
}

#[test]
fn add_then_show() {
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("m.wasm");
    let bytes = wat::parse_str("(module $original (func (export \"f\")))").unwrap();
    std::fs::write(&module, &bytes).unwrap();
    let shown = compono()
        .args(["metadata", "show"])
        .arg(&module)
        .output()
        .unwrap();
    assert!(shown.status.success());
    assert_eq!(
        String::from_utf8(shown.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
        format!("module original (bytes 0..{})", bytes.len()),
    );

    let out = tmp.path().join("out.wasm");
    let added = compono()
        .args(["metadata", "add"])
        .arg(&module)
        .args([
            "--name",
            "renamed",
            "--language",
            "Rust",
            "--sdk",
            "rustc=1.95",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let shown = compono()
        .args(["metadata", "show", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(json[0]["name"], "renamed");
    assert_eq!(json[0]["producers"]["language"]["Rust"], "");
    assert_eq!(json[0]["producers"]["sdk"]["rustc"], "1.95");

    // The reference reader agrees, when present.
    if let Ok(theirs) = command("wasm-tools")
        .args(["metadata", "show", "--json"])
        .arg(&out)
        .output()
    {
        let text = String::from_utf8_lossy(&theirs.stdout);
        assert!(text.contains("renamed"), "{text}");
        assert!(text.contains("rustc"), "{text}");
    }
}

#[test]
fn garbage_is_a_clean_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("junk.wasm");
    std::fs::write(&file, b"\0asm\x01\0\0\0\x00\xff\xff").unwrap();
    let out = compono()
        .args(["metadata", "show"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("junk.wasm"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
