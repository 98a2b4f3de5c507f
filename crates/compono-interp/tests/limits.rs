//! A guest must not be able to crash or hang the host beyond its limits.

use compono_interp::{Config, Engine, Error, Linker, Module, Store, StoreLimits, TrapCode};

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, compono_interp::Instance) {
    let module = Module::new(engine, &wat::parse_str(wat).expect("test wat parses"))
        .expect("module compiles");
    let mut store = Store::new(engine, ());
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

fn trap_code(result: Result<impl std::fmt::Debug, Error>) -> TrapCode {
    match result {
        Err(Error::Trap(trap)) => trap.code(),
        other => panic!("expected a trap, got {other:?}"),
    }
}

const RECURSIVE_SUM: &str = r#"
(module
  (func $sum (export "sum") (param i64) (result i64)
    local.get 0
    i64.eqz
    if (result i64)
      i64.const 0
    else
      local.get 0
      local.get 0
      i64.const 1
      i64.sub
      call $sum
      i64.add
    end))
"#;

#[test]
fn million_deep_recursion_traps_with_call_stack_exhausted() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(&engine, RECURSIVE_SUM);
    let sum = instance
        .get_func(&store, "sum")
        .unwrap()
        .typed::<i64, i64>(&store)
        .unwrap();
    assert_eq!(
        trap_code(sum.call(&mut store, 1_000_000)),
        TrapCode::CallStackExhausted
    );
    // The store and the host are unharmed: a shallow call still works.
    assert_eq!(sum.call(&mut store, 1000).unwrap(), 500_500);
}

#[test]
fn deep_recursion_within_a_raised_limit_succeeds() {
    let mut config = Config::new();
    config.max_call_depth(1_000_001).max_stack_slots(16 << 20);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(&engine, RECURSIVE_SUM);
    let sum = instance
        .get_func(&store, "sum")
        .unwrap()
        .typed::<i64, i64>(&store)
        .unwrap();
    // A million frames deep without touching the host stack.
    assert_eq!(sum.call(&mut store, 1_000_000).unwrap(), 500_000_500_000);
}

#[test]
fn a_call_that_grows_the_stacks_costs_the_fuel_of_one_that_does_not() {
    // Calls and entries that find the frame records or the value stack
    // full leave the dispatch to grow them and run again: once grown, the
    // same recursion must cost the same (one unit per entry), and give the
    // same result.
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(&engine, RECURSIVE_SUM);
    let sum = instance
        .get_func(&store, "sum")
        .unwrap()
        .typed::<i64, i64>(&store)
        .unwrap();
    let mut cost = Vec::new();
    for _ in 0..2 {
        store.set_fuel(1_000_000);
        assert_eq!(sum.call(&mut store, 10_000).unwrap(), 50_005_000);
        cost.push(1_000_000 - store.get_fuel());
    }
    assert_eq!(cost, [10_001, 10_001]);
}

#[test]
fn value_stack_limit_traps() {
    let mut config = Config::new();
    config.max_stack_slots(4096);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(&engine, RECURSIVE_SUM);
    let sum = instance
        .get_func(&store, "sum")
        .unwrap()
        .typed::<i64, i64>(&store)
        .unwrap();
    assert_eq!(
        trap_code(sum.call(&mut store, 10_000)),
        TrapCode::CallStackExhausted
    );
}

#[test]
fn memory_grow_loop_stops_at_the_store_limit() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
             (memory 1)
             (func (export "grow_until_refused") (result i32)
               (block $done
                 (loop $again
                   (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                   (br $again)))
               memory.size))"#,
    );
    store.set_limits(StoreLimits {
        max_memory_pages: 40,
        ..StoreLimits::default()
    });
    let grow = instance
        .get_func(&store, "grow_until_refused")
        .unwrap()
        .typed::<(), i32>(&store)
        .unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 40);
    let memory = instance.get_memory(&store, "memory");
    assert!(memory.is_none(), "the memory is not exported");
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    // `br_table` jumps through its entries' copies of their targets'
    // handlers: a backward entry still charges for the jump.
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    for body in [
        "(loop $l (br $l))",
        "(loop $l (br_table $l $l (local.get 0)))",
        // The branch back gets a copy of the loop's head, whose table
        // jumps backward to the case.
        "(loop $l (block $a (br_table $a $a (local.get 0))) (br $l))",
    ] {
        let wat = format!(r#"(module (func (export "spin") (param i32) {body}))"#);
        let (mut store, instance) = instantiate(&engine, &wat);
        let spin = instance
            .get_func(&store, "spin")
            .unwrap()
            .typed::<i32, ()>(&store)
            .unwrap();
        for index in [0, 1, 7] {
            store.set_fuel(100_000);
            assert_eq!(trap_code(spin.call(&mut store, index)), TrapCode::OutOfFuel);
            assert_eq!(store.get_fuel(), 0);
        }
    }
}

#[test]
fn infinite_recursion_with_tail_calls_runs_out_of_fuel() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module (func $f (export "spin") (return_call $f)))"#,
    );
    store.set_fuel(50_000);
    let spin = instance
        .get_func(&store, "spin")
        .unwrap()
        .typed::<(), ()>(&store)
        .unwrap();
    assert_eq!(trap_code(spin.call(&mut store, ())), TrapCode::OutOfFuel);
}

#[test]
fn host_and_wasm_calling_each_other_forever_trap_without_overflowing_the_host() {
    use compono_interp::{Caller, Extern, FuncType, Val, ValType};
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        &wat::parse_str(
            r#"(module
                 (import "host" "bounce" (func $bounce (param i32) (result i32)))
                 (func (export "ping") (param i32) (result i32)
                   (if (result i32) (i32.eqz (local.get 0))
                     (then (i32.const 0))
                     (else (i32.add (i32.const 1) (call $bounce (i32.sub (local.get 0) (i32.const 1))))))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let mut linker = Linker::new();
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    linker.func_new(
        "host",
        "bounce",
        ty,
        |mut caller: Caller<'_, ()>, args, results| {
            let ping = caller
                .get_export("ping")
                .and_then(Extern::into_func)
                .expect("ping is exported");
            ping.call(&mut caller, args, results).map_err(|e| match e {
                Error::Trap(trap) => trap,
                other => compono_interp::Trap::host(other.to_string()),
            })
        },
    );
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let ping = instance.get_func(&store, "ping").unwrap();
    let mut out = [Val::I32(0)];
    // A few levels of re-entry work and share the value stack.
    ping.call(&mut store, &[Val::I32(50)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(50));
    // Unbounded re-entry is stopped before the host stack runs out.
    let result = ping.call(&mut store, &[Val::I32(1_000_000)], &mut out);
    assert!(
        matches!(result, Err(Error::Trap(ref t)) if t.code() == TrapCode::CallStackExhausted),
        "{result:?}"
    );
    // The store still works afterwards.
    ping.call(&mut store, &[Val::I32(3)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(3));
}
