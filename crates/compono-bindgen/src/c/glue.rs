//! Function glue: the C prototypes (wit-bindgen's: scalars by value,
//! everything else by pointer, a top-level `option` parameter as a nullable
//! pointer to its payload, a top-level `option` or `result` returned as a
//! `bool` with out-pointers for its payloads), the import wrappers that
//! lower arguments and lift results, and the export adapters that lift
//! arguments, call the implementation and lower its result.
//!
//! On wasm32 a C value of these types has exactly its canonical ABI memory
//! layout (the canonical layout algorithm is C's), so the glue lowers and
//! lifts through memory: flat values are read from and written to a value's
//! bytes at canonical offsets, and spilled parameters and return areas are
//! the C values themselves.
//!
//! Ownership is wit-bindgen's: an import borrows its arguments and gives
//! the caller its results (freed with the `_free` helpers); an export owns
//! its arguments and hands its result to the bindings, which free it after
//! the host has read it (`cabi_post_*`).

use super::names::{c_ident, snake};
use super::types::int_c;
use super::{CGen, Scope};
use crate::abi::{flatten, join_cases};
use crate::{Error, Result};
use std::fmt::Write;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function, FunctionKind, Int, LiftLowerAbi, ManglingAndAbi, Type, TypeDefKind, WasmImport,
    WorldKey,
};

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

/// How one parameter reaches the C function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Value,
    Pointer,
    /// A top-level `option`: a pointer to the payload, `NULL` for `none`.
    MaybePointer,
}

/// How the result leaves the C function.
enum Shape {
    Void,
    /// Returned by value.
    Value,
    /// Written to `T *ret`.
    RetPtr,
    /// `bool` (is some) with the payload written to `*ret`.
    OptionBool(Type),
    /// `bool` (is ok) with the payloads written to `*ret` and `*err`.
    ResultBool(Option<Type>, Option<Type>),
}

/// A function's C prototype and how its parts map to the WIT function.
struct CSig {
    name: String,
    prototype: String,
    params: Vec<(String, Type, Pass)>,
    shape: Shape,
}

impl CGen<'_> {
    /// Whether a value of `ty` is passed by pointer.
    fn by_pointer(&self, ty: &Type) -> bool {
        match ty {
            Type::String => true,
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => self.by_pointer(t),
                TypeDefKind::Variant(_)
                | TypeDefKind::Option(_)
                | TypeDefKind::Result(_)
                | TypeDefKind::Tuple(_)
                | TypeDefKind::Record(_)
                | TypeDefKind::List(_)
                | TypeDefKind::Map(..)
                | TypeDefKind::FixedLengthList(..) => true,
                _ => false,
            },
            _ => false,
        }
    }

    /// How a result of type `ty` is returned; aliases are looked through.
    fn result_shape(&self, ty: &Type) -> Shape {
        match ty {
            Type::String => Shape::RetPtr,
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => self.result_shape(t),
                TypeDefKind::Flags(_)
                | TypeDefKind::Enum(_)
                | TypeDefKind::Handle(_)
                | TypeDefKind::Future(_)
                | TypeDefKind::Stream(_) => Shape::Value,
                TypeDefKind::Option(t) if !self.opts.no_sig_flattening => Shape::OptionBool(*t),
                TypeDefKind::Result(r) if !self.opts.no_sig_flattening => {
                    Shape::ResultBool(r.ok, r.err)
                }
                _ => Shape::RetPtr,
            },
            _ => Shape::Value,
        }
    }

    /// The C name of a function: its interface's (or the world's)
    /// identifier and the WIT name in snake case (`[method]r.m` is
    /// `method_r_m`).
    fn func_name(&self, scope: &Scope, f: &Function) -> String {
        let prefix = match &scope.key {
            Some(key) => self.interface_identifier(key, !scope.import),
            None if scope.import => self.w.clone(),
            None => format!("exports_{}", self.w),
        };
        format!("{prefix}_{}", snake(&f.name).replace('.', "_"))
    }

    fn c_sig(&mut self, scope: &Scope, f: &Function) -> Result<CSig> {
        let name = self.func_name(scope, f);
        let what = format!(
            "{} function `{}`",
            if scope.import { "imported" } else { "exported" },
            f.name
        );
        if let Some(other) = self.func_names.insert(name.clone(), what.clone()) {
            return Err(Error::Unsupported {
                item: what,
                reason: format!(
                    "its C name `{name}` is also that of the {other} (wit-bindgen stops on \
                     it too, as a duplicate symbol); rename one of them in the WIT"
                ),
            });
        }
        let mut params = Vec::new();
        let mut text = Vec::new();
        for p in &f.params {
            let ident = c_ident(&p.name);
            let option = match p.ty {
                Type::Id(id) if !self.opts.no_sig_flattening => match self.resolve.types[id].kind {
                    TypeDefKind::Option(t) => Some(t),
                    _ => None,
                },
                _ => None,
            };
            if let Some(payload) = option {
                text.push(format!("{} *maybe_{ident}", self.c_type(&payload)?));
                params.push((ident, p.ty, Pass::MaybePointer));
            } else if self.by_pointer(&p.ty) {
                text.push(format!("{} *{ident}", self.c_type(&p.ty)?));
                params.push((ident, p.ty, Pass::Pointer));
            } else {
                text.push(format!("{} {ident}", self.c_type(&p.ty)?));
                params.push((ident, p.ty, Pass::Value));
            }
        }
        let shape = match &f.result {
            None => Shape::Void,
            Some(t) => self.result_shape(t),
        };
        let ret = match (&shape, &f.result) {
            (Shape::Value, Some(t)) => self.c_type(t)?,
            (Shape::OptionBool(_) | Shape::ResultBool(..), _) => "bool".into(),
            _ => "void".into(),
        };
        match (&shape, &f.result) {
            (Shape::RetPtr, Some(t)) => text.push(format!("{} *ret", self.c_type(t)?)),
            (Shape::OptionBool(t), _) => text.push(format!("{} *ret", self.c_type(t)?)),
            (Shape::ResultBool(ok, err), _) => {
                if let Some(t) = ok {
                    text.push(format!("{} *ret", self.c_type(t)?));
                }
                if let Some(t) = err {
                    text.push(format!("{} *err", self.c_type(t)?));
                }
            }
            _ => {}
        }
        let text = if text.is_empty() {
            "void".to_string()
        } else {
            text.join(", ")
        };
        Ok(CSig {
            prototype: format!("{ret} {name}({text})"),
            name,
            params,
            shape,
        })
    }

    fn check_function(f: &Function) -> Result<()> {
        let supported = matches!(
            f.kind,
            FunctionKind::Freestanding
                | FunctionKind::Method(_)
                | FunctionKind::Static(_)
                | FunctionKind::Constructor(_)
        );
        if supported {
            Ok(())
        } else {
            Err(Error::Unsupported {
                item: format!("function `{}`", f.name),
                reason:
                    "async functions, getters and setters are not supported by the C generator yet"
                        .into(),
            })
        }
    }

    /// The wrapper of an imported function: lowers the arguments (which
    /// stay the caller's), calls the import and lifts the result (which
    /// becomes the caller's).
    pub fn import_function(&mut self, scope: &Scope, f: &Function) -> Result<()> {
        Self::check_function(f)?;
        let key = scope.key.as_ref();
        let sig = self.resolve.wasm_signature(AbiVariant::GuestImport, f);
        let (module, field) = self.resolve.wasm_import_name(
            ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
            WasmImport::Func {
                interface: key,
                func: f,
            },
        );
        let c = self.c_sig(scope, f)?;
        let _ = writeln!(self.h_fns, "extern {};", c.prototype);
        let name = &c.name;
        let import_params: Vec<&str> = sig.params.iter().map(|t| flat_c(*t)).collect();
        let import_ret = sig.results.first().map(|t| flat_c(*t)).unwrap_or("void");
        let mut body = String::new();
        // The C value each argument is lowered from.
        let mut sources = Vec::new();
        for (ident, ty, pass) in &c.params {
            match pass {
                Pass::Value => sources.push(format!("((uint8_t*) &{ident})")),
                Pass::Pointer => sources.push(format!("((uint8_t*) {ident})")),
                Pass::MaybePointer => {
                    let ct = self.c_type(ty)?;
                    let local = format!("__{ident}");
                    let _ = writeln!(
                        body,
                        "  {ct} {local};\n  {local}.is_some = maybe_{ident} != NULL;\n  if (maybe_{ident}) {{\n    {local}.val = *maybe_{ident};\n  }}"
                    );
                    sources.push(format!("((uint8_t*) &{local})"));
                }
            }
        }
        let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
        let mut args = Vec::new();
        if sig.indirect_params {
            let (size, _) = self.layouts.params(&types);
            let offs = self.layouts.field_offsets(types.iter());
            let _ = writeln!(
                body,
                "  __attribute__((__aligned__(8))) uint8_t __params[{}];",
                size.max(1)
            );
            for ((src, t), o) in sources.iter().zip(&types).zip(offs) {
                let size = self.layouts.size(t);
                let _ = writeln!(body, "  memcpy(__params + {o}, {src}, {size});");
            }
            args.push("(int32_t) (uintptr_t) __params".to_string());
        } else {
            for (src, t) in sources.iter().zip(&types) {
                let mut vals = Vec::new();
                self.flat_from_mem(t, src, 0, &mut body, &mut vals);
                args.extend(vals.into_iter().map(|(e, _)| e));
            }
        }
        let call = format!("__wasm_import_{name}({})", args.join(", "));
        match &f.result {
            None => {
                let _ = writeln!(body, "  {call};");
            }
            Some(t) => {
                // A result the caller gets whole lands in its `ret`, which
                // has the canonical layout; the others in a local first.
                let direct = matches!(c.shape, Shape::RetPtr);
                let target = if direct {
                    "ret".to_string()
                } else {
                    let ct = self.c_type(t)?;
                    let _ = writeln!(body, "  {ct} __out;");
                    "&__out".to_string()
                };
                if sig.retptr {
                    let _ = writeln!(
                        body,
                        "  __wasm_import_{name}({}{}(int32_t) (uintptr_t) {target});",
                        args.join(", "),
                        if args.is_empty() { "" } else { ", " }
                    );
                } else {
                    let mut vals = match sig.results.first() {
                        Some(t) => {
                            let _ = writeln!(body, "  {import_ret} __result = {call};");
                            vec![("__result".to_string(), *t)]
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
                match &c.shape {
                    Shape::Value => body.push_str("  return __out;\n"),
                    Shape::OptionBool(_) => body.push_str(
                        "  if (__out.is_some) {\n    *ret = __out.val;\n    return true;\n  }\n  return false;\n",
                    ),
                    Shape::ResultBool(ok, err) => {
                        let set_ok = if ok.is_some() { "    *ret = __out.val.ok;\n" } else { "" };
                        let set_err = if err.is_some() { "    *err = __out.val.err;\n" } else { "" };
                        let _ = write!(
                            body,
                            "  if (!__out.is_err) {{\n{set_ok}    return true;\n  }} else {{\n{set_err}    return false;\n  }}\n"
                        );
                    }
                    Shape::RetPtr | Shape::Void => {}
                }
            }
        }
        let import_params = if import_params.is_empty() {
            "void".into()
        } else {
            import_params.join(", ")
        };
        let _ = writeln!(
            self.c_fns,
            "\n__attribute__((__import_module__(\"{module}\"), __import_name__(\"{field}\")))\nextern {import_ret} __wasm_import_{name}({import_params});\n\n{} {{\n{body}}}",
            c.prototype
        );
        Ok(())
    }

    /// The adapter of an exported function: lifts the arguments (which
    /// become the implementation's), calls the implementation, lowers its
    /// result, and frees the result in the post-return function.
    pub fn export_function(&mut self, scope: &Scope, f: &Function) -> Result<()> {
        Self::check_function(f)?;
        let key: Option<&WorldKey> = scope.key.as_ref();
        let sig = self.resolve.wasm_signature(AbiVariant::GuestExport, f);
        let (core, post) = crate::abi::export_names(self.resolve, key, f);
        let c = self.c_sig(scope, f)?;
        let _ = writeln!(self.h_fns, "{};", c.prototype);
        let name = c.name.clone();
        let flat_params: Vec<String> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} arg{i}", flat_c(*t)))
            .collect();
        let mut body = String::new();
        // Each argument is lifted into a local of its WIT type.
        let mut locals = Vec::new();
        for (ident, ty, _) in &c.params {
            let ct = self.c_type(ty)?;
            let local = format!("__{ident}");
            let _ = writeln!(body, "  {ct} {local};");
            locals.push(local);
        }
        if sig.indirect_params {
            let types: Vec<Type> = f.params.iter().map(|p| p.ty).collect();
            let offs = self.layouts.field_offsets(types.iter());
            let _ = writeln!(body, "  uint8_t *__params = (uint8_t*) (uintptr_t) arg0;");
            for (local, o) in locals.iter().zip(offs) {
                let _ = writeln!(body, "  memcpy(&{local}, __params + {o}, sizeof({local}));");
            }
            // The parameter block is the callee's to free; what it points
            // to now belongs to the implementation.
            body.push_str("  free(__params);\n");
        } else {
            let mut flat = sig
                .params
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("arg{i}"), *t))
                .collect::<Vec<_>>()
                .into_iter();
            for (local, p) in locals.iter().zip(&f.params) {
                self.flat_to_mem(
                    &p.ty,
                    &mut flat,
                    &format!("((uint8_t*) &{local})"),
                    0,
                    &mut body,
                );
            }
        }
        // Borrows of imported resources must end before the export returns;
        // with `autodrop_borrows` the bindings drop them, wherever they
        // are (recorded before the call: the arguments are the
        // implementation's to free).
        let mut collect = String::new();
        if self.opts.autodrop_borrows {
            for ((_, ty, _), local) in c.params.iter().zip(&locals) {
                self.collect_borrows(ty, local, &mut collect);
            }
        }
        let autodrop = !collect.is_empty();
        if autodrop {
            self.needs_borrow_list = true;
            let _ = write!(
                body,
                "  __wit_borrows_t __borrows = {{ NULL, 0, 0 }};\n{collect}"
            );
        }
        let args: Vec<String> = c
            .params
            .iter()
            .zip(&locals)
            .map(|((_, _, pass), local)| match pass {
                Pass::Value => local.clone(),
                Pass::Pointer => format!("&{local}"),
                Pass::MaybePointer => format!("{local}.is_some ? &{local}.val : NULL"),
            })
            .collect();
        let end_borrows = if autodrop {
            "  __wit_borrows_drop(&__borrows);\n"
        } else {
            ""
        };
        let ret_c = sig.results.first().map(|t| flat_c(*t)).unwrap_or("void");
        match &f.result {
            None => {
                let _ = writeln!(body, "  {name}({});\n{end_borrows}", args.join(", "));
            }
            Some(t) if sig.retptr => {
                let ct = self.c_type(t)?;
                let size = self.layouts.size(t);
                let align = self.layouts.align(t);
                // A fresh area per call, freed by the post-return function.
                let _ = writeln!(
                    body,
                    "  {ct} *__ret = ({ct}*) aligned_alloc({align}, {});",
                    size.max(align).div_ceil(align) * align
                );
                body.push_str(&self.export_call(&c, &args, "(*__ret)")?);
                let _ = writeln!(body, "{end_borrows}  return (int32_t) (uintptr_t) __ret;");
                let mut post_body = String::new();
                self.free_contents(t, "(*__ret)", &mut post_body, false);
                let _ = writeln!(
                    self.c_fns,
                    "\n__attribute__((__weak__, __export_name__(\"{post}\")))\nvoid __wasm_export_{name}_post_return(int32_t arg0) {{\n  {ct} *__ret = ({ct}*) (uintptr_t) arg0;\n{post_body}  free(__ret);\n}}"
                );
            }
            Some(t) => {
                let ct = self.c_type(t)?;
                let _ = writeln!(body, "  {ct} __ret;");
                body.push_str(&self.export_call(&c, &args, "__ret")?);
                body.push_str(end_borrows);
                let mut vals = Vec::new();
                self.flat_from_mem(t, "((uint8_t*) &__ret)", 0, &mut body, &mut vals);
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
            self.c_fns,
            "\n__attribute__((__export_name__(\"{core}\")))\n{ret_c} __wasm_export_{name}({params}) {{\n{body}}}"
        );
        Ok(())
    }

    /// Calls the implementation and stores its result into `dst` (an lvalue
    /// of the WIT result's C type).
    fn export_call(&mut self, c: &CSig, args: &[String], dst: &str) -> Result<String> {
        let name = &c.name;
        let with = |extra: &[String]| {
            let mut all: Vec<String> = args.to_vec();
            all.extend(extra.iter().cloned());
            all.join(", ")
        };
        Ok(match &c.shape {
            Shape::Void => format!("  {name}({});\n", with(&[])),
            Shape::Value => format!("  {dst} = {name}({});\n", with(&[])),
            Shape::RetPtr => format!("  {name}({});\n", with(&[format!("&{dst}")])),
            Shape::OptionBool(_) => format!(
                "  {dst}.is_some = {name}({});\n",
                with(&[format!("&{dst}.val")])
            ),
            Shape::ResultBool(ok, err) => {
                let mut out = String::new();
                let mut extra = Vec::new();
                if let Some(t) = ok {
                    let _ = writeln!(out, "  {} __ok;", self.c_type(t)?);
                    extra.push("&__ok".to_string());
                }
                if let Some(t) = err {
                    let _ = writeln!(out, "  {} __err;", self.c_type(t)?);
                    extra.push("&__err".to_string());
                }
                let set_ok = if ok.is_some() {
                    format!("    {dst}.val.ok = __ok;\n")
                } else {
                    String::new()
                };
                let set_err = if err.is_some() {
                    format!("    {dst}.val.err = __err;\n")
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    "  bool __is_ok = {name}({});\n  {dst}.is_err = !__is_ok;\n  if (__is_ok) {{\n{set_ok}  }} else {{\n{set_err}  }}\n",
                    with(&extra)
                );
                out
            }
        })
    }

    /// Reads the flat values of the `ty` at `base + off` (base: `uint8_t*`).
    fn flat_from_mem(
        &self,
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
        &self,
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
        &self,
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
        &self,
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
}
