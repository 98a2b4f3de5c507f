//! What gets instantiated, worked out from the resolved symbols and the
//! load order, one step a function: the function-pointer slots and the
//! trampolines that break call cycles (`pointers`), the `dlopen` table
//! (`dl_table`), each library's instantiation arguments and `env`'s
//! globals (`arguments`), and the module that finishes linking (`init`).
//!
//! Modules are numbered in instantiation order: `env` is 0, the stub
//! module (when some function is missing) 1, then the libraries in load
//! order.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use wasm_encoder::ExportKind;
use wasmparser::FuncType;

use super::dylink::{Definition, Need};
use super::env::{self, EnvGlobal, EnvModule, Trampoline};
use super::error::LinkError;
use super::layout::{self, Layout, Slots};
use super::resolve::{self, DataAddress, FuncAddress, FuncProvider, Resolution};
use super::{Input, LinkOptions, init, libdl};
use crate::Error;
use crate::encode::linked::ArgItem;

/// The module names the init module imports `env` and the stubs under
/// (libraries go by their number).
const ENV: &str = "env";
const STUBS: &str = "stubs";

/// Instantiation arguments: an instance per import module name.
pub type Args = Vec<(String, Vec<ArgItem>)>;

/// The linker's modules and each library's instantiation arguments (but
/// its world imports, which the component encoding adds).
pub struct Plan {
    pub env: Vec<u8>,
    pub stubs: Option<Vec<u8>>,
    /// By library index.
    pub args: HashMap<usize, Args>,
    pub init: Vec<u8>,
    pub init_args: Args,
}

/// Where each module is in the instantiation order.
pub struct Positions {
    stubs: Option<usize>,
    libraries: HashMap<usize, usize>,
}

impl Positions {
    pub fn new(load_order: &[usize], stubs: bool) -> Self {
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

    pub fn library(&self, library: usize) -> Result<usize, Error> {
        self.libraries.get(&library).copied().ok_or_else(|| {
            Error::Internal(format!("linking: library {library} is not instantiated"))
        })
    }

    fn provider(&self, provider: FuncProvider) -> Result<usize, Error> {
        match provider {
            FuncProvider::Library(library) => self.library(library),
            FuncProvider::Stub(_) => self
                .stubs
                .ok_or_else(|| Error::Internal("linking: no stub module".to_string())),
        }
    }
}

/// What every step reads.
struct Linking<'l, 'a> {
    inputs: &'l [Input<'a>],
    symbols: &'l [resolve::Input<'l>],
    resolution: &'l Resolution,
    load_order: &'l [usize],
    positions: Positions,
    layout: Layout,
}

impl<'l, 'a> Linking<'l, 'a> {
    /// The included libraries, in load order, with their indices.
    fn libraries(&self) -> impl Iterator<Item = (usize, &'l Input<'a>)> + use<'l, 'a, '_> {
        self.load_order
            .iter()
            .filter_map(|&l| self.inputs.get(l).map(|input| (l, input)))
    }

    /// The address of data symbol `value` of `library`.
    fn data_address(&self, library: usize, value: u32, absolute: bool) -> Result<u32, Error> {
        if absolute {
            return Ok(value);
        }
        self.layout
            .memory_base
            .get(library)
            .and_then(|base| base.checked_add(value))
            .ok_or_else(|| {
                LinkError::Layout("a data symbol's address is beyond 4 GiB".to_string()).into()
            })
    }

    /// The export name of a provided function.
    fn export_name(provider: FuncProvider, name: &str) -> String {
        match provider {
            FuncProvider::Library(_) => name.to_string(),
            FuncProvider::Stub(index) => index.to_string(),
        }
    }

    /// The type of a provided function.
    fn provided_type(&self, provider: FuncProvider, name: &str) -> Result<FuncType, Error> {
        let ty = match provider {
            FuncProvider::Library(library) => self.inputs.get(library).and_then(|i| {
                let symbols = &i.info.symbols;
                // The symbol it resolved to, else (a `dlopen`-able
                // library's own, shadowed) a search.
                let symbol = (self.resolution.definitions.get(name))
                    .filter(|&&(l, _)| l == library)
                    .and_then(|&(_, index)| symbols.get(index))
                    .filter(|s| s.name == name)
                    .or_else(|| symbols.iter().find(|s| s.name == name));
                symbol.and_then(|s| match &s.definition {
                    Definition::Func(ty) => Some(ty.clone()),
                    _ => None,
                })
            }),
            FuncProvider::Stub(index) => self
                .resolution
                .stubs
                .get_index(index)
                .map(|(_, ty)| ty.clone()),
        };
        ty.ok_or_else(|| Error::Internal(format!("linking: `{name}` has no function type")))
    }
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
pub fn plan(
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
    let mut slots = Slots::new(layout.slots_start);
    let linking = Linking {
        inputs,
        symbols,
        resolution,
        load_order,
        positions: Positions::new(load_order, !stubs.is_empty()),
        layout,
    };
    let pointers = pointers(&linking, &mut slots)?;
    let dl_table = dl_table(&linking, &mut slots)?;
    let dl_len = dl_table.as_ref().map_or(0, |(bytes, _)| bytes.len() as u32);
    let heap = layout::heap(&linking.layout, dl_len)?;
    let arguments = arguments(&linking, &pointers, heap)?;
    let env = env::env_module(
        &EnvModule {
            memory_pages: arguments.memory_pages,
            table_size: arguments.table_size.max(slots.end()),
            globals: arguments.globals,
            trampolines: pointers.trampolines.into_values().collect(),
        },
        options.debug_names,
    );
    let (init, init_args) = init_plan(&linking, &slots, dl_table, options.debug_names)?;
    Ok(Plan {
        env,
        stubs: (!stubs.is_empty()).then(|| env::stub_module(&stubs, options.debug_names)),
        args: arguments.args,
        init,
        init_args,
    })
}

/// Function pointers (`GOT.func` values, by symbol) and the trampolines
/// of calls to libraries instantiated later than the caller.
struct Pointers {
    got_func: IndexMap<String, u32>,
    trampolines: IndexMap<String, Trampoline>,
}

fn pointers(linking: &Linking<'_, '_>, slots: &mut Slots) -> Result<Pointers, Error> {
    let mut got_func = IndexMap::new();
    let mut trampolines: IndexMap<String, Trampoline> = IndexMap::new();
    for (library, input) in linking.libraries() {
        let position = linking.positions.library(library)?;
        for import in &input.info.imports {
            match &import.need {
                Need::FuncAddress { name, .. } => {
                    let value = match linking.resolution.func_address(name) {
                        Some(FuncAddress::Of(provider)) => slots.slot((provider, name.clone()))?,
                        _ => 0,
                    };
                    got_func.insert(name.clone(), value);
                }
                Need::Func { name, ty, .. } => {
                    if let Some(provider @ FuncProvider::Library(exporter)) =
                        linking.resolution.func(name, ty)
                        && linking.positions.library(exporter)? >= position
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
    Ok(Pointers {
        got_func,
        trampolines,
    })
}

/// The `dlopen` table's bytes and root address, when a dl-openable
/// library or a libdl (`__wasm_set_libraries`) is linked.
fn dl_table(linking: &Linking<'_, '_>, slots: &mut Slots) -> Result<Option<(Vec<u8>, u32)>, Error> {
    let mut dl_libraries = Vec::new();
    for (library, input) in linking.libraries().filter(|(_, i)| i.dl_openable) {
        let mut listed = Vec::new();
        for symbol in &input.info.symbols {
            let address = match &symbol.definition {
                Definition::Func(_) => {
                    slots.slot((FuncProvider::Library(library), symbol.name.clone()))?
                }
                Definition::Data {
                    value, absolute, ..
                } => linking.data_address(library, *value, *absolute)?,
                Definition::OtherGlobal => continue,
            };
            listed.push((symbol.name.clone(), address));
        }
        dl_libraries.push(libdl::DlLibrary {
            name: input.name.to_string(),
            symbols: listed,
        });
    }
    let wanted = linking.libraries().any(|(_, i)| i.info.entry.set_libraries);
    Ok((wanted || !dl_libraries.is_empty())
        .then(|| libdl::dl_table(&dl_libraries, linking.layout.data_end)))
}

/// Every library's `env`, `GOT.mem` and `GOT.func` instances, and the
/// globals and sizes of `env` they need.
struct Arguments {
    args: HashMap<usize, Args>,
    globals: Vec<EnvGlobal>,
    memory_pages: u32,
    table_size: u32,
}

fn arguments(
    linking: &Linking<'_, '_>,
    pointers: &Pointers,
    (heap_base, heap_end, pages): (u32, u32, u32),
) -> Result<Arguments, Error> {
    let layout = &linking.layout;
    let base = |bases: &[u32], library: usize| bases.get(library).copied().unwrap_or(0);
    // By export name; one global serves every library that asks for it.
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
    let mut table_size = 0;
    let mut args = HashMap::new();
    for (library, input) in linking.libraries() {
        let position = linking.positions.library(library)?;
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
                    let Some(provider) = linking.resolution.func(name, ty) else {
                        return Err(Error::Internal(format!(
                            "linking: `{name}` is not resolved"
                        )));
                    };
                    let from = linking.positions.provider(provider)?;
                    let export = if from < position {
                        (from, Linking::export_name(provider, name))
                    } else {
                        let trampoline = pointers.trampolines.get(name).ok_or_else(|| {
                            Error::Internal(format!("linking: no trampoline for `{name}`"))
                        })?;
                        (0, trampoline.export.clone())
                    };
                    env_items.push(item(field, ExportKind::Func, export.0, &export.1));
                }
                Need::DataAddress { name, .. } => {
                    let value = match linking.resolution.data_address(linking.symbols, name) {
                        Some(DataAddress::Of {
                            library,
                            value,
                            absolute,
                        }) => linking.data_address(library, value, absolute)?,
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
                    let value = pointers.got_func.get(name).copied().unwrap_or(0);
                    let export = global(format!("GOT.func {name}"), true, value);
                    got_func_items.push(item(field, ExportKind::Global, 0, &export));
                }
                Need::Other => {}
            }
        }
        let library_args: Args = [
            (ENV, env_items),
            ("GOT.mem", got_mem_items),
            ("GOT.func", got_func_items),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(module, items)| (module.to_string(), items))
        .collect();
        args.insert(library, library_args);
    }
    Ok(Arguments {
        args,
        globals: globals.into_values().collect(),
        memory_pages,
        table_size,
    })
}

/// The init module (see `init`) and its instantiation arguments.
fn init_plan(
    linking: &Linking<'_, '_>,
    slots: &Slots,
    dl_table: Option<(Vec<u8>, u32)>,
    debug_names: bool,
) -> Result<(Vec<u8>, Args), Error> {
    let mut imports: IndexMap<String, Vec<ArgItem>> = IndexMap::new();
    let mut imported = HashSet::new();
    let mut import_from = |module: usize, module_name: &str, export: &str, kind: ExportKind| {
        let import = (module_name.to_string(), export.to_string());
        if imported.insert((import.clone(), kind)) {
            let items = imports.entry(module_name.to_string()).or_default();
            items.push(item(export, kind, module, export));
        }
        import
    };
    // It imports the memory only with data and the table only with slots;
    // extra arguments are harmless.
    import_from(0, ENV, env::MEMORY, ExportKind::Memory);
    import_from(0, ENV, env::TABLE, ExportKind::Table);
    let module_name = |provider: FuncProvider| match provider {
        FuncProvider::Library(library) => library.to_string(),
        FuncProvider::Stub(_) => STUBS.to_string(),
    };
    let mut slot_funcs = Vec::new();
    for (provider, name) in slots.funcs() {
        let ty = linking.provided_type(*provider, name)?;
        let import = import_from(
            linking.positions.provider(*provider)?,
            &module_name(*provider),
            &Linking::export_name(*provider, name),
            ExportKind::Func,
        );
        slot_funcs.push((import, ty));
    }
    let mut relocs = Vec::new();
    let mut set_libraries = Vec::new();
    let mut ctors = Vec::new();
    for (library, input) in linking.libraries() {
        let module = linking.positions.library(library)?;
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
    let module = init::init_module(
        &init::InitModule {
            env: ENV.to_string(),
            first_slot: slots.start(),
            slot_funcs,
            data: dl_table.map(|(bytes, _)| (linking.layout.data_end, bytes)),
            relocs,
            set_libraries,
            ctors,
        },
        debug_names,
    );
    Ok((module, imports.into_iter().collect()))
}
