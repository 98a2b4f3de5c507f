//! `compono new MODULE` (also `compono component new`): wrap a core module
//! with embedded WIT worlds into a component. wasm-tools' flags.

use crate::io::{ComponentOutput, DwarfArgs, display_name, read_wasm};
use anyhow::{Context, Result, bail};
use compono_component::NewOptions;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The core module (binary or text); `-` reads stdin.
    #[arg(default_value = "-")]
    module: PathBuf,

    /// Rename an instance import in the output: `OLD=NEW`.
    #[arg(long = "import-name", value_name = "OLD=NEW")]
    import_names: Vec<String>,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Where to write the component; stdout by default (binary only with
    /// `-o` or when stdout is not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// An adapter module `[NAME=]PATH` for imports of module NAME (by
    /// default the file's stem, e.g. `wasi_snapshot_preview1`).
    #[arg(long = "adapt", value_name = "[NAME=]MODULE")]
    adapters: Vec<String>,

    /// Whether to validate the output component (the default).
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    validate: Option<bool>,

    /// Same as `--validate=false`.
    #[arg(long)]
    skip_validation: bool,

    /// Adapters allocate their state and stack with `memory.grow` instead
    /// of importing the main module's `cabi_realloc`.
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

    /// Name interfaces by their canonical version (`wasi:cli/exit@0.2`)
    /// with the rest of the version as a `version-suffix`.
    #[arg(long)]
    emit_canonical_names: bool,

    /// Accept only the standard `cm32p2` core names.
    #[arg(long)]
    reject_legacy_names: bool,

    /// Whether to name the synthesized modules and items.
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    debug_names: Option<bool>,

    /// Whether shims call through `return_call_ref` (tail calls and typed
    /// function references) instead of `call_indirect`.
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    return_call_ref: Option<bool>,

    /// Print the component as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,
}

impl Args {
    pub fn run(self) -> Result<()> {
        if self.return_call_ref == Some(true) {
            bail!(
                "`--return-call-ref` is not supported: compono's shims call through \
                 `call_indirect`, which every runtime supports; leave the flag out (or pass \
                 `--return-call-ref=false`)"
            );
        }
        let mut import_names = Vec::new();
        for spec in &self.import_names {
            let Some((old, new)) = spec.split_once('=') else {
                bail!("`--import-name {spec}`: expected `OLD=NEW`");
            };
            import_names.push((old.to_string(), new.to_string()));
        }
        let module = read_wasm(&self.module, &self.dwarf)?;
        let adapters =
            super::adapt::adapters(&self.adapters, &[&module], !self.no_auto_adapt, &self.dwarf)?;
        let options = NewOptions {
            validate: self.validate.unwrap_or(true) && !self.skip_validation,
            merge_imports_based_on_semver: self.merge_imports_based_on_semver.unwrap_or(true),
            reject_legacy_names: self.reject_legacy_names,
            debug_names: self.debug_names.unwrap_or(false),
            realloc_via_memory_grow: self.realloc_via_memory_grow,
            emit_canonical_names: self.emit_canonical_names,
            import_names,
            adapters,
        };
        let mut out = ComponentOutput::new(self.output.as_deref(), self.wat);
        // `new` validates the component itself (unless skipped).
        let component =
            compono_component::new_into(&module, &options, out.sink()).with_context(|| {
                format!(
                    "failed to make a component from `{}`",
                    display_name(&self.module)
                )
            })?;
        out.finish(&component)
    }
}
