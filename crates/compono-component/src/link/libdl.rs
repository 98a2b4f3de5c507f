//! `dlopen` and `dlsym` over the libraries linked with `--dl-openable`.
//!
//! Nothing is loaded at run time: the linker writes a table of those
//! libraries and their symbols' addresses into memory, and hands its
//! address to every library exporting `__wasm_set_libraries` (wasi-libc's
//! libdl does, as does the built-in one here). The table's layout is that
//! convention's:
//!
//! ```text
//! libraries: { count: u32, entries: *library }          sorted by name
//! library:   { name_len: u32, name: *u8, count: u32, symbols: *symbol }
//! symbol:    { name_len: u32, name: *u8, address: u32 }  sorted by name
//! ```
//!
//! The built-in libdl (`--use-built-in-libdl`) is a shared library this
//! module synthesizes, linked like any other; its symbols are weak, so a
//! libdl given on the command line takes precedence.

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction as I, MemArg, MemoryType, Module, TypeSection, ValType,
};

/// The name the built-in libdl is linked under.
pub const BUILT_IN_NAME: &str = "libdl.so";

/// A dl-openable library as the table lists it.
pub struct DlLibrary {
    pub name: String,
    /// Symbol names and addresses (table slots for functions).
    pub symbols: Vec<(String, u32)>,
}

/// The table's bytes, to be placed at `base`, and the address of its root
/// (`libraries`).
pub fn dl_table(libraries: &[DlLibrary], base: u32) -> (Vec<u8>, u32) {
    let mut bytes = Vec::new();
    let address = |bytes: &Vec<u8>| base.wrapping_add(bytes.len() as u32);
    let put = |bytes: &mut Vec<u8>, v: u32| bytes.extend(v.to_le_bytes());
    let put_name = |bytes: &mut Vec<u8>, name: &str| {
        let at = base.wrapping_add(bytes.len() as u32);
        bytes.extend(name.as_bytes());
        while !bytes.len().is_multiple_of(4) {
            bytes.push(0);
        }
        at
    };
    let mut sorted: Vec<&DlLibrary> = libraries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut entries = Vec::new();
    for library in sorted {
        let name = put_name(&mut bytes, &library.name);
        let mut symbols: Vec<(&str, u32, u32)> = Vec::new();
        for (symbol, value) in &library.symbols {
            symbols.push((symbol, put_name(&mut bytes, symbol), *value));
        }
        symbols.sort_by(|a, b| a.0.cmp(b.0));
        let array = address(&bytes);
        for (symbol, at, value) in &symbols {
            put(&mut bytes, symbol.len() as u32);
            put(&mut bytes, *at);
            put(&mut bytes, *value);
        }
        entries.push((library.name.len() as u32, name, symbols.len() as u32, array));
    }
    let array = address(&bytes);
    for (len, name, count, symbols) in &entries {
        for v in [*len, *name, *count, *symbols] {
            put(&mut bytes, v);
        }
    }
    let root = address(&bytes);
    put(&mut bytes, entries.len() as u32);
    put(&mut bytes, array);
    (bytes, root)
}

/// `dylink.0` with a memory size and weak exports.
fn dylink_section(memory_size: u32, weak_exports: &[&str]) -> Vec<u8> {
    fn leb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut section = Vec::new();
    let mut mem_info = Vec::new();
    for v in [memory_size, 0, 0, 0] {
        leb(&mut mem_info, v);
    }
    section.push(1);
    leb(&mut section, mem_info.len() as u32);
    section.extend(mem_info);
    let mut export_info = Vec::new();
    leb(&mut export_info, weak_exports.len() as u32);
    for name in weak_exports {
        leb(&mut export_info, name.len() as u32);
        export_info.extend(name.as_bytes());
        leb(&mut export_info, 1); // WASM_SYM_BINDING_WEAK
    }
    section.push(3);
    leb(&mut section, export_info.len() as u32);
    section.extend(export_info);
    section
}

const MESSAGES: [&str; 5] = [
    "dlopen flags not yet supported",
    "library not found",
    "symbol not found",
    "invalid library handle",
    "dlsym RTLD_NEXT and RTLD_DEFAULT not yet supported",
];
const FLAGS: usize = 0;
const NO_LIBRARY: usize = 1;
const NO_SYMBOL: usize = 2;
const BAD_HANDLE: usize = 3;
const PSEUDO_HANDLE: usize = 4;

// Globals: the imported `__memory_base`, the table's address, the error.
const MEMORY_BASE: u32 = 0;
const LIBRARIES: u32 = 1;
const ERROR: u32 = 2;

// Functions.
const STRLEN: u32 = 0;
const MEMEQ: u32 = 1;
const FIND: u32 = 2;
const VALID: u32 = 3;

fn load(offset: u64) -> I<'static> {
    I::I32Load(MemArg {
        offset,
        align: 2,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    })
}

fn load8() -> I<'static> {
    I::I32Load8U(MemArg {
        offset: 0,
        align: 0,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    })
}

/// The built-in libdl.
pub fn built_in_libdl() -> Vec<u8> {
    let mut data = Vec::new();
    let mut message_at = Vec::new();
    for message in MESSAGES {
        message_at.push(data.len() as i32);
        data.extend(message.as_bytes());
        data.push(0);
    }
    // Sets the error to message `m` and returns 0 from the function.
    let fail = |body: &mut Function, m: usize| {
        body.instruction(&I::GlobalGet(MEMORY_BASE));
        body.instruction(&I::I32Const(message_at.get(m).copied().unwrap_or_default()));
        body.instruction(&I::I32Add);
        body.instruction(&I::GlobalSet(ERROR));
        body.instruction(&I::I32Const(0));
        body.instruction(&I::Return);
    };
    let check_libraries = |body: &mut Function| {
        body.instruction(&I::GlobalGet(LIBRARIES));
        body.instruction(&I::I32Eqz);
        body.instruction(&I::If(BlockType::Empty));
        body.instruction(&I::Unreachable);
        body.instruction(&I::End);
    };

    let mut types = TypeSection::new();
    let i32s = |n| vec![ValType::I32; n];
    // 0: (i32) -> i32, 1: (i32 i32 i32) -> i32, 2: (i32 i32 i32 i32) -> i32,
    // 3: (i32 i32) -> i32, 4: () -> i32, 5: (i32) -> ()
    for (params, results) in [(1, 1), (3, 1), (4, 1), (2, 1), (0, 1), (1, 0)] {
        types.ty().function(i32s(params), i32s(results));
    }
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();

    // strlen(s) -> n
    let mut f = Function::new([(1, ValType::I32)]);
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Add);
    f.instruction(&load8());
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalSet(1));
    f.instruction(&I::Br(1));
    f.instruction(&I::End);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::End);
    functions.function(0);
    code.function(&f);

    // memeq(a, b, n) -> bool
    let mut f = Function::new([]);
    f.instruction(&I::Block(BlockType::Empty));
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::BrIf(1));
    f.instruction(&I::LocalGet(0));
    f.instruction(&load8());
    f.instruction(&I::LocalGet(1));
    f.instruction(&load8());
    f.instruction(&I::I32Ne);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    for local in [0, 1] {
        f.instruction(&I::LocalGet(local));
        f.instruction(&I::I32Const(1));
        f.instruction(&I::I32Add);
        f.instruction(&I::LocalSet(local));
    }
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Sub);
    f.instruction(&I::LocalSet(2));
    f.instruction(&I::Br(0));
    f.instruction(&I::End);
    f.instruction(&I::End);
    f.instruction(&I::I32Const(1));
    f.instruction(&I::End);
    functions.function(1);
    code.function(&f);

    // find(entries, count, stride, name) -> entry or 0: the entry whose
    // leading `{ name_len, name }` equals the C string `name`.
    // Locals: 4 = name length, 5 = entry.
    let mut f = Function::new([(2, ValType::I32)]);
    f.instruction(&I::LocalGet(3));
    f.instruction(&I::Call(STRLEN));
    f.instruction(&I::LocalSet(4));
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::LocalSet(5));
    f.instruction(&I::Block(BlockType::Empty));
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::BrIf(1));
    f.instruction(&I::LocalGet(5));
    f.instruction(&load(0));
    f.instruction(&I::LocalGet(4));
    f.instruction(&I::I32Eq);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(5));
    f.instruction(&load(4));
    f.instruction(&I::LocalGet(3));
    f.instruction(&I::LocalGet(4));
    f.instruction(&I::Call(MEMEQ));
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(5));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(5));
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalSet(5));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Sub);
    f.instruction(&I::LocalSet(1));
    f.instruction(&I::Br(0));
    f.instruction(&I::End);
    f.instruction(&I::End);
    f.instruction(&I::I32Const(0));
    f.instruction(&I::End);
    functions.function(2);
    code.function(&f);

    // valid(handle) -> bool: whether `handle` is one of the table's
    // library entries. Locals: 1 = entry, 2 = remaining.
    let mut f = Function::new([(2, ValType::I32)]);
    check_libraries(&mut f);
    f.instruction(&I::GlobalGet(LIBRARIES));
    f.instruction(&load(4));
    f.instruction(&I::LocalSet(1));
    f.instruction(&I::GlobalGet(LIBRARIES));
    f.instruction(&load(0));
    f.instruction(&I::LocalSet(2));
    f.instruction(&I::Block(BlockType::Empty));
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::BrIf(1));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I32Eq);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Const(16));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalSet(1));
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Sub);
    f.instruction(&I::LocalSet(2));
    f.instruction(&I::Br(0));
    f.instruction(&I::End);
    f.instruction(&I::End);
    f.instruction(&I::I32Const(0));
    f.instruction(&I::End);
    functions.function(0);
    code.function(&f);

    // dlopen(name, flags) -> handle. Local 2 = found.
    let mut f = Function::new([(1, ValType::I32)]);
    check_libraries(&mut f);
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::I32Const(!3));
    f.instruction(&I::I32And);
    f.instruction(&I::If(BlockType::Empty));
    fail(&mut f, FLAGS);
    f.instruction(&I::End);
    f.instruction(&I::GlobalGet(LIBRARIES));
    f.instruction(&load(4));
    f.instruction(&I::GlobalGet(LIBRARIES));
    f.instruction(&load(0));
    f.instruction(&I::I32Const(16));
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::Call(FIND));
    f.instruction(&I::LocalTee(2));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    fail(&mut f, NO_LIBRARY);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(2));
    f.instruction(&I::End);
    functions.function(3);
    code.function(&f);

    // dlsym(handle, name) -> address. Local 2 = found.
    let mut f = Function::new([(1, ValType::I32)]);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I32Const(-1));
    f.instruction(&I::I32Eq);
    f.instruction(&I::I32Or);
    f.instruction(&I::If(BlockType::Empty));
    fail(&mut f, PSEUDO_HANDLE);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::Call(VALID));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    fail(&mut f, BAD_HANDLE);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(0));
    f.instruction(&load(12));
    f.instruction(&I::LocalGet(0));
    f.instruction(&load(8));
    f.instruction(&I::I32Const(12));
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::Call(FIND));
    f.instruction(&I::LocalTee(2));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    fail(&mut f, NO_SYMBOL);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(2));
    f.instruction(&load(8));
    f.instruction(&I::End);
    functions.function(3);
    code.function(&f);

    // dlclose(handle) -> 0, or -1 (with the error set) for a bad handle.
    let mut f = Function::new([]);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::Call(VALID));
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    f.instruction(&I::GlobalGet(MEMORY_BASE));
    f.instruction(&I::I32Const(
        message_at.get(BAD_HANDLE).copied().unwrap_or_default(),
    ));
    f.instruction(&I::I32Add);
    f.instruction(&I::GlobalSet(ERROR));
    f.instruction(&I::I32Const(-1));
    f.instruction(&I::End);
    functions.function(0);
    code.function(&f);

    // dlerror() -> the last error, once.
    let mut f = Function::new([]);
    f.instruction(&I::GlobalGet(ERROR));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::GlobalSet(ERROR));
    f.instruction(&I::End);
    functions.function(4);
    code.function(&f);

    // __wasm_set_libraries(table)
    let mut f = Function::new([]);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::GlobalSet(LIBRARIES));
    f.instruction(&I::End);
    functions.function(5);
    code.function(&f);

    let mut imports = ImportSection::new();
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    imports.import(
        "env",
        "__memory_base",
        EntityType::Global(GlobalType {
            val_type: ValType::I32,
            mutable: false,
            shared: false,
        }),
    );
    let mut globals = GlobalSection::new();
    for _ in [LIBRARIES, ERROR] {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
    }
    let mut exports = ExportSection::new();
    let symbols = ["dlopen", "dlsym", "dlclose", "dlerror"];
    for (i, name) in symbols.iter().enumerate() {
        exports.export(name, ExportKind::Func, 4 + i as u32);
    }
    exports.export("__wasm_set_libraries", ExportKind::Func, 8);
    let mut segments = DataSection::new();
    segments.active(0, &ConstExpr::global_get(MEMORY_BASE), data.iter().copied());

    let mut module = Module::new();
    module.section(&CustomSection {
        name: "dylink.0".into(),
        data: dylink_section(data.len() as u32, &symbols).into(),
    });
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&globals);
    module.section(&exports);
    module.section(&code);
    module.section(&segments);
    module.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_libdl_is_a_valid_shared_library() {
        let module = built_in_libdl();
        wasmparser::Validator::new().validate_all(&module).unwrap();
        let core = crate::classify::CoreModule::parse(&module).unwrap();
        let info = super::super::dylink::read(&core).unwrap().unwrap();
        assert!(info.entry.set_libraries);
        let names: Vec<_> = info
            .symbols
            .iter()
            .map(|s| (s.name.as_str(), s.weak))
            .collect();
        assert_eq!(
            names,
            [
                ("dlopen", true),
                ("dlsym", true),
                ("dlclose", true),
                ("dlerror", true)
            ]
        );
    }

    #[test]
    fn the_table_is_sorted_and_addressed() {
        let (bytes, root) = dl_table(
            &[
                DlLibrary {
                    name: "libz.so".into(),
                    symbols: vec![("b".into(), 7), ("a".into(), 9)],
                },
                DlLibrary {
                    name: "liba.so".into(),
                    symbols: vec![],
                },
            ],
            1000,
        );
        let word = |addr: u32| {
            let at = (addr - 1000) as usize;
            u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
        };
        assert_eq!(word(root), 2);
        let first = word(root + 4);
        // liba.so first, with no symbols.
        assert_eq!(word(first), 7);
        assert_eq!(word(first + 8), 0);
        let second = first + 16;
        assert_eq!(word(second + 8), 2);
        let symbols = word(second + 12);
        // "a" before "b".
        assert_eq!(word(symbols), 1);
        assert_eq!(word(symbols + 8), 9);
        assert_eq!(word(symbols + 20), 7);
    }
}
