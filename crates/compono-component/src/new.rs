//! `new`: a core module with embedded WIT worlds in, a component out.

use std::collections::HashMap;

use crate::Error;
use crate::adapter::{self, Adapter, MainModule};
use crate::classify::{ClassifyOptions, CoreModule, WorldNames, classify};
use crate::encode::{ComponentInput, encode_component};
use crate::metadata;
use crate::validate::{Made, Sink, unvalidated_to};

/// `compono new` options (wasm-tools' flags).
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// Validate the output with wasmparser (all features).
    pub validate: bool,
    /// Merge imports of semver-compatible versions of an interface.
    pub merge_imports_based_on_semver: bool,
    /// Accept only the standard `cm32p2` names.
    pub reject_legacy_names: bool,
    /// Name the synthesized modules and items.
    pub debug_names: bool,
    /// `OLD=NEW` renames of instance imports.
    pub import_names: Vec<(String, String)>,
    /// Adapters for modules the main module imports from (`--adapt`).
    pub adapters: Vec<Adapter>,
    /// Adapters allocate with `memory.grow` rather than the main module's
    /// realloc.
    pub realloc_via_memory_grow: bool,
    /// Name imported and exported interfaces by their canonical version
    /// (`wasi:cli/exit@0.2`) with the rest as a `version-suffix`.
    pub emit_canonical_names: bool,
}

impl Default for NewOptions {
    fn default() -> Self {
        NewOptions {
            validate: true,
            merge_imports_based_on_semver: true,
            reject_legacy_names: false,
            debug_names: false,
            import_names: Vec::new(),
            adapters: Vec::new(),
            realloc_via_memory_grow: false,
            emit_canonical_names: false,
        }
    }
}

pub(crate) fn empty_world() -> Result<metadata::Bindings, Error> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve
        .push_str("empty.wit", "package root:root;\nworld root {}\n")
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    let world = resolve
        .select_world(&[package], None)
        .map_err(|e| Error::Metadata(format!("{e:#}")))?;
    Ok(metadata::Bindings {
        resolve,
        world,
        encoding: Default::default(),
    })
}

/// Wraps `module` into a component, validated with it as `validate.rs`
/// says (unless `options.validate` is off).
pub fn new(module: &[u8], options: &NewOptions) -> Result<Vec<u8>, Error> {
    new_into(module, options, None)
}

/// `new`, also writing the component to `sink` while it is validated.
pub fn new_into(
    module: &[u8],
    options: &NewOptions,
    sink: Option<Sink<'_>>,
) -> Result<Vec<u8>, Error> {
    let make = || {
        new_unvalidated(module, options).map(|component| Made {
            component,
            included: vec![true],
        })
    };
    if !options.validate {
        return make().and_then(|made| unvalidated_to(made, sink));
    }
    crate::validate::make_valid(
        &[module],
        make,
        |_, e| Error::InvalidModule(format!("{} (at offset {:#x})", e.message(), e.offset())),
        sink,
    )
}

fn new_unvalidated(module: &[u8], options: &NewOptions) -> Result<Vec<u8>, Error> {
    // Without a world the module can still be wrapped, as long as it
    // imports nothing (the errors for its imports say to embed one).
    let bindings = match metadata::read(module)? {
        Some(bindings) => bindings,
        None => empty_world()?,
    };
    let (mut bindings, adapters) = adapter::read_adapters(bindings, &options.adapters)?;
    if options.merge_imports_based_on_semver {
        bindings
            .resolve
            .merge_world_imports_based_on_semver(bindings.world)
            .map_err(|e| {
                Error::Metadata(format!("cannot merge semver-compatible imports: {e:#}"))
            })?;
    }
    crate::plan::check_supported(&bindings.resolve, bindings.world)?;
    let interface_names = compono_wit::InterfaceNames::for_world(
        &bindings.resolve,
        bindings.world,
        options.emit_canonical_names,
    )?;
    // The stripped module is dropped before the component is validated:
    // with large modules, copies dominate peak memory.
    let mut component = {
        let stripped = metadata::strip_and_add_producer(module)?;
        let core = CoreModule::parse(&stripped)?;
        let adapter_names: Vec<String> = adapters.iter().map(|a| a.name.clone()).collect();
        let main_exports = adapter::main_exports(&bindings.resolve, bindings.world, &adapters);
        let classified = classify(
            &WorldNames::new(
                &bindings.resolve,
                bindings.world,
                (!adapters.is_empty()).then_some(&main_exports),
            ),
            &core,
            &ClassifyOptions {
                reject_legacy_names: options.reject_legacy_names,
                adapter_names: &adapter_names,
                is_adapter: false,
                linked_part: false,
            },
        )?;
        let collected = adapter::collect(
            &bindings.resolve,
            bindings.world,
            &MainModule {
                funcs: &core
                    .func_exports()
                    .map(|(name, ty)| (name.to_string(), ty.clone()))
                    .collect(),
                classified: &classified,
            },
            &adapters,
            &adapter::Options {
                realloc_via_memory_grow: options.realloc_via_memory_grow,
                debug_names: options.debug_names,
            },
        )?;
        encode_component(ComponentInput {
            resolve: &bindings.resolve,
            world: bindings.world,
            encoding: bindings.encoding,
            classified: &classified,
            module: &stripped,
            adapters: &collected,
            linked: None,
            renames: options
                .import_names
                .iter()
                .cloned()
                .collect::<HashMap<_, _>>(),
            debug_names: options.debug_names,
            interface_names,
        })?
    };
    // A custom section appended at the end of the component.
    component.extend(crate::producers::processed_by_section(None)?);
    Ok(component)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the bytes, an error and not a panic.
    #[test]
    fn malformed_inputs_are_errors() {
        let world =
            wat::parse_str(r#"(module (func (export "f") (result i32) (i32.const 0)))"#).unwrap();
        let mut resolve = wit_parser::Resolve::default();
        let package = resolve
            .push_str("w.wit", "package t:t; world w { export f: func() -> u32; }")
            .unwrap();
        let w = resolve.select_world(&[package], None).unwrap();
        let embedded = crate::embed(&world, resolve, w, &Default::default()).unwrap();
        let inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\0asm".to_vec(),
            b"not wasm at all".to_vec(),
            wat::parse_str("(component)").unwrap(),
        ];
        // Every truncation of a valid input: some are valid modules (the
        // header alone, or a prefix ending at a section boundary), none may
        // panic.
        for len in 0..embedded.len() {
            let _ = new(&embedded[..len], &NewOptions::default());
        }
        // An invalid function body behind valid metadata.
        let bad_body =
            wat::parse_str(r#"(module (func (export "f") (result i32) (i64.const 0)))"#).unwrap();
        let mut resolve = wit_parser::Resolve::default();
        let package = resolve
            .push_str("w.wit", "package t:t; world w { export f: func() -> u32; }")
            .unwrap();
        let w = resolve.select_world(&[package], None).unwrap();
        let bad = crate::embed(&bad_body, resolve, w, &Default::default()).unwrap();
        for input in &inputs {
            assert!(new(input, &NewOptions::default()).is_err());
        }
        let err = new(&bad, &NewOptions::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidModule(_)), "{err}");
        assert!(new(&embedded, &NewOptions::default()).is_ok());
    }

    /// A large module is validated alongside the making of the component,
    /// whose validation skips its bodies: an invalid body is still the
    /// module's error, and a valid module still makes a valid component.
    #[test]
    fn a_large_module_is_validated_alongside() {
        let mut resolve = wit_parser::Resolve::default();
        let package = resolve
            .push_str("w.wit", "package t:t; world w { export f: func() -> u32; }")
            .unwrap();
        let w = resolve.select_world(&[package], None).unwrap();
        for (body, valid) in [("i32.const 7", true), ("i64.const 0", false)] {
            let text = format!(r#"(module (func (export "f") (result i32) {body}))"#);
            let mut module = wat::parse_str(&text).unwrap();
            let padding = wasm_encoder::CustomSection {
                name: "padding".into(),
                data: vec![0; crate::validate::ALONGSIDE_FROM_BYTES].into(),
            };
            module.push(wasm_encoder::Section::id(&padding));
            wasm_encoder::Encode::encode(&padding, &mut module);
            let module = crate::embed(&module, resolve.clone(), w, &Default::default()).unwrap();
            match new(&module, &NewOptions::default()) {
                Ok(component) => {
                    assert!(valid);
                    compono_wit::validate_binary(&component).unwrap();
                }
                Err(err) => {
                    assert!(!valid, "{err}");
                    assert!(matches!(err, Error::InvalidModule(_)), "{err}");
                }
            }
        }
    }
}
