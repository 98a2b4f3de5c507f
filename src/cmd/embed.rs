//! `compono embed WIT [MODULE]`: record a WIT world in a core module's
//! `component-type` custom section.

use crate::io::{DwarfArgs, display_name, read_wasm, write_wasm};
use anyhow::{Context, Result, bail};
use compono_component::{DummyNames, EmbedOptions, StringEncoding};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A `.wit` file, a directory of WIT (with `deps/`), or a WIT package
    /// encoded as wasm.
    wit: PathBuf,

    /// The core module (binary or text); `-` or nothing reads stdin. Not
    /// with `--dummy`.
    module: Option<PathBuf>,

    #[command(flatten)]
    features: super::wit::FeatureArgs,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Where to write the output; stdout by default (binary only with `-o`
    /// or when stdout is not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// How the module's canonical ABI represents strings: utf8, utf16 or
    /// compact-utf16.
    #[arg(long, value_name = "ENCODING", default_value = "utf8")]
    encoding: StringEncoding,

    /// The world to embed: `W` in the main package, or fully qualified
    /// (`ns:pkg/W`); needed when the package has several.
    #[arg(short, long, value_name = "WORLD")]
    world: Option<String>,

    /// Name interfaces by their canonical version (`wasi:cli/exit@0.2`)
    /// with the rest of the version as a `version-suffix`.
    #[arg(long)]
    emit_canonical_names: bool,

    /// Generate a placeholder module with every import and export the world
    /// needs, in the standard (`cm32p2`) names, instead of reading one (a
    /// MODULE given is ignored). Same as `--dummy-names standard32`.
    #[arg(long)]
    dummy: bool,

    /// Like `--dummy`, with the core names given: `legacy` or `standard32`.
    #[arg(long, value_name = "DUMMY_NAMES")]
    dummy_names: Option<DummyNames>,

    /// With `--dummy-names legacy`: lower imports with the async ABI and
    /// lift exports async with a callback.
    #[arg(long)]
    async_callback: bool,

    /// With `--dummy-names legacy`: lower imports with the async ABI and
    /// lift exports async without a callback.
    #[arg(long)]
    async_stackful: bool,

    /// Print the output module as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// Output only the `component-type` section's payload (the world
    /// encoded as a component); no module is read.
    #[arg(long, conflicts_with_all = ["wat", "dummy"])]
    only_custom: bool,
}

impl Args {
    pub fn run(self) -> Result<()> {
        if self.async_callback || self.async_stackful {
            bail!(
                "`--async-callback` and `--async-stackful` are not supported: compono does \
                 not implement the async ABI yet"
            );
        }
        let (resolve, package) = super::wit::load_wit_path(&self.wit, &self.features)?;
        let world = resolve
            .select_world(&[package], self.world.as_deref())
            .with_context(|| format!("cannot select a world in `{}`", self.wit.display()))?;
        let options = EmbedOptions {
            encoding: self.encoding,
            emit_canonical_names: self.emit_canonical_names,
        };
        if self.only_custom {
            let payload = compono_component::section_payload(&resolve, world, &options)
                .with_context(|| {
                    format!("failed to encode the world of `{}`", self.wit.display())
                })?;
            return write_wasm(self.output.as_deref(), &payload, false);
        }
        let dummy_names = match (self.dummy_names, self.dummy) {
            (Some(names), _) => Some(names),
            (None, true) => Some(DummyNames::Standard32),
            (None, false) => None,
        };
        let module_path = self.module.clone().unwrap_or_else(|| PathBuf::from("-"));
        let (module, input_name) = match dummy_names {
            Some(names) => (
                compono_component::dummy_module(&resolve, world, names)
                    .context("failed to generate the placeholder module")?,
                "the placeholder module".to_string(),
            ),
            None => (
                read_wasm(&module_path, &self.dwarf)?,
                format!("`{}`", display_name(&module_path)),
            ),
        };
        let out = compono_component::embed(&module, resolve, world, &options)
            .with_context(|| format!("failed to embed the world into {input_name}"))?;
        write_wasm(self.output.as_deref(), &out, self.wat)
    }
}
