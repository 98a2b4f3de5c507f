//! `cargo xtask bench run`: the component runtime against wasmtime-py, in
//! the same run, on the component `crates/compono-runtime/benches/guest/`
//! builds (a C guest with a hand-written canonical ABI):
//!
//! - instantiating it 1,000 times in one store: time and resident memory
//!   per instance;
//! - 100,000 calls of `echo: func(string) -> string` and of
//!   `sum: func(list<u8>) -> u32`;
//! - SHA-256 of 1 MiB: passed in as a `list<u8>`, and made by the guest
//!   itself (`sha256-made`, compute with nothing crossing the boundary);
//!   the latter also on compono's core interpreter running the core module
//!   directly, which shows what the component layer costs.
//!
//! wasmtime-py runs natively (Cranelift) and on Pulley, its portable
//! interpreter. Its times include Python's own cost of converting values,
//! which dominates the per-call figures; `sha256-made` is the fair
//! engine-to-engine comparison.

use anyhow::{Context, Result, anyhow, bail, ensure};
use compono_runtime::{Component, Engine, Linker, Store, Val};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const INSTANCES: usize = 1000;
const CALLS: usize = 100_000;
const ECHO: &str = "hello, component model! 0123456789";
const MEGABYTE: usize = 1 << 20;

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/compono-runtime/benches")
}

fn rss_bytes() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0)
}

/// Seconds of the fastest of `runs` runs of `f`.
fn best(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok(best)
}

#[derive(Default, Debug)]
struct Figures {
    instantiate: f64,
    memory_per_instance: f64,
    echo: f64,
    sum: f64,
    sha256: f64,
    sha256_made: f64,
    digest: String,
}

fn compono(bytes: &[u8]) -> Result<Figures> {
    let engine = Engine::default();
    let component = Component::new(&engine, bytes)?;
    let linker = Linker::new(&engine);
    let mut figures = Figures::default();

    let mut store = Store::new(&engine, ());
    let rss = rss_bytes();
    let start = Instant::now();
    let mut instances = Vec::with_capacity(INSTANCES);
    for _ in 0..INSTANCES {
        instances.push(linker.instantiate(&mut store, &component)?);
    }
    figures.instantiate = start.elapsed().as_secs_f64() / INSTANCES as f64;
    figures.memory_per_instance = (rss_bytes() - rss) / INSTANCES as f64;
    drop(instances);

    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    let func = |name: &str| {
        instance
            .get_func(&store, name)
            .ok_or_else(|| anyhow!("no export `{name}`"))
    };
    let (echo, sum, sha, sha_made) = (
        func("echo")?,
        func("sum")?,
        func("sha256")?,
        func("sha256-made")?,
    );
    let mut out = [Val::Bool(false)];
    let echo_arg = [Val::String(ECHO.into())];
    echo.call(&mut store, &echo_arg, &mut out)?;
    ensure!(out[0] == echo_arg[0], "echo returned {:?}", out[0]);
    figures.echo = best(3, || {
        for _ in 0..CALLS {
            echo.call(&mut store, &echo_arg, &mut out)?;
        }
        Ok(())
    })? / CALLS as f64;
    let sum_arg = [Val::Bytes((0..64).collect())];
    figures.sum = best(3, || {
        for _ in 0..CALLS {
            sum.call(&mut store, &sum_arg, &mut out)?;
        }
        Ok(())
    })? / CALLS as f64;
    ensure!(
        out[0] == Val::U32((0..64).sum()),
        "sum returned {:?}",
        out[0]
    );
    let data = [Val::Bytes((0..MEGABYTE).map(|i| (i * 7) as u8).collect())];
    figures.sha256 = best(3, || Ok(sha.call(&mut store, &data, &mut out)?))?;
    let Val::Bytes(digest) = out[0].clone() else {
        bail!("sha256 returned {:?}", out[0]);
    };
    figures.digest = digest.iter().map(|b| format!("{b:02x}")).collect();
    figures.sha256_made = best(3, || {
        Ok(sha_made.call(&mut store, &[Val::U32(MEGABYTE as u32)], &mut out)?)
    })?;
    ensure!(
        out[0] == Val::Bytes(digest),
        "sha256-made disagrees with sha256"
    );
    Ok(figures)
}

/// The first core module inside a component.
fn core_module(component: &[u8]) -> Result<&[u8]> {
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let wasmparser::Payload::ModuleSection {
            unchecked_range, ..
        } = payload?
        {
            return component
                .get(unchecked_range.start as usize..unchecked_range.end as usize)
                .ok_or_else(|| anyhow!("module range"));
        }
    }
    bail!("no core module in the component")
}

/// `sha256-made` on the core interpreter, calling the core export directly.
fn core_sha256_made(bytes: &[u8]) -> Result<f64> {
    use compono_interp::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(&engine, core_module(bytes)?)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module)?;
    let made = instance
        .get_func(&store, "sha256-made")
        .ok_or_else(|| anyhow!("no core export `sha256-made`"))?
        .typed::<i32, i32>(&store)?;
    let post = instance
        .get_func(&store, "cabi_post_sha256-made")
        .ok_or_else(|| anyhow!("no core post-return"))?
        .typed::<i32, ()>(&store)?;
    best(3, || {
        let ret = made.call(&mut store, MEGABYTE as i32)?;
        post.call(&mut store, ret)?;
        Ok(())
    })
}

fn wasmtime(path: &Path, target: &str) -> Result<Figures> {
    let output = Command::new("python3")
        .arg(guest_dir().join("wasmtime_bench.py"))
        .arg(path)
        .arg(target)
        .stdin(std::process::Stdio::null())
        .output()
        .context("failed to run python3 (pip install wasmtime)")?;
    ensure!(
        output.status.success(),
        "wasmtime-py ({target}) failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout)?;
    let field = |name: &str| -> Result<f64> {
        let key = format!("\"{name}\": ");
        let start = text
            .find(&key)
            .ok_or_else(|| anyhow!("no `{name}` in {text}"))?
            + key.len();
        let end = text[start..]
            .find([',', '}'])
            .map_or(text.len(), |e| start + e);
        Ok(text[start..end].trim().parse()?)
    };
    let digest_key = "\"digest\": \"";
    let digest_start =
        text.find(digest_key).ok_or_else(|| anyhow!("no digest"))? + digest_key.len();
    Ok(Figures {
        instantiate: field("instantiate")?,
        memory_per_instance: field("memory_per_instance")?,
        echo: field("echo")?,
        sum: field("sum")?,
        sha256: field("sha256")?,
        sha256_made: field("sha256_made")?,
        digest: text[digest_start..digest_start + 64].to_string(),
    })
}

pub fn main() -> Result<()> {
    if cfg!(debug_assertions) {
        // Timings of an unoptimised build mean nothing: rerun optimised.
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
                "run",
            ])
            .status()
            .context("failed to rerun xtask in release mode")?;
        ensure!(status.success(), "release benchmark run failed");
        return Ok(());
    }
    let path = guest_dir().join("guest/bench.wasm");
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let ours = compono(&bytes)?;
    let core = core_sha256_made(&bytes)?;
    let native = wasmtime(&path, "native")?;
    let pulley = wasmtime(&path, "pulley")?;
    for other in [&native, &pulley] {
        ensure!(
            other.digest == ours.digest,
            "the digests differ: {} vs {}",
            ours.digest,
            other.digest
        );
    }
    let us = |s: f64| format!("{:.2} us", s * 1e6);
    let ms = |s: f64| format!("{:.1} ms", s * 1e3);
    let kb = |b: f64| format!("{:.1} KiB", b / 1024.0);
    println!(
        "{:<34} {:>12} {:>12} {:>12} {:>10} {:>10}",
        "runtime benchmark", "compono", "wasmtime", "pulley", "/wasmtime", "/pulley"
    );
    type Row<'a> = (&'a str, f64, f64, f64, &'a dyn Fn(f64) -> String);
    let rows: [Row; 7] = [
        (
            "instantiate (per instance)",
            ours.instantiate,
            native.instantiate,
            pulley.instantiate,
            &us,
        ),
        (
            "memory per instance (RSS)",
            ours.memory_per_instance,
            native.memory_per_instance,
            pulley.memory_per_instance,
            &kb,
        ),
        (
            "echo(string) -> string, per call",
            ours.echo,
            native.echo,
            pulley.echo,
            &us,
        ),
        (
            "sum(list<u8> of 64) -> u32, per call",
            ours.sum,
            native.sum,
            pulley.sum,
            &us,
        ),
        (
            "sha256(list<u8> of 1 MiB)",
            ours.sha256,
            native.sha256,
            pulley.sha256,
            &ms,
        ),
        (
            "sha256-made(1 MiB)",
            ours.sha256_made,
            native.sha256_made,
            pulley.sha256_made,
            &ms,
        ),
        (
            "  same core module, core interpreter",
            core,
            f64::NAN,
            f64::NAN,
            &ms,
        ),
    ];
    for (name, ours, native, pulley, unit) in rows {
        let ratio = |theirs: f64| {
            if theirs.is_nan() || theirs <= 0.0 {
                "-".to_string()
            } else {
                format!("{:.2}x", ours / theirs)
            }
        };
        let show = |v: f64| if v.is_nan() { "-".to_string() } else { unit(v) };
        println!(
            "{name:<34} {:>12} {:>12} {:>12} {:>10} {:>10}",
            show(ours),
            show(native),
            show(pulley),
            ratio(native),
            ratio(pulley)
        );
    }
    println!(
        "component layer on sha256-made: {:.2}x the core interpreter's time; ratios are compono / other (below 1 is faster); wasmtime-py figures include Python's value conversion",
        ours.sha256_made / core
    );
    Ok(())
}
