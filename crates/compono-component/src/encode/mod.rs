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
mod lower;
mod resources;
mod shim;
mod space;

use std::collections::HashMap;

use compono_wit::{Binding, Scope, StringEncoding};
use wasm_encoder::{CanonicalOption, ComponentBuilder, ExportKind};
use wit_parser::{Resolve, TypeOwner, WorldId};

use crate::Error;
use crate::classify::Classified;
use space::ComponentSpaceBuilder;

/// Everything `encode_component` needs.
pub struct ComponentInput<'a, 'r> {
    pub resolve: &'r Resolve,
    pub world: WorldId,
    pub encoding: StringEncoding,
    pub classified: &'a Classified<'r>,
    pub module: &'a [u8],
    pub renames: HashMap<String, String>,
    pub debug_names: bool,
}

impl ComponentInput<'_, '_> {
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
    let imported = imports::import_world(&mut scope, input.world, input.classified)?;
    let mut lowered = lower::lower_imports(&mut scope, &input, &imported)?;
    let exported_resources = resources::exported_resources(&input, &mut lowered.shim);

    // The main module needs its imports before it exists, and some of them
    // need its memory or realloc: the shim stands in for those until the
    // fixup fills its table.
    let c = &mut scope.space.component;
    let shim = instances::instantiate_shim(c, &input, &lowered.shim);
    let local_resources =
        resources::define_resources(c, &input, &exported_resources, &shim, &mut lowered.sources)?;
    let main = instances::instantiate_main(c, &input, &lowered.sources, &shim)?;
    let mut reallocs = Reallocs::new(main.instance);
    instances::fill_shim(c, &input, &lowered.shim, &shim, &main, &mut reallocs)?;
    instances::run_initialize(c, &input, &main);

    exports::export_world(&mut scope, &input, &main, &local_resources, &mut reallocs)?;

    let mut component = scope.space.component;
    if input.debug_names {
        component.append_names();
    }
    Ok(component.finish())
}

/// The main module's realloc functions, aliased once each, when first
/// needed: lowered imports and lifted exports may name different ones.
struct Reallocs {
    main: u32,
    by_name: HashMap<String, u32>,
}

impl Reallocs {
    fn new(main: u32) -> Self {
        Reallocs {
            main,
            by_name: HashMap::new(),
        }
    }

    fn get(
        &mut self,
        c: &mut ComponentBuilder,
        input: &ComponentInput<'_, '_>,
        name: &Option<String>,
    ) -> Option<u32> {
        let name = name.as_ref()?;
        let main = self.main;
        Some(*self.by_name.entry(name.clone()).or_insert_with(|| {
            c.core_alias_export(input.debug(name).as_deref(), main, name, ExportKind::Func)
        }))
    }
}

fn encoding_option(encoding: StringEncoding) -> CanonicalOption {
    match encoding {
        StringEncoding::Utf8 => CanonicalOption::UTF8,
        StringEncoding::Utf16 => CanonicalOption::UTF16,
        StringEncoding::CompactUtf16 => CanonicalOption::CompactUTF16,
    }
}
