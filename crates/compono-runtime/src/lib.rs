//! compono's component runtime: loads components, instantiates them on
//! compono's core interpreter, and calls their exports and serves their
//! imports through the canonical ABI.
//!
//! The API follows `wasmtime::component`: [`Engine`], [`Store`],
//! [`Component`], [`Linker`], [`Instance`], [`Func`] and [`Val`].
//! Failures are [`Error::Compile`], [`Error::Link`] or [`Error::Trap`].
//!
//! The crate follows the steps of the spec: [`component`] validates and
//! decodes once (core modules compiled once, shared by every instance),
//! `instantiate` runs a decoded component's steps, `abi` is the canonical
//! ABI in CanonicalABI.md's order, `call` holds `canon lift`,
//! `canon lower` and the resource built-ins, `resources` the handle
//! tables.

#![forbid(unsafe_code)]

mod abi;
mod call;
mod component;
mod error;
mod func;
mod instance;
mod instantiate;
mod linker;
mod resources;
mod store;
pub mod transcript;
mod types;
mod val;
#[cfg(feature = "wast")]
pub mod wast;
mod wave;

pub use abi::StringEncoding;
pub use component::{Component, ItemKind};
pub use error::{Error, Result, Trap, TrapCode};
pub use func::{Func, HostFn};
pub use instance::Instance;
pub use linker::{DropHandler, ImportCall, ImportHandler, Linker, LinkerInstance};
pub use store::{AsContext, AsContextMut, Config, Engine, Store, StoreContextMut, StoreLimits};
pub use types::{Case, Field, FuncType, Type};
pub use val::{ResourceAny, ResourceType, Val};
pub use wave::WaveCall;
