//! compono's interpreter as a benchmark runner (see the crate docs).

use anyhow::{Result, anyhow};
use compono_interp::{Config, Engine, Linker, Module, Store};
use interp_runner::Runner;

fn prepare(bytes: &[u8], arg: i32, fuel: bool) -> Result<Runner> {
    let mut config = Config::new();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, bytes)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module)?;
    let run = instance
        .get_func(&store, "run")
        .ok_or_else(|| anyhow!("no `run` export"))?
        .typed::<i32, i64>(&store)?;
    Ok(Box::new(move || {
        store.set_fuel(u64::MAX);
        Ok(run.call(&mut store, arg)?)
    }))
}

fn translate(bytes: &[u8]) -> Result<()> {
    Module::new(&Engine::default(), bytes)?;
    Ok(())
}

fn main() {
    interp_runner::main(interp_runner::Engine {
        prepare,
        translate: &[("compono", translate)],
    })
}
