//! `cargo xtask bench adapter`: the size of preview1 programs made into
//! components with compono's adapter (`compono new`) against `wasm-tools
//! component new --adapt` with the official adapter (the
//! `wasi-preview1-component-adapter-provider` crate), on the same core
//! modules in the same run: the C and Rust hello worlds of the preview1
//! corpus, and the C one as clang-19 builds it by default (with the debug
//! information Debian's wasi-libc carries). Each component is validated
//! and run in wasmtime, which must print the greeting.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

use crate::bench_new::resolve_wasm_tools;

fn run_component(component: &Path) -> Result<String> {
    let script = r#"
import sys, wasmtime, wasmtime.component as c
engine = wasmtime.Engine(); store = wasmtime.Store(engine)
wasi = wasmtime.WasiConfig(); wasi.stdout_file = sys.argv[2]; store.set_wasi(wasi)
linker = c.Linker(engine); linker.add_wasip2()
inst = linker.instantiate(store, c.Component.from_file(engine, sys.argv[1]))
for v in ("0.2.0", "0.2.12", "0.2.6"):
    i = inst.get_export_index(store, "wasi:cli/run@" + v)
    if i is not None:
        inst.get_func(store, inst.get_export_index(store, "run", i))(store)
        break
"#;
    let out = component.with_extension("stdout");
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(component)
        .arg(&out)
        .status()?;
    if !status.success() {
        bail!("running {} failed", component.display());
    }
    Ok(std::fs::read_to_string(out)?)
}

pub fn main() -> Result<()> {
    let root = crate::root();
    let compono = crate::bench_new::build_compono()?;
    let wasm_tools = resolve_wasm_tools();
    let dir = std::env::temp_dir().join(format!("compono-bench-adapter-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let official = dir.join("wasi_snapshot_preview1.command.wasm");
    std::fs::write(
        &official,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    )?;
    let debug_hello = dir.join("c-hello-debug.wasm");
    crate::run(
        Command::new("clang-19")
            .args(["--target=wasm32-wasi", "-O2", "-o"])
            .arg(&debug_hello)
            .arg(root.join("fixtures/preview1/c-hello/main.c")),
    )?;
    let inputs = [
        (
            "C hello (stripped)",
            root.join("fixtures/preview1/c-hello/program.wasm"),
        ),
        ("C hello (clang default, debug info)", debug_hello),
        (
            "Rust hello",
            root.join("fixtures/preview1/rust-hello/program.wasm"),
        ),
    ];
    println!(
        "{:<38} {:>8} {:>10} {:>10} {:>7} {:>12} {:>12} {:>7}",
        "program", "module", "compono", "official", "ratio", "compono +", "official +", "ratio"
    );
    for (label, input) in &inputs {
        let ours = dir.join("ours.wasm");
        let theirs = dir.join("theirs.wasm");
        let status = Command::new(&compono)
            .arg("new")
            .arg(input)
            .arg("-o")
            .arg(&ours)
            .stderr(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            bail!("compono new {} failed", input.display());
        }
        let adapt = format!("wasi_snapshot_preview1={}", official.display());
        let status = Command::new(&wasm_tools)
            .args(["component", "new"])
            .arg(input)
            .args(["--adapt", &adapt, "-o"])
            .arg(&theirs)
            .status()
            .context("wasm-tools")?;
        if !status.success() {
            bail!("wasm-tools component new {} failed", input.display());
        }
        for component in [&ours, &theirs] {
            let printed = run_component(component)?;
            if printed != "Hello, world!\n" {
                bail!("{} printed {printed:?}", component.display());
            }
        }
        let module = std::fs::metadata(input)?.len();
        let (o, t) = (
            std::fs::metadata(&ours)?.len(),
            std::fs::metadata(&theirs)?.len(),
        );
        // What adapting adds to the module, besides the module itself.
        let (oa, ta) = (o - module.min(o), t - module.min(t));
        println!(
            "{label:<38} {module:>8} {o:>10} {t:>10} {:>7.2} {oa:>12} {ta:>12} {:>7.2}",
            o as f64 / t as f64,
            oa as f64 / ta as f64
        );
    }
    println!(
        "sizes in bytes; ratio = compono / official; `+` = the component less the core module"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
