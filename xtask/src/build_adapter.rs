//! `cargo xtask build-adapter [--check]`: builds compono's preview1 adapter
//! (`crates/compono-adapter`, for `wasm32-unknown-unknown`) in both
//! flavours and writes the checked-in `.wasm` files next to the crate; with
//! `--check`, compares instead and fails when they differ.
//!
//! The build is reproducible: the `adapter` profile (size-optimised, LTO,
//! `panic = "abort"`), the rustc recorded in `adapter.rustc` beside the
//! files, and `tools/finish.rs` (shared with the freshness test) for what
//! happens after linking.

use crate::root;
use anyhow::{Context, Result, bail};

#[path = "../../crates/compono-adapter/tools/mod.rs"]
mod tools;
use tools::build;

pub fn main(args: &[String]) -> Result<()> {
    let check = args.iter().any(|a| a == "--check");
    let root = root();
    let crate_dir = root.join("crates/compono-adapter");
    let wit = root.join("../shared/wit/wasi-0.2.6");
    let target_dir = root.join("target/adapter");
    let mut stale = Vec::new();
    for flavour in ["command", "reactor"] {
        let bytes = build::build(&root, &target_dir, flavour, &wit).map_err(anyhow::Error::msg)?;
        let path = crate_dir.join(format!("wasi_snapshot_preview1.{flavour}.wasm"));
        if check {
            let current = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
            if current != bytes {
                stale.push(path);
            }
        } else {
            std::fs::write(&path, &bytes).with_context(|| format!("{}", path.display()))?;
            println!("{}: {} bytes", path.display(), bytes.len());
        }
    }
    if check {
        if !stale.is_empty() {
            bail!(
                "stale: {}; run `cargo xtask build-adapter`",
                stale
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    } else {
        std::fs::write(
            crate_dir.join("adapter.rustc"),
            build::rustc_version().map_err(anyhow::Error::msg)?,
        )?;
    }
    Ok(())
}
