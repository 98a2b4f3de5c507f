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

/// What one module or component says about itself: its name, producers
/// and the OCI-style annotation sections (`authors`, `description`, ...).
/// Nested modules and components follow their parent, one level deeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMetadata {
    pub depth: usize,
    pub is_component: bool,
    pub name: Option<String>,
    /// `(field, [(name, version)])`, e.g. `("language", [("Rust", "")])`.
    pub producers: Vec<(String, Vec<(String, String)>)>,
    /// `(section, text)` for the annotation sections present, in the order
    /// `authors`, `description`, `licenses`, `source`, `homepage`,
    /// `revision`, `version`.
    pub annotations: Vec<(&'static str, String)>,
    /// Byte range of the item within the file.
    pub range: std::ops::Range<u64>,
}

/// Reads the metadata of every module and component in `bytes`, outermost
/// first, each followed by what it contains.
pub fn read_metadata(bytes: &[u8]) -> Result<Vec<ItemMetadata>, Error> {
    let payload = parse_payload(bytes)?;
    let mut items = Vec::new();
    flatten(&payload, 0, &mut items);
    Ok(items)
}

/// The metadata of `bytes` as JSON, exactly as `wasm-tools metadata show
/// --json` prints it (one line, no trailing newline).
pub fn metadata_json(bytes: &[u8]) -> Result<String, Error> {
    let payload = parse_payload(bytes)?;
    serde_json::to_string(&payload)
        .map_err(|e| Error::InvalidInput(format!("cannot serialize the metadata: {e}")))
}

fn parse_payload(bytes: &[u8]) -> Result<wasm_metadata::Payload, Error> {
    wasm_metadata::Payload::from_binary(bytes)
        .map_err(|e| Error::InvalidInput(format!("not a valid module or component: {e:#}")))
}

fn flatten(payload: &wasm_metadata::Payload, depth: usize, items: &mut Vec<ItemMetadata>) {
    let (metadata, children, is_component) = match payload {
        wasm_metadata::Payload::Component { metadata, children } => (metadata, &children[..], true),
        wasm_metadata::Payload::Module(metadata) => (metadata, &[][..], false),
    };
    let producers = metadata
        .producers
        .iter()
        .flat_map(|p| p.iter())
        .map(|(field, values)| {
            let values = values.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
            (field.clone(), values)
        })
        .collect();
    let annotations = [
        ("authors", metadata.authors.as_ref().map(|v| v.to_string())),
        (
            "description",
            metadata.description.as_ref().map(|v| v.to_string()),
        ),
        (
            "licenses",
            metadata.licenses.as_ref().map(|v| v.to_string()),
        ),
        ("source", metadata.source.as_ref().map(|v| v.to_string())),
        (
            "homepage",
            metadata.homepage.as_ref().map(|v| v.to_string()),
        ),
        (
            "revision",
            metadata.revision.as_ref().map(|v| v.to_string()),
        ),
        ("version", metadata.version.as_ref().map(|v| v.to_string())),
    ]
    .into_iter()
    .filter_map(|(section, value)| Some((section, value?)))
    .collect();
    items.push(ItemMetadata {
        depth,
        is_component,
        name: metadata.name.clone(),
        producers,
        annotations,
        range: metadata.range.clone(),
    });
    for child in children {
        flatten(child, depth + 1, items);
    }
}

/// A change to one metadata field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FieldChange {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Remove it.
    Clear,
    /// Set it to this text.
    Set(String),
}

/// What `add_metadata` changes in the outermost module or component: its
/// name and annotations, and producers entries (`(name, version)` pairs) to
/// add.
#[derive(Debug, Clone, Default)]
pub struct MetadataToAdd {
    pub name: FieldChange,
    pub language: Vec<(String, String)>,
    pub processed_by: Vec<(String, String)>,
    pub sdk: Vec<(String, String)>,
    pub authors: FieldChange,
    pub description: FieldChange,
    /// An SPDX license expression.
    pub licenses: FieldChange,
    /// A URL.
    pub source: FieldChange,
    /// A URL.
    pub homepage: FieldChange,
    pub revision: FieldChange,
    pub version: FieldChange,
}

/// Applies `add` to the outermost module or component.
pub fn add_metadata(bytes: &[u8], add: &MetadataToAdd) -> Result<Vec<u8>, Error> {
    use wasm_metadata::{
        AddMetadataField, Authors, Description, Homepage, Licenses, Revision, Source, Version,
    };
    /// `change` as wasm-metadata's field, its value checked by `parse`
    /// (an SPDX expression, a URL) where the field has a syntax.
    fn field<T: std::fmt::Debug + Clone>(
        flag: &str,
        change: &FieldChange,
        parse: impl FnOnce(&str) -> anyhow::Result<T>,
    ) -> Result<AddMetadataField<T>, Error> {
        Ok(match change {
            FieldChange::Keep => AddMetadataField::Keep,
            FieldChange::Clear => AddMetadataField::Clear,
            FieldChange::Set(value) => AddMetadataField::Set(parse(value).map_err(|e| {
                Error::InvalidInput(format!("invalid `--{flag}` value `{value}`: {e:#}"))
            })?),
        })
    }
    let text = |s: &str| Ok(s.to_string());
    let mut meta = wasm_metadata::AddMetadata::default();
    meta.name = field("name", &add.name, text)?;
    meta.language = add.language.clone();
    meta.processed_by = add.processed_by.clone();
    meta.sdk = add.sdk.clone();
    meta.authors = field("authors", &add.authors, |s| Ok(Authors::new(s.to_string())))?;
    meta.description = field("description", &add.description, |s| {
        Ok(Description::new(s.to_string()))
    })?;
    meta.licenses = field("licenses", &add.licenses, Licenses::new)?;
    meta.source = field("source", &add.source, Source::new)?;
    meta.homepage = field("homepage", &add.homepage, Homepage::new)?;
    meta.revision = field("revision", &add.revision, |s| {
        Ok(Revision::new(s.to_string()))
    })?;
    meta.version = field("version", &add.version, |s| Ok(Version::new(s.to_string())))?;
    meta.to_wasm(bytes)
        .map_err(|e| Error::InvalidInput(format!("cannot add metadata: {e:#}")))
}
