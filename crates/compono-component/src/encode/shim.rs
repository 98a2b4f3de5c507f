//! The modules that break the instantiation cycle between the main module
//! and the functions it imports that need its memory or realloc.
//!
//! The shim is instantiated first and exports one function per such import
//! that calls through a table; the main module is instantiated with those.
//! Once the main module exists, its memory and realloc can be given to
//! `canon lower`, and the fixup module fills the shim's table with the real
//! lowered functions.

use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, ImportSection, Instruction, Module, NameMap, NameSection, RefType,
    TableSection, TableType, TypeSection, ValType,
};

use wit_parser::Function as WitFunction;

use crate::plan::AbiNeeds;

/// The shim's slots, in order: their core signatures, their debug names,
/// and what the fixup puts in each.
#[derive(Default)]
pub struct ShimPlan<'r> {
    pub sigs: Vec<CoreSig>,
    pub names: Vec<String>,
    pub targets: Vec<ShimTarget<'r>>,
}

impl<'r> ShimPlan<'r> {
    /// Adds a slot; returns its number.
    pub fn push(&mut self, sig: CoreSig, name: String, target: ShimTarget<'r>) -> usize {
        self.sigs.push(sig);
        self.names.push(name);
        self.targets.push(target);
        self.sigs.len() - 1
    }
}

/// A function that goes through the shim, filled in by the fixup.
pub enum ShimTarget<'r> {
    /// An import lowered with the main module's memory or realloc.
    Lower {
        component_func: u32,
        func: &'r WitFunction,
        needs: AbiNeeds,
        name: String,
        /// The module that imports it (see `ComponentInput::modules`),
        /// whose realloc is used.
        module: usize,
    },
    /// The export `name` of adapter number `adapter`.
    AdapterExport { adapter: usize, name: String },
    /// The destructor of an exported resource, a core export of the main
    /// module.
    Dtor { core_export: String },
}

/// The name of the shim's table export and of the fixup's table import.
pub const TABLE: &str = "$imports";

/// A core signature, in wasm-encoder's types.
#[derive(Clone)]
pub struct CoreSig {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

fn table_type(len: u32) -> TableType {
    TableType {
        element_type: RefType::FUNCREF,
        minimum: u64::from(len),
        maximum: Some(u64::from(len)),
        table64: false,
        shared: false,
    }
}

fn types_of(sigs: &[CoreSig]) -> TypeSection {
    let mut types = TypeSection::new();
    for sig in sigs {
        types
            .ty()
            .function(sig.params.iter().copied(), sig.results.iter().copied());
    }
    types
}

fn names_section(module_name: &str, func_names: &[String]) -> NameSection {
    let mut names = NameSection::new();
    names.module(module_name);
    let mut funcs = NameMap::new();
    for (i, name) in func_names.iter().enumerate() {
        funcs.append(i as u32, name);
    }
    names.functions(&funcs);
    names
}

/// The name of the shim's memory export, when the main module imports its
/// memory.
pub const MEMORY: &str = "$memory";

/// The shim: function `i` (exported as `"i"`) forwards its arguments to
/// table slot `i`; with `memory`, it also defines the memory the main
/// module imports.
pub fn shim_module(
    sigs: &[CoreSig],
    memory: Option<wasmparser::MemoryType>,
    names: Option<&[String]>,
) -> Vec<u8> {
    let len = sigs.len() as u32;
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    for (i, sig) in sigs.iter().enumerate() {
        let i = i as u32;
        funcs.function(i);
        let mut body = Function::new([]);
        for p in 0..sig.params.len() as u32 {
            body.instruction(&Instruction::LocalGet(p));
        }
        body.instruction(&Instruction::I32Const(i as i32));
        body.instruction(&Instruction::CallIndirect {
            type_index: i,
            table_index: 0,
        });
        body.instruction(&Instruction::End);
        code.function(&body);
        exports.export(&i.to_string(), ExportKind::Func, i);
    }
    exports.export(TABLE, ExportKind::Table, 0);
    let mut tables = TableSection::new();
    tables.table(table_type(len));
    let mut memories = wasm_encoder::MemorySection::new();
    if let Some(memory) = memory {
        memories.memory(wasm_encoder::MemoryType {
            minimum: memory.initial,
            maximum: memory.maximum,
            memory64: false,
            shared: false,
            page_size_log2: memory.page_size_log2,
        });
        exports.export(MEMORY, ExportKind::Memory, 0);
    }

    let mut module = Module::new();
    module.section(&types_of(sigs));
    module.section(&funcs);
    module.section(&tables);
    module.section(&memories);
    module.section(&exports);
    module.section(&code);
    if let Some(names) = names {
        module.section(&names_section("compono:shim", names));
    }
    module.finish()
}

/// The fixup: imports the shim's table and the real functions, and fills
/// the table with an active element segment when instantiated.
pub fn fixup_module(sigs: &[CoreSig], debug_names: bool) -> Vec<u8> {
    let len = sigs.len() as u32;
    let mut imports = ImportSection::new();
    imports.import("", TABLE, EntityType::Table(table_type(len)));
    for i in 0..len {
        imports.import("", &i.to_string(), EntityType::Function(i));
    }
    let funcs: Vec<u32> = (0..len).collect();
    let mut elements = ElementSection::new();
    elements.active(
        Some(0),
        &ConstExpr::i32_const(0),
        Elements::Functions(funcs.into()),
    );
    let mut module = Module::new();
    module.section(&types_of(sigs));
    module.section(&imports);
    module.section(&elements);
    if debug_names {
        let mut names = NameSection::new();
        names.module("compono:fixups");
        module.section(&names);
    }
    module.finish()
}

/// A module whose start function calls its one import: how the module's
/// `_initialize` runs once everything it may call is in place.
pub fn init_module(debug_names: bool) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    imports.import("", "", EntityType::Function(0));
    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&wasm_encoder::StartSection { function_index: 0 });
    if debug_names {
        let mut names = NameSection::new();
        names.module("compono:initialize");
        module.section(&names);
    }
    module.finish()
}
