//! `compono metadata show|add FILE`: the name, producers and annotation
//! sections (`authors`, `licenses`, ...) of a module or component and of
//! the modules and components inside it.

use crate::io::{DwarfArgs, Validation, display_name, read_wasm, write_output, write_wasm};
use anyhow::{Context, Result};
use compono_component::{FieldChange, ItemMetadata, MetadataToAdd};
use std::path::{Path, PathBuf};

use super::Sub;

#[derive(clap::Subcommand)]
#[command(defer = true)]
pub enum Args {
    /// Print the metadata of every module and component in FILE.
    Show(Sub<ShowArgs>),
    /// Change the metadata of the outermost module or component.
    Add(Box<Sub<AddArgs>>),
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// A module or component, binary or text; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    /// Where to write the output; stdout by default.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Print JSON (wasm-tools' shape) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// A module or component, binary or text; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Where to write the result; stdout by default (binary only with `-o`
    /// or when stdout is not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Set the module's or component's name (names section).
    #[arg(long, value_name = "NAME", conflicts_with = "clear_name")]
    name: Option<String>,

    /// Remove the module's or component's name.
    #[arg(long)]
    clear_name: bool,

    /// Add a source language to the producers section, `NAME[=VERSION]`.
    #[arg(long, value_name = "NAME=VERSION")]
    language: Vec<String>,

    /// Add a tool that processed the binary, `NAME[=VERSION]`.
    #[arg(long, value_name = "NAME=VERSION")]
    processed_by: Vec<String>,

    /// Add an SDK used to produce the binary, `NAME[=VERSION]`.
    #[arg(long, value_name = "NAME=VERSION")]
    sdk: Vec<String>,

    #[command(flatten)]
    annotations: Annotations,

    /// Print the result as text.
    #[arg(short = 't', long = "wat")]
    wat: bool,

    /// Write the output even if it does not validate.
    #[arg(long)]
    skip_validation: bool,
}

// The OCI-style annotation sections, each set with `--FIELD VALUE` or
// removed with `--clear-FIELD`.
#[derive(clap::Args)]
struct Annotations {
    /// The people or organization responsible (free text).
    #[arg(long, value_name = "NAME", conflicts_with = "clear_authors")]
    authors: Option<String>,
    /// Remove the authors.
    #[arg(long)]
    clear_authors: bool,
    /// A human-readable description of the binary.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_description")]
    description: Option<String>,
    /// Remove the description.
    #[arg(long)]
    clear_description: bool,
    /// The licenses, as an SPDX license expression.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_licenses")]
    licenses: Option<String>,
    /// Remove the licenses.
    #[arg(long)]
    clear_licenses: bool,
    /// URL of the source code.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_source")]
    source: Option<String>,
    /// Remove the source URL.
    #[arg(long)]
    clear_source: bool,
    /// URL with more information on the binary.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_homepage")]
    homepage: Option<String>,
    /// Remove the homepage.
    #[arg(long)]
    clear_homepage: bool,
    /// Source control revision of the packaged software.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_revision")]
    revision: Option<String>,
    /// Remove the revision.
    #[arg(long)]
    clear_revision: bool,
    /// Version of the packaged software.
    #[arg(long, value_name = "NAME", conflicts_with = "clear_version")]
    version: Option<String>,
    /// Remove the version.
    #[arg(long)]
    clear_version: bool,
}

/// `--FIELD VALUE` / `--clear-FIELD` as one change.
fn change(set: &Option<String>, clear: bool) -> FieldChange {
    match (set, clear) {
        (Some(value), _) => FieldChange::Set(value.clone()),
        (None, true) => FieldChange::Clear,
        (None, false) => FieldChange::Keep,
    }
}

impl Args {
    pub fn run(self) -> Result<()> {
        match self {
            Args::Show(args) => args.take().run(),
            Args::Add(args) => args.take().run(),
        }
    }
}

impl ShowArgs {
    fn run(self) -> Result<()> {
        let bytes = read_wasm(&self.input, &DwarfArgs::default())?;
        let name = display_name(&self.input);
        let text = if self.json {
            compono_component::metadata_json(&bytes)
        } else {
            compono_component::read_metadata(&bytes).map(|items| to_text(&items))
        }
        .with_context(|| format!("failed to read the metadata of `{name}`"))?;
        write_output(
            self.output.as_deref().unwrap_or(Path::new("-")),
            text.as_bytes(),
        )
    }
}

impl AddArgs {
    fn run(self) -> Result<()> {
        let bytes = read_wasm(&self.input, &self.dwarf)?;
        let a = &self.annotations;
        let add = MetadataToAdd {
            name: change(&self.name, self.clear_name),
            language: pairs(&self.language),
            processed_by: pairs(&self.processed_by),
            sdk: pairs(&self.sdk),
            authors: change(&a.authors, a.clear_authors),
            description: change(&a.description, a.clear_description),
            licenses: change(&a.licenses, a.clear_licenses),
            source: change(&a.source, a.clear_source),
            homepage: change(&a.homepage, a.clear_homepage),
            revision: change(&a.revision, a.clear_revision),
            version: change(&a.version, a.clear_version),
        };
        let out = compono_component::add_metadata(&bytes, &add)
            .with_context(|| format!("failed to update `{}`", display_name(&self.input)))?;
        write_wasm(
            self.output.as_deref(),
            &out,
            self.wat,
            Validation::unless_skipped(self.skip_validation),
            "module or component",
        )
    }
}

/// `name=version` (or a bare `name`, version empty) pairs.
fn pairs(values: &[String]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((n, ver)) => (n.to_string(), ver.to_string()),
            None => (v.clone(), String::new()),
        })
        .collect()
}

fn to_text(items: &[ItemMetadata]) -> String {
    let mut text = String::new();
    for item in items {
        let indent = "  ".repeat(item.depth);
        let kind = if item.is_component {
            "component"
        } else {
            "module"
        };
        let name = item.name.as_deref().unwrap_or("<unnamed>");
        text.push_str(&format!(
            "{indent}{kind} {name} (bytes {}..{})\n",
            item.range.start, item.range.end
        ));
        for (field, values) in &item.producers {
            let values: Vec<String> = values
                .iter()
                .map(|(n, v)| {
                    if v.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} {v}")
                    }
                })
                .collect();
            text.push_str(&format!("{indent}  {field}: {}\n", values.join(", ")));
        }
        for (section, value) in &item.annotations {
            text.push_str(&format!("{indent}  {section}: {value}\n"));
        }
    }
    text
}
