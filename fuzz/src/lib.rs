//! The bodies of compono's fuzz targets, as plain library functions.
//!
//! Each target is `fn run(data: &[u8]) -> Result<Outcome, Finding>`: a
//! `Finding` is a bug (the libFuzzer binary in `fuzz_targets/` panics on
//! it, so libFuzzer records and minimises the input); an `Outcome` says
//! what the input exercised, for the statistics the runs report. The same
//! functions run on stable as tests over the checked-in seed corpus
//! (`tests/seeds.rs`), so every target builds and runs without nightly.
//!
//! The oracles (`wit-component`, `wit-parser`'s decoder, `wit-smith`,
//! `wasm-smith`) are dependencies of this crate only, never of compono.

pub mod bindgen_c;
pub mod generate;
pub mod malformed;
pub mod new_vs_reference;
pub mod stats;
pub mod wit_roundtrip;
pub mod wit_vs_reference;

/// A bug found by a target: what differs or failed, with enough context
/// to read without re-running.
#[derive(Debug)]
pub struct Finding(pub String);

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Finding {
    fn from(s: String) -> Self {
        Finding(s)
    }
}

/// A target: one input in, a finding out when the input shows a bug.
pub type Target = fn(&[u8]) -> Result<(), Finding>;

/// Every target by its `cargo xtask fuzz` name, for the seed test and the
/// corpus replay.
pub fn target(name: &str) -> Option<Target> {
    Some(match name {
        "wit-roundtrip" => |d| wit_roundtrip::run(d).map(drop),
        "wit-vs-reference" => |d| wit_vs_reference::run(d).map(drop),
        "new-vs-reference" => |d| new_vs_reference::run(d).map(drop),
        "bindgen-c" => |d| bindgen_c::run(d).map(drop),
        "malformed" => |d| malformed::run(d).map(drop),
        _ => return None,
    })
}

/// The names of every target.
pub const TARGETS: &[&str] = &[
    "wit-roundtrip",
    "wit-vs-reference",
    "new-vs-reference",
    "bindgen-c",
    "malformed",
];

/// Turns a panic in code under test into a finding (libFuzzer would abort
/// on it anyway; this keeps the stable tests' report readable).
pub fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Finding> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("<non-string panic>");
        Finding(format!("{what} panicked: {msg}"))
    })
}

/// Validates with every feature, as users' tools do.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| e.to_string())
}
