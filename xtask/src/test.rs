//! `cargo xtask test`: the README's test command and what CI runs.
//!
//! The tests must pass whatever the caller's environment, so they run in a
//! deliberately unfriendly one: `RUST_BACKTRACE=1` and data on stdin. A test
//! that spawns a program without `compono_testutil` (which gives it a null
//! stdin and a fixed build environment) fails here rather than on a
//! contributor's machine.

use crate::{root, run};
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// What the test processes find on their stdin.
const STDIN_JUNK: &[u8] =
    b"error[E0554]: a test read the stdin it inherited; spawn through compono_testutil\n";

pub fn main(args: &[String]) -> Result<()> {
    // Fail in a second, not after a full build, on a machine where no
    // nested build can work.
    compono_testutil::check_dev_null().map_err(anyhow::Error::msg)?;
    if !args.iter().any(|a| a == "--no-setup") {
        crate::setup::main()?;
    }
    let root = root();
    run(Command::new("cargo")
        .current_dir(&root)
        .args(["fmt", "--all", "--check"]))?;
    run(Command::new("cargo").current_dir(&root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    let (mut passed, mut failed) = cargo_test(&root, &["--workspace"])?;
    // The interpreter's tests again with every unchecked access checked.
    let (checked_passed, checked_failed) =
        cargo_test(&root, &["-p", "compono-interp", "--features", "checked"])?;
    passed += checked_passed;
    failed += checked_failed;
    // And optimised, as it ships: only there do handlers dispatch by tail
    // calls (`crates/compono-interp/build.rs`), and only there can one
    // that misses its tail call overflow the stack (`tests/tail_dispatch.rs`).
    let (release_passed, release_failed) =
        cargo_test(&root, &["-p", "compono-interp", "--release"])?;
    passed += release_passed;
    failed += release_failed;
    // Each fuzz target for 30 s (the long runs are `cargo xtask fuzz`).
    if !args.iter().any(|a| a == "--no-fuzz") {
        match fuzz_smoke() {
            Ok(()) => passed += 1,
            Err(e) => {
                eprintln!("fuzz smoke failed: {e:#}");
                failed += 1;
            }
        }
    }
    // One closing line for the whole run, after cargo's per-binary ones.
    println!("all tests: {passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} tests failed");
    }
    Ok(())
}

/// Builds the fuzz targets and runs each for 30 seconds.
fn fuzz_smoke() -> Result<()> {
    crate::fuzz::build()?;
    for target in crate::fuzz::TARGETS {
        let s = crate::fuzz::run(target, 30)?;
        println!(
            "fuzz {}: {} executions in {} s, corpus {} inputs, 0 findings",
            s.target, s.executions, s.seconds, s.corpus
        );
    }
    Ok(())
}

/// Runs `cargo test` with `args`, echoing its output, and adds up the
/// counts of every test binary.
fn cargo_test(root: &std::path::Path, args: &[&str]) -> Result<(u64, u64)> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root)
        .arg("test")
        .args(args)
        .arg("--no-fail-fast")
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    eprintln!("+ {cmd:?}");
    let mut child = cmd.spawn().context("failed to run cargo test")?;
    // Fits in the pipe's buffer; closing it then gives readers EOF after it.
    child.stdin.take().unwrap().write_all(STDIN_JUNK)?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            passed += count(rest, " passed");
            failed += count(rest, " failed");
        }
    }
    let status = child.wait()?;
    if !status.success() && failed == 0 {
        bail!("cargo test failed ({status})");
    }
    Ok((passed, failed))
}

/// The number before `what` in `ok. 3 passed; 0 failed; ...`.
fn count(summary: &str, what: &str) -> u64 {
    summary
        .split(';')
        .find_map(|part| part.trim_end().strip_suffix(what))
        .and_then(|n| n.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
