//! [`WasiCtx`]: everything a guest may reach through WASI, and the state
//! of the resources it holds. Made with [`WasiCtxBuilder`]; nothing is
//! granted unless the builder says so.

use super::clocks::Clock;
use super::random::ChaCha20;
use super::sandbox::Dir;
use super::table::{DEFAULT_MAX_RESOURCES, Table};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What a guest may do inside a preopened directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirPerms {
    /// Read files and list directories; nothing can be created, written,
    /// renamed or removed (`not-permitted`).
    ReadOnly,
    ReadWrite,
}

/// Bytes a guest reads as its stdin, from memory (for tests and
/// embedders).
#[derive(Clone, Default)]
pub struct InputPipe(pub(crate) Arc<Mutex<MemoryInput>>);

#[derive(Default)]
pub(crate) struct MemoryInput {
    pub data: Vec<u8>,
    pub position: usize,
}

impl InputPipe {
    pub fn new(data: impl Into<Vec<u8>>) -> InputPipe {
        InputPipe(Arc::new(Mutex::new(MemoryInput {
            data: data.into(),
            position: 0,
        })))
    }
}

/// A buffer a guest's stdout or stderr is captured in; clones share it.
#[derive(Clone, Default)]
pub struct OutputPipe(pub(crate) Arc<Mutex<Vec<u8>>>);

impl OutputPipe {
    pub fn new() -> OutputPipe {
        OutputPipe::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

/// Where a guest's stdin comes from.
#[derive(Clone)]
pub(crate) enum InputSource {
    /// The process's own stdin.
    Inherit,
    Pipe(InputPipe),
    /// Nothing: reads see the end of the stream at once.
    Empty,
}

/// Where a guest's stdout or stderr goes.
#[derive(Clone)]
pub(crate) enum OutputSink {
    Stdout,
    Stderr,
    Pipe(OutputPipe),
    /// Discarded.
    Null,
}

impl OutputSink {
    /// Writes all of `bytes`, unbuffered: each write the guest makes
    /// reaches the process's stream before the call returns.
    pub fn write_all(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            OutputSink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()
            }
            OutputSink::Stderr => std::io::stderr().lock().write_all(bytes),
            OutputSink::Pipe(pipe) => {
                if let Ok(mut buffer) = pipe.0.lock() {
                    buffer.extend_from_slice(bytes);
                }
                Ok(())
            }
            OutputSink::Null => Ok(()),
        }
    }

    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        match self {
            OutputSink::Stdout => std::io::stdout().is_terminal(),
            OutputSink::Stderr => std::io::stderr().is_terminal(),
            _ => false,
        }
    }
}

/// A preopened directory: its handle, permissions, and the name the guest
/// sees it under.
pub(crate) struct Preopen {
    pub dir: Arc<Dir>,
    pub perms: DirPerms,
    pub name: String,
}

/// The WASI state of one store.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) preopens: Vec<Preopen>,
    pub(crate) stdin: InputSource,
    pub(crate) stdout: OutputSink,
    pub(crate) stderr: OutputSink,
    pub(crate) clock: Clock,
    pub(crate) random: ChaCha20,
    pub(crate) insecure_random: ChaCha20,
    pub(crate) insecure_seed: (u64, u64),
    pub(crate) max_random_size: u64,
    pub(crate) table: Table,
}

impl WasiCtx {
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// Flushes the process's stdout and stderr, for when the guest is done.
    pub fn flush_stdio(&mut self) {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
    }
}

/// Builds a [`WasiCtx`]. By default the guest gets no arguments, no
/// environment, no directories, an empty stdin, discarded stdout and
/// stderr, the real clocks and the operating system's randomness.
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<Preopen>,
    stdin: InputSource,
    stdout: OutputSink,
    stderr: OutputSink,
    deterministic: Option<u64>,
    max_random_size: u64,
    max_resources: usize,
}

/// wasmtime's default bound on one `get-random-bytes` call.
const DEFAULT_MAX_RANDOM_SIZE: u64 = 64 << 20;

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            stdin: InputSource::Empty,
            stdout: OutputSink::Null,
            stderr: OutputSink::Null,
            deterministic: None,
            max_random_size: DEFAULT_MAX_RANDOM_SIZE,
            max_resources: DEFAULT_MAX_RESOURCES,
        }
    }

    /// Appends an argument (the first is the program's name).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args(mut self, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable (replacing an earlier value).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match self.env.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.env.push((key, value)),
        }
        self
    }

    /// Passes every variable of the process's environment (those that are
    /// valid UTF-8).
    pub fn inherit_env(mut self) -> Self {
        for (key, value) in std::env::vars_os() {
            if let (Ok(key), Ok(value)) = (key.into_string(), value.into_string()) {
                self = self.env(key, value);
            }
        }
        self
    }

    /// Grants the directory `host` to the guest as `guest`.
    pub fn preopen_dir(
        mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
        perms: DirPerms,
    ) -> std::io::Result<Self> {
        let dir = Dir::open_preopen(host.as_ref())?;
        self.preopens.push(Preopen {
            dir: Arc::new(dir),
            perms,
            name: guest.into(),
        });
        Ok(self)
    }

    /// Stdin, stdout and stderr are the process's own.
    pub fn inherit_stdio(mut self) -> Self {
        self.stdin = InputSource::Inherit;
        self.stdout = OutputSink::Stdout;
        self.stderr = OutputSink::Stderr;
        self
    }

    pub fn stdin(mut self, pipe: InputPipe) -> Self {
        self.stdin = InputSource::Pipe(pipe);
        self
    }

    pub fn stdout(mut self, pipe: OutputPipe) -> Self {
        self.stdout = OutputSink::Pipe(pipe);
        self
    }

    pub fn stderr(mut self, pipe: OutputPipe) -> Self {
        self.stderr = OutputSink::Pipe(pipe);
        self
    }

    /// Makes the guest's view of the world a function of its inputs: the
    /// clocks start at a fixed instant (wall clock 2023-11-14T22:13:20Z,
    /// monotonic clock 0) and advance only by what the guest sleeps, and
    /// every random source is a ChaCha20 stream seeded from `seed`.
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.deterministic = Some(seed);
        self
    }

    /// The most bytes one `get-random-bytes` call may ask for; more traps.
    pub fn max_random_size(mut self, bytes: u64) -> Self {
        self.max_random_size = bytes;
        self
    }

    /// The most WASI resources (streams, descriptors, ...) the guest may
    /// hold at once; more traps.
    pub fn max_resources(mut self, count: usize) -> Self {
        self.max_resources = count;
        self
    }

    pub fn build(self) -> WasiCtx {
        let (clock, random, insecure_random, insecure_seed) = match self.deterministic {
            Some(seed) => {
                let mut seeds = ChaCha20::from_seed(seed, 0);
                (
                    Clock::virtual_start(),
                    ChaCha20::from_seed(seed, 1),
                    ChaCha20::from_seed(seed, 2),
                    (seeds.next_u64(), seeds.next_u64()),
                )
            }
            None => {
                let mut seeds = ChaCha20::from_os();
                (
                    Clock::real(),
                    ChaCha20::from_os(),
                    ChaCha20::from_os(),
                    (seeds.next_u64(), seeds.next_u64()),
                )
            }
        };
        WasiCtx {
            args: self.args,
            env: self.env,
            preopens: self.preopens,
            stdin: self.stdin,
            stdout: self.stdout,
            stderr: self.stderr,
            clock,
            random,
            insecure_random,
            insecure_seed,
            max_random_size: self.max_random_size,
            table: Table::new(self.max_resources),
        }
    }
}
