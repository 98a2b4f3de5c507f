//! The component, from the plan: the included libraries' worlds merged
//! into one with the adapters' (`world`), each library's world imports
//! and exports classified as `new` classifies a module (`classify`), the
//! adapters collected as `new` collects them, the core exports the
//! component lifts or the adapters import taken from the libraries that
//! define them (`lifted`), then `new`'s encoder.

use std::borrow::Cow;
use std::collections::HashMap;

use wasmparser::FuncType;

use super::plan::{Plan, Positions};
use super::resolve::Resolution;
use super::{Input, LinkOptions, env, in_library};
use crate::Error;
use crate::adapter::{self, AdapterWorld, CollectedAdapter, MainModule};
use crate::classify::{
    Classified, ClassifyOptions, ImportTarget, WorldNames, classify, missing_export,
};
use crate::encode::linked::{LinkedModule, LinkedModules};
use crate::encode::{ComponentInput, encode_component};
use crate::metadata::{self, Bindings};

pub fn encode(
    inputs: &[Input<'_>],
    load_order: &[usize],
    plan: Plan,
    resolution: &Resolution,
    options: &LinkOptions,
) -> Result<Vec<u8>, Error> {
    let included: Vec<(usize, &Input<'_>)> = load_order
        .iter()
        .filter_map(|&l| inputs.get(l).map(|input| (l, input)))
        .collect();
    let (bindings, adapters) = world(&included, options)?;

    let mut modules = vec![LinkedModule {
        name: "compono:link-env".to_string(),
        bytes: Cow::Owned(plan.env),
        args: Vec::new(),
        world_imports: 0..0,
    }];
    let positions = Positions::new(load_order, plan.stubs.is_some());
    if let Some(stubs) = plan.stubs {
        modules.push(LinkedModule {
            name: "compono:link-stubs".to_string(),
            bytes: Cow::Owned(stubs),
            args: Vec::new(),
            world_imports: 0..0,
        });
    }
    let Classification {
        classified,
        libraries,
        adapters: collected,
    } = classify_libraries(
        &bindings, &adapters, &included, plan.args, resolution, options,
    )?;
    modules.extend(libraries);
    let linked = LinkedModules {
        modules,
        init: LinkedModule {
            name: "compono:link-init".to_string(),
            bytes: Cow::Owned(plan.init),
            args: plan.init_args,
            world_imports: 0..0,
        },
        memory: (0, env::MEMORY.to_string()),
        exports: lifted(&classified, &collected, resolution, &positions)?,
    };
    let mut component = encode_component(ComponentInput {
        resolve: &bindings.resolve,
        world: bindings.world,
        encoding: bindings.encoding,
        classified: &classified,
        module: &[],
        adapters: &collected,
        linked: Some(&linked),
        renames: HashMap::new(),
        debug_names: options.debug_names,
        interface_names: compono_wit::InterfaceNames::for_world(
            &bindings.resolve,
            bindings.world,
            options.emit_canonical_names,
        )?,
    })?;
    component.extend(crate::producers::processed_by_section(None)?);
    Ok(component)
}

/// The included libraries' worlds, merged in load order, then the
/// adapters'; and each adapter with the world exports it provides.
fn world(
    included: &[(usize, &Input<'_>)],
    options: &LinkOptions,
) -> Result<(Bindings, Vec<AdapterWorld>), Error> {
    let mut bindings: Option<Bindings> = None;
    for (_, input) in included {
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
    let bindings = match bindings {
        Some(bindings) => bindings,
        None => crate::new::empty_world()?,
    };
    let (mut bindings, adapters) = adapter::read_adapters(bindings, &options.adapters)?;
    if options.merge_imports_based_on_semver {
        bindings
            .resolve
            .merge_world_imports_based_on_semver(bindings.world)
            .map_err(|e| {
                Error::Metadata(format!("cannot merge semver-compatible imports: {e:#}"))
            })?;
    }
    crate::plan::check_supported(&bindings.resolve, bindings.world)?;
    Ok((bindings, adapters))
}

/// What `classify_libraries` makes of the libraries and adapters.
struct Classification<'r, 'a> {
    /// Every library's world imports and exports, classified against the
    /// merged world, as one classification.
    classified: Classified<'r>,
    /// The libraries as modules to instantiate, each with its arguments
    /// and its share of the imports.
    libraries: Vec<LinkedModule<'a>>,
    /// The adapters, collected down to what the libraries use.
    adapters: Vec<Option<CollectedAdapter<'r>>>,
}

fn classify_libraries<'r, 'a>(
    bindings: &'r Bindings,
    adapters: &[AdapterWorld],
    included: &[(usize, &'a Input<'a>)],
    mut args: HashMap<usize, super::plan::Args>,
    resolution: &Resolution,
    options: &LinkOptions,
) -> Result<Classification<'r, 'a>, Error> {
    let mut merged = Classified {
        imports: Vec::new(),
        funcs: HashMap::new(),
        dtors: HashMap::new(),
        memory: None,
        main_memory: false,
        realloc: None,
        import_realloc: None,
        export_realloc: None,
        initialize: None,
        imported_memory: None,
    };
    let adapter_names: Vec<String> = adapters.iter().map(|a| a.name.clone()).collect();
    let library_exports = adapter::main_exports(&bindings.resolve, bindings.world, adapters);
    // The functions the libraries define, as adapters may import them
    // from `__main_module__`: each from the library its symbol resolved to.
    let mut funcs: HashMap<String, FuncType> = HashMap::new();
    let mut modules = Vec::new();
    let names = WorldNames::new(
        &bindings.resolve,
        bindings.world,
        (!adapters.is_empty()).then_some(&library_exports),
    );
    for &(library, input) in included {
        // The world is the component's now; a library without one goes in
        // as it is (copying a large library costs time and memory).
        let bytes = match input.world {
            Some(_) => {
                Cow::Owned(metadata::strip(input.bytes).map_err(|e| in_library(input.name, e))?)
            }
            None => Cow::Borrowed(input.bytes),
        };
        let core = &input.core;
        for (name, ty) in core.func_exports() {
            if resolution
                .definitions
                .get(name)
                .is_some_and(|&(l, _)| l == library)
            {
                funcs.insert(name.to_string(), ty.clone());
            }
        }
        let classified = classify(
            &names,
            core,
            &ClassifyOptions {
                reject_legacy_names: options.reject_legacy_names,
                adapter_names: &adapter_names,
                linked_part: true,
                ..Default::default()
            },
        )
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
    if let Err(m) = missing_export(&bindings.resolve, bindings.world, &merged, |k| {
        library_exports.contains(k)
    }) {
        return Err(Error::Missing(format!(
            "the world exports {}, but no library exports a function named `{}` (or `{}`); \
             export it from one of the libraries",
            m.what, m.legacy, m.standard
        )));
    }
    let collected = adapter::collect(
        &bindings.resolve,
        bindings.world,
        &MainModule {
            funcs: &funcs,
            classified: &merged,
        },
        adapters,
        &adapter::Options {
            realloc_via_memory_grow: options.realloc_via_memory_grow,
            debug_names: options.debug_names,
        },
    )?;
    Ok(Classification {
        classified: merged,
        libraries: modules,
        adapters: collected,
    })
}

/// The core exports the component lifts or calls (functions,
/// post-returns, destructors, reallocs) and those the adapters import
/// from `__main_module__`, each from the library whose definition the
/// symbol resolved to, by module position.
fn lifted(
    classified: &Classified<'_>,
    adapters: &[Option<CollectedAdapter<'_>>],
    resolution: &Resolution,
    positions: &Positions,
) -> Result<Vec<(String, usize)>, Error> {
    let adapter_imports = adapters
        .iter()
        .flatten()
        .flat_map(|a| &a.classified.imports)
        .filter(|i| matches!(i.target, ImportTarget::MainExport))
        .map(|i| &i.field);
    let names = classified
        .funcs
        .values()
        .flat_map(|f| std::iter::once(&f.core_name).chain(f.post_return.as_ref()))
        .chain(classified.dtors.values())
        .chain(classified.realloc.iter())
        .chain(classified.import_realloc.iter())
        .chain(classified.export_realloc.iter())
        .chain(adapter_imports);
    let mut exports: Vec<(String, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if !seen.insert(name) {
            continue;
        }
        let Some(&(library, _)) = resolution.definitions.get(name) else {
            return Err(Error::Internal(format!(
                "linking: no library defines `{name}`"
            )));
        };
        exports.push((name.clone(), positions.library(library)?));
    }
    exports.sort();
    Ok(exports)
}
