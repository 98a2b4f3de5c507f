//! The component, from the plan: the included libraries' worlds merged
//! into one (`world`), each library's world imports and exports classified
//! as `new` classifies a module (`classify`), the core exports the
//! component lifts taken from the libraries that define them (`lifted`),
//! then `new`'s encoder and validation.

use std::borrow::Cow;
use std::collections::HashMap;

use super::plan::{Plan, Positions};
use super::resolve::Resolution;
use super::{Input, LinkOptions, env, in_library};
use crate::Error;
use crate::classify::{Classified, CoreModule, check_world_exports, classify_part};
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
    let bindings = world(&included, options)?;

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
    let (classified, libraries) = classify(&bindings, &included, plan.args, options)?;
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
        exports: lifted(&classified, resolution, &positions)?,
    };
    let mut component = encode_component(ComponentInput {
        resolve: &bindings.resolve,
        world: bindings.world,
        encoding: bindings.encoding,
        classified: &classified,
        module: &[],
        adapters: &[],
        linked: Some(&linked),
        renames: HashMap::new(),
        debug_names: options.debug_names,
        interface_names: compono_wit::InterfaceNames::Full,
    })?;
    component.extend(crate::producers::processed_by_section(None)?);
    if options.validate {
        validate(&component, &included)?;
    }
    Ok(component)
}

/// The included libraries' worlds, merged in load order.
fn world(included: &[(usize, &Input<'_>)], options: &LinkOptions) -> Result<Bindings, Error> {
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
    Ok(bindings)
}

/// Every library's world imports and exports, classified against the
/// merged world, as one classification; and the libraries as modules to
/// instantiate, each with its arguments and its share of the imports.
fn classify<'r, 'a>(
    bindings: &'r Bindings,
    included: &[(usize, &'a Input<'a>)],
    mut args: HashMap<usize, super::plan::Args>,
    options: &LinkOptions,
) -> Result<(Classified<'r>, Vec<LinkedModule<'a>>), Error> {
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
    let mut modules = Vec::new();
    let mut adapter_imports = Vec::new();
    for &(library, input) in included {
        // The world is the component's now; a library without one goes in
        // as it is (copying a large library costs time and memory).
        let bytes = match input.world {
            Some(_) => {
                Cow::Owned(metadata::strip(input.bytes).map_err(|e| in_library(input.name, e))?)
            }
            None => Cow::Borrowed(input.bytes),
        };
        let mut core = CoreModule::parse(&bytes).map_err(|e| in_library(input.name, e))?;
        // What the linker provides is not the world's business.
        core.imports.retain(|i| {
            if matches!(i.module.as_str(), "env" | "GOT.mem" | "GOT.func") {
                return false;
            }
            if options.adapters.iter().any(|(name, _)| *name == i.module) {
                adapter_imports.push((input.name, i.module.clone(), i.field.clone()));
                return false;
            }
            true
        });
        let classified = classify_part(
            &bindings.resolve,
            bindings.world,
            &core,
            options.reject_legacy_names,
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
    adapt(&adapter_imports)?;
    if let Err(m) = check_world_exports(&bindings.resolve, bindings.world, &merged) {
        return Err(Error::Missing(format!(
            "the world exports {}, but no library exports a function named `{}` (or `{}`); \
             export it from one of the libraries",
            m.what, m.legacy, m.standard
        )));
    }
    Ok((merged, modules))
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

/// The core exports the component lifts or calls (functions,
/// post-returns, destructors, reallocs), each from the library whose
/// definition the symbol resolved to, by module position.
fn lifted(
    classified: &Classified<'_>,
    resolution: &Resolution,
    positions: &Positions,
) -> Result<Vec<(String, usize)>, Error> {
    let names = classified
        .funcs
        .values()
        .flat_map(|f| std::iter::once(&f.core_name).chain(f.post_return.as_ref()))
        .chain(classified.dtors.values())
        .chain(classified.realloc.iter())
        .chain(classified.import_realloc.iter())
        .chain(classified.export_realloc.iter());
    let mut exports: Vec<(String, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if !seen.insert(name) {
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
    Ok(exports)
}

/// Validates the component; when it is invalid, finds the invalid
/// library (function bodies are first validated here) before calling it
/// compono's fault.
fn validate(component: &[u8], included: &[(usize, &Input<'_>)]) -> Result<(), Error> {
    let Err(e) = crate::validate::validate(component) else {
        return Ok(());
    };
    for (_, input) in included {
        crate::validate::validate(input.bytes)
            .map_err(|e| in_library(input.name, Error::InvalidModule(format!("{e:#}"))))?;
    }
    Err(Error::InvalidOutput(format!("{e:#}")))
}
