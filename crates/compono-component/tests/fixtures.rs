//! One trial per directory under `fixtures/components/`.
//!
//! A case holds `module.wat` and `world.wit` (plus `world2.wit`, embedded
//! second, to test merging), optionally `options.txt` (one option a line:
//! `encoding utf16`, `reject-legacy-names`, `no-semver-merge`,
//! `import-name OLD=NEW`, `debug-names`, `world NAME`), and the expected
//! outcome: `component.wit` (the output's world as `compono wit` prints it)
//! or `error.txt` (the error message). `BLESS=1` rewrites the expected files.
//!
//! When `wasm-tools` is on PATH (required when `CI=true`), the same embedded
//! module goes through `wasm-tools component new`, which must agree on
//! success or failure, and `wasm-tools component wit` of our output must
//! print the expected WIT.

use std::path::{Path, PathBuf};
use std::process::Command;

use compono_component::{EmbedOptions, NewOptions, StringEncoding};
use libtest_mimic::{Arguments, Failed, Trial};
use wit_parser::Resolve;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/components")
}

fn wasm_tools_available() -> bool {
    Command::new("wasm-tools")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct CaseOptions {
    embed: EmbedOptions,
    new: NewOptions,
    world: Option<String>,
}

fn read_options(dir: &Path) -> Result<CaseOptions, Failed> {
    let mut options = CaseOptions {
        embed: EmbedOptions::default(),
        new: NewOptions::default(),
        world: None,
    };
    let Ok(text) = std::fs::read_to_string(dir.join("options.txt")) else {
        return Ok(options);
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "encoding" => {
                options.embed.encoding = value.parse::<StringEncoding>().map_err(Failed::from)?
            }
            "reject-legacy-names" => options.new.reject_legacy_names = true,
            "no-semver-merge" => options.new.merge_imports_based_on_semver = false,
            "debug-names" => options.new.debug_names = true,
            "world" => options.world = Some(value.to_string()),
            "import-name" => {
                let (old, new) = value.split_once('=').ok_or("import-name OLD=NEW")?;
                options.new.import_names.push((old.into(), new.into()));
            }
            other => return Err(format!("unknown option `{other}` in options.txt").into()),
        }
    }
    Ok(options)
}

enum EmbedFailure {
    /// `embed` refused: an expected outcome for some cases.
    Embed(String),
    /// The case itself is broken.
    Case(Failed),
}

impl<E: Into<Failed>> From<E> for EmbedFailure {
    fn from(e: E) -> Self {
        EmbedFailure::Case(e.into())
    }
}

/// `wasm-tools component new` with the case's options.
fn wasm_tools_new_args(options: &CaseOptions) -> Vec<String> {
    let mut args = vec!["component".to_string(), "new".to_string()];
    if options.new.reject_legacy_names {
        args.push("--reject-legacy-names".into());
    }
    if !options.new.merge_imports_based_on_semver {
        args.push("--merge-imports-based-on-semver=false".into());
    }
    for (old, new) in &options.new.import_names {
        args.push(format!("--import-name={old}={new}"));
    }
    args
}

/// The module with the case's world(s) embedded.
fn embedded_module(dir: &Path, options: &CaseOptions) -> Result<Vec<u8>, EmbedFailure> {
    let wat = std::fs::read_to_string(dir.join("module.wat"))?;
    let mut module = wat::parse_str(&wat).map_err(|e| format!("module.wat: {e}"))?;
    for wit in ["world.wit", "world2.wit"] {
        let path = dir.join(wit);
        if !path.exists() {
            continue;
        }
        let mut resolve = Resolve::default();
        let (package, _) = resolve
            .push_path(&path)
            .map_err(|e| format!("{wit}: {e:#}"))?;
        let world = resolve
            .select_world(&[package], options.world.as_deref())
            .map_err(|e| format!("{wit}: {e:#}"))?;
        module = compono_component::embed(&module, resolve, world, &options.embed)
            .map_err(|e| EmbedFailure::Embed(format!("embedding {wit}: {e}")))?;
    }
    Ok(module)
}

/// The world of a component, printed.
fn component_wit(component: &[u8]) -> Result<String, Failed> {
    match wit_parser::decoding::decode(component).map_err(|e| format!("{e:#}"))? {
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => {
            let package = resolve.worlds[world]
                .package
                .ok_or("world without package")?;
            Ok(compono_wit::print(&resolve, package)?)
        }
        _ => Err("the output decodes as a WIT package, not a component".into()),
    }
}

fn check_expected(path: &Path, actual: &str) -> Result<(), Failed> {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, actual)?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1 to create it)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n{}",
            path.display(),
            pretty_assertions::StrComparison::new(&expected, actual)
        )
        .into());
    }
    Ok(())
}

fn run_wasm_tools<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    input: &[u8],
) -> Result<(bool, String), Failed> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("input.wasm");
    std::fs::write(&path, input)?;
    let output = Command::new("wasm-tools").args(args).arg(&path).output()?;
    Ok((
        output.status.success(),
        if output.status.success() {
            String::from_utf8_lossy(&output.stdout).into_owned()
        } else {
            String::from_utf8_lossy(&output.stderr).into_owned()
        },
    ))
}

fn run_case(dir: &Path, interop: bool) -> Result<(), Failed> {
    let options = read_options(dir)?;
    // Embedding can already fail (conflicting worlds); that is the case's
    // outcome then, and there is no module to compare with wasm-tools.
    let (module, result) = match embedded_module(dir, &options) {
        Ok(module) => {
            let result = compono_component::new(&module, &options.new);
            (Some(module), result.map_err(|e| e.to_string()))
        }
        Err(EmbedFailure::Embed(e)) => (None, Err(e)),
        Err(EmbedFailure::Case(e)) => return Err(e),
    };
    let bless = std::env::var_os("BLESS").is_some();
    let expect_error = dir.join("error.txt").exists();
    match result {
        Ok(component) => {
            if expect_error && !bless {
                return Err("expected an error (error.txt), but `new` succeeded".into());
            }
            let _ = std::fs::remove_file(dir.join("error.txt"));
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                .validate_all(&component)
                .map_err(|e| format!("output does not validate: {e}"))?;
            let wit = component_wit(&component)?;
            check_expected(&dir.join("component.wit"), &wit)?;
            if interop {
                let (ok, text) = run_wasm_tools(&["component", "wit"], &component)?;
                if !ok {
                    return Err(format!("wasm-tools component wit failed: {text}").into());
                }
                if text != wit {
                    return Err(format!(
                        "wasm-tools component wit prints differently:\n{}",
                        pretty_assertions::StrComparison::new(&wit, &text)
                    )
                    .into());
                }
                let module = module.as_deref().ok_or("no module")?;
                let (ok, text) = run_wasm_tools(&wasm_tools_new_args(&options), module)?;
                if !ok {
                    return Err(format!(
                        "we accept this module but `wasm-tools component new` rejects it: {text}"
                    )
                    .into());
                }
            }
        }
        Err(error) => {
            if !expect_error && !bless {
                return Err(format!("`new` failed: {error}").into());
            }
            let _ = std::fs::remove_file(dir.join("component.wit"));
            check_expected(&dir.join("error.txt"), &format!("{error}\n"))?;
            if let (true, false, Some(module)) = (
                interop,
                dir.join("wasm-tools-accepts.txt").exists(),
                &module,
            ) {
                let (ok, _) = run_wasm_tools(&wasm_tools_new_args(&options), module)?;
                if ok {
                    return Err(
                        "we reject this module but `wasm-tools component new` accepts \
                                it (explain why in wasm-tools-accepts.txt if intended)"
                            .into(),
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let interop = wasm_tools_available();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut trials = Vec::new();
    if ci && !interop {
        trials.push(Trial::test("wasm-tools-on-path", || {
            Err("CI=true but `wasm-tools` is not on PATH: the interop checks cannot run".into())
        }));
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("module.wat").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        trials.push(Trial::test(name, move || run_case(&dir, interop)));
    }
    libtest_mimic::run(&args, trials).exit();
}
