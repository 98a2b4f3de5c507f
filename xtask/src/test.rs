//! `cargo xtask test`: the README's test command and what CI runs.

use crate::{root, run};
use anyhow::Result;
use std::process::Command;

pub fn main(args: &[String]) -> Result<()> {
    if !args.iter().any(|a| a == "--no-setup") {
        crate::setup::main()?;
    }
    let root = root();
    run(Command::new("cargo")
        .current_dir(&root)
        .args(["fmt", "--all", "--check"]))?;
    run(Command::new("cargo").current_dir(&root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(Command::new("cargo")
        .current_dir(&root)
        .args(["test", "--workspace"]))?;
    Ok(())
}
