//! An imported instance that re-exports a resource type another import
//! defines (`(export "error" (type (eq ...)))`, as `wasi:io/streams` does
//! with `wasi:io/error`'s `error`) links without the host defining it
//! twice, as in wasmtime; a resource type defined nowhere still fails,
//! naming it.

use compono_runtime::{Component, Engine, Linker, ResourceType, Store};

const COMPONENT: &str = r#"
(component
  (import "a" (instance $a (export "r" (type (sub resource)))))
  (alias export $a "r" (type $r))
  (import "b" (instance $b
    (alias outer 1 $r (type $r'))
    (export "r" (type (eq $r')))
    (export "make" (func (result (own $r'))))))
)
"#;

struct Marker;
struct Other;

fn linker(define_a: bool) -> Linker<()> {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    // Without `define_a`, instance `a` exists but lacks its resource.
    let mut a = linker.instance("a").unwrap();
    if define_a {
        a.resource("r", ResourceType::host::<Marker>(), |_, _| Ok(()))
            .unwrap();
    }
    linker
        .instance("b")
        .unwrap()
        .func_new("make", |_, _, _| Ok(()))
        .unwrap();
    linker
}

#[test]
fn reexported_resource_types_need_no_second_definition() {
    let engine = Engine::default();
    let component = Component::new(&engine, &wat::parse_str(COMPONENT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    linker(true).instantiate(&mut store, &component).unwrap();
}

#[test]
fn a_resource_type_defined_nowhere_is_named() {
    let engine = Engine::default();
    let component = Component::new(&engine, &wat::parse_str(COMPONENT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let error = linker(false)
        .instantiate(&mut store, &component)
        .unwrap_err()
        .to_string();
    assert!(error.contains("`a#r`"), "{error}");
}

#[test]
fn a_reexport_defined_as_a_different_type_is_rejected() {
    let engine = Engine::default();
    let component = Component::new(&engine, &wat::parse_str(COMPONENT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = linker(true);
    linker
        .instance("b")
        .unwrap()
        .resource("r", ResourceType::host::<Other>(), |_, _| Ok(()))
        .unwrap();
    let error = linker
        .instantiate(&mut store, &component)
        .unwrap_err()
        .to_string();
    assert!(error.contains("b#r"), "{error}");
}
