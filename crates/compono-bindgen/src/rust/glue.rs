//! The canonical ABI in Rust source: lowering values to flat core values or
//! memory, lifting them back, and freeing what an export handed out.
//!
//! Lowering always works on a reference to the value (`&T`), so the same
//! code serves borrowed import parameters and owned export results; an
//! `own<R>` is transferred with `take_handle`, which works through `&R`.

use super::RustGen;
use crate::abi::{flatten, int_size, join_cases};
use std::fmt::Write;
use wit_parser::abi::WasmType;
use wit_parser::{Handle, Int, Type, TypeDefKind, TypeId};

// Spelled in full: a WIT type named `option` or `ok` must not capture
// them.
const NONE: &str = "::core::option::Option::None";
const SOME: &str = "::core::option::Option::Some";
const OK: &str = "::core::result::Result::Ok";
const ERR: &str = "::core::result::Result::Err";

/// Where lowered strings and lists point.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LowerMode {
    /// Into the caller's own values, alive for the call (import params);
    /// lists that need re-encoding go to buffers freed after the call.
    Borrow,
    /// Into fresh allocations the other side hands back through a
    /// post-return function (export results).
    Copy,
}

pub struct Glue<'a, 'b> {
    pub g: &'a RustGen<'b>,
    pub body: String,
    pub mode: LowerMode,
    next: usize,
    /// Whether some lowered list registered a buffer to free after the call.
    pub uses_cleanup: bool,
    /// Inside a named value that has no borrowing definition while
    /// lowering import parameters: nested types use their owned names.
    owned_depth: usize,
    /// Whether lifted borrows need `borrow_arena` declared.
    pub uses_borrow_arena: bool,
    /// Inside a match arm or loop, where hoisted locals would not outlive
    /// the expression built from them.
    nesting: usize,
    pub error: Option<String>,
}

pub fn rust_flat_type(ty: WasmType) -> &'static str {
    match ty {
        WasmType::I32 => "i32",
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
        WasmType::Pointer => "*mut u8",
        WasmType::Length => "usize",
    }
}

fn zero(ty: WasmType) -> &'static str {
    match ty {
        WasmType::I32 => "0i32",
        WasmType::I64 | WasmType::PointerOrI64 => "0i64",
        WasmType::F32 => "0.0f32",
        WasmType::F64 => "0.0f64",
        WasmType::Pointer => "::core::ptr::null_mut::<u8>()",
        WasmType::Length => "0usize",
    }
}

/// Converts a value of flat type `from` into the joined slot type `to`.
fn cast_to_slot(e: &str, from: WasmType, to: WasmType) -> String {
    use WasmType::*;
    match (from, to) {
        _ if from == to => e.to_string(),
        (I32, I64 | PointerOrI64) => format!("i64::from({e})"),
        (F32, I32) => format!("({e}).to_bits() as i32"),
        (F32, I64 | PointerOrI64) => format!("i64::from(({e}).to_bits())"),
        (F64, I64 | PointerOrI64) => format!("({e}).to_bits() as i64"),
        (Pointer | Length, I64 | PointerOrI64) => format!("({e}) as usize as i64"),
        (I64, PointerOrI64) => e.to_string(),
        (I32, Pointer) => format!("({e}) as u32 as usize as *mut u8"),
        (F32, Pointer) => format!("({e}).to_bits() as usize as *mut u8"),
        (Length, Pointer) => format!("({e}) as *mut u8"),
        (I32, Length) => format!("({e}) as u32 as usize"),
        (F32, Length) => format!("({e}).to_bits() as usize"),
        _ => format!("({e}) as {}", rust_flat_type(to)),
    }
}

/// Converts a joined slot value back to the case's own flat type.
fn cast_from_slot(e: &str, slot: WasmType, to: WasmType) -> String {
    use WasmType::*;
    match (slot, to) {
        _ if slot == to => e.to_string(),
        (I64 | PointerOrI64, I32) => format!("({e}) as i32"),
        (I32, F32) => format!("f32::from_bits(({e}) as u32)"),
        (I64 | PointerOrI64, F32) => format!("f32::from_bits(({e}) as u32)"),
        (I64 | PointerOrI64, F64) => format!("f64::from_bits(({e}) as u64)"),
        (I64 | PointerOrI64, Pointer) => format!("({e}) as usize as *mut u8"),
        (I64 | PointerOrI64, Length) => format!("({e}) as usize"),
        (PointerOrI64, I64) => e.to_string(),
        (Pointer, I32) => format!("({e}) as usize as i32"),
        (Pointer, F32) => format!("f32::from_bits(({e}) as usize as u32)"),
        (Pointer, Length) => format!("({e}) as usize"),
        (Length, I32) => format!("({e}) as i32"),
        (Length, F32) => format!("f32::from_bits(({e}) as u32)"),
        _ => format!("({e}) as {}", rust_flat_type(to)),
    }
}

/// A list element type whose Rust layout is its canonical layout, so a
/// slice can be passed as is.
pub fn is_canonical_elem(ty: &Type) -> Option<&'static str> {
    Some(match ty {
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
        _ => return None,
    })
}

fn int_rust(tag: Int) -> &'static str {
    match tag {
        Int::U8 => "u8",
        Int::U16 => "u16",
        Int::U32 => "u32",
        Int::U64 => "u64",
    }
}

impl<'a, 'b> Glue<'a, 'b> {
    pub fn new(g: &'a RustGen<'b>, mode: LowerMode) -> Self {
        Glue {
            g,
            body: String::new(),
            mode,
            next: 0,
            uses_cleanup: false,
            uses_borrow_arena: false,
            owned_depth: 0,
            nesting: 0,
            error: None,
        }
    }

    pub fn tmp(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    pub fn line(&mut self, s: impl AsRef<str>) {
        self.body.push_str(s.as_ref());
        self.body.push('\n');
    }

    /// Runs `f` with a fresh body and returns what it wrote.
    fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> (String, R) {
        let saved = std::mem::take(&mut self.body);
        self.nesting += 1;
        let r = f(self);
        self.nesting -= 1;
        (std::mem::replace(&mut self.body, saved), r)
    }

    /// The path of a named type as the value being lowered spells it.
    fn lowered_path_of(&self, id: TypeId) -> String {
        if self.mode == LowerMode::Borrow && self.owned_depth == 0 {
            self.g.param_type_path_of(id)
        } else {
            self.g.type_path_of(id)
        }
    }

    /// Whether entering `id` while lowering leaves the borrowing twins.
    fn enters_owned(&self, id: TypeId) -> bool {
        self.mode == LowerMode::Borrow
            && self.owned_depth == 0
            && self.resolve().types[id].name.is_some()
            && matches!(
                self.kind(id),
                TypeDefKind::Record(_) | TypeDefKind::Variant(_)
            )
            && !self.g.has_borrowed_def(id)
    }

    fn resolve(&self) -> &'b wit_parser::Resolve {
        self.g.resolve
    }

    fn size(&self, ty: &Type) -> usize {
        self.g.layouts.size(ty)
    }

    fn align(&self, ty: &Type) -> usize {
        self.g.layouts.align(ty)
    }

    fn kind(&self, id: TypeId) -> &'b TypeDefKind {
        &self.resolve().types[id].kind
    }

    // ---- lowering to flat values -------------------------------------

    /// Lowers the value `v` (an expression of type `&T`) to flat values,
    /// appended to `out` with their flat types.
    pub fn lower_flat(&mut self, ty: &Type, v: &str, out: &mut Vec<(String, WasmType)>) {
        // Aliases are followed in a loop (chains of them are unbounded).
        let ty = &compono_wit::dealias(self.resolve(), *ty);
        let t = self.tmp("v");
        self.line(format!("let {t} = {v};"));
        match ty {
            Type::Bool => out.push((format!("i32::from(*{t})"), WasmType::I32)),
            Type::U8 | Type::S8 | Type::U16 | Type::S16 | Type::U32 | Type::S32 | Type::Char => {
                out.push((format!("(*{t}) as i32"), WasmType::I32))
            }
            Type::U64 | Type::S64 => out.push((format!("(*{t}) as i64"), WasmType::I64)),
            Type::F32 => out.push((format!("*{t}"), WasmType::F32)),
            Type::F64 => out.push((format!("*{t}"), WasmType::F64)),
            Type::ErrorContext => out.push((format!("(*{t}) as i32"), WasmType::I32)),
            Type::String => {
                let (p, l) = self.lower_string(&t);
                out.push((p, WasmType::Pointer));
                out.push((l, WasmType::Length));
            }
            Type::Id(id) => self.lower_flat_id(*id, &t, out),
        }
    }

    fn lower_flat_id(&mut self, id: TypeId, t: &str, out: &mut Vec<(String, WasmType)>) {
        let owned = self.enters_owned(id);
        self.owned_depth += usize::from(owned);
        self.lower_flat_id_inner(id, t, out);
        self.owned_depth -= usize::from(owned);
    }

    fn lower_flat_id_inner(&mut self, id: TypeId, t: &str, out: &mut Vec<(String, WasmType)>) {
        match self.kind(id) {
            TypeDefKind::Type(inner) => self.lower_flat(inner, t, out),
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    let field = super::field_name(&f.name);
                    self.lower_flat(&f.ty, &format!("&{t}.{field}"), out);
                }
            }
            TypeDefKind::Tuple(tuple) => {
                for (i, ty) in tuple.types.iter().enumerate() {
                    self.lower_flat(ty, &format!("&{t}.{i}"), out);
                }
            }
            TypeDefKind::Flags(f) => {
                let bits = self.tmp("bits");
                self.line(format!("let {bits} = {t}.bits();"));
                match f.repr().count() {
                    1 => out.push((format!("{bits} as i32"), WasmType::I32)),
                    n => {
                        for i in 0..n {
                            out.push((format!("({bits} >> {}) as i32", i * 32), WasmType::I32));
                        }
                    }
                }
            }
            TypeDefKind::Enum(_) => out.push((format!("(*{t}) as i32"), WasmType::I32)),
            TypeDefKind::Handle(Handle::Own(_)) => {
                out.push((format!("{t}.take_handle() as i32"), WasmType::I32))
            }
            TypeDefKind::Handle(Handle::Borrow(_)) => {
                out.push((format!("{t}.handle() as i32"), WasmType::I32))
            }
            TypeDefKind::List(elem) => {
                let (p, l) = self.lower_list(elem, t);
                out.push((p, WasmType::Pointer));
                out.push((l, WasmType::Length));
            }
            TypeDefKind::Variant(v) => {
                let name = self.lowered_path_of(id);
                let cases: Vec<(String, Option<&Type>)> = v
                    .cases
                    .iter()
                    .map(|c| {
                        (
                            format!("{name}::{}", super::case_name(&c.name)),
                            c.ty.as_ref(),
                        )
                    })
                    .collect();
                let slots = join_cases(self.resolve(), v.cases.iter().map(|c| c.ty.as_ref()));
                self.lower_variant(t, &cases, &slots, out);
            }
            TypeDefKind::Option(ty) => {
                let slots = join_cases(self.resolve(), [None, Some(ty)]);
                let cases = [(NONE.to_string(), None), (SOME.to_string(), Some(ty))];
                self.lower_variant(t, &cases, &slots, out);
            }
            TypeDefKind::Result(r) => {
                let slots = join_cases(self.resolve(), [r.ok.as_ref(), r.err.as_ref()]);
                let cases = [
                    (OK.to_string(), r.ok.as_ref()),
                    (ERR.to_string(), r.err.as_ref()),
                ];
                self.lower_variant(t, &cases, &slots, out);
            }
            TypeDefKind::Resource
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Map(..)
            | TypeDefKind::FixedLengthList(..)
            | TypeDefKind::Unknown => self.unsupported(id),
        }
    }

    fn unsupported(&mut self, id: TypeId) {
        if self.error.is_none() {
            self.error = Some(format!(
                "type `{}` ({:?}) is not supported by the Rust generator",
                self.resolve().types[id]
                    .name
                    .as_deref()
                    .unwrap_or("<anonymous>"),
                std::mem::discriminant(self.kind(id))
            ));
        }
        self.line("_rt::abort();");
    }

    /// Cases are `(pattern path, payload)`: `Some`, `Name::Case`, ...
    fn lower_variant(
        &mut self,
        t: &str,
        cases: &[(String, Option<&Type>)],
        slots: &[WasmType],
        out: &mut Vec<(String, WasmType)>,
    ) {
        let names: Vec<String> = (0..=slots.len()).map(|_| self.tmp("f")).collect();
        let mut code = format!("let ({},) = match {t} {{\n", names.join(", "));
        for (disc, (pat, payload)) in cases.iter().enumerate() {
            let (body, values) = self.nested(|s| {
                let mut vals = Vec::new();
                if let Some(ty) = payload {
                    s.lower_flat(ty, "e", &mut vals);
                }
                vals
            });
            let mut tuple = vec![format!("{disc}i32")];
            for (i, slot) in slots.iter().enumerate() {
                tuple.push(match values.get(i) {
                    Some((e, from)) => cast_to_slot(e, *from, *slot),
                    None => zero(*slot).to_string(),
                });
            }
            let pattern = match payload {
                Some(_) => format!("{pat}(e)"),
                None if pat == NONE => pat.clone(),
                None if pat == OK || pat == ERR => format!("{pat}(_)"),
                None => pat.clone(),
            };
            let _ = write!(code, "{pattern} => {{\n{body}({},)\n}}\n", tuple.join(", "));
        }
        code.push_str("};");
        self.line(code);
        out.push((names[0].clone(), WasmType::I32));
        for (name, slot) in names[1..].iter().zip(slots) {
            out.push((name.clone(), *slot));
        }
    }

    fn lower_string(&mut self, t: &str) -> (String, String) {
        let p = self.tmp("ptr");
        let l = self.tmp("len");
        match self.mode {
            LowerMode::Borrow => {
                self.line(format!("let {p} = {t}.as_ptr().cast_mut();"));
            }
            LowerMode::Copy => {
                self.line(format!("let {p} = _rt::copy_out({t}.as_bytes(), 1);"));
            }
        }
        self.line(format!("let {l} = {t}.len();"));
        (p, l)
    }

    fn lower_list(&mut self, elem: &Type, t: &str) -> (String, String) {
        let p = self.tmp("ptr");
        let l = self.tmp("len");
        self.line(format!("let {l} = {t}.len();"));
        if let Some(rust) = is_canonical_elem(elem) {
            match self.mode {
                LowerMode::Borrow => {
                    self.line(format!("let {p} = {t}.as_ptr().cast::<u8>().cast_mut();"))
                }
                LowerMode::Copy => self.line(format!(
                    "let {p} = _rt::copy_out(::core::slice::from_raw_parts({t}.as_ptr().cast::<u8>(), {l} * ::core::mem::size_of::<{rust}>()), {});",
                    self.align(elem)
                )),
            }
            return (p, l);
        }
        let size = self.size(elem);
        let align = self.align(elem);
        self.line(format!("let {p} = _rt::alloc({l} * {size}, {align});"));
        let (body, ()) = self.nested(|s| s.store(elem, "e", "base", 0));
        self.line(format!(
            "for (i, e) in {t}.iter().enumerate() {{\nlet base = {p}.add(i * {size});\n{body}}}"
        ));
        if self.mode == LowerMode::Borrow {
            self.uses_cleanup = true;
            self.line(format!("cleanup.push(({p}, {l} * {size}, {align}));"));
        }
        (p, l)
    }

    // ---- storing to memory -------------------------------------------

    /// Stores `v` (an expression of type `&T`) at `base + off`.
    pub fn store(&mut self, ty: &Type, v: &str, base: &str, off: usize) {
        // Aliases are followed in a loop (chains of them are unbounded).
        let ty = &compono_wit::dealias(self.resolve(), *ty);
        let at = |rust: &str| format!("{base}.add({off}).cast::<{rust}>()");
        let at4 = |rust: &str| format!("{base}.add({}).cast::<{rust}>()", off + 4);
        match ty {
            Type::Bool => self.line(format!("{}.write(u8::from(*{v}));", at("u8"))),
            Type::Char => self.line(format!("{}.write(u32::from(*{v}));", at("u32"))),
            Type::ErrorContext => self.line(format!("{}.write(*{v});", at("u32"))),
            Type::String => {
                let t = self.tmp("v");
                self.line(format!("let {t} = {v};"));
                let (p, l) = self.lower_string(&t);
                self.line(format!("{}.write({l});", at4("usize")));
                self.line(format!("{}.write({p});", at("*mut u8")));
            }
            Type::Id(id) => self.store_id(*id, v, base, off),
            prim => {
                let rust = super::prim_rust(prim);
                self.line(format!("{}.write(*{v});", at(rust)));
            }
        }
    }

    fn store_id(&mut self, id: TypeId, v: &str, base: &str, off: usize) {
        let owned = self.enters_owned(id);
        self.owned_depth += usize::from(owned);
        self.store_id_inner(id, v, base, off);
        self.owned_depth -= usize::from(owned);
    }

    fn store_id_inner(&mut self, id: TypeId, v: &str, base: &str, off: usize) {
        let at = |rust: &str, o: usize| format!("{base}.add({o}).cast::<{rust}>()");
        match self.kind(id) {
            TypeDefKind::Type(inner) => self.store(inner, v, base, off),
            TypeDefKind::Record(r) => {
                let t = self.tmp("v");
                self.line(format!("let {t} = {v};"));
                let offsets = self.g.layouts.field_offsets(r.fields.iter().map(|f| &f.ty));
                for (f, o) in r.fields.iter().zip(offsets) {
                    let field = super::field_name(&f.name);
                    self.store(&f.ty, &format!("&{t}.{field}"), base, off + o);
                }
            }
            TypeDefKind::Tuple(tuple) => {
                let t = self.tmp("v");
                self.line(format!("let {t} = {v};"));
                let offsets = self.g.layouts.field_offsets(tuple.types.iter());
                for (i, (ty, o)) in tuple.types.iter().zip(offsets).enumerate() {
                    self.store(ty, &format!("&{t}.{i}"), base, off + o);
                }
            }
            TypeDefKind::Flags(f) => {
                let count = f.repr().count();
                match self.size(&Type::Id(id)) {
                    1 => self.line(format!("{}.write(({v}).bits());", at("u8", off))),
                    2 => self.line(format!("{}.write(({v}).bits());", at("u16", off))),
                    _ => {
                        let bits = self.tmp("bits");
                        self.line(format!("let {bits} = ({v}).bits();"));
                        for i in 0..count {
                            self.line(format!(
                                "{}.write(({bits} >> {}) as u32);",
                                at("u32", off + 4 * i),
                                32 * i
                            ));
                        }
                    }
                }
            }
            TypeDefKind::Enum(e) => {
                let rust = int_rust(e.tag());
                self.line(format!("{}.write((*{v}) as {rust});", at(rust, off)));
            }
            TypeDefKind::Handle(Handle::Own(_)) => self.line(format!(
                "{}.write(({v}).take_handle() as i32);",
                at("i32", off)
            )),
            TypeDefKind::Handle(Handle::Borrow(_)) => {
                self.line(format!("{}.write(({v}).handle() as i32);", at("i32", off)))
            }
            TypeDefKind::List(elem) => {
                let t = self.tmp("v");
                self.line(format!("let {t} = {v};"));
                let (p, l) = self.lower_list(elem, &t);
                self.line(format!("{}.write({l});", at("usize", off + 4)));
                self.line(format!("{}.write({p});", at("*mut u8", off)));
            }
            TypeDefKind::Variant(var) => {
                let name = self.lowered_path_of(id);
                let cases: Vec<(String, Option<&Type>)> = var
                    .cases
                    .iter()
                    .map(|c| {
                        (
                            format!("{name}::{}", super::case_name(&c.name)),
                            c.ty.as_ref(),
                        )
                    })
                    .collect();
                let payload = self
                    .g
                    .layouts
                    .payload_offset(var.tag(), var.cases.iter().map(|c| c.ty.as_ref()));
                self.store_variant(v, var.tag(), &cases, base, off, payload);
            }
            TypeDefKind::Option(ty) => {
                let payload = self.g.layouts.payload_offset(Int::U8, [None, Some(ty)]);
                let cases = [(NONE.to_string(), None), (SOME.to_string(), Some(ty))];
                self.store_variant(v, Int::U8, &cases, base, off, payload);
            }
            TypeDefKind::Result(r) => {
                let payload = self
                    .g
                    .layouts
                    .payload_offset(Int::U8, [r.ok.as_ref(), r.err.as_ref()]);
                let cases = [
                    (OK.to_string(), r.ok.as_ref()),
                    (ERR.to_string(), r.err.as_ref()),
                ];
                self.store_variant(v, Int::U8, &cases, base, off, payload);
            }
            _ => self.unsupported(id),
        }
    }

    fn store_variant(
        &mut self,
        v: &str,
        tag: Int,
        cases: &[(String, Option<&Type>)],
        base: &str,
        off: usize,
        payload_off: usize,
    ) {
        let tag_rust = int_rust(tag);
        let mut code = format!("match {v} {{\n");
        for (disc, (pat, payload)) in cases.iter().enumerate() {
            let (body, ()) = self.nested(|s| {
                s.line(format!(
                    "{base}.add({off}).cast::<{tag_rust}>().write({disc}{tag_rust});"
                ));
                if let Some(ty) = payload {
                    s.store(ty, "e", base, off + payload_off);
                }
            });
            let pattern = match payload {
                Some(_) => format!("{pat}(e)"),
                None if pat == OK || pat == ERR => format!("{pat}(_)"),
                None => pat.clone(),
            };
            let _ = write!(code, "{pattern} => {{\n{body}}}\n");
        }
        code.push('}');
        self.line(code);
    }

    // ---- lifting from flat values --------------------------------------

    /// Lifts a value of `ty` from flat values, returning an expression of
    /// the owned Rust type (a reference for borrowed handles).
    pub fn lift_flat(
        &mut self,
        ty: &Type,
        vals: &mut std::vec::IntoIter<(String, WasmType)>,
    ) -> String {
        // Aliases are followed in a loop (chains of them are unbounded).
        let ty = &compono_wit::dealias(self.resolve(), *ty);
        let mut next = || vals.next().map(|(e, _)| e).unwrap_or_else(|| "0".into());
        match ty {
            Type::Bool => format!("_rt::bool_lift_i32({})", next()),
            Type::U8 => format!("({}) as u8", next()),
            Type::S8 => format!("({}) as i8", next()),
            Type::U16 => format!("({}) as u16", next()),
            Type::S16 => format!("({}) as i16", next()),
            Type::U32 => format!("({}) as u32", next()),
            Type::S32 => next(),
            Type::U64 => format!("({}) as u64", next()),
            Type::S64 => next(),
            Type::F32 | Type::F64 => next(),
            Type::Char => format!("_rt::char_lift(({}) as u32)", next()),
            Type::ErrorContext => format!("({}) as u32", next()),
            Type::String => {
                let p = next();
                let l = next();
                format!("_rt::string_lift({p}, {l})")
            }
            Type::Id(id) => self.lift_flat_id(*id, vals),
        }
    }

    fn lift_flat_id(
        &mut self,
        id: TypeId,
        vals: &mut std::vec::IntoIter<(String, WasmType)>,
    ) -> String {
        match self.kind(id) {
            TypeDefKind::Type(inner) => self.lift_flat(inner, vals),
            TypeDefKind::Record(r) => {
                let name = self.g.type_path_of(id);
                let mut fields = Vec::new();
                for f in &r.fields {
                    let e = self.lift_flat(&f.ty, vals);
                    let t = self.tmp("l");
                    self.line(format!("let {t} = {e};"));
                    fields.push(format!("{}: {t}", super::field_name(&f.name)));
                }
                format!("{name} {{ {} }}", fields.join(", "))
            }
            TypeDefKind::Tuple(tuple) => {
                let mut elems = Vec::new();
                for ty in &tuple.types {
                    let e = self.lift_flat(ty, vals);
                    let t = self.tmp("l");
                    self.line(format!("let {t} = {e};"));
                    elems.push(t);
                }
                format!("({},)", elems.join(", "))
            }
            TypeDefKind::Flags(f) => {
                let name = self.g.type_path_of(id);
                let n = f.repr().count();
                let rust = self.g.flags_repr(id);
                let mut parts = Vec::new();
                for i in 0..n {
                    let e = vals.next().map(|(e, _)| e).unwrap_or_default();
                    parts.push(if i == 0 {
                        format!("({e}) as u32 as {rust}")
                    } else {
                        format!("((({e}) as u32 as {rust}) << {})", 32 * i)
                    });
                }
                format!("{name}::from_bits_retain({})", parts.join(" | "))
            }
            TypeDefKind::Enum(_) => {
                let name = self.g.type_path_of(id);
                let e = vals.next().map(|(e, _)| e).unwrap_or_default();
                format!("{name}::_lift(({e}) as u32)")
            }
            TypeDefKind::Handle(h) => {
                let e = vals.next().map(|(e, _)| e).unwrap_or_default();
                self.lift_handle(h, &format!("({e}) as u32"), &e)
            }
            TypeDefKind::List(elem) => {
                let p = vals.next().map(|(e, _)| e).unwrap_or_default();
                let l = vals.next().map(|(e, _)| e).unwrap_or_default();
                self.lift_list(elem, &p, &l)
            }
            TypeDefKind::Variant(v) => {
                let name = self.g.type_path_of(id);
                let cases: Vec<(String, Option<&Type>)> = v
                    .cases
                    .iter()
                    .map(|c| {
                        (
                            format!("{name}::{}", super::case_name(&c.name)),
                            c.ty.as_ref(),
                        )
                    })
                    .collect();
                let slots = join_cases(self.resolve(), v.cases.iter().map(|c| c.ty.as_ref()));
                self.lift_variant(&cases, &slots, vals)
            }
            TypeDefKind::Option(ty) => {
                let slots = join_cases(self.resolve(), [None, Some(ty)]);
                let cases = [(NONE.to_string(), None), (SOME.to_string(), Some(ty))];
                self.lift_variant(&cases, &slots, vals)
            }
            TypeDefKind::Result(r) => {
                let slots = join_cases(self.resolve(), [r.ok.as_ref(), r.err.as_ref()]);
                let cases = [
                    (OK.to_string(), r.ok.as_ref()),
                    (ERR.to_string(), r.err.as_ref()),
                ];
                self.lift_variant(&cases, &slots, vals)
            }
            _ => {
                self.unsupported(id);
                "_rt::abort()".into()
            }
        }
    }

    fn lift_variant(
        &mut self,
        cases: &[(String, Option<&Type>)],
        slots: &[WasmType],
        vals: &mut std::vec::IntoIter<(String, WasmType)>,
    ) -> String {
        let disc = vals.next().map(|(e, _)| e).unwrap_or_default();
        let slot_vals: Vec<(String, WasmType)> = slots
            .iter()
            .map(|s| (vals.next().map(|(e, _)| e).unwrap_or_default(), *s))
            .collect();
        let t = self.tmp("d");
        let mut code = format!("let {t} = match {disc} {{\n");
        for (i, (pat, payload)) in cases.iter().enumerate() {
            let (body, expr) = self.nested(|s| match payload {
                Some(ty) => {
                    let own = flatten(s.resolve(), ty);
                    let casted: Vec<(String, WasmType)> = own
                        .iter()
                        .zip(&slot_vals)
                        .map(|(to, (e, slot))| (cast_from_slot(e, *slot, *to), *to))
                        .collect();
                    let e = s.lift_flat(ty, &mut casted.into_iter());
                    format!("{pat}({e})")
                }
                None if pat == OK || pat == ERR => format!("{pat}(())"),
                None => pat.clone(),
            });
            let arm = if i + 1 == cases.len() {
                "_".to_string()
            } else {
                i.to_string()
            };
            let _ = write!(code, "{arm} => {{\n{body}{expr}\n}}\n");
        }
        code.push_str("};");
        self.line(code);
        t
    }

    fn lift_handle(&mut self, h: &Handle, handle_u32: &str, raw: &str) -> String {
        match h {
            Handle::Own(r) => {
                let path = self.g.type_path_of(self.g.resource_of(*r));
                format!("{path}::from_handle({handle_u32})")
            }
            Handle::Borrow(r) => {
                let r = self.g.resource_of(*r);
                let path = self.g.type_path_of(r);
                if self.g.is_exported_resource(r) {
                    format!("{path}Borrow::lift(({raw}) as usize)")
                } else if self.nesting == 0 {
                    // The callee must end the borrow before returning: the
                    // hoisted handle's drop (`[resource-drop]` on a borrow)
                    // does that when the export function's scope ends.
                    let t = self.tmp("borrowed");
                    self.line(format!("let {t} = {path}::from_handle({handle_u32});"));
                    format!("&{t}")
                } else {
                    // Inside a match arm or loop no local outlives the
                    // expression: the handle goes to a per-call arena whose
                    // drop, after the call, ends the borrows.
                    self.uses_borrow_arena = true;
                    format!(
                        "{{ let b = _rt::Box::new({path}::from_handle({handle_u32})); let r = &*(&*b as *const {path}); borrow_arena.push(b); r }}"
                    )
                }
            }
        }
    }

    /// Takes ownership of a list the other side allocated.
    fn lift_list(&mut self, elem: &Type, p: &str, l: &str) -> String {
        if let Some(rust) = is_canonical_elem(elem) {
            return format!("_rt::list_lift::<{rust}>({p}, {l})");
        }
        let base = self.tmp("base");
        let len = self.tmp("len");
        let out = self.tmp("list");
        let size = self.size(elem);
        let align = self.align(elem);
        self.line(format!("let {base} = {p};"));
        self.line(format!("let {len} = {l};"));
        let (body, e) = self.nested(|s| s.load(elem, "elem", 0));
        self.line(format!(
            "let mut {out} = _rt::Vec::with_capacity({len});\nfor i in 0..{len} {{\nlet elem = {base}.add(i * {size});\n{body}{out}.push({e});\n}}"
        ));
        self.line(format!("_rt::dealloc({base}, {len} * {size}, {align});"));
        out
    }

    // ---- loading from memory -------------------------------------------

    /// Loads a value of `ty` from `base + off`, returning an expression.
    pub fn load(&mut self, ty: &Type, base: &str, off: usize) -> String {
        // Aliases are followed in a loop (chains of them are unbounded).
        let ty = &compono_wit::dealias(self.resolve(), *ty);
        let at = |rust: &str, o: usize| format!("{base}.add({o}).cast::<{rust}>().read()");
        match ty {
            Type::Bool => format!("_rt::bool_lift({})", at("u8", off)),
            Type::Char => format!("_rt::char_lift({})", at("u32", off)),
            Type::ErrorContext => at("u32", off),
            Type::String => {
                let p = self.tmp("ptr");
                let l = self.tmp("len");
                self.line(format!("let {p} = {};", at("*mut u8", off)));
                self.line(format!("let {l} = {};", at("usize", off + 4)));
                format!("_rt::string_lift({p}, {l})")
            }
            Type::Id(id) => self.load_id(*id, base, off),
            prim => at(super::prim_rust(prim), off),
        }
    }

    fn load_id(&mut self, id: TypeId, base: &str, off: usize) -> String {
        let at = |rust: &str, o: usize| format!("{base}.add({o}).cast::<{rust}>().read()");
        match self.kind(id) {
            TypeDefKind::Type(inner) => self.load(inner, base, off),
            TypeDefKind::Record(r) => {
                let name = self.g.type_path_of(id);
                let offsets = self.g.layouts.field_offsets(r.fields.iter().map(|f| &f.ty));
                let mut fields = Vec::new();
                for (f, o) in r.fields.iter().zip(offsets) {
                    let e = self.load(&f.ty, base, off + o);
                    let t = self.tmp("l");
                    self.line(format!("let {t} = {e};"));
                    fields.push(format!("{}: {t}", super::field_name(&f.name)));
                }
                format!("{name} {{ {} }}", fields.join(", "))
            }
            TypeDefKind::Tuple(tuple) => {
                let offsets = self.g.layouts.field_offsets(tuple.types.iter());
                let mut elems = Vec::new();
                for (ty, o) in tuple.types.iter().zip(offsets) {
                    let e = self.load(ty, base, off + o);
                    let t = self.tmp("l");
                    self.line(format!("let {t} = {e};"));
                    elems.push(t);
                }
                format!("({},)", elems.join(", "))
            }
            TypeDefKind::Flags(f) => {
                let name = self.g.type_path_of(id);
                let rust = self.g.flags_repr(id);
                match self.size(&Type::Id(id)) {
                    1 => format!("{name}::from_bits_retain({})", at("u8", off)),
                    2 => format!("{name}::from_bits_retain({})", at("u16", off)),
                    _ => {
                        let parts: Vec<String> = (0..f.repr().count())
                            .map(|i| {
                                let word = at("u32", off + 4 * i);
                                if i == 0 {
                                    format!("{word} as {rust}")
                                } else {
                                    format!("(({word} as {rust}) << {})", 32 * i)
                                }
                            })
                            .collect();
                        format!("{name}::from_bits_retain({})", parts.join(" | "))
                    }
                }
            }
            TypeDefKind::Enum(e) => {
                let name = self.g.type_path_of(id);
                format!("{name}::_lift(u32::from({}))", at(int_rust(e.tag()), off))
            }
            TypeDefKind::Handle(h) => {
                let raw = at("i32", off);
                self.lift_handle(h, &format!("({raw}) as u32"), &raw)
            }
            TypeDefKind::List(elem) => {
                let p = self.tmp("ptr");
                let l = self.tmp("len");
                self.line(format!("let {p} = {};", at("*mut u8", off)));
                self.line(format!("let {l} = {};", at("usize", off + 4)));
                self.lift_list(elem, &p, &l)
            }
            TypeDefKind::Variant(v) => {
                let name = self.g.type_path_of(id);
                let cases: Vec<(String, Option<&Type>)> = v
                    .cases
                    .iter()
                    .map(|c| {
                        (
                            format!("{name}::{}", super::case_name(&c.name)),
                            c.ty.as_ref(),
                        )
                    })
                    .collect();
                let payload = self
                    .g
                    .layouts
                    .payload_offset(v.tag(), v.cases.iter().map(|c| c.ty.as_ref()));
                self.load_variant(v.tag(), &cases, base, off, payload)
            }
            TypeDefKind::Option(ty) => {
                let payload = self.g.layouts.payload_offset(Int::U8, [None, Some(ty)]);
                let cases = [(NONE.to_string(), None), (SOME.to_string(), Some(ty))];
                self.load_variant(Int::U8, &cases, base, off, payload)
            }
            TypeDefKind::Result(r) => {
                let payload = self
                    .g
                    .layouts
                    .payload_offset(Int::U8, [r.ok.as_ref(), r.err.as_ref()]);
                let cases = [
                    (OK.to_string(), r.ok.as_ref()),
                    (ERR.to_string(), r.err.as_ref()),
                ];
                self.load_variant(Int::U8, &cases, base, off, payload)
            }
            _ => {
                self.unsupported(id);
                "_rt::abort()".into()
            }
        }
    }

    fn load_variant(
        &mut self,
        tag: Int,
        cases: &[(String, Option<&Type>)],
        base: &str,
        off: usize,
        payload_off: usize,
    ) -> String {
        let t = self.tmp("d");
        let mut code = format!(
            "let {t} = match {base}.add({off}).cast::<{}>().read() {{\n",
            int_rust(tag)
        );
        for (i, (pat, payload)) in cases.iter().enumerate() {
            let (body, expr) = self.nested(|s| match payload {
                Some(ty) => {
                    let e = s.load(ty, base, off + payload_off);
                    format!("{pat}({e})")
                }
                None if pat == OK || pat == ERR => format!("{pat}(())"),
                None => pat.clone(),
            });
            let _ = write!(code, "{i} => {{\n{body}{expr}\n}}\n");
        }
        code.push_str("_ => _rt::invalid_discriminant(),\n};");
        self.line(code);
        t
    }

    // ---- post-return ---------------------------------------------------

    /// Frees what lowering `ty` in `Copy` mode allocated at `base + off`.
    pub fn free(&mut self, ty: &Type, base: &str, off: usize) {
        // Aliases are followed in a loop (chains of them are unbounded).
        let ty = &compono_wit::dealias(self.resolve(), *ty);
        if !crate::abi::needs_cleanup(self.resolve(), ty) {
            return;
        }
        let at = |rust: &str, o: usize| format!("{base}.add({o}).cast::<{rust}>().read()");
        match ty {
            Type::String => self.line(format!(
                "_rt::dealloc({}, {}, 1);",
                at("*mut u8", off),
                at("usize", off + 4)
            )),
            Type::Id(id) => match self.kind(*id) {
                TypeDefKind::Type(inner) => self.free(inner, base, off),
                TypeDefKind::Record(r) => {
                    let offsets = self.g.layouts.field_offsets(r.fields.iter().map(|f| &f.ty));
                    for (f, o) in r.fields.iter().zip(offsets) {
                        self.free(&f.ty, base, off + o);
                    }
                }
                TypeDefKind::Tuple(t) => {
                    let offsets = self.g.layouts.field_offsets(t.types.iter());
                    for (ty, o) in t.types.iter().zip(offsets) {
                        self.free(ty, base, off + o);
                    }
                }
                TypeDefKind::List(elem) => {
                    let p = self.tmp("ptr");
                    let l = self.tmp("len");
                    let size = self.size(elem);
                    let align = self.align(elem);
                    self.line(format!("let {p} = {};", at("*mut u8", off)));
                    self.line(format!("let {l} = {};", at("usize", off + 4)));
                    let (body, ()) = self.nested(|s| s.free(elem, "elem", 0));
                    if !body.is_empty() {
                        self.line(format!(
                            "for i in 0..{l} {{\nlet elem = {p}.add(i * {size});\n{body}}}"
                        ));
                    }
                    self.line(format!("_rt::dealloc({p}, {l} * {size}, {align});"));
                }
                TypeDefKind::Variant(v) => {
                    let payload = self
                        .g
                        .layouts
                        .payload_offset(v.tag(), v.cases.iter().map(|c| c.ty.as_ref()));
                    let cases: Vec<Option<&Type>> = v.cases.iter().map(|c| c.ty.as_ref()).collect();
                    self.free_variant(v.tag(), &cases, base, off, payload);
                }
                TypeDefKind::Option(ty) => {
                    let payload = self.g.layouts.payload_offset(Int::U8, [None, Some(ty)]);
                    self.free_variant(Int::U8, &[None, Some(ty)], base, off, payload);
                }
                TypeDefKind::Result(r) => {
                    let cases = [r.ok.as_ref(), r.err.as_ref()];
                    let payload = self.g.layouts.payload_offset(Int::U8, cases);
                    self.free_variant(Int::U8, &cases, base, off, payload);
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn free_variant(
        &mut self,
        tag: Int,
        cases: &[Option<&Type>],
        base: &str,
        off: usize,
        payload: usize,
    ) {
        let mut code = format!(
            "match {base}.add({off}).cast::<{}>().read() {{\n",
            int_rust(tag)
        );
        for (i, ty) in cases.iter().enumerate() {
            let Some(ty) = ty else { continue };
            let (body, ()) = self.nested(|s| s.free(ty, base, off + payload));
            if !body.is_empty() {
                let _ = write!(code, "{i} => {{\n{body}}}\n");
            }
        }
        code.push_str("_ => {}\n}");
        self.line(code);
    }

    /// Size of `tag` as a discriminant, for callers laying out variants.
    #[allow(dead_code)]
    pub fn tag_size(tag: Int) -> usize {
        int_size(tag)
    }
}
