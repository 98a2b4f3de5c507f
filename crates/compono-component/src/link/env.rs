//! The modules the linker defines before any library: `env`, which holds
//! the shared memory, table and globals (stack pointer, memory and table
//! bases, `GOT.mem` and `GOT.func` entries, all constants known at link
//! time) and the trampolines that break call cycles between libraries;
//! and the stub module, whose functions trap, for missing functions.

use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, FunctionSection, GlobalSection,
    GlobalType, Instruction, MemorySection, MemoryType, Module, NameMap, NameSection, TableSection,
    TableType, TypeSection, ValType,
};
use wasmparser::FuncType;

pub const MEMORY: &str = "memory";
pub const TABLE: &str = "__indirect_function_table";

/// One global of `env`.
pub struct EnvGlobal {
    pub export: String,
    pub mutable: bool,
    pub value: u32,
}

/// A function exported by `env` that calls the function in `slot`, for a
/// library instantiated before the library that defines it.
pub struct Trampoline {
    pub export: String,
    pub ty: FuncType,
    pub slot: u32,
}

pub struct EnvModule {
    pub memory_pages: u32,
    pub table_size: u32,
    pub globals: Vec<EnvGlobal>,
    pub trampolines: Vec<Trampoline>,
}

pub fn val_type(t: wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => ValType::Ref(match r.heap_type() {
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Extern,
                ..
            } => wasm_encoder::RefType::EXTERNREF,
            _ => wasm_encoder::RefType::FUNCREF,
        }),
    }
}

fn push_type(types: &mut TypeSection, ty: &FuncType) {
    types.ty().function(
        ty.params().iter().map(|&t| val_type(t)),
        ty.results().iter().map(|&t| val_type(t)),
    );
}

pub fn env_module(env: &EnvModule, debug_names: bool) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut names = NameMap::new();
    for (i, t) in env.trampolines.iter().enumerate() {
        let i = i as u32;
        push_type(&mut types, &t.ty);
        functions.function(i);
        let mut body = Function::new([]);
        for p in 0..t.ty.params().len() as u32 {
            body.instruction(&Instruction::LocalGet(p));
        }
        body.instruction(&Instruction::I32Const(t.slot as i32));
        body.instruction(&Instruction::CallIndirect {
            type_index: i,
            table_index: 0,
        });
        body.instruction(&Instruction::End);
        code.function(&body);
        exports.export(&t.export, ExportKind::Func, i);
        names.append(i, &t.export);
    }
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: wasm_encoder::RefType::FUNCREF,
        minimum: u64::from(env.table_size),
        maximum: None,
        table64: false,
        shared: false,
    });
    exports.export(TABLE, ExportKind::Table, 0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: u64::from(env.memory_pages),
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    exports.export(MEMORY, ExportKind::Memory, 0);
    let mut globals = GlobalSection::new();
    for (i, g) in env.globals.iter().enumerate() {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: g.mutable,
                shared: false,
            },
            &ConstExpr::i32_const(g.value as i32),
        );
        exports.export(&g.export, ExportKind::Global, i as u32);
    }

    let mut module = Module::new();
    module.section(&types);
    module.section(&functions);
    module.section(&tables);
    module.section(&memories);
    module.section(&globals);
    module.section(&exports);
    module.section(&code);
    if debug_names {
        let mut section = NameSection::new();
        section.module("compono:link-env");
        section.functions(&names);
        module.section(&section);
    }
    module.finish()
}

/// A module exporting, as `"0"`, `"1"`, ..., a function of each type that
/// traps when called.
pub fn stub_module(stubs: &[(String, FuncType)], debug_names: bool) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut names = NameMap::new();
    for (i, (name, ty)) in stubs.iter().enumerate() {
        let i = i as u32;
        push_type(&mut types, ty);
        functions.function(i);
        let mut body = Function::new([]);
        body.instruction(&Instruction::Unreachable);
        body.instruction(&Instruction::End);
        code.function(&body);
        exports.export(&i.to_string(), ExportKind::Func, i);
        names.append(i, &format!("missing-{name}"));
    }
    let mut module = Module::new();
    module.section(&types);
    module.section(&functions);
    module.section(&exports);
    module.section(&code);
    if debug_names {
        let mut section = NameSection::new();
        section.module("compono:link-stubs");
        section.functions(&names);
        module.section(&section);
    }
    module.finish()
}
