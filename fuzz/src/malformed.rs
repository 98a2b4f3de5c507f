//! `malformed`: broken modules, components and WIT through the library
//! function behind every CLI entry point that reads a file. Each must
//! return (an error or a result), never panic; libFuzzer's `-timeout` and
//! `-malloc_limit_mb` catch hangs and allocations far beyond the input.
//!
//! The input picks an entry point (its first byte modulo their number; the
//! checked-in seeds start with their entry point's index, so adding an
//! entry point keeps their meaning) and either is the file itself, or a
//! valid module `wasm-smith` generates (with a world embedded or not), or
//! describes mutations of one of those or of a valid seed: truncations,
//! byte flips, huge LEB128 counts and lengths, and repeated slices (deep
//! nesting).

use arbitrary::Unstructured;
use compono_component::{DummyNames, EmbedOptions, FieldChange, MetadataToAdd, NewOptions};
use wit_parser::Resolve;

use crate::{Finding, no_panic};

pub struct Outcome {
    /// Whether the entry point accepted the input.
    pub accepted: bool,
}

/// The entry points, in the order the first input byte picks them.
const ENTRY_POINTS: &[&str] = &[
    "wit (decode wasm)",
    "wit (core module worlds)",
    "component-type payload",
    "new",
    "embed",
    "metadata show",
    "metadata add",
    "wit (text) / embed --dummy / bindgen",
    "link",
];

pub fn run(data: &[u8]) -> Result<Outcome, Finding> {
    let mut u = Unstructured::new(data);
    let entry = usize::from(u.arbitrary::<u8>().unwrap_or(0)) % ENTRY_POINTS.len();
    let input = match u.arbitrary::<u8>().unwrap_or(0) % 8 {
        // The input itself.
        0 | 1 => u.take_rest().to_vec(),
        // A valid module of any shape `wasm-smith` makes, with a world
        // embedded half the time, possibly mutated.
        2 => {
            let Ok(module) = wasm_smith::Module::new(wasm_smith::Config::default(), &mut u) else {
                return Ok(Outcome { accepted: false });
            };
            let mut bytes = module.to_bytes();
            if let Some(path) = std::env::var_os("COMPONO_FUZZ_DUMP") {
                let mut path = std::path::PathBuf::from(path);
                path.set_extension("smith.wasm");
                let _ = std::fs::write(path, &bytes);
            }
            if u.arbitrary().unwrap_or(false) {
                let (resolve, world) = small_world();
                if let Ok(embedded) =
                    compono_component::embed(&bytes, resolve, world, &EmbedOptions::default())
                {
                    bytes = embedded;
                }
            }
            if u.arbitrary().unwrap_or(false) {
                bytes = mutate(bytes, &mut u);
            }
            bytes
        }
        // A mutated seed.
        _ => {
            let seeds = SEEDS.get_or_init(seeds);
            let index = u.choose_index(seeds.len()).unwrap_or(0);
            mutate(seeds.get(index).cloned().unwrap_or_default(), &mut u)
        }
    };
    // For replay: the bytes the entry point gets, to study a finding.
    if let Some(path) = std::env::var_os("COMPONO_FUZZ_DUMP") {
        let _ = std::fs::write(path, &input);
    }
    let name = ENTRY_POINTS.get(entry).copied().unwrap_or_default();
    let accepted = no_panic(name, || entry_point(entry, &input))?;
    Ok(Outcome { accepted })
}

/// Runs entry point `entry` on `input`; whether it accepted it.
fn entry_point(entry: usize, input: &[u8]) -> bool {
    match entry {
        0 => compono_wit::decode(input).is_ok(),
        1 => compono_component::metadata::read(input).is_ok(),
        2 => compono_wit::decode_world_metadata(input).is_ok(),
        3 => compono_component::new(input, &NewOptions::default()).is_ok(),
        4 => {
            let (resolve, world) = small_world();
            compono_component::embed(input, resolve, world, &EmbedOptions::default()).is_ok()
        }
        5 => {
            let json = compono_component::metadata_json(input).is_ok();
            compono_component::read_metadata(input).is_ok() && json
        }
        6 => {
            let add = MetadataToAdd {
                name: FieldChange::Set("m".into()),
                language: vec![("Rust".into(), String::new())],
                licenses: FieldChange::Set("MIT".into()),
                version: FieldChange::Clear,
                ..Default::default()
            };
            compono_component::add_metadata(input, &add).is_ok()
        }
        7 => wit_text(input),
        _ => link(input),
    }
}

/// `compono link` with the input as a library: alone (stubbing what it
/// needs, with the built-in libdl and itself `dlopen`-able), and beside the
/// `five-libraries` fixture's libraries.
fn link(input: &[u8]) -> bool {
    use compono_component::{LinkOptions, link::Library};
    let library = |name: &str, bytes: &[u8], dl_openable| Library {
        name: name.to_string(),
        bytes: bytes.to_vec(),
        dl_openable,
    };
    let alone = LinkOptions {
        stub_missing_functions: true,
        use_built_in_libdl: true,
        ..Default::default()
    };
    let mut with_fixture = vec![library("libapp.so", input, false)];
    for (name, bytes) in FIXTURE_LIBRARIES {
        with_fixture.push(library(name, bytes, false));
    }
    let alone = compono_component::link(&[library("libinput.so", input, true)], &alone).is_ok();
    compono_component::link(&with_fixture, &LinkOptions::default()).is_ok() || alone
}

/// The `five-libraries` link fixture but its `libapp.so` (clang-19
/// `-fPIC -shared` output), which the input stands in for.
const FIXTURE_LIBRARIES: [(&str, &[u8]); 5] = [
    (
        "libstr.so",
        include_bytes!("../../fixtures/link/five-libraries/libstr.so"),
    ),
    (
        "libmath.so",
        include_bytes!("../../fixtures/link/five-libraries/libmath.so"),
    ),
    (
        "libeven.so",
        include_bytes!("../../fixtures/link/five-libraries/libeven.so"),
    ),
    (
        "libodd.so",
        include_bytes!("../../fixtures/link/five-libraries/libodd.so"),
    ),
    (
        "libmem.so",
        include_bytes!("../../fixtures/link/five-libraries/libmem.so"),
    ),
];
const FIXTURE_APP: &[u8] = include_bytes!("../../fixtures/link/five-libraries/libapp.so");
const FIXTURE_WIT: &str = include_str!("../../fixtures/link/five-libraries/world.wit");

/// `compono wit`, `wit --wasm`, `embed --dummy` and `bindgen` on WIT text.
fn wit_text(input: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(input) else {
        return false;
    };
    let mut resolve = Resolve::default();
    let Ok(package) = resolve.push_str("input.wit", text) else {
        return false;
    };
    let _ = compono_wit::print(&resolve, package);
    let _ = compono_wit::encode_package(&resolve, package);
    for (_, &world) in resolve.packages[package].worlds.iter() {
        let _ = compono_wit::encode_world_metadata(&resolve, world, Default::default());
        if let Ok(module) = compono_component::dummy_module(&resolve, world, DummyNames::Legacy) {
            let _ = compono_component::embed(&module, resolve.clone(), world, &Default::default())
                .map(|m| compono_component::new(&m, &NewOptions::default()));
        }
        let _ = compono_bindgen::c::generate(&resolve, world, &Default::default());
        let _ = compono_bindgen::rust::generate(&resolve, world, &Default::default());
        let _ = compono_bindgen::markdown::generate(&resolve, world);
    }
    true
}

fn small_world() -> (Resolve, wit_parser::WorldId) {
    let mut resolve = Resolve::default();
    let world = resolve
        .push_str("w.wit", SEED_WIT)
        .and_then(|p| resolve.select_world(&[p], None));
    match world {
        Ok(world) => (resolve, world),
        Err(e) => panic!("the seed WIT does not parse: {e:#}"),
    }
}

const SEED_WIT: &str = r#"package seed:pkg@1.0.0;
interface types {
  record point { x: s32, y: s32 }
  resource blob {
    constructor(bytes: list<u8>);
    read: func(n: u32) -> result<list<u8>, string>;
    merge: static func(a: borrow<blob>, b: blob) -> blob;
  }
  variant shape { circle(f64), poly(list<point>), none }
  flags perms { read, write, exec }
  enum color { red, green }
}
interface api {
  use types.{point, blob, shape};
  area: func(s: shape) -> f64;
  make: func(p: list<point>, name: option<string>) -> tuple<blob, u64>;
}
world seed {
  import types;
  import log: func(msg: string);
  export api;
  export run: func(args: list<string>) -> result;
}
"#;

static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();

/// Valid inputs to mutate: the seed WIT as text, its encoded package, its
/// world as a `component-type` payload, a placeholder module with the
/// world embedded, the component `new` makes of it, and the link fixture's
/// application library with and without its world.
fn seeds() -> Vec<Vec<u8>> {
    let (resolve, world) = small_world();
    let mut seeds = vec![SEED_WIT.as_bytes().to_vec(), FIXTURE_APP.to_vec()];
    let mut app = Resolve::default();
    if let Ok(world) = app
        .push_str("world.wit", FIXTURE_WIT)
        .and_then(|p| app.select_world(&[p], Some("app")))
        && let Ok(embedded) = compono_component::embed(FIXTURE_APP, app, world, &Default::default())
    {
        seeds.push(embedded);
    }
    if let Some(package) = resolve.worlds[world].package
        && let Ok(wasm) = compono_wit::encode_package(&resolve, package)
    {
        seeds.push(wasm);
    }
    if let Ok(payload) = compono_wit::encode_world_metadata(&resolve, world, Default::default()) {
        seeds.push(payload);
    }
    if let Ok(dummy) = compono_component::dummy_module(&resolve, world, DummyNames::Legacy)
        && let Ok(module) = compono_component::embed(&dummy, resolve, world, &Default::default())
    {
        if let Ok(component) = compono_component::new(&module, &NewOptions::default()) {
            seeds.push(component);
        }
        seeds.push(module);
    }
    seeds
}

/// Applies up to 8 mutations described by `u` to `seed`.
fn mutate(mut bytes: Vec<u8>, u: &mut Unstructured<'_>) -> Vec<u8> {
    let count = u.int_in_range(1..=8u8).unwrap_or(1);
    for _ in 0..count {
        if bytes.is_empty() {
            break;
        }
        let at = u.choose_index(bytes.len()).unwrap_or(0);
        match u.int_in_range(0..=5u8).unwrap_or(0) {
            0 => bytes.truncate(at),
            1 => {
                let bit = u.int_in_range(0..=7u8).unwrap_or(0);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << bit;
                }
            }
            2 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = u.arbitrary().unwrap_or(0xff);
                }
            }
            // A count or length of 2^32 - 1 (or as wide as LEB128 goes).
            3 => {
                let huge: &[u8] = if u.arbitrary().unwrap_or(false) {
                    &[0xff, 0xff, 0xff, 0xff, 0x0f]
                } else {
                    &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
                };
                let end = (at + 1).min(bytes.len());
                bytes.splice(at..end, huge.iter().copied());
            }
            // Repeat a slice: nested sections, types or WIT brackets.
            4 => {
                let len = u.int_in_range(1..=16usize).unwrap_or(1);
                let end = (at + len).min(bytes.len());
                let times = u.int_in_range(1..=256usize).unwrap_or(1);
                let slice = bytes.get(at..end).unwrap_or_default().to_vec();
                let repeated: Vec<u8> = slice
                    .iter()
                    .copied()
                    .cycle()
                    .take(slice.len() * times)
                    .collect();
                bytes.splice(at..at, repeated);
            }
            _ => {
                let len = u.int_in_range(1..=64usize).unwrap_or(1);
                let end = (at + len).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}
