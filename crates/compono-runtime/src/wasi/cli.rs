//! `wasi:cli`: environment, exit, stdin/stdout/stderr and the terminal
//! interfaces.

use super::ctx::{InputSource, OutputSink};
use super::host::{Host, define, define_resource, none, result_is_ok, some, u8_arg};
use super::io::{InputStream, OutputStream};
use super::table::{Resource, ty};
use super::{VERSION, WasiView};
use crate::error::{Error, Result};
use crate::linker::Linker;
use crate::val::{ResourceType, Val};

pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    let mut env = linker.instance(&format!("wasi:cli/environment@{VERSION}"))?;
    define(&mut env, "get-environment", |host: &mut Host<'_, T>, _| {
        let pairs = host
            .ctx()
            .env
            .iter()
            .map(|(k, v)| Val::Tuple(vec![Val::String(k.clone()), Val::String(v.clone())]))
            .collect();
        Ok(Val::List(pairs))
    })?;
    define(&mut env, "get-arguments", |host: &mut Host<'_, T>, _| {
        let args = host.ctx().args.iter().cloned().map(Val::String).collect();
        Ok(Val::List(args))
    })?;
    define(&mut env, "initial-cwd", |_host: &mut Host<'_, T>, _| {
        Ok(none())
    })?;

    let mut exit = linker.instance(&format!("wasi:cli/exit@{VERSION}"))?;
    define(&mut exit, "exit", |_host: &mut Host<'_, T>, args| {
        Err(Error::Exit(if result_is_ok(args, 0)? { 0 } else { 1 }))
    })?;
    define(
        &mut exit,
        "exit-with-code",
        |_host: &mut Host<'_, T>, args| Err(Error::Exit(i32::from(u8_arg(args, 0)?))),
    )?;

    let mut stdin = linker.instance(&format!("wasi:cli/stdin@{VERSION}"))?;
    define(&mut stdin, "get-stdin", |host: &mut Host<'_, T>, _| {
        let source = host.ctx().stdin.clone();
        host.new_resource(Resource::Input(InputStream::Stdin(source)), None)
    })?;
    for (interface, function, stderr) in [
        ("stdout", "get-stdout", false),
        ("stderr", "get-stderr", true),
    ] {
        let mut instance = linker.instance(&format!("wasi:cli/{interface}@{VERSION}"))?;
        define(&mut instance, function, move |host: &mut Host<'_, T>, _| {
            let ctx = host.ctx();
            let sink = if stderr {
                ctx.stderr.clone()
            } else {
                ctx.stdout.clone()
            };
            let stream = OutputStream::Stdio {
                sink,
                failed: false,
            };
            host.new_resource(Resource::Output(stream), None)
        })?;
    }

    let mut input = linker.instance(&format!("wasi:cli/terminal-input@{VERSION}"))?;
    define_resource(
        &mut input,
        "terminal-input",
        ResourceType::host::<ty::TerminalInput>(),
    )?;
    let mut output = linker.instance(&format!("wasi:cli/terminal-output@{VERSION}"))?;
    define_resource(
        &mut output,
        "terminal-output",
        ResourceType::host::<ty::TerminalOutput>(),
    )?;
    let mut terminal_stdin = linker.instance(&format!("wasi:cli/terminal-stdin@{VERSION}"))?;
    define(
        &mut terminal_stdin,
        "get-terminal-stdin",
        |host: &mut Host<'_, T>, _| {
            use std::io::IsTerminal;
            let is_terminal =
                matches!(host.ctx().stdin, InputSource::Inherit) && std::io::stdin().is_terminal();
            if !is_terminal {
                return Ok(none());
            }
            Ok(some(host.new_resource(Resource::TerminalInput, None)?))
        },
    )?;
    for (interface, function, stderr) in [
        ("terminal-stdout", "get-terminal-stdout", false),
        ("terminal-stderr", "get-terminal-stderr", true),
    ] {
        let mut instance = linker.instance(&format!("wasi:cli/{interface}@{VERSION}"))?;
        define(&mut instance, function, move |host: &mut Host<'_, T>, _| {
            let ctx = host.ctx();
            let sink: &OutputSink = if stderr { &ctx.stderr } else { &ctx.stdout };
            if !sink.is_terminal() {
                return Ok(none());
            }
            Ok(some(host.new_resource(Resource::TerminalOutput, None)?))
        })?;
    }
    Ok(())
}
