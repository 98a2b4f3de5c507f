//! `compono wit` and `compono wit --wasm` against `wasm-tools component wit`
//! on a large generated package, timed in the same run.

use crate::root;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Interfaces in the generated package; each has several types and
/// functions, so types and interfaces together are well past 2,000.
const INTERFACES: usize = 1000;
const RUNS: usize = 7;

pub fn main() -> Result<()> {
    let root = root();
    let compono = crate::bench_new::build_compono()?;
    // The binary itself: the `wasm-tools` on PATH may be pyenv's shim and
    // the package's Python script, whose start-up is not wasm-tools'.
    let wasm_tools = crate::bench_new::bench_wasm_tools()?.display().to_string();
    let dir = root.join("bench-out/wit");
    std::fs::create_dir_all(&dir)?;
    let wit = dir.join("large.wit");
    let (interfaces, types) = write_large_package(&wit)?;
    println!(
        "package: {interfaces} interfaces, {types} types, {} bytes",
        std::fs::metadata(&wit)?.len()
    );

    let ours_wasm = dir.join("ours.wasm");
    let theirs_wasm = dir.join("theirs.wasm");
    let cases: [(&str, Vec<String>, Vec<String>); 3] = [
        (
            "print WIT",
            vec![
                compono.display().to_string(),
                "wit".into(),
                wit.display().to_string(),
                "-o".into(),
                dir.join("ours.wit").display().to_string(),
            ],
            vec![
                wasm_tools.clone(),
                "component".into(),
                "wit".into(),
                wit.display().to_string(),
                "-o".into(),
                dir.join("theirs.wit").display().to_string(),
            ],
        ),
        (
            "encode --wasm",
            vec![
                compono.display().to_string(),
                "wit".into(),
                "--wasm".into(),
                wit.display().to_string(),
                "-o".into(),
                ours_wasm.display().to_string(),
            ],
            vec![
                wasm_tools.clone(),
                "component".into(),
                "wit".into(),
                "--wasm".into(),
                wit.display().to_string(),
                "-o".into(),
                theirs_wasm.display().to_string(),
            ],
        ),
        (
            "decode wasm to WIT",
            vec![
                compono.display().to_string(),
                "wit".into(),
                theirs_wasm.display().to_string(),
                "-o".into(),
                dir.join("ours-decoded.wit").display().to_string(),
            ],
            vec![
                wasm_tools.clone(),
                "component".into(),
                "wit".into(),
                theirs_wasm.display().to_string(),
                "-o".into(),
                dir.join("theirs-decoded.wit").display().to_string(),
            ],
        ),
    ];
    println!(
        "{:<20} {:>12} {:>12} {:>8}",
        "task", "compono", "wasm-tools", "ratio"
    );
    for (name, ours, theirs) in &cases {
        // Alternate the two so machine noise hits both alike.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..RUNS {
            a.push(time(ours)?);
            b.push(time(theirs)?);
        }
        let (a, b) = (median(a), median(b));
        println!(
            "{:<20} {:>10.1}ms {:>10.1}ms {:>7.2}x",
            name,
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    println!("(ratio = compono time / wasm-tools time; below 1 is faster)");
    // A benchmark of different work would mean nothing: the outputs agree.
    for (ours, theirs) in [
        ("ours.wit", "theirs.wit"),
        ("ours-decoded.wit", "theirs-decoded.wit"),
    ] {
        if std::fs::read(dir.join(ours))? != std::fs::read(dir.join(theirs))? {
            bail!("{ours} and {theirs} differ");
        }
    }
    Ok(())
}

fn time(argv: &[String]) -> Result<Duration> {
    let start = Instant::now();
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .output()
        .with_context(|| format!("failed to run {}", argv[0]))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        bail!("{argv:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(elapsed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A package whose interfaces chain `use`s, with records, variants, flags,
/// enums, resources and functions, and worlds that import and export them.
fn write_large_package(path: &Path) -> Result<(usize, usize)> {
    let mut s = String::from("package bench:large@1.0.0;\n\n");
    let mut types = 0;
    for i in 0..INTERFACES {
        let _ = writeln!(s, "/// Interface number {i}.\ninterface iface{i} {{");
        // `use` chains of ten keep worlds' effective type sizes within
        // what validators accept.
        let chained = i % 10 != 0;
        if chained {
            let _ = writeln!(
                s,
                "  use iface{}.{{rec{} as prev, res{} as prev-res}};",
                i - 1,
                i - 1,
                i - 1
            );
        }
        let _ = writeln!(
            s,
            "  /// A record.\n  record rec{i} {{ a: u32, b: string, c: list<option<u64>>, d: tuple<s8, f64> }}"
        );
        let _ = writeln!(
            s,
            "  variant var{i} {{ none, some(rec{i}), many(list<rec{i}>), err(string) }}"
        );
        let _ = writeln!(s, "  flags fl{i} {{ a, b, c, d, e }}");
        let _ = writeln!(s, "  enum en{i} {{ x, y, z }}");
        let _ = writeln!(
            s,
            "  resource res{i} {{\n    constructor(x: u32);\n    get: func() -> rec{i};\n    make: static func(v: var{i}) -> res{i};\n  }}"
        );
        let _ = writeln!(s, "  type alias{i} = result<list<en{i}>, fl{i}>;");
        types += 6;
        if chained {
            let _ = writeln!(
                s,
                "  call{i}: func(p: prev, r: borrow<prev-res>, v: var{i}) -> result<alias{i}, string>;"
            );
            types += 2;
        } else {
            let _ = writeln!(s, "  call{i}: func(v: var{i}) -> alias{i};");
        }
        let _ = writeln!(s, "}}\n");
    }
    for w in 0..10 {
        let _ = writeln!(s, "world w{w} {{");
        // Exports may only use imported interfaces, so each world imports
        // a stretch of the chain and exports the interface after it.
        for i in (w * 100)..(w * 100 + 99) {
            let _ = writeln!(s, "  import iface{i};");
        }
        let _ = writeln!(s, "  export iface{};", w * 100 + 99);
        let _ = writeln!(s, "}}\n");
    }
    std::fs::write(path, s)?;
    Ok((INTERFACES, types))
}
