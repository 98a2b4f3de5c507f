//! `compono wast FILE...`: runs spec-test scripts: core scripts on the
//! interpreter's driver, component-model scripts on the runtime's.

use anyhow::{Result, bail};
use compono_interp::{Config, Engine};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// `.wast` scripts to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print only the per-file counts, not each failed check. Checks that
    /// need a proposal the interpreter does not implement are counted as
    /// unsupported and do not make the command fail.
    #[arg(long)]
    summary: bool,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let engine = Engine::new(&Config::default());
        let (mut passed, mut failed, mut unsupported, mut unreadable) = (0u64, 0u64, 0u64, 0u64);
        for file in &self.files {
            let is_component = std::fs::read_to_string(file)
                .is_ok_and(|text| compono_runtime::wast::is_component_script(&text));
            let outcome = if is_component {
                compono_runtime::wast::run_file(&engine, file)
            } else {
                compono_interp::wast::run_file(&engine, file)
            };
            match outcome {
                Ok(report) => {
                    if !self.summary {
                        for failure in &report.failures {
                            println!("{}:{failure}", file.display());
                        }
                    }
                    println!(
                        "{}: {} passed, {} failed, {} unsupported",
                        file.display(),
                        report.passed,
                        report.failed,
                        report.unsupported
                    );
                    passed += u64::from(report.passed);
                    failed += u64::from(report.failed);
                    unsupported += u64::from(report.unsupported);
                }
                Err(message) => {
                    println!("{}: error: {message}", file.display());
                    unreadable += 1;
                }
            }
        }
        if self.files.len() > 1 {
            println!("total: {passed} passed, {failed} failed, {unsupported} unsupported");
        }
        if failed > 0 || unreadable > 0 {
            bail!("{failed} checks failed, {unreadable} files could not be run");
        }
        Ok(())
    }
}
