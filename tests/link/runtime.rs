//! `driver.py`'s transcript, made by compono's own runtime: the linked
//! component instantiated with compono's WASI host and the same
//! `test:link/host` (`log(msg)` recorded, `name()` returning "host"), the
//! calls of `calls.txt` made in order, a trap recorded as `! trap` and
//! followed by a fresh instance. The transcript must be the one wasmtime
//! gives (`expected.txt`).

use compono_runtime::wasi::{self, OutputPipe, WasiCtx, WasiCtxBuilder};
use compono_runtime::{Component, Engine, Error, Instance, Linker, Store, Val, WaveCall};
use libtest_mimic::Failed;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A value as driver.py shows it (strings as JSON, lists in brackets).
fn show(value: Option<&Val>) -> String {
    match value {
        None => "()".to_string(),
        Some(Val::String(s)) => serde_json::to_string(s).unwrap_or_default(),
        Some(Val::List(items)) => {
            let items: Vec<_> = items.iter().map(|v| show(Some(v))).collect();
            format!("[{}]", items.join(", "))
        }
        Some(other) => other.to_wave(),
    }
}

/// One instance, with its stdout and what the host saw.
struct Session {
    store: Store<WasiCtx>,
    instance: Instance,
    stdout: OutputPipe,
    stdout_seen: usize,
}

impl Session {
    fn new(
        engine: &Engine,
        linker: &Linker<WasiCtx>,
        component: &Component,
        out: &Arc<Mutex<Vec<String>>>,
    ) -> Result<Session, Failed> {
        let stdout = OutputPipe::new();
        let mut store = Store::new(engine, WasiCtxBuilder::new().stdout(stdout.clone()).build());
        let instance = linker
            .instantiate(&mut store, component)
            .map_err(|e| format!("instantiating in compono: {e}"))?;
        let mut session = Session {
            store,
            instance,
            stdout,
            stdout_seen: 0,
        };
        session.flush_stdout(out);
        Ok(session)
    }

    fn flush_stdout(&mut self, out: &Arc<Mutex<Vec<String>>>) {
        self.store.data_mut().flush_stdio();
        let data = self.stdout.contents();
        let new = &data[self.stdout_seen.min(data.len())..];
        if !new.is_empty() {
            let text = serde_json::to_string(&String::from_utf8_lossy(new)).unwrap_or_default();
            out.lock().unwrap().push(format!("stdout {text}"));
        }
        self.stdout_seen = data.len();
    }

    /// The call's result, or `None` when it trapped.
    fn call(&mut self, text: &str) -> Result<Option<Option<Val>>, Failed> {
        let call = WaveCall::parse(text)?;
        let func = self
            .instance
            .get_func(&self.store, call.name())
            .ok_or_else(|| format!("the component exports no `{}`", call.name()))?;
        let types: Vec<_> = func
            .params(&self.store)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let args = call.args(&types, &mut |label, _| {
            Err(Error::Usage(format!("no resource `{label}`")))
        })?;
        let mut results = vec![Val::Bool(false); usize::from(func.result(&self.store).is_some())];
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => {
                func.post_return(&mut self.store)?;
                Ok(Some(results.pop()))
            }
            Err(Error::Trap(_)) => Ok(None),
            Err(e) => Err(format!("`{text}` in compono: {e}").into()),
        }
    }
}

pub fn transcript(component: &Path, calls: &Path) -> Result<String, Failed> {
    let engine = Engine::default();
    let bytes = std::fs::read(component)?;
    let component = Component::new(&engine, &bytes).map_err(|e| format!("compono: {e}"))?;
    let out = Arc::new(Mutex::new(Vec::new()));
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker)?;
    {
        let mut host = linker.instance("test:link/host")?;
        let log = out.clone();
        host.func_new("log", move |_, args, _| {
            if let [Val::String(msg)] = args {
                let text = serde_json::to_string(msg).unwrap_or_default();
                log.lock().unwrap().push(format!("log {text}"));
            }
            Ok(())
        })?;
        host.func_new("name", |_, _, results| {
            results[0] = Val::String("host".into());
            Ok(())
        })?;
    }
    let mut session = Session::new(&engine, &linker, &component, &out)?;
    let text = std::fs::read_to_string(calls)?;
    for call in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        out.lock().unwrap().push(format!("> {call}"));
        match session.call(call)? {
            Some(result) => {
                session.flush_stdout(&out);
                out.lock()
                    .unwrap()
                    .push(format!("= {}", show(result.as_ref())));
            }
            None => {
                // As in driver.py, what the trapping call printed is lost.
                out.lock().unwrap().push("! trap".to_string());
                session = Session::new(&engine, &linker, &component, &out)?;
            }
        }
    }
    let lines = out.lock().unwrap().join("\n");
    Ok(lines + "\n")
}
