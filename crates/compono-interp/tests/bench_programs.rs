//! The benchmark programs in `fixtures/interp/bench/`: each runs and
//! computes what wasmi computes for `run(0)` (their setup; a debug build is
//! too slow for more: `cargo xtask bench interp` compares every result at
//! full size), and the checked-in C modules are what `build.sh` builds
//! from their sources today (where clang-19 is installed; under `CI=true`
//! it must be).

use std::path::{Path, PathBuf};

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/interp/bench")
}

fn modules() -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(bench_dir())
        .expect("fixtures/interp/bench exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    list.sort();
    list
}

fn run_compono(bytes: &[u8], arg: i32) -> i64 {
    use compono_interp::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(&engine, bytes).expect("compiles");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let run = instance
        .get_func(&store, "run")
        .expect("exports run")
        .typed::<i32, i64>(&store)
        .expect("run: i32 -> i64");
    run.call(&mut store, arg).expect("runs")
}

fn run_wasmi(bytes: &[u8], arg: i32) -> i64 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, bytes).expect("compiles");
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .expect("instantiates");
    let run = instance
        .get_typed_func::<i32, i64>(&store, "run")
        .expect("run: i32 -> i64");
    run.call(&mut store, arg).expect("runs")
}

#[test]
fn programs_compute_what_wasmi_computes() {
    let modules = modules();
    assert!(modules.len() >= 10, "expected the benchmark programs");
    for path in modules {
        let bytes = std::fs::read(&path).expect("readable module");
        assert_eq!(
            run_compono(&bytes, 0),
            run_wasmi(&bytes, 0),
            "{}",
            path.display()
        );
    }
}

#[test]
fn c_modules_are_current() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let has_clang = compono_testutil::command("clang-19")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_clang {
        assert!(!in_ci, "clang-19 is missing");
        eprintln!("clang-19 not installed; skipped outside CI");
        return;
    }
    let out = std::env::temp_dir().join(format!("compono-bench-build-{}", std::process::id()));
    let status = compono_testutil::command("bash")
        .arg(bench_dir().join("build.sh"))
        .arg(&out)
        .status()
        .expect("build.sh runs");
    assert!(status.success(), "build.sh failed");
    for path in modules() {
        // Only C: rustc's output changes with its version.
        if !path.with_extension("c").exists() {
            continue;
        }
        let name = path.file_name().expect("a file name");
        let built = std::fs::read(out.join(name)).expect("build.sh built the module");
        assert!(
            built == std::fs::read(&path).expect("readable module"),
            "{} is not what build.sh builds from its source; rerun fixtures/interp/bench/build.sh",
            path.display()
        );
    }
    let _ = std::fs::remove_dir_all(out);
}
