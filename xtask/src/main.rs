//! `cargo xtask <task>`: the project's own tasks.
//!
//! - `test`: install what the tests need, then fmt, clippy and every test.
//! - `setup`: only the installation step.
//! - `spec`: the conformance suites on the interpreter, as a table.
//! - `bench [wit|interp|new|bindgen|adapter|link|run]`: benchmarks against the reference tools, as ratios.
//! - `build-adapter [--check]`: rebuild the checked-in preview1 adapters (or check them).
//! - `fixtures [CASE...]`: rebuild the compiled fixtures that are checked in: the preview1
//!   programs of `fixtures/preview1` (all, or the cases named), the link libraries and
//!   the WASI programs of `fixtures/wasi`; `fixtures wasi [CASE]...` only the latter.
//! - `fuzz TARGET|all [SECONDS]`: the fuzz targets of `fuzz/` under libFuzzer;
//!   `fuzz interp-vs-wasmi [SECONDS]`: the interpreter against wasmi;
//!   `fuzz interp-vs-wasmtime [SECONDS]`: modules with exception handling
//!   against wasmtime.

mod bench_adapter;
mod bench_bindgen;
mod bench_interp;
mod bench_link;
mod bench_new;
mod bench_runtime;
mod bench_wasi;
mod bench_wit;
mod build_adapter;
mod fixtures;
mod fixtures_link;
mod fixtures_wasi;
mod fuzz;
mod fuzz_interp;
mod setup;
mod spec;
mod test;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest.to_vec()),
        None => bail!("usage: cargo xtask test|setup|spec|bench|build-adapter|fixtures|fuzz"),
    };
    match task {
        "test" => test::main(&rest),
        "setup" => setup::main(),
        "spec" => spec::main(&rest),
        "bench" => bench(&rest),
        "fuzz"
            if rest
                .first()
                .is_some_and(|t| fuzz_interp::TARGETS.contains(&t.as_str())) =>
        {
            fuzz_interp::main(&rest[0], &rest[1..])
        }
        "build-adapter" => build_adapter::main(&rest),
        "fixtures" if rest.first().is_some_and(|a| a == "wasi") => fixtures_wasi::main(&rest[1..]),
        "fixtures" => {
            fixtures::main(&rest)?;
            // Naming cases selects preview1 programs only.
            if rest.is_empty() {
                fixtures_link::main()?;
                fixtures_wasi::main(&[])?;
            }
            Ok(())
        }
        "fuzz" => fuzz::main(&rest),
        other => {
            bail!(
                "unknown task `{other}`; expected test, setup, spec, bench, build-adapter, \
                 fixtures or fuzz"
            )
        }
    }
}

/// Runs every benchmark, or those named.
fn bench(args: &[String]) -> Result<()> {
    let all = !args.iter().any(|a| is_bench_name(a));
    let wants = |name: &str| all || args.iter().any(|a| a == name);
    if wants("wit") {
        bench_wit::main()?;
    }
    if wants("interp") {
        // Program names after `interp` select what it runs.
        let mut programs = vec!["interp".to_string()];
        programs.extend(args.iter().filter(|a| !is_bench_name(a)).cloned());
        bench_interp::main(&programs)?;
    }
    if wants("new") {
        bench_new::run(&[])?;
    }
    if wants("bindgen") {
        bench_bindgen::main()?;
    }
    if wants("adapter") {
        bench_adapter::main()?;
    }
    if wants("link") {
        bench_link::run()?;
    }
    if wants("run") {
        // Unoptimised, this reruns the whole of `bench run` optimised.
        bench_runtime::main()?;
        if !cfg!(debug_assertions) {
            bench_wasi::main()?;
        }
    }
    Ok(())
}

fn is_bench_name(arg: &str) -> bool {
    matches!(
        arg,
        "wit" | "interp" | "new" | "bindgen" | "adapter" | "link" | "run"
    )
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs a command, failing with its name when it fails.
pub fn run(cmd: &mut std::process::Command) -> Result<()> {
    eprintln!("+ {cmd:?}");
    let status = cmd.status()?;
    if !status.success() {
        bail!("command failed ({status}): {cmd:?}");
    }
    Ok(())
}

pub fn succeeds(cmd: &mut std::process::Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
