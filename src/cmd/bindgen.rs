//! `compono bindgen`: guest bindings. The generators are not written yet
//! (tracked in the bindings issue); the subcommand says so instead of
//! pretending.

use anyhow::{Result, bail};
use std::ffi::OsString;

#[derive(clap::Args)]
pub struct Args {
    /// The language and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<OsString>,
}

impl Args {
    pub fn run(self) -> Result<()> {
        bail!("`bindgen` is not implemented yet: guest bindings for Rust and C are still to come")
    }
}
