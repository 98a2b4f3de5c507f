//! Globals.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalData, StoreId};
use crate::types::{GlobalType, Val};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        if value.ty() != ty.content {
            return Err(Error::Usage(format!("value is not a {}", ty.content)));
        }
        let store = store.as_context_mut();
        let value = value
            .to_slot_in(store.inner.id)
            .map_err(|_| Error::Usage("reference belongs to a different store".into()))?;
        store.inner.globals.push(GlobalData { ty, value });
        Ok(Global {
            store: store.inner.id,
            index: store.inner.globals.len() as u32 - 1,
        })
    }

    /// # Panics
    ///
    /// If the global belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let store = store.as_context();
        store.inner.assert_owns(self.store, "global");
        store.inner.globals[self.index as usize].ty
    }

    /// # Panics
    ///
    /// If the global belongs to another store.
    pub fn get(&self, store: impl AsContext) -> Val {
        let store = store.as_context();
        store.inner.assert_owns(self.store, "global");
        let g = &store.inner.globals[self.index as usize];
        store.inner.val_for_host(g.ty.content, g.value)
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(self.store, "global")?;
        let slot = value
            .to_slot_in(inner.id)
            .map_err(|_| Error::Usage("reference belongs to a different store".into()))?;
        let g = &mut inner.globals[self.index as usize];
        if !g.ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        if value.ty() != g.ty.content {
            return Err(Error::Usage(format!("value is not a {}", g.ty.content)));
        }
        g.value = slot;
        Ok(())
    }
}
