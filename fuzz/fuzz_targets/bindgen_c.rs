#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

/// `COMPONO_FUZZ_COMPILE_C=DIR`: also compile each input's C (the batch
/// replay `cargo xtask fuzz bindgen-c` does after fuzzing).
fn compile_dir() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("COMPONO_FUZZ_COMPILE_C").map(PathBuf::from))
        .as_ref()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = compono_fuzz::bindgen_c::run(data) {
        panic!("{finding}");
    }
    if let Some(dir) = compile_dir() {
        match compono_fuzz::bindgen_c::compile(&[data.to_vec()], dir) {
            Ok((_, failures)) if failures.is_empty() => {}
            Ok((_, failures)) => panic!("{}", failures.join("\n\n")),
            Err(e) => panic!("{e}"),
        }
    }
});
