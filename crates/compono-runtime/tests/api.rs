//! The embedding API: host functions of every value type, host and guest
//! resources, linking errors, semver matching, re-entrance, and the
//! canonical ABI's traps for misbehaving guests.

use compono_runtime::{
    Component, Config, Engine, Error, Linker, ResourceAny, ResourceType, Store, Trap, TrapCode, Val,
};
use std::sync::{Arc, Mutex};

fn engine() -> Engine {
    Engine::new(&Config::default())
}

fn component(engine: &Engine, wat: &str) -> Component {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
    Component::new(engine, &bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    e.as_trap().map(Trap::code)
}

/// A bump allocator module shared by the test components.
const MEM: &str = r#"
  (core module $Mem
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $old_size))))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
"#;

/// A component exporting `roundtrip: func(x: T) -> T` that forwards to the
/// import `echo: func(x: T) -> T`, so a value goes host -> guest memory ->
/// host -> guest memory -> host. `flat` is T's flat core types.
fn echo_component(ty: &str, flat: &[&str]) -> String {
    let params = flat.join(" ");
    let gets: String = (0..flat.len())
        .map(|i| format!("(local.get {i}) "))
        .collect();
    let (import_sig, body, export_sig) = if flat.len() == 1 {
        (
            format!("(param {params}) (result {params})"),
            format!("(call $echo {gets})"),
            format!("(param {params}) (result {params})"),
        )
    } else {
        (
            format!("(param {params} i32)"),
            format!("(call $echo {gets} (i32.const 16)) (i32.const 16)"),
            format!("(param {params}) (result i32)"),
        )
    };
    format!(
        r#"(component
  (type $t' {ty})
  (import "t" (type $t (eq $t')))
  (import "echo" (func $echo (param "x" $t) (result $t)))
  {MEM}
  (core func $echo' (canon lower (func $echo) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core module $M
    (import "" "echo" (func $echo {import_sig}))
    (func (export "f") {export_sig} {body}))
  (core instance $m (instantiate $M (with "" (instance (export "echo" (func $echo'))))))
  (func (export "roundtrip") (param "x" $t) (result $t)
    (canon lift (core func $m "f") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
)"#
    )
}

fn roundtrip(ty: &str, flat: &[&str], value: Val) {
    let engine = engine();
    let component = component(&engine, &echo_component(ty, flat));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut linker = Linker::new(&engine);
    let log = seen.clone();
    linker
        .root()
        .func_new("echo", move |_, args, results| {
            log.lock().unwrap().push(args[0].clone());
            results[0] = args[0].clone();
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_func(&store, "roundtrip").unwrap();
    let mut results = [Val::Bool(false)];
    f.call(&mut store, std::slice::from_ref(&value), &mut results)
        .unwrap_or_else(|e| panic!("{ty}: {e}"));
    assert_eq!(results[0], value, "{ty}");
    assert_eq!(seen.lock().unwrap().as_slice(), [value], "{ty}");
}

#[test]
fn values_of_every_type_round_trip_through_guest_memory() {
    roundtrip("u32", &["i32"], Val::U32(u32::MAX));
    roundtrip("s8", &["i32"], Val::S8(-128));
    roundtrip("s64", &["i64"], Val::S64(i64::MIN));
    roundtrip("f32", &["f32"], Val::Float32(-1.5));
    roundtrip("f64", &["f64"], Val::Float64(f64::INFINITY));
    roundtrip("char", &["i32"], Val::Char('🦀'));
    roundtrip("bool", &["i32"], Val::Bool(true));
    roundtrip(
        "string",
        &["i32", "i32"],
        Val::String("héllo, wörld ☃".into()),
    );
    roundtrip("string", &["i32", "i32"], Val::String(String::new()));
    roundtrip("(list u8)", &["i32", "i32"], Val::Bytes(vec![0, 1, 255]));
    roundtrip(
        "(list string)",
        &["i32", "i32"],
        Val::List(vec![Val::String("a".into()), Val::String("bc".into())]),
    );
    roundtrip(
        "(record (field \"a\" u8) (field \"b\" u64) (field \"c\" string))",
        &["i32", "i64", "i32", "i32"],
        Val::Record(vec![
            ("a".into(), Val::U8(7)),
            ("b".into(), Val::U64(1 << 40)),
            ("c".into(), Val::String("x".into())),
        ]),
    );
    roundtrip(
        "(tuple u16 f32)",
        &["i32", "f32"],
        Val::Tuple(vec![Val::U16(9), Val::Float32(2.5)]),
    );
    let variant =
        "(variant (case \"none\") (case \"small\" u8) (case \"wide\" f64) (case \"text\" string))";
    let flat = ["i32", "i64", "i32"];
    roundtrip(variant, &flat, Val::Variant("none".into(), None));
    roundtrip(
        variant,
        &flat,
        Val::Variant("small".into(), Some(Box::new(Val::U8(3)))),
    );
    roundtrip(
        variant,
        &flat,
        Val::Variant("wide".into(), Some(Box::new(Val::Float64(-0.25)))),
    );
    roundtrip(
        variant,
        &flat,
        Val::Variant("text".into(), Some(Box::new(Val::String("t".into())))),
    );
    roundtrip("(enum \"a\" \"b\" \"c\")", &["i32"], Val::Enum("c".into()));
    roundtrip(
        "(option string)",
        &["i32", "i32", "i32"],
        Val::Option(Some(Box::new(Val::String("s".into())))),
    );
    roundtrip("(option string)", &["i32", "i32", "i32"], Val::Option(None));
    roundtrip(
        "(result u32 (error string))",
        &["i32", "i32", "i32"],
        Val::Result(Err(Some(Box::new(Val::String("bad".into()))))),
    );
    roundtrip("(result)", &["i32"], Val::Result(Ok(None)));
    roundtrip(
        "(flags \"a\" \"b\" \"c\")",
        &["i32"],
        Val::Flags(vec!["a".into(), "c".into()]),
    );
    roundtrip(
        "(map string u32)",
        &["i32", "i32"],
        Val::Map(vec![(Val::String("k".into()), Val::U32(1))]),
    );
}

#[test]
fn host_values_of_the_wrong_type_are_errors() {
    let engine = engine();
    let component = component(&engine, &echo_component("string", &["i32", "i32"]));
    let mut linker = Linker::new(&engine);
    linker
        .root()
        .func_new("echo", |_, _, results| {
            results[0] = Val::U32(1);
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_func(&store, "roundtrip").unwrap();
    let mut results = [Val::Bool(false)];
    let err = f
        .call(&mut store, &[Val::String("x".into())], &mut results)
        .unwrap_err();
    assert!(err.to_string().contains("expected string"), "{err}");
    let err = f.call(&mut store, &[Val::U8(1)], &mut results).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    // A value nested far deeper than its type is refused at the top, not
    // walked: lowering follows the type.
    let mut deep = Val::String("x".into());
    for _ in 0..100_000 {
        deep = Val::List(vec![deep]);
    }
    let mut args = [deep];
    let err = f.call(&mut store, &args, &mut results).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    // Take the value apart a level at a time: dropping it whole would
    // recurse 100,000 deep in the test itself.
    let mut next = std::mem::replace(&mut args[0], Val::Bool(false));
    while let Val::List(mut items) = next {
        next = items.pop().unwrap_or(Val::Bool(false));
    }
}

#[test]
fn missing_and_mismatched_imports_are_named() {
    let engine = engine();
    let component = component(&engine, &echo_component("u32", &["i32"]));
    let mut store = Store::new(&engine, ());
    let err = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Link { name, .. } if name == "echo"),
        "{err}"
    );
    let mut linker = Linker::<()>::new(&engine);
    linker.instance("echo").unwrap();
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(err.to_string().contains("expected a function"), "{err}");
}

const VERSIONED: &str = r#"(component
  (import "test:pkg/iface@0.2.0" (instance $i (export "f" (func (result u32)))))
  (core func $f (canon lower (func $i "f")))
  (core module $M (import "" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "g") (result u32) (canon lift (core func $m "g"))))"#;

#[test]
fn interface_versions_match_semver_compatibly() {
    let engine = engine();
    let component = component(&engine, VERSIONED);
    for (defined, ok) in [
        ("0.2.0", true),
        ("0.2.9", true),
        ("0.3.0", false),
        ("1.0.0", false),
    ] {
        let mut linker = Linker::new(&engine);
        linker
            .instance(&format!("test:pkg/iface@{defined}"))
            .unwrap()
            .func_new("f", |_, _, results| {
                results[0] = Val::U32(5);
                Ok(())
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &component);
        assert_eq!(instance.is_ok(), ok, "definition at {defined}");
        if let Ok(instance) = instance {
            let mut results = [Val::U32(0)];
            let g = instance.get_func(&store, "g").unwrap();
            g.call(&mut store, &[], &mut results).unwrap();
            assert_eq!(results[0], Val::U32(5));
        }
    }
}

/// Imports a host resource type with a constructor and a method, exports
/// functions using them.
const HOST_RESOURCE: &str = r#"(component
  (import "r" (type $r (sub resource)))
  (import "make" (func $make (param "v" u32) (result (own $r))))
  (import "get" (func $get (param "x" (borrow $r)) (result u32)))
  (canon resource.drop $r (core func $drop))
  (core func $make' (canon lower (func $make)))
  (core func $get' (canon lower (func $get)))
  (core module $M
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "make-get-drop") (param i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $make (local.get 0)))
      (local.set $v (call $get (local.get $h)))
      (call $drop (local.get $h))
      (local.get $v))
    (func (export "keep") (param i32) (result i32) (call $make (local.get 0)))
    ;; A borrow received must be dropped before returning.
    (func (export "read") (param i32) (result i32)
      (local $v i32)
      (local.set $v (call $get (local.get 0)))
      (call $drop (local.get 0))
      (local.get $v))
    (func (export "leak") (param i32)))
  (core instance $m (instantiate $M (with "" (instance
    (export "make" (func $make')) (export "get" (func $get')) (export "drop" (func $drop))))))
  (func (export "leak") (param "x" (borrow $r)) (canon lift (core func $m "leak")))
  (func (export "make-get-drop") (param "v" u32) (result u32) (canon lift (core func $m "make-get-drop")))
  (func (export "keep") (param "v" u32) (result (own $r)) (canon lift (core func $m "keep")))
  (func (export "read") (param "x" (borrow $r)) (result u32) (canon lift (core func $m "read"))))"#;

struct Host {
    dropped: Vec<u32>,
}

#[test]
fn host_resources_are_made_lent_and_destroyed() {
    let engine = engine();
    let component = component(&engine, HOST_RESOURCE);
    let mut linker = Linker::<Host>::new(&engine);
    let ty = ResourceType::host::<Host>();
    let mut root = linker.root();
    root.resource("r", ty, |mut store, rep| {
        store.data_mut().dropped.push(rep);
        Ok(())
    })
    .unwrap();
    root.func_new("make", move |store, args, results| {
        let Val::U32(v) = args[0] else { unreachable!() };
        results[0] = Val::Resource(ResourceAny::new_own(store, ty, v * 10)?);
        Ok(())
    })
    .unwrap();
    root.func_new("get", |store, args, results| {
        let Val::Resource(r) = &args[0] else {
            unreachable!()
        };
        assert!(!r.owned());
        results[0] = Val::U32(r.rep(&store)? + 1);
        Ok(())
    })
    .unwrap();
    let mut store = Store::new(&engine, Host { dropped: vec![] });
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let call = |store: &mut Store<Host>, name: &str, args: &[Val]| {
        let f = instance.get_func(&*store, name).unwrap();
        let mut results = [Val::Bool(false)];
        f.call(store, args, &mut results)
            .map(|()| results[0].clone())
    };
    assert_eq!(
        call(&mut store, "make-get-drop", &[Val::U32(4)]).unwrap(),
        Val::U32(41)
    );
    assert_eq!(store.data().dropped, [40]);
    // An own handle returned to the host, lent back, then dropped by the host.
    let Val::Resource(kept) = call(&mut store, "keep", &[Val::U32(7)]).unwrap() else {
        panic!("not a resource")
    };
    assert_eq!(kept.rep(&store).unwrap(), 70);
    assert_eq!(
        call(&mut store, "read", &[Val::Resource(kept)]).unwrap(),
        Val::U32(71)
    );
    // A callee that keeps a borrow past its return traps.
    let leak = instance.get_func(&store, "leak").unwrap();
    let err = leak
        .call(&mut store, &[Val::Resource(kept)], &mut [])
        .unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::BorrowsRemain), "{err}");
    kept.resource_drop(&mut store).unwrap();
    assert_eq!(store.data().dropped, [40, 70]);
    // A dropped handle is gone.
    let err = call(&mut store, "read", &[Val::Resource(kept)]).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
}

/// A guest resource with a destructor that counts.
const GUEST_RESOURCE: &str = r#"(component
  (core module $D
    (global $drops (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $drops (i32.add (global.get $drops) (local.get 0))))
    (func (export "drops") (result i32) (global.get $drops)))
  (core instance $d (instantiate $D))
  (type $r (resource (rep i32) (dtor (core func $d "dtor"))))
  (canon resource.new $r (core func $new))
  (canon resource.drop $r (core func $drop))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "consume") (param i32) (call $drop (local.get 0)))
    (func (export "leak-borrow") (param i32)))
  (core instance $m (instantiate $M (with "" (instance (export "new" (func $new)) (export "drop" (func $drop))))))
  (export $r' "r" (type $r))
  (func (export "make") (param "v" u32) (result (own $r')) (canon lift (core func $m "make")))
  (func (export "consume") (param "x" (own $r')) (canon lift (core func $m "consume")))
  (func (export "drops") (result u32) (canon lift (core func $d "drops"))))"#;

#[test]
fn guest_resources_move_through_the_host_and_run_their_destructor() {
    let engine = engine();
    let component = component(&engine, GUEST_RESOURCE);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let call = |store: &mut Store<()>, name: &str, args: &[Val]| {
        let f = instance.get_func(&*store, name).unwrap();
        let mut results = vec![Val::Bool(false); usize::from(f.result(&*store).is_some())];
        f.call(store, args, &mut results).map(|()| results.pop())
    };
    let Some(Val::Resource(a)) = call(&mut store, "make", &[Val::U32(3)]).unwrap() else {
        panic!()
    };
    let Some(Val::Resource(b)) = call(&mut store, "make", &[Val::U32(5)]).unwrap() else {
        panic!()
    };
    assert_eq!(instance.get_resource(&store, "r"), Some(a.ty()));
    // The guest's own representation is not the host's to read.
    assert!(a.rep(&store).is_err());
    call(&mut store, "consume", &[Val::Resource(a)]).unwrap();
    assert_eq!(call(&mut store, "drops", &[]).unwrap(), Some(Val::U32(3)));
    // `a` moved into the guest: passing it again is an error.
    let err = call(&mut store, "consume", &[Val::Resource(a)]).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    b.resource_drop(&mut store).unwrap();
    assert_eq!(call(&mut store, "drops", &[]).unwrap(), Some(Val::U32(8)));
}

/// A component whose export calls back, through its parent, into itself.
const REENTRY: &str = r#"(component
  (component $C
    (import "g" (func $g))
    (core func $g' (canon lower (func $g)))
    (core module $M (import "" "g" (func $g)) (func (export "f") (call $g)))
    (core instance $m (instantiate $M (with "" (instance (export "g" (func $g'))))))
    (func (export "f") (canon lift (core func $m "f"))))
  (core module $Table
    (table (export "t") 1 funcref)
    (type $v (func))
    (func (export "call-slot") (call_indirect (type $v) (i32.const 0))))
  (core instance $t (instantiate $Table))
  (func $g (canon lift (core func $t "call-slot")))
  (instance $c (instantiate $C (with "g" (func $g))))
  (core func $f (canon lower (func $c "f")))
  (core module $Fill
    (import "" "t" (table 1 funcref))
    (import "" "f" (func $f))
    (elem (i32.const 0) func $f))
  (core instance (instantiate $Fill (with "" (instance (export "t" (table $t "t")) (export "f" (func $f))))))
  (func (export "f") (alias export $c "f")))"#;

#[test]
fn recursion_between_components_traps() {
    let engine = engine();
    let component = component(&engine, REENTRY);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::CannotEnter), "{err}");
}

#[test]
fn host_calling_back_into_a_running_instance_traps() {
    let engine = engine();
    let component = component(&engine, &echo_component("u32", &["i32"]));
    let mut linker = Linker::new(&engine);
    let slot: Arc<Mutex<Option<compono_runtime::Func>>> = Arc::default();
    let inner = slot.clone();
    linker
        .root()
        .func_new("echo", move |mut store, args, results| {
            let f = inner.lock().unwrap().expect("set");
            let mut out = [Val::U32(0)];
            f.call(&mut store, args, &mut out)?;
            results[0] = out[0].clone();
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_func(&store, "roundtrip").unwrap();
    *slot.lock().unwrap() = Some(f);
    let mut results = [Val::U32(0)];
    let err = f
        .call(&mut store, &[Val::U32(1)], &mut results)
        .unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::CannotEnter), "{err}");
}

/// Exports whose core functions return bad pointers, lengths, characters
/// and discriminants, or a `realloc` that returns garbage.
const BAD_GUEST: &str = r#"(component
  (core module $M
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x7fffffff))
    (func (export "string-past-end") (result i32)
      (i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100)) (i32.const 0))
    (func (export "huge-list") (result i32)
      (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 0x80000000)) (i32.const 0))
    (func (export "misaligned") (result i32) (i32.const 2))
    (func (export "bad-char") (result i32) (i32.const 0xD800))
    (func (export "bad-case") (result i32) (i32.const 3))
    (func (export "take-string") (param i32 i32)))
  (core instance $m (instantiate $M))
  (type $e' (enum "a" "b"))
  (export $e "e" (type $e'))
  (func (export "string-past-end") (result string)
    (canon lift (core func $m "string-past-end") (memory (core memory $m "mem"))))
  (func (export "huge-list") (result (list u32))
    (canon lift (core func $m "huge-list") (memory (core memory $m "mem"))))
  (func (export "misaligned") (result (tuple u64 u64))
    (canon lift (core func $m "misaligned") (memory (core memory $m "mem"))))
  (func (export "bad-char") (result char) (canon lift (core func $m "bad-char")))
  (func (export "bad-case") (result $e) (canon lift (core func $m "bad-case")))

  (func (export "take-string") (param "s" string)
    (canon lift (core func $m "take-string") (memory (core memory $m "mem")) (realloc (core func $m "realloc")))))"#;

#[test]
fn misbehaving_guests_trap_without_large_allocations() {
    let engine = engine();
    let component = component(&engine, BAD_GUEST);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    for (name, args, code) in [
        ("string-past-end", vec![], TrapCode::StringOutOfBounds),
        ("huge-list", vec![], TrapCode::ListOutOfBounds),
        ("misaligned", vec![], TrapCode::UnalignedPointer),
        ("bad-char", vec![], TrapCode::InvalidChar),
        ("bad-case", vec![], TrapCode::InvalidDiscriminant),
        (
            "take-string",
            vec![Val::String("abc".into())],
            TrapCode::ReallocOutOfBounds,
        ),
    ] {
        let f = instance.get_func(&store, name).unwrap();
        let mut results = vec![Val::Bool(false); usize::from(f.result(&store).is_some())];
        let err = f.call(&mut store, &args, &mut results).unwrap_err();
        assert_eq!(trap_code(&err), Some(code), "{name}: {err}");
    }
}

#[test]
fn deeply_nested_types_are_refused_when_compiling() {
    let engine = engine();
    let mut types = String::from("(type $t0 u8)");
    for i in 1..=150 {
        types.push_str(&format!("(type $t{i} (list $t{}))", i - 1));
    }
    let wat = format!("(component {types} (import \"f\" (func (param \"x\" $t150))))");
    let bytes = wat::parse_str(&wat).unwrap();
    let err = Component::new(&engine, &bytes).err().expect("refused");
    assert!(matches!(err, Error::Compile { .. }), "{err}");
}

/// An exception that leaves a component's export becomes a trap: the
/// component calling it cannot catch it, even with `catch_all`
/// (CanonicalABI.md: exceptions do not cross component boundaries).
#[test]
fn exceptions_do_not_cross_component_boundaries() {
    let engine = engine();
    let component = component(
        &engine,
        r#"(component
          (component $Thrower
            (core module $M
              (tag $oops)
              (func (export "throw") (throw $oops)))
            (core instance $m (instantiate $M))
            (func (export "throw") (canon lift (core func $m "throw"))))
          (component $Catcher
            (import "thrower" (instance $t (export "throw" (func))))
            (core func $throw (canon lower (func $t "throw")))
            (core module $M
              (import "" "throw" (func $throw))
              (func (export "run") (result i32)
                (block $caught
                  (try_table (catch_all $caught) (call $throw))
                  (return (i32.const 0)))
                (i32.const 1)))
            (core instance $m (instantiate $M
              (with "" (instance (export "throw" (func $throw))))))
            (func (export "run") (result u32) (canon lift (core func $m "run"))))
          (instance $t (instantiate $Thrower))
          (instance $c (instantiate $Catcher (with "thrower" (instance $t))))
          (export "run" (func $c "run"))
          (export "throw" (func $t "throw")))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let throw = instance.get_func(&store, "throw").unwrap();
    let err = throw.call(&mut store, &[], &mut []).unwrap_err();
    let uncaught = TrapCode::Core(compono_interp::TrapCode::UncaughtException);
    assert_eq!(trap_code(&err), Some(uncaught), "{err}");

    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut out = [Val::U32(7)];
    let err = run.call(&mut store, &[], &mut out).unwrap_err();
    assert_eq!(trap_code(&err), Some(uncaught), "{err}");
}
