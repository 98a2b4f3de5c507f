//! `compono validate FILE`: wasmparser's validator, with wasm-tools'
//! `--features` spelling and its default feature set.

use crate::io::{DwarfArgs, display_name, read_wasm};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use wasmparser::WasmFeatures;

#[derive(clap::Args)]
pub struct Args {
    /// A core module or component, binary or text; `-` reads stdin.
    #[arg(default_value = "-")]
    input: PathBuf,

    #[command(flatten)]
    dwarf: DwarfArgs,

    /// Comma-separated WebAssembly features to enable; `-NAME` disables
    /// one. `all`, `-all`, and the presets `mvp`, `wasm1`, `wasm2`, `wasm3`
    /// and `lime1` work too. The default is every proposal at phase 4 or
    /// later.
    #[arg(short, long, value_name = "FEATURES", value_parser = parse_features)]
    features: Option<WasmFeatures>,

    /// Also validate the contents of the `name` and `component-name`
    /// custom sections.
    #[arg(long)]
    validate_custom: bool,
}

impl Args {
    pub fn run(self) -> Result<()> {
        let bytes = read_wasm(&self.input, &self.dwarf)?;
        let name = display_name(&self.input);
        let features = self.features.unwrap_or_default();
        wasmparser::Validator::new_with_features(features)
            .validate_all(&bytes)
            .with_context(|| format!("`{name}` is not valid"))?;
        if self.validate_custom {
            validate_custom_sections(&bytes).with_context(|| format!("`{name}` is not valid"))?;
        }
        Ok(())
    }
}

/// `--features` as wasm-tools reads it: left to right over the default
/// set, each entry enabling (or with `-`, disabling) a feature or a preset.
fn parse_features(arg: &str) -> Result<WasmFeatures> {
    let presets = [
        ("mvp", WasmFeatures::MVP),
        ("wasm1", WasmFeatures::WASM1),
        ("wasm2", WasmFeatures::WASM2),
        ("wasm3", WasmFeatures::WASM3),
        ("lime1", WasmFeatures::LIME1),
        ("all", WasmFeatures::all()),
    ];
    let mut features = WasmFeatures::default();
    for part in arg.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (enable, name) = match part.strip_prefix('-') {
            Some(name) => (false, name),
            None => (true, part),
        };
        // A preset replaces the set when enabled ("exactly wasm2"), and
        // removes its features when disabled.
        if let Some((_, preset)) = presets.iter().find(|(n, _)| *n == name) {
            if enable {
                features = *preset;
            } else {
                features.remove(*preset);
            }
            continue;
        }
        let flag = WasmFeatures::all()
            .iter_names()
            .find(|(flag_name, _)| flag_name.to_lowercase().replace('_', "-") == name)
            .map(|(_, flag)| flag);
        let Some(flag) = flag else {
            let mut valid: Vec<String> = WasmFeatures::all()
                .iter_names()
                .map(|(n, _)| n.to_lowercase().replace('_', "-"))
                .collect();
            valid.extend(presets.iter().map(|(n, _)| n.to_string()));
            bail!(
                "unknown feature `{name}`\nValid features: {}",
                valid.join(", ")
            );
        };
        features.set(flag, enable);
    }
    Ok(features)
}

/// Reads every entry of the `name` and `component-name` sections, which
/// validation proper skips.
fn validate_custom_sections(bytes: &[u8]) -> Result<()> {
    use wasmparser::{BinaryReader, ComponentNameSectionReader, NameSectionReader, Payload};
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Payload::CustomSection(section) = payload? else {
            continue;
        };
        let reader = || BinaryReader::new(section.data(), section.data_offset());
        match section.name() {
            "name" => {
                for name in NameSectionReader::new(reader()) {
                    read_name_subsection(name?)?;
                }
            }
            "component-name" => {
                for name in ComponentNameSectionReader::new(reader()) {
                    read_component_name_subsection(name?)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_name_subsection(name: wasmparser::Name<'_>) -> Result<()> {
    use wasmparser::Name;
    match name {
        Name::Module { .. } => {}
        Name::Function(map)
        | Name::Type(map)
        | Name::Table(map)
        | Name::Memory(map)
        | Name::Global(map)
        | Name::Element(map)
        | Name::Data(map)
        | Name::Tag(map) => {
            for naming in map {
                naming?;
            }
        }
        Name::Local(indirect)
        | Name::Label(indirect)
        | Name::Field(indirect)
        | Name::Parameter(indirect)
        | Name::TagParameter(indirect) => {
            for names in indirect {
                for naming in names?.names {
                    naming?;
                }
            }
        }
        Name::Unknown { .. } => {}
    }
    Ok(())
}

fn read_component_name_subsection(name: wasmparser::ComponentName<'_>) -> Result<()> {
    use wasmparser::ComponentName;
    match name {
        ComponentName::Component { .. } | ComponentName::Unknown { .. } => {}
        ComponentName::CoreFuncs(map)
        | ComponentName::CoreGlobals(map)
        | ComponentName::CoreMemories(map)
        | ComponentName::CoreTables(map)
        | ComponentName::CoreTags(map)
        | ComponentName::CoreModules(map)
        | ComponentName::CoreInstances(map)
        | ComponentName::CoreTypes(map)
        | ComponentName::Types(map)
        | ComponentName::Instances(map)
        | ComponentName::Components(map)
        | ComponentName::Funcs(map)
        | ComponentName::Values(map) => {
            for naming in map {
                naming?;
            }
        }
    }
    Ok(())
}
