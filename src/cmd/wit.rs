//! `compono wit PATH`: load WIT from text, a directory, an encoded package or
//! a component, then print it, encode it or dump it as JSON.

use crate::io::{Validation, read_input, write_output, write_wasm};
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

    /// Write the package encoded in the component binary format.
    #[arg(short = 'w', long)]
    wasm: bool,

    /// With `--wasm`, print the component as text instead.
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// Dump the resolved packages as JSON.
    #[arg(short = 'j', long, conflicts_with_all = ["wasm", "wat"])]
    json: bool,

    /// Only the world W: printed as a component of that world sees it,
    /// or with `--wasm` encoded as a `component-type` section payload.
    #[arg(long, value_name = "W")]
    world: Option<String>,

    /// Write one `.wit` file per package into D (dependencies in `D/deps/`).
    #[arg(long, value_name = "D", conflicts_with_all = ["wasm", "wat", "json", "output"])]
    out_dir: Option<PathBuf>,

    /// Where to write the output; stdout by default.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Enable these `@unstable` features (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "F")]
    features: Vec<String>,

    /// Enable every `@unstable` feature.
    #[arg(long)]
    all_features: bool,

    /// Leave doc comments out of printed WIT.
    #[arg(long)]
    no_docs: bool,

    /// With `--wasm`, write the encoding even if it does not validate.
    #[arg(long)]
    skip_validation: bool,
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
        if let Some(world) = &self.world {
            let id = loaded
                .resolve
                .select_world(&[loaded.package], Some(world))
                .with_context(|| format!("no world `{world}` in `{}`", self.input.display()))?;
            let metadata = compono_wit::encode_world_metadata(
                &loaded.resolve,
                id,
                compono_wit::StringEncoding::Utf8,
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
        let _ = loaded.world;

        if self.json {
            let json = serde_json::to_string_pretty(&loaded.resolve)?;
            return self.emit(format!("{json}\n").as_bytes());
        }
        if self.wasm || self.wat {
            let bytes = compono_wit::encode_package(&loaded.resolve, loaded.package)
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

    fn load(&self) -> Result<Loaded> {
        let mut resolve = Resolve {
            all_features: self.all_features,
            ..Resolve::default()
        };
        for feature in &self.features {
            resolve.features.insert(feature.clone());
        }
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
        if bytes.starts_with(b"\0asm") {
            return load_wasm(&bytes)
                .with_context(|| format!("failed to decode WIT from `{}`", self.input.display()));
        }
        let text = String::from_utf8(bytes).with_context(|| {
            format!(
                "`{}` is neither wasm nor UTF-8 WIT text",
                self.input.display()
            )
        })?;
        let name = if self.input == Path::new("-") {
            PathBuf::from("<stdin>")
        } else {
            self.input.clone()
        };
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

    fn emit_wasm(&self, bytes: Vec<u8>, what: &'static str) -> Result<()> {
        if !self.wat
            && self.output.is_none()
            && std::io::IsTerminal::is_terminal(&std::io::stdout())
        {
            bail!("refusing to write binary wasm to a terminal: pass `-o FILE` or `-t`");
        }
        let validation = if self.skip_validation {
            Validation::Skip
        } else {
            Validation::Check
        };
        let out = self.output.as_deref().unwrap_or(Path::new("-"));
        write_wasm(out, &bytes, self.wat, validation, what)
    }

    fn emit(&self, bytes: &[u8]) -> Result<()> {
        let out = self.output.as_deref().unwrap_or(Path::new("-"));
        write_output(out, bytes)
    }
}

/// Decodes an encoded WIT package, a component, or a core module carrying
/// `component-type` sections.
fn load_wasm(bytes: &[u8]) -> Result<Loaded> {
    let is_core_module = bytes.len() >= 8 && bytes[4..8] == [1, 0, 0, 0];
    if is_core_module {
        let (resolve, world) = compono_wit::decode_module_worlds(bytes)?;
        let package = resolve.worlds[world]
            .package
            .context("decoded world has no package")?;
        return Ok(Loaded {
            resolve,
            package,
            world: Some(world),
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
    for (id, package) in resolve.packages.iter() {
        let text = compono_wit::print_with(resolve, id, &[], options)?;
        let same_name = resolve
            .packages
            .iter()
            .filter(|(_, p)| p.name.name == package.name.name)
            .count();
        let stem = if same_name == 1 {
            package.name.name.clone()
        } else {
            let mut stem = format!("{}-{}", package.name.namespace, package.name.name);
            if let Some(v) = &package.name.version {
                stem.push_str(&format!("-{v}"));
            }
            stem
        };
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

/// wit-parser's errors carry spans into the resolve's source map; render
/// them as `file:line:col` with the source line.
fn rendered(resolve: &Resolve, err: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!(resolve.render_error(&err))
}
