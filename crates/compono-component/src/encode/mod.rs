//! Emitting the component: the world's imports, the shim, the main module
//! and its instantiation, the fixups, `_initialize`, and the lifted
//! exports.
//!
//! Types go through `compono_wit::Scope`, the same machinery that encodes
//! `component-type` sections, so a world prints the same from the metadata
//! and from the component.

mod exports;
mod imports;
mod instances;
pub mod linked;
mod lower;
mod resources;
mod shim;
mod space;

use std::collections::HashMap;

use compono_wit::{Binding, InterfaceNames, Scope, StringEncoding};
use wasm_encoder::{CanonicalOption, ComponentBuilder, ExportKind};
use wit_parser::{Resolve, TypeOwner, WorldId};

use crate::Error;
use crate::adapter::CollectedAdapter;
use crate::classify::Classified;
use space::ComponentSpaceBuilder;

/// Everything `encode_component` needs.
pub struct ComponentInput<'a, 'r> {
    pub resolve: &'r Resolve,
    pub world: WorldId,
    pub encoding: StringEncoding,
    pub classified: &'a Classified<'r>,
    pub module: &'a [u8],
    /// The adapters, in the order the main module's imports name them;
    /// `None` for an adapter nothing uses.
    pub adapters: &'a [Option<CollectedAdapter<'r>>],
    /// Linked shared libraries, which take the place of `module`.
    pub linked: Option<&'a linked::LinkedModules<'a>>,
    pub renames: HashMap<String, String>,
    pub debug_names: bool,
    /// How imported and exported interfaces are named.
    pub interface_names: InterfaceNames,
}

impl<'a, 'r> ComponentInput<'a, 'r> {
    /// Every core module that is instantiated, with its number: 0 for the
    /// main module, `n + 1` for adapter `n`.
    fn modules(&self) -> impl Iterator<Item = (usize, &'a Classified<'r>)> + use<'a, 'r> {
        std::iter::once((0, self.classified)).chain(
            self.adapters
                .iter()
                .enumerate()
                .filter_map(|(n, a)| a.as_ref().map(|a| (n + 1, &a.classified))),
        )
    }

    /// The classification of module number `m` (see `modules`).
    fn classified_of(&self, m: usize) -> Option<&'a Classified<'r>> {
        match m {
            0 => Some(self.classified),
            m => self.adapters.get(m - 1)?.as_ref().map(|a| &a.classified),
        }
    }

    /// The debug name to give an item: `name`, under `--debug-names` only.
    fn debug(&self, name: &str) -> Option<String> {
        self.debug_names.then(|| name.to_string())
    }
}

pub fn encode_component(input: ComponentInput<'_, '_>) -> Result<Vec<u8>, Error> {
    let mut scope = Scope::new(
        input.resolve,
        ComponentSpaceBuilder {
            component: ComponentBuilder::default(),
            renames: input.renames.clone(),
            last_import: 0,
        },
        TypeOwner::World(input.world),
        Binding::Import,
    );
    scope.interface_names = input.interface_names;
    let imported_funcs = imports::import_world(&mut scope, input.world, &input)?;
    let mut lowered = lower::lower_imports(&mut scope, &input, &imported_funcs)?;
    let exported_resources = resources::exported_resources(&input, &mut lowered.shim);

    // The main module needs its imports before it exists, and some of them
    // need its memory or realloc: the shim stands in for those until the
    // fixup fills its table.
    let c = &mut scope.space.component;
    let shim = instances::instantiate_shim(c, &input, &lowered.shim);
    let local_resources =
        resources::define_resources(c, &input, &exported_resources, &shim, &mut lowered.sources)?;
    // Linked libraries stand in for the main module; adapters follow it.
    let (mut main, mut linked_instances) = match input.linked {
        Some(linked) => {
            let (main, instances) =
                linked::instantiate(c, &input, linked, main_sources(&lowered.sources), &shim)?;
            (main, Some((linked, instances)))
        }
        None => (
            instances::instantiate_main(c, &input, &lowered.sources, &shim)?,
            None,
        ),
    };
    instances::instantiate_adapters(c, &input, &lowered.sources, &shim, &mut main)?;
    let mut reallocs = Reallocs::default();
    instances::fill_shim(c, &input, &lowered.shim, &shim, &main, &mut reallocs)?;
    match &mut linked_instances {
        Some((linked, instances)) => linked::run_init(c, &input, linked, instances)?,
        None => instances::run_initialize(c, &input, &main),
    }

    exports::export_world(&mut scope, &input, &main, &local_resources, &mut reallocs)?;

    let mut component = scope.space.component;
    if input.debug_names {
        component.append_names();
    }
    Ok(component.finish())
}

/// The realloc functions of the core instances, aliased once each, when
/// first needed: lowered imports and lifted exports may name different
/// ones.
#[derive(Default)]
struct Reallocs {
    by_name: HashMap<(u32, String), u32>,
}

impl Reallocs {
    fn get(
        &mut self,
        c: &mut ComponentBuilder,
        input: &ComponentInput<'_, '_>,
        instance: u32,
        name: &Option<String>,
    ) -> Option<u32> {
        let name = name.as_ref()?;
        Some(
            *self
                .by_name
                .entry((instance, name.clone()))
                .or_insert_with(|| {
                    c.core_alias_export(
                        input.debug(name).as_deref(),
                        instance,
                        name,
                        ExportKind::Func,
                    )
                }),
        )
    }
}

fn encoding_option(encoding: StringEncoding) -> CanonicalOption {
    match encoding {
        StringEncoding::Utf8 => CanonicalOption::UTF8,
        StringEncoding::Utf16 => CanonicalOption::UTF16,
        StringEncoding::CompactUtf16 => CanonicalOption::CompactUTF16,
    }
}

/// The core function sources of the main module's imports (module 0).
fn main_sources(sources: &[Vec<lower::CoreFuncSource>]) -> &[lower::CoreFuncSource] {
    sources.first().map(Vec::as_slice).unwrap_or_default()
}
