//! `compono link [NAME=]LIB...` (also `compono component link`): link
//! shared libraries into one component. wasm-tools' flags.

use crate::io::{ComponentOutput, DwarfArgs, read_wasm};
use anyhow::{Context, Result, bail};
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

    /// Where to write the component; stdout by default (binary only with
    /// `-o` or when stdout is not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Print the component as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

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

    /// An adapter module `[NAME=]PATH` for imports of module NAME.
    #[arg(long = "adapt", value_name = "[NAME=]PATH")]
    adapters: Vec<String>,

    /// Whether to validate the output (the default).
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    validate: Option<bool>,

    /// Same as `--validate=false`.
    #[arg(long)]
    skip_validation: bool,

    /// Let adapters allocate with `memory.grow` (only matters with `--adapt`).
    #[arg(long)]
    realloc_via_memory_grow: bool,

    /// Do not adapt `wasi_snapshot_preview1` imports with compono's own
    /// adapter when no `--adapt` is given for them.
    #[arg(long)]
    no_auto_adapt: bool,

    /// Merge imports of semver-compatible interface versions (the default).
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    merge_imports_based_on_semver: Option<bool>,

    /// Emit canonical interface names with version suffixes (not
    /// supported yet).
    #[arg(long)]
    emit_canonical_names: bool,

    /// Accept only the standard `cm32p2` core names.
    #[arg(long)]
    reject_legacy_names: bool,

    /// Whether to name the synthesized modules and items.
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    debug_names: Option<bool>,

    /// Whether shims call through `return_call_ref` (only `false` is
    /// supported).
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    return_call_ref: Option<bool>,

    #[command(flatten)]
    dwarf: DwarfArgs,
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
        if self.emit_canonical_names {
            bail!("`--emit-canonical-names` is not supported yet by this version of compono");
        }
        if self.return_call_ref == Some(true) {
            bail!(
                "`--return-call-ref` is not supported by this version of compono; its shims \
                 use `call_indirect`"
            );
        }
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
                bytes: read_wasm(&path, &self.dwarf)?,
                dl_openable,
            });
        }
        let modules: Vec<&[u8]> = libraries.iter().map(|l| l.bytes.as_slice()).collect();
        let adapters =
            super::adapt::adapters(&self.adapters, &modules, !self.no_auto_adapt, &self.dwarf)?;
        let options = LinkOptions {
            validate: self.validate.unwrap_or(true) && !self.skip_validation,
            stub_missing_functions: self.stub_missing_functions,
            use_built_in_libdl: self.use_built_in_libdl,
            stack_size: self.stack_size,
            merge_imports_based_on_semver: self.merge_imports_based_on_semver.unwrap_or(true),
            reject_legacy_names: self.reject_legacy_names,
            debug_names: self.debug_names.unwrap_or(false),
            adapters,
            realloc_via_memory_grow: self.realloc_via_memory_grow,
        };
        let mut out = ComponentOutput::new(self.output.as_deref(), self.wat);
        // `link` validates the component itself (unless skipped).
        let component = compono_component::link_into(&libraries, &options, out.sink())
            .context("failed to link the shared libraries")?;
        out.finish(&component)
    }
}
