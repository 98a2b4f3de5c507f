//! Reading inputs (`-` is stdin) and writing outputs atomically (`-` is
//! stdout), so that a failed run never leaves a half-written file.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::path::Path;

/// Reads a whole input file, or stdin for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("failed to read stdin")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, or to stdout for `-`.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).context("failed to write stdout")?;
        return out.flush().context("failed to write stdout");
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    // Temporary files are private; the output should have the permissions a
    // plain write would give it (those of the file it replaces, if any).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|existing| existing.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    tmp.persist(path)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}

/// Whether `write_wasm` validates what it writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Validate first (the default for every command).
    Check,
    /// `--skip-validation`, or already validated by the library call that
    /// made the bytes (`new` validates its own output, to tell an invalid
    /// input module from a bug of ours).
    Skip,
}

/// The one way a command writes a module or component: validated first
/// (unless `validation` is `Skip`), so compono never writes a binary that
/// does not validate; as text with `wat`; atomically, like `write_output`.
/// `what` names the output in errors ("component", "encoded package").
pub fn write_wasm(
    path: &Path,
    bytes: &[u8],
    wat: bool,
    validation: Validation,
    what: &'static str,
) -> Result<()> {
    if validation == Validation::Check {
        compono_wit::validate(bytes, what).with_context(|| {
            format!(
                "refusing to write `{}`: it would not be valid wasm",
                path.display()
            )
        })?;
    }
    if wat {
        let text = wasmprinter::print_bytes(bytes).context("failed to print wasm as text")?;
        return write_output(path, text.as_bytes());
    }
    write_output(path, bytes)
}
