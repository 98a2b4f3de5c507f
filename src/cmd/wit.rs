//! `compono wit PATH`: load WIT from text, a directory, an encoded package or
//! a component, then print it, encode it or dump it as JSON.

use crate::io::{
    DwarfArgs, Validation, display_name, parse_wasm, read_input, write_output, write_wasm,
};
use anyhow::{Context, Result, bail};
use compono_wit::PrintOptions;
use std::path::{Path, PathBuf};
use wit_parser::{PackageId, Resolve, WorldId};

#[derive(clap::Args)]
pub struct Args {
    /// A `.wit` file, a directory of WIT (with `deps/`), a component or
    /// encoded WIT package, or a core module with `component-type`
    /// sections; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    /// Where to write the output; stdout by default.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Write the package encoded in the component binary format.
    #[arg(short = 'w', long)]
    wasm: bool,

    /// Write the package encoded as a component, in the text format (also
    /// with `--wasm`).
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// Leave doc comments out of printed WIT.
    #[arg(long)]
    no_docs: bool,

    /// Write one `.wit` file per package into D (dependencies in `D/deps/`).
    #[arg(long, value_name = "D", conflicts_with_all = ["wasm", "wat", "json", "output"])]
    out_dir: Option<PathBuf>,

    /// Do not validate the encoding written by `--wasm` and `--wat`.
    #[arg(long)]
    skip_validation: bool,

    /// Dump the resolved packages as JSON.
    #[arg(short = 'j', long, conflicts_with_all = ["wasm", "wat"])]
    json: bool,

    /// Print the world that imports the input component's exports (a
    /// component, or a core module with an embedded world).
    #[arg(long, conflicts_with_all = ["importize_world", "exportize", "exportize_world"])]
    importize: bool,

    /// The name of the world `--importize` or `--importize-world` makes
    /// (`<world>-importized` by default).
    #[arg(long, value_name = "NAME")]
    importize_out_world_name: Option<String>,

    /// Print the world that imports a component of world W of the input
    /// WIT package: W with its exports moved to imports.
    #[arg(long, value_name = "WORLD", conflicts_with_all = ["exportize", "exportize_world"])]
    importize_world: Option<String>,

    /// Print the world that exports what the input component imports.
    #[arg(long, conflicts_with = "exportize_world")]
    exportize: bool,

    /// The name of the world `--exportize` or `--exportize-world` makes
    /// (`<world>-exportized` by default).
    #[arg(long, value_name = "NAME")]
    exportize_out_world_name: Option<String>,

    /// With `--exportize` or `--exportize-world`, move only this import (a
    /// plain name, or an interface's name without its package); repeatable.
    #[arg(long, value_name = "IMPORT")]
    exportize_import: Vec<String>,

    /// Print world W of the input WIT package with its imports moved to
    /// exports.
    #[arg(long, value_name = "WORLD")]
    exportize_world: Option<String>,

    /// Merge the imports of world W that are semver-compatible versions of
    /// one interface, as `compono new` does.
    #[arg(long, value_name = "WORLD")]
    merge_world_imports_based_on_semver: Option<String>,

    /// Give every nominal type of world W its own type id (duplicating
    /// interfaces both imported and exported); shows in `--json`.
    #[arg(long, value_name = "WORLD")]
    generate_nominal_type_ids: Option<String>,

    #[command(flatten)]
    features: FeatureArgs,

    /// Name interfaces by their canonical version (`wasi:cli/exit@0.2`)
    /// with the rest of the version as a `version-suffix` in `--wasm`
    /// output.
    #[arg(long)]
    emit_canonical_names: bool,

    /// Only the world W: printed as a component of that world sees it,
    /// or with `--wasm` encoded as a `component-type` section payload.
    #[arg(long, value_name = "W", conflicts_with_all = [
        "importize", "importize_world", "exportize", "exportize_world", "out_dir",
    ])]
    world: Option<String>,
}

// `--features` and `--all-features`: which `@unstable` items of the WIT
// are visible.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FeatureArgs {
    /// Enable these `@unstable` features (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "FEATURES")]
    features: Vec<String>,

    /// Enable every `@unstable` feature.
    #[arg(long)]
    all_features: bool,
}

impl FeatureArgs {
    /// An empty resolve that parses WIT with these features.
    pub fn resolve(&self) -> Resolve {
        let mut resolve = Resolve {
            all_features: self.all_features,
            ..Resolve::default()
        };
        for feature in &self.features {
            resolve.features.insert(feature.clone());
        }
        resolve
    }
}

/// Loads WIT from a `.wit` file, a directory (with `deps/`) or a WIT
/// package encoded as wasm; WIT errors carry `file:line:col` and the
/// source line.
pub fn load_wit_path(path: &Path, features: &FeatureArgs) -> Result<(Resolve, PackageId)> {
    if path.is_file() {
        let bytes = read_input(path)?;
        if bytes.starts_with(b"\0asm") {
            // Decoded by compono-wit, which turns the decoder's panics on
            // unusual input into errors.
            return match compono_wit::decode(&bytes)
                .with_context(|| format!("failed to decode WIT from `{}`", path.display()))?
            {
                wit_parser::decoding::DecodedWasm::WitPackage(resolve, package) => {
                    Ok((resolve, package))
                }
                wit_parser::decoding::DecodedWasm::Component(..) => bail!(
                    "`{}` is a component, not a WIT package; give its WIT (`compono wit {}`)",
                    path.display(),
                    path.display()
                ),
            };
        }
    }
    let mut resolve = features.resolve();
    let pushed = resolve.push_path(path);
    let (package, _) = pushed
        .map_err(|e| rendered(&resolve, e))
        .with_context(|| format!("failed to resolve WIT in `{}`", path.display()))?;
    Ok((resolve, package))
}

/// A loaded input: the resolve, its main package, and the world a component
/// or core module was built for, when it was one.
struct Loaded {
    resolve: Resolve,
    package: PackageId,
    world: Option<WorldId>,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let mut loaded = self.load()?;
        self.transform(&mut loaded)?;
        if let Some(world) = &self.world {
            let id = loaded
                .resolve
                .select_world(&[loaded.package], Some(world))
                .with_context(|| format!("no world `{world}` in `{}`", self.input.display()))?;
            let names = compono_wit::InterfaceNames::for_world(
                &loaded.resolve,
                id,
                self.emit_canonical_names,
            )?;
            let metadata = compono_wit::encode_world_metadata_with(
                &loaded.resolve,
                id,
                compono_wit::StringEncoding::Utf8,
                names,
            )?;
            if self.wasm || self.wat {
                return self.emit_wasm(metadata, "component-type payload");
            }
            let decoded = compono_wit::decode_world_metadata(&metadata)
                .context("internal error: our world encoding did not decode")?;
            let package = decoded.resolve.worlds[decoded.world]
                .package
                .context("decoded world has no package")?;
            loaded = Loaded {
                resolve: decoded.resolve,
                package,
                world: Some(decoded.world),
            };
        }

        if self.json {
            // No trailing newline, as wasm-tools writes it.
            let json = serde_json::to_string_pretty(&loaded.resolve)?;
            return self.emit(json.as_bytes());
        }
        if self.wasm || self.wat {
            let bytes = compono_wit::encode_package_with(
                &loaded.resolve,
                loaded.package,
                self.interface_names(),
            )
            .with_context(|| format!("failed to encode `{}`", self.input.display()))?;
            return self.emit_wasm(bytes, "encoded package");
        }
        let options = PrintOptions {
            docs: !self.no_docs,
        };
        if let Some(dir) = &self.out_dir {
            return write_out_dir(&loaded.resolve, loaded.package, dir, options);
        }
        let nested: Vec<PackageId> = loaded
            .resolve
            .topological_packages()
            .into_iter()
            .filter(|&p| p != loaded.package)
            .collect();
        let text = compono_wit::print_with(&loaded.resolve, loaded.package, &nested, options)
            .with_context(|| format!("failed to print `{}`", self.input.display()))?;
        self.emit(text.as_bytes())
    }

    /// `--merge-world-imports-based-on-semver`, `--generate-nominal-type-ids`,
    /// then `--importize*` or `--exportize*`, in wasm-tools' order.
    fn transform(&self, loaded: &mut Loaded) -> Result<()> {
        let is_component = loaded.world.is_some();
        let select = |loaded: &Loaded, name: Option<&str>| {
            loaded
                .resolve
                .select_world(&[loaded.package], name)
                .with_context(|| format!("cannot select a world in `{}`", self.input.display()))
        };
        if let Some(name) = &self.merge_world_imports_based_on_semver {
            if is_component {
                bail!(
                    "the `--merge-world-imports-based-on-semver` flag is not compatible with \
                     a component input"
                );
            }
            let world = select(loaded, Some(name))?;
            loaded
                .resolve
                .merge_world_imports_based_on_semver(world)
                .with_context(|| format!("cannot merge the imports of world `{name}`"))?;
        }
        if let Some(name) = &self.generate_nominal_type_ids {
            let world = select(loaded, Some(name))?;
            loaded.resolve.generate_nominal_type_ids(world);
        }
        // The world a flag acts on: the component's own, or one of the
        // package's; a world name goes only with WIT input.
        let target = |loaded: &Loaded, name: &Option<String>, flag: &str| match (loaded.world, name)
        {
            (Some(_), Some(_)) => bail!(
                "the `--{flag}-world` flag is not compatible with a component input, use \
                 `--{flag}` instead"
            ),
            (Some(world), None) => Ok(world),
            (None, name) => select(loaded, name.as_deref()),
        };
        if self.importize || self.importize_world.is_some() {
            let world = target(loaded, &self.importize_world, "importize")?;
            compono_wit::importize(
                &mut loaded.resolve,
                world,
                self.importize_out_world_name.clone(),
            )
            .context("failed to importize the world")?;
        } else if self.exportize || self.exportize_world.is_some() {
            let world = target(loaded, &self.exportize_world, "exportize")?;
            let unmatched = compono_wit::exportize(
                &mut loaded.resolve,
                world,
                self.exportize_out_world_name.clone(),
                &self.exportize_import,
            )
            .context("failed to exportize the world")?;
            for name in unmatched {
                eprintln!("warning: `--exportize-import {name}` names no import of the world");
            }
        }
        Ok(())
    }

    fn load(&self) -> Result<Loaded> {
        let mut resolve = self.features.resolve();
        if self.input.is_dir() {
            let pushed = resolve.push_dir(&self.input);
            let (package, _) = pushed
                .map_err(|e| rendered(&resolve, e))
                .with_context(|| format!("failed to resolve WIT in `{}`", self.input.display()))?;
            return Ok(Loaded {
                resolve,
                package,
                world: None,
            });
        }
        let bytes = read_input(&self.input)?;
        let name = PathBuf::from(display_name(&self.input));
        if bytes.starts_with(b"\0asm") || looks_like_wat(&bytes) {
            let bytes = parse_wasm(&self.input, bytes, &DwarfArgs::default())?;
            return load_wasm(&bytes)
                .with_context(|| format!("failed to decode WIT from `{}`", name.display()));
        }
        let text = String::from_utf8(bytes)
            .with_context(|| format!("`{}` is neither wasm nor UTF-8 WIT text", name.display()))?;
        let pushed = resolve.push_str(&name, &text);
        let package = pushed
            .map_err(|e| rendered(&resolve, e))
            .with_context(|| format!("failed to resolve WIT in `{}`", name.display()))?;
        Ok(Loaded {
            resolve,
            package,
            world: None,
        })
    }

    /// How `--wasm` names interfaces (`--emit-canonical-names`).
    fn interface_names(&self) -> compono_wit::InterfaceNames {
        if self.emit_canonical_names {
            compono_wit::InterfaceNames::Canonical
        } else {
            compono_wit::InterfaceNames::Full
        }
    }

    fn emit_wasm(&self, bytes: Vec<u8>, what: &'static str) -> Result<()> {
        write_wasm(
            self.output.as_deref(),
            &bytes,
            self.wat,
            Validation::unless_skipped(self.skip_validation),
            what,
        )
    }

    fn emit(&self, bytes: &[u8]) -> Result<()> {
        let out = self.output.as_deref().unwrap_or(Path::new("-"));
        write_output(out, bytes)
    }
}

/// Whether WIT input is rather a component in the text format: WIT never
/// starts with `(`.
fn looks_like_wat(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix(";;") {
        rest = after.split_once('\n').map_or("", |(_, a)| a).trim_start();
    }
    rest.starts_with('(')
}

/// Decodes an encoded WIT package, a component, or a core module carrying
/// `component-type` sections.
fn load_wasm(bytes: &[u8]) -> Result<Loaded> {
    let is_core_module = bytes.len() >= 8 && bytes[4..8] == [1, 0, 0, 0];
    if is_core_module {
        let Some(bindings) = compono_component::metadata::read(bytes)? else {
            bail!(
                "the module has no `component-type*` custom sections; embed a world first \
                 (`compono embed WIT MODULE`)"
            );
        };
        let package = bindings.resolve.worlds[bindings.world]
            .package
            .context("decoded world has no package")?;
        return Ok(Loaded {
            resolve: bindings.resolve,
            package,
            world: Some(bindings.world),
        });
    }
    match compono_wit::decode(bytes)? {
        wit_parser::decoding::DecodedWasm::WitPackage(resolve, package) => Ok(Loaded {
            resolve,
            package,
            world: None,
        }),
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => {
            let package = resolve.worlds[world]
                .package
                .context("decoded world has no package")?;
            Ok(Loaded {
                resolve,
                package,
                world: Some(world),
            })
        }
    }
}

/// Writes `main` as `D/<name>.wit` and every other package as
/// `D/deps/<name>.wit`, a layout `compono wit D` reads back.
fn write_out_dir(
    resolve: &Resolve,
    main: PackageId,
    dir: &Path,
    options: PrintOptions,
) -> Result<()> {
    for (id, _) in resolve.packages.iter() {
        let text = compono_wit::print_with(resolve, id, &[], options)?;
        let stem = out_dir_file_stem(resolve, id);
        let folder = if id == main {
            dir.to_path_buf()
        } else {
            dir.join("deps")
        };
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("failed to create `{}`", folder.display()))?;
        let path = folder.join(format!("{stem}.wit"));
        write_output(&path, text.as_bytes())?;
        println!("Writing: {}", path.display());
    }
    Ok(())
}

/// The file name (without `.wit`) of package `id` in `--out-dir`, as
/// wasm-tools names it: the bare name when no other package has it, then
/// `ns:name` when the namespace tells it apart, then `name@version` for
/// versions of one package, and `ns:name@version` when both are needed.
fn out_dir_file_stem(resolve: &Resolve, id: PackageId) -> String {
    let name = &resolve.packages[id].name;
    let same_name = resolve
        .packages
        .iter()
        .filter(|(_, p)| p.name.name == name.name)
        .count();
    let same_package = resolve
        .packages
        .iter()
        .filter(|(_, p)| p.name.name == name.name && p.name.namespace == name.namespace)
        .count();
    let version = name
        .version
        .as_ref()
        .map(|v| format!("@{v}"))
        .unwrap_or_default();
    if same_name == 1 {
        name.name.clone()
    } else if same_package == 1 {
        format!("{}:{}", name.namespace, name.name)
    } else if same_package == same_name {
        format!("{}{version}", name.name)
    } else {
        format!("{}:{}{version}", name.namespace, name.name)
    }
}

/// wit-parser's errors carry spans into the resolve's source map; render
/// them as `file:line:col` with the source line.
fn rendered(resolve: &Resolve, err: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!(resolve.render_error(&err))
}
