//! Exception tags and the exceptions thrown with them.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::{ExnRef, TagType, Val};

/// An exception tag. Every tag a module defines is a new one for each
/// instance, so a `catch` matches only throws of the very tag it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

pub(crate) struct TagData {
    pub ty: TagType,
}

/// An exception: its tag (a store index) and the values it carries.
pub(crate) struct ExnData {
    pub tag: u32,
    pub values: Box<[u64]>,
    /// Whether guest code or the host may hold a reference to it (it was
    /// caught with `catch_ref`/`catch_all_ref`, or left an invocation);
    /// until then a plain `catch` may recycle it.
    pub exposed: bool,
}

impl Tag {
    /// A new tag defined by the host.
    pub fn new(mut store: impl AsContextMut, ty: TagType) -> Tag {
        let inner = &mut store.as_context_mut().inner;
        inner.tags.push(TagData { ty });
        Tag {
            store: inner.id,
            index: inner.tags.len() as u32 - 1,
        }
    }

    /// # Panics
    ///
    /// If the tag belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let store = store.as_context();
        store.inner.assert_owns(self.store, "tag");
        store.inner.tags[self.index as usize].ty.clone()
    }
}

impl ExnRef {
    /// The exception's tag and the values it carries.
    pub fn fields(&self, store: impl AsContext) -> Result<(Tag, Vec<Val>)> {
        let inner = &store.as_context().inner;
        inner.check(self.store, "exception")?;
        let exn = inner
            .exns
            .get(self.index as usize)
            .ok_or_else(|| Error::Usage("no such exception".into()))?;
        let ty = &inner.tags[exn.tag as usize].ty;
        let values = ty
            .params()
            .iter()
            .zip(exn.values.iter())
            .map(|(t, v)| Val::from_slot(*t, *v, inner.id))
            .collect();
        Ok((
            Tag {
                store: inner.id,
                index: exn.tag,
            },
            values,
        ))
    }
}
