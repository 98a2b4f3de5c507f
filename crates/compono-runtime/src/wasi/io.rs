//! `wasi:io`: `error`, `poll` and `streams`, and the streams themselves:
//! stdio (the process's, or in-memory pipes) and files.
//!
//! Streams never buffer on the host side: a `write` reaches the file or
//! the process's stream before it returns, so `flush` has nothing left to
//! do but report an earlier failure.

use super::ctx::{InputPipe, InputSource, OutputSink};
use super::filesystem::error_code;
use super::host::{
    Host, bytes_arg, define, define_resource, err, list_arg, ok, ok_unit, trap, u64_arg,
};
use super::sandbox::File;
use super::table::{Resource, ty};
use super::{VERSION, WasiView};
use crate::error::{Error, Result};
use crate::linker::Linker;
use crate::val::{ResourceType, Val};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

/// What one `write` may carry, as `check-write` reports it.
const WRITE_PERMIT: u64 = 1 << 20;
/// The most one read returns, so a guest asking for 4 GiB does not make
/// the host allocate it.
const MAX_READ: u64 = 1 << 20;
/// The limit of `blocking-write-and-flush` and friends (WIT: 4096).
const BLOCKING_WRITE_LIMIT: u64 = 4096;

/// An `error` resource: what went wrong, and the filesystem error code it
/// maps to when it came from the operating system.
pub(crate) struct IoError {
    pub message: String,
    pub code: Option<&'static str>,
}

impl IoError {
    pub fn from_io(e: &std::io::Error) -> IoError {
        IoError {
            message: e.to_string(),
            code: Some(error_code(e)),
        }
    }
}

/// Why a stream operation did not succeed.
pub(crate) enum StreamError {
    Closed,
    Failed(IoError),
    /// Misuse the WIT says traps (a write larger than allowed).
    Trap(Error),
}

type StreamResult<V> = std::result::Result<V, StreamError>;

pub(crate) enum InputStream {
    Stdin(InputSource),
    File(FileReader),
}

pub(crate) struct FileReader {
    pub file: Arc<File>,
    pub position: u64,
}

pub(crate) enum OutputStream {
    Stdio { sink: OutputSink, failed: bool },
    File(FileWriter),
}

pub(crate) struct FileWriter {
    pub file: Arc<File>,
    /// Where the next write goes; `None` appends.
    pub position: Option<u64>,
    pub failed: bool,
}

/// What a pollable waits for.
pub(crate) enum Pollable {
    /// Always ready (output streams, files).
    Ready,
    /// The monotonic clock reaching this many nanoseconds.
    Deadline(u64),
    /// The input stream with this table index having data or ending.
    Input(u32),
}

impl InputStream {
    /// Reads up to `len` bytes; waits for at least one when `blocking`.
    /// An empty result means nothing is available yet (never at the end:
    /// that is `Closed`).
    fn read(&mut self, len: u64, blocking: bool) -> StreamResult<Vec<u8>> {
        let len = len.min(MAX_READ) as usize;
        match self {
            InputStream::Stdin(InputSource::Empty) => Err(StreamError::Closed),
            InputStream::Stdin(InputSource::Pipe(pipe)) => read_pipe(pipe, len),
            InputStream::Stdin(InputSource::Inherit) => stdin_worker().read(len, blocking),
            InputStream::File(reader) => {
                if len == 0 {
                    return Ok(Vec::new());
                }
                let mut buffer = vec![0; len];
                match reader.file.read_at(&mut buffer, reader.position) {
                    Ok(0) => Err(StreamError::Closed),
                    Ok(n) => {
                        buffer.truncate(n);
                        reader.position += n as u64;
                        Ok(buffer)
                    }
                    Err(e) => Err(StreamError::Failed(IoError::from_io(&e))),
                }
            }
        }
    }

    fn ready(&self) -> bool {
        match self {
            InputStream::Stdin(InputSource::Inherit) => stdin_worker().ready(),
            _ => true,
        }
    }

    fn is_process_stdin(&self) -> bool {
        matches!(self, InputStream::Stdin(InputSource::Inherit))
    }
}

fn read_pipe(pipe: &InputPipe, len: usize) -> StreamResult<Vec<u8>> {
    let mut input = pipe
        .0
        .lock()
        .map_err(|_| StreamError::Trap(trap("stdin pipe poisoned")))?;
    let start = input.position;
    if start >= input.data.len() {
        return Err(StreamError::Closed);
    }
    let end = input.data.len().min(start + len);
    input.position = end;
    Ok(input.data[start..end].to_vec())
}

impl OutputStream {
    fn failed(&mut self) -> &mut bool {
        match self {
            OutputStream::Stdio { failed, .. } => failed,
            OutputStream::File(writer) => &mut writer.failed,
        }
    }

    fn check_write(&mut self) -> StreamResult<u64> {
        if *self.failed() {
            return Err(StreamError::Closed);
        }
        Ok(WRITE_PERMIT)
    }

    fn write(&mut self, bytes: &[u8]) -> StreamResult<()> {
        if *self.failed() {
            return Err(StreamError::Closed);
        }
        if bytes.len() as u64 > WRITE_PERMIT {
            return Err(StreamError::Trap(trap(format!(
                "write of {} bytes is more than `check-write` permitted ({WRITE_PERMIT})",
                bytes.len()
            ))));
        }
        let outcome = match self {
            OutputStream::Stdio { sink, .. } => sink.write_all(bytes),
            OutputStream::File(writer) => {
                let position = match writer.position {
                    Some(p) => Ok(p),
                    None => writer.file.len(),
                };
                position.and_then(|p| {
                    writer.file.write_all_at(bytes, p)?;
                    if let Some(position) = &mut writer.position {
                        *position += bytes.len() as u64;
                    }
                    Ok(())
                })
            }
        };
        outcome.map_err(|e| {
            *self.failed() = true;
            StreamError::Failed(IoError::from_io(&e))
        })
    }

    fn flush(&mut self) -> StreamResult<()> {
        if *self.failed() {
            return Err(StreamError::Closed);
        }
        Ok(())
    }
}

/// The process's stdin, read by a thread of its own so a guest can poll
/// it without blocking (as wasmtime does): started on first use, it reads
/// ahead at most `AHEAD` bytes.
struct StdinWorker {
    state: Mutex<StdinState>,
    changed: Condvar,
}

#[derive(Default)]
struct StdinState {
    buffer: VecDeque<u8>,
    eof: bool,
    error: Option<String>,
}

const AHEAD: usize = 1 << 16;

fn stdin_worker() -> &'static StdinWorker {
    static WORKER: OnceLock<&'static StdinWorker> = OnceLock::new();
    WORKER.get_or_init(|| {
        let worker: &'static StdinWorker = Box::leak(Box::new(StdinWorker {
            state: Mutex::new(StdinState::default()),
            changed: Condvar::new(),
        }));
        std::thread::spawn(move || worker.run());
        worker
    })
}

impl StdinWorker {
    fn run(&self) {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut chunk = vec![0u8; AHEAD];
        loop {
            {
                let Ok(mut state) = self.state.lock() else {
                    return;
                };
                while state.buffer.len() >= AHEAD {
                    state = match self.changed.wait(state) {
                        Ok(s) => s,
                        Err(_) => return,
                    };
                }
            }
            let outcome = stdin.read(&mut chunk);
            let Ok(mut state) = self.state.lock() else {
                return;
            };
            match outcome {
                Ok(0) => state.eof = true,
                Ok(n) => state.buffer.extend(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => state.error = Some(e.to_string()),
            }
            let done = state.eof || state.error.is_some();
            drop(state);
            self.changed.notify_all();
            if done {
                return;
            }
        }
    }

    fn ready(&self) -> bool {
        self.state
            .lock()
            .map(|s| !s.buffer.is_empty() || s.eof || s.error.is_some())
            .unwrap_or(true)
    }

    /// Waits until stdin has data or ended, at most `timeout` when given.
    fn wait(&self, timeout: Option<Duration>) {
        let Ok(state) = self.state.lock() else {
            return;
        };
        let not_ready = |s: &mut StdinState| s.buffer.is_empty() && !s.eof && s.error.is_none();
        match timeout {
            Some(t) => drop(self.changed.wait_timeout_while(state, t, not_ready)),
            None => drop(self.changed.wait_while(state, not_ready)),
        }
    }

    fn read(&self, len: usize, blocking: bool) -> StreamResult<Vec<u8>> {
        if blocking {
            self.wait(None);
        }
        let mut state = self
            .state
            .lock()
            .map_err(|_| StreamError::Trap(trap("stdin reader poisoned")))?;
        if state.buffer.is_empty() {
            if let Some(message) = state.error.take() {
                state.eof = true;
                return Err(StreamError::Failed(IoError {
                    message,
                    code: None,
                }));
            }
            if state.eof {
                return Err(StreamError::Closed);
            }
        }
        let n = len.min(state.buffer.len());
        let bytes: Vec<u8> = state.buffer.drain(..n).collect();
        drop(state);
        self.changed.notify_all();
        Ok(bytes)
    }
}

/// A stream operation's outcome as the WIT's `result<T, stream-error>`;
/// a failure becomes an `error` resource the guest receives.
fn stream_result<T: WasiView>(host: &mut Host<'_, T>, r: StreamResult<Option<Val>>) -> Result<Val> {
    match r {
        Ok(Some(v)) => Ok(ok(v)),
        Ok(None) => Ok(ok_unit()),
        Err(StreamError::Closed) => Ok(err(Val::Variant("closed".into(), None))),
        Err(StreamError::Failed(e)) => {
            let error = host.new_resource(Resource::Error(e), None)?;
            Ok(err(Val::Variant(
                "last-operation-failed".into(),
                Some(Box::new(error)),
            )))
        }
        Err(StreamError::Trap(e)) => Err(e),
    }
}

impl<T: WasiView> Host<'_, T> {
    fn is_ready(&mut self, pollable: u32) -> Result<bool> {
        let now = self.ctx().clock.now();
        let table = self.table();
        Ok(match table.pollable(pollable)? {
            Pollable::Ready => true,
            Pollable::Deadline(when) => *when <= now,
            Pollable::Input(stream) => {
                let stream = *stream;
                table.input(stream)?.ready()
            }
        })
    }

    /// `poll`: waits until at least one of `pollables` is ready, and
    /// returns the positions of those that are.
    pub(crate) fn poll(&mut self, pollables: &[u32]) -> Result<Vec<u32>> {
        if pollables.is_empty() {
            return Err(trap("empty poll list"));
        }
        loop {
            let mut ready = Vec::new();
            let mut deadline: Option<u64> = None;
            let mut on_stdin = false;
            for (i, p) in pollables.iter().enumerate() {
                if self.is_ready(*p)? {
                    ready.push(i as u32);
                    continue;
                }
                let table = self.table();
                match table.pollable(*p)? {
                    Pollable::Deadline(when) => {
                        deadline = Some(deadline.map_or(*when, |d| d.min(*when)));
                    }
                    Pollable::Input(stream) => {
                        let stream = *stream;
                        on_stdin |= table.input(stream)?.is_process_stdin();
                    }
                    Pollable::Ready => {}
                }
            }
            if !ready.is_empty() {
                return Ok(ready);
            }
            let clock = &mut self.ctx().clock;
            match (deadline, on_stdin) {
                // Virtual time runs ahead instead of waiting for input, so
                // a deterministic run never depends on when input arrives.
                (Some(when), _) if clock.is_virtual() => clock.sleep_until(when),
                (Some(when), true) => {
                    let wait = when.saturating_sub(clock.now());
                    stdin_worker().wait(Some(Duration::from_nanos(wait)));
                }
                (None, true) => stdin_worker().wait(None),
                (Some(when), false) => clock.sleep_until(when),
                (None, false) => return Err(trap("poll: nothing can become ready")),
            }
        }
    }
}

pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    let mut error = linker.instance(&format!("wasi:io/error@{VERSION}"))?;
    define_resource(&mut error, "error", ResourceType::host::<ty::Error>())?;
    define(
        &mut error,
        "[method]error.to-debug-string",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            Ok(Val::String(host.table().error(rep)?.message.clone()))
        },
    )?;

    let mut poll = linker.instance(&format!("wasi:io/poll@{VERSION}"))?;
    define_resource(&mut poll, "pollable", ResourceType::host::<ty::Pollable>())?;
    define(
        &mut poll,
        "[method]pollable.ready",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            Ok(Val::Bool(host.is_ready(rep)?))
        },
    )?;
    define(
        &mut poll,
        "[method]pollable.block",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            host.poll(&[rep])?;
            Ok(super::host::unit())
        },
    )?;
    define(&mut poll, "poll", |host: &mut Host<'_, T>, args| {
        let reps = list_arg(args, 0)?
            .iter()
            .map(|v| host.rep(v))
            .collect::<Result<Vec<_>>>()?;
        let ready = host.poll(&reps)?;
        Ok(Val::List(ready.into_iter().map(Val::U32).collect()))
    })?;

    let mut streams = linker.instance(&format!("wasi:io/streams@{VERSION}"))?;
    define_resource(
        &mut streams,
        "input-stream",
        ResourceType::host::<ty::InputStream>(),
    )?;
    define_resource(
        &mut streams,
        "output-stream",
        ResourceType::host::<ty::OutputStream>(),
    )?;
    for (name, blocking) in [("read", false), ("blocking-read", true)] {
        define(
            &mut streams,
            &format!("[method]input-stream.{name}"),
            move |host: &mut Host<'_, T>, args| {
                let rep = host.rep(&args[0])?;
                let len = u64_arg(args, 1)?;
                let r = host.table().input(rep)?.read(len, blocking);
                stream_result(host, r.map(|b| Some(Val::Bytes(b))))
            },
        )?;
    }
    for (name, blocking) in [("skip", false), ("blocking-skip", true)] {
        define(
            &mut streams,
            &format!("[method]input-stream.{name}"),
            move |host: &mut Host<'_, T>, args| {
                let rep = host.rep(&args[0])?;
                let len = u64_arg(args, 1)?;
                let r = host.table().input(rep)?.read(len, blocking);
                stream_result(host, r.map(|b| Some(Val::U64(b.len() as u64))))
            },
        )?;
    }
    define(
        &mut streams,
        "[method]input-stream.subscribe",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            host.table().input(rep)?;
            host.new_resource(Resource::Pollable(Pollable::Input(rep)), Some(rep))
        },
    )?;
    define(
        &mut streams,
        "[method]output-stream.check-write",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let r = host.table().output(rep)?.check_write();
            stream_result(host, r.map(|n| Some(Val::U64(n))))
        },
    )?;
    define(
        &mut streams,
        "[method]output-stream.write",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let bytes = bytes_arg(args, 1)?;
            let r = host.table().output(rep)?.write(&bytes);
            stream_result(host, r.map(|()| None))
        },
    )?;
    define(
        &mut streams,
        "[method]output-stream.blocking-write-and-flush",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let bytes = bytes_arg(args, 1)?;
            if bytes.len() as u64 > BLOCKING_WRITE_LIMIT {
                return Err(trap(
                    "Buffer too large for blocking-write-and-flush (expected at most 4096)",
                ));
            }
            let stream = host.table().output(rep)?;
            let r = stream.write(&bytes).and_then(|()| stream.flush());
            stream_result(host, r.map(|()| None))
        },
    )?;
    define(
        &mut streams,
        "[method]output-stream.write-zeroes",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let len = u64_arg(args, 1)?;
            let r = write_zeroes(host.table().output(rep)?, len);
            stream_result(host, r.map(|()| None))
        },
    )?;
    define(
        &mut streams,
        "[method]output-stream.blocking-write-zeroes-and-flush",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            let len = u64_arg(args, 1)?;
            if len > BLOCKING_WRITE_LIMIT {
                return Err(trap(
                    "Buffer too large for blocking-write-zeroes-and-flush (expected at most 4096)",
                ));
            }
            let stream = host.table().output(rep)?;
            let r = write_zeroes(stream, len).and_then(|()| stream.flush());
            stream_result(host, r.map(|()| None))
        },
    )?;
    for name in ["flush", "blocking-flush"] {
        define(
            &mut streams,
            &format!("[method]output-stream.{name}"),
            |host: &mut Host<'_, T>, args| {
                let rep = host.rep(&args[0])?;
                let r = host.table().output(rep)?.flush();
                stream_result(host, r.map(|()| None))
            },
        )?;
    }
    define(
        &mut streams,
        "[method]output-stream.subscribe",
        |host: &mut Host<'_, T>, args| {
            let rep = host.rep(&args[0])?;
            host.table().output(rep)?;
            host.new_resource(Resource::Pollable(Pollable::Ready), Some(rep))
        },
    )?;
    for (name, blocking) in [("splice", false), ("blocking-splice", true)] {
        define(
            &mut streams,
            &format!("[method]output-stream.{name}"),
            move |host: &mut Host<'_, T>, args| {
                let dst = host.rep(&args[0])?;
                let src = host.rep(&args[1])?;
                let len = u64_arg(args, 2)?;
                let r = splice(host, dst, src, len, blocking)?;
                stream_result(host, r.map(|n| Some(Val::U64(n))))
            },
        )?;
    }
    Ok(())
}

fn write_zeroes(stream: &mut OutputStream, len: u64) -> StreamResult<()> {
    stream.write(&vec![0; len.min(WRITE_PERMIT + 1) as usize])
}

/// `splice`: reads what the output stream can take from the input stream
/// and writes it.
fn splice<T: WasiView>(
    host: &mut Host<'_, T>,
    dst: u32,
    src: u32,
    len: u64,
    blocking: bool,
) -> Result<StreamResult<u64>> {
    let table = host.table();
    let permit = match table.output(dst)?.check_write() {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let len = len.min(permit);
    if len == 0 {
        return Ok(Ok(0));
    }
    let bytes = match table.input(src)?.read(len, blocking) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    if bytes.is_empty() {
        return Ok(Ok(0));
    }
    let stream = table.output(dst)?;
    let written = stream.write(&bytes).and_then(|()| {
        if blocking {
            stream.flush()?;
        }
        Ok(bytes.len() as u64)
    });
    Ok(written)
}
