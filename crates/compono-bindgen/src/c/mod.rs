//! C guest bindings: `<world>.h`, `<world>.c` and
//! `<world>_component_type.o`, source-compatible with wit-bindgen's C
//! generator: the same names, signatures, helpers and ownership rules, so a
//! project switches generators by changing the command that runs it
//! (`tests/c_api` compares the two headers declaration by declaration).
//!
//! The world is walked in wit-bindgen's order, because the order decides
//! which interface's name an anonymous type takes: imported interfaces,
//! the world's own types and imported functions, exported functions, then
//! exported interfaces (which define their own copies of every imported
//! type they do not `use`).
//!
//! `names` spells identifiers, `types` defines the C types and their
//! helpers, `glue` the functions, `object` the component-type object.

mod glue;
mod names;
mod object;
mod types;

use crate::abi::Layouts;
use crate::{Error, Files, Result};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use types::ResourceInfo;
use wit_parser::{
    InterfaceId, LiveTypes, Resolve, Type, TypeDefKind, TypeId, WorldId, WorldItem, WorldKey,
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

/// The options of `compono bindgen c`, which are wit-bindgen's C options.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    pub string_encoding: StringEncoding,
    /// Leave out `<world>_component_type.o`.
    pub no_object_file: bool,
    /// An interface as the world names it (`ns:pkg/iface@version`, the
    /// version may be left out, or a plain name) to the C prefix used
    /// instead of the default.
    pub rename: Vec<(String, String)>,
    /// The name used for the world in C names and file names.
    pub rename_world: Option<String>,
    /// Appended to the `component-type` custom section's name.
    pub type_section_suffix: Option<String>,
    /// Pass top-level `option` parameters and `option`/`result` results as
    /// the whole value instead of nullable pointers and `bool` returns.
    pub no_sig_flattening: bool,
    /// Leave out the helpers: `_free`, handle, `_new`/`_rep` and string
    /// functions.
    pub no_helpers: bool,
    /// Drop the borrows of imported resources an export receives when it
    /// returns (wherever they are in the arguments), instead of leaving it to
    /// the implementation (`_drop_borrow`).
    pub autodrop_borrows: bool,
}

pub fn generate(resolve: &Resolve, world: WorldId, opts: &Opts) -> Result<Files> {
    let encoding = match opts.string_encoding {
        StringEncoding::Utf8 => compono_wit::StringEncoding::Utf8,
        StringEncoding::Utf16 => compono_wit::StringEncoding::Utf16,
    };
    let metadata = compono_wit::encode_world_metadata(resolve, world, encoding)?;
    refuse_unsupported_types(resolve, world)?;
    let mut resolve = resolve.clone();
    // An interface both imported and exported gets two sets of type ids,
    // as it gets two sets of C types.
    resolve.generate_nominal_type_ids(world);
    let world_name = opts
        .rename_world
        .clone()
        .unwrap_or_else(|| resolve.worlds[world].name.clone());
    let w = names::snake(&world_name);
    let mut g = CGen {
        resolve: &resolve,
        world,
        opts,
        layouts: Layouts::new(&resolve)?,
        w: w.clone(),
        renamed: HashMap::new(),
        type_names: HashMap::new(),
        prim_names: HashSet::new(),
        c_type_names: HashMap::new(),
        func_names: HashMap::new(),
        free_fns: HashMap::new(),
        resources: HashMap::new(),
        needs_string: false,
        needs_borrow_list: false,
        h_defs: String::new(),
        h_fns: String::new(),
        h_helpers: String::new(),
        c_fns: String::new(),
        c_helpers: String::new(),
        next: Cell::new(0),
    };
    g.rename_interfaces()?;
    g.walk()?;
    let section = format!(
        "component-type:{world_name}{}",
        opts.type_section_suffix.as_deref().unwrap_or("")
    );
    let mut files = Files::default();
    let (h, c) = g.finish(&world_name);
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

/// Where the walk is: which interface (or the world itself) is generated,
/// and whether it is imported.
pub struct Scope {
    key: Option<WorldKey>,
    iface: Option<InterfaceId>,
    import: bool,
}

struct CGen<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    opts: &'a Opts,
    layouts: Layouts,
    /// The world's name in snake case: the prefix of world-wide names.
    w: String,
    renamed: HashMap<WorldKey, String>,
    /// The C name of every type defined so far.
    type_names: HashMap<TypeId, String>,
    /// Anonymous types named by shape under the world, defined once.
    prim_names: HashSet<String>,
    /// Every C type name defined, and the (first) type it was defined for:
    /// two types may not share one (a world-level type and one of an
    /// interface imported or exported under the world's own name both
    /// become `<world>_<shape>_t`), except anonymous types of primitives,
    /// which are the world's and defined once per shape.
    c_type_names: HashMap<String, TypeId>,
    /// The C name of each function so far, and which function it is: an
    /// import and an export under the same plain name (`import x:
    /// interface {...}` and `export x: i`) may give two functions one name.
    func_names: HashMap<String, String>,
    /// Types with a `_free` function, and its name.
    free_fns: HashMap<TypeId, String>,
    resources: HashMap<TypeId, ResourceInfo>,
    needs_string: bool,
    /// Whether an export records borrows to drop (`autodrop_borrows`).
    needs_borrow_list: bool,
    h_defs: String,
    h_fns: String,
    h_helpers: String,
    c_fns: String,
    c_helpers: String,
    next: Cell<usize>,
}

impl CGen<'_> {
    fn tmp(&self, prefix: &str) -> String {
        self.next.set(self.next.get() + 1);
        format!("{prefix}{}", self.next.get())
    }

    /// `--rename K=V`: K names a world item as the world does
    /// (`ns:pkg/iface@1.0.0`); the version may be left out.
    fn rename_interfaces(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        for (from, to) in &self.opts.rename {
            let mut found = false;
            for key in world.imports.keys().chain(world.exports.keys()) {
                let name = self.resolve.name_world_key(key);
                let unversioned = name.split('@').next().unwrap_or("");
                if name == *from || unversioned == from {
                    self.renamed.insert(key.clone(), to.clone());
                    found = true;
                }
            }
            if !found {
                return Err(Error::Selection(format!(
                    "`--rename {from}={to}`: the world `{}` imports or exports no interface `{from}`",
                    world.name
                )));
            }
        }
        Ok(())
    }

    fn walk(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        let mut funcs = Vec::new();
        let mut types = Vec::new();
        for (key, item) in &world.imports {
            match item {
                WorldItem::Interface { id, .. } => self.interface(key, *id, true)?,
                WorldItem::Function(f) => funcs.push(f),
                WorldItem::Type { id, .. } => types.push(*id),
            }
        }
        let world_scope = |import| Scope {
            key: None,
            iface: None,
            import,
        };
        if !types.is_empty() {
            let mut live = LiveTypes::default();
            for id in types {
                live.add_type_id(self.resolve, id);
            }
            self.define_live_types(&live, &world_scope(true))?;
        }
        self.world_functions(&funcs, &world_scope(true))?;
        let mut funcs = Vec::new();
        let mut interfaces = Vec::new();
        for (key, item) in &world.exports {
            match item {
                WorldItem::Interface { id, .. } => interfaces.push((key, *id)),
                WorldItem::Function(f) => funcs.push(f),
                WorldItem::Type { .. } => {}
            }
        }
        self.world_functions(&funcs, &world_scope(false))?;
        self.keep_only_types_used_by_exports();
        for (key, id) in interfaces {
            self.interface(key, id, false)?;
        }
        Ok(())
    }

    fn world_functions(&mut self, funcs: &[&wit_parser::Function], scope: &Scope) -> Result<()> {
        if funcs.is_empty() {
            return Ok(());
        }
        let mut live = LiveTypes::default();
        for f in funcs {
            live.add_func(self.resolve, f);
        }
        self.define_live_types(&live, scope)?;
        let what = if scope.import { "Imported" } else { "Exported" };
        let _ = writeln!(
            self.h_fns,
            "\n// {what} Functions from `{}`",
            self.resolve.worlds[self.world].name
        );
        for f in funcs {
            if scope.import {
                self.import_function(scope, f)?;
            } else {
                self.export_function(scope, f)?;
            }
        }
        Ok(())
    }

    fn interface(&mut self, key: &WorldKey, id: InterfaceId, import: bool) -> Result<()> {
        let scope = Scope {
            key: Some(key.clone()),
            iface: Some(id),
            import,
        };
        let mut live = LiveTypes::default();
        live.add_interface(self.resolve, id);
        self.define_live_types(&live, &scope)?;
        let iface = &self.resolve.interfaces[id];
        if !iface.functions.is_empty() {
            let what = if import { "Imported" } else { "Exported" };
            let _ = writeln!(
                self.h_fns,
                "\n// {what} Functions from `{}`",
                self.resolve.name_world_key(key)
            );
        }
        for f in iface.functions.values() {
            if import {
                self.import_function(&scope, f)?;
            } else {
                self.export_function(&scope, f)?;
            }
        }
        Ok(())
    }

    fn finish(self, world_name: &str) -> (String, String) {
        let w = &self.w;
        let guard = format!("__BINDINGS_{}_H", names::shouty(world_name));
        let (string_t, string_h, string_c) = if self.needs_string {
            self.string_helpers()
        } else {
            Default::default()
        };
        let (h_helpers, c_helpers) = if self.opts.no_helpers {
            (String::new(), String::new())
        } else {
            (
                format!("\n// Helper Functions\n{string_h}{}", self.h_helpers),
                format!("\n// Helper Functions\n{string_c}{}", self.c_helpers),
            )
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
{string_t}{defs}{fns}{h_helpers}
#ifdef __cplusplus
}}
#endif
#endif
",
            world = self.resolve.worlds[self.world].name,
            defs = self.h_defs,
            fns = self.h_fns,
        );
        let borrow_list = if self.needs_borrow_list {
            "
// Borrows an export received, dropped when it returns.
typedef struct {
  struct __wit_borrow { void (*drop)(int32_t); int32_t handle; } *items;
  size_t len, cap;
} __wit_borrows_t;

static void __wit_borrows_push(__wit_borrows_t *b, void (*drop)(int32_t), int32_t handle) {
  if (b->len == b->cap) {
    b->cap = b->cap ? 2 * b->cap : 4;
    b->items = (struct __wit_borrow*) realloc(b->items, b->cap * sizeof(*b->items));
    if (!b->items) abort();
  }
  b->items[b->len].drop = drop;
  b->items[b->len].handle = handle;
  b->len++;
}

static void __wit_borrows_drop(__wit_borrows_t *b) {
  for (size_t i = 0; i < b->len; i++) b->items[i].drop(b->items[i].handle);
  free(b->items);
}
"
        } else {
            ""
        };
        let force_link = if self.opts.no_object_file {
            String::new()
        } else {
            format!(
                "
// Keeps `{w}_component_type.o`, which carries the component type, in the link.
extern void __component_type_object_force_link_{w}(void);
__attribute__((used))
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
{borrow_list}{fns}{c_helpers}{force_link}",
            fns = self.c_fns,
        );
        (h, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> (Resolve, WorldId) {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("t.wit", src).unwrap();
        let world = resolve.select_world(&[pkg], None).unwrap();
        (resolve, world)
    }

    fn header(resolve: &Resolve, world: WorldId, opts: &Opts) -> String {
        let files = generate(resolve, world, opts).unwrap();
        let (_, h) = files.iter().find(|(n, _)| n.ends_with(".h")).unwrap();
        String::from_utf8(h.to_vec()).unwrap()
    }

    #[test]
    fn a_rename_that_names_nothing_is_an_error() {
        let (resolve, world) =
            load("package t:t; interface i { f: func(); } world w { import i; }");
        let opts = Opts {
            rename: vec![("t:t/nope".into(), "x".into())],
            ..Opts::default()
        };
        let err = generate(&resolve, world, &opts).unwrap_err().to_string();
        assert!(err.contains("t:t/nope"), "{err}");
        let opts = Opts {
            rename: vec![("t:t/i".into(), "renamed".into())],
            ..Opts::default()
        };
        assert!(header(&resolve, world, &opts).contains("extern void renamed_f(void);"));
    }

    /// Found by the bindgen-c fuzz target: wit-bindgen 0.61 writes two
    /// `x_name_t` typedefs here, and the header does not compile.
    #[test]
    fn two_types_with_one_c_name_are_refused() {
        let (resolve, world) = load(
            "package a:b; world x { import x: interface { enum name { g } } \
             record name { name2: s8, x: list<u16> } import f: func(a: name); }",
        );
        let err = generate(&resolve, world, &Opts::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x_name_t`"), "{err}");
        // Renaming the interface takes its types out of the world's way.
        let opts = Opts {
            rename: vec![("x".into(), "inner".into())],
            ..Opts::default()
        };
        let h = header(&resolve, world, &opts);
        assert!(h.contains("inner_name_t"), "{h}");
    }

    /// Found by the bindgen-c fuzz target: an interface imported under a
    /// plain name and one exported under the same name both spell their
    /// functions `<name>_<func>`. compono wrote a header declaring
    /// `name_name` twice, which does not compile; wit-bindgen-c 0.61 panics
    /// ("duplicate symbols: name `name_name` already defined").
    #[test]
    fn an_import_and_an_export_with_one_c_name_are_refused() {
        let (resolve, world) = load(
            "package a:b; interface name { name: func(a: string) -> string; } \
             world w { import name: interface { name: func(x: u32) -> bool; } export name: name; }",
        );
        let err = generate(&resolve, world, &Opts::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exported function `name`")
                && err.contains("`name_name`")
                && err.contains("imported function `name`"),
            "{err}"
        );
        // Under another name the export is its own.
        let (resolve, world) = load(
            "package a:b; interface name { name: func(a: string) -> string; } \
             world w { import name: interface { name: func(x: u32) -> bool; } export other: name; }",
        );
        let h = header(&resolve, world, &Opts::default());
        assert!(h.contains("extern bool name_name(uint32_t x);"), "{h}");
        assert!(
            h.contains("other_name(w_string_t *a, w_string_t *ret);"),
            "{h}"
        );
    }

    /// Found by the bindgen-c fuzz target: a world-level anonymous type and
    /// one of an interface exported under the world's own name both become
    /// `w_result_void_void_t`; compono and wit-bindgen-c 0.61 both wrote
    /// the typedef twice.
    #[test]
    fn two_anonymous_types_with_one_c_name_are_refused() {
        let (resolve, world) = load(
            "package a:b; world w { export f: func(a: result); \
             export w: interface { g: func(b: result); } }",
        );
        let err = generate(&resolve, world, &Opts::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`w_result_void_void_t`"), "{err}");
        let opts = Opts {
            rename: vec![("w".into(), "inner".into())],
            ..Opts::default()
        };
        let h = header(&resolve, world, &opts);
        assert!(
            h.contains("} w_result_void_void_t;") && h.contains("} inner_result_void_void_t;"),
            "{h}"
        );
        // Anonymous types of primitives alone are the world's, defined once.
        let (resolve, world) = load(
            "package a:b; world w { export f: func(a: list<u8>); \
             export w: interface { g: func(b: list<u8>); } }",
        );
        let h = header(&resolve, world, &Opts::default());
        assert_eq!(h.matches("} w_list_u8_t;").count(), 1, "{h}");
    }

    #[test]
    fn async_functions_are_refused_by_name() {
        let (resolve, world) =
            load("package t:t; interface i { g: async func(); } world w { export i; }");
        let err = generate(&resolve, world, &Opts::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("function `g`"), "{err}");
    }

    #[test]
    fn string_helpers_come_only_with_strings() {
        let (resolve, world) = load("package t:t; world w { import f: func(x: u32); }");
        let h = header(&resolve, world, &Opts::default());
        assert!(!h.contains("w_string_t"), "{h}");
        let (resolve, world) = load("package t:t; world w { import f: func(x: string); }");
        let h = header(&resolve, world, &Opts::default());
        assert!(h.contains("void w_string_dup_n(w_string_t *ret, const char *s, size_t len);"));
        let utf16 = Opts {
            string_encoding: StringEncoding::Utf16,
            ..Opts::default()
        };
        let h = header(&resolve, world, &utf16);
        assert!(
            h.contains("#include <uchar.h>")
                && h.contains("size_t w_string_len(const char16_t *s);")
        );
    }
}
