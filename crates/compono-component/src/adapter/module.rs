//! An adapter module as the garbage collector sees it: every item with
//! where it comes from (imported or defined), its exports, and the names
//! the `name` section gives its functions and globals.
//!
//! Parsing checks the shape every adapter must have: a valid core module
//! that imports the main module's memory as `env::memory` (and defines no
//! memory of its own), with no data or element segments, no start function
//! and no tags. What it would hold in those lives in memory it allocates
//! when it runs.

use std::collections::HashMap;

use wasmparser::{
    ConstExpr, ExternalKind, FuncType, FunctionBody, GlobalType, MemoryType, Payload, TypeRef,
};

/// Where an item comes from.
pub enum Def<'a, T> {
    Import { module: &'a str, name: &'a str },
    Local(T),
}

pub struct Func<'a> {
    pub def: Def<'a, FunctionBody<'a>>,
    pub ty: u32,
}

pub struct Global<'a> {
    pub def: Def<'a, ConstExpr<'a>>,
    pub ty: GlobalType,
}

pub struct Export<'a> {
    pub name: &'a str,
    pub kind: ExternalKind,
    pub index: u32,
}

/// The parsed adapter.
pub struct AdapterModule<'a> {
    pub types: Vec<FuncType>,
    pub funcs: Vec<Func<'a>>,
    pub globals: Vec<Global<'a>>,
    /// How many tables it imports or defines (live code may use none).
    pub tables: usize,
    /// The imported memory (`env::memory`), if the adapter uses memory.
    pub memory: Option<MemoryType>,
    pub exports: Vec<Export<'a>>,
    pub func_names: HashMap<u32, &'a str>,
    pub global_names: HashMap<u32, &'a str>,
}

impl<'a> AdapterModule<'a> {
    /// Parses and checks `bytes`; the error says what is wrong and why an
    /// adapter cannot have it.
    pub fn parse(bytes: &'a [u8]) -> Result<AdapterModule<'a>, String> {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(bytes)
            .map_err(|e| format!("it is not a valid core module: {e}"))?;
        let mut module = AdapterModule {
            types: Vec::new(),
            funcs: Vec::new(),
            globals: Vec::new(),
            tables: 0,
            memory: None,
            exports: Vec::new(),
            func_names: HashMap::new(),
            global_names: HashMap::new(),
        };
        let mut next_body = 0usize;
        let err = |e: wasmparser::BinaryReaderError| format!("it cannot be read: {e}");
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.map_err(err)? {
                Payload::Version {
                    encoding: wasmparser::Encoding::Component,
                    ..
                } => return Err("it is a component; an adapter is a core module".to_string()),
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(err)?.into_types() {
                            match sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => module.types.push(f),
                                _ => {
                                    return Err("it defines a type that is not a function \
                                                type (GC types are not supported in adapters)"
                                        .to_string());
                                }
                            }
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(err)?;
                        macro_rules! def {
                            () => {
                                Def::Import {
                                    module: import.module,
                                    name: import.name,
                                }
                            };
                        }
                        match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                module.funcs.push(Func { def: def!(), ty })
                            }
                            TypeRef::Global(ty) => module.globals.push(Global { def: def!(), ty }),
                            TypeRef::Table(_) => module.tables += 1,
                            TypeRef::Memory(ty) => {
                                if (import.module, import.name) != ("env", "memory") {
                                    return Err(format!(
                                        "it imports memory `{}::{}`; an adapter shares the \
                                         main module's memory, imported as `env::memory`",
                                        import.module, import.name
                                    ));
                                }
                                if ty.memory64 || ty.shared {
                                    return Err("its memory import `env::memory` is 64-bit or \
                                                shared; adapters work on a plain 32-bit memory"
                                        .to_string());
                                }
                                if ty.page_size_log2.is_some_and(|p| p != 16) {
                                    return Err("its memory import `env::memory` has a custom \
                                                page size, which is not supported"
                                        .to_string());
                                }
                                module.memory = Some(ty);
                            }
                            TypeRef::Tag(_) => {
                                return Err(format!(
                                    "it imports tag `{}::{}`; adapters cannot use exceptions",
                                    import.module, import.name
                                ));
                            }
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    next_body = module.funcs.len();
                    for ty in reader {
                        module.funcs.push(Func {
                            // Filled in from the code section.
                            def: Def::Local(FunctionBody::new(wasmparser::BinaryReader::new(
                                &[],
                                0,
                            ))),
                            ty: ty.map_err(err)?,
                        });
                    }
                }
                Payload::TableSection(reader) => {
                    for table in reader {
                        table.map_err(err)?;
                        module.tables += 1;
                    }
                }
                Payload::MemorySection(_) => {
                    return Err(
                        "it defines a memory of its own; an adapter must work in the \
                                main module's memory, imported as `env::memory`"
                            .to_string(),
                    );
                }
                Payload::GlobalSection(reader) => {
                    for global in reader {
                        let global = global.map_err(err)?;
                        module.globals.push(Global {
                            def: Def::Local(global.init_expr),
                            ty: global.ty,
                        });
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(err)?;
                        module.exports.push(Export {
                            name: export.name,
                            kind: export.kind,
                            index: export.index,
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let slot = module
                        .funcs
                        .get_mut(next_body)
                        .ok_or("its code section has more bodies than functions")?;
                    slot.def = Def::Local(body);
                    next_body += 1;
                }
                Payload::DataSection(_) | Payload::DataCountSection { .. } => {
                    return Err(
                        "it has data segments; an adapter writes nothing into the main \
                                module's memory at instantiation, so its state must be \
                                allocated when it runs"
                            .to_string(),
                    );
                }
                Payload::ElementSection(_) => {
                    return Err("it has element segments; an adapter cannot fill tables \
                                (avoid function pointers and trait objects in its source)"
                        .to_string());
                }
                Payload::StartSection { .. } => {
                    return Err("it has a start function; an adapter is set up by the \
                                component, which allocates its stack"
                        .to_string());
                }
                Payload::TagSection(_) => {
                    return Err("it defines tags; adapters cannot use exceptions".to_string());
                }
                Payload::CustomSection(section) => {
                    if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                        // A malformed name section only costs the names.
                        module.read_names(names);
                    }
                }
                _ => {}
            }
        }
        Ok(module)
    }

    fn read_names(&mut self, names: wasmparser::NameSectionReader<'a>) {
        for name in names.into_iter().flatten() {
            let (map, into) = match name {
                wasmparser::Name::Function(map) => (map, &mut self.func_names),
                wasmparser::Name::Global(map) => (map, &mut self.global_names),
                _ => continue,
            };
            for naming in map.into_iter().flatten() {
                into.insert(naming.index, naming.name);
            }
        }
    }

    pub fn export(&self, name: &str) -> Option<&Export<'a>> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// The type of function `index`.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let func = self.funcs.get(index as usize)?;
        self.types.get(func.ty as usize)
    }

    /// The one mutable `i32` global called `name` in the `name` section.
    pub fn named_mut_i32_global(&self, name: &str) -> Result<Option<u32>, String> {
        let mut found = None;
        for (&index, &n) in &self.global_names {
            let Some(global) = self.globals.get(index as usize) else {
                continue;
            };
            if n == name && global.ty.mutable && global.ty.content_type == wasmparser::ValType::I32
            {
                if found.is_some() {
                    return Err(format!("it has two mutable i32 globals named `{name}`"));
                }
                found = Some(index);
            }
        }
        Ok(found)
    }
}
