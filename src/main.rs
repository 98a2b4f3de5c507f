//! The `compono` command line: argument parsing, files in and out, error
//! reporting. Toolchain logic lives in the crates under `crates/`.

mod cmd;
mod io;

use std::process::ExitCode;

fn main() -> ExitCode {
    cmd::main(std::env::args_os())
}
