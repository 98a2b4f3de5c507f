//! The `component-type` custom section: a world, plus the string encoding
//! the module's canonical ABI uses, in the layout every component tool
//! reads: a component holding a `wit-component-encoding` custom section
//! (`[version, encoding]`) and exporting the world's component type.

use wasm_encoder::{Component, ComponentExportKind, ComponentTypeSection, CustomSection};
use wit_parser::{Resolve, WorldId};

use crate::Error;

/// The layout version of the `wit-component-encoding` section.
const ENCODING_VERSION: u8 = 4;
const ENCODING_SECTION: &str = "wit-component-encoding";

/// How a module's canonical ABI represents strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StringEncoding {
    #[default]
    Utf8,
    Utf16,
    CompactUtf16,
}

impl StringEncoding {
    fn to_byte(self) -> u8 {
        match self {
            StringEncoding::Utf8 => 0,
            StringEncoding::Utf16 => 1,
            StringEncoding::CompactUtf16 => 2,
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(StringEncoding::Utf8),
            1 => Some(StringEncoding::Utf16),
            2 => Some(StringEncoding::CompactUtf16),
            _ => None,
        }
    }
}

impl std::str::FromStr for StringEncoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "utf8" => Ok(StringEncoding::Utf8),
            "utf16" => Ok(StringEncoding::Utf16),
            "compact-utf16" => Ok(StringEncoding::CompactUtf16),
            _ => Err(format!(
                "unknown string encoding `{s}` (expected utf8, utf16 or compact-utf16)"
            )),
        }
    }
}

/// Encodes `world` as the payload of a `component-type` custom section.
pub fn encode_world_metadata(
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>, Error> {
    encode_world_metadata_with(resolve, world, encoding, crate::InterfaceNames::Full)
}

/// `encode_world_metadata`, naming interfaces as `names` says.
pub fn encode_world_metadata_with(
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
    names: crate::InterfaceNames,
) -> Result<Vec<u8>, Error> {
    let ty = crate::encode_world_with(resolve, world, names)?;
    let mut component = Component::new();
    component.section(&CustomSection {
        name: ENCODING_SECTION.into(),
        data: [ENCODING_VERSION, encoding.to_byte()].as_slice().into(),
    });
    let mut types = ComponentTypeSection::new();
    types.component(&ty);
    component.section(&types);
    let mut exports = wasm_encoder::ComponentExportSection::new();
    exports.export(
        &resolve.worlds[world].name,
        ComponentExportKind::Type,
        0,
        None,
    );
    component.section(&exports);
    Ok(component.finish())
}

/// A decoded `component-type` payload.
pub struct WorldMetadata {
    pub resolve: Resolve,
    pub world: WorldId,
    pub encoding: StringEncoding,
}

/// Decodes what `encode_world_metadata` (or any tool writing the same
/// layout) produced.
pub fn decode_world_metadata(payload: &[u8]) -> Result<WorldMetadata, Error> {
    let mut encoding = None;
    for payload in wasmparser::Parser::new(0).parse_all(payload) {
        let payload = payload.map_err(|e| Error::Metadata(e.to_string()))?;
        if let wasmparser::Payload::CustomSection(s) = &payload
            && s.name() == ENCODING_SECTION
        {
            encoding = Some(match s.data() {
                [ENCODING_VERSION, byte] => StringEncoding::from_byte(*byte).ok_or_else(|| {
                    Error::Metadata(format!("unknown string encoding byte {byte}"))
                })?,
                [version, ..] => {
                    return Err(Error::Metadata(format!(
                        "unsupported `{ENCODING_SECTION}` version {version} (expected {ENCODING_VERSION})"
                    )));
                }
                [] => {
                    return Err(Error::Metadata(format!(
                        "empty `{ENCODING_SECTION}` section"
                    )));
                }
            });
        }
    }
    let (resolve, world) =
        crate::decode_world(payload).map_err(|e| Error::Metadata(e.to_string()))?;
    Ok(WorldMetadata {
        resolve,
        world,
        encoding: encoding.unwrap_or_default(),
    })
}
