//! `wit-vs-reference`: a `wit-smith` package set through compono and
//! through the reference (`wit-component`'s printer and encoder): the same
//! WIT text, and encodings that decode to the same packages.

use arbitrary::Unstructured;

use crate::generate::{self, Features, compono_text, reference_text};
use crate::{Finding, no_panic, validate};

pub struct Outcome {
    pub packages: usize,
}

pub fn run(data: &[u8]) -> Result<Outcome, Finding> {
    let mut u = Unstructured::new(data);
    let Some(generated) = generate::package(&mut u, Features::All) else {
        return Ok(Outcome { packages: 0 });
    };
    let (resolve, package) = (&generated.resolve, generated.package);
    let theirs = reference_text(resolve, package).map_err(|e| format!("reference print: {e}"))?;
    let ours = no_panic("print", || compono_text(resolve, package))?
        .map_err(|e| format!("compono cannot print what the reference prints: {e}\n\n{theirs}"))?;
    if ours != theirs {
        return Err(Finding(format!(
            "printed WIT differs (- reference, + compono):\n{}",
            generate::diff(&theirs, &ours)
        )));
    }

    let our_wasm = no_panic("encode_package", || {
        compono_wit::encode_package(resolve, package)
    })?
    .map_err(|e| format!("compono cannot encode what the reference encodes: {e}\n\n{theirs}"))?;
    validate(&our_wasm).map_err(|e| format!("our encoding does not validate: {e}\n\n{theirs}"))?;
    let their_wasm = wit_component::encode(resolve, package, false)
        .map_err(|e| format!("reference encode: {e:#}"))?;
    // `COMPONO_FUZZ_DUMP=DIR` keeps both encodings, for replaying a finding.
    if let Some(dir) = std::env::var_os("COMPONO_FUZZ_DUMP") {
        let dir = std::path::Path::new(&dir);
        let _ = std::fs::write(dir.join("compono.wasm"), &our_wasm);
        let _ = std::fs::write(dir.join("reference.wasm"), &their_wasm);
    }
    let decode = |wasm: &[u8]| match wit_parser::decoding::decode(wasm) {
        Ok(wit_parser::decoding::DecodedWasm::WitPackage(r, p)) => Ok((r, p)),
        Ok(_) => Err("decodes as a component".to_string()),
        Err(e) => Err(format!("{e:#}")),
    };
    let (our_resolve, our_pkg) = decode(&our_wasm).map_err(|e| format!("ours: {e}"))?;
    let (their_resolve, their_pkg) = decode(&their_wasm).map_err(|e| format!("reference: {e}"))?;
    let ours = reference_text(&our_resolve, our_pkg)?;
    let theirs = reference_text(&their_resolve, their_pkg)?;
    if ours != theirs {
        return Err(Finding(format!(
            "the encodings decode differently (- reference, + compono):\n{}",
            generate::diff(&theirs, &ours)
        )));
    }
    // The decoded packages themselves, beyond what printing shows.
    let json = |r: &wit_parser::Resolve| serde_json::to_string(r).unwrap_or_default();
    if json(&our_resolve) != json(&their_resolve) {
        return Err(Finding(format!(
            "the encodings decode to different packages (same text):\n{}",
            generate::diff(
                &json(&their_resolve).replace(",", ",\n"),
                &json(&our_resolve).replace(",", ",\n")
            )
        )));
    }
    Ok(Outcome {
        packages: resolve.packages.len(),
    })
}
