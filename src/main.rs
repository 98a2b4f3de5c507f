//! The `compono` command line: argument parsing, files in and out, error
//! reporting. Toolchain logic lives in the crates under `crates/`.

// On Linux the C runtime calls our own `main` (`start.rs`), not std's.
#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

mod cmd;
mod io;
#[cfg(all(target_os = "linux", not(test)))]
mod start;

// The unwinder linked in (what `-static-libgcc` does for C), so that
// `libgcc_s.so` is not loaded at every start: the loader maps it, and its
// constructor runs `cpuid` a dozen times, which in a virtual machine
// traps to the hypervisor. Together about 5% of a short command's time
// (a six-library `link`). Unwinding is the same code, from the archive.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[link(name = "gcc_eh", kind = "static")]
unsafe extern "C" {}

#[cfg(not(all(target_os = "linux", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

/// The command line this process was given, run; its exit status.
fn run() -> u8 {
    quiet_decoder_panics();
    cmd::main(std::env::args_os())
}

/// Installs, once and before any thread starts, a panic hook that stays
/// quiet about panics inside wit-parser's decoder, which
/// `compono_wit::decode` catches and reports as an error about the input;
/// every other panic is reported as usual.
fn quiet_decoder_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !compono_wit::decoding_in_progress() {
            default(info);
        }
    }));
}
