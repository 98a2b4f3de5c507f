//! compono's WebAssembly core interpreter.
//!
//! Modules are validated with wasmparser and each function is translated
//! once into a register form ([`ir`], whose instruction set is the table in
//! `isa.rs`): operands are frame slots or immediates, branch targets and
//! call targets are resolved. Each instruction has its own handler;
//! wasm-to-wasm calls push frames on an explicit stack, so guest recursion
//! never recurses on the host stack; call depth, value-stack size, memory
//! and table growth and (optionally) fuel are bounded.
//!
//! The API follows the shape embedders know: [`Engine`] and [`Config`],
//! [`Module`], [`Store`], [`Linker`], [`Instance`], [`Func`], [`Memory`],
//! [`Table`], [`Global`] and [`Val`]. Failures are [`Error::Compile`],
//! [`Error::Link`] or [`Error::Trap`].
//!
//! ```
//! use compono_interp::{Caller, Engine, Extern, FuncType, Linker, Module, Store, Trap, ValType};
//!
//! # fn main() -> compono_interp::Result<()> {
//! let wasm = wat::parse_str(r#"
//!     (module
//!       (import "host" "log" (func $log (param i32 i32)))
//!       (memory (export "memory") 1)
//!       (data (i32.const 0) "hi")
//!       (func (export "run") (param i32) (result i32)
//!         (call $log (i32.const 0) (i32.const 2))
//!         (i32.mul (local.get 0) (i32.const 2))))
//! "#).unwrap();
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm)?;
//! let mut linker = Linker::<Vec<String>>::new();
//! let log_type = FuncType::new([ValType::I32, ValType::I32], []);
//! linker.func_new("host", "log", log_type, |mut caller: Caller<'_, Vec<String>>, args, _results| {
//!     let memory = caller.get_export("memory").and_then(Extern::into_memory).ok_or(Trap::host("no memory"))?;
//!     let (ptr, len) = (args[0].i32().unwrap() as usize, args[1].i32().unwrap() as usize);
//!     let text = String::from_utf8_lossy(&memory.data(&caller)[ptr..ptr + len]).into_owned();
//!     caller.data_mut().push(text);
//!     Ok(())
//! });
//! let mut store = Store::new(&engine, Vec::new());
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_func(&store, "run").unwrap().typed::<i32, i32>(&store)?;
//! assert_eq!(run.call(&mut store, 21)?, 42);
//! assert_eq!(store.data(), &["hi".to_string()]);
//! # Ok(())
//! # }
//! ```

// Unsafe code lives only in `exec/unchecked.rs`, which allows it.
#![deny(unsafe_code)]
// The instruction table is expanded by recursive macros (`isa.rs`).
#![recursion_limit = "1024"]

mod backtrace;
mod demangle;
mod engine;
mod error;
mod exec;
mod func;
mod global;
mod instance;
#[doc(hidden)]
pub mod ir;
mod isa;
mod linker;
mod memory;
mod module;
mod numeric;
mod store;
mod table;
mod tag;
mod translate;
mod trap;
mod types;
#[cfg(feature = "wast")]
pub mod wast;

pub use backtrace::FrameInfo;
pub use engine::{Config, Engine};
pub use error::{Error, LinkError, Result};
pub use func::{Caller, Func, HostFunc, IntoHostFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use global::Global;
pub use instance::{Extern, Instance};
pub use linker::Linker;
pub use memory::{Memory, PAGE_SIZE};
pub use module::{ExportType, ImportType, Module};
pub use store::{AsContext, AsContextMut, Store, StoreLimits};
pub use table::Table;
pub use tag::Tag;
pub use trap::{Trap, TrapCode};
pub use types::{
    ExnRef, ExternRef, ExternType, FuncType, GlobalType, Limits, MemoryType, TableType, TagType,
    Val, ValType,
};
