//! Mutated components never panic the runtime: compiling, instantiating
//! (imports stubbed) and calling every export give a value, an error or a
//! trap. The seeds are the components of the component-model suite; the
//! mutations are seeded, so a failure reproduces.

use compono_runtime::{Component, Config, Engine, Linker, Store, StoreLimits, Val};
use compono_testutil::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

const MUTANTS: usize = 1_000;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/component-model")
}

/// The binary of every component in the suite's value and resource tests.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for dir in ["values", "resources", "linking"] {
        let Ok(entries) = std::fs::read_dir(suite().join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(buffer) = wast::parser::ParseBuffer::new(&text) else {
                continue;
            };
            let Ok(script) = wast::parser::parse::<wast::Wast>(&buffer) else {
                continue;
            };
            for directive in script.directives {
                if let wast::WastDirective::Module(mut m)
                | wast::WastDirective::ModuleDefinition(mut m) = directive
                    && let Ok(bytes) = m.encode()
                    && wasmparser::Parser::is_component(&bytes)
                {
                    seeds.push(bytes);
                }
            }
        }
    }
    seeds
}

/// xorshift64*: small, deterministic.
/// Gives an `i32.const`/`i64.const` a random immediate of the same
/// encoded length: the component stays valid, but the guest now passes
/// other pointers, lengths, handles and discriminants.
fn mutate_constant(bytes: &mut [u8], rng: &mut Rng) -> bool {
    let consts: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == 0x41 || **b == 0x42)
        .map(|(i, _)| i)
        .collect();
    let Some(&at) = consts.get(rng.below(consts.len())) else {
        return false;
    };
    let mut i = at + 1;
    while let Some(b) = bytes.get_mut(i) {
        let more = *b & 0x80;
        *b = more | (rng.next_u64() as u8 & 0x7f);
        if more == 0 {
            break;
        }
        i += 1;
    }
    true
}

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    if rng.below(2) == 0 && mutate_constant(&mut bytes, rng) {
        return bytes;
    }
    for _ in 0..1 + rng.below(4) {
        let at = 8 + rng.below(bytes.len().saturating_sub(8));
        match rng.below(5) {
            0 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = [0x00, 0x7f, 0x80, 0xff][rng.below(4)];
                }
            }
            2 => bytes.truncate(at.max(8)),
            3 => {
                // A huge LEB count or length.
                let tail = bytes.split_off(at.min(bytes.len()));
                bytes.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
                bytes.extend(tail);
            }
            _ => {
                // A copy of a run of bytes elsewhere.
                let len = 1 + rng.below(16);
                let from = rng.below(bytes.len());
                let run: Vec<u8> = bytes.iter().skip(from).take(len).copied().collect();
                let at = at.min(bytes.len());
                bytes.splice(at..at, run);
            }
        }
    }
    bytes
}

/// How far an input got.
#[derive(Default)]
struct Reached {
    compiled: usize,
    instantiated: usize,
    calls: usize,
}

/// Compiles, instantiates with stubs and calls every export with default
/// arguments, under fuel and memory limits.
fn exercise(bytes: &[u8], reached: &mut Reached) {
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let Ok(component) = Component::new(&engine, bytes) else {
        return;
    };
    reached.compiled += 1;
    let mut store = Store::new(&engine, ());
    store.set_fuel(100_000);
    store.set_limits(StoreLimits {
        max_memory_pages: 256,
        max_table_elements: 100_000,
    });
    let mut linker = Linker::new(&engine);
    if linker.define_stubs(&component, |_| {}).is_err() {
        return;
    }
    let Ok(instance) = linker.instantiate(&mut store, &component) else {
        return;
    };
    reached.instantiated += 1;
    for name in instance.func_names() {
        let Some(func) = instance.get_func(&store, &name) else {
            continue;
        };
        let args: Option<Vec<Val>> = func
            .params(&store)
            .iter()
            .map(|(_, t)| Val::default_of(t).ok())
            .collect();
        let Some(args) = args else { continue };
        let mut results = vec![Val::Bool(false); usize::from(func.result(&store).is_some())];
        let _ = func.call(&mut store, &args, &mut results);
        reached.calls += 1;
    }
}

#[test]
fn mutated_components_never_panic() {
    let seeds = seeds();
    if seeds.is_empty() {
        let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!on_ci, "CI=true but the component-model suite is missing");
        return;
    }
    // The seeds themselves run cleanly too.
    let mut reached = Reached::default();
    for seed in &seeds {
        exercise(seed, &mut reached);
    }
    assert!(reached.calls > 0, "the seeds made no calls");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut panics = Vec::new();
    for i in 0..MUTANTS {
        let seed = &seeds[rng.below(seeds.len())];
        let mutant = mutate(seed, &mut rng);
        if catch_unwind(AssertUnwindSafe(|| exercise(&mutant, &mut reached))).is_err() {
            let path = std::env::temp_dir().join(format!("compono-runtime-panic-{i}.wasm"));
            let _ = std::fs::write(&path, &mutant);
            panics.push(path.display().to_string());
        }
    }
    println!(
        "{} seeds, {MUTANTS} mutants: {} compiled, {} instantiated, {} calls (seeds included)",
        seeds.len(),
        reached.compiled,
        reached.instantiated,
        reached.calls
    );
    assert!(panics.is_empty(), "panics on: {panics:?}");
}
