//! `cargo xtask fuzz interp-vs-wasmi|interp-vs-wasmtime [SECONDS] [--executions N] [--seed S] [--checked]`:
//! differential fuzzing of the interpreter for a time budget (default
//! 60 s), at low priority, in release mode: against wasmi 2.0, or, for
//! modules with exception handling (which wasmi does not implement),
//! against wasmtime-py. The harnesses are the `fuzz` and `fuzz_exceptions`
//! tests in `crates/compono-interp/tests/differential.rs`; CI runs their
//! short `smoke` and `exceptions_smoke` tests and the `regressions` cases.

use crate::{root, run};
use anyhow::{Result, bail};
use std::process::Command;

pub const TARGETS: &[&str] = &["interp-vs-wasmi", "interp-vs-wasmtime"];

pub fn main(target: &str, args: &[String]) -> Result<()> {
    let test = if target == "interp-vs-wasmi" {
        "fuzz"
    } else {
        "fuzz_exceptions"
    };
    let mut seconds = "60".to_string();
    let mut cmd = Command::new("nice");
    cmd.current_dir(root()).args([
        "-n",
        "10",
        "cargo",
        "test",
        "--release",
        "-p",
        "compono-interp",
    ]);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--executions" | "--seed" => {
                let Some(value) = args.next() else {
                    bail!("{arg} needs a value");
                };
                let var = if arg == "--seed" {
                    "COMPONO_FUZZ_SEED"
                } else {
                    "COMPONO_FUZZ_EXECUTIONS"
                };
                cmd.env(var, value);
            }
            "--checked" => {
                cmd.args(["--features", "checked"]);
            }
            n if n.parse::<u64>().is_ok() => seconds = n.to_string(),
            other => bail!(
                "unknown argument `{other}`; usage: cargo xtask fuzz {target} [SECONDS] [--executions N] [--seed S] [--checked]"
            ),
        }
    }
    cmd.env("COMPONO_FUZZ_SECONDS", &seconds).args([
        "--test",
        "differential",
        "--",
        test,
        "--exact",
        "--ignored",
        "--nocapture",
    ]);
    run(&mut cmd)
}
