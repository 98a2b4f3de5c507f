//! `cargo xtask fixtures`, for the link fixtures: rebuilds the shared
//! libraries of `fixtures/link/*` (clang-19) from the `lib` lines of each
//! case's `case.txt`. The link tests check that the checked-in files are
//! what this produces.

#[path = "../../tests/link/case.rs"]
mod case;

use anyhow::{Result, anyhow, bail};

pub fn main() -> Result<()> {
    if !case::clang_available() {
        bail!(
            "{} is needed to build the fixtures (`cargo xtask setup` installs it)",
            case::CLANG
        );
    }
    let root = crate::root();
    for dir in case::case_dirs(&root) {
        let case = case::read_case(&dir).map_err(|e| anyhow!(e))?;
        case::build(&case, &dir, &dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
        println!("built {}", dir.display());
    }
    Ok(())
}
