//! Rust guest bindings in the shape wit-bindgen users know: world-level
//! imports at the top, `ns::pkg::iface` modules for imported interfaces,
//! `exports::...` modules with a `Guest` trait per exported interface, and
//! an `export!` macro wiring a user type to the core exports.

mod glue;

use crate::abi::{Layouts, needs_cleanup};
use crate::naming::{rust_camel, rust_shouty, rust_snake};
use crate::source::Source;
use crate::{Error, Files, Result};
use glue::{Glue, LowerMode, rust_flat_type};
use indexmap::{IndexMap, IndexSet};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, LiftLowerAbi, ManglingAndAbi, Resolve, Type,
    TypeDefKind, TypeId, TypeOwner, WasmExport, WasmImport, WorldId, WorldItem, WorldKey,
};

/// How imported functions take parameters that own memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ownership {
    /// Types are owned (`String`, `Vec<T>`); import parameters borrow them
    /// at the top level (`&str`, `&[T]`, `&Record`).
    #[default]
    Owning,
    /// Import parameters borrow strings and lists all the way down
    /// (`&[&str]`); named types are passed by reference. Both flavours
    /// generate the same code today: no `...Param<'a>` twins yet.
    Borrowing { duplicate_if_necessary: bool },
}

impl std::str::FromStr for Ownership {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "owning" => Ok(Ownership::Owning),
            "borrowing" => Ok(Ownership::Borrowing {
                duplicate_if_necessary: false,
            }),
            "borrowing-duplicate-if-necessary" => Ok(Ownership::Borrowing {
                duplicate_if_necessary: true,
            }),
            _ => Err(format!(
                "unknown ownership `{s}` (expected owning, borrowing or borrowing-duplicate-if-necessary)"
            )),
        }
    }
}

/// Options of the Rust generator; the macro keys and CLI flags map here.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    pub ownership: Ownership,
    /// `ns:pkg/iface` (optionally `@version`) to a Rust path to use instead
    /// of generating the interface, or to `generate`.
    pub with: Vec<(String, String)>,
    /// Generate every interface `with` does not name (otherwise such an
    /// interface is an error once `with` is used).
    pub generate_all: bool,
    pub additional_derives: Vec<String>,
    /// Also emit a stub implementation of every export, exported with
    /// `export!`, whose functions are `unimplemented!()`.
    pub stubs: bool,
    /// Functions (WIT names) left out of the bindings.
    pub skip: Vec<String>,
    pub type_section_suffix: Option<String>,
    /// Where the generated code finds its runtime; `::compono_guest::rt`.
    pub runtime_path: Option<String>,
}

/// Generates `<world>.rs`.
pub fn generate(resolve: &Resolve, world: WorldId, opts: &Opts) -> Result<Files> {
    let text = generate_string(resolve, world, opts)?;
    let mut files = Files::default();
    let name = resolve.worlds[world].name.replace('-', "_");
    files.push(format!("{name}.rs"), text);
    Ok(files)
}

/// The bindings as one Rust source string (what `generate!` expands to).
pub fn generate_string(resolve: &Resolve, world: WorldId, opts: &Opts) -> Result<String> {
    let metadata =
        compono_wit::encode_world_metadata(resolve, world, compono_wit::StringEncoding::Utf8)?;
    let mut resolve = resolve.clone();
    // Types of an interface both imported and exported become distinct, as
    // they are in the component model.
    resolve.generate_nominal_type_ids(world);
    let layouts = Layouts::new(&resolve)?;
    let mut g = RustGen {
        resolve: &resolve,
        world,
        opts,
        layouts,
        modules: HashMap::new(),
        exported_resources: HashSet::new(),
        current_depth: RefCell::new(0),
        tree: RefCell::new(Module::default()),
        export_entries: RefCell::new(Vec::new()),
        with: HashMap::new(),
        borrowed: HashMap::new(),
    };
    g.plan()?;
    g.emit_world(&metadata)?;
    Ok(g.finish())
}

#[derive(Default)]
struct Module {
    docs: String,
    code: String,
    children: IndexMap<String, Module>,
}

/// One `#[export_name]` function of the `export!` macro.
struct ExportEntry {
    core_name: String,
    params: Vec<WasmType>,
    results: Vec<WasmType>,
    /// `path::fn_name`, relative to the bindings root.
    target: String,
    /// The type the target is instantiated with: `$ty`, or an associated
    /// resource type of a `Guest` trait.
    type_arg: Option<String>,
}

pub struct RustGen<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    opts: &'a Opts,
    layouts: Layouts,
    /// Module path of every interface, imported or exported.
    modules: HashMap<InterfaceId, Vec<String>>,
    exported_resources: HashSet<TypeId>,
    current_depth: RefCell<usize>,
    tree: RefCell<Module>,
    export_entries: RefCell<Vec<ExportEntry>>,
    /// Interfaces mapped elsewhere by `with`.
    with: HashMap<InterfaceId, String>,
    /// Borrowing modes: records and variants with a borrowing definition.
    borrowed: HashMap<TypeId, Borrowed>,
}

fn docs(d: &Docs) -> String {
    let mut out = String::new();
    if let Some(c) = &d.contents {
        for line in c.lines() {
            let _ = writeln!(out, "/// {line}");
        }
    }
    out
}

pub(crate) fn field_name(name: &str) -> String {
    rust_snake(name)
}

pub(crate) fn case_name(name: &str) -> String {
    rust_camel(name)
}

pub(crate) fn prim_rust(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::S8 => "i8",
        Type::U16 => "u16",
        Type::S16 => "i16",
        Type::U32 => "u32",
        Type::S32 => "i32",
        Type::U64 => "u64",
        Type::S64 => "i64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "_rt::String",
        Type::ErrorContext => "u32",
        Type::Id(_) => "",
    }
}

/// How a type appears where it is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TypeMode {
    /// Owned values: results, export parameters, fields. `'a` is the
    /// lifetime of borrowed handles inside type definitions.
    Owned { lifetime: &'static str },
    /// Import parameters: strings and lists by reference, named types that
    /// own memory by reference.
    ImportParam,
    /// Inside a list of an import parameter in a borrowing mode, or a field
    /// of a borrowing type definition: strings and lists still borrowed
    /// (for `lifetime`; `'_` elides it).
    ImportElem { lifetime: &'static str },
}

/// How a record or variant is defined in a borrowing mode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Borrowed {
    /// Only import parameters use it: one borrowing definition, `T<'a>`.
    Only,
    /// Used borrowed and owned: `TParam<'a>` and `TResult`.
    Split,
}

impl<'a> RustGen<'a> {
    // ---- planning ---------------------------------------------------------

    fn plan(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        let mut with_used = HashSet::new();
        let mut names_by_pkg: HashMap<(String, String), IndexSet<String>> = HashMap::new();
        for item in world.imports.values().chain(world.exports.values()) {
            if let WorldItem::Interface { id, .. } = item
                && let Some(pkg) = self.resolve.interfaces[*id].package
            {
                let name = &self.resolve.packages[pkg].name;
                names_by_pkg
                    .entry((name.namespace.clone(), name.name.clone()))
                    .or_default()
                    .insert(
                        name.version
                            .as_ref()
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                    );
            }
        }
        for (exported, items) in [(false, &world.imports), (true, &world.exports)] {
            for (key, item) in items {
                let WorldItem::Interface { id, .. } = item else {
                    continue;
                };
                let mut path = Vec::new();
                if exported {
                    path.push("exports".to_string());
                }
                match key {
                    WorldKey::Name(name) => path.push(rust_snake(name)),
                    WorldKey::Interface(_) => {
                        let iface = &self.resolve.interfaces[*id];
                        let pkg = &self.resolve.packages[iface.package.ok_or_else(|| {
                            Error::Selection("an interface without a package".into())
                        })?]
                        .name;
                        path.push(rust_snake(&pkg.namespace));
                        let versions = &names_by_pkg[&(pkg.namespace.clone(), pkg.name.clone())];
                        let mut pkg_mod = rust_snake(&pkg.name);
                        if versions.len() > 1
                            && let Some(v) = &pkg.version
                        {
                            // Two versions of one package in a world need
                            // two modules.
                            pkg_mod = format!(
                                "{}{}",
                                pkg.name.replace('-', "_"),
                                v.to_string().replace(['.', '-', '+'], "_")
                            );
                        }
                        path.push(pkg_mod);
                        path.push(rust_snake(iface.name.as_deref().unwrap_or("unnamed")));
                        if !exported {
                            let full = self.resolve.id_of(*id).unwrap_or_default();
                            let unversioned = full.split('@').next().unwrap_or("").to_string();
                            if let Some((k, target)) = self
                                .opts
                                .with
                                .iter()
                                .find(|(k, _)| *k == full || *k == unversioned)
                            {
                                with_used.insert(k.clone());
                                if target != "generate" {
                                    self.with.insert(*id, target.clone());
                                }
                            } else if !self.opts.with.is_empty() && !self.opts.generate_all {
                                return Err(Error::Selection(format!(
                                    "interface `{full}` is neither mapped by `with` nor covered by `generate_all`"
                                )));
                            }
                        }
                    }
                }
                if exported {
                    for ty in self.resolve.interfaces[*id].types.values() {
                        if matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                            self.exported_resources.insert(*ty);
                        }
                    }
                }
                self.modules.insert(*id, path);
            }
        }
        if let Ownership::Borrowing {
            duplicate_if_necessary,
        } = self.opts.ownership
        {
            self.plan_borrowing(duplicate_if_necessary);
        }
        for (k, _) in &self.opts.with {
            if !with_used.contains(k) {
                return Err(Error::Selection(format!(
                    "`with` names `{k}`, which the world does not import"
                )));
            }
        }
        Ok(())
    }

    /// Which records and variants import parameters see borrowed: those
    /// that own strings or lists (and no handles), reached from an import's
    /// parameters only through other borrowable types.
    fn plan_borrowing(&mut self, duplicate: bool) {
        let world = &self.resolve.worlds[self.world];
        let mut params = HashSet::new();
        let mut owned = HashSet::new();
        let visit = |f: &Function,
                     imported: bool,
                     params: &mut HashSet<TypeId>,
                     owned: &mut HashSet<TypeId>| {
            for p in &f.params {
                if imported {
                    self.mark(&p.ty, true, params, owned);
                } else {
                    self.mark(&p.ty, false, params, owned);
                }
            }
            if let Some(r) = &f.result {
                self.mark(r, false, params, owned);
            }
        };
        for (imported, items) in [(true, &world.imports), (false, &world.exports)] {
            for item in items.values() {
                match item {
                    WorldItem::Function(f) => visit(f, imported, &mut params, &mut owned),
                    WorldItem::Interface { id, .. } => {
                        for f in self.resolve.interfaces[*id].functions.values() {
                            visit(f, imported, &mut params, &mut owned);
                        }
                    }
                    WorldItem::Type { .. } => {}
                }
            }
        }
        for id in params {
            if owned.contains(&id) {
                if duplicate {
                    self.borrowed.insert(id, Borrowed::Split);
                }
            } else {
                self.borrowed.insert(id, Borrowed::Only);
            }
        }
        // A borrowing definition must borrow something itself or through
        // another borrowing definition, or its lifetime goes unused.
        loop {
            let unused: Vec<TypeId> = self
                .borrowed
                .keys()
                .copied()
                .filter(|id| !self.borrows_directly(&Type::Id(*id), true))
                .collect();
            if unused.is_empty() {
                break;
            }
            for id in unused {
                self.borrowed.remove(&id);
            }
        }
    }

    /// Whether the borrowing spelling of `ty` mentions its lifetime.
    fn borrows_directly(&self, ty: &Type, top: bool) -> bool {
        let ty = &compono_wit::dealias(self.resolve, *ty);
        let Type::Id(id) = ty else {
            return matches!(ty, Type::String);
        };
        let def = &self.resolve.types[*id];
        if !top
            && def.name.is_some()
            && matches!(def.kind, TypeDefKind::Record(_) | TypeDefKind::Variant(_))
        {
            return self.borrowed.contains_key(id);
        }
        match &def.kind {
            TypeDefKind::List(_) => true,
            TypeDefKind::Type(t) | TypeDefKind::Option(t) => self.borrows_directly(t, false),
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.borrows_directly(&f.ty, false)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.borrows_directly(t, false)),
            TypeDefKind::Variant(v) => v.cases.iter().any(|c| {
                c.ty.as_ref()
                    .is_some_and(|t| self.borrows_directly(t, false))
            }),
            TypeDefKind::Result(r) => [&r.ok, &r.err]
                .into_iter()
                .flatten()
                .any(|t| self.borrows_directly(t, false)),
            _ => false,
        }
    }

    fn borrowable(&self, id: TypeId) -> bool {
        let ty = Type::Id(id);
        self.resolve.types[id].name.is_some()
            && matches!(
                self.resolve.types[id].kind,
                TypeDefKind::Record(_) | TypeDefKind::Variant(_)
            )
            && needs_cleanup(self.resolve, &ty)
            && !crate::abi::contains_handle(self.resolve, &ty, false)
            && !crate::abi::contains_handle(self.resolve, &ty, true)
    }

    /// Marks the named types in `ty` as seen borrowed (import parameters)
    /// or owned; contents of a type that cannot borrow are owned.
    fn mark(
        &self,
        ty: &Type,
        borrowed: bool,
        params: &mut HashSet<TypeId>,
        owned: &mut HashSet<TypeId>,
    ) {
        let ty = &compono_wit::dealias(self.resolve, *ty);
        let Type::Id(id) = ty else { return };
        let def = &self.resolve.types[*id];
        let mut borrowed = borrowed;
        if def.name.is_some()
            && matches!(def.kind, TypeDefKind::Record(_) | TypeDefKind::Variant(_))
        {
            if borrowed && self.borrowable(*id) {
                if !params.insert(*id) {
                    return;
                }
            } else {
                borrowed = false;
                if !owned.insert(*id) {
                    return;
                }
            }
        }
        match &def.kind {
            TypeDefKind::Type(t) | TypeDefKind::List(t) | TypeDefKind::Option(t) => {
                self.mark(t, borrowed, params, owned)
            }
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    self.mark(&f.ty, borrowed, params, owned);
                }
            }
            TypeDefKind::Tuple(t) => {
                for t in &t.types {
                    self.mark(t, borrowed, params, owned);
                }
            }
            TypeDefKind::Variant(v) => {
                for c in &v.cases {
                    if let Some(t) = &c.ty {
                        self.mark(t, borrowed, params, owned);
                    }
                }
            }
            TypeDefKind::Result(r) => {
                for t in [&r.ok, &r.err].into_iter().flatten() {
                    self.mark(t, borrowed, params, owned);
                }
            }
            _ => {}
        }
    }

    // ---- paths --------------------------------------------------------------

    fn root_prefix(&self) -> String {
        let depth = *self.current_depth.borrow();
        if depth == 0 {
            "self".into()
        } else {
            vec!["super"; depth].join("::")
        }
    }

    /// The module a named type lives in, relative to the current module.
    fn owner_path(&self, owner: TypeOwner) -> String {
        match owner {
            TypeOwner::Interface(i) => {
                if let Some(p) = self.with.get(&i) {
                    return p.clone();
                }
                match self.modules.get(&i) {
                    Some(m) => format!("{}::{}", self.root_prefix(), m.join("::")),
                    None => self.root_prefix(),
                }
            }
            _ => self.root_prefix(),
        }
    }

    /// The path of a named type (a record, variant, resource, ...).
    pub(crate) fn type_path_of(&self, id: TypeId) -> String {
        let ty = &self.resolve.types[id];
        let wit = ty.name.as_deref().unwrap_or("anonymous");
        let name = if self.borrowed.get(&id) == Some(&Borrowed::Split) {
            rust_camel(&format!("{wit}-result"))
        } else {
            rust_camel(wit)
        };
        format!("{}::{name}", self.owner_path(ty.owner))
    }

    /// The path of the definition import parameters use: the borrowing
    /// twin where there is one.
    pub(crate) fn param_type_path_of(&self, id: TypeId) -> String {
        let ty = &self.resolve.types[id];
        let wit = ty.name.as_deref().unwrap_or("anonymous");
        let name = match self.borrowed.get(&id) {
            Some(Borrowed::Split) => rust_camel(&format!("{wit}-param")),
            Some(Borrowed::Only) => rust_camel(wit),
            None => return self.type_path_of(id),
        };
        format!("{}::{name}", self.owner_path(ty.owner))
    }

    pub(crate) fn has_borrowed_def(&self, id: TypeId) -> bool {
        self.borrowed.contains_key(&id)
    }

    /// Follows aliases (`type a = b`) to the resource a handle points at.
    pub(crate) fn resource_of(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    pub(crate) fn is_exported_resource(&self, id: TypeId) -> bool {
        self.exported_resources.contains(&self.resource_of(id))
    }

    pub(crate) fn flags_repr(&self, id: TypeId) -> &'static str {
        match self.layouts.size(&Type::Id(id)) {
            1 => "u8",
            2 => "u16",
            4 => "u32",
            _ => "u64",
        }
    }

    fn needs_lifetime(&self, ty: &Type) -> bool {
        crate::abi::contains_handle(self.resolve, ty, true)
    }

    fn is_copy(&self, ty: &Type) -> bool {
        !needs_cleanup(self.resolve, ty) && !crate::abi::contains_handle(self.resolve, ty, false)
    }

    // ---- type expressions ---------------------------------------------------

    fn ty(&self, ty: &Type, mode: TypeMode) -> String {
        match ty {
            Type::String => match mode {
                TypeMode::ImportParam => "&str".into(),
                TypeMode::ImportElem { lifetime: "'_" } => "&str".into(),
                TypeMode::ImportElem { lifetime } => format!("&{lifetime} str"),
                TypeMode::Owned { .. } => "_rt::String".into(),
            },
            Type::Id(id) => self.ty_id(*id, mode),
            prim => prim_rust(prim).into(),
        }
    }

    fn lifetime_args(&self, id: TypeId, mode: TypeMode) -> String {
        let borrowed = mode != TypeMode::Owned { lifetime: "'a" }
            && mode != TypeMode::Owned { lifetime: "'_" }
            && self.borrowed.contains_key(&id);
        if self.needs_lifetime(&Type::Id(id)) || borrowed {
            match mode {
                TypeMode::Owned { lifetime } | TypeMode::ImportElem { lifetime } => {
                    format!("<{lifetime}>")
                }
                TypeMode::ImportParam => "<'_>".into(),
            }
        } else {
            String::new()
        }
    }

    fn ty_id(&self, id: TypeId, mode: TypeMode) -> String {
        self.ty_id_spelled(id, mode, false)
    }

    /// `ty_id`, spelling `id` itself structurally when `structural_top`
    /// (its own definition); what it contains is spelled as `ty` does.
    fn ty_id_spelled(&self, id: TypeId, mode: TypeMode, structural_top: bool) -> String {
        let def = &self.resolve.types[id];
        let lt = match mode {
            TypeMode::Owned { lifetime } | TypeMode::ImportElem { lifetime } => lifetime,
            TypeMode::ImportParam => "'_",
        };
        let lt_ref = if lt == "'_" {
            String::new()
        } else {
            format!("{lt} ")
        };
        // Anonymous shapes are spelled structurally, and so are named ones
        // (and aliases) in borrowing modes, so import parameters can borrow
        // inside them. Owned, a named type is referred to by its name, so
        // the output stays linear in the WIT (`type t2 = list<t1>` is
        // `Vec<T1>`, not `t1` spelled out again).
        let borrowing = !matches!(mode, TypeMode::Owned { .. });
        let structural = structural_top
            || def.name.is_none()
            || matches!(def.kind, TypeDefKind::Handle(_))
            || (borrowing
                && matches!(
                    def.kind,
                    TypeDefKind::List(_)
                        | TypeDefKind::Option(_)
                        | TypeDefKind::Result(_)
                        | TypeDefKind::Tuple(_)
                        | TypeDefKind::Type(_)
                ));
        if structural {
            return match &def.kind {
                TypeDefKind::Type(t) => self.ty(&compono_wit::dealias(self.resolve, *t), mode),
                TypeDefKind::List(elem) => {
                    // Borrowing modes borrow strings and lists all the way
                    // down; owning mode only at the top.
                    let elem_mode = match (mode, self.opts.ownership) {
                        (TypeMode::Owned { .. }, _) | (_, Ownership::Owning) => {
                            TypeMode::Owned { lifetime: lt }
                        }
                        _ => TypeMode::ImportElem { lifetime: lt },
                    };
                    let inner = self.ty(elem, elem_mode);
                    match mode {
                        TypeMode::ImportParam | TypeMode::ImportElem { .. } => {
                            format!("&{lt_ref}[{inner}]")
                        }
                        TypeMode::Owned { .. } => format!("_rt::Vec<{inner}>"),
                    }
                }
                TypeDefKind::Option(t) => format!("::core::option::Option<{}>", self.ty(t, mode)),
                TypeDefKind::Result(r) => {
                    let ok =
                        r.ok.as_ref()
                            .map(|t| self.ty(t, mode))
                            .unwrap_or("()".into());
                    let err = r
                        .err
                        .as_ref()
                        .map(|t| self.ty(t, mode))
                        .unwrap_or("()".into());
                    format!("::core::result::Result<{ok}, {err}>")
                }
                TypeDefKind::Tuple(t) => {
                    let elems: Vec<String> = t.types.iter().map(|t| self.ty(t, mode)).collect();
                    format!("({},)", elems.join(", "))
                }
                TypeDefKind::Handle(Handle::Own(r)) => self.type_path_of(self.resource_of(*r)),
                TypeDefKind::Handle(Handle::Borrow(r)) => {
                    let r = self.resource_of(*r);
                    if self.is_exported_resource(r) {
                        format!("{}Borrow<{lt}>", self.type_path_of(r))
                    } else {
                        format!("&{lt_ref}{}", self.type_path_of(r))
                    }
                }
                _ => format!("{}{}", self.type_path_of(id), self.lifetime_args(id, mode)),
            };
        }
        if !matches!(mode, TypeMode::Owned { .. }) && self.borrowed.contains_key(&id) {
            // The borrowing twin, passed by value.
            return format!(
                "{}{}",
                self.param_type_path_of(id),
                self.lifetime_args(id, mode)
            );
        }
        let path = format!("{}{}", self.type_path_of(id), self.lifetime_args(id, mode));
        if mode == TypeMode::ImportParam
            && !self.is_copy(&Type::Id(id))
            && !matches!(def.kind, TypeDefKind::Resource)
        {
            format!("&{path}")
        } else {
            path
        }
    }

    // ---- output ---------------------------------------------------------------

    fn with_module<R>(&self, path: &[String], f: impl FnOnce(&Self) -> R) -> R {
        let saved = self.current_depth.replace(path.len());
        let r = f(self);
        self.current_depth.replace(saved);
        r
    }

    fn emit(&self, path: &[String], code: &str) {
        let mut tree = self.tree.borrow_mut();
        let mut m = &mut *tree;
        for seg in path {
            m = m.children.entry(seg.clone()).or_default();
        }
        m.code.push_str(code);
    }

    fn runtime_path(&self) -> &str {
        self.opts
            .runtime_path
            .as_deref()
            .unwrap_or("::compono_guest::rt")
    }

    fn finish(self) -> String {
        fn render(out: &mut String, m: &Module, rt: &str, top: bool) {
            if !top {
                let _ = writeln!(out, "#[allow(unused_imports)]\nuse {rt} as _rt;");
            }
            out.push_str(&m.code);
            for (name, child) in &m.children {
                out.push_str(&child.docs);
                let _ = writeln!(
                    out,
                    "#[allow(dead_code, unused_imports, unused_unsafe, clippy::all)]\npub mod {name} {{"
                );
                render(out, child, rt, false);
                out.push_str("}\n");
            }
        }
        let rt = self.runtime_path().to_string();
        let tree = self.tree.into_inner();
        let mut raw = String::new();
        let _ = writeln!(raw, "#[allow(unused_imports)]\nuse {rt} as _rt;");
        render(&mut raw, &tree, &rt, true);
        let mut src = Source::default();
        src.push(&raw);
        src.into_string()
    }

    // ---- the world ------------------------------------------------------------

    fn emit_world(&mut self, metadata: &[u8]) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        let root: Vec<String> = Vec::new();
        // World-level types first: functions refer to them.
        for (key, item) in &world.imports {
            if let WorldItem::Type { id, .. } = item {
                let code = self.with_module(&root, |g| g.type_def(*id, false));
                self.emit(&root, &code?);
            }
            let _ = key;
        }
        for (key, item) in &world.imports {
            match item {
                WorldItem::Interface { id, .. } => {
                    if self.with.contains_key(id) {
                        continue;
                    }
                    self.interface(*id, Some(key), false)?;
                }
                WorldItem::Function(f) => {
                    if self.skipped(f) {
                        continue;
                    }
                    let code = self.with_module(&root, |g| g.import_function(None, f))?;
                    self.emit(&root, &code);
                }
                WorldItem::Type { .. } => {}
            }
        }
        let mut world_funcs = Vec::new();
        for (key, item) in &world.exports {
            match item {
                WorldItem::Interface { id, .. } => self.interface(*id, Some(key), true)?,
                WorldItem::Function(f) if !self.skipped(f) => world_funcs.push(f),
                _ => {}
            }
        }
        if !world_funcs.is_empty() {
            let code =
                self.with_module(&root, |g| g.export_trait(None, &root, &world_funcs, &[]))?;
            self.emit(&root, &code);
        }
        let macro_code = self.export_macro();
        self.emit(&root, &macro_code);
        let section = self.type_section(metadata);
        self.emit(&root, &section);
        if self.opts.stubs {
            let stubs = self.stubs()?;
            self.emit(&root, &stubs);
        }
        Ok(())
    }

    fn skipped(&self, f: &Function) -> bool {
        self.opts.skip.contains(&f.name)
    }

    fn interface(&self, id: InterfaceId, key: Option<&WorldKey>, exported: bool) -> Result<()> {
        let path = self.modules[&id].clone();
        let iface = &self.resolve.interfaces[id];
        let mut code = String::new();
        {
            let mut tree = self.tree.borrow_mut();
            let mut m = &mut *tree;
            for seg in &path {
                m = m.children.entry(seg.clone()).or_default();
            }
            m.docs = docs(&iface.docs);
        }
        self.with_module(&path, |g| -> Result<()> {
            for ty in iface.types.values() {
                code.push_str(&g.type_def(*ty, exported)?);
            }
            let funcs: Vec<&Function> =
                iface.functions.values().filter(|f| !g.skipped(f)).collect();
            if exported {
                let resources: Vec<TypeId> = iface
                    .types
                    .values()
                    .copied()
                    .filter(|t| matches!(g.resolve.types[*t].kind, TypeDefKind::Resource))
                    .collect();
                code.push_str(&g.export_trait(key, &path, &funcs, &resources)?);
            } else {
                for f in funcs {
                    code.push_str(&g.import_function(key, f)?);
                }
            }
            Ok(())
        })?;
        self.emit(&path, &code);
        Ok(())
    }

    // ---- type definitions ------------------------------------------------------

    fn derives(&self, base: &[&str], ty: &Type) -> String {
        let mut all: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        if !crate::abi::contains_handle(self.resolve, ty, false)
            && !crate::abi::contains_handle(self.resolve, ty, true)
        {
            for d in &self.opts.additional_derives {
                let last = d.rsplit("::").next().unwrap_or(d).trim();
                if !all.iter().any(|a| a == last || a == d) {
                    all.push(d.trim().to_string());
                }
            }
        }
        if all.is_empty() {
            String::new()
        } else {
            format!("#[derive({})]\n", all.join(", "))
        }
    }

    fn type_def(&self, id: TypeId, exported: bool) -> Result<String> {
        let def = &self.resolve.types[id];
        let Some(wit_name) = def.name.as_deref() else {
            return Ok(String::new());
        };
        let mut prefix = String::new();
        let name = match self.borrowed.get(&id) {
            None => rust_camel(wit_name),
            Some(Borrowed::Only) => return Ok(self.borrowed_def(id, rust_camel(wit_name))),
            Some(Borrowed::Split) => {
                prefix = self.borrowed_def(id, rust_camel(&format!("{wit_name}-param")));
                rust_camel(&format!("{wit_name}-result"))
            }
        };
        let ty = Type::Id(id);
        let lt_params = if self.needs_lifetime(&ty) { "<'a>" } else { "" };
        let owned = TypeMode::Owned { lifetime: "'a" };
        let mut out = prefix;
        out.push_str(&docs(&def.docs));
        let clone_ok = !crate::abi::contains_handle(self.resolve, &ty, false);
        let mut base: Vec<&str> = Vec::new();
        if clone_ok {
            base.push("Clone");
            if self.is_copy(&ty) {
                base.push("Copy");
            }
        }
        base.push("Debug");
        match &def.kind {
            TypeDefKind::Record(r) => {
                out.push_str(&self.derives(&base, &ty));
                let _ = writeln!(out, "pub struct {name}{lt_params} {{");
                for f in &r.fields {
                    out.push_str(&docs(&f.docs));
                    let _ = writeln!(
                        out,
                        "pub {}: {},",
                        field_name(&f.name),
                        self.ty(&f.ty, owned)
                    );
                }
                out.push_str("}\n");
            }
            TypeDefKind::Variant(v) => {
                out.push_str(&self.derives(&base, &ty));
                let _ = writeln!(out, "pub enum {name}{lt_params} {{");
                for c in &v.cases {
                    out.push_str(&docs(&c.docs));
                    match &c.ty {
                        Some(t) => {
                            let _ = writeln!(out, "{}({}),", case_name(&c.name), self.ty(t, owned));
                        }
                        None => {
                            let _ = writeln!(out, "{},", case_name(&c.name));
                        }
                    }
                }
                out.push_str("}\n");
            }
            TypeDefKind::Enum(e) => {
                let enum_base = [
                    "Clone",
                    "Copy",
                    "Debug",
                    "PartialEq",
                    "Eq",
                    "PartialOrd",
                    "Ord",
                    "Hash",
                ];
                out.push_str(&self.derives(&enum_base, &ty));
                let repr = match e.tag() {
                    wit_parser::Int::U8 => "u8",
                    wit_parser::Int::U16 => "u16",
                    _ => "u32",
                };
                let _ = writeln!(out, "#[repr({repr})]\npub enum {name} {{");
                for c in &e.cases {
                    out.push_str(&docs(&c.docs));
                    let _ = writeln!(out, "{},", case_name(&c.name));
                }
                out.push_str("}\n");
                let _ = writeln!(
                    out,
                    "impl {name} {{\n#[doc(hidden)]\npub unsafe fn _lift(value: u32) -> {name} {{\nmatch value {{"
                );
                for (i, c) in e.cases.iter().enumerate() {
                    let _ = writeln!(out, "{i} => {name}::{},", case_name(&c.name));
                }
                out.push_str("_ => _rt::invalid_discriminant(),\n}\n}\n}\n");
            }
            TypeDefKind::Flags(f) => out.push_str(&self.flags(&name, f, id)),
            TypeDefKind::Resource => out.push_str(&self.resource(id, &name, exported)?),
            TypeDefKind::Type(Type::Id(target))
                if self.borrowed.get(&self.resource_of(*target)) == Some(&Borrowed::Only) =>
            {
                // An alias of a type that only exists borrowing.
                let target = self.param_type_path_of(self.resource_of(*target));
                let _ = writeln!(out, "pub type {name}<'a> = {target}<'a>;");
            }
            TypeDefKind::Type(t) => {
                let _ = writeln!(out, "pub type {name}{lt_params} = {};", self.ty(t, owned));
            }
            TypeDefKind::List(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_)
            | TypeDefKind::Tuple(_)
            | TypeDefKind::Handle(_) => {
                // Structural spelling of the same shape, so `Name` and its
                // definition are interchangeable.
                let anon = self.ty_id_structural(id, owned);
                let _ = writeln!(out, "pub type {name}{lt_params} = {anon};");
            }
            other => {
                return Err(Error::Unsupported {
                    item: format!("type `{wit_name}`"),
                    reason: format!(
                        "{} types are not supported by the Rust generator",
                        kind_name(other)
                    ),
                });
            }
        }
        Ok(out)
    }

    /// The borrowing definition of a record or variant, for import
    /// parameters: strings as `&'a str`, lists as `&'a [T]`.
    fn borrowed_def(&self, id: TypeId, name: String) -> String {
        let def = &self.resolve.types[id];
        let mode = TypeMode::ImportElem { lifetime: "'a" };
        let mut out = docs(&def.docs);
        out.push_str(&self.derives(&["Clone", "Copy", "Debug"], &Type::Id(id)));
        match &def.kind {
            TypeDefKind::Record(r) => {
                let _ = writeln!(out, "pub struct {name}<'a> {{");
                for f in &r.fields {
                    out.push_str(&docs(&f.docs));
                    let _ = writeln!(
                        out,
                        "pub {}: {},",
                        field_name(&f.name),
                        self.ty(&f.ty, mode)
                    );
                }
                out.push_str("}\n");
            }
            TypeDefKind::Variant(v) => {
                let _ = writeln!(out, "pub enum {name}<'a> {{");
                for c in &v.cases {
                    out.push_str(&docs(&c.docs));
                    match &c.ty {
                        Some(t) => {
                            let _ = writeln!(out, "{}({}),", case_name(&c.name), self.ty(t, mode));
                        }
                        None => {
                            let _ = writeln!(out, "{},", case_name(&c.name));
                        }
                    }
                }
                out.push_str("}\n");
            }
            _ => {}
        }
        out
    }

    fn ty_id_structural(&self, id: TypeId, mode: TypeMode) -> String {
        self.ty_id_spelled(id, mode, true)
    }

    fn flags(&self, name: &str, f: &wit_parser::Flags, id: TypeId) -> String {
        let repr = self.flags_repr(id);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]\npub struct {name} {{\nbits: {repr},\n}}"
        );
        let all: u64 = if f.flags.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << f.flags.len()) - 1
        };
        let _ = writeln!(out, "impl {name} {{");
        for (i, flag) in f.flags.iter().enumerate() {
            out.push_str(&docs(&flag.docs));
            let _ = writeln!(
                out,
                "pub const {}: Self = Self {{ bits: 1 << {i} }};",
                rust_shouty(&flag.name)
            );
        }
        let _ = write!(
            out,
            "pub const fn empty() -> Self {{ Self {{ bits: 0 }} }}
pub const fn all() -> Self {{ Self {{ bits: {all} }} }}
pub const fn bits(&self) -> {repr} {{ self.bits }}
pub const fn from_bits_retain(bits: {repr}) -> Self {{ Self {{ bits }} }}
pub const fn from_bits(bits: {repr}) -> ::core::option::Option<Self> {{ if bits & !{all} == 0 {{ ::core::option::Option::Some(Self {{ bits }}) }} else {{ ::core::option::Option::None }} }}
pub const fn from_bits_truncate(bits: {repr}) -> Self {{ Self {{ bits: bits & {all} }} }}
pub const fn is_empty(&self) -> bool {{ self.bits == 0 }}
pub const fn is_all(&self) -> bool {{ self.bits == {all} }}
pub const fn contains(&self, other: Self) -> bool {{ self.bits & other.bits == other.bits }}
pub const fn intersects(&self, other: Self) -> bool {{ self.bits & other.bits != 0 }}
pub fn insert(&mut self, other: Self) {{ self.bits |= other.bits; }}
pub fn remove(&mut self, other: Self) {{ self.bits &= !other.bits; }}
pub fn toggle(&mut self, other: Self) {{ self.bits ^= other.bits; }}
pub fn set(&mut self, other: Self, value: bool) {{ if value {{ self.insert(other) }} else {{ self.remove(other) }} }}
pub const fn union(self, other: Self) -> Self {{ Self {{ bits: self.bits | other.bits }} }}
pub const fn intersection(self, other: Self) -> Self {{ Self {{ bits: self.bits & other.bits }} }}
pub const fn difference(self, other: Self) -> Self {{ Self {{ bits: self.bits & !other.bits }} }}
pub const fn symmetric_difference(self, other: Self) -> Self {{ Self {{ bits: self.bits ^ other.bits }} }}
pub const fn complement(self) -> Self {{ Self {{ bits: !self.bits & {all} }} }}
}}
"
        );
        for (tr, op, expr) in [
            ("BitOr", "bitor", "self.bits | other.bits"),
            ("BitAnd", "bitand", "self.bits & other.bits"),
            ("BitXor", "bitxor", "self.bits ^ other.bits"),
            ("Sub", "sub", "self.bits & !other.bits"),
        ] {
            let _ = writeln!(
                out,
                "impl ::core::ops::{tr} for {name} {{\ntype Output = Self;\nfn {op}(self, other: Self) -> Self {{ Self {{ bits: {expr} }} }}\n}}"
            );
            let _ = writeln!(
                out,
                "impl ::core::ops::{tr}Assign for {name} {{\nfn {op}_assign(&mut self, other: Self) {{ self.bits = {expr}; }}\n}}"
            );
        }
        let _ = writeln!(
            out,
            "impl ::core::ops::Not for {name} {{\ntype Output = Self;\nfn not(self) -> Self {{ self.complement() }}\n}}"
        );
        let mut debug = format!(
            "impl ::core::fmt::Debug for {name} {{\nfn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\nlet mut set = f.debug_tuple(\"{name}\");\n"
        );
        for flag in &f.flags {
            let c = rust_shouty(&flag.name);
            let _ = writeln!(
                debug,
                "if self.contains(Self::{c}) {{ set.field(&\"{c}\"); }}"
            );
        }
        debug.push_str("set.finish()\n}\n}\n");
        out.push_str(&debug);
        out
    }

    fn resource(&self, id: TypeId, name: &str, exported: bool) -> Result<String> {
        let mut out = String::new();
        let wit_name = self.resolve.types[id].name.clone().unwrap_or_default();
        let _ = write!(
            out,
            "#[derive(Debug)]
#[repr(transparent)]
pub struct {name} {{
handle: _rt::Resource<{name}>,
}}
impl {name} {{
#[doc(hidden)]
pub unsafe fn from_handle(handle: u32) -> Self {{
Self {{ handle: unsafe {{ _rt::Resource::from_handle(handle) }} }}
}}
#[doc(hidden)]
pub fn take_handle(&self) -> u32 {{
_rt::Resource::take_handle(&self.handle)
}}
#[doc(hidden)]
pub fn handle(&self) -> u32 {{
_rt::Resource::handle(&self.handle)
}}
}}
"
        );
        let owner = match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => Some(i),
            _ => None,
        };
        let key = owner.and_then(|i| self.world_key_of(i, exported));
        let iface_name = key
            .as_ref()
            .map(|k| self.resolve.name_world_key(k))
            .unwrap_or_else(|| "$root".into());
        if exported {
            let module = format!("[export]{iface_name}");
            let trait_name = format!("Guest{name}");
            let mod_name = format!(
                "_{}_intrinsics",
                rust_snake(&wit_name).trim_end_matches('_')
            );
            let _ = write!(
                out,
                "#[doc(hidden)]\nmod {mod_name} {{\n#[allow(unused_imports)]\nuse super::_rt;\n{}{}{}}}\n",
                import_decl(
                    "pub(super) ",
                    &module,
                    &format!("[resource-drop]{wit_name}"),
                    "drop",
                    &[WasmType::I32],
                    &[]
                ),
                import_decl(
                    "pub(super) ",
                    &module,
                    &format!("[resource-new]{wit_name}"),
                    "new",
                    &[WasmType::I32],
                    &[WasmType::I32]
                ),
                import_decl(
                    "pub(super) ",
                    &module,
                    &format!("[resource-rep]{wit_name}"),
                    "rep",
                    &[WasmType::I32],
                    &[WasmType::I32]
                ),
            );
            let _ = write!(
                out,
                "unsafe impl _rt::WasmResource for {name} {{
unsafe fn drop(handle: u32) {{
unsafe {{ {mod_name}::drop(handle as i32) }}
}}
}}
impl {name} {{
/// Makes a new resource of this type holding `value`.
pub fn new<T: {trait_name}>(value: T) -> {name} {{
unsafe {{
let rep = _rt::rep_new(value);
{name}::from_handle({mod_name}::new(rep as i32) as u32)
}}
}}
/// The value this handle refers to.
pub fn get<T: {trait_name}>(&self) -> &T {{
unsafe {{ _rt::rep_get::<T>({mod_name}::rep(self.handle() as i32) as u32) }}
}}
/// Takes the value out; the resource is dropped.
pub fn into_inner<T: {trait_name}>(self) -> T {{
unsafe {{ _rt::rep_take::<T>({mod_name}::rep(self.handle() as i32) as u32) }}
}}
}}
/// A borrowed `{wit_name}` this component implements.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct {name}Borrow<'a> {{
rep: usize,
_marker: ::core::marker::PhantomData<&'a {name}>,
}}
impl<'a> {name}Borrow<'a> {{
#[doc(hidden)]
pub unsafe fn lift(rep: usize) -> Self {{
Self {{ rep, _marker: ::core::marker::PhantomData }}
}}
pub fn get<T: {trait_name}>(&self) -> &'a T {{
unsafe {{ _rt::rep_get::<T>(self.rep as u32) }}
}}
}}
"
            );
        } else {
            let decl = import_decl(
                "",
                &iface_name,
                &format!("[resource-drop]{wit_name}"),
                "resource_drop",
                &[WasmType::I32],
                &[],
            );
            let _ = write!(
                out,
                "unsafe impl _rt::WasmResource for {name} {{
unsafe fn drop(handle: u32) {{
{decl}unsafe {{ resource_drop(handle as i32) }}
}}
}}
"
            );
        }
        Ok(out)
    }

    fn world_key_of(&self, iface: InterfaceId, exported: bool) -> Option<WorldKey> {
        let world = &self.resolve.worlds[self.world];
        let items = if exported {
            &world.exports
        } else {
            &world.imports
        };
        items.iter().find_map(|(k, item)| match item {
            WorldItem::Interface { id, .. } if *id == iface => Some(k.clone()),
            _ => None,
        })
    }

    // ---- imports ------------------------------------------------------------

    fn fn_name(f: &Function) -> String {
        match &f.kind {
            FunctionKind::Constructor(_) => "new".into(),
            _ => rust_snake(f.item_name()),
        }
    }

    fn import_function(&self, key: Option<&WorldKey>, f: &Function) -> Result<String> {
        if f.kind.is_async() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: "async functions are not supported by the Rust generator yet".into(),
            });
        }
        let sig = self.resolve.wasm_signature(AbiVariant::GuestImport, f);
        let (module, field) = self.resolve.wasm_import_name(
            ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
            WasmImport::Func {
                interface: key,
                func: f,
            },
        );
        let mut glue = Glue::new(self, LowerMode::Borrow);
        let (is_method, params) = self.rust_params(f, TypeMode::ImportParam);
        let mut flat: Vec<(String, WasmType)> = Vec::new();
        if sig.indirect_params {
            let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
            let (size, align) = self.layouts.params(&types);
            let _ = align;
            glue.line(format!(
                "let mut params_area = ::core::mem::MaybeUninit::<[u64; {}]>::uninit();\nlet params_ptr = params_area.as_mut_ptr().cast::<u8>();",
                size.div_ceil(8).max(1)
            ));
            let offsets = self.layouts.field_offsets(types.iter());
            for ((p, ty), off) in params.iter().zip(&types).zip(offsets) {
                glue.store(ty, &format!("&{}", p.0), "params_ptr", off);
            }
            flat.push(("params_ptr".into(), WasmType::Pointer));
        } else {
            for (p, param) in params.iter().zip(&f.params) {
                glue.lower_flat(&param.ty, &format!("&{}", p.0), &mut flat);
            }
        }
        if sig.retptr {
            let ty = f.result.as_ref().expect("retptr implies a result");
            glue.line(format!(
                "let mut ret_area = ::core::mem::MaybeUninit::<[u64; {}]>::uninit();\nlet ret_ptr = ret_area.as_mut_ptr().cast::<u8>();",
                self.layouts.size(ty).div_ceil(8).max(1)
            ));
            flat.push(("ret_ptr".into(), WasmType::Pointer));
        }
        let decl = import_decl("", &module, &field, "wit_import", &sig.params, &sig.results);
        let args: Vec<String> = flat.iter().map(|(e, _)| e.clone()).collect();
        let call = format!("wit_import({})", args.join(", "));
        let result_expr = match (&f.result, sig.retptr) {
            (None, _) => {
                glue.line(format!("{call};"));
                None
            }
            (Some(ty), true) => {
                glue.line(format!("{call};"));
                Some(glue.load(ty, "ret_ptr", 0))
            }
            (Some(ty), false) => {
                // A result type with no flat values (an empty flags) is
                // lifted from nothing.
                let mut vals = match sig.results.first() {
                    Some(t) => {
                        glue.line(format!("let ret = {call};"));
                        vec![("ret".to_string(), *t)]
                    }
                    None => {
                        glue.line(format!("{call};"));
                        Vec::new()
                    }
                }
                .into_iter();
                Some(glue.lift_flat(ty, &mut vals))
            }
        };
        if let Some(e) = glue.error.take() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: e,
            });
        }
        let mut body = String::new();
        if glue.uses_cleanup {
            body.push_str(
                "let mut cleanup: _rt::Vec<(*mut u8, usize, usize)> = _rt::Vec::new();\n",
            );
        }
        body.push_str(&glue.body);
        let _ = writeln!(body, "{decl}");
        if glue.uses_cleanup {
            // Reorder: the declaration must precede its use; items may
            // appear anywhere in a block, so this is only cosmetic.
        }
        let ret_ty = f
            .result
            .as_ref()
            .map(|t| format!(" -> {}", self.ty(t, TypeMode::Owned { lifetime: "'_" })))
            .unwrap_or_default();
        let tail = match result_expr {
            Some(e) => {
                if glue.uses_cleanup {
                    format!(
                        "let result = {e};\nfor (ptr, size, align) in cleanup {{ _rt::dealloc(ptr, size, align); }}\nresult\n"
                    )
                } else {
                    format!("{e}\n")
                }
            }
            None if glue.uses_cleanup => {
                "for (ptr, size, align) in cleanup { _rt::dealloc(ptr, size, align); }\n".into()
            }
            None => String::new(),
        };
        let mut out = docs(&f.docs);
        let param_list: Vec<String> = params
            .iter()
            .enumerate()
            .filter(|(i, _)| !(is_method && *i == 0))
            .map(|(_, (n, t))| format!("{n}: {t}"))
            .collect();
        let self_param = if is_method { "&self" } else { "" };
        let all_params = if self_param.is_empty() {
            param_list.join(", ")
        } else if param_list.is_empty() {
            self_param.to_string()
        } else {
            format!("{self_param}, {}", param_list.join(", "))
        };
        let head = format!(
            "#[allow(unused_unsafe, clippy::all)]\npub fn {}({all_params}){ret_ty} {{\nunsafe {{\n",
            Self::fn_name(f)
        );
        let self_bind = if is_method { "let self_ = self;\n" } else { "" };
        let full = format!("{head}{self_bind}{body}{tail}}}\n}}\n");
        match f.kind.resource() {
            Some(r) => {
                let r = self.resource_of(r);
                let name = rust_camel(self.resolve.types[r].name.as_deref().unwrap_or(""));
                let _ = write!(out, "impl {name} {{\n{full}}}\n");
            }
            None => out.push_str(&full),
        }
        Ok(out)
    }

    /// Parameter names and types; a method's first parameter is `self_`.
    fn rust_params(&self, f: &Function, mode: TypeMode) -> (bool, Vec<(String, String)>) {
        let is_method = matches!(f.kind, FunctionKind::Method(_));
        let mut seen = HashSet::new();
        let params = f
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if is_method && i == 0 {
                    return ("self_".to_string(), String::new());
                }
                let mut name = rust_snake(&p.name);
                while !seen.insert(name.clone()) || name == "self_" {
                    name.push('_');
                }
                (name, self.ty(&p.ty, mode))
            })
            .collect();
        (is_method, params)
    }

    // ---- exports --------------------------------------------------------------

    fn export_trait(
        &self,
        key: Option<&WorldKey>,
        path: &[String],
        funcs: &[&Function],
        resources: &[TypeId],
    ) -> Result<String> {
        let mut out = String::new();
        let mut trait_items = String::new();
        let mut resource_items: IndexMap<TypeId, String> =
            resources.iter().map(|r| (*r, String::new())).collect();
        for r in resources {
            let name = rust_camel(self.resolve.types[*r].name.as_deref().unwrap_or(""));
            let _ = writeln!(trait_items, "type {name}: Guest{name};");
            let wit_name = self.resolve.types[*r].name.clone().unwrap_or_default();
            let iface = key
                .map(|k| self.resolve.name_world_key(k))
                .unwrap_or_default();
            let dtor = self.resolve.wasm_export_name(
                ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
                WasmExport::ResourceDtor {
                    interface: key.unwrap_or(&WorldKey::Name(String::new())),
                    resource: *r,
                },
            );
            let _ = iface;
            let _ = writeln!(
                out,
                "#[doc(hidden)]\n#[allow(non_snake_case)]\npub unsafe fn _export_dtor_{}_cabi<T: Guest{name}>(rep: *mut u8) {{\nunsafe {{ _rt::rep_drop::<T>(rep as usize as u32) }}\n}}",
                rust_snake(&wit_name)
            );
            self.export_entries.borrow_mut().push(ExportEntry {
                core_name: dtor,
                params: vec![WasmType::Pointer],
                results: vec![],
                target: format!(
                    "{}::_export_dtor_{}_cabi",
                    path.join("::"),
                    rust_snake(&wit_name)
                ),
                type_arg: Some(format!(
                    "<$ty as $($path)*::{}::Guest>::{name}",
                    path.join("::")
                )),
            });
        }
        for f in funcs {
            let (sig_text, cabi) = self.export_function(key, path, f)?;
            out.push_str(&cabi);
            match f.kind.resource() {
                Some(r) => {
                    let r = self.resource_of(r);
                    if let Some(items) = resource_items.get_mut(&r) {
                        items.push_str(&sig_text);
                    }
                }
                None => trait_items.push_str(&sig_text),
            }
        }
        let _ = writeln!(out, "pub trait Guest {{\n{trait_items}}}");
        for (r, items) in resource_items {
            let name = rust_camel(self.resolve.types[r].name.as_deref().unwrap_or(""));
            out.push_str(&docs(&self.resolve.types[r].docs));
            let _ = writeln!(out, "pub trait Guest{name}: 'static {{\n{items}}}");
        }
        Ok(out)
    }

    /// The trait method signature and the `_export_*_cabi` function.
    fn export_function(
        &self,
        key: Option<&WorldKey>,
        path: &[String],
        f: &Function,
    ) -> Result<(String, String)> {
        if f.kind.is_async() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: "async functions are not supported by the Rust generator yet".into(),
            });
        }
        let sig = self.resolve.wasm_signature(AbiVariant::GuestExport, f);
        let (core_name, post_name) = crate::abi::export_names(self.resolve, key, f);
        let owned = TypeMode::Owned { lifetime: "'_" };
        let (is_method, params) = self.rust_params(f, owned);
        let fn_ident = format!(
            "{}{}",
            f.kind
                .resource()
                .map(|r| format!(
                    "{}_",
                    rust_snake(
                        self.resolve.types[self.resource_of(r)]
                            .name
                            .as_deref()
                            .unwrap_or("")
                    )
                ))
                .unwrap_or_default(),
            rust_snake(f.item_name())
        );
        let fn_ident = if matches!(f.kind, FunctionKind::Constructor(_)) {
            format!("{fn_ident}_new")
        } else {
            fn_ident
        };
        let cabi_name = format!("_export_{fn_ident}_cabi");
        let post_fn = format!("__post_return_{fn_ident}");
        let resource = f.kind.resource().map(|r| self.resource_of(r));
        let bound = match resource {
            Some(r) => format!(
                "Guest{}",
                rust_camel(self.resolve.types[r].name.as_deref().unwrap_or(""))
            ),
            None => "Guest".into(),
        };

        // Trait signature.
        let mut sig_text = docs(&f.docs);
        let ret_ty = match (&f.kind, &f.result) {
            (FunctionKind::Constructor(_), _) => " -> Self".to_string(),
            (_, Some(t)) => format!(" -> {}", self.ty(t, owned)),
            (_, None) => String::new(),
        };
        let mut list: Vec<String> = Vec::new();
        if is_method {
            list.push("&self".into());
        }
        for (i, (n, t)) in params.iter().enumerate() {
            if is_method && i == 0 {
                continue;
            }
            list.push(format!("{n}: {t}"));
        }
        let where_clause = if matches!(
            f.kind,
            FunctionKind::Constructor(_) | FunctionKind::Static(_)
        ) && resource.is_some()
        {
            " where Self: Sized"
        } else {
            ""
        };
        let _ = writeln!(
            sig_text,
            "fn {}({}){ret_ty}{where_clause};",
            Self::fn_name(f),
            list.join(", ")
        );

        // The cabi function.
        let mut glue = Glue::new(self, LowerMode::Copy);
        let flat_params: Vec<String> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("arg{i}: {}", rust_flat_type(*t)))
            .collect();
        let mut args = Vec::new();
        let mut param_area = None;
        if sig.indirect_params {
            let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
            let offsets = self.layouts.field_offsets(types.iter());
            for (i, (ty, off)) in types.iter().zip(offsets).enumerate() {
                if is_method && i == 0 {
                    let e = "_rt::rep_get::<T>(arg0.cast::<u32>().read())".to_string();
                    args.push(e);
                    continue;
                }
                let e = glue.load(ty, "arg0", off);
                let t = glue.tmp("a");
                glue.line(format!("let {t} = {e};"));
                args.push(t);
            }
            param_area = Some(self.layouts.params(&types));
        } else {
            let mut flat = Vec::new();
            for (i, t) in sig.params.iter().enumerate() {
                flat.push((format!("arg{i}"), *t));
            }
            let mut iter = flat.into_iter();
            for (i, p) in f.params.iter().enumerate() {
                if is_method && i == 0 {
                    let _ = iter.next();
                    args.push("_rt::rep_get::<T>(arg0 as usize as u32)".into());
                    continue;
                }
                let e = glue.lift_flat(&p.ty, &mut iter);
                let t = glue.tmp("a");
                glue.line(format!("let {t} = {e};"));
                args.push(t);
            }
        }
        let callee = match resource {
            Some(_) => format!("T::{}", Self::fn_name(f)),
            None => format!("T::{}", Self::fn_name(f)),
        };
        if f.result.is_some() {
            glue.line(format!("let result = {callee}({});", args.join(", ")));
        } else {
            glue.line(format!("{callee}({});", args.join(", ")));
        }
        if let Some((size, align)) = param_area {
            glue.line(format!("_rt::dealloc(arg0, {size}, {align});"));
        }
        let result_ty: Option<Type> = match &f.kind {
            FunctionKind::Constructor(_) => f.result,
            _ => f.result,
        };
        if let (FunctionKind::Constructor(_), Some(r)) = (&f.kind, resource) {
            let name = rust_camel(self.resolve.types[r].name.as_deref().unwrap_or(""));
            glue.line(format!("let result = {name}::new(result);"));
        }
        let ret_rust = match (&result_ty, sig.retptr) {
            (None, _) => String::new(),
            (Some(ty), true) => {
                let size = self.layouts.size(ty);
                let align = self.layouts.align(ty);
                glue.line(format!("let ret = _rt::alloc({size}, {align});"));
                glue.store(ty, "&result", "ret", 0);
                glue.line("ret");
                " -> *mut u8".into()
            }
            (Some(ty), false) => {
                let mut out = Vec::new();
                glue.lower_flat(ty, "&result", &mut out);
                match (out.first(), sig.results.first()) {
                    (Some((value, _)), Some(t)) => {
                        glue.line(value.clone());
                        format!(" -> {}", rust_flat_type(*t))
                    }
                    _ => String::new(),
                }
            }
        };
        if let Some(e) = glue.error.take() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: e,
            });
        }
        if glue.uses_borrow_arena {
            glue.body.insert_str(
                0,
                "let mut borrow_arena: _rt::Vec<_rt::Box<dyn ::core::any::Any>> = _rt::Vec::new();\n",
            );
        }
        let mut cabi = String::new();
        let _ = write!(
            cabi,
            "#[doc(hidden)]\n#[allow(non_snake_case, unused_unsafe, clippy::all)]\npub unsafe fn {cabi_name}<T: {bound}>({}){ret_rust} {{\nunsafe {{\n_rt::maybe_link_cabi_realloc();\n{}}}\n}}\n",
            flat_params.join(", "),
            glue.body
        );
        let type_arg = match resource {
            Some(r) => Some(format!(
                "<$ty as $($path)*::{}Guest>::{}",
                if path.is_empty() {
                    String::new()
                } else {
                    format!("{}::", path.join("::"))
                },
                rust_camel(self.resolve.types[r].name.as_deref().unwrap_or(""))
            )),
            None => Some("$ty".into()),
        };
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{}::", path.join("::"))
        };
        self.export_entries.borrow_mut().push(ExportEntry {
            core_name,
            params: sig.params.clone(),
            results: sig.results.clone(),
            target: format!("{prefix}{cabi_name}"),
            type_arg: type_arg.clone(),
        });
        if sig.retptr {
            let ty = result_ty.expect("retptr implies a result");
            let mut post = Glue::new(self, LowerMode::Copy);
            post.free(&ty, "arg0", 0);
            let _ = write!(
                cabi,
                "#[doc(hidden)]\n#[allow(non_snake_case, unused_unsafe, clippy::all)]\npub unsafe fn {post_fn}<T: {bound}>(arg0: *mut u8) {{\nunsafe {{\n{}_rt::dealloc(arg0, {}, {});\n}}\n}}\n",
                post.body,
                self.layouts.size(&ty),
                self.layouts.align(&ty)
            );
            self.export_entries.borrow_mut().push(ExportEntry {
                core_name: post_name,
                params: vec![WasmType::Pointer],
                results: vec![],
                target: format!("{prefix}{post_fn}"),
                type_arg,
            });
        }
        Ok((sig_text, cabi))
    }

    fn export_macro(&self) -> String {
        let world = rust_snake(&self.resolve.worlds[self.world].name);
        let entries = self.export_entries.borrow();
        let mut body = String::new();
        for (i, e) in entries.iter().enumerate() {
            let params: Vec<String> = e
                .params
                .iter()
                .enumerate()
                .map(|(j, t)| format!("arg{j}: {}", rust_flat_type(*t)))
                .collect();
            let args: Vec<String> = (0..e.params.len()).map(|j| format!("arg{j}")).collect();
            let ret = e
                .results
                .first()
                .map(|t| format!(" -> {}", rust_flat_type(*t)))
                .unwrap_or_default();
            let targ = e
                .type_arg
                .as_deref()
                .map(|t| format!("::<{t}>"))
                .unwrap_or_default();
            let _ = write!(
                body,
                "#[unsafe(export_name = \"{}\")]\nunsafe extern \"C\" fn export_{i}({}){ret} {{\nunsafe {{ $($path)*::{}{targ}({}) }}\n}}\n",
                e.core_name,
                params.join(", "),
                e.target,
                args.join(", ")
            );
        }
        let self_body = body.replace("$($path)*", "self");
        let macro_name = format!("__export_{world}_impl");
        format!(
            "/// Exports `$ty`, which implements this world's `Guest` traits, as the
/// component's implementation: `export!(MyType)` (or, from another module,
/// `export!(MyType with_types_in path::to::bindings)`).
#[allow(unused_macros)]
macro_rules! {macro_name} {{
($ty:ident) => {{
const _: () = {{
{self_body}}};
}};
($ty:ident with_types_in $($path:tt)*) => {{
const _: () = {{
{body}}};
}};
}}
#[doc(inline)]
#[allow(unused_imports)]
pub(crate) use {macro_name} as export;
"
        )
    }

    fn type_section(&self, metadata: &[u8]) -> String {
        let world = &self.resolve.worlds[self.world];
        let pkg = world
            .package
            .map(|p| self.resolve.packages[p].name.to_string())
            .unwrap_or_default();
        let suffix = self.opts.type_section_suffix.as_deref().unwrap_or("");
        let section = format!("component-type:compono:{pkg}:{}{suffix}", world.name);
        let mut bytes = String::with_capacity(metadata.len() * 4);
        for b in metadata {
            match *b {
                b'"' => bytes.push_str("\\\""),
                b'\\' => bytes.push_str("\\\\"),
                0x20..=0x7e => bytes.push(*b as char),
                other => {
                    let _ = write!(bytes, "\\x{other:02x}");
                }
            }
        }
        let ident = format!("__COMPONENT_TYPE_{}", rust_shouty(&world.name));
        format!(
            "#[cfg(target_arch = \"wasm32\")]
#[unsafe(link_section = \"{section}\")]
#[doc(hidden)]
#[used]
pub static {ident}: [u8; {}] = *b\"{bytes}\";
",
            metadata.len()
        )
    }

    fn stubs(&self) -> Result<String> {
        let world = &self.resolve.worlds[self.world];
        let mut out = String::from(
            "/// Implements every export with `unimplemented!()`.\n#[derive(Debug)]\npub struct Stub;\n",
        );
        let mut any = false;
        let stub_fn = |g: &Self, f: &Function, out: &mut String| {
            let owned = TypeMode::Owned { lifetime: "'_" };
            let (is_method, params) = g.rust_params(f, owned);
            let mut list = Vec::new();
            if is_method {
                list.push("&self".to_string());
            }
            for (i, (n, t)) in params.iter().enumerate() {
                if !(is_method && i == 0) {
                    list.push(format!("_{n}: {t}"));
                }
            }
            let ret = match (&f.kind, &f.result) {
                (FunctionKind::Constructor(_), _) => " -> Self".to_string(),
                (_, Some(t)) => format!(" -> {}", g.ty(t, owned)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "fn {}({}){ret} {{ unimplemented!() }}",
                Self::fn_name(f),
                list.join(", ")
            );
        };
        let world_funcs: Vec<&Function> = world
            .exports
            .values()
            .filter_map(|i| match i {
                WorldItem::Function(f) if !self.skipped(f) => Some(f),
                _ => None,
            })
            .collect();
        if !world_funcs.is_empty() {
            any = true;
            out.push_str("impl Guest for Stub {\n");
            for f in world_funcs {
                stub_fn(self, f, &mut out);
            }
            out.push_str("}\n");
        }
        for item in world.exports.values() {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            any = true;
            let path = self.modules[id].join("::");
            let iface = &self.resolve.interfaces[*id];
            let _ = writeln!(out, "impl {path}::Guest for Stub {{");
            for (name, ty) in &iface.types {
                if matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                    let _ = writeln!(out, "type {} = Stub;", rust_camel(name));
                }
            }
            self.with_module(&[], |g| {
                for f in iface
                    .functions
                    .values()
                    .filter(|f| f.kind.resource().is_none() && !g.skipped(f))
                {
                    let saved = g.current_depth.replace(0);
                    stub_fn(g, f, &mut out);
                    g.current_depth.replace(saved);
                }
            });
            out.push_str("}\n");
            for (name, ty) in &iface.types {
                if !matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                    continue;
                }
                let _ = writeln!(out, "impl {path}::Guest{} for Stub {{", rust_camel(name));
                for f in iface
                    .functions
                    .values()
                    .filter(|f| f.kind.resource() == Some(*ty) && !self.skipped(f))
                {
                    stub_fn(self, f, &mut out);
                }
                out.push_str("}\n");
            }
        }
        if any {
            out.push_str("export!(Stub);\n");
        }
        Ok(out)
    }
}

/// A core import, with a native stand-in so bindings compile off wasm.
fn import_decl(
    vis: &str,
    module: &str,
    field: &str,
    ident: &str,
    params: &[WasmType],
    results: &[WasmType],
) -> String {
    let ps: Vec<String> = params
        .iter()
        .map(|t| format!("_: {}", rust_flat_type(*t)))
        .collect();
    let ret = results
        .first()
        .map(|t| format!(" -> {}", rust_flat_type(*t)))
        .unwrap_or_default();
    let native_ps: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, t)| format!("_arg{i}: {}", rust_flat_type(*t)))
        .collect();
    format!(
        "#[cfg(target_arch = \"wasm32\")]
#[link(wasm_import_module = \"{module}\")]
unsafe extern \"C\" {{
#[link_name = \"{field}\"]
{vis}fn {ident}({}){ret};
}}
#[cfg(not(target_arch = \"wasm32\"))]
{vis}unsafe extern \"C\" fn {ident}({}){ret} {{
_rt::import_on_native(\"{module}#{field}\")
}}
",
        ps.join(", "),
        native_ps.join(", ")
    )
}

fn kind_name(kind: &TypeDefKind) -> &'static str {
    match kind {
        TypeDefKind::Future(_) => "future",
        TypeDefKind::Stream(_) => "stream",
        TypeDefKind::Map(..) => "map",
        TypeDefKind::FixedLengthList(..) => "fixed-length list",
        _ => "these",
    }
}
