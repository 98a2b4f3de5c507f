//! `cargo xtask fuzz TARGET [SECONDS]`: one fuzz target of `fuzz/` under
//! libFuzzer for a time budget (60 s by default); `cargo xtask fuzz all
//! [SECONDS]` runs each in turn (what `cargo xtask test` does, 30 s each).
//!
//! The targets are built the way `cargo fuzz build -s none` builds them
//! (sanitizer-coverage instrumentation, `--cfg fuzzing`, debug assertions;
//! no sanitizer: compono has no `unsafe` on these paths), with the stable
//! toolchain, so neither nightly nor cargo-fuzz is needed;
//! `cargo +nightly fuzz run TARGET` works on the same crate too.
//!
//! Each run reads the checked-in seeds (`fuzz/seeds/TARGET`, which also
//! hold every minimised finding) and grows a working corpus in
//! `fuzz/target/corpus/TARGET`; a crash is saved to
//! `fuzz/target/artifacts/TARGET/` and fails the task. For `bindgen-c`,
//! the corpus is then replayed once with `COMPONO_FUZZ_COMPILE_C` set, so
//! the generated C of every corpus entry is compiled with clang-19 (the
//! batch half of that target).

use crate::root;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TARGETS: &[&str] = &[
    "wit-roundtrip",
    "wit-vs-reference",
    "new-vs-reference",
    "bindgen-c",
    "malformed",
];

/// What one run did, from libFuzzer's final statistics.
pub struct Summary {
    pub target: String,
    pub executions: u64,
    pub corpus: usize,
    pub seconds: u64,
}

pub fn main(args: &[String]) -> Result<()> {
    let Some(target) = args.first() else {
        bail!(
            "usage: cargo xtask fuzz TARGET|all [SECONDS]; targets: {}",
            TARGETS.join(", ")
        );
    };
    let seconds: u64 = match args.get(1) {
        Some(s) => s
            .parse()
            .with_context(|| format!("`{s}` is not a number of seconds"))?,
        None => 60,
    };
    let targets: Vec<&str> = if target == "all" {
        TARGETS.to_vec()
    } else if TARGETS.contains(&target.as_str()) {
        vec![target.as_str()]
    } else {
        bail!(
            "unknown fuzz target `{target}`; one of {}",
            TARGETS.join(", ")
        );
    };
    build()?;
    // Every target runs even when an earlier one finds something, so one
    // long unattended run reports on all of them.
    let mut findings = Vec::new();
    for target in targets {
        match run(target, seconds) {
            Ok(s) => println!(
                "fuzz {}: {} executions in {} s, corpus {} inputs, 0 findings",
                s.target, s.executions, s.seconds, s.corpus
            ),
            Err(e) => {
                eprintln!("{e:#}");
                findings.push(target);
            }
        }
    }
    if !findings.is_empty() {
        bail!("findings in: {}", findings.join(", "));
    }
    Ok(())
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

fn host_triple() -> Result<String> {
    let out = Command::new("rustc").arg("-vV").output()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .context("cannot tell the host triple from `rustc -vV`")
}

/// Builds every target, instrumented.
pub fn build() -> Result<()> {
    let triple = host_triple()?;
    let rustflags = [
        "-Cpasses=sancov-module",
        "-Cllvm-args=-sanitizer-coverage-level=4",
        "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
        "-Cllvm-args=-sanitizer-coverage-pc-table",
        "-Cllvm-args=-sanitizer-coverage-trace-compares",
        "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
        "-Cllvm-args=-sanitizer-coverage-stack-depth",
        "--cfg",
        "fuzzing",
        "-Cdebug-assertions",
    ]
    .join(" ");
    crate::run(
        Command::new("cargo")
            .current_dir(fuzz_dir())
            .env("RUSTFLAGS", rustflags)
            // The target triple keeps the flags off build scripts and
            // proc macros, as cargo-fuzz does.
            .args(["build", "--release", "--bins", "--target", &triple])
            .args(["--target-dir", "target/libfuzzer"]),
    )
}

fn binary(target: &str) -> Result<PathBuf> {
    Ok(fuzz_dir()
        .join("target/libfuzzer")
        .join(host_triple()?)
        .join("release")
        .join(target))
}

/// The bar for a full run: this many executions or the time
/// budget, whichever comes first.
const MAX_EXECUTIONS: u64 = 1_000_000;

/// Runs `target` for `seconds` (or `MAX_EXECUTIONS`).
pub fn run(target: &str, seconds: u64) -> Result<Summary> {
    let dir = fuzz_dir();
    let corpus = dir.join("target/corpus").join(target);
    let seeds = dir.join("seeds").join(target);
    let artifacts = dir.join("target/artifacts").join(target);
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let mut cmd = Command::new(binary(target)?);
    cmd.current_dir(&dir)
        .arg(&corpus)
        .arg(&seeds)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-runs={MAX_EXECUTIONS}"))
        // A hang, or an allocation far beyond any input's size, is a
        // finding like a panic.
        .arg("-timeout=20")
        .arg("-rss_limit_mb=4096")
        .arg("-malloc_limit_mb=1024")
        .arg("-max_len=65536")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    eprintln!("+ {cmd:?}");
    let started = std::time::Instant::now();
    let output = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The statistics lines (and any finding) for the log.
    for line in stderr.lines() {
        if line.starts_with("stat::")
            || line.starts_with("#worlds")
            || line.contains("ERROR")
            || line.contains("panicked")
            || line.contains("Test unit written")
        {
            eprintln!("  {line}");
        }
    }
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(60).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "fuzz target `{target}` found a bug (input saved in {}):\n{}",
            artifacts.display(),
            tail.join("\n")
        );
    }
    let stat = |name: &str| {
        stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    if target == "bindgen-c" {
        compile_corpus(target, &[&corpus, &seeds])?;
    }
    Ok(Summary {
        target: target.to_string(),
        executions: stat("number_of_executed_units"),
        corpus: count_files(&corpus) + count_files(&seeds),
        seconds: started.elapsed().as_secs(),
    })
}

/// Replays the corpus once with `COMPONO_FUZZ_COMPILE_C`, so each input's
/// generated C is compiled with clang-19.
fn compile_corpus(target: &str, dirs: &[&Path]) -> Result<()> {
    let out = fuzz_dir().join("target/bindgen-c-compiled");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let mut cmd = Command::new(binary(target)?);
    cmd.current_dir(fuzz_dir())
        .env("COMPONO_FUZZ_COMPILE_C", &out)
        .args(dirs)
        .arg("-runs=0");
    eprintln!("+ {cmd:?}");
    let output = cmd.output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "generated C does not compile:\n{}",
            stderr
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    eprintln!(
        "  bindgen-c: the generated C of {} corpus inputs compiled with clang-19 -Wall -Wextra -Werror",
        count_files(dirs[0]) + dirs.get(1).map_or(0, |d| count_files(d))
    );
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
