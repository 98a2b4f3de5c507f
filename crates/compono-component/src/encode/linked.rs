//! Emitting linked shared libraries (see `crate::link`): the linker's
//! modules and the libraries, each instantiated with instances made of
//! earlier modules' exports and of the world imports it uses, then a bag
//! of the exports the component lifts, standing in for a main module.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use indexmap::IndexMap;
use wasm_encoder::{ComponentBuilder, ExportKind, ModuleArg};

use super::ComponentInput;
use super::instances::{Main, Shim};
use super::lower::CoreFuncSource;
use crate::Error;

/// Linked libraries, planned by `link` and emitted here.
pub struct LinkedModules<'a> {
    /// In instantiation order.
    pub modules: Vec<LinkedModule<'a>>,
    /// Instantiated last, once imports that need `cabi_realloc` work.
    pub init: LinkedModule<'a>,
    /// The shared memory: the module that defines it and its export name.
    pub memory: (usize, String),
    /// The core exports the component lifts or calls (functions,
    /// post-returns, destructors, reallocs) and the module of each.
    pub exports: Vec<(String, usize)>,
}

/// One core module to instantiate.
pub struct LinkedModule<'a> {
    pub name: String,
    pub bytes: Cow<'a, [u8]>,
    /// An instance per imported module name, made of these items.
    pub args: Vec<(String, Vec<ArgItem>)>,
    /// This module's imports among the classified (world) imports.
    pub world_imports: Range<usize>,
}

/// Import `name` (of `kind`) is export `export` of module `module`.
pub struct ArgItem {
    pub name: String,
    pub kind: ExportKind,
    pub module: usize,
    pub export: String,
}

/// The instances made so far, and the aliases of their exports.
pub struct Instances {
    instances: Vec<u32>,
    aliases: HashMap<(usize, String, ExportKind), u32>,
}

impl Instances {
    fn alias(
        &mut self,
        c: &mut ComponentBuilder,
        module: usize,
        export: &str,
        kind: ExportKind,
    ) -> Result<u32, Error> {
        let key = (module, export.to_string(), kind);
        if let Some(&index) = self.aliases.get(&key) {
            return Ok(index);
        }
        let instance = *self.instances.get(module).ok_or_else(|| {
            Error::InvalidOutput(format!(
                "linking: `{export}` is taken from module {module} before it is instantiated"
            ))
        })?;
        let index = c.core_alias_export(None, instance, export, kind);
        self.aliases.insert(key, index);
        Ok(index)
    }

    fn instantiate(
        &mut self,
        c: &mut ComponentBuilder,
        input: &ComponentInput<'_, '_>,
        module: &LinkedModule<'_>,
        world_imports: Vec<(&str, &str, u32)>,
    ) -> Result<u32, Error> {
        let mut args: IndexMap<&str, Vec<(&str, ExportKind, u32)>> = IndexMap::new();
        for (name, items) in &module.args {
            let entry = args.entry(name.as_str()).or_default();
            for item in items {
                let index = self.alias(c, item.module, &item.export, item.kind)?;
                entry.push((item.name.as_str(), item.kind, index));
            }
        }
        for (name, field, index) in world_imports {
            args.entry(name)
                .or_default()
                .push((field, ExportKind::Func, index));
        }
        let mut instance_args = Vec::new();
        for (name, items) in &args {
            let instance =
                c.core_instantiate_exports(input.debug(name).as_deref(), items.iter().copied());
            instance_args.push((*name, ModuleArg::Instance(instance)));
        }
        let debug = input.debug(&module.name);
        let m = c.core_module_raw(debug.as_deref(), &module.bytes);
        let instance = c.core_instantiate(debug.as_deref(), m, instance_args);
        self.instances.push(instance);
        Ok(instance)
    }
}

/// Instantiates every module but `init`; the returned main instance is
/// the bag of exports the component lifts.
pub fn instantiate(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    linked: &LinkedModules<'_>,
    sources: &[CoreFuncSource],
    shim: &Shim,
) -> Result<(Main, Instances), Error> {
    let cls = input.classified;
    let mut instances = Instances {
        instances: Vec::new(),
        aliases: HashMap::new(),
    };
    for module in &linked.modules {
        let mut world_imports = Vec::new();
        for i in module.world_imports.clone() {
            let (Some(import), Some(source)) = (cls.imports.get(i), sources.get(i)) else {
                return Err(Error::InvalidOutput(format!(
                    "linking: `{}` has no world import {i}",
                    module.name
                )));
            };
            let index = match source {
                CoreFuncSource::Ready(f) => *f,
                CoreFuncSource::Shim(slot) => *shim
                    .funcs
                    .get(*slot)
                    .ok_or_else(|| Error::InvalidOutput(format!("linking: no shim slot {slot}")))?,
                CoreFuncSource::Exported(..) => {
                    return Err(Error::InvalidOutput(
                        "linking: a resource intrinsic is not defined yet".to_string(),
                    ));
                }
                CoreFuncSource::MainExport(name) => {
                    return Err(Error::InvalidOutput(format!(
                        "linking: `{name}` comes from an adapter, which linking does not support yet"
                    )));
                }
            };
            world_imports.push((import.module.as_str(), import.field.as_str(), index));
        }
        instances.instantiate(c, input, module, world_imports)?;
    }
    let mut exports = Vec::new();
    for (name, module) in &linked.exports {
        exports.push((
            name.as_str(),
            ExportKind::Func,
            instances.alias(c, *module, name, ExportKind::Func)?,
        ));
    }
    let bag = c.core_instantiate_exports(input.debug("compono:link-exports").as_deref(), exports);
    let (module, name) = &linked.memory;
    let memory = instances.alias(c, *module, name, ExportKind::Memory)?;
    Ok((
        Main {
            instance: bag,
            memory: Some(memory),
            adapters: Vec::new(),
        },
        instances,
    ))
}

/// Instantiates the `init` module, which runs the constructors.
pub fn run_init(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    linked: &LinkedModules<'_>,
    instances: &mut Instances,
) -> Result<(), Error> {
    instances.instantiate(c, input, &linked.init, Vec::new())?;
    Ok(())
}
