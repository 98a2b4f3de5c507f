//! The adapters of `new` and `link`: those given with `--adapt
//! [NAME=]PATH` (`--adapt wasi_snapshot_preview1` alone is compono's
//! own), and compono's own for `wasi_snapshot_preview1` imports unless
//! `--no-auto-adapt`.

use crate::io::{DwarfArgs, read_wasm};
use anyhow::{Context, Result};
use compono_component::adapter::{self, Adapter};
use std::path::{Path, PathBuf};

/// `[NAME=]PATH`: NAME defaults to the file's stem.
fn parse_adapter(spec: &str) -> (String, PathBuf) {
    match spec.split_once('=') {
        Some((name, path)) => (name.to_string(), PathBuf::from(path)),
        None => {
            let path = PathBuf::from(spec);
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, path)
        }
    }
}

/// The adapters for `modules`, the core modules that become one
/// component (the flavour of compono's own adapter depends on whether
/// one of them exports `_start`).
pub fn adapters(
    specs: &[String],
    modules: &[&[u8]],
    auto_adapt: bool,
    dwarf: &DwarfArgs,
) -> Result<Vec<Adapter>> {
    let mut adapters = Vec::new();
    for spec in specs {
        if spec == adapter::PREVIEW1 && !Path::new(spec).exists() {
            adapters.push(adapter::builtin_preview1_for(modules)?.1);
            continue;
        }
        let (name, path) = parse_adapter(spec);
        let bytes = read_wasm(&path, dwarf).with_context(|| {
            format!(
                "failed to read adapter `{}`",
                crate::io::display_name(&path)
            )
        })?;
        // Named by its file here; what makes it no adapter is for `new`
        // and `link` to say, by its name.
        wasmparser::Validator::new()
            .validate_all(&bytes)
            .with_context(|| {
                format!(
                    "adapter `{name}` (`{}`) is not a valid core module",
                    crate::io::display_name(&path)
                )
            })?;
        adapters.push(Adapter {
            name,
            module: bytes,
        });
    }
    if auto_adapt && let Some((flavour, builtin)) = adapter::auto_adapter_for(modules, &adapters)? {
        eprintln!(
            "compono: adapting `{}` imports with compono's {} adapter (--no-auto-adapt to turn \
             this off)",
            adapter::PREVIEW1,
            flavour.name()
        );
        adapters.push(builtin);
    }
    Ok(adapters)
}
