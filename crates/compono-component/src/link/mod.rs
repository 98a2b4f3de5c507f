//! `link`: shared-everything dynamic linking. Shared libraries (modules
//! with a `dylink.0` section, as `clang -fPIC -shared` builds them) stay
//! separate core modules inside one component and share one memory and
//! one function table, following the tool-conventions'
//! `DynamicLinking.md` and the component model's
//! `SharedEverythingDynamicLinking.md`.
//!
//! One module per step: [`dylink`] reads each library, [`resolve`] binds
//! every imported symbol, [`order`] picks the libraries the component needs
//! and their instantiation order, [`layout`] places them in memory and
//! table, [`env`], [`init`] and [`libdl`] synthesize the linker's own
//! modules. This file puts the steps together and hands the result, as a
//! plan of instantiations, to the same encoder `new` uses.

mod dylink;
mod env;
mod error;
mod init;
mod layout;
mod libdl;
mod order;
mod resolve;

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;
use wasm_encoder::ExportKind;
use wasmparser::FuncType;

pub use error::{LinkError, MissingLibrary, SymbolKind, SymbolProblem};

use crate::Error;
use crate::classify::{Classified, CoreModule, check_world_exports, classify_part};
use crate::encode::linked::{ArgItem, LinkedModule, LinkedModules};
use crate::encode::{ComponentInput, encode_component};
use crate::metadata::{self, Bindings};
use dylink::{Definition, LibraryInfo, Need};
use env::{EnvGlobal, EnvModule, Trampoline};
use layout::{Layout, Slots};
use resolve::{DataAddress, FuncAddress, FuncProvider, Resolution};

/// One shared library to link.
#[derive(Debug, Clone)]
pub struct Library {
    /// The name other libraries' `needed` lists use (usually the file
    /// name, `libfoo.so`).
    pub name: String,
    pub bytes: Vec<u8>,
    /// Whether `dlopen` can find it (`--dl-openable`).
    pub dl_openable: bool,
}

/// `compono link` options (wasm-tools' flags).
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Validate the output with wasmparser (all features).
    pub validate: bool,
    /// Link missing functions to stubs that trap instead of failing.
    pub stub_missing_functions: bool,
    /// Add the built-in `libdl.so` (`dlopen`, `dlsym`, ...).
    pub use_built_in_libdl: bool,
    /// The stack's size in bytes; LLVM's 1 MiB by default.
    pub stack_size: Option<u32>,
    pub merge_imports_based_on_semver: bool,
    pub reject_legacy_names: bool,
    pub debug_names: bool,
    /// Adapter modules by the import module name they implement.
    pub adapters: Vec<(String, Vec<u8>)>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            validate: true,
            stub_missing_functions: false,
            use_built_in_libdl: false,
            stack_size: None,
            merge_imports_based_on_semver: true,
            reject_legacy_names: false,
            debug_names: false,
            adapters: Vec::new(),
        }
    }
}

/// A library, read.
struct Input<'a> {
    name: &'a str,
    bytes: &'a [u8],
    dl_openable: bool,
    info: LibraryInfo,
    world: Option<Bindings>,
}

/// Links `libraries` into one component.
pub fn link(libraries: &[Library], options: &LinkOptions) -> Result<Vec<u8>, Error> {
    let built_in = options.use_built_in_libdl.then(libdl::built_in_libdl);
    let mut given: Vec<(&str, &[u8], bool)> = libraries
        .iter()
        .map(|l| (l.name.as_str(), l.bytes.as_slice(), l.dl_openable))
        .collect();
    if let Some(libdl) = &built_in {
        given.push((libdl::BUILT_IN_NAME, libdl, false));
    }
    if libraries.is_empty() {
        return Err(LinkError::NoLibraries.into());
    }
    let mut inputs = Vec::new();
    for (name, bytes, dl_openable) in given {
        if inputs.iter().any(|i: &Input<'_>| i.name == name) {
            return Err(LinkError::DuplicateName {
                name: name.to_string(),
            }
            .into());
        }
        let library = |reason| LinkError::Library {
            library: name.to_string(),
            reason,
        };
        let info = dylink::read(bytes)
            .map_err(library)?
            .ok_or_else(|| LinkError::NotShared {
                library: name.to_string(),
            })?;
        let world = metadata::read(bytes).map_err(|e| in_library(name, e))?;
        inputs.push(Input {
            name,
            bytes,
            dl_openable,
            info,
            world,
        });
    }
    check_needed(&inputs)?;

    let symbols: Vec<resolve::Input<'_>> = inputs
        .iter()
        .map(|i| resolve::Input {
            name: i.name,
            info: &i.info,
        })
        .collect();
    let resolution =
        resolve::resolve(&symbols, options.stub_missing_functions).map_err(LinkError::Symbols)?;

    let roots: Vec<bool> = inputs
        .iter()
        .map(|i| {
            i.dl_openable
                || i.info.entry.start
                || i.world
                    .as_ref()
                    .is_some_and(|w| !w.resolve.worlds[w.world].exports.is_empty())
        })
        .collect();
    let deps = order::dependencies(&symbols, &resolution);
    let included = order::reachable(&roots, &deps);
    let load_order = order::load_order(&included, &deps);

    let plan = plan(&inputs, &symbols, &resolution, &load_order, options)?;
    encode(&inputs, &load_order, plan, &resolution, options)
}

fn in_library(library: &str, error: Error) -> Error {
    LinkError::InLibrary {
        library: library.to_string(),
        error: Box::new(error),
    }
    .into()
}

/// Every `needed` library must be given.
fn check_needed(inputs: &[Input<'_>]) -> Result<(), LinkError> {
    let mut missing = Vec::new();
    for input in inputs {
        for name in &input.info.needed {
            if !inputs.iter().any(|i| i.name == name) {
                missing.push(MissingLibrary {
                    needed_by: input.name.to_string(),
                    name: name.clone(),
                });
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LinkError::MissingLibraries(missing))
    }
}

/// The names modules are known by as import modules of the init module:
/// `env`, `stubs`, and each library's index.
const ENV: &str = "env";
const STUBS: &str = "stubs";

/// What `plan` works out: the linker's modules and each library's
/// instantiation arguments (but its world imports).
struct Plan {
    env: Vec<u8>,
    stubs: Option<Vec<u8>>,
    /// By library index.
    args: HashMap<usize, Vec<(String, Vec<ArgItem>)>>,
    init: Vec<u8>,
    init_args: Vec<(String, Vec<ArgItem>)>,
}

/// The position of each module in the instantiation order: `env`, the
/// stubs if any, then the libraries in load order.
struct Positions {
    stubs: Option<usize>,
    libraries: HashMap<usize, usize>,
}

impl Positions {
    fn new(load_order: &[usize], stubs: bool) -> Self {
        let first = if stubs { 2 } else { 1 };
        Positions {
            stubs: stubs.then_some(1),
            libraries: load_order
                .iter()
                .enumerate()
                .map(|(position, &library)| (library, first + position))
                .collect(),
        }
    }

    fn library(&self, library: usize) -> Result<usize, Error> {
        self.libraries.get(&library).copied().ok_or_else(|| {
            Error::InvalidOutput(format!("linking: library {library} is not instantiated"))
        })
    }

    fn provider(&self, provider: FuncProvider) -> Result<usize, Error> {
        match provider {
            FuncProvider::Library(library) => self.library(library),
            FuncProvider::Stub(_) => self
                .stubs
                .ok_or_else(|| Error::InvalidOutput("linking: no stub module".to_string())),
        }
    }
}

/// The export name of a provided function.
fn export_name(provider: FuncProvider, name: &str) -> String {
    match provider {
        FuncProvider::Library(_) => name.to_string(),
        FuncProvider::Stub(index) => index.to_string(),
    }
}

/// The type of a provided function.
fn provided_type(
    inputs: &[Input<'_>],
    resolution: &Resolution,
    provider: FuncProvider,
    name: &str,
) -> Result<FuncType, Error> {
    let ty = match provider {
        FuncProvider::Library(library) => inputs.get(library).and_then(|i| {
            i.info
                .symbols
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| match &s.definition {
                    Definition::Func(ty) => Some(ty.clone()),
                    _ => None,
                })
        }),
        FuncProvider::Stub(index) => resolution.stubs.get_index(index).map(|(_, ty)| ty.clone()),
    };
    ty.ok_or_else(|| Error::InvalidOutput(format!("linking: `{name}` has no function type")))
}

fn item(name: &str, kind: ExportKind, module: usize, export: &str) -> ArgItem {
    ArgItem {
        name: name.to_string(),
        kind,
        module,
        export: export.to_string(),
    }
}

/// Lays the libraries out and synthesizes `env`, the stubs and `init`.
fn plan(
    inputs: &[Input<'_>],
    symbols: &[resolve::Input<'_>],
    resolution: &Resolution,
    load_order: &[usize],
    options: &LinkOptions,
) -> Result<Plan, Error> {
    let names: Vec<&str> = inputs.iter().map(|i| i.name).collect();
    let mem_info: Vec<_> = inputs.iter().map(|i| i.info.mem_info).collect();
    let layout = layout::layout(
        load_order,
        &mem_info,
        &names,
        options.stack_size.unwrap_or(layout::DEFAULT_STACK_SIZE),
    )?;
    let stubs: Vec<(String, FuncType)> = resolution.stubs.iter().cloned().collect();
    let positions = Positions::new(load_order, !stubs.is_empty());
    let mut slots = Slots::new(layout.slots_start);

    // Function pointers and the calls that go through the table.
    let mut got_func: IndexMap<String, u32> = IndexMap::new();
    let mut trampolines: IndexMap<String, Trampoline> = IndexMap::new();
    for &library in load_order {
        let Some(input) = inputs.get(library) else {
            continue;
        };
        let position = positions.library(library)?;
        for import in &input.info.imports {
            match &import.need {
                Need::FuncAddress { name, .. } => {
                    let value = match resolution.func_address(name) {
                        Some(FuncAddress::Of(provider)) => slots.slot((provider, name.clone()))?,
                        _ => 0,
                    };
                    got_func.insert(name.clone(), value);
                }
                Need::Func { name, ty, .. } => {
                    if let Some(provider @ FuncProvider::Library(exporter)) =
                        resolution.func(name, ty)
                        && positions.library(exporter)? >= position
                        && !trampolines.contains_key(name)
                    {
                        let slot = slots.slot((provider, name.clone()))?;
                        trampolines.insert(
                            name.clone(),
                            Trampoline {
                                export: format!("call {name}"),
                                ty: ty.clone(),
                                slot,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    // The `dlopen` table.
    let mut dl_libraries = Vec::new();
    for &library in load_order {
        let Some(input) = inputs.get(library).filter(|i| i.dl_openable) else {
            continue;
        };
        let mut listed = Vec::new();
        for symbol in &input.info.symbols {
            let address = match &symbol.definition {
                Definition::Func(_) => {
                    slots.slot((FuncProvider::Library(library), symbol.name.clone()))?
                }
                Definition::Data {
                    value, absolute, ..
                } => data_address(&layout, library, *value, *absolute)?,
                Definition::OtherGlobal => continue,
            };
            listed.push((symbol.name.clone(), address));
        }
        dl_libraries.push(libdl::DlLibrary {
            name: input.name.to_string(),
            symbols: listed,
        });
    }
    let wants_table = load_order
        .iter()
        .any(|&l| inputs.get(l).is_some_and(|i| i.info.entry.set_libraries));
    let dl_table = (wants_table || !dl_libraries.is_empty())
        .then(|| libdl::dl_table(&dl_libraries, layout.data_end));
    let dl_len = dl_table.as_ref().map_or(0, |(bytes, _)| bytes.len() as u32);
    let (heap_base, heap_end, pages) = layout::heap(&layout, dl_len)?;

    // `env`'s globals, by export name.
    let mut globals: IndexMap<String, EnvGlobal> = IndexMap::new();
    let mut global = |export: String, mutable: bool, value: u32| {
        globals
            .entry(export.clone())
            .or_insert(EnvGlobal {
                export,
                mutable,
                value,
            })
            .export
            .clone()
    };
    // At least what every library's import asks for.
    let mut memory_pages = pages;
    let mut table_size = slots.end();
    let mut args: HashMap<usize, Vec<(String, Vec<ArgItem>)>> = HashMap::new();
    for &library in load_order {
        let Some(input) = inputs.get(library) else {
            continue;
        };
        let position = positions.library(library)?;
        let mut env_items = Vec::new();
        let mut got_mem_items = Vec::new();
        let mut got_func_items = Vec::new();
        for import in &input.info.imports {
            let field = import.field.as_str();
            match &import.need {
                Need::Memory(m) => {
                    memory_pages = memory_pages.max(u32::try_from(m.initial).unwrap_or(u32::MAX));
                    env_items.push(item(field, ExportKind::Memory, 0, env::MEMORY));
                }
                Need::Table(t) => {
                    table_size = table_size.max(u32::try_from(t.initial).unwrap_or(u32::MAX));
                    env_items.push(item(field, ExportKind::Table, 0, env::TABLE));
                }
                Need::EnvGlobal { name, mutable } => {
                    let (value, per_library) = match name.as_str() {
                        "__memory_base" => (base(&layout.memory_base, library), true),
                        "__table_base" => (base(&layout.table_base, library), true),
                        "__stack_pointer" | "__init_stack_pointer" | "__stack_high" => {
                            (layout.stack_size, false)
                        }
                        "__stack_low" | "__asyncify_state" | "__asyncify_data" => (0, false),
                        "__heap_base" => (heap_base, false),
                        "__heap_end" => (heap_end, false),
                        _ => {
                            return Err(LinkError::Library {
                                library: input.name.to_string(),
                                reason: format!(
                                    "import `env::{name}` is a global the linker does not \
                                     define"
                                ),
                            }
                            .into());
                        }
                    };
                    let mut export = name.clone();
                    if per_library {
                        export = format!("{export} {}", input.name);
                    }
                    if !*mutable {
                        export.push_str(" const");
                    }
                    let export = global(export, *mutable, value);
                    env_items.push(item(field, ExportKind::Global, 0, &export));
                }
                Need::Func { name, ty, .. } => {
                    let Some(provider) = resolution.func(name, ty) else {
                        return Err(Error::InvalidOutput(format!(
                            "linking: `{name}` is not resolved"
                        )));
                    };
                    let from = positions.provider(provider)?;
                    if from < position {
                        env_items.push(item(
                            field,
                            ExportKind::Func,
                            from,
                            &export_name(provider, name),
                        ));
                    } else {
                        let export =
                            trampolines
                                .get(name)
                                .map(|t| t.export.clone())
                                .ok_or_else(|| {
                                    Error::InvalidOutput(format!(
                                        "linking: no trampoline for `{name}`"
                                    ))
                                })?;
                        env_items.push(item(field, ExportKind::Func, 0, &export));
                    }
                }
                Need::DataAddress { name, .. } => {
                    let value = match resolution.data_address(symbols, name) {
                        Some(DataAddress::Of {
                            library,
                            value,
                            absolute,
                        }) => data_address(&layout, library, value, absolute)?,
                        Some(DataAddress::Linker) => match name.as_str() {
                            "__heap_base" => heap_base,
                            "__heap_end" => heap_end,
                            "__stack_high" => layout.stack_size,
                            _ => 0,
                        },
                        _ => 0,
                    };
                    let export = global(format!("GOT.mem {name}"), true, value);
                    got_mem_items.push(item(field, ExportKind::Global, 0, &export));
                }
                Need::FuncAddress { name, .. } => {
                    let value = got_func.get(name).copied().unwrap_or(0);
                    let export = global(format!("GOT.func {name}"), true, value);
                    got_func_items.push(item(field, ExportKind::Global, 0, &export));
                }
                Need::Other => {}
            }
        }
        let mut library_args = Vec::new();
        for (module, items) in [
            (ENV, env_items),
            ("GOT.mem", got_mem_items),
            ("GOT.func", got_func_items),
        ] {
            if !items.is_empty() {
                library_args.push((module.to_string(), items));
            }
        }
        args.insert(library, library_args);
    }

    let env = env::env_module(
        &EnvModule {
            memory_pages,
            table_size,
            globals: globals.into_values().collect(),
            trampolines: trampolines.into_values().collect(),
        },
        options.debug_names,
    );

    // `init`: slots, the `dlopen` table, relocations and constructors.
    let mut init_imports: IndexMap<String, Vec<ArgItem>> = IndexMap::new();
    let mut import_from = |module: usize, module_name: &str, export: &str, kind: ExportKind| {
        let items = init_imports.entry(module_name.to_string()).or_default();
        if !items.iter().any(|i| i.name == export && i.kind == kind) {
            items.push(item(export, kind, module, export));
        }
        (module_name.to_string(), export.to_string())
    };
    import_from(0, ENV, env::MEMORY, ExportKind::Memory);
    import_from(0, ENV, env::TABLE, ExportKind::Table);
    let module_name = |provider: FuncProvider| match provider {
        FuncProvider::Library(library) => library.to_string(),
        FuncProvider::Stub(_) => STUBS.to_string(),
    };
    let mut slot_funcs = Vec::new();
    for (provider, name) in slots.funcs() {
        let ty = provided_type(inputs, resolution, *provider, name)?;
        let import = import_from(
            positions.provider(*provider)?,
            &module_name(*provider),
            &export_name(*provider, name),
            ExportKind::Func,
        );
        slot_funcs.push((import, ty));
    }
    let mut relocs = Vec::new();
    let mut set_libraries = Vec::new();
    let mut ctors = Vec::new();
    for &library in load_order {
        let Some(input) = inputs.get(library) else {
            continue;
        };
        let module = positions.library(library)?;
        let name = library.to_string();
        let entry = input.info.entry;
        if entry.apply_data_relocs {
            relocs.push(import_from(
                module,
                &name,
                "__wasm_apply_data_relocs",
                ExportKind::Func,
            ));
        }
        if let (true, Some((_, root))) = (entry.set_libraries, &dl_table) {
            set_libraries.push((
                import_from(module, &name, "__wasm_set_libraries", ExportKind::Func),
                *root,
            ));
        }
        // `_initialize` runs the constructors itself.
        if entry.initialize {
            ctors.push(import_from(module, &name, "_initialize", ExportKind::Func));
        } else if entry.call_ctors {
            ctors.push(import_from(
                module,
                &name,
                "__wasm_call_ctors",
                ExportKind::Func,
            ));
        }
    }
    let init = init::init_module(
        &init::InitModule {
            env: ENV.to_string(),
            first_slot: slots.start(),
            slot_funcs,
            data: dl_table.map(|(bytes, _)| (layout.data_end, bytes)),
            relocs,
            set_libraries,
            ctors,
        },
        options.debug_names,
    );
    // The init module imports memory only with data, the table only with
    // slots; extra arguments are harmless.
    let init_args = init_imports.into_iter().collect();

    Ok(Plan {
        env,
        stubs: (!stubs.is_empty()).then(|| env::stub_module(&stubs, options.debug_names)),
        args,
        init,
        init_args,
    })
}

fn base(bases: &[u32], library: usize) -> u32 {
    bases.get(library).copied().unwrap_or(0)
}

/// The address of data symbol `value` of `library`.
fn data_address(layout: &Layout, library: usize, value: u32, absolute: bool) -> Result<u32, Error> {
    if absolute {
        return Ok(value);
    }
    layout
        .memory_base
        .get(library)
        .and_then(|base| base.checked_add(value))
        .ok_or_else(|| {
            LinkError::Layout("a data symbol's address is beyond 4 GiB".to_string()).into()
        })
}

/// The world of the included libraries, their world imports and exports
/// classified, and the component encoded.
fn encode(
    inputs: &[Input<'_>],
    load_order: &[usize],
    plan: Plan,
    resolution: &Resolution,
    options: &LinkOptions,
) -> Result<Vec<u8>, Error> {
    let mut bindings: Option<Bindings> = None;
    for &library in load_order {
        let Some(input) = inputs.get(library) else {
            continue;
        };
        let Some(world) = &input.world else {
            continue;
        };
        let world = Bindings {
            resolve: world.resolve.clone(),
            world: world.world,
            encoding: world.encoding,
        };
        bindings = Some(match bindings {
            None => world,
            Some(into) => {
                if into.encoding != world.encoding {
                    return Err(in_library(
                        input.name,
                        Error::Metadata(format!(
                            "its world uses the `{}` string encoding, but other libraries' \
                             use `{}`; embed every world with the same `--encoding`",
                            metadata::encoding_name(world.encoding),
                            metadata::encoding_name(into.encoding)
                        )),
                    ));
                }
                metadata::merge(into, world).map_err(|e| in_library(input.name, e))?
            }
        });
    }
    let mut bindings = match bindings {
        Some(bindings) => bindings,
        None => crate::new::empty_world()?,
    };
    if options.merge_imports_based_on_semver {
        bindings
            .resolve
            .merge_world_imports_based_on_semver(bindings.world)
            .map_err(|e| {
                Error::Metadata(format!("cannot merge semver-compatible imports: {e:#}"))
            })?;
    }
    crate::plan::check_supported(&bindings.resolve, bindings.world)?;
    let resolve = &bindings.resolve;

    let mut merged = Classified {
        imports: Vec::new(),
        funcs: HashMap::new(),
        dtors: HashMap::new(),
        memory: None,
        realloc: None,
        import_realloc: None,
        export_realloc: None,
        initialize: None,
        imported_memory: None,
    };
    let mut modules = vec![LinkedModule {
        name: "compono:link-env".to_string(),
        bytes: Cow::Owned(plan.env),
        args: Vec::new(),
        world_imports: 0..0,
    }];
    let has_stubs = plan.stubs.is_some();
    if let Some(stubs) = plan.stubs {
        modules.push(LinkedModule {
            name: "compono:link-stubs".to_string(),
            bytes: Cow::Owned(stubs),
            args: Vec::new(),
            world_imports: 0..0,
        });
    }
    let mut args = plan.args;
    let mut adapter_imports = Vec::new();
    for &library in load_order {
        let Some(input) = inputs.get(library) else {
            continue;
        };
        // The world is the component's now; a library without one goes in
        // as it is (copying a large library costs time and memory).
        let bytes = match input.world {
            Some(_) => {
                Cow::Owned(metadata::strip(input.bytes).map_err(|e| in_library(input.name, e))?)
            }
            None => Cow::Borrowed(input.bytes),
        };
        let mut core = CoreModule::parse(&bytes).map_err(|e| in_library(input.name, e))?;
        core.imports.retain(|i| {
            if !matches!(i.module.as_str(), "env" | "GOT.mem" | "GOT.func") {
                if !options.adapters.iter().any(|(name, _)| *name == i.module) {
                    return true;
                }
                adapter_imports.push((input.name, i.module.clone(), i.field.clone()));
            }
            false
        });
        let classified = classify_part(resolve, bindings.world, &core, options.reject_legacy_names)
            .map_err(|e| in_library(input.name, e))?;
        let start = merged.imports.len();
        merged.imports.extend(classified.imports);
        merged.funcs.extend(classified.funcs);
        merged.dtors.extend(classified.dtors);
        merged.realloc = merged.realloc.or(classified.realloc);
        merged.import_realloc = merged.import_realloc.or(classified.import_realloc);
        merged.export_realloc = merged.export_realloc.or(classified.export_realloc);
        modules.push(LinkedModule {
            name: input.name.to_string(),
            bytes,
            args: args.remove(&library).unwrap_or_default(),
            world_imports: start..merged.imports.len(),
        });
    }
    adapt(&adapter_imports)?;
    if let Err(m) = check_world_exports(resolve, bindings.world, &merged) {
        return Err(Error::Missing(format!(
            "the world exports {}, but no library exports a function named `{}` (or `{}`); \
             export it from one of the libraries",
            m.what, m.legacy, m.standard
        )));
    }

    // What the component lifts and calls, from the library that defines it.
    let positions = Positions::new(load_order, has_stubs);
    let mut exports: Vec<(String, usize)> = Vec::new();
    let names = merged
        .funcs
        .values()
        .flat_map(|f| std::iter::once(&f.core_name).chain(f.post_return.as_ref()))
        .chain(merged.dtors.values())
        .chain(merged.realloc.iter())
        .chain(merged.import_realloc.iter())
        .chain(merged.export_realloc.iter());
    for name in names {
        if exports.iter().any(|(n, _)| n == name) {
            continue;
        }
        let Some(&(library, _)) = resolution.definitions.get(name) else {
            return Err(Error::InvalidOutput(format!(
                "linking: no library defines `{name}`"
            )));
        };
        exports.push((name.clone(), positions.library(library)?));
    }
    exports.sort();

    let linked = LinkedModules {
        modules,
        init: LinkedModule {
            name: "compono:link-init".to_string(),
            bytes: Cow::Owned(plan.init),
            args: plan.init_args,
            world_imports: 0..0,
        },
        memory: (0, env::MEMORY.to_string()),
        exports,
    };
    let mut component = encode_component(ComponentInput {
        resolve,
        world: bindings.world,
        encoding: bindings.encoding,
        classified: &merged,
        module: &[],
        linked: Some(&linked),
        renames: HashMap::new(),
        debug_names: options.debug_names,
    })?;
    component.extend(crate::producers::processed_by_section(None)?);
    if options.validate {
        let validate = crate::validate::validate;
        if let Err(e) = validate(&component) {
            // Function bodies are first validated here; an invalid library
            // is the library's fault, not ours.
            for &library in load_order {
                if let Some(input) = inputs.get(library) {
                    validate(input.bytes).map_err(|e| {
                        in_library(input.name, Error::InvalidModule(format!("{e:#}")))
                    })?;
                }
            }
            return Err(Error::InvalidOutput(format!("{e:#}")));
        }
    }
    Ok(component)
}

/// Imports of adapter modules (`--adapt NAME=PATH`) are where the
/// preview1 adapter support of `new` plugs in: the component would
/// satisfy them with the adapter's exports, as `new` does for a main
/// module. Until that lands, they are an error naming what is missing.
fn adapt(imports: &[(&str, String, String)]) -> Result<(), Error> {
    match imports.first() {
        None => Ok(()),
        Some((library, module, field)) => Err(Error::Unsupported(format!(
            "`{library}` imports `{module}::{field}` from an adapter module: linking libraries \
             with adapters (`--adapt`) needs adapter support, which this version of compono \
             does not have yet; build the libraries against WASI 0.2 directly"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(name: &str, wat: &str, world: Option<&str>) -> Library {
        let mut bytes = wat::parse_str(wat).unwrap();
        if let Some(wit) = world {
            let mut resolve = wit_parser::Resolve::default();
            let package = resolve.push_str("w.wit", wit).unwrap();
            let world = resolve.select_world(&[package], None).unwrap();
            bytes = crate::embed(&bytes, resolve, world, &Default::default()).unwrap();
        }
        Library {
            name: name.to_string(),
            bytes,
            dl_openable: false,
        }
    }

    /// `ping` and `pong` call each other across two libraries.
    fn cycle() -> Vec<Library> {
        vec![
            library(
                "libping.so",
                r#"(module
                    (@dylink.0 (mem-info) (needed "libpong.so"))
                    (import "env" "pong" (func $pong (param i32) (result i32)))
                    (func (export "ping") (param i32) (result i32)
                        local.get 0
                        i32.eqz
                        if (result i32) i32.const 100
                        else local.get 0 i32.const 1 i32.sub call $pong end))"#,
                Some("package t:t; world w { export ping: func(n: u32) -> u32; }"),
            ),
            library(
                "libpong.so",
                r#"(module
                    (@dylink.0 (mem-info) (needed "libping.so"))
                    (import "env" "ping" (func $ping (param i32) (result i32)))
                    (func (export "pong") (param i32) (result i32)
                        local.get 0 call $ping i32.const 1 i32.add))"#,
                None,
            ),
        ]
    }

    #[test]
    fn a_call_cycle_links_through_the_table() {
        let component = link(&cycle(), &LinkOptions::default()).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        // One of the two calls goes through `env`'s table.
        assert!(text.contains("call_indirect"), "{text}");
    }

    #[test]
    fn unused_libraries_are_left_out() {
        let mut libraries = cycle();
        libraries.push(library(
            "libunused.so",
            r#"(module (@dylink.0 (mem-info)) (func (export "unused")))"#,
            None,
        ));
        let component = link(&libraries, &LinkOptions::default()).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        assert!(!text.contains("unused"), "{text}");
    }

    #[test]
    fn malformed_libraries_are_errors_not_panics() {
        let libraries = cycle();
        let good = &libraries[0].bytes;
        // Every truncation: some are valid modules (without the world, or
        // without dylink.0), none may panic.
        for len in 0..good.len() {
            let mut broken = libraries.clone();
            broken[0].bytes.truncate(len);
            let _ = link(&broken, &LinkOptions::default());
        }
        let mut inputs = vec![
            b"not wasm".to_vec(),
            wat::parse_str("(component)").unwrap(),
            // A dylink.0 section whose subsection claims more than there is.
            wat::parse_str(r#"(module (@custom "dylink.0" "\01\ff\ff\ff\ff\0f"))"#).unwrap(),
            // A needed list of 2^32-1 names.
            wat::parse_str(r#"(module (@custom "dylink.0" "\02\05\ff\ff\ff\ff\0f"))"#).unwrap(),
            wat::parse_str(r#"(module (@dylink.0 (mem-info (memory 4294967295 31))))"#).unwrap(),
        ];
        inputs.push(
            wat::parse_str(r#"(module (@dylink.0) (import "env" "memory" (memory 1 2)))"#).unwrap(),
        );
        for bytes in inputs {
            let libraries = vec![Library {
                name: "bad.so".to_string(),
                bytes,
                dl_openable: true,
            }];
            let err = link(&libraries, &LinkOptions::default()).unwrap_err();
            assert!(matches!(err, Error::Link(_)), "{err}");
        }
    }

    #[test]
    fn invalid_function_bodies_are_blamed_on_the_library() {
        let libraries = vec![library(
            "libbad.so",
            r#"(module (@dylink.0 (mem-info))
                (func (export "run") (result i32) i64.const 0))"#,
            Some("package t:t; world w { export run: func() -> u32; }"),
        )];
        let err = link(&libraries, &LinkOptions::default()).unwrap_err();
        assert!(
            matches!(&err, Error::Link(LinkError::InLibrary { library, .. }) if library == "libbad.so"),
            "{err}"
        );
    }

    #[test]
    fn the_built_in_libdl_yields_to_a_given_one() {
        let libraries = vec![library(
            "libapp.so",
            r#"(module (@dylink.0 (mem-info))
                (import "env" "dlopen" (func $dlopen (param i32 i32) (result i32)))
                (func (export "dlopen") (param i32 i32) (result i32) i32.const 7)
                (func (export "run") (result i32) i32.const 0 i32.const 0 call $dlopen))"#,
            Some("package t:t; world w { export run: func() -> u32; }"),
        )];
        let options = LinkOptions {
            use_built_in_libdl: true,
            ..Default::default()
        };
        // No duplicate: the built-in `dlopen` is weak, the given one is
        // first; the built-in libdl is unused, so left out.
        let component = link(&libraries, &options).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        assert!(!text.contains("dlsym"), "{text}");
    }
}
