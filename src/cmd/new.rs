//! `compono new MODULE` (also `compono component new`): wrap a core module
//! with embedded WIT worlds into a component. wasm-tools' flags.

use super::component_flags::ComponentFlags;
use crate::io::{display_name, read_wasm};
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
    component: ComponentFlags,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let flags = &self.component;
        flags.check()?;
        let mut import_names = Vec::new();
        for spec in &self.import_names {
            let Some((old, new)) = spec.split_once('=') else {
                bail!("`--import-name {spec}`: expected `OLD=NEW`");
            };
            import_names.push((old.to_string(), new.to_string()));
        }
        let module = read_wasm(&self.module, &flags.dwarf)?;
        let options = NewOptions {
            validate: flags.validate(),
            merge_imports_based_on_semver: flags.merge_imports_based_on_semver(),
            reject_legacy_names: flags.reject_legacy_names,
            debug_names: flags.debug_names(),
            realloc_via_memory_grow: flags.realloc_via_memory_grow,
            emit_canonical_names: flags.emit_canonical_names,
            import_names,
            adapters: flags.adapters(&[&module])?,
        };
        let mut out = flags.output();
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
