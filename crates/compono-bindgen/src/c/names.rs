//! C names, spelled as wit-bindgen's C generator spells them so that code
//! written against its headers compiles against ours: identifiers are
//! `snake_case` with C and C++ keywords (and the names the bindings use
//! for out-parameters) given a trailing underscore; interfaces are
//! `ns_pkg_iface` (`exports_` in front for exports, the package version
//! when two versions of a package are in the resolve); types are
//! `<namespace>_<name>_t`, where an anonymous type's name spells its shape
//! (`list_u8`, `option_point`, `tuple2_u32_string`).

use heck::{ToShoutySnakeCase, ToSnakeCase};
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId, WorldKey};

/// Words a C or C++ compiler reserves, plus `ret`/`err` (the names of the
/// out-parameters of flattened results) and the standard streams, which
/// `<stdio.h>` defines as macros.
const RESERVED: &[&str] = &[
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "atomic_cancel",
    "atomic_commit",
    "atomic_noexcept",
    "auto",
    "bitand",
    "bitor",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "char8_t",
    "char16_t",
    "char32_t",
    "class",
    "compl",
    "concept",
    "const",
    "consteval",
    "constexpr",
    "constinit",
    "const_cast",
    "continue",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "default",
    "delete",
    "do",
    "double",
    "dynamic_cast",
    "else",
    "enum",
    "explicit",
    "export",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "reflexpr",
    "register",
    "reinterpret_cast",
    "requires",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "static_cast",
    "struct",
    "switch",
    "synchronized",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typedef",
    "typeid",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "wchar_t",
    "while",
    "xor",
    "xor_eq",
    "_Packed",
    "ret",
    "err",
    "stdin",
    "stdout",
    "stderr",
];

/// A field, case or parameter name. The reserved-word check looks at the
/// WIT name as written, before it is snake-cased.
pub fn c_ident(name: &str) -> String {
    if RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_snake_case()
    }
}

pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

pub fn shouty(name: &str) -> String {
    name.to_shouty_snake_case()
}

/// The prefix of everything an interface contributes: a renamed interface
/// takes the new name, a named world item (`import x: interface {...}`) its
/// own name, and an interface by id `ns_pkg_[version_]iface`; exports of
/// interfaces by id start with `exports_`.
pub fn interface_identifier(
    resolve: &Resolve,
    key: &WorldKey,
    exported: bool,
    renamed: Option<&str>,
) -> String {
    let exports = if exported && matches!(key, WorldKey::Interface(_)) {
        "exports_"
    } else {
        ""
    };
    if let Some(rename) = renamed {
        return format!("{exports}{rename}");
    }
    match key {
        WorldKey::Name(name) => snake(name),
        WorldKey::Interface(id) => {
            let iface = &resolve.interfaces[*id];
            let Some(pkg) = iface.package.map(|p| &resolve.packages[p].name) else {
                return format!("{exports}{}", snake(iface.name.as_deref().unwrap_or("")));
            };
            // Two versions of one package in the resolve would give the same
            // names; the version tells them apart.
            let versions_differ = resolve.packages.iter().any(|(_, p)| {
                p.name.namespace == pkg.namespace
                    && p.name.name == pkg.name
                    && p.name.version != pkg.version
            });
            let version = match &pkg.version {
                Some(v) if versions_differ => {
                    format!("{}_", v.to_string().replace(['.', '-', '+'], "_"))
                }
                _ => String::new(),
            };
            format!(
                "{exports}{}_{}_{version}{}",
                snake(&pkg.namespace),
                snake(&pkg.name),
                snake(iface.name.as_deref().unwrap_or(""))
            )
        }
    }
}

/// The name part of a type's C name (without namespace and `_t`): a named
/// type's own name, an anonymous type's shape.
pub fn type_shape(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Char => "char32".into(),
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
        Type::String => "string".into(),
        Type::ErrorContext => "error_context".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(name) = &def.name {
                return snake(name);
            }
            let opt = |t: &Option<Type>| match t {
                Some(t) => type_shape(resolve, t),
                None => "void".into(),
            };
            match &def.kind {
                TypeDefKind::Type(t) => type_shape(resolve, t),
                TypeDefKind::Tuple(t) => {
                    let mut s = format!("tuple{}", t.types.len());
                    for t in &t.types {
                        s.push('_');
                        s.push_str(&type_shape(resolve, t));
                    }
                    s
                }
                TypeDefKind::Option(t) => format!("option_{}", type_shape(resolve, t)),
                TypeDefKind::Result(r) => format!("result_{}_{}", opt(&r.ok), opt(&r.err)),
                TypeDefKind::List(t) => format!("list_{}", type_shape(resolve, t)),
                TypeDefKind::Map(k, v) => {
                    format!("map_{}_{}", type_shape(resolve, k), type_shape(resolve, v))
                }
                TypeDefKind::Future(t) => format!("future_{}", opt(t)),
                TypeDefKind::Stream(t) => format!("stream_{}", opt(t)),
                TypeDefKind::Handle(Handle::Own(r)) => {
                    format!("own_{}", type_shape(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Handle(Handle::Borrow(r)) => {
                    format!("borrow_{}", type_shape(resolve, &Type::Id(*r)))
                }
                TypeDefKind::FixedLengthList(t, n) => {
                    format!("list_{}_{n}", type_shape(resolve, t))
                }
                TypeDefKind::Record(_)
                | TypeDefKind::Resource
                | TypeDefKind::Flags(_)
                | TypeDefKind::Enum(_)
                | TypeDefKind::Variant(_)
                | TypeDefKind::Unknown => format!("anon{}", id.index()),
            }
        }
    }
}

/// Whether an anonymous type is made only of primitives, strings and
/// other such types: one C type per shape then serves the whole world,
/// under the world's name. A named type never is (its name is its own).
pub fn is_primitive_shape(resolve: &Resolve, id: TypeId) -> bool {
    let def = &resolve.types[id];
    if def.name.is_some() {
        return false;
    }
    let prim = |t: &Type| match t {
        Type::Id(id) => is_primitive_shape(resolve, *id),
        _ => true,
    };
    match &def.kind {
        TypeDefKind::List(t) | TypeDefKind::Option(t) | TypeDefKind::Type(t) => prim(t),
        TypeDefKind::Tuple(t) => t.types.iter().all(prim),
        TypeDefKind::Map(k, v) => prim(k) && prim(v),
        _ => false,
    }
}

/// Follows `type a = b` aliases to the type they name.
pub fn dealias(resolve: &Resolve, mut id: TypeId) -> TypeId {
    while let TypeDefKind::Type(Type::Id(next)) = resolve.types[id].kind {
        id = next;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_escape_reserved_words_as_written() {
        assert_eq!(c_ident("bool"), "bool_");
        assert_eq!(c_ident("ret"), "ret_");
        assert_eq!(c_ident("my-field"), "my_field");
        // Only the name as written is checked.
        assert_eq!(c_ident("static-cast"), "static_cast");
    }
}
