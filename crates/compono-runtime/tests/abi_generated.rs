//! The canonical ABI on generated types, against wasmtime: nobody's
//! hand-written fixtures. A seeded generator makes one to six parameter
//! types (records, variants, enums, flags, tuples, lists, options,
//! results, strings, chars, every number type and, in a third of the
//! cases, `own` handles of a host resource; nested) and a component
//! that imports `f` from the host and exports `g`, both taking those
//! parameters and returning them (the one, or a tuple of them all). `g`'s
//! core function only passes its flat parameters on to the lowered `f`
//! and returns what `f` returned; the host's `f` returns its arguments.
//! In half the cases with handles, `f` and `g` also take a leading
//! `borrow` of a host resource, which is not returned: the host's `f`
//! checks that it borrows the resource the host lent `g`, and `g` drops
//! its borrow handle after the call, as the canonical ABI requires.
//!
//! So one call of `g(v)` lowers `v` into the guest (flat, or in memory
//! past 16 flat values), lifts it back out for `f`, lowers `f`'s result
//! into the guest (flat, or through a return area) and lifts `g`'s result,
//! in the case's string encoding. In half the cases the host calls a
//! component whose `f` is the `g` of a second component with its own
//! memory and encoding, so values also pass from guest to guest,
//! transcoded. Then `digest` hashes each guest's whole memory, which holds
//! every list and string lowered, where the guest's `cabi_realloc` (a bump
//! allocator) placed them, and every handle, numbered as the guest's
//! handle table gave it out.
//!
//! Each case must give back `v` in compono's runtime and in wasmtime, and
//! the digests must be equal: the same bytes at the same addresses, which
//! only happens when both lay out values and call `cabi_realloc` in the
//! order the canonical ABI prescribes.
//!
//! `COMPONO_ABI_CASES=N COMPONO_ABI_FIRST_SEED=S` runs N cases from seed S
//! (500 from 0 by default), for longer campaigns.

use compono_runtime::{Component, Engine, Linker, ResourceAny, ResourceType, Store, Val};
use compono_testutil::Rng;
use std::fmt::Write;

const CASES: u64 = 500;

/// A value type. Records, variants, enums and flags are definitions of
/// the case (by index), imported under a name as the component model
/// requires of types in an import's or export's signature.
#[derive(Clone, Debug)]
enum Ty {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    /// `own<r>` of the host's resource type `r`.
    Own,
    List(Box<Ty>),
    Tuple(Vec<Ty>),
    Option(Box<Ty>),
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    Named(usize),
}

#[derive(Clone, Debug)]
enum Def {
    Record(Vec<Ty>),
    Variant(Vec<Option<Ty>>),
    Enum(usize),
    Flags(usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Core {
    I32,
    I64,
    F32,
    F64,
}

impl Core {
    fn wat(self) -> &'static str {
        match self {
            Core::I32 => "i32",
            Core::I64 => "i64",
            Core::F32 => "f32",
            Core::F64 => "f64",
        }
    }

    fn join(self, other: Core) -> Core {
        match (self, other) {
            (a, b) if a == b => a,
            (Core::I32, Core::F32) | (Core::F32, Core::I32) => Core::I32,
            _ => Core::I64,
        }
    }
}

#[derive(Clone)]
struct Case {
    defs: Vec<Def>,
    /// The functions' parameters; the result is the one parameter's
    /// type, or the tuple of them all.
    params: Vec<Ty>,
    encoding: &'static str,
    /// The callee's encoding, when the host calls a component that
    /// calls another (see `component`).
    nested: Option<&'static str>,
    /// Whether the types may hold handles to the host's resource `r`.
    resources: bool,
    /// Whether `f` and `g` take a leading `borrow<r>`, not returned.
    borrow: bool,
}

const ENCODINGS: [&str; 3] = ["utf8", "utf16", "latin1+utf16"];

impl Case {
    fn generate(rng: &mut Rng) -> Case {
        let mut case = Case {
            defs: Vec::new(),
            params: Vec::new(),
            encoding: ENCODINGS[rng.below(3)],
            nested: (rng.below(2) == 0).then(|| ENCODINGS[rng.below(3)]),
            resources: rng.below(3) == 0,
            borrow: false,
        };
        case.borrow = case.resources && rng.below(2) == 0;
        let count = [1, 1, 2, 3, 6][rng.below(5)];
        case.params = (0..count).map(|_| case.ty(rng, 0)).collect();
        case
    }

    fn result(&self) -> Ty {
        match self.params.as_slice() {
            [one] => one.clone(),
            all => Ty::Tuple(all.to_vec()),
        }
    }

    fn ty(&mut self, rng: &mut Rng, depth: usize) -> Ty {
        let leaf = depth >= 3 || rng.below(3) == 0;
        if leaf && self.resources && rng.below(5) == 0 {
            return Ty::Own;
        }
        if leaf {
            return match rng.below(13) {
                0 => Ty::Bool,
                1 => Ty::S8,
                2 => Ty::U8,
                3 => Ty::S16,
                4 => Ty::U16,
                5 => Ty::S32,
                6 => Ty::U32,
                7 => Ty::S64,
                8 => Ty::U64,
                9 => Ty::F32,
                10 => Ty::F64,
                11 => Ty::Char,
                _ => Ty::String,
            };
        }
        let d = depth + 1;
        match rng.below(9) {
            0 => Ty::List(Box::new(self.ty(rng, d))),
            1 => Ty::Tuple((0..1 + rng.below(4)).map(|_| self.ty(rng, d)).collect()),
            2 => Ty::Option(Box::new(self.ty(rng, d))),
            3 => {
                let mut side =
                    |rng: &mut Rng| (rng.below(3) != 0).then(|| Box::new(self.ty(rng, d)));
                let ok = side(rng);
                Ty::Result(ok, side(rng))
            }
            4 | 5 => {
                let fields = (0..1 + rng.below(5)).map(|_| self.ty(rng, d)).collect();
                self.define(Def::Record(fields))
            }
            6 => {
                let cases = (0..1 + rng.below(5))
                    .map(|_| (rng.below(4) != 0).then(|| self.ty(rng, d)))
                    .collect();
                self.define(Def::Variant(cases))
            }
            // Past 256 cases the discriminant takes two bytes.
            7 => self.define(Def::Enum(if rng.below(8) == 0 {
                257 + rng.below(50)
            } else {
                1 + rng.below(6)
            })),
            _ => self.define(Def::Flags(1 + rng.below(32))),
        }
    }

    fn define(&mut self, def: Def) -> Ty {
        self.defs.push(def);
        Ty::Named(self.defs.len() - 1)
    }

    // --- The canonical ABI's flattening, size and alignment ---

    fn flat(&self, ty: &Ty) -> Vec<Core> {
        match ty {
            Ty::Bool
            | Ty::S8
            | Ty::U8
            | Ty::S16
            | Ty::U16
            | Ty::S32
            | Ty::U32
            | Ty::Char
            | Ty::Own => {
                vec![Core::I32]
            }
            Ty::S64 | Ty::U64 => vec![Core::I64],
            Ty::F32 => vec![Core::F32],
            Ty::F64 => vec![Core::F64],
            Ty::String | Ty::List(_) => vec![Core::I32, Core::I32],
            Ty::Tuple(tys) => tys.iter().flat_map(|t| self.flat(t)).collect(),
            Ty::Option(t) => self.flat_variant(&[None, Some(t)]),
            Ty::Result(ok, err) => self.flat_variant(&[ok.as_deref(), err.as_deref()]),
            Ty::Named(i) => match &self.defs[*i] {
                Def::Record(tys) => tys.iter().flat_map(|t| self.flat(t)).collect(),
                Def::Variant(cases) => {
                    let cases: Vec<Option<&Ty>> = cases.iter().map(Option::as_ref).collect();
                    self.flat_variant(&cases)
                }
                Def::Enum(_) | Def::Flags(_) => vec![Core::I32],
            },
        }
    }

    fn flat_variant(&self, cases: &[Option<&Ty>]) -> Vec<Core> {
        let mut joined: Vec<Core> = Vec::new();
        for ty in cases.iter().flatten() {
            for (i, core) in self.flat(ty).into_iter().enumerate() {
                match joined.get_mut(i) {
                    Some(slot) => *slot = slot.join(core),
                    None => joined.push(core),
                }
            }
        }
        let mut flat = vec![Core::I32];
        flat.extend(joined);
        flat
    }

    fn align(&self, ty: &Ty) -> u32 {
        match ty {
            Ty::Bool | Ty::S8 | Ty::U8 => 1,
            Ty::S16 | Ty::U16 => 2,
            Ty::S32 | Ty::U32 | Ty::F32 | Ty::Char | Ty::Own | Ty::String | Ty::List(_) => 4,
            Ty::S64 | Ty::U64 | Ty::F64 => 8,
            Ty::Tuple(tys) => tys.iter().map(|t| self.align(t)).max().unwrap_or(1),
            Ty::Option(t) => self.align_variant(2, [Some(&**t)]),
            Ty::Result(ok, err) => self.align_variant(2, [ok.as_deref(), err.as_deref()]),
            Ty::Named(i) => match &self.defs[*i] {
                Def::Record(tys) => tys.iter().map(|t| self.align(t)).max().unwrap_or(1),
                Def::Variant(cases) => {
                    self.align_variant(cases.len(), cases.iter().map(Option::as_ref))
                }
                Def::Enum(n) => discriminant_size(*n),
                Def::Flags(n) => flags_size(*n),
            },
        }
    }

    fn align_variant<'t>(
        &self,
        cases: usize,
        payloads: impl IntoIterator<Item = Option<&'t Ty>>,
    ) -> u32 {
        payloads
            .into_iter()
            .flatten()
            .map(|t| self.align(t))
            .fold(discriminant_size(cases), u32::max)
    }

    fn size(&self, ty: &Ty) -> u32 {
        match ty {
            Ty::Bool | Ty::S8 | Ty::U8 => 1,
            Ty::S16 | Ty::U16 => 2,
            Ty::S32 | Ty::U32 | Ty::F32 | Ty::Char | Ty::Own => 4,
            Ty::S64 | Ty::U64 | Ty::F64 | Ty::String | Ty::List(_) => 8,
            Ty::Tuple(tys) => self.size_record(tys),
            Ty::Option(t) => self.size_variant(2, [Some(&**t)]),
            Ty::Result(ok, err) => self.size_variant(2, [ok.as_deref(), err.as_deref()]),
            Ty::Named(i) => match &self.defs[*i] {
                Def::Record(tys) => self.size_record(tys),
                Def::Variant(cases) => {
                    self.size_variant(cases.len(), cases.iter().map(Option::as_ref))
                }
                Def::Enum(n) => discriminant_size(*n),
                Def::Flags(n) => flags_size(*n),
            },
        }
    }

    fn size_record(&self, tys: &[Ty]) -> u32 {
        let mut size: u32 = 0;
        for t in tys {
            size = size.next_multiple_of(self.align(t)) + self.size(t);
        }
        size.next_multiple_of(tys.iter().map(|t| self.align(t)).max().unwrap_or(1))
    }

    fn size_variant<'t>(
        &self,
        cases: usize,
        payloads: impl IntoIterator<Item = Option<&'t Ty>> + Clone,
    ) -> u32 {
        let payload_align = payloads
            .clone()
            .into_iter()
            .flatten()
            .map(|t| self.align(t))
            .max()
            .unwrap_or(1);
        let payload_size = payloads
            .clone()
            .into_iter()
            .flatten()
            .map(|t| self.size(t))
            .max()
            .unwrap_or(0);
        let discriminant = discriminant_size(cases);
        let size = discriminant.next_multiple_of(payload_align) + payload_size;
        size.next_multiple_of(self.align_variant(cases, payloads))
    }

    // --- The component ---

    fn wat_ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool".into(),
            Ty::S8 => "s8".into(),
            Ty::U8 => "u8".into(),
            Ty::S16 => "s16".into(),
            Ty::U16 => "u16".into(),
            Ty::S32 => "s32".into(),
            Ty::U32 => "u32".into(),
            Ty::S64 => "s64".into(),
            Ty::U64 => "u64".into(),
            Ty::F32 => "f32".into(),
            Ty::F64 => "f64".into(),
            Ty::Char => "char".into(),
            Ty::String => "string".into(),
            Ty::Own => "(own $r)".into(),
            Ty::List(t) => format!("(list {})", self.wat_ty(t)),
            Ty::Tuple(tys) => format!(
                "(tuple {})",
                tys.iter()
                    .map(|t| self.wat_ty(t))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Ty::Option(t) => format!("(option {})", self.wat_ty(t)),
            Ty::Result(ok, err) => {
                let mut s = "(result".to_string();
                if let Some(ok) = ok {
                    write!(s, " {}", self.wat_ty(ok)).unwrap();
                }
                if let Some(err) = err {
                    write!(s, " (error {})", self.wat_ty(err)).unwrap();
                }
                s + ")"
            }
            Ty::Named(i) => format!("$t{i}"),
        }
    }

    /// The component: one made by `body`, or (`nested`) a caller
    /// component with the case's encoding whose `f` is the `g` of a callee
    /// with the other encoding, whose `f` is the host's.
    fn component(&self) -> String {
        let types = self.types();
        let sig = self.signature();
        match self.nested {
            None => format!("(component\n{types}{}\n)", self.body(self.encoding)),
            Some(callee) => {
                let mut with: String = (0..self.defs.len())
                    .map(|i| format!(" (with \"t{i}\" (type $t{i}))"))
                    .collect();
                if self.resources {
                    with.push_str(" (with \"r\" (type $r))");
                }
                format!(
                    r#"(component
{types}  (import "f" (func $f {sig}))
  (component $callee
{types}{callee_body})
  (instance $callee (instantiate $callee{with} (with "f" (func $f))))
  (component $caller
{types}{caller_body})
  (instance $caller (instantiate $caller{with} (with "f" (func $callee "g"))))
  (export "g" (func $caller "g"))
  (export "digest" (func $caller "digest"))
  (export "digest-callee" (func $callee "digest"))
)"#,
                    callee_body = self.body(callee),
                    caller_body = self.body(self.encoding),
                )
            }
        }
    }

    /// `g`'s and `f`'s parameters and result.
    fn signature(&self) -> String {
        let borrow = if self.borrow {
            "(param \"b\" (borrow $r)) "
        } else {
            ""
        };
        let params: String = self
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("(param \"p{i}\" {}) ", self.wat_ty(t)))
            .collect();
        format!("{borrow}{params}(result {})", self.wat_ty(&self.result()))
    }

    /// The case's record, variant, enum and flags types, each defined and
    /// imported under the name the signatures use.
    fn types(&self) -> String {
        let mut types = String::new();
        if self.resources {
            types.push_str("  (import \"r\" (type $r (sub resource)))\n");
        }
        for (i, def) in self.defs.iter().enumerate() {
            let body = match def {
                Def::Record(tys) => {
                    let fields: Vec<String> = tys
                        .iter()
                        .enumerate()
                        .map(|(f, t)| format!("(field \"a{f}\" {})", self.wat_ty(t)))
                        .collect();
                    format!("(record {})", fields.join(" "))
                }
                Def::Variant(cases) => {
                    let cases: Vec<String> = cases
                        .iter()
                        .enumerate()
                        .map(|(c, t)| match t {
                            Some(t) => format!("(case \"c{c}\" {})", self.wat_ty(t)),
                            None => format!("(case \"c{c}\")"),
                        })
                        .collect();
                    format!("(variant {})", cases.join(" "))
                }
                Def::Enum(n) => format!(
                    "(enum {})",
                    (0..*n)
                        .map(|e| format!("\"e{e}\""))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                Def::Flags(n) => format!(
                    "(flags {})",
                    (0..*n)
                        .map(|g| format!("\"g{g}\""))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            };
            writeln!(types, "  (type $d{i} {body})").unwrap();
            writeln!(types, "  (import \"t{i}\" (type $t{i} (eq $d{i})))").unwrap();
        }
        types
    }

    /// Imports `f` and exports `g` (passing its flat parameters to the
    /// lowered `f`, then dropping its borrow handle if it has one) and
    /// `digest` (the guest's memory's hash).
    fn body(&self, encoding: &str) -> String {
        let result = self.result();
        let sig = self.signature();
        // The parameters flatten to the result's flat types, after the
        // borrow's handle.
        let flat = self.flat(&result);
        let mut flat_params = if self.borrow { vec![Core::I32] } else { vec![] };
        flat_params.extend(&flat);
        let in_memory = flat_params.len() > 16;
        let params = if in_memory {
            vec![Core::I32]
        } else {
            flat_params
        };
        let params_wat: String = params.iter().map(|c| format!(" {}", c.wat())).collect();
        let args: String = (0..params.len())
            .map(|i| format!("(local.get {i})"))
            .collect();
        // Past 16 flat values, the handle is the first of the parameters
        // in memory.
        let drop = match (self.borrow, in_memory) {
            (false, _) => String::new(),
            (true, false) => "(call $drop (local.get 0))".to_string(),
            (true, true) => "(call $drop (i32.load (local.get 0)))".to_string(),
        };
        let (import_sig, export_sig, body) = if flat.len() > 1 {
            // The lowered import writes its result to a return area the
            // guest gets from its allocator; the lifted export returns a
            // pointer to it.
            let body = format!(
                "(local $ret i32)
      (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const {}) (i32.const {})))
      {args} (local.get $ret) (call $f) {drop} (local.get $ret)",
                self.align(&result),
                self.size(&result),
            );
            (
                format!("(param{params_wat} i32)"),
                format!("(param{params_wat}) (result i32)"),
                body,
            )
        } else {
            let core = flat[0].wat();
            let result = format!("(result {core})");
            (
                format!("(param{params_wat}) {result}"),
                format!("(param{params_wat}) {result}"),
                format!(
                    "(local $res {core}) (local.set $res {args} (call $f)) {drop} (local.get $res)"
                ),
            )
        };
        let (drop_func, drop_import, drop_export) = if self.borrow {
            (
                "\n  (core func $drop (canon resource.drop $r))",
                "\n    (import \"host\" \"drop\" (func $drop (param i32)))",
                " (export \"drop\" (func $drop))",
            )
        } else {
            ("", "", "")
        };
        format!(
            r#"  (import "f" (func $f {sig}))
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 8))
    (func (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $bump (i32.add (local.get $p) (local.get $size)))
      (block $fits
        (loop $grow
          (br_if $fits (i32.le_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536))))
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
          (br $grow)))
      (if (local.get $old)
        (then (memory.copy (local.get $p) (local.get $old)
          (select (local.get $old-size) (local.get $size) (i32.lt_u (local.get $old-size) (local.get $size))))))
      (local.get $p))
    (func (export "digest") (result i64)
      (local $i i32) (local $h i64)
      (local.set $h (i64.const 0xcbf29ce484222325))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (global.get $bump)))
          (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $i))) (i64.const 0x100000001b3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i64.xor (local.get $h) (i64.extend_i32_u (global.get $bump)))))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "memory" (core memory $memory))
  (alias core export $mi "cabi_realloc" (core func $realloc))
  (alias core export $mi "digest" (core func $digest))
  (core func $f-lowered (canon lower (func $f) (memory $memory) (realloc $realloc) string-encoding={encoding})){drop_func}
  (core module $main
    (import "host" "f" (func $f {import_sig})){drop_import}
    (import "mem" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "mem" "memory" (memory 1))
    (func (export "g") {export_sig}
      {body}))
  (core instance $main-i (instantiate $main
    (with "host" (instance (export "f" (func $f-lowered)){drop_export}))
    (with "mem" (instance (export "realloc" (func $realloc)) (export "memory" (memory $memory))))))
  (func (export "g") {sig}
    (canon lift (core func $main-i "g") (memory $memory) (realloc $realloc) string-encoding={encoding}))
  (func (export "digest") (result u64) (canon lift (core func $digest)))"#
        )
    }

    // --- Values: compono's `Val` and the JSON tree the wasmtime driver reads ---

    fn value(&self, ty: &Ty, rng: &mut Rng, latin1: bool) -> (Val, String) {
        // An edge value or random bits, evenly.
        macro_rules! int {
            ($variant:ident, $t:ty, [$($pick:expr),*]) => {{
                let pick: &[$t] = &[$($pick),*];
                let v = if rng.below(2) == 0 {
                    pick[rng.below(pick.len())]
                } else {
                    rng.next_u64() as $t
                };
                (Val::$variant(v), v.to_string())
            }};
        }
        // The same, but never a NaN (whose payload may change).
        macro_rules! float {
            ($variant:ident, $t:ident, $bits:ty, $tiniest:expr) => {{
                let pick = [
                    0.0,
                    -0.0,
                    1.5,
                    -2.25,
                    $t::MAX,
                    $t::MIN_POSITIVE,
                    $tiniest,
                    $t::INFINITY,
                    $t::NEG_INFINITY,
                ];
                let v = match rng.below(2) {
                    0 => pick[rng.below(pick.len())],
                    _ => Some($t::from_bits(rng.next_u64() as $bits))
                        .filter(|v| !v.is_nan())
                        .unwrap_or(0.5),
                };
                (Val::$variant(v), json_float(f64::from(v)))
            }};
        }
        match ty {
            Ty::Bool => {
                let b = rng.below(2) == 0;
                (Val::Bool(b), b.to_string())
            }
            Ty::S8 => int!(S8, i8, [i8::MIN, -1, 0, i8::MAX]),
            Ty::U8 => int!(U8, u8, [0, 1, u8::MAX]),
            Ty::S16 => int!(S16, i16, [i16::MIN, -1, 0, i16::MAX]),
            Ty::U16 => int!(U16, u16, [0, 1, u16::MAX]),
            Ty::S32 => int!(S32, i32, [i32::MIN, -1, 0, i32::MAX]),
            Ty::U32 => int!(U32, u32, [0, 1, u32::MAX]),
            Ty::S64 => int!(S64, i64, [i64::MIN, -1, 0, i64::MAX]),
            Ty::U64 => int!(U64, u64, [0, 1, u64::MAX]),
            Ty::F32 => float!(Float32, f32, u32, 1e-45),
            Ty::F64 => float!(Float64, f64, u64, 5e-324),
            Ty::Char => {
                let c = random_char(rng, latin1);
                (Val::Char(c), json_string(&c.to_string()))
            }
            // The representation of a new host resource, which each
            // driver makes when it calls (see `Case::map_own`).
            Ty::Own => {
                let rep = 1 + rng.below(1 << 20) as u32;
                (Val::U32(rep), rep.to_string())
            }
            Ty::String => {
                let s: String = (0..rng.below(9))
                    .map(|_| random_char(rng, latin1))
                    .collect();
                (Val::String(s.clone()), json_string(&s))
            }
            Ty::List(t) => {
                let tys = vec![&**t; rng.below(5)];
                let (items, json) = self.values(tys, rng, latin1);
                (Val::List(items), json)
            }
            Ty::Tuple(tys) => {
                let (items, json) = self.values(tys.iter().collect(), rng, latin1);
                (Val::Tuple(items), json)
            }
            Ty::Option(t) => {
                let some = rng.below(3) != 0;
                let (payload, json) = self.payload(some.then_some(&**t), rng, latin1);
                (Val::Option(payload), format!("[{},{json}]", u8::from(some)))
            }
            Ty::Result(ok, err) => {
                let is_ok = rng.below(2) == 0;
                let side = if is_ok { ok } else { err };
                let (payload, json) = self.payload(side.as_deref(), rng, latin1);
                let val = if is_ok {
                    Val::Result(Ok(payload))
                } else {
                    Val::Result(Err(payload))
                };
                (val, format!("[{},{json}]", u8::from(!is_ok)))
            }
            Ty::Named(i) => match &self.defs[*i] {
                Def::Record(tys) => {
                    let (items, json) = self.values(tys.iter().collect(), rng, latin1);
                    let fields = items
                        .into_iter()
                        .enumerate()
                        .map(|(f, v)| (format!("a{f}"), v))
                        .collect();
                    (Val::Record(fields), json)
                }
                Def::Variant(cases) => {
                    let c = rng.below(cases.len());
                    let (payload, json) = self.payload(cases[c].as_ref(), rng, latin1);
                    (
                        Val::Variant(format!("c{c}"), payload),
                        format!("[{c},{json}]"),
                    )
                }
                Def::Enum(n) => {
                    let e = rng.below(*n);
                    (Val::Enum(format!("e{e}")), e.to_string())
                }
                Def::Flags(n) => {
                    let set: Vec<usize> = (0..*n).filter(|_| rng.below(2) == 0).collect();
                    let names = set.iter().map(|g| format!("g{g}")).collect();
                    let json: Vec<String> = set.iter().map(|g| g.to_string()).collect();
                    (Val::Flags(names), format!("[{}]", json.join(",")))
                }
            },
        }
    }

    /// A value of each type, and their trees as one JSON array.
    fn values(&self, tys: Vec<&Ty>, rng: &mut Rng, latin1: bool) -> (Vec<Val>, String) {
        let (items, json): (Vec<Val>, Vec<String>) =
            tys.into_iter().map(|t| self.value(t, rng, latin1)).unzip();
        (items, format!("[{}]", json.join(",")))
    }

    /// `v` (of type `ty`) with `f` applied to every `own<r>` in it.
    fn map_own(
        &self,
        ty: &Ty,
        v: Val,
        f: &mut dyn FnMut(Val) -> Result<Val, String>,
    ) -> Result<Val, String> {
        let mut each = |tys: &[Ty], items: Vec<Val>| -> Result<Vec<Val>, String> {
            tys.iter()
                .zip(items)
                .map(|(t, v)| self.map_own(t, v, f))
                .collect()
        };
        Ok(match (ty, v) {
            (Ty::Own, v) => f(v)?,
            (Ty::List(t), Val::List(items)) => {
                let tys = vec![(**t).clone(); items.len()];
                Val::List(each(&tys, items)?)
            }
            (Ty::Tuple(tys), Val::Tuple(items)) => Val::Tuple(each(tys, items)?),
            (Ty::Option(t), Val::Option(Some(v))) => {
                Val::Option(Some(Box::new(self.map_own(t, *v, f)?)))
            }
            (Ty::Result(Some(t), _), Val::Result(Ok(Some(v)))) => {
                Val::Result(Ok(Some(Box::new(self.map_own(t, *v, f)?))))
            }
            (Ty::Result(_, Some(t)), Val::Result(Err(Some(v)))) => {
                Val::Result(Err(Some(Box::new(self.map_own(t, *v, f)?))))
            }
            (Ty::Named(i), v) => match (&self.defs[*i], v) {
                (Def::Record(tys), Val::Record(fields)) => {
                    let (names, items): (Vec<String>, Vec<Val>) = fields.into_iter().unzip();
                    Val::Record(names.into_iter().zip(each(tys, items)?).collect())
                }
                (Def::Variant(cases), Val::Variant(name, Some(v))) => {
                    let c: usize = name[1..].parse().map_err(|_| format!("case {name}"))?;
                    let t = cases[c].as_ref().ok_or(format!("{name} has no payload"))?;
                    Val::Variant(name, Some(Box::new(self.map_own(t, *v, f)?)))
                }
                (_, v) => v,
            },
            (_, v) => v,
        })
    }

    /// A case's payload, if it has a type, and its tree (`null` if not).
    fn payload(&self, ty: Option<&Ty>, rng: &mut Rng, latin1: bool) -> (Option<Box<Val>>, String) {
        match ty {
            Some(t) => {
                let (v, j) = self.value(t, rng, latin1);
                (Some(Box::new(v)), j)
            }
            None => (None, "null".to_string()),
        }
    }
}

fn discriminant_size(cases: usize) -> u32 {
    match cases {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    }
}

fn flags_size(n: usize) -> u32 {
    match n {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

/// A char from a pool that reaches every string encoding's cases: ASCII,
/// Latin-1, the rest of the BMP, past it, and the ends of the ranges.
/// `latin1` keeps a case's strings in Latin-1, so `latin1+utf16` stores
/// them as Latin-1 rather than falling back to UTF-16.
fn random_char(rng: &mut Rng, latin1: bool) -> char {
    const LATIN1: [char; 6] = ['a', 'Z', '\0', '~', 'é', 'ÿ'];
    const WIDE: [char; 7] = [
        'Ā',
        '中',
        '\u{d7ff}',
        '\u{e000}',
        '\u{ffff}',
        '😀',
        '\u{10ffff}',
    ];
    if latin1 || rng.below(2) == 0 {
        LATIN1[rng.below(LATIN1.len())]
    } else {
        WIDE[rng.below(WIDE.len())]
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Python's `json` reads `Infinity`; Rust's `{:?}` of a finite float is
/// the shortest text that reads back as the same value.
fn json_float(v: f64) -> String {
    if v == f64::INFINITY {
        "Infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v:?}")
    }
}

/// What `f` and `g` return for `args`.
fn echo(args: &[Val]) -> Val {
    match args {
        [one] => one.clone(),
        all => Val::Tuple(all.to_vec()),
    }
}

/// `list<u8>` lifts as one buffer; compare it as the list it is.
fn normalize(v: Val) -> Val {
    let boxed = |b: Option<Box<Val>>| b.map(|v| Box::new(normalize(*v)));
    match v {
        Val::Bytes(bytes) => Val::List(bytes.into_iter().map(Val::U8).collect()),
        Val::List(items) => Val::List(items.into_iter().map(normalize).collect()),
        Val::Tuple(items) => Val::Tuple(items.into_iter().map(normalize).collect()),
        Val::Record(fields) => {
            Val::Record(fields.into_iter().map(|(n, v)| (n, normalize(v))).collect())
        }
        Val::Variant(c, payload) => Val::Variant(c, boxed(payload)),
        Val::Option(payload) => Val::Option(boxed(payload)),
        Val::Result(Ok(payload)) => Val::Result(Ok(boxed(payload))),
        Val::Result(Err(payload)) => Val::Result(Err(boxed(payload))),
        other => other,
    }
}

/// `g(values)` and then each digest in compono's runtime.
fn run_in_compono(run: &Run) -> Result<Vec<u64>, String> {
    let Run {
        case,
        wat,
        values,
        borrow,
        ..
    } = run;
    let borrow = *borrow;
    let bytes = wat::parse_str(wat).map_err(|e| format!("the generated component: {e}"))?;
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).map_err(|e| e.to_string())?;
    let mut linker = Linker::<()>::new(&engine);
    let r = ResourceType::host_dynamic(0);
    let mut root = linker.root();
    root.resource("r", r, |_, _| Ok(()))
        .map_err(|e| e.to_string())?;
    root.func_new("f", move |store, args, results| {
        let args = match (borrow, args) {
            (Some(expected), [Val::Resource(b), rest @ ..]) => {
                let rep = b.rep(&store)?;
                if b.owned() || rep != expected {
                    return Err(compono_runtime::Trap::host(format!(
                        "`f` got {b:?} with rep {rep}, not a borrow of {expected}"
                    ))
                    .into());
                }
                rest
            }
            (None, args) => args,
            (Some(_), args) => {
                return Err(compono_runtime::Trap::host(format!(
                    "`f` got no borrow first: {args:?}"
                ))
                .into());
            }
        };
        results[0] = echo(args);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .map_err(|e| e.to_string())?;
    // Each `own<r>` becomes a new resource with its representation, and
    // back again after the call.
    let mut args = Vec::new();
    let mut lent = None;
    if let Some(rep) = borrow {
        let own = ResourceAny::new_own(&mut store, r, rep).map_err(|e| e.to_string())?;
        args.push(Val::Resource(own));
        lent = Some(own);
    }
    for (t, v) in case.params.iter().zip(values) {
        args.push(case.map_own(t, v.clone(), &mut |v| {
            match v {
                Val::U32(rep) => ResourceAny::new_own(&mut store, r, rep)
                    .map(Val::Resource)
                    .map_err(|e| e.to_string()),
                other => Err(format!("{other:?} for a resource")),
            }
        })?);
    }
    let g = instance.get_func(&store, "g").ok_or("no `g` export")?;
    let mut result = [Val::Bool(false)];
    g.call(&mut store, &args, &mut result)
        .map_err(|e| e.to_string())?;
    let [result] = result;
    let result = case.map_own(&case.result(), result, &mut |v| match v {
        Val::Resource(handle) => handle.rep(&store).map(Val::U32).map_err(|e| e.to_string()),
        other => Err(format!("{other:?} for a resource")),
    })?;
    if normalize(result.clone()) != normalize(echo(values)) {
        return Err(format!("g returned {result:?}"));
    }
    // Lending a resource leaves it the host's.
    if let Some(lent) = lent {
        let rep = lent
            .rep(&store)
            .map_err(|e| format!("after the call: {e}"))?;
        if Some(rep) != borrow || !lent.owned() {
            return Err(format!("after the call, the lent resource is {lent:?}"));
        }
    }
    let mut digests = Vec::new();
    for name in DIGESTS {
        let Some(digest) = instance.get_func(&store, name) else {
            continue;
        };
        let mut out = [Val::U64(0)];
        digest
            .call(&mut store, &[], &mut out)
            .map_err(|e| e.to_string())?;
        match out {
            [Val::U64(d)] => digests.push(d),
            other => return Err(format!("{name} returned {other:?}")),
        }
    }
    Ok(digests)
}

/// The exports hashing a guest's memory (the callee's only when nested).
const DIGESTS: [&str; 2] = ["digest", "digest-callee"];

/// Reads `[[component file, [argument tree, ...]], ...]` as JSON and
/// prints, per case, `ok DIGEST...` or `error MESSAGE`.
const WASMTIME_DRIVER: &str = r#"
import json, sys
from wasmtime import Engine, Store
from wasmtime.component import (Component, Linker, Record, Variant, ListType, RecordType,
    TupleType, VariantType, EnumType, OptionType, ResultType, FlagsType, OwnType, ResourceType,
    ResourceHost)
from wasmtime.component._types import VariantLikeType

# wasmtime-py passes a variant's payload bare when the cases' Python
# classes differ, and then cannot tell some cases apart (an option's
# `none` matches every class): always use `Variant(tag, payload)`.
VariantLikeType._tagged = lambda self: True

def to_py(store, ty, v):
    if isinstance(ty, OwnType):
        return ResourceHost.own(v, 0).to_any(store)
    if isinstance(ty, ListType):
        items = [to_py(store, ty.element, x) for x in v]
        return bytes(items) if ty._is_bytes() else items
    if isinstance(ty, RecordType):
        r = Record()
        for (name, t), x in zip(ty.fields, v):
            setattr(r, name, to_py(store, t, x))
        return r
    if isinstance(ty, TupleType):
        return tuple(to_py(store, t, x) for t, x in zip(ty.elements, v))
    if isinstance(ty, (VariantType, OptionType, ResultType)):
        name, t = ty._cases()[v[0]]
        return Variant(name, None if t is None else to_py(store, t, v[1]))
    if isinstance(ty, EnumType):
        return ty.names[v]
    if isinstance(ty, FlagsType):
        return {ty.names[i] for i in v}
    return v

def from_py(store, ty, v):
    if isinstance(ty, OwnType):
        return v.to_host(store).rep
    if isinstance(ty, ListType):
        return [from_py(store, ty.element, x) for x in v]
    if isinstance(ty, RecordType):
        return [from_py(store, t, getattr(v, name)) for name, t in ty.fields]
    if isinstance(ty, TupleType):
        return [from_py(store, t, x) for t, x in zip(ty.elements, v)]
    if isinstance(ty, (VariantType, OptionType, ResultType)):
        cases = ty._cases()
        index = [n for n, _ in cases].index(v.tag)
        t = cases[index][1]
        return [index, None if t is None else from_py(store, t, v.payload)]
    if isinstance(ty, EnumType):
        return ty.names.index(v)
    if isinstance(ty, FlagsType):
        return sorted(ty.names.index(n) for n in v)
    return v

engine = Engine()
borrowed = None
def echo(store, *args):
    if borrowed is not None:
        b, args = args[0], args[1:]
        rep = b.to_host(store).rep
        if b.owned or rep != borrowed:
            raise ValueError(f"f got rep {rep} (owned: {b.owned}), not a borrow of {borrowed}")
    return args[0] if len(args) == 1 else tuple(args)

for path, borrowed, trees in json.load(open(sys.argv[1])):
    try:
        store = Store(engine)
        linker = Linker(engine)
        linker.root().add_resource("r", ResourceType.host(0), lambda store, rep: None)
        linker.root().add_func("f", echo)
        instance = linker.instantiate(store, Component.from_file(engine, path))
        g = instance.get_func(store, "g")
        fty = g.type(store)
        params = fty.params
        args = []
        if borrowed is not None:
            lent = ResourceHost.own(borrowed, 0).to_any(store)
            args.append(lent)
            params = params[1:]
        args += [to_py(store, t, x) for (_, t), x in zip(params, trees)]
        result = g(store, *args)
        g.post_return(store)
        if borrowed is not None and lent.to_host(store).rep != borrowed:
            print("error the lent resource changed")
            continue
        back = from_py(store, fty.result, result)
        if back != (trees[0] if len(trees) == 1 else trees):
            print("error g returned", json.dumps(back))
            continue
        digests = []
        for name in ["digest", "digest-callee"]:
            digest = instance.get_func(store, name)
            if digest is not None:
                digests.append(str(digest(store)))
                digest.post_return(store)
        print("ok", " ".join(digests))
    except Exception as e:
        print("error", str(e).replace("\n", " "))
"#;

/// One case to run: a label for failures, the component, and `g`'s
/// arguments as compono values and as the wasmtime driver's trees.
struct Run {
    label: String,
    case: Case,
    wat: String,
    /// With `U32(rep)` for each `own<r>`: the driver makes the resource.
    values: Vec<Val>,
    trees: Vec<String>,
    /// The representation of the resource `g` borrows, if it does.
    borrow: Option<u32>,
}

impl Run {
    fn new(label: String, case: &Case, rng: &mut Rng) -> Run {
        let latin1 = rng.below(2) == 0;
        let borrow = case.borrow.then(|| 1 + rng.below(1 << 20) as u32);
        let (values, trees) = case
            .params
            .iter()
            .map(|t| case.value(t, rng, latin1))
            .unzip();
        Run {
            label,
            case: case.clone(),
            wat: case.component(),
            values,
            trees,
            borrow,
        }
    }
}

/// Runs every case in compono's runtime and then in wasmtime; both must
/// give the arguments back and leave the same memory.
fn check(runs: &[Run]) {
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let dir = tempfile::tempdir().unwrap();
    let mut ours = Vec::new();
    let mut inputs = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let Run {
            label,
            wat,
            values,
            trees,
            ..
        } = run;
        let digests = run_in_compono(run).unwrap_or_else(|e| {
            panic!("{label}, in compono's runtime: {e}\nvalues: {values:?}\n{wat}")
        });
        ours.push(digests);
        let path = dir.path().join(format!("{i}.wasm"));
        std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
        let path = json_string(&path.display().to_string());
        let borrow = run.borrow.map_or("null".to_string(), |rep| rep.to_string());
        inputs.push(format!("[{path},{borrow},[{}]]", trees.join(",")));
    }
    let list = dir.path().join("cases.json");
    std::fs::write(&list, format!("[{}]", inputs.join(",\n"))).unwrap();
    let output = compono_testutil::command("python3")
        .arg("-c")
        .arg(WASMTIME_DRIVER)
        .arg(&list)
        .output()
        .unwrap();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No module named 'wasmtime'") && !on_ci {
            eprintln!("Python's wasmtime is missing; the cases ran in compono's runtime only");
            return;
        }
        panic!("the wasmtime driver failed: {stderr}");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), runs.len(), "{stdout}");
    for ((line, run), ours) in lines.iter().zip(runs).zip(&ours) {
        let Run {
            label, wat, values, ..
        } = run;
        let theirs: Vec<u64> = line
            .strip_prefix("ok ")
            .and_then(|d| d.split(' ').map(|d| d.parse().ok()).collect())
            .unwrap_or_else(|| panic!("{label}, in wasmtime: {line}\nvalues: {values:?}\n{wat}"));
        assert_eq!(
            *ours, theirs,
            "{label}: the guests' memories differ from wasmtime's after the call\nvalues: {values:?}\n{wat}"
        );
    }
}

#[test]
fn generated_types_round_trip_like_wasmtime() {
    let cases = compono_testutil::env_u64("COMPONO_ABI_CASES", CASES);
    let first = compono_testutil::env_u64("COMPONO_ABI_FIRST_SEED", 0);
    let mut runs = Vec::new();
    let mut in_memory = 0;
    let mut several = 0;
    let mut nested = 0;
    let mut handles = 0;
    let mut borrows = 0;
    let mut by_encoding = [0; 3];
    for seed in first..first + cases {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let case = Case::generate(&mut rng);
        in_memory += usize::from(case.flat(&case.result()).len() > 16);
        several += usize::from(case.params.len() > 1);
        nested += usize::from(case.nested.is_some());
        by_encoding[ENCODINGS.iter().position(|e| *e == case.encoding).unwrap()] += 1;
        runs.push(Run::new(format!("seed {seed}"), &case, &mut rng));
        handles += usize::from(runs.last().unwrap().wat.contains("(own $r)"));
        borrows += usize::from(case.borrow);
    }
    // The generator makes what the test is about.
    let enough = cases as usize / 10;
    assert!(by_encoding.iter().all(|&n| n >= enough), "{by_encoding:?}");
    assert!(
        in_memory >= enough,
        "{in_memory} cases pass their arguments in memory"
    );
    assert!(several >= enough, "{several} cases with several parameters");
    assert!(
        nested >= enough,
        "{nested} cases of one component calling another"
    );
    assert!(handles >= enough, "{handles} cases with resource handles");
    assert!(borrows >= enough, "{borrows} cases with a borrow");
    check(&runs);
}

/// Found by the generated cases (seed 66): a Latin-1 string passed between
/// two `latin1+utf16` components is copied at one byte per character.
/// compono allocated two bytes per character (the UTF-16 size), so the
/// callee's allocator was asked for twice the bytes wasmtime asks for.
#[test]
fn latin1_strings_between_latin1_utf16_components_take_one_byte_per_char() {
    let case = Case {
        defs: Vec::new(),
        params: vec![Ty::List(Box::new(Ty::String))],
        encoding: "latin1+utf16",
        nested: Some("latin1+utf16"),
        resources: false,
        borrow: false,
    };
    let run = Run {
        label: "latin1 copy".into(),
        case: case.clone(),
        wat: case.component(),
        values: vec![Val::List(vec![
            Val::String(String::new()),
            Val::String("ÿÿÿa".into()),
        ])],
        trees: vec![r#"["", "ÿÿÿa"]"#.into()],
        borrow: None,
    };
    check(&[run]);
}
