//! `compono bindgen rust|c|markdown WIT...`: guest bindings, written to
//! `--out-dir` (or checked against it with `--check`).

use crate::io::write_output;
use anyhow::{Context, Result, bail};
use compono_bindgen::{Features, Files};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    language: Language,
}

#[derive(clap::Subcommand)]
enum Language {
    /// Rust guest bindings (`<world>.rs`), what `compono_guest::generate!` expands to.
    Rust {
        #[command(flatten)]
        common: Common,
        /// owning, borrowing or borrowing-duplicate-if-necessary.
        #[arg(long, default_value = "owning")]
        ownership: compono_bindgen::rust::Ownership,
        /// `ns:pkg/iface=path::to::module` (or `=generate`): use existing
        /// bindings for an interface.
        #[arg(long, value_name = "IFACE=PATH", value_delimiter = ',')]
        with: Vec<String>,
        /// Generate every interface `--with` does not name.
        #[arg(long)]
        generate_all: bool,
        /// Extra derives on every generated type (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "TRAIT")]
        additional_derives: Vec<String>,
        /// Also emit a `Stub` implementing every export with `unimplemented!()`.
        #[arg(long)]
        stubs: bool,
        /// Leave out these functions (WIT names).
        #[arg(long, value_delimiter = ',', value_name = "NAME")]
        skip: Vec<String>,
        /// Appended to the `component-type` custom section's name.
        #[arg(long, value_name = "S")]
        type_section_suffix: Option<String>,
        /// Where the generated code finds its runtime.
        #[arg(long, value_name = "PATH")]
        runtime_path: Option<String>,
    },
    /// C guest bindings: `<world>.h`, `<world>.c`, `<world>_component_type.o`
    /// (wit-bindgen's C API and options).
    C {
        #[command(flatten)]
        common: Common,
        /// utf8 or utf16.
        #[arg(long, default_value = "utf8")]
        string_encoding: String,
        /// Do not write `<world>_component_type.o`.
        #[arg(long)]
        no_object_file: bool,
        /// `ns:pkg/iface=name`: use `name` instead of the interface's
        /// default C prefix.
        #[arg(long, value_name = "IFACE=NAME")]
        rename: Vec<String>,
        /// The world's name in C names and file names.
        #[arg(long, value_name = "NAME")]
        rename_world: Option<String>,
        /// Appended to the `component-type` custom section's name.
        #[arg(long, value_name = "S")]
        type_section_suffix: Option<String>,
        /// Pass top-level options and results whole: no nullable-pointer
        /// parameters and `bool` returns.
        #[arg(long)]
        no_sig_flattening: bool,
        /// Leave out the helper functions (`_free`, handles, strings).
        #[arg(long)]
        no_helpers: bool,
        /// yes: the bindings drop the borrows an export receives when it
        /// returns; no: the implementation drops them (`_drop_borrow`).
        #[arg(long, default_value = "no", value_name = "yes|no")]
        autodrop_borrows: String,
    },
    /// A Markdown page documenting the world.
    Markdown {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args)]
struct Common {
    /// WIT files or directories (with `deps/`).
    #[arg(required = true)]
    wit: Vec<PathBuf>,
    /// The world to generate for; needed when the WIT has several.
    #[arg(long, short = 'w', value_name = "W")]
    world: Option<String>,
    /// Where to write the files; the current directory by default.
    #[arg(long, value_name = "D", default_value = ".")]
    out_dir: PathBuf,
    /// Write nothing; fail naming the first file that is missing or differs.
    #[arg(long)]
    check: bool,
    /// Enable these `@unstable` features (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "F")]
    features: Vec<String>,
    /// Enable every `@unstable` feature.
    #[arg(long)]
    all_features: bool,
    #[command(flatten)]
    general: crate::io::GeneralArgs,
}

impl Args {
    pub fn run(self) -> Result<()> {
        match self.language {
            Language::Rust {
                common,
                ownership,
                with,
                generate_all,
                additional_derives,
                stubs,
                skip,
                type_section_suffix,
                runtime_path,
            } => {
                let mut pairs = Vec::new();
                for w in with {
                    let Some((k, v)) = w.split_once('=') else {
                        bail!("`--with {w}` is not of the form `ns:pkg/iface=path::to::module`");
                    };
                    pairs.push((k.to_string(), v.to_string()));
                }
                let opts = compono_bindgen::rust::Opts {
                    ownership,
                    with: pairs,
                    generate_all,
                    additional_derives,
                    stubs,
                    skip,
                    type_section_suffix,
                    runtime_path,
                };
                common.run(|resolve, world| compono_bindgen::rust::generate(resolve, world, &opts))
            }
            Language::C {
                common,
                string_encoding,
                no_object_file,
                rename,
                rename_world,
                type_section_suffix,
                no_sig_flattening,
                no_helpers,
                autodrop_borrows,
            } => {
                let encoding = match string_encoding.as_str() {
                    "utf8" => compono_bindgen::c::StringEncoding::Utf8,
                    "utf16" => compono_bindgen::c::StringEncoding::Utf16,
                    "compact-utf16" => bail!(
                        "the C bindings do not support the `compact-utf16` string encoding (use utf8 or utf16)"
                    ),
                    other => bail!("unknown string encoding `{other}` (expected utf8 or utf16)"),
                };
                let autodrop_borrows = match autodrop_borrows.as_str() {
                    "yes" => true,
                    "no" => false,
                    other => bail!("`--autodrop-borrows {other}`: expected yes or no"),
                };
                let mut renames = Vec::new();
                for r in rename {
                    let Some((k, v)) = r.split_once('=') else {
                        bail!("`--rename {r}` is not of the form `ns:pkg/iface=name`");
                    };
                    renames.push((k.to_string(), v.to_string()));
                }
                let opts = compono_bindgen::c::Opts {
                    string_encoding: encoding,
                    no_object_file,
                    rename: renames,
                    rename_world,
                    type_section_suffix,
                    no_sig_flattening,
                    no_helpers,
                    autodrop_borrows,
                };
                common.run(|resolve, world| compono_bindgen::c::generate(resolve, world, &opts))
            }
            Language::Markdown { common } => common.run(compono_bindgen::markdown::generate),
        }
    }
}

impl Common {
    fn run(
        &self,
        generate: impl FnOnce(
            &wit_parser::Resolve,
            wit_parser::WorldId,
        ) -> compono_bindgen::Result<Files>,
    ) -> Result<()> {
        self.general.apply();
        let features = Features {
            features: self.features.clone(),
            all_features: self.all_features,
        };
        let loaded = compono_bindgen::load(&self.wit, &features).with_context(|| {
            format!(
                "failed to load WIT from {}",
                self.wit
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let world =
            compono_bindgen::select_world(&loaded.resolve, &loaded.packages, self.world.as_deref())
                .context("failed to select a world")?;
        let world_name = &loaded.resolve.worlds[world].name;
        let files = generate(&loaded.resolve, world)
            .with_context(|| format!("failed to generate bindings for world `{world_name}`"))?;
        for (name, contents) in files.iter() {
            let path = self.out_dir.join(name);
            if self.check {
                check_file(&path, contents)?;
            } else {
                if !self.out_dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(&self.out_dir).with_context(|| {
                        format!("failed to create `{}`", self.out_dir.display())
                    })?;
                }
                write_output(&path, contents)?;
            }
        }
        Ok(())
    }
}

fn check_file(path: &Path, expected: &[u8]) -> Result<()> {
    match std::fs::read(path) {
        Ok(actual) if actual == expected => Ok(()),
        Ok(_) => bail!(
            "`{}` is out of date: regenerate it without `--check`",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "`{}` is missing: generate it without `--check`",
                path.display()
            )
        }
        Err(e) => Err(e).with_context(|| format!("failed to read `{}`", path.display())),
    }
}
