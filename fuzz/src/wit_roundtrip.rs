//! `wit-roundtrip`: a `wit-smith` package set through compono alone.
//! Printed, parsed and printed again gives the same text; encoded
//! (`wit --wasm`), the binary validates and decodes to the same text.

use arbitrary::Unstructured;
use wit_parser::Resolve;

use crate::generate::{self, Features, compono_text};
use crate::{Finding, no_panic, validate};

pub struct Outcome {
    pub packages: usize,
}

pub fn run(data: &[u8]) -> Result<Outcome, Finding> {
    let mut u = Unstructured::new(data);
    let Some(generated) = generate::package(&mut u, Features::All) else {
        return Ok(Outcome { packages: 0 });
    };
    // compono's own decoder entry point, as `compono wit FILE.wasm` uses it.
    let decoded = no_panic("compono_wit::decode", || {
        compono_wit::decode(&generated.wasm)
    })?
    .map_err(|e| format!("compono_wit::decode refuses wit-smith output: {e}"))?;
    let wit_parser::decoding::DecodedWasm::WitPackage(resolve, package) = decoded else {
        return Err(Finding("a package decodes as a component".into()));
    };
    let text = no_panic("print", || compono_text(&resolve, package))?
        .map_err(|e| format!("cannot print: {e}"))?;

    // Text: parse what we printed, print again.
    let mut reparsed = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    let again = match reparsed.push_str("printed.wit", &text) {
        Ok(again) => again,
        Err(e) => {
            // Decoding can give an item stability that the text form does
            // not allow back (a world's `use` of a type `@since` a version
            // later than the world's package); the reference prints the
            // same text then, and it does not parse back either.
            if generate::reference_text(&resolve, package).as_deref() == Ok(text.as_str()) {
                return Ok(Outcome { packages: 0 });
            }
            return Err(Finding(format!(
                "our printed WIT does not parse: {e:#}\n\n{text}"
            )));
        }
    };
    let _ = again;
    // Package by package: independent packages may come back in another
    // order (wit-parser's topological sort of a parsed file breaks ties its
    // own way), which is not a difference in any package.
    let by_package = |resolve: &Resolve| -> Result<Vec<(String, String)>, Finding> {
        let mut texts = Vec::new();
        for (id, pkg) in resolve.packages.iter() {
            let text = no_panic("print", || {
                compono_wit::print_with(resolve, id, &[], Default::default())
            })?
            .map_err(|e| format!("cannot print `{}`: {e}", pkg.name))?;
            texts.push((pkg.name.to_string(), text));
        }
        texts.sort();
        Ok(texts)
    };
    let join = |texts: Vec<(String, String)>| {
        texts
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (text, text2) = (join(by_package(&resolve)?), join(by_package(&reparsed)?));
    if text != text2 {
        return Err(Finding(format!(
            "print → parse → print changes the text:\n{}",
            generate::diff(&text, &text2)
        )));
    }

    // Binary: encode, validate, decode, print.
    let wasm = no_panic("encode_package", || {
        compono_wit::encode_package(&resolve, package)
    })?
    .map_err(|e| format!("cannot encode: {e}\n\n{text}"))?;
    validate(&wasm).map_err(|e| format!("the encoded package does not validate: {e}\n\n{text}"))?;
    let wit_parser::decoding::DecodedWasm::WitPackage(decoded, decoded_pkg) =
        compono_wit::decode(&wasm).map_err(|e| format!("our encoding does not decode: {e}"))?
    else {
        return Err(Finding("our encoded package decodes as a component".into()));
    };
    let _ = decoded_pkg;
    let text3 = join(by_package(&decoded)?);
    if text != text3 {
        return Err(Finding(format!(
            "encode → decode changes the text:\n{}",
            generate::diff(&text, &text3)
        )));
    }
    Ok(Outcome {
        packages: resolve.packages.len(),
    })
}
