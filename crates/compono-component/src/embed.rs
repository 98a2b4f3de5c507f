//! `embed`: record a WIT world in a core module as a `component-type`
//! custom section, merging with the worlds already there.

use compono_wit::Lookup;
use compono_wit::{InterfaceNames, StringEncoding, encode_world_metadata_with};
use wit_parser::{Resolve, WorldId};

use crate::Error;
use crate::metadata::{self, Bindings};

/// How to embed.
#[derive(Debug, Clone, Default)]
pub struct EmbedOptions {
    pub encoding: StringEncoding,
    /// Name interfaces by their canonical version (`wasi:cli/exit@0.2`)
    /// with the rest as a `version-suffix`.
    pub emit_canonical_names: bool,
}

/// Embeds `world` into `module`: the module is kept as it is, with the
/// world appended as one more `component-type` section, as wasm-tools
/// appends it. The worlds already there are merged with it only to check
/// that `new` will be able to, so that embedding fails rather than `new`.
pub fn embed(
    module: &[u8],
    resolve: Resolve,
    world: WorldId,
    options: &EmbedOptions,
) -> Result<Vec<u8>, Error> {
    if wasmparser::Parser::is_component(module) {
        return Err(Error::InvalidModule(
            "the input is a component, not a core module".to_string(),
        ));
    }
    let payload = section_payload(&resolve, world, options)?;
    let section = wasm_encoder::CustomSection {
        name: section_name(&resolve, world).into(),
        data: payload.into(),
    };
    let new = Bindings {
        resolve,
        world,
        encoding: options.encoding,
    };
    if let Some(existing) = metadata::read(module)? {
        if existing.encoding != new.encoding {
            return Err(Error::Metadata(format!(
                "the module already embeds a world with string encoding `{}`, \
                 which differs from the requested `{}`; pass the same `--encoding`",
                crate::metadata::encoding_name(existing.encoding),
                crate::metadata::encoding_name(new.encoding)
            )));
        }
        metadata::merge(existing, new)?;
    }
    // Validates the rest of the module's structure.
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        payload.map_err(|e| Error::InvalidModule(e.to_string()))?;
    }
    let mut out = module.to_vec();
    use wasm_encoder::Section;
    section.append_to(&mut out);
    Ok(out)
}

/// The payload of the `component-type` section that `embed` writes for
/// `world` (what `--only-custom` outputs alone).
pub fn section_payload(
    resolve: &Resolve,
    world: WorldId,
    options: &EmbedOptions,
) -> Result<Vec<u8>, Error> {
    let names = InterfaceNames::for_world(resolve, world, options.emit_canonical_names)?;
    Ok(encode_world_metadata_with(
        resolve,
        world,
        options.encoding,
        names,
    )?)
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
