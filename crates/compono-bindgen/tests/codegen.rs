//! Codegen corpus: Rust bindings for every world we can find (the project's
//! WIT fixtures, the runtime and codegen fixtures of bindgen, and the
//! `wasi:cli/command` and `wasi:http/proxy` worlds) in every ownership
//! mode, compiled as ONE crate (a module per world and mode) with
//! `-D warnings` for the host, `wasm32-wasip1` and `wasm32-unknown-unknown`
//! in one cargo invocation. Also checks that generation is deterministic.

use compono_bindgen::rust::{Opts, Ownership};
use compono_bindgen::{Features, load};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use wit_parser::{Resolve, TypeDefKind, WorldId};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Inputs: each is a list of paths pushed in order (dependencies first).
fn inputs() -> Vec<Vec<PathBuf>> {
    let mut inputs = Vec::new();
    for dir in [
        repo().join("fixtures/wit/ok"),
        repo().join("fixtures/bindgen/codegen"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() || p.extension().is_some_and(|e| e == "wit") {
                inputs.push(vec![p]);
            }
        }
    }
    let mut runtime: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures/bindgen/runtime"))
        .expect("runtime fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("world.wit"))
        .filter(|p| p.exists())
        .collect();
    runtime.sort();
    inputs.extend(runtime.into_iter().map(|p| vec![p]));
    let wasi = repo().join("../shared/wit/wasi-0.2.6");
    if wasi.exists() {
        let deps: Vec<PathBuf> = [
            "io",
            "clocks",
            "random",
            "filesystem",
            "sockets",
            "cli",
            "http",
        ]
        .iter()
        .map(|d| wasi.join(d))
        .collect();
        inputs.push(deps);
    }
    inputs
}

/// Whether a world uses something the Rust generator does not support yet
/// (async functions, futures, streams, maps, fixed-length lists).
fn uses_unsupported(resolve: &Resolve, world: WorldId) -> bool {
    let w = &resolve.worlds[world];
    let mut ifaces = Vec::new();
    let mut funcs: Vec<&wit_parser::Function> = Vec::new();
    for item in w.imports.values().chain(w.exports.values()) {
        match item {
            wit_parser::WorldItem::Interface { id, .. } => ifaces.push(*id),
            wit_parser::WorldItem::Function(f) => funcs.push(f),
            wit_parser::WorldItem::Type { .. } => {}
        }
    }
    for i in &ifaces {
        funcs.extend(resolve.interfaces[*i].functions.values());
        for t in resolve.interfaces[*i].types.values() {
            if matches!(
                resolve.types[*t].kind,
                TypeDefKind::Future(_)
                    | TypeDefKind::Stream(_)
                    | TypeDefKind::Map(..)
                    | TypeDefKind::FixedLengthList(..)
            ) {
                return true;
            }
        }
    }
    funcs.iter().any(|f| f.kind.is_async())
}

fn host_triple() -> String {
    let out = compono_testutil::command("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// Modules exercising the generator's options, compiled with the corpus.
fn option_modules(src: &Path, lib: &mut String) {
    let names = repo().join("fixtures/bindgen/codegen/names.wit");
    let loaded = load(&[names], &Features::default()).unwrap();
    let world = compono_bindgen::select_world(&loaded.resolve, &loaded.packages, None).unwrap();
    let mixed = repo().join("fixtures/bindgen/runtime/mixed/world.wit");
    let mixed = load(&[mixed], &Features::default()).unwrap();
    let mixed_world = compono_bindgen::select_world(&mixed.resolve, &mixed.packages, None).unwrap();
    let gen_with = |resolve: &Resolve, world: WorldId, opts: Opts| {
        compono_bindgen::rust::generate_string(resolve, world, &opts).unwrap()
    };

    // `stubs`: a `Stub` implementing every export, exported with `export!`.
    let code = gen_with(
        &loaded.resolve,
        world,
        Opts {
            stubs: true,
            ..Opts::default()
        },
    );
    assert!(code.contains("pub struct Stub;") && code.contains("export!(Stub);"));
    std::fs::write(src.join("opt_stubs.rs"), code).unwrap();
    lib.push_str("pub mod opt_stubs;\n");

    // `skip`, `type_section_suffix`, `runtime_path`.
    let code = gen_with(
        &loaded.resolve,
        world,
        Opts {
            skip: vec!["ping".into()],
            type_section_suffix: Some("-suffixed".into()),
            runtime_path: Some("crate::my_rt".into()),
            ..Opts::default()
        },
    );
    assert!(!code.contains("fn ping("), "skip left `ping` in");
    assert!(
        code.contains(":names-suffixed\""),
        "type section suffix missing"
    );
    assert!(code.contains("use crate::my_rt as _rt;"));
    std::fs::write(src.join("opt_skip.rs"), code).unwrap();
    lib.push_str("pub mod opt_skip;\npub mod my_rt {\n    pub use compono_guest::rt::*;\n}\n");

    // `with`: `test:names/type` comes from the stubs module's bindings;
    // everything else is generated (`generate_all`).
    let code = gen_with(
        &loaded.resolve,
        world,
        Opts {
            with: vec![(
                "test:names/type@1.2.3".into(),
                "crate::opt_stubs::test::names::type_".into(),
            )],
            generate_all: true,
            ..Opts::default()
        },
    );
    assert!(
        code.contains("crate::opt_stubs::test::names::type_::"),
        "`with` path unused"
    );
    std::fs::write(src.join("opt_with.rs"), code).unwrap();
    lib.push_str("pub mod opt_with;\n");
    let without_generate_all = compono_bindgen::rust::generate_string(
        &loaded.resolve,
        world,
        &Opts {
            with: vec![("test:names/type".into(), "crate::x".into())],
            ..Opts::default()
        },
    );
    assert!(
        without_generate_all.is_err(),
        "`with` without `generate_all` must name the unmapped interfaces"
    );

    // `additional_derives` on types that can have them.
    let code = gen_with(
        &mixed.resolve,
        mixed_world,
        Opts {
            additional_derives: vec!["PartialEq".into()],
            ..Opts::default()
        },
    );
    assert!(code.contains("#[derive(Clone, Debug, PartialEq)]"));
    std::fs::write(src.join("opt_derives.rs"), code).unwrap();
    lib.push_str("pub mod opt_derives;\npub fn _derives_compare(a: &opt_derives::test::mixed::types::Entry) -> bool {\n    a == a\n}\n");
}

#[test]
fn corpus_compiles_for_every_target_and_ownership_mode() {
    let modes = [
        ("owning", Ownership::Owning),
        (
            "borrowing",
            Ownership::Borrowing {
                duplicate_if_necessary: false,
            },
        ),
        (
            "borrowing_dup",
            Ownership::Borrowing {
                duplicate_if_necessary: true,
            },
        ),
    ];
    let crate_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-codegen-corpus");
    let src = crate_dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();
    let mut lib = String::from("#![no_std]\nextern crate alloc;\n");
    let mut failures = Vec::new();
    let mut modules = 0;
    let mut skipped = Vec::new();
    for input in inputs() {
        let loaded = match load(
            &input,
            &Features {
                features: vec![],
                all_features: true,
            },
        ) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{input:?}: {e}"));
                continue;
            }
        };
        let main = *loaded.packages.last().unwrap();
        for (world, _) in loaded.resolve.packages[main]
            .worlds
            .iter()
            .map(|(n, w)| (*w, n))
        {
            let world_name = loaded.resolve.worlds[world].name.clone();
            for (mode_name, ownership) in modes {
                let opts = Opts {
                    ownership,
                    ..Opts::default()
                };
                let code =
                    match compono_bindgen::rust::generate_string(&loaded.resolve, world, &opts) {
                        Ok(code) => code,
                        Err(e) => {
                            if uses_unsupported(&loaded.resolve, world) {
                                skipped.push(format!("{world_name}: {e}"));
                            } else {
                                failures.push(format!(
                                    "{input:?} world `{world_name}` ({mode_name}): {e}"
                                ));
                            }
                            continue;
                        }
                    };
                let again =
                    compono_bindgen::rust::generate_string(&loaded.resolve, world, &opts).unwrap();
                assert_eq!(
                    code, again,
                    "generation is not deterministic for `{world_name}`"
                );
                modules += 1;
                let module = format!(
                    "m{modules}_{}_{mode_name}",
                    world_name.replace('-', "_").to_lowercase()
                );
                std::fs::write(src.join(format!("{module}.rs")), code).unwrap();
                let _ = writeln!(lib, "pub mod {module};");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "generation failed:\n{}",
        failures.join("\n")
    );
    assert!(modules > 0);
    option_modules(&src, &mut lib);
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    let guest = repo().join("crates/compono-guest");
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"codegen-corpus\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ncompono-guest = {{ path = {:?} }}\n\n[workspace]\n",
            guest.display().to_string()
        ),
    )
    .unwrap();
    let host = host_triple();
    let output = compono_testutil::cargo(&compono_testutil::target_dir!("bindgen-codegen-corpus"))
        .current_dir(&crate_dir)
        .env("RUSTFLAGS", "-D warnings")
        .args([
            "check",
            "--quiet",
            "--target",
            &host,
            "--target",
            "wasm32-wasip1",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the corpus ({modules} modules) does not compile:\n{}",
        stderr.lines().take(80).collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{modules} world modules compiled for 3 targets; skipped (unsupported features): {skipped:?}"
    );
}

/// `generate!` reports WIT errors at the macro call with wit-parser's
/// message, and its expansion makes rustc rebuild when the WIT changes.
#[test]
fn macro_reports_wit_errors_and_tracks_wit_files() {
    let crate_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-macro-check");
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::create_dir_all(crate_dir.join("wit")).unwrap();
    let guest = repo().join("crates/compono-guest");
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"macro-check\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ncompono-guest = {{ path = {:?} }}\n\n[workspace]\n",
            guest.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        crate_dir.join("src/lib.rs"),
        "compono_guest::generate!({ path: \"wit/w.wit\", additional_derives: [PartialEq], generate_all, });\n\npub fn check(p: m::point::point::Point) -> bool {\n    p == p\n}\n\npub mod inline {\n    compono_guest::generate!({ inline: \"package a:b;\\nworld v { import f: func() -> u32; }\" });\n    pub fn g() -> fn() -> u32 {\n        f\n    }\n}\n",
    )
    .unwrap();
    let good = "package m:point;\n\ninterface point {\n  record point { x: u32 }\n}\n\nworld w {\n  import point;\n}\n";
    let bad = "package m:point;\n\ninterface point {\n  record point { x: u32 }\n  f: func(a: missing-type);\n}\n\nworld w {\n  import point;\n}\n";
    let target_dir = compono_testutil::target_dir!("bindgen-macro-check");
    let check = || {
        compono_testutil::cargo(&target_dir)
            .current_dir(&crate_dir)
            .args(["check", "--quiet"])
            .output()
            .expect("run cargo")
    };
    std::fs::write(crate_dir.join("wit/w.wit"), good).unwrap();
    let o = check();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Only the WIT changes: the build must notice and fail.
    std::fs::write(crate_dir.join("wit/w.wit"), bad).unwrap();
    let o = check();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "changing the WIT did not rebuild");
    assert!(err.contains("missing-type"), "{err}");
    assert!(err.contains("w.wit:5"), "{err}");
    assert!(
        err.contains("src/lib.rs:1"),
        "error should point at the macro call: {err}"
    );
    std::fs::write(crate_dir.join("wit/w.wit"), good).unwrap();
}

/// The C corpus: every world, UTF-8 and UTF-16, compiled with
/// `clang-19 --target=wasm32-wasi -Wall -Wextra -Werror -c`.
#[test]
fn c_corpus_compiles_with_clang() {
    use compono_bindgen::c::{Opts as COpts, StringEncoding};
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindgen-c-corpus");
    let _ = std::fs::remove_dir_all(&out);
    let mut failures = Vec::new();
    let mut compiled = 0;
    for input in inputs() {
        let loaded = load(
            &input,
            &Features {
                features: vec![],
                all_features: true,
            },
        )
        .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let main = *loaded.packages.last().unwrap();
        for world in loaded.resolve.packages[main].worlds.values() {
            let name = loaded.resolve.worlds[*world].name.clone();
            for (enc_name, encoding) in [
                ("utf8", StringEncoding::Utf8),
                ("utf16", StringEncoding::Utf16),
            ] {
                let opts = COpts {
                    string_encoding: encoding,
                    ..COpts::default()
                };
                let files = match compono_bindgen::c::generate(&loaded.resolve, *world, &opts) {
                    Ok(f) => f,
                    Err(e) if uses_unsupported(&loaded.resolve, *world) => {
                        eprintln!("skipped {name}: {e}");
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{name} ({enc_name}): {e}"));
                        continue;
                    }
                };
                let again = compono_bindgen::c::generate(&loaded.resolve, *world, &opts).unwrap();
                assert_eq!(
                    files, again,
                    "C generation is not deterministic for `{name}`"
                );
                compiled += 1;
                let dir = out.join(format!("{compiled}-{name}-{enc_name}"));
                std::fs::create_dir_all(&dir).unwrap();
                for (file, bytes) in files.iter() {
                    std::fs::write(dir.join(file), bytes).unwrap();
                }
                let c_file = files
                    .iter()
                    .find(|(f, _)| f.ends_with(".c"))
                    .unwrap()
                    .0
                    .to_string();
                let o = compono_testutil::command("clang-19")
                    .current_dir(&dir)
                    .args([
                        "--target=wasm32-wasi",
                        "-Wall",
                        "-Wextra",
                        "-Werror",
                        "-c",
                        &c_file,
                        "-o",
                        "bindings.o",
                    ])
                    .output()
                    .expect("run clang-19");
                if !o.status.success() {
                    failures.push(format!(
                        "{name} ({enc_name}):\n{}",
                        String::from_utf8_lossy(&o.stderr)
                            .lines()
                            .take(20)
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "C bindings failed:\n{}",
        failures.join("\n\n")
    );
    assert!(compiled > 0);
    eprintln!("{compiled} C bindings compiled");
}
