//! Tables of references.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, TableData};
use crate::types::{TableType, Val};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

/// The most elements a 32-bit table can index.
const MAX_ELEMENTS: u64 = u32::MAX as u64;

impl Table {
    /// Creates a table of `ty.limits.min` elements, each `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.as_context_mut();
        if init.ty() != ty.element {
            return Err(Error::Usage(format!(
                "initial value is not a {}",
                ty.element
            )));
        }
        if ty.limits.min > store.inner.limits.max_table_elements
            || ty.limits.max.is_some_and(|m| m < ty.limits.min)
        {
            return Err(Error::Usage(format!(
                "cannot create table of {} elements",
                ty.limits.min
            )));
        }
        let elems = vec![init.to_slot(); ty.limits.min as usize];
        store.inner.tables.push(TableData { ty, elems });
        Ok(Table(store.inner.tables.len() as u32 - 1))
    }

    /// The type with the current size as its minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let t = &store.as_context().inner.tables[self.0 as usize];
        let mut ty = t.ty;
        ty.limits.min = t.elems.len() as u64;
        ty
    }

    pub fn size(&self, store: impl AsContext) -> u64 {
        store.as_context().inner.tables[self.0 as usize].elems.len() as u64
    }

    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let t = &store.as_context().inner.tables[self.0 as usize];
        let slot = *t.elems.get(usize::try_from(index).ok()?)?;
        Some(Val::from_slot(t.ty.element, slot))
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let t = &mut store.as_context_mut().inner.tables[self.0 as usize];
        if value.ty() != t.ty.element {
            return Err(Error::Usage(format!("value is not a {}", t.ty.element)));
        }
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elems.get_mut(i))
            .ok_or_else(|| Error::Usage("table index out of bounds".into()))?;
        *slot = value.to_slot();
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        if init.ty() != inner.tables[self.0 as usize].ty.element {
            return Err(Error::Usage("initial value has the wrong type".into()));
        }
        {
            let limit = inner.limits.max_table_elements;
            grow_table(
                &mut inner.tables[self.0 as usize],
                limit,
                delta,
                init.to_slot(),
            )
        }
        .ok_or_else(|| Error::Usage(format!("failed to grow table by {delta} elements")))
    }
}

/// `table.grow`: the old size, or `None` if growth is refused.
pub(crate) fn grow_table(t: &mut TableData, limit: u64, delta: u64, init: u64) -> Option<u64> {
    let old = t.elems.len() as u64;
    let new = old.checked_add(delta)?;
    if new
        > t.ty
            .limits
            .max
            .unwrap_or(MAX_ELEMENTS)
            .min(MAX_ELEMENTS)
            .min(limit)
    {
        return None;
    }
    let new = usize::try_from(new).ok()?;
    if t.elems.try_reserve_exact(new - t.elems.len()).is_err() {
        return None;
    }
    t.elems.resize(new, init);
    Some(old)
}
