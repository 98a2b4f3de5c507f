//! Core import and export names to world items, under both name manglings
//! (the legacy one and the standard `cm32p2` one), with every signature
//! checked against the canonical ABI flattening of its WIT function.

use compono_wit::Lookup;
use std::collections::{HashMap, HashSet};

use wasmparser::{ExternalKind, FuncType, Payload, TypeRef, ValType};
use wit_parser::abi::AbiVariant;
use wit_parser::{
    Function, LiftLowerAbi, ManglingAndAbi, Resolve, ResourceIntrinsic, TypeId, WasmExport,
    WasmExportKind, WasmImport, WorldId, WorldItem, WorldKey,
};

use crate::Error;
use crate::dummy::core_types;
use crate::error::{CoreSignature, Problem, SignatureMismatch, SignatureOf, Unimplemented};
use crate::world::{imported_resources, interface_resources, item_funcs};

/// What compono needs to know of the core module: its function types,
/// imports and exports.
pub struct CoreModule<'a> {
    types: Vec<Option<FuncType>>,
    /// The type index of every function, imported ones first.
    funcs: Vec<u32>,
    /// Every memory, imported ones first.
    memories: Vec<wasmparser::MemoryType>,
    /// Every global, imported ones first; a defined one with its
    /// initializer.
    pub globals: Vec<(wasmparser::GlobalType, Option<wasmparser::ConstExpr<'a>>)>,
    pub imports: Vec<CoreImport<'a>>,
    pub exports: Vec<CoreExport<'a>>,
    /// The custom sections, in order (`dylink.0`, `component-type*`).
    pub custom: Vec<wasmparser::CustomSectionReader<'a>>,
}

pub struct CoreImport<'a> {
    pub module: &'a str,
    pub field: &'a str,
    pub ty: TypeRef,
}

pub struct CoreExport<'a> {
    pub name: &'a str,
    pub kind: ExternalKind,
    pub index: u32,
}

/// Whether `module` imports anything from module `name`. It reads no
/// further than the import section: `new` and `link` ask this of every
/// input, large ones included.
pub fn imports_from(module: &[u8], name: &str) -> Result<bool, Error> {
    let invalid = |e: wasmparser::BinaryReaderError| Error::InvalidModule(e.to_string());
    for payload in crate::payloads::without_bodies(module) {
        match payload.map_err(invalid)? {
            Payload::Version {
                encoding: wasmparser::Encoding::Component,
                ..
            } => return Err(component_input()),
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if import.map_err(invalid)?.module == name {
                        return Ok(true);
                    }
                }
                return Ok(false);
            }
            Payload::Version { .. } | Payload::CustomSection(_) | Payload::TypeSection(_) => {}
            // Every other section comes after the imports.
            _ => return Ok(false),
        }
    }
    Ok(false)
}

fn component_input() -> Error {
    Error::InvalidModule("the input is a component, not a core module".to_string())
}

impl<'a> CoreModule<'a> {
    pub fn parse(module: &'a [u8]) -> Result<CoreModule<'a>, Error> {
        let invalid = |e: wasmparser::BinaryReaderError| Error::InvalidModule(e.to_string());
        let mut core = CoreModule {
            types: Vec::new(),
            funcs: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            custom: Vec::new(),
        };
        for payload in crate::payloads::without_bodies(module) {
            match payload.map_err(invalid)? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(invalid)?.into_types() {
                            core.types.push(match sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => Some(f),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(invalid)?;
                        match import.ty {
                            TypeRef::Func(ty) => core.funcs.push(ty),
                            TypeRef::Memory(ty) => core.memories.push(ty),
                            TypeRef::Global(ty) => core.globals.push((ty, None)),
                            _ => {}
                        }
                        core.imports.push(CoreImport {
                            module: import.module,
                            field: import.name,
                            ty: import.ty,
                        });
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        core.memories.push(memory.map_err(invalid)?);
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        core.funcs.push(ty.map_err(invalid)?);
                    }
                }
                Payload::GlobalSection(reader) => {
                    for global in reader {
                        let global = global.map_err(invalid)?;
                        core.globals.push((global.ty, Some(global.init_expr)));
                    }
                }
                Payload::CustomSection(section) => core.custom.push(section),
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(invalid)?;
                        core.exports.push(CoreExport {
                            name: export.name,
                            kind: export.kind,
                            index: export.index,
                        });
                    }
                }
                Payload::Version {
                    encoding: wasmparser::Encoding::Component,
                    ..
                } => return Err(component_input()),
                _ => {}
            }
        }
        Ok(core)
    }

    pub fn func_type(&self, type_index: u32) -> Result<&FuncType, Error> {
        self.types
            .get(type_index as usize)
            .and_then(|t| t.as_ref())
            .ok_or_else(|| {
                Error::InvalidModule(format!("type {type_index} is not a function type"))
            })
    }

    pub fn func_type_of(&self, func_index: u32) -> Result<&FuncType, Error> {
        let ty = *self
            .funcs
            .get(func_index as usize)
            .ok_or_else(|| Error::InvalidModule(format!("function {func_index} does not exist")))?;
        self.func_type(ty)
    }

    /// How many memories the module defines (rather than imports).
    pub fn defined_memories(&self) -> usize {
        let imported = self
            .imports
            .iter()
            .filter(|i| matches!(i.ty, TypeRef::Memory(_)))
            .count();
        self.memories.len().saturating_sub(imported)
    }

    /// The exported functions, by name, with their types.
    pub fn func_exports(&self) -> impl Iterator<Item = (&str, &FuncType)> {
        self.exports.iter().filter_map(|e| {
            let func = matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact);
            func.then(|| self.func_type_of(e.index).ok())
                .flatten()
                .map(|ty| (e.name, ty))
        })
    }
}

/// The intrinsics a module imports to manage the resources it exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportedResourceIntrinsic {
    New,
    Rep,
    Drop,
}

/// What a core function import is for.
#[derive(Clone)]
pub enum ImportTarget<'r> {
    /// A world import function, from an interface (`key`) or the world.
    Func {
        key: Option<&'r WorldKey>,
        func: &'r Function,
    },
    /// `resource.drop` of an imported resource.
    /// The key is the interface's (one interface may be imported under
    /// several names, each with its own resource types); `None` at world
    /// level.
    ImportedDrop(Option<&'r WorldKey>, TypeId),
    /// `resource.new`, `resource.rep` or `resource.drop` of a resource the
    /// module itself exports.
    Exported(TypeId, ExportedResourceIntrinsic),
    /// The export of adapter number `n` with the import's name (an import
    /// of the main module from a module an adapter implements).
    AdapterExport(usize),
    /// The main module's export with the import's name (an import of an
    /// adapter from `__main_module__`).
    MainExport,
}

/// A core function import and what it is for.
pub struct ClassifiedImport<'r> {
    pub module: String,
    pub field: String,
    pub target: ImportTarget<'r>,
    pub ty: FuncType,
}

/// The core function exported for one world export function.
pub struct ExportedFunc {
    pub core_name: String,
    pub post_return: Option<String>,
}

/// The result of classification: every core import explained, every
/// world export found.
pub struct Classified<'r> {
    pub imports: Vec<ClassifiedImport<'r>>,
    /// Keyed by world export key (`None` for world functions) and function
    /// name.
    pub funcs: HashMap<(Option<&'r WorldKey>, &'r str), ExportedFunc>,
    pub dtors: HashMap<TypeId, String>,
    pub memory: Option<String>,
    pub realloc: Option<String>,
    pub import_realloc: Option<String>,
    pub export_realloc: Option<String>,
    pub initialize: Option<String>,
    /// `env::memory`, imported instead of defined: the component provides
    /// it (from the shim module).
    pub imported_memory: Option<wasmparser::MemoryType>,
    /// An adapter's `env::memory`: the main module's memory.
    pub main_memory: bool,
}

/// What `classify` needs to know besides the world and the module.
#[derive(Default)]
pub struct ClassifyOptions<'a> {
    pub reject_legacy_names: bool,
    /// The core module names adapters implement, in adapter order: the main
    /// module's imports from them are the adapters' exports.
    pub adapter_names: &'a [String],
    /// The module is an adapter: `env::memory` is the main module's memory
    /// and imports from `__main_module__` are the main module's exports.
    pub is_adapter: bool,
    /// The module is one of several linked libraries that together
    /// implement the world: its exports are checked across all of them
    /// (`check_world_exports`), not here, and its imports from `env`,
    /// `GOT.mem` and `GOT.func` are the linker's business, not the world's.
    pub linked_part: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    Legacy,
    Standard,
}

const MANGLINGS: [(ManglingAndAbi, Naming); 2] = [
    (ManglingAndAbi::Standard32, Naming::Standard),
    (ManglingAndAbi::Legacy(LiftLowerAbi::Sync), Naming::Legacy),
];

#[derive(Clone, Copy)]
enum ExportTarget<'r> {
    Func(Option<&'r WorldKey>, &'r Function),
    PostReturn(Option<&'r WorldKey>, &'r Function),
    Dtor(TypeId),
    Memory,
    Realloc,
    ImportRealloc,
    ExportRealloc,
    Initialize,
}

/// Replaces an interface version by its semver track (`@1.2.3` -> `@1`,
/// `@0.2.1` -> `@0.2`), so that semver-compatible names meet.
fn semver_track(name: &str) -> Option<String> {
    let at = name.find('@')?;
    let rest = &name[at + 1..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(rest.len());
    let version = &rest[..end];
    let mut parts = version.split('.');
    let major: u64 = parts.next()?.parse().ok()?;
    let minor: u64 = parts.next()?.parse().ok()?;
    let track = if major > 0 {
        format!("{major}")
    } else {
        format!("0.{minor}")
    };
    Some(format!("{}@{track}{}", &name[..at], &rest[end..]))
}

fn to_parser_types(types: &[wasm_encoder::ValType]) -> Vec<ValType> {
    types
        .iter()
        .map(|t| match t {
            wasm_encoder::ValType::I64 => ValType::I64,
            wasm_encoder::ValType::F32 => ValType::F32,
            wasm_encoder::ValType::F64 => ValType::F64,
            _ => ValType::I32,
        })
        .collect()
}

/// Checks `actual` against the expected flat signature; the error says
/// both.
fn check_sig(
    actual: &FuncType,
    params: &[ValType],
    results: &[ValType],
    item: SignatureOf,
) -> Result<(), Problem> {
    if actual.params() == params && actual.results() == results {
        return Ok(());
    }
    Err(Problem::Signature(Box::new(SignatureMismatch {
        item,
        expected: CoreSignature {
            params: params.to_vec(),
            results: results.to_vec(),
        },
        found: CoreSignature {
            params: actual.params().to_vec(),
            results: actual.results().to_vec(),
        },
    })))
}

/// A core signature in the text format's `(param ..) (result ..)` form.
pub fn display_sig(params: &[ValType], results: &[ValType]) -> String {
    CoreSignature {
        params: params.to_vec(),
        results: results.to_vec(),
    }
    .to_string()
}

/// Every core name a world explains, under both manglings: what
/// `classify` looks a module's imports and exports up in. Made once per
/// world, for every module classified against it (`link`'s libraries).
pub struct WorldNames<'r, 'p> {
    resolve: &'r Resolve,
    world: WorldId,
    /// The world exports the modules provide; `None`: all of them (the
    /// others come from adapters).
    provided: Option<&'p HashSet<WorldKey>>,
    imports: HashMap<(String, String), (ImportTarget<'r>, Naming)>,
    /// Imports by semver track (`a:b/c@0.2`): where spellings of one
    /// interface meet; `None` when two targets share the track.
    tracked: HashMap<(String, String), Option<(ImportTarget<'r>, Naming)>>,
    exports: HashMap<String, (ExportTarget<'r>, Naming)>,
}

impl<'r, 'p> WorldNames<'r, 'p> {
    pub fn new(
        resolve: &'r Resolve,
        world: WorldId,
        provided: Option<&'p HashSet<WorldKey>>,
    ) -> WorldNames<'r, 'p> {
        let w = &resolve.world_at(world);
        let provides = |key: &WorldKey| provided.is_none_or(|keys| keys.contains(key));
        let mut import_names: HashMap<(String, String), (ImportTarget<'r>, Naming)> =
            HashMap::new();
        for (key, item) in w.imports.iter() {
            for (key, _, func) in item_funcs(resolve, key, item) {
                for (mangling, naming) in MANGLINGS {
                    let name = resolve.wasm_import_name(
                        mangling,
                        WasmImport::Func {
                            interface: key,
                            func,
                        },
                    );
                    let target = ImportTarget::Func { key, func };
                    import_names.entry(name).or_insert((target, naming));
                }
            }
            let (interface, drops) = imported_resources(resolve, key, item);
            for resource in drops {
                for (mangling, naming) in MANGLINGS {
                    let name = resolve.wasm_import_name(
                        mangling,
                        WasmImport::ResourceIntrinsic {
                            interface,
                            resource,
                            intrinsic: ResourceIntrinsic::ImportedDrop,
                        },
                    );
                    import_names
                        .entry(name)
                        .or_insert((ImportTarget::ImportedDrop(interface, resource), naming));
                }
            }
        }
        let mut export_names: HashMap<String, (ExportTarget<'r>, Naming)> = HashMap::new();
        for (key, item) in w.exports.iter().filter(|(k, _)| provides(k)) {
            for (fkey, _, func) in item_funcs(resolve, key, item) {
                for (mangling, naming) in MANGLINGS {
                    let export = |kind| WasmExport::Func {
                        interface: fkey,
                        func,
                        kind,
                    };
                    let name = resolve.wasm_export_name(mangling, export(WasmExportKind::Normal));
                    export_names.insert(name, (ExportTarget::Func(fkey, func), naming));
                    let name =
                        resolve.wasm_export_name(mangling, export(WasmExportKind::PostReturn));
                    export_names.insert(name, (ExportTarget::PostReturn(fkey, func), naming));
                }
            }
            if let WorldItem::Interface { id, .. } = item {
                for resource in interface_resources(resolve, *id) {
                    for (mangling, naming) in MANGLINGS {
                        for (intrinsic, which) in [
                            (
                                ResourceIntrinsic::ExportedNew,
                                ExportedResourceIntrinsic::New,
                            ),
                            (
                                ResourceIntrinsic::ExportedRep,
                                ExportedResourceIntrinsic::Rep,
                            ),
                            (
                                ResourceIntrinsic::ExportedDrop,
                                ExportedResourceIntrinsic::Drop,
                            ),
                        ] {
                            let name = resolve.wasm_import_name(
                                mangling,
                                WasmImport::ResourceIntrinsic {
                                    interface: Some(key),
                                    resource,
                                    intrinsic,
                                },
                            );
                            import_names
                                .entry(name)
                                .or_insert((ImportTarget::Exported(resource, which), naming));
                        }
                        let name = resolve.wasm_export_name(
                            mangling,
                            WasmExport::ResourceDtor {
                                interface: key,
                                resource,
                            },
                        );
                        export_names.insert(name, (ExportTarget::Dtor(resource), naming));
                    }
                }
            }
        }
        for (name, target, naming) in [
            ("memory", ExportTarget::Memory, Naming::Legacy),
            ("cm32p2_memory", ExportTarget::Memory, Naming::Standard),
            ("cabi_realloc", ExportTarget::Realloc, Naming::Legacy),
            (
                "canonical_abi_realloc",
                ExportTarget::Realloc,
                Naming::Legacy,
            ),
            ("cm32p2_realloc", ExportTarget::Realloc, Naming::Standard),
            (
                "cabi_import_realloc",
                ExportTarget::ImportRealloc,
                Naming::Legacy,
            ),
            (
                "cabi_export_realloc",
                ExportTarget::ExportRealloc,
                Naming::Legacy,
            ),
            ("_initialize", ExportTarget::Initialize, Naming::Legacy),
            (
                "cm32p2_initialize",
                ExportTarget::Initialize,
                Naming::Standard,
            ),
        ] {
            export_names.insert(name.to_string(), (target, naming));
        }

        // Semver-compatible spellings of the same interface meet at their track.
        let mut tracked: HashMap<(String, String), Option<(ImportTarget<'r>, Naming)>> =
            HashMap::new();
        for ((module, field), target) in &import_names {
            if let Some(track) = semver_track(module) {
                tracked
                    .entry((track, field.clone()))
                    .and_modify(|t| *t = None)
                    .or_insert_with(|| Some(target.clone()));
            }
        }
        WorldNames {
            resolve,
            world,
            provided,
            imports: import_names,
            tracked,
            exports: export_names,
        }
    }
}

/// Classifies every import and export of `core` against the world `names`
/// come from.
pub fn classify<'r>(
    names: &WorldNames<'r, '_>,
    core: &CoreModule,
    options: &ClassifyOptions<'_>,
) -> Result<Classified<'r>, Error> {
    let (resolve, world) = (names.resolve, names.world);
    let reject_legacy_names = options.reject_legacy_names;
    let provides = |key: &WorldKey| names.provided.is_none_or(|keys| keys.contains(key));

    let mut classified = Classified {
        imports: Vec::new(),
        funcs: HashMap::new(),
        dtors: HashMap::new(),
        memory: None,
        realloc: None,
        import_realloc: None,
        export_realloc: None,
        initialize: None,
        imported_memory: None,
        main_memory: false,
    };

    for import in &core.imports {
        if options.linked_part && matches!(import.module, "env" | "GOT.mem" | "GOT.func") {
            continue;
        }
        let err = |reason: Problem| Error::Import {
            module: import.module.to_string(),
            field: import.field.to_string(),
            reason,
        };
        if let (TypeRef::Memory(_), "env", "memory", true) =
            (import.ty, import.module, import.field, options.is_adapter)
        {
            classified.main_memory = true;
            continue;
        }
        if let (TypeRef::Func(ty), true) = (import.ty, options.is_adapter)
            && import.module == "__main_module__"
        {
            classified.imports.push(ClassifiedImport {
                module: import.module.to_string(),
                field: import.field.to_string(),
                target: ImportTarget::MainExport,
                ty: core.func_type(ty)?.clone(),
            });
            continue;
        }
        if let TypeRef::Func(ty) = import.ty
            && let Some(n) = options
                .adapter_names
                .iter()
                .position(|a| *a == import.module)
        {
            classified.imports.push(ClassifiedImport {
                module: import.module.to_string(),
                field: import.field.to_string(),
                target: ImportTarget::AdapterExport(n),
                ty: core.func_type(ty)?.clone(),
            });
            continue;
        }
        if let (TypeRef::Memory(memory), "env", "memory") = (import.ty, import.module, import.field)
        {
            if memory.memory64 || memory.shared {
                return Err(err(Problem::Other(
                    "an imported memory must be a plain 32-bit memory; define it in the \
                     module and export it as `memory` instead"
                        .to_string(),
                )));
            }
            classified.imported_memory = Some(memory);
            continue;
        }
        let TypeRef::Func(ty) = import.ty else {
            return Err(err(Problem::Other(format!(
                "only functions (and the memory `env::memory`) can be imported by a module \
                 wrapped into a component, but this is a {}; define it in the module instead",
                match import.ty {
                    TypeRef::Memory(_) => "memory",
                    TypeRef::Table(_) => "table",
                    TypeRef::Global(_) => "global",
                    _ => "tag",
                }
            ))));
        };
        let key = (import.module.to_string(), import.field.to_string());
        let found = names.imports.get(&key).cloned().or_else(|| {
            semver_track(import.module)
                .and_then(|track| {
                    names
                        .tracked
                        .get(&(track, import.field.to_string()))
                        .cloned()
                })
                .flatten()
        });
        let Some((target, naming)) = found else {
            return Err(err(Problem::Other(unknown_import_reason(
                resolve,
                world,
                import.module,
            ))));
        };
        if reject_legacy_names && naming == Naming::Legacy {
            return Err(err(Problem::LegacyName));
        }
        let ty = core.func_type(ty)?.clone();
        let check = match &target {
            ImportTarget::Func { func, .. } => {
                let sig = resolve.wasm_signature(AbiVariant::GuestImport, func);
                check_sig(
                    &ty,
                    &to_parser_types(&core_types(&sig.params)),
                    &to_parser_types(&core_types(&sig.results)),
                    SignatureOf::WitFunction(func.name.clone()),
                )
            }
            ImportTarget::ImportedDrop(_, r)
            | ImportTarget::Exported(r, ExportedResourceIntrinsic::Drop) => check_sig(
                &ty,
                &[ValType::I32],
                &[],
                SignatureOf::ResourceDrop(resource_name(resolve, *r).to_string()),
            ),
            ImportTarget::Exported(r, _) => check_sig(
                &ty,
                &[ValType::I32],
                &[ValType::I32],
                SignatureOf::ResourceIntrinsic(resource_name(resolve, *r).to_string()),
            ),
            ImportTarget::AdapterExport(_) | ImportTarget::MainExport => Ok(()),
        };
        check.map_err(err)?;
        classified.imports.push(ClassifiedImport {
            module: import.module.to_string(),
            field: import.field.to_string(),
            target,
            ty,
        });
    }

    for export in &core.exports {
        let Some(&(target, naming)) = names.exports.get(export.name) else {
            if export.name.starts_with("cm32p2") {
                return Err(Error::Export {
                    name: export.name.to_string(),
                    reason: Problem::Other(
                        "this `cm32p2` name does not match any export of the world; \
                         check the interface and function names against the WIT"
                            .to_string(),
                    ),
                });
            }
            // Anything else (`__heap_base`, `__data_end`, a table, helper
            // functions) is the module's own business.
            continue;
        };
        let err = |reason: Problem| Error::Export {
            name: export.name.to_string(),
            reason,
        };
        if reject_legacy_names && naming == Naming::Legacy {
            return Err(err(Problem::LegacyName));
        }
        if let ExportTarget::Memory = target {
            // Something else that happens to be called `memory` is the
            // module's own business; a function that needs the memory
            // reports it missing.
            if export.kind != ExternalKind::Memory {
                continue;
            }
            if core
                .memories
                .get(export.index as usize)
                .is_some_and(|m| m.memory64 || m.shared)
            {
                return Err(Error::Unsupported {
                    item: export.name.to_string(),
                    feature: Unimplemented::WideMemory,
                });
            }
            classified.memory = Some(export.name.to_string());
            continue;
        }
        if export.kind != ExternalKind::Func {
            return Err(err(Problem::Other(
                "expected a function export".to_string(),
            )));
        }
        let ty = core.func_type_of(export.index)?;
        let name = export.name.to_string();
        let i32s = |n| vec![ValType::I32; n];
        match target {
            ExportTarget::Func(key, func) => {
                let sig = resolve.wasm_signature(AbiVariant::GuestExport, func);
                check_sig(
                    ty,
                    &to_parser_types(&core_types(&sig.params)),
                    &to_parser_types(&core_types(&sig.results)),
                    SignatureOf::WitFunction(func.name.clone()),
                )
                .map_err(err)?;
                let entry =
                    classified
                        .funcs
                        .entry((key, func.name.as_str()))
                        .or_insert(ExportedFunc {
                            core_name: name.clone(),
                            post_return: None,
                        });
                entry.core_name = name;
            }
            ExportTarget::PostReturn(key, func) => {
                let sig = resolve.wasm_signature(AbiVariant::GuestExport, func);
                check_sig(
                    ty,
                    &to_parser_types(&core_types(&sig.results)),
                    &[],
                    SignatureOf::PostReturn(func.name.clone()),
                )
                .map_err(err)?;
                classified
                    .funcs
                    .entry((key, func.name.as_str()))
                    .or_insert(ExportedFunc {
                        core_name: String::new(),
                        post_return: None,
                    })
                    .post_return = Some(name);
            }
            ExportTarget::Dtor(r) => {
                check_sig(
                    ty,
                    &i32s(1),
                    &[],
                    SignatureOf::Destructor(resource_name(resolve, r).to_string()),
                )
                .map_err(err)?;
                classified.dtors.insert(r, name);
            }
            ExportTarget::Realloc | ExportTarget::ImportRealloc | ExportTarget::ExportRealloc => {
                check_sig(ty, &i32s(4), &i32s(1), SignatureOf::Realloc).map_err(err)?;
                match target {
                    ExportTarget::Realloc => classified.realloc = Some(name),
                    ExportTarget::ImportRealloc => classified.import_realloc = Some(name),
                    _ => classified.export_realloc = Some(name),
                }
            }
            ExportTarget::Initialize => {
                check_sig(ty, &[], &[], SignatureOf::Initialize).map_err(err)?;
                classified.initialize = Some(name);
            }
            ExportTarget::Memory => {}
        }
    }

    if !options.linked_part
        && let Err(m) = missing_export(resolve, world, &classified, provides)
    {
        return Err(Error::Missing(format!(
            "the world exports {}, but the module exports no function named `{}` (or `{}`); \
             export it from the module",
            m.what, m.legacy, m.standard
        )));
    }
    Ok(classified)
}

/// A world export function without a core export, and the names that
/// would have been it.
pub struct MissingExport {
    pub what: String,
    pub legacy: String,
    pub standard: String,
}

/// Checks that every function of the world exports `provides` says
/// `classified` has (for several linked libraries, their merged
/// classification) has a core export.
pub fn missing_export(
    resolve: &Resolve,
    world: WorldId,
    classified: &Classified<'_>,
    provides: impl Fn(&WorldKey) -> bool,
) -> Result<(), MissingExport> {
    let w = &resolve.world_at(world);
    for (key, item) in w.exports.iter().filter(|(k, _)| provides(k)) {
        for (fkey, _, func) in item_funcs(resolve, key, item) {
            let found = classified
                .funcs
                .get(&(fkey, func.name.as_str()))
                .is_some_and(|f| !f.core_name.is_empty());
            if !found {
                let legacy = resolve.wasm_export_name(
                    ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
                    WasmExport::Func {
                        interface: fkey,
                        func,
                        kind: WasmExportKind::Normal,
                    },
                );
                let standard = resolve.wasm_export_name(
                    ManglingAndAbi::Standard32,
                    WasmExport::Func {
                        interface: fkey,
                        func,
                        kind: WasmExportKind::Normal,
                    },
                );
                let what = match fkey {
                    Some(k) => format!(
                        "function `{}` of exported interface `{}`",
                        func.name,
                        resolve.name_world_key(k)
                    ),
                    None => format!("exported function `{}`", func.name),
                };
                return Err(MissingExport {
                    what,
                    legacy,
                    standard,
                });
            }
        }
    }
    Ok(())
}

fn resource_name(resolve: &Resolve, r: TypeId) -> &str {
    resolve.type_at(r).name.as_deref().unwrap_or("<anonymous>")
}

/// Why no world item explains an import from `module`, and what would fix it.
fn unknown_import_reason(resolve: &Resolve, world: WorldId, module: &str) -> String {
    let w = &resolve.world_at(world);
    if module == "wasi_snapshot_preview1" {
        return "this is a WASI preview1 import, which needs an adapter: leave out \
                `--no-auto-adapt` to use compono's, or pass `--adapt \
                wasi_snapshot_preview1=ADAPTER.wasm`"
            .to_string();
    }
    if let Some(name) = module.strip_prefix("[export]") {
        let named = |k: &WorldKey| resolve.name_world_key(k) == name;
        if w.imports.keys().any(named) && !w.exports.keys().any(named) {
            return format!(
                "the world imports `{name}` but does not export it, and `[export]{name}` \
                 intrinsics are only for resources of interfaces the module exports; \
                 export the interface in the world, or import `[resource-drop]` from \
                 `{name}` instead"
            );
        }
    }
    let interface_known = w.imports.keys().chain(w.exports.keys()).any(|k| {
        let name = resolve.name_world_key(k);
        module == name
            || module.strip_prefix("[export]") == Some(name.as_str())
            || module.strip_prefix("cm32p2|")
                == Some(resolve.name_canonicalized_world_key(k).as_str())
    });
    // Preview1 imports are never world items: an adapter implements them.
    if module == "wasi_snapshot_preview1" || module == "wasi_unstable" {
        return format!(
            "the module imports WASI preview1, which needs an adapter: pass \
             --adapt {module}=PATH"
        );
    }
    let no_world = w.imports.is_empty() && w.exports.is_empty();
    if no_world {
        return "the module's world is empty (or it embeds none: no `component-type` custom \
                section), so nothing explains its imports; embed the world it was built \
                for with `compono embed WIT MODULE`"
            .to_string();
    }
    if interface_known || module == "$root" || module == "cm32p2" {
        "no item of the world explains this import: the interface is in the world but \
         has no such function or resource intrinsic; check the name against the WIT"
            .to_string()
    } else {
        format!(
            "no item of the world explains this import: the world has no interface \
             `{module}`. An import like this is usually a symbol left undefined at link \
             time; define it in the module (or link the library that does), or add it \
             to the world"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_tracks() {
        assert_eq!(
            semver_track("wasi:io/streams@0.2.3").as_deref(),
            Some("wasi:io/streams@0.2")
        );
        assert_eq!(semver_track("a:b/c@1.4.0").as_deref(), Some("a:b/c@1"));
        assert_eq!(
            semver_track("[export]a:b/c@1.4.0-rc.1").as_deref(),
            Some("[export]a:b/c@1")
        );
        assert_eq!(semver_track("a:b/c"), None);
        assert_eq!(semver_track("a:b/c@x"), None);
    }

    #[test]
    fn signatures_print_like_the_text_format() {
        let sig = |params: &[ValType], results: &[ValType]| {
            crate::error::CoreSignature {
                params: params.to_vec(),
                results: results.to_vec(),
            }
            .to_string()
        };
        assert_eq!(sig(&[], &[]), "(func)");
        assert_eq!(
            sig(&[ValType::I32, ValType::I64], &[ValType::F32]),
            "(param i32 i64) (result f32)"
        );
        assert_eq!(sig(&[], &[ValType::F64]), "(result f64)");
    }
}
