//! The WASI host through the embedding API: `wasi::add_to_linker`,
//! `WasiCtx` with in-memory stdio, version matching across 0.2.x,
//! deterministic mode and the context's limits. Programs come from the
//! corpus in `fixtures/wasi/` (run there against wasmtime) or are small
//! hand-written components.

use compono_runtime::wasi::{self, InputPipe, OutputPipe, WasiCtx, WasiCtxBuilder};
use compono_runtime::{Component, Engine, Linker, Store};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/wasi")
        .join(name)
        .join("component.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a command component; the exit status, or the error's text.
fn run(bytes: &[u8], ctx: WasiCtx) -> Result<i32, String> {
    let engine = Engine::default();
    let component = Component::new(&engine, bytes).map_err(|e| e.to_string())?;
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, ctx);
    wasi::run_command(&mut store, &linker, &component).map_err(|e| e.to_string())
}

#[test]
fn stdio_can_be_in_memory_pipes() {
    let (stdout, stderr) = (OutputPipe::new(), OutputPipe::new());
    let ctx = WasiCtxBuilder::new()
        .arg("main.wasm")
        .stdin(InputPipe::new("two words\nand three more"))
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .build();
    assert_eq!(run(&fixture("stdin-lines"), ctx), Ok(0));
    assert_eq!(
        String::from_utf8(stdout.contents()).unwrap(),
        "  1 TWO WORDS\n  2 AND THREE MORE\n2 lines, 5 words\n"
    );
    assert!(stderr.contents().is_empty());
}

#[test]
fn exit_status_and_traps_reach_the_embedder() {
    let out = OutputPipe::new();
    let ctx = WasiCtxBuilder::new().stdout(out.clone()).build();
    assert_eq!(run(&fixture("exit-1"), ctx), Ok(1));
    assert_eq!(
        run(&fixture("wat-exit-42"), WasiCtxBuilder::new().build()),
        Ok(42)
    );
    let error = run(&fixture("rust-panic"), WasiCtxBuilder::new().build()).unwrap_err();
    assert!(error.contains("unreachable"), "{error}");
    let error = run(
        &fixture("wat-missing-interface"),
        WasiCtxBuilder::new().build(),
    )
    .unwrap_err();
    assert!(
        error.contains("`wasi:http/outgoing-handler@0.2.6`"),
        "{error}"
    );
}

/// Imports of `@0.2.0`, `@0.2.3` and `@0.2.12` are all served by the
/// host's 0.2.6 definitions; a `0.3` import is not.
const VERSIONS: &str = r#"
(component
  (import "wasi:random/random@0.2.0" (instance $r (export "get-random-u64" (func (result u64)))))
  (import "wasi:clocks/monotonic-clock@0.2.12" (instance $c (export "now" (func (result u64)))))
  (import "wasi:cli/exit@0.2.3" (instance $e (export "exit-with-code" (func (param "status-code" u8)))))
  (alias export $r "get-random-u64" (func $rand))
  (alias export $c "now" (func $now))
  (alias export $e "exit-with-code" (func $exit))
  (core func $rand' (canon lower (func $rand)))
  (core func $now' (canon lower (func $now)))
  (core func $exit' (canon lower (func $exit)))
  (core module $m
    (import "h" "rand" (func $rand (result i64)))
    (import "h" "now" (func $now (result i64)))
    (import "h" "exit" (func $exit (param i32)))
    (func (export "run") (result i32)
      (drop (call $rand))
      (drop (call $now))
      (call $exit (i32.const 7))
      unreachable))
  (core instance $i (instantiate $m (with "h" (instance
    (export "rand" (func $rand')) (export "now" (func $now')) (export "exit" (func $exit'))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $ri (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $ri)))
"#;

#[test]
fn every_0_2_x_import_is_served() {
    let bytes = wat::parse_str(VERSIONS).unwrap();
    assert_eq!(run(&bytes, WasiCtxBuilder::new().build()), Ok(7));
    let newer = VERSIONS.replace("wasi:cli/exit@0.2.3", "wasi:cli/exit@0.3.0");
    let error = run(
        &wat::parse_str(newer).unwrap(),
        WasiCtxBuilder::new().build(),
    )
    .unwrap_err();
    assert!(error.contains("`wasi:cli/exit@0.3.0`"), "{error}");
}

#[test]
fn deterministic_runs_repeat_and_others_do_not() {
    let output = |ctx: WasiCtxBuilder| {
        let out = OutputPipe::new();
        assert_eq!(
            run(&fixture("deterministic"), ctx.stdout(out.clone()).build()),
            Ok(0)
        );
        String::from_utf8(out.contents()).unwrap()
    };
    let first = output(WasiCtxBuilder::new().deterministic(0));
    assert_eq!(first, output(WasiCtxBuilder::new().deterministic(0)));
    assert!(first.contains("wall clock: 1700000000s"), "{first}");
    assert_ne!(first, output(WasiCtxBuilder::new().deterministic(1)));
    // The real clocks and the system's randomness: the random lines differ.
    let (a, b) = (output(WasiCtxBuilder::new()), output(WasiCtxBuilder::new()));
    let random = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("random:"))
            .unwrap()
            .to_string()
    };
    assert_ne!(random(&a), random(&b));
}

/// Asks for 10 pollables, or for `len` random bytes, as its argument says.
const GREEDY: &str = r#"
(component
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type (sub resource)))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $c2
    (alias outer 1 $pollable (type $p))
    (export "pollable" (type (eq $p)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))
  (import "wasi:random/random@0.2.0" (instance $r
    (export "get-random-bytes" (func (param "len" u64) (result (list u8))))))
  (alias export $c2 "subscribe-duration" (func $subscribe))
  (alias export $r "get-random-bytes" (func $bytes))
  (core module $mem
    (memory (export "memory") 2)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (core func $subscribe' (canon lower (func $subscribe)))
  (core func $bytes' (canon lower (func $bytes) (memory $memory) (realloc $realloc)))
  (core module $m
    (import "h" "subscribe" (func $subscribe (param i64) (result i32)))
    (import "h" "bytes" (func $bytes (param i64 i32)))
    (import "h" "memory" (memory 1))
    (func (export "pollables") (param i32) (result i32)
      (local $i i32)
      (loop $again
        (drop (call $subscribe (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (local.get 0))))
      (local.get $i))
    (func (export "bytes") (param i64) (result i32)
      (call $bytes (local.get 0) (i32.const 16))
      (i32.load (i32.const 20))))
  (core instance $i (instantiate $m (with "h" (instance
    (export "subscribe" (func $subscribe')) (export "bytes" (func $bytes'))
    (export "memory" (memory $memory))))))
  (func (export "pollables") (param "n" u32) (result u32) (canon lift (core func $i "pollables")))
  (func (export "bytes") (param "len" u64) (result u32) (canon lift (core func $i "bytes"))))
"#;

#[test]
fn resource_and_random_limits_trap() {
    use compono_runtime::Val;
    let engine = Engine::default();
    let component = Component::new(&engine, &wat::parse_str(GREEDY).unwrap()).unwrap();
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker).unwrap();
    let ctx = WasiCtxBuilder::new()
        .max_resources(5)
        .max_random_size(100)
        .build();
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let call = |store: &mut Store<WasiCtx>, name: &str, arg: Val| {
        let mut results = [Val::U32(0)];
        instance
            .get_func(&*store, name)
            .unwrap()
            .call(store, &[arg], &mut results)
            .map(|()| results[0].clone())
            .map_err(|e| e.to_string())
    };
    assert_eq!(call(&mut store, "bytes", Val::U64(100)), Ok(Val::U32(100)));
    let error = call(&mut store, "bytes", Val::U64(101)).unwrap_err();
    assert!(error.contains("more than the limit of 100"), "{error}");
    assert_eq!(call(&mut store, "pollables", Val::U32(5)), Ok(Val::U32(5)));
    let error = call(&mut store, "pollables", Val::U32(1)).unwrap_err();
    assert!(error.contains("more than 5 WASI resources"), "{error}");
}
