//! `cargo xtask bench interp [PROGRAM...] [--fuel]`: runs the compute
//! benchmarks in `fixtures/interp/bench/` on compono's interpreter and on
//! wasmi 2.0 in the same process and prints compono's speed relative to
//! wasmi's per program, their geometric mean, and the time both take to
//! translate a 10 MB module. `--fuel` adds the cost of fuel metering.
//!
//! `cargo xtask bench interp --once ENGINE PROGRAM` runs one program once
//! on `compono`, `compono-fuel` or `wasmi`, for instruction counts under
//! `valgrind --tool=callgrind`.
//!
//! The modules are built from the sources beside them by `build.sh` there;
//! each source names the argument its `run` export is timed with in a
//! `// bench: run(N)` line.

use anyhow::{Context, Result, anyhow, bail, ensure};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Each engine runs each program this often, the engines taking turns so
/// both see the same machine load; the fastest run counts.
const REPETITIONS: usize = 5;

/// A prepared program: calling it runs `run(arg)` once.
type Runner = Box<dyn FnMut() -> Result<i64>>;

struct Program {
    name: String,
    arg: i32,
    bytes: Vec<u8>,
}

fn bench_dir() -> PathBuf {
    crate::root().join("fixtures/interp/bench")
}

/// Every `NAME.wasm` with a `NAME.c` or `NAME.rs` source naming its argument.
fn programs() -> Result<Vec<Program>> {
    let dir = bench_dir();
    let mut list = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = ["c", "rs"]
            .iter()
            .map(|ext| path.with_extension(ext))
            .find(|p| p.exists())
            .ok_or_else(|| anyhow!("{name}.wasm has no source beside it"))?;
        let text = std::fs::read_to_string(&source)?;
        let arg = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("// bench: run(")?.strip_suffix(')'))
            .ok_or_else(|| anyhow!("{} has no `// bench: run(N)` line", source.display()))?
            .parse()
            .with_context(|| format!("bench argument in {}", source.display()))?;
        list.push(Program {
            name,
            arg,
            bytes: std::fs::read(&path)?,
        });
    }
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
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

/// Runs `f` and returns its result and the time it took.
fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    let result = f();
    let elapsed = match (cpu, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall.elapsed(),
    };
    (result, elapsed)
}

fn time_once(run: &mut Runner, best: &mut Duration) -> Result<i64> {
    let (result, elapsed) = timed(run);
    *best = (*best).min(elapsed);
    result
}

fn prepare_compono(bytes: &[u8], arg: i32, fuel: bool) -> Result<Runner> {
    use compono_interp::{Config, Engine, Linker, Module, Store};
    let mut config = Config::new();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, bytes)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module)?;
    let run = instance
        .get_func(&store, "run")
        .ok_or_else(|| anyhow!("no `run` export"))?
        .typed::<i32, i64>(&store)?;
    Ok(Box::new(move || {
        store.set_fuel(u64::MAX);
        Ok(run.call(&mut store, arg)?)
    }))
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

fn prepare(engine: &str, program: &Program) -> Result<Runner> {
    match engine {
        "compono" => prepare_compono(&program.bytes, program.arg, false),
        "compono-fuel" => prepare_compono(&program.bytes, program.arg, true),
        "wasmi" => prepare_wasmi(&program.bytes, program.arg),
        other => bail!("unknown engine `{other}`; expected compono, compono-fuel or wasmi"),
    }
    .with_context(|| format!("{engine} on {}", program.name))
}

fn geometric_mean(values: &[f64]) -> f64 {
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
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
    let programs = programs()?;
    // `interp` names this benchmark among the project's others.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "interp")
        .collect();
    if let Some(at) = args.iter().position(|a| *a == "--once") {
        let (engine, name) = match (args.get(at + 1), args.get(at + 2)) {
            (Some(e), Some(n)) => (*e, *n),
            _ => bail!("usage: cargo xtask bench interp --once ENGINE PROGRAM"),
        };
        let program = programs
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| anyhow!("no benchmark program `{name}`"))?;
        let result = prepare(engine, program)?()?;
        println!("{name} on {engine}: {result}");
        return Ok(());
    }
    let with_fuel = args.contains(&"--fuel");
    let filter: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--"))
        .collect();
    print!(
        "{:<12} {:>11} {:>11} {:>9}",
        "program", "compono ms", "wasmi ms", "speed"
    );
    if with_fuel {
        print!(" {:>11}", "fuel cost");
    }
    println!();
    let mut ratios = Vec::new();
    let mut fuel_costs = Vec::new();
    for program in &programs {
        if !filter.is_empty() && !filter.contains(&program.name.as_str()) {
            continue;
        }
        let mut engines = vec![prepare("compono", program)?, prepare("wasmi", program)?];
        if with_fuel {
            engines.push(prepare("compono-fuel", program)?);
        }
        let mut best = vec![Duration::MAX; engines.len()];
        for _ in 0..REPETITIONS {
            let mut results = Vec::new();
            for (engine, best) in engines.iter_mut().zip(&mut best) {
                results.push(time_once(engine, best)?);
            }
            if results.iter().any(|r| *r != results[1]) {
                bail!(
                    "{}: results differ (compono, wasmi[, fuel]): {results:?}",
                    program.name
                );
            }
        }
        let ratio = best[1].as_secs_f64() / best[0].as_secs_f64();
        ratios.push(ratio);
        print!(
            "{:<12} {:>11.1} {:>11.1} {:>8.2}x",
            program.name,
            best[0].as_secs_f64() * 1e3,
            best[1].as_secs_f64() * 1e3,
            ratio
        );
        if with_fuel {
            let cost = best[2].as_secs_f64() / best[0].as_secs_f64() - 1.0;
            fuel_costs.push(cost);
            print!(" {:>10.1}%", cost * 100.0);
        }
        println!();
    }
    ensure!(
        !ratios.is_empty(),
        "no benchmark program matched {filter:?}"
    );
    let clock = if thread_cpu_time().is_some() {
        "thread CPU time"
    } else {
        "wall time"
    };
    println!(
        "speed = wasmi time / compono time; geometric mean {:.2}x, lowest {:.2}x (best of {REPETITIONS}, {clock})",
        geometric_mean(&ratios),
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
    );
    if with_fuel {
        println!(
            "fuel cost: compono with fuel metering vs without, highest {:.1}%",
            fuel_costs.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 100.0
        );
    }
    if filter.is_empty() {
        translation(&programs)?;
    }
    Ok(())
}

/// Times translating a module of about 10 MB of code made of real function
/// bodies (the Rust benchmark's, repeated).
fn translation(programs: &[Program]) -> Result<()> {
    let seed = programs
        .iter()
        .find(|p| p.name == "rustcoll")
        .ok_or_else(|| anyhow!("the rustcoll benchmark is missing"))?;
    let module = replicate_code(&seed.bytes, 10 << 20)?;
    let mut best = [Duration::MAX; 3];
    for _ in 0..3 {
        let engine = compono_interp::Engine::default();
        let (result, t) = timed(|| compono_interp::Module::new(&engine, &module));
        result?;
        best[0] = best[0].min(t);
        for (slot, mode) in [
            (1, wasmi::CompilationMode::Eager),
            (2, wasmi::CompilationMode::LazyTranslation),
        ] {
            let mut config = wasmi::Config::default();
            config.compilation_mode(mode);
            let engine = wasmi::Engine::new(&config);
            let (result, t) = timed(|| wasmi::Module::new(&engine, &module[..]));
            result.map_err(|e| anyhow!("wasmi: {e}"))?;
            best[slot] = best[slot].min(t);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "translating a {:.1} MB module: compono {:.0} ms, wasmi eager {:.0} ms ({:.2}x), wasmi lazy (validation only) {:.0} ms",
        module.len() as f64 / (1 << 20) as f64,
        ms(best[0]),
        ms(best[1]),
        best[1].as_secs_f64() / best[0].as_secs_f64(),
        ms(best[2]),
    );
    Ok(())
}

/// A copy of `module` whose code section repeats every function body until
/// the module has about `target` bytes. The copies call the originals, so
/// the bodies stay valid unchanged.
fn replicate_code(module: &[u8], target: usize) -> Result<Vec<u8>> {
    use wasmparser::{Parser, Payload};
    let mut func_types = Vec::new();
    let mut bodies: Vec<&[u8]> = Vec::new();
    let mut sections: Vec<(u8, &[u8])> = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty?);
                }
                sections.push((3, &[]));
            }
            Payload::CodeSectionEntry(body) => {
                let r = body.range();
                bodies.push(&module[r.start as usize..r.end as usize])
            }
            Payload::CodeSectionStart { .. } => sections.push((10, &[])),
            Payload::CustomSection(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    sections.push((id, &module[range.start as usize..range.end as usize]));
                }
            }
        }
    }
    let code_size: usize = bodies.iter().map(|b| b.len() + 5).sum();
    let copies = target.div_ceil(code_size.max(1)).max(1);
    let mut out = module[..8].to_vec();
    for (id, content) in sections {
        let mut body = Vec::new();
        match id {
            3 => {
                leb(&mut body, (func_types.len() * copies) as u64);
                for _ in 0..copies {
                    for ty in &func_types {
                        leb(&mut body, u64::from(*ty));
                    }
                }
            }
            10 => {
                leb(&mut body, (bodies.len() * copies) as u64);
                for _ in 0..copies {
                    for b in &bodies {
                        leb(&mut body, b.len() as u64);
                        body.extend_from_slice(b);
                    }
                }
            }
            _ => body.extend_from_slice(content),
        }
        out.push(id);
        leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

fn leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
