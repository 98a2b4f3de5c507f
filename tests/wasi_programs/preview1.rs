//! The preview1 corpus (`fixtures/preview1/`, described in
//! `crates/compono-component/tests/preview1.rs`) under `compono run`: each
//! `program.wasm` is a preview1 core module, which `compono run` makes a
//! component with compono's adapter and runs on its own WASI host. The
//! run must give the case's `expected/outcome`, which is what the program
//! does natively in wasmtime's preview1 (the corpus test checks that
//! against wasmtime on every run): stdout, stderr, the exit class and the
//! files left in the sandbox, listed as that test's harness lists them.

use libtest_mimic::Failed;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/preview1")
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A file's content as the harness shows it: short printable text as a
/// JSON string, anything else as its size and a SHA-256 prefix.
fn shown(path: &Path) -> Result<String, Failed> {
    let data = fs::read(path)?;
    if data.len() <= 200
        && data
            .iter()
            .all(|b| (32..127).contains(b) || *b == 9 || *b == 10)
    {
        let mut text = String::from("\"");
        for c in String::from_utf8_lossy(&data).chars() {
            match c {
                '"' => text.push_str("\\\""),
                '\\' => text.push_str("\\\\"),
                '\n' => text.push_str("\\n"),
                '\t' => text.push_str("\\t"),
                c => text.push(c),
            }
        }
        text.push('"');
        return Ok(text);
    }
    let out = compono_testutil::command("sha256sum").arg(path).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let hash = text.get(..16).ok_or("sha256sum printed nothing")?;
    Ok(format!("{} bytes sha256:{hash}", data.len()))
}

/// The sandbox as the harness lists it (`os.walk`: a directory's entries,
/// then each subdirectory's, in sorted order; links are not followed).
pub fn snapshot(root: &Path, rel: &Path, out: &mut Vec<String>) -> Result<(), Failed> {
    let mut names: Vec<_> = fs::read_dir(root.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    let mut dirs = Vec::new();
    for name in names {
        let path = rel.join(&name);
        let full = root.join(&path);
        let meta = fs::symlink_metadata(&full)?;
        let shown_path = path.display();
        if meta.is_symlink() {
            let target = fs::read_link(&full)?;
            out.push(format!("{shown_path} symlink -> {}", target.display()));
        } else if meta.is_dir() {
            out.push(format!("{shown_path} dir"));
            dirs.push(path);
        } else {
            out.push(format!("{shown_path} file {}", shown(&full)?));
        }
    }
    for dir in dirs {
        snapshot(root, &dir, out)?;
    }
    Ok(())
}

pub fn check(dir: &Path) -> Result<(), Failed> {
    let work = tempfile::tempdir()?;
    let sandbox = work.path().join("sandbox");
    copy_tree(&dir.join("sandbox"), &sandbox)?;
    let program = dir.join("program.wasm");
    let mut cmd = compono_testutil::command(env!("CARGO_BIN_EXE_compono"));
    cmd.arg("run")
        .arg("--dir")
        .arg(format!("{}::/sandbox", sandbox.display()))
        .args(["--argv0", "program"]);
    for line in lines(&dir.join("env")) {
        cmd.arg("--env").arg(line);
    }
    cmd.arg(&program).args(lines(&dir.join("args")));
    let stdin = dir.join("stdin");
    if stdin.exists() {
        cmd.stdin(Stdio::from(fs::File::open(&stdin)?));
    }
    let out = cmd.output()?;
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let class = match out.status.code() {
        Some(0) => "success",
        Some(super::TRAP_STATUS) => {
            // compono's own trap report follows the program's stderr.
            let marker = format!("error: `{}` trapped", program.display());
            let at = stderr
                .rfind(&marker)
                .ok_or("exit status 134 without a trap report")?;
            stderr.truncate(at);
            "trap"
        }
        Some(_) => "failure",
        None => return Err(format!("compono was killed: {}", out.status).into()),
    };
    let mut files = Vec::new();
    snapshot(&sandbox, Path::new(""), &mut files)?;
    let actual = format!(
        "exit: {class}\n--- stdout\n{}\n--- stderr\n{stderr}\n--- files\n{}\n",
        String::from_utf8_lossy(&out.stdout),
        files.join("\n")
    );
    // Where compono's host is known to answer differently, the case's
    // `compono-run-differs` says why and `expected/compono-run-outcome`
    // (rewritten with `BLESS=1`) is the run instead; the native outcome
    // must then differ, so a fixed gap shows.
    let native_path = dir.join("expected/outcome");
    let native =
        fs::read_to_string(&native_path).map_err(|e| format!("{}: {e}", native_path.display()))?;
    if !dir.join("compono-run-differs").exists() {
        if native != actual {
            return Err(format!(
                "`compono run` differs from the native preview1 run:\n{}",
                pretty_assertions::StrComparison::new(&native, &actual)
            )
            .into());
        }
        return Ok(());
    }
    if native == actual {
        return Err(
            "`compono run` gives the native outcome now: remove `compono-run-differs` \
                    and `expected/compono-run-outcome`"
                .into(),
        );
    }
    let path = dir.join("expected/compono-run-outcome");
    if std::env::var_os("BLESS").is_some() {
        fs::write(&path, &actual)?;
    }
    let expected = fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (BLESS=1 writes it)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "`compono run` differs from {}:\n{}",
            path.display(),
            pretty_assertions::StrComparison::new(&expected, &actual)
        )
        .into());
    }
    Ok(())
}
