//! `compono run FILE --invoke NAME [ARGS]...`: runs an export on the interpreter.

use crate::io::read_input;
use anyhow::{Context, Result, anyhow, bail};
use compono_interp::{Config, Engine, Linker, Module, Store, Val, ValType};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A core module, binary or text; `-` reads stdin.
    file: PathBuf,
    /// The exported function to call.
    #[arg(long)]
    invoke: String,
    /// Arguments in decimal (floats also `nan`, `inf`, `-inf`; references `null`).
    #[arg(allow_hyphen_values = true)]
    args: Vec<String>,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let bytes = read_input(&self.file)?;
        let bytes = wat::parse_bytes(&bytes)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", self.file.display()))?;
        if wasmparser::Parser::is_component(&bytes) {
            bail!(
                "`{}` is a component; running components is not supported yet",
                self.file.display()
            );
        }
        for line in run_core_module(&self.file, &bytes, &self.invoke, &self.args)? {
            println!("{line}");
        }
        Ok(())
    }
}

/// Instantiates the module without imports, calls `name` and formats each result.
fn run_core_module(path: &Path, bytes: &[u8], name: &str, args: &[String]) -> Result<Vec<String>> {
    let engine = Engine::new(&Config::default());
    let module = Module::new(&engine, bytes)
        .with_context(|| format!("failed to compile `{}`", path.display()))?;
    let mut store = Store::new(&engine, ());
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
