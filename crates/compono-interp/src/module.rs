//! Decoding and validating a module, and translating its functions.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ir::{CompiledFunc, Handlers, Op};
use crate::translate::{CodeBuilder, Emitter};
use crate::types::{
    ExternType, FuncType, GlobalType, Limits, MemoryType, TableType, TagType, ValType,
};
use std::sync::Arc;
use wasmparser::{Parser, Payload, ValidPayload, Validator};

/// A constant expression, flattened for evaluation at instantiation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ConstOp {
    Const(u64),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

pub(crate) type ConstExpr = Vec<ConstOp>;

#[derive(Clone, Debug)]
pub(crate) enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of the function type with this index.
    Tag(u32),
}

#[derive(Clone, Debug)]
pub(crate) struct ImportDecl {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

#[derive(Debug)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug)]
pub(crate) struct DataSegment {
    /// `Some((memory, offset))` for active segments.
    pub active: Option<(u32, ConstExpr)>,
    pub bytes: Arc<[u8]>,
}

#[derive(Debug, Default)]
pub(crate) struct ModuleInner {
    pub types: Vec<FuncType>,
    pub imports: Vec<ImportDecl>,
    /// Type index of every function, imported ones first.
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// Type index of every tag, imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub tables: Vec<(TableType, Option<ConstExpr>)>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<(GlobalType, ConstExpr)>,
    pub exports: Vec<(String, ExportIndex)>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub custom_sections: Vec<(String, Vec<u8>)>,
    /// The `name` section, parsed when a trap first names a frame.
    pub names: std::sync::OnceLock<crate::backtrace::Names>,
    /// The translated code of every defined function.
    pub code: Box<[Op]>,
    /// The defined functions, in order.
    pub defined: Vec<CompiledFunc>,
    /// Where exceptions are caught in `code`.
    pub handlers: Handlers,
    /// Types of all tables, memories and globals, imported ones first.
    pub table_types: Vec<TableType>,
    pub memory_types: Vec<MemoryType>,
    pub global_types: Vec<GlobalType>,
}

/// A validated, translated core module; cheap to clone.
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
    pub(crate) engine: Engine,
}

/// An import a module declares.
#[derive(Clone, Debug)]
pub struct ImportType<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub ty: ExternType,
}

/// An export a module declares.
#[derive(Clone, Debug)]
pub struct ExportType<'a> {
    pub name: &'a str,
    pub ty: ExternType,
}

fn unsupported(what: &str) -> Error {
    Error::Compile {
        message: format!("unsupported: {what}"),
        offset: None,
    }
}

fn val_type(ty: wasmparser::ValType) -> Result<ValType> {
    ValType::from_wasmparser(ty).ok_or_else(|| unsupported("value type"))
}

fn table_type(ty: &wasmparser::TableType) -> Result<TableType> {
    let element =
        ValType::from_ref_type(ty.element_type).ok_or_else(|| unsupported("table element type"))?;
    Ok(TableType {
        element,
        limits: Limits {
            min: ty.initial,
            max: ty.maximum,
        },
    })
}

fn memory_type(ty: &wasmparser::MemoryType) -> Result<MemoryType> {
    if ty.memory64 || ty.page_size_log2.is_some() {
        return Err(unsupported("memory64 or custom page sizes"));
    }
    Ok(MemoryType {
        limits: Limits {
            min: ty.initial,
            max: ty.maximum,
        },
        shared: ty.shared,
    })
}

fn global_type(ty: &wasmparser::GlobalType) -> Result<GlobalType> {
    Ok(GlobalType {
        content: val_type(ty.content_type)?,
        mutable: ty.mutable,
    })
}

fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr> {
    use wasmparser::Operator as Op;
    let mut ops = Vec::new();
    let mut reader = expr.get_operators_reader();
    loop {
        let op = reader.read().map_err(Error::compile)?;
        ops.push(match op {
            Op::I32Const { value } => ConstOp::Const(value as u32 as u64),
            Op::I64Const { value } => ConstOp::Const(value as u64),
            Op::F32Const { value } => ConstOp::Const(value.bits() as u64),
            Op::F64Const { value } => ConstOp::Const(value.bits()),
            Op::RefNull { .. } => ConstOp::RefNull,
            Op::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            Op::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            Op::I32Add => ConstOp::I32Add,
            Op::I32Sub => ConstOp::I32Sub,
            Op::I32Mul => ConstOp::I32Mul,
            Op::I64Add => ConstOp::I64Add,
            Op::I64Sub => ConstOp::I64Sub,
            Op::I64Mul => ConstOp::I64Mul,
            Op::End => return Ok(ops),
            _ => return Err(unsupported("constant expression operator")),
        });
    }
}

impl Module {
    /// Decodes, validates and translates a binary module.
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let mut validator = Validator::new_with_features(engine.config.features);
        let mut m = ModuleInner::default();
        let mut bodies = Vec::new();
        let mut parser = Parser::new(0);
        // Decoding depends on the features too (e.g. 64-bit memory limits).
        parser.set_features(engine.config.features);
        for payload in parser.parse_all(bytes) {
            let payload = payload.map_err(Error::compile)?;
            match validator.payload(&payload).map_err(Error::compile)? {
                ValidPayload::Ok | ValidPayload::End(_) => {}
                ValidPayload::Parser(_) => return Err(unsupported("nested modules or components")),
                ValidPayload::Func(to_validate, body) => bodies.push((to_validate, body)),
            }
            m.read_section(payload)?;
        }
        // Functions are translated once the module's sections are all read
        // (calls refer to functions by index, patched when all are placed).
        let mut code = CodeBuilder::default();
        let mut emitter = Emitter::new(&m, engine.config.consume_fuel);
        let mut allocations = wasmparser::FuncValidatorAllocations::default();
        for (i, (to_validate, body)) in bodies.into_iter().enumerate() {
            let mut func_validator = to_validate.into_validator(allocations);
            let func_index = m.num_imported_funcs + i as u32;
            if m.func_types.get(func_index as usize).is_none() {
                return Err(unsupported("function without type"));
            }
            emitter.translate(&mut code, func_index, &body, &mut func_validator)?;
            allocations = func_validator.into_allocations();
        }
        let (code, defined, handlers) = code.finish()?;
        m.code = code.into_boxed_slice();
        m.defined = defined;
        m.handlers = handlers;
        Ok(Module {
            inner: Arc::new(m),
            engine: engine.clone(),
        })
    }

    /// Imports in declaration order.
    pub fn imports(&self) -> impl Iterator<Item = ImportType<'_>> + '_ {
        self.inner.imports.iter().map(|i| ImportType {
            module: &i.module,
            name: &i.name,
            ty: self.inner.import_extern_type(&i.kind),
        })
    }

    /// Exports in declaration order.
    pub fn exports(&self) -> impl Iterator<Item = ExportType<'_>> + '_ {
        self.inner.exports.iter().map(|(name, index)| ExportType {
            name,
            ty: self.inner.export_extern_type(*index),
        })
    }

    /// Custom sections with the given name, in order.
    pub fn custom_sections<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.inner
            .custom_sections
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, data)| data.as_slice())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The translated code of every defined function, for inspecting what
    /// the translator produces.
    #[doc(hidden)]
    pub fn dump_ir(&self) -> String {
        let m = &self.inner;
        let mut out = String::new();
        for (i, func) in m.defined.iter().enumerate() {
            let end = m
                .defined
                .get(i + 1)
                .map_or(m.code.len(), |f| f.entry as usize);
            out.push_str(&format!("func {}:\n", i + m.num_imported_funcs as usize));
            for (at, (instr, form)) in crate::ir::decode(&m.code[func.entry as usize..end])
                .iter()
                .enumerate()
            {
                let only = if form.acc_only { " [acc only]" } else { "" };
                let acc = if form.acc_in { " <- acc" } else { "" };
                out.push_str(&format!("  {at:4} {instr:?}{only}{acc}\n"));
            }
        }
        out
    }
}

impl ModuleInner {
    pub(crate) fn names(&self) -> &crate::backtrace::Names {
        self.names
            .get_or_init(|| crate::backtrace::Names::parse(&self.custom_sections))
    }

    pub(crate) fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    fn import_extern_type(&self, kind: &ImportKind) -> ExternType {
        match kind {
            ImportKind::Func(t) => ExternType::Func(self.types[*t as usize].clone()),
            ImportKind::Table(t) => ExternType::Table(*t),
            ImportKind::Memory(t) => ExternType::Memory(*t),
            ImportKind::Global(t) => ExternType::Global(*t),
            ImportKind::Tag(t) => ExternType::Tag(self.tag_type(*t)),
        }
    }

    /// The type of tags declared with function type `type_index`.
    pub(crate) fn tag_type(&self, type_index: u32) -> TagType {
        TagType {
            ty: self.types[type_index as usize].clone(),
        }
    }

    fn export_extern_type(&self, index: ExportIndex) -> ExternType {
        match index {
            ExportIndex::Func(i) => ExternType::Func(self.func_type(i).clone()),
            ExportIndex::Table(i) => ExternType::Table(self.table_types[i as usize]),
            ExportIndex::Memory(i) => ExternType::Memory(self.memory_types[i as usize]),
            ExportIndex::Global(i) => ExternType::Global(self.global_types[i as usize]),
            ExportIndex::Tag(i) => ExternType::Tag(self.tag_type(self.tags[i as usize])),
        }
    }

    fn add_import(&mut self, module: &str, name: &str, ty: wasmparser::TypeRef) -> Result<()> {
        let kind = match ty {
            wasmparser::TypeRef::Func(t) => {
                self.func_types.push(t);
                self.num_imported_funcs += 1;
                ImportKind::Func(t)
            }
            wasmparser::TypeRef::Table(t) => {
                let t = table_type(&t)?;
                self.table_types.push(t);
                self.num_imported_tables += 1;
                ImportKind::Table(t)
            }
            wasmparser::TypeRef::Memory(t) => {
                let t = memory_type(&t)?;
                self.memory_types.push(t);
                self.num_imported_memories += 1;
                ImportKind::Memory(t)
            }
            wasmparser::TypeRef::Global(t) => {
                let t = global_type(&t)?;
                self.global_types.push(t);
                self.num_imported_globals += 1;
                ImportKind::Global(t)
            }
            wasmparser::TypeRef::Tag(t) => {
                self.tags.push(t.func_type_idx);
                self.num_imported_tags += 1;
                ImportKind::Tag(t.func_type_idx)
            }
            _ => return Err(unsupported("import kind")),
        };
        self.imports.push(ImportDecl {
            module: module.to_string(),
            name: name.to_string(),
            kind,
        });
        Ok(())
    }

    /// Records what a validated section declares.
    fn read_section(&mut self, payload: Payload<'_>) -> Result<()> {
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.map_err(Error::compile)?.into_types() {
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                let params = f
                                    .params()
                                    .iter()
                                    .map(|t| val_type(*t))
                                    .collect::<Result<Vec<_>>>()?;
                                let results = f
                                    .results()
                                    .iter()
                                    .map(|t| val_type(*t))
                                    .collect::<Result<Vec<_>>>()?;
                                self.types.push(FuncType::new(params, results));
                            }
                            _ => return Err(unsupported("GC types")),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for imports in reader {
                    match imports.map_err(Error::compile)? {
                        wasmparser::Imports::Single(_, i) => {
                            self.add_import(i.module, i.name, i.ty)?
                        }
                        wasmparser::Imports::Compact1 { module, items } => {
                            for item in items {
                                let item = item.map_err(Error::compile)?;
                                self.add_import(module, item.name, item.ty)?;
                            }
                        }
                        wasmparser::Imports::Compact2 { module, ty, names } => {
                            for name in names {
                                self.add_import(module, name.map_err(Error::compile)?, ty)?;
                            }
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.func_types.push(ty.map_err(Error::compile)?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(Error::compile)?;
                    let ty = table_type(&table.ty)?;
                    let init = match &table.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(const_expr(e)?),
                    };
                    self.table_types.push(ty);
                    self.tables.push((ty, init));
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let ty = memory_type(&memory.map_err(Error::compile)?)?;
                    self.memory_types.push(ty);
                    self.memories.push(ty);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(Error::compile)?;
                    let ty = global_type(&global.ty)?;
                    self.global_types.push(ty);
                    self.globals.push((ty, const_expr(&global.init_expr)?));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(Error::compile)?;
                    let index = match export.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            ExportIndex::Func(export.index)
                        }
                        wasmparser::ExternalKind::Table => ExportIndex::Table(export.index),
                        wasmparser::ExternalKind::Memory => ExportIndex::Memory(export.index),
                        wasmparser::ExternalKind::Global => ExportIndex::Global(export.index),
                        wasmparser::ExternalKind::Tag => ExportIndex::Tag(export.index),
                    };
                    self.exports.push((export.name.to_string(), index));
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader {
                    self.tags.push(tag.map_err(Error::compile)?.func_type_idx);
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem.map_err(Error::compile)?;
                    let mode = match elem.kind {
                        wasmparser::ElementKind::Passive => ElemMode::Passive,
                        wasmparser::ElementKind::Declared => ElemMode::Declared,
                        wasmparser::ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let mut items = Vec::new();
                    match elem.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            for f in funcs {
                                items.push(vec![ConstOp::RefFunc(f.map_err(Error::compile)?)]);
                            }
                        }
                        wasmparser::ElementItems::Expressions(_, exprs) => {
                            for e in exprs {
                                items.push(const_expr(&e.map_err(Error::compile)?)?);
                            }
                        }
                    }
                    self.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(Error::compile)?;
                    let active = match data.kind {
                        wasmparser::DataKind::Passive => None,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => Some((memory_index, const_expr(&offset_expr)?)),
                    };
                    self.datas.push(DataSegment {
                        active,
                        bytes: data.data.into(),
                    });
                }
            }
            Payload::CustomSection(reader) => {
                self.custom_sections
                    .push((reader.name().to_string(), reader.data().to_vec()));
            }
            _ => {}
        }
        Ok(())
    }
}
