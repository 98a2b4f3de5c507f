//! Every fuzz target on stable: the checked-in seeds (`seeds/<target>/`,
//! seeds and every finding minimised) plus inputs from a fixed
//! pseudo-random sequence (`FUZZ_CASES` of them per target, 64 by
//! default). A finding fails the test with its message.

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut inputs = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            inputs.push((path.display().to_string(), bytes));
        }
    }
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    // xorshift64*: the same inputs on every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ target.len() as u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for i in 0..cases {
        let len = 64 + (next() % 4096) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        inputs.push((format!("generated #{i}"), bytes));
    }
    inputs
}

fn check(target: &str) {
    let run = compono_fuzz::target(target).unwrap();
    let mut findings = Vec::new();
    let inputs = inputs(target);
    // Failing inputs are kept for replay (`cargo run --example replay`).
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("findings")
        .join(target);
    for (i, (name, bytes)) in inputs.iter().enumerate() {
        if let Err(f) = run(bytes) {
            let _ = std::fs::create_dir_all(&kept);
            let file = kept.join(format!("{i}"));
            let _ = std::fs::write(&file, bytes);
            findings.push(format!("{name} (kept as {}): {f}", file.display()));
        }
    }
    eprintln!(
        "{target}: {} inputs; {}",
        inputs.len(),
        compono_fuzz::stats::report()
    );
    assert!(
        findings.is_empty(),
        "{} findings:\n\n{}",
        findings.len(),
        findings.join("\n\n")
    );
}

#[test]
fn wit_roundtrip() {
    check("wit-roundtrip");
}

#[test]
fn wit_vs_reference() {
    check("wit-vs-reference");
}

#[test]
fn new_vs_reference() {
    check("new-vs-reference");
}

#[test]
fn bindgen_c() {
    check("bindgen-c");
}

#[test]
fn malformed() {
    check("malformed");
}

/// The C the corpus's worlds give compiles with clang-19 `-Wall -Wextra
/// -Werror` (the batch half of `bindgen-c`).
#[test]
fn bindgen_c_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<Vec<u8>> = inputs("bindgen-c").into_iter().map(|(_, b)| b).collect();
    if compono_testutil::command("clang-19")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but clang-19 is missing"
        );
        eprintln!("clang-19 not found: skipped");
        return;
    }
    let (compiled, failures) = compono_fuzz::bindgen_c::compile(&inputs, dir.path()).unwrap();
    eprintln!("bindgen-c: {compiled} bindings compiled");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
