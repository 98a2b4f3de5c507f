//! The protocol between `cargo xtask bench interp` and a runner binary.
//!
//! - `RUNNER serve FILE ARG [--fuel]` prepares `run(ARG)` of the module in
//!   FILE (translation and instantiation are not timed), then answers each
//!   line on stdin by running it once and printing `RESULT NANOSECONDS`.
//!   The driver keeps one runner per engine and sends them lines in turn,
//!   so both engines see the same machine load.
//! - `RUNNER once FILE ARG [--fuel]` runs it once and prints the result:
//!   for instruction counts under `valgrind --tool=callgrind`.
//! - `RUNNER translate FILE` translates FILE once per mode the engine has
//!   and prints `MODE NANOSECONDS` for each.

use anyhow::{Context, Result, anyhow, bail};
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

/// A prepared program: calling it runs `run(arg)` once.
pub type Runner = Box<dyn FnMut() -> Result<i64>>;

/// Translates a module in one of an engine's modes.
pub type Translate = fn(&[u8]) -> Result<()>;

/// What a runner binary provides.
pub struct Engine {
    /// Prepares `run(arg)` of a module, with fuel metering or without.
    pub prepare: fn(bytes: &[u8], arg: i32, fuel: bool) -> Result<Runner>,
    /// The engine's translation modes, each a name and a function that
    /// translates a module.
    pub translate: &'static [(&'static str, Translate)],
}

/// CPU time this thread has run: unlike wall time it does not count time
/// other processes on a shared machine take. `CLOCK_THREAD_CPUTIME_ID`
/// adds the running slice to the scheduler's total when read, so it is
/// exact; the total alone (`/proc/thread-self/schedstat`) is only brought
/// up to date at each timer tick, 4 ms here, a few percent of a run.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Runs `f` and returns its result and the time it took: thread CPU time
/// where there is such a clock, wall time otherwise.
fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    let result = f();
    let elapsed = match (cpu, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall.elapsed(),
    };
    (result, elapsed)
}

/// Which clock `timed` uses, for the driver's report.
pub fn clock_name() -> &'static str {
    if thread_cpu_time().is_some() {
        "thread CPU time"
    } else {
        "wall time"
    }
}

/// The runner binary's `main`.
pub fn main(engine: Engine) {
    if let Err(e) = run(&engine) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(engine: &Engine) -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fuel = args.iter().any(|a| a == "--fuel");
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--fuel")
        .collect();
    match args.as_slice() {
        ["serve", file, arg] => {
            let mut run = prepare(engine, file, arg, fuel)?;
            let mut out = std::io::stdout().lock();
            for line in std::io::stdin().lock().lines() {
                line?;
                let (result, elapsed) = timed(&mut run);
                writeln!(out, "{} {}", result?, elapsed.as_nanos())?;
                out.flush()?;
            }
            Ok(())
        }
        ["once", file, arg] => {
            let result = prepare(engine, file, arg, fuel)?()?;
            println!("{result}");
            Ok(())
        }
        ["translate", file] => {
            let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
            for (mode, translate) in engine.translate {
                let (result, elapsed) = timed(|| translate(&bytes));
                result.with_context(|| format!("translating {file} ({mode})"))?;
                println!("{mode} {}", elapsed.as_nanos());
            }
            Ok(())
        }
        ["clock"] => {
            println!("{}", clock_name());
            Ok(())
        }
        _ => bail!(
            "usage: serve FILE ARG [--fuel] | once FILE ARG [--fuel] | translate FILE | clock"
        ),
    }
}

fn prepare(engine: &Engine, file: &str, arg: &str, fuel: bool) -> Result<Runner> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    let arg = arg.parse().map_err(|e| anyhow!("argument `{arg}`: {e}"))?;
    (engine.prepare)(&bytes, arg, fuel).with_context(|| format!("preparing {file}"))
}
