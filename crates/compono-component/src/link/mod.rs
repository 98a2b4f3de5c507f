//! `link`: shared-everything dynamic linking. Shared libraries (modules
//! with a `dylink.0` section, as `clang -fPIC -shared` builds them) stay
//! separate core modules inside one component and share one memory and
//! one function table, following the tool-conventions'
//! `DynamicLinking.md` and the component model's
//! `SharedEverythingDynamicLinking.md`.
//!
//! One module per step: `dylink` reads each library, `resolve` binds
//! every imported symbol, `order` picks the libraries the component needs
//! and their instantiation order, `layout` places them in memory and
//! table, `plan` works out every instantiation (with `env`, `init` and
//! `libdl` synthesizing the linker's own modules), and `component` hands
//! the plan to the encoder `new` uses. This file puts the steps together.

mod component;
mod dylink;
mod env;
mod error;
mod init;
mod layout;
mod libdl;
mod order;
mod plan;
mod resolve;

pub use error::{LinkError, MissingLibrary, SymbolKind, SymbolProblem};

use crate::Error;
use crate::classify::CoreModule;
use crate::metadata::{self, Bindings};
use crate::validate::{Made, Sink, unvalidated_to};
use compono_wit::Lookup;
use dylink::LibraryInfo;

/// One shared library to link.
#[derive(Debug, Clone)]
pub struct Library {
    /// The name other libraries' `needed` lists use (usually the file
    /// name, `libfoo.so`).
    pub name: String,
    pub bytes: Vec<u8>,
    /// Whether `dlopen` can find it (`--dl-openable`).
    pub dl_openable: bool,
}

/// `compono link` options (wasm-tools' flags).
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Validate the output with wasmparser (all features).
    pub validate: bool,
    /// Link missing functions to stubs that trap instead of failing.
    pub stub_missing_functions: bool,
    /// Add the built-in `libdl.so` (`dlopen`, `dlsym`, ...).
    pub use_built_in_libdl: bool,
    /// The stack's size in bytes; LLVM's 1 MiB by default.
    pub stack_size: Option<u32>,
    pub merge_imports_based_on_semver: bool,
    pub reject_legacy_names: bool,
    pub debug_names: bool,
    /// Adapter modules, each for the import module name it implements.
    pub adapters: Vec<crate::adapter::Adapter>,
    /// Let adapters allocate with `memory.grow` instead of the libraries'
    /// `cabi_realloc`.
    pub realloc_via_memory_grow: bool,
    /// Name imported and exported interfaces by their canonical version
    /// (`wasi:cli/exit@0.2`) with the rest as a `version-suffix`.
    pub emit_canonical_names: bool,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            validate: true,
            stub_missing_functions: false,
            use_built_in_libdl: false,
            stack_size: None,
            merge_imports_based_on_semver: true,
            reject_legacy_names: false,
            debug_names: false,
            adapters: Vec::new(),
            realloc_via_memory_grow: false,
            emit_canonical_names: false,
        }
    }
}

/// A library, read.
struct Input<'a> {
    name: &'a str,
    bytes: &'a [u8],
    dl_openable: bool,
    /// The library, parsed once for every step.
    core: CoreModule<'a>,
    info: LibraryInfo,
    world: Option<Bindings>,
}

/// Links `libraries` into one component, validated with them as
/// `validate.rs` says (unless `options.validate` is off).
pub fn link(libraries: &[Library], options: &LinkOptions) -> Result<Vec<u8>, Error> {
    link_into(libraries, options, None)
}

/// `link`, also writing the component to `sink` while it is validated.
pub fn link_into(
    libraries: &[Library],
    options: &LinkOptions,
    sink: Option<Sink<'_>>,
) -> Result<Vec<u8>, Error> {
    let make = || link_unvalidated(libraries, options);
    if !options.validate {
        return make().and_then(|made| unvalidated_to(made, sink));
    }
    let inputs: Vec<&[u8]> = libraries.iter().map(|l| l.bytes.as_slice()).collect();
    crate::validate::make_valid(
        &inputs,
        make,
        |i, e| {
            let name = libraries.get(i).map_or("", |l| l.name.as_str());
            in_library(name, Error::InvalidModule(format!("{e:#}")))
        },
        sink,
    )
}

/// The component, not validated yet, and which libraries it includes.
fn link_unvalidated(libraries: &[Library], options: &LinkOptions) -> Result<Made, Error> {
    let built_in = options.use_built_in_libdl.then(libdl::built_in_libdl);
    let mut given: Vec<(&str, &[u8], bool)> = libraries
        .iter()
        .map(|l| (l.name.as_str(), l.bytes.as_slice(), l.dl_openable))
        .collect();
    if let Some(libdl) = &built_in {
        given.push((libdl::BUILT_IN_NAME, libdl, false));
    }
    if libraries.is_empty() {
        return Err(LinkError::NoLibraries.into());
    }
    let mut inputs = Vec::new();
    for (name, bytes, dl_openable) in given {
        if inputs.iter().any(|i: &Input<'_>| i.name == name) {
            return Err(LinkError::DuplicateName {
                name: name.to_string(),
            }
            .into());
        }
        let library = |reason| LinkError::Library {
            library: name.to_string(),
            reason,
        };
        // `CoreModule::parse` names a component as such.
        let core = CoreModule::parse(bytes).map_err(|e| library(e.to_string()))?;
        let info = dylink::read(&core)
            .map_err(library)?
            .ok_or_else(|| LinkError::NotShared {
                library: name.to_string(),
            })?;
        let world = metadata::read_parsed(&core.custom).map_err(|e| in_library(name, e))?;
        inputs.push(Input {
            name,
            bytes,
            dl_openable,
            core,
            info,
            world,
        });
    }
    check_needed(&inputs)?;

    let symbols: Vec<resolve::Input<'_>> = inputs
        .iter()
        .map(|i| resolve::Input {
            name: i.name,
            info: &i.info,
        })
        .collect();
    let resolution =
        resolve::resolve(&symbols, options.stub_missing_functions).map_err(LinkError::Symbols)?;

    let roots: Vec<bool> = inputs
        .iter()
        .map(|i| {
            i.dl_openable
                || i.info.entry.start
                || i.world
                    .as_ref()
                    .is_some_and(|w| !w.resolve.world_at(w.world).exports.is_empty())
        })
        .collect();
    let deps = order::dependencies(&symbols, &resolution);
    let included = order::reachable(&roots, &deps);
    let load_order = order::load_order(&included, &deps);

    let plan = plan::plan(&inputs, &symbols, &resolution, &load_order, options)?;
    let component = component::encode(&inputs, &load_order, plan, &resolution, options)?;
    let mut included = vec![false; libraries.len()];
    for &l in &load_order {
        if let Some(included) = included.get_mut(l) {
            *included = true;
        }
    }
    Ok(Made {
        component,
        included,
    })
}

fn in_library(library: &str, error: Error) -> Error {
    LinkError::InLibrary {
        library: library.to_string(),
        error: Box::new(error),
    }
    .into()
}

/// Every `needed` library must be given.
fn check_needed(inputs: &[Input<'_>]) -> Result<(), LinkError> {
    let mut missing = Vec::new();
    for input in inputs {
        for name in &input.info.needed {
            if !inputs.iter().any(|i| i.name == name) {
                missing.push(MissingLibrary {
                    needed_by: input.name.to_string(),
                    name: name.clone(),
                });
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LinkError::MissingLibraries(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(name: &str, wat: &str, world: Option<&str>) -> Library {
        let mut bytes = wat::parse_str(wat).unwrap();
        if let Some(wit) = world {
            let mut resolve = wit_parser::Resolve::default();
            let package = resolve.push_str("w.wit", wit).unwrap();
            let world = resolve.select_world(&[package], None).unwrap();
            bytes = crate::embed(&bytes, resolve, world, &Default::default()).unwrap();
        }
        Library {
            name: name.to_string(),
            bytes,
            dl_openable: false,
        }
    }

    /// `ping` and `pong` call each other across two libraries.
    fn cycle() -> Vec<Library> {
        vec![
            library(
                "libping.so",
                r#"(module
                    (@dylink.0 (mem-info) (needed "libpong.so"))
                    (import "env" "pong" (func $pong (param i32) (result i32)))
                    (func (export "ping") (param i32) (result i32)
                        local.get 0
                        i32.eqz
                        if (result i32) i32.const 100
                        else local.get 0 i32.const 1 i32.sub call $pong end))"#,
                Some("package t:t; world w { export ping: func(n: u32) -> u32; }"),
            ),
            library(
                "libpong.so",
                r#"(module
                    (@dylink.0 (mem-info) (needed "libping.so"))
                    (import "env" "ping" (func $ping (param i32) (result i32)))
                    (func (export "pong") (param i32) (result i32)
                        local.get 0 call $ping i32.const 1 i32.add))"#,
                None,
            ),
        ]
    }

    #[test]
    fn a_call_cycle_links_through_the_table() {
        let component = link(&cycle(), &LinkOptions::default()).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        // One of the two calls goes through `env`'s table.
        assert!(text.contains("call_indirect"), "{text}");
    }

    #[test]
    fn unused_libraries_are_left_out() {
        let mut libraries = cycle();
        libraries.push(library(
            "libunused.so",
            r#"(module (@dylink.0 (mem-info)) (func (export "unused")))"#,
            None,
        ));
        let component = link(&libraries, &LinkOptions::default()).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        assert!(!text.contains("unused"), "{text}");
    }

    #[test]
    fn malformed_libraries_are_errors_not_panics() {
        let libraries = cycle();
        let good = &libraries[0].bytes;
        // Every truncation: some are valid modules (without the world, or
        // without dylink.0), none may panic.
        for len in 0..good.len() {
            let mut broken = libraries.clone();
            broken[0].bytes.truncate(len);
            let _ = link(&broken, &LinkOptions::default());
        }
        let mut inputs = vec![
            b"not wasm".to_vec(),
            wat::parse_str("(component)").unwrap(),
            // A dylink.0 section whose subsection claims more than there is.
            wat::parse_str(r#"(module (@custom "dylink.0" "\01\ff\ff\ff\ff\0f"))"#).unwrap(),
            // A needed list of 2^32-1 names.
            wat::parse_str(r#"(module (@custom "dylink.0" "\02\05\ff\ff\ff\ff\0f"))"#).unwrap(),
            wat::parse_str(r#"(module (@dylink.0 (mem-info (memory 4294967295 31))))"#).unwrap(),
        ];
        inputs.push(
            wat::parse_str(r#"(module (@dylink.0) (import "env" "memory" (memory 1 2)))"#).unwrap(),
        );
        for bytes in inputs {
            let libraries = vec![Library {
                name: "bad.so".to_string(),
                bytes,
                dl_openable: true,
            }];
            let err = link(&libraries, &LinkOptions::default()).unwrap_err();
            assert!(matches!(err, Error::Link(_)), "{err}");
        }
    }

    #[test]
    fn invalid_function_bodies_are_blamed_on_the_library() {
        // Small libraries are validated before linking, large ones
        // alongside it (a custom section makes this one large); an unused
        // library is checked too.
        for padding in [0, crate::validate::ALONGSIDE_FROM_BYTES] {
            let mut bad = library(
                "libbad.so",
                r#"(module (@dylink.0 (mem-info))
                    (func (export "run") (result i32) i64.const 0))"#,
                Some("package t:t; world w { export run: func() -> u32; }"),
            );
            let mut unused = library(
                "libunused.so",
                r#"(module (@dylink.0 (mem-info)) (func (export "f") (result i32) i64.const 0))"#,
                None,
            );
            let good = library(
                "libgood.so",
                r#"(module (@dylink.0 (mem-info)) (func (export "run") (result i32) i32.const 0))"#,
                Some("package t:t; world w { export run: func() -> u32; }"),
            );
            for lib in [&mut bad, &mut unused] {
                let custom = wasm_encoder::CustomSection {
                    name: "padding".into(),
                    data: vec![0; padding].into(),
                };
                lib.bytes.push(wasm_encoder::Section::id(&custom));
                wasm_encoder::Encode::encode(&custom, &mut lib.bytes);
            }
            for (libraries, blamed) in [
                (vec![bad.clone()], "libbad.so"),
                (vec![good.clone(), unused.clone()], "libunused.so"),
            ] {
                let err = link(&libraries, &LinkOptions::default()).unwrap_err();
                assert!(
                    matches!(&err, Error::Link(LinkError::InLibrary { library, error })
                        if library == blamed && matches!(**error, Error::InvalidModule(_))),
                    "{padding}: {err}"
                );
            }
            // Without validation, the unused library is left out unread.
            let options = LinkOptions {
                validate: false,
                ..Default::default()
            };
            link(&[good, unused], &options).unwrap();
        }
    }

    #[test]
    fn the_built_in_libdl_yields_to_a_given_one() {
        let libraries = vec![library(
            "libapp.so",
            r#"(module (@dylink.0 (mem-info))
                (import "env" "dlopen" (func $dlopen (param i32 i32) (result i32)))
                (func (export "dlopen") (param i32 i32) (result i32) i32.const 7)
                (func (export "run") (result i32) i32.const 0 i32.const 0 call $dlopen))"#,
            Some("package t:t; world w { export run: func() -> u32; }"),
        )];
        let options = LinkOptions {
            use_built_in_libdl: true,
            ..Default::default()
        };
        // No duplicate: the built-in `dlopen` is weak, the given one is
        // first; the built-in libdl is unused, so left out.
        let component = link(&libraries, &options).unwrap();
        let text = wasmprinter::print_bytes(&component).unwrap();
        assert!(!text.contains("dlsym"), "{text}");
    }
}
