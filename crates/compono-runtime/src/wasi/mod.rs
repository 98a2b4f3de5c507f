//! A WASI 0.2 host: the interfaces a command-line program imports, one
//! module per WASI package, served from a [`WasiCtx`] that says what the
//! guest may reach (arguments, environment, preopened directories, stdio,
//! clocks and randomness).
//!
//! ```no_run
//! use compono_runtime::{Component, Engine, Linker, Store};
//! use compono_runtime::wasi::{self, WasiCtx};
//!
//! # fn main() -> compono_runtime::Result<()> {
//! let engine = Engine::default();
//! let component = Component::new(&engine, &std::fs::read("hello.wasm").unwrap())?;
//! let mut linker = Linker::<WasiCtx>::new(&engine);
//! wasi::add_to_linker(&mut linker)?;
//! let ctx = WasiCtx::builder().arg("hello").inherit_stdio().build();
//! let mut store = Store::new(&engine, ctx);
//! let status = wasi::run_command(&mut store, &linker, &component)?;
//! std::process::exit(status);
//! # }
//! ```
//!
//! Every interface is defined at version 0.2.6 and so serves imports of any
//! 0.2.x. Resources (descriptors, streams, pollables, ...) are host
//! resource types whose representations index the context's
//! [`table`](WasiCtx) of entries; the table keeps the parent/child
//! lifetimes the WIT gives (a pollable must be dropped before the stream
//! it watches).

mod cli;
mod clocks;
mod ctx;
mod filesystem;
mod host;
mod io;
mod random;
mod sandbox;
mod sockets;
mod table;

pub use ctx::{DirPerms, InputPipe, OutputPipe, WasiCtx, WasiCtxBuilder};

use crate::component::Component;
use crate::error::{Error, Result};
use crate::linker::Linker;
use crate::store::Store;
use crate::val::Val;

/// The WASI version the host defines its interfaces at.
pub(crate) const VERSION: &str = "0.2.6";

/// A store's data type that carries a [`WasiCtx`].
pub trait WasiView {
    fn ctx(&mut self) -> &mut WasiCtx;
}

impl WasiView for WasiCtx {
    fn ctx(&mut self) -> &mut WasiCtx {
        self
    }
}

/// Defines every WASI 0.2 interface in `linker`: `wasi:cli`, `wasi:clocks`,
/// `wasi:random`, `wasi:io`, `wasi:filesystem` and `wasi:sockets` (whose
/// every operation fails with `access-denied`).
pub fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    io::add_to_linker(linker)?;
    clocks::add_to_linker(linker)?;
    random::add_to_linker(linker)?;
    cli::add_to_linker(linker)?;
    filesystem::add_to_linker(linker)?;
    sockets::add_to_linker(linker)?;
    Ok(())
}

/// Names of the interfaces [`add_to_linker`] defines, without versions.
pub fn interfaces() -> &'static [&'static str] {
    &[
        "wasi:io/error",
        "wasi:io/poll",
        "wasi:io/streams",
        "wasi:clocks/monotonic-clock",
        "wasi:clocks/wall-clock",
        "wasi:random/random",
        "wasi:random/insecure",
        "wasi:random/insecure-seed",
        "wasi:cli/environment",
        "wasi:cli/exit",
        "wasi:cli/stdin",
        "wasi:cli/stdout",
        "wasi:cli/stderr",
        "wasi:cli/terminal-input",
        "wasi:cli/terminal-output",
        "wasi:cli/terminal-stdin",
        "wasi:cli/terminal-stdout",
        "wasi:cli/terminal-stderr",
        "wasi:filesystem/types",
        "wasi:filesystem/preopens",
        "wasi:sockets/network",
        "wasi:sockets/instance-network",
        "wasi:sockets/tcp",
        "wasi:sockets/tcp-create-socket",
        "wasi:sockets/udp",
        "wasi:sockets/udp-create-socket",
        "wasi:sockets/ip-name-lookup",
    ]
}

/// The name of the `run` function of `wasi:cli/run` among `component`'s
/// exports (`wasi:cli/run@0.2.x#run`), if it exports that interface.
pub fn command_export(component: &Component) -> Option<String> {
    component.exports().find_map(|(name, _)| {
        let (base, version) = name.split_once('@')?;
        (base == "wasi:cli/run" && version.starts_with("0.2.")).then(|| format!("{name}#run"))
    })
}

/// Instantiates a command component (one exporting `wasi:cli/run`) and
/// runs it: the result is the program's exit status: 0 when `run`
/// returns `ok`, 1 when it returns `err`, the status it exits with when
/// it calls `exit`. Traps and link errors are errors.
pub fn run_command<T: WasiView + 'static>(
    store: &mut Store<T>,
    linker: &Linker<T>,
    component: &Component,
) -> Result<i32> {
    let run = command_export(component).ok_or_else(|| {
        Error::usage("the component does not export `wasi:cli/run`, so it is not a command")
    })?;
    let instance = linker.instantiate(&mut *store, component)?;
    let func = instance
        .get_func(&*store, &run)
        .ok_or_else(|| Error::usage(format!("`{run}` is not a function")))?;
    let mut results = [Val::Bool(false)];
    let outcome = func.call(&mut *store, &[], &mut results);
    store.data_mut().ctx().flush_stdio();
    match outcome {
        Ok(()) => Ok(match &results[0] {
            Val::Result(Ok(_)) => 0,
            _ => 1,
        }),
        Err(Error::Exit(status)) => Ok(status),
        Err(e) => Err(e),
    }
}
