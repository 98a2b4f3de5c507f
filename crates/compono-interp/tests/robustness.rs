//! Malformed, invalid and hostile inputs produce errors, never panics.
//!
//! Mutates real modules byte by byte (deterministically) and runs whatever
//! still validates, with fuel and small store limits so every run ends.

use compono_interp::{Config, Engine, Error, Linker, Module, Store, StoreLimits, Val};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seed_modules() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/interp/bench");
    let mut modules: Vec<Vec<u8>> = ["fib", "sieve", "sha256", "matmul", "sort"]
        .iter()
        .map(|name| {
            std::fs::read(dir.join(format!("{name}.wasm"))).expect("benchmark module is checked in")
        })
        .collect();
    modules.push(
        wat::parse_str(
            r#"(module
                 (type $t (func (param i32) (result i32)))
                 (table 4 funcref) (memory 1 2) (global $g (mut i32) (i32.const 0))
                 (elem (i32.const 0) $a $b)
                 (data (i32.const 8) "abc")
                 (func $a (type $t) (i32.add (local.get 0) (global.get $g)))
                 (func $b (type $t) (call_indirect (type $t) (local.get 0) (local.get 0)))
                 (func (export "run") (param i32) (result i32)
                   (block $out (result i32)
                     (loop $l
                       (br_if $out (i32.load8_u (local.get 0)) (i32.eqz (local.get 0)))
                       (drop (memory.grow (i32.const 1)))
                       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                       (br $l))
                     (i32.const 0))
                   (return_call $b)))"#,
        )
        .expect("seed wat parses"),
    );
    modules
}

/// Returns how many exports were called.
fn run_all_exports(engine: &Engine, bytes: &[u8]) -> usize {
    let Ok(module) = Module::new(engine, bytes) else {
        return 0;
    };
    let mut store = Store::new(engine, ());
    store.set_limits(StoreLimits {
        max_memory_pages: 64,
        max_table_elements: 10_000,
    });
    store.set_fuel(20_000);
    let Ok(instance) = Linker::new().instantiate(&mut store, &module) else {
        return 0;
    };
    let mut called = 0;
    for (_, export) in instance.exports(&store) {
        let Some(func) = export.into_func() else {
            continue;
        };
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        store.set_fuel(20_000);
        match func.call(&mut store, &params, &mut results) {
            Ok(()) | Err(Error::Trap(_)) => {}
            Err(other) => panic!("calling an export failed with a non-trap error: {other}"),
        }
        called += 1;
    }
    called
}

#[test]
fn mutated_modules_never_panic() {
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .max_call_depth(2_000)
        .max_stack_slots(1 << 16);
    let engine = Engine::new(&config);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let seeds = seed_modules();
    let mut calls = 0;
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let at = 8 + rng.below(bytes.len() - 8);
            bytes[at] = match rng.below(3) {
                0 => rng.next() as u8,
                1 => bytes[at].wrapping_add(1),
                _ => bytes[at] ^ (1 << rng.below(8)),
            };
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| run_all_exports(&engine, &bytes)));
        match outcome {
            Ok(called) => calls += called,
            Err(_) => panic!("panicked on mutation round {round}"),
        }
    }
    // Most single-byte mutations still validate; make sure execution was
    // really exercised, not just rejection.
    assert!(calls > 500, "only {calls} exports were called");
}

#[test]
fn truncated_modules_are_compile_errors_or_valid_prefixes() {
    let engine = Engine::default();
    for seed in seed_modules() {
        for len in 0..seed.len() {
            match Module::new(&engine, &seed[..len]) {
                Err(Error::Compile { .. }) => {}
                // Cutting at a section boundary leaves a valid module only
                // if no function bodies were declared but cut off.
                Ok(_) => assert!(len >= 8, "a {len}-byte prefix has no complete header"),
                Err(other) => panic!("prefix of {len} bytes: unexpected {other}"),
            }
        }
        assert!(Module::new(&engine, &seed).is_ok());
    }
}
