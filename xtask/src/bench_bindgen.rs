//! `cargo xtask bench bindgen`: generating Rust and C bindings for a large
//! generated WIT package, `compono-bindgen` against the `wit-bindgen` CLI
//! (`cargo install wit-bindgen-cli`, needed only here) in the same run.
//! Prints the median of several runs of each and the ratio; below 1.00 means
//! compono is faster.

use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;
const INTERFACES: usize = 120;

pub fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives inside the workspace")?
        .to_path_buf();
    let wit_bindgen = Command::new("wit-bindgen").arg("--version").output();
    let version = match wit_bindgen {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => bail!(
            "the `wit-bindgen` CLI is needed for this benchmark: cargo install wit-bindgen-cli --version 0.46.0"
        ),
    };
    let status = Command::new("cargo")
        .current_dir(&root)
        .args(["build", "--release", "--quiet", "--bin", "compono-bindgen"])
        .status()
        .context("failed to run cargo build")?;
    if !status.success() {
        bail!("building compono-bindgen failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let compono = target.join("release/compono-bindgen");

    let dir = root.join("bench-out/bindgen");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let wit = dir.join("big.wit");
    std::fs::write(&wit, large_package(INTERFACES))?;
    println!(
        "bindgen benchmark: {INTERFACES} interfaces ({} KiB of WIT), median of {RUNS} runs; {version}",
        std::fs::metadata(&wit)?.len() / 1024
    );
    println!(
        "{:<6} {:>12} {:>12} {:>8}",
        "lang", "compono", "wit-bindgen", "ratio"
    );
    for lang in ["rust", "c"] {
        let ours = median(RUNS, || {
            time(
                Command::new(&compono)
                    .args([lang])
                    .arg(&wit)
                    .arg("--out-dir")
                    .arg(dir.join(format!("compono-{lang}"))),
            )
        })?;
        let theirs = median(RUNS, || {
            time(
                Command::new("wit-bindgen")
                    .args([lang])
                    .arg(&wit)
                    .arg("--out-dir")
                    .arg(dir.join(format!("wit-bindgen-{lang}"))),
            )
        })?;
        println!(
            "{lang:<6} {:>10.1}ms {:>10.1}ms {:>8.2}",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
    Ok(())
}

fn time(cmd: &mut Command) -> Result<Duration> {
    let start = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("failed to run {cmd:?}"))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(elapsed)
}

fn median(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut times = (0..runs).map(|_| f()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// A package of `n` interfaces, each with records, variants, an enum,
/// flags, a resource and functions over them; the world imports every
/// interface and exports every other one.
fn large_package(n: usize) -> String {
    let mut s = String::from("package bench:big;\n\n");
    for i in 0..n {
        let _ = write!(
            s,
            "interface iface{i} {{
  record point{i} {{ x: s32, y: s32, label: string }}
  record bag{i} {{ items: list<point{i}>, names: list<string>, extra: option<list<u8>> }}
  variant shape{i} {{ circle(f32), square(f64), named(string), many(list<point{i}>), none }}
  enum color{i} {{ red, green, blue, cyan, magenta, yellow }}
  flags perms{i} {{ read, write, exec, admin, guest }}
  resource thing{i} {{
    constructor(name: string);
    get: func() -> bag{i};
    set: func(b: bag{i}) -> result<_, string>;
    merge: static func(a: borrow<thing{i}>, b: borrow<thing{i}>) -> thing{i};
  }}
  f0: func(a: u32, b: string) -> string;
  f1: func(p: point{i}) -> bag{i};
  f2: func(s: shape{i}) -> result<shape{i}, string>;
  f3: func(c: color{i}, p: perms{i}) -> tuple<color{i}, perms{i}>;
  f4: func(items: list<bag{i}>) -> option<list<shape{i}>>;
  f5: func(a: u8, b: u16, c: u32, d: u64, e: s8, f: s16, g: s32, h: s64, i: f32, j: f64, k: string, l: list<string>, m: bool, n: char, o: point{i}, p: shape{i}) -> bag{i};
  f6: func(t: thing{i}) -> list<thing{i}>;
  f7: func(t: borrow<thing{i}>) -> u64;
}}

"
        );
    }
    s.push_str("world big {\n");
    for i in 0..n {
        let _ = writeln!(s, "  import iface{i};");
        if i % 2 == 0 {
            let _ = writeln!(s, "  export iface{i};");
        }
    }
    s.push_str("}\n");
    s
}
