//! `cargo xtask fixtures`: rebuilds the compiled fixtures that are checked
//! in: the preview1 corpus (`fixtures/preview1/*/program.wasm`, from each
//! case's `main.rs` or `main.c`), stamping each so the corpus test can
//! tell it is current. `cargo xtask fixtures NAME...` rebuilds those cases.

use crate::{root, run};
use anyhow::{Context, Result, bail};

#[path = "../../crates/compono-component/tests/preview1/programs.rs"]
mod programs;

pub fn main(args: &[String]) -> Result<()> {
    let dir = root().join("fixtures/preview1");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned());
        if !args.is_empty() && !args.iter().any(|a| Some(a) == name.as_ref()) {
            continue;
        }
        let Some((_, mut cmd)) = programs::build_command(&case) else {
            bail!("{}: no main.rs or main.c", case.display());
        };
        let stamp = programs::stamp(&case).map_err(anyhow::Error::msg)?;
        run(cmd.current_dir(&case))?;
        std::fs::write(case.join("program.stamp"), stamp)?;
    }
    Ok(())
}
