//! `compono run FILE`: runs a core module's or a component's exports on
//! the bundled interpreter.
//!
//! Core modules: `--invoke NAME [ARGS]...`, arguments in decimal.
//! Components: `--invoke 'f(1, "x")'`, repeatable, in WAVE (as
//! `wasmtime run --invoke`); the calls run in order in one instance.

use crate::io::read_input;
use anyhow::{Context, Result, anyhow, bail};
use compono_interp::{Config, Engine, Linker, Module, Store, Val, ValType};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A core module or component, binary or text; `-` reads stdin.
    file: PathBuf,
    /// The export to call: a name for core modules; a call in WAVE for
    /// components (`add(1, 2)`, `my:pkg/iface#f("x")`), repeatable.
    #[arg(long)]
    invoke: Vec<String>,
    /// For core modules: the arguments of the call, in decimal (floats
    /// also `nan`, `inf`, `-inf`; references `null`).
    #[arg(allow_hyphen_values = true)]
    args: Vec<String>,
    /// Components: give every function import nothing else provides a stub
    /// that returns the default value of its result and prints the call on
    /// stderr.
    #[arg(long)]
    stub_imports: bool,
    /// Stop with a trap after this much fuel (about one unit per function
    /// call and loop iteration).
    #[arg(long)]
    fuel: Option<u64>,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let bytes = read_input(&self.file)?;
        let bytes = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", self.file.display()))?;
        if wasmparser::Parser::is_component(&bytes) {
            return crate::cmd::run_component::run(&crate::cmd::run_component::Request {
                path: &self.file,
                bytes: &bytes,
                invokes: &self.invoke,
                program_args: &self.args,
                stub_imports: self.stub_imports,
                fuel: self.fuel,
            });
        }
        let [invoke] = self.invoke.as_slice() else {
            bail!("a core module needs exactly one `--invoke NAME`");
        };
        for line in run_core_module(&self.file, &bytes, invoke, &self.args, self.fuel)? {
            println!("{line}");
        }
        Ok(())
    }
}

/// Instantiates the module without imports, calls `name` and formats each result.
fn run_core_module(
    path: &Path,
    bytes: &[u8],
    name: &str,
    args: &[String],
    fuel: Option<u64>,
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
        .with_context(|| format!("failed to invoke `{name}` in `{}`", path.display()))?;
    Ok(results.iter().map(format_val).collect())
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
        ValType::FuncRef | ValType::ExternRef => bail!("only `null` can be passed as a {ty}"),
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
