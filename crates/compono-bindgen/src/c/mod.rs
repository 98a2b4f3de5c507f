//! C guest bindings: `<world>.h`, `<world>.c` and
//! `<world>_component_type.o`, with wit-bindgen's C names and ownership
//! rules: `<world>_string_t`, `*_free`, `*_string_set`/`_dup`, `exports_*`
//! functions to implement, `cabi_post_*` freeing export results, and
//! `*_own_<r>_t`/`*_borrow_<r>_t` handle types.
//!
//! On wasm32 a C value of these types has exactly its canonical ABI memory
//! layout (the canonical layout algorithm is C's), so the glue lowers and
//! lifts through memory: flat values are read from and written to a value's
//! bytes at canonical offsets, and spilled parameters and return areas are
//! the C values themselves.

mod object;

use crate::abi::{Layouts, flatten, join_cases};
use crate::naming::{c_snake, rust_shouty};
use crate::{Error, Files, Result};
use indexmap::IndexSet;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function, FunctionKind, Handle, Int, InterfaceId, LiftLowerAbi, ManglingAndAbi, Resolve, Type,
    TypeDefKind, TypeId, TypeOwner, WasmExport, WasmImport, WorldId, WorldItem, WorldKey,
};

/// Refuses, naming the type, a world whose types include what this
/// generator has no C for yet (`future`, `stream`, fixed-length lists,
/// maps), even in a type no function uses: it would be declared.
fn refuse_unsupported_types(resolve: &Resolve, world: WorldId) -> Result<()> {
    let w = &resolve.worlds[world];
    let mut roots: Vec<TypeId> = Vec::new();
    for item in w.imports.values().chain(w.exports.values()) {
        match item {
            WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                roots.extend(iface.types.values().copied());
                for f in iface.functions.values() {
                    roots.extend(f.parameter_and_result_types().filter_map(|t| match t {
                        Type::Id(id) => Some(id),
                        _ => None,
                    }));
                }
            }
            WorldItem::Function(f) => {
                roots.extend(f.parameter_and_result_types().filter_map(|t| match t {
                    Type::Id(id) => Some(id),
                    _ => None,
                }));
            }
            WorldItem::Type { id, .. } => roots.push(*id),
        }
    }
    let mut seen = HashSet::new();
    while let Some(id) = roots.pop() {
        if !seen.insert(id) {
            continue;
        }
        let def = &resolve.types[id];
        let what = match &def.kind {
            TypeDefKind::Future(_) => Some("future"),
            TypeDefKind::Stream(_) => Some("stream"),
            TypeDefKind::FixedLengthList(..) => Some("fixed-length list"),
            TypeDefKind::Map(..) => Some("map"),
            _ => None,
        };
        if let Some(what) = what {
            return Err(Error::Unsupported {
                item: match &def.name {
                    Some(name) => format!("type `{name}`"),
                    None => "a type".to_string(),
                },
                reason: format!("`{what}` types are not supported by the C generator yet"),
            });
        }
        let mut parts = Vec::new();
        crate::abi::type_parts(&def.kind, &mut parts);
        roots.extend(parts);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StringEncoding {
    #[default]
    Utf8,
    Utf16,
}

#[derive(Debug, Clone, Default)]
pub struct Opts {
    pub string_encoding: StringEncoding,
    pub no_object_file: bool,
    /// `ns:pkg/iface` to the C prefix used instead of the default.
    pub rename: Vec<(String, String)>,
}

pub fn generate(resolve: &Resolve, world: WorldId, opts: &Opts) -> Result<Files> {
    let encoding = match opts.string_encoding {
        StringEncoding::Utf8 => compono_wit::StringEncoding::Utf8,
        StringEncoding::Utf16 => compono_wit::StringEncoding::Utf16,
    };
    let metadata = compono_wit::encode_world_metadata(resolve, world, encoding)?;
    refuse_unsupported_types(resolve, world)?;
    let mut resolve = resolve.clone();
    resolve.generate_nominal_type_ids(world);
    let layouts = Layouts::new(&resolve)?;
    let w = c_snake(&resolve.worlds[world].name);
    let mut g = CGen {
        resolve: &resolve,
        world,
        opts,
        layouts,
        w: w.clone(),
        prefixes: HashMap::new(),
        exported_ifaces: HashSet::new(),
        types_h: String::new(),
        funcs_h: String::new(),
        c: String::new(),
        defined: HashSet::new(),
        defined_names: HashSet::new(),
        free_fns: IndexSet::new(),
        next: 0,
    };
    g.plan()?;
    g.emit()?;
    let section = format!(
        "component-type:compono:{}:{}",
        resolve.worlds[world]
            .package
            .map(|p| resolve.packages[p].name.to_string())
            .unwrap_or_default(),
        resolve.worlds[world].name
    );
    let mut files = Files::default();
    let (h, c) = g.finish();
    files.push(format!("{w}.h"), h);
    files.push(format!("{w}.c"), c);
    if !opts.no_object_file {
        files.push(
            format!("{w}_component_type.o"),
            object::component_type_object(&w, &section, &metadata),
        );
    }
    Ok(files)
}

struct CGen<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    opts: &'a Opts,
    layouts: Layouts,
    /// `c_snake(world name)`.
    w: String,
    /// C prefix of every interface (`exports_` included for exports).
    prefixes: HashMap<InterfaceId, String>,
    exported_ifaces: HashSet<InterfaceId>,
    types_h: String,
    funcs_h: String,
    c: String,
    defined: HashSet<TypeId>,
    /// Structural types are spelled by shape: two ids may share a name.
    defined_names: HashSet<String>,
    /// Types with a `_free` function, by C name.
    free_fns: IndexSet<String>,
    next: usize,
}

/// The C spelling of a flat core type: pointers and lengths are 32-bit.
fn flat_c(ty: WasmType) -> &'static str {
    match simplify(ty) {
        WasmType::I64 => "int64_t",
        WasmType::F32 => "float",
        WasmType::F64 => "double",
        _ => "int32_t",
    }
}

fn simplify(ty: WasmType) -> WasmType {
    match ty {
        WasmType::Pointer | WasmType::Length => WasmType::I32,
        WasmType::PointerOrI64 => WasmType::I64,
        t => t,
    }
}

fn cast_to_slot(e: &str, from: WasmType, to: WasmType) -> String {
    use WasmType::*;
    match (simplify(from), simplify(to)) {
        (a, b) if a == b => e.to_string(),
        (I32, I64) => format!("(int64_t)(uint32_t)({e})"),
        (F32, I32) => format!("__wit_f32_to_i32({e})"),
        (F32, I64) => format!("(int64_t)(uint32_t)__wit_f32_to_i32({e})"),
        (F64, I64) => format!("__wit_f64_to_i64({e})"),
        (_, t) => format!("({})({e})", flat_c(t)),
    }
}

fn cast_from_slot(e: &str, slot: WasmType, to: WasmType) -> String {
    use WasmType::*;
    match (simplify(slot), simplify(to)) {
        (a, b) if a == b => e.to_string(),
        (I64, I32) => format!("(int32_t)({e})"),
        (I32, F32) => format!("__wit_i32_to_f32({e})"),
        (I64, F32) => format!("__wit_i32_to_f32((int32_t)({e}))"),
        (I64, F64) => format!("__wit_i64_to_f64({e})"),
        (_, t) => format!("({})({e})", flat_c(t)),
    }
}

enum RetKind {
    None,
    Scalar(String),
    Ptr(String),
    Option(String),
    Result {
        ok: Option<String>,
        err: Option<String>,
    },
}

/// Calls the implementation of an export and stores its result into `dst`
/// (an lvalue of the WIT result's C type).
fn export_call(kind: &RetKind, name: &str, args: &[String], dst: &str) -> String {
    let with = |extra: &[&str]| {
        let mut all: Vec<String> = args.to_vec();
        all.extend(extra.iter().map(|s| s.to_string()));
        all.join(", ")
    };
    match kind {
        RetKind::None => format!("  {name}({});\n", with(&[])),
        RetKind::Scalar(_) => format!("  {dst} = {name}({});\n", with(&[])),
        RetKind::Ptr(_) => format!("  {name}({});\n", with(&[&format!("&{dst}")])),
        RetKind::Option(_) => format!(
            "  {dst}.is_some = {name}({});\n",
            with(&[&format!("&{dst}.val")])
        ),
        RetKind::Result { ok, err } => {
            let mut out = String::new();
            let mut extra = Vec::new();
            if let Some(ok) = ok {
                let _ = writeln!(out, "  {ok} ret_ok;");
                extra.push("&ret_ok");
            }
            if let Some(err) = err {
                let _ = writeln!(out, "  {err} ret_err;");
                extra.push("&ret_err");
            }
            let set_ok = if ok.is_some() {
                format!("    {dst}.val.ok = ret_ok;\n")
            } else {
                String::new()
            };
            let set_err = if err.is_some() {
                format!("    {dst}.val.err = ret_err;\n")
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "  bool is_ok = {name}({});\n  {dst}.is_err = !is_ok;\n  if (is_ok) {{\n{set_ok}  }} else {{\n{set_err}  }}\n",
                with(&extra)
            );
            out
        }
    }
}

fn int_c(tag: Int) -> &'static str {
    match tag {
        Int::U8 => "uint8_t",
        Int::U16 => "uint16_t",
        Int::U32 => "uint32_t",
        Int::U64 => "uint64_t",
    }
}

impl<'a> CGen<'a> {
    fn tmp(&mut self, p: &str) -> String {
        self.next += 1;
        format!("{p}{}", self.next)
    }

    fn plan(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        for (exported, items) in [(false, &world.imports), (true, &world.exports)] {
            for (key, item) in items {
                let WorldItem::Interface { id, .. } = item else {
                    continue;
                };
                let base = match key {
                    WorldKey::Name(n) => format!("{}_{}", self.w, c_snake(n)),
                    WorldKey::Interface(_) => {
                        let full = self.resolve.id_of(*id).unwrap_or_default();
                        let unversioned = full.split('@').next().unwrap_or("").to_string();
                        match self
                            .opts
                            .rename
                            .iter()
                            .find(|(k, _)| *k == full || *k == unversioned)
                        {
                            Some((_, v)) => v.clone(),
                            None => {
                                let iface = &self.resolve.interfaces[*id];
                                let pkg =
                                    &self.resolve.packages[iface.package.ok_or_else(|| {
                                        Error::Selection("an interface without a package".into())
                                    })?]
                                    .name;
                                format!(
                                    "{}_{}_{}",
                                    c_snake(&pkg.namespace),
                                    c_snake(&pkg.name),
                                    c_snake(iface.name.as_deref().unwrap_or(""))
                                )
                            }
                        }
                    }
                };
                let prefix = if exported {
                    self.exported_ifaces.insert(*id);
                    format!("exports_{base}")
                } else {
                    base
                };
                self.prefixes.insert(*id, prefix);
            }
        }
        Ok(())
    }

    fn string_t(&self) -> String {
        format!("{}_string_t", self.w)
    }

    fn owner_prefix(&self, owner: TypeOwner) -> String {
        match owner {
            TypeOwner::Interface(i) => self
                .prefixes
                .get(&i)
                .cloned()
                .unwrap_or_else(|| self.w.clone()),
            _ => self.w.clone(),
        }
    }

    fn resource_of(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    fn alias_target(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    fn is_exported_resource(&self, id: TypeId) -> bool {
        match self.resolve.types[self.resource_of(id)].owner {
            TypeOwner::Interface(i) => self.exported_ifaces.contains(&i),
            _ => false,
        }
    }

    /// `prefix_name` of a resource, without `_t`.
    fn resource_base(&self, r: TypeId) -> (String, String) {
        let r = self.resource_of(r);
        let def = &self.resolve.types[r];
        (
            self.owner_prefix(def.owner),
            c_snake(def.name.as_deref().unwrap_or("")),
        )
    }

    // ---- type names -----------------------------------------------------------

    fn c_type(&mut self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "uint8_t".into(),
            Type::S8 => "int8_t".into(),
            Type::U16 => "uint16_t".into(),
            Type::S16 => "int16_t".into(),
            Type::U32 => "uint32_t".into(),
            Type::S32 => "int32_t".into(),
            Type::U64 => "uint64_t".into(),
            Type::S64 => "int64_t".into(),
            Type::F32 => "float".into(),
            Type::F64 => "double".into(),
            Type::Char => "uint32_t".into(),
            Type::ErrorContext => "uint32_t".into(),
            Type::String => self.string_t(),
            Type::Id(id) => {
                self.define(*id);
                self.type_name(*id)
            }
        }
    }

    /// The C name of a type id (named or structural), e.g. `p_point_t`.
    fn type_name(&self, id: TypeId) -> String {
        let def = &self.resolve.types[id];
        if let TypeDefKind::Handle(h) = &def.kind {
            let (r, own) = match h {
                Handle::Own(r) => (*r, true),
                Handle::Borrow(r) => (*r, false),
            };
            let (p, n) = self.resource_base(r);
            return format!("{p}_{}_{n}_t", if own { "own" } else { "borrow" });
        }
        if let TypeDefKind::Resource = def.kind {
            let (p, n) = self.resource_base(id);
            return format!("{p}_{n}_t");
        }
        match &def.name {
            Some(name) => format!("{}_{}_t", self.owner_prefix(def.owner), c_snake(name)),
            None => format!("{}_{}_t", self.w, self.mangle_anon(id)),
        }
    }

    fn mangle(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::S8 => "s8".into(),
            Type::U16 => "u16".into(),
            Type::S16 => "s16".into(),
            Type::U32 => "u32".into(),
            Type::S32 => "s32".into(),
            Type::U64 => "u64".into(),
            Type::S64 => "s64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char32".into(),
            Type::ErrorContext => "error_context".into(),
            Type::String => "string".into(),
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                match (&def.name, &def.kind) {
                    (_, TypeDefKind::Handle(_)) | (_, TypeDefKind::Resource) | (Some(_), _) => {
                        let n = self.type_name(*id);
                        let n = n.strip_suffix("_t").unwrap_or(&n);
                        n.strip_prefix(&format!("{}_", self.w))
                            .unwrap_or(n)
                            .to_string()
                    }
                    (None, _) => self.mangle_anon(*id),
                }
            }
        }
    }

    fn mangle_anon(&self, id: TypeId) -> String {
        let opt = |t: &Option<Type>| {
            t.as_ref()
                .map(|t| self.mangle(t))
                .unwrap_or_else(|| "void".into())
        };
        match &self.resolve.types[id].kind {
            TypeDefKind::List(t) => format!("list_{}", self.mangle(t)),
            TypeDefKind::Option(t) => format!("option_{}", self.mangle(t)),
            TypeDefKind::Result(r) => format!("result_{}_{}", opt(&r.ok), opt(&r.err)),
            TypeDefKind::Tuple(t) => format!(
                "tuple{}_{}",
                t.types.len(),
                t.types
                    .iter()
                    .map(|t| self.mangle(t))
                    .collect::<Vec<_>>()
                    .join("_")
            ),
            TypeDefKind::Type(t) => self.mangle(t),
            _ => format!("anon{}", id.index()),
        }
    }

    fn needs_free(&self, ty: &Type) -> bool {
        crate::abi::needs_cleanup(self.resolve, ty)
    }

    /// Scalars are passed by value; everything else by pointer.
    fn is_scalar(&self, ty: &Type) -> bool {
        match ty {
            Type::String => false,
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => self.is_scalar(t),
                TypeDefKind::Enum(_) | TypeDefKind::Flags(_) | TypeDefKind::Handle(_) => true,
                _ => false,
            },
            _ => true,
        }
    }

    // ---- type definitions ---------------------------------------------------

    fn define(&mut self, id: TypeId) {
        if !self.defined.insert(id) {
            return;
        }
        let def = &self.resolve.types[id];
        if let TypeDefKind::Type(Type::Id(target)) = def.kind
            && matches!(
                self.resolve.types[self.resource_of(target)].kind,
                TypeDefKind::Resource
            )
        {
            // `use` of a resource: handles name the original.
            self.define(self.resource_of(target));
            return;
        }
        let name = self.type_name(id);
        let base = name.strip_suffix("_t").unwrap_or(&name).to_string();
        let shout = rust_shouty(&base);
        let mut out = String::new();
        if let Some(d) = &def.docs.contents {
            for line in d.lines() {
                let _ = writeln!(out, "// {line}");
            }
        }
        match &def.kind {
            TypeDefKind::Record(r) => {
                let fields: Vec<(String, String)> = r
                    .fields
                    .iter()
                    .map(|f| (self.c_type(&f.ty), c_snake(&f.name)))
                    .collect();
                let _ = writeln!(out, "typedef struct {name} {{");
                for (t, n) in fields {
                    let _ = writeln!(out, "  {t} {n};");
                }
                let _ = writeln!(out, "}} {name};\n");
            }
            TypeDefKind::Tuple(t) => {
                let fields: Vec<String> = t.types.iter().map(|t| self.c_type(t)).collect();
                let _ = writeln!(out, "typedef struct {name} {{");
                for (i, t) in fields.iter().enumerate() {
                    let _ = writeln!(out, "  {t} f{i};");
                }
                let _ = writeln!(out, "}} {name};\n");
            }
            TypeDefKind::Variant(v) => {
                let cases: Vec<(String, Option<String>)> = v
                    .cases
                    .iter()
                    .map(|c| (c_snake(&c.name), c.ty.as_ref().map(|t| self.c_type(t))))
                    .collect();
                let _ = writeln!(out, "typedef struct {name} {{\n  {} tag;", int_c(v.tag()));
                if cases.iter().any(|(_, t)| t.is_some()) {
                    out.push_str("  union {\n");
                    for (n, t) in &cases {
                        if let Some(t) = t {
                            let _ = writeln!(out, "    {t} {n};");
                        }
                    }
                    out.push_str("  } val;\n");
                }
                let _ = writeln!(out, "}} {name};\n");
                for (i, c) in v.cases.iter().enumerate() {
                    let _ = writeln!(out, "#define {shout}_{} {i}", rust_shouty(&c.name));
                }
                out.push('\n');
            }
            TypeDefKind::Enum(e) => {
                let _ = writeln!(out, "typedef {} {name};\n", int_c(e.tag()));
                for (i, c) in e.cases.iter().enumerate() {
                    let _ = writeln!(out, "#define {shout}_{} {i}", rust_shouty(&c.name));
                }
                out.push('\n');
            }
            TypeDefKind::Flags(f) => {
                let repr = match self.layouts.size(&Type::Id(id)) {
                    1 => "uint8_t",
                    2 => "uint16_t",
                    4 => "uint32_t",
                    _ => "uint64_t",
                };
                let _ = writeln!(out, "typedef {repr} {name};\n");
                for (i, c) in f.flags.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "#define {shout}_{} (({repr}) 1 << {i})",
                        rust_shouty(&c.name)
                    );
                }
                out.push('\n');
            }
            TypeDefKind::Option(t) => {
                let t = self.c_type(t);
                let _ = writeln!(
                    out,
                    "typedef struct {name} {{\n  bool is_some;\n  {t} val;\n}} {name};\n"
                );
            }
            TypeDefKind::Result(r) => {
                let ok = r.ok.as_ref().map(|t| self.c_type(t));
                let err = r.err.as_ref().map(|t| self.c_type(t));
                let _ = writeln!(out, "typedef struct {name} {{\n  bool is_err;");
                if ok.is_some() || err.is_some() {
                    out.push_str("  union {\n");
                    if let Some(ok) = ok {
                        let _ = writeln!(out, "    {ok} ok;");
                    }
                    if let Some(err) = err {
                        let _ = writeln!(out, "    {err} err;");
                    }
                    out.push_str("  } val;\n");
                }
                let _ = writeln!(out, "}} {name};\n");
            }
            TypeDefKind::List(t) => {
                let t = self.c_type(t);
                let _ = writeln!(
                    out,
                    "typedef struct {name} {{\n  {t} *ptr;\n  size_t len;\n}} {name};\n"
                );
            }
            TypeDefKind::Type(t) => {
                let t = self.c_type(t);
                if t != name {
                    let _ = writeln!(out, "typedef {t} {name};\n");
                }
            }
            TypeDefKind::Resource => {
                let (p, n) = self.resource_base(id);
                if self.is_exported_resource(id) {
                    let _ = writeln!(
                        out,
                        "// Defined by the implementation: the value a `{n}` handle refers to.\ntypedef struct {p}_{n}_t {p}_{n}_t;\n\ntypedef struct {p}_own_{n}_t {{\n  int32_t __handle;\n}} {p}_own_{n}_t;\n\ntypedef {p}_{n}_t* {p}_borrow_{n}_t;\n"
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "typedef struct {p}_own_{n}_t {{\n  int32_t __handle;\n}} {p}_own_{n}_t;\n\ntypedef struct {p}_borrow_{n}_t {{\n  int32_t __handle;\n}} {p}_borrow_{n}_t;\n"
                    );
                }
                self.resource_functions(id);
            }
            TypeDefKind::Handle(h) => {
                let r = match h {
                    Handle::Own(r) | Handle::Borrow(r) => self.resource_of(*r),
                };
                self.define(r);
            }
            _ => {}
        }
        if !self.defined_names.insert(name.clone()) {
            return;
        }
        self.types_h.push_str(&out);
        if self.needs_free(&Type::Id(id)) && !matches!(def.kind, TypeDefKind::Type(_)) {
            self.free_function(id, &name, &base);
        }
    }

    fn free_function(&mut self, id: TypeId, name: &str, base: &str) {
        if !self.free_fns.insert(name.to_string()) {
            return;
        }
        let _ = writeln!(self.funcs_h, "void {base}_free({name} *ptr);");
        let mut body = String::new();
        self.free_value(&Type::Id(id), "(*ptr)", &mut body, true);
        let _ = writeln!(self.c, "void {base}_free({name} *ptr) {{\n{body}}}\n");
    }

    /// Frees what `v` (an lvalue of `ty`) owns. `top` expands the type's
    /// own structure instead of calling its `_free`.
    fn free_value(&mut self, ty: &Type, v: &str, out: &mut String, top: bool) {
        if !self.needs_free(ty) {
            return;
        }
        match ty {
            Type::String => {
                let _ = writeln!(out, "  {}_string_free(&{v});", self.w);
            }
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                if !top {
                    if let TypeDefKind::Type(t) = &def.kind {
                        return self.free_value(t, v, out, false);
                    }
                    let name = self.c_type(ty);
                    let base = name.strip_suffix("_t").unwrap_or(&name);
                    let _ = writeln!(out, "  {base}_free(&{v});");
                    return;
                }
                match &def.kind {
                    TypeDefKind::Type(t) => self.free_value(t, v, out, false),
                    TypeDefKind::Record(r) => {
                        for f in &r.fields {
                            self.free_value(
                                &f.ty,
                                &format!("{v}.{}", c_snake(&f.name)),
                                out,
                                false,
                            );
                        }
                    }
                    TypeDefKind::Tuple(t) => {
                        for (i, t) in t.types.iter().enumerate() {
                            self.free_value(t, &format!("{v}.f{i}"), out, false);
                        }
                    }
                    TypeDefKind::List(t) => {
                        if self.needs_free(t) {
                            let i = self.tmp("i");
                            let mut inner = String::new();
                            self.free_value(t, &format!("{v}.ptr[{i}]"), &mut inner, false);
                            let _ = writeln!(
                                out,
                                "  for (size_t {i} = 0; {i} < {v}.len; {i}++) {{\n{inner}  }}"
                            );
                        }
                        let _ = writeln!(out, "  if ({v}.len > 0) {{\n    free({v}.ptr);\n  }}");
                    }
                    TypeDefKind::Option(t) => {
                        let mut inner = String::new();
                        self.free_value(t, &format!("{v}.val"), &mut inner, false);
                        let _ = writeln!(out, "  if ({v}.is_some) {{\n{inner}  }}");
                    }
                    TypeDefKind::Result(r) => {
                        let mut ok = String::new();
                        let mut err = String::new();
                        if let Some(t) = &r.ok {
                            self.free_value(t, &format!("{v}.val.ok"), &mut ok, false);
                        }
                        if let Some(t) = &r.err {
                            self.free_value(t, &format!("{v}.val.err"), &mut err, false);
                        }
                        let _ = writeln!(out, "  if (!{v}.is_err) {{\n{ok}  }} else {{\n{err}  }}");
                    }
                    TypeDefKind::Variant(var) => {
                        let _ = writeln!(out, "  switch ((int32_t) {v}.tag) {{");
                        for (i, c) in var.cases.iter().enumerate() {
                            let Some(t) = &c.ty else { continue };
                            let mut inner = String::new();
                            self.free_value(
                                t,
                                &format!("{v}.val.{}", c_snake(&c.name)),
                                &mut inner,
                                false,
                            );
                            if !inner.is_empty() {
                                let _ = writeln!(out, "  case {i}: {{\n{inner}    break;\n  }}");
                            }
                        }
                        out.push_str("  default: break;\n  }\n");
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn resource_functions(&mut self, id: TypeId) {
        let (p, n) = self.resource_base(id);
        let wit_name = self.resolve.types[id].name.clone().unwrap_or_default();
        let owner = match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => Some(i),
            _ => None,
        };
        let exported = self.is_exported_resource(id);
        let module = owner
            .and_then(|i| self.world_key_of(i, exported))
            .map(|k| self.resolve.name_world_key(&k))
            .unwrap_or_else(|| "$root".into());
        if exported {
            let _ = writeln!(
                self.funcs_h,
                "{p}_own_{n}_t {p}_{n}_new({p}_{n}_t *rep);\n{p}_{n}_t* {p}_{n}_rep({p}_own_{n}_t handle);\nvoid {p}_{n}_drop_own({p}_own_{n}_t handle);\n// Implemented by the component: frees `rep` when the last handle is dropped.\nvoid {p}_{n}_destructor({p}_{n}_t *rep);"
            );
            let key = owner.and_then(|i| self.world_key_of(i, true));
            let dtor = key
                .map(|k| {
                    self.resolve.wasm_export_name(
                        ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
                        WasmExport::ResourceDtor {
                            interface: &k,
                            resource: id,
                        },
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                self.c,
                "__attribute__((__import_module__(\"[export]{module}\"), __import_name__(\"[resource-new]{wit_name}\")))
extern int32_t __wasm_import_{p}_{n}_new(int32_t);
__attribute__((__import_module__(\"[export]{module}\"), __import_name__(\"[resource-rep]{wit_name}\")))
extern int32_t __wasm_import_{p}_{n}_rep(int32_t);
__attribute__((__import_module__(\"[export]{module}\"), __import_name__(\"[resource-drop]{wit_name}\")))
extern void __wasm_import_{p}_{n}_drop(int32_t);

{p}_own_{n}_t {p}_{n}_new({p}_{n}_t *rep) {{
  return ({p}_own_{n}_t) {{ __wasm_import_{p}_{n}_new((int32_t) (uintptr_t) rep) }};
}}

{p}_{n}_t* {p}_{n}_rep({p}_own_{n}_t handle) {{
  return ({p}_{n}_t*) (uintptr_t) __wasm_import_{p}_{n}_rep(handle.__handle);
}}

void {p}_{n}_drop_own({p}_own_{n}_t handle) {{
  __wasm_import_{p}_{n}_drop(handle.__handle);
}}

__attribute__((__export_name__(\"{dtor}\")))
void __wasm_export_{p}_{n}_dtor({p}_{n}_t *rep) {{
  {p}_{n}_destructor(rep);
}}
"
            );
        } else {
            let _ = writeln!(
                self.funcs_h,
                "void {p}_{n}_drop_own({p}_own_{n}_t handle);\n{p}_borrow_{n}_t {p}_borrow_{n}({p}_own_{n}_t handle);"
            );
            let _ = writeln!(
                self.c,
                "__attribute__((__import_module__(\"{module}\"), __import_name__(\"[resource-drop]{wit_name}\")))
extern void __wasm_import_{p}_{n}_drop(int32_t);

void {p}_{n}_drop_own({p}_own_{n}_t handle) {{
  __wasm_import_{p}_{n}_drop(handle.__handle);
}}

{p}_borrow_{n}_t {p}_borrow_{n}({p}_own_{n}_t handle) {{
  return ({p}_borrow_{n}_t) {{ handle.__handle }};
}}
"
            );
        }
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

    // ---- flat values from and to memory ------------------------------------

    /// Reads the flat values of the `ty` at `base + off` (base: `uint8_t*`).
    fn flat_from_mem(
        &mut self,
        ty: &Type,
        base: &str,
        off: usize,
        body: &mut String,
        out: &mut Vec<(String, WasmType)>,
    ) {
        let at = |c: &str, o: usize| format!("*(({c}*) ({base} + {o}))");
        match ty {
            Type::Bool | Type::U8 => {
                out.push((format!("(int32_t) {}", at("uint8_t", off)), WasmType::I32))
            }
            Type::S8 => out.push((format!("(int32_t) {}", at("int8_t", off)), WasmType::I32)),
            Type::U16 => out.push((format!("(int32_t) {}", at("uint16_t", off)), WasmType::I32)),
            Type::S16 => out.push((format!("(int32_t) {}", at("int16_t", off)), WasmType::I32)),
            Type::U32 | Type::S32 | Type::Char | Type::ErrorContext => {
                out.push((at("int32_t", off), WasmType::I32))
            }
            Type::U64 | Type::S64 => out.push((at("int64_t", off), WasmType::I64)),
            Type::F32 => out.push((at("float", off), WasmType::F32)),
            Type::F64 => out.push((at("double", off), WasmType::F64)),
            Type::String => {
                out.push((at("int32_t", off), WasmType::I32));
                out.push((at("int32_t", off + 4), WasmType::I32));
            }
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => self.flat_from_mem(t, base, off, body, out),
                TypeDefKind::Record(r) => {
                    let offs = self.layouts.field_offsets(r.fields.iter().map(|f| &f.ty));
                    for (f, o) in r.fields.iter().zip(offs) {
                        self.flat_from_mem(&f.ty, base, off + o, body, out);
                    }
                }
                TypeDefKind::Tuple(t) => {
                    let offs = self.layouts.field_offsets(t.types.iter());
                    for (t, o) in t.types.iter().zip(offs) {
                        self.flat_from_mem(t, base, off + o, body, out);
                    }
                }
                TypeDefKind::Flags(f) => match self.layouts.size(ty) {
                    1 => out.push((format!("(int32_t) {}", at("uint8_t", off)), WasmType::I32)),
                    2 => out.push((format!("(int32_t) {}", at("uint16_t", off)), WasmType::I32)),
                    _ => {
                        for i in 0..f.repr().count() {
                            out.push((at("int32_t", off + 4 * i), WasmType::I32));
                        }
                    }
                },
                TypeDefKind::Enum(e) => out.push((
                    format!("(int32_t) {}", at(int_c(e.tag()), off)),
                    WasmType::I32,
                )),
                TypeDefKind::Handle(_) | TypeDefKind::List(_) => {
                    out.push((at("int32_t", off), WasmType::I32));
                    if matches!(self.resolve.types[*id].kind, TypeDefKind::List(_)) {
                        out.push((at("int32_t", off + 4), WasmType::I32));
                    }
                }
                TypeDefKind::Variant(v) => {
                    let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
                    self.variant_from_mem(v.tag(), &cases, base, off, body, out);
                }
                TypeDefKind::Option(t) => {
                    self.variant_from_mem(Int::U8, &[None, Some(*t)], base, off, body, out)
                }
                TypeDefKind::Result(r) => {
                    self.variant_from_mem(Int::U8, &[r.ok, r.err], base, off, body, out)
                }
                _ => {}
            },
        }
    }

    fn variant_from_mem(
        &mut self,
        tag: Int,
        cases: &[Option<Type>],
        base: &str,
        off: usize,
        body: &mut String,
        out: &mut Vec<(String, WasmType)>,
    ) {
        let slots = join_cases(self.resolve, cases.iter().map(|c| c.as_ref()));
        let payload = self
            .layouts
            .payload_offset(tag, cases.iter().map(|c| c.as_ref()));
        let disc = self.tmp("disc");
        let _ = writeln!(
            body,
            "  int32_t {disc} = (int32_t) *(({}*) ({base} + {off}));",
            int_c(tag)
        );
        let names: Vec<String> = slots.iter().map(|_| self.tmp("slot")).collect();
        for (n, s) in names.iter().zip(&slots) {
            let _ = writeln!(body, "  {} {n} = 0;", flat_c(*s));
        }
        let _ = writeln!(body, "  switch ({disc}) {{");
        for (i, case) in cases.iter().enumerate() {
            let Some(t) = case else { continue };
            let mut inner = String::new();
            let mut vals = Vec::new();
            self.flat_from_mem(t, base, off + payload, &mut inner, &mut vals);
            for ((e, from), (n, slot)) in vals.iter().zip(names.iter().zip(&slots)) {
                let _ = writeln!(inner, "  {n} = {};", cast_to_slot(e, *from, *slot));
            }
            let _ = writeln!(body, "  case {i}: {{\n{inner}  break;\n  }}");
        }
        body.push_str("  default: break;\n  }\n");
        out.push((disc, WasmType::I32));
        out.extend(names.into_iter().zip(slots));
    }

    /// Writes the value of `ty` given by flat values into `base + off`.
    fn flat_to_mem(
        &mut self,
        ty: &Type,
        vals: &mut std::vec::IntoIter<(String, WasmType)>,
        base: &str,
        off: usize,
        body: &mut String,
    ) {
        let mut next = || vals.next().map(|(e, _)| e).unwrap_or_else(|| "0".into());
        let put = |body: &mut String, c: &str, o: usize, e: String| {
            let _ = writeln!(body, "  *(({c}*) ({base} + {o})) = ({c}) ({e});");
        };
        match ty {
            Type::Bool => {
                let e = next();
                put(body, "uint8_t", off, format!("{e} != 0"))
            }
            Type::U8 => put(body, "uint8_t", off, next()),
            Type::S8 => put(body, "int8_t", off, next()),
            Type::U16 => put(body, "uint16_t", off, next()),
            Type::S16 => put(body, "int16_t", off, next()),
            Type::U32 | Type::S32 | Type::Char | Type::ErrorContext => {
                put(body, "int32_t", off, next())
            }
            Type::U64 | Type::S64 => put(body, "int64_t", off, next()),
            Type::F32 => put(body, "float", off, next()),
            Type::F64 => put(body, "double", off, next()),
            Type::String => {
                put(body, "int32_t", off, next());
                put(body, "int32_t", off + 4, next());
            }
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => self.flat_to_mem(t, vals, base, off, body),
                TypeDefKind::Record(r) => {
                    let offs = self.layouts.field_offsets(r.fields.iter().map(|f| &f.ty));
                    for (f, o) in r.fields.iter().zip(offs) {
                        self.flat_to_mem(&f.ty, vals, base, off + o, body);
                    }
                }
                TypeDefKind::Tuple(t) => {
                    let offs = self.layouts.field_offsets(t.types.iter());
                    for (t, o) in t.types.iter().zip(offs) {
                        self.flat_to_mem(t, vals, base, off + o, body);
                    }
                }
                TypeDefKind::Flags(f) => match self.layouts.size(ty) {
                    1 => put(body, "uint8_t", off, next()),
                    2 => put(body, "uint16_t", off, next()),
                    _ => {
                        for i in 0..f.repr().count() {
                            put(body, "int32_t", off + 4 * i, next());
                        }
                    }
                },
                TypeDefKind::Enum(e) => put(body, int_c(e.tag()), off, next()),
                TypeDefKind::Handle(_) => put(body, "int32_t", off, next()),
                TypeDefKind::List(_) => {
                    put(body, "int32_t", off, next());
                    put(body, "int32_t", off + 4, next());
                }
                TypeDefKind::Variant(v) => {
                    let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
                    self.variant_to_mem(v.tag(), &cases, vals, base, off, body);
                }
                TypeDefKind::Option(t) => {
                    self.variant_to_mem(Int::U8, &[None, Some(*t)], vals, base, off, body)
                }
                TypeDefKind::Result(r) => {
                    self.variant_to_mem(Int::U8, &[r.ok, r.err], vals, base, off, body)
                }
                _ => {}
            },
        }
    }

    fn variant_to_mem(
        &mut self,
        tag: Int,
        cases: &[Option<Type>],
        vals: &mut std::vec::IntoIter<(String, WasmType)>,
        base: &str,
        off: usize,
        body: &mut String,
    ) {
        let slots = join_cases(self.resolve, cases.iter().map(|c| c.as_ref()));
        let payload = self
            .layouts
            .payload_offset(tag, cases.iter().map(|c| c.as_ref()));
        let disc = vals.next().map(|(e, _)| e).unwrap_or_else(|| "0".into());
        let slot_vals: Vec<String> = slots
            .iter()
            .map(|_| vals.next().map(|(e, _)| e).unwrap_or_else(|| "0".into()))
            .collect();
        let _ = writeln!(
            body,
            "  *(({}*) ({base} + {off})) = ({}) ({disc});",
            int_c(tag),
            int_c(tag)
        );
        let _ = writeln!(body, "  switch ({disc}) {{");
        for (i, case) in cases.iter().enumerate() {
            let Some(t) = case else { continue };
            let own = flatten(self.resolve, t);
            let casted: Vec<(String, WasmType)> = own
                .iter()
                .zip(slot_vals.iter().zip(&slots))
                .map(|(to, (e, slot))| (cast_from_slot(e, *slot, *to), *to))
                .collect();
            let mut inner = String::new();
            self.flat_to_mem(t, &mut casted.into_iter(), base, off + payload, &mut inner);
            let _ = writeln!(body, "  case {i}: {{\n{inner}  break;\n  }}");
        }
        body.push_str("  default: break;\n  }\n");
    }

    // ---- functions ------------------------------------------------------------

    /// The C function name of `f` under `prefix`.
    fn func_name(&self, prefix: &str, f: &Function) -> String {
        match &f.kind {
            FunctionKind::Constructor(r) => {
                format!("{prefix}_constructor_{}", self.resource_base(*r).1)
            }
            FunctionKind::Method(r) => format!(
                "{prefix}_method_{}_{}",
                self.resource_base(*r).1,
                c_snake(f.item_name())
            ),
            FunctionKind::Static(r) => format!(
                "{prefix}_static_{}_{}",
                self.resource_base(*r).1,
                c_snake(f.item_name())
            ),
            _ => format!("{prefix}_{}", c_snake(&f.name)),
        }
    }

    /// The user-facing prototype: scalars by value, others by pointer,
    /// compound results through `ret`.
    /// How a function's result reaches C: wit-bindgen's conventions, where a
    /// top-level `result` or `option` becomes a `bool` return with out
    /// pointers for the payloads.
    fn ret_kind(&mut self, f: &Function) -> RetKind {
        let Some(t) = &f.result else {
            return RetKind::None;
        };
        if let Type::Id(id) = t {
            match &self.resolve.types[*id].kind {
                TypeDefKind::Result(r) => {
                    let ok = r.ok.as_ref().map(|t| self.c_type(t));
                    let err = r.err.as_ref().map(|t| self.c_type(t));
                    return RetKind::Result { ok, err };
                }
                TypeDefKind::Option(t) => return RetKind::Option(self.c_type(t)),
                _ => {}
            }
        }
        if self.is_scalar(t) {
            RetKind::Scalar(self.c_type(t))
        } else {
            RetKind::Ptr(self.c_type(t))
        }
    }

    fn prototype(&mut self, name: &str, f: &Function) -> (String, Vec<String>) {
        let mut params = Vec::new();
        let mut names = Vec::new();
        for p in &f.params {
            let t = self.c_type(&p.ty);
            let n = c_snake(&p.name);
            if self.is_scalar(&p.ty) {
                params.push(format!("{t} {n}"));
            } else {
                params.push(format!("{t} *{n}"));
            }
            names.push(n);
        }
        let ret = match self.ret_kind(f) {
            RetKind::None => "void".into(),
            RetKind::Scalar(t) => t,
            RetKind::Ptr(t) => {
                params.push(format!("{t} *ret"));
                "void".into()
            }
            RetKind::Option(t) => {
                params.push(format!("{t} *ret"));
                "bool".into()
            }
            RetKind::Result { ok, err } => {
                if let Some(ok) = ok {
                    params.push(format!("{ok} *ret"));
                }
                if let Some(err) = err {
                    params.push(format!("{err} *err"));
                }
                "bool".into()
            }
        };
        let params = if params.is_empty() {
            "void".into()
        } else {
            params.join(", ")
        };
        (format!("{ret} {name}({params})"), names)
    }

    fn import_function(
        &mut self,
        key: Option<&WorldKey>,
        prefix: &str,
        f: &Function,
    ) -> Result<()> {
        if f.kind.is_async() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: "async functions are not supported by the C generator yet".into(),
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
        let name = self.func_name(prefix, f);
        let (proto, names) = self.prototype(&name, f);
        let _ = writeln!(self.funcs_h, "{proto};");
        let import_params: Vec<&str> = sig.params.iter().map(|t| flat_c(*t)).collect();
        let import_ret = sig.results.first().map(|t| flat_c(*t)).unwrap_or("void");
        let mut body = String::new();
        let mut args = Vec::new();
        if sig.indirect_params {
            let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
            let (size, _) = self.layouts.params(&types);
            let offs = self.layouts.field_offsets(types.iter());
            let _ = writeln!(
                body,
                "  __attribute__((__aligned__(8))) uint8_t params[{}];",
                size.max(1)
            );
            for ((p, t), o) in names.iter().zip(&types).zip(offs) {
                let size = self.layouts.size(t);
                let src = if self.is_scalar(t) {
                    format!("&{p}")
                } else {
                    p.clone()
                };
                let _ = writeln!(body, "  memcpy(params + {o}, {src}, {size});");
            }
            args.push("(int32_t) (uintptr_t) params".to_string());
        } else {
            for (p, param) in names.iter().zip(&f.params) {
                let base = if self.is_scalar(&param.ty) {
                    format!("((uint8_t*) &{p})")
                } else {
                    format!("((uint8_t*) {p})")
                };
                let mut vals = Vec::new();
                self.flat_from_mem(&param.ty, &base, 0, &mut body, &mut vals);
                args.extend(vals.into_iter().map(|(e, _)| e));
            }
        }
        let call = format!("__wasm_import_{name}({})", args.join(", "));
        let kind = self.ret_kind(f);
        match &f.result {
            None => {
                let _ = writeln!(body, "  {call};");
            }
            Some(t) => {
                // A plain compound result lands in the caller's `ret`,
                // which has the canonical layout; the others in a local.
                let direct = matches!(kind, RetKind::Ptr(_));
                let ct = self.c_type(t);
                if !direct {
                    let _ = writeln!(body, "  {ct} out;");
                }
                let target = if direct { "ret" } else { "&out" };
                if sig.retptr {
                    let call = format!(
                        "__wasm_import_{name}({}{}(int32_t) (uintptr_t) {target})",
                        args.join(", "),
                        if args.is_empty() { "" } else { ", " }
                    );
                    let _ = writeln!(body, "  {call};");
                } else {
                    let mut vals = match sig.results.first() {
                        Some(t) => {
                            let _ = writeln!(body, "  {import_ret} result = {call};");
                            vec![("result".to_string(), *t)]
                        }
                        None => {
                            let _ = writeln!(body, "  {call};");
                            Vec::new()
                        }
                    }
                    .into_iter();
                    self.flat_to_mem(
                        t,
                        &mut vals,
                        &format!("((uint8_t*) {target})"),
                        0,
                        &mut body,
                    );
                }
                match &kind {
                    RetKind::Scalar(_) => body.push_str("  return out;\n"),
                    RetKind::Option(_) => body.push_str(
                        "  if (out.is_some) {\n    *ret = out.val;\n    return true;\n  }\n  return false;\n",
                    ),
                    RetKind::Result { ok, err } => {
                        let set_ok = if ok.is_some() { "    *ret = out.val.ok;\n" } else { "" };
                        let set_err = if err.is_some() { "    *err = out.val.err;\n" } else { "" };
                        let _ = write!(
                            body,
                            "  if (!out.is_err) {{\n{set_ok}    return true;\n  }} else {{\n{set_err}    return false;\n  }}\n"
                        );
                    }
                    RetKind::Ptr(_) | RetKind::None => {}
                }
            }
        }
        let mut import_params = import_params.join(", ");
        if import_params.is_empty() {
            import_params = "void".into();
        }
        let _ = writeln!(
            self.c,
            "__attribute__((__import_module__(\"{module}\"), __import_name__(\"{field}\")))\nextern {import_ret} __wasm_import_{name}({import_params});\n\n{proto} {{\n{body}}}\n"
        );
        Ok(())
    }

    fn export_function(
        &mut self,
        key: Option<&WorldKey>,
        prefix: &str,
        f: &Function,
    ) -> Result<()> {
        if f.kind.is_async() {
            return Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason: "async functions are not supported by the C generator yet".into(),
            });
        }
        let sig = self.resolve.wasm_signature(AbiVariant::GuestExport, f);
        let (core, post) = crate::abi::export_names(self.resolve, key, f);
        let name = self.func_name(prefix, f);
        let (proto, _) = self.prototype(&name, f);
        let _ = writeln!(self.funcs_h, "{proto};");
        let flat_params: Vec<String> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} arg{i}", flat_c(*t)))
            .collect();
        let mut body = String::new();
        let mut call_args = Vec::new();
        if sig.indirect_params {
            let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
            let offs = self.layouts.field_offsets(types.iter());
            let _ = writeln!(body, "  uint8_t *params = (uint8_t*) (uintptr_t) arg0;");
            for (t, o) in types.iter().zip(offs) {
                let ct = self.c_type(t);
                if self.is_scalar(t) {
                    call_args.push(format!("*(({ct}*) (params + {o}))"));
                } else {
                    // The callee owns the arguments; the parameter block
                    // itself is the callee's too and is freed after the call.
                    let v = self.tmp("p");
                    let _ = writeln!(
                        body,
                        "  {ct} {v};\n  memcpy(&{v}, params + {o}, sizeof({v}));"
                    );
                    call_args.push(format!("&{v}"));
                }
            }
        } else {
            let mut flat = sig
                .params
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("arg{i}"), *t))
                .collect::<Vec<_>>()
                .into_iter();
            for p in &f.params {
                let ct = self.c_type(&p.ty);
                let v = self.tmp("p");
                let _ = writeln!(body, "  {ct} {v};");
                self.flat_to_mem(
                    &p.ty,
                    &mut flat,
                    &format!("((uint8_t*) &{v})"),
                    0,
                    &mut body,
                );
                if self.is_scalar(&p.ty) {
                    call_args.push(v);
                } else {
                    call_args.push(format!("&{v}"));
                }
            }
        }
        let ret_c = sig.results.first().map(|t| flat_c(*t)).unwrap_or("void");
        // Borrows of imported resources lent to this call must end before
        // it returns: the glue drops them once the implementation is done.
        let mut end_borrows = String::new();
        for (p, arg) in f.params.iter().zip(&call_args) {
            if let Type::Id(id) = p.ty
                && let TypeDefKind::Handle(Handle::Borrow(r)) =
                    self.resolve.types[self.alias_target(id)].kind
                && !self.is_exported_resource(r)
            {
                let (rp, rn) = self.resource_base(r);
                let _ = writeln!(
                    end_borrows,
                    "  __wasm_import_{rp}_{rn}_drop(({arg}).__handle);"
                );
            }
        }
        let free_params = if sig.indirect_params {
            format!("{end_borrows}  free(params);\n")
        } else {
            end_borrows
        };
        let free_params = free_params.as_str();
        match &f.result {
            None => {
                let _ = writeln!(body, "  {name}({});\n{free_params}", call_args.join(", "));
            }
            Some(t) if sig.retptr => {
                let ct = self.c_type(t);
                let size = self.layouts.size(t);
                let align = self.layouts.align(t);
                // A fresh area per call, freed by the post-return function.
                let _ = writeln!(
                    body,
                    "  {ct} *ret = ({ct}*) aligned_alloc({align}, {});",
                    size.max(align).div_ceil(align) * align
                );
                let kind = self.ret_kind(f);
                body.push_str(&export_call(&kind, &name, &call_args, "(*ret)"));
                let _ = writeln!(body, "{free_params}  return (int32_t) (uintptr_t) ret;");
                let mut post_body = String::new();
                self.free_value(t, "(*ret)", &mut post_body, false);
                let _ = writeln!(
                    self.c,
                    "__attribute__((__export_name__(\"{post}\")))\nvoid __wasm_export_{name}_post_return(int32_t arg0) {{\n  {ct} *ret = ({ct}*) (uintptr_t) arg0;\n{post_body}  free(ret);\n}}\n"
                );
            }
            Some(t) => {
                let ct = self.c_type(t);
                let kind = self.ret_kind(f);
                let _ = writeln!(body, "  {ct} ret;");
                body.push_str(&export_call(&kind, &name, &call_args, "ret"));
                body.push_str(free_params);
                let mut vals = Vec::new();
                self.flat_from_mem(t, "((uint8_t*) &ret)", 0, &mut body, &mut vals);
                if let Some((value, _)) = vals.first() {
                    let _ = writeln!(body, "  return {value};");
                }
            }
        }
        let params = if flat_params.is_empty() {
            "void".into()
        } else {
            flat_params.join(", ")
        };
        let _ = writeln!(
            self.c,
            "__attribute__((__export_name__(\"{core}\")))\n{ret_c} __wasm_export_{name}({params}) {{\n{body}}}\n"
        );
        Ok(())
    }

    // ---- the world --------------------------------------------------------------

    fn emit(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        let w = self.w.clone();
        for item in world.imports.values() {
            if let WorldItem::Type { id, .. } = item {
                self.define(*id);
            }
        }
        for (exported, items) in [
            (false, world.imports.clone()),
            (true, world.exports.clone()),
        ] {
            for (key, item) in &items {
                match item {
                    WorldItem::Interface { id, .. } => {
                        let iface = &self.resolve.interfaces[*id];
                        for t in iface.types.values() {
                            self.define(*t);
                        }
                        let prefix = self.prefixes[id].clone();
                        let _ = writeln!(
                            self.funcs_h,
                            "\n// {} `{}`",
                            if exported { "Export" } else { "Import" },
                            self.resolve.name_world_key(key)
                        );
                        for f in iface.functions.values() {
                            if exported {
                                self.export_function(Some(key), &prefix, f)?;
                            } else {
                                self.import_function(Some(key), &prefix, f)?;
                            }
                        }
                    }
                    WorldItem::Function(f) => {
                        if exported {
                            self.export_function(None, &format!("exports_{w}"), f)?;
                        } else {
                            self.import_function(None, &w, f)?;
                        }
                    }
                    WorldItem::Type { .. } => {}
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> (String, String) {
        let w = &self.w;
        let guard = format!("__BINDINGS_{}_H", w.to_uppercase());
        let (char_t, unit) = match self.opts.string_encoding {
            StringEncoding::Utf8 => ("uint8_t", "bytes"),
            StringEncoding::Utf16 => ("uint16_t", "UTF-16 code units"),
        };
        let src_t = match self.opts.string_encoding {
            StringEncoding::Utf8 => "const char",
            StringEncoding::Utf16 => "const uint16_t",
        };
        let h = format!(
            "// Generated by compono bindgen from WIT world `{world}`. Do not edit.
#ifndef {guard}
#define {guard}
#ifdef __cplusplus
extern \"C\" {{
#endif

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

// A string: `len` {unit}, not NUL-terminated.
typedef struct {w}_string_t {{
  {char_t} *ptr;
  size_t len;
}} {w}_string_t;

{types}
// Points `ret` at `s` without copying.
void {w}_string_set({w}_string_t *ret, {src_t} *s);
// Copies `s` into memory owned by `ret`.
void {w}_string_dup({w}_string_t *ret, {src_t} *s);
// Frees what `ret` owns.
void {w}_string_free({w}_string_t *ret);
{funcs}
#ifdef __cplusplus
}}
#endif
#endif
",
            world = self.resolve.worlds[self.world].name,
            types = self.types_h,
            funcs = self.funcs_h,
        );
        let force_link = if self.opts.no_object_file {
            String::new()
        } else {
            format!(
                "// Keeps `{w}_component_type.o`, which carries the component type, in the link.
extern void __component_type_object_force_link_{w}(void);
void __component_type_object_force_link_{w}_public_use_in_this_compilation_unit(void);
void __component_type_object_force_link_{w}_public_use_in_this_compilation_unit(void) {{
  __component_type_object_force_link_{w}();
}}
"
            )
        };
        let c = format!(
            "// Generated by compono bindgen. Do not edit.
#include \"{w}.h\"
#include <stdlib.h>
#include <string.h>

__attribute__((__unused__)) static int32_t __wit_f32_to_i32(float f) {{ int32_t i; memcpy(&i, &f, 4); return i; }}
__attribute__((__unused__)) static float __wit_i32_to_f32(int32_t i) {{ float f; memcpy(&f, &i, 4); return f; }}
__attribute__((__unused__)) static int64_t __wit_f64_to_i64(double f) {{ int64_t i; memcpy(&i, &f, 8); return i; }}
__attribute__((__unused__)) static double __wit_i64_to_f64(int64_t i) {{ double f; memcpy(&f, &i, 8); return f; }}

__attribute__((__weak__, __export_name__(\"cabi_realloc\")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {{
  (void) old_size;
  if (new_size == 0) return (void*) align;
  void *ret = realloc(ptr, new_size);
  if (!ret) abort();
  return ret;
}}

void {w}_string_set({w}_string_t *ret, {src_t} *s) {{
  size_t len = 0;
  while (s[len]) len++;
  ret->ptr = ({char_t}*) s;
  ret->len = len;
}}

void {w}_string_dup({w}_string_t *ret, {src_t} *s) {{
  size_t len = 0;
  while (s[len]) len++;
  ret->ptr = ({char_t}*) malloc(len * sizeof({char_t}) + 1);
  memcpy(ret->ptr, s, len * sizeof({char_t}));
  ret->len = len;
}}

void {w}_string_free({w}_string_t *ret) {{
  if (ret->len > 0) {{
    free(ret->ptr);
  }}
  ret->ptr = NULL;
  ret->len = 0;
}}

{body}
{force_link}",
            body = self.c,
        );
        (h, c)
    }
}
