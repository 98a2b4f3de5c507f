//! Markdown documentation of a world: one page listing every import and
//! export, each interface's types and functions, with their WIT docs.

use crate::{Files, Result};
use std::fmt::Write;
use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, WorldId,
    WorldItem, WorldKey,
};

/// Generates `<world>.md`.
pub fn generate(resolve: &Resolve, world: WorldId) -> Result<Files> {
    let w = &resolve.worlds[world];
    let mut out = String::new();
    let _ = writeln!(out, "# World `{}`\n", w.name);
    push_docs(&mut out, &w.docs);
    for (title, items) in [("Imports", &w.imports), ("Exports", &w.exports)] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        for (key, item) in items {
            let name = resolve.name_world_key(key);
            match item {
                WorldItem::Interface { .. } => {
                    let _ = writeln!(out, "- interface [`{name}`](#{})", anchor(&name));
                }
                WorldItem::Function(f) => {
                    let _ = writeln!(out, "- function `{}`", f.name);
                }
                WorldItem::Type { .. } => {
                    let _ = writeln!(out, "- type `{name}`");
                }
            }
        }
        out.push('\n');
        let mut world_funcs = Vec::new();
        let mut world_types = Vec::new();
        for (key, item) in items {
            match item {
                WorldItem::Interface { id, .. } => interface(resolve, &mut out, key, *id),
                WorldItem::Function(f) => world_funcs.push(f),
                WorldItem::Type { id, .. } => world_types.push(*id),
            }
        }
        if !world_types.is_empty() || !world_funcs.is_empty() {
            let _ = writeln!(out, "### World-level {}\n", title.to_lowercase());
            for ty in world_types {
                type_def(resolve, &mut out, ty);
            }
            for f in world_funcs {
                function(resolve, &mut out, f);
            }
        }
    }
    let mut files = Files::default();
    files.push(format!("{}.md", w.name), out);
    Ok(files)
}

fn anchor(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn push_docs(out: &mut String, docs: &Docs) {
    if let Some(d) = &docs.contents {
        out.push_str(d.trim_end());
        out.push_str("\n\n");
    }
}

fn interface(resolve: &Resolve, out: &mut String, key: &WorldKey, id: InterfaceId) {
    let name = resolve.name_world_key(key);
    let iface = &resolve.interfaces[id];
    let _ = writeln!(out, "### {name}\n");
    push_docs(out, &iface.docs);
    if !iface.types.is_empty() {
        let _ = writeln!(out, "#### Types\n");
        for ty in iface.types.values() {
            type_def(resolve, out, *ty);
        }
    }
    if !iface.functions.is_empty() {
        let _ = writeln!(out, "#### Functions\n");
        for f in iface.functions.values() {
            function(resolve, out, f);
        }
    }
}

fn type_def(resolve: &Resolve, out: &mut String, id: TypeId) {
    let def = &resolve.types[id];
    let name = def.name.as_deref().unwrap_or("<anonymous>");
    let (kind, members): (&str, Vec<(String, &Docs)>) = match &def.kind {
        TypeDefKind::Record(r) => (
            "record",
            r.fields
                .iter()
                .map(|f| {
                    (
                        format!("`{}`: `{}`", f.name, type_name(resolve, &f.ty)),
                        &f.docs,
                    )
                })
                .collect(),
        ),
        TypeDefKind::Variant(v) => (
            "variant",
            v.cases
                .iter()
                .map(|c| {
                    let payload =
                        c.ty.as_ref()
                            .map(|t| format!("(`{}`)", type_name(resolve, t)))
                            .unwrap_or_default();
                    (format!("`{}`{payload}", c.name), &c.docs)
                })
                .collect(),
        ),
        TypeDefKind::Enum(e) => (
            "enum",
            e.cases
                .iter()
                .map(|c| (format!("`{}`", c.name), &c.docs))
                .collect(),
        ),
        TypeDefKind::Flags(f) => (
            "flags",
            f.flags
                .iter()
                .map(|c| (format!("`{}`", c.name), &c.docs))
                .collect(),
        ),
        TypeDefKind::Resource => ("resource", Vec::new()),
        _ => ("type", Vec::new()),
    };
    let _ = writeln!(out, "##### {kind} `{name}`\n");
    if kind == "type" {
        let _ = writeln!(
            out,
            "`{name}` = `{}`\n",
            type_name(resolve, &Type::Id(id)).replace(name, &definition(resolve, id))
        );
    }
    push_docs(out, &def.docs);
    for (member, docs) in members {
        let doc = docs
            .contents
            .as_deref()
            .map(|d| format!(": {}", d.trim().replace('\n', " ")))
            .unwrap_or_default();
        let _ = writeln!(out, "- {member}{doc}");
    }
    out.push('\n');
}

fn definition(resolve: &Resolve, id: TypeId) -> String {
    match &resolve.types[id].kind {
        TypeDefKind::Type(t) => type_name(resolve, t),
        _ => anonymous(resolve, id),
    }
}

fn function(resolve: &Resolve, out: &mut String, f: &Function) {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, type_name(resolve, &p.ty)))
        .collect();
    let result = f
        .result
        .as_ref()
        .map(|t| format!(" -> {}", type_name(resolve, t)))
        .unwrap_or_default();
    let prefix = match f.kind {
        FunctionKind::Constructor(_) => "constructor ",
        FunctionKind::Static(_) => "static ",
        FunctionKind::Method(_) => "method ",
        _ => "",
    };
    let _ = writeln!(out, "##### {prefix}`{}`\n", f.name);
    let _ = writeln!(
        out,
        "```wit\n{}: func({}){result}\n```\n",
        f.item_name(),
        params.join(", ")
    );
    push_docs(out, &f.docs);
}

fn type_name(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => match &resolve.types[*id].name {
            Some(n) => n.clone(),
            None => anonymous(resolve, *id),
        },
    }
}

fn anonymous(resolve: &Resolve, id: TypeId) -> String {
    let t = |ty: &Type| type_name(resolve, ty);
    let opt = |ty: &Option<Type>| ty.as_ref().map(t).unwrap_or_else(|| "_".into());
    match &resolve.types[id].kind {
        TypeDefKind::List(e) => format!("list<{}>", t(e)),
        TypeDefKind::FixedLengthList(e, n) => format!("list<{}, {n}>", t(e)),
        TypeDefKind::Map(k, v) => format!("map<{}, {}>", t(k), t(v)),
        TypeDefKind::Option(e) => format!("option<{}>", t(e)),
        TypeDefKind::Result(r) => format!("result<{}, {}>", opt(&r.ok), opt(&r.err)),
        TypeDefKind::Tuple(tu) => format!(
            "tuple<{}>",
            tu.types.iter().map(t).collect::<Vec<_>>().join(", ")
        ),
        TypeDefKind::Handle(Handle::Own(r)) => format!("own<{}>", t(&Type::Id(*r))),
        TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", t(&Type::Id(*r))),
        TypeDefKind::Future(e) => format!("future<{}>", opt(e)),
        TypeDefKind::Stream(e) => format!("stream<{}>", opt(e)),
        TypeDefKind::Type(inner) => t(inner),
        _ => "<anonymous>".into(),
    }
}
