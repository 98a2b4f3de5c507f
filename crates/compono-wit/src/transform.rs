//! World-to-world transforms on a `Resolve`: the world that imports a
//! component of a given world (`importize`), and the world that exports
//! what a given world imports (`exportize`).
//!
//! They live here, not in compono-component, because they are WIT in and
//! WIT out: no core module or component binary is involved, and every
//! consumer of a `Resolve` (printing, encoding, bindgen) can use the result.
//! wit-parser does the moving and the elaboration of the interfaces the
//! moved items depend on; this module adds the naming rules of the CLI.

use wit_parser::{Resolve, WorldId, WorldItem, WorldKey};

use crate::Error;

/// Moves `world`'s exports to its imports (keeping the types it imports),
/// renamed to `out_name`, or `<world>-importized` by default.
pub fn importize(
    resolve: &mut Resolve,
    world: WorldId,
    out_name: Option<String>,
) -> Result<(), Error> {
    resolve
        .importize(world, out_name)
        .map_err(|e| Error::Transform(format!("{e:#}")))
}

/// Moves `world`'s imports to its exports, renamed to `out_name`, or
/// `<world>-exportized` by default. With a non-empty `only`, moves just the
/// imports of those names (a plain name, or an interface's name without its
/// package) and returns the names that matched no import.
pub fn exportize(
    resolve: &mut Resolve,
    world: WorldId,
    out_name: Option<String>,
    only: &[String],
) -> Result<Vec<String>, Error> {
    if only.is_empty() {
        resolve
            .exportize(world, out_name, None)
            .map_err(|e| Error::Transform(format!("{e:#}")))?;
        return Ok(Vec::new());
    }
    let imports = &resolve.worlds[world].imports;
    let moved: Vec<WorldKey> = imports
        .keys()
        .filter(|key| only.iter().any(|o| o == import_name(resolve, key)))
        .cloned()
        .collect();
    let unmatched: Vec<String> = only
        .iter()
        .filter(|o| !imports.keys().any(|key| import_name(resolve, key) == *o))
        .cloned()
        .collect();
    let selected = |key: &WorldKey, _: &WorldItem| moved.contains(key);
    resolve
        .exportize(world, out_name, Some(&selected))
        .map_err(|e| Error::Transform(format!("{e:#}")))?;
    Ok(unmatched)
}

/// The name `--exportize-import` matches an import by: a plain import's
/// name, or the bare name of an imported interface (`host` for
/// `test:cli/host@1.0.0`), as wasm-tools matches it.
fn import_name<'a>(resolve: &'a Resolve, key: &'a WorldKey) -> &'a str {
    match key {
        WorldKey::Name(name) => name,
        WorldKey::Interface(id) => resolve.interfaces[*id].name.as_deref().unwrap_or(""),
    }
}
