//! The flags `new` and `link` share, as wasm-tools spells them: where the
//! component is written, its adapters, and how it is named and checked.

use crate::io::{ComponentOutput, DwarfArgs};
use anyhow::{Result, bail};
use compono_component::adapter::Adapter;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ComponentFlags {
    /// Where to write the component; stdout by default (binary only with
    /// `-o` or when stdout is not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Print the component as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

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
    pub realloc_via_memory_grow: bool,

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
    pub emit_canonical_names: bool,

    /// Accept only the standard `cm32p2` core names.
    #[arg(long)]
    pub reject_legacy_names: bool,

    /// Whether to name the synthesized modules and items.
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    debug_names: Option<bool>,

    /// Whether shims call through `return_call_ref` (tail calls and typed
    /// function references) instead of `call_indirect`.
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    return_call_ref: Option<bool>,

    #[command(flatten)]
    pub dwarf: DwarfArgs,
}

impl ComponentFlags {
    /// Refuses the flags compono accepts only for compatibility.
    pub fn check(&self) -> Result<()> {
        if self.return_call_ref == Some(true) {
            bail!(
                "`--return-call-ref` is not supported: compono's shims call through \
                 `call_indirect`, which every runtime supports; leave the flag out (or pass \
                 `--return-call-ref=false`)"
            );
        }
        Ok(())
    }

    pub fn validate(&self) -> bool {
        self.validate.unwrap_or(true) && !self.skip_validation
    }

    pub fn merge_imports_based_on_semver(&self) -> bool {
        self.merge_imports_based_on_semver.unwrap_or(true)
    }

    pub fn debug_names(&self) -> bool {
        self.debug_names.unwrap_or(false)
    }

    /// The adapters `--adapt` names, and compono's own preview1 adapter
    /// when `modules` import preview1 and no other is given.
    pub fn adapters(&self, modules: &[&[u8]]) -> Result<Vec<Adapter>> {
        super::adapt::adapters(&self.adapters, modules, !self.no_auto_adapt, &self.dwarf)
    }

    pub fn output(&self) -> ComponentOutput<'_> {
        ComponentOutput::new(self.output.as_deref(), self.wat)
    }
}
