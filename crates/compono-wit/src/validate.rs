//! Validating what compono writes: wasmparser with every feature, function
//! bodies spread over the machine's cores. Structure first, then bodies in
//! order of appearance, as `Validator::validate_all` does, so the error
//! reported is the same.

use wasmparser::{
    BinaryReader, BinaryReaderError, FuncToValidate, FuncValidatorAllocations, FunctionBody,
    Parser, Payload, ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// Below this much code, threads cost more than they save.
const PARALLEL_FROM_BYTES: usize = 1 << 20;
const MAX_THREADS: usize = 8;

type Func<'a> = (FuncToValidate<ValidatorResources>, FunctionBody<'a>);

/// Validates a module or component that compono made, with every feature
/// wasmparser knows (as `wasm-tools validate --features all` does): the one
/// check every binary output goes through before it is written. `what`
/// names it in the error ("component", "encoded package").
pub fn validate(bytes: &[u8], what: &'static str) -> Result<(), crate::Error> {
    validate_binary(bytes).map_err(|e| crate::Error::InvalidOutput {
        what,
        offset: e.offset(),
        message: e.message().to_string(),
    })
}

/// `validate`, for a component that embeds core modules whose function
/// bodies the caller has validated already (`validated`, each a whole
/// module checked with `validate_binary`): the bodies of an embedded
/// module whose sections, custom ones aside, are exactly those of one of
/// them are not validated again. A core module's validity does not depend
/// on the component around it, and no custom section affects it, so they
/// are valid there too. Everything else, the embedded modules' own
/// sections included, is validated as by `validate`.
pub fn validate_embedding(
    bytes: &[u8],
    what: &'static str,
    validated: &[&[u8]],
) -> Result<(), crate::Error> {
    validate_skipping(bytes, validated).map_err(|e| crate::Error::InvalidOutput {
        what,
        offset: e.offset(),
        message: e.message().to_string(),
    })
}

/// `validate`, with wasmparser's error.
pub fn validate_binary(bytes: &[u8]) -> Result<(), BinaryReaderError> {
    validate_skipping(bytes, &[])
}

fn validate_skipping(bytes: &[u8], validated: &[&[u8]]) -> Result<(), BinaryReaderError> {
    let validated: Vec<Vec<&[u8]>> = validated.iter().filter_map(|m| sections(m)).collect();
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut parser = Parser::new(0);
    parser.set_features(WasmFeatures::all());
    let mut funcs: Vec<Func<'_>> = Vec::new();
    let mut code_bytes = 0;
    // For each module or component being read, outermost first: whether
    // its bodies were validated already.
    let mut skipping: Vec<bool> = Vec::new();
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        let nested = match &payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => Some(
                !validated.is_empty()
                    && usize::try_from(unchecked_range.start)
                        .ok()
                        .zip(usize::try_from(unchecked_range.end).ok())
                        .and_then(|(start, end)| bytes.get(start..end))
                        .and_then(sections)
                        .is_some_and(|s| validated.contains(&s)),
            ),
            Payload::ComponentSection { .. } => Some(false),
            _ => None,
        };
        match validator.payload(&payload)? {
            ValidPayload::Func(func, body) if skipping.last() != Some(&true) => {
                code_bytes += body.as_bytes().len();
                funcs.push((func, body));
            }
            ValidPayload::End(_) => {
                skipping.pop();
            }
            _ => {}
        }
        skipping.extend(nested);
    }
    // Small binaries (most outputs) do not ask for the parallelism: on Linux
    // that reads the cgroup files, a measurable part of a small `link`.
    let threads = if code_bytes < PARALLEL_FROM_BYTES {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)
    };
    if threads < 2 {
        return validate_bodies(funcs.into_iter().enumerate()).map_err(|(_, e)| e);
    }
    // Round-robin, so each thread gets a share of every part of the code.
    let mut shares: Vec<Vec<(usize, Func<'_>)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, func) in funcs.into_iter().enumerate() {
        if let Some(share) = shares.get_mut(i % threads) {
            share.push((i, func));
        }
    }
    let errors: Vec<(usize, BinaryReaderError)> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || validate_bodies(share.into_iter())))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(result) => result.err(),
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    // The error of the first function in the binary, as sequentially.
    match errors.into_iter().min_by_key(|(i, _)| *i) {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// A module's header and sections, each from its id to its end, custom
/// sections left out; `None` when they cannot be read.
fn sections(module: &[u8]) -> Option<Vec<&[u8]>> {
    let mut reader = BinaryReader::new(module, 0);
    let mut sections = vec![reader.read_bytes(8).ok()?];
    while !reader.eof() {
        let start = reader.current_position();
        let id = reader.read_u8().ok()?;
        let size = reader.read_var_u32().ok()?;
        reader.read_bytes(usize::try_from(size).ok()?).ok()?;
        if id != 0 {
            sections.push(module.get(start..reader.current_position())?);
        }
    }
    Some(sections)
}

fn validate_bodies<'a>(
    funcs: impl Iterator<Item = (usize, Func<'a>)>,
) -> Result<(), (usize, BinaryReaderError)> {
    let mut allocs = FuncValidatorAllocations::default();
    for (i, (func, body)) in funcs {
        let mut validator = func.into_validator(allocs);
        validator.validate(&body).map_err(|e| (i, e))?;
        allocs = validator.into_allocations();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_validate_all() {
        let valid =
            wat::parse_str(r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#)
                .unwrap();
        assert!(validate_binary(&valid).is_ok());
        let invalid = wat::parse_str(r#"(module (func (result i32) i64.const 0))"#).unwrap();
        let ours = validate_binary(&invalid).unwrap_err();
        let Err(theirs) = Validator::new_with_features(WasmFeatures::all()).validate_all(&invalid)
        else {
            panic!("invalid");
        };
        assert_eq!(ours.to_string(), theirs.to_string());
    }

    #[test]
    fn many_functions_in_parallel_report_the_first_error() {
        // Enough code to go parallel; functions 3000 and 5000 are invalid.
        let mut text = String::from("(module");
        for i in 0..6000 {
            let body = if i == 3000 || i == 5000 {
                "i64.const 0".to_string()
            } else {
                "i32.const 1 drop ".repeat(60) + "i32.const 0"
            };
            text.push_str(&format!(" (func (result i32) {body})"));
        }
        text.push(')');
        let module = wat::parse_str(&text).unwrap();
        let ours = validate_binary(&module).unwrap_err();
        let Err(theirs) = Validator::new_with_features(WasmFeatures::all()).validate_all(&module)
        else {
            panic!("invalid");
        };
        assert_eq!(ours.offset(), theirs.offset());
    }

    #[test]
    fn bodies_of_an_embedded_module_validated_whole_are_not_validated_again() {
        // The embedded module's body is invalid, so only a skip passes it.
        let component = wat::parse_str(
            r#"(component (core module (func (result i32) i64.const 0)) (core module))"#,
        )
        .unwrap();
        let module = |text: &str| wat::parse_str(text).unwrap();
        let same = module(r#"(module (func (result i32) i64.const 0))"#);
        // A custom section does not make it another module.
        let mut with_custom = same.clone();
        with_custom.extend([0, 4, 3, b'a', b'b', b'c']);
        let other_type = module(r#"(module (func (result i64) i64.const 0))"#);
        let other_body = module(r#"(module (func (result i32) i64.const 1))"#);

        assert!(validate_embedding(&component, "component", &[&same]).is_ok());
        assert!(validate_embedding(&component, "component", &[&other_type, &with_custom]).is_ok());
        for validated in [vec![], vec![&other_type[..]], vec![&other_body[..]]] {
            let err = validate_embedding(&component, "component", &validated).unwrap_err();
            assert!(err.to_string().contains("type mismatch"), "{err}");
        }
        // Only that module is skipped: an invalid one after it is found.
        let two = wat::parse_str(
            r#"(component (core module (func (result i32) i64.const 0))
                          (core module (func (result f32) i64.const 0)))"#,
        )
        .unwrap();
        assert!(validate_embedding(&two, "component", &[&same]).is_err());
    }
}
