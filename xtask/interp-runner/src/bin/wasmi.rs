//! wasmi 2.0 as a benchmark runner (see the crate docs).

use anyhow::{Result, anyhow};
use interp_runner::Runner;
use wasmi::{CompilationMode, Config, Engine, Linker, Module, Store};

fn prepare(bytes: &[u8], arg: i32, fuel: bool) -> Result<Runner> {
    let mut config = Config::default();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, bytes).map_err(|e| anyhow!("{e}"))?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| anyhow!("{e}"))?;
    let run = instance
        .get_typed_func::<i32, i64>(&store, "run")
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Box::new(move || {
        if fuel {
            store.set_fuel(u64::MAX).map_err(|e| anyhow!("{e}"))?;
        }
        run.call(&mut store, arg).map_err(|e| anyhow!("{e}"))
    }))
}

fn translate_in(mode: CompilationMode, bytes: &[u8]) -> Result<()> {
    let mut config = Config::default();
    config.compilation_mode(mode);
    Module::new(&Engine::new(&config), bytes).map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

fn main() {
    interp_runner::main(interp_runner::Engine {
        prepare,
        translate: &[
            ("eager", |b| translate_in(CompilationMode::Eager, b)),
            ("lazy", |b| {
                translate_in(CompilationMode::LazyTranslation, b)
            }),
        ],
    })
}
