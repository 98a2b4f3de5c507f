//! `compono run COMPONENT --invoke 'f(args)'...`: instantiates a component
//! on compono's runtime and makes the calls in order, printing each result
//! in WAVE on its own line.

use anyhow::{Context, Result, anyhow, bail};
use compono_runtime::{Component, Config, Engine, Linker, ResourceAny, Store, Val, WaveCall};
use std::path::Path;

pub struct Request<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub invokes: &'a [String],
    pub program_args: &'a [String],
    pub stub_imports: bool,
    pub fuel: Option<u64>,
}

pub fn run(request: &Request<'_>) -> Result<()> {
    let path = request.path.display();
    if !request.program_args.is_empty() {
        bail!(
            "`{path}` is a component: arguments after the file go to a WASI program, and running WASI programs is not supported yet; call exports with `--invoke 'f(args)'`"
        );
    }
    if request.invokes.is_empty() {
        bail!("`{path}` is a component: say which exports to call with `--invoke 'f(args)'`");
    }
    let mut config = Config::default();
    config.consume_fuel(request.fuel.is_some());
    let engine = Engine::new(&config);
    let component = Component::new(&engine, request.bytes)
        .with_context(|| format!("failed to compile `{path}`"))?;
    let mut store = Store::new(&engine, ());
    if let Some(fuel) = request.fuel {
        store.set_fuel(fuel);
    }
    let mut linker = Linker::new(&engine);
    if request.stub_imports {
        linker.define_stubs(&component, |call| eprintln!("stub: {call}"))?;
    }
    let instance = linker
        .instantiate(&mut store, &component)
        .with_context(|| format!("failed to instantiate `{path}`"))?;
    // Resources the calls return, by the label their result printed them as.
    let mut named: Vec<(String, ResourceAny)> = Vec::new();
    for invoke in request.invokes {
        let call = WaveCall::parse(invoke)?;
        let func = instance.get_func(&store, call.name()).ok_or_else(|| {
            let names = instance.func_names();
            anyhow!(
                "`{path}` exports no function `{}`; it exports: {}",
                call.name(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )
        })?;
        let types: Vec<_> = func.params(&store).into_iter().map(|(_, t)| t).collect();
        let args = call.args(&types, &mut |label, _| {
            named
                .iter()
                .find(|(n, _)| n == label)
                .map(|(_, r)| Val::Resource(*r))
                .ok_or_else(|| {
                    compono_runtime::Error::Usage(format!("no resource named `{label}`"))
                })
        })?;
        let mut results = vec![Val::Bool(false); usize::from(func.result(&store).is_some())];
        func.call(&mut store, &args, &mut results)
            .with_context(|| format!("failed to invoke `{invoke}` in `{path}`"))?;
        for result in &results {
            let line = result.to_wave_with(&mut |r| {
                let label = format!("resource{}", named.len() + 1);
                named.push((label.clone(), *r));
                label
            });
            println!("{line}");
        }
    }
    Ok(())
}
