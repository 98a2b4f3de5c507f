//! Reading one shared library: its `dylink.0` section (how much memory and
//! table it needs, which libraries it needs, which symbols are weak or
//! thread-local), its imports sorted by what the linker must give them,
//! and the symbols it exports. Plain data out; nothing here decides how
//! libraries fit together.

use std::collections::{HashMap, HashSet};

use wasmparser::{
    Dylink0Subsection, ExternalKind, FuncType, KnownCustom, Operator, SymbolFlags, TypeRef, ValType,
};

use crate::classify::{CoreExport, CoreImport, CoreModule};

/// `WASM_DYLINK_MEM_INFO`: the library's share of the memory and table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemInfo {
    pub memory_size: u32,
    pub memory_align_log2: u32,
    pub table_size: u32,
    pub table_align_log2: u32,
}

/// What one import of a library asks the linker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// `env.memory`: the shared memory.
    Memory(wasmparser::MemoryType),
    /// `env.__indirect_function_table`: the shared table.
    Table(wasmparser::TableType),
    /// An `env` global the linker defines (`__stack_pointer`,
    /// `__memory_base`, ...).
    EnvGlobal { name: String, mutable: bool },
    /// `env.NAME`: a function of another library, called directly.
    Func {
        name: String,
        ty: FuncType,
        weak: bool,
    },
    /// `GOT.mem.NAME`: the address of a data symbol.
    DataAddress { name: String, weak: bool },
    /// `GOT.func.NAME`: the table index of a function (a function pointer).
    FuncAddress { name: String, weak: bool },
    /// Any other module: a world interface or an adapter, which the
    /// component encoding classifies.
    Other,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub field: String,
    pub need: Need,
}

/// What an exported symbol is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Definition {
    Func(FuncType),
    /// A data symbol: an immutable `i32` global holding its offset from the
    /// library's `__memory_base` (or, when `absolute`, its address).
    Data {
        value: u32,
        absolute: bool,
        tls: bool,
    },
    /// A global that is not a data address (mutable, or not a constant).
    OtherGlobal,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub definition: Definition,
    pub weak: bool,
}

/// The functions the linker calls during initialisation, when exported.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryPoints {
    pub apply_data_relocs: bool,
    pub call_ctors: bool,
    pub initialize: bool,
    pub set_libraries: bool,
    pub start: bool,
}

/// Everything the linker needs to know of one library.
#[derive(Debug, Clone)]
pub struct LibraryInfo {
    pub mem_info: MemInfo,
    pub needed: Vec<String>,
    pub imports: Vec<Import>,
    pub symbols: Vec<Symbol>,
    pub entry: EntryPoints,
}

/// Exports that are the toolchain's, not symbols: every library may have
/// its own.
fn is_entry_point(name: &str, entry: &mut EntryPoints) -> bool {
    match name {
        "__wasm_apply_data_relocs" => entry.apply_data_relocs = true,
        "__wasm_call_ctors" => entry.call_ctors = true,
        "_initialize" => entry.initialize = true,
        "__wasm_set_libraries" => entry.set_libraries = true,
        "_start" => entry.start = true,
        _ => return name.starts_with("__wasm_"),
    }
    true
}

/// Reads what `core` declares for the dynamic linker; `Ok(None)` when it
/// has no `dylink.0` section. The error is the reason, for the caller to
/// attach the library's name to.
pub fn read(core: &CoreModule<'_>) -> Result<Option<LibraryInfo>, String> {
    let mut dylink = false;
    let mut info = LibraryInfo {
        mem_info: MemInfo::default(),
        needed: Vec::new(),
        imports: Vec::new(),
        symbols: Vec::new(),
        entry: EntryPoints::default(),
    };
    let mut import_flags: HashMap<(&str, &str), SymbolFlags> = HashMap::new();
    let mut export_flags: HashMap<&str, SymbolFlags> = HashMap::new();
    for section in &core.custom {
        let KnownCustom::Dylink0(reader) = section.as_known() else {
            continue;
        };
        dylink = true;
        for subsection in reader {
            match subsection.map_err(|e| format!("malformed `dylink.0` section: {e}"))? {
                Dylink0Subsection::MemInfo(m) => {
                    info.mem_info = MemInfo {
                        memory_size: m.memory_size,
                        memory_align_log2: m.memory_alignment,
                        table_size: m.table_size,
                        table_align_log2: m.table_alignment,
                    }
                }
                Dylink0Subsection::Needed(names) => {
                    info.needed.extend(names.iter().map(|n| n.to_string()))
                }
                Dylink0Subsection::ExportInfo(list) => {
                    export_flags.extend(list.iter().map(|e| (e.name, e.flags)))
                }
                Dylink0Subsection::ImportInfo(list) => {
                    import_flags.extend(list.iter().map(|i| ((i.module, i.field), i.flags)))
                }
                // Search paths and the target name do not matter when every
                // library is given; unknown subsections are for newer
                // loaders.
                _ => {}
            }
        }
    }
    if !dylink {
        return Ok(None);
    }
    if core.defined_memories() > 0 {
        return Err(
            "the library defines a memory of its own instead of importing the shared \
             `env::memory`; link it with `-shared` (or, for an executable, `-pie` with \
             `-Wl,--import-memory`)"
                .to_string(),
        );
    }

    let func_type = |ty: u32| -> Result<FuncType, String> {
        core.func_type(ty)
            .cloned()
            .map_err(|_| format!("invalid module: type {ty} is not a function type"))
    };
    // wasm-ld records the flags of a `GOT.mem` or `GOT.func` import under
    // `env`, the symbol's module.
    let weak_import = |module: &str, field: &str| {
        [module, "env"].iter().any(|m| {
            import_flags
                .get(&(*m, field))
                .is_some_and(|f| f.contains(SymbolFlags::BINDING_WEAK))
        })
    };
    // wasm-ld records no flags for weak definitions, but a library calls
    // its own weak functions through an import, so that a strong
    // definition elsewhere wins.
    let mut self_imported: HashSet<&str> = HashSet::new();
    for import in &core.imports {
        if let ("env", TypeRef::Func(_)) = (import.module, import.ty) {
            self_imported.insert(import.field);
        }
    }
    for &CoreImport { module, field, ty } in &core.imports {
        let weak = weak_import(module, field);
        let what = |ty: &TypeRef| match ty {
            TypeRef::Func(_) => "a function",
            TypeRef::Table(_) => "a table",
            TypeRef::Memory(_) => "a memory",
            TypeRef::Global(_) => "a global",
            TypeRef::Tag(_) => "a tag",
            _ => "an item",
        };
        let unsupported = |expected: &str| {
            format!(
                "import `{module}::{field}` is {}, but the linker provides {expected} there",
                what(&ty)
            )
        };
        let need = match (module, field, ty) {
            ("env", "memory", TypeRef::Memory(m)) => {
                if m.memory64 || m.shared || m.maximum.is_some() {
                    return Err(format!(
                        "import `env::memory` must be a 32-bit, unshared memory without a \
                         maximum size, as the linker defines it; this one is {}",
                        describe_memory(&m)
                    ));
                }
                Need::Memory(m)
            }
            ("env", "memory", _) => return Err(unsupported("the shared memory")),
            ("env", "__indirect_function_table", TypeRef::Table(t)) => {
                if t.element_type != wasmparser::RefType::FUNCREF
                    || t.table64
                    || t.maximum.is_some()
                {
                    return Err(
                        "import `env::__indirect_function_table` must be a 32-bit `funcref` \
                         table without a maximum size, as the linker defines it"
                            .to_string(),
                    );
                }
                Need::Table(t)
            }
            ("env", "__indirect_function_table", _) => {
                return Err(unsupported("the shared function table"));
            }
            ("env", name, TypeRef::Global(g)) => {
                if g.content_type != ValType::I32 {
                    return Err(unsupported("only `i32` globals"));
                }
                Need::EnvGlobal {
                    name: name.to_string(),
                    mutable: g.mutable,
                }
            }
            ("env", name, TypeRef::Func(ty)) => Need::Func {
                name: name.to_string(),
                ty: numeric(func_type(ty)?, name)?,
                weak,
            },
            ("env", _, _) => {
                return Err(unsupported(
                    "functions, `i32` globals, `memory` and `__indirect_function_table`",
                ));
            }
            ("GOT.mem" | "GOT.func", name, TypeRef::Global(g)) => {
                if g.content_type != ValType::I32 || !g.mutable {
                    return Err(format!(
                        "import `{module}::{field}` must be a `(mut i32)` global, as \
                         position-independent code imports its addresses"
                    ));
                }
                let name = name.to_string();
                if module == "GOT.mem" {
                    Need::DataAddress { name, weak }
                } else {
                    Need::FuncAddress { name, weak }
                }
            }
            ("GOT.mem" | "GOT.func", _, _) => return Err(unsupported("`(mut i32)` globals")),
            _ => Need::Other,
        };
        info.imports.push(Import {
            field: field.to_string(),
            need,
        });
    }

    for &CoreExport { name, kind, index } in &core.exports {
        if is_entry_point(name, &mut info.entry) {
            continue;
        }
        let flags = export_flags
            .get(name)
            .copied()
            .unwrap_or(SymbolFlags::empty());
        let definition = match kind {
            ExternalKind::Func => Definition::Func(
                core.func_type_of(index)
                    .cloned()
                    .map_err(|e| format!("invalid module: export `{name}`: {e}"))?,
            ),
            ExternalKind::Global => match core.globals.get(index as usize) {
                Some((ty, Some(init))) if ty.content_type == ValType::I32 && !ty.mutable => {
                    match i32_constant(init) {
                        Some(value) => Definition::Data {
                            value: value as u32,
                            absolute: flags.contains(SymbolFlags::ABSOLUTE),
                            tls: flags.contains(SymbolFlags::TLS),
                        },
                        None => Definition::OtherGlobal,
                    }
                }
                Some(_) => Definition::OtherGlobal,
                None => {
                    return Err(format!(
                        "invalid module: export `{name}`: no global {index}"
                    ));
                }
            },
            // Memories, tables and tags are not symbols.
            _ => continue,
        };
        let weak = flags.contains(SymbolFlags::BINDING_WEAK)
            || (matches!(definition, Definition::Func(_)) && self_imported.contains(name));
        info.symbols.push(Symbol {
            name: name.to_string(),
            definition,
            weak,
        });
    }
    Ok(Some(info))
}

fn describe_memory(m: &wasmparser::MemoryType) -> String {
    let mut what = Vec::new();
    if m.memory64 {
        what.push("64-bit".to_string());
    }
    if m.shared {
        what.push("shared".to_string());
    }
    if let Some(max) = m.maximum {
        what.push(format!("limited to {max} pages"));
    }
    what.join(", ")
}

/// `ty`, when a symbol of it can be linked: numbers in and out only.
fn numeric(ty: FuncType, symbol: &str) -> Result<FuncType, String> {
    let is_number = |t: &ValType| {
        matches!(
            t,
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128
        )
    };
    if ty.params().iter().chain(ty.results()).all(is_number) {
        Ok(ty)
    } else {
        Err(format!(
            "function symbol `{symbol}` passes references, which the linker cannot \
             forward between libraries"
        ))
    }
}

/// The value of a constant expression that is a single `i32.const`.
fn i32_constant(expr: &wasmparser::ConstExpr<'_>) -> Option<i32> {
    let mut reader = expr.get_operators_reader();
    let value = match reader.read().ok()? {
        Operator::I32Const { value } => value,
        _ => return None,
    };
    matches!(reader.read().ok()?, Operator::End).then_some(value)
}
