//! A placeholder core module for a world: every import the world's
//! bindings would make and every export they would define. The world's
//! functions and `cabi_realloc` trap; `_initialize`, post-returns and
//! destructors do nothing, so a component made from the placeholder
//! instantiates. Useful to test tooling without a real guest.

use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, ImportSection, Instruction,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function as WitFunction, LiftLowerAbi, ManglingAndAbi, Resolve, ResourceIntrinsic, WasmExport,
    WasmExportKind, WasmImport, WorldId, WorldItem,
};

use crate::Error;
use crate::world::{imported_resources, interface_resources, item_funcs};

/// Which core names the placeholder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DummyNames {
    /// `$root`, `ns:pkg/iface`, `[export]ns:pkg/iface`, `cabi_realloc`, ...
    #[default]
    Legacy,
    /// The `cm32p2` names of the standard mangling for 32-bit memories.
    Standard32,
}

impl std::str::FromStr for DummyNames {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "legacy" => Ok(DummyNames::Legacy),
            "standard32" => Ok(DummyNames::Standard32),
            _ => Err(format!(
                "unknown name mangling `{s}` (expected legacy or standard32)"
            )),
        }
    }
}

impl DummyNames {
    pub(crate) fn mangling(self) -> ManglingAndAbi {
        match self {
            DummyNames::Legacy => ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
            DummyNames::Standard32 => ManglingAndAbi::Standard32,
        }
    }
}

/// Core value types of a flattened canonical ABI signature (32-bit memory).
pub(crate) fn core_types(types: &[WasmType]) -> Vec<ValType> {
    types
        .iter()
        .map(|t| match t {
            WasmType::I32 | WasmType::Pointer | WasmType::Length => ValType::I32,
            WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
            WasmType::F32 => ValType::F32,
            WasmType::F64 => ValType::F64,
        })
        .collect()
}

/// What a placeholder function does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Traps: it stands for real work (a world function, an allocation).
    Trap,
    /// Returns: nothing to do (`_initialize`, post-returns, destructors),
    /// and instantiation must succeed.
    Nothing,
}

#[derive(Default)]
struct DummyBuilder {
    types: TypeSection,
    imports: ImportSection,
    funcs: FunctionSection,
    /// Exported functions, indexed among the defined functions only.
    exports: Vec<(String, u32)>,
    code: CodeSection,
    imported_funcs: u32,
    defined_funcs: u32,
}

impl DummyBuilder {
    fn ty(&mut self, params: Vec<ValType>, results: Vec<ValType>) -> u32 {
        self.types.ty().function(params, results);
        self.types.len() - 1
    }

    fn import(
        &mut self,
        (module, field): (String, String),
        params: &[ValType],
        results: &[ValType],
    ) {
        let ty = self.ty(params.to_vec(), results.to_vec());
        self.imports
            .import(&module, &field, wasm_encoder::EntityType::Function(ty));
        self.imported_funcs += 1;
    }

    fn export(&mut self, name: &str, params: &[ValType], results: &[ValType], body: Body) {
        let ty = self.ty(params.to_vec(), results.to_vec());
        self.funcs.function(ty);
        let mut code = Function::new([]);
        if body == Body::Trap {
            code.instruction(&Instruction::Unreachable);
        }
        code.instruction(&Instruction::End);
        self.code.function(&code);
        self.exports.push((name.to_string(), self.defined_funcs));
        self.defined_funcs += 1;
    }
}

/// A placeholder module for `world` using the `names` mangling.
pub fn dummy_module(
    resolve: &Resolve,
    world: WorldId,
    names: DummyNames,
) -> Result<Vec<u8>, Error> {
    let mangling = names.mangling();
    let w = &resolve.worlds[world];
    let mut b = DummyBuilder::default();
    let i32s = |n| vec![ValType::I32; n];

    for (key, item) in w.imports.iter() {
        for (interface, _, func) in item_funcs(resolve, key, item) {
            reject_async(func)?;
            let sig = resolve.wasm_signature(AbiVariant::GuestImport, func);
            let name = resolve.wasm_import_name(mangling, WasmImport::Func { interface, func });
            b.import(name, &core_types(&sig.params), &core_types(&sig.results));
        }
        let (interface, resources) = imported_resources(resolve, key, item);
        for resource in resources {
            let name = resolve.wasm_import_name(
                mangling,
                WasmImport::ResourceIntrinsic {
                    interface,
                    resource,
                    intrinsic: ResourceIntrinsic::ImportedDrop,
                },
            );
            b.import(name, &i32s(1), &[]);
        }
    }
    for (key, item) in w.exports.iter() {
        if let WorldItem::Interface { id, .. } = item {
            for resource in interface_resources(resolve, *id) {
                for (intrinsic, results) in [
                    (ResourceIntrinsic::ExportedNew, 1),
                    (ResourceIntrinsic::ExportedRep, 1),
                    (ResourceIntrinsic::ExportedDrop, 0),
                ] {
                    let name = resolve.wasm_import_name(
                        mangling,
                        WasmImport::ResourceIntrinsic {
                            interface: Some(key),
                            resource,
                            intrinsic,
                        },
                    );
                    b.import(name, &i32s(1), &i32s(results));
                }
            }
        }
    }

    for (key, item) in w.exports.iter() {
        for (interface, _, func) in item_funcs(resolve, key, item) {
            reject_async(func)?;
            let sig = resolve.wasm_signature(AbiVariant::GuestExport, func);
            let export = |kind| WasmExport::Func {
                interface,
                func,
                kind,
            };
            let name = resolve.wasm_export_name(mangling, export(WasmExportKind::Normal));
            b.export(
                &name,
                &core_types(&sig.params),
                &core_types(&sig.results),
                Body::Trap,
            );
            // Every export gets one, whether or not its results are in
            // memory, as in wasm-tools' placeholder.
            let name = resolve.wasm_export_name(mangling, export(WasmExportKind::PostReturn));
            b.export(&name, &core_types(&sig.results), &[], Body::Nothing);
        }
        if let WorldItem::Interface { id, .. } = item {
            for resource in interface_resources(resolve, *id) {
                let name = resolve.wasm_export_name(
                    mangling,
                    WasmExport::ResourceDtor {
                        interface: key,
                        resource,
                    },
                );
                b.export(&name, &i32s(1), &[], Body::Nothing);
            }
        }
    }
    let realloc = resolve.wasm_export_name(mangling, WasmExport::Realloc);
    b.export(&realloc, &i32s(4), &i32s(1), Body::Trap);
    let initialize = resolve.wasm_export_name(mangling, WasmExport::Initialize);
    b.export(&initialize, &[], &[], Body::Nothing);

    // Exported function indices were counted among defined functions only;
    // shift them past the imports.
    let mut exports = ExportSection::new();
    for (name, index) in &b.exports {
        exports.export(name, ExportKind::Func, index + b.imported_funcs);
    }
    let memory_name = resolve.wasm_export_name(mangling, WasmExport::Memory);
    exports.export(&memory_name, ExportKind::Memory, 0);

    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 0,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut module = Module::new();
    module.section(&b.types);
    module.section(&b.imports);
    module.section(&b.funcs);
    module.section(&memories);
    module.section(&exports);
    module.section(&b.code);
    Ok(module.finish())
}

fn reject_async(func: &WitFunction) -> Result<(), Error> {
    if func.kind.is_async() {
        return Err(Error::Unsupported(format!(
            "async function `{}` (the async ABI is not implemented yet)",
            func.name
        )));
    }
    Ok(())
}
