//! Component values as the host sees them, shaped like
//! `wasmtime::component::Val`.

use crate::error::{Error, Result};
use crate::resources::HostHandle;
use crate::store::{AsContext, AsContextMut};
use std::any::TypeId;

/// A component-level value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    Float32(f32),
    Float64(f64),
    Char(char),
    String(String),
    List(Vec<Val>),
    /// A `list<u8>` in one buffer. Lifting makes this for every
    /// `list<u8>`; lowering takes it or a `List` of `U8`s.
    Bytes(Vec<u8>),
    Map(Vec<(Val, Val)>),
    Record(Vec<(String, Val)>),
    Tuple(Vec<Val>),
    Variant(String, Option<Box<Val>>),
    Enum(String),
    Option(Option<Box<Val>>),
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    Flags(Vec<String>),
    Resource(ResourceAny),
}

impl Val {
    /// A short description of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Bool(_) => "bool",
            Val::S8(_) => "s8",
            Val::U8(_) => "u8",
            Val::S16(_) => "s16",
            Val::U16(_) => "u16",
            Val::S32(_) => "s32",
            Val::U32(_) => "u32",
            Val::S64(_) => "s64",
            Val::U64(_) => "u64",
            Val::Float32(_) => "f32",
            Val::Float64(_) => "f64",
            Val::Char(_) => "char",
            Val::String(_) => "string",
            Val::List(_) | Val::Bytes(_) => "list",
            Val::Map(_) => "map",
            Val::Record(_) => "record",
            Val::Tuple(_) => "tuple",
            Val::Variant(..) => "variant",
            Val::Enum(_) => "enum",
            Val::Option(_) => "option",
            Val::Result(_) => "result",
            Val::Flags(_) => "flags",
            Val::Resource(_) => "resource",
        }
    }
}

/// The identity of a resource type.
///
/// Host-defined resource types are named by a Rust type
/// ([`ResourceType::host`]) or a number ([`ResourceType::host_dynamic`]);
/// guest-defined ones come from instances and are unique to their store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceType(pub(crate) ResourceTypeKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ResourceTypeKind {
    Host(TypeId),
    HostDynamic(u32),
    /// Index into the store's resource types.
    Guest(u32),
}

impl ResourceType {
    /// The resource type the host names by the Rust type `T`.
    pub fn host<T: 'static>() -> ResourceType {
        ResourceType(ResourceTypeKind::Host(TypeId::of::<T>()))
    }

    /// A host resource type named by a number, for hosts that make resource
    /// types at run time.
    pub fn host_dynamic(id: u32) -> ResourceType {
        ResourceType(ResourceTypeKind::HostDynamic(id))
    }

    pub fn is_host(&self) -> bool {
        !matches!(self.0, ResourceTypeKind::Guest(_))
    }
}

/// A resource handle held by the host: an entry of the store's host
/// handle table.
///
/// Own handles move: passing one to a guest consumes it, and using it again
/// is an error. Borrow handles the host receives are valid until the host
/// function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceAny {
    pub(crate) index: u32,
    pub(crate) generation: u32,
    pub(crate) ty: ResourceType,
    pub(crate) own: bool,
}

impl ResourceAny {
    pub fn ty(&self) -> ResourceType {
        self.ty
    }

    /// Whether this is an `own` handle (else a `borrow`).
    pub fn owned(&self) -> bool {
        self.own
    }
}

impl ResourceAny {
    /// A new own handle to a host-defined resource with representation
    /// `rep`, held by the host until passed to a guest.
    pub fn new_own<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: ResourceType,
        rep: u32,
    ) -> Result<ResourceAny> {
        if !ty.is_host() {
            return Err(Error::usage(
                "only host-defined resources can be made by the host",
            ));
        }
        let rt = store.core_mut().data_mut().rt.host_resource_id(ty, None);
        let handle = HostHandle { rt, rep, own: true };
        Ok(store
            .core_mut()
            .data_mut()
            .rt
            .host_handles
            .insert(handle, ty))
    }

    /// The representation of a host-defined resource (a guest-defined
    /// one's is private to its implementation).
    pub fn rep<T>(&self, store: impl AsContext<Data = T>) -> Result<u32> {
        if !self.ty.is_host() {
            return Err(Error::usage(
                "the representation of a guest-defined resource is private",
            ));
        }
        store
            .core()
            .data()
            .rt
            .host_handles
            .get(self)
            .map(|h| h.rep)
            .ok_or_else(|| {
                Error::usage("resource handle was already consumed, dropped or is out of scope")
            })
    }

    /// Drops the handle; for an own handle, the resource's destructor runs.
    pub fn resource_drop<T>(self, mut store: impl AsContextMut<Data = T>) -> Result<()> {
        crate::call::drop_host_handle(store.core_mut(), &self)
    }
}

impl Val {
    /// The default value of `ty`: zero, false, empty, the first case, no
    /// flags. Resource handles have none.
    pub fn default_of(ty: &crate::types::Type) -> Result<Val> {
        use crate::types::Type;
        Ok(match ty {
            Type::Bool => Val::Bool(false),
            Type::S8 => Val::S8(0),
            Type::U8 => Val::U8(0),
            Type::S16 => Val::S16(0),
            Type::U16 => Val::U16(0),
            Type::S32 => Val::S32(0),
            Type::U32 => Val::U32(0),
            Type::S64 => Val::S64(0),
            Type::U64 => Val::U64(0),
            Type::F32 => Val::Float32(0.0),
            Type::F64 => Val::Float64(0.0),
            Type::Char => Val::Char('\0'),
            Type::String => Val::String(String::new()),
            Type::List(_) => Val::List(Vec::new()),
            Type::Map(_) => Val::Map(Vec::new()),
            Type::Record(r) => Val::Record(
                r.fields
                    .iter()
                    .map(|f| Ok((f.name.clone(), Val::default_of(&f.ty)?)))
                    .collect::<Result<_>>()?,
            ),
            Type::Tuple(t) => {
                Val::Tuple(t.types.iter().map(Val::default_of).collect::<Result<_>>()?)
            }
            Type::Variant(v) => {
                let first = v
                    .cases
                    .first()
                    .ok_or_else(|| Error::usage("variant without cases"))?;
                let payload = match &first.ty {
                    Some(t) => Some(Box::new(Val::default_of(t)?)),
                    None => None,
                };
                Val::Variant(first.name.clone(), payload)
            }
            Type::Enum(e) => Val::Enum(
                e.names
                    .first()
                    .cloned()
                    .ok_or_else(|| Error::usage("enum without cases"))?,
            ),
            Type::Option(_) => Val::Option(None),
            Type::Result(r) => Val::Result(Ok(match &r.ok {
                Some(t) => Some(Box::new(Val::default_of(t)?)),
                None => None,
            })),
            Type::Flags(_) => Val::Flags(Vec::new()),
            Type::Own(_) | Type::Borrow(_) => {
                return Err(Error::usage("a stub cannot make up a resource handle"));
            }
        })
    }
}
