//! `compono new MODULE` (also `compono component new`): wrap a core module
//! with embedded WIT worlds into a component. wasm-tools' flags.

use crate::io::{read_input, write_output};
use anyhow::{Context, Result, bail};
use compono_component::{NewOptions, adapter};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The core module (binary or text); `-` reads stdin.
    #[arg(default_value = "-")]
    module: PathBuf,

    /// Where to write the component; stdout by default.
    #[arg(short, long, value_name = "OUT", default_value = "-")]
    output: PathBuf,

    /// Print the component as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// An adapter module `[NAME=]PATH` for imports of module NAME.
    #[arg(long = "adapt", value_name = "[NAME=]PATH")]
    adapters: Vec<String>,

    /// Rename an instance import: `OLD=NEW`.
    #[arg(long = "import-name", value_name = "OLD=NEW")]
    import_names: Vec<String>,

    /// Validate the output (the default).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    validate: bool,

    /// Same as `--validate=false`.
    #[arg(long)]
    skip_validation: bool,

    /// Merge imports of semver-compatible interface versions (the default).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    merge_imports_based_on_semver: bool,

    /// Accept only the standard `cm32p2` core names.
    #[arg(long)]
    reject_legacy_names: bool,

    /// Name the synthesized modules and items.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    debug_names: bool,

    /// Adapters allocate their state and stack with `memory.grow` instead
    /// of the main module's `cabi_realloc`.
    #[arg(long)]
    realloc_via_memory_grow: bool,

    /// Do not adapt `wasi_snapshot_preview1` imports with compono's own
    /// adapter when no `--adapt` is given for them.
    #[arg(long)]
    no_auto_adapt: bool,
}

/// `[NAME=]PATH`: the module name defaults to the file stem.
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

impl Args {
    /// The adapters: those given with `--adapt` (`--adapt
    /// wasi_snapshot_preview1` alone is compono's own), and compono's own
    /// for `wasi_snapshot_preview1` imports unless `--no-auto-adapt`.
    fn adapters(&self, module: &[u8]) -> Result<Vec<adapter::Adapter>> {
        let mut adapters = Vec::new();
        for spec in &self.adapters {
            if spec == adapter::PREVIEW1 && !std::path::Path::new(spec).exists() {
                adapters.push(adapter::builtin_preview1(module)?.1);
                continue;
            }
            let (name, path) = parse_adapter(spec);
            let bytes = read_input(&path)?;
            let bytes = wat::parse_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("failed to parse adapter `{}`", path.display()))?;
            adapters.push(adapter::Adapter {
                name,
                module: bytes.into_owned(),
            });
        }
        if !self.no_auto_adapt
            && let Some((flavour, builtin)) = adapter::auto_adapter(module, &adapters)?
        {
            eprintln!(
                "compono: adapting `{}` imports with compono's {} adapter (--no-auto-adapt to turn this off)",
                adapter::PREVIEW1,
                flavour.name()
            );
            adapters.push(builtin);
        }
        Ok(adapters)
    }

    pub fn run(self) -> Result<()> {
        let bytes = read_input(&self.module)?;
        let module = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", self.module.display()))?;
        let adapters = self.adapters(&module)?;
        let mut import_names = Vec::new();
        for spec in &self.import_names {
            let Some((old, new)) = spec.split_once('=') else {
                bail!("`--import-name {spec}`: expected `OLD=NEW`");
            };
            import_names.push((old.to_string(), new.to_string()));
        }
        let options = NewOptions {
            validate: self.validate && !self.skip_validation,
            merge_imports_based_on_semver: self.merge_imports_based_on_semver,
            reject_legacy_names: self.reject_legacy_names,
            debug_names: self.debug_names,
            import_names,
            adapters,
            realloc_via_memory_grow: self.realloc_via_memory_grow,
        };
        let component = compono_component::new(&module, &options).with_context(|| {
            format!(
                "failed to make a component from `{}`",
                self.module.display()
            )
        })?;
        let out = if self.wat {
            wasmprinter::print_bytes(&component)?.into_bytes()
        } else {
            component
        };
        write_output(&self.output, &out)
    }
}
