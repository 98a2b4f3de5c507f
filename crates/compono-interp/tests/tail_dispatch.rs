//! Running an instruction must not grow the native stack.
//!
//! In optimised builds each handler ends by tail-calling the next one
//! (`src/exec/handlers.rs`), and LLVM turns that call into a jump only
//! when nothing the handler did keeps its frame alive (see
//! `State::out_of_line`). A handler that misses it still gives the right
//! results, but calls the next handler, and a loop running it a hundred
//! thousand times overflows the stack. This runs every instruction whose
//! handler leaves its own code (slow paths, calls, exceptions, bulk
//! operations, the fuel check on backward jumps) that many times, on a
//! thread whose stack is far too small to survive it. `cargo xtask test`
//! runs it in the release profile, where the tail calls are made.

use compono_interp::{
    Caller, Config, Engine, Error, Extern, FuncType, Linker, Module, Store, Trap, Val,
};

const ITERATIONS: i32 = 100_000;

/// Far more than the interpreter needs, far less than `ITERATIONS` frames.
const STACK: usize = 1 << 20;

const LIB: &str = r#"(module
  (global (export "counter") (mut i32) (i32.const 0))
  (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (tag (export "tag") (param i32))
  (func (export "throw") (throw 0 (i32.const 7))))"#;

/// What each loop body does, once per iteration.
const CASES: &[(&str, &str)] = &[
    (
        "table.copy",
        "(table.copy $t1 $t0 (i32.const 0) (i32.const 0) (i32.const 1))",
    ),
    (
        "table.init",
        "(table.init $t0 $e (i32.const 3) (i32.const 0) (i32.const 1))",
    ),
    ("elem.drop", "(elem.drop $e2)"),
    (
        "table.get/set/size/grow/fill",
        "(table.set $t0 (i32.const 2) (table.get $t0 (i32.const 0)))
         (drop (table.grow $t0 (ref.null func) (i32.const 0)))
         (drop (table.size $t0))
         (table.fill $t0 (i32.const 2) (ref.func $f) (i32.const 1))",
    ),
    (
        "memory.init",
        "(memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))",
    ),
    ("data.drop", "(data.drop $d2)"),
    (
        "memory.copy across memories",
        "(memory.copy $m1 $m0 (i32.const 0) (i32.const 0) (i32.const 1))",
    ),
    (
        "memory.copy",
        "(memory.copy (i32.const 8) (i32.const 0) (i32.const 4))",
    ),
    (
        "memory.fill",
        "(memory.fill (i32.const 0) (i32.const 1) (i32.const 4))",
    ),
    (
        "memory.grow/size",
        "(drop (memory.grow (i32.const 0))) (drop (memory.size))",
    ),
    (
        "second memory",
        "(i32.store $m1 (i32.const 0) (i32.load $m1 (i32.const 4)))",
    ),
    (
        "globals",
        "(global.set $g (i32.add (global.get $g) (i32.const 1)))
         (global.set $counter (i32.add (global.get $counter) (i32.const 1)))",
    ),
    ("ref.func", "(drop (ref.func $f))"),
    ("call", "(drop (call $f))"),
    (
        "call_indirect",
        "(drop (call_indirect $t0 (type $ret) (i32.const 0)))",
    ),
    (
        "call_indirect to another instance",
        "(drop (call_indirect $t0 (type $inc) (i32.const 3) (i32.const 1)))",
    ),
    ("return_call", "(drop (call $tail))"),
    ("return_call_indirect", "(drop (call $tail_indirect))"),
    (
        "call into another instance",
        "(drop (call $inc (i32.const 1)))",
    ),
    ("call the host", "(drop (call $host (i32.const 1)))"),
    (
        "throw and catch",
        "(drop (block $h (result i32) (try_table (catch $t $h) (throw $t (i32.const 1))) (unreachable)))",
    ),
    (
        "catch_ref and throw_ref",
        "(block $h (result i32 exnref)
           (try_table (catch_ref $t $h) (throw $t (i32.const 1))) (unreachable))
         (local.set $e)
         (drop)
         (drop (block $h2 (result i32)
           (try_table (catch $t $h2) (throw_ref (local.get $e))) (unreachable)))",
    ),
    (
        "catch from another instance",
        "(drop (block $h (result i32) (try_table (catch $lib_tag $h) (call $lib_throw)) (unreachable)))",
    ),
    (
        "catch through the host",
        "(drop (block $h (result i32) (try_table (catch $lib_tag $h) (call $host_throw)) (unreachable)))",
    ),
];

fn main_module() -> String {
    let mut funcs = String::new();
    for (i, (_, body)) in CASES.iter().enumerate() {
        funcs.push_str(&format!(
            r#"(func (export "case{i}") (param $n i32) (local $e exnref)
                 (loop $again
                   {body}
                   (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
            "#
        ));
    }
    format!(
        r#"(module
  (import "lib" "inc" (func $inc (param i32) (result i32)))
  (import "lib" "throw" (func $lib_throw))
  (import "lib" "counter" (global $counter (mut i32)))
  (import "lib" "tag" (tag $lib_tag (param i32)))
  (import "host" "id" (func $host (param i32) (result i32)))
  (import "host" "throw" (func $host_throw))
  (export "lib_throw" (func $lib_throw))
  (type $ret (func (result i32)))
  (type $inc (func (param i32) (result i32)))
  (memory $m0 1)
  (memory $m1 1)
  (table $t0 4 funcref)
  (table $t1 4 funcref)
  (global $g (mut i32) (i32.const 0))
  (tag $t (param i32))
  (elem (table $t0) (i32.const 0) func $f $inc)
  (elem $e func $f)
  (elem $e2 func $f)
  (data $d "x")
  (data $d2 "y")
  (func $f (result i32) (i32.const 1))
  (func $tail (result i32) (return_call $f))
  (func $tail_indirect (result i32) (return_call_indirect $t0 (type $ret) (i32.const 0)))
  {funcs})"#
    )
}

fn run_every_case(engine: &Engine, fuel: bool) -> Result<(), String> {
    let lib = Module::new(engine, &wat::parse_str(LIB).unwrap()).unwrap();
    let main = Module::new(engine, &wat::parse_str(main_module()).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    if fuel {
        store.set_fuel(u64::MAX);
    }
    let mut linker = Linker::new();
    let lib = linker.instantiate(&mut store, &lib).unwrap();
    linker.instance(&mut store, "lib", lib);
    linker.func_wrap(
        "host",
        "id",
        |_: Caller<'_, ()>, x: i32| -> Result<i32, Trap> { Ok(x) },
    );
    // Calls the library's thrower, letting its exception through.
    linker.func_new(
        "host",
        "throw",
        FuncType::new([], []),
        |mut caller: Caller<'_, ()>, _, _| {
            let lib_throw = caller
                .get_export("lib_throw")
                .and_then(Extern::into_func)
                .expect("exported");
            lib_throw
                .call(&mut caller, &[], &mut [])
                .map_err(|e| match e {
                    Error::Trap(trap) => trap,
                    other => Trap::host(other.to_string()),
                })
        },
    );
    let instance = linker.instantiate(&mut store, &main).unwrap();
    for (i, (name, _)) in CASES.iter().enumerate() {
        let func = instance.get_func(&store, &format!("case{i}")).unwrap();
        func.call(&mut store, &[Val::I32(ITERATIONS)], &mut [])
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn on_small_stack(fuel: bool) {
    let mut config = Config::new();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || run_every_case(&engine, fuel))
        .unwrap()
        .join()
        .expect("the loops ran")
        .unwrap();
}

#[test]
fn slow_paths_in_long_loops_keep_the_native_stack_flat() {
    on_small_stack(false);
}

#[test]
fn metered_loops_keep_the_native_stack_flat() {
    on_small_stack(true);
}
