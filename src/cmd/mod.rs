//! One module per subcommand; this one dispatches and reports errors.

mod adapt;
mod bindgen;
mod component_flags;
mod embed;
mod link;
mod metadata;
mod new;
mod run;
mod run_component;
mod text;
mod validate;
mod wast;
mod wit;

use clap::{Parser, Subcommand};
use std::ffi::OsString;

#[derive(Parser)]
#[command(
    name = "compono",
    version,
    about = "A toolchain for the WebAssembly Component Model"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    general: crate::io::GeneralArgs,
}

/// Each subcommand's arguments are built only when it is the one run
/// (`defer`): building all of them took as long as a small `link`.
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    /// Parse, validate and print WIT; encode it as a component with `--wasm`.
    Wit(Sub<wit::Args>),
    /// Validate a core module or component (wasm-tools' feature flags).
    Validate(Sub<validate::Args>),
    /// Print the text format of a module or component.
    Print(Sub<text::PrintArgs>),
    /// Parse the text format of a module or component into binary.
    Parse(Sub<text::ParseArgs>),
    /// Generate guest bindings from WIT.
    Bindgen(bindgen::Args),
    /// Run spec-test `.wast` scripts (core or component-model) on the interpreter.
    Wast(Sub<wast::Args>),
    /// Run a core module's or a component's exports on the interpreter.
    Run(Sub<run::Args>),
    /// Embed a WIT world into a core module (`component-type` section).
    Embed(Sub<embed::Args>),
    /// Wrap a core module with an embedded world into a component.
    New(Sub<new::Args>),
    /// Link shared libraries into one component (shared-everything linking).
    Link(Sub<link::Args>),
    /// Show or add the name and producers of a module or component.
    #[command(subcommand)]
    Metadata(metadata::Args),
    /// `wasm-tools component ...` spellings of the component subcommands.
    #[command(subcommand)]
    Component(ComponentCommand),
}

#[derive(Subcommand)]
#[command(defer = true)]
enum ComponentCommand {
    /// Same as `compono wit`.
    Wit(Sub<wit::Args>),
    /// Same as `compono embed`.
    Embed(Sub<embed::Args>),
    /// Same as `compono new`.
    New(Sub<new::Args>),
    /// Same as `compono link`.
    Link(Sub<link::Args>),
}

// A command's own arguments and the general ones (`-v`, `--color`), which
// every command takes after its name as wasm-tools does. (No doc comment:
// clap would take it for the command's description.)
#[derive(clap::Args)]
pub struct Sub<T: clap::Args> {
    #[command(flatten)]
    args: T,
    #[command(flatten)]
    general: crate::io::GeneralArgs,
}

impl<T: clap::Args> Sub<T> {
    /// The command's own arguments, the general ones applied.
    pub fn take(self) -> T {
        self.general.apply();
        self.args
    }
}

/// Runs the command line `args`; the process's exit status.
pub fn main(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    cli.general.apply();
    let result = match cli.command {
        Command::Wit(args) | Command::Component(ComponentCommand::Wit(args)) => args.take().run(),
        Command::Validate(args) => args.take().run(),
        Command::Print(args) => args.take().run(),
        Command::Parse(args) => args.take().run(),
        Command::Metadata(args) => args.run(),
        Command::Bindgen(args) => args.run(),
        Command::Wast(args) => args.take().run(),
        Command::Run(args) => args.take().run(),
        Command::Embed(args) | Command::Component(ComponentCommand::Embed(args)) => {
            args.take().run()
        }
        Command::New(args) | Command::Component(ComponentCommand::New(args)) => args.take().run(),
        Command::Link(args) | Command::Component(ComponentCommand::Link(args)) => args.take().run(),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}", report(&e));
            1
        }
    }
}

/// `error: <what>` followed by its causes, without a backtrace: users see
/// what failed and where, not our call stack.
fn report(e: &anyhow::Error) -> String {
    let mut text = if crate::io::color_errors() {
        // Bold red `error`, as wasm-tools prints it.
        format!("\x1b[1m\x1b[31merror\x1b[0m\x1b[1m: {e}\x1b[0m")
    } else {
        format!("error: {e}")
    };
    let mut causes = e.chain().skip(1).peekable();
    if causes.peek().is_some() {
        text.push_str("\n\nCaused by:");
        for cause in causes {
            for line in cause.to_string().lines() {
                text.push_str("\n    ");
                text.push_str(line);
            }
        }
    }
    text
}
