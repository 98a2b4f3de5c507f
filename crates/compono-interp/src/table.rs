//! Tables of references.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner, TableData};
use crate::types::{TableType, Val};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// The slot of `value` in `store`, if it belongs there.
fn slot_in(store: &StoreInner, value: Val) -> Result<u64> {
    value
        .to_slot_in(store.id)
        .map_err(|_| Error::Usage("reference belongs to a different store".into()))
}

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
        let elems = vec![slot_in(&store.inner, init)?; ty.limits.min as usize];
        store.inner.tables.push(TableData { ty, elems });
        Ok(Table {
            store: store.inner.id,
            index: store.inner.tables.len() as u32 - 1,
        })
    }

    fn data<'a, T>(&self, store: &'a crate::Store<T>) -> &'a TableData {
        store.inner.assert_owns(self.store, "table");
        &store.inner.tables[self.index as usize]
    }

    /// The type with the current size as its minimum.
    ///
    /// # Panics
    ///
    /// If the table belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let t = self.data(store.as_context());
        let mut ty = t.ty;
        ty.limits.min = t.elems.len() as u64;
        ty
    }

    /// # Panics
    ///
    /// If the table belongs to another store.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.data(store.as_context()).elems.len() as u64
    }

    /// The element at `index`; `None` if out of bounds or if the table
    /// belongs to another store.
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let store = store.as_context();
        if store.inner.id != self.store {
            return None;
        }
        let t = &store.inner.tables[self.index as usize];
        let slot = *t.elems.get(usize::try_from(index).ok()?)?;
        Some(store.inner.val_for_host(t.ty.element, slot))
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(self.store, "table")?;
        let slot_value = slot_in(inner, value)?;
        let t = &mut inner.tables[self.index as usize];
        if value.ty() != t.ty.element {
            return Err(Error::Usage(format!("value is not a {}", t.ty.element)));
        }
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elems.get_mut(i))
            .ok_or_else(|| Error::Usage("table index out of bounds".into()))?;
        *slot = slot_value;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(self.store, "table")?;
        if init.ty() != inner.tables[self.index as usize].ty.element {
            return Err(Error::Usage("initial value has the wrong type".into()));
        }
        let init = slot_in(inner, init)?;
        {
            let limit = inner.limits.max_table_elements;
            grow_table(&mut inner.tables[self.index as usize], limit, delta, init)
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
