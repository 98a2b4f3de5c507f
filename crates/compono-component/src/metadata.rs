//! Reading, merging and stripping the `component-type*` custom sections of a
//! core module.

use compono_wit::{StringEncoding, decode_world_metadata};
use wasmparser::CustomSectionReader;
use wit_parser::{Resolve, WorldId};

use crate::Error;

/// The world a module was built against, merged from all its sections.
pub struct Bindings {
    pub resolve: Resolve,
    pub world: WorldId,
    pub encoding: StringEncoding,
}

/// The `--encoding` spelling of `encoding`.
pub fn encoding_name(encoding: StringEncoding) -> &'static str {
    match encoding {
        StringEncoding::Utf8 => "utf8",
        StringEncoding::Utf16 => "utf16",
        StringEncoding::CompactUtf16 => "compact-utf16",
    }
}

/// Whether a custom section holds a world.
pub fn is_component_type_section(name: &str) -> bool {
    name.starts_with("component-type")
}

/// Decodes every `component-type*` section of `module` and merges their
/// worlds into the world `root` of a package `root:root`, as wit-component
/// does, so that `compono wit` of a module prints what wasm-tools prints;
/// `None` when there is no such section.
pub fn read(module: &[u8]) -> Result<Option<Bindings>, Error> {
    read_sections(&custom_sections(module)?, true)
}

/// `read`, of a module parsed already: its custom sections.
pub fn read_parsed(custom: &[CustomSectionReader<'_>]) -> Result<Option<Bindings>, Error> {
    read_sections(custom, true)
}

/// Decodes and merges every `component-type*` section of `module` into the
/// first one's world, keeping its package (an adapter's world, merged later
/// into a main module's `root:root`); `None` when there is none.
pub fn read_own_world(module: &[u8]) -> Result<Option<Bindings>, Error> {
    read_sections(&custom_sections(module)?, false)
}

fn custom_sections(module: &[u8]) -> Result<Vec<CustomSectionReader<'_>>, Error> {
    let mut custom = Vec::new();
    for payload in crate::payloads::without_bodies(module) {
        let payload = payload.map_err(|e| Error::InvalidModule(e.to_string()))?;
        if let wasmparser::Payload::CustomSection(s) = payload {
            custom.push(s);
        }
    }
    Ok(custom)
}

fn read_sections(
    custom: &[CustomSectionReader<'_>],
    into_root: bool,
) -> Result<Option<Bindings>, Error> {
    let mut merged: Option<(Bindings, String)> = None;
    for s in custom {
        if !is_component_type_section(s.name()) {
            continue;
        }
        let decoded = decode_world_metadata(s.data()).map_err(|e| {
            Error::Metadata(format!(
                "custom section `{}` at offset {:#x} does not hold a WIT world: {e}; \
                 re-embed the world with `compono embed`",
                s.name(),
                s.data_offset()
            ))
        })?;
        let bindings = Bindings {
            resolve: decoded.resolve,
            world: decoded.world,
            encoding: decoded.encoding,
        };
        merged = Some(match merged {
            None if into_root => (
                merge(root_bindings(bindings.encoding)?, bindings)?,
                s.name().to_string(),
            ),
            None => (bindings, s.name().to_string()),
            Some((into, first)) => {
                if into.encoding != bindings.encoding {
                    return Err(Error::Metadata(format!(
                        "custom sections `{first}` and `{}` declare different string \
                         encodings (`{}` and `{}`); embed every world with the same \
                         `--encoding`",
                        s.name(),
                        encoding_name(into.encoding),
                        encoding_name(bindings.encoding)
                    )));
                }
                let merged = merge(into, bindings).map_err(|e| {
                    Error::Metadata(format!(
                        "custom section `{}` conflicts with `{first}`: {e}",
                        s.name()
                    ))
                })?;
                (merged, first)
            }
        });
    }
    Ok(merged.map(|(b, _)| b))
}

/// An empty world `root:root/root` to merge sections into. Made in place:
/// parsing its one line of WIT took 1.5% of a small `link`.
fn root_bindings(encoding: StringEncoding) -> Result<Bindings, Error> {
    let mut resolve = Resolve::default();
    let name = wit_parser::PackageName {
        namespace: "root".to_string(),
        name: "root".to_string(),
        version: None,
    };
    let package = resolve.packages.alloc(wit_parser::Package {
        name: name.clone(),
        docs: Default::default(),
        interfaces: Default::default(),
        worlds: Default::default(),
    });
    resolve.package_names.insert(name, package);
    let world = resolve.worlds.alloc(wit_parser::World {
        name: "root".to_string(),
        imports: Default::default(),
        exports: Default::default(),
        package: Some(package),
        docs: Default::default(),
        stability: Default::default(),
        includes: Vec::new(),
        span: Default::default(),
    });
    if let Some(package) = resolve.packages.get_mut(package) {
        package.worlds.insert("root".to_string(), world);
    }
    Ok(Bindings {
        resolve,
        world,
        encoding,
    })
}

/// Merges the world of `from` into the world of `into`.
pub fn merge(mut into: Bindings, from: Bindings) -> Result<Bindings, Error> {
    let remap = into
        .resolve
        .merge(from.resolve)
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    let other = remap
        .map_world(from.world, Default::default())
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    into.resolve
        .merge_worlds(other, into.world, &mut Default::default())
        .map_err(|e| {
            Error::Metadata(format!(
                "cannot merge worlds: {e:#}; the worlds must declare every item they share \
                 identically"
            ))
        })?;
    Ok(into)
}

/// `module` without its `component-type*` sections.
pub fn strip(module: &[u8]) -> Result<Vec<u8>, Error> {
    strip_sections(module, false)
}

/// `module` without its `component-type*` sections, and with compono added
/// to its producers, in one pass over the module.
pub fn strip_and_add_producer(module: &[u8]) -> Result<Vec<u8>, Error> {
    strip_sections(module, true)
}

fn strip_sections(module: &[u8], add_producer: bool) -> Result<Vec<u8>, Error> {
    let mut producers = None;
    let mut out = wasm_encoder::Module::new();
    for payload in crate::payloads::without_bodies(module) {
        let payload = payload.map_err(|e| Error::InvalidModule(e.to_string()))?;
        if let wasmparser::Payload::CustomSection(s) = &payload {
            if is_component_type_section(s.name()) {
                continue;
            }
            if add_producer && s.name() == "producers" {
                producers = Some((s.data(), s.data_offset()));
                continue;
            }
        }
        if let wasmparser::Payload::Version {
            encoding: wasmparser::Encoding::Component,
            ..
        } = &payload
        {
            return Err(Error::InvalidModule(
                "the input is a component, not a core module".to_string(),
            ));
        }
        if let Some((id, range)) = payload.as_section() {
            let start = usize::try_from(range.start).ok();
            let end = usize::try_from(range.end).ok();
            let data = match (start, end) {
                (Some(start), Some(end)) => module.get(start..end),
                _ => None,
            }
            .ok_or_else(|| {
                Error::InvalidModule(format!("section {id} at {range:?} is out of bounds"))
            })?;
            out.section(&wasm_encoder::RawSection { id, data });
        }
    }
    let mut out = out.finish();
    if add_producer {
        out.extend(crate::producers::processed_by_section(producers)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root world made in place is the one its WIT says.
    #[test]
    fn the_root_world_is_what_its_wit_says() {
        let made = root_bindings(StringEncoding::Utf8).unwrap();
        let mut parsed = Resolve::default();
        let package = parsed
            .push_str("root.wit", "package root:root;\nworld root {}\n")
            .unwrap();
        let made_package = made.resolve.worlds[made.world].package.unwrap();
        assert_eq!(
            compono_wit::print(&made.resolve, made_package).unwrap(),
            compono_wit::print(&parsed, package).unwrap()
        );
        assert_eq!(made.resolve.package_names.len(), 1);
        assert_eq!(
            made.resolve.select_world(&[made_package], None).unwrap(),
            made.world
        );
        assert_eq!(
            made.resolve.id_of_name(made_package, "root"),
            "root:root/root"
        );
    }
}
