//! C type definitions: one typedef per WIT type as the world is walked, in
//! the order wit-bindgen's C generator defines them (an interface's live
//! types, dependencies first), so that every name, every `_free` function
//! and every resource helper a wit-bindgen user calls exists here too.
//!
//! Which types get a `_free`: lists, options, results and variants always;
//! records, tuples and aliases when a part of them is a string or has a
//! `_free` itself. Their bodies free everything the value owns (memory, not
//! handles), spelled out in place.

use super::names::{c_ident, dealias, is_primitive_shape, shouty, snake, type_shape};
use super::{CGen, Scope, StringEncoding};
use crate::{Error, Result};
use std::fmt::Write;
use wit_parser::{Handle, Int, LiveTypes, Type, TypeDefKind, TypeId, TypeOwner, WorldKey};

/// What the bindings know about a resource: its handle types and the
/// import that drops a handle.
#[derive(Clone)]
pub struct ResourceInfo {
    pub own: String,
    pub borrow: String,
    pub imported: bool,
    /// The C name of the raw `[resource-drop]` import.
    pub drop_import: String,
}

pub fn int_c(tag: Int) -> &'static str {
    match tag {
        Int::U8 => "uint8_t",
        Int::U16 => "uint16_t",
        Int::U32 => "uint32_t",
        Int::U64 => "uint64_t",
    }
}

impl CGen<'_> {
    /// The C spelling of `ty`; named and anonymous types must have been
    /// defined already.
    pub fn c_type(&mut self, ty: &Type) -> Result<String> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "uint8_t".into(),
            Type::S8 => "int8_t".into(),
            Type::U16 => "uint16_t".into(),
            Type::S16 => "int16_t".into(),
            Type::U32 | Type::Char => "uint32_t".into(),
            Type::S32 => "int32_t".into(),
            Type::U64 => "uint64_t".into(),
            Type::S64 => "int64_t".into(),
            Type::F32 => "float".into(),
            Type::F64 => "double".into(),
            Type::String => {
                self.needs_string = true;
                format!("{}_string_t", self.w)
            }
            Type::ErrorContext => {
                return Err(Error::Unsupported {
                    item: "error-context".into(),
                    reason: "the C generator does not support error contexts yet".into(),
                });
            }
            Type::Id(id) => match self.type_names.get(id) {
                Some(name) => name.clone(),
                None => {
                    return Err(Error::Unsupported {
                        item: format!("type `{}`", type_shape(self.resolve, ty)),
                        reason: "used before the interface that defines it".into(),
                    });
                }
            },
        })
    }

    /// The namespace of a type's C name: the interface being generated for
    /// types it owns and anonymous types first used there, the world for
    /// the world's own types.
    fn owner_namespace(&self, id: TypeId, scope: &Scope) -> Result<String> {
        let def = &self.resolve.types[id];
        match (def.owner, scope.iface) {
            (TypeOwner::Interface(a), Some(b)) if a == b => Ok(self.scope_identifier(scope)),
            (TypeOwner::None, Some(_)) => Ok(self.scope_identifier(scope)),
            (TypeOwner::World(_) | TypeOwner::None, None) => Ok(self.w.clone()),
            _ => Err(Error::Unsupported {
                item: format!("type `{}`", type_shape(self.resolve, &Type::Id(id))),
                reason: "defined outside the interface that is generated".into(),
            }),
        }
    }

    /// Defines every type live in `live` that has no name yet.
    pub fn define_live_types(&mut self, live: &LiveTypes, scope: &Scope) -> Result<()> {
        for id in live.iter() {
            if self.type_names.contains_key(&id) {
                continue;
            }
            let shape = type_shape(self.resolve, &Type::Id(id));
            let named = self.resolve.types[id].name.is_some();
            // Anonymous types built from primitives alone are the world's,
            // one definition per shape; every other type is its owner's.
            let shared = !named && is_primitive_shape(self.resolve, id);
            let namespace = if shared {
                self.w.clone()
            } else {
                self.owner_namespace(id, scope)?
            };
            let name = format!("{namespace}_{shape}_t");
            if let Some(&other) = self.c_type_names.get(&name) {
                if shared && self.prim_names.contains(&name) {
                    self.type_names.insert(id, name);
                    continue;
                }
                return Err(Error::Unsupported {
                    item: format!("type `{shape}`"),
                    reason: format!(
                        "its C name `{name}` is also that of type `{}` elsewhere in the \
                         world (wit-bindgen gives both the same name too); rename the \
                         interface with `--rename`, or one of the types",
                        type_shape(self.resolve, &Type::Id(other))
                    ),
                });
            }
            self.c_type_names.insert(name.clone(), id);
            if shared {
                self.prim_names.insert(name.clone());
            }
            self.type_names.insert(id, name);
            if named {
                self.define_named(id, scope)?;
            } else {
                // A handle to a resource of this interface is the
                // resource's own handle type, defined with it.
                if let TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) =
                    self.resolve.types[id].kind
                    && dealias(self.resolve, r) == r
                {
                    continue;
                }
                self.define_anonymous(id)?;
            }
            self.define_free(id)?;
        }
        Ok(())
    }

    fn unsupported(&self, id: TypeId, what: &str) -> Error {
        Error::Unsupported {
            item: format!("type `{}`", type_shape(self.resolve, &Type::Id(id))),
            reason: format!("{what} are not supported by the C generator yet"),
        }
    }

    fn docs(&mut self, docs: &wit_parser::Docs) {
        if let Some(d) = &docs.contents {
            for line in d.trim().lines() {
                let _ = writeln!(self.h_defs, "// {line}");
            }
        }
    }

    fn define_named(&mut self, id: TypeId, scope: &Scope) -> Result<()> {
        let resolve = self.resolve;
        let def = &resolve.types[id];
        let name = self.type_names[&id].clone();
        let wit_name = def.name.clone().unwrap_or_default();
        // Case constants: `NS_TYPE_CASE`.
        let constant_prefix = if matches!(
            def.kind,
            TypeDefKind::Flags(_) | TypeDefKind::Variant(_) | TypeDefKind::Enum(_)
        ) {
            format!(
                "{}_{}",
                shouty(&self.owner_namespace(id, scope)?),
                shouty(&wit_name)
            )
        } else {
            String::new()
        };
        let constant = |case: &str| Ok::<_, Error>(format!("{constant_prefix}_{}", shouty(case)));
        match &def.kind {
            TypeDefKind::Record(r) => {
                let mut fields = String::new();
                for f in &r.fields {
                    let _ = writeln!(fields, "  {} {};", self.c_type(&f.ty)?, c_ident(&f.name));
                }
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef struct {name} {{\n{fields}}} {name};");
            }
            TypeDefKind::Tuple(t) => {
                let body = self.tuple_fields(&t.types)?;
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef struct {name} {{\n{body}}} {name};");
            }
            TypeDefKind::Flags(f) => {
                // The component model allows at most 32 flags (wit-parser
                // rejects more), so every flag set fits a `uint32_t`.
                let repr = match f.flags.len() {
                    0..=8 => "uint8_t",
                    9..=16 => "uint16_t",
                    17..=32 => "uint32_t",
                    _ => {
                        return Err(Error::Unsupported {
                            item: format!("flags `{wit_name}`"),
                            reason: "more than 32 flags".into(),
                        });
                    }
                };
                let mut consts = String::new();
                for (i, flag) in f.flags.iter().enumerate() {
                    let _ = writeln!(consts, "#define {} (1 << {i})", constant(&flag.name)?);
                }
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef {repr} {name};\n\n{consts}");
            }
            TypeDefKind::Variant(v) => {
                let mut body = format!("  {} tag;\n", int_c(v.tag()));
                let mut union = String::new();
                for c in &v.cases {
                    if let Some(t) = &c.ty {
                        let _ = writeln!(union, "    {} {};", self.c_type(t)?, c_ident(&c.name));
                    }
                }
                if !union.is_empty() {
                    let _ = write!(body, "  union {{\n{union}  }} val;\n");
                }
                let mut consts = String::new();
                for (i, c) in v.cases.iter().enumerate() {
                    let _ = writeln!(consts, "#define {} {i}", constant(&c.name)?);
                }
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(
                    self.h_defs,
                    "typedef struct {name} {{\n{body}}} {name};\n\n{consts}"
                );
            }
            TypeDefKind::Enum(e) => {
                let mut consts = String::new();
                for (i, c) in e.cases.iter().enumerate() {
                    let _ = writeln!(consts, "#define {} {i}", constant(&c.name)?);
                }
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(
                    self.h_defs,
                    "typedef {} {name};\n\n{consts}",
                    int_c(e.tag())
                );
            }
            TypeDefKind::Option(t) => {
                let body = self.option_fields(t)?;
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef struct {name} {{\n{body}}} {name};");
            }
            TypeDefKind::Result(r) => {
                let body = self.result_fields(&r.ok, &r.err)?;
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef struct {name} {{\n{body}}} {name};");
            }
            TypeDefKind::List(t) => {
                let body = format!("  {} *ptr;\n  size_t len;\n", self.c_type(t)?);
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef struct {name} {{\n{body}}} {name};");
            }
            TypeDefKind::Type(t) => {
                // A `use` of a resource names the resource's own handle
                // types; there is no value type to alias.
                if matches!(
                    resolve.types[dealias(resolve, id)].kind,
                    TypeDefKind::Resource
                ) {
                    return Ok(());
                }
                let target = self.c_type(t)?;
                self.h_defs.push('\n');
                self.docs(&def.docs);
                let _ = writeln!(self.h_defs, "typedef {target} {name};");
            }
            TypeDefKind::Resource => self.define_resource(id, scope)?,
            TypeDefKind::Handle(_) => {
                // Named handles do not occur in WIT; an alias names them.
                return Err(self.unsupported(id, "named handles"));
            }
            TypeDefKind::Map(..) => return Err(self.unsupported(id, "maps")),
            TypeDefKind::FixedLengthList(..) => {
                return Err(self.unsupported(id, "fixed-length lists"));
            }
            TypeDefKind::Future(_) => return Err(self.unsupported(id, "futures")),
            TypeDefKind::Stream(_) => return Err(self.unsupported(id, "streams")),
            TypeDefKind::Unknown => return Err(self.unsupported(id, "unknown types")),
        }
        Ok(())
    }

    fn tuple_fields(&mut self, types: &[Type]) -> Result<String> {
        let mut body = String::new();
        for (i, t) in types.iter().enumerate() {
            let _ = writeln!(body, "  {} f{i};", self.c_type(t)?);
        }
        Ok(body)
    }

    fn option_fields(&mut self, t: &Type) -> Result<String> {
        Ok(format!("  bool is_some;\n  {} val;\n", self.c_type(t)?))
    }

    fn result_fields(&mut self, ok: &Option<Type>, err: &Option<Type>) -> Result<String> {
        let mut body = String::from("  bool is_err;\n");
        if ok.is_some() || err.is_some() {
            body.push_str("  union {\n");
            if let Some(t) = ok {
                let _ = writeln!(body, "    {} ok;", self.c_type(t)?);
            }
            if let Some(t) = err {
                let _ = writeln!(body, "    {} err;", self.c_type(t)?);
            }
            body.push_str("  } val;\n");
        }
        Ok(body)
    }

    /// An anonymous type: an untagged struct (or a handle typedef).
    fn define_anonymous(&mut self, id: TypeId) -> Result<()> {
        let name = self.type_names[&id].clone();
        let body = match &self.resolve.types[id].kind {
            TypeDefKind::Handle(h) => {
                let (r, own) = match h {
                    Handle::Own(r) => (*r, true),
                    Handle::Borrow(r) => (*r, false),
                };
                let Some(info) = self.resources.get(&dealias(self.resolve, r)) else {
                    return Err(self.unsupported(id, "handles of resources outside the world"));
                };
                let target = if own { &info.own } else { &info.borrow };
                let _ = writeln!(self.h_defs, "\ntypedef {target} {name};");
                return Ok(());
            }
            TypeDefKind::Type(t) => {
                let target = self.c_type(t)?;
                let _ = writeln!(self.h_defs, "\ntypedef {target} {name};");
                return Ok(());
            }
            TypeDefKind::Tuple(t) => self.tuple_fields(&t.types)?,
            TypeDefKind::Option(t) => self.option_fields(t)?,
            TypeDefKind::Result(r) => self.result_fields(&r.ok, &r.err)?,
            TypeDefKind::List(t) => format!("  {} *ptr;\n  size_t len;\n", self.c_type(t)?),
            TypeDefKind::Map(..) => return Err(self.unsupported(id, "maps")),
            TypeDefKind::FixedLengthList(..) => {
                return Err(self.unsupported(id, "fixed-length lists"));
            }
            TypeDefKind::Future(_) => return Err(self.unsupported(id, "futures")),
            TypeDefKind::Stream(_) => return Err(self.unsupported(id, "streams")),
            _ => return Err(self.unsupported(id, "anonymous types of this kind")),
        };
        let _ = writeln!(self.h_defs, "\ntypedef struct {{\n{body}}} {name};");
        Ok(())
    }

    /// Whether wit-bindgen's C generator gives `id` a `_free` function: it
    /// does when freeing the value has something to do at the top level.
    fn has_free(&self, id: TypeId) -> bool {
        let part = |t: &Type| match t {
            Type::String => true,
            Type::Id(id) => self.free_fns.contains_key(id),
            _ => false,
        };
        match &self.resolve.types[id].kind {
            TypeDefKind::Type(t) => part(t),
            TypeDefKind::Record(r) => r.fields.iter().any(|f| part(&f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(part),
            TypeDefKind::List(_)
            | TypeDefKind::Map(..)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_) => true,
            _ => false,
        }
    }

    fn define_free(&mut self, id: TypeId) -> Result<()> {
        if !self.has_free(id) {
            return Ok(());
        }
        let name = self.type_names[&id].clone();
        let prefix = name.strip_suffix("_t").unwrap_or(&name).to_string();
        let func = format!("{prefix}_free");
        let mut body = String::new();
        self.free_contents(&Type::Id(id), "(*ptr)", &mut body, true);
        let _ = writeln!(self.h_helpers, "\nvoid {func}({name} *ptr);");
        let _ = writeln!(self.c_helpers, "\nvoid {func}({name} *ptr) {{\n{body}}}");
        self.free_fns.insert(id, func);
        Ok(())
    }

    /// Frees what the value `v` (an lvalue of `ty`) owns: strings and list
    /// buffers, recursively; handles stay as they are. With `unused`, the
    /// code also marks `v` used when there is nothing to free.
    pub fn free_contents(&self, ty: &Type, v: &str, out: &mut String, unused: bool) {
        if !crate::abi::needs_cleanup(self.resolve, ty) {
            if unused {
                let _ = writeln!(out, "  (void) {v};");
            }
            return;
        }
        let Type::Id(id) = ty else {
            // A string.
            let _ = writeln!(out, "  if ({v}.len > 0) {{\n    free({v}.ptr);\n  }}");
            return;
        };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Type(t) => self.free_contents(t, v, out, false),
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    self.free_contents(&f.ty, &format!("{v}.{}", c_ident(&f.name)), out, false);
                }
            }
            TypeDefKind::Tuple(t) => {
                for (i, t) in t.types.iter().enumerate() {
                    self.free_contents(t, &format!("{v}.f{i}"), out, false);
                }
            }
            TypeDefKind::List(t) => {
                if crate::abi::needs_cleanup(self.resolve, t) {
                    let i = self.tmp("i");
                    let mut inner = String::new();
                    self.free_contents(t, &format!("{v}.ptr[{i}]"), &mut inner, false);
                    let _ = writeln!(
                        out,
                        "  for (size_t {i} = 0; {i} < {v}.len; {i}++) {{\n{inner}  }}"
                    );
                }
                let _ = writeln!(out, "  if ({v}.len > 0) {{\n    free({v}.ptr);\n  }}");
            }
            TypeDefKind::Option(t) => {
                let mut inner = String::new();
                self.free_contents(t, &format!("{v}.val"), &mut inner, false);
                let _ = writeln!(out, "  if ({v}.is_some) {{\n{inner}  }}");
            }
            TypeDefKind::Result(r) => {
                let mut ok = String::new();
                let mut err = String::new();
                if let Some(t) = &r.ok {
                    self.free_contents(t, &format!("{v}.val.ok"), &mut ok, false);
                }
                if let Some(t) = &r.err {
                    self.free_contents(t, &format!("{v}.val.err"), &mut err, false);
                }
                let _ = writeln!(out, "  if (!{v}.is_err) {{\n{ok}  }} else {{\n{err}  }}");
            }
            TypeDefKind::Variant(var) => {
                let _ = writeln!(out, "  switch ((int32_t) {v}.tag) {{");
                for (i, c) in var.cases.iter().enumerate() {
                    let Some(t) = &c.ty else { continue };
                    let mut inner = String::new();
                    self.free_contents(
                        t,
                        &format!("{v}.val.{}", c_ident(&c.name)),
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

    /// A resource's handle types, and its helpers: dropping an own handle
    /// (both directions); borrowing an own handle and dropping a borrow
    /// (imports); making a handle from a representation, reading it back,
    /// and the destructor the implementation writes (exports).
    fn define_resource(&mut self, id: TypeId, scope: &Scope) -> Result<()> {
        let resolve = self.resolve;
        let ns = self.owner_namespace(id, scope)?;
        let wit_name = resolve.types[id].name.clone().unwrap_or_default();
        let n = snake(&wit_name);
        let own = format!("{ns}_own_{n}_t");
        let borrow = format!("{ns}_borrow_{n}_t");
        let rep = self.type_names[&id].clone();
        let drop_import = format!("__wasm_import_{ns}_{n}_drop");
        let module = match (&scope.key, scope.import) {
            (Some(key), true) => resolve.name_world_key(key),
            (None, true) => "$root".into(),
            (Some(key), false) => format!("[export]{}", resolve.name_world_key(key)),
            (None, false) => {
                return Err(Error::Unsupported {
                    item: format!("resource `{wit_name}`"),
                    reason: "resources exported by the world itself are not supported by the C generator".into(),
                });
            }
        };
        let _ = writeln!(
            self.h_defs,
            "\ntypedef struct {own} {{\n  int32_t __handle;\n}} {own};"
        );
        let _ = writeln!(
            self.c_fns,
            "\n__attribute__((__import_module__(\"{module}\"), __import_name__(\"[resource-drop]{wit_name}\")))\nextern void {drop_import}(int32_t handle);"
        );
        let _ = writeln!(
            self.h_helpers,
            "\nextern void {ns}_{n}_drop_own({own} handle);"
        );
        let _ = writeln!(
            self.c_helpers,
            "\nvoid {ns}_{n}_drop_own({own} handle) {{\n  {drop_import}(handle.__handle);\n}}"
        );
        if scope.import {
            let _ = writeln!(
                self.h_defs,
                "\ntypedef struct {borrow} {{\n  int32_t __handle;\n}} {borrow};"
            );
            if !self.opts.autodrop_borrows {
                let _ = writeln!(
                    self.h_helpers,
                    "\nextern void {ns}_{n}_drop_borrow({borrow} handle);"
                );
                let _ = writeln!(
                    self.c_helpers,
                    "\nvoid {ns}_{n}_drop_borrow({borrow} handle) {{\n  {drop_import}(handle.__handle);\n}}"
                );
            }
            let _ = writeln!(
                self.h_helpers,
                "\nextern {borrow} {ns}_borrow_{n}({own} handle);"
            );
            let _ = writeln!(
                self.c_helpers,
                "\n{borrow} {ns}_borrow_{n}({own} handle) {{\n  return ({borrow}) {{ handle.__handle }};\n}}"
            );
        } else {
            let _ = writeln!(
                self.h_defs,
                "\n// Defined by the implementation: what a `{wit_name}` handle refers to.\ntypedef struct {rep} {rep};\n\ntypedef {rep}* {borrow};"
            );
            let _ = writeln!(
                self.h_helpers,
                "\nextern {own} {ns}_{n}_new({rep} *rep);\nextern {rep}* {ns}_{n}_rep({own} handle);\n// Implemented by the component: called when the last handle is dropped.\nvoid {ns}_{n}_destructor({rep} *rep);"
            );
            let dtor = match &scope.key {
                Some(key) => resolve.wasm_export_name(
                    wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
                    wit_parser::WasmExport::ResourceDtor {
                        interface: key,
                        resource: id,
                    },
                ),
                None => unreachable!("world-level exported resources are refused above"),
            };
            let _ = writeln!(
                self.c_helpers,
                "
__attribute__((__import_module__(\"{module}\"), __import_name__(\"[resource-new]{wit_name}\")))
extern int32_t __wasm_import_{ns}_{n}_new(int32_t);

__attribute__((__import_module__(\"{module}\"), __import_name__(\"[resource-rep]{wit_name}\")))
extern int32_t __wasm_import_{ns}_{n}_rep(int32_t);

{own} {ns}_{n}_new({rep} *rep) {{
  return ({own}) {{ __wasm_import_{ns}_{n}_new((int32_t) (uintptr_t) rep) }};
}}

{rep}* {ns}_{n}_rep({own} handle) {{
  return ({rep}*) (uintptr_t) __wasm_import_{ns}_{n}_rep(handle.__handle);
}}

__attribute__((__export_name__(\"{dtor}\")))
void __wasm_export_{ns}_{n}_dtor({rep} *rep) {{
  {ns}_{n}_destructor(rep);
}}"
            );
        }
        self.resources.insert(
            id,
            ResourceInfo {
                own,
                borrow,
                imported: scope.import,
                drop_import,
            },
        );
        Ok(())
    }

    /// Whether `ty` holds a borrow of an imported resource, which an export
    /// must drop before it returns.
    pub fn has_droppable_borrow(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Handle(Handle::Borrow(r)) => self
                .resources
                .get(&dealias(self.resolve, *r))
                .is_some_and(|info| info.imported),
            TypeDefKind::Handle(Handle::Own(_)) => false,
            TypeDefKind::Type(t) | TypeDefKind::List(t) | TypeDefKind::Option(t) => {
                self.has_droppable_borrow(t)
            }
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.has_droppable_borrow(&f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.has_droppable_borrow(t)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .any(|c| c.ty.as_ref().is_some_and(|t| self.has_droppable_borrow(t))),
            TypeDefKind::Result(r) => [&r.ok, &r.err]
                .into_iter()
                .flatten()
                .any(|t| self.has_droppable_borrow(t)),
            _ => false,
        }
    }

    /// Code that records every borrow of an imported resource inside `v`
    /// (an lvalue of `ty`) so the export can drop them after the call,
    /// however deep in lists and variants they are.
    pub fn collect_borrows(&self, ty: &Type, v: &str, out: &mut String) {
        if !self.has_droppable_borrow(ty) {
            return;
        }
        let Type::Id(id) = ty else { return };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                let info = &self.resources[&dealias(self.resolve, *r)];
                let _ = writeln!(
                    out,
                    "  __wit_borrows_push(&__borrows, {}, ({v}).__handle);",
                    info.drop_import
                );
            }
            TypeDefKind::Type(t) => self.collect_borrows(t, v, out),
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    self.collect_borrows(&f.ty, &format!("{v}.{}", c_ident(&f.name)), out);
                }
            }
            TypeDefKind::Tuple(t) => {
                for (i, t) in t.types.iter().enumerate() {
                    self.collect_borrows(t, &format!("{v}.f{i}"), out);
                }
            }
            TypeDefKind::List(t) => {
                let i = self.tmp("i");
                let mut inner = String::new();
                self.collect_borrows(t, &format!("{v}.ptr[{i}]"), &mut inner);
                let _ = writeln!(
                    out,
                    "  for (size_t {i} = 0; {i} < {v}.len; {i}++) {{\n{inner}  }}"
                );
            }
            TypeDefKind::Option(t) => {
                let mut inner = String::new();
                self.collect_borrows(t, &format!("{v}.val"), &mut inner);
                let _ = writeln!(out, "  if ({v}.is_some) {{\n{inner}  }}");
            }
            TypeDefKind::Result(r) => {
                let mut ok = String::new();
                let mut err = String::new();
                if let Some(t) = &r.ok {
                    self.collect_borrows(t, &format!("{v}.val.ok"), &mut ok);
                }
                if let Some(t) = &r.err {
                    self.collect_borrows(t, &format!("{v}.val.err"), &mut err);
                }
                let _ = writeln!(out, "  if (!{v}.is_err) {{\n{ok}  }} else {{\n{err}  }}");
            }
            TypeDefKind::Variant(var) => {
                let _ = writeln!(out, "  switch ((int32_t) {v}.tag) {{");
                for (i, c) in var.cases.iter().enumerate() {
                    let Some(t) = &c.ty else { continue };
                    let mut inner = String::new();
                    self.collect_borrows(t, &format!("{v}.val.{}", c_ident(&c.name)), &mut inner);
                    if !inner.is_empty() {
                        let _ = writeln!(out, "  case {i}: {{\n{inner}    break;\n  }}");
                    }
                }
                out.push_str("  default: break;\n  }\n");
            }
            _ => {}
        }
    }

    /// The string type and its helpers, when the world uses strings.
    pub fn string_helpers(&self) -> (String, String, String) {
        let w = &self.w;
        let (unit, src, size, len, include) = match self.opts.string_encoding {
            StringEncoding::Utf8 => ("uint8_t", "char", 1, "strlen(s)".to_string(), ""),
            StringEncoding::Utf16 => (
                "uint16_t",
                "char16_t",
                2,
                format!("{w}_string_len(s)"),
                "#include <uchar.h>\n",
            ),
        };
        let typedef = format!(
            "{include}\ntypedef struct {w}_string_t {{\n  {unit} *ptr;\n  size_t len;\n}} {w}_string_t;\n"
        );
        let mut h = String::new();
        let mut c = String::new();
        if self.opts.string_encoding == StringEncoding::Utf16 {
            let _ = writeln!(
                h,
                "\n// The length of the NUL-terminated UTF-16 string `s`, in code units.\nsize_t {w}_string_len(const char16_t *s);"
            );
            let _ = writeln!(
                c,
                "\nsize_t {w}_string_len(const char16_t *s) {{\n  size_t len = 0;\n  while (s[len]) len++;\n  return len;\n}}"
            );
        }
        let _ = writeln!(
            h,
            "
// Points `ret` at the NUL-terminated string `s` without copying it.
void {w}_string_set({w}_string_t *ret, const {src} *s);

// Copies the NUL-terminated string `s` into memory owned by `ret`.
void {w}_string_dup({w}_string_t *ret, const {src} *s);

// Copies `len` code units of `s` into memory owned by `ret`.
void {w}_string_dup_n({w}_string_t *ret, const {src} *s, size_t len);

// Frees what `ret` owns and empties it.
void {w}_string_free({w}_string_t *ret);"
        );
        let _ = writeln!(
            c,
            "
void {w}_string_set({w}_string_t *ret, const {src} *s) {{
  ret->ptr = ({unit}*) s;
  ret->len = {len};
}}

void {w}_string_dup({w}_string_t *ret, const {src} *s) {{
  {w}_string_dup_n(ret, s, {len});
}}

void {w}_string_dup_n({w}_string_t *ret, const {src} *s, size_t len) {{
  ret->len = len;
  ret->ptr = ({unit}*) cabi_realloc(NULL, 0, {size}, len * {size});
  memcpy(ret->ptr, s, len * {size});
}}

void {w}_string_free({w}_string_t *ret) {{
  if (ret->len > 0) {{
    free(ret->ptr);
  }}
  ret->ptr = NULL;
  ret->len = 0;
}}"
        );
        (typedef, h, c)
    }

    /// Forgets the names of imported types no exported interface uses, so
    /// that exports define their own (wit-bindgen's rule: an interface both
    /// imported and exported has two sets of C types).
    pub fn keep_only_types_used_by_exports(&mut self) {
        let resolve = self.resolve;
        let world = &resolve.worlds[self.world];
        let mut exported = std::collections::HashSet::new();
        let mut live = LiveTypes::default();
        for item in world.exports.values() {
            if let wit_parser::WorldItem::Interface { id, .. } = item {
                exported.insert(*id);
                live.add_interface(resolve, *id);
            }
        }
        let mut imported = Vec::new();
        for ty in live.iter() {
            if let TypeOwner::Interface(i) = resolve.types[ty].owner
                && !exported.contains(&i)
                && !imported.contains(&i)
            {
                imported.push(i);
            }
        }
        let mut keep = LiveTypes::default();
        for i in imported {
            keep.add_interface(resolve, i);
        }
        self.type_names.retain(|id, _| keep.contains(*id));
        self.free_fns.retain(|id, _| keep.contains(*id));
        self.resources.retain(|id, _| keep.contains(*id));
    }

    /// The identifier of the interface (or world) a scope generates.
    pub fn scope_identifier(&self, scope: &Scope) -> String {
        match &scope.key {
            Some(key) => self.interface_identifier(key, !scope.import),
            None => self.w.clone(),
        }
    }

    pub fn interface_identifier(&self, key: &WorldKey, exported: bool) -> String {
        super::names::interface_identifier(
            self.resolve,
            key,
            exported,
            self.renamed.get(key).map(String::as_str),
        )
    }
}
