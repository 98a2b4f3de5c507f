//! `compono wit PATH`: placeholder replaced below.
use anyhow::Result;
#[derive(clap::Args)]
pub struct Args {}
impl Args {
    pub fn run(self) -> Result<()> {
        Ok(())
    }
}
