//! Garbage collection of an adapter down to the exports that are needed,
//! and the set-up of its stack.
//!
//! Liveness starts at the required exports and follows every index an
//! instruction or constant expression names (functions, globals, tables,
//! types, the memory), so an import that no live code calls is dropped and
//! the component does not import what would back it.
//!
//! The adapter conventions (shared with wasm-tools, so that any adapter
//! built for it works here):
//! - A mutable i32 global named `__stack_pointer` in the `name` section is
//!   the adapter's stack pointer. Its stack is one 64 KiB page allocated
//!   when the adapter is instantiated (a start function) or, when the
//!   adapter also has an `allocation_state` global and the main module
//!   exports a realloc, lazily on the first call of any export.
//! - `__main_module__::cabi_realloc` is the main module's realloc, renamed
//!   to the one the main module exports; without one (or under
//!   `--realloc-via-memory-grow`) it is replaced by a function that takes
//!   whole pages with `memory.grow`, so an adapter only ever asks it for
//!   64 KiB at a time.

use std::collections::HashMap;

use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, GlobalSection,
    ImportSection, Instruction, Module, NameMap, NameSection, StartSection, TypeSection, ValType,
};
use wasmparser::ExternalKind;

use super::module::{AdapterModule, Def};

const PAGE_SIZE: i32 = 64 * 1024;
const MAIN_MODULE: &str = "__main_module__";

/// How the adapter's allocations are served.
pub struct GcOptions<'a> {
    /// The realloc the main module exports for the adapter, unless the
    /// adapter must use `memory.grow` (no such export, or
    /// `--realloc-via-memory-grow`).
    pub main_realloc: Option<&'a str>,
    /// Keep a `name` section (`--debug-names`).
    pub keep_names: bool,
}

/// The live items, by index in the parsed module.
#[derive(Default)]
struct Live {
    funcs: Vec<bool>,
    globals: Vec<bool>,
    tables: Vec<bool>,
    types: Vec<bool>,
    memory: bool,
}

fn mark(set: &mut Vec<bool>, index: u32) -> bool {
    let i = index as usize;
    if set.len() <= i {
        set.resize(i + 1, false);
    }
    set.get_mut(i)
        .is_some_and(|seen| !std::mem::replace(seen, true))
}

fn is_live(set: &[bool], index: u32) -> bool {
    set.get(index as usize).copied().unwrap_or(false)
}

/// A reencoder that only records the indices it is asked to map.
#[derive(Default)]
struct Recorder {
    funcs: Vec<u32>,
    globals: Vec<u32>,
    tables: Vec<u32>,
    types: Vec<u32>,
    memory: bool,
}

impl Reencode for Recorder {
    type Error = String;
    fn function_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.funcs.push(i);
        Ok(i)
    }
    fn global_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.globals.push(i);
        Ok(i)
    }
    fn table_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.tables.push(i);
        Ok(i)
    }
    fn type_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.types.push(i);
        Ok(i)
    }
    fn memory_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.memory = true;
        Ok(i)
    }
}

fn reencode_err(e: ReencodeError<String>) -> String {
    match e {
        ReencodeError::UserError(e) => e,
        e => e.to_string(),
    }
}

/// The live items reachable from the exports named `required`.
fn liveness(module: &AdapterModule<'_>, required: &[&str]) -> Result<Live, String> {
    let mut live = Live::default();
    let mut work: Vec<u32> = Vec::new();
    let mut globals_work: Vec<u32> = Vec::new();
    for name in required {
        let export = module
            .export(name)
            .ok_or_else(|| format!("it has no export `{name}`"))?;
        match export.kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                if mark(&mut live.funcs, export.index) {
                    work.push(export.index);
                }
            }
            ExternalKind::Global => {
                if mark(&mut live.globals, export.index) {
                    globals_work.push(export.index);
                }
            }
            _ => return Err(format!("its export `{name}` is not a function")),
        }
    }
    loop {
        let mut rec = Recorder::default();
        if let Some(f) = work.pop() {
            let func = module
                .funcs
                .get(f as usize)
                .ok_or_else(|| format!("function {f} does not exist"))?;
            mark(&mut live.types, func.ty);
            if let Def::Local(body) = &func.def {
                let mut reader = body.get_operators_reader().map_err(|e| e.to_string())?;
                while !reader.eof() {
                    rec.parse_instruction(&mut reader).map_err(reencode_err)?;
                }
            }
        } else if let Some(g) = globals_work.pop() {
            let global = module
                .globals
                .get(g as usize)
                .ok_or_else(|| format!("global {g} does not exist"))?;
            if let Def::Local(init) = &global.def {
                rec.const_expr(init.clone()).map_err(reencode_err)?;
            }
        } else {
            break;
        }
        for f in rec.funcs {
            if mark(&mut live.funcs, f) {
                work.push(f);
            }
        }
        for g in rec.globals {
            if mark(&mut live.globals, g) {
                globals_work.push(g);
            }
        }
        for t in rec.tables {
            mark(&mut live.tables, t);
        }
        for t in rec.types {
            mark(&mut live.types, t);
        }
        live.memory |= rec.memory;
    }
    Ok(live)
}

/// Maps old indices to new ones while rewriting bodies.
struct Remap {
    funcs: HashMap<u32, u32>,
    globals: HashMap<u32, u32>,
    types: HashMap<u32, u32>,
}

impl Reencode for Remap {
    type Error = String;
    fn function_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.funcs
            .get(&i)
            .copied()
            .ok_or_else(|| ReencodeError::UserError(format!("function {i} is not live")))
    }
    fn global_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.globals
            .get(&i)
            .copied()
            .ok_or_else(|| ReencodeError::UserError(format!("global {i} is not live")))
    }
    fn type_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        self.types
            .get(&i)
            .copied()
            .ok_or_else(|| ReencodeError::UserError(format!("type {i} is not live")))
    }
    fn table_index(&mut self, i: u32) -> Result<u32, ReencodeError<String>> {
        Err(ReencodeError::UserError(format!(
            "table {i} is used; adapters cannot use tables"
        )))
    }
}

/// A function the collector adds.
enum Added {
    /// `cabi_realloc` in terms of `memory.grow`, for whole pages only.
    ReallocViaMemoryGrow,
    /// Sets the stack pointer to the top of a fresh page; lazily when
    /// `allocation_state` is given.
    AllocateStack {
        realloc: u32,
        sp: u32,
        allocation_state: Option<u32>,
    },
}

/// The adapter reduced to the exports named `required` (each must exist),
/// with its stack set up.
pub fn gc(
    module: &AdapterModule<'_>,
    required: &[&str],
    options: &GcOptions<'_>,
) -> Result<Vec<u8>, String> {
    let live = liveness(module, required)?;
    if let Some(t) = (0..live.tables.len() as u32).find(|&t| is_live(&live.tables, t)) {
        return Err(format!(
            "its code uses table {t} (an indirect call); adapters cannot use tables"
        ));
    }
    let live_globals: Vec<u32> = (0..module.globals.len() as u32)
        .filter(|&g| is_live(&live.globals, g))
        .collect();
    let find = |name| -> Result<Option<u32>, String> {
        Ok(module
            .named_mut_i32_global(name)?
            .filter(|g| live_globals.contains(g)))
    };
    let sp = find("__stack_pointer")?.filter(|_| live.memory);
    let allocation_state = find("allocation_state")?;
    let lazy = sp.is_some() && allocation_state.is_some() && options.main_realloc.is_some();

    // Types: the live ones, then whatever the added functions need.
    let mut types = TypeSection::new();
    let mut type_map = HashMap::new();
    let mut sigs: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    for (i, ty) in module.types.iter().enumerate() {
        if is_live(&live.types, i as u32) {
            type_map.insert(i as u32, sigs.len() as u32);
            sigs.push((valtypes(ty.params())?, valtypes(ty.results())?));
        }
    }
    let mut type_of = |params: Vec<ValType>, results: Vec<ValType>| -> u32 {
        let sig = (params, results);
        match sigs.iter().position(|s| *s == sig) {
            Some(i) => i as u32,
            None => {
                sigs.push(sig);
                (sigs.len() - 1) as u32
            }
        }
    };
    let realloc_ty = type_of(vec![ValType::I32; 4], vec![ValType::I32]);
    let empty_ty = type_of(vec![], vec![]);

    // Functions: imports first (the main module's realloc renamed or
    // turned into a local function), then the locals, then what is added.
    let mut imports = ImportSection::new();
    if let (true, Some(memory)) = (live.memory, module.memory) {
        imports.import(
            "env",
            "memory",
            EntityType::Memory(wasm_encoder::MemoryType {
                minimum: memory.initial,
                maximum: memory.maximum,
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
        );
    }
    let mut func_map: HashMap<u32, u32> = HashMap::new();
    let mut names: Vec<(u32, String)> = Vec::new();
    let mut next = 0u32;
    let mut realloc_import_replaced = Vec::new();
    let mut realloc = None;
    for (i, func) in module.funcs.iter().enumerate() {
        let i = i as u32;
        let Def::Import { module: m, name } = func.def else {
            continue;
        };
        if !is_live(&live.funcs, i) {
            continue;
        }
        let is_realloc =
            m == MAIN_MODULE && matches!(name, "cabi_realloc" | "canonical_abi_realloc");
        let ty = *type_map
            .get(&func.ty)
            .ok_or_else(|| format!("type {} is not live", func.ty))?;
        if is_realloc {
            let Some(main_realloc) = options.main_realloc else {
                realloc_import_replaced.push(i);
                continue;
            };
            imports.import(m, main_realloc, EntityType::Function(ty));
            realloc = Some(next);
        } else {
            imports.import(m, name, EntityType::Function(ty));
        }
        func_map.insert(i, next);
        if let Some(n) = module.func_names.get(&i) {
            names.push((next, n.to_string()));
        }
        next += 1;
    }
    // Lazy stack allocation calls the main module's realloc even when the
    // adapter itself does not.
    if let (true, None, Some(main_realloc)) = (lazy, realloc, options.main_realloc) {
        imports.import(MAIN_MODULE, main_realloc, EntityType::Function(realloc_ty));
        realloc = Some(next);
        names.push((next, main_realloc.to_string()));
        next += 1;
    }
    let mut funcs = FunctionSection::new();
    let mut locals: Vec<u32> = Vec::new();
    for (i, func) in module.funcs.iter().enumerate() {
        let i = i as u32;
        if !is_live(&live.funcs, i) || !matches!(func.def, Def::Local(_)) {
            continue;
        }
        let ty = *type_map
            .get(&func.ty)
            .ok_or_else(|| format!("type {} is not live", func.ty))?;
        funcs.function(ty);
        func_map.insert(i, next);
        if let Some(n) = module.func_names.get(&i) {
            names.push((next, n.to_string()));
        }
        locals.push(i);
        next += 1;
    }
    let mut added: Vec<Added> = Vec::new();
    let mut add = |what: Added, ty: u32, name: &str, funcs: &mut FunctionSection| {
        funcs.function(ty);
        names.push((next, name.to_string()));
        added.push(what);
        next += 1;
        next - 1
    };
    let mut grow_realloc = None;
    if !realloc_import_replaced.is_empty() {
        let f = add(
            Added::ReallocViaMemoryGrow,
            realloc_ty,
            "realloc_via_memory_grow",
            &mut funcs,
        );
        grow_realloc = Some(f);
        for old in realloc_import_replaced {
            func_map.insert(old, f);
        }
        realloc = Some(f);
    }

    // Globals keep their order.
    let mut global_map = HashMap::new();
    let mut globals = GlobalSection::new();
    let mut global_names = Vec::new();
    for (new, &g) in live_globals.iter().enumerate() {
        global_map.insert(g, new as u32);
        if let Some(n) = module.global_names.get(&g) {
            global_names.push((new as u32, n.to_string()));
        }
    }
    let mut remap = Remap {
        funcs: func_map,
        globals: global_map,
        types: type_map,
    };
    for &g in &live_globals {
        let Some(global) = module.globals.get(g as usize) else {
            continue;
        };
        let ty = remap.global_type(global.ty).map_err(reencode_err)?;
        match &global.def {
            Def::Import { module: m, name } => {
                imports.import(m, name, EntityType::Global(ty));
            }
            Def::Local(init) => {
                let init = remap.const_expr(init.clone()).map_err(reencode_err)?;
                globals.global(ty, &init);
            }
        }
    }

    let mut start = None;
    let mut allocate_stack = None;
    if let Some(sp) = sp {
        let sp = *remap
            .globals
            .get(&sp)
            .ok_or("the stack pointer is not live")?;
        let state = allocation_state.and_then(|g| remap.globals.get(&g).copied());
        let stack_realloc = match (lazy, realloc) {
            (true, Some(r)) => r,
            // A start function cannot call into the main module before
            // it is initialized: the stack comes from `memory.grow`.
            _ => match grow_realloc {
                Some(r) => r,
                None => add(
                    Added::ReallocViaMemoryGrow,
                    realloc_ty,
                    "realloc_via_memory_grow",
                    &mut funcs,
                ),
            },
        };
        let f = add(
            Added::AllocateStack {
                realloc: stack_realloc,
                sp,
                // Set either way: the adapter may check it.
                allocation_state: state,
            },
            empty_ty,
            "allocate_stack",
            &mut funcs,
        );
        if lazy {
            allocate_stack = Some(f);
        } else {
            start = Some(f);
        }
    }

    // Exports: the required ones, in the adapter's order.
    let mut exports = ExportSection::new();
    let mut exported_locals = Vec::new();
    for export in &module.exports {
        if !required.contains(&export.name) {
            continue;
        }
        let (kind, index) = match export.kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                exported_locals.push(export.index);
                (
                    ExportKind::Func,
                    remap.function_index(export.index).map_err(reencode_err)?,
                )
            }
            ExternalKind::Global => (
                ExportKind::Global,
                remap.global_index(export.index).map_err(reencode_err)?,
            ),
            _ => return Err(format!("its export `{}` is not a function", export.name)),
        };
        exports.export(export.name, kind, index);
    }

    let mut code = CodeSection::new();
    for &i in &locals {
        let Some(Def::Local(body)) = module.funcs.get(i as usize).map(|f| &f.def) else {
            continue;
        };
        let mut func = remap
            .new_function_with_parsed_locals(body)
            .map_err(reencode_err)?;
        if let (Some(alloc), true) = (allocate_stack, exported_locals.contains(&i)) {
            func.instruction(&Instruction::Call(alloc));
        }
        let mut reader = body.get_operators_reader().map_err(|e| e.to_string())?;
        while !reader.eof() {
            let insn = remap.parse_instruction(&mut reader).map_err(reencode_err)?;
            func.instruction(&insn);
        }
        code.function(&func);
    }
    for what in &added {
        code.function(&added_function(what));
    }

    for (params, results) in &sigs {
        types
            .ty()
            .function(params.iter().copied(), results.iter().copied());
    }
    let mut out = Module::new();
    out.section(&types);
    out.section(&imports);
    out.section(&funcs);
    if !globals.is_empty() {
        out.section(&globals);
    }
    out.section(&exports);
    if let Some(function_index) = start {
        out.section(&StartSection { function_index });
    }
    out.section(&code);
    if options.keep_names {
        let mut section = NameSection::new();
        let mut map = NameMap::new();
        names.sort_by_key(|(i, _)| *i);
        for (i, n) in &names {
            map.append(*i, n);
        }
        section.functions(&map);
        let mut map = NameMap::new();
        for (i, n) in &global_names {
            map.append(*i, n);
        }
        section.globals(&map);
        out.section(&section);
    }
    Ok(out.finish())
}

fn valtypes(types: &[wasmparser::ValType]) -> Result<Vec<ValType>, String> {
    types
        .iter()
        .map(|t| match t {
            wasmparser::ValType::I32 => Ok(ValType::I32),
            wasmparser::ValType::I64 => Ok(ValType::I64),
            wasmparser::ValType::F32 => Ok(ValType::F32),
            wasmparser::ValType::F64 => Ok(ValType::F64),
            wasmparser::ValType::V128 => Ok(ValType::V128),
            wasmparser::ValType::Ref(_) => {
                Err("it uses reference types in a function signature".to_string())
            }
        })
        .collect()
}

/// The body of a function the collector adds.
fn added_function(what: &Added) -> Function {
    match *what {
        Added::ReallocViaMemoryGrow => {
            // (old_ptr, old_len, align, new_len) -> ptr: only fresh
            // allocations of whole pages (one, by wasm-tools' conventions;
            // more when compono's adapter spills); anything else traps.
            let mut f = Function::new([(1, ValType::I32)]);
            let trap_if = |f: &mut Function| {
                f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
                f.instruction(&Instruction::Unreachable);
                f.instruction(&Instruction::End);
            };
            for local in [0, 1] {
                f.instruction(&Instruction::LocalGet(local));
                trap_if(&mut f);
            }
            f.instruction(&Instruction::LocalGet(3));
            f.instruction(&Instruction::I32Const(PAGE_SIZE - 1));
            f.instruction(&Instruction::I32And);
            trap_if(&mut f);
            f.instruction(&Instruction::LocalGet(3));
            f.instruction(&Instruction::I32Eqz);
            trap_if(&mut f);
            f.instruction(&Instruction::LocalGet(3));
            f.instruction(&Instruction::I32Const(16));
            f.instruction(&Instruction::I32ShrU);
            f.instruction(&Instruction::MemoryGrow(0));
            f.instruction(&Instruction::LocalTee(4));
            trap_unless_not(&mut f, -1);
            f.instruction(&Instruction::LocalGet(4));
            f.instruction(&Instruction::I32Const(16));
            f.instruction(&Instruction::I32Shl);
            f.instruction(&Instruction::End);
            f
        }
        Added::AllocateStack {
            realloc,
            sp,
            allocation_state,
        } => {
            // allocation_state: 0 unallocated, 1 allocating, 2 allocated.
            let mut f = Function::new([]);
            if let Some(state) = allocation_state {
                f.instruction(&Instruction::GlobalGet(state));
                f.instruction(&Instruction::I32Eqz);
                f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
                f.instruction(&Instruction::I32Const(1));
                f.instruction(&Instruction::GlobalSet(state));
            }
            f.instruction(&Instruction::I32Const(0));
            f.instruction(&Instruction::I32Const(0));
            f.instruction(&Instruction::I32Const(16));
            f.instruction(&Instruction::I32Const(PAGE_SIZE));
            f.instruction(&Instruction::Call(realloc));
            f.instruction(&Instruction::I32Const(PAGE_SIZE));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::GlobalSet(sp));
            if let Some(state) = allocation_state {
                f.instruction(&Instruction::I32Const(2));
                f.instruction(&Instruction::GlobalSet(state));
                f.instruction(&Instruction::End);
            }
            f.instruction(&Instruction::End);
            f
        }
    }
}

/// Traps when the value on the stack equals `value` (consuming it).
fn trap_unless_not(f: &mut Function, value: i32) {
    f.instruction(&Instruction::I32Const(value));
    f.instruction(&Instruction::I32Eq);
    f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
    f.instruction(&Instruction::Unreachable);
    f.instruction(&Instruction::End);
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADAPTER: &str = r#"(module
      (import "env" "memory" (memory 0))
      (import "__main_module__" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (import "wasi:random/random@0.2.0" "get-random-u64" (func $random (result i64)))
      (import "wasi:cli/exit@0.2.0" "exit" (func $exit (param i32)))
      (global $__stack_pointer (mut i32) (i32.const 0))
      (global $allocation_state (mut i32) (i32.const 0))
      (global $unused (mut i32) (i32.const 7))
      (func $helper (result i32)
        global.get $allocation_state
        global.get $__stack_pointer
        i32.add)
      (func (export "uses_stack") (result i32)
        (drop (call $realloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 65536)))
        (i32.store (global.get $__stack_pointer) (call $helper))
        (i32.wrap_i64 (call $random)))
      (func (export "exits") (call $exit (i32.const 1)) (global.set $unused (i32.const 1))))"#;

    struct Shape {
        imports: Vec<(String, String)>,
        exports: Vec<String>,
        start: bool,
        first_call_of_export: Option<u32>,
    }

    fn shape(bytes: &[u8]) -> Shape {
        wasmparser::Validator::new().validate_all(bytes).unwrap();
        let mut shape = Shape {
            imports: Vec::new(),
            exports: Vec::new(),
            start: false,
            first_call_of_export: None,
        };
        let mut exported = Vec::new();
        let mut imported_funcs = 0;
        let mut body = 0;
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.unwrap() {
                wasmparser::Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        let i = i.unwrap();
                        if matches!(i.ty, wasmparser::TypeRef::Func(_)) {
                            imported_funcs += 1;
                        }
                        shape
                            .imports
                            .push((i.module.to_string(), i.name.to_string()));
                    }
                }
                wasmparser::Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.unwrap();
                        shape.exports.push(e.name.to_string());
                        exported.push(e.index);
                    }
                }
                wasmparser::Payload::StartSection { .. } => shape.start = true,
                wasmparser::Payload::CodeSectionEntry(b) => {
                    if exported.contains(&(imported_funcs + body)) {
                        let mut ops = b.get_operators_reader().unwrap();
                        if let Ok(wasmparser::Operator::Call { function_index }) = ops.read() {
                            shape.first_call_of_export = Some(function_index);
                        }
                    }
                    body += 1;
                }
                _ => {}
            }
        }
        shape
    }

    fn collect(required: &[&str], main_realloc: Option<&str>) -> Result<Vec<u8>, String> {
        let bytes = wat::parse_str(ADAPTER).unwrap();
        let module = AdapterModule::parse(&bytes)?;
        gc(
            &module,
            required,
            &GcOptions {
                main_realloc,
                keep_names: false,
            },
        )
    }

    #[test]
    fn imports_shrink_to_what_the_required_exports_use() {
        let out = collect(&["uses_stack"], Some("cabi_realloc")).unwrap();
        let s = shape(&out);
        assert_eq!(s.exports, ["uses_stack"]);
        assert!(
            !s.imports.iter().any(|(m, _)| m.starts_with("wasi:cli")),
            "{:?}",
            s.imports
        );
        let out = collect(&["exits"], Some("cabi_realloc")).unwrap();
        let s = shape(&out);
        assert_eq!(
            s.imports,
            [("wasi:cli/exit@0.2.0".to_string(), "exit".to_string())]
        );
    }

    #[test]
    fn with_the_main_modules_realloc_the_stack_is_allocated_lazily() {
        let out = collect(&["uses_stack"], Some("canonical_abi_realloc")).unwrap();
        let s = shape(&out);
        assert!(!s.start);
        // The realloc import is renamed to what the main module exports.
        assert!(s.imports.contains(&(
            "__main_module__".to_string(),
            "canonical_abi_realloc".to_string()
        )));
        // Every export first calls the stack allocator.
        assert!(s.first_call_of_export.is_some());
    }

    #[test]
    fn without_it_memory_grow_serves_and_a_start_function_allocates_the_stack() {
        let out = collect(&["uses_stack"], None).unwrap();
        let s = shape(&out);
        assert!(s.start);
        assert!(!s.imports.iter().any(|(m, _)| m == "__main_module__"));
        // The adapter's own realloc calls now go to a local function that
        // grows memory.
        assert!(
            wasmprinter::print_bytes(&out)
                .unwrap()
                .contains("memory.grow")
        );
    }

    #[test]
    fn what_cannot_be_collected_is_an_error() {
        assert!(
            collect(&["nope"], None)
                .unwrap_err()
                .contains("no export `nope`")
        );
        let table = wat::parse_str(
            r#"(module (table 1 funcref) (type $t (func))
                 (func (export "f") (call_indirect (type $t) (i32.const 0))))"#,
        )
        .unwrap();
        let module = AdapterModule::parse(&table).unwrap();
        let err = gc(
            &module,
            &["f"],
            &GcOptions {
                main_realloc: None,
                keep_names: false,
            },
        )
        .unwrap_err();
        assert!(err.contains("table"), "{err}");
    }
}
