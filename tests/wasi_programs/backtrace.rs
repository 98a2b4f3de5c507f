//! A trap's backtrace, compared with wasmtime's.
//!
//! wasmtime names a frame by its module and a byte offset in the component
//! binary, and prints the function's name demangled; compono prints the
//! name the `name` section holds. So wasmtime's frames are mapped back,
//! through the component's own core modules, to the function each offset
//! is in and that function's name as stored, which must then be compono's
//! frame for frame.

use wasmparser::{Name, NameSectionReader, Parser, Payload};

/// What one core module of a component says about its functions.
struct CoreModule {
    name: Option<String>,
    imported_funcs: u32,
    /// Body ranges of the defined functions, as offsets in the component
    /// (which is what wasmtime's offsets are too).
    bodies: Vec<std::ops::Range<u64>>,
    func_names: std::collections::HashMap<u32, String>,
}

fn core_modules(component: &[u8]) -> Vec<CoreModule> {
    let mut modules = Vec::new();
    // A core module's payloads come between its `ModuleSection` and the
    // next `End` (core modules nest nothing).
    let mut current: Option<CoreModule> = None;
    for payload in Parser::new(0).parse_all(component) {
        match payload.expect("a valid component") {
            Payload::ModuleSection { .. } => {
                let module = CoreModule {
                    name: None,
                    imported_funcs: 0,
                    bodies: Vec::new(),
                    func_names: Default::default(),
                };
                current = Some(module);
            }
            Payload::ImportSection(reader) => {
                if let Some(m) = &mut current {
                    for import in reader.into_imports() {
                        if matches!(import.unwrap().ty, wasmparser::TypeRef::Func(_)) {
                            m.imported_funcs += 1;
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                if let Some(m) = &mut current {
                    m.bodies.push(body.range());
                }
            }
            Payload::CustomSection(reader) if reader.name() == "name" => {
                if let Some(m) = &mut current {
                    let data = wasmparser::BinaryReader::new(reader.data(), 0);
                    for name in NameSectionReader::new(data) {
                        match name.unwrap() {
                            Name::Module { name, .. } => m.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map {
                                    let naming = naming.unwrap();
                                    m.func_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Payload::End(_) => {
                if let Some(m) = current.take() {
                    modules.push(m);
                }
            }
            _ => {}
        }
    }
    modules
}

/// wasmtime's frames (`N: 0xOFFSET - MODULE!FUNCTION`), renamed to the
/// stored name of the function at each offset.
pub fn wasmtime_frames(component: &[u8], message: &str) -> Result<Vec<String>, String> {
    let modules = core_modules(component);
    let mut frames = Vec::new();
    for line in message.lines() {
        let Some((number, rest)) = line.trim().split_once(": ") else {
            continue;
        };
        if number.parse::<u32>().is_err() {
            continue;
        }
        let Some((offset, frame)) = rest.trim().split_once(" - ") else {
            continue;
        };
        let offset = u64::from_str_radix(offset.trim_start_matches("0x"), 16)
            .map_err(|_| format!("no offset in wasmtime's frame `{line}`"))?;
        let (module_name, _) = frame
            .split_once('!')
            .ok_or_else(|| format!("no module in wasmtime's frame `{line}`"))?;
        let module = modules
            .iter()
            .find(|m| m.name.as_deref().unwrap_or("<unknown>") == module_name)
            .ok_or_else(|| format!("no core module named `{module_name}`"))?;
        let defined = module
            .bodies
            .iter()
            .position(|b| b.contains(&offset))
            .ok_or_else(|| format!("offset {offset:#x} is in no function of `{module_name}`"))?;
        let index = module.imported_funcs + defined as u32;
        let name = module
            .func_names
            .get(&index)
            .cloned()
            .unwrap_or_else(|| format!("<wasm function {index}>"));
        frames.push(format!("{module_name}!{name}"));
    }
    Ok(frames)
}

/// compono's frames, from its trap report.
pub fn compono_frames(report: &str) -> Vec<String> {
    report
        .lines()
        .skip_while(|l| *l != "wasm backtrace:")
        .skip(1)
        .filter_map(|l| l.trim().split_once(": ").map(|(_, f)| f.to_string()))
        .collect()
}
