//! compono's WebAssembly core interpreter.
//!
//! Modules are validated with wasmparser and each function is translated
//! once into a compact stack-machine form ([`ir`]) with resolved branch
//! targets, which a single dispatch loop executes. Wasm-to-wasm calls push
//! frames on an explicit stack, so guest recursion never recurses on the host
//! stack; call depth, value-stack size, memory and table growth and
//! (optionally) fuel are bounded.
//!
//! The API follows the shape embedders know: [`Engine`] and [`Config`],
//! [`Module`], [`Store`], [`Linker`], [`Instance`], [`Func`], [`Memory`],
//! [`Table`], [`Global`] and [`Val`]. Failures are [`Error::Compile`],
//! [`Error::Link`] or [`Error::Trap`].

#![forbid(unsafe_code)]

mod engine;
mod error;
mod exec;
mod func;
mod global;
mod instance;
pub mod ir;
mod linker;
mod memory;
mod module;
mod store;
mod table;
mod translate;
mod trap;
mod types;
#[cfg(feature = "wast")]
pub mod wast;

pub use engine::{Config, Engine};
pub use error::{Error, LinkError, Result};
pub use func::{Caller, Func, HostFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use global::Global;
pub use instance::{Extern, Instance};
pub use linker::Linker;
pub use memory::{Memory, PAGE_SIZE};
pub use module::{ExportType, ImportType, Module};
pub use store::{AsContext, AsContextMut, Store, StoreLimits};
pub use table::Table;
pub use trap::{Trap, TrapCode};
pub use types::{
    ExternRef, ExternType, FuncType, GlobalType, Limits, MemoryType, TableType, Val, ValType,
};
