//! The preview1 corpus: one trial per directory under `fixtures/preview1/`.
//!
//! A case is a preview1 program (`main.rs` or `main.c`, built into the
//! checked-in `program.wasm` by `cargo xtask fixtures`, with a
//! `program.stamp` that must match the source) and how to run it: `args`
//! (one argument a line, after `program`), `env` (`NAME=value` lines),
//! `stdin`, and `sandbox/` (the initial content of the directory preopened
//! as `/sandbox`; an empty one when absent). Programs name their files by
//! absolute paths under `/sandbox`.
//!
//! It runs three ways with the same arguments, environment, stdin and
//! sandbox: natively in wasmtime's preview1, as a component made with
//! compono's adapter, and as a component made with the official adapter
//! (the `wasi-preview1-component-adapter-provider` crate) through
//! `compono new --adapt`, both in wasmtime's WASI 0.2. Stdout, stderr, the
//! exit class (success, failure, trap) and the files left in the sandbox
//! must be the same, and the native run must match `expected/` (rewritten
//! with `BLESS=1`). Where the official adapter answers some call
//! differently from wasmtime (an errno), the case's `official-differs` file
//! says how, and the official run must match `expected/official-outcome`
//! instead. `expected/imports` is the WASI interfaces compono's
//! component imports, as `wasm-tools component wit` lists them; each must
//! be one the program's preview1 imports can need. With the official
//! adapter, compono's component must print as the same WIT as the one
//! `wasm-tools component new --adapt` makes.
//!
//! The runs are in Python's wasmtime (`tests/preview1/harness.py`);
//! without it the trials are ignored, and fail when `CI=true`. Another way
//! to run the programs (`compono run` on compono's own runtime) is one
//! more entry in `paths` or one more run compared with `native` the same
//! way: the cases need no change.

#[path = "preview1/harness.rs"]
mod harness;
#[path = "preview1/programs.rs"]
mod programs;

use harness::outcome;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use compono_component::adapter::{self, Adapter, Flavour};
use compono_component::{NewOptions, new};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{Value, json};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/preview1")
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn wasmtime_available() -> bool {
    compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn wasm_tools_available() -> bool {
    compono_testutil::command("wasm-tools")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The component `compono new` makes of `program` with `adapter`.
fn component(program: &[u8], adapter: Adapter) -> Result<Vec<u8>, Failed> {
    let options = NewOptions {
        adapters: vec![adapter],
        ..Default::default()
    };
    Ok(new(program, &options)?)
}

fn check_expected(path: &Path, actual: &str) -> Result<(), Failed> {
    if std::env::var_os("BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, actual)?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1 to create it)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n{}",
            path.display(),
            pretty_assertions::StrComparison::new(&expected, actual)
        )
        .into());
    }
    Ok(())
}

/// `wasm-tools component wit` of `component`.
fn wit_text(component: &Path) -> Result<String, Failed> {
    let out = compono_testutil::command("wasm-tools")
        .args(["component", "wit"])
        .arg(component)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "wasm-tools component wit: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The WASI interfaces `component` imports, from `wasm-tools component wit`.
fn wit_imports(component: &Path) -> Result<Vec<String>, Failed> {
    let text = wit_text(component)?;
    let mut imports: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("import "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect();
    imports.sort();
    Ok(imports)
}

/// What `wasm-tools component new --adapt` makes of `program` with the
/// official adapter, as WIT.
fn wasm_tools_wit(work: &Path, program: &Path, official: &[u8]) -> Result<String, Failed> {
    let adapter = work.join("official-adapter.wasm");
    let component = work.join("wasm-tools.wasm");
    std::fs::write(&adapter, official)?;
    let out = compono_testutil::command("wasm-tools")
        .args(["component", "new"])
        .arg(program)
        .arg("--adapt")
        .arg(format!("{}={}", adapter::PREVIEW1, adapter.display()))
        .arg("-o")
        .arg(&component)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "wasm-tools component new: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    wit_text(&component)
}

/// Which preview1 imports can need each WASI interface: an interface no
/// import of the program can need must not be imported.
fn justified(interface: &str, preview1: &BTreeSet<String>) -> bool {
    let any = |names: &[&str]| names.iter().any(|n| preview1.contains(*n));
    let prefix = |p: &str| preview1.iter().any(|n| n.starts_with(p));
    let name = interface.split('@').next().unwrap_or(interface);
    match name {
        "wasi:cli/environment" => any(&[
            "args_get",
            "args_sizes_get",
            "environ_get",
            "environ_sizes_get",
        ]),
        "wasi:cli/exit" => any(&["proc_exit"]),
        "wasi:random/random" => any(&["random_get"]),
        "wasi:clocks/monotonic-clock" => any(&["clock_time_get", "clock_res_get", "poll_oneoff"]),
        "wasi:io/poll" => any(&["poll_oneoff"]),
        "wasi:cli/stdin" | "wasi:cli/stdout" | "wasi:cli/stderr" | "wasi:io/streams"
        | "wasi:io/error" => prefix("fd_") || any(&["poll_oneoff"]),
        "wasi:cli/terminal-input"
        | "wasi:cli/terminal-output"
        | "wasi:cli/terminal-stdin"
        | "wasi:cli/terminal-stdout"
        | "wasi:cli/terminal-stderr" => any(&["fd_fdstat_get", "fd_filestat_get"]),
        // Descriptors, their types (which use the wall clock's datetime),
        // and the preopens.
        "wasi:filesystem/types" | "wasi:filesystem/preopens" | "wasi:clocks/wall-clock" => {
            prefix("fd_")
                || prefix("path_")
                || prefix("sock_")
                || any(&["clock_time_get", "clock_res_get", "poll_oneoff"])
        }
        _ => false,
    }
}

fn preview1_imports(program: &[u8]) -> Result<BTreeSet<String>, Failed> {
    let mut names = BTreeSet::new();
    for payload in wasmparser::Parser::new(0).parse_all(program) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                let import = import?;
                if import.module == adapter::PREVIEW1 {
                    names.insert(import.name.to_string());
                }
            }
        }
    }
    Ok(names)
}

fn run_case(dir: &Path) -> Result<(), Failed> {
    let stamp = programs::stamp(dir)?;
    let recorded = std::fs::read_to_string(dir.join("program.stamp")).unwrap_or_default();
    if stamp != recorded {
        return Err(
            "program.wasm is stale (its source or build changed): run `cargo xtask \
                    fixtures`"
                .into(),
        );
    }
    let program = std::fs::read(dir.join("program.wasm"))?;
    let (flavour, ours) = adapter::builtin_preview1(&program)?;
    let official = match flavour {
        Flavour::Command => {
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER
        }
        Flavour::Reactor => {
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER
        }
    };
    let work = tempfile::tempdir()?;
    let paths = [
        (
            "native",
            "module",
            work.path().join("program.wasm"),
            program.clone(),
        ),
        (
            "compono",
            "component",
            work.path().join("compono.wasm"),
            component(&program, ours)?,
        ),
        (
            "official",
            "component",
            work.path().join("official.wasm"),
            component(
                &program,
                Adapter {
                    name: adapter::PREVIEW1.to_string(),
                    module: official.to_vec(),
                },
            )?,
        ),
    ];
    let mut ways = serde_json::Map::new();
    for (name, kind, path, bytes) in &paths {
        std::fs::write(path, bytes)?;
        ways.insert(name.to_string(), json!({"kind": kind, "path": path}));
    }
    let mut args = vec!["program".to_string()];
    args.extend(lines(&dir.join("args")));
    let env: Vec<Value> = lines(&dir.join("env"))
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| json!([k, v]))
        .collect();
    let stdin = dir.join("stdin");
    let spec = json!({
        "args": args,
        "env": env,
        "stdin": stdin.exists().then_some(stdin),
        "sandbox": dir.join("sandbox"),
        "ways": ways,
    });
    let report = harness::run(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/preview1/harness.py"),
        &spec,
    )?;

    let native = outcome(&report, "native");
    let mut problems = Vec::new();
    // Where the official adapter answers differently from wasmtime's
    // preview1 (errno details), `official-differs` says how, and its
    // outcome is checked against `expected/official-outcome` instead.
    let official_differs = dir.join("official-differs").exists();
    if official_differs
        && let Err(e) = check_expected(
            &dir.join("expected/official-outcome"),
            &outcome(&report, "official"),
        )
    {
        problems.push(e.message().unwrap_or_default().to_string());
    }
    for way in ["compono", "official"] {
        if way == "official" && official_differs {
            continue;
        }
        let theirs = outcome(&report, way);
        if theirs != native {
            problems.push(format!(
                "{way} differs from native preview1 (detail: {}):\n{}",
                report[way]["detail"],
                pretty_assertions::StrComparison::new(&native, &theirs)
            ));
        }
    }
    if let Err(e) = check_expected(&dir.join("expected/outcome"), &native) {
        problems.push(e.message().unwrap_or_default().to_string());
    }
    if wasm_tools_available() {
        let imports = wit_imports(&paths[1].2)?;
        let preview1 = preview1_imports(&program)?;
        for interface in &imports {
            if !justified(interface, &preview1) {
                problems.push(format!(
                    "compono's component imports `{interface}`, which none of the program's \
                     preview1 imports ({}) needs",
                    preview1.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if let Err(e) = check_expected(&dir.join("expected/imports"), &(imports.join("\n") + "\n"))
        {
            problems.push(e.message().unwrap_or_default().to_string());
        }
        // With the same adapter, the same component as the reference's.
        let ours = wit_text(&paths[2].2)?;
        let theirs = wasm_tools_wit(work.path(), &paths[0].2, official)?;
        if ours != theirs {
            problems.push(format!(
                "with the official adapter, compono's component prints as other WIT than \
                 wasm-tools':\n{}",
                pretty_assertions::StrComparison::new(&theirs, &ours)
            ));
        }
    } else if on_ci() {
        problems.push("CI=true but `wasm-tools` is not on PATH".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let available = wasmtime_available();
    let mut trials = Vec::new();
    if on_ci() && !available {
        trials.push(Trial::test("python-wasmtime-available", || {
            Err("CI=true but Python's `wasmtime` package is not importable".into())
        }));
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("program.wasm").exists() || programs::build_command(p).is_some())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        trials.push(Trial::test(name, move || run_case(&case)).with_ignored_flag(!available));
    }
    libtest_mimic::run(&args, trials).exit();
}
