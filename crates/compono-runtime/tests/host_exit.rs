//! A host function that ends the program (`Error::Exit`) unwinds the
//! guest's call and reaches the embedder as that exit, not as a trap.

use compono_runtime::{Component, Engine, Error, Linker, Store, Val};

const COMPONENT: &str = r#"
(component
  (import "exit" (func $exit (param "code" u32)))
  (core func $exit-lowered (canon lower (func $exit)))
  (core module $m
    (import "host" "exit" (func $exit (param i32)))
    (func (export "run") (result i32)
      (call $exit (i32.const 7))
      unreachable))
  (core instance $i (instantiate $m
    (with "host" (instance (export "exit" (func $exit-lowered))))))
  (func (export "run") (result u32) (canon lift (core func $i "run"))))
"#;

#[test]
fn exit_from_a_host_function_reaches_the_caller() {
    let engine = Engine::default();
    let component = Component::new(&engine, &wat::parse_str(COMPONENT).unwrap()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_new("exit", |_store, args, _results| match args {
            [Val::U32(code)] => Err(Error::Exit(*code as i32)),
            _ => panic!("unexpected arguments {args:?}"),
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut results = [Val::U32(0)];
    let error = run.call(&mut store, &[], &mut results).unwrap_err();
    assert_eq!(error.exit_status(), Some(7), "{error}");
    assert!(error.as_trap().is_none());
}
