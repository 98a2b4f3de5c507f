//! The `producers` custom section: keep what the module says about its
//! producers and add `processed-by compono <version>`.

use crate::Error;

/// `module` with compono added to its `processed-by` producers field.
pub fn add_processed_by(module: &[u8]) -> Result<Vec<u8>, Error> {
    let mut producers = wasm_metadata::Producers::empty();
    producers.add("processed-by", "compono", crate::VERSION);
    producers
        .add_to_wasm(module)
        .map_err(|e| Error::InvalidModule(format!("cannot update the producers section: {e:#}")))
}
