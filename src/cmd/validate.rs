//! `compono validate FILE`: wasmparser with every feature enabled.

use crate::io::read_input;
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A core module or component, binary or text; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let bytes = read_input(&self.input)?;
        let bytes = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", self.input.display()))?;
        let mut validator =
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
        validator
            .validate_all(&bytes)
            .with_context(|| format!("`{}` is not valid", self.input.display()))?;
        Ok(())
    }
}
