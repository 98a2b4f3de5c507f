//! `cargo xtask bench [interp] [PROGRAM]`: runs the compute benchmarks in
//! `crates/compono-interp/benches/programs/` on compono's interpreter and on
//! wasmi in the same process and prints the throughput ratio.
//!
//! The modules are built from the C files beside them by `build.sh` there.

use anyhow::{Context, Result, anyhow, bail, ensure};
use std::path::Path;
use std::time::{Duration, Instant};

/// Program name and the argument passed to its `run(i32) -> i64` export.
const PROGRAMS: &[(&str, i32)] = &[
    ("fib", 30),
    ("sieve", 20),
    ("sha256", 40),
    ("matmul", 20),
    ("sort", 5),
];

/// Each engine runs each program this often, the two engines taking turns
/// so both see the same machine load; the fastest run counts.
const REPETITIONS: usize = 5;

/// A prepared program: calling it runs `run(arg)` once.
type Runner = Box<dyn FnMut() -> Result<i64>>;

/// CPU time this thread has run, where Linux reports it: unlike wall time
/// it does not count time other processes on a shared machine take.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn time_once(run: &mut Runner, best: &mut Duration) -> Result<i64> {
    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    let result = run()?;
    let elapsed = match (cpu, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall.elapsed(),
    };
    *best = (*best).min(elapsed);
    Ok(result)
}

fn prepare_compono(bytes: &[u8], arg: i32) -> Result<Runner> {
    use compono_interp::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(&engine, bytes)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module)?;
    let run = instance
        .get_func(&store, "run")
        .ok_or_else(|| anyhow!("no `run` export"))?
        .typed::<i32, i64>(&store)?;
    Ok(Box::new(move || Ok(run.call(&mut store, arg)?)))
}

fn prepare_wasmi(bytes: &[u8], arg: i32) -> Result<Runner> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, bytes).map_err(|e| anyhow!("{e}"))?;
    let mut store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| anyhow!("{e}"))?;
    let run = instance
        .get_typed_func::<i32, i64>(&store, "run")
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Box::new(move || {
        run.call(&mut store, arg).map_err(|e| anyhow!("{e}"))
    }))
}

pub fn main(args: &[String]) -> Result<()> {
    if cfg!(debug_assertions) {
        // Timings of an unoptimised build mean nothing: rerun optimised.
        let status =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args([
                    "run",
                    "--release",
                    "--quiet",
                    "--package",
                    "xtask",
                    "--",
                    "bench",
                ])
                .args(args)
                .status()
                .context("failed to rerun xtask in release mode")?;
        ensure!(status.success(), "release benchmark run failed");
        return Ok(());
    }
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/compono-interp/benches/programs");
    // `interp` names this benchmark among the project's others.
    let filter = args.iter().find(|a| *a != "interp");
    println!(
        "{:<10} {:>12} {:>12} {:>18}",
        "program", "compono ms", "wasmi ms", "compono/wasmi speed"
    );
    let mut slowest = f64::INFINITY;
    for (name, arg) in PROGRAMS {
        if filter.is_some_and(|f| f != name) {
            continue;
        }
        let path = dir.join(format!("{name}.wasm"));
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut compono =
            prepare_compono(&bytes, *arg).with_context(|| format!("compono on {name}"))?;
        let mut wasmi = prepare_wasmi(&bytes, *arg).with_context(|| format!("wasmi on {name}"))?;
        let (mut ours, mut theirs) = (Duration::MAX, Duration::MAX);
        for _ in 0..REPETITIONS {
            let our_result = time_once(&mut compono, &mut ours)?;
            let their_result = time_once(&mut wasmi, &mut theirs)?;
            if our_result != their_result {
                bail!("{name}: compono computed {our_result}, wasmi {their_result}");
            }
        }
        let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
        slowest = slowest.min(ratio);
        println!(
            "{name:<10} {:>12.1} {:>12.1} {:>17.2}x",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ratio
        );
    }
    let clock = if thread_cpu_time().is_some() {
        "thread CPU time"
    } else {
        "wall time"
    };
    println!(
        "lowest ratio: {slowest:.2}x (target >= 0.50x, goal 1.00x); best of {REPETITIONS}, {clock}"
    );
    Ok(())
}
