//! Reading inputs (`-` is stdin) and writing outputs atomically (`-` is
//! stdout), so that a failed run never leaves a half-written file; the
//! options every command shares with wasm-tools (`-v`, `--color`, `-g`).

use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

// `-v`/`--verbose` and `--color`, accepted after every command's name as
// wasm-tools accepts them, and before it. Not clap's `global`: clap copies
// global arguments into every subcommand at every start, 3% of a short
// command; each command flattens them in instead (`cmd::Sub`).
#[derive(clap::Args, Debug, Clone)]
pub struct GeneralArgs {
    /// Use verbose output (-v: which files are read and written, with
    /// their sizes).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Whether error messages use terminal colors: auto (the default),
    /// never, always or always-ansi.
    #[arg(long, value_name = "COLOR")]
    pub color: Option<Color>,
}

/// `--color`'s values, wasm-tools' spelling.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Never,
    Always,
    AlwaysAnsi,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
/// `--color`: 0 for auto (also before one is given), 1 never, 2 always.
static COLOR: AtomicU8 = AtomicU8::new(0);

impl GeneralArgs {
    /// Makes these options take effect for the rest of the run. Given both
    /// before and after the command's name, `-v`s add up and the later
    /// `--color` wins.
    pub fn apply(&self) {
        let add = |v: u8| Some(v.saturating_add(self.verbose));
        let _ = VERBOSITY.fetch_update(Ordering::Relaxed, Ordering::Relaxed, add);
        if let Some(color) = self.color {
            let code = match color {
                Color::Auto => 0,
                Color::Never => 1,
                Color::Always | Color::AlwaysAnsi => 2,
            };
            COLOR.store(code, Ordering::Relaxed);
        }
    }
}

/// Whether error reports should be colored (`--color`).
pub fn color_errors() -> bool {
    match COLOR.load(Ordering::Relaxed) {
        0 => std::io::stderr().is_terminal(),
        code => code == 2,
    }
}

/// Prints `message` on stderr with `-v` or more.
pub fn info(message: impl std::fmt::Display) {
    if VERBOSITY.load(Ordering::Relaxed) >= 1 {
        eprintln!("info: {message}");
    }
}

// `-g` and `--generate-dwarf`: DWARF for inputs in the text format.
// (Argument groups that commands flatten in have plain comments: with the
// subcommands' arguments built on demand, clap would make a doc comment
// here the command's description.)
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DwarfArgs {
    /// Generate DWARF debugging information for a text-format input
    /// (`*.wat`) that maps the binary back to the text; no effect on binary
    /// input.
    #[arg(long, value_name = "lines|full")]
    generate_dwarf: Option<Dwarf>,

    /// Shorthand for `--generate-dwarf full`.
    #[arg(short = 'g')]
    g: bool,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Dwarf {
    Lines,
    Full,
}

impl DwarfArgs {
    fn style(&self) -> Option<wat::GenerateDwarf> {
        match (self.generate_dwarf, self.g) {
            (Some(Dwarf::Lines), _) => Some(wat::GenerateDwarf::Lines),
            (Some(Dwarf::Full), _) | (None, true) => Some(wat::GenerateDwarf::Full),
            (None, false) => None,
        }
    }
}

/// How an input is named in messages: its path, or `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a whole input file, or stdin for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("failed to read stdin")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?
    };
    info(format_args!(
        "read `{}` ({} bytes)",
        display_name(path),
        bytes.len()
    ));
    Ok(bytes)
}

/// Reads a module or component, in the binary or the text format; errors
/// name the file.
pub fn read_wasm(path: &Path, dwarf: &DwarfArgs) -> Result<Vec<u8>> {
    let bytes = read_input(path)?;
    parse_wasm(path, bytes, dwarf)
}

/// `bytes` read from `path` as wasm: binary as is, text parsed.
pub fn parse_wasm(path: &Path, bytes: Vec<u8>, dwarf: &DwarfArgs) -> Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let name = display_name(path);
    if !looks_like_text(&bytes) {
        bail!(
            "`{name}` is not WebAssembly: neither a binary (starting with `\\0asm`) nor the \
             text format (starting with `(`)"
        );
    }
    let mut parser = wat::Parser::new();
    if let Some(style) = dwarf.style() {
        parser.generate_dwarf(style);
    }
    let parsed = parser
        .parse_bytes(Some(Path::new(&name)), &bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("failed to parse `{name}` as WebAssembly text"))?;
    Ok(parsed.into_owned())
}

/// Whether `bytes` could be the text format: UTF-8 whose first token (after
/// whitespace and comments) is `(`. Anything else gets a plain "not
/// WebAssembly" error instead of a text-parser error at 1:1.
fn looks_like_text(bytes: &[u8]) -> bool {
    let Ok(mut text) = std::str::from_utf8(bytes) else {
        return false;
    };
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix(";;") {
            text = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if text.starts_with("(;") {
            // Block comments nest; the parser reports unterminated ones.
            return true;
        } else {
            return text.starts_with('(');
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, or to stdout for `-`.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if path == Path::new("-") {
        info(format_args!("write `<stdout>` ({} bytes)", bytes.len()));
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).context("failed to write stdout")?;
        return out.flush().context("failed to write stdout");
    }
    let mut pending = PendingFile::create(path)?;
    pending
        .file()
        .write_all(bytes)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    pending.persist(bytes.len())
}

/// An output file being written: a temporary file in the same directory,
/// renamed over `path` by `persist`, and removed if dropped before, so a
/// failed command leaves no half-written output.
pub struct PendingFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingFile {
    pub fn create(path: &Path) -> Result<Self> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
        Ok(PendingFile {
            tmp,
            path: path.to_path_buf(),
        })
    }

    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Renames the file, `len` bytes written, over the output.
    pub fn persist(self, len: usize) -> Result<()> {
        let path = &self.path;
        info(format_args!("write `{}` ({len} bytes)", path.display()));
        // Temporary files are private; the output should have the
        // permissions a plain write would give it (those of the file it
        // replaces, if any).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let permissions = std::fs::metadata(path)
                .map(|existing| existing.permissions())
                .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
            self.tmp
                .as_file()
                .set_permissions(permissions)
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }
        // An old regular file is removed before the rename, as GNU ld
        // removes its output before writing it. Renaming over an existing
        // file makes ext4 allocate and start writing the new file's blocks
        // inside the rename (its `auto_da_alloc` guard for programs that
        // replace files without fsync), which cost a `link` of six small
        // libraries a tenth of its time. If the removal fails, the rename
        // still replaces the file.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(path);
        }
        self.tmp
            .persist(path)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        Ok(())
    }
}

/// Where `new` and `link`, which validate their own component, write it:
/// to a file in binary (`-o FILE` without `-t`), into a `PendingFile` as
/// it is validated (`sink`), kept by `finish`; otherwise by `write_wasm`
/// in `finish`.
pub struct ComponentOutput<'a> {
    path: Option<&'a Path>,
    wat: bool,
    file: Option<LazyFile<'a>>,
}

impl<'a> ComponentOutput<'a> {
    pub fn new(path: Option<&'a Path>, wat: bool) -> Self {
        let file = match path {
            Some(path) if !wat && path != Path::new("-") => Some(LazyFile {
                path,
                pending: None,
            }),
            _ => None,
        };
        ComponentOutput { path, wat, file }
    }

    /// What the component is written to as it is validated, if anything.
    pub fn sink(&mut self) -> Option<compono_component::Sink<'_>> {
        self.file
            .as_mut()
            .map(|f| -> compono_component::Sink<'_> { f })
    }

    /// Keeps the component written to the sink, or writes `component`.
    pub fn finish(self, component: &[u8]) -> Result<()> {
        match self.file {
            Some(LazyFile {
                pending: Some(file),
                ..
            }) => file.persist(component.len()),
            Some(LazyFile {
                path,
                pending: None,
            }) => write_output(path, component),
            None => write_wasm(
                self.path,
                component,
                self.wat,
                Validation::Skip,
                "component",
            ),
        }
    }
}

/// A `PendingFile` made at the first write, so that an error of the
/// inputs is reported before one of the output (as wasm-tools does).
struct LazyFile<'a> {
    path: &'a Path,
    pending: Option<PendingFile>,
}

impl Write for LazyFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let pending = match &mut self.pending {
            Some(pending) => pending,
            None => self.pending.insert(
                PendingFile::create(self.path)
                    .map_err(|e| std::io::Error::other(format!("{e:#}")))?,
            ),
        };
        pending.file().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.pending {
            Some(pending) => pending.file().flush(),
            None => Ok(()),
        }
    }
}

/// Whether `write_wasm` validates what it writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Validate first (the default for every command).
    Check,
    /// `--skip-validation`, or already validated by the library call that
    /// made the bytes (`new` and `link` validate their own output, to tell
    /// an invalid input module from a bug of ours), or the user's own text
    /// turned into binary (`parse`).
    Skip,
}

impl Validation {
    /// `Skip` under `--skip-validation`, else `Check`.
    pub fn unless_skipped(skip_validation: bool) -> Self {
        if skip_validation {
            Validation::Skip
        } else {
            Validation::Check
        }
    }
}

/// The one way a command writes a module or component: validated first
/// (unless `validation` is `Skip`), so compono never writes a binary that
/// does not validate; as text with `wat` (`-t`), else as binary, which is
/// refused on a terminal as wasm-tools refuses it; atomically, like
/// `write_output`. `output` is `-o`, stdout when absent. `what` names the
/// output in errors ("component", "encoded package").
pub fn write_wasm(
    output: Option<&Path>,
    bytes: &[u8],
    wat: bool,
    validation: Validation,
    what: &'static str,
) -> Result<()> {
    let out = output.unwrap_or(Path::new("-"));
    if validation == Validation::Check {
        compono_wit::validate(bytes, what).with_context(|| {
            let name = if out == Path::new("-") {
                "<stdout>".to_string()
            } else {
                out.display().to_string()
            };
            format!("refusing to write `{name}`: it would not be valid wasm")
        })?;
    }
    if wat {
        let text = wasmprinter::print_bytes(bytes).context("failed to print wasm as text")?;
        return write_output(out, text.as_bytes());
    }
    if out == Path::new("-") && std::io::stdout().is_terminal() {
        bail!(
            "cannot print binary wasm output to a terminal: pass `-o FILE`, or `-t` for the \
             text format"
        );
    }
    write_output(out, bytes)
}
