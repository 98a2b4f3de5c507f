//! Adapters: core modules that implement a module the main module imports
//! from (`wasi_snapshot_preview1`, typically) in terms of the world's
//! imports, sharing the main module's memory.
//!
//! The steps, each a plain value handed to the next:
//! 1. [`read_adapters`]: parse and check every adapter, merge its
//!    `component-type` world into the main world, and note the world
//!    exports it provides.
//! 2. [`collect`]: once the main module is classified, reduce each adapter
//!    to what the main module imports from it (and the world exports it
//!    provides), set up its stack ([`gc`]), and classify what is left.
//!
//! The encoder then instantiates each adapter after the main module, with
//! the main module's memory and exports, and fills the main module's
//! imports from it through the shim.

mod gc;
mod module;

use compono_wit::Lookup;
use std::collections::{HashMap, HashSet};

use wasmparser::FuncType;
use wit_parser::{LiftLowerAbi, ManglingAndAbi, WasmExport, WasmExportKind, WorldKey};

use crate::Error;
use crate::classify::{
    Classified, ClassifyOptions, CoreModule, ImportTarget, WorldNames, classify, imports_from,
};
use crate::metadata::{self, Bindings};
use crate::world::item_funcs;

pub use gc::GcOptions;
use module::AdapterModule;

/// An adapter given to `new`: the core module name it implements (what
/// the main module imports from) and the adapter module.
#[derive(Debug, Clone)]
pub struct Adapter {
    pub name: String,
    pub module: Vec<u8>,
}

/// An adapter after [`read_adapters`]: its module without its world, and
/// the world exports it provides.
pub struct AdapterWorld {
    pub name: String,
    pub module: Vec<u8>,
    pub exports: HashSet<WorldKey>,
}

/// An adapter ready to be instantiated: collected, and classified against
/// the merged world.
pub struct CollectedAdapter<'r> {
    pub name: String,
    pub module: Vec<u8>,
    pub classified: Classified<'r>,
}

/// The module preview1 programs import WASI from.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// Which of compono's preview1 adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// For a module that exports `_start`: the component exports
    /// `wasi:cli/run`, which calls it.
    Command,
    /// For the others: the preview1 functions only.
    Reactor,
}

impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Command => "command",
            Flavour::Reactor => "reactor",
        }
    }
}

/// compono's own preview1 adapter for `module`: the command flavour when
/// it exports `_start`, the reactor otherwise.
pub fn builtin_preview1(module: &[u8]) -> Result<(Flavour, Adapter), Error> {
    builtin_preview1_for(&[module])
}

/// compono's own preview1 adapter for modules that become one component
/// (linked libraries): the command flavour when one of them exports
/// `_start`, the reactor otherwise.
pub fn builtin_preview1_for(modules: &[&[u8]]) -> Result<(Flavour, Adapter), Error> {
    let mut flavour = Flavour::Reactor;
    for module in modules {
        let core = CoreModule::parse(module)?;
        if core
            .exports
            .iter()
            .any(|e| e.name == "_start" && e.kind == wasmparser::ExternalKind::Func)
        {
            flavour = Flavour::Command;
        }
    }
    let bytes = match flavour {
        Flavour::Command => compono_adapter::COMMAND,
        Flavour::Reactor => compono_adapter::REACTOR,
    };
    Ok((
        flavour,
        Adapter {
            name: PREVIEW1.to_string(),
            module: bytes.to_vec(),
        },
    ))
}

/// The adapter `new` adds by itself: compono's preview1 adapter, when
/// `module` imports from `wasi_snapshot_preview1` and none of `adapters`
/// is for it.
pub fn auto_adapter(
    module: &[u8],
    adapters: &[Adapter],
) -> Result<Option<(Flavour, Adapter)>, Error> {
    auto_adapter_for(&[module], adapters)
}

/// [`auto_adapter`] for modules that become one component (`link`'s
/// libraries): when any of them imports from `wasi_snapshot_preview1`.
pub fn auto_adapter_for(
    modules: &[&[u8]],
    adapters: &[Adapter],
) -> Result<Option<(Flavour, Adapter)>, Error> {
    if adapters.iter().any(|a| a.name == PREVIEW1) {
        return Ok(None);
    }
    // A module whose imports cannot be read is reported, with its file's
    // name, by the step that makes the component of it.
    let imports = modules
        .iter()
        .any(|module| imports_from(module, PREVIEW1).unwrap_or(false));
    if !imports {
        return Ok(None);
    }
    builtin_preview1_for(modules).map(Some)
}

fn adapter_error(name: &str, reason: impl Into<String>) -> Error {
    Error::Adapter {
        adapter: name.to_string(),
        reason: reason.into(),
    }
}

/// Checks every adapter, merges its world into `bindings`, and returns
/// each with the world exports it provides.
pub fn read_adapters(
    bindings: Bindings,
    adapters: &[Adapter],
) -> Result<(Bindings, Vec<AdapterWorld>), Error> {
    let mut bindings = bindings;
    let mut read = Vec::new();
    let mut names = HashSet::new();
    for adapter in adapters {
        let name = adapter.name.as_str();
        if name.is_empty() {
            return Err(adapter_error(
                name,
                "an adapter needs the name of the module it implements: `--adapt NAME=PATH`",
            ));
        }
        if !names.insert(name) {
            return Err(adapter_error(
                name,
                "two adapters are given for this module name; give one",
            ));
        }
        AdapterModule::parse(&adapter.module).map_err(|e| adapter_error(name, e))?;
        let world = metadata::read_own_world(&adapter.module)
            .map_err(|e| adapter_error(name, e.to_string()))?
            .ok_or_else(|| {
                adapter_error(
                    name,
                    "it has no `component-type` custom section describing the world it \
                     imports and exports; embed one with `compono embed`",
                )
            })?;
        if world.encoding != bindings.encoding {
            return Err(adapter_error(
                name,
                format!(
                    "its world uses string encoding `{}` but the main module's uses `{}`",
                    metadata::encoding_name(world.encoding),
                    metadata::encoding_name(bindings.encoding)
                ),
            ));
        }
        let (merged, exports) = merge(bindings, world).map_err(|e| {
            adapter_error(
                name,
                format!("its world cannot be merged into the main module's: {e}"),
            )
        })?;
        bindings = merged;
        let module =
            metadata::strip(&adapter.module).map_err(|e| adapter_error(name, e.to_string()))?;
        read.push(AdapterWorld {
            name: name.to_string(),
            module,
            exports,
        });
    }
    Ok((bindings, read))
}

/// Merges the world of `from` into that of `into`; returns the keys, in the
/// merged world, of what `from` exports.
fn merge(mut into: Bindings, from: Bindings) -> Result<(Bindings, HashSet<WorldKey>), Error> {
    let remap = into
        .resolve
        .merge(from.resolve)
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    let other = remap
        .map_world(from.world, Default::default())
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    let exports = into
        .resolve
        .world_at(other)
        .exports
        .keys()
        .cloned()
        .collect();
    into.resolve
        .merge_worlds(other, into.world, &mut Default::default())
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    Ok((into, exports))
}

/// The export names a module may give a world function it provides.
fn export_names<'r>(
    resolve: &'r wit_parser::Resolve,
    key: &'r WorldKey,
    item: &'r wit_parser::WorldItem,
) -> Vec<String> {
    let mut names = Vec::new();
    for (fkey, _, func) in item_funcs(resolve, key, item) {
        for mangling in [
            ManglingAndAbi::Standard32,
            ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
        ] {
            for kind in [WasmExportKind::Normal, WasmExportKind::PostReturn] {
                names.push(resolve.wasm_export_name(
                    mangling,
                    WasmExport::Func {
                        interface: fkey,
                        func,
                        kind,
                    },
                ));
            }
        }
    }
    names
}

/// The world exports none of `adapters` provides: the main module's (or
/// the linked libraries').
pub fn main_exports(
    resolve: &wit_parser::Resolve,
    world: wit_parser::WorldId,
    adapters: &[AdapterWorld],
) -> HashSet<WorldKey> {
    resolve
        .world_at(world)
        .exports
        .keys()
        .filter(|k| !adapters.iter().any(|a| a.exports.contains(k)))
        .cloned()
        .collect()
}

/// What `collect` needs of the main module (or of the linked libraries
/// standing in for it): its exported functions with their types, which
/// an adapter may import as `__main_module__`, and its classification.
pub struct MainModule<'a, 'r> {
    pub funcs: &'a HashMap<String, FuncType>,
    pub classified: &'a Classified<'r>,
}

/// Collects every adapter down to what is used of it, and classifies it
/// against the merged world. Adapters nothing uses are left out.
pub fn collect<'r>(
    resolve: &'r wit_parser::Resolve,
    world: wit_parser::WorldId,
    main: &MainModule<'_, 'r>,
    adapters: &[AdapterWorld],
    options: &Options,
) -> Result<Vec<Option<CollectedAdapter<'r>>>, Error> {
    let mut out = Vec::new();
    for (n, adapter) in adapters.iter().enumerate() {
        let name = adapter.name.as_str();
        let parsed = AdapterModule::parse(&adapter.module).map_err(|e| adapter_error(name, e))?;
        let mut required: Vec<String> = Vec::new();
        // What the main module imports from it, with the same signature.
        for import in &main.classified.imports {
            if !matches!(import.target, ImportTarget::AdapterExport(i) if i == n) {
                continue;
            }
            let field = import.field.as_str();
            let export = parsed.export(field).ok_or_else(|| {
                adapter_error(
                    name,
                    format!(
                        "it does not export `{field}`, which the module imports as \
                         `{name}::{field}`"
                    ),
                )
            })?;
            let ty = match export.kind {
                wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                    parsed.func_type(export.index)
                }
                _ => None,
            }
            .ok_or_else(|| {
                adapter_error(
                    name,
                    format!("its export `{field}` (imported by the module) is not a function"),
                )
            })?;
            if *ty != import.ty {
                return Err(Error::Import {
                    module: import.module.clone(),
                    field: import.field.clone(),
                    reason: crate::Problem::Other(format!(
                        "the signature does not match the adapter's `{field}`: the module \
                         imports `{}` but adapter `{name}` exports `{}`",
                        crate::classify::display_sig(import.ty.params(), import.ty.results()),
                        crate::classify::display_sig(ty.params(), ty.results())
                    )),
                });
            }
            if !required.iter().any(|r| r == field) {
                required.push(field.to_string());
            }
        }
        let world_funcs = resolve
            .world_at(world)
            .exports
            .iter()
            .filter(|(k, _)| adapter.exports.contains(k))
            .any(|(k, item)| !item_funcs(resolve, k, item).is_empty());
        if required.is_empty() && !world_funcs {
            out.push(None);
            continue;
        }
        // The world exports it provides and the reallocs it offers.
        for (key, item) in resolve.world_at(world).exports.iter() {
            if !adapter.exports.contains(key) {
                continue;
            }
            for export in export_names(resolve, key, item) {
                if parsed.export(&export).is_some() && !required.contains(&export) {
                    required.push(export);
                }
            }
        }
        for realloc in [
            "cabi_import_realloc",
            "cabi_export_realloc",
            "cabi_realloc",
            "canonical_abi_realloc",
        ] {
            if parsed.export(realloc).is_some() && !required.iter().any(|r| r == realloc) {
                required.push(realloc.to_string());
            }
        }
        let main_realloc = if options.realloc_via_memory_grow {
            None
        } else {
            [
                "cabi_realloc_adapter",
                "cabi_realloc",
                "canonical_abi_realloc",
            ]
            .into_iter()
            .find(|r| {
                main.funcs.get(*r).is_some_and(|t| {
                    t.params() == [wasmparser::ValType::I32; 4]
                        && t.results() == [wasmparser::ValType::I32]
                })
            })
        };
        let required_refs: Vec<&str> = required.iter().map(String::as_str).collect();
        let module = gc::gc(
            &parsed,
            &required_refs,
            &GcOptions {
                main_realloc,
                keep_names: options.debug_names,
            },
        )
        .map_err(|e| adapter_error(name, e))?;
        let core = CoreModule::parse(&module)
            .map_err(|e| adapter_error(name, format!("after collection: {e}")))?;
        let classified = classify(
            &WorldNames::new(resolve, world, Some(&adapter.exports)),
            &core,
            &ClassifyOptions {
                reject_legacy_names: false,
                adapter_names: &[],
                is_adapter: true,
                linked_part: false,
            },
        )
        .map_err(|e| adapter_error(name, e.to_string()))?;
        if !classified.dtors.is_empty()
            || classified
                .imports
                .iter()
                .any(|i| matches!(i.target, ImportTarget::Exported(..)))
        {
            return Err(adapter_error(
                name,
                "it implements exported resources, which adapters cannot do",
            ));
        }
        for import in &classified.imports {
            if let ImportTarget::MainExport = import.target {
                let found = main.funcs.get(&import.field) == Some(&import.ty);
                if !found {
                    return Err(adapter_error(
                        name,
                        format!(
                            "it imports `__main_module__::{}` {}, but the main module exports \
                             no such function",
                            import.field,
                            crate::classify::display_sig(import.ty.params(), import.ty.results())
                        ),
                    ));
                }
            }
        }
        out.push(Some(CollectedAdapter {
            name: name.to_string(),
            module,
            classified,
        }));
    }
    Ok(out)
}

/// How adapters are collected.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Allocate the adapters' state and stacks with `memory.grow` instead of
    /// the main module's realloc.
    pub realloc_via_memory_grow: bool,
    /// Keep names in the collected adapters.
    pub debug_names: bool,
}
