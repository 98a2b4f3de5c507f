//! Where a trap happened: the wasm functions on the stack, innermost
//! first, named from their modules' `name` sections.
//!
//! Nothing here runs until a trap: the executor's return records already
//! say which instance and code offset each caller is at, and the `name`
//! section is parsed the first time a frame of its module is named.

use crate::module::ModuleInner;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// At most this many frames are kept (the innermost ones), so a trap from
/// deep recursion stays cheap to make and to print.
pub(crate) const MAX_FRAMES: usize = 1000;

/// The names a module's `name` section gives, as far as it parses.
#[derive(Debug, Default)]
pub(crate) struct Names {
    module: Option<String>,
    funcs: HashMap<u32, String>,
}

impl Names {
    /// Reads the `name` custom sections; a malformed subsection ends the
    /// reading (names are debugging aids, never a reason to refuse code).
    pub(crate) fn parse(custom_sections: &[(String, Vec<u8>)]) -> Names {
        let mut names = Names::default();
        for (_, data) in custom_sections.iter().filter(|(n, _)| n == "name") {
            let reader = wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(data, 0));
            for subsection in reader {
                match subsection {
                    Ok(wasmparser::Name::Module { name, .. }) => {
                        names.module = Some(name.to_string());
                    }
                    Ok(wasmparser::Name::Function(map)) => {
                        for naming in map.into_iter().map_while(Result::ok) {
                            names.funcs.insert(naming.index, naming.name.to_string());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        names
    }
}

/// One wasm function on the stack of a trap.
#[derive(Clone)]
pub struct FrameInfo {
    module: Arc<ModuleInner>,
    func_index: u32,
}

impl FrameInfo {
    /// The frame of whatever function of `module` holds code record
    /// `offset`; `None` if no defined function does.
    pub(crate) fn at(module: &Arc<ModuleInner>, offset: u32) -> Option<FrameInfo> {
        let defined = module.defined.partition_point(|f| f.entry <= offset);
        let defined = u32::try_from(defined.checked_sub(1)?).ok()?;
        Some(FrameInfo {
            module: module.clone(),
            func_index: module.num_imported_funcs + defined,
        })
    }

    /// The function's index in its module (imports counted).
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name from the `name` section, if it has one.
    pub fn func_name(&self) -> Option<&str> {
        self.module
            .names()
            .funcs
            .get(&self.func_index)
            .map(String::as_str)
    }

    /// The module's name from the `name` section, if it has one.
    pub fn module_name(&self) -> Option<&str> {
        self.module.names().module.as_deref()
    }
}

/// `module!function`, spelt as wasmtime spells its backtrace frames:
/// Rust names demangled (see `demangle`), others as stored.
impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.module_name().unwrap_or("<unknown>"))?;
        match self.func_name() {
            Some(name) => match crate::demangle::demangle(name) {
                Some(readable) => write!(f, "!{readable}"),
                None => write!(f, "!{name}"),
            },
            None => write!(f, "!<wasm function {}>", self.func_index),
        }
    }
}

impl fmt::Debug for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FrameInfo({self})")
    }
}
