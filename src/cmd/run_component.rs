//! `compono run COMPONENT [ARGS]...`: runs a WASI 0.2 program (a
//! component exporting `wasi:cli/run`) on compono's runtime and WASI host,
//! or, with `--invoke 'f(args)'...`, makes the calls in order, printing
//! each result in WAVE on its own line.

use anyhow::{Context, Result, anyhow, bail};
use compono_runtime::wasi::{self, DirPerms, WasiCtx, WasiCtxBuilder};
use compono_runtime::{
    Component, Config, Engine, Error, Linker, ResourceAny, Store, StoreLimits, Val, WaveCall,
};
use std::path::Path;

/// The exit status of a program that trapped, as wasmtime's (128 +
/// SIGABRT on Unix, 3 on Windows): distinct from any `exit` status a
/// program chooses below 128 and from compono's own errors (1).
#[cfg(not(windows))]
pub const TRAP_EXIT_STATUS: i32 = 134;
#[cfg(windows)]
pub const TRAP_EXIT_STATUS: i32 = 3;

// The sandbox and the host's WASI options, shaped like `wasmtime run`'s.
#[derive(clap::Args, Default)]
pub struct WasiArgs {
    /// Grant the directory HOST to the program as GUEST (HOST if not
    /// given), read-write. Repeatable.
    #[arg(long, value_name = "HOST[::GUEST]")]
    dir: Vec<String>,
    /// Like `--dir`, read-only: nothing in it can be created, changed or
    /// removed.
    #[arg(long, value_name = "HOST[::GUEST]")]
    dir_ro: Vec<String>,
    /// Set an environment variable (`NAME=VALUE`), or pass one of compono's
    /// own (`NAME`). Repeatable.
    #[arg(long, value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// Pass all of compono's environment variables (`--env` still adds and
    /// overrides).
    #[arg(long)]
    inherit_env: bool,
    /// Clocks start at a fixed instant and advance only when the program
    /// sleeps; random numbers come from a fixed seed: the run's output is
    /// a function of its inputs.
    #[arg(long)]
    deterministic: bool,
    /// The program's name as it sees it (its first argument); by default
    /// the file name of the component.
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,
    /// WASI options in wasmtime's `-S` syntax, `KEY[=VAL][,KEY[=VAL]...]`;
    /// `-S help` lists them.
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]")]
    options: Vec<String>,
}

impl WasiArgs {
    /// Adds options given after the file to those given before it.
    pub fn merge(&mut self, later: WasiArgs) {
        self.dir.extend(later.dir);
        self.dir_ro.extend(later.dir_ro);
        self.env.extend(later.env);
        self.inherit_env |= later.inherit_env;
        self.deterministic |= later.deterministic;
        self.argv0 = later.argv0.or(self.argv0.take());
        self.options.extend(later.options);
    }
}

pub struct Request<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub invokes: &'a [String],
    pub program_args: &'a [String],
    pub stub_imports: bool,
    pub fuel: Option<u64>,
    pub limits: Option<StoreLimits>,
    pub wasi: &'a WasiArgs,
}

/// The `-S` options, parsed.
#[derive(Debug)]
struct WasiOptions {
    /// Serve the WASI interfaces at all.
    cli: bool,
    inherit_env: bool,
    max_random_size: Option<u64>,
    max_resources: Option<usize>,
}

const OPTIONS_HELP: &str = "\
compono's `-S` options (wasmtime's spellings):
  -S cli[=y|n]                 serve the WASI 0.2 interfaces (default y; alias: common)
  -S inherit-env[=y|n]         same as --inherit-env
  -S cli-exit-with-code[=y]    wasi:cli/exit#exit-with-code (always provided)
  -S preview2[=y]              the WASI 0.2 host (the only one compono has)
  -S max-random-size=N         most bytes one get-random-bytes call may ask for
  -S max-resources=N           most WASI resources a program may hold at once
  -S tcp=n, udp=n, inherit-network=n, allow-ip-name-lookup=n, network-error-code=n
                               accepted: compono never grants network access
Other wasmtime -S options (http, nn, threads, config, keyvalue, tls, p3, ...) have no
compono equivalent and are rejected.";

fn parse_options(raw: &[String]) -> Result<WasiOptions> {
    let mut options = WasiOptions {
        cli: true,
        inherit_env: false,
        max_random_size: None,
        max_resources: None,
    };
    for item in raw
        .iter()
        .flat_map(|r| r.split(','))
        .filter(|i| !i.is_empty())
    {
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (item, None),
        };
        let flag = || -> Result<bool> {
            match value {
                None | Some("y" | "yes" | "true") => Ok(true),
                Some("n" | "no" | "false") => Ok(false),
                Some(other) => bail!("`-S {key}={other}`: expected y or n"),
            }
        };
        let number = || -> Result<u64> {
            value
                .ok_or_else(|| anyhow!("`-S {key}` needs a value: `-S {key}=N`"))?
                .parse()
                .map_err(|_| anyhow!("`-S {item}`: expected a number"))
        };
        match key {
            "help" => {
                println!("{OPTIONS_HELP}");
                std::process::exit(0);
            }
            "cli" | "common" => options.cli = flag()?,
            "inherit-env" => options.inherit_env = flag()?,
            "cli-exit-with-code" | "preview2" => {
                if !flag()? {
                    bail!("`-S {key}=n` is not supported: compono always provides it");
                }
            }
            "max-random-size" => options.max_random_size = Some(number()?),
            "max-resources" => options.max_resources = Some(number()? as usize),
            "tcp" | "udp" | "inherit-network" | "allow-ip-name-lookup" | "network-error-code" => {
                if flag()? {
                    bail!(
                        "`-S {key}`: compono's WASI host has no network access (every wasi:sockets operation fails with access-denied)"
                    );
                }
            }
            other => bail!(
                "`-S {other}` is not a WASI option compono has (it may be a wasmtime option without an equivalent); `-S help` lists them"
            ),
        }
    }
    Ok(options)
}

/// `HOST[::GUEST]`.
fn split_dir(spec: &str) -> (&str, &str) {
    spec.split_once("::").unwrap_or((spec, spec))
}

/// The sandbox the arguments describe.
fn wasi_ctx(request: &Request<'_>, options: &WasiOptions) -> Result<WasiCtx> {
    let args = &request.wasi;
    let mut builder = WasiCtxBuilder::new().inherit_stdio();
    let argv0 = match &args.argv0 {
        Some(name) => name.clone(),
        None => request
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "-".to_string()),
    };
    builder = builder
        .arg(argv0)
        .args(request.program_args.iter().cloned());
    if args.inherit_env || options.inherit_env {
        builder = builder.inherit_env();
    }
    for spec in &args.env {
        builder = match spec.split_once('=') {
            Some((key, value)) => builder.env(key, value),
            // `--env NAME` passes compono's own value, if it has one.
            None => match std::env::var(spec) {
                Ok(value) => builder.env(spec, value),
                Err(_) => builder,
            },
        };
    }
    for (specs, perms) in [
        (&args.dir, DirPerms::ReadWrite),
        (&args.dir_ro, DirPerms::ReadOnly),
    ] {
        for spec in specs {
            let (host, guest) = split_dir(spec);
            builder = builder
                .preopen_dir(host, guest, perms)
                .with_context(|| format!("failed to open directory `{host}` for `--dir`"))?;
        }
    }
    if args.deterministic {
        builder = builder.deterministic(0);
    }
    if let Some(n) = options.max_random_size {
        builder = builder.max_random_size(n);
    }
    if let Some(n) = options.max_resources {
        builder = builder.max_resources(n);
    }
    Ok(builder.build())
}

pub fn run(request: &Request<'_>) -> Result<()> {
    let path = request.path.display();
    let options = parse_options(&request.wasi.options)?;
    let mut config = Config::default();
    config.consume_fuel(request.fuel.is_some());
    let engine = Engine::new(&config);
    let component = Component::new(&engine, request.bytes)
        .with_context(|| format!("failed to compile `{path}`"))?;
    let command = wasi::command_export(&component);
    if request.invokes.is_empty() && command.is_none() {
        bail!(
            "`{path}` does not export `wasi:cli/run`, so it is not a program: say which exports to call with `--invoke 'f(args)'`"
        );
    }
    if !request.invokes.is_empty() && !request.program_args.is_empty() {
        bail!(
            "arguments after the file go to the program, which `--invoke` does not run; pass the calls' arguments inside `--invoke 'f(args)'`"
        );
    }
    let mut store = Store::new(&engine, wasi_ctx(request, &options)?);
    if let Some(fuel) = request.fuel {
        store.set_fuel(fuel);
    }
    if let Some(limits) = request.limits {
        store.set_limits(limits);
    }
    let mut linker = Linker::new(&engine);
    if options.cli {
        wasi::add_to_linker(&mut linker)?;
    }
    if request.stub_imports {
        linker.define_stubs(&component, |call| eprintln!("stub: {call}"))?;
    }
    let instance = linker
        .instantiate(&mut store, &component)
        .with_context(|| format!("failed to instantiate `{path}`"))?;
    if request.invokes.is_empty() {
        let run = command.expect("checked above");
        return run_program(&mut store, &instance, &run, request.path);
    }
    invoke(&mut store, &instance, request)
}

/// Runs `wasi:cli/run#run` and ends the process with the program's exit
/// status, or the trap status when it traps.
fn run_program(
    store: &mut Store<WasiCtx>,
    instance: &compono_runtime::Instance,
    run: &str,
    path: &Path,
) -> Result<()> {
    let func = instance
        .get_func(&*store, run)
        .ok_or_else(|| anyhow!("`{run}` is not a function"))?;
    let mut results = [Val::Bool(false)];
    let outcome = func.call(&mut *store, &[], &mut results);
    store.data_mut().flush_stdio();
    let status = match outcome {
        Ok(()) if matches!(results[0], Val::Result(Ok(_))) => 0,
        // `run` returning `err` is a failure the program reported itself.
        Ok(()) => 1,
        Err(Error::Exit(status)) => status,
        Err(Error::Trap(trap)) => {
            eprintln!("error: `{}` trapped: {trap}", path.display());
            eprintln!("    while running `{run}`");
            let frames = super::run::backtrace_text(trap.backtrace());
            if !frames.is_empty() {
                eprintln!("{frames}");
            }
            TRAP_EXIT_STATUS
        }
        Err(e) => return Err(e).with_context(|| format!("failed to run `{}`", path.display())),
    };
    if status != 0 {
        std::process::exit(status);
    }
    Ok(())
}

fn invoke(
    store: &mut Store<WasiCtx>,
    instance: &compono_runtime::Instance,
    request: &Request<'_>,
) -> Result<()> {
    let path = request.path.display();
    // Resources the calls return, by the label their result printed them as.
    let mut named: Vec<(String, ResourceAny)> = Vec::new();
    for invoke in request.invokes {
        let call = WaveCall::parse(invoke)?;
        let func = instance.get_func(&*store, call.name()).ok_or_else(|| {
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
        let types: Vec<_> = func.params(&*store).into_iter().map(|(_, t)| t).collect();
        let args = call.args(&types, &mut |label, _| {
            named
                .iter()
                .find(|(n, _)| n == label)
                .map(|(_, r)| Val::Resource(*r))
                .ok_or_else(|| {
                    compono_runtime::Error::Usage(format!("no resource named `{label}`"))
                })
        })?;
        let mut results = vec![Val::Bool(false); usize::from(func.result(&*store).is_some())];
        match func.call(&mut *store, &args, &mut results) {
            Ok(()) => {}
            // The program ended itself inside the call.
            Err(Error::Exit(status)) => {
                store.data_mut().flush_stdio();
                std::process::exit(status);
            }
            Err(e) => {
                let frames = match &e {
                    Error::Trap(trap) => super::run::backtrace_text(trap.backtrace()),
                    _ => String::new(),
                };
                let e = anyhow::Error::new(e);
                let e = if frames.is_empty() {
                    e
                } else {
                    e.context(frames)
                };
                return Err(e).with_context(|| format!("failed to invoke `{invoke}` in `{path}`"));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasi_options_parse_like_wasmtime() {
        let parse =
            |s: &[&str]| parse_options(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let o = parse(&["inherit-env,max-random-size=10", "tcp=n"]).unwrap();
        assert!(o.inherit_env && o.cli);
        assert_eq!(o.max_random_size, Some(10));
        assert!(!parse(&["cli=n"]).unwrap().cli);
        assert!(parse(&["tcp"]).is_err());
        assert!(
            parse(&["http"])
                .unwrap_err()
                .to_string()
                .contains("-S http")
        );
        assert!(parse(&["max-resources"]).is_err());
        assert_eq!(split_dir("a::b"), ("a", "b"));
        assert_eq!(split_dir("/tmp"), ("/tmp", "/tmp"));
    }
}
