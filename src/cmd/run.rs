//! `compono run FILE`: runs a WASI program, or a core module's or a
//! component's exports, on the bundled interpreter.
//!
//! Components exporting `wasi:cli/run` run as programs: arguments after
//! the file go to the program, WASI is served by compono's host and the
//! process exits with the program's status. `--invoke 'f(1, "x")'`
//! (repeatable, in WAVE, as `wasmtime run --invoke`) calls exports instead.
//! A WASI preview1 command module runs as a program too, made a component
//! with compono's preview1 adapter first. Other core modules: `--invoke
//! NAME [ARGS]...`, arguments in decimal.

use crate::io::read_input;
use anyhow::{Context, Result, anyhow, bail};
use compono_component::adapter::{Flavour, PREVIEW1};
use compono_interp::{Config, Engine, Linker, Module, Store, StoreLimits, Val, ValType};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    options: Options,
    /// A component or core module (binary or text; `-` reads stdin), then
    /// the program's arguments: for a program (a component exporting
    /// `wasi:cli/run`) everything after the file is its own, as in
    /// `wasmtime run`; for core modules and other components, options may
    /// follow the file, and the rest are the arguments of a core module's
    /// `--invoke NAME` (decimal; floats also `nan`, `inf`, `-inf`;
    /// references `null`).
    #[arg(
        value_name = "FILE [ARGS]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    file_and_args: Vec<String>,
}

#[derive(clap::Args, Default)]
pub struct Options {
    /// The export to call: a call in WAVE for components (`add(1, 2)`),
    /// repeatable; a name for core modules.
    #[arg(long)]
    invoke: Vec<String>,
    /// Components: give every function import nothing else provides a stub
    /// that returns the default value of its result and prints the call on
    /// stderr.
    #[arg(long)]
    stub_imports: bool,
    /// Stop with a trap after this much fuel (about one unit per function
    /// call and loop iteration).
    #[arg(long)]
    fuel: Option<u64>,
    /// The largest size, in bytes, any linear memory may grow to.
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<u64>,
    #[command(flatten)]
    wasi: crate::cmd::run_component::WasiArgs,
}

/// Options given after the file (core modules and components that are not
/// programs), with the arguments among them.
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct Trailing {
    #[command(flatten)]
    options: Options,
    #[arg(allow_hyphen_values = true)]
    args: Vec<String>,
}

impl Options {
    /// Adds options given after the file to those given before it.
    fn merge(&mut self, later: Options) {
        self.invoke.extend(later.invoke);
        self.stub_imports |= later.stub_imports;
        self.fuel = later.fuel.or(self.fuel);
        self.max_memory = later.max_memory.or(self.max_memory);
        self.wasi.merge(later.wasi);
    }
}

/// Whether a component exports `wasi:cli/run@0.2.x` itself (not a
/// component nested in it): it is a program.
fn is_program(bytes: &[u8]) -> bool {
    use wasmparser::{Parser, Payload};
    let mut depth = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::ModuleSection { .. } | Payload::ComponentSection { .. }) => depth += 1,
            Ok(Payload::End(_)) if depth == 0 => break,
            Ok(Payload::End(_)) => depth -= 1,
            Ok(Payload::ComponentExportSection(exports)) if depth == 0 => {
                for export in exports.into_iter().flatten() {
                    if export.name.name.starts_with("wasi:cli/run@0.2.") {
                        return true;
                    }
                }
            }
            Err(_) => return false,
            _ => {}
        }
    }
    false
}

/// Limits for `--max-memory` (rounded down to whole 64 KiB pages).
pub fn limits(max_memory: Option<u64>) -> Option<StoreLimits> {
    max_memory.map(|bytes| StoreLimits {
        max_memory_pages: bytes / compono_interp::PAGE_SIZE as u64,
        ..StoreLimits::default()
    })
}

impl Args {
    pub fn run(self) -> Result<()> {
        let mut options = self.options;
        let (file, rest) = self
            .file_and_args
            .split_first()
            .ok_or_else(|| anyhow!("no file to run"))?;
        let file = PathBuf::from(file);
        let bytes = read_input(&file)?;
        let bytes = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", file.display()))?;
        let mut component = wasmparser::Parser::is_component(&bytes);
        // A preview1 command runs as the component `compono new` makes of
        // it with compono's own adapter (as wasmtime runs preview1 modules
        // natively: the program cannot tell the difference).
        let bytes = match (component, preview1_import(&bytes)) {
            (false, Some(import)) => {
                component = true;
                std::borrow::Cow::Owned(adapt_preview1(&file, &bytes, &import)?)
            }
            _ => bytes,
        };
        let args = if component && options.invoke.is_empty() && is_program(&bytes) {
            rest.to_vec()
        } else {
            use clap::Parser as _;
            let trailing = Trailing::try_parse_from(rest)?;
            options.merge(trailing.options);
            trailing.args
        };
        if component {
            return crate::cmd::run_component::run(&crate::cmd::run_component::Request {
                path: &file,
                bytes: &bytes,
                invokes: &options.invoke,
                program_args: &args,
                stub_imports: options.stub_imports,
                fuel: options.fuel,
                limits: limits(options.max_memory),
                wasi: &options.wasi,
            });
        }
        let [invoke] = options.invoke.as_slice() else {
            bail!("a core module needs exactly one `--invoke NAME`");
        };
        let limits = limits(options.max_memory);
        for line in run_core_module(&file, &bytes, invoke, &args, options.fuel, limits)? {
            println!("{line}");
        }
        Ok(())
    }
}

/// The WASI preview1 (or preview0) module a core module imports from, if any.
fn preview1_import(bytes: &[u8]) -> Option<String> {
    if wasmparser::Parser::is_component(bytes) {
        return None;
    }
    let module = Module::new(&Engine::default(), bytes).ok()?;
    module
        .imports()
        .find(|i| matches!(i.module, PREVIEW1 | "wasi_unstable"))
        .map(|i| i.module.to_string())
}

/// The component of a preview1 command: the module with compono's preview1
/// adapter, made as `compono new` makes it.
fn adapt_preview1(path: &Path, bytes: &[u8], import: &str) -> Result<Vec<u8>> {
    if import != PREVIEW1 {
        bail!(
            "`{}` imports `{import}` (WASI preview0), which compono cannot run: rebuild it for `wasm32-wasip1` or `wasm32-wasip2`",
            path.display()
        );
    }
    let (flavour, adapter) = compono_component::adapter::builtin_preview1(bytes)
        .with_context(|| format!("failed to adapt `{}`", path.display()))?;
    if flavour != Flavour::Command {
        bail!(
            "`{}` is a WASI preview1 module without `_start`, so there is no program to run; make it a component with `compono new {}` and call its exports with `--invoke`",
            path.display(),
            path.display()
        );
    }
    let options = compono_component::NewOptions {
        adapters: vec![adapter],
        ..Default::default()
    };
    compono_component::new(bytes, &options).with_context(|| {
        format!(
            "failed to make a component of the preview1 module `{}` with compono's adapter",
            path.display()
        )
    })
}

/// Instantiates the module without imports, calls `name` and formats each result.
fn run_core_module(
    path: &Path,
    bytes: &[u8],
    name: &str,
    args: &[String],
    fuel: Option<u64>,
    limits: Option<StoreLimits>,
) -> Result<Vec<String>> {
    let mut config = Config::default();
    config.consume_fuel(fuel.is_some());
    let engine = Engine::new(&config);
    let module = Module::new(&engine, bytes)
        .with_context(|| format!("failed to compile `{}`", path.display()))?;
    let mut store = Store::new(&engine, ());
    if let Some(fuel) = fuel {
        store.set_fuel(fuel);
    }
    if let Some(limits) = limits {
        store.set_limits(limits);
    }
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .with_context(|| format!("failed to instantiate `{}`", path.display()))?;
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| anyhow!("`{}` has no exported function `{name}`", path.display()))?;
    let ty = func.ty(&store);
    if ty.params().len() != args.len() {
        bail!(
            "`{name}` takes {} arguments, {} given",
            ty.params().len(),
            args.len()
        );
    }
    let params = ty
        .params()
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| {
            parse_arg(*ty, arg).with_context(|| format!("argument {} of `{name}`", i + 1))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    func.call(&mut store, &params, &mut results)
        .map_err(|e| {
            let frames = match &e {
                compono_interp::Error::Trap(trap) => backtrace_text(trap.backtrace()),
                _ => String::new(),
            };
            let e = anyhow::Error::new(e);
            if frames.is_empty() {
                e
            } else {
                e.context(frames)
            }
        })
        .with_context(|| format!("failed to invoke `{name}` in `{}`", path.display()))?;
    Ok(results.iter().map(format_val).collect())
}

/// The core functions a trap happened in, innermost first, one line each
/// and numbered as wasmtime numbers them; empty when there are none.
pub fn backtrace_text(frames: &[compono_interp::FrameInfo]) -> String {
    if frames.is_empty() {
        return String::new();
    }
    let mut text = String::from("wasm backtrace:");
    for (i, frame) in frames.iter().enumerate() {
        text.push_str(&format!("\n    {i:>2}: {frame}"));
    }
    text
}

fn parse_arg(ty: ValType, arg: &str) -> Result<Val> {
    let bad = || anyhow!("`{arg}` is not a valid {ty}");
    Ok(match ty {
        ValType::I32 => Val::I32(
            arg.parse::<i32>()
                .or_else(|_| arg.parse::<u32>().map(|v| v as i32))
                .map_err(|_| bad())?,
        ),
        ValType::I64 => Val::I64(
            arg.parse::<i64>()
                .or_else(|_| arg.parse::<u64>().map(|v| v as i64))
                .map_err(|_| bad())?,
        ),
        ValType::F32 => Val::from(arg.parse::<f32>().map_err(|_| bad())?),
        ValType::F64 => Val::from(arg.parse::<f64>().map_err(|_| bad())?),
        ValType::FuncRef if arg == "null" => Val::FuncRef(None),
        ValType::ExternRef if arg == "null" => Val::ExternRef(None),
        ValType::ExnRef if arg == "null" => Val::ExnRef(None),
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef => {
            bail!("only `null` can be passed as a {ty}")
        }
    })
}

fn format_val(v: &Val) -> String {
    match v {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::FuncRef(r) => if r.is_some() { "ref" } else { "null" }.to_string(),
        Val::ExternRef(r) => if r.is_some() { "ref" } else { "null" }.to_string(),
        Val::ExnRef(r) => if r.is_some() { "ref" } else { "null" }.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_use_shortest_round_trip_form() {
        assert_eq!(format_val(&Val::from(f32::NAN)), "NaN");
        assert_eq!(format_val(&Val::from(f64::NEG_INFINITY)), "-inf");
        assert_eq!(format_val(&Val::from(0.1f32)), "0.1");
        assert_eq!(parse_arg(ValType::I32, "4294967295").unwrap(), Val::I32(-1));
        assert_eq!(
            parse_arg(ValType::F64, "inf").unwrap(),
            Val::from(f64::INFINITY)
        );
    }
}
