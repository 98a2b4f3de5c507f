//! A function starts with its declared locals zero and its constants in
//! place, whatever earlier calls left in the slots its frame reuses.
//! (`Enter` clears locals and copies constants in whole chunks, and the
//! `checked` build checks that each chunk stays inside the frame.)

use compono_interp::{Config, Engine, Linker, Module, Store};

/// A function with `params` i64 parameters and `locals` declared i64
/// locals that returns the OR of all its declared locals.
fn clean(params: usize, locals: usize) -> String {
    let mut body = String::from("(i64.const 0)");
    for l in params..params + locals {
        body = format!("(i64.or {body} (local.get {l}))");
    }
    format!(
        "(func $clean_{params}_{locals} (param{}) (result i64) (local{}) {body})",
        " i64".repeat(params),
        " i64".repeat(locals)
    )
}

/// The constant `k` of the `constants` functions.
fn constant(k: usize) -> i64 {
    0x1234_5678_9abc + k as i64 * 1_000_003
}

/// A function that stores `n` different i64 constants to memory at
/// `8 * k`, and code that traps unless they are there. The function has
/// `n + 1` constants (the address 0 too) and no temporaries, so its frame
/// is no larger than its constants need.
fn constants(n: usize) -> (String, String) {
    let mut stores = String::new();
    let mut checks = String::new();
    for k in 0..n {
        let c = constant(k);
        stores += &format!("(i64.store offset={} (i32.const 0) (i64.const {c}))", 8 * k);
        checks += &format!(
            "(if (i64.ne (i64.load offset={} (i32.const 0)) (i64.const {c})) (then unreachable))",
            8 * k
        );
    }
    (format!("(func $consts_{n} {stores})"), checks)
}

fn run(wat: &str, fuel: bool, cases: &[(i64, i64)]) {
    let mut config = Config::new();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX);
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance
        .get_func(&store, "f")
        .unwrap()
        .typed::<i64, i64>(&store)
        .unwrap();
    for &(x, want) in cases {
        assert_eq!(f.call(&mut store, x).unwrap(), want, "f({x}), fuel {fuel}");
    }
}

#[test]
fn locals_start_zero_and_constants_in_place_after_a_dirty_frame() {
    let shapes = [
        (0, 1),
        (0, 7),
        (0, 8),
        (0, 9),
        (2, 15),
        (1, 16),
        (3, 17),
        (0, 40),
    ];
    let mut funcs = String::new();
    let mut calls = String::new();
    for (params, locals) in shapes {
        funcs += &clean(params, locals);
        // Dirty the slots, then call at the same height.
        calls += &format!(
            "(drop (call $dirty (local.get 0))) (local.set 1 (i64.or (local.get 1) (call $clean_{params}_{locals}{})))",
            " (i64.const 0)".repeat(params)
        );
    }
    for n in [1, 3, 4, 5, 8, 9, 13] {
        let (func, checks) = constants(n);
        funcs += &func;
        calls += &format!(
            "(memory.fill (i32.const 0) (i32.const 0) (i32.const 128)) (drop (call $dirty (local.get 0))) (call $consts_{n}) {checks}"
        );
    }
    // 48 locals set to x + k, returned summed so none is dead.
    let mut dirty = String::from("(local.get 0)");
    let mut sum = String::from("(i64.const 0)");
    for k in 1..48 {
        dirty = format!("(local.set {k} (i64.add (local.get 0) (i64.const {k}))) {dirty}");
        sum = format!("(i64.add {sum} (local.get {k}))");
    }
    let wat = format!(
        r#"(module
            (memory 1)
            (func $dirty (param i64) (result i64) (local{}) {dirty} drop {sum})
            {funcs}
            (func (export "f") (param i64) (result i64) (local i64)
                {calls}
                (local.get 1)))"#,
        " i64".repeat(47)
    );
    for fuel in [false, true] {
        run(&wat, fuel, &[(-1, 0), (0x5555_5555_5555_5555, 0), (7, 0)]);
    }
}

#[test]
fn deep_recursion_with_many_constants_and_locals_grows_the_stack() {
    // Frames of 9 constants and of 17 locals, from the bottom of the stack
    // up to and across each time the value stack grows.
    let (consts, _) = constants(8);
    let wat = format!(
        r#"(module
            (memory 1)
            {consts}
            {}
            (func $down (export "f") (param i64) (result i64) (local i64)
                (if (result i64) (i64.eqz (local.get 0))
                    (then (i64.const 0))
                    (else
                        (call $consts_8)
                        (local.set 1 (i64.load offset=56 (i32.const 0)))
                        (i64.store offset=56 (i32.const 0) (i64.const 0))
                        (i64.add
                            (i64.add (local.get 1) (call $clean_0_17))
                            (call $down (call $dec (local.get 0)))))))
            (func $dec (param i64) (result i64)
                (i64.add (call $last (local.get 0)) (i64.const 0x1_0000_0000)))
            ;; The module's last function: its constant's chunk reaches past
            ;; its two instructions, into the padding at the end of the code.
            (func $last (param i64) (result i64)
                (i64.add (local.get 0) (i64.const -0x1_0000_0001))))"#,
        clean(0, 17)
    );
    let cases: Vec<(i64, i64)> = [1, 100, 5_000]
        .iter()
        .map(|&depth| (depth, constant(7).wrapping_mul(depth)))
        .collect();
    run(&wat, false, &cases);
}
