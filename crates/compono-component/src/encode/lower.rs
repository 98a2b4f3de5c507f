//! The main module's core imports: each lowered now when it needs neither
//! memory nor realloc, else given a shim slot that the fixup fills once the
//! main module's memory exists.

use std::collections::HashMap;

use compono_wit::Scope;
use wasm_encoder::{ComponentExportKind, ValType};
use wit_parser::{Function, InterfaceId, TypeId, WorldKey};

use super::ComponentInput;
use super::encoding_option;
use super::shim::{CoreSig, ShimPlan, ShimTarget};
use super::space::ComponentSpaceBuilder;
use crate::Error;
use crate::classify::{ClassifiedImport, ExportedResourceIntrinsic, ImportTarget};
use crate::plan::lower_needs;

/// Where a core function import of the main module comes from.
pub enum CoreFuncSource {
    /// Already a core function index.
    Ready(u32),
    /// Slot `n` of the shim.
    Shim(usize),
    /// An intrinsic of an exported resource, defined once the resource
    /// type exists (see `resources`).
    Exported(TypeId, ExportedResourceIntrinsic),
    /// The main module's export of this name (for an adapter).
    MainExport(String),
}

/// The source of every core import of every module (see
/// `ComponentInput::modules`: `sources[m]` in module `m`'s import order),
/// and the shim slots those behind the shim take.
pub struct LoweredImports<'r> {
    pub sources: Vec<Vec<CoreFuncSource>>,
    pub shim: ShimPlan<'r>,
}

pub fn lower_imports<'r>(
    scope: &mut Scope<'_, ComponentSpaceBuilder>,
    input: &ComponentInput<'_, 'r>,
    imported_funcs: &HashMap<String, u32>,
) -> Result<LoweredImports<'r>, Error> {
    let mut shim = ShimPlan::default();
    let mut all_sources = Vec::new();
    for (m, cls) in input.modules() {
        if all_sources.len() < m {
            all_sources.resize_with(m, Vec::new);
        }
        let mut sources = Vec::new();
        for import in &cls.imports {
            sources.push(lower_import(
                scope,
                input,
                imported_funcs,
                m,
                import,
                &mut shim,
            )?);
        }
        all_sources.push(sources);
    }
    Ok(LoweredImports {
        sources: all_sources,
        shim,
    })
}

/// Where core import `import` of module `m` comes from.
fn lower_import<'r>(
    scope: &mut Scope<'_, ComponentSpaceBuilder>,
    input: &ComponentInput<'_, 'r>,
    imported_funcs: &HashMap<String, u32>,
    m: usize,
    import: &ClassifiedImport<'r>,
    shim: &mut ShimPlan<'r>,
) -> Result<CoreFuncSource, Error> {
    let sig = || CoreSig {
        params: wasm_types(import.ty.params()),
        results: wasm_types(import.ty.results()),
    };
    let source = match &import.target {
        ImportTarget::Func {
            key,
            interface,
            func,
        } => {
            let needs = lower_needs(input.resolve, func);
            let f = component_func(scope, imported_funcs, *key, *interface, func)?;
            if needs.memory || needs.realloc {
                CoreFuncSource::Shim(shim.push(
                    sig(),
                    format!("indirect-{}-{}", import.module, import.field),
                    ShimTarget::Lower {
                        component_func: f,
                        func,
                        needs,
                        name: format!("{}::{}", import.module, import.field),
                        module: m,
                    },
                ))
            } else {
                let options = if needs.strings {
                    vec![encoding_option(input.encoding)]
                } else {
                    Vec::new()
                };
                CoreFuncSource::Ready(scope.space.component.lower_func(
                    input.debug(&import.field).as_deref(),
                    f,
                    options,
                ))
            }
        }
        ImportTarget::ImportedDrop(resource) => {
            let ty = scope.type_index(*resource, None)?;
            CoreFuncSource::Ready(scope.space.component.resource_drop(ty))
        }
        ImportTarget::Exported(resource, which) => CoreFuncSource::Exported(*resource, *which),
        // The adapter is instantiated after the main module.
        ImportTarget::AdapterExport(adapter) => CoreFuncSource::Shim(shim.push(
            sig(),
            format!("adapt-{}-{}", import.module, import.field),
            ShimTarget::AdapterExport {
                adapter: *adapter,
                name: import.field.clone(),
            },
        )),
        ImportTarget::MainExport => CoreFuncSource::MainExport(import.field.clone()),
    };
    Ok(source)
}

/// The component function behind an imported WIT function.
fn component_func(
    scope: &mut Scope<'_, ComponentSpaceBuilder>,
    imported_funcs: &HashMap<String, u32>,
    key: Option<&WorldKey>,
    interface: Option<InterfaceId>,
    func: &Function,
) -> Result<u32, Error> {
    match (key, interface) {
        (Some(_), Some(iface)) => {
            let instance = *scope.providers.get(&iface).ok_or_else(|| {
                Error::Unsupported(format!("interface of `{}` is not imported", func.name))
            })?;
            Ok(scope
                .space
                .component
                .alias_export(instance, &func.name, ComponentExportKind::Func))
        }
        _ => imported_funcs
            .get(&func.name)
            .copied()
            .ok_or_else(|| Error::Unsupported(format!("function `{}` is not imported", func.name))),
    }
}

fn wasm_types(types: &[wasmparser::ValType]) -> Vec<ValType> {
    types
        .iter()
        .map(|t| match t {
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            _ => ValType::I32,
        })
        .collect()
}
