//! Printing a resolved package as canonical WIT text.
//!
//! The layout follows what `wasm-tools component wit` prints, so that users
//! can diff the two: items of an interface separated by blank lines, `use`
//! statements grouped per source interface, resource functions inside the
//! resource block, world imports before exports, dependencies as nested
//! `package ns:name { ... }` blocks after the main package.

use crate::Lookup;
use std::collections::HashMap;
use std::fmt::Write as _;
use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, PackageId, Resolve, Result_, Stability,
    Type, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

use crate::Error;

/// What to print besides the items themselves.
#[derive(Debug, Clone, Copy)]
pub struct PrintOptions {
    /// Print `///` doc comments.
    pub docs: bool,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions { docs: true }
    }
}

/// Prints `package` as the main package followed by every package in
/// `nested` as a `package ns:name { ... }` block.
pub fn print_with(
    resolve: &Resolve,
    package: PackageId,
    nested: &[PackageId],
    options: PrintOptions,
) -> Result<String, Error> {
    let mut printer = Printer {
        resolve,
        out: Output::default(),
        options,
        any_items: false,
    };
    printer.package(package, true)?;
    for (i, &dep) in nested.iter().enumerate() {
        if i > 0 {
            printer.out.newline();
            printer.out.newline();
        }
        printer.package(dep, false)?;
    }
    Ok(printer.out.text)
}

/// Prints `package` and, nested after it, every other package of `resolve`
/// in dependency order.
pub fn print(resolve: &Resolve, package: PackageId) -> Result<String, Error> {
    let nested: Vec<PackageId> = resolve
        .topological_packages()
        .into_iter()
        .filter(|&p| p != package)
        .collect();
    print_with(resolve, package, &nested, PrintOptions::default())
}

/// Text with indentation applied at the start of each non-empty line.
#[derive(Default)]
struct Output {
    text: String,
    indent: usize,
    at_line_start: bool,
}

impl Output {
    fn str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.at_line_start || self.text.is_empty() {
            for _ in 0..self.indent {
                self.text.push_str("  ");
            }
            self.at_line_start = false;
        }
        self.text.push_str(s);
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.at_line_start = true;
    }

    fn semicolon(&mut self) {
        self.str(";");
        self.newline();
    }

    fn open(&mut self) {
        self.str(" {");
        self.newline();
        self.indent += 1;
    }

    fn close(&mut self) {
        self.indent -= 1;
        self.str("}");
        self.newline();
    }
}

struct Printer<'a> {
    resolve: &'a Resolve,
    out: Output,
    options: PrintOptions,
    /// Whether the current block printed an item yet, so the next item is
    /// preceded by a blank line.
    any_items: bool,
}

impl<'a> Printer<'a> {
    fn package(&mut self, id: PackageId, is_main: bool) -> Result<(), Error> {
        let pkg = &self.resolve.package_at(id);
        self.docs(&pkg.docs);
        self.out.str("package ");
        self.out.str(&escape(&pkg.name.namespace));
        self.out.str(":");
        self.out.str(&escape(&pkg.name.name));
        if let Some(version) = &pkg.name.version {
            self.out.str(&format!("@{version}"));
        }
        if is_main {
            self.out.semicolon();
            self.out.newline();
        } else {
            self.out.open();
        }
        for (name, &iface) in pkg.interfaces.iter() {
            let interface = &self.resolve.interface_at(iface);
            self.docs(&interface.docs);
            self.stability(&interface.stability);
            self.out.str("interface ");
            self.out.str(&escape(name));
            self.out.open();
            self.interface_body(iface)?;
            self.out.close();
            if is_main {
                self.out.newline();
            }
        }
        for (name, &world) in pkg.worlds.iter() {
            let w = &self.resolve.world_at(world);
            self.docs(&w.docs);
            self.stability(&w.stability);
            self.out.str("world ");
            self.out.str(&escape(name));
            self.out.open();
            self.world_body(world)?;
            self.out.close();
        }
        if !is_main {
            self.out.close();
        }
        Ok(())
    }

    fn new_item(&mut self) {
        if self.any_items {
            self.out.newline();
        }
        self.any_items = true;
    }

    fn interface_body(&mut self, id: InterfaceId) -> Result<(), Error> {
        let outer = std::mem::replace(&mut self.any_items, false);
        let interface = &self.resolve.interface_at(id);
        let (resource_funcs, freestanding) = split_resource_functions(interface.functions.values());
        self.types(
            TypeOwner::Interface(id),
            interface.types.iter().map(|(n, t)| (n.as_str(), *t)),
            &resource_funcs,
        )?;
        for func in freestanding {
            self.new_item();
            self.docs(&func.docs);
            self.stability(&func.stability);
            self.external_id(func.external_id.as_deref());
            self.out.str(&escape(func.item_name()));
            self.out.str(": ");
            self.function(func)?;
            self.out.semicolon();
        }
        self.any_items = outer;
        Ok(())
    }

    /// Prints `use` statements for types aliased from other interfaces, then
    /// declares the rest.
    fn types<'b>(
        &mut self,
        owner: TypeOwner,
        types: impl Iterator<Item = (&'b str, TypeId)>,
        resource_funcs: &HashMap<TypeId, Vec<&Function>>,
    ) -> Result<(), Error> {
        struct UseGroup<'s> {
            from: InterfaceId,
            stability: &'s Stability,
            external_id: Option<&'s str>,
            names: Vec<(&'s str, &'s str)>,
        }
        let mut uses: Vec<UseGroup<'_>> = Vec::new();
        let mut declared = Vec::new();
        for (name, id) in types {
            let ty = &self.resolve.type_at(id);
            if let TypeDefKind::Type(Type::Id(target)) = ty.kind {
                let target_ty = &self.resolve.type_at(target);
                if let TypeOwner::Interface(from) = target_ty.owner
                    && target_ty.owner != owner
                {
                    let target_name = target_ty.name.as_deref().ok_or_else(|| {
                        Error::Unrepresentable(format!("type `{name}` uses an unnamed type"))
                    })?;
                    match uses.last_mut() {
                        Some(group)
                            if group.from == from
                                && *group.stability == ty.stability
                                && group.external_id == ty.external_id.as_deref() =>
                        {
                            group.names.push((name, target_name))
                        }
                        _ => uses.push(UseGroup {
                            from,
                            stability: &ty.stability,
                            external_id: ty.external_id.as_deref(),
                            names: vec![(name, target_name)],
                        }),
                    }
                    continue;
                }
            }
            declared.push(id);
        }

        let my_package = match owner {
            TypeOwner::Interface(i) => self.resolve.interface_at(i).package,
            TypeOwner::World(w) => self.resolve.world_at(w).package,
            TypeOwner::None => None,
        };
        for group in uses {
            self.any_items = true;
            self.stability(group.stability);
            self.external_id(group.external_id);
            self.out.str("use ");
            self.interface_path(group.from, my_package)?;
            self.out.str(".{");
            for (i, (local, remote)) in group.names.iter().enumerate() {
                if i > 0 {
                    self.out.str(", ");
                }
                self.out.str(&escape(remote));
                if local != remote {
                    self.out.str(" as ");
                    self.out.str(&escape(local));
                }
            }
            self.out.str("}");
            self.out.semicolon();
        }

        for id in declared {
            self.new_item();
            let ty = &self.resolve.type_at(id);
            self.docs(&ty.docs);
            self.stability(&ty.stability);
            self.external_id(ty.external_id.as_deref());
            match &ty.kind {
                TypeDefKind::Resource => {
                    let funcs = resource_funcs.get(&id).map(Vec::as_slice).unwrap_or(&[]);
                    self.resource(id, funcs)?;
                }
                _ => self.type_definition(id)?,
            }
        }
        Ok(())
    }

    fn resource(&mut self, id: TypeId, funcs: &[&Function]) -> Result<(), Error> {
        self.out.str("resource ");
        self.out.str(&escape(self.type_name(id)?));
        if funcs.is_empty() {
            self.out.semicolon();
            return Ok(());
        }
        self.out.open();
        for func in funcs {
            self.docs(&func.docs);
            self.stability(&func.stability);
            self.external_id(func.external_id.as_deref());
            match &func.kind {
                FunctionKind::Constructor(_) => {}
                FunctionKind::Static(_)
                | FunctionKind::AsyncStatic(_)
                | FunctionKind::StaticGetter(_)
                | FunctionKind::StaticSetter(_) => {
                    self.out.str(&escape(func.item_name()));
                    self.out.str(": static ");
                }
                _ => {
                    self.out.str(&escape(func.item_name()));
                    self.out.str(": ");
                }
            }
            self.function(func)?;
            self.out.semicolon();
        }
        self.out.close();
        Ok(())
    }

    fn function(&mut self, func: &Function) -> Result<(), Error> {
        let keyword = match func.kind {
            FunctionKind::Constructor(_) => "constructor",
            FunctionKind::Getter
            | FunctionKind::MethodGetter(_)
            | FunctionKind::StaticGetter(_) => "get",
            FunctionKind::Setter
            | FunctionKind::MethodSetter(_)
            | FunctionKind::StaticSetter(_) => "set",
            _ => "func",
        };
        if func.kind.is_async() {
            self.out.str("async ");
        }
        self.out.str(keyword);
        self.out.str("(");
        // A method's `self` parameter is implicit in WIT.
        let skip = match func.kind {
            FunctionKind::Method(_)
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::MethodGetter(_)
            | FunctionKind::MethodSetter(_) => 1,
            _ => 0,
        };
        for (i, param) in func.params.iter().skip(skip).enumerate() {
            if i > 0 {
                self.out.str(", ");
            }
            self.out.str(&escape(&param.name));
            self.out.str(": ");
            self.type_ref(&param.ty)?;
        }
        self.out.str(")");
        if func.is_constructor_shorthand(self.resolve) {
            return Ok(());
        }
        if let Some(result) = &func.result {
            self.out.str(" -> ");
            self.type_ref(result)?;
        }
        Ok(())
    }

    fn type_name(&self, id: TypeId) -> Result<&'a str, Error> {
        self.resolve
            .type_at(id)
            .name
            .as_deref()
            .ok_or_else(|| Error::Unrepresentable("a resource type has no name".to_string()))
    }

    /// Prints a reference to a type: its name if it has one, else its
    /// structure.
    fn type_ref(&mut self, ty: &Type) -> Result<(), Error> {
        let id = match ty {
            Type::Id(id) => *id,
            other => {
                self.out.str(primitive_name(other));
                return Ok(());
            }
        };
        let def = &self.resolve.type_at(id);
        if let Some(name) = &def.name {
            self.out.str(&escape(name));
            return Ok(());
        }
        self.structure(&def.kind)
    }

    /// Prints the structure of a type as if it were anonymous.
    fn structure(&mut self, kind: &TypeDefKind) -> Result<(), Error> {
        match kind {
            TypeDefKind::Handle(Handle::Own(r)) => {
                self.out.str(&escape(self.type_name(*r)?));
            }
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                self.out.str("borrow<");
                self.out.str(&escape(self.type_name(*r)?));
                self.out.str(">");
            }
            TypeDefKind::Tuple(t) => {
                self.out.str("tuple<");
                for (i, ty) in t.types.iter().enumerate() {
                    if i > 0 {
                        self.out.str(", ");
                    }
                    self.type_ref(ty)?;
                }
                self.out.str(">");
            }
            TypeDefKind::Option(t) => {
                self.out.str("option<");
                self.type_ref(t)?;
                self.out.str(">");
            }
            TypeDefKind::Result(r) => self.result_type(r)?,
            TypeDefKind::List(t) => {
                self.out.str("list<");
                self.type_ref(t)?;
                self.out.str(">");
            }
            TypeDefKind::FixedLengthList(t, n) => {
                self.out.str("list<");
                self.type_ref(t)?;
                self.out.str(&format!(", {n}>"));
            }
            TypeDefKind::Map(k, v) => {
                self.out.str("map<");
                self.type_ref(k)?;
                self.out.str(", ");
                self.type_ref(v)?;
                self.out.str(">");
            }
            TypeDefKind::Future(t) => self.optional_payload("future", t.as_ref())?,
            TypeDefKind::Stream(t) => self.optional_payload("stream", t.as_ref())?,
            TypeDefKind::Type(t) => self.type_ref(t)?,
            TypeDefKind::Record(_)
            | TypeDefKind::Resource
            | TypeDefKind::Flags(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_) => {
                return Err(Error::Unrepresentable(format!(
                    "an anonymous {} type has no WIT form",
                    kind.as_str()
                )));
            }
            TypeDefKind::Unknown => {
                return Err(Error::Unrepresentable("a type is unresolved".to_string()));
            }
        }
        Ok(())
    }

    fn optional_payload(&mut self, keyword: &str, payload: Option<&Type>) -> Result<(), Error> {
        self.out.str(keyword);
        if let Some(ty) = payload {
            self.out.str("<");
            self.type_ref(ty)?;
            self.out.str(">");
        }
        Ok(())
    }

    fn result_type(&mut self, r: &Result_) -> Result<(), Error> {
        match (&r.ok, &r.err) {
            (None, None) => self.out.str("result"),
            (Some(ok), None) => {
                self.out.str("result<");
                self.type_ref(ok)?;
                self.out.str(">");
            }
            (None, Some(err)) => {
                self.out.str("result<_, ");
                self.type_ref(err)?;
                self.out.str(">");
            }
            (Some(ok), Some(err)) => {
                self.out.str("result<");
                self.type_ref(ok)?;
                self.out.str(", ");
                self.type_ref(err)?;
                self.out.str(">");
            }
        }
        Ok(())
    }

    /// Declares a named, non-resource type.
    fn type_definition(&mut self, id: TypeId) -> Result<(), Error> {
        let def = &self.resolve.type_at(id);
        let name =
            escape(def.name.as_deref().ok_or_else(|| {
                Error::Unrepresentable("a declared type has no name".to_string())
            })?);
        match &def.kind {
            TypeDefKind::Record(r) => self.block(
                "record",
                &name,
                r.fields
                    .iter()
                    .map(|f| (&f.docs, f.name.as_str(), Some(Payload::Field(&f.ty)))),
            )?,
            TypeDefKind::Flags(f) => self.block(
                "flags",
                &name,
                f.flags.iter().map(|f| (&f.docs, f.name.as_str(), None)),
            )?,
            TypeDefKind::Variant(v) => self.block(
                "variant",
                &name,
                v.cases
                    .iter()
                    .map(|c| (&c.docs, c.name.as_str(), c.ty.as_ref().map(Payload::Case))),
            )?,
            TypeDefKind::Enum(e) => self.block(
                "enum",
                &name,
                e.cases.iter().map(|c| (&c.docs, c.name.as_str(), None)),
            )?,
            TypeDefKind::Handle(h) => {
                self.out.str("type ");
                self.out.str(&name);
                self.out.str(" = ");
                let (keyword, r) = match h {
                    Handle::Own(r) => ("own<", r),
                    Handle::Borrow(r) => ("borrow<", r),
                };
                self.out.str(keyword);
                self.out.str(&escape(self.type_name(*r)?));
                self.out.str(">");
                self.out.semicolon();
            }
            TypeDefKind::Type(inner) => {
                self.out.str("type ");
                self.out.str(&name);
                self.out.str(" = ");
                self.type_ref(inner)?;
                self.out.semicolon();
            }
            TypeDefKind::Resource | TypeDefKind::Unknown => {
                return Err(Error::Unrepresentable(format!(
                    "type `{name}` cannot be declared here"
                )));
            }
            // Everything else is written as an alias of its structure.
            _ => {
                self.out.str("type ");
                self.out.str(&name);
                self.out.str(" = ");
                self.structure(&def.kind)?;
                self.out.semicolon();
            }
        }
        Ok(())
    }

    /// `keyword name { member, ... }` with each member on its own line.
    fn block<'t>(
        &mut self,
        keyword: &str,
        name: &str,
        members: impl Iterator<Item = (&'t Docs, &'t str, Option<Payload<'t>>)>,
    ) -> Result<(), Error> {
        self.out.str(keyword);
        self.out.str(" ");
        self.out.str(name);
        self.out.open();
        for (docs, member, payload) in members {
            self.docs(docs);
            self.out.str(&escape(member));
            match payload {
                Some(Payload::Field(ty)) => {
                    self.out.str(": ");
                    self.type_ref(ty)?;
                }
                Some(Payload::Case(ty)) => {
                    self.out.str("(");
                    self.type_ref(ty)?;
                    self.out.str(")");
                }
                None => {}
            }
            self.out.str(",");
            self.out.newline();
        }
        self.out.close();
        Ok(())
    }

    fn world_body(&mut self, id: WorldId) -> Result<(), Error> {
        let outer = std::mem::replace(&mut self.any_items, false);
        let world = &self.resolve.world_at(id);
        let package = world.package;
        let mut types = Vec::new();
        let mut resource_funcs: HashMap<TypeId, Vec<&Function>> = HashMap::new();
        let mut functions = Vec::new();
        for (key, item) in world.imports.iter() {
            match item {
                WorldItem::Type { id, .. } => types.push((key_name(key), *id)),
                WorldItem::Function(f) => match f.kind.resource() {
                    Some(r) => resource_funcs.entry(r).or_default().push(f),
                    None => functions.push((key, item)),
                },
                WorldItem::Interface { .. } => {
                    self.world_item(key, item, package, "import")?;
                    // Imports are not separated by blank lines, but whatever
                    // follows them is.
                    self.any_items = true;
                }
            }
        }
        self.types(
            TypeOwner::World(id),
            types.iter().map(|(n, t)| (*n, *t)),
            &resource_funcs,
        )?;
        for (key, item) in functions {
            self.world_item(key, item, package, "import")?;
            self.any_items = true;
        }
        if !world.exports.is_empty() {
            self.new_item();
        }
        for (key, item) in world.exports.iter() {
            self.world_item(key, item, package, "export")?;
        }
        self.any_items = outer;
        Ok(())
    }

    fn world_item(
        &mut self,
        key: &WorldKey,
        item: &WorldItem,
        package: Option<PackageId>,
        direction: &str,
    ) -> Result<(), Error> {
        match item {
            // An inline interface carries its docs itself.
            WorldItem::Interface { docs, id, .. } => {
                if docs.contents.is_none() && matches!(key, WorldKey::Name(_)) {
                    self.docs(&self.resolve.interface_at(*id).docs)
                } else {
                    self.docs(docs)
                }
            }
            WorldItem::Function(f) => self.docs(&f.docs),
            WorldItem::Type { .. } => {}
        }
        self.stability(item.stability(self.resolve));
        self.external_id(self.resolve.external_id_value(key, item).as_deref());
        self.out.str(direction);
        self.out.str(" ");
        match (key, item) {
            (WorldKey::Name(name), WorldItem::Interface { id, .. }) => {
                self.out.str(&escape(name));
                self.out.str(": ");
                if self.resolve.interface_at(*id).name.is_some() {
                    // `import name: ns:pkg/iface;` names an existing interface.
                    self.interface_path(*id, package)?;
                    self.out.semicolon();
                } else {
                    self.out.str("interface");
                    self.out.open();
                    self.interface_body(*id)?;
                    self.out.close();
                }
            }
            (WorldKey::Name(name), WorldItem::Function(f)) => {
                self.out.str(&escape(name));
                self.out.str(": ");
                self.function(f)?;
                self.out.semicolon();
            }
            (WorldKey::Interface(id), _) => {
                self.interface_path(*id, package)?;
                self.out.semicolon();
            }
            (WorldKey::Name(name), WorldItem::Type { .. }) => {
                return Err(Error::Unrepresentable(format!(
                    "world type `{name}` cannot be printed as an import or export"
                )));
            }
        }
        Ok(())
    }

    /// `iface` within the same package, `ns:pkg/iface@version` otherwise.
    fn interface_path(&mut self, id: InterfaceId, from: Option<PackageId>) -> Result<(), Error> {
        let iface = &self.resolve.interface_at(id);
        let name = iface
            .name
            .as_deref()
            .ok_or_else(|| Error::Unrepresentable("an anonymous interface is used".to_string()))?;
        if iface.package.is_some() && iface.package == from {
            self.out.str(&escape(name));
            return Ok(());
        }
        let pkg = iface
            .package
            .ok_or_else(|| Error::Unrepresentable(format!("interface `{name}` has no package")))?;
        let pkg = &self.resolve.package_at(pkg).name;
        let mut path = String::new();
        let _ = write!(
            path,
            "{}:{}/{}",
            escape(&pkg.namespace),
            escape(&pkg.name),
            escape(name)
        );
        if let Some(version) = &pkg.version {
            let _ = write!(path, "@{version}");
        }
        self.out.str(&path);
        Ok(())
    }

    fn docs(&mut self, docs: &Docs) {
        if !self.options.docs {
            return;
        }
        let Some(contents) = &docs.contents else {
            return;
        };
        for line in contents.lines() {
            self.out.str("///");
            if !line.is_empty() {
                self.out.str(" ");
                self.out.str(line);
            }
            self.out.newline();
        }
    }

    /// `@external-id("...")`, escaped as a WIT string.
    fn external_id(&mut self, id: Option<&str>) {
        let Some(id) = id else {
            return;
        };
        let mut text = String::from("@external-id(\"");
        for c in id.chars() {
            match c {
                c if c.is_ascii_alphanumeric() || "-_./: ".contains(c) => text.push(c),
                '\\' => text.push_str("\\\\"),
                '"' => text.push_str("\\\""),
                '\n' => text.push_str("\\n"),
                '\r' => text.push_str("\\r"),
                '\t' => text.push_str("\\t"),
                c => {
                    let _ = write!(text, "\\u{{{:x}}}", c as u32);
                }
            }
        }
        text.push_str("\")");
        self.out.str(&text);
        self.out.newline();
    }

    fn stability(&mut self, stability: &Stability) {
        let deprecated = match stability {
            Stability::Unknown => return,
            Stability::Stable { since, deprecated } => {
                self.out.str(&format!("@since(version = {since})"));
                self.out.newline();
                deprecated
            }
            Stability::Unstable {
                feature,
                deprecated,
            } => {
                self.out.str(&format!("@unstable(feature = {feature})"));
                self.out.newline();
                deprecated
            }
        };
        if let Some(version) = deprecated {
            self.out.str(&format!("@deprecated(version = {version})"));
            self.out.newline();
        }
    }
}

/// What follows a member's name in a record (`: T`) or variant (`(T)`).
enum Payload<'t> {
    Field(&'t Type),
    Case(&'t Type),
}

/// Separates functions that belong inside a resource block from the rest,
/// keeping declaration order within each.
fn split_resource_functions<'f>(
    funcs: impl Iterator<Item = &'f Function>,
) -> (HashMap<TypeId, Vec<&'f Function>>, Vec<&'f Function>) {
    let mut by_resource: HashMap<TypeId, Vec<&Function>> = HashMap::new();
    let mut freestanding = Vec::new();
    for func in funcs {
        match func.kind.resource() {
            Some(r) => by_resource.entry(r).or_default().push(func),
            None => freestanding.push(func),
        }
    }
    (by_resource, freestanding)
}

fn key_name(key: &WorldKey) -> &str {
    match key {
        WorldKey::Name(n) => n,
        // Types are always imported under a plain name.
        WorldKey::Interface(_) => "",
    }
}

fn primitive_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(_) => unreachable!("named types are printed by name"),
    }
}

/// WIT keywords, which need a `%` prefix to be used as names.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "bool",
    "borrow",
    "char",
    "constructor",
    "enum",
    "error-context",
    "export",
    "f32",
    "f64",
    "flags",
    "float32",
    "float64",
    "from",
    "func",
    "future",
    "import",
    "include",
    "interface",
    "list",
    "map",
    "option",
    "own",
    "package",
    "record",
    "resource",
    "result",
    "s16",
    "s32",
    "s64",
    "s8",
    "static",
    "stream",
    "string",
    "tuple",
    "type",
    "u16",
    "u32",
    "u64",
    "u8",
    "use",
    "variant",
    "with",
    "world",
    "_",
];

/// Escapes `name` with `%` when it is a WIT keyword.
pub fn escape(name: &str) -> std::borrow::Cow<'_, str> {
    if KEYWORDS.contains(&name) {
        format!("%{name}").into()
    } else {
        name.into()
    }
}
