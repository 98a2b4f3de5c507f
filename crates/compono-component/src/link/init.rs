//! The module that finishes linking once every library is instantiated
//! (and, in the component, once the imports that need a library's
//! `cabi_realloc` are in place): it fills the function-pointer slots of
//! the table, writes the `dlopen` table into memory, and in its start
//! function applies each library's data relocations, hands the `dlopen`
//! table to the libraries that ask for it, then runs the constructors in
//! load order.

use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, EntityType, FunctionSection,
    ImportSection, Instruction, MemoryType, Module, NameSection, RefType, StartSection, TableType,
    TypeSection,
};
use wasmparser::FuncType;

use super::env::{MEMORY, TABLE, val_type};

/// An import of the init module: module and field names.
pub type ImportName = (String, String);

pub struct InitModule {
    /// The module `env`'s memory and table are imported from.
    pub env: String,
    /// The functions of the table slots from `first_slot` on.
    pub first_slot: u32,
    pub slot_funcs: Vec<(ImportName, FuncType)>,
    /// Bytes to write to memory at an address.
    pub data: Option<(u32, Vec<u8>)>,
    /// `() -> ()` functions to call, in order, after...
    pub relocs: Vec<ImportName>,
    /// ... `__wasm_set_libraries(dl_table)` functions, with the address...
    pub set_libraries: Vec<(ImportName, u32)>,
    /// ... and the constructors.
    pub ctors: Vec<ImportName>,
}

pub fn init_module(init: &InitModule, debug_names: bool) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([wasm_encoder::ValType::I32], []);
    let (thunk, with_address) = (0, 1);
    let mut imports = ImportSection::new();
    if init.data.is_some() {
        imports.import(
            &init.env,
            MEMORY,
            EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
        );
    }
    if !init.slot_funcs.is_empty() {
        imports.import(
            &init.env,
            TABLE,
            EntityType::Table(TableType {
                element_type: RefType::FUNCREF,
                minimum: 0,
                maximum: None,
                table64: false,
                shared: false,
            }),
        );
    }
    let mut func_count = 0u32;
    let mut import_func = |imports: &mut ImportSection, (module, field): &ImportName, ty: u32| {
        imports.import(module, field, EntityType::Function(ty));
        func_count += 1;
        func_count - 1
    };
    let mut slot_funcs = Vec::new();
    for (i, (name, ty)) in init.slot_funcs.iter().enumerate() {
        types.ty().function(
            ty.params().iter().map(|&t| val_type(t)),
            ty.results().iter().map(|&t| val_type(t)),
        );
        slot_funcs.push(import_func(&mut imports, name, 2 + i as u32));
    }
    let mut body = wasm_encoder::Function::new([]);
    for name in &init.relocs {
        body.instruction(&Instruction::Call(import_func(&mut imports, name, thunk)));
    }
    for (name, address) in &init.set_libraries {
        body.instruction(&Instruction::I32Const(*address as i32));
        body.instruction(&Instruction::Call(import_func(
            &mut imports,
            name,
            with_address,
        )));
    }
    for name in &init.ctors {
        body.instruction(&Instruction::Call(import_func(&mut imports, name, thunk)));
    }
    body.instruction(&Instruction::End);
    let start = func_count;

    let mut functions = FunctionSection::new();
    functions.function(thunk);
    let mut elements = ElementSection::new();
    if !slot_funcs.is_empty() {
        elements.active(
            Some(0),
            &ConstExpr::i32_const(init.first_slot as i32),
            Elements::Functions(slot_funcs.into()),
        );
    }
    let mut code = CodeSection::new();
    code.function(&body);
    let mut data = DataSection::new();
    if let Some((address, bytes)) = &init.data {
        data.active(
            0,
            &ConstExpr::i32_const(*address as i32),
            bytes.iter().copied(),
        );
    }

    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&StartSection {
        function_index: start,
    });
    module.section(&elements);
    module.section(&code);
    module.section(&data);
    if debug_names {
        let mut names = NameSection::new();
        names.module("compono:link-init");
        module.section(&names);
    }
    module.finish()
}
