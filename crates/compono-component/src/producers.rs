//! The `producers` custom section: keep what the module says about its
//! producers and add `processed-by compono <version>`.

use crate::Error;

/// A whole `producers` custom section (id included): `existing` (the
/// payload of the section being replaced, if any) plus compono.
pub fn processed_by_section(existing: Option<(&[u8], u64)>) -> Result<Vec<u8>, Error> {
    let mut producers = match existing {
        Some((data, offset)) => wasm_metadata::Producers::from_bytes(data, offset)
            .map_err(|e| Error::InvalidModule(format!("invalid `producers` section: {e:#}")))?,
        None => wasm_metadata::Producers::empty(),
    };
    producers.add("processed-by", "compono", crate::VERSION);
    let mut section = vec![0];
    section.extend(producers.raw_custom_section());
    Ok(section)
}

/// What one module or component says about itself: its name and producers.
/// Nested modules and components follow their parent, one level deeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMetadata {
    pub depth: usize,
    pub is_component: bool,
    pub name: Option<String>,
    /// `(field, [(name, version)])`, e.g. `("language", [("Rust", "")])`.
    pub producers: Vec<(String, Vec<(String, String)>)>,
    /// Byte range of the item within the file.
    pub range: std::ops::Range<u64>,
}

/// Reads the name and producers of every module and component in `bytes`.
pub fn read_metadata(bytes: &[u8]) -> Result<Vec<ItemMetadata>, Error> {
    use wasmparser::{BinaryReader, ComponentNameSectionReader, NameSectionReader, Payload};
    let invalid = |e: wasmparser::BinaryReaderError| Error::InvalidModule(e.to_string());
    let mut items: Vec<ItemMetadata> = Vec::new();
    // Indices into `items` of the items still open, innermost last.
    let mut open: Vec<usize> = Vec::new();
    // A nested item's extent is announced by the section that holds it.
    let mut next_range = 0..bytes.len() as u64;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                next_range = unchecked_range.start..unchecked_range.end;
            }
            Payload::Version { encoding, .. } => {
                open.push(items.len());
                items.push(ItemMetadata {
                    depth: open.len() - 1,
                    is_component: encoding == wasmparser::Encoding::Component,
                    name: None,
                    producers: Vec::new(),
                    range: next_range.clone(),
                });
            }
            Payload::End(_) => {
                open.pop();
            }
            Payload::CustomSection(section) => {
                let Some(&current) = open.last() else {
                    continue;
                };
                let Some(item) = items.get_mut(current) else {
                    continue;
                };
                let reader = BinaryReader::new(section.data(), section.data_offset());
                match section.name() {
                    "producers" => {
                        let producers = wasm_metadata::Producers::from_bytes(
                            section.data(),
                            section.data_offset(),
                        )
                        .map_err(|e| {
                            Error::InvalidModule(format!("invalid `producers` section: {e:#}"))
                        })?;
                        item.producers = producers
                            .iter()
                            .map(|(field, values)| {
                                let values =
                                    values.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
                                (field.clone(), values)
                            })
                            .collect();
                    }
                    "name" if !item.is_component => {
                        for name in NameSectionReader::new(reader) {
                            if let wasmparser::Name::Module { name, .. } = name.map_err(invalid)? {
                                item.name = Some(name.to_string());
                            }
                        }
                    }
                    "component-name" if item.is_component => {
                        for name in ComponentNameSectionReader::new(reader) {
                            if let wasmparser::ComponentName::Component { name, .. } =
                                name.map_err(invalid)?
                            {
                                item.name = Some(name.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(items)
}

/// What `add_metadata` adds: a name for the outermost item and producers
/// entries (`(name, version)` pairs).
#[derive(Debug, Clone, Default)]
pub struct MetadataToAdd {
    pub name: Option<String>,
    pub language: Vec<(String, String)>,
    pub processed_by: Vec<(String, String)>,
    pub sdk: Vec<(String, String)>,
}

/// Adds a name and producers to the outermost module or component.
pub fn add_metadata(bytes: &[u8], add: &MetadataToAdd) -> Result<Vec<u8>, Error> {
    // wasm-metadata slices the input by the section ranges the parser
    // reports, trusting them; a truncated or malformed input must not get
    // that far.
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| Error::InvalidModule(e.to_string()))?;
        if let Some((id, range)) = payload.as_section()
            && usize::try_from(range.end).map_or(true, |end| end > bytes.len())
        {
            return Err(Error::InvalidModule(format!(
                "section {id} at {range:?} extends past the end of the input"
            )));
        }
    }
    let mut meta = wasm_metadata::AddMetadata::default();
    if let Some(name) = &add.name {
        meta.name = wasm_metadata::AddMetadataField::Set(name.clone());
    }
    meta.language = add.language.clone();
    meta.processed_by = add.processed_by.clone();
    meta.sdk = add.sdk.clone();
    meta.to_wasm(bytes)
        .map_err(|e| Error::InvalidModule(format!("cannot add metadata: {e:#}")))
}
