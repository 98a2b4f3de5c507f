//! The WASI program corpus (`fixtures/wasi/`): every case is run by
//! `compono run` and by wasmtime (wasmtime-py's `add_wasip2` host) with the
//! same arguments, environment, stdin and sandbox, and the two must agree
//! on stdout, stderr, the class of the exit (status, trap, link error) and
//! the files left behind; compono's run must also match the case's
//! blessed `expected` file (`BLESS=1` rewrites it).
//!
//! A case is a directory with a source (`main.rs`, `main.c` or `main.wat`)
//! and its built `component.wasm` (`cargo xtask fixtures wasi` rebuilds
//! them; `MANIFEST` holds the sources' hashes, checked here), and
//! optionally `args` and `env` (one per line), `stdin`, `dir/` (the
//! sandbox's initial files, preopened as `.`), `dir-ro` (preopen it
//! read-only), `outside/` (files next to the sandbox, which must stay out
//! of reach), `symlinks` (`path -> target` links made in the sandbox
//! before the run; `$OUTSIDE` is the outside directory's absolute path)
//! `deterministic` (run twice with `--deterministic`, instead of in
//! wasmtime, and require identical runs) and `race` (while the program
//! runs, keep swapping the sandbox's directory `d` with its link `swap`).
//! A `differs-from-wasmtime` file says why a case is not run in wasmtime
//! (compono's host differs there by design).
//!
//! The trials named `preview1/CASE` run the preview1 corpus
//! (`fixtures/preview1/`) with `compono run` (see `preview1.rs`).

#[path = "wasi_programs/backtrace.rs"]
mod backtrace;
#[path = "wasi_programs/preview1.rs"]
mod preview1;

use libtest_mimic::{Arguments, Failed, Trial};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wasi")
}

/// `compono run`'s exit status for a trap.
const TRAP_STATUS: i32 = 134;

/// What one run of a program did.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// `exit N`, `trap` or `link-error`.
    class: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The sandbox and the directory beside it, listed.
    files: String,
}

struct Case {
    name: String,
    dir: PathBuf,
}

impl Case {
    fn file(&self, name: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.join(name)).ok()
    }

    fn lines(&self, name: &str) -> Vec<String> {
        self.file(name)
            .map(|b| String::from_utf8(b).expect("UTF-8"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn args(&self) -> Vec<String> {
        self.lines("args")
    }

    fn env(&self) -> Vec<(String, String)> {
        self.lines("env")
            .into_iter()
            .map(|l| {
                let (k, v) = l.split_once('=').expect("env lines are NAME=VALUE");
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    fn read_only(&self) -> bool {
        self.dir.join("dir-ro").exists()
    }

    fn stdin(&self) -> PathBuf {
        let path = self.dir.join("stdin");
        if path.exists() {
            path
        } else {
            PathBuf::from("/dev/null")
        }
    }

    /// A fresh `work/sandbox` and `work/outside` for one run.
    fn prepare(&self, work: &Path) -> (PathBuf, PathBuf) {
        let (sandbox, outside) = (work.join("sandbox"), work.join("outside"));
        fs::create_dir_all(&sandbox).unwrap();
        fs::create_dir_all(&outside).unwrap();
        copy_tree(&self.dir.join("dir"), &sandbox);
        copy_tree(&self.dir.join("outside"), &outside);
        for line in self.lines("symlinks") {
            let (path, target) = line.split_once(" -> ").expect("`path -> target`");
            let target = target.replace("$OUTSIDE", &outside.to_string_lossy());
            std::os::unix::fs::symlink(target, sandbox.join(path)).unwrap();
        }
        (sandbox, outside)
    }
}

fn copy_tree(from: &Path, to: &Path) {
    let Ok(entries) = fs::read_dir(from) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// FNV-1a, 64 bits (as `cargo xtask fixtures` writes the manifest).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The files under `root`, one line each, sorted; `outside` is written as
/// `$OUTSIDE` in link targets.
fn list_files(label: &str, root: &Path, outside: &Path, out: &mut String) {
    let mut entries: Vec<_> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = format!("{label}/{}", path.file_name().unwrap().to_string_lossy());
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_symlink() {
            let target = fs::read_link(&path).unwrap().to_string_lossy().into_owned();
            let target = target.replace(&*outside.to_string_lossy(), "$OUTSIDE");
            writeln!(out, "{name} -> {target}").unwrap();
        } else if meta.is_dir() {
            writeln!(out, "{name}/").unwrap();
            list_files(&name, &path, outside, out);
        } else {
            let bytes = fs::read(&path).unwrap();
            writeln!(out, "{name}: {}", summary(&bytes)).unwrap();
        }
    }
}

/// Short texts verbatim, anything else as its size and hash.
fn summary(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.len() <= 200 => format!("{text:?}"),
        _ => format!("{} bytes, fnv1a {:016x}", bytes.len(), fnv1a(bytes)),
    }
}

fn snapshot(sandbox: &Path, outside: &Path) -> String {
    let mut files = String::new();
    list_files("sandbox", sandbox, outside, &mut files);
    list_files("outside", outside, outside, &mut files);
    files
}

/// While a program runs, swaps the sandbox's directory `d` and the link
/// `swap` back and forth (each rename is atomic, so `d` is always the
/// directory, the link, or missing); stopping puts them back.
struct Swapper {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl Swapper {
    fn start(case: &Case, sandbox: &Path) -> Swapper {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        if !case.dir.join("race").exists() {
            return Swapper { stop, thread: None };
        }
        let (flag, sandbox) = (stop.clone(), sandbox.to_path_buf());
        let thread = std::thread::spawn(move || {
            let mut swaps = 0;
            while !flag.load(Ordering::Relaxed) {
                let _ = fs::rename(sandbox.join("d"), sandbox.join("parked"));
                let _ = fs::rename(sandbox.join("swap"), sandbox.join("d"));
                let _ = fs::rename(sandbox.join("d"), sandbox.join("swap"));
                let _ = fs::rename(sandbox.join("parked"), sandbox.join("d"));
                swaps += 1;
            }
            swaps
        });
        Swapper {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let swaps = thread.join().unwrap();
            assert!(swaps > 0, "the swapping thread never ran");
        }
    }
}

/// Runs the case with `compono run`; also returns compono's own report
/// (its trap or link error message), which is not the program's output.
fn run_compono(case: &Case, work: &Path, extra: &[&str]) -> (Outcome, String) {
    let (sandbox, outside) = case.prepare(work);
    let dir_flag = if case.read_only() {
        "--dir-ro"
    } else {
        "--dir"
    };
    let mut cmd = compono_testutil::command(env!("CARGO_BIN_EXE_compono"));
    cmd.arg("run")
        .arg(dir_flag)
        .arg(format!("{}::.", sandbox.display()))
        .args(["--argv0", "main.wasm"])
        .args(extra);
    for (k, v) in case.env() {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg(case.dir.join("component.wasm"))
        .args(case.args())
        .stdin(Stdio::from(fs::File::open(case.stdin()).unwrap()));
    let swapper = Swapper::start(case, &sandbox);
    let out = cmd.output().expect("compono runs");
    swapper.finish();
    let mut stderr = out.stderr;
    let mut report = String::new();
    let class = match out.status.code() {
        Some(TRAP_STATUS) => {
            // compono's trap report follows the program's own stderr.
            let marker = format!(
                "error: `{}` trapped",
                case.dir.join("component.wasm").display()
            );
            let text = String::from_utf8_lossy(&stderr).into_owned();
            let at = text.rfind(&marker).expect("a trap report");
            report = text[at..].replace(&*case.dir.to_string_lossy(), "<case>");
            stderr.truncate(at);
            "trap".to_string()
        }
        Some(1) if String::from_utf8_lossy(&stderr).contains("failed to instantiate") => {
            report = String::from_utf8_lossy(&stderr)
                .lines()
                .filter(|l| l.contains("failed to link"))
                .collect::<Vec<_>>()
                .join("\n");
            stderr.clear();
            "link-error".to_string()
        }
        Some(code) => format!("exit {code}"),
        None => panic!("compono was killed: {:?}", out.status),
    };
    let outcome = Outcome {
        class,
        stdout: out.stdout,
        stderr,
        files: snapshot(&sandbox, &outside),
    };
    (outcome, report)
}

/// wasmtime's run, and its error message (for a trap, with its backtrace).
fn run_wasmtime(case: &Case, work: &Path) -> Result<(Outcome, String), Failed> {
    let (sandbox, outside) = case.prepare(work);
    let (stdout, stderr) = (work.join("wasmtime.stdout"), work.join("wasmtime.stderr"));
    let mut args = vec!["main.wasm".to_string()];
    args.extend(case.args());
    let request = serde_json::json!({
        "component": case.dir.join("component.wasm"),
        "args": args,
        "env": case.env(),
        "stdin": case.stdin(),
        "stdout": stdout,
        "stderr": stderr,
        "dir": sandbox,
        "readonly": case.read_only(),
    });
    let request_path = work.join("request.json");
    fs::write(&request_path, request.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi_programs/wasmtime_run.py");
    let swapper = Swapper::start(case, &sandbox);
    let out = compono_testutil::command("python3")
        .arg(script)
        .arg(&request_path)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    swapper.finish();
    let text = String::from_utf8_lossy(&out.stdout);
    let class = text.lines().next().unwrap_or_default().to_string();
    if !out.status.success() || class.is_empty() {
        return Err(format!(
            "the wasmtime runner failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let message = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    let outcome = Outcome {
        class,
        stdout: fs::read(&stdout).unwrap_or_default(),
        stderr: fs::read(&stderr).unwrap_or_default(),
        files: snapshot(&sandbox, &outside),
    };
    Ok((outcome, message))
}

/// The blessed form of a run.
fn render(outcome: &Outcome, report: &str) -> String {
    let text = |bytes: &[u8]| match std::str::from_utf8(bytes) {
        Ok(t) if bytes.len() <= 8192 => t.to_string(),
        _ => format!("<{} bytes, fnv1a {:016x}>\n", bytes.len(), fnv1a(bytes)),
    };
    let mut out = format!("exit: {}\n", outcome.class);
    if !report.is_empty() {
        writeln!(out, "compono says:\n{}", report.trim_end()).unwrap();
    }
    write!(
        out,
        "--- stdout\n{}--- stderr\n{}--- files\n{}",
        text(&outcome.stdout),
        text(&outcome.stderr),
        outcome.files
    )
    .unwrap();
    out
}

fn differences(ours: &Outcome, theirs: &Outcome) -> Vec<String> {
    let mut diffs = Vec::new();
    let show = |b: &[u8]| {
        let t = String::from_utf8_lossy(b);
        if t.len() > 2000 {
            format!("{}... ({} bytes)", &t[..2000], t.len())
        } else {
            t.into_owned()
        }
    };
    if ours.class != theirs.class {
        diffs.push(format!(
            "exit: compono {}, wasmtime {}",
            ours.class, theirs.class
        ));
    }
    if ours.stdout != theirs.stdout {
        diffs.push(format!(
            "stdout differs:\n--- compono\n{}\n--- wasmtime\n{}",
            show(&ours.stdout),
            show(&theirs.stdout)
        ));
    }
    if ours.stderr != theirs.stderr {
        diffs.push(format!(
            "stderr differs:\n--- compono\n{}\n--- wasmtime\n{}",
            show(&ours.stderr),
            show(&theirs.stderr)
        ));
    }
    if ours.files != theirs.files {
        diffs.push(format!(
            "files differ:\n--- compono\n{}--- wasmtime\n{}",
            ours.files, theirs.files
        ));
    }
    diffs
}

fn check(case: &Case, wasmtime: bool) -> Result<(), Failed> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let deterministic = case.dir.join("deterministic").exists();
    let extra: &[&str] = if deterministic {
        &["--deterministic"]
    } else {
        &[]
    };
    let (ours, report) = run_compono(case, &work.path().join("compono"), extra);
    let mut failures = Vec::new();
    if deterministic {
        let (again, _) = run_compono(case, &work.path().join("again"), extra);
        if again != ours {
            failures.push(format!(
                "two --deterministic runs differ:\n{}",
                differences(&ours, &again).join("\n")
            ));
        }
    } else if wasmtime && !case.dir.join("differs-from-wasmtime").exists() {
        let (theirs, message) = run_wasmtime(case, &work.path().join("wasmtime"))?;
        failures.extend(differences(&ours, &theirs));
        if ours.class == "trap" && theirs.class == "trap" {
            let expected = backtrace::wasmtime_frames(&message);
            let found = backtrace::compono_frames(&report);
            if expected.is_empty() || found != expected {
                failures.push(format!(
                    "the trap's backtrace differs from wasmtime's:\n--- compono\n{}\n--- wasmtime\n{}\n--- wasmtime's message\n{message}",
                    found.join("\n"),
                    expected.join("\n")
                ));
            }
        }
    }
    let rendered = render(&ours, &report);
    let expected_path = case.dir.join("expected");
    if std::env::var_os("BLESS").is_some() {
        fs::write(&expected_path, &rendered).map_err(|e| e.to_string())?;
    } else {
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == rendered => {}
            Ok(expected) => failures.push(format!(
                "compono's run differs from `expected` (BLESS=1 rewrites it):\n{}",
                pretty_assertions::StrComparison::new(&expected, &rendered)
            )),
            Err(_) => failures.push("no `expected` file: run with BLESS=1".to_string()),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}

/// The checked-in components are built from the sources as they are now.
fn manifest_is_current(cases: &[Case]) -> Result<(), Failed> {
    let manifest = fs::read_to_string(corpus().join("MANIFEST")).map_err(|e| e.to_string())?;
    let mut stale = Vec::new();
    for case in cases {
        let source = ["main.rs", "main.c", "main.wat"]
            .iter()
            .find_map(|s| case.file(s))
            .ok_or_else(|| format!("case `{}` has no source", case.name))?;
        let line = format!("{} {:016x}", case.name, fnv1a(&source));
        if !manifest.lines().any(|l| l == line) || !case.dir.join("component.wasm").exists() {
            stale.push(case.name.clone());
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "rebuild with `cargo xtask fixtures wasi`: out of date: {}",
            stale.join(", ")
        )
        .into())
    }
}

fn wasmtime_available() -> bool {
    compono_testutil::command("python3")
        .args(["-c", "import wasmtime.component"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn main() {
    let args = Arguments::from_args();
    let mut cases: Vec<Case> = fs::read_dir(corpus())
        .expect("fixtures/wasi")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("component.wasm").exists() || p.join("main.rs").exists())
        .map(|dir| Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir,
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    let wasmtime = wasmtime_available();
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut trials = Vec::new();
    if !wasmtime {
        trials.push(
            Trial::test("wasmtime-py-available", || {
                Err("python3 cannot import wasmtime.component (cargo xtask setup installs it); the runs were not compared with wasmtime".into())
            })
            .with_ignored_flag(!on_ci),
        );
    }
    let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
    let manifest_cases: Vec<Case> = names
        .iter()
        .map(|n| Case {
            name: n.clone(),
            dir: corpus().join(n),
        })
        .collect();
    trials.push(Trial::test("manifest-current", move || {
        manifest_is_current(&manifest_cases)
    }));
    for case in cases {
        trials.push(Trial::test(case.name.clone(), move || {
            check(&case, wasmtime)
        }));
    }
    let mut preview1_cases: Vec<PathBuf> = fs::read_dir(preview1::corpus())
        .expect("fixtures/preview1")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("program.wasm").exists())
        .collect();
    preview1_cases.sort();
    for dir in preview1_cases {
        let name = format!("preview1/{}", dir.file_name().unwrap().to_string_lossy());
        trials.push(Trial::test(name, move || preview1::check(&dir)));
    }
    libtest_mimic::run(&args, trials).exit();
}
