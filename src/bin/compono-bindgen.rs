//! `compono-bindgen LANG ...` is `compono bindgen LANG ...`, installed under
//! the name wit-bindgen users reach for.

#[path = "../cmd/mod.rs"]
mod cmd;
#[path = "../io.rs"]
mod io;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    args.insert(1, "bindgen".into());
    ExitCode::from(cmd::main(args))
}
