//! Configuration shared by every module and store created from one engine.

use std::sync::Arc;
use wasmparser::WasmFeatures;

/// Which proposals are enabled and how much a guest may use.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: WasmFeatures,
    pub(crate) max_call_depth: u32,
    pub(crate) max_stack_slots: usize,
    pub(crate) consume_fuel: bool,
    pub(crate) max_reentry: u32,
}

impl Default for Config {
    fn default() -> Config {
        // Wasm 2.0 without SIMD, plus tail calls, extended constant
        // expressions, multiple memories and exception handling: what this
        // interpreter executes.
        let features = (WasmFeatures::WASM2
            | WasmFeatures::TAIL_CALL
            | WasmFeatures::EXTENDED_CONST
            | WasmFeatures::MULTI_MEMORY
            | WasmFeatures::EXCEPTIONS)
            .difference(WasmFeatures::SIMD);
        Config {
            features,
            max_call_depth: 20_000,
            max_stack_slots: 1 << 20,
            consume_fuel: false,
            max_reentry: 100,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    pub fn wasm_tail_call(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::TAIL_CALL, enable);
        self
    }

    pub fn wasm_extended_const(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::EXTENDED_CONST, enable);
        self
    }

    pub fn wasm_multi_memory(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::MULTI_MEMORY, enable);
        self
    }

    /// Exception handling (`tag`, `throw`, `throw_ref`, `try_table`,
    /// `exnref`); not the legacy `try`/`catch` instructions.
    pub fn wasm_exceptions(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::EXCEPTIONS, enable);
        self
    }

    pub fn wasm_multi_value(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::MULTI_VALUE, enable);
        self
    }

    pub fn wasm_bulk_memory(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::BULK_MEMORY, enable);
        self
    }

    pub fn wasm_reference_types(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::REFERENCE_TYPES, enable);
        self
    }

    pub fn wasm_sign_extension(&mut self, enable: bool) -> &mut Config {
        self.features.set(WasmFeatures::SIGN_EXTENSION, enable);
        self
    }

    pub fn wasm_saturating_float_to_int(&mut self, enable: bool) -> &mut Config {
        self.features
            .set(WasmFeatures::SATURATING_FLOAT_TO_INT, enable);
        self
    }

    /// Nested wasm calls allowed before a call traps with "call stack exhausted".
    pub fn max_call_depth(&mut self, depth: u32) -> &mut Config {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Value-stack slots (8 bytes each, locals included) a store may use.
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Config {
        self.max_stack_slots = slots.max(16);
        self
    }

    /// How deeply host functions may call back into wasm that calls host
    /// functions again. Each such level recurses on the host stack, so this
    /// is kept small; exceeding it traps with "call stack exhausted".
    pub fn max_reentry(&mut self, depth: u32) -> &mut Config {
        self.max_reentry = depth.max(1);
        self
    }

    /// Charge fuel at function entries and backward jumps; a store then runs
    /// only as long as it has fuel (see [`crate::Store::set_fuel`]).
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Config {
        self.consume_fuel = enable;
        self
    }
}

/// Holds the configuration; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    pub(crate) config: Arc<Config>,
}

impl Engine {
    pub fn new(config: &Config) -> Engine {
        Engine {
            config: Arc::new(config.clone()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}
