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
