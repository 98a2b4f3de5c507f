//! `bindgen-c`: C bindings for every world of a `wit-smith` package. Per
//! input, generation must not panic and must be deterministic; compiling
//! is a batch job (`compile`), run over a corpus once the fuzzing budget is
//! spent, since one clang run costs more than thousands of generations.

use std::path::Path;

use arbitrary::Unstructured;
use compono_bindgen::c::{Opts, StringEncoding};

use crate::generate::{self, Features};
use crate::{Finding, no_panic};

/// The generated files of each world, named after the world.
pub struct Outcome {
    pub bindings: Vec<(String, compono_bindgen::Files)>,
}

pub fn run(data: &[u8]) -> Result<Outcome, Finding> {
    let mut u = Unstructured::new(data);
    let encoding = if u.arbitrary().unwrap_or(false) {
        StringEncoding::Utf16
    } else {
        StringEncoding::Utf8
    };
    let Some(generated) = generate::package(&mut u, Features::Implemented) else {
        return Ok(Outcome {
            bindings: Vec::new(),
        });
    };
    let resolve = &generated.resolve;
    let opts = Opts {
        string_encoding: encoding,
        ..Opts::default()
    };
    let mut bindings = Vec::new();
    for (name, &world) in resolve.packages[generated.package].worlds.iter() {
        let files = no_panic("bindgen c", || {
            compono_bindgen::c::generate(resolve, world, &opts)
        })?;
        let files = match files {
            Ok(files) => files,
            // Refusing with a clear error is fine: the worlds it may refuse
            // (async) are what `new` refuses too.
            Err(compono_bindgen::Error::Unsupported { .. }) => continue,
            Err(e) => return Err(Finding(format!("bindgen c on world `{name}`: {e}"))),
        };
        let again = compono_bindgen::c::generate(resolve, world, &opts)
            .map_err(|e| format!("second run fails: {e}"))?;
        if again != files {
            return Err(Finding(format!(
                "bindgen c on world `{name}` is not deterministic"
            )));
        }
        bindings.push((name.clone(), files));
    }
    Ok(Outcome { bindings })
}

/// Compiles the generated `.c` files of `inputs` with `clang-19
/// --target=wasm32-wasi -Wall -Wextra -Werror -c` in `dir`; returns how
/// many compiled, and the failures.
pub fn compile(inputs: &[Vec<u8>], dir: &Path) -> Result<(usize, Vec<String>), String> {
    let mut compiled = 0;
    let mut failures = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let outcome = run(input).map_err(|f| f.0)?;
        for (world, files) in outcome.bindings {
            let case = dir.join(format!("{i}-{world}"));
            std::fs::create_dir_all(&case).map_err(|e| e.to_string())?;
            for (name, bytes) in files.iter() {
                std::fs::write(case.join(name), bytes).map_err(|e| e.to_string())?;
            }
            let Some((c_file, _)) = files.iter().find(|(n, _)| n.ends_with(".c")) else {
                failures.push(format!("{}: no .c file generated", case.display()));
                continue;
            };
            let output = compono_testutil::command("clang-19")
                .current_dir(&case)
                .args(["--target=wasm32-wasi", "-Wall", "-Wextra", "-Werror", "-c"])
                .arg(c_file)
                .args(["-o", "bindings.o"])
                .output()
                .map_err(|e| format!("cannot run clang-19: {e}"))?;
            if output.status.success() {
                compiled += 1;
                let _ = std::fs::remove_dir_all(&case);
            } else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                failures.push(format!(
                    "{} does not compile:\n{}",
                    case.display(),
                    stderr.lines().take(15).collect::<Vec<_>>().join("\n")
                ));
            }
        }
    }
    Ok((compiled, failures))
}
