//! `compono metadata show|add FILE`: the name and producers sections of a
//! module or component (and of the modules and components inside it).

use crate::io::{Validation, read_input, write_output, write_wasm};
use anyhow::{Context, Result, bail};
use compono_component::{ItemMetadata, MetadataToAdd};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Args {
    /// Print the name and producers of every module and component in FILE.
    Show {
        #[arg(default_value = "-")]
        input: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add a name or producers entries to the outermost module or component.
    Add {
        #[arg(default_value = "-")]
        input: PathBuf,
        /// Where to write the result; stdout by default.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// The module's or component's name.
        #[arg(long)]
        name: Option<String>,
        /// A source language, `NAME[=VERSION]`.
        #[arg(long, value_name = "NAME[=VERSION]")]
        language: Vec<String>,
        /// A tool that processed the binary, `NAME[=VERSION]`.
        #[arg(long, value_name = "NAME[=VERSION]")]
        processed_by: Vec<String>,
        /// An SDK used to produce the binary, `NAME[=VERSION]`.
        #[arg(long, value_name = "NAME[=VERSION]")]
        sdk: Vec<String>,
        /// Write the output even if it does not validate.
        #[arg(long)]
        skip_validation: bool,
    },
}

impl Args {
    pub fn run(self) -> Result<()> {
        match self {
            Args::Show { input, json } => {
                let bytes = wasm_bytes(&input)?;
                let items = compono_component::read_metadata(&bytes)
                    .with_context(|| format!("failed to read `{}`", input.display()))?;
                let text = if json {
                    to_json(&items)
                } else {
                    to_text(&items)
                };
                write_output(&PathBuf::from("-"), text.as_bytes())
            }
            Args::Add {
                input,
                output,
                name,
                language,
                processed_by,
                sdk,
                skip_validation,
            } => {
                let bytes = wasm_bytes(&input)?;
                let add = MetadataToAdd {
                    name,
                    language: pairs(&language),
                    processed_by: pairs(&processed_by),
                    sdk: pairs(&sdk),
                };
                let out = compono_component::add_metadata(&bytes, &add)
                    .with_context(|| format!("failed to update `{}`", input.display()))?;
                let validation = if skip_validation {
                    Validation::Skip
                } else {
                    Validation::Check
                };
                write_wasm(&output, &out, false, validation, "module or component")
            }
        }
    }
}

fn wasm_bytes(input: &Path) -> Result<Vec<u8>> {
    let bytes = read_input(input)?;
    let bytes = wat::parse_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("failed to parse `{}`", input.display()))?;
    if !bytes.starts_with(b"\0asm") {
        bail!("`{}` is not a wasm module or component", input.display());
    }
    Ok(bytes.into_owned())
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
    }
    text
}

fn to_json(items: &[ItemMetadata]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            let producers: serde_json::Map<String, serde_json::Value> = item
                .producers
                .iter()
                .map(|(field, values)| {
                    let values = values
                        .iter()
                        .map(|(n, v)| (n.clone(), serde_json::Value::from(v.clone())))
                        .collect::<serde_json::Map<_, _>>();
                    (field.clone(), values.into())
                })
                .collect();
            serde_json::json!({
                "kind": if item.is_component { "component" } else { "module" },
                "depth": item.depth,
                "name": item.name,
                "producers": producers,
                "range": [item.range.start, item.range.end],
            })
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&items).unwrap_or_default()
    )
}
