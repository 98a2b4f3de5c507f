//! Instances and instantiation.

use crate::error::{Error, LinkError, Result};
use crate::exec;
use crate::func::Func;
use crate::global::Global;
use crate::memory::LinearMemory;
use crate::memory::Memory;
use crate::module::{ConstExpr, ConstOp, ElemMode, ExportIndex, ImportKind, Module, ModuleInner};
use crate::store::{
    AsContext, AsContextMut, FuncData, FuncKind, GlobalData, Store, StoreId, TableData,
};
use crate::table::Table;
use crate::tag::{Tag, TagData};
use crate::trap::{Trap, TrapCode};
use crate::types::ExternType;
use std::sync::Arc;

/// An import or export value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    Tag(Tag),
}

impl Extern {
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let store = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }

    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }
    pub fn into_tag(self) -> Option<Tag> {
        if let Extern::Tag(t) = self {
            Some(t)
        } else {
            None
        }
    }
}

/// An instance of a module in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

pub(crate) struct InstanceData {
    pub module: Arc<ModuleInner>,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub tags: Vec<u32>,
    /// Interned id of each of the module's types.
    pub types: Vec<u32>,
}

impl InstanceData {
    /// The export `index` of the module, as this instance's item. Exports
    /// are looked up in the module's list rather than kept in a map per
    /// instance: their names are the module's, and an instance should cost
    /// only its own state.
    fn export(&self, store: StoreId, index: ExportIndex) -> Extern {
        match index {
            ExportIndex::Func(i) => Extern::Func(Func {
                store,
                index: self.funcs[i as usize],
            }),
            ExportIndex::Table(i) => Extern::Table(Table {
                store,
                index: self.tables[i as usize],
            }),
            ExportIndex::Memory(i) => Extern::Memory(Memory {
                store,
                index: self.memories[i as usize],
            }),
            ExportIndex::Global(i) => Extern::Global(Global {
                store,
                index: self.globals[i as usize],
            }),
            ExportIndex::Tag(i) => Extern::Tag(Tag {
                store,
                index: self.tags[i as usize],
            }),
        }
    }
}

/// The segments of an instance, which `elem.drop`, `data.drop` and
/// instantiation change; kept apart from [`InstanceData`] so running code
/// can hold the latter immutably.
#[derive(Default)]
pub(crate) struct InstanceSegments {
    /// Element segments; a dropped segment is empty.
    pub elems: Vec<Arc<[u64]>>,
    /// Data segments; a dropped segment is empty.
    pub datas: Vec<Arc<[u8]>>,
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports)
    }

    pub(crate) fn from_index(store: StoreId, index: u32) -> Instance {
        Instance { store, index }
    }

    /// The data of the instance, if it belongs to `store`.
    fn data<'a, T>(&self, store: &'a Store<T>) -> Option<&'a InstanceData> {
        if store.inner.id != self.store {
            return None;
        }
        store.inner.instances.get(self.index as usize)
    }

    /// The export `name`; `None` if there is none or if the instance
    /// belongs to another store.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let data = self.data(store.as_context())?;
        let (_, index) = data.module.exports.iter().find(|(n, _)| n == name)?;
        Some(data.export(self.store, *index))
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// All exports, sorted by name (none if the instance belongs to another
    /// store).
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let mut list: Vec<(String, Extern)> = self
            .data(store.as_context())
            .map(|i| {
                i.module
                    .exports
                    .iter()
                    .map(|(n, index)| (n.clone(), i.export(self.store, *index)))
                    .collect()
            })
            .unwrap_or_default();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }
}

fn check_import<T>(
    store: &Store<T>,
    decl: &crate::module::ImportDecl,
    module: &ModuleInner,
    given: &Extern,
) -> Result<()> {
    let owner = match given {
        Extern::Func(f) => f.store,
        Extern::Table(t) => t.store,
        Extern::Memory(m) => m.store,
        Extern::Global(g) => g.store,
        Extern::Tag(t) => t.store,
    };
    if owner != store.inner.id {
        return Err(Error::Usage(format!(
            "import `{}::{}` belongs to a different store",
            decl.module, decl.name
        )));
    }
    let found = given.ty(store);
    let ok = match (&decl.kind, &found) {
        (ImportKind::Func(t), ExternType::Func(f)) => module.types[*t as usize] == *f,
        (ImportKind::Table(want), ExternType::Table(have)) => {
            want.element == have.element && have.limits.matches(&want.limits)
        }
        (ImportKind::Memory(want), ExternType::Memory(have)) => {
            want.shared == have.shared && have.limits.matches(&want.limits)
        }
        (ImportKind::Global(want), ExternType::Global(have)) => want == have,
        (ImportKind::Tag(t), ExternType::Tag(have)) => module.types[*t as usize] == have.ty,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let expected = match &decl.kind {
        ImportKind::Func(t) => ExternType::Func(module.types[*t as usize].clone()),
        ImportKind::Table(t) => ExternType::Table(*t),
        ImportKind::Memory(t) => ExternType::Memory(*t),
        ImportKind::Global(t) => ExternType::Global(*t),
        ImportKind::Tag(t) => ExternType::Tag(module.tag_type(*t)),
    };
    Err(Error::Link {
        module: decl.module.clone(),
        name: decl.name.clone(),
        reason: LinkError::Mismatch {
            expected: expected.to_string(),
            found: found.to_string(),
        },
    })
}

/// Evaluates a constant expression of an instance under construction.
fn eval_const(store: &Store<impl Sized>, data: &InstanceData, expr: &ConstExpr) -> u64 {
    let mut stack: Vec<u64> = Vec::with_capacity(2);
    for op in expr {
        let value = match op {
            ConstOp::Const(v) => *v,
            ConstOp::RefNull => 0,
            ConstOp::RefFunc(f) => u64::from(data.funcs[*f as usize]) + 1,
            ConstOp::GlobalGet(g) => store.inner.globals[data.globals[*g as usize] as usize].value,
            arith => {
                let b = stack.pop().unwrap_or(0);
                let a = stack.pop().unwrap_or(0);
                match arith {
                    ConstOp::I32Add => (a as u32).wrapping_add(b as u32) as u64,
                    ConstOp::I32Sub => (a as u32).wrapping_sub(b as u32) as u64,
                    ConstOp::I32Mul => (a as u32).wrapping_mul(b as u32) as u64,
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                }
            }
        };
        stack.push(value);
    }
    stack.pop().unwrap_or(0)
}

pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let m = &module.inner;
    if imports.len() != m.imports.len() {
        return Err(Error::Usage(format!(
            "expected {} imports, got {}",
            m.imports.len(),
            imports.len()
        )));
    }
    for (decl, given) in m.imports.iter().zip(imports) {
        check_import(store, decl, m, given)?;
    }
    let instance_index = store.inner.instances.len() as u32;
    let mut data = InstanceData {
        module: m.clone(),
        funcs: Vec::with_capacity(m.func_types.len()),
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        types: m.types.iter().map(|t| store.inner.intern_type(t)).collect(),
    };
    for import in imports {
        match *import {
            Extern::Func(f) => data.funcs.push(f.index),
            Extern::Table(t) => data.tables.push(t.index),
            Extern::Memory(mem) => data.memories.push(mem.index),
            Extern::Global(g) => data.globals.push(g.index),
            Extern::Tag(t) => data.tags.push(t.index),
        }
    }
    for &ty in &m.tags[m.num_imported_tags as usize..] {
        store.inner.tags.push(TagData { ty: m.tag_type(ty) });
        data.tags.push(store.inner.tags.len() as u32 - 1);
    }
    for (i, func) in m.defined.iter().enumerate() {
        let ty = data.types[m.func_types[m.num_imported_funcs as usize + i] as usize];
        store.inner.funcs.push(FuncData {
            ty,
            kind: FuncKind::Wasm {
                instance: instance_index,
                entry: func.entry,
                num_params: func.num_params,
                num_results: func.num_results,
            },
        });
        data.funcs.push(store.inner.funcs.len() as u32 - 1);
    }
    let limits = store.inner.limits;
    for ty in &m.memories {
        let memory = LinearMemory::new(*ty, limits.max_memory_pages).ok_or_else(|| {
            Error::Usage(format!(
                "memory of {} pages exceeds the store limit or cannot be allocated",
                ty.limits.min
            ))
        })?;
        store.inner.memories.push(memory);
        data.memories.push(store.inner.memories.len() as u32 - 1);
    }
    for (ty, expr) in &m.globals {
        let value = eval_const(store, &data, expr);
        store.inner.globals.push(GlobalData { ty: *ty, value });
        data.globals.push(store.inner.globals.len() as u32 - 1);
    }
    for (ty, init) in &m.tables {
        if ty.limits.min > limits.max_table_elements {
            return Err(Error::Usage(format!(
                "table of {} elements exceeds the store limit",
                ty.limits.min
            )));
        }
        let value = init.as_ref().map_or(0, |e| eval_const(store, &data, e));
        store.inner.tables.push(TableData {
            ty: *ty,
            elems: vec![value; ty.limits.min as usize],
        });
        data.tables.push(store.inner.tables.len() as u32 - 1);
    }
    let mut segments = InstanceSegments::default();
    for seg in &m.elems {
        let items: Vec<u64> = seg
            .items
            .iter()
            .map(|e| eval_const(store, &data, e))
            .collect();
        segments.elems.push(items.into());
    }
    segments.datas = m.datas.iter().map(|d| d.bytes.clone()).collect();
    let id = store.inner.id;
    // Segment initialisation may trap half way; what was written stays
    // written (the instance is still registered so its functions, possibly
    // already stored in imported tables, keep working).
    let segment_init = initialize_segments(store, &data, &mut segments);
    store.inner.instances.push(data);
    store.inner.instance_segments.push(segments);
    segment_init?;
    if let Some(start) = m.start {
        let func = Func {
            store: id,
            index: store.inner.instances[instance_index as usize].funcs[start as usize],
        };
        exec::invoke(store, func, &[])?;
    }
    Ok(Instance::from_index(id, instance_index))
}

fn initialize_segments<T>(
    store: &mut Store<T>,
    data: &InstanceData,
    segments: &mut InstanceSegments,
) -> Result<(), Trap> {
    let m = data.module.clone();
    // A segment applied or declared is dropped: it becomes empty. An empty
    // `Arc::default()` shares one static allocation; `Arc::from([])` would
    // allocate for every segment of every instance.
    for (i, seg) in m.elems.iter().enumerate() {
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let offset = eval_const(store, data, offset) as u32 as usize;
                let items = segments.elems[i].clone();
                let table = &mut store.inner.tables[data.tables[*table as usize] as usize];
                let end = offset
                    .checked_add(items.len())
                    .filter(|e| *e <= table.elems.len());
                let Some(end) = end else {
                    return Err(Trap::new(TrapCode::TableOutOfBounds));
                };
                table.elems[offset..end].copy_from_slice(&items);
                segments.elems[i] = Arc::default();
            }
            ElemMode::Declared => segments.elems[i] = Arc::default(),
            ElemMode::Passive => {}
        }
    }
    for (i, seg) in m.datas.iter().enumerate() {
        if let Some((mem, offset)) = &seg.active {
            let offset = eval_const(store, data, offset) as u32 as usize;
            let memory = store.inner.memories[data.memories[*mem as usize] as usize].bytes_mut();
            let end = offset
                .checked_add(seg.bytes.len())
                .filter(|e| *e <= memory.len());
            let Some(end) = end else {
                return Err(Trap::new(TrapCode::MemoryOutOfBounds));
            };
            memory[offset..end].copy_from_slice(&seg.bytes);
            segments.datas[i] = Arc::default();
        }
    }
    Ok(())
}
