//! `embed`: record a WIT world in a core module as a `component-type`
//! custom section, merging with the worlds already there.

use compono_wit::Lookup;
use compono_wit::{StringEncoding, encode_world_metadata};
use wit_parser::{Resolve, WorldId};

use crate::Error;
use crate::metadata::{self, Bindings};

/// How to embed.
#[derive(Debug, Clone, Default)]
pub struct EmbedOptions {
    pub encoding: StringEncoding,
    /// Output a module holding only the custom section.
    pub only_custom: bool,
}

/// Embeds `world` into `module`. Worlds already embedded are merged with it
/// into one section, so embedding twice gives the union of both worlds.
pub fn embed(
    module: &[u8],
    resolve: Resolve,
    world: WorldId,
    options: &EmbedOptions,
) -> Result<Vec<u8>, Error> {
    let new = Bindings {
        resolve,
        world,
        encoding: options.encoding,
    };
    let bindings = match metadata::read(module)? {
        None => new,
        Some(existing) => {
            if existing.encoding != new.encoding {
                return Err(Error::Metadata(format!(
                    "the module already embeds a world with string encoding `{}`, \
                     which differs from the requested `{}`; pass the same `--encoding`",
                    crate::metadata::encoding_name(existing.encoding),
                    crate::metadata::encoding_name(new.encoding)
                )));
            }
            metadata::merge(existing, new)?
        }
    };
    let payload = encode_world_metadata(&bindings.resolve, bindings.world, bindings.encoding)?;
    let section = wasm_encoder::CustomSection {
        name: section_name(&bindings.resolve, bindings.world).into(),
        data: payload.into(),
    };
    let mut out = if options.only_custom {
        wasm_encoder::Module::new().finish()
    } else {
        metadata::strip(module)?
    };
    use wasm_encoder::Section;
    section.append_to(&mut out);
    Ok(out)
}

/// `component-type:compono:<version>:<ns>:<pkg>:<world>:encoded world`, the
/// shape other tools use, so that a linker concatenating sections of
/// different objects keeps them apart.
fn section_name(resolve: &Resolve, world: WorldId) -> String {
    let w = &resolve.world_at(world);
    let qualified = match w.package {
        Some(p) => {
            let name = &resolve.package_at(p).name;
            format!("{}:{}:{}", name.namespace, name.name, w.name)
        }
        None => w.name.clone(),
    };
    format!(
        "component-type:compono:{}:{qualified}:encoded world",
        crate::VERSION
    )
}
