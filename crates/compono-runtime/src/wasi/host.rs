//! What every WASI host function uses: access to the [`WasiCtx`] from a
//! store, resource handles in and out, and reading arguments and making
//! results as [`Val`]s.

use super::table::{Resource, Table};
use super::{WasiCtx, WasiView};
use crate::error::{Error, Result, Trap};
use crate::linker::LinkerInstance;
use crate::store::StoreContextMut;
use crate::val::{ResourceAny, ResourceType, Val};

/// A host function's view of its store.
pub(crate) struct Host<'a, T>(pub StoreContextMut<'a, T>);

impl<T: WasiView> Host<'_, T> {
    pub fn ctx(&mut self) -> &mut WasiCtx {
        self.0.data_mut().ctx()
    }

    pub fn table(&mut self) -> &mut Table {
        &mut self.ctx().table
    }

    /// The table index a resource argument names.
    pub fn rep(&self, v: &Val) -> Result<u32> {
        match v {
            Val::Resource(r) => r.rep(&self.0),
            other => Err(bad_arg("a resource", other)),
        }
    }

    /// Adds `value` to the table (as a child of `parent`) and makes the own
    /// handle the guest receives.
    pub fn new_resource(&mut self, value: Resource, parent: Option<u32>) -> Result<Val> {
        let ty = value.resource_type();
        let rep = self.table().push(value, parent)?;
        Ok(Val::Resource(ResourceAny::new_own(&mut self.0, ty, rep)?))
    }
}

/// Defines `name` in `instance` as `f`, which gets the arguments and
/// returns the result (anything, ignored, for a function without one).
pub(crate) fn define<T: WasiView + 'static>(
    instance: &mut LinkerInstance<'_, T>,
    name: &str,
    f: impl Fn(&mut Host<'_, T>, &[Val]) -> Result<Val> + Send + Sync + 'static,
) -> Result<()> {
    instance.func_new(name, move |store, args, results| {
        let value = f(&mut Host(store), args)?;
        if let Some(slot) = results.first_mut() {
            *slot = value;
        }
        Ok(())
    })
}

/// Defines the resource type `name`, whose handles' representations index
/// the table; dropping the last handle deletes the entry.
pub(crate) fn define_resource<T: WasiView + 'static>(
    instance: &mut LinkerInstance<'_, T>,
    name: &str,
    ty: ResourceType,
) -> Result<()> {
    instance.resource(name, ty, |mut store, rep| {
        store.data_mut().ctx().table.delete(rep).map(drop)
    })
}

/// The result of a function without one.
pub(crate) fn unit() -> Val {
    Val::Tuple(Vec::new())
}

pub(crate) fn ok(v: Val) -> Val {
    Val::Result(Ok(Some(Box::new(v))))
}

pub(crate) fn ok_unit() -> Val {
    Val::Result(Ok(None))
}

pub(crate) fn err(v: Val) -> Val {
    Val::Result(Err(Some(Box::new(v))))
}

pub(crate) fn some(v: Val) -> Val {
    Val::Option(Some(Box::new(v)))
}

pub(crate) fn none() -> Val {
    Val::Option(None)
}

pub(crate) fn enum_case(name: &str) -> Val {
    Val::Enum(name.to_string())
}

pub(crate) fn record(fields: impl IntoIterator<Item = (&'static str, Val)>) -> Val {
    Val::Record(
        fields
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    )
}

/// A trap raised by a WASI function, worded for the user.
pub(crate) fn trap(message: impl Into<String>) -> Error {
    Error::Trap(Trap::host(message))
}

fn bad_arg(expected: &str, found: &Val) -> Error {
    Error::Usage(format!(
        "WASI host: expected {expected} argument, found a {}",
        found.kind()
    ))
}

fn arg(args: &[Val], i: usize) -> Result<&Val> {
    args.get(i)
        .ok_or_else(|| Error::Usage(format!("WASI host: missing argument {i}")))
}

pub(crate) fn u64_arg(args: &[Val], i: usize) -> Result<u64> {
    match arg(args, i)? {
        Val::U64(v) => Ok(*v),
        other => Err(bad_arg("a u64", other)),
    }
}

pub(crate) fn u8_arg(args: &[Val], i: usize) -> Result<u8> {
    match arg(args, i)? {
        Val::U8(v) => Ok(*v),
        other => Err(bad_arg("a u8", other)),
    }
}

pub(crate) fn string_arg(args: &[Val], i: usize) -> Result<&str> {
    match arg(args, i)? {
        Val::String(s) => Ok(s),
        other => Err(bad_arg("a string", other)),
    }
}

/// A `list<u8>` argument (lifted as one buffer).
pub(crate) fn bytes_arg(args: &[Val], i: usize) -> Result<Vec<u8>> {
    match arg(args, i)? {
        Val::Bytes(b) => Ok(b.clone()),
        Val::List(items) => items
            .iter()
            .map(|v| match v {
                Val::U8(b) => Ok(*b),
                other => Err(bad_arg("a u8", other)),
            })
            .collect(),
        other => Err(bad_arg("a list<u8>", other)),
    }
}

/// The names of the flags set in a `flags` argument.
pub(crate) fn flags_arg(args: &[Val], i: usize) -> Result<&[String]> {
    match arg(args, i)? {
        Val::Flags(set) => Ok(set),
        other => Err(bad_arg("flags", other)),
    }
}

/// A variant argument: its case and payload.
pub(crate) fn variant_arg(args: &[Val], i: usize) -> Result<(&str, Option<&Val>)> {
    match arg(args, i)? {
        Val::Variant(case, payload) => Ok((case, payload.as_deref())),
        other => Err(bad_arg("a variant", other)),
    }
}

/// A `result` argument without payloads: whether it is `ok`.
pub(crate) fn result_is_ok(args: &[Val], i: usize) -> Result<bool> {
    match arg(args, i)? {
        Val::Result(r) => Ok(r.is_ok()),
        other => Err(bad_arg("a result", other)),
    }
}

/// A `list<borrow<R>>` argument's elements.
pub(crate) fn list_arg(args: &[Val], i: usize) -> Result<&[Val]> {
    match arg(args, i)? {
        Val::List(items) => Ok(items),
        other => Err(bad_arg("a list", other)),
    }
}

pub(crate) fn field<'v>(v: &'v Val, name: &str) -> Result<&'v Val> {
    match v {
        Val::Record(fields) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::Usage(format!("WASI host: record has no field `{name}`"))),
        other => Err(bad_arg("a record", other)),
    }
}
