//! Globals.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalData};
use crate::types::{GlobalType, Val};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        if value.ty() != ty.content {
            return Err(Error::Usage(format!("value is not a {}", ty.content)));
        }
        let store = store.as_context_mut();
        store.inner.globals.push(GlobalData {
            ty,
            value: value.to_slot(),
        });
        Ok(Global(store.inner.globals.len() as u32 - 1))
    }

    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        store.as_context().inner.globals[self.0 as usize].ty
    }

    pub fn get(&self, store: impl AsContext) -> Val {
        let g = &store.as_context().inner.globals[self.0 as usize];
        Val::from_slot(g.ty.content, g.value)
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let g = &mut store.as_context_mut().inner.globals[self.0 as usize];
        if !g.ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        if value.ty() != g.ty.content {
            return Err(Error::Usage(format!("value is not a {}", g.ty.content)));
        }
        g.value = value.to_slot();
        Ok(())
    }
}
