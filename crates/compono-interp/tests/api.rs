//! The embedding API: host functions, linking, typed and dynamic calls.

use compono_interp::{
    Config, Engine, Error, Extern, FuncType, Global, GlobalType, LinkError, Linker, Memory,
    MemoryType, Module, Store, Trap, Val, ValType,
};

fn compile(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap()
}

#[test]
fn host_function_reads_the_callers_memory() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "host" "log" (func $log (param i32 i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "hello")
             (func (export "run") (call $log (i32.const 16) (i32.const 5))))"#,
    );
    let mut linker = Linker::<Vec<String>>::new();
    linker.func_new(
        "host",
        "log",
        FuncType::new([ValType::I32, ValType::I32], []),
        |mut caller, args, _| {
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or(Trap::host("no memory"))?;
            let (ptr, len) = (
                args[0].i32().unwrap() as usize,
                args[1].i32().unwrap() as usize,
            );
            let text = String::from_utf8_lossy(&memory.data(&caller)[ptr..ptr + len]).into_owned();
            caller.data_mut().push(text);
            Ok(())
        },
    );
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance
        .get_func(&store, "run")
        .unwrap()
        .call(&mut store, &[], &mut [])
        .unwrap();
    assert_eq!(store.data(), &["hello".to_string()]);
}

#[test]
fn link_errors_name_the_import_and_both_types() {
    let engine = Engine::default();
    let module = compile(&engine, r#"(module (import "env" "f" (func (param i32))))"#);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    match linker.instantiate(&mut store, &module) {
        Err(Error::Link {
            module,
            name,
            reason: LinkError::Unknown,
        }) => assert_eq!((module.as_str(), name.as_str()), ("env", "f")),
        other => panic!("unexpected {other:?}"),
    }
    linker.func_new("env", "f", FuncType::new([ValType::I64], []), |_, _, _| {
        Ok(())
    });
    match linker.instantiate(&mut store, &module) {
        Err(Error::Link {
            reason: LinkError::Mismatch { expected, found },
            ..
        }) => {
            assert!(
                expected.contains("i32") && found.contains("i64"),
                "{expected} / {found}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn registered_instance_satisfies_imports() {
    let engine = Engine::default();
    let lib = compile(
        &engine,
        r#"(module (global (export "g") (mut i32) (i32.const 7))
                   (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))"#,
    );
    let user = compile(
        &engine,
        r#"(module (import "lib" "double" (func $d (param i32) (result i32)))
                   (import "lib" "g" (global $g (mut i32)))
                   (func (export "run") (result i32) (call $d (global.get $g))))"#,
    );
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let lib_instance = linker.instantiate(&mut store, &lib).unwrap();
    linker.instance(&mut store, "lib", lib_instance);
    let user_instance = linker.instantiate(&mut store, &user).unwrap();
    let run = user_instance
        .get_func(&store, "run")
        .unwrap()
        .typed::<(), i32>(&store)
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 14);
    lib_instance
        .get_global(&store, "g")
        .unwrap()
        .set(&mut store, Val::I32(10))
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 20);
}

#[test]
fn host_created_memory_and_global_are_importable() {
    let engine = Engine::new(&Config::default());
    let module = compile(
        &engine,
        r#"(module (import "env" "mem" (memory 1 2)) (import "env" "base" (global i32))
                   (func (export "load") (result i32) (i32.load (global.get 0))))"#,
    );
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(2), false)).unwrap();
    memory.write(&mut store, 8, &42i32.to_le_bytes()).unwrap();
    let base = Global::new(
        &mut store,
        GlobalType {
            content: ValType::I32,
            mutable: false,
        },
        Val::I32(8),
    )
    .unwrap();
    let mut linker = Linker::new();
    linker
        .define("env", "mem", memory)
        .define("env", "base", base);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let mut out = [Val::I32(0)];
    instance
        .get_func(&store, "load")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(42));
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert!(memory.grow(&mut store, 1).is_err(), "maximum is 2 pages");
}

#[test]
fn invalid_modules_are_compile_errors() {
    let engine = Engine::default();
    for bytes in [
        &b"\0asm\x01\0\0\0\x01"[..],
        b"not wasm",
        &wat::parse_str("(module (func (result i32)))").unwrap(),
    ] {
        assert!(matches!(
            Module::new(&engine, bytes),
            Err(Error::Compile { .. })
        ));
    }
    // SIMD is not enabled.
    let simd = wat::parse_str("(module (func (result v128) (v128.const i64x2 0 0)))").unwrap();
    assert!(matches!(
        Module::new(&engine, &simd),
        Err(Error::Compile { .. })
    ));
}

/// An error inside a function body names the operator's byte offset,
/// whichever step found it: decoding, validation, or the SIMD operators
/// (never enabled, so the validator refuses them).
#[test]
fn errors_in_a_body_name_the_operator_and_its_offset() {
    let engine = Engine::default();
    // Type 0 is `() -> i32`; function 0's body: no locals, `i32.const 1`,
    // then the operator under test at byte 26.
    let body = |ops: &[u8]| {
        let mut code = vec![0u8, 0x41, 0x01];
        code.extend(ops);
        let mut bytes = b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a".to_vec();
        bytes.push(code.len() as u8 + 2);
        bytes.extend([1, code.len() as u8]);
        bytes.extend(code);
        bytes
    };
    let cases: [(&[u8], &str); 3] = [
        (&[0xff], "illegal opcode: 0xff"),
        (&[0x6a, 0x0b], "type mismatch"),
        // `v128.const 0; i32x4.extract_lane 0`
        (
            &[
                0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
            ],
            "SIMD support is not enabled",
        ),
    ];
    for (ops, expected) in cases {
        match Module::new(&engine, &body(ops)) {
            Err(Error::Compile { message, offset }) => {
                assert!(message.contains(expected), "{message:?} for {ops:x?}");
                assert_eq!(offset, Some(26), "{message}");
            }
            Err(other) => panic!("{other} for {ops:x?}"),
            Ok(_) => panic!("{ops:x?} compiled"),
        }
    }
}

#[test]
fn module_lists_imports_exports_and_custom_sections() {
    let engine = Engine::default();
    let mut bytes = wat::parse_str(
        r#"(module (import "a" "b" (func)) (func (export "c")) (memory (export "m") 1))"#,
    )
    .unwrap();
    // A custom section named "note" holding "hi".
    bytes.extend_from_slice(&[0, 7, 4, b'n', b'o', b't', b'e', b'h', b'i']);
    let module = Module::new(&engine, &bytes).unwrap();
    let imports: Vec<_> = module
        .imports()
        .map(|i| (i.module.to_string(), i.name.to_string()))
        .collect();
    assert_eq!(imports, [("a".to_string(), "b".to_string())]);
    let exports: Vec<_> = module.exports().map(|e| e.name.to_string()).collect();
    assert_eq!(exports, ["c", "m"]);
    assert_eq!(module.custom_sections("note").collect::<Vec<_>>(), [b"hi"]);
}

#[test]
fn typed_host_functions_derive_their_wasm_type() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "mix" (func $mix (param i32 i64 f64) (result i64)))
             (import "env" "count" (func $count))
             (func (export "run") (result i64)
               (call $count) (call $count)
               (call $mix (i32.const 2) (i64.const 40) (f64.const 0.5))))"#,
    );
    let mut linker = Linker::<u32>::new();
    linker
        .func_wrap(
            "env",
            "mix",
            |_: compono_interp::Caller<'_, u32>, a: i32, b: i64, c: f64| {
                Ok(i64::from(a) + b + (c * 2.0) as i64)
            },
        )
        .func_wrap(
            "env",
            "count",
            |mut caller: compono_interp::Caller<'_, u32>| {
                *caller.data_mut() += 1;
                Ok(())
            },
        );
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_func(&store, "run")
        .unwrap()
        .typed::<(), i64>(&store)
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 43);
    assert_eq!(*store.data(), 2);
    // A wrapped function whose Rust type does not match the import is a link error.
    let mut wrong = Linker::<u32>::new();
    wrong.func_wrap(
        "env",
        "mix",
        |_: compono_interp::Caller<'_, u32>, a: i32| Ok(a),
    );
    wrong.func_wrap("env", "count", |_: compono_interp::Caller<'_, u32>| Ok(()));
    assert!(matches!(
        wrong.instantiate(&mut store, &module),
        Err(Error::Link { .. })
    ));
}

/// The names of the functions a trap reports, innermost first.
fn backtrace_of(error: Error) -> Vec<String> {
    match error {
        Error::Trap(trap) => trap.backtrace().iter().map(|f| f.to_string()).collect(),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn traps_name_the_functions_on_the_stack_across_instances_and_host_calls() {
    let engine = Engine::default();
    let lib = compile(
        &engine,
        r#"(module $lib
             (func $boom (export "boom") (param i32) (result i32)
               (call 1 (local.get 0)))
             (func (param i32) (result i32)
               (i32.div_u (i32.const 1) (local.get 0))))"#,
    );
    let app = compile(
        &engine,
        r#"(module $app
             (import "lib" "boom" (func $boom (param i32) (result i32)))
             (import "host" "call-back" (func $call_back))
             (import "host" "fail" (func $fail))
             (func $middle (param i32) (result i32)
               (i32.add (call $boom (local.get 0)) (i32.const 1)))
             (func $run (export "run") (result i32) (call $middle (i32.const 0)))
             (func $deep (export "deep") unreachable)
             (func $through_host (export "through-host") (call $call_back))
             (func $recurse (export "recurse") (call $recurse))
             (func $tail_to_host (return_call $fail))
             (func $via_tail (export "via-tail") (call $tail_to_host)))"#,
    );
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let lib_instance = linker.instantiate(&mut store, &lib).unwrap();
    linker.instance(&mut store, "lib", lib_instance);
    linker.func_new(
        "host",
        "call-back",
        FuncType::new([], []),
        |mut caller, _, _| {
            let deep = caller
                .get_export("deep")
                .and_then(Extern::into_func)
                .ok_or(Trap::host("no `deep`"))?;
            match deep.call(&mut caller, &[], &mut []) {
                Err(Error::Trap(trap)) => Err(trap),
                other => panic!("expected a trap, got {other:?}"),
            }
        },
    );
    linker.func_new("host", "fail", FuncType::new([], []), |_, _, _| {
        Err(Trap::host("refused"))
    });
    let app_instance = linker.instantiate(&mut store, &app).unwrap();
    let call = |store: &mut Store<()>, name: &str, results: &mut [Val]| {
        let func = app_instance.get_func(&*store, name).unwrap();
        func.call(store, &[], results).unwrap_err()
    };

    let error = call(&mut store, "run", &mut [Val::I32(0)]);
    assert_eq!(error.to_string(), "wasm trap: integer divide by zero");
    assert_eq!(
        backtrace_of(error),
        ["lib!<wasm function 1>", "lib!boom", "app!middle", "app!run"]
    );

    // The host function's own invocation of `deep` and the one that
    // called the host are both reported, the inner one first.
    let error = call(&mut store, "through-host", &mut []);
    assert_eq!(backtrace_of(error), ["app!deep", "app!through_host"]);

    // A tail call to the host replaced its caller, which is then not on
    // the stack (as in wasmtime's backtraces).
    let error = call(&mut store, "via-tail", &mut []);
    assert_eq!(backtrace_of(error), ["app!via_tail"]);

    // Deep recursion keeps only the innermost thousand frames.
    let error = call(&mut store, "recurse", &mut []);
    let frames = backtrace_of(error);
    assert_eq!(frames.len(), 1000);
    assert!(frames.iter().all(|f| f == "app!recurse"), "{frames:?}");
}

#[test]
fn frames_of_modules_without_names_are_numbered() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module (func) (func (export "f") (call 2)) (func unreachable))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let func = instance.get_func(&store, "f").unwrap();
    let error = func.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(
        backtrace_of(error),
        ["<unknown>!<wasm function 2>", "<unknown>!<wasm function 1>"]
    );
}

/// Exceptions thrown in wasm that a host function called back go on
/// through the host function to the wasm that called it; a tail call
/// leaves the `try_table` around it; one nothing catches reaches the host
/// with its tag and values.
#[test]
fn exceptions_pass_through_host_functions_and_reach_the_host() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "host" "call_back" (func $call_back (param i32)))
             (tag $e (export "e") (param i32 i64))
             (func (export "throw") (param i32) (throw $e (local.get 0) (i64.const -5)))
             (func $throw (param i32) (throw $e (local.get 0) (i64.const -5)))
             (func $catch (param i32 i32) (result i32)
               (block $h (result i32 i64)
                 (try_table (catch $e $h)
                   (if (local.get 1)
                     (then (call $replaced (local.get 0)))
                     (else (call $call_back (local.get 0)))))
                 (return (i32.const -1)))
               (drop))
             ;; Its `try_table` must not catch what the functions it tail
             ;; calls throw.
             (func $replaced (param i32)
               (block $wrong
                 (try_table (catch_all $wrong)
                   (if (i32.eq (local.get 0) (i32.const 7))
                     (then (return_call $call_back (local.get 0))))
                   (return_call $throw (local.get 0))))
               (unreachable))
             (func (export "via-host") (param i32) (result i32)
               (call $catch (local.get 0) (i32.const 0)))
             (func (export "via-tail-call") (param i32) (result i32)
               (call $catch (local.get 0) (i32.const 1))))"#,
    );
    let mut linker = Linker::<()>::new();
    linker.func_new(
        "host",
        "call_back",
        FuncType::new([ValType::I32], []),
        |mut caller, args, _| {
            let throw = caller
                .get_export("throw")
                .and_then(Extern::into_func)
                .ok_or(Trap::host("no throw"))?;
            match throw.call(&mut caller, args, &mut []) {
                Err(Error::Trap(trap)) => Err(trap),
                other => panic!("expected an exception, got {other:?}"),
            }
        },
    );
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let call = |store: &mut Store<()>, name: &str, arg: i32| {
        let f = instance.get_func(&*store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(store, &[Val::I32(arg)], &mut out).map(|()| out[0])
    };
    assert_eq!(call(&mut store, "via-host", 41).unwrap(), Val::I32(41));
    assert_eq!(call(&mut store, "via-tail-call", 5).unwrap(), Val::I32(5));
    assert_eq!(call(&mut store, "via-tail-call", 7).unwrap(), Val::I32(7));

    let throw = instance.get_func(&store, "throw").unwrap();
    let Err(Error::Trap(trap)) = throw.call(&mut store, &[Val::I32(3)], &mut []) else {
        panic!("expected a trap");
    };
    assert_eq!(trap.code(), compono_interp::TrapCode::UncaughtException);
    let (tag, values) = trap.thrown().unwrap().fields(&store).unwrap();
    let e = instance
        .get_export(&store, "e")
        .and_then(Extern::into_tag)
        .unwrap();
    assert_eq!(tag, e);
    assert_eq!(values, [Val::I32(3), Val::I64(-5)]);
}
