//! `cargo xtask bench run` (second part): WASI programs on compono's runtime against
//! wasmtime-py, natively (Cranelift) and on its Pulley interpreter, in the
//! same run:
//!
//! - start-up: a Rust `wasm32-wasip2` hello world from its bytes to its
//!   end (compile, instantiate, run to its one line of output);
//! - throughput: `std::io::copy` of a 100 MB file through WASI streams.
//!
//! compono runs in this process (the embedding API, as `compono run`
//! does), wasmtime in `xtask/bench/wasi_run.py`; both times are the best
//! of several runs, wall clock, and each run starts from the bytes.

use crate::root;
use anyhow::{Context, Result, bail, ensure};
use compono_runtime::wasi::{self, DirPerms, OutputPipe, WasiCtx, WasiCtxBuilder};
use compono_runtime::{Component, Engine, Linker, Store};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const STARTUP_RUNS: usize = 5;
const COPY_RUNS: usize = 3;
const COPY_BYTES: usize = 100 << 20;

/// One run's wall time and its compile part, and what it printed.
struct Timing {
    total: Duration,
    compile: Duration,
    stdout: String,
}

fn compono(bytes: &[u8], dir: Option<&Path>, args: &[&str]) -> Result<Timing> {
    let start = Instant::now();
    let engine = Engine::default();
    let component = Component::new(&engine, bytes)?;
    let compile = start.elapsed();
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker)?;
    let stdout = OutputPipe::new();
    let mut builder = WasiCtxBuilder::new()
        .arg("program")
        .args(args.iter().copied())
        .stdout(stdout.clone());
    if let Some(dir) = dir {
        builder = builder.preopen_dir(dir, ".", DirPerms::ReadWrite)?;
    }
    let mut store = Store::new(&engine, builder.build());
    let status = wasi::run_command(&mut store, &linker, &component)?;
    let total = start.elapsed();
    ensure!(status == 0, "the program exited with {status}");
    Ok(Timing {
        total,
        compile,
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
    })
}

fn best(runs: usize, mut once: impl FnMut() -> Result<Timing>) -> Result<Timing> {
    let mut best: Option<Timing> = None;
    for _ in 0..runs {
        let t = once()?;
        if best.as_ref().is_none_or(|b| t.total < b.total) {
            best = Some(t);
        }
    }
    Ok(best.expect("at least one run"))
}

fn wasmtime(
    target: &str,
    component: &Path,
    runs: usize,
    dir: Option<&Path>,
    args: &[&str],
) -> Result<Timing> {
    let script = root().join("xtask/bench/wasi_run.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script)
        .arg(target)
        .arg(component)
        .arg(runs.to_string());
    if let Some(dir) = dir {
        cmd.arg(dir).args(args);
    }
    let out = cmd.output().context("python3 with wasmtime is needed")?;
    if !out.status.success() {
        bail!(
            "wasmtime ({target}) failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let seconds = |key: &str| Duration::from_secs_f64(json[key].as_f64().unwrap_or(0.0));
    Ok(Timing {
        total: seconds("seconds"),
        compile: seconds("compile"),
        stdout: json["stdout"].as_str().unwrap_or_default().to_string(),
    })
}

/// A file of `len` bytes from a xorshift generator (incompressible and the
/// same every time).
fn write_input(path: &Path, len: usize) -> Result<()> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut data = Vec::with_capacity(len);
    while data.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        data.extend_from_slice(&state.to_le_bytes());
    }
    data.truncate(len);
    std::fs::write(path, data)?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn main() -> Result<()> {
    let fixtures = root().join("fixtures/wasi");
    let hello = fixtures.join("hello/component.wasm");
    let copy = fixtures.join("copy-file/component.wasm");
    let hello_bytes = std::fs::read(&hello)?;
    let copy_bytes = std::fs::read(&copy)?;

    println!("WASI programs, best of {STARTUP_RUNS} (start-up) and {COPY_RUNS} (copy), wall time");
    println!(
        "{:<34} {:>16} {:>22} {:>22}",
        "", "compono", "wasmtime native", "wasmtime pulley"
    );
    let ours = best(STARTUP_RUNS, || compono(&hello_bytes, None, &[]))?;
    let native = wasmtime("native", &hello, STARTUP_RUNS, None, &[])?;
    let pulley = wasmtime("pulley64", &hello, STARTUP_RUNS, None, &[])?;
    for t in [&ours, &native, &pulley] {
        ensure!(
            t.stdout == "Hello, world!\n",
            "hello printed {:?}",
            t.stdout
        );
    }
    let row = |ours: &Timing, theirs: &Timing| {
        format!(
            "{:>9.1} ms {:>6.2}x",
            ms(theirs.total),
            ours.total.as_secs_f64() / theirs.total.as_secs_f64()
        )
    };
    println!(
        "{:<34} {:>13.1} ms {:>22} {:>22}",
        "start-up: hello world (total)",
        ms(ours.total),
        row(&ours, &native),
        row(&ours, &pulley)
    );
    println!(
        "{:<34} {:>13.1} ms {:>19.1} ms {:>19.1} ms",
        "  of which compiling",
        ms(ours.compile),
        ms(native.compile),
        ms(pulley.compile)
    );

    let dir = tempfile::tempdir()?;
    write_input(&dir.path().join("in.bin"), COPY_BYTES)?;
    let input = std::fs::read(dir.path().join("in.bin"))?;
    let check = |who: &str| -> Result<()> {
        let out = std::fs::read(dir.path().join("out.bin"))?;
        ensure!(out == input, "{who}: the copy differs from the input");
        std::fs::remove_file(dir.path().join("out.bin"))?;
        Ok(())
    };
    let args = ["in.bin", "out.bin"];
    let ours = best(COPY_RUNS, || {
        let t = compono(&copy_bytes, Some(dir.path()), &args)?;
        check("compono")?;
        Ok(t)
    })?;
    let native = best(COPY_RUNS, || {
        let t = wasmtime("native", &copy, 1, Some(dir.path()), &args)?;
        check("wasmtime")?;
        Ok(t)
    })?;
    let pulley = best(COPY_RUNS, || {
        let t = wasmtime("pulley64", &copy, 1, Some(dir.path()), &args)?;
        check("wasmtime pulley")?;
        Ok(t)
    })?;
    // Throughput leaves compiling out: it is the copy's, not start-up's.
    let running = |t: &Timing| (t.total - t.compile).as_secs_f64();
    let throughput = |t: &Timing| COPY_BYTES as f64 / (1 << 20) as f64 / running(t);
    println!(
        "{:<34} {:>11.0} MB/s {:>14.0} MB/s {:>5.2}x {:>14.0} MB/s {:>5.2}x",
        "copy 100 MB through streams",
        throughput(&ours),
        throughput(&native),
        running(&ours) / running(&native),
        throughput(&pulley),
        running(&ours) / running(&pulley),
    );
    println!("(ratios: compono's time / wasmtime's; below 1 compono is faster)");
    Ok(())
}
