//! C guest bindings: `<world>.h`, `<world>.c` and `<world>_component_type.o`.

use crate::{Error, Files, Result};
use wit_parser::{Resolve, WorldId};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StringEncoding {
    #[default]
    Utf8,
    Utf16,
}

#[derive(Debug, Clone, Default)]
pub struct Opts {
    pub string_encoding: StringEncoding,
    pub no_object_file: bool,
    /// `ns:pkg/iface` to the C prefix used instead of the default.
    pub rename: Vec<(String, String)>,
}

pub fn generate(resolve: &Resolve, world: WorldId, _opts: &Opts) -> Result<Files> {
    Err(Error::Unsupported {
        item: format!("world `{}`", resolve.worlds[world].name),
        reason: "the C generator is not written yet".into(),
    })
}
