//! `compono link [NAME=]LIB...` (also `compono component link`): link
//! shared libraries into one component. wasm-tools' flags.

use super::component_flags::ComponentFlags;
use crate::io::read_wasm;
use anyhow::{Context, Result};
use compono_component::LinkOptions;
use compono_component::link::Library;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The shared libraries, each as `[NAME=]PATH`; NAME (what other
    /// libraries' `needed` lists call it) defaults to the file name.
    #[arg(value_name = "[NAME=]LIB")]
    libraries: Vec<String>,

    /// A library that `dlopen` can find, as `[NAME=]PATH` (repeatable).
    #[arg(long = "dl-openable", value_name = "[NAME=]LIB")]
    dl_openable: Vec<String>,

    /// The stack's size in bytes (1 MiB by default).
    #[arg(long, value_name = "BYTES")]
    stack_size: Option<u32>,

    /// Link missing functions to stubs that trap when called.
    #[arg(long)]
    stub_missing_functions: bool,

    /// Add a built-in `libdl.so` providing `dlopen`, `dlsym`, `dlclose`
    /// and `dlerror` over the `--dl-openable` libraries.
    #[arg(long)]
    use_built_in_libdl: bool,

    #[command(flatten)]
    component: ComponentFlags,
}

/// `[NAME=]PATH`: the name defaults to the file name.
fn parse_library(spec: &str) -> (String, PathBuf) {
    match spec.split_once('=') {
        Some((name, path)) => (name.to_string(), PathBuf::from(path)),
        None => {
            let path = PathBuf::from(spec);
            let name = path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| spec.to_string());
            (name, path)
        }
    }
}

impl Args {
    pub fn run(self) -> Result<()> {
        let flags = &self.component;
        flags.check()?;
        let mut libraries = Vec::new();
        let specs = self
            .libraries
            .iter()
            .map(|s| (s, false))
            .chain(self.dl_openable.iter().map(|s| (s, true)));
        for (spec, dl_openable) in specs {
            let (name, path) = parse_library(spec);
            libraries.push(Library {
                name,
                bytes: read_wasm(&path, &flags.dwarf)?,
                dl_openable,
            });
        }
        let modules: Vec<&[u8]> = libraries.iter().map(|l| l.bytes.as_slice()).collect();
        let options = LinkOptions {
            validate: flags.validate(),
            stub_missing_functions: self.stub_missing_functions,
            use_built_in_libdl: self.use_built_in_libdl,
            stack_size: self.stack_size,
            merge_imports_based_on_semver: flags.merge_imports_based_on_semver(),
            reject_legacy_names: flags.reject_legacy_names,
            debug_names: flags.debug_names(),
            adapters: flags.adapters(&modules)?,
            realloc_via_memory_grow: flags.realloc_via_memory_grow,
            emit_canonical_names: flags.emit_canonical_names,
        };
        let mut out = flags.output();
        // `link` validates the component itself (unless skipped).
        let component = compono_component::link_into(&libraries, &options, out.sink())
            .context("failed to link the shared libraries")?;
        out.finish(&component)
    }
}
