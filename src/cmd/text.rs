//! `compono print FILE` and `compono parse FILE`: between the binary and
//! the text format of modules and components, with wasm-tools' flags
//! (wasmprinter and wat do the work).

use crate::io::{DwarfArgs, display_name, read_wasm, write_output, write_wasm};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct PrintArgs {
    /// A module or component, binary or text; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Where to write the text; stdout by default.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Print binary offsets as comments beside what they locate.
    #[arg(short, long)]
    print_offsets: bool,

    /// Print only the skeleton: function bodies, data and element segments
    /// become `...`.
    #[arg(long)]
    skeleton: bool,

    /// Give every item a `$` name, synthesizing one where the name section
    /// has none.
    #[arg(long)]
    name_unnamed: bool,

    /// Print instructions in the folded (s-expression) form.
    #[arg(short, long)]
    fold_instructions: bool,

    /// Print the operand stack's contents within function bodies.
    #[arg(long)]
    print_operand_stack: bool,

    /// The text of one level of indentation.
    #[arg(long, value_name = "INDENT_TEXT")]
    indent_text: Option<String>,

    /// Spaces per level of indentation (`--indent-text` wins).
    #[arg(long, value_name = "INDENT")]
    indent: Option<usize>,
}

impl PrintArgs {
    pub fn run(self) -> Result<()> {
        let bytes = read_wasm(&self.input, &self.dwarf)?;
        let mut config = wasmprinter::Config::new();
        config
            .print_offsets(self.print_offsets)
            .print_skeleton(self.skeleton)
            .name_unnamed(self.name_unnamed)
            .fold_instructions(self.fold_instructions)
            .print_operand_stack(self.print_operand_stack);
        if let Some(text) = self.indent_text.clone() {
            config.indent_text(text);
        } else if let Some(spaces) = self.indent {
            config.indent_text(" ".repeat(spaces));
        }
        let mut text = String::new();
        config
            .print(&bytes, &mut wasmprinter::PrintFmtWrite(&mut text))
            .with_context(|| format!("failed to print `{}`", display_name(&self.input)))?;
        write_output(
            self.output.as_deref().unwrap_or(Path::new("-")),
            text.as_bytes(),
        )
    }
}

#[derive(clap::Args)]
pub struct ParseArgs {
    /// A module or component in the text format (binary passes through);
    /// `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Where to write the binary; stdout by default (only when stdout is
    /// not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Write the text format (normalized) instead of the binary.
    #[arg(short = 't', long = "wat")]
    wat: bool,
}

impl ParseArgs {
    pub fn run(self) -> Result<()> {
        let bytes = read_wasm(&self.input, &self.dwarf)?;
        write_wasm(self.output.as_deref(), &bytes, self.wat)
    }
}
