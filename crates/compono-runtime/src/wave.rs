//! WAVE (the WebAssembly Value Encoding, as `wasmtime run --invoke` uses
//! it) for [`Val`] and [`Type`], through the `wasm-wave` crate.

use crate::error::{Error, Result};
use crate::types::Type;
use crate::val::{ResourceAny, Val};
use std::borrow::Cow;
use wasm_wave::wasm::{WasmType, WasmTypeKind, WasmValue, WasmValueError};

impl WasmType for Type {
    fn kind(&self) -> WasmTypeKind {
        match self {
            Type::Bool => WasmTypeKind::Bool,
            Type::S8 => WasmTypeKind::S8,
            Type::U8 => WasmTypeKind::U8,
            Type::S16 => WasmTypeKind::S16,
            Type::U16 => WasmTypeKind::U16,
            Type::S32 => WasmTypeKind::S32,
            Type::U32 => WasmTypeKind::U32,
            Type::S64 => WasmTypeKind::S64,
            Type::U64 => WasmTypeKind::U64,
            Type::F32 => WasmTypeKind::F32,
            Type::F64 => WasmTypeKind::F64,
            Type::Char => WasmTypeKind::Char,
            Type::String => WasmTypeKind::String,
            Type::List(_) => WasmTypeKind::List,
            Type::Map(_) => WasmTypeKind::Map,
            Type::Record(_) => WasmTypeKind::Record,
            Type::Tuple(_) => WasmTypeKind::Tuple,
            Type::Variant(_) => WasmTypeKind::Variant,
            Type::Enum(_) => WasmTypeKind::Enum,
            Type::Option(_) => WasmTypeKind::Option,
            Type::Result(_) => WasmTypeKind::Result,
            Type::Flags(_) => WasmTypeKind::Flags,
            Type::Own(_) | Type::Borrow(_) => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Self> {
        match self {
            Type::List(l) => Some(l.element.clone()),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Self)> + '_> {
        match self {
            Type::Record(r) => Box::new(
                r.fields
                    .iter()
                    .map(|f| (Cow::Borrowed(f.name.as_str()), f.ty.clone())),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Self> + '_> {
        match self {
            Type::Tuple(t) => Box::new(t.types.iter().cloned()),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Self>)> + '_> {
        match self {
            Type::Variant(v) => Box::new(
                v.cases
                    .iter()
                    .map(|c| (Cow::Borrowed(c.name.as_str()), c.ty.clone())),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Enum(e) => Box::new(e.names.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn option_some_type(&self) -> Option<Self> {
        match self {
            Type::Option(o) => Some(o.some.clone()),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Self>, Option<Self>)> {
        match self {
            Type::Result(r) => Some((r.ok.clone(), r.err.clone())),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Flags(f) => Box::new(f.names.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn map_key_value_types(&self) -> Option<(Self, Self)> {
        match self {
            Type::Map(m) => Some((m.key.clone(), m.value.clone())),
            _ => None,
        }
    }
}

fn boxed(v: Option<Val>) -> Option<Box<Val>> {
    v.map(Box::new)
}

impl WasmValue for Val {
    type Type = Type;

    fn kind(&self) -> WasmTypeKind {
        match self {
            Val::Bool(_) => WasmTypeKind::Bool,
            Val::S8(_) => WasmTypeKind::S8,
            Val::U8(_) => WasmTypeKind::U8,
            Val::S16(_) => WasmTypeKind::S16,
            Val::U16(_) => WasmTypeKind::U16,
            Val::S32(_) => WasmTypeKind::S32,
            Val::U32(_) => WasmTypeKind::U32,
            Val::S64(_) => WasmTypeKind::S64,
            Val::U64(_) => WasmTypeKind::U64,
            Val::Float32(_) => WasmTypeKind::F32,
            Val::Float64(_) => WasmTypeKind::F64,
            Val::Char(_) => WasmTypeKind::Char,
            Val::String(_) => WasmTypeKind::String,
            Val::List(_) | Val::Bytes(_) => WasmTypeKind::List,
            Val::Map(_) => WasmTypeKind::Map,
            Val::Record(_) => WasmTypeKind::Record,
            Val::Tuple(_) => WasmTypeKind::Tuple,
            Val::Variant(..) => WasmTypeKind::Variant,
            Val::Enum(_) => WasmTypeKind::Enum,
            Val::Option(_) => WasmTypeKind::Option,
            Val::Result(_) => WasmTypeKind::Result,
            Val::Flags(_) => WasmTypeKind::Flags,
            Val::Resource(_) => WasmTypeKind::Unsupported,
        }
    }

    fn make_bool(val: bool) -> Self {
        Val::Bool(val)
    }
    fn make_s8(val: i8) -> Self {
        Val::S8(val)
    }
    fn make_s16(val: i16) -> Self {
        Val::S16(val)
    }
    fn make_s32(val: i32) -> Self {
        Val::S32(val)
    }
    fn make_s64(val: i64) -> Self {
        Val::S64(val)
    }
    fn make_u8(val: u8) -> Self {
        Val::U8(val)
    }
    fn make_u16(val: u16) -> Self {
        Val::U16(val)
    }
    fn make_u32(val: u32) -> Self {
        Val::U32(val)
    }
    fn make_u64(val: u64) -> Self {
        Val::U64(val)
    }
    fn make_f32(val: f32) -> Self {
        Val::Float32(val)
    }
    fn make_f64(val: f64) -> Self {
        Val::Float64(val)
    }
    fn make_char(val: char) -> Self {
        Val::Char(val)
    }
    fn make_string(val: Cow<str>) -> Self {
        Val::String(val.into_owned())
    }
    fn make_list(_ty: &Type, vals: impl IntoIterator<Item = Self>) -> Result<Self, WasmValueError> {
        Ok(Val::List(vals.into_iter().collect()))
    }
    fn make_map(
        _ty: &Type,
        entries: impl IntoIterator<Item = (Self, Self)>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Map(entries.into_iter().collect()))
    }
    fn make_record<'a>(
        ty: &Type,
        fields: impl IntoIterator<Item = (&'a str, Self)>,
    ) -> Result<Self, WasmValueError> {
        let Type::Record(record) = ty else {
            return Err(WasmValueError::WrongTypeKind {
                kind: WasmTypeKind::Record,
                ty: ty.to_string(),
            });
        };
        let mut given: Vec<(String, Val)> = fields
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        let mut ordered = Vec::new();
        for field in record.fields.iter() {
            let i = given
                .iter()
                .position(|(n, _)| *n == field.name)
                .ok_or_else(|| WasmValueError::MissingField(field.name.clone()))?;
            ordered.push(given.swap_remove(i));
        }
        if let Some((extra, _)) = given.first() {
            return Err(WasmValueError::UnknownField(extra.clone()));
        }
        Ok(Val::Record(ordered))
    }
    fn make_tuple(
        _ty: &Type,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Tuple(vals.into_iter().collect()))
    }
    fn make_variant(_ty: &Type, case: &str, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(Val::Variant(case.to_string(), boxed(val)))
    }
    fn make_enum(_ty: &Type, case: &str) -> Result<Self, WasmValueError> {
        Ok(Val::Enum(case.to_string()))
    }
    fn make_option(_ty: &Type, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(Val::Option(boxed(val)))
    }
    fn make_result(
        _ty: &Type,
        val: Result<Option<Self>, Option<Self>>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Result(match val {
            Ok(v) => Ok(boxed(v)),
            Err(v) => Err(boxed(v)),
        }))
    }
    fn make_flags<'a>(
        _ty: &Type,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Flags(names.into_iter().map(str::to_string).collect()))
    }

    fn unwrap_bool(&self) -> bool {
        matches!(self, Val::Bool(true))
    }
    fn unwrap_s8(&self) -> i8 {
        if let Val::S8(v) = self { *v } else { 0 }
    }
    fn unwrap_s16(&self) -> i16 {
        if let Val::S16(v) = self { *v } else { 0 }
    }
    fn unwrap_s32(&self) -> i32 {
        if let Val::S32(v) = self { *v } else { 0 }
    }
    fn unwrap_s64(&self) -> i64 {
        if let Val::S64(v) = self { *v } else { 0 }
    }
    fn unwrap_u8(&self) -> u8 {
        if let Val::U8(v) = self { *v } else { 0 }
    }
    fn unwrap_u16(&self) -> u16 {
        if let Val::U16(v) = self { *v } else { 0 }
    }
    fn unwrap_u32(&self) -> u32 {
        if let Val::U32(v) = self { *v } else { 0 }
    }
    fn unwrap_u64(&self) -> u64 {
        if let Val::U64(v) = self { *v } else { 0 }
    }
    fn unwrap_f32(&self) -> f32 {
        if let Val::Float32(v) = self { *v } else { 0.0 }
    }
    fn unwrap_f64(&self) -> f64 {
        if let Val::Float64(v) = self { *v } else { 0.0 }
    }
    fn unwrap_char(&self) -> char {
        if let Val::Char(v) = self { *v } else { '\0' }
    }
    fn unwrap_string(&self) -> Cow<'_, str> {
        match self {
            Val::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::List(items) => Box::new(items.iter().map(Cow::Borrowed)),
            Val::Bytes(bytes) => Box::new(bytes.iter().map(|b| Cow::Owned(Val::U8(*b)))),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Self>)> + '_> {
        match self {
            Val::Record(fields) => Box::new(
                fields
                    .iter()
                    .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v))),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::Tuple(items) => Box::new(items.iter().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Self>>) {
        match self {
            Val::Variant(name, payload) => {
                (Cow::Borrowed(name), payload.as_deref().map(Cow::Borrowed))
            }
            _ => (Cow::Borrowed(""), None),
        }
    }
    fn unwrap_enum(&self) -> Cow<'_, str> {
        match self {
            Val::Enum(name) => Cow::Borrowed(name),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_option(&self) -> Option<Cow<'_, Self>> {
        match self {
            Val::Option(v) => v.as_deref().map(Cow::Borrowed),
            _ => None,
        }
    }
    fn unwrap_result(&self) -> Result<Option<Cow<'_, Self>>, Option<Cow<'_, Self>>> {
        match self {
            Val::Result(Ok(v)) => Ok(v.as_deref().map(Cow::Borrowed)),
            Val::Result(Err(v)) => Err(v.as_deref().map(Cow::Borrowed)),
            _ => Ok(None),
        }
    }
    fn unwrap_map(&self) -> Box<dyn Iterator<Item = (Cow<'_, Self>, Cow<'_, Self>)> + '_> {
        match self {
            Val::Map(entries) => Box::new(
                entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v))),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Val::Flags(names) => Box::new(names.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }
}

impl Val {
    /// The value in WAVE. Resource handles have no WAVE form: each is
    /// written as the label `name(handle)` returns for it.
    pub fn to_wave_with(&self, name: &mut dyn FnMut(&ResourceAny) -> String) -> String {
        if self.contains_resource() {
            return self.with_resources_named(name).to_wave_with(name);
        }
        wasm_wave::to_string(self).unwrap_or_else(|e| format!("<{e}>"))
    }

    /// The value in WAVE, resource handles written as `resource`.
    pub fn to_wave(&self) -> String {
        self.to_wave_with(&mut |_| "resource".to_string())
    }

    /// Parses a value of type `ty` from WAVE.
    pub fn from_wave(ty: &Type, text: &str) -> Result<Val> {
        wasm_wave::from_str::<Val>(ty, text)
            .map_err(|e| Error::usage(format!("invalid value for {ty}: {e}")))
    }

    fn contains_resource(&self) -> bool {
        match self {
            Val::Resource(_) => true,
            Val::List(items) | Val::Tuple(items) => items.iter().any(Val::contains_resource),
            Val::Record(fields) => fields.iter().any(|(_, v)| v.contains_resource()),
            Val::Map(entries) => entries
                .iter()
                .any(|(k, v)| k.contains_resource() || v.contains_resource()),
            Val::Variant(_, Some(v))
            | Val::Option(Some(v))
            | Val::Result(Ok(Some(v)) | Err(Some(v))) => v.contains_resource(),
            _ => false,
        }
    }

    /// A copy with every resource replaced by a label WAVE can print.
    fn with_resources_named(&self, name: &mut dyn FnMut(&ResourceAny) -> String) -> Val {
        let map_box = |v: &Option<Box<Val>>, name: &mut dyn FnMut(&ResourceAny) -> String| {
            v.as_deref().map(|v| Box::new(v.with_resources_named(name)))
        };
        match self {
            Val::Resource(r) => Val::Enum(name(r)),
            Val::List(items) => {
                Val::List(items.iter().map(|v| v.with_resources_named(name)).collect())
            }
            Val::Tuple(items) => {
                Val::Tuple(items.iter().map(|v| v.with_resources_named(name)).collect())
            }
            Val::Record(fields) => Val::Record(
                fields
                    .iter()
                    .map(|(n, v)| (n.clone(), v.with_resources_named(name)))
                    .collect(),
            ),
            Val::Map(entries) => Val::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.with_resources_named(name), v.with_resources_named(name)))
                    .collect(),
            ),
            Val::Variant(n, v) => Val::Variant(n.clone(), map_box(v, name)),
            Val::Option(v) => Val::Option(map_box(v, name)),
            Val::Result(Ok(v)) => Val::Result(Ok(map_box(v, name))),
            Val::Result(Err(v)) => Val::Result(Err(map_box(v, name))),
            other => other.clone(),
        }
    }
}

/// A parsed `--invoke` call: the function's name and its arguments, still
/// in WAVE until the function's parameter types are known.
pub struct WaveCall {
    name: String,
    call: wasm_wave::untyped::UntypedFuncCall<'static>,
}

impl WaveCall {
    /// Parses `name(arg, ...)`; a bare `name` calls without arguments.
    /// The name is taken as written up to the `(`, so interface functions
    /// (`my:pkg/iface@1.0.0#f`) and resource functions
    /// (`[method]file.read`) can be named.
    pub fn parse(text: &str) -> Result<WaveCall> {
        let text = text.trim();
        let (name, args) = match text.find('(') {
            Some(open) => (text[..open].trim(), &text[open..]),
            None => (text, "()"),
        };
        if name.is_empty() {
            return Err(Error::usage(format!(
                "invalid call `{text}`: no function name"
            )));
        }
        // WAVE's own names are plain labels; parse the arguments under one.
        let source = format!("f{args}");
        let call = wasm_wave::untyped::UntypedFuncCall::parse(&source)
            .map_err(|e| Error::usage(format!("invalid call `{text}`: {e}")))?
            .into_owned();
        Ok(WaveCall {
            name: name.to_string(),
            call,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The arguments, typed by the parameters `types`; trailing `option`
    /// parameters may be left out. Resource handles, which WAVE cannot
    /// write, are labels, turned into values by `resource`.
    pub fn args(
        &self,
        types: &[Type],
        resource: &mut dyn FnMut(&str, &Type) -> Result<Val>,
    ) -> Result<Vec<Val>> {
        let bad = |e: &dyn std::fmt::Display| {
            Error::usage(format!("invalid arguments to `{}`: {e}", self.name()))
        };
        if !types.iter().any(contains_resource) {
            return self
                .call
                .to_wasm_params::<Val>(types.iter())
                .map_err(|e| bad(&e));
        }
        let nodes: Vec<_> = match self.call.params_node() {
            Some(node) => node.as_tuple().map_err(|e| bad(&e))?.collect(),
            None => Vec::new(),
        };
        if nodes.len() > types.len() {
            return Err(bad(&format!(
                "{} arguments given, {} expected",
                nodes.len(),
                types.len()
            )));
        }
        let source = self.call.source();
        let mut args = Vec::new();
        for (i, ty) in types.iter().enumerate() {
            match nodes.get(i) {
                Some(node) => args.push(node_to_val(ty, node, source, resource)?),
                None if matches!(ty, Type::Option(_)) => args.push(Val::Option(None)),
                None => return Err(bad(&format!("argument {} is missing", i + 1))),
            }
        }
        Ok(args)
    }
}

impl Val {
    /// Parses a value of type `ty` from WAVE, resource handles written as
    /// labels that `resource` turns into values.
    pub fn from_wave_with(
        ty: &Type,
        text: &str,
        resource: &mut dyn FnMut(&str, &Type) -> Result<Val>,
    ) -> Result<Val> {
        let value = wasm_wave::untyped::UntypedValue::parse(text)
            .map_err(|e| Error::usage(format!("invalid value for {ty}: {e}")))?;
        node_to_val(ty, value.node(), value.source(), resource)
    }
}

/// Whether a value of `ty` can hold a resource handle.
fn contains_resource(ty: &Type) -> bool {
    match ty {
        Type::Own(_) | Type::Borrow(_) => true,
        Type::List(l) => contains_resource(&l.element),
        Type::Map(m) => contains_resource(&m.key) || contains_resource(&m.value),
        Type::Record(r) => r.fields.iter().any(|f| contains_resource(&f.ty)),
        Type::Tuple(t) => t.types.iter().any(contains_resource),
        Type::Variant(v) => v
            .cases
            .iter()
            .any(|c| c.ty.as_ref().is_some_and(contains_resource)),
        Type::Option(o) => contains_resource(&o.some),
        Type::Result(r) => {
            r.ok.as_ref().is_some_and(contains_resource)
                || r.err.as_ref().is_some_and(contains_resource)
        }
        _ => false,
    }
}

/// Converts a parsed WAVE node to a value of `ty`, following the type down
/// to the resource handles (labels); parts without handles are left to
/// `wasm-wave`.
fn node_to_val(
    ty: &Type,
    node: &wasm_wave::ast::Node,
    src: &str,
    resource: &mut dyn FnMut(&str, &Type) -> Result<Val>,
) -> Result<Val> {
    let bad = |e: &dyn std::fmt::Display| Error::usage(format!("invalid value for {ty}: {e}"));
    if !contains_resource(ty) {
        return node.to_wasm_value::<Val>(ty, src).map_err(|e| bad(&e));
    }
    let mut sub = |ty: &Type, node: &wasm_wave::ast::Node| node_to_val(ty, node, src, resource);
    Ok(match ty {
        Type::Own(_) | Type::Borrow(_) => {
            let label = node.as_enum(src).map_err(|e| bad(&e))?;
            resource(label, ty)?
        }
        Type::List(l) => Val::List(
            node.as_list()
                .map_err(|e| bad(&e))?
                .map(|n| sub(&l.element, n))
                .collect::<Result<_>>()?,
        ),
        Type::Map(m) => Val::Map(
            node.as_map()
                .map_err(|e| bad(&e))?
                .map(|(k, v)| Ok((sub(&m.key, k)?, sub(&m.value, v)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Tuple(t) => {
            let nodes: Vec<_> = node.as_tuple().map_err(|e| bad(&e))?.collect();
            if nodes.len() != t.types.len() {
                return Err(bad(&"wrong number of tuple elements"));
            }
            Val::Tuple(
                t.types
                    .iter()
                    .zip(nodes)
                    .map(|(t, n)| sub(t, n))
                    .collect::<Result<_>>()?,
            )
        }
        Type::Record(r) => {
            let given: Vec<(&str, &wasm_wave::ast::Node)> =
                node.as_record(src).map_err(|e| bad(&e))?.collect();
            let mut fields = Vec::new();
            for field in r.fields.iter() {
                match given.iter().find(|(n, _)| *n == field.name) {
                    Some((_, n)) => fields.push((field.name.clone(), sub(&field.ty, n)?)),
                    None if matches!(field.ty, Type::Option(_)) => {
                        fields.push((field.name.clone(), Val::Option(None)))
                    }
                    None => return Err(bad(&format!("missing field `{}`", field.name))),
                }
            }
            Val::Record(fields)
        }
        Type::Variant(v) => {
            let (label, payload) = node.as_variant(src).map_err(|e| bad(&e))?;
            let case = v
                .cases
                .iter()
                .find(|c| c.name == label)
                .ok_or_else(|| bad(&format!("no case `{label}`")))?;
            let payload = match (&case.ty, payload) {
                (Some(t), Some(n)) => Some(Box::new(sub(t, n)?)),
                (None, None) => None,
                _ => return Err(bad(&format!("payload of case `{label}`"))),
            };
            Val::Variant(label.to_string(), payload)
        }
        Type::Option(o) => Val::Option(match node.as_option().map_err(|e| bad(&e))? {
            Some(n) => Some(Box::new(sub(&o.some, n)?)),
            None => None,
        }),
        Type::Result(r) => {
            let mut payload =
                |t: &Option<Type>, n: Option<&wasm_wave::ast::Node>| -> Result<Option<Box<Val>>> {
                    match (t, n) {
                        (Some(t), Some(n)) => Ok(Some(Box::new(sub(t, n)?))),
                        (None, None) => Ok(None),
                        _ => Err(bad(&"result payload")),
                    }
                };
            match node.as_result().map_err(|e| bad(&e))? {
                Ok(n) => Val::Result(Ok(payload(&r.ok, n)?)),
                Err(n) => Val::Result(Err(payload(&r.err, n)?)),
            }
        }
        _ => return node.to_wasm_value::<Val>(ty, src).map_err(|e| bad(&e)),
    })
}
