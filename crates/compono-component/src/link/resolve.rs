//! Symbol resolution across libraries: which library's definition every
//! imported symbol binds to, which missing functions get trapping stubs,
//! and everything that cannot be linked, collected in one list.
//!
//! A symbol defined by several libraries binds to the first strong
//! definition in command-line order, or to the first weak one when all are
//! weak; two strong definitions are an error. An undefined weak function
//! gets a trapping stub and a null function pointer; undefined weak data
//! has address 0 (the dynamic-linking conventions' undefined weak symbols).

use std::collections::{HashMap, HashSet};

use indexmap::{IndexMap, IndexSet};
use wasmparser::FuncType;

use super::dylink::{Definition, LibraryInfo, Need};
use super::error::{SymbolKind, SymbolProblem};
use crate::classify::display_sig;

/// `GOT.mem` addresses the linker itself defines (the heap and stack
/// bounds), whatever the libraries export.
pub const LINKER_DATA: [&str; 4] = ["__heap_base", "__heap_end", "__stack_high", "__stack_low"];

/// A library as resolution sees it.
pub struct Input<'a> {
    pub name: &'a str,
    pub info: &'a LibraryInfo,
}

/// Where a called function comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FuncProvider {
    Library(usize),
    /// Entry `n` of the stub module, which traps.
    Stub(usize),
}

/// The value of a `GOT.func` import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuncAddress {
    /// A table slot holding this function.
    Of(FuncProvider),
    /// An undefined weak function: the null pointer.
    Null,
}

/// The value of a `GOT.mem` import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataAddress {
    /// Offset `value` in library `library`'s memory, or an absolute
    /// address.
    Of {
        library: usize,
        value: u32,
        absolute: bool,
    },
    /// One of [`LINKER_DATA`].
    Linker,
    /// An undefined weak symbol: address 0.
    Null,
}

/// The outcome of resolution.
pub struct Resolution {
    /// The definition each defined symbol binds to: its library and its
    /// index in that library's symbols.
    pub definitions: HashMap<String, (usize, usize)>,
    /// Functions no library defines, each with a trapping stub of the
    /// type its callers expect.
    pub stubs: IndexSet<(String, FuncType)>,
    /// The stub a pointer to a missing function points to.
    stub_pointers: HashMap<String, usize>,
    /// Undefined weak functions: their pointers are null.
    weak_undefined: HashSet<String>,
}

impl Resolution {
    /// The function a direct call of `name` with type `ty` reaches.
    pub fn func(&self, name: &str, ty: &FuncType) -> Option<FuncProvider> {
        if let Some(&(library, _)) = self.definitions.get(name) {
            return Some(FuncProvider::Library(library));
        }
        self.stubs
            .get_index_of(&(name.to_string(), ty.clone()))
            .map(FuncProvider::Stub)
    }

    pub fn func_address(&self, name: &str) -> Option<FuncAddress> {
        if self.weak_undefined.contains(name) {
            return Some(FuncAddress::Null);
        }
        if let Some(&(library, _)) = self.definitions.get(name) {
            return Some(FuncAddress::Of(FuncProvider::Library(library)));
        }
        self.stub_pointers
            .get(name)
            .map(|&stub| FuncAddress::Of(FuncProvider::Stub(stub)))
    }

    pub fn data_address(&self, libraries: &[Input<'_>], name: &str) -> Option<DataAddress> {
        if LINKER_DATA.contains(&name) {
            return Some(DataAddress::Linker);
        }
        let Some((library, definition)) = definition(libraries, &self.definitions, name) else {
            return Some(DataAddress::Null);
        };
        match *definition {
            Definition::Data {
                value, absolute, ..
            } => Some(DataAddress::Of {
                library,
                value,
                absolute,
            }),
            _ => None,
        }
    }
}

/// The definition `name` binds to: its library and what it is.
fn definition<'a>(
    libraries: &'a [Input<'_>],
    definitions: &HashMap<String, (usize, usize)>,
    name: &str,
) -> Option<(usize, &'a Definition)> {
    let &(library, symbol) = definitions.get(name)?;
    let symbol = libraries.get(library)?.info.symbols.get(symbol)?;
    Some((library, &symbol.definition))
}

fn describe(definition: &Definition) -> String {
    match definition {
        Definition::Func(ty) => format!("a function `{}`", display_sig(ty.params(), ty.results())),
        Definition::Data { tls: true, .. } => "thread-local data".to_string(),
        Definition::Data { .. } => "data".to_string(),
        Definition::OtherGlobal => "a global that is not a data address".to_string(),
    }
}

/// Resolves every symbol import of every library.
pub fn resolve(
    libraries: &[Input<'_>],
    stub_missing_functions: bool,
) -> Result<Resolution, Vec<SymbolProblem>> {
    let mut problems = Vec::new();

    // Definitions: strong before weak, then command-line order.
    let mut candidates: IndexMap<&str, Vec<(usize, usize, bool)>> = IndexMap::new();
    for (index, library) in libraries.iter().enumerate() {
        for (i, symbol) in library.info.symbols.iter().enumerate() {
            candidates
                .entry(symbol.name.as_str())
                .or_default()
                .push((index, i, symbol.weak));
        }
    }
    let mut definitions = HashMap::new();
    for (name, defs) in &candidates {
        let strong: Vec<(usize, usize)> =
            defs.iter().filter(|d| !d.2).map(|d| (d.0, d.1)).collect();
        if strong.len() > 1 {
            problems.push(SymbolProblem::Duplicate {
                symbol: name.to_string(),
                libraries: strong
                    .iter()
                    .map(|&(i, _)| libraries[i].name.to_string())
                    .collect(),
            });
        }
        let chosen = match (strong.first(), defs.first()) {
            (Some(&strong), _) => strong,
            (None, Some(&(library, symbol, _))) => (library, symbol),
            (None, None) => continue,
        };
        definitions.insert(name.to_string(), chosen);
    }

    let mut resolution = Resolution {
        definitions,
        stubs: IndexSet::new(),
        stub_pointers: HashMap::new(),
        weak_undefined: HashSet::new(),
    };
    // Pointers to stubbed functions, given a stub once every call has one.
    let mut stubbed_pointers: Vec<String> = Vec::new();
    let mut reported: HashSet<(usize, &str)> = HashSet::new();
    for (index, library) in libraries.iter().enumerate() {
        let searched = || {
            libraries
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, l)| l.name.to_string())
                .collect::<Vec<_>>()
        };
        for import in &library.info.imports {
            let (name, kind, weak) = match &import.need {
                Need::Func { name, weak, .. } | Need::FuncAddress { name, weak } => {
                    (name.as_str(), SymbolKind::Function, *weak)
                }
                Need::DataAddress { name, weak } => (name.as_str(), SymbolKind::Data, *weak),
                _ => continue,
            };
            if kind == SymbolKind::Data && LINKER_DATA.contains(&name) {
                continue;
            }
            let mut mismatch = |expected: String, exporter: usize, found: &Definition| {
                if reported.insert((index, name)) {
                    problems.push(SymbolProblem::Mismatch {
                        library: library.name.to_string(),
                        symbol: name.to_string(),
                        expected,
                        exporter: libraries[exporter].name.to_string(),
                        found: describe(found),
                    });
                }
            };
            match (
                &import.need,
                definition(libraries, &resolution.definitions, name),
            ) {
                (Need::Func { ty, .. }, Some((exporter, found)))
                    if *found != Definition::Func(ty.clone()) =>
                {
                    let expected =
                        format!("a function `{}`", display_sig(ty.params(), ty.results()));
                    mismatch(expected, exporter, found);
                }
                (Need::FuncAddress { .. }, Some((exporter, found)))
                    if !matches!(found, Definition::Func(_)) =>
                {
                    mismatch("a function pointer".to_string(), exporter, found);
                }
                (Need::DataAddress { .. }, Some((exporter, found))) => match found {
                    Definition::Data { tls: false, .. } => {}
                    Definition::Data { tls: true, .. } => mismatch(
                        "the address of data shared across libraries (thread-local storage \
                         needs threads, which components do not have)"
                            .to_string(),
                        exporter,
                        found,
                    ),
                    _ => mismatch("data".to_string(), exporter, found),
                },
                (need, None) => {
                    let stubbed = weak || stub_missing_functions;
                    if let (Need::Func { ty, .. }, true) = (need, stubbed) {
                        resolution.stubs.insert((name.to_string(), ty.clone()));
                    } else if let (Need::FuncAddress { .. }, true) = (need, weak) {
                        resolution.weak_undefined.insert(name.to_string());
                    } else if let (Need::FuncAddress { .. }, true) = (need, stubbed) {
                        stubbed_pointers.push(name.to_string());
                    } else if weak {
                        // Undefined weak data: address 0.
                    } else if reported.insert((index, name)) {
                        problems.push(SymbolProblem::Unresolved {
                            library: library.name.to_string(),
                            symbol: name.to_string(),
                            kind,
                            searched: searched(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    // A pointer to a missing function points to a stub of a type some
    // caller expects, or of type `(func)` when there is no caller.
    for name in stubbed_pointers {
        if resolution.weak_undefined.contains(&name) || resolution.stub_pointers.contains_key(&name)
        {
            continue;
        }
        let existing = resolution.stubs.iter().position(|(n, _)| *n == name);
        let stub = match existing {
            Some(stub) => stub,
            None => {
                resolution
                    .stubs
                    .insert((name.clone(), FuncType::new([], [])));
                resolution.stubs.len() - 1
            }
        };
        resolution.stub_pointers.insert(name, stub);
    }
    if problems.is_empty() {
        Ok(resolution)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::dylink::{EntryPoints, Import, MemInfo, Symbol};

    fn func_type() -> FuncType {
        FuncType::new([], [wasmparser::ValType::I32])
    }

    fn library(symbols: &[(&str, bool)], imports: Vec<Need>) -> LibraryInfo {
        LibraryInfo {
            mem_info: MemInfo::default(),
            needed: Vec::new(),
            imports: imports
                .into_iter()
                .map(|need| Import {
                    field: String::new(),
                    need,
                })
                .collect(),
            symbols: symbols
                .iter()
                .map(|&(name, weak)| Symbol {
                    name: name.to_string(),
                    definition: Definition::Func(func_type()),
                    weak,
                })
                .collect(),
            entry: EntryPoints::default(),
        }
    }

    fn call(name: &str) -> Need {
        Need::Func {
            name: name.to_string(),
            ty: func_type(),
            weak: false,
        }
    }

    #[test]
    fn strong_beats_weak_in_any_order() {
        let weak = library(&[("f", true)], vec![call("f")]);
        let strong = library(&[("f", false)], vec![]);
        for (first, second, expected) in [(&weak, &strong, 1), (&strong, &weak, 0)] {
            let inputs = [
                Input {
                    name: "a",
                    info: first,
                },
                Input {
                    name: "b",
                    info: second,
                },
            ];
            let resolution = resolve(&inputs, false).unwrap();
            assert_eq!(
                resolution.func("f", &func_type()),
                Some(FuncProvider::Library(expected))
            );
        }
    }

    #[test]
    fn the_first_of_weak_definitions_wins() {
        let a = library(&[("f", true)], vec![]);
        let b = library(&[("f", true)], vec![]);
        let inputs = [
            Input {
                name: "a",
                info: &a,
            },
            Input {
                name: "b",
                info: &b,
            },
        ];
        let resolution = resolve(&inputs, false).unwrap();
        assert_eq!(
            resolution.func_address("f"),
            Some(FuncAddress::Of(FuncProvider::Library(0)))
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let app = library(
            &[("dup", false)],
            vec![
                call("missing"),
                Need::DataAddress {
                    name: "missing_data".to_string(),
                    weak: false,
                },
                Need::Func {
                    name: "other".to_string(),
                    ty: FuncType::new([wasmparser::ValType::I64], []),
                    weak: false,
                },
            ],
        );
        let lib = library(&[("dup", false), ("other", false)], vec![]);
        let inputs = [
            Input {
                name: "app",
                info: &app,
            },
            Input {
                name: "lib",
                info: &lib,
            },
        ];
        let Err(problems) = resolve(&inputs, false) else {
            panic!("resolution should fail");
        };
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(matches!(&problems[0], SymbolProblem::Duplicate { symbol, .. } if symbol == "dup"));
        assert!(
            matches!(&problems[1], SymbolProblem::Unresolved { symbol, kind: SymbolKind::Function, searched, .. }
            if symbol == "missing" && searched == &["lib".to_string()])
        );
        assert!(matches!(
            &problems[2],
            SymbolProblem::Unresolved {
                kind: SymbolKind::Data,
                ..
            }
        ));
        assert!(
            matches!(&problems[3], SymbolProblem::Mismatch { symbol, .. } if symbol == "other")
        );
    }

    #[test]
    fn missing_functions_get_stubs_of_their_callers_type() {
        let app = library(
            &[],
            vec![
                Need::FuncAddress {
                    name: "gone".to_string(),
                    weak: false,
                },
                call("gone"),
            ],
        );
        let inputs = [Input {
            name: "app",
            info: &app,
        }];
        assert!(resolve(&inputs, false).is_err());
        let resolution = resolve(&inputs, true).unwrap();
        assert_eq!(resolution.stubs.len(), 1);
        assert_eq!(
            resolution.func("gone", &func_type()),
            Some(FuncProvider::Stub(0))
        );
        assert_eq!(
            resolution.func_address("gone"),
            Some(FuncAddress::Of(FuncProvider::Stub(0)))
        );
    }

    #[test]
    fn undefined_weak_symbols_are_null() {
        let app = library(
            &[],
            vec![
                Need::FuncAddress {
                    name: "maybe".to_string(),
                    weak: true,
                },
                Need::Func {
                    name: "maybe".to_string(),
                    ty: func_type(),
                    weak: true,
                },
                Need::DataAddress {
                    name: "setting".to_string(),
                    weak: true,
                },
            ],
        );
        let inputs = [Input {
            name: "app",
            info: &app,
        }];
        let resolution = resolve(&inputs, false).unwrap();
        assert_eq!(resolution.func_address("maybe"), Some(FuncAddress::Null));
        assert_eq!(
            resolution.func("maybe", &func_type()),
            Some(FuncProvider::Stub(0))
        );
        assert_eq!(
            resolution.data_address(&inputs, "setting"),
            Some(DataAddress::Null)
        );
    }
}
