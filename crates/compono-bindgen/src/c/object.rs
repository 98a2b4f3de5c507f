//! `<world>_component_type.o`: a relocatable wasm object (tool-conventions
//! Linking.md: a `linking` section of version 2 with a symbol table) that
//! carries the `component-type` custom section. It defines one function,
//! `__component_type_object_force_link_<world>`, which the generated `.c`
//! calls so the linker keeps the object and with it the section.

use wasm_encoder::{
    CodeSection, CustomSection, Function, FunctionSection, LinkingSection, Module, SymbolTable,
    TypeSection,
};

pub fn component_type_object(world_c_name: &str, section_name: &str, payload: &[u8]) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    module.section(&funcs);
    let mut code = CodeSection::new();
    let mut body = Function::new([]);
    body.instructions().end();
    code.function(&body);
    module.section(&code);
    module.section(&CustomSection {
        name: section_name.into(),
        data: payload.into(),
    });
    let mut symbols = SymbolTable::new();
    symbols.function(
        SymbolTable::WASM_SYM_VISIBILITY_HIDDEN,
        0,
        Some(&format!(
            "__component_type_object_force_link_{world_c_name}"
        )),
    );
    let mut linking = LinkingSection::new();
    linking.symbol_table(&symbols);
    module.section(&linking);
    module.finish()
}
