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
