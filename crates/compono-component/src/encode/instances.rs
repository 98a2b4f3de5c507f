//! The core instances, in the order they must be created: the shim, the
//! main module (with one instance per module it imports from), the fixup
//! that fills the shim's table, and the module that runs `_initialize`.

use indexmap::IndexMap;
use wasm_encoder::{ComponentBuilder, ExportKind, ModuleArg};

use super::exports::canonical_options;
use super::lower::CoreFuncSource;
use super::shim::{self, ShimPlan, ShimTarget};
use super::{ComponentInput, Reallocs};
use crate::Error;

/// The instantiated shim; all empty when no shim is needed.
pub struct Shim {
    /// The core function of each slot.
    pub funcs: Vec<u32>,
    /// The instance, when it has slots (and so a table to fill).
    instance: Option<u32>,
    /// The memory it defines for a main module that imports its memory.
    memory: Option<u32>,
}

/// The instantiated main module, and its adapters once instantiated.
pub struct Main {
    pub instance: u32,
    /// The memory canonical options refer to, when there is one.
    pub memory: Option<u32>,
    /// The instance of each adapter (`None` for one nothing uses).
    pub adapters: Vec<Option<u32>>,
}

impl Main {
    /// The instance of module number `m` (see `ComponentInput::modules`).
    pub fn instance_of(&self, m: usize) -> Option<u32> {
        match m {
            0 => Some(self.instance),
            m => self.adapters.get(m - 1).copied().flatten(),
        }
    }
}

/// The core function index behind `source`, once the main module exists
/// for `MainExport` sources.
fn resolve_source(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    source: &CoreFuncSource,
    shim: &Shim,
    main: Option<u32>,
) -> Result<u32, Error> {
    match source {
        CoreFuncSource::Ready(f) => Ok(*f),
        CoreFuncSource::Shim(slot) => shim
            .funcs
            .get(*slot)
            .copied()
            .ok_or_else(|| Error::Unsupported(format!("shim slot {slot} was not instantiated"))),
        CoreFuncSource::MainExport(name) => {
            let main = main.ok_or_else(|| {
                Error::Unsupported(format!(
                    "`__main_module__::{name}` can only be imported by an adapter"
                ))
            })?;
            Ok(c.core_alias_export(input.debug(name).as_deref(), main, name, ExportKind::Func))
        }
        CoreFuncSource::Exported(..) => Err(Error::Unsupported(
            "an intrinsic of an exported resource imported by an adapter".to_string(),
        )),
    }
}

pub fn instantiate_shim(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    plan: &ShimPlan<'_>,
) -> Shim {
    let cls = input.classified;
    let mut shim = Shim {
        funcs: Vec::new(),
        instance: None,
        memory: None,
    };
    if plan.sigs.is_empty() && cls.imported_memory.is_none() {
        return shim;
    }
    let names = input.debug_names.then_some(plan.names.as_slice());
    let module = shim::shim_module(&plan.sigs, cls.imported_memory, names);
    let m = c.core_module_raw(input.debug("compono:shim").as_deref(), &module);
    let inst = c.core_instantiate(input.debug("compono:shim").as_deref(), m, []);
    for i in 0..plan.sigs.len() {
        shim.funcs
            .push(c.core_alias_export(None, inst, &i.to_string(), ExportKind::Func));
    }
    if cls.imported_memory.is_some() {
        shim.memory = Some(c.core_alias_export(
            input.debug("memory").as_deref(),
            inst,
            shim::MEMORY,
            ExportKind::Memory,
        ));
    }
    if !plan.sigs.is_empty() {
        shim.instance = Some(inst);
    }
    shim
}

/// Instantiates the main module with one instance per module it imports
/// from, every source being `Ready` or a shim slot by now.
pub fn instantiate_main(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    sources: &[Vec<CoreFuncSource>],
    shim: &Shim,
) -> Result<Main, Error> {
    let cls = input.classified;
    let mut by_module: IndexMap<&str, Vec<(&str, ExportKind, u32)>> = IndexMap::new();
    let main_sources = sources.first().map(Vec::as_slice).unwrap_or_default();
    for (import, source) in cls.imports.iter().zip(main_sources) {
        let index = resolve_source(c, input, source, shim, None)?;
        by_module.entry(import.module.as_str()).or_default().push((
            import.field.as_str(),
            ExportKind::Func,
            index,
        ));
    }
    if let Some(memory) = shim.memory {
        by_module
            .entry("env")
            .or_default()
            .push(("memory", ExportKind::Memory, memory));
    }
    let mut args = Vec::new();
    for (module, fields) in &by_module {
        let inst =
            c.core_instantiate_exports(input.debug(module).as_deref(), fields.iter().copied());
        args.push((*module, ModuleArg::Instance(inst)));
    }
    let main_module = c.core_module_raw(input.debug("main").as_deref(), input.module);
    let instance = c.core_instantiate(input.debug("main").as_deref(), main_module, args);
    let memory = shim.memory.or_else(|| {
        cls.memory.as_ref().map(|m| {
            c.core_alias_export(
                input.debug("memory").as_deref(),
                instance,
                m,
                ExportKind::Memory,
            )
        })
    });
    Ok(Main {
        instance,
        memory,
        adapters: Vec::new(),
    })
}

/// Instantiates each adapter used, after the main module: with the main
/// module's memory as `env::memory`, its exports as `__main_module__`,
/// and the world's functions.
pub fn instantiate_adapters(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    sources: &[Vec<CoreFuncSource>],
    shim: &Shim,
    main: &mut Main,
) -> Result<(), Error> {
    for (n, adapter) in input.adapters.iter().enumerate() {
        let Some(adapter) = adapter else {
            main.adapters.push(None);
            continue;
        };
        let mut by_module: IndexMap<&str, Vec<(&str, ExportKind, u32)>> = IndexMap::new();
        if adapter.classified.main_memory {
            let memory = main.memory.ok_or_else(|| Error::Adapter {
                adapter: adapter.name.clone(),
                reason: "it imports the main module's memory, but the main module \
                             exports none; export it as `memory`"
                    .to_string(),
            })?;
            by_module
                .entry("env")
                .or_default()
                .push(("memory", ExportKind::Memory, memory));
        }
        let adapter_sources = sources.get(n + 1).map(Vec::as_slice).unwrap_or_default();
        for (import, source) in adapter.classified.imports.iter().zip(adapter_sources) {
            let index = resolve_source(c, input, source, shim, Some(main.instance))?;
            by_module.entry(import.module.as_str()).or_default().push((
                import.field.as_str(),
                ExportKind::Func,
                index,
            ));
        }
        let mut args = Vec::new();
        for (module, fields) in &by_module {
            let inst =
                c.core_instantiate_exports(input.debug(module).as_deref(), fields.iter().copied());
            args.push((*module, ModuleArg::Instance(inst)));
        }
        let debug = input.debug(&format!("compono:adapter:{}", adapter.name));
        let module = c.core_module_raw(debug.as_deref(), &adapter.module);
        main.adapters
            .push(Some(c.core_instantiate(debug.as_deref(), module, args)));
    }
    Ok(())
}

/// Fills the shim's table, now that the main module's memory and realloc
/// exist, by instantiating the fixup module.
pub fn fill_shim(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    plan: &ShimPlan<'_>,
    shim: &Shim,
    main: &Main,
    reallocs: &mut Reallocs,
) -> Result<(), Error> {
    let Some(shim_instance) = shim.instance else {
        return Ok(());
    };
    let mut fixup_args: Vec<(String, ExportKind, u32)> = Vec::new();
    let table = c.core_alias_export(None, shim_instance, shim::TABLE, ExportKind::Table);
    fixup_args.push((shim::TABLE.to_string(), ExportKind::Table, table));
    for (i, target) in plan.targets.iter().enumerate() {
        let f = match target {
            ShimTarget::Lower {
                component_func,
                func,
                needs,
                name,
                module,
            } => {
                let (cls, instance) = input
                    .classified_of(*module)
                    .zip(main.instance_of(*module))
                    .ok_or_else(|| {
                        Error::Unsupported(format!("module {module} was not instantiated"))
                    })?;
                let realloc_name = cls.import_realloc.clone().or(cls.realloc.clone());
                let options = canonical_options(
                    func,
                    *needs,
                    input.encoding,
                    main.memory,
                    || reallocs.get(c, input, instance, &realloc_name),
                    name,
                    &realloc_name,
                )?;
                c.lower_func(input.debug(name).as_deref(), *component_func, options)
            }
            ShimTarget::AdapterExport { adapter, name } => {
                let instance = main.instance_of(adapter + 1).ok_or_else(|| {
                    Error::Unsupported(format!("adapter {adapter} was not instantiated"))
                })?;
                c.core_alias_export(
                    input.debug(name).as_deref(),
                    instance,
                    name,
                    ExportKind::Func,
                )
            }
            ShimTarget::Dtor { core_export } => c.core_alias_export(
                input.debug(core_export).as_deref(),
                main.instance,
                core_export,
                ExportKind::Func,
            ),
        };
        fixup_args.push((i.to_string(), ExportKind::Func, f));
    }
    let module = shim::fixup_module(&plan.sigs, input.debug_names);
    let m = c.core_module_raw(input.debug("compono:fixups").as_deref(), &module);
    let args_instance = c.core_instantiate_exports(
        None,
        fixup_args.iter().map(|(n, k, i)| (n.as_str(), *k, *i)),
    );
    c.core_instantiate(
        input.debug("compono:fixups").as_deref(),
        m,
        [("", ModuleArg::Instance(args_instance))],
    );
    Ok(())
}

/// Runs the module's `_initialize`, if it has one, once the imports are
/// wired: a module whose start function calls it.
pub fn run_initialize(c: &mut ComponentBuilder, input: &ComponentInput<'_, '_>, main: &Main) {
    let Some(init) = &input.classified.initialize else {
        return;
    };
    let f = c.core_alias_export(
        input.debug(init).as_deref(),
        main.instance,
        init,
        ExportKind::Func,
    );
    let module = shim::init_module(input.debug_names);
    let m = c.core_module_raw(input.debug("compono:initialize").as_deref(), &module);
    let args_instance = c.core_instantiate_exports(None, [("", ExportKind::Func, f)]);
    c.core_instantiate(
        input.debug("compono:initialize").as_deref(),
        m,
        [("", ModuleArg::Instance(args_instance))],
    );
}
