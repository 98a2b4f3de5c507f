//! `cargo xtask bench interp [PROGRAM...] [--fuel]`: runs the compute
//! benchmarks in `fixtures/interp/bench/` on compono's interpreter and on
//! wasmi 2.0 and prints compono's speed relative to wasmi's per program,
//! their geometric mean, and the time both take to translate a 10 MB
//! module. `--fuel` adds the cost of fuel metering.
//!
//! Each engine runs in a binary of its own (`xtask/interp-runner`), built
//! with the release profile (fat LTO, one codegen unit): an engine's speed depends on where its
//! handlers land in the executable, and in one shared binary a change to
//! compono moved wasmi's code and its time by up to 20%.
//!
//! `cargo xtask bench interp --once ENGINE PROGRAM` builds the runners and
//! prints the command that runs one program once on `compono`,
//! `compono-fuel` or `wasmi`, for instruction counts under
//! `valgrind --tool=callgrind`. `--instructions [PROGRAM...]` takes those
//! counts for both engines itself: unlike times they are exact and the
//! same on every machine, so they separate two builds where a noisy
//! machine's times cannot (they are not speed: a handler's instructions
//! differ in cost).
//!
//! The modules are built from the sources beside them by `build.sh` there;
//! each source names the argument its `run` export is timed with in a
//! `// bench: run(N)` line.

use anyhow::{Context, Result, anyhow, bail, ensure};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

/// Each engine runs each program this often, the engines taking turns so
/// both see the same machine load; the fastest run counts.
const REPETITIONS: usize = 5;

/// The cargo profile the runners are built with: whole-program
/// optimisation, as wasmi's documentation asks of builds that measure it.
const PROFILE: &str = "release";

struct Program {
    name: String,
    arg: i32,
    path: PathBuf,
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
        list.push(Program { name, arg, path });
    }
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// Builds both runner binaries and returns the directory they are in.
fn build_runners() -> Result<PathBuf> {
    let root = crate::root();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args(["build", "--quiet", "--profile", PROFILE])
        .args(["--package", "interp-runner", "--bins"])
        .status()
        .context("failed to run cargo build for the interpreter runners")?;
    ensure!(status.success(), "building the interpreter runners failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join(PROFILE))
}

/// The runner binary and its arguments for one engine.
fn runner_command(bin: &Path, engine: &str) -> Result<(PathBuf, Vec<&'static str>)> {
    let (name, extra): (&str, &[&str]) = match engine {
        "compono" => ("compono", &[]),
        "compono-fuel" => ("compono", &["--fuel"]),
        "wasmi" => ("wasmi", &[]),
        other => bail!("unknown engine `{other}`; expected compono, compono-fuel or wasmi"),
    };
    Ok((bin.join(format!("interp-runner-{name}")), extra.to_vec()))
}

/// A runner process serving one program on one engine.
struct Runner {
    engine: &'static str,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Runner {
    fn start(bin: &Path, engine: &'static str, program: &Program) -> Result<Runner> {
        let (exe, extra) = runner_command(bin, engine)?;
        let mut child = Command::new(&exe)
            .arg("serve")
            .arg(&program.path)
            .arg(program.arg.to_string())
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Ok(Runner {
            engine,
            child,
            input,
            output,
        })
    }

    /// Runs the program once and returns its result and the time it took.
    fn run(&mut self, program: &str) -> Result<(i64, Duration)> {
        let context = || format!("{} on {program}", self.engine);
        writeln!(self.input, "run").with_context(context)?;
        self.input.flush().with_context(context)?;
        let mut line = String::new();
        self.output.read_line(&mut line).with_context(context)?;
        let parsed = line.split_once(' ').and_then(|(result, nanos)| {
            Some((result.parse().ok()?, nanos.trim().parse::<u64>().ok()?))
        });
        let (result, nanos) = parsed
            .ok_or_else(|| anyhow!("{}: the runner failed (answered {line:?})", context()))?;
        Ok((result, Duration::from_nanos(nanos)))
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn geometric_mean(values: &[f64]) -> f64 {
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

pub fn main(args: &[String]) -> Result<()> {
    let programs = programs()?;
    // `interp` names this benchmark among the project's others.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "interp")
        .collect();
    let bin = build_runners()?;
    if let Some(at) = args.iter().position(|a| *a == "--once") {
        let (engine, name) = match (args.get(at + 1), args.get(at + 2)) {
            (Some(e), Some(n)) => (*e, *n),
            _ => bail!("usage: cargo xtask bench interp --once ENGINE PROGRAM"),
        };
        let program = programs
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| anyhow!("no benchmark program `{name}`"))?;
        let (exe, extra) = runner_command(&bin, engine)?;
        println!(
            "{} once {} {} {}",
            exe.display(),
            program.path.display(),
            program.arg,
            extra.join(" ")
        );
        return Ok(());
    }
    let with_fuel = args.contains(&"--fuel");
    let filter: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected: Vec<&Program> = programs
        .iter()
        .filter(|p| filter.is_empty() || filter.contains(&p.name.as_str()))
        .collect();
    ensure!(
        !selected.is_empty(),
        "no benchmark program matched {filter:?}"
    );
    if args.contains(&"--instructions") {
        return instructions(&bin, &selected);
    }
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
    for &program in &selected {
        let mut engines = vec![
            Runner::start(&bin, "compono", program)?,
            Runner::start(&bin, "wasmi", program)?,
        ];
        if with_fuel {
            engines.push(Runner::start(&bin, "compono-fuel", program)?);
        }
        let mut best = vec![Duration::MAX; engines.len()];
        for _ in 0..REPETITIONS {
            let mut results = Vec::new();
            for (engine, best) in engines.iter_mut().zip(&mut best) {
                let (result, elapsed) = engine.run(&program.name)?;
                *best = (*best).min(elapsed);
                results.push(result);
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
    let clock = Command::new(bin.join("interp-runner-compono"))
        .arg("clock")
        .output()
        .context("asking a runner for its clock")?;
    println!(
        "speed = wasmi time / compono time; geometric mean {:.2}x, lowest {:.2}x (best of {REPETITIONS}, {}, `{PROFILE}` profile)",
        geometric_mean(&ratios),
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        String::from_utf8_lossy(&clock.stdout).trim(),
    );
    if with_fuel {
        println!(
            "fuel cost: compono with fuel metering vs without, highest {:.1}%",
            fuel_costs.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 100.0
        );
    }
    if filter.is_empty() {
        translation(&bin, &programs)?;
    }
    Ok(())
}

/// Each program's instruction count on both engines, under callgrind.
fn instructions(bin: &Path, programs: &[&Program]) -> Result<()> {
    ensure!(
        crate::succeeds(Command::new("valgrind").arg("--version")),
        "--instructions needs valgrind (apt-get install valgrind)"
    );
    println!(
        "{:<12} {:>15} {:>15} {:>9}",
        "program", "compono", "wasmi", "ratio"
    );
    let mut ratios = Vec::new();
    for &program in programs {
        let ours = count_instructions(bin, "compono", program)?;
        let theirs = count_instructions(bin, "wasmi", program)?;
        let ratio = theirs as f64 / ours as f64;
        ratios.push(ratio);
        println!(
            "{:<12} {:>15} {:>15} {:>8.2}x",
            program.name, ours, theirs, ratio
        );
    }
    println!(
        "ratio = wasmi's instructions / compono's (callgrind, whole process); geometric mean {:.2}x, lowest {:.2}x",
        geometric_mean(&ratios),
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
    );
    Ok(())
}

fn count_instructions(bin: &Path, engine: &str, program: &Program) -> Result<u64> {
    let (exe, extra) = runner_command(bin, engine)?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(&exe)
        .arg("once")
        .arg(&program.path)
        .arg(program.arg.to_string())
        .args(&extra)
        .output()
        .with_context(|| format!("running {} under valgrind", exe.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.success(),
        "{engine} on {} failed under valgrind: {stderr}",
        program.name
    );
    // `==PID== Collected : 123456`
    stderr
        .lines()
        .find_map(|l| l.split_once("Collected :"))
        .and_then(|(_, n)| n.trim().parse().ok())
        .ok_or_else(|| anyhow!("no instruction count in callgrind's output: {stderr}"))
}

/// Times translating a module of about 10 MB of code made of real function
/// bodies (the Rust benchmark's, repeated).
fn translation(bin: &Path, programs: &[Program]) -> Result<()> {
    let seed = programs
        .iter()
        .find(|p| p.name == "rustcoll")
        .ok_or_else(|| anyhow!("the rustcoll benchmark is missing"))?;
    let module = replicate_code(&std::fs::read(&seed.path)?, 10 << 20)?;
    // Kept after the run (under target/), for profiling by hand.
    let dir = crate::bench_new::workspace_root().join("target/bench-interp");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("translate.wasm");
    std::fs::write(&file, &module)?;
    let mut best = std::collections::BTreeMap::new();
    for _ in 0..3 {
        for engine in ["compono", "wasmi"] {
            let out = Command::new(bin.join(format!("interp-runner-{engine}")))
                .arg("translate")
                .arg(&file)
                .output()
                .with_context(|| format!("running the {engine} runner"))?;
            ensure!(
                out.status.success(),
                "{engine} failed to translate: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let (mode, nanos) = line
                    .split_once(' ')
                    .and_then(|(m, n)| Some((m.to_string(), n.parse::<u64>().ok()?)))
                    .ok_or_else(|| anyhow!("{engine} runner answered {line:?}"))?;
                let entry = best.entry(mode).or_insert(u64::MAX);
                *entry = (*entry).min(nanos);
            }
        }
    }
    let ms = |mode: &str| -> Result<f64> {
        Ok(*best
            .get(mode)
            .ok_or_else(|| anyhow!("no translation time for {mode}"))? as f64
            / 1e6)
    };
    println!(
        "translating a {:.1} MB module: compono {:.0} ms, wasmi eager {:.0} ms ({:.2}x), wasmi lazy (validation only) {:.0} ms",
        module.len() as f64 / (1 << 20) as f64,
        ms("compono")?,
        ms("eager")?,
        ms("eager")? / ms("compono")?,
        ms("lazy")?,
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
