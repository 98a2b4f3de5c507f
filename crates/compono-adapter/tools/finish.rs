//! Turning what rustc and wasm-ld produce for the adapter crate into the
//! adapter: shared by `cargo xtask build-adapter` (which writes it) and the
//! test that checks the checked-in adapters are current (which compares).
//!
//! - The three `compono_adapter_*` placeholder functions get bodies that
//!   read and write two globals added here, `state_ptr` and
//!   `allocation_state`, and their exports go.
//! - `__data_end` and `__heap_base` are not exported (they would describe
//!   the main module's memory, which the adapter only borrows).
//! - The `name` section keeps the global names only (whoever merges the
//!   adapter finds `__stack_pointer` and `allocation_state` by name); the
//!   other custom sections go.
//! - A `component-type` section describes the adapter's world: the WASI
//!   0.2.0 interfaces it imports (from `../shared/wit/wasi-0.2.6`, with
//!   their version set to 0.2.0: every stable item of 0.2.6 was in 0.2.0)
//!   and, for the command, the `wasi:cli/run@0.2.0` export.
//! - What an adapter must not have (a memory of its own, data or element
//!   segments, a start function) is an error.

use std::collections::HashMap;
use std::path::Path;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, ExportKind, ExportSection, Function, FunctionSection,
    GlobalSection, GlobalType, ImportSection, Instruction, Module, NameMap, NameSection,
    TypeSection, ValType,
};
use wasmparser::{ExternalKind, Payload};

/// The finished adapter for `flavour` (`command` or `reactor`) from the
/// linked module `raw`; `wit` is the directory of the WASI 0.2.6 WIT.
pub fn finish(raw: &[u8], flavour: &str, wit: &Path) -> Result<Vec<u8>, String> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let mut funcs = FunctionSection::new();
    let mut globals = GlobalSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    let mut re = RoundtripReencoder;
    let mut placeholders: HashMap<u32, &str> = HashMap::new();
    let mut global_count = 0u32;
    let mut imported_funcs = 0u32;
    let mut next_body = 0u32;
    let mut interfaces: Vec<String> = Vec::new();
    let mut global_names: Vec<(u32, String)> = Vec::new();
    let mut raw_global_names: HashMap<u32, String> = HashMap::new();
    let err = |e: wasmparser::BinaryReaderError| e.to_string();

    // The exports and names first: the placeholders are found by export.
    for payload in wasmparser::Parser::new(0).parse_all(raw) {
        match payload.map_err(err)? {
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(err)?;
                    if export.kind == ExternalKind::Func
                        && export.name.starts_with("compono_adapter_")
                    {
                        placeholders.insert(export.index, export.name);
                    }
                }
            }
            Payload::CustomSection(s) => {
                if let wasmparser::KnownCustom::Name(names) = s.as_known() {
                    for name in names.into_iter().flatten() {
                        if let wasmparser::Name::Global(map) = name {
                            for naming in map.into_iter().flatten() {
                                raw_global_names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if placeholders.len() != 3 {
        return Err(format!(
            "expected 3 placeholder exports, found {}",
            placeholders.len()
        ));
    }

    for payload in wasmparser::Parser::new(0).parse_all(raw) {
        match payload.map_err(err)? {
            Payload::TypeSection(reader) => {
                re.parse_type_section(&mut types, reader)
                    .map_err(|e| e.to_string())?;
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(err)?;
                    if let wasmparser::TypeRef::Func(_) = import.ty {
                        imported_funcs += 1;
                    }
                    if import.module.starts_with("wasi:")
                        && !interfaces.iter().any(|i| i == import.module)
                    {
                        interfaces.push(import.module.to_string());
                    }
                    re.parse_import(&mut imports, import)
                        .map_err(|e| e.to_string())?;
                }
                next_body = imported_funcs;
            }
            Payload::FunctionSection(reader) => {
                re.parse_function_section(&mut funcs, reader)
                    .map_err(|e| e.to_string())?;
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(err)?;
                    re.parse_global(&mut globals, global)
                        .map_err(|e| e.to_string())?;
                    if let Some(name) = raw_global_names.get(&global_count) {
                        global_names.push((global_count, name.clone()));
                    }
                    global_count += 1;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(err)?;
                    if export.name.starts_with("compono_adapter_")
                        || matches!(export.name, "__data_end" | "__heap_base")
                    {
                        continue;
                    }
                    let kind = match export.kind {
                        ExternalKind::Func => ExportKind::Func,
                        other => return Err(format!("unexpected export kind {other:?}")),
                    };
                    exports.export(export.name, kind, export.index);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = next_body;
                next_body += 1;
                let state_ptr = global_count;
                let allocation_state = global_count + 1;
                match placeholders.get(&index).copied() {
                    Some("compono_adapter_get_state_ptr") => {
                        code.function(&body_of(&[Instruction::GlobalGet(state_ptr)]));
                    }
                    Some("compono_adapter_set_state_ptr") => {
                        code.function(&body_of(&[
                            Instruction::LocalGet(0),
                            Instruction::GlobalSet(state_ptr),
                        ]));
                    }
                    Some("compono_adapter_get_allocation_state") => {
                        code.function(&body_of(&[Instruction::GlobalGet(allocation_state)]));
                    }
                    Some(other) => return Err(format!("unknown placeholder `{other}`")),
                    None => re
                        .parse_function_body(&mut code, body)
                        .map_err(|e| e.to_string())?,
                }
            }
            Payload::MemorySection(_) => return Err("the adapter defines a memory".into()),
            Payload::DataSection(_) | Payload::DataCountSection { .. } => {
                return Err("the adapter has data segments (a literal or a static?)".into());
            }
            Payload::ElementSection(_) => {
                return Err("the adapter has element segments (a function pointer?)".into());
            }
            Payload::StartSection { .. } => return Err("the adapter has a start function".into()),
            Payload::TableSection(reader) if reader.count() != 0 => {
                return Err("the adapter defines a table (a function pointer?)".into());
            }
            _ => {}
        }
    }
    for (i, name) in ["state_ptr", "allocation_state"].into_iter().enumerate() {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
        global_names.push((global_count + i as u32, name.to_string()));
    }
    if !global_names.iter().any(|(_, n)| n == "__stack_pointer") {
        return Err("the adapter has no `__stack_pointer` global".into());
    }

    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&funcs);
    module.section(&globals);
    module.section(&exports);
    module.section(&code);
    let mut names = NameSection::new();
    let mut map = NameMap::new();
    for (i, name) in &global_names {
        map.append(*i, name);
    }
    names.globals(&map);
    module.section(&names);
    let world = world_metadata(flavour, &interfaces, wit)?;
    module.section(&CustomSection {
        name: "component-type:compono-adapter".into(),
        data: world.into(),
    });
    Ok(module.finish())
}

fn body_of(instructions: &[Instruction<'_>]) -> Function {
    let mut f = Function::new([]);
    for i in instructions {
        f.instruction(i);
    }
    f.instruction(&Instruction::End);
    f
}

/// The packages the adapter's interfaces come from, dependencies first,
/// with the files each is read from (worlds that reach beyond these
/// packages are left out).
const PACKAGES: &[(&str, &[&str])] = &[
    ("io", &["error.wit", "poll.wit", "streams.wit"]),
    ("clocks", &["monotonic-clock.wit", "wall-clock.wit"]),
    ("random", &["random.wit"]),
    ("filesystem", &["types.wit", "preopens.wit"]),
    (
        "cli",
        &[
            "environment.wit",
            "exit.wit",
            "run.wit",
            "stdio.wit",
            "terminal.wit",
        ],
    ),
];

/// The `component-type` payload of the adapter's world.
fn world_metadata(flavour: &str, interfaces: &[String], wit: &Path) -> Result<Vec<u8>, String> {
    let mut resolve = wit_parser::Resolve::default();
    for (package, files) in PACKAGES {
        let mut sources = wit_parser::SourceMap::new();
        sources.push_str(
            &format!("{package}/package.wit"),
            format!("package wasi:{package}@0.2.0;\n"),
        );
        for file in *files {
            let path = wit.join(package).join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            sources.push_str(
                &format!("{package}/{file}"),
                text.replace("@0.2.6", "@0.2.0"),
            );
        }
        let group = sources.parse().map_err(|(_, e)| format!("{e:#}"))?;
        resolve.push_group(group).map_err(|e| format!("{e:#}"))?;
    }
    let mut text = format!("package compono:wasi-preview1-adapter;\nworld {flavour} {{\n");
    for interface in interfaces {
        text.push_str(&format!("  import {interface};\n"));
    }
    if flavour == "command" {
        text.push_str("  export wasi:cli/run@0.2.0;\n");
    }
    text.push_str("}\n");
    let package = resolve
        .push_str("adapter.wit", &text)
        .map_err(|e| format!("{e:#}"))?;
    let world = resolve
        .select_world(&[package], Some(flavour))
        .map_err(|e| format!("{e:#}"))?;
    compono_wit::encode_world_metadata(&resolve, world, compono_wit::StringEncoding::Utf8)
        .map_err(|e| e.to_string())
}
