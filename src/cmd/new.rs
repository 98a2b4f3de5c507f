//! `compono new MODULE` (also `compono component new`): wrap a core module
//! with embedded WIT worlds into a component. wasm-tools' flags.

use crate::io::{Validation, read_input, write_wasm};
use anyhow::{Context, Result, bail};
use compono_component::NewOptions;
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
    pub fn run(self) -> Result<()> {
        let adapters: Vec<(String, PathBuf)> =
            self.adapters.iter().map(|a| parse_adapter(a)).collect();
        if let Some((name, path)) = adapters.first() {
            bail!(
                "`--adapt {name}={}`: adapter modules are not supported yet by this version \
                 of compono; build the module against WASI 0.2 directly, or use another tool \
                 for adapted modules until adapter support lands",
                path.display()
            );
        }
        let mut import_names = Vec::new();
        for spec in &self.import_names {
            let Some((old, new)) = spec.split_once('=') else {
                bail!("`--import-name {spec}`: expected `OLD=NEW`");
            };
            import_names.push((old.to_string(), new.to_string()));
        }
        let bytes = read_input(&self.module)?;
        let module = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", self.module.display()))?;
        let options = NewOptions {
            validate: self.validate && !self.skip_validation,
            merge_imports_based_on_semver: self.merge_imports_based_on_semver,
            reject_legacy_names: self.reject_legacy_names,
            debug_names: self.debug_names,
            import_names,
        };
        let component = compono_component::new(&module, &options).with_context(|| {
            format!(
                "failed to make a component from `{}`",
                self.module.display()
            )
        })?;
        // `new` validated the component itself (unless skipped).
        write_wasm(
            &self.output,
            &component,
            self.wat,
            Validation::Skip,
            "component",
        )
    }
}
