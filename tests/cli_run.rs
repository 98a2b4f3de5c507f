//! `compono run` end to end.

use compono_testutil::command;
use std::path::PathBuf;
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/interp")
        .join(name)
}

fn run(file: &str, invoke: &str, args: &[&str]) -> Output {
    command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .arg(fixture(file))
        .args(["--invoke", invoke])
        .args(args)
        .output()
        .expect("compono runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn prints_integer_results_as_signed_decimal() {
    let out = run("arith.wat", "add", &["2147483647", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "-2147483648\n");
}

#[test]
fn negative_arguments_are_accepted() {
    let out = run("arith.wat", "add", &["-5", "3"]);
    assert_eq!(stdout(&out), "-2\n");
}

#[test]
fn floats_print_in_shortest_round_trip_form() {
    assert_eq!(
        stdout(&run("arith.wat", "fdiv", &["1", "3"])),
        "0.3333333333333333\n"
    );
    assert_eq!(stdout(&run("arith.wat", "fdiv", &["0", "0"])), "NaN\n");
    assert_eq!(stdout(&run("arith.wat", "fdiv", &["-1", "0"])), "-inf\n");
    assert_eq!(stdout(&run("arith.wat", "fdiv", &["inf", "2"])), "inf\n");
}

#[test]
fn multiple_results_print_one_per_line() {
    assert_eq!(
        stdout(&run("arith.wat", "pair", &["7", "2.5"])),
        "-7\n2.5\n"
    );
    assert_eq!(stdout(&run("arith.wat", "refs", &[])), "null\nnull\nref\n");
    assert_eq!(
        stdout(&run("arith.wat", "fact", &["20"])),
        "2432902008176640000\n"
    );
}

#[test]
fn trap_is_reported_on_stderr_with_exit_code_1() {
    let out = run("arith.wat", "div_s", &["1", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("integer divide by zero"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = run("arith.wat", "forever", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("call stack exhausted"),
        "{}",
        stderr(&out)
    );
    // The backtrace names functions from the name section (`$forever`)
    // and numbers the unnamed.
    let text = stderr(&out);
    assert!(text.contains("wasm backtrace:"), "{text}");
    assert!(text.contains("     0: <unknown>!forever\n"), "{text}");
    assert!(text.contains("   999: <unknown>!forever\n"), "{text}");
    let text = stderr(&run("arith.wat", "div_s", &["1", "0"]));
    assert!(
        text.contains("     0: <unknown>!<wasm function 1>\n"),
        "{text}"
    );
}

#[test]
fn instantiation_failures_exit_1() {
    let out = run("start_trap.wat", "f", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unreachable"), "{}", stderr(&out));
    let out = run("needs_import.wat", "f", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("env::host_fn"), "{}", stderr(&out));
}

#[test]
fn bad_arguments_and_missing_exports_are_errors() {
    let out = run("arith.wat", "add", &["1"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run("arith.wat", "add", &["x", "1"]);
    assert!(stderr(&out).contains("not a valid i32"), "{}", stderr(&out));
    let out = run("arith.wat", "nope", &[]);
    assert!(
        stderr(&out).contains("no exported function `nope`"),
        "{}",
        stderr(&out)
    );
}

fn run_component(args: &[&str]) -> Output {
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/runtime/counter.wat"))
        .args(args)
        .output()
        .expect("compono runs")
}

#[test]
fn component_calls_run_in_order_in_one_instance() {
    let out = run_component(&[
        "--stub-imports",
        "--invoke",
        "add(2, 40)",
        "--invoke",
        "greet(\"Ann\")",
        "--invoke",
        "make(7)",
        "--invoke",
        "make(9)",
        "--invoke",
        "value(resource2)",
        "--invoke",
        "value(resource1)",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "42\n\"hello\"\nresource1\nresource2\n9\n7\n");
    // The stubbed import reports its call in WAVE.
    assert!(
        stderr(&out).contains("stub: host:test/log#log(\"Ann\")"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn component_import_without_a_provider_is_named() {
    let out = run_component(&["--invoke", "add(1, 2)"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`host:test/log`"), "{}", stderr(&out));
}

#[test]
fn component_errors_name_what_exists() {
    let out = run_component(&["--stub-imports", "--invoke", "nope()"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exports no function `nope`; it exports: greet, make, value"),
        "{}",
        stderr(&out)
    );
    let out = run_component(&["--stub-imports", "--invoke", "add(1)"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("invalid arguments to `add`"),
        "{}",
        stderr(&out)
    );
    // A label no earlier call printed.
    let out = run_component(&[
        "--stub-imports",
        "--invoke",
        "make(1)",
        "--invoke",
        "value(resource2)",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no resource named `resource2`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn component_fuel_bounds_the_run() {
    let out = run_component(&["--stub-imports", "--fuel", "0", "--invoke", "add(1, 2)"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("out of fuel"), "{}", stderr(&out));
}

fn wast(files: &[&str]) -> Output {
    command(env!("CARGO_BIN_EXE_compono"))
        .arg("wast")
        .args(files.iter().map(|f| fixture(f)))
        .output()
        .expect("compono runs")
}

#[test]
fn wast_reports_per_file_counts() {
    let out = wast(&["passing.wast"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("passing.wast: 8 passed, 0 failed, 0 unsupported"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn wast_failures_are_listed_and_exit_1() {
    let out = wast(&["passing.wast", "failing.wast"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("failing.wast: 2 passed, 1 failed"), "{text}");
    assert!(
        text.contains("failing.wast:4:"),
        "the failed check is located: {text}"
    );
    assert!(text.contains("total: 10 passed, 1 failed"), "{text}");
}

#[test]
fn runs_binary_modules() {
    let module = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/interp/bench/fib.wasm");
    let out = command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .arg(module)
        .args(["--invoke", "run", "20"])
        .output()
        .expect("compono runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "6765\n");
}

fn program(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/wasi")
        .join(case)
        .join("component.wasm")
}

fn run_program(before: &[&str], case: &str, after: &[&str]) -> Output {
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .args(before)
        .arg(program(case))
        .args(after)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("compono runs")
}

#[test]
fn arguments_after_the_program_are_its_own() {
    let out = run_program(&["--argv0", "prog"], "args", &["--fuel", "3", "--", "-x"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "0: \"prog\"\n1: \"--fuel\"\n2: \"3\"\n3: \"--\"\n4: \"-x\"\n"
    );
    // Without --argv0 the program sees the file's name.
    let out = run_program(&[], "args", &[]);
    assert_eq!(stdout(&out), "0: \"component.wasm\"\n");
}

#[test]
fn environment_is_granted_variable_by_variable() {
    let out = compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .args([
            "run",
            "--env",
            "GREETING=hi",
            "--env",
            "PASSED",
            "--env",
            "UNSET_HERE",
        ])
        .arg(program("env"))
        .env("PASSED", "from the host")
        .env_remove("UNSET_HERE")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "GREETING=hi\nPASSED=from the host\nGREETING is Some(\"hi\")\nMISSING is None\n"
    );
    let out = compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .args(["run", "--inherit-env", "--env", "GREETING=override"])
        .arg(program("env"))
        .env("GREETING", "inherited")
        .env("MISSING", "now present")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("GREETING is Some(\"override\")"), "{text}");
    assert!(text.contains("MISSING is Some(\"now present\")"), "{text}");
}

#[test]
fn exit_status_is_the_programs_and_traps_are_distinct() {
    assert_eq!(run_program(&[], "exit-0", &[]).status.code(), Some(0));
    assert_eq!(run_program(&[], "exit-1", &[]).status.code(), Some(1));
    assert_eq!(run_program(&[], "wat-exit-42", &[]).status.code(), Some(42));
    let out = run_program(&[], "rust-panic", &[]);
    assert_eq!(out.status.code(), Some(134));
    let text = stderr(&out);
    assert!(
        text.contains("panicked at"),
        "the program's own message: {text}"
    );
    assert!(
        text.contains("trapped: wasm trap: unreachable")
            && text.contains("while running `wasi:cli/run"),
        "{text}"
    );
    let out = run_program(&["--fuel", "10"], "hello", &[]);
    assert_eq!(out.status.code(), Some(134));
    assert!(stderr(&out).contains("out of fuel"), "{}", stderr(&out));
}

#[test]
fn stdout_and_stderr_are_unbuffered_and_in_order() {
    let file = tempfile::tempfile().unwrap();
    let status = compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .arg(program("c-hello"))
        .stdout(file.try_clone().unwrap())
        .stderr(file.try_clone().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    use std::io::{Read, Seek};
    let mut file = file;
    file.rewind().unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    assert_eq!(text, "Hello from C!\nand hello on stderr\n");
}

#[test]
fn max_memory_bounds_the_program() {
    let out = run_program(&["--max-memory", "65536"], "hello", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("failed to instantiate"),
        "{}",
        stderr(&out)
    );
    let out = run_program(&["--max-memory", "16777216"], "hello", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn wasi_options_mirror_wasmtimes_s() {
    let out = run_program(&["-S", "help"], "hello", &[]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("inherit-env"), "{}", stdout(&out));
    let out = run_program(&["-S", "http"], "hello", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`-S http`"), "{}", stderr(&out));
    let out = run_program(&["-S", "tcp=n,udp=n,inherit-network=n"], "hello", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without the WASI host the program's imports are missing.
    let out = run_program(&["-S", "cli=n"], "hello", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("failed to link import `wasi:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn directories_must_exist_and_be_granted() {
    let out = run_program(&["--dir", "/nonexistent-compono-dir"], "hello", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("/nonexistent-compono-dir"),
        "{}",
        stderr(&out)
    );
    // No --dir: the program sees no directories at all.
    let out = run_program(&[], "fs-dirs", &[]);
    assert_eq!(out.status.code(), Some(134), "{}", stdout(&out));
}

#[test]
fn invoke_calls_exports_with_the_wasi_host_serving_imports() {
    let exports =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/runtime/wasi-exports.wat");
    let invoke = |args: &[&str]| {
        compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
            .arg("run")
            .args(args)
            .arg(&exports)
            .output()
            .unwrap()
    };
    let roll = invoke(&[
        "--deterministic",
        "--invoke",
        "roll()",
        "--invoke",
        "roll()",
    ]);
    assert!(roll.status.success(), "{}", stderr(&roll));
    assert_eq!(
        stdout(&roll),
        stdout(&invoke(&[
            "--deterministic",
            "--invoke",
            "roll()",
            "--invoke",
            "roll()"
        ]))
    );
    let text = stdout(&roll);
    let draws: Vec<&str> = text.lines().collect();
    assert_eq!(draws.len(), 2);
    assert_ne!(draws[0], draws[1]);
    // A WASI exit inside a call ends the process with that status.
    let quit = invoke(&[
        "--invoke", "roll()", "--invoke", "quit(9)", "--invoke", "roll()",
    ]);
    assert_eq!(quit.status.code(), Some(9));
    assert_eq!(stdout(&quit).lines().count(), 1, "{}", stdout(&quit));
    // For a program, `--invoke` after the file is the program's argument.
    let out = run_program(&[], "args", &["--invoke", "f()"]);
    assert_eq!(
        stdout(&out),
        "0: \"component.wasm\"\n1: \"--invoke\"\n2: \"f()\"\n"
    );
}

#[test]
fn components_that_are_not_programs_need_invoke() {
    let out = run_component(&["--stub-imports"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not export `wasi:cli/run`")
            && stderr(&out).contains("--invoke"),
        "{}",
        stderr(&out)
    );
}

/// Runs `compono run [before] FILE [after]` with `text` as the file.
fn run_text(before: &[&str], text: &str, after: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("module.wat");
    std::fs::write(&path, text).unwrap();
    compono_testutil::command(env!("CARGO_BIN_EXE_compono"))
        .arg("run")
        .args(before)
        .arg(&path)
        .args(after)
        .output()
        .unwrap()
}

#[test]
fn preview1_commands_run_through_componos_adapter() {
    // Writes its argument count as a digit and exits with `proc_exit(3)`.
    let module = r#"(module
        (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "args_sizes_get"
            (func $args_sizes_get (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
        (memory (export "memory") 1)
        (data (i32.const 16) "argc=?\n")
        (func (export "_start")
            (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
            (i32.store8 (i32.const 21) (i32.add (i32.const 48) (i32.load (i32.const 0))))
            (i32.store (i32.const 8) (i32.const 16))
            (i32.store (i32.const 12) (i32.const 7))
            (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 32)))
            (call $proc_exit (i32.const 3))))"#;
    // Everything after the file is the program's, as for wasmtime.
    let out = run_text(&[], module, &["a", "--invoke", "c"]);
    assert_eq!(stdout(&out), "argc=4\n", "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    // compono's adapter targets WASI 0.2.0, whose `exit` only tells
    // failure from success (as the official adapter's does).
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn preview1_modules_that_cannot_run_get_a_clear_error() {
    let reactor = r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (memory (export "memory") 1)
        (func (export "f")))"#;
    let preview0 = r#"(module
        (import "wasi_unstable" "proc_exit" (func (param i32)))
        (memory (export "memory") 1)
        (func (export "_start")))"#;
    for (module, args, message) in [
        (reactor, &[][..], "without `_start`"),
        (reactor, &["--invoke", "f"][..], "without `_start`"),
        (preview0, &[][..], "WASI preview0"),
    ] {
        let out = run_text(args, module, &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
}
