//! `compono embed WIT [MODULE]`: record a WIT world in a core module's
//! `component-type` custom section.

use crate::io::{Validation, read_input, write_wasm};
use anyhow::{Context, Result, bail};
use compono_component::{DummyNames, EmbedOptions, StringEncoding};
use std::path::PathBuf;
use wit_parser::Resolve;

#[derive(clap::Args)]
pub struct Args {
    /// A `.wit` file or a directory of WIT (with `deps/`).
    wit: PathBuf,

    /// The core module (binary or text); `-` reads stdin. Not with
    /// `--dummy`.
    module: Option<PathBuf>,

    /// The world to embed, when the package has several.
    #[arg(short, long, value_name = "W")]
    world: Option<String>,

    /// How the module's canonical ABI represents strings.
    #[arg(long, value_name = "ENC", default_value = "utf8")]
    encoding: StringEncoding,

    /// Generate a placeholder module with every import and export the world
    /// needs instead of reading one.
    #[arg(long, conflicts_with = "module")]
    dummy: bool,

    /// The names the `--dummy` module uses: `legacy` or `standard32`.
    #[arg(
        long,
        value_name = "NAMES",
        default_value = "legacy",
        requires = "dummy"
    )]
    dummy_names: DummyNames,

    /// Output only the custom section (in an otherwise empty module).
    #[arg(long)]
    only_custom: bool,

    /// Print the output module as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// Where to write the output; stdout by default.
    #[arg(short, long, value_name = "OUT", default_value = "-")]
    output: PathBuf,

    /// Write the output even if it does not validate.
    #[arg(long)]
    skip_validation: bool,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let mut resolve = Resolve::default();
        let (package, _) = resolve
            .push_path(&self.wit)
            .with_context(|| format!("failed to load WIT from `{}`", self.wit.display()))?;
        let world = resolve
            .select_world(&[package], self.world.as_deref())
            .with_context(|| format!("cannot select a world in `{}`", self.wit.display()))?;
        let module = if self.dummy {
            compono_component::dummy_module(&resolve, world, self.dummy_names)
                .context("failed to generate the placeholder module")?
        } else {
            let Some(path) = &self.module else {
                bail!("give a core module to embed into, or `--dummy` to generate one");
            };
            let bytes = read_input(path)?;
            wat::parse_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("failed to parse `{}`", path.display()))?
                .into_owned()
        };
        let options = EmbedOptions {
            encoding: self.encoding,
            only_custom: self.only_custom,
        };
        let input_name = self.module.as_ref().map_or_else(
            || "the placeholder module".to_string(),
            |p| format!("`{}`", p.display()),
        );
        let out = compono_component::embed(&module, resolve, world, &options)
            .with_context(|| format!("failed to embed the world into {input_name}"))?;
        let validation = if self.skip_validation {
            Validation::Skip
        } else {
            Validation::Check
        };
        write_wasm(&self.output, &out, self.wat, validation, "module")
    }
}
